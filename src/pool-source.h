/*
 * Where tasks come from, streamed: items after :::, a file (-a, or stdin),
 * a numeric range, or the config file's list of whole tasks.  The
 * supervisor asks for the next item only when it has room, so a million-line
 * input never sits in memory.  A pipe source is read without blocking from
 * the poll loop (source_fd_get() / source_fill()).
 *
 * Every item gets seq 1, 2, 3 ... in input order.  A file or pipe item is
 * the bytes up to the separator, kept as they are (a '\r' stays); a last
 * item without a separator still counts; an empty line is an empty item.
 * An item over 1 MiB ends the source: source_next() returns -1 and
 * source_error() says "NAME:LINE: item longer than 1 MiB"; the caller must
 * fail the run.  A NUL byte in an item with sep '\n' is replaced by the two
 * bytes "\\0", as GNU parallel does, and source_take_warning() says so.
 * The fd source holds at most the current partial item plus one 64 KiB
 * chunk.
 *
 * Several input sources make one product source (source_product()): its
 * items are the combinations, numbered 1, 2, 3 ..., each with one argument
 * per source in args and, in arg, the arguments joined by spaces (GNU
 * parallel's --tag).  The first source (and those linked to it) is read as
 * it goes; the others are read whole, before the first item, since their
 * values repeat.
 */
#ifndef PT_POOL_SOURCE_H
#define PT_POOL_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opts.h"

struct source;
struct arena;

struct item {
	uint64_t  seq;		/* 1-based position in the input: {#} */
	char	 *arg;		/* the item (owned by the caller after next) */
	bool	  arg_arena;	/* arg is an arena's: arena_free() frees it */
	char	 *command;	/* whole-task command, or NULL: use template */
	bool	  named;	/* arg is the task's name, not its command */
	char	**args;		/* product: one per source, or NULL */
	size_t	  nargs;
	char	 *block;	/* --pipe: the file holding the block,
				   removed by item_clear(); or NULL */
	bool	  block_keep;	/* --pipe-part: block is the input file,
				   never removed */
	uint64_t  block_off;	/* where the block starts in it */
	uint64_t  block_len;	/* its size */
};

struct source	*source_args(char **items, size_t n);	/* not copied */
/* Items of a range are "%lld" strings.  step != 0 (asserted). */
struct source	*source_range(long long from, long long to, long long step);
/*
 * Tasks: arg is the task's name (or its command), command its command.
 * The tasks are not copied.
 */
struct source	*source_tasks(const struct conf_task *, size_t n);
/*
 * fd: a file or pipe; name for messages; sep '\n' or '\0'; owns the fd.  A
 * regular file is read synchronously and counted up front for the total; a
 * pipe is set O_NONBLOCK (restored by source_free).
 */
struct source	*source_fd(int fd, const char *name, char sep);
/*
 * The combinations of n sources (owned; the array is copied): the last
 * varies fastest; a source with linked[k] (:::+, ::::+) pairs its values
 * with those of the one before, as long as the shorter of them lasts.  An
 * empty source among several gives one empty value, as in GNU parallel.
 */
struct source	*source_product(struct source **subs, const bool *linked,
		    size_t n);
struct columns;
/*
 * A product's values split into columns (cols owned; see pool-columns.h):
 * a task's arguments are every source's columns in turn, and its arg the
 * columns joined by spaces.  header: the first value of each source names
 * its columns and is no task (source_header()).  A bad CSV record ends the
 * source with "NAME:N: ..." (NAME ":::" for items of the command line).
 */
void		 source_columns(struct source *product, struct columns *cols,
		    bool header);
/*
 * -E and -r on an input source of items (args or fd), as GNU parallel
 * reads each: an item equal to eof_str (if not NULL) ends the source, the
 * rest unread; with skip_blank, an item that is empty or only blanks
 * (space, \t \n \v \f \r) is dropped, the items after it numbered as
 * if it had never been.  Its total is then unknown.
 */
void		 source_filter(struct source *, const char *eof_str,
		    bool skip_blank);
/*
 * --trim: every argument of the product's items loses the blanks (space,
 * \t \n \v \f \r) at its left (how & TRIM_LEFT) and right (TRIM_RIGHT)
 * ends, after the columns are split; arg joins the trimmed arguments.
 */
void		 source_trim(struct source *product, int how);
/*
 * The header's column names (of the product s is, or wraps in a group or
 * a shuffle), valid until source_free: 1; 0 not read yet
 * (poll source_fd_get(), source_fill(), ask again); -1 no header (no
 * input, or an error: see source_error).
 */
int		 source_header(struct source *, char *const **names,
		    size_t *n);
/* An fd source of CSV records: a newline inside "..." does not end one. */
void		 source_fd_csv(struct source *);
/*
 * An fd source's items taken from arena a (item.arg_arena), not malloc'd:
 * for its one consumer, which frees them with item_clear().  Not for a
 * source another combines (its items' strings move into the other's).
 * False (nothing changes) if s is not an fd source.
 */
bool		 source_fd_arena(struct source *, struct arena *a);
/*
 * Tasks of n items of sub each (-N n; owns sub), the last one perhaps
 * fewer: args the items' arguments in turn.  n = 0: one item a task,
 * with no argument at all (-N 0).  Numbered 1, 2, 3 ... again.
 */
struct source	*source_group(struct source *sub, size_t n);
/*
 * -L: an item of sub (owned) ending in a blank (space or tab) goes on
 * with the next one, as one item: "c " and "d" give "c d".
 */
struct source	*source_lines(struct source *sub);
/*
 * Every item of sub (owned) in a random order, renumbered in that order:
 * the first item comes once sub has ended (--shuf).
 */
struct source	*source_shuffle(struct source *sub);
/* How long an item (its seq: its place in sub) may run, ns; -1 unknown. */
typedef int64_t	(*source_weight_fn)(void *arg, const struct item *);
/*
 * Every item of sub (owned), those of unknown weight first, in input
 * order, then the heaviest first (equal weights in input order),
 * renumbered in that order: the first item comes once sub has ended
 * (--order longest-first).  weight is called once per item, then.
 */
struct source	*source_longest(struct source *sub, source_weight_fn weight,
		    void *arg);
bool		 source_is_product(const struct source *);
/*
 * --xargs / -m: tasks of as many items of sub (owned) as give a command
 * shorter than maxlen bytes, as len (called with a task's arguments)
 * measures it; at most maxn items a task if maxn > 0.  With jobs > 1, when
 * the input ends before it fills jobs commands, the items are spread
 * evenly over jobs tasks (GNU parallel's -m).  An item too long for a
 * command alone ends the source with "command line too long".
 */
typedef size_t	(*source_len_fn)(void *arg, const char *const *args,
		    size_t nargs);
struct source	*source_xargs(struct source *sub, source_len_fn len,
		    void *arg, size_t maxlen, size_t maxn, size_t jobs);
struct blocks;
/* --pipe: each block of b (owned; pool-block.h) one item, arg "". */
struct source	*source_blocks(struct blocks *b);
/* The blocks of a source_blocks() source, or NULL. */
struct blocks	*source_get_blocks(const struct source *);
void		 source_free(struct source *);

/*
 * 1: *it filled (free it with item_clear); 0: nothing now, poll source_fd_get()
 * and call source_fill(); -1: end of input (or read error, see source_error).
 * source_next() itself tries one non-blocking read when nothing is buffered.
 * Watch the fd only after source_next() returned 0: with a complete item
 * buffered source_fill() reads nothing, so polling then would spin.
 */
int		 source_next(struct source *, struct item *it);
int		 source_fd_get(const struct source *);	/* -1: never blocks */
void		 source_fill(struct source *);		/* read what is ready */
bool		 source_total(const struct source *, uint64_t *total);
const char	*source_error(const struct source *);	/* NULL if fine */
char		*source_take_warning(struct source *);	/* NULL if none */
void		 item_clear(struct item *);

#endif

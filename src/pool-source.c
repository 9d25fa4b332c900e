/*
 * Item sources, streamed.
 *
 * The fd source keeps one buffer: buf[start, len) holds what has been read
 * and not handed out, and scan marks how far it is known to hold no
 * separator.  It reads at most SRC_CHUNK bytes at a time and only when no
 * complete item is buffered, so it never holds more than the current partial
 * item plus one chunk (in a buffer sized in whole chunks).  An item longer
 * than SRC_ITEM_MAX ends the source with an error instead of growing
 * without bound.
 *
 * A pipe (anything but a regular file) is made non-blocking and read from
 * the caller's poll loop: source_next() tries one read and returns 0 when
 * nothing is ready.  A regular file is read synchronously and counted once
 * up front (with pread, so the file offset is untouched) to give a total.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pool-block.h"
#include "pool-columns.h"
#include "pool-source.h"
#include "util.h"

#define SRC_CHUNK	(64 * 1024)
#define SRC_ITEM_MAX	(1024 * 1024)

enum src_type { SRC_ARGS, SRC_RANGE, SRC_TASKS, SRC_FD, SRC_PRODUCT,
    SRC_GROUP, SRC_SHUFFLE, SRC_XARGS, SRC_LINES, SRC_BLOCK };

/* The values of one input source a product holds in memory. */
struct held {
	char		**v;
	size_t		  n;
};

struct source {
	enum src_type		 type;
	uint64_t		 seq;		/* items handed out */
	char			*error;
	char			*warning;	/* about the last item */

	/* args, tasks */
	char			**items;
	const struct conf_task	*tasks;
	size_t			 n;
	size_t			 next;

	/* range */
	long long		 from;
	long long		 step;
	uint64_t		 last;		/* index of the last value */
	bool			 empty;
	uint64_t		 index;
	bool			 done;

	/* fd */
	int			 fd;
	int			 oflags;	/* file status flags
						   to restore */
	char			*name;
	char			 sep;
	bool			 regular;
	bool			 eof;
	char			*buf;
	size_t			 cap;
	size_t			 start;
	size_t			 len;
	size_t			 scan;
	uint64_t		 total;
	bool			 csv;		/* quoted newlines are data */
	bool			 inq;		/* csv: scan is inside quotes */
	struct arena		*arena;		/* items' strings, or NULL */

	/* product: the first group streams, the other groups are held */
	struct source		**subs;
	size_t			 nsubs;
	size_t			 nfirst;	/* subs in the first group */
	size_t			*group;		/* sub k's group */
	size_t			 ngroups;
	struct held		*held;		/* per sub (k >= nfirst) */
	size_t			*glen;		/* per group: its length */
	size_t			*at;		/* per group: its position */
	size_t			 loading;	/* sub being read whole */
	char			**first;	/* the first group's values */
	size_t			 nhave;		/* of them read */
	struct columns		*cols;		/* split values, or NULL */
	char			*eof_str;	/* -E: the item ending it */
	bool			 skip_blank;	/* -r: blank items dropped */
	bool			 cut_off;	/* -E met: nothing more */
	int			 trim;		/* TRIM_LEFT | TRIM_RIGHT */
	bool			 some_value;	/* a source had a value */
	bool			 header;	/* first values name columns */
	bool			 header_done;
	char			**hdr;		/* per sub: its header line */
	char			**names;	/* the columns' names */
	size_t			 nnames;

	/* group (-N): sub's items, n at a time; shuffle: all of sub's */
	struct source		*sub;		/* set only by the wrappers:
						   group, shuffle, xargs,
						   lines */
	size_t			 per;		/* items a task; 0: no args */
	char			**gargs;	/* the arguments gathered */
	size_t			 ngargs;
	size_t			 gitems;	/* items gathered */
	bool			 sub_done;
	struct item		*all;		/* shuffle: every item */
	size_t			 nall;
	source_weight_fn	 weight;	/* ... sorted by it, or NULL */
	void			*warg;

	/* xargs (-m): all[next, nall) read ahead, with their costs */
	source_len_fn		 lenfn;
	void			*lenarg;
	size_t			 maxlen;	/* a command is shorter */
	size_t			 maxn;		/* items a task, 0: any */
	size_t			 jobs;		/* spread over this many */
	size_t			 xcap;		/* items a task at most, 0: */
	bool			 capped;	/* ... any; xcap decided */
	size_t			 base;		/* length with no argument */
	size_t			 xsep;		/* added by one argument more */
	size_t			*costs;		/* per item in all[] */
	size_t			 ahead;		/* sum of costs[next, nall) */

	/* block (--pipe) */
	struct blocks		*blocks;
};

static void	product_free(struct source *);
static void	wrapped_free(struct source *);

/* A new source of the given type. */
static struct source *
source_new(enum src_type type)
{
	struct source	*s = xcalloc(1, sizeof *s);

	s->type = type;
	s->fd = -1;
	return s;
}

/* Items given on the command line or in the config. */
struct source *
source_args(char **items, size_t n)
{
	struct source	*s = source_new(SRC_ARGS);

	s->items = items;
	s->n = n;
	return s;
}

/* from..to by step (step != 0; the caller rejects 0). */
struct source *
source_range(long long from, long long to, long long step)
{
	struct source	*s = source_new(SRC_RANGE);
	uint64_t	 dist, ustep;

	assert(step != 0);
	s->from = from;
	s->step = step;
	if ((step > 0 && from > to) || (step < 0 && from < to)) {
		s->done = s->empty = true;
		return s;
	}
	/* The distance fits in uint64_t even when it overflows long long. */
	if (step > 0) {
		dist = (uint64_t)to - (uint64_t)from;
		ustep = (uint64_t)step;
	} else {
		dist = (uint64_t)from - (uint64_t)to;
		ustep = 0 - (uint64_t)step;
	}
	s->last = dist / ustep;
	return s;
}

/* Whole tasks from the config file (not copied: must outlive the source). */
struct source *
source_tasks(const struct conf_task *tasks, size_t n)
{
	struct source	*s = source_new(SRC_TASKS);

	s->tasks = tasks;
	s->n = n;
	return s;
}

/* Set the error that ends the source. */
static void
source_fail(struct source *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
source_fail(struct source *s, const char *fmt, ...)
{
	va_list	 ap;

	if (s->error == NULL) {
		va_start(ap, fmt);
		s->error = xvasprintf(fmt, ap);
		va_end(ap);
	}
	s->eof = true;
	free(s->buf);
	s->buf = NULL;
	s->cap = s->start = s->len = s->scan = 0;
}

/* Count the items of a regular file from the current offset. */
static void
fd_count(struct source *s)
{
	off_t		 off;
	ssize_t		 r;
	uint64_t	 n = 0;
	char		*p, *end, last = s->sep;

	if ((off = lseek(s->fd, 0, SEEK_CUR)) == -1)
		off = 0;
	for (;;) {
		r = pread(s->fd, s->buf, SRC_CHUNK, off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		end = s->buf + r;
		for (p = s->buf; (p = memchr(p, s->sep, (size_t)(end - p)));
		    p++)
			n++;
		last = end[-1];
		off += r;
	}
	if (last != s->sep)
		n++;
	s->total = n;
}

/* A file or pipe; owns fd. */
struct source *
source_fd(int fd, const char *name, char sep)
{
	struct source	*s = source_new(SRC_FD);
	struct stat	 st;

	s->fd = fd;
	s->name = xstrdup(name);
	s->sep = sep;
	s->oflags = -1;
	s->cap = 2 * SRC_CHUNK;
	s->buf = xmalloc(s->cap);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		s->regular = true;
		fd_count(s);
	} else {
		s->oflags = fcntl(fd, F_GETFL);
		if (set_nonblock(fd) == -1)
			s->oflags = -1;
	}
	return s;
}

/* Is s a product of sources (source_product())? */
struct source *
source_blocks(struct blocks *b)
{
	struct source	*s = source_new(SRC_BLOCK);

	s->blocks = b;
	return s;
}

/* The next block as an item: arg "", the block's file and size. */
static int
block_next(struct source *s, struct item *it)
{
	char		*w;
	int		 r;

	r = blocks_next(s->blocks, &it->block, &it->seq, &it->block_off,
	    &it->block_len);
	if (r == 1) {
		it->arg = xstrdup("");
		it->block_keep = blocks_ranges(s->blocks);
	}
	if ((w = blocks_take_warning(s->blocks)) != NULL) {
		free(s->warning);
		s->warning = w;
	}
	if (r == -1 && blocks_error(s->blocks) != NULL && s->error == NULL)
		s->error = xstrdup(blocks_error(s->blocks));
	return r;
}

struct blocks *
source_get_blocks(const struct source *s)
{
	return s->type == SRC_BLOCK ? s->blocks : NULL;
}

bool
source_is_product(const struct source *s)
{
	return s->type == SRC_PRODUCT;
}

/* Free a source; closes its fd after restoring its flags. */
void
source_free(struct source *s)
{
	if (s == NULL)
		return;
	if (s->fd != -1) {
		if (s->oflags != -1)
			fcntl(s->fd, F_SETFL, s->oflags);
		close(s->fd);
	}
	if (s->type == SRC_PRODUCT)
		product_free(s);
	blocks_free(s->blocks);
	if (s->sub != NULL)
		wrapped_free(s);
	free(s->name);
	free(s->eof_str);
	free(s->buf);
	free(s->error);
	free(s->warning);
	free(s);
}

/* Make room for one more chunk after the buffered bytes. */
static void
fd_make_room(struct source *s)
{
	size_t	keep = s->len - s->start, want;

	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, keep);
		s->scan -= s->start;
		s->len = keep;
		s->start = 0;
	}
	/*
	 * Room for keep + one chunk, in whole chunks; shrink after a long
	 * item.
	 */
	want = (keep / SRC_CHUNK + 2) * SRC_CHUNK;
	if (s->cap < keep + SRC_CHUNK || s->cap > want) {
		s->cap = want;
		s->buf = xreallocarray(s->buf, s->cap, 1);
	}
}

/*
 * Read one chunk: 1 if something happened (data, EOF, error), 0 if not
 * ready.
 */
static int
fd_read(struct source *s)
{
	ssize_t	r;

	fd_make_room(s);
	do
		r = read(s->fd, s->buf + s->len, SRC_CHUNK);
	while (r == -1 && errno == EINTR);
	if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (r == -1) {
		source_fail(s, "%s: read: %s", s->name, strerror(errno));
		return 1;
	}
	if (r == 0)
		s->eof = true;
	s->len += (size_t)r;
	return 1;
}

/*
 * An item of n bytes at p holding NUL bytes, each replaced by the two
 * bytes "\\0", with a warning, as GNU parallel does.
 */
static char *
nul_replaced(struct source *s, const char *p, size_t n)
{
	struct buf	 b = { NULL, 0, 0 };
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\0')
			buf_add(&b, "\\0", 2);
		else
			buf_add(&b, p + i, 1);
	}
	free(s->warning);
	s->warning = xasprintf("%s:%llu: a NUL byte in the item was replaced "
	    "with \\0: NUL cannot be passed in an argument (did you mean "
	    "--null?)", s->name, (unsigned long long)s->seq + 1);
	return b.data;
}

/* Hand out buf[start, start + n) as the next item and skip skip bytes more. */
static int
fd_emit(struct source *s, size_t n, size_t skip, struct item *it)
{
	const char	*p = s->buf + s->start;

	if (n > SRC_ITEM_MAX) {
		source_fail(s, "%s:%llu: item longer than 1 MiB", s->name,
		    (unsigned long long)s->seq + 1);
		return -1;
	}
	if (s->sep != '\0' && memchr(p, '\0', n) != NULL)
		it->arg = nul_replaced(s, p, n);
	else if (s->arena != NULL) {
		it->arg = arena_strndup(s->arena, p, n);
		it->arg_arena = true;
	} else
		it->arg = xstrndup(p, n);
	it->command = NULL;
	it->seq = ++s->seq;
	s->start += n + skip;
	s->scan = s->start;
	s->inq = false;
	return 1;
}

/*
 * The separator ending the buffered item, or NULL (then scan moves to the
 * end).  --csv: not one inside double quotes.
 */
static char *
fd_find_sep(struct source *s)
{
	char	*p, *end = s->buf + s->len;

	if (!s->csv) {
		if ((p = memchr(s->buf + s->scan, s->sep, s->len - s->scan)))
			return p;
		s->scan = s->len;
		return NULL;
	}
	for (p = s->buf + s->scan; p < end; p++) {
		if (*p == '"')
			s->inq = !s->inq;
		else if (*p == s->sep && !s->inq)
			break;
	}
	s->scan = (size_t)(p - s->buf);
	return p < end ? p : NULL;
}

/* Take a complete item from the buffer: 1, 0 if none yet, -1 on error. */
static int
fd_take(struct source *s, struct item *it)
{
	char	*e;

	if (s->buf == NULL)
		return 0;
	if ((e = fd_find_sep(s)) != NULL)
		return fd_emit(s, (size_t)(e - (s->buf + s->start)), 1, it);
	if (s->len - s->start > SRC_ITEM_MAX)
		return fd_emit(s, s->len - s->start, 0, it);
	return 0;
}

/* The next item of a file or pipe. */
static int
fd_next(struct source *s, struct item *it)
{
	int	r;

	for (;;) {
		if (s->error != NULL)
			return -1;
		if ((r = fd_take(s, it)) != 0)
			return r;
		if (s->eof) {
			/* A last item without a separator is still an item. */
			if (s->len > s->start)
				return fd_emit(s, s->len - s->start, 0, it);
			return -1;
		}
		if (fd_read(s) == 0)
			return 0;
	}
}

/* The next value of a range. */
static int
range_next(struct source *s, struct item *it)
{
	long long	v;

	if (s->done)
		return -1;
	v = (long long)((uint64_t)s->from + s->index * (uint64_t)s->step);
	if (s->index == s->last)
		s->done = true;
	else
		s->index++;
	it->arg = xasprintf("%lld", v);
	it->command = NULL;
	it->seq = ++s->seq;
	return 1;
}

/*
 * Input sources combined: each group (a source and those linked to it)
 * gives tuples, as long as its shortest source; the groups' tuples are
 * combined as a cartesian product, the last group varying fastest.  The
 * first group streams; the others are read whole before the first task.
 * As in GNU parallel, an empty source among several gives one empty value.
 */
struct source *
source_product(struct source **subs, const bool *linked, size_t n)
{
	struct source	*s = source_new(SRC_PRODUCT);
	size_t		 k;

	assert(n > 0);
	s->subs = xcalloc(n, sizeof *s->subs);
	s->group = xcalloc(n, sizeof *s->group);
	s->held = xcalloc(n, sizeof *s->held);
	s->first = xcalloc(n, sizeof *s->first);
	s->nsubs = n;
	for (k = 0; k < n; k++) {
		s->subs[k] = subs[k];
		if (k > 0 && !linked[k])
			s->ngroups++;
		s->group[k] = s->ngroups;
		if (s->group[k] == 0)
			s->nfirst = k + 1;
	}
	s->ngroups++;
	s->glen = xcalloc(s->ngroups, sizeof *s->glen);
	s->at = xcalloc(s->ngroups, sizeof *s->at);
	s->loading = s->nfirst;
	return s;
}

/* Free what a product holds. */
static void
product_free(struct source *s)
{
	size_t	k, i;

	for (k = 0; k < s->nsubs; k++) {
		source_free(s->subs[k]);
		for (i = 0; i < s->held[k].n; i++)
			free(s->held[k].v[i]);
		free(s->held[k].v);
		free(s->first[k]);
		if (s->hdr != NULL)
			free(s->hdr[k]);
	}
	for (i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	free(s->hdr);
	columns_free(s->cols);
	free(s->subs);
	free(s->group);
	free(s->held);
	free(s->first);
	free(s->glen);
	free(s->at);
}

/*
 * The next item of sub, one of s's sources: as source_next(), s taking
 * its error or warning.
 */
static int
sub_next(struct source *s, struct source *sub, struct item *it)
{
	int	r = source_next(sub, it);

	if (r == -1 && source_error(sub) != NULL)
		source_fail(s, "%s", source_error(sub));
	if (r == 1 && sub->warning != NULL) {
		free(s->warning);
		s->warning = source_take_warning(sub);
	}
	return r;
}

/* The arguments joined by spaces, allocated. */
static char *
args_joined(char *const *args, size_t n)
{
	struct buf	 b = { NULL, 0, 0 };
	size_t		 k;

	buf_add(&b, "", 0);
	for (k = 0; k < n; k++) {
		if (k > 0)
			buf_add(&b, " ", 1);
		buf_addstr(&b, args[k]);
	}
	return b.data;
}

/* Read the held sources whole: 1 done, 0 not ready, -1 error. */
static int
product_load(struct source *s)
{
	struct item	 it;
	struct held	*h;
	size_t		 k;
	int		 r;

	for (; s->loading < s->nsubs; s->loading++) {
		h = &s->held[s->loading];
		while ((r = sub_next(s, s->subs[s->loading], &it)) == 1) {
			h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
			h->v[h->n++] = it.arg;
			it.arg = NULL;
			item_clear(&it);
		}
		if (r == 0 || s->error != NULL)
			return r == 0 ? 0 : -1;
		if (s->header && h->n > 0) {
			/* Its first value names its columns. */
			s->hdr[s->loading] = h->v[0];
			memmove(h->v, h->v + 1, --h->n * sizeof *h->v);
		}
		if (h->n > 0)
			s->some_value = true;
		if (h->n == 0) {
			/* An empty source among several: one empty value. */
			h->v = xcalloc(1, sizeof *h->v);
			h->v[h->n++] = xstrdup("");
		}
	}
	for (k = s->nfirst; k < s->nsubs; k++) {
		if (k == 0 || s->group[k] != s->group[k - 1] ||
		    s->held[k].n < s->glen[s->group[k]])
			s->glen[s->group[k]] = s->held[k].n;
	}
	return 1;
}

/* Step the held groups on, the last fastest; false when all wrapped. */
static bool
product_step(struct source *s)
{
	size_t	g;

	for (g = s->ngroups; g > 1; g--) {
		if (++s->at[g - 1] < s->glen[g - 1])
			return true;
		s->at[g - 1] = 0;
	}
	return false;
}

/* Split value v of sub k into columns appended to it; -1: bad (failed). */
static int
product_split(struct source *s, size_t k, const char *v, char ***args,
    size_t *n)
{
	const struct source	*sub = s->subs[k];
	char			 err[256];

	if (columns_split(s->cols, v, args, n, err, sizeof err) == 0)
		return 0;
	source_fail(s, "%s:%llu: %s", sub->name != NULL ? sub->name :
	    ":::", (unsigned long long)sub->seq, err);
	return -1;
}

/* --trim: cut the blanks (Perl's \s) off the ends of v, in place. */
static void
trim_value(char *v, int how)
{
	static const char	 blanks[] = " \t\n\v\f\r";
	size_t			 len, lead = 0;

	len = strlen(v);
	if (how & TRIM_RIGHT)
		while (len > 0 && strchr(blanks, v[len - 1]) != NULL)
			len--;
	v[len] = '\0';
	if (how & TRIM_LEFT)
		lead = strspn(v, blanks);
	memmove(v, v + lead, len - lead + 1);
}

/* Hand out the current combination: 1, or -1 (a bad CSV record). */
static int
product_emit(struct source *s, struct item *it)
{
	const char	*v;
	size_t		 k;

	it->args = xcalloc(s->nsubs + 1, sizeof *it->args);
	for (k = 0; k < s->nsubs; k++) {
		v = k < s->nfirst ? s->first[k] :
		    s->held[k].v[s->at[s->group[k]]];
		if (s->cols == NULL)
			it->args[it->nargs++] = xstrdup(v);
		else if (product_split(s, k, v, &it->args, &it->nargs) == -1) {
			item_clear(it);
			return -1;
		}
	}
	it->args = xreallocarray(it->args, it->nargs + 1, sizeof *it->args);
	it->args[it->nargs] = NULL;
	/* GNU parallel trims the values it puts in, --tag's too. */
	for (k = 0; s->trim != 0 && k < it->nargs; k++)
		trim_value(it->args[k], s->trim);
	it->arg = args_joined(it->args, it->nargs);
	it->seq = ++s->seq;
	return 1;
}

/*
 * A header line of CRLF input names its last column without the '\r', as
 * GNU parallel's does (its values keep theirs, but for --trim).
 */
static void
header_chomp(char *h)
{
	size_t	len = strlen(h);

	if (len > 0 && h[len - 1] == '\r')
		h[len - 1] = '\0';
}

/* The first values were the header: name the columns from them. */
static int
product_take_header(struct source *s)
{
	size_t	k;

	for (k = 0; k < s->nfirst; k++) {
		s->hdr[k] = s->first[k];
		s->first[k] = NULL;
	}
	s->nhave = 0;
	s->header_done = true;
	for (k = 0; k < s->nsubs; k++) {
		if (s->hdr[k] == NULL)
			continue;
		header_chomp(s->hdr[k]);
		if (product_split(s, k, s->hdr[k], &s->names,
		    &s->nnames) == -1)
			return -1;
	}
	return 0;
}

/*
 * Read the held sources, then the first group's values (the header, with
 * --header, then the next combination's): 1 ready, 0 not yet, -1 the end.
 * header_only: stop once the header is read.
 */
static int
product_prepare(struct source *s, bool header_only)
{
	struct item	 sub;
	int		 r;

	if (s->loading < s->nsubs && (r = product_load(s)) != 1)
		return r;
	for (;;) {
		if (s->header_done && header_only)
			return 1;
		while (!s->done && s->nhave < s->nfirst) {
			r = sub_next(s, s->subs[s->nhave], &sub);
			if (r == -1 && s->seq == 0 && s->nsubs > 1 &&
			    s->error == NULL && (!s->header ||
			    s->header_done)) {
				/* An empty source among several: one
				 * empty value. */
				s->first[s->nhave++] = xstrdup("");
				continue;
			}
			if (r != 1) {
				if (r == -1)
					s->done = true;
				return r;
			}
			s->first[s->nhave++] = sub.arg;
			sub.arg = NULL;
			item_clear(&sub);
			if (!s->header || s->header_done)
				s->some_value = true;
		}
		if (s->done || s->error != NULL)
			return -1;
		if (s->seq == 0 && !s->some_value && s->nhave == s->nfirst &&
		    (!s->header || s->header_done)) {
			/* Every source empty: no task at all, as in GNU
			 * parallel (one empty, the others not: its value
			 * is ""). */
			s->done = true;
			return -1;
		}
		if (!s->header || s->header_done)
			return 1;
		if (product_take_header(s) == -1)
			return -1;
	}
}

/* The next combination of a product. */
static int
product_next(struct source *s, struct item *it)
{
	size_t		 k;
	int		 r;

	if ((r = product_prepare(s, false)) != 1)
		return r;
	if (product_emit(s, it) == -1)
		return -1;
	if (!product_step(s)) {
		for (k = 0; k < s->nfirst; k++) {
			free(s->first[k]);
			s->first[k] = NULL;
		}
		s->nhave = 0;
	}
	return 1;
}

/* The sub-source a product waits for, or NULL. */
static struct source *
product_waiting(const struct source *s)
{
	if (s->error != NULL || s->done)
		return NULL;
	if (s->loading < s->nsubs)
		return s->subs[s->loading];
	return s->subs[s->nhave < s->nfirst ? s->nhave : 0];
}

/* The number of combinations, when every source knows its own. */
static bool
product_total(const struct source *s, uint64_t *total)
{
	uint64_t	 t = 1, n, min = 0;
	size_t		 k;

	for (k = 0; k < s->nsubs; k++) {
		if (!source_total(s->subs[k], &n))
			return false;
		if (s->header && n > 0)
			n--;
		if (n == 0 && s->nsubs > 1)
			n = 1;		/* one empty value */
		if (k == 0 || s->group[k] != s->group[k - 1])
			min = n;
		else if (n < min)
			min = n;
		if (k + 1 == s->nsubs || s->group[k + 1] != s->group[k])
			t = min != 0 && t > UINT64_MAX / min ? UINT64_MAX :
			    t * min;
	}
	*total = t;
	return true;
}

/* Split every value into columns; with header, the first values name them. */
void
source_columns(struct source *s, struct columns *cols, bool header)
{
	assert(s->type == SRC_PRODUCT);
	s->cols = cols;
	s->header = header;
	if (header)
		s->hdr = xcalloc(s->nsubs, sizeof *s->hdr);
}

/* --trim for a product's values. */
void
source_trim(struct source *s, int how)
{
	assert(s->type == SRC_PRODUCT);
	s->trim = how;
}

/* The header's names: 1, 0 (poll and fill), -1 (no header: the end). */
int
source_header(struct source *s, char *const **names, size_t *n)
{
	int	r;

	*names = NULL;
	*n = 0;
	while (s->sub != NULL)
		s = s->sub;
	if (s->type != SRC_PRODUCT || !s->header)
		return -1;
	if ((r = product_prepare(s, true)) != 1)
		return r;
	*names = s->names;
	*n = s->nnames;
	return 1;
}

/* Records may span lines: a separator inside double quotes is data. */
void
source_fd_csv(struct source *s)
{
	assert(s->type == SRC_FD);
	s->csv = true;
}

bool
source_fd_arena(struct source *s, struct arena *a)
{
	if (s->type != SRC_FD)
		return false;
	s->arena = a;
	return true;
}

/* Tasks of n items each (owns sub); n = 0: one item each, no argument. */
struct source *
source_group(struct source *sub, size_t n)
{
	struct source	*s = source_new(SRC_GROUP);

	s->sub = sub;
	s->per = n;
	return s;
}

/* Add an item's arguments to the group being gathered. */
static void
group_add(struct source *s, struct item *it)
{
	size_t	k;

	if (s->per == 0) {
		item_clear(it);
		return;
	}
	if (it->args == NULL) {
		s->gargs = xreallocarray(s->gargs, s->ngargs + 1,
		    sizeof *s->gargs);
		s->gargs[s->ngargs++] = it->arg;
		it->arg = NULL;
	} else {
		s->gargs = xreallocarray(s->gargs, s->ngargs + it->nargs,
		    sizeof *s->gargs);
		for (k = 0; k < it->nargs; k++) {
			s->gargs[s->ngargs++] = it->args[k];
			it->args[k] = NULL;
		}
	}
	item_clear(it);
}

/* Hand out the gathered group. */
static int
group_emit(struct source *s, struct item *it)
{
	it->arg = args_joined(s->gargs, s->ngargs);
	it->args = xreallocarray(s->gargs, s->ngargs + 1, sizeof *it->args);
	it->args[s->ngargs] = NULL;
	it->nargs = s->ngargs;
	it->seq = ++s->seq;
	s->gargs = NULL;
	s->ngargs = s->gitems = 0;
	return 1;
}

/* The next group of items. */
static int
group_next(struct source *s, struct item *it)
{
	struct item	 sub;
	size_t		 want = s->per > 0 ? s->per : 1;
	int		 r;

	while (!s->sub_done && s->gitems < want) {
		r = sub_next(s, s->sub, &sub);
		if (r == 0)
			return 0;
		if (r == -1) {
			s->sub_done = true;
			break;
		}
		group_add(s, &sub);
		s->gitems++;
	}
	if (s->error != NULL || s->gitems == 0)
		return -1;
	return group_emit(s, it);
}

/* Items ending in a blank go on with the next (owns sub). */
struct source *
source_lines(struct source *sub)
{
	struct source	*s = source_new(SRC_LINES);

	s->sub = sub;
	return s;
}

/* The next logical line: items joined while they end in a blank. */
static int
lines_next(struct source *s, struct item *it)
{
	struct item	 sub;
	struct buf	 b = { NULL, 0, 0 };
	size_t		 n;
	int		 r;

	for (;;) {
		if (s->all == NULL && s->sub_done)
			return -1;
		r = s->sub_done ? -1 : sub_next(s, s->sub, &sub);
		if (r == 0)
			return 0;
		if (r == -1) {
			s->sub_done = true;
			if (s->all == NULL || s->error != NULL)
				return -1;
			break;		/* a last line ending in a blank */
		}
		if (s->all == NULL) {
			s->all = xcalloc(1, sizeof *s->all);
			s->all->arg = xstrdup("");
		}
		b.data = s->all->arg;
		b.len = strlen(b.data);
		b.cap = b.len + 1;
		buf_addstr(&b, sub.arg);
		s->all->arg = b.data;
		item_clear(&sub);
		n = b.len;
		if (n == 0 || (b.data[n - 1] != ' ' && b.data[n - 1] != '\t'))
			break;
	}
	it->arg = s->all->arg;
	free(s->all);
	s->all = NULL;
	it->seq = ++s->seq;
	return 1;
}

/* Every item of sub, those of unknown weight first, then the heaviest. */
struct source *
source_longest(struct source *sub, source_weight_fn weight, void *arg)
{
	struct source	*s = source_new(SRC_SHUFFLE);

	s->sub = sub;
	s->weight = weight;	/* NULL: shuffled (source_shuffle()) */
	s->warg = arg;
	return s;
}

/* Every item of sub, in a random order (owns sub). */
struct source *
source_shuffle(struct source *sub)
{
	return source_longest(sub, NULL, NULL);
}

/* An item of a sort by weight: where it was, what it weighs. */
struct weighed {
	int64_t		 w;	/* -1: unknown */
	size_t		 pos;
};

/* qsort: unknown first, then heaviest, then in input order. */
static int
weighed_cmp(const void *va, const void *vb)
{
	const struct weighed	*a = va, *b = vb;

	if ((a->w < 0) != (b->w < 0))
		return a->w < 0 ? -1 : 1;
	if (a->w != b->w)
		return a->w > b->w ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Sort s->all by the weight of each item (source_longest()). */
static void
longest_sort(struct source *s)
{
	struct weighed	*v;
	struct item	*sorted;
	size_t		 i;

	if (s->nall == 0)
		return;
	v = xreallocarray(NULL, s->nall, sizeof *v);
	for (i = 0; i < s->nall; i++) {
		v[i].w = s->weight(s->warg, &s->all[i]);
		v[i].pos = i;
	}
	qsort(v, s->nall, sizeof *v, weighed_cmp);
	sorted = xreallocarray(NULL, s->nall + 1, sizeof *sorted);
	for (i = 0; i < s->nall; i++)
		sorted[i] = s->all[v[i].pos];
	free(s->all);
	s->all = sorted;
	free(v);
}

/* Shuffle s->all (--shuf). */
static void
shuffle_all(struct source *s)
{
	struct item	 tmp;
	size_t		 i, j;

	for (i = s->nall; i > 1; i--) {
		j = arc4random_uniform((uint32_t)i);
		tmp = s->all[i - 1];
		s->all[i - 1] = s->all[j];
		s->all[j] = tmp;
	}
}

/*
 * Read all of sub, then shuffle or sort it; items renumbered in their new
 * order.
 */
static int
shuffle_next(struct source *s, struct item *it)
{
	int		 r;

	while (!s->sub_done) {
		s->all = xreallocarray(s->all, s->nall + 1, sizeof *s->all);
		r = sub_next(s, s->sub, &s->all[s->nall]);
		if (r == 0)
			return 0;
		if (r == -1) {
			s->sub_done = true;
			if (s->weight != NULL)
				longest_sort(s);
			else
				shuffle_all(s);
			break;
		}
		s->nall++;
	}
	if (s->error != NULL || s->next >= s->nall)
		return -1;
	*it = s->all[s->next];
	memset(&s->all[s->next++], 0, sizeof *it);
	it->seq = ++s->seq;
	return 1;
}

/* An item's arguments: its args, or its arg alone. */
static const char *const *
item_args(const struct item *it, size_t *n)
{
	*n = it->args != NULL ? it->nargs : 1;
	return it->args != NULL ? (const char *const *)it->args :
	    (const char *const *)&it->arg;
}

/* Items a task of -m: see pool-source.h. */
struct source *
source_xargs(struct source *sub, source_len_fn len, void *arg,
    size_t maxlen, size_t maxn, size_t jobs)
{
	struct source	*s = source_new(SRC_XARGS);

	s->sub = sub;
	s->lenfn = len;
	s->lenarg = arg;
	s->maxlen = maxlen;
	s->maxn = maxn;
	s->per = 1;		/* group_add() keeps the arguments */
	s->jobs = jobs > 0 ? jobs : 1;
	s->base = SIZE_MAX;
	return s;
}

/*
 * What an item adds to a command: its length with the item alone, less
 * the length with none, plus what each argument more adds (a space per
 * {}), measured once with "x" and "x x".
 */
static size_t
xargs_cost(struct source *s, const struct item *it)
{
	static const char *const	 xx[] = { "x", "x" };
	const char *const		*a;
	size_t				 n, one, two;

	if (s->base == SIZE_MAX) {
		s->base = s->lenfn(s->lenarg, NULL, 0);
		one = s->lenfn(s->lenarg, xx, 1);
		two = s->lenfn(s->lenarg, xx, 2);
		s->xsep = two + s->base >= 2 * one ?
		    two + s->base - 2 * one : 0;
	}
	a = item_args(it, &n);
	return s->lenfn(s->lenarg, a, n) - s->base + s->xsep;
}

/* Read ahead: enough for jobs commands, or all.  0: sub not ready. */
static int
xargs_read(struct source *s)
{
	int	r;

	if (s->next > 0 && s->next * 2 >= s->nall) {
		/* Drop the items handed out. */
		memmove(s->all, s->all + s->next, (s->nall - s->next) *
		    sizeof *s->all);
		memmove(s->costs, s->costs + s->next, (s->nall - s->next) *
		    sizeof *s->costs);
		s->nall -= s->next;
		s->next = 0;
	}
	while (!s->sub_done && s->ahead < s->jobs * s->maxlen) {
		s->all = xreallocarray(s->all, s->nall + 1, sizeof *s->all);
		s->costs = xreallocarray(s->costs, s->nall + 1,
		    sizeof *s->costs);
		r = sub_next(s, s->sub, &s->all[s->nall]);
		if (r == 0)
			return 0;
		if (r == -1) {
			s->sub_done = true;
			break;
		}
		s->costs[s->nall] = xargs_cost(s, &s->all[s->nall]);
		s->ahead += s->costs[s->nall++];
	}
	if (!s->capped) {
		/* Spread what fits in fewer than jobs commands over jobs. */
		s->capped = true;
		if (s->sub_done && s->jobs > 1)
			s->xcap = (s->nall + s->jobs - 1) / s->jobs;
	}
	return 1;
}

/* The exact length of a command of items [next, next + k). */
static size_t
xargs_len(struct source *s, size_t k)
{
	const char *const	*a;
	const char		**v = NULL;
	size_t			 i, j, n, nv = 0, len;

	for (i = s->next; i < s->next + k; i++) {
		a = item_args(&s->all[i], &n);
		v = xreallocarray(v, nv + n + 1, sizeof *v);
		for (j = 0; j < n; j++)
			v[nv++] = a[j];
	}
	len = s->lenfn(s->lenarg, v, nv);
	free(v);
	return len;
}

/* The next task of -m: as many items as fit. */
static int
xargs_next(struct source *s, struct item *it)
{
	size_t	k, est, len;
	int	r;

	if (s->error != NULL || (r = xargs_read(s)) != 1)
		return s->error != NULL ? -1 : r;
	if (s->next >= s->nall)
		return -1;
	est = s->base - s->xsep;
	for (k = 0; s->next + k < s->nall; k++) {
		if ((s->maxn > 0 && k >= s->maxn) ||
		    (s->xcap > 0 && k >= s->xcap))
			break;
		if (k > 0 && est + s->costs[s->next + k] >= s->maxlen)
			break;
		est += s->costs[s->next + k];
	}
	while ((len = xargs_len(s, k)) >= s->maxlen && k > 1)
		k--;
	if (len >= s->maxlen) {
		source_fail(s, "command line too long (%zu >= %zu) at input "
		    "%llu: %s", len, s->maxlen, (unsigned long long)s->seq + 1,
		    s->all[s->next].arg);
		return -1;
	}
	while (k-- > 0) {
		s->ahead -= s->costs[s->next];
		group_add(s, &s->all[s->next++]);
		s->gitems++;
	}
	return group_emit(s, it);
}

/* Free a group or shuffle. */
static void
wrapped_free(struct source *s)
{
	size_t	i;

	source_free(s->sub);
	for (i = 0; i < s->ngargs; i++)
		free(s->gargs[i]);
	free(s->gargs);
	for (i = s->next; i < s->nall; i++)
		item_clear(&s->all[i]);
	if (s->type == SRC_LINES && s->all != NULL)
		item_clear(s->all);	/* a line going on, unfinished */
	free(s->all);
	free(s->costs);
}

/* -E and -r, as GNU parallel reads each input source. */
void
source_filter(struct source *s, const char *eof_str, bool skip_blank)
{
	free(s->eof_str);
	s->eof_str = eof_str != NULL ? xstrdup(eof_str) : NULL;
	s->skip_blank = skip_blank;
}

/* Is v empty or only blanks (Perl's /^\s*$/)? */
static bool
blank_item(const char *v)
{
	return v[strspn(v, " \t\n\v\f\r")] == '\0';
}

static int	source_next_raw(struct source *, struct item *);

/* The next item: 1, 0 (poll source_fd_get() and fill), -1 at the end. */
int
source_next(struct source *s, struct item *it)
{
	int	r;

	for (;;) {
		if (s->cut_off) {
			memset(it, 0, sizeof *it);
			return -1;
		}
		r = source_next_raw(s, it);
		if (r != 1 || (s->eof_str == NULL && !s->skip_blank))
			return r;
		if (s->eof_str != NULL && strcmp(it->arg, s->eof_str) == 0) {
			/* The rest of this source is not read. */
			item_clear(it);
			s->seq--;
			s->cut_off = true;
			continue;
		}
		if (!s->skip_blank || !blank_item(it->arg))
			return 1;
		item_clear(it);
		s->seq--;	/* numbered as if it had never been */
	}
}

/* The next item of the source itself, before -E and -r. */
static int
source_next_raw(struct source *s, struct item *it)
{
	const struct conf_task	*ct;

	mem_zero(it, sizeof *it);	/* no rep stos: once an item */
	switch (s->type) {
	case SRC_FD:
		return fd_next(s, it);
	case SRC_RANGE:
		return range_next(s, it);
	case SRC_PRODUCT:
		return product_next(s, it);
	case SRC_GROUP:
		return group_next(s, it);
	case SRC_SHUFFLE:
		return shuffle_next(s, it);
	case SRC_XARGS:
		return xargs_next(s, it);
	case SRC_LINES:
		return lines_next(s, it);
	case SRC_BLOCK:
		return block_next(s, it);
	case SRC_ARGS:
	case SRC_TASKS:
		break;
	}
	if (s->next >= s->n)
		return -1;
	if (s->type == SRC_ARGS) {
		it->arg = xstrdup(s->items[s->next]);
	} else {
		ct = &s->tasks[s->next];
		it->arg = xstrdup(ct->name != NULL ? ct->name : ct->command);
		it->command = xstrdup(ct->command);
		it->named = ct->name != NULL;
	}
	s->next++;
	it->seq = ++s->seq;
	return 1;
}

/* The fd to poll for POLLIN, or -1 when the source never blocks. */
int
source_fd_get(const struct source *s)
{
	const struct source	*sub;

	if (s->type == SRC_PRODUCT)
		return (sub = product_waiting(s)) ? source_fd_get(sub) : -1;
	if (s->type == SRC_BLOCK)
		return blocks_fd(s->blocks);
	if (s->sub != NULL)
		return s->sub_done ? -1 : source_fd_get(s->sub);
	if (s->type != SRC_FD || s->regular || s->eof || s->error != NULL ||
	    s->cut_off)
		return -1;
	return s->fd;
}

/* Read what is ready, unless a complete item is already buffered. */
void
source_fill(struct source *s)
{
	struct source	*sub;

	if (s->type == SRC_PRODUCT && (sub = product_waiting(s)) != NULL)
		source_fill(sub);
	if (s->type == SRC_BLOCK)
		blocks_fill(s->blocks);
	if (s->sub != NULL && !s->sub_done)
		source_fill(s->sub);
	if (source_fd_get(s) == -1 || s->buf == NULL)
		return;
	if (fd_find_sep(s) != NULL)
		return;
	fd_read(s);
}

/* The number of items, when known before reading them. */
bool
source_total(const struct source *s, uint64_t *total)
{
	if (s->eof_str != NULL || s->skip_blank)
		return false;	/* -E and -r: not known before reading */
	switch (s->type) {
	case SRC_ARGS:
	case SRC_TASKS:
		*total = s->n;
		return true;
	case SRC_RANGE:
		*total = s->empty ? 0 : s->last + 1;
		return true;
	case SRC_FD:
		*total = s->total;
		return s->regular && !s->csv;
	case SRC_PRODUCT:
		return product_total(s, total);
	case SRC_GROUP:
		if (!source_total(s->sub, total))
			return false;
		if (s->per > 1)
			*total = *total / s->per + (*total % s->per != 0);
		return true;
	case SRC_SHUFFLE:
		return source_total(s->sub, total);
	case SRC_XARGS:
	case SRC_LINES:
	case SRC_BLOCK:
		return false;
	}
	return false;
}

/* The warning about the item just handed out, or NULL; the caller frees. */
char *
source_take_warning(struct source *s)
{
	char	*w = s->warning;

	s->warning = NULL;
	return w;
}

/* Why the source ended early, or NULL. */
const char *
source_error(const struct source *s)
{
	return s->error;
}

/* Free an item's strings. */
void
item_clear(struct item *it)
{
	size_t	k;

	for (k = 0; k < it->nargs; k++)
		free(it->args[k]);
	free(it->args);
	if (it->arg_arena)
		arena_free(it->arg);
	else
		free(it->arg);
	free(it->command);
	if (it->block != NULL && !it->block_keep)
		unlink(it->block);
	free(it->block);
	memset(it, 0, sizeof *it);
}

/*
 * Where tasks come from, streamed: items after :::, a file (-a, or stdin),
 * a numeric range, or the config file's list of whole tasks.  The
 * supervisor asks for the next item only when it has room, so a million-line
 * input never sits in memory.  A pipe source is read without blocking from
 * the poll loop (source_fd() / source_fill()).
 */
#ifndef PT_SOURCE_H
#define PT_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "opts.h"

struct source;

struct item {
	uint64_t  seq;		/* 1-based position in the input: {#} */
	char	 *arg;		/* the item (owned by the caller after next) */
	char	 *command;	/* whole-task command, or NULL: use template */
};

struct source	*source_args(char **items, size_t n);	/* not copied */
struct source	*source_range(long long from, long long to, long long step);
struct source	*source_tasks(const struct conf_task *, size_t n);
/* fd: a file or pipe; name for messages; sep '\n' or '\0'; owns the fd. */
struct source	*source_fd(int fd, const char *name, char sep);
void		 source_free(struct source *);

/*
 * 1: *it filled (free it with item_clear); 0: nothing now, poll source_fd()
 * and call source_fill(); -1: end of input (or read error, see source_error).
 */
int		 source_next(struct source *, struct item *it);
int		 source_fd_get(const struct source *);	/* -1: never blocks */
void		 source_fill(struct source *);		/* read what is ready */
bool		 source_total(const struct source *, uint64_t *total);
const char	*source_error(const struct source *);	/* NULL if fine */
void		 item_clear(struct item *);

#endif

/*
 * Failure groups: the tasks that failed for good (their last attempt
 * failed, no retry left), grouped by how they ended and by the last line
 * of their standard error.
 *
 * pool.c owns every piece of it.  It keeps a fail_tail per task, the last
 * FAIL_TAIL bytes of the running attempt's stderr (emptied when an attempt
 * starts), and fills the task's fail_key when it fails for good: the
 * joblog's Exitval (-1: timed out) and Signal, and the tail's last line.
 * The groups are computed when asked (fail_group()) from the failed tasks
 * the pool keeps for `retry`, so a retried task leaves its group.
 *
 * Order: the most frequent group first; between equal counts, the group
 * whose first task (lowest number) came first.  Groups are numbered from 1
 * in that order, which is how `retry-failed --group N` names one.
 */
#ifndef PT_POOL_FAILURES_H
#define PT_POOL_FAILURES_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define FAIL_TAIL	512	/* stderr bytes kept per running task */
#define FAIL_LINE	200	/* a last line longer is cut to its start */
#define FAIL_SUMMARY	5	/* groups in the end summary */
#define FAIL_STATUS	10	/* groups in status --json */

/* The last bytes of an attempt's standard error. */
struct fail_tail {
	char		 b[FAIL_TAIL];
	size_t		 len;
};

/* What a failed task is grouped by. */
struct fail_key {
	int		 exitval;	/* the joblog's: -1 timed out */
	int		 signal;
	size_t		 len;		/* of line, bytes (NUL allowed) */
	char		 line[FAIL_LINE];
};

/* One failed task, as fail_group() reads it. */
struct fail_member {
	const struct fail_key	*key;
	uint64_t		 seq;
	const char		*item;
	const char		*command;
};

/* One group; its sample is its task with the lowest number. */
struct fail_group {
	struct fail_key	 key;
	uint64_t	 count;
	uint64_t	 seq;
	char		*item;		/* owned */
	char		*command;	/* owned */
};

/* Keep the last bytes of stderr. */
void	fail_tail_add(struct fail_tail *, const char *, size_t);
/*
 * The length of the tail's first line.  A tail pooltop writes itself may
 * end with a line that is the same for every task failing for one cause
 * (the group's), after a first one naming this task's case (its event's).
 */
size_t	fail_tail_first_line(const struct fail_tail *);
/*
 * Set key from how a task ended and its stderr tail: the tail's last line
 * that is not blank, its trailing whitespace trimmed, cut to FAIL_LINE.
 */
void	fail_key_set(struct fail_key *, int exitval, int signal,
	    const struct fail_tail *);
/* Do two keys name the same group? */
int	fail_key_same(const struct fail_key *, const struct fail_key *);
/*
 * Group n members in the order above; *groups is an array the caller
 * frees with fail_groups_free().  Returns the number of groups.
 */
size_t	fail_group(const struct fail_member *, size_t n,
	    struct fail_group **groups);
void	fail_groups_free(struct fail_group *, size_t);
/*
 * Text, at most max groups (0: all), each line after prefix:
 *   "N  COUNT x HOW: LAST LINE" and "   e.g. task SEQ, item ITEM: COMMAND",
 * escaped (text_escape()); "(no stderr)" for an empty last line.
 */
void	fail_text(struct buf *, const struct fail_group *, size_t n,
	    size_t max, const char *prefix);
/*
 * A JSON array of at most max groups (0: all): {"group","count",
 * "exitval","signal","timeout","stderr","sample":{"seq","item",
 * "command"}}.
 */
void	fail_json(struct buf *, const struct fail_group *, size_t n,
	    size_t max);

#endif

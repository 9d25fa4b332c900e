/*
 * The events of persistent mode's items, sampled.  At hundreds of
 * thousands of items a second an event per task start and end (a ring
 * entry, a formatted line, a clock read) costs more than the item itself,
 * and no one reads them one by one: the task.start and task.done events of
 * persistent items are recorded one by one up to EVSAMPLE_BURST in each
 * EVSAMPLE_MS window of the pool's loop; the others are counted, and said
 * in one event when the window ends (and when the run does).  Failures,
 * retries, timeouts and kills are always recorded; the joblog, --results,
 * the output and the counts the segment's header shows see every item.
 */
#ifndef PT_POOL_EVSAMPLE_H
#define PT_POOL_EVSAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#define EVSAMPLE_MS	1000	/* window */
#define EVSAMPLE_BURST	200	/* events recorded one by one in one */

struct evsample {
	int64_t		window_ns;	/* the window's start, mono; 0: none */
	int		left;		/* may still be recorded in it */
	uint64_t	started;	/* counted, not recorded, in it */
	uint64_t	done;
};

void	evsample_init(struct evsample *);
/*
 * One task.start (done false) or task.done event: true if it is to be
 * recorded, false if it was counted instead.
 */
bool	evsample_take(struct evsample *, bool done);
/*
 * The pool's loop turns at now (mono ns; INT64_MAX: the run ends): true
 * when a window ended with events counted, *started and *done saying how
 * many; a new window starts.
 */
bool	evsample_turn(struct evsample *, int64_t now, uint64_t *started,
	    uint64_t *done);

#endif

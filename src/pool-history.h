/*
 * The run's history, as the supervisor keeps it for the segment's history
 * record (shm.h): how many tasks had ended, how many ran, the CPU and
 * memory they used, sampled every HISTORY_TICK_MS and closed into one
 * sample per period; and the runtimes of the tasks that ended, in
 * log-scale buckets (graph.h).  Its memory is fixed: when the record is
 * full, neighbouring samples merge in pairs and the period doubles, so
 * the record covers the whole run however long it lasts.
 *
 * Only the supervisor writes it (history_publish() copies it whole into
 * the segment); readers take shm_read_history().
 */
#ifndef PT_POOL_HISTORY_H
#define PT_POOL_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "shm.h"

#define HISTORY_TICK_MS		250	/* how often the pool is sampled */
#define HISTORY_PERIOD_NS	1000000000LL	/* a sample's first period */

struct pool_history {
	struct pt_shm_history	h;		/* what is published */
	int64_t			from_ns;	/* the open interval's start */
	uint64_t		acc_n;		/* ticks summed into it */
	uint64_t		acc_busy, acc_cpu;	/* sums, x1000 */
	uint64_t		acc_rss;	/* the largest sum seen in it */
	bool			dirty;		/* changed since published */
};

/* Start empty at start_real_ns with a period of period_ns. */
void	history_init(struct pool_history *, int64_t start_real_ns,
	    int64_t period_ns);
/* A task ended after wall_ns: count it in its bucket. */
void	history_task(struct pool_history *, int64_t wall_ns);
/*
 * One look at the pool at now_real_ns: tasks running, their CPU (1000 =
 * one core) and memory added up; closes a sample when the period is over.
 */
void	history_tick(struct pool_history *, int64_t now_real_ns,
	    uint32_t running, uint64_t cpu_permille, uint64_t rss_bytes);
/* Close the open interval now, if it saw a tick (the pool ends). */
void	history_flush(struct pool_history *, int64_t now_real_ns);
/* Write the record into the segment if it changed (or force). */
void	history_publish(struct pool_history *, struct pt_shm *, bool force);

#endif

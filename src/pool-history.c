/*
 * The run's history for the segment (pool-history.h).  A sample's busy
 * and CPU figures are means over the ticks of its interval; its memory is
 * the interval's peak, so a short spike is not averaged away, and merging
 * two samples keeps the later count and time, the mean of the means and
 * the larger peak.
 */
#include "config.h"

#include <string.h>

#include "graph.h"
#include "pool-history.h"

_Static_assert(GRAPH_NBUCKETS == PT_HIST_BUCKETS,
    "the segment's buckets are graph.h's");

void
history_init(struct pool_history *hs, int64_t start_real_ns, int64_t period_ns)
{
	memset(hs, 0, sizeof *hs);
	hs->h.start_real_ns = start_real_ns;
	hs->h.period_ns = period_ns > 0 ? period_ns : HISTORY_PERIOD_NS;
	hs->from_ns = start_real_ns;
	hs->dirty = true;
}

void
history_task(struct pool_history *hs, int64_t wall_ns)
{
	hs->h.buckets[graph_bucket(wall_ns)]++;
	hs->h.ended++;
	hs->dirty = true;
}

/* The record is full: merge neighbours in pairs, double the period. */
static void
history_halve(struct pool_history *hs)
{
	struct pt_shm_sample	*s = hs->h.samples, *a, *b;
	uint32_t		 i, n = hs->h.nsamples / 2;

	for (i = 0; i < n; i++) {
		a = &s[2 * i];
		b = &s[2 * i + 1];
		s[i].real_ns = b->real_ns;
		s[i].finished = b->finished;
		s[i].busy_milli = (uint32_t)(((uint64_t)a->busy_milli +
		    b->busy_milli) / 2);
		s[i].cpu_milli = (uint32_t)(((uint64_t)a->cpu_milli +
		    b->cpu_milli) / 2);
		s[i].rss_bytes = a->rss_bytes > b->rss_bytes ? a->rss_bytes :
		    b->rss_bytes;
	}
	if (hs->h.nsamples % 2 != 0)
		s[n++] = s[hs->h.nsamples - 1];
	memset(&s[n], 0, (hs->h.nsamples - n) * sizeof *s);
	hs->h.nsamples = n;
	hs->h.period_ns *= 2;
}

/* Close the open interval into a sample at now. */
static void
history_close(struct pool_history *hs, int64_t now)
{
	struct pt_shm_sample	*s;

	if (hs->h.nsamples == PT_HIST_SAMPLES)
		history_halve(hs);
	s = &hs->h.samples[hs->h.nsamples++];
	s->real_ns = now;
	s->finished = hs->h.ended;
	s->busy_milli = hs->acc_n > 0 ?
	    (uint32_t)(hs->acc_busy / hs->acc_n) : 0;
	s->cpu_milli = hs->acc_n > 0 ? (uint32_t)(hs->acc_cpu / hs->acc_n) : 0;
	s->rss_bytes = hs->acc_rss;
	hs->acc_n = hs->acc_busy = hs->acc_cpu = hs->acc_rss = 0;
	hs->from_ns = now;
	hs->dirty = true;
}

void
history_tick(struct pool_history *hs, int64_t now, uint32_t running,
    uint64_t cpu_permille, uint64_t rss_bytes)
{
	if (now < hs->from_ns)
		hs->from_ns = now;	/* the clock went back: start again */
	hs->acc_n++;
	hs->acc_busy += (uint64_t)running * 1000;
	hs->acc_cpu += cpu_permille;
	if (rss_bytes > hs->acc_rss)
		hs->acc_rss = rss_bytes;
	if (now - hs->from_ns >= hs->h.period_ns)
		history_close(hs, now);
}

void
history_flush(struct pool_history *hs, int64_t now)
{
	if (hs->acc_n > 0 && now > hs->from_ns)
		history_close(hs, now);
}

void
history_publish(struct pool_history *hs, struct pt_shm *shm, bool force)
{
	if (!hs->dirty && !force)
		return;
	shm_write_history(shm, &hs->h);
	hs->dirty = false;
}

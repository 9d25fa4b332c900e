/*
 * The event log as a front end (pool-logger.h).  Events come from the
 * pool's event hook as they are recorded, so none is lost the way a reader
 * of the segment's ring could lose them; progress lines come from a loop
 * timer and pool_stats().
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "pool.h"
#include "pool-logger.h"
#include "pool-model.h"
#include "shm.h"
#include "util.h"

struct logger {
	const struct opts	*o;
	struct evlog		*evlog;
	struct pool		*pool;
	bool			 broken;	/* a write failed: no more */
	uint64_t		 said;		/* tasks finished at the last
						   progress line, plus one */
	int			 advised;	/* the size advice last named */
};

/* A write failed: the pool stops and says so; nothing more is written. */
static void
logger_broke(struct logger *lg, int error)
{
	lg->broken = true;
	pool_log_failed(lg->pool, error);
}

/*
 * After a progress line: the advice, when another size would change the
 * finish time by more than 20%, once for each size it names.
 */
static void
logger_advice(struct logger *lg)
{
	struct model_advice	a;
	struct pt_shm_event	ev;
	double			now_s, then_s;
	char			now[32], then[32];
	int			n;

	if (!pool_advice(lg->pool, &a) ||
	    !model_advice_gain(&a, &n, &now_s, &then_s)) {
		lg->advised = 0;
		return;
	}
	if (n == lg->advised)
		return;
	lg->advised = n;
	memset(&ev, 0, sizeof ev);
	ev.type = PT_EV_INFO;
	ev.real_ns = real_ns();
	ev.slot = -1;
	model_fmt_duration(now, sizeof now, now_s);
	model_fmt_duration(then, sizeof then, then_s);
	snprintf(ev.text, sizeof ev.text, "advice: %d workers would finish "
	    "in %s rather than %s at %d (ctl advise)", n, then, now,
	    a.workers);
	if (evlog_event(lg->evlog, &ev) == -1)
		logger_broke(lg, errno);
}

/* Open the log, if the options ask for one. */
int
logger_open(struct logger **lp, const struct opts *o, char *err,
    size_t errlen)
{
	struct evlog	*l;

	*lp = NULL;
	if ((!o->headless || o->quiet) && o->log_file == NULL)
		return 0;
	if ((l = evlog_open(o->log_file, o->log_format, err, errlen)) == NULL)
		return -1;
	*lp = xcalloc(1, sizeof **lp);
	(*lp)->o = o;
	(*lp)->evlog = l;
	return 0;
}

/* One event: a line. */
static void
logger_event(const struct pt_shm_event *ev, void *arg)
{
	struct logger	*lg = arg;

	if (!lg->broken && evlog_event(lg->evlog, ev) == -1)
		logger_broke(lg, errno);
}

/* The headless progress line. */
static void
logger_progress(void *arg)
{
	struct logger		*lg = arg;
	struct run_stats	 st;

	pool_stats(lg->pool, &st);
	/* An idle --keep-open pool says its progress once, not forever. */
	if (lg->o->keep_open && pool_shm(lg->pool)->pub.running == 0 &&
	    pool_shm(lg->pool)->pub.queued == 0 &&
	    lg->said == st.done + st.failed + 1)
		return;
	lg->said = st.done + st.failed + 1;
	if (!lg->broken && evlog_progress(lg->evlog, &st) == -1)
		logger_broke(lg, errno);
	if (!lg->broken)
		logger_advice(lg);
}

/* Plug the log into the pool's events and the loop. */
void
logger_plug(struct logger *lg, struct loop *loop, struct pool *p)
{
	lg->pool = p;
	pool_on_event(p, logger_event, lg, lg->o->log_file == NULL);
	if (lg->o->headless && lg->o->progress_interval > 0)
		(void)loop_every(loop, (int)(lg->o->progress_interval * 1000),
		    logger_progress, lg);
}

/* Close the log (stderr stays open). */
void
logger_close(struct logger *lg)
{
	if (lg == NULL)
		return;
	evlog_close(lg->evlog);
	free(lg);
}

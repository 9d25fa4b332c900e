/*
 * The headless event log: one line per event, text or JSON lines, on stderr
 * or --log FILE; the periodic progress line; the end-of-run summary.
 *
 * text:  2026-11-24T13:47:06.123Z task.done slot=2 task=17 status=0 ls /tmp
 * json:  {"time":"2026-11-24T13:47:06.123Z","event":"task.done","slot":2,
 *         "task":17,"status":0,"text":"ls /tmp"}
 * Event names: shm_event_name() (task.start, task.done, ...).  slot is
 * 1-based and absent for pool-wide events, task absent when 0, status only
 * for task.done/failed/retry/timeout/killed, worker.exit and resize.
 * Text lines escape the text with text_escape() (\n, \t, \x1b ...).  JSON
 * strings carry the text itself, escaped by text_json() (see text.h).
 *
 * progress:  <time> progress done=120/1000 failed=2 rate=35.1/s eta=25s
 *            {"time":...,"event":"progress","done":120,"failed":2,
 *             "total":1000,"rate":35.1,"eta":25}
 * done counts successes; /total and eta are left out while unknown.
 */
#ifndef PT_LOG_H
#define PT_LOG_H

#include <stdint.h>
#include <stdio.h>

#include "opts.h"
#include "shm.h"
#include "util.h"

struct evlog;

/* path NULL: stderr.  Refuses a symlink; errors into err. */
struct evlog	*evlog_open(const char *path, enum log_format, char *err,
		    size_t errlen);
void		 evlog_close(struct evlog *);
/* 0, or -1 when the write failed (disk full ...): caller stops the run. */
int		 evlog_event(struct evlog *, const struct pt_shm_event *);

struct fail_group;

struct run_stats {
	uint64_t	done, failed, total;	/* total 0: unknown */
	int64_t		wall_ns;
	int64_t		task_ns;	/* sum of task wall times */
	int		workers;	/* max live workers seen */
	double		rate;		/* tasks per second, recent */
	bool		admit;		/* an admission option was set */
	int64_t		held_ns;	/* ... and admission held this long */
	uint64_t	oom_killed;	/* tasks the OOM killer ended */
	const struct fail_group *groups; /* failure groups, or NULL */
	size_t		ngroups;
	bool		speculate;	/* --speculate was on */
	uint64_t	spec_started;	/* ... copies it started */
	uint64_t	spec_won;	/* ... and those that won */
};
int		 evlog_progress(struct evlog *, const struct run_stats *);
/*
 * The summary: done/failed, wall, serial time, speedup, efficiency.
 * json:  {"time":...,"event":"summary","done":16,"failed":0,"total":16,
 *         "wall":4.012,"task_time":16.004,"workers":4,"speedup":3.99,
 *         "efficiency":100}
 * With an admission option, a line "pooltop: admission held 12.3s" and
 * "admission_held":12.300 in JSON; with tasks that failed OOM-killed, a
 * line "pooltop: 2 tasks oom-killed" and "oom_killed":2.  With failure
 * groups (pool-failures.h), the first FAIL_SUMMARY of them: a line
 * "pooltop: failure groups: N, most frequent first" and two lines per
 * group, or "failure_groups":N,"failures":[...] in JSON.
 */
void		 log_summary(FILE *, enum log_format, const struct run_stats *);
/*
 * Say a message on stderr where the event log does not go (see pool.h):
 * "pooltop: TEXT", or the event's JSON line; text replaces ev->text.
 */
int		 log_say(enum log_format, const struct pt_shm_event *ev,
		    const char *text);
/* log_say() of a pool-wide error (why the pool cannot run). */
int		 log_error(enum log_format, const char *text);

#endif

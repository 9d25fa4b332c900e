/*
 * The headless event log: one line per event, text or JSON lines, on stderr
 * or --log FILE; the periodic progress line; the end-of-run summary.
 *
 * text:  2026-11-24T13:47:06.123Z task.done slot=2 task=17 status=0 ls /tmp
 * json:  {"time":"2026-11-24T13:47:06.123Z","event":"task.done","slot":2,
 *         "task":17,"status":0,"text":"ls /tmp"}
 * Event names: shm_event_name() (task.start, task.done, ...).  Control
 * characters in text are escaped (\n, \t, \x1b ...) in both formats.
 */
#ifndef PT_LOG_H
#define PT_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "opts.h"
#include "shm.h"

struct evlog;

/* path NULL: stderr.  Refuses a symlink; errors into err. */
struct evlog	*evlog_open(const char *path, enum log_format, char *err,
		    size_t errlen);
void		 evlog_close(struct evlog *);
/* 0, or -1 when the write failed (disk full ...): caller stops the run. */
int		 evlog_event(struct evlog *, const struct pt_shm_event *);

struct run_stats {
	uint64_t	done, failed, total;	/* total 0: unknown */
	int64_t		wall_ns;
	int64_t		task_ns;	/* sum of task wall times */
	int		workers;	/* max live workers seen */
	double		rate;		/* tasks per second, recent */
};
int		 evlog_progress(struct evlog *, const struct run_stats *);
/* The summary: done/failed, wall, serial time, speedup, efficiency. */
void		 log_summary(FILE *, const struct run_stats *);

/* Escape control bytes and invalid UTF-8 for display: caller frees. */
char		*log_escape(const char *s, size_t len);

#endif

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
 * Text lines escape the text with log_escape() (\n, \t, \x1b ...).  JSON
 * strings carry the text itself, JSON-escaped: control characters, C1
 * controls and bidi controls as \u00XX/\uXXXX, and each invalid UTF-8
 * byte 0xHH as \u00HH (valid JSON, but such a byte reads back as U+00HH).
 *
 * progress:  <time> progress done=120/1000 failed=2 rate=35.1/s eta=25s
 *            {"time":...,"event":"progress","done":120,"failed":2,
 *             "total":1000,"rate":35.1,"eta":25}
 * done counts successes; /total and eta are left out while unknown.
 */
#ifndef PT_LOG_H
#define PT_LOG_H

#include <stdbool.h>
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

/*
 * Escape for display: caller frees.  Printable ASCII and printable UTF-8
 * are kept; \n \t \r become "\n" "\t" "\r"; other C0 bytes, DEL, C1
 * controls (U+0080..U+009F), bidi controls (U+061C, U+200E/F, U+202A..E,
 * U+2066..9), U+2028/9 and invalid UTF-8 bytes become \xHH per byte.
 */
char		*log_escape(const char *s, size_t len);
/* Append s (len bytes) to b as a quoted JSON string, escaped as above. */
void		 log_json_string(struct buf *, const char *s, size_t len);

#endif

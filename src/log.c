/*
 * The headless event log, the progress line and the end-of-run summary.
 *
 * Every line is built whole in memory and written with one write(2), so
 * lines from a killed supervisor are never cut in the middle and a failed
 * write (disk full, a closed pipe) is seen at once: the caller stops the
 * run with an explicit message rather than losing lines silently.
 *
 * What pooltop itself says on stderr besides the event log (log_say(), the
 * summary) follows the log's format too, so that with --log-format json
 * every line of ours on stderr is one JSON object.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pool-failures.h"
#include "text.h"
#include "util.h"

struct evlog {
	int		 fd;
	bool		 owned;
	enum log_format	 format;
};

/* ISO-8601 UTC with milliseconds: 2026-11-24T13:47:06.123Z. */
static void
format_time(char *out, size_t len, int64_t ns)
{
	struct tm	tm;
	time_t		t;
	char		day[32];
	int64_t		ms;

	if (ns < 0)
		ns = 0;
	t = (time_t)(ns / PT_NSEC);
	ms = (ns % PT_NSEC) / 1000000;
	gmtime_r(&t, &tm);
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%03dZ", day, (int)ms);
}

/* Open the event log: stderr, or a file appended to (never a symlink). */
struct evlog *
evlog_open(const char *path, enum log_format format, char *err, size_t errlen)
{
	struct evlog	*l;
	int		 fd;

	if (path == NULL)
		fd = STDERR_FILENO;
	else {
		fd = open(path, O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|O_CLOEXEC,
		    0600);
		if (fd == -1) {
			if (errno == ELOOP)
				snprintf(err, errlen, "log file %s is a "
				    "symbolic link: refusing to follow it",
				    path);
			else
				snprintf(err, errlen, "log file %s: %s", path,
				    strerror(errno));
			return NULL;
		}
	}
	l = xcalloc(1, sizeof *l);
	l->fd = fd;
	l->owned = path != NULL;
	l->format = format;
	return l;
}

/* Close the log (stderr stays open). */
void
evlog_close(struct evlog *l)
{
	if (l == NULL)
		return;
	if (l->owned)
		close(l->fd);
	free(l);
}

/* Write one finished line with one write(2); -1 and errno on failure. */
static int
evlog_put(struct evlog *l, struct buf *b)
{
	ssize_t	r;
	int	saved;

	r = write_all(l->fd, b->data, b->len);
	saved = errno;
	buf_free(b);
	errno = saved;
	return r == -1 ? -1 : 0;
}

/* Do events of this type carry a meaningful status? */
static bool
event_has_status(uint32_t type)
{
	switch (type) {
	case PT_EV_TASK_DONE:
	case PT_EV_TASK_FAILED:
	case PT_EV_TASK_RETRY:
	case PT_EV_TASK_TIMEOUT:
	case PT_EV_TASK_KILLED:
	case PT_EV_WORKER_EXIT:
	case PT_EV_RESIZE:
		return true;
	}
	return false;
}

/* Build an event's line, text or JSON, whose text is text (textlen bytes). */
static void
event_line(struct buf *b, bool json, const struct pt_shm_event *ev,
    const char *when, const char *text, size_t textlen)
{
	static const char *const	 formats[][6] = {
		{ "%s %s", " slot=%d", " task=%" PRIu64, " status=%d", " ",
		  "\n" },
		{ "{\"time\":\"%s\",\"event\":\"%s\"", ",\"slot\":%d",
		  ",\"task\":%" PRIu64, ",\"status\":%d", ",\"text\":", "}\n" },
	};
	const char *const		*f = formats[json];

	/* Event names are plain words: as they are in JSON too. */
	buf_printf(b, f[0], when, shm_event_name(ev->type));
	if (ev->slot >= 0)
		buf_printf(b, f[1], (int)ev->slot + 1);
	if (ev->task_seq != 0)
		buf_printf(b, f[2], ev->task_seq);
	if (event_has_status(ev->type))
		buf_printf(b, f[3], (int)ev->status);
	if (json || textlen != 0)
		buf_addstr(b, f[4]);
	if (json)
		text_json(b, text, textlen);
	else
		text_escape(b, text, textlen);
	buf_addstr(b, f[5]);
}

/* Log one event. */
int
evlog_event(struct evlog *l, const struct pt_shm_event *ev)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 when[64];
	size_t		 textlen = strnlen(ev->text, sizeof ev->text);

	format_time(when, sizeof when, ev->real_ns);
	event_line(&b, l->format == LOG_JSON, ev, when, ev->text, textlen);
	return evlog_put(l, &b);
}

/* Say one message on stderr, where the event log does not show it. */
int
log_say(enum log_format format, const struct pt_shm_event *ev,
    const char *text)
{
	struct evlog	 l = { STDERR_FILENO, false, format };
	struct buf	 b = { NULL, 0, 0 };
	char		 when[64];

	if (format == LOG_JSON) {
		format_time(when, sizeof when, ev->real_ns);
		event_line(&b, true, ev, when, text, strlen(text));
	} else {
		buf_addstr(&b, "pooltop: ");
		text_escape(&b, text, strlen(text));
		buf_addstr(&b, "\n");
	}
	return evlog_put(&l, &b);
}

/* Say a pool-wide error on stderr (log_say()), such as why it cannot run. */
int
log_error(enum log_format format, const char *text)
{
	struct pt_shm_event	ev;

	memset(&ev, 0, sizeof ev);
	ev.type = PT_EV_ERROR;
	ev.real_ns = real_ns();
	ev.slot = -1;
	return log_say(format, &ev, text);
}

/* Seconds left at the current rate, or -1 when unknown. */
static int64_t
stats_eta(const struct run_stats *st, double rate)
{
	uint64_t	finished = st->done + st->failed;

	if (st->total == 0)
		return -1;
	if (finished >= st->total)
		return 0;
	if (rate <= 0)
		return -1;
	return (int64_t)ceil((double)(st->total - finished) / rate);
}

/* Log the progress line. */
int
evlog_progress(struct evlog *l, const struct run_stats *st)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 when[64];
	double		 rate = st->rate;
	int64_t		 eta;

	if (!isfinite(rate) || rate < 0)
		rate = 0;
	eta = stats_eta(st, rate);
	format_time(when, sizeof when, real_ns());
	if (l->format == LOG_JSON) {
		buf_printf(&b, "{\"time\":\"%s\",\"event\":\"progress\","
		    "\"done\":%" PRIu64 ",\"failed\":%" PRIu64, when, st->done,
		    st->failed);
		if (st->total != 0)
			buf_printf(&b, ",\"total\":%" PRIu64, st->total);
		buf_printf(&b, ",\"rate\":%.1f", rate);
		if (eta >= 0)
			buf_printf(&b, ",\"eta\":%" PRId64, eta);
		buf_addstr(&b, "}\n");
	} else {
		buf_printf(&b, "%s progress done=%" PRIu64, when, st->done);
		if (st->total != 0)
			buf_printf(&b, "/%" PRIu64, st->total);
		buf_printf(&b, " failed=%" PRIu64 " rate=%.1f/s", st->failed,
		    rate);
		if (eta >= 0)
			buf_printf(&b, " eta=%" PRId64 "s", eta);
		buf_addstr(&b, "\n");
	}
	return evlog_put(l, &b);
}

/* A duration for people: 12.3s, 4m05s, 2h03m09s. */
static void
format_duration(char *out, size_t len, int64_t ns)
{
	int64_t	s;

	if (ns < 0)
		ns = 0;
	if (ns < 60 * PT_NSEC - PT_NSEC / 20) {
		snprintf(out, len, "%.1fs", (double)ns / PT_NSEC);
		return;
	}
	s = (ns + PT_NSEC / 2) / PT_NSEC;
	if (s < 3600)
		snprintf(out, len, "%dm%02ds", (int)(s / 60), (int)(s % 60));
	else
		snprintf(out, len, "%" PRId64 "h%02dm%02ds", s / 3600,
		    (int)(s / 60 % 60), (int)(s % 60));
}

/* The summary as one JSON line: times in seconds, total when known. */
static void
summary_json(FILE *f, const struct run_stats *st)
{
	struct buf	b = { NULL, 0, 0 };
	char		when[64];
	double		speedup;

	format_time(when, sizeof when, real_ns());
	fprintf(f, "{\"time\":\"%s\",\"event\":\"summary\",\"done\":%" PRIu64
	    ",\"failed\":%" PRIu64, when, st->done, st->failed);
	if (st->total != 0)
		fprintf(f, ",\"total\":%" PRIu64, st->total);
	fprintf(f, ",\"wall\":%.3f,\"task_time\":%.3f,\"workers\":%d",
	    (double)st->wall_ns / PT_NSEC, (double)st->task_ns / PT_NSEC,
	    st->workers);
	if (st->wall_ns > 0 && st->workers > 0) {
		speedup = (double)st->task_ns / (double)st->wall_ns;
		fprintf(f, ",\"speedup\":%.2f,\"efficiency\":%.0f", speedup,
		    100.0 * speedup / st->workers);
	}
	if (st->admit)
		fprintf(f, ",\"admission_held\":%.3f",
		    (double)st->held_ns / PT_NSEC);
	if (st->oom_killed > 0)
		fprintf(f, ",\"oom_killed\":%" PRIu64, st->oom_killed);
	if (st->speculate)
		fprintf(f, ",\"copies_started\":%" PRIu64 ",\"copies_won\":%"
		    PRIu64, st->spec_started, st->spec_won);
	if (st->ngroups > 0) {
		fprintf(f, ",\"failure_groups\":%zu,\"failures\":",
		    st->ngroups);
		fail_json(&b, st->groups, st->ngroups, FAIL_SUMMARY);
		fwrite(b.data, 1, b.len, f);
		buf_free(&b);
	}
	fprintf(f, "}\n");
	fflush(f);
}

/* The summary's failure groups, the most frequent first. */
static void
summary_failures(FILE *f, const struct run_stats *st)
{
	struct buf	b = { NULL, 0, 0 };

	if (st->ngroups == 0)
		return;
	fprintf(f, "pooltop: failure groups: %zu, most frequent first",
	    st->ngroups);
	if (st->ngroups > FAIL_SUMMARY)
		fprintf(f, " (the first %d)", FAIL_SUMMARY);
	fprintf(f, "\n");
	fail_text(&b, st->groups, st->ngroups, FAIL_SUMMARY, "pooltop: ");
	fwrite(b.data, 1, b.len, f);
	buf_free(&b);
}

/* Print the end-of-run summary, in the log's format. */
void
log_summary(FILE *f, enum log_format format, const struct run_stats *st)
{
	uint64_t	 n = st->done + st->failed;
	char		 wall[32], serial[32];
	double		 speedup, eff;

	if (format == LOG_JSON) {
		summary_json(f, st);
		return;
	}
	format_duration(wall, sizeof wall, st->wall_ns);
	format_duration(serial, sizeof serial, st->task_ns);
	fprintf(f, "pooltop: %" PRIu64, n);
	if (st->total > n)
		fprintf(f, " of %" PRIu64, st->total);
	fprintf(f, " task%s: %" PRIu64 " done, %" PRIu64 " failed in %s wall\n",
	    (st->total > n ? st->total : n) == 1 ? "" : "s", st->done,
	    st->failed, wall);
	fprintf(f, "pooltop: task time %s (a serial run)", serial);
	if (st->wall_ns > 0 && st->workers > 0) {
		speedup = (double)st->task_ns / (double)st->wall_ns;
		eff = 100.0 * speedup / st->workers;
		fprintf(f, ", speedup %.2fx on %d worker%s, efficiency %.0f%%",
		    speedup, st->workers, st->workers == 1 ? "" : "s", eff);
	}
	fprintf(f, "\n");
	if (st->admit) {
		format_duration(wall, sizeof wall, st->held_ns);
		fprintf(f, "pooltop: admission held %s\n", wall);
	}
	if (st->oom_killed > 0)
		fprintf(f, "pooltop: %" PRIu64 " task%s oom-killed\n",
		    st->oom_killed, st->oom_killed == 1 ? "" : "s");
	if (st->speculate)
		fprintf(f, "pooltop: speculate: %" PRIu64 " cop%s started, %"
		    PRIu64 " won\n", st->spec_started,
		    st->spec_started == 1 ? "y" : "ies", st->spec_won);
	summary_failures(f, st);
	fflush(f);
}

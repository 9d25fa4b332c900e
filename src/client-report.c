/*
 * `pooltop report`: a joblog read into the pool model, printed as text or
 * as one JSON object.  Each line of the joblog is one run of a task: a seq
 * that an appended run (--resume-failed) recorded again counts each time.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client-report.h"
#include "opts.h"
#include "pool-joblog.h"
#include "pool-model.h"
#include "text.h"
#include "util.h"

#define REPORT_SLOWEST	5	/* the slowest tasks the text shows */

/* Add one joblog line to the model. */
static void
report_add(void *arg, const struct joblog_entry *e)
{
	struct model_task	t;

	memset(&t, 0, sizeof t);
	t.seq = e->seq;
	t.start_ns = e->start_real_ns;
	t.wall_ns = e->runtime_ns;
	t.cpu_ns = -1;		/* a joblog has no CPU time */
	t.rss_kb = -1;
	t.exitval = e->exitval;
	t.signal = e->signal;
	t.command = e->command;
	model_add(arg, &t);
}

/* Seconds with 3 decimals. */
static double
secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* How a task ended, as "exit N", "timeout" or "signal N". */
static void
ending(char *buf, size_t len, int exitval, int sig)
{
	if (sig != 0)
		snprintf(buf, len, "signal %d", sig);
	else if (exitval == -1)
		snprintf(buf, len, "timeout");
	else
		snprintf(buf, len, "exit %d", exitval);
}

/* A command, escaped for a terminal line. */
static void
print_command(const char *cmd)
{
	char	*s;

	if (cmd == NULL)
		return;
	s = text_escaped(cmd, strlen(cmd));
	printf("%s", s);
	free(s);
}

static void
report_text(const char *path, const struct model *m)
{
	struct model_stats	 s;
	const struct model_task	*t;
	char			 when[64], how[32];
	struct tm		 tm;
	time_t			 start;
	size_t			 i;

	model_stats(m, &s);
	printf("joblog     %s\n", path);
	printf("tasks      %zu (%zu succeeded, %zu failed)\n", s.n, s.ok,
	    s.failed);
	if (s.n == 0)
		return;
	start = (time_t)(s.first_start_ns / 1000000000);
	if (gmtime_r(&start, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(when, sizeof when, "%lld", (long long)start);
	printf("span       %.3fs from %s\n", secs(s.span_ns), when);
	printf("parallel   %.2f (runtimes add up to %.3fs over the span)\n",
	    s.parallelism, secs(s.sum_wall_ns));
	printf("runtime    median %.3fs, p90 %.3fs, max %.3fs\n",
	    secs(s.median_ns), secs(s.p90_ns), secs(s.max_ns));
	for (i = 0; i < m->nslow && i < REPORT_SLOWEST; i++) {
		t = &m->slow[i].t;
		ending(how, sizeof how, t->exitval, t->signal);
		printf("%s seq %" PRIu64 ", %.3fs, %s: ",
		    i == 0 ? "slowest   " : "          ", t->seq,
		    secs(t->wall_ns), how);
		print_command(t->command);
		printf("\n");
	}
	for (i = 0; i < m->ngroups; i++) {
		t = &m->groups[i].sample.t;
		ending(how, sizeof how, m->groups[i].exitval,
		    m->groups[i].signal);
		printf("%s %s: %zu task%s, first seq %" PRIu64 ": ",
		    i == 0 ? "failures  " : "          ", how,
		    m->groups[i].count, m->groups[i].count == 1 ? "" : "s",
		    t->seq);
		print_command(t->command);
		printf("\n");
	}
}

/* One task as a JSON object. */
static void
json_task(struct buf *b, const struct model_task *t)
{
	buf_printf(b, "{\"seq\":%" PRIu64 ",\"start\":%.3f,\"runtime\":%.3f,"
	    "\"exitval\":%d,\"signal\":%d,\"command\":", t->seq,
	    secs(t->start_ns), secs(t->wall_ns), t->exitval, t->signal);
	if (t->command != NULL)
		text_json(b, t->command, strlen(t->command));
	else
		buf_addstr(b, "null");
	buf_addstr(b, "}");
}

static void
report_json(const char *path, const struct model *m)
{
	struct model_stats	 s;
	struct buf		 b = { NULL, 0, 0 };
	size_t			 i;

	model_stats(m, &s);
	buf_addstr(&b, "{\"joblog\":");
	text_json(&b, path, strlen(path));
	buf_printf(&b, ",\"tasks\":%zu,\"succeeded\":%zu,\"failed\":%zu,"
	    "\"start\":%.3f,\"span\":%.3f,\"parallelism\":%.3f,"
	    "\"runtime_sum\":%.3f,\"runtime\":{\"median\":%.3f,\"p90\":%.3f,"
	    "\"max\":%.3f},\"slowest\":[", s.n, s.ok, s.failed,
	    secs(s.first_start_ns), secs(s.span_ns), s.parallelism,
	    secs(s.sum_wall_ns), secs(s.median_ns), secs(s.p90_ns),
	    secs(s.max_ns));
	for (i = 0; i < m->nslow; i++) {
		if (i > 0)
			buf_addstr(&b, ",");
		json_task(&b, &m->slow[i].t);
	}
	buf_addstr(&b, "],\"failures\":[");
	for (i = 0; i < m->ngroups; i++) {
		buf_printf(&b, "%s{\"exitval\":%d,\"signal\":%d,\"count\":%zu,"
		    "\"sample\":", i > 0 ? "," : "", m->groups[i].exitval,
		    m->groups[i].signal, m->groups[i].count);
		json_task(&b, &m->groups[i].sample.t);
		buf_addstr(&b, "}");
	}
	buf_addstr(&b, "]}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

static void
report_usage(FILE *f)
{
	fprintf(f, "usage: pooltop report [--json] JOBLOG\n");
}

/* `pooltop report [--json] JOBLOG` */
int
report_main(int argc, char **argv)
{
	struct model	 m;
	const char	*path = NULL;
	char		 err[512];
	int		 i, json = 0, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			report_usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "pooltop report: unknown option %s\n",
			    argv[i]);
			report_usage(stderr);
			return PT_EXIT_USAGE;
		} else if (path != NULL) {
			fprintf(stderr, "pooltop report: one joblog only, "
			    "not also %s\n", argv[i]);
			report_usage(stderr);
			return PT_EXIT_USAGE;
		} else
			path = argv[i];
	}
	if (path == NULL) {
		fprintf(stderr, "pooltop report: no joblog given\n");
		report_usage(stderr);
		return PT_EXIT_USAGE;
	}
	model_init(&m, 0);
	if (joblog_scan(path, report_add, &m, err, sizeof err) == -1) {
		fprintf(stderr, "pooltop report: %s\n", err);
		model_free(&m);
		return 1;
	}
	if (json)
		report_json(path, &m);
	else
		report_text(path, &m);
	model_free(&m);
	rc = fflush(stdout) == EOF ? 1 : 0;
	return rc;
}

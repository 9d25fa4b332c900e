/*
 * `pooltop report`: a joblog read into the pool model, printed as text or
 * as one JSON object.  Each line of the joblog is one run of a task: a seq
 * that an appended run (--resume-failed) recorded again counts each time.
 *
 * The pictures: the runtimes in the dashboard's log-scale buckets
 * (graph.h), and the span cut into REPORT_BINS equal intervals, each with
 * the tasks that ended in it and the mean number running.  On a terminal
 * (or with --graphs) they are drawn, in UTF-8 block characters when the
 * locale's codeset is UTF-8 and in ASCII otherwise; elsewhere the text
 * gives their figures only, and --json gives them whole.
 */
#include "config.h"

#include <inttypes.h>
#include <langinfo.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client-report.h"
#include "graph.h"
#include "opts.h"
#include "pool-joblog.h"
#include "pool-model.h"
#include "text.h"
#include "util.h"

#define REPORT_SLOWEST	5	/* the slowest tasks the text shows */
#define REPORT_BINS	60	/* intervals the span is cut into */
#define REPORT_ROWS	6	/* a chart's height */

/* What the pictures are drawn from. */
struct report_pics {
	uint64_t	buckets[GRAPH_NBUCKETS];
	int		lo, hi;		/* buckets used: [lo, hi]; lo -1 none */
	int		nbins;		/* 0: no span */
	double		bin_s;		/* an interval, seconds */
	double		ended[REPORT_BINS];	/* tasks that ended in it */
	double		running[REPORT_BINS];	/* mean tasks running */
};

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

/* A command (NULL: none), escaped for a terminal line, and the newline. */
static void
print_command(const char *cmd)
{
	char	*s = text_escaped(cmd != NULL ? cmd : "",
		    cmd != NULL ? strlen(cmd) : 0);

	printf("%s\n", s);
	free(s);
}

/* Add a task's share of [from, to) to the running counts. */
static void
pics_overlap(struct report_pics *p, int64_t first, int64_t bin_ns,
    int64_t from, int64_t to)
{
	int64_t	lo, hi;
	int	b;

	for (b = (int)((from - first) / bin_ns); b < p->nbins; b++) {
		lo = first + b * bin_ns;
		hi = lo + bin_ns;
		if (lo >= to)
			break;
		lo = from > lo ? from : lo;
		hi = to < hi ? to : hi;
		if (hi > lo)
			p->running[b] += (double)(hi - lo) / (double)bin_ns;
	}
}

/* Buckets and intervals from every task of the model (kept whole). */
static void
pics_make(struct report_pics *p, const struct model *m)
{
	struct model_stats	 s;
	const struct model_task	*t;
	int64_t			 bin_ns, end;
	size_t			 i;
	int			 b;

	memset(p, 0, sizeof *p);
	p->lo = p->hi = -1;
	model_stats(m, &s);
	/* A task an interval on average at least: fewer tasks, fewer. */
	p->nbins = s.span_ns <= 0 ? 0 : s.n < REPORT_BINS ? (int)s.n :
	    REPORT_BINS;
	bin_ns = p->nbins > 0 ? (s.span_ns + p->nbins - 1) / p->nbins : 0;
	if (bin_ns <= 0)
		p->nbins = 0;
	p->bin_s = (double)bin_ns / 1e9;
	for (i = 0; i < m->nwin; i++) {
		t = &m->win[i];
		b = graph_bucket(t->wall_ns);
		p->buckets[b]++;
		if (p->lo == -1 || b < p->lo)
			p->lo = b;
		if (b > p->hi)
			p->hi = b;
		if (p->nbins == 0)
			continue;
		end = t->start_ns + (t->wall_ns > 0 ? t->wall_ns : 0);
		b = (int)((end - s.first_start_ns) / bin_ns);
		p->ended[b < p->nbins ? b : p->nbins - 1]++;
		pics_overlap(p, s.first_start_ns, bin_ns, t->start_ns, end);
	}
}

/* A bucket as a range: "200ms-500ms", "0-1ms", "27h47m+". */
static void
bucket_range(char *buf, size_t len, int b)
{
	char	lo[16], hi[16];

	graph_bucket_label(lo, sizeof lo, b);
	if (b == GRAPH_NBUCKETS - 1) {
		snprintf(buf, len, "%s+", lo);
		return;
	}
	graph_bucket_label(hi, sizeof hi, b + 1);
	snprintf(buf, len, "%s-%s", lo, hi);
}

/* The histogram: one line per bucket used, a bar when drawing. */
static void
text_histogram(const struct report_pics *p, bool draw, bool utf8)
{
	struct buf	b = { NULL, 0, 0 };
	uint64_t	peak = 0;
	char		range[40];
	int		k;

	for (k = p->lo; k <= p->hi; k++)
		peak = p->buckets[k] > peak ? p->buckets[k] : peak;
	for (k = p->lo; k >= 0 && k <= p->hi; k++) {
		bucket_range(range, sizeof range, k);
		printf("%s %-14s %6" PRIu64, k == p->lo ? "durations " :
		    "          ", range, p->buckets[k]);
		if (draw) {
			b.len = 0;
			graph_hbar(&b, (double)p->buckets[k] / (double)peak,
			    40, utf8);
			buf_add(&b, "", 1);
			printf(" %s", b.data);
		}
		printf("\n");
	}
	buf_free(&b);
}

/*
 * A chart of one series over the span, REPORT_BINS columns wide (an
 * interval takes the same columns each), with its scale and time axis.
 */
static void
text_chart(const double *bins, int nbins, double span_s, const char *unit,
    bool utf8)
{
	struct buf	b = { NULL, 0, 0 };
	double		peak = graph_max(bins, nbins), v[REPORT_BINS];
	char		top[32];
	int		r, n = nbins > 0 ? REPORT_BINS / nbins * nbins : 0;

	for (r = 0; r < n; r++)
		v[r] = bins[r / (REPORT_BINS / nbins)];
	snprintf(top, sizeof top, "%.3g%s", peak, unit);
	for (r = 0; r < REPORT_ROWS; r++) {
		b.len = 0;
		graph_column_row(&b, v, n, peak, r, REPORT_ROWS, utf8);
		buf_add(&b, "", 1);
		printf("%10s %s %s\n", r == 0 ? top : r == REPORT_ROWS - 1 ?
		    "0" : "", utf8 ? "\xe2\x94\x82" : "|", b.data);
	}
	printf("%10s %s%*s%.3fs\n", "", "0s", n - 5 > 0 ? n - 5 : 1, "",
	    span_s);
	buf_free(&b);
}

/* Throughput and tasks running over the span: figures, or charts. */
static void
text_series(const struct report_pics *p, const struct model_stats *s,
    bool draw, bool utf8)
{
	double	rate[REPORT_BINS], peak_rate = 0, peak_run = 0;
	int	i;

	if (p->nbins == 0)
		return;
	for (i = 0; i < p->nbins; i++) {
		rate[i] = p->ended[i] / p->bin_s;
		peak_rate = rate[i] > peak_rate ? rate[i] : peak_rate;
		peak_run = p->running[i] > peak_run ? p->running[i] : peak_run;
	}
	printf("throughput %.3g tasks/s on average, %.3g at the peak "
	    "(%d intervals of %.3fs)\n", (double)s->n / ((double)s->span_ns /
	    1e9), peak_rate, p->nbins, p->bin_s);
	if (draw)
		text_chart(rate, p->nbins, (double)s->span_ns / 1e9, "/s",
		    utf8);
	printf("running    %.3g tasks on average, %.3g at the peak\n",
	    s->parallelism, peak_run);
	if (draw)
		text_chart(p->running, p->nbins, (double)s->span_ns / 1e9, "",
		    utf8);
}

/* The seed article's comparison: one after another, or as they ran. */
static void
text_speedup(const struct model_stats *s)
{
	if (s->span_ns <= 0)
		return;
	printf("speedup    %.2fx: %.3fs one after another (serial), %.3fs as "
	    "run (parallel)\n", s->parallelism, secs(s->sum_wall_ns),
	    secs(s->span_ns));
}

static void
report_text(const char *path, const struct model *m, bool draw)
{
	struct report_pics	 pics;
	bool			 utf8 = strcmp(nl_langinfo(CODESET),
				    "UTF-8") == 0;
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
	}
	pics_make(&pics, m);
	text_speedup(&s);
	text_histogram(&pics, draw, utf8);
	text_series(&pics, &s, draw, utf8);
	for (i = 0; i < m->ngroups; i++) {
		t = &m->groups[i].sample.t;
		ending(how, sizeof how, m->groups[i].exitval,
		    m->groups[i].signal);
		printf("%s %s: %zu task%s, first seq %" PRIu64 ": ",
		    i == 0 ? "failures  " : "          ", how,
		    m->groups[i].count, m->groups[i].count == 1 ? "" : "s",
		    t->seq);
		print_command(t->command);
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

/* The pictures' data as JSON members: speedup, histogram, throughput. */
static void
json_pics(struct buf *b, const struct model *m, const struct model_stats *s)
{
	struct report_pics	p;
	int			k;

	pics_make(&p, m);
	buf_printf(b, ",\"speedup\":{\"serial\":%.3f,\"parallel\":%.3f,"
	    "\"factor\":%.3f},\"histogram\":[", secs(s->sum_wall_ns),
	    secs(s->span_ns), s->parallelism);
	for (k = p.lo; k >= 0 && k <= p.hi; k++) {
		buf_printf(b, "%s{\"from\":%.3f,\"to\":", k > p.lo ? "," : "",
		    secs(graph_bucket_lower(k)));
		if (k == GRAPH_NBUCKETS - 1)
			buf_addstr(b, "null");
		else
			buf_printf(b, "%.3f", secs(graph_bucket_lower(k + 1)));
		buf_printf(b, ",\"count\":%" PRIu64 "}", p.buckets[k]);
	}
	buf_printf(b, "],\"throughput\":{\"interval\":%.6f,\"ended\":[",
	    p.bin_s);
	for (k = 0; k < p.nbins; k++)
		buf_printf(b, "%s%.0f", k > 0 ? "," : "", p.ended[k]);
	buf_addstr(b, "],\"running\":[");
	for (k = 0; k < p.nbins; k++)
		buf_printf(b, "%s%.3f", k > 0 ? "," : "", p.running[k]);
	buf_addstr(b, "]}");
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
	buf_addstr(&b, "]");
	json_pics(&b, m, &s);
	buf_addstr(&b, "}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

static void
report_usage(FILE *f)
{
	fprintf(f, "usage: pooltop report [--json | --graphs | --no-graphs] "
	    "JOBLOG\n");
}

/* `pooltop report [--json | --graphs | --no-graphs] JOBLOG` */
int
report_main(int argc, char **argv)
{
	struct model	 m;
	const char	*path = NULL;
	char		 err[512];
	int		 i, json = 0, draw = -1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--graphs") == 0)
			draw = 1;
		else if (strcmp(argv[i], "--no-graphs") == 0)
			draw = 0;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			report_usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "pooltop report: unknown option %s\n",
			    argv[i]);
			goto usage;
		} else if (path != NULL) {
			fprintf(stderr, "pooltop report: one joblog only, "
			    "not also %s\n", argv[i]);
			goto usage;
		} else
			path = argv[i];
	}
	if (path == NULL) {
		fprintf(stderr, "pooltop report: no joblog given\n");
		goto usage;
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
		report_text(path, &m, draw == -1 ? isatty(STDOUT_FILENO) :
		    draw == 1);
	model_free(&m);
	return fflush(stdout) == EOF ? 1 : 0;
usage:
	report_usage(stderr);
	return PT_EXIT_USAGE;
}

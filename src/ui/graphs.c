/*
 * The graphs: throughput, busy workers, busy cores and memory over the
 * whole run, and the histogram of task runtimes so far.  All of it comes
 * from the segment's history record (shm.h), which the supervisor keeps
 * from the pool's start, so `pooltop attach` shows the run from its
 * beginning, not from when it attached.  Drawn in the free band under the
 * worker table when there is one (ui_draw_main()), and over the whole
 * middle of the screen in the graphs view (v).  Panels sit side by side,
 * as many as the width holds, the most telling first; a chart squeezes
 * the whole run into its width (means, memory's peaks).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "pool-model.h"
#include "ui/ui-int.h"

#define GRAPHS_PANEL_MIN	22	/* columns a panel needs */
#define GRAPHS_ROWS_MIN		3	/* rows a panel needs: title, 2 */
#define GRAPHS_TWO_ROWS		11	/* rows for two rows of panels */

enum graphs_panel { GP_RATE, GP_HIST, GP_BUSY, GP_CORES, GP_MEM, GP_N };

/* The series of one time panel, one value per sample. */
struct graphs_series {
	double	v[PT_HIST_SAMPLES];
	int	n;
};

/* A panel's series from the samples. */
static void
graphs_series(const struct ui *ui, enum graphs_panel p,
    struct graphs_series *s)
{
	const struct pt_shm_history	*h = &ui->hist;
	const struct pt_shm_sample	*x;
	int64_t				 t0, dt;
	uint64_t			 f0;
	uint32_t			 i;

	s->n = 0;
	if (!ui->hist_ok)
		return;
	t0 = h->start_real_ns;
	f0 = 0;
	for (i = 0; i < h->nsamples; i++) {
		x = &h->samples[i];
		dt = x->real_ns - t0;
		switch (p) {
		case GP_RATE:
			s->v[i] = dt > 0 ? (double)(x->finished - f0) *
			    PT_NSEC / (double)dt : 0;
			break;
		case GP_BUSY:
			s->v[i] = x->busy_milli / 1000.0;
			break;
		case GP_CORES:
			s->v[i] = x->cpu_milli / 1000.0;
			break;
		default:
			s->v[i] = (double)x->rss_bytes;
			break;
		}
		t0 = x->real_ns;
		f0 = x->finished;
	}
	s->n = (int)h->nsamples;
}

/* A panel's title and the figure after it, "now N, peak M". */
static void
graphs_title(enum graphs_panel p, const double *v, int n, double peak,
    char *buf, size_t len)
{
	static const char *const	names[GP_N] = {
		"tasks/s", "durations", "busy workers", "busy cores", "memory"
	};
	char				a[16], b[16];
	double				now = n > 0 ? v[n - 1] : 0;

	if (n == 0) {
		snprintf(buf, len, "%s", names[p]);
		return;
	}
	if (p == GP_MEM) {
		ui_fmt_bytes(a, sizeof a, (uint64_t)now);
		ui_fmt_bytes(b, sizeof b, (uint64_t)peak);
		snprintf(buf, len, "%s %s, peak %s", names[p], a, b);
	} else
		snprintf(buf, len, "%s %.*f, peak %.*f", names[p],
		    now < 10 ? 1 : 0, now, peak < 10 ? 1 : 0, peak);
}

/*
 * The whole run in w columns: squeezed when longer, and when shorter each
 * sample as wide as the others, so the chart fills its panel.
 */
static int
graphs_fit(const double *v, int n, double *out, int w, bool peak)
{
	int	k, i;

	if (n <= 0 || w <= 0)
		return 0;
	if (n >= w)
		return graph_resample(v, n, out, w, peak);
	k = w / n;
	for (i = 0; i < n * k; i++)
		out[i] = v[i / k];
	return n * k;
}

/* A time panel: its title, then the whole run as columns. */
static void
graphs_time_panel(struct ui *ui, enum graphs_panel p, int y, int x, int w,
    int h)
{
	static const enum theme_key	colour[GP_N] = {
		THEME_GRAPH_RATE, THEME_GRAPH_HISTOGRAM, THEME_GRAPH_BUSY,
		THEME_GRAPH_BUSY, THEME_GRAPH_MEMORY
	};
	struct graphs_series		s;
	double				cols[PT_HIST_SAMPLES * 2], peak;
	struct buf			b = { NULL, 0, 0 };
	char				title[96];
	int				n, r;

	graphs_series(ui, p, &s);
	/* A very wide panel draws a chart as wide as the buffer. */
	n = graphs_fit(s.v, s.n, cols, w < (int)nitems_of(cols) ? w :
	    (int)nitems_of(cols), p == GP_MEM);
	peak = graph_max(s.v, s.n);
	graphs_title(p, s.v, s.n, peak, title, sizeof title);
	ui_put(y, x, w, title, ui->attr[THEME_GRAPH_TITLE]);
	if (n == 0) {
		ui_put(y + 1, x, w, "no sample yet", ui->attr[THEME_GRAPH_AXIS]);
		return;
	}
	for (r = 0; r < h - 1; r++) {
		b.len = 0;
		graph_column_row(&b, cols, n, peak, r, h - 1, ui->utf8);
		buf_add(&b, "", 1);
		ui_put(y + 1 + r, x, w, b.data, ui->attr[colour[p]]);
	}
	buf_free(&b);
}

/*
 * The buckets shown: from the first to the last used, merged in pairs of
 * neighbours while they are more than rows.  Their number; first[k] is
 * the first bucket of row k.
 */
static int
graphs_hist_rows(const struct pt_shm_history *h, int rows, int *first,
    uint64_t *count)
{
	int	lo = -1, hi = -1, b, k, n, step = 1;

	for (b = 0; b < PT_HIST_BUCKETS; b++)
		if (h->buckets[b] > 0) {
			if (lo == -1)
				lo = b;
			hi = b;
		}
	if (lo == -1 || rows < 1)
		return 0;
	while ((hi - lo) / step + 1 > rows)
		step *= 2;
	n = (hi - lo) / step + 1;
	for (k = 0; k < n; k++) {
		first[k] = lo + k * step;
		count[k] = 0;
		for (b = first[k]; b < first[k] + step && b <= hi; b++)
			count[k] += h->buckets[b];
	}
	return n;
}

/* The histogram panel: one bar per bucket, its lower bound and count. */
static void
graphs_hist_panel(struct ui *ui, int y, int x, int w, int h)
{
	int		first[PT_HIST_BUCKETS], n, k, lw = 6, cw;
	uint64_t	count[PT_HIST_BUCKETS], peak = 0;
	struct buf	b = { NULL, 0, 0 };
	char		title[64], label[16], num[24];

	snprintf(title, sizeof title, "durations, %llu tasks",
	    (unsigned long long)(ui->hist_ok ? ui->hist.ended : 0));
	ui_put(y, x, w, title, ui->attr[THEME_GRAPH_TITLE]);
	n = ui->hist_ok ? graphs_hist_rows(&ui->hist, h - 1, first, count) : 0;
	if (n == 0) {
		ui_put(y + 1, x, w, "no task ended yet",
		    ui->attr[THEME_GRAPH_AXIS]);
		return;
	}
	for (k = 0; k < n; k++)
		peak = count[k] > peak ? count[k] : peak;
	snprintf(num, sizeof num, "%llu", (unsigned long long)peak);
	cw = (int)strlen(num);
	for (k = 0; k < n; k++) {
		graph_bucket_label(label, sizeof label, first[k]);
		snprintf(num, sizeof num, "%*s ", lw, label);
		ui_put(y + 1 + k, x, lw + 1, num, ui->attr[THEME_GRAPH_AXIS]);
		b.len = 0;
		graph_hbar(&b, (double)count[k] / (double)peak,
		    w - lw - cw - 3, ui->utf8);
		buf_add(&b, "", 1);
		ui_put(y + 1 + k, x + lw + 1, ui_width(b.data), b.data,
		    ui->attr[THEME_GRAPH_HISTOGRAM]);
		snprintf(num, sizeof num, "%llu", (unsigned long long)count[k]);
		ui_put(y + 1 + k, x + lw + 2 + ui_width(b.data), cw, num,
		    ui->attr[THEME_ROW]);
	}
	buf_free(&b);
}

/* The rule over the graphs: what a column stands for. */
static void
graphs_rule(struct ui *ui, int y)
{
	char	what[128], span[32], per[32];
	int64_t	run;

	attrset(ui->attr[THEME_FRAME]);
	mvhline(y, 0, ui->utf8 ? ACS_HLINE : '-', ui->cols);
	attrset(A_NORMAL);
	if (ui->hist_ok && ui->hist.nsamples > 0) {
		run = ui->hist.samples[ui->hist.nsamples - 1].real_ns -
		    ui->hist.start_real_ns;
		model_fmt_duration(span, sizeof span, (double)run / 1e9);
		model_fmt_duration(per, sizeof per,
		    (double)ui->hist.period_ns / 1e9);
		snprintf(what, sizeof what, " graphs: the whole run, %s, "
		    "a sample every %s ", span, per);
	} else
		snprintf(what, sizeof what, " graphs ");
	ui_put(y, 2, ui_width(what) < ui->cols - 4 ? ui_width(what) :
	    ui->cols - 4, what, ui->attr[THEME_FRAME]);
}

/*
 * The graphs in rows [y, y + h): a rule, then the panels (in the order of
 * enum graphs_panel), in one row of panels, or two from GRAPHS_TWO_ROWS
 * rows under the rule.  False if they do not fit.
 */
bool
ui_draw_graphs(struct ui *ui, int y, int h)
{
	int	rows, per, np, i, r, c, pw, ph, x;

	if (h < GRAPHS_ROWS_MIN + 1 || ui->cols < GRAPHS_PANEL_MIN)
		return false;
	for (i = y; i < y + h; i++)
		ui_fill(i, 0, ui->cols, ui->attr[THEME_ROW]);
	graphs_rule(ui, y);
	rows = h - 1 >= GRAPHS_TWO_ROWS ? 2 : 1;
	per = ui->cols / GRAPHS_PANEL_MIN;
	np = per * rows < GP_N ? per * rows : GP_N;
	per = (np + rows - 1) / rows;
	ph = (h - 1 - (rows - 1)) / rows;
	for (i = 0; i < np; i++) {
		r = y + 1 + i / per * (ph + 1);
		c = i % per;
		pw = ui->cols / per;
		x = c * pw + 1;
		if (i == GP_HIST)
			graphs_hist_panel(ui, r, x, pw - 2, ph);
		else
			graphs_time_panel(ui, i, r, x, pw - 2, ph);
	}
	return true;
}

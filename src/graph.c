/*
 * Text pictures: duration buckets, resampling, column charts and
 * horizontal bars (graph.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "pool-model.h"
#include "util.h"

#define MS	1000000LL

/* The eighths of a cell, from one eighth to a full block, bottom up. */
static const char *const graph_vblocks[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
};
/* The same, left to right. */
static const char *const graph_hblocks[8] = {
	"\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d", "\xe2\x96\x8c",
	"\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89", "\xe2\x96\x88"
};

int64_t
graph_bucket_lower(int b)
{
	static const int	step[3] = { 1, 2, 5 };
	int64_t			v = MS;
	int			i;

	if (b <= 0)
		return 0;
	if (b >= GRAPH_NBUCKETS)
		b = GRAPH_NBUCKETS - 1;
	for (i = 0; i < (b - 1) / 3; i++)
		v *= 10;
	return v * step[(b - 1) % 3];
}

/*
 * Walk the bounds up from 1ms: most tasks are short, and a persistent
 * pool buckets hundreds of thousands a second.
 */
int
graph_bucket(int64_t ns)
{
	static const int	step[3] = { 1, 2, 5 };
	int64_t			decade = MS;
	int			b;

	for (b = 1; b < GRAPH_NBUCKETS; b++) {
		if (ns < decade * step[(b - 1) % 3])
			return b - 1;
		if ((b - 1) % 3 == 2)
			decade *= 10;
	}
	return GRAPH_NBUCKETS - 1;
}

void
graph_bucket_label(char *buf, size_t len, int b)
{
	int64_t	v = graph_bucket_lower(b);

	if (v == 0)
		snprintf(buf, len, "0");
	else if (v < 1000 * MS)
		snprintf(buf, len, "%lldms", (long long)(v / MS));
	else if (v < 60000 * MS)
		snprintf(buf, len, "%llds", (long long)(v / (1000 * MS)));
	else
		model_fmt_duration(buf, len, (double)v / 1e9);
}

int
graph_resample(const double *in, int n, double *out, int w, bool peak)
{
	int	c, i, from, to;
	double	acc;

	if (w <= 0 || n <= 0)
		return 0;
	if (n <= w) {
		memcpy(out, in, (size_t)n * sizeof *out);
		return n;
	}
	for (c = 0; c < w; c++) {
		from = (int)((int64_t)c * n / w);
		to = (int)((int64_t)(c + 1) * n / w);
		acc = 0;
		for (i = from; i < to; i++) {
			if (peak)
				acc = in[i] > acc ? in[i] : acc;
			else
				acc += in[i];
		}
		out[c] = peak || to == from ? acc : acc / (to - from);
	}
	return w;
}

double
graph_max(const double *v, int n)
{
	double	m = 0;
	int	i;

	for (i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

/* A value's height in eighths of a cell, on a chart height cells high. */
static int
graph_eighths(double v, double max, int height)
{
	double	e;

	if (v <= 0 || max <= 0)
		return 0;
	e = v / max * height * 8;
	if (e < 1)
		return 1;
	return e > height * 8 ? height * 8 : (int)(e + 0.5);
}

void
graph_column_row(struct buf *b, const double *v, int n, double max, int row,
    int height, bool utf8)
{
	int	i, e, floor8 = (height - 1 - row) * 8, part;

	if (max <= 0)
		max = graph_max(v, n);
	for (i = 0; i < n; i++) {
		e = graph_eighths(v[i], max, height) - floor8;
		if (e <= 0)
			buf_addstr(b, " ");
		else if (e >= 8)
			buf_addstr(b, utf8 ? graph_vblocks[7] : "#");
		else if (utf8)
			buf_addstr(b, graph_vblocks[e - 1]);
		else {
			part = e >= 6 ? '#' : e >= 3 ? '+' : '.';
			buf_add(b, &(char){ (char)part }, 1);
		}
	}
}

void
graph_hbar(struct buf *b, double frac, int width, bool utf8)
{
	int	e, i;

	if (width <= 0 || frac <= 0)
		return;
	if (frac > 1)
		frac = 1;
	e = (int)(frac * width * 8 + 0.5);
	if (e < 1)
		e = 1;
	for (i = 0; i < e / 8; i++)
		buf_addstr(b, utf8 ? graph_hblocks[7] : "#");
	if (e % 8 != 0)
		buf_addstr(b, utf8 ? graph_hblocks[e % 8 - 1] :
		    e % 8 >= 4 ? "#" : "");
	if (!utf8 && e < 8 && e % 8 < 4)
		buf_addstr(b, "#");	/* the sliver, in ASCII */
}

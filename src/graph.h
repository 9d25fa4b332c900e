/*
 * Pictures of a run, as text: the duration histogram's buckets and the
 * charts drawn from them and from series over time.  One module for the
 * dashboard (src/ui/graphs.c) and `pooltop report`, so both bucket and
 * draw alike.  Nothing here knows ncurses: a chart is built as strings,
 * one per row, of UTF-8 block characters (utf8 true) or of plain ASCII.
 *
 * Durations go into GRAPH_NBUCKETS log-scale buckets, steps of 1, 2 and 5
 * per decade: bucket 0 holds [0, 1ms), bucket b (1 .. GRAPH_NBUCKETS - 2)
 * holds [lower(b), lower(b + 1)) with lower 1ms, 2ms, 5ms, 10ms ... 50000s,
 * and the last bucket everything from 100000s (27.8 hours) on.
 */
#ifndef PT_GRAPH_H
#define PT_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRAPH_NBUCKETS	26

struct buf;

/* The bucket of a duration (negative counts as 0). */
int	graph_bucket(int64_t ns);
/* The lower bound of bucket b, ns (0 for bucket 0). */
int64_t	graph_bucket_lower(int b);
/* A bound as a short label: "0", "5ms", "200ms", "1s", "50s", "1m40s". */
void	graph_bucket_label(char *, size_t, int b);

/*
 * Resample n values into w columns: when n > w, each column is the mean
 * (or the maximum, with peak) of the values that fall in it, so the whole
 * series shows; when n <= w, one column per value.  The columns written.
 */
int	graph_resample(const double *in, int n, double *out, int w, bool peak);

/*
 * Row `row` (0: the top) of a column chart of n values, height rows high,
 * scaled so that max fills a column (max <= 0: the largest value).  One
 * glyph per value: full blocks below, the top cell in eighths (UTF-8) or
 * '#', '+' and '.' (ASCII); a value above 0 always shows at least a
 * sliver, so a quiet moment is told from none.  Appended to b.
 */
void	graph_column_row(struct buf *, const double *v, int n, double max,
	    int row, int height, bool utf8);

/*
 * A horizontal bar of frac (0..1) of width cells: full blocks and an
 * eighth (UTF-8), or '#' (ASCII); frac above 0 always shows a sliver.
 * Not padded.  Appended to b.
 */
void	graph_hbar(struct buf *, double frac, int width, bool utf8);

/* The largest of n values (0 when n is 0). */
double	graph_max(const double *, int n);

#endif

/*
 * Tests of the run's pictures: duration buckets and their labels, the
 * resampling and the charts (graph.c), and the history the supervisor
 * keeps for the segment (pool-history.c): samples, merging when full, and
 * a reader's checked copy of the record.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "graph.h"
#include "pool-history.h"
#include "shm.h"
#include "util.h"

#define S	1000000000LL
#define MS	1000000LL

/* Buckets: 1-2-5 per decade, edges in the upper bucket. */
static void
test_buckets(void **state)
{
	char	l[32];
	int	b;

	(void)state;
	assert_int_equal(graph_bucket(-5), 0);
	assert_int_equal(graph_bucket(999999), 0);
	assert_int_equal(graph_bucket(MS), 1);
	assert_int_equal(graph_bucket(2 * MS - 1), 1);
	assert_int_equal(graph_bucket(2 * MS), 2);
	assert_int_equal(graph_bucket(300 * MS), 8);	/* [200ms, 500ms) */
	assert_int_equal(graph_bucket(S), 10);
	assert_int_equal(graph_bucket(1999 * MS), 10);
	assert_int_equal(graph_bucket(100000 * S), GRAPH_NBUCKETS - 1);
	assert_int_equal(graph_bucket(INT64_MAX), GRAPH_NBUCKETS - 1);
	assert_true(graph_bucket_lower(GRAPH_NBUCKETS - 1) == 100000 * S);
	/* Every bound opens its bucket; just below it is the one before. */
	for (b = 1; b < GRAPH_NBUCKETS; b++) {
		assert_int_equal(graph_bucket(graph_bucket_lower(b)), b);
		assert_int_equal(graph_bucket(graph_bucket_lower(b) - 1),
		    b - 1);
	}
	graph_bucket_label(l, sizeof l, 0);
	assert_string_equal(l, "0");
	graph_bucket_label(l, sizeof l, 8);
	assert_string_equal(l, "200ms");
	graph_bucket_label(l, sizeof l, 12);
	assert_string_equal(l, "5s");
	graph_bucket_label(l, sizeof l, 16);
	assert_string_equal(l, "1m40s");
}

/* Resampling: means or peaks, the whole series kept. */
static void
test_resample(void **state)
{
	double	in[6] = { 1, 3, 2, 2, 10, 0 }, out[6];

	(void)state;
	assert_int_equal(graph_resample(in, 6, out, 3, false), 3);
	assert_true(out[0] == 2 && out[1] == 2 && out[2] == 5);
	assert_int_equal(graph_resample(in, 6, out, 3, true), 3);
	assert_true(out[0] == 3 && out[1] == 2 && out[2] == 10);
	assert_int_equal(graph_resample(in, 6, out, 8, false), 6);
	assert_true(out[4] == 10);
	assert_int_equal(graph_resample(in, 0, out, 8, false), 0);
}

/* A column chart of two rows, in UTF-8 and in ASCII. */
static void
test_columns(void **state)
{
	double		v[4] = { 0, 1, 2, 4 };
	struct buf	b = { NULL, 0, 0 };

	(void)state;
	graph_column_row(&b, v, 4, 0, 0, 2, false);
	buf_add(&b, "|", 1);
	graph_column_row(&b, v, 4, 0, 1, 2, false);
	buf_add(&b, "", 1);
	assert_string_equal(b.data, "   #| +##");
	buf_free(&b);
	graph_column_row(&b, v, 4, 0, 1, 2, true);
	buf_add(&b, "", 1);
	/* 1 of 4 on two rows: 4 eighths of the lower cell; 2: a full one. */
	assert_string_equal(b.data, " \xe2\x96\x84\xe2\x96\x88\xe2\x96\x88");
	buf_free(&b);
	/* A value above 0 shows, however small. */
	v[1] = 0.001;
	graph_column_row(&b, v, 4, 0, 1, 2, false);
	buf_add(&b, "", 1);
	assert_string_equal(b.data, " .##");
	buf_free(&b);
}

/* Horizontal bars. */
static void
test_hbar(void **state)
{
	struct buf	b = { NULL, 0, 0 };

	(void)state;
	graph_hbar(&b, 0.5, 10, false);
	buf_add(&b, "", 1);
	assert_string_equal(b.data, "#####");
	buf_free(&b);
	graph_hbar(&b, 0.01, 10, false);
	buf_add(&b, "", 1);
	assert_string_equal(b.data, "#");
	buf_free(&b);
	graph_hbar(&b, 0, 10, false);
	assert_int_equal(b.len, 0);
	graph_hbar(&b, 0.25, 2, true);	/* 4 eighths of one cell */
	buf_add(&b, "", 1);
	assert_string_equal(b.data, "\xe2\x96\x8c");
	buf_free(&b);
}

/* Samples close each period with means, peaks and the count so far. */
static void
test_history_samples(void **state)
{
	struct pool_history	hs;
	int64_t			t0 = 1000 * S;

	(void)state;
	history_init(&hs, t0, S);
	history_tick(&hs, t0 + 250 * MS, 2, 1000, 100);
	history_task(&hs, 300 * MS);
	history_tick(&hs, t0 + 500 * MS, 4, 3000, 50);
	assert_int_equal(hs.h.nsamples, 0);
	history_tick(&hs, t0 + S, 0, 0, 10);
	assert_int_equal(hs.h.nsamples, 1);
	assert_int_equal(hs.h.samples[0].busy_milli, 2000);
	assert_int_equal(hs.h.samples[0].cpu_milli, 1333);
	assert_int_equal(hs.h.samples[0].rss_bytes, 100);
	assert_int_equal(hs.h.samples[0].finished, 1);
	assert_int_equal(hs.h.buckets[8], 1);
	assert_int_equal(hs.h.ended, 1);
	/* The pool ends mid-period: the open interval is kept. */
	history_tick(&hs, t0 + S + 100 * MS, 1, 0, 0);
	history_flush(&hs, t0 + S + 200 * MS);
	assert_int_equal(hs.h.nsamples, 2);
	history_flush(&hs, t0 + S + 300 * MS);
	assert_int_equal(hs.h.nsamples, 2);
}

/* When full, samples merge in pairs and the period doubles. */
static void
test_history_halve(void **state)
{
	struct pool_history	hs;
	int64_t			t0 = 1000 * S, t;
	int			i;

	(void)state;
	history_init(&hs, t0, S);
	for (i = 1; i <= PT_HIST_SAMPLES + 1; i++) {
		history_task(&hs, S);
		history_tick(&hs, t0 + i * S, (uint32_t)(i % 2), 0,
		    (uint64_t)i);
	}
	assert_int_equal(hs.h.period_ns, 2 * S);
	assert_int_equal(hs.h.nsamples, PT_HIST_SAMPLES / 2 + 1);
	/* Pairs (1, 2), (3, 4) ...: the later count, mean busy, peak rss. */
	assert_int_equal(hs.h.samples[0].finished, 2);
	assert_int_equal(hs.h.samples[0].busy_milli, 500);
	assert_int_equal(hs.h.samples[0].rss_bytes, 2);
	assert_true(hs.h.samples[0].real_ns == t0 + 2 * S);
	t = hs.h.samples[hs.h.nsamples - 1].real_ns;
	assert_true(t == t0 + (PT_HIST_SAMPLES + 1) * S);
	/* The next sample comes a doubled period later. */
	history_tick(&hs, t + S, 0, 0, 0);
	assert_int_equal(hs.h.nsamples, PT_HIST_SAMPLES / 2 + 1);
	history_tick(&hs, t + 2 * S, 0, 0, 0);
	assert_int_equal(hs.h.nsamples, PT_HIST_SAMPLES / 2 + 2);
}

/* A reader's copy: published whole, and checked against bad bytes. */
static void
test_history_read(void **state)
{
	struct pt_shm		shm, rd;
	struct pt_shm_history	out;
	struct pool_history	hs;
	char			err[256];
	int64_t			t0 = 1000 * S;
	int			i;

	(void)state;
	assert_int_equal(shm_create(&shm, 2, err, sizeof err), 0);
	history_init(&hs, t0, S);
	for (i = 1; i <= 5; i++) {
		history_task(&hs, 3 * S);
		history_tick(&hs, t0 + i * S, 1, 500, 4096);
	}
	history_publish(&hs, &shm, false);
	assert_int_equal(shm_open_reader(&rd, shm.name, false, err,
	    sizeof err), 0);
	assert_true(shm_read_history(&rd, &out));
	assert_int_equal(out.nsamples, 5);
	assert_int_equal(out.ended, 5);
	assert_int_equal(out.buckets[graph_bucket(3 * S)], 5);
	assert_int_equal(out.samples[4].finished, 5);
	/* Someone writes a count that goes back: cut there. */
	shm.history->samples[3].finished = 1;
	shm.history->nsamples = 100000;
	assert_true(shm_read_history(&rd, &out));
	assert_int_equal(out.nsamples, 3);
	shm.history->period_ns = -1;
	assert_true(shm_read_history(&rd, &out));
	assert_true(out.period_ns == 0);
	shm_close(&rd);
	shm_close(&shm);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_resample),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_hbar),
		cmocka_unit_test(test_history_samples),
		cmocka_unit_test(test_history_halve),
		cmocka_unit_test(test_history_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

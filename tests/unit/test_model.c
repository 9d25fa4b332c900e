/*
 * Tests of the record of finished tasks (pool-model.c): counts, quantiles,
 * the slowest tasks, failure groups, span and parallelism, the window, and
 * the joblog scanner that feeds `pooltop report`.
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

#include "pool-auto.h"
#include "util.h"
#include "pool-joblog.h"
#include "pool-model.h"

#define S	1000000000LL
#define MS	1000000LL

/* A task of seq, started at start ms, running wall ms, ending as said. */
static void
add(struct model *m, uint64_t seq, int64_t start, int64_t wall, int exitval,
    int sig, const char *cmd)
{
	struct model_task	t;

	memset(&t, 0, sizeof t);
	t.seq = seq;
	t.start_ns = 1000 * S + start * MS;
	t.wall_ns = wall * MS;
	t.cpu_ns = wall * MS / 2;
	t.rss_kb = -1;
	t.exitval = exitval;
	t.signal = sig;
	t.command = cmd;
	model_add(m, &t);
}

static void
test_empty(void **state)
{
	struct model		m;
	struct model_stats	s;

	(void)state;
	model_init(&m, 0);
	model_stats(&m, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.median_ns, 0);
	assert_int_equal(s.max_ns, 0);
	assert_int_equal(s.span_ns, 0);
	assert_true(s.parallelism == 0);
	assert_int_equal(s.sum_cpu_ns, -1);
	assert_int_equal(s.max_rss_kb, -1);
	model_free(&m);
}

/* Ten tasks of 1..10 s, two at a time: quantiles, span, parallelism. */
static void
test_stats(void **state)
{
	struct model		m;
	struct model_stats	s;
	int64_t			i;

	(void)state;
	model_init(&m, 0);
	/* two lanes: lane 0 runs 1,3,5,7,9 s back to back, lane 1 2,4,.. */
	for (i = 1; i <= 10; i++)
		add(&m, (uint64_t)i, 0, i * 1000, 0, 0, "x");
	model_stats(&m, &s);
	assert_int_equal(s.n, 10);
	assert_int_equal(s.ok, 10);
	assert_int_equal(s.failed, 0);
	assert_int_equal(s.median_ns, 5 * S);	/* the lower middle one */
	assert_int_equal(s.p90_ns, 9 * S);
	assert_int_equal(s.max_ns, 10 * S);
	assert_int_equal(s.sum_wall_ns, 55 * S);
	assert_int_equal(s.sum_cpu_ns, 55 * S / 2);
	assert_true(s.cpu_per_wall > 0.49 && s.cpu_per_wall < 0.51);
	/* all start at once: the span is the longest, 55/10 in parallel */
	assert_int_equal(s.span_ns, 10 * S);
	assert_true(s.parallelism > 5.49 && s.parallelism < 5.51);
	model_free(&m);

	/* back to back, one lane: parallelism 1 */
	model_init(&m, 0);
	add(&m, 1, 0, 1000, 0, 0, NULL);
	add(&m, 2, 1000, 2000, 0, 0, NULL);
	add(&m, 3, 3000, 500, 0, 0, NULL);
	model_stats(&m, &s);
	assert_int_equal(s.span_ns, 3500 * MS);
	assert_true(s.parallelism > 0.99 && s.parallelism < 1.01);
	assert_int_equal(s.median_ns, 1 * S);
	assert_int_equal(s.first_start_ns, 1000 * S);
	model_free(&m);
}

/* The slowest are kept longest first, the first among equals first. */
static void
test_slowest(void **state)
{
	struct model	m;
	char		cmd[32];
	int64_t		i;

	(void)state;
	model_init(&m, 0);
	for (i = 1; i <= 100; i++) {
		snprintf(cmd, sizeof cmd, "task %lld", (long long)i);
		add(&m, (uint64_t)i, i, (i * 37) % 101, 0, 0, cmd);
	}
	add(&m, 101, 0, 100, 0, 0, "tie");
	assert_int_equal(m.nslow, MODEL_SLOWEST);
	for (i = 1; i < MODEL_SLOWEST; i++)
		assert_true(m.slow[i - 1].t.wall_ns >= m.slow[i].t.wall_ns);
	assert_int_equal(m.slow[0].t.wall_ns, 100 * MS);
	assert_int_not_equal(m.slow[0].t.seq, 101);	/* earlier one first */
	assert_int_equal(m.slow[1].t.seq, 101);
	assert_string_equal(m.slow[1].t.command, "tie");
	assert_int_equal(m.slow[MODEL_SLOWEST - 1].t.wall_ns, 92 * MS);
	model_free(&m);
}

/*
 * model_keeps() says yes exactly when model_add() would copy the command:
 * while the slowest are not all there, for a slower one, and for the
 * first failure of its group.
 */
static void
test_keeps(void **state)
{
	struct model		m;
	struct model_task	t;
	int64_t			i;

	(void)state;
	model_init(&m, 0);
	memset(&t, 0, sizeof t);
	for (i = 0; i < MODEL_SLOWEST; i++) {
		t.wall_ns = 50 * MS;
		assert_true(model_keeps(&m, &t));
		add(&m, (uint64_t)i + 1, i, 50, 0, 0, NULL);
	}
	t.wall_ns = 50 * MS;		/* as slow as the least: not kept */
	assert_false(model_keeps(&m, &t));
	t.wall_ns = 51 * MS;
	assert_true(model_keeps(&m, &t));
	t.wall_ns = MS;
	t.exitval = 2;			/* a first failure of exit 2 */
	assert_true(model_keeps(&m, &t));
	add(&m, 20, 20, 1, 2, 0, "two");
	assert_false(model_keeps(&m, &t));
	t.exitval = 0;
	t.signal = 9;			/* a first failure by signal 9 */
	assert_true(model_keeps(&m, &t));
	model_free(&m);
}

/* Failures by exit status, signal and timeout; a sample each. */
static void
test_groups(void **state)
{
	struct model		m;
	struct model_stats	s;

	(void)state;
	model_init(&m, 0);
	add(&m, 1, 0, 10, 0, 0, "ok");
	add(&m, 2, 0, 10, 1, 0, "false one");
	add(&m, 3, 0, 10, 9, 0, "exit 9");
	add(&m, 4, 0, 10, 1, 0, "false two");
	add(&m, 5, 0, 10, 0, 9, "kill -9");
	add(&m, 6, 0, 10, 0, 15, "kill -15");
	add(&m, 7, 0, 10, -1, 0, "timed out");
	add(&m, 8, 0, 10, 0, 9, "kill -9 again");
	model_stats(&m, &s);
	assert_int_equal(s.failed, 7);
	assert_int_equal(s.ok, 1);
	assert_int_equal(m.ngroups, 5);
	assert_int_equal(m.groups[0].exitval, 1);
	assert_int_equal(m.groups[0].count, 2);
	assert_string_equal(m.groups[0].sample.t.command, "false one");
	assert_int_equal(m.groups[1].exitval, 9);
	assert_int_equal(m.groups[1].count, 1);
	assert_int_equal(m.groups[2].signal, 9);
	assert_int_equal(m.groups[2].count, 2);
	assert_int_equal(m.groups[2].sample.t.seq, 5);
	assert_int_equal(m.groups[3].signal, 15);
	assert_int_equal(m.groups[4].exitval, -1);
	model_free(&m);
}

/* A bounded window: quantiles of the last records, counts of all. */
static void
test_window(void **state)
{
	struct model		m;
	struct model_stats	s;
	int64_t			i;

	(void)state;
	model_init(&m, 4);
	for (i = 1; i <= 1000; i++)
		add(&m, (uint64_t)i, i, i < 997 ? 5000 : 10, 0, 0, NULL);
	model_stats(&m, &s);
	assert_int_equal(s.n, 1000);
	assert_int_equal(s.nwin, 4);
	assert_int_equal(s.median_ns, 10 * MS);	/* the last four */
	assert_int_equal(s.max_ns, 5000 * MS);	/* of all */
	assert_int_equal(s.sum_wall_ns, (996 * 5000 + 40) * MS);
	model_free(&m);
}

/* A straggler: over factor x the median, enough finished, a second run. */
static void
test_straggler(void **state)
{
	(void)state;
	assert_true(model_straggler(3, 2 * S, 7 * S, 3));
	assert_false(model_straggler(3, 2 * S, 6 * S, 3));	/* not over */
	assert_false(model_straggler(2, 2 * S, 60 * S, 3));	/* too few */
	assert_false(model_straggler(3, 2 * S, 60 * S, 0));	/* off */
	assert_true(model_straggler(100, 1 * MS, 1 * S, 3));
	assert_false(model_straggler(100, 1 * MS, 999 * MS, 3)); /* < 1 s */
	assert_true(model_straggler(3, 10 * S, 16 * S, 1.5));
}

/* n tasks of wall and cpu ms each. */
static void
fill(struct model *m, int n, int64_t wall, int64_t cpu)
{
	struct model_task	t;
	int			i;

	for (i = 0; i < n; i++) {
		memset(&t, 0, sizeof t);
		t.seq = (uint64_t)m->n + 1;
		t.start_ns = m->n * S;
		t.wall_ns = wall * MS;
		t.cpu_ns = cpu * MS;
		t.rss_kb = -1;
		model_add(m, &t);
	}
}

static double
rate_at(const struct model_advice *a, int n)
{
	size_t	i;

	for (i = 0; i < a->nsizes; i++)
		if (a->size[i].workers == n)
			return a->size[i].rate;
	fail_msg("no size %d", n);
	return 0;
}

#define near(x, y)	assert_true((x) > (y) * 0.999 && (x) < (y) * 1.001)

/* CPU-bound tasks: they stop scaling at the core count. */
static void
test_advise_cpu(void **state)
{
	struct model		m;
	struct model_advice	a;

	(void)state;
	model_init(&m, 0);
	fill(&m, 2, 1000, 1000);
	assert_false(model_advise(&m, 1, 2, 100, 1000, &a));	/* too few */
	fill(&m, 10, 1000, 1000);
	/* at -j1 on 2 cores: 1 task/s, 2 at 2 workers, no more at 4 */
	assert_true(model_advise(&m, 1, 2, 100, 1000, &a));
	assert_false(a.saturated);
	assert_int_equal(a.nsizes, 5);	/* 1 .. 5 */
	assert_int_equal(a.size[0].workers, 1);
	near(rate_at(&a, 1), 1.0);
	near(rate_at(&a, 2), 2.0);
	near(rate_at(&a, 4), 2.0);
	near(a.size[1].finish_s, 50.0);
	assert_int_equal(a.best, 2);
	assert_int_equal(a.knee, 2);
	model_free(&m);

	/* at -j4 on 2 cores each task takes twice its CPU: saturated */
	model_init(&m, 0);
	fill(&m, 10, 2000, 1000);
	assert_true(model_advise(&m, 4, 2, -1, 6, &a));
	assert_true(a.saturated);
	near(a.busy_cores, 2.0);
	assert_int_equal(a.size[0].workers, 2);
	assert_int_equal(a.nsizes, 5);	/* 2 .. 6: capped by max_workers */
	near(rate_at(&a, 2), 2.0);
	near(rate_at(&a, 4), 2.0);
	assert_true(a.size[0].finish_s == -1);	/* total unknown */
	assert_int_equal(a.best, 2);
	model_free(&m);
}

/* Sleeping tasks scale past the core count. */
static void
test_advise_sleep(void **state)
{
	struct model		m;
	struct model_advice	a;

	(void)state;
	model_init(&m, 0);
	fill(&m, 20, 1000, 1);
	assert_true(model_advise(&m, 2, 2, 60, 4096, &a));
	assert_false(a.saturated);
	near(rate_at(&a, 2), 2.0);
	near(rate_at(&a, 6), 6.0);
	near(a.size[a.nsizes - 1].finish_s, 10.0);
	assert_int_equal(a.best, 6);
	assert_int_equal(a.knee, 1900);
	/* only the last tasks count: they now burn CPU */
	fill(&m, MODEL_ADVISE_LAST, 1000, 1000);
	assert_true(model_advise(&m, 2, 2, 60, 1000, &a));
	assert_int_equal(a.best, 2);
	model_free(&m);
}

/* Memory or I/O pressure over the bound caps the advice at the size now. */
static void
test_advise_pressure(void **state)
{
	struct model		m;
	struct model_advice	a;
	struct buf		b;

	(void)state;
	model_init(&m, 0);
	fill(&m, 20, 1000, 1);		/* sleeping tasks: grow to 6 */
	memset(&b, 0, sizeof b);
	/* none known (no PSI): the advice as it was, nothing said */
	assert_true(model_advise(&m, 2, 2, 60, 4096, &a));
	model_advise_pressure(&a, -1, -1);
	assert_false(a.psi_limited);
	assert_int_equal(a.best, 6);
	model_advice_text(&b, &a);
	model_advice_json(&b, &a);
	buf_add(&b, "", 1);
	assert_null(strstr(b.data, "pressure"));
	/* known, under the bound: said in JSON only, nothing capped */
	buf_free(&b);
	model_advise_pressure(&a, 3.5, 9.9);
	assert_false(a.psi_limited);
	assert_int_equal(a.best, 6);
	assert_int_equal(a.knee, 1900);
	model_advice_text(&b, &a);
	buf_add(&b, "", 1);
	assert_null(strstr(b.data, "pressure"));
	buf_free(&b);
	model_advice_json(&b, &a);
	buf_add(&b, "", 1);
	assert_non_null(strstr(b.data, "\"pressure\":{\"memory\":3.50,"
	    "\"io\":9.90,\"bound\":10,\"limiting\":null},"));
	/* memory at 23%: no size above 2 is better, knee and best are 2 */
	assert_true(model_advise(&m, 2, 2, 60, 4096, &a));
	model_advise_pressure(&a, 23, 12);
	assert_true(a.psi_limited);
	assert_int_equal(a.psi_limit, MODEL_PSI_MEMORY);
	assert_int_equal(a.best, 2);
	assert_int_equal(a.knee, 2);
	near(rate_at(&a, 1), 1.0);	/* below: as before */
	near(rate_at(&a, 6), 2.0);
	near(a.size[a.nsizes - 1].finish_s, 30.0);	/* 60 tasks at 2/s */
	buf_free(&b);
	model_advice_text(&b, &a);
	buf_add(&b, "", 1);
	assert_non_null(strstr(b.data, "more workers stop helping: memory "
	    "pressure 23.0% > 10% (some avg10)"));
	assert_null(strstr(b.data, "past 1900"));
	buf_free(&b);
	model_advice_json(&b, &a);
	buf_add(&b, "", 1);
	assert_non_null(strstr(b.data, "\"best\":2,"));
	assert_non_null(strstr(b.data, "\"knee\":2,"));
	assert_non_null(strstr(b.data, "\"limiting\":\"memory\"}"));
	/* io the higher, memory unknown */
	assert_true(model_advise(&m, 2, 2, 60, 4096, &a));
	model_advise_pressure(&a, -1, 40);
	assert_true(a.psi_limited);
	assert_int_equal(a.psi_limit, MODEL_PSI_IO);
	buf_free(&b);
	model_advice_json(&b, &a);
	buf_add(&b, "", 1);
	assert_non_null(strstr(b.data, "\"memory\":null,\"io\":40.00,"));
	/* a knee under the size now stays */
	model_free(&m);
	model_init(&m, 0);
	fill(&m, 10, 2000, 1000);
	assert_true(model_advise(&m, 4, 2, -1, 6, &a));
	model_advise_pressure(&a, 50, 0);
	assert_int_equal(a.knee, 2);
	assert_int_equal(a.best, 2);
	buf_free(&b);
	model_free(&m);
}

/* -j auto at n workers: k fresh tasks finished at rate tasks a second. */
static int
decide(struct autosize *as, int n, int64_t now, size_t k, double rate,
    const struct model_advice *a, char *why, size_t len)
{
	struct autosize_fresh	f;

	f.n = k;
	f.wall_s = rate > 0 ? (double)n / rate : 0;
	return autosize_decide(as, n, now, &f, a, why, len);
}

/* -j auto: grow on advice, back off from a growth that did not pay. */
static void
test_autosize(void **state)
{
	struct autosize		as;
	struct model_advice	a;
	char			why[160];
	int64_t			t = 100 * S;

	(void)state;
	memset(&as, 0, sizeof as);
	as.on = true;
	as.min = 1;
	as.max = 8;
	autosize_start(&as, t);
	memset(&a, 0, sizeof a);
	a.best = 6;
	a.cores = 2;
	/* too soon, too few fresh tasks (4 at least, n at least): stay */
	assert_int_equal(decide(&as, 2, t + S / 2, 100, 10, &a, why,
	    sizeof why), 2);
	assert_int_equal(decide(&as, 2, t + 3 * S, 3, 10, &a, why,
	    sizeof why), 2);
	assert_int_equal(decide(&as, 6, t + 3 * S, 5, 10, &a, why,
	    sizeof why), 6);
	/* 10 tasks/s at 2, the advice says 6: grow */
	assert_int_equal(decide(&as, 2, t + 3 * S, 30, 10, &a, why,
	    sizeof why), 6);
	assert_non_null(strstr(why, "the advice expects more at 6"));
	/* at 6, 10.2 tasks/s: under 5% more, back to 2, never 6 again */
	t += 3 * S;
	assert_int_equal(decide(&as, 6, t + 5 * S, 51, 10.2, &a, why,
	    sizeof why), 2);
	assert_non_null(strstr(why, "not 1.05x the 10/s of 2"));
	assert_int_equal(as.ceiling, 4);	/* half the way */
	t += 5 * S;
	a.best = 7;
	assert_int_equal(decide(&as, 2, t + 3 * S, 30, 10, &a, why,
	    sizeof why), 3);		/* under the ceiling */
	/* the advice promised 3x from 2 to 6: 1.4x is not enough */
	memset(&as, 0, sizeof as);
	as.on = true;
	as.min = 1;
	as.max = 8;
	autosize_start(&as, 0);
	memset(&a, 0, sizeof a);
	a.best = 6;
	a.nsizes = 2;
	a.size[0].workers = 2;
	a.size[0].rate = 1;
	a.size[1].workers = 6;
	a.size[1].rate = 3;
	a.w0 = 2;		/* the rates above: 1 a second at 2 ... */
	a.knee = 6;
	assert_int_equal(decide(&as, 2, 3 * S, 30, 10, &a, why,
	    sizeof why), 6);
	assert_true(as.need > 1.49 && as.need < 1.51); /* 1 + (3 - 1) / 4 */
	assert_int_equal(decide(&as, 6, 6 * S, 45, 14, &a, why,
	    sizeof why), 2);
	assert_non_null(strstr(why, "not 1.50x the 10/s of 2"));
	/* the best is the last size listed: straight to the knee, or to the
	   maximum when the tasks use no CPU (no knee) */
	memset(&as, 0, sizeof as);
	as.on = true;
	as.min = 1;
	as.max = 32;
	autosize_start(&as, 0);
	a.best = 6;
	a.knee = 20;
	assert_int_equal(decide(&as, 2, 3 * S, 30, 10, &a, why,
	    sizeof why), 20);
	assert_true(as.need > 3.24 && as.need < 3.26); /* 1 + (10 - 1) / 4 */
	autosize_start(&as, 0);
	as.prev_n = 0;
	a.knee = 0;
	assert_int_equal(decide(&as, 2, 3 * S, 30, 10, &a, why,
	    sizeof why), 32);
	a.knee = 6;
	/* saturated cores: no growth; past the knee: shrink to it */
	memset(&as, 0, sizeof as);
	as.on = true;
	as.min = 1;
	as.max = 8;
	autosize_start(&as, 0);
	a.best = 6;
	a.saturated = true;
	assert_int_equal(decide(&as, 3, 3 * S, 30, 10, &a, why,
	    sizeof why), 3);
	a.knee = 2;
	assert_int_equal(decide(&as, 3, 3 * S, 30, 10, &a, why,
	    sizeof why), 2);
	assert_non_null(strstr(why, "cores are busy"));
	/* pressure over the bound: no growth; well over it: one fewer a
	   decision, not under --workers-min */
	memset(&as, 0, sizeof as);
	as.on = true;
	as.min = 2;
	as.max = 8;
	autosize_start(&as, 0);
	memset(&a, 0, sizeof a);
	a.best = 6;
	a.knee = 6;
	a.psi_limited = true;
	a.psi_limit = MODEL_PSI_IO;
	a.psi[MODEL_PSI_IO] = 15;
	assert_int_equal(decide(&as, 3, 3 * S, 30, 10, &a, why,
	    sizeof why), 3);
	assert_string_equal(why, "");
	a.psi[MODEL_PSI_IO] = 25;
	assert_int_equal(decide(&as, 3, 3 * S, 30, 10, &a, why,
	    sizeof why), 2);
	assert_string_equal(why, "io pressure 25.0% >= 20% (some avg10): "
	    "one worker fewer");
	/* it settles first, then at the minimum stays */
	assert_int_equal(decide(&as, 2, 3 * S + S / 2, 30, 10, &a, why,
	    sizeof why), 2);
	assert_int_equal(decide(&as, 2, 6 * S, 30, 10, &a, why,
	    sizeof why), 2);
	/* back under the bound: grows again */
	a.psi_limited = false;
	assert_int_equal(decide(&as, 2, 6 * S, 30, 10, &a, why,
	    sizeof why), 6);
	/* the bounds, and off */
	memset(&as, 0, sizeof as);
	as.on = true;
	as.min = 4;
	as.max = 5;
	autosize_start(&as, 0);
	memset(&a, 0, sizeof a);
	a.best = 9;
	assert_int_equal(decide(&as, 4, 3 * S, 30, 10, &a, why,
	    sizeof why), 5);
	as.on = false;
	assert_int_equal(decide(&as, 5, 30 * S, 300, 10, &a, why,
	    sizeof why), 5);
}

/* model_since: the tasks started at or after a moment, their mean. */
static void
test_since(void **state)
{
	struct model		m;
	struct model_task	t;
	double			w;
	int			i;

	(void)state;
	model_init(&m, 4);
	memset(&t, 0, sizeof t);
	assert_int_equal(model_since(&m, 0, &w), 0);
	assert_true(w == 0);
	for (i = 1; i <= 6; i++) {
		t.seq = (uint64_t)i;
		t.start_ns = i * S;
		t.wall_ns = i * S;
		model_add(&m, &t);
	}
	/* the window keeps tasks 3..6; those started at 5 s or later: 5, 6 */
	assert_int_equal(model_since(&m, 5 * S, &w), 2);
	assert_true(w > 5.49 && w < 5.51);
	assert_int_equal(model_since(&m, 0, &w), 4);
	assert_int_equal(model_since(&m, 7 * S, &w), 0);
	model_free(&m);
}

static int	nscanned;

static void
scanned(void *arg, const struct joblog_entry *e)
{
	struct model_task	t;

	memset(&t, 0, sizeof t);
	t.seq = e->seq;
	t.start_ns = e->start_real_ns;
	t.wall_ns = e->runtime_ns;
	t.cpu_ns = -1;
	t.exitval = e->exitval;
	t.signal = e->signal;
	t.command = e->command;
	if (nscanned == 1) {
		assert_non_null(e->host);
		assert_string_equal(e->host, "box");
		assert_string_equal(e->command, "two\nlines");
	} else
		assert_null(e->host);
	nscanned++;
	model_add(arg, &t);
}

/* GNU parallel's padded columns, a host, a NUL in a command, a cut line. */
static void
test_scan(void **state)
{
	char		 path[] = "/tmp/test_model.XXXXXX", err[256];
	struct model	 m;
	FILE		*f;
	int		 fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd != -1);
	f = fdopen(fd, "w");
	fputs("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\t"
	    "Signal\tCommand\n", f);
	fputs("1\t:\t1700000000.250\t     1.500\t0\t3\t0\t0\techo a\n", f);
	fputs("2\tbox\t1700000000.5\t2\t0\t0\t1\t0\ttwo", f);
	fputc('\0', f);
	fputs("lines\n", f);
	fputs("3\t:\t1700000001.000\t   0.250\t0\t0\t0\t9\tkill\n", f);
	fputs("4\t:\t1700000001", f);	/* cut short: ignored */
	fclose(f);
	model_init(&m, 0);
	nscanned = 0;
	assert_int_equal(joblog_scan(path, scanned, &m, err, sizeof err), 0);
	assert_int_equal(nscanned, 3);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.failed, 2);
	assert_int_equal(m.first_start_ns, 1700000000LL * S + 250 * MS);
	assert_int_equal(m.last_end_ns, 1700000002LL * S + 500 * MS);
	assert_int_equal(m.slow[0].t.wall_ns, 2 * S);
	model_free(&m);

	f = fopen(path, "w");
	fputs("1\t:\t1700000000.250\t1.500\t0\t3\t0\t0\techo a\n", f);
	fputs("2\t:\tsoon\t1.500\t0\t3\t0\t0\techo b\n", f);
	fclose(f);
	model_init(&m, 0);
	assert_int_equal(joblog_scan(path, scanned, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, ":2: not a joblog line"));
	model_free(&m);
	unlink(path);
	assert_int_equal(joblog_scan(path, scanned, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "No such file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_slowest),
		cmocka_unit_test(test_keeps),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_straggler),
		cmocka_unit_test(test_advise_cpu),
		cmocka_unit_test(test_advise_sleep),
		cmocka_unit_test(test_advise_pressure),
		cmocka_unit_test(test_autosize),
		cmocka_unit_test(test_since),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

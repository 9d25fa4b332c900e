/*
 * Tests of admission's pure parts (pool-admit.c): the options' syntax, the
 * decision with its reasons and hysteresis, --memsuspend's and --memfree's
 * rules, --delay and its auto mode; which files a recheck reads and when
 * --memfree auto's footprint is computed (open() and qsort() are wrapped
 * at link time, -Wl,--wrap=open,--wrap=qsort, to count them).
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pool-admit.h"
#include "util.h"

#define MiB	(UINT64_C(1) << 20)

/* Files opened through open() since opened_reset(), by kind. */
static int	opened_meminfo, opened_other;

int	__real_open(const char *, int, ...);
int	__wrap_open(const char *, int, ...);

/* Count what admission reads, then open it. */
int
__wrap_open(const char *path, int flags, ...)
{
	va_list	ap;
	int	mode = 0;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	if (strcmp(path, "/proc/meminfo") == 0 || strstr(path, "/memory.") !=
	    NULL)
		opened_meminfo++;
	else
		opened_other++;
	return __real_open(path, flags, mode);
}

/* Sorts since the test set it to 0. */
static int	sorts;

void	__real_qsort(void *, size_t, size_t, int (*)(const void *,
	    const void *));
void	__wrap_qsort(void *, size_t, size_t, int (*)(const void *,
	    const void *));

/* Count the sorts, then sort. */
void
__wrap_qsort(void *v, size_t n, size_t size, int (*cmp)(const void *,
    const void *))
{
	sorts++;
	__real_qsort(v, n, size, cmp);
}

static void
opened_reset(void)
{
	opened_meminfo = opened_other = 0;
}

/* Sizes: GNU parallel's units, 1024 upper case and 1000 lower case. */
static void
test_size(void **state)
{
	uint64_t	v;
	char		err[256];

	(void)state;
	assert_int_equal(admit_parse_size("500M", &v, err, sizeof err), 0);
	assert_true(v == 500 * MiB);
	assert_int_equal(admit_parse_size("1.5G", &v, err, sizeof err), 0);
	assert_true(v == 1536 * MiB);
	assert_int_equal(admit_parse_size("2k", &v, err, sizeof err), 0);
	assert_true(v == 2000);
	assert_int_equal(admit_parse_size("3m", &v, err, sizeof err), 0);
	assert_true(v == 3000000);
	assert_int_equal(admit_parse_size("4096", &v, err, sizeof err), 0);
	assert_true(v == 4096);
	assert_int_equal(admit_parse_size("1T", &v, err, sizeof err), 0);
	assert_true(v == (UINT64_C(1) << 40));
	assert_int_equal(admit_parse_size("10X", &v, err, sizeof err), -1);
	assert_non_null(strstr(err, "'10X'"));
	assert_int_equal(admit_parse_size("M", &v, err, sizeof err), -1);
	assert_int_equal(admit_parse_size("-5M", &v, err, sizeof err), -1);
	assert_int_equal(admit_parse_size("5MB", &v, err, sizeof err), -1);
	assert_int_equal(admit_parse_size("0", &v, err, sizeof err), -1);
	assert_non_null(strstr(err, "at least 1 byte"));
	assert_int_equal(admit_parse_size("", &v, err, sizeof err), -1);
	assert_int_equal(admit_parse_size("99E", &v, err, sizeof err), -1);
}

/* Durations: seconds, s m h d units added up, "auto" after. */
static void
test_delay(void **state)
{
	double	d;
	bool	a;
	char	err[256];

	(void)state;
	assert_int_equal(admit_parse_delay("0.5", &d, &a, err, sizeof err), 0);
	assert_true(d == 0.5 && !a);
	assert_int_equal(admit_parse_delay("2m30s", &d, &a, err, sizeof err),
	    0);
	assert_true(d == 150 && !a);
	assert_int_equal(admit_parse_delay("1h", &d, &a, err, sizeof err), 0);
	assert_true(d == 3600);
	assert_int_equal(admit_parse_delay("1d2", &d, &a, err, sizeof err), 0);
	assert_true(d == 86402);
	assert_int_equal(admit_parse_delay("13m3sauto", &d, &a, err,
	    sizeof err), 0);
	assert_true(d == 783 && a);
	assert_int_equal(admit_parse_delay("0", &d, &a, err, sizeof err), 0);
	assert_true(d == 0);
	assert_int_equal(admit_parse_delay("auto", &d, &a, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "1sauto"));
	assert_int_equal(admit_parse_delay("", &d, &a, err, sizeof err), -1);
	assert_int_equal(admit_parse_delay("1x", &d, &a, err, sizeof err), -1);
	assert_int_equal(admit_parse_delay("-1", &d, &a, err, sizeof err), -1);
	assert_int_equal(admit_parse_delay("s", &d, &a, err, sizeof err), -1);
	assert_int_equal(admit_parse_delay("400d", &d, &a, err, sizeof err),
	    -1);
}

/* Load: N, N% of the CPUs, +N and -N CPUs; 0 is 0.01. */
static void
test_load(void **state)
{
	double	v;
	char	err[256];

	(void)state;
	assert_int_equal(admit_parse_load("2.5", 4, &v, err, sizeof err), 0);
	assert_true(v == 2.5);
	assert_int_equal(admit_parse_load("50%", 4, &v, err, sizeof err), 0);
	assert_true(v == 2);
	assert_int_equal(admit_parse_load("+1", 4, &v, err, sizeof err), 0);
	assert_true(v == 5);
	assert_int_equal(admit_parse_load("-1", 4, &v, err, sizeof err), 0);
	assert_true(v == 3);
	assert_int_equal(admit_parse_load("0", 4, &v, err, sizeof err), 0);
	assert_true(v == 0.01);
	assert_int_equal(admit_parse_load("-4", 4, &v, err, sizeof err), 0);
	assert_true(v == 0.01);
	assert_int_equal(admit_parse_load("-6", 4, &v, err, sizeof err), -1);
	assert_non_null(strstr(err, "4 CPUs"));
	assert_int_equal(admit_parse_load("x", 4, &v, err, sizeof err), -1);
	assert_int_equal(admit_parse_load("+5%", 4, &v, err, sizeof err), -1);
	assert_int_equal(admit_parse_load("1%%", 4, &v, err, sizeof err), -1);
	assert_int_equal(admit_parse_load("", 4, &v, err, sizeof err), -1);
}

/* Pressure: any of cpu, memory, io, each in (0, 100]. */
static void
test_pressure(void **state)
{
	double	p[ADMIT_PSI_N];
	char	err[256];

	(void)state;
	assert_int_equal(admit_parse_pressure("cpu=20,io=5.5", p, err,
	    sizeof err), 0);
	assert_true(p[ADMIT_PSI_CPU] == 20 && p[ADMIT_PSI_MEMORY] == 0 &&
	    p[ADMIT_PSI_IO] == 5.5);
	assert_int_equal(admit_parse_pressure("memory=10%", p, err,
	    sizeof err), 0);
	assert_true(p[ADMIT_PSI_MEMORY] == 10 && p[ADMIT_PSI_CPU] == 0);
	assert_int_equal(admit_parse_pressure("disk=5", p, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "unknown resource 'disk'"));
	assert_int_equal(admit_parse_pressure("cpu", p, err, sizeof err), -1);
	assert_int_equal(admit_parse_pressure("cpu=0", p, err, sizeof err),
	    -1);
	assert_int_equal(admit_parse_pressure("cpu=101", p, err, sizeof err),
	    -1);
	assert_int_equal(admit_parse_pressure("cpu=5x", p, err, sizeof err),
	    -1);
	assert_int_equal(admit_parse_pressure("", p, err, sizeof err), -1);
}

/* Sizes said back as they parse. */
static void
test_fmt_size(void **state)
{
	char	b[16];

	(void)state;
	admit_fmt_size(b, sizeof b, 310 * MiB);
	assert_string_equal(b, "310M");
	admit_fmt_size(b, sizeof b, 1536 * MiB);
	assert_string_equal(b, "1.5G");
	admit_fmt_size(b, sizeof b, 512);
	assert_string_equal(b, "512");
	admit_fmt_size(b, sizeof b, 1024);
	assert_string_equal(b, "1K");
}

/* A sample with everything read. */
static struct admit_sample
sample(double load, uint64_t mem, double cpu)
{
	struct admit_sample	s;

	memset(&s, 0, sizeof s);
	s.load_ok = s.mem_ok = s.swap_ok = true;
	s.psi_ok[0] = s.psi_ok[1] = s.psi_ok[2] = true;
	s.load1 = load;
	s.mem_avail = mem;
	s.psi[ADMIT_PSI_CPU] = cpu;
	return s;
}

/* Each condition holds with its reason; none holds without options. */
static void
test_decide(void **state)
{
	struct admit_opts	o;
	struct admit_sample	s, prev;
	struct admit_verdict	v;

	(void)state;
	memset(&o, 0, sizeof o);
	s = sample(50, 1, 99);
	admit_decide(&o, &s, NULL, false, &v);
	assert_false(v.hold);
	assert_false(admit_wanted(&o));

	o.load = 2;
	assert_true(admit_wanted(&o));
	s = sample(3.1, 0, 0);
	admit_decide(&o, &s, NULL, false, &v);
	assert_true(v.hold);
	assert_string_equal(v.why, "load 3.10 >= 2");
	s = sample(2, 0, 0);	/* GNU parallel: start only below */
	admit_decide(&o, &s, NULL, false, &v);
	assert_true(v.hold);
	s = sample(1.99, 0, 0);
	admit_decide(&o, &s, NULL, true, &v);
	assert_false(v.hold);
	s.load_ok = false;
	admit_decide(&o, &s, NULL, false, &v);
	assert_true(v.hold);
	assert_string_equal(v.why, "load unknown");

	/* Memory: memfree and memsuspend together, as GNU parallel. */
	memset(&o, 0, sizeof o);
	o.memfree = 300 * MiB;
	o.memsuspend = 200 * MiB;
	s = sample(0, 310 * MiB, 0);
	admit_decide(&o, &s, NULL, false, &v);
	assert_true(v.hold);
	assert_string_equal(v.why, "MemAvailable 310M < 500M");
	s.mem_cgroup = true;
	admit_decide(&o, &s, NULL, false, &v);
	assert_string_equal(v.why, "cgroup memory available 310M < 500M");
	s = sample(0, 500 * MiB, 0);
	admit_decide(&o, &s, NULL, true, &v);
	assert_false(v.hold);

	/* Swap: both in and out between two samples. */
	memset(&o, 0, sizeof o);
	o.noswap = true;
	prev = sample(0, 0, 0);
	s = prev;
	s.swap_in = 10;
	admit_decide(&o, &s, &prev, false, &v);
	assert_false(v.hold);
	s.swap_out = 3;
	admit_decide(&o, &s, &prev, false, &v);
	assert_true(v.hold);
	assert_string_equal(v.why, "swapping: 10 pages in, 3 out");
	admit_decide(&o, &s, NULL, false, &v);	/* no sample before */
	assert_false(v.hold);
}

/* Pressure: above the bound to hold, under 80% of it to resume. */
static void
test_hysteresis(void **state)
{
	struct admit_opts	o;
	struct admit_sample	s;
	struct admit_verdict	v;

	(void)state;
	memset(&o, 0, sizeof o);
	o.pressure[ADMIT_PSI_CPU] = 10;
	s = sample(0, 0, 10);
	admit_decide(&o, &s, NULL, false, &v);
	assert_false(v.hold);			/* at the bound: not above */
	s = sample(0, 0, 12.34);
	admit_decide(&o, &s, NULL, false, &v);
	assert_true(v.hold);
	assert_string_equal(v.why, "cpu pressure 12.3% > 10%");
	s = sample(0, 0, 9);
	admit_decide(&o, &s, NULL, false, &v);
	assert_false(v.hold);			/* not holding: 9 is fine */
	admit_decide(&o, &s, NULL, true, &v);
	assert_true(v.hold);			/* holding: 9 > 8 */
	assert_string_equal(v.why, "cpu pressure 9.0%, resumes below 8%");
	s = sample(0, 0, 8);
	admit_decide(&o, &s, NULL, true, &v);
	assert_false(v.hold);
	s.psi_ok[ADMIT_PSI_CPU] = false;
	admit_decide(&o, &s, NULL, false, &v);
	assert_true(v.hold);
	assert_string_equal(v.why, "cpu pressure unknown");
	/* io's bound is not cpu's. */
	memset(&o, 0, sizeof o);
	o.pressure[ADMIT_PSI_IO] = 5;
	s = sample(0, 0, 90);
	s.psi[ADMIT_PSI_IO] = 6;
	admit_decide(&o, &s, NULL, false, &v);
	assert_string_equal(v.why, "io pressure 6.0% > 5%");
}

/* --memsuspend: GNU parallel's count of tasks kept running. */
static void
test_mem_running(void **state)
{
	uint64_t	m = 100 * MiB;

	(void)state;
	assert_int_equal(admit_mem_running(0, 0, 8, 8), 8);	/* off */
	assert_int_equal(admit_mem_running(m, 50 * MiB, 8, 8), 1);
	assert_int_equal(admit_mem_running(m, 100 * MiB, 8, 8), 2);
	assert_int_equal(admit_mem_running(m, 150 * MiB, 8, 8), 3);
	assert_int_equal(admit_mem_running(m, 175 * MiB, 8, 8), 5);
	assert_int_equal(admit_mem_running(m, 199 * MiB, 8, 1), 8);
	assert_int_equal(admit_mem_running(m, 50 * MiB, 0, 0), 0);
	/* Back over twice the size: one more each time. */
	assert_int_equal(admit_mem_running(m, 200 * MiB, 8, 1), 2);
	assert_int_equal(admit_mem_running(m, 900 * MiB, 8, 7), 8);
	assert_int_equal(admit_mem_running(m, 900 * MiB, 8, 8), 8);
}

/* --memfree: the youngest goes under half the size. */
static void
test_mem_kill(void **state)
{
	struct admit_sample	s = sample(0, 249 * MiB, 0);

	(void)state;
	assert_true(admit_mem_kill(500 * MiB, &s));
	s.mem_avail = 250 * MiB;
	assert_false(admit_mem_kill(500 * MiB, &s));
	assert_false(admit_mem_kill(0, &s));
	s.mem_avail = 0;
	s.mem_ok = false;
	assert_false(admit_mem_kill(500 * MiB, &s));
}

/* --delay: no start before the delay; auto adapts it as GNU parallel. */
static void
test_delay_gate(void **state)
{
	struct admit_opts	 o;
	struct admit		*a;
	char			 err[256];
	int64_t			 at;

	(void)state;
	memset(&o, 0, sizeof o);
	o.delay = 2;
	o.delay_auto = true;
	a = admit_new(&o, err, sizeof err);
	assert_non_null(a);
	assert_true(admit_may_start(a, PT_NSEC, &at));
	admit_started(a, PT_NSEC);
	assert_false(admit_may_start(a, 2 * PT_NSEC, &at));
	assert_true(at == 3 * PT_NSEC);
	assert_true(admit_may_start(a, 3 * PT_NSEC, &at));
	assert_true(at == 0);
	admit_ended(a, false);
	assert_true(admit_delay(a) > 2.59 && admit_delay(a) < 2.61);
	admit_ended(a, true);
	assert_true(admit_delay(a) > 2.33 && admit_delay(a) < 2.35);
	assert_int_equal(admit_sample(a, 4 * PT_NSEC), 0);
	assert_false(admit_holding(a));
	admit_free(a);

	/* No option: always, and a NULL admission too. */
	memset(&o, 0, sizeof o);
	a = admit_new(&o, err, sizeof err);
	admit_started(a, PT_NSEC);
	assert_true(admit_may_start(a, PT_NSEC, &at));
	admit_free(a);
	assert_true(admit_may_start(NULL, PT_NSEC, &at));
}

/*
 * --memfree auto: nearest-rank percentile, the footprint's decision; the
 * footprint computed from the peaks only when asked, and kept until a
 * new peak arrives.
 */
static void
test_footprint(void **state)
{
	uint64_t		v[10] = { 9, 1, 8, 2, 7, 3, 6, 4, 5, 10 };
	uint64_t		one[1] = { 42 };
	struct admit_sample	s;
	struct admit_verdict	vd;
	struct admit_opts	o;
	struct admit		*a;
	char			err[256];
	int			i;

	(void)state;
	assert_true(admit_percentile(v, 10, 90) == 9);
	assert_true(admit_percentile(v, 10, 100) == 10);
	assert_true(admit_percentile(v, 10, 50) == 5);
	assert_true(admit_percentile(one, 1, 90) == 42);
	assert_true(admit_percentile(v, 0, 90) == 0);

	memset(&s, 0, sizeof s);
	s.mem_ok = true;
	s.mem_avail = 1000 * MiB;
	/* No footprint yet: the first task starts, then one at a time. */
	memset(&vd, 0, sizeof vd);
	admit_fp_decide(0, 0, 0, 0, &s, &vd);
	assert_false(vd.hold);
	admit_fp_decide(0, 0, 1, 0, &s, &vd);
	assert_true(vd.hold);
	assert_non_null(strstr(vd.why, "one task at a time"));
	/* 400M each: two just started still take 800M; a third waits. */
	memset(&vd, 0, sizeof vd);
	admit_fp_decide(400 * MiB, 0, 0, 0, &s, &vd);
	assert_false(vd.hold);
	admit_fp_decide(400 * MiB, 400 * MiB, 1, 0, &s, &vd);
	assert_false(vd.hold);
	admit_fp_decide(400 * MiB, 800 * MiB, 2, 0, &s, &vd);
	assert_true(vd.hold);
	assert_string_equal(vd.why, "MemAvailable 1000M < 1.2G (footprint "
	    "400M, 800M more for 2 running)");
	/* --memsuspend adds to what must stay free. */
	memset(&vd, 0, sizeof vd);
	admit_fp_decide(400 * MiB, 0, 1, 700 * MiB, &s, &vd);
	assert_true(vd.hold);
	/* Memory not read: hold, say so. */
	memset(&vd, 0, sizeof vd);
	s.mem_ok = false;
	admit_fp_decide(400 * MiB, 0, 0, 0, &s, &vd);
	assert_true(vd.hold);
	assert_string_equal(vd.why, "memory available unknown");

	/* The footprint: none until a peak; no sort as tasks end. */
	memset(&o, 0, sizeof o);
	o.memfree_auto = true;
	a = admit_new(&o, err, sizeof err);
	assert_non_null(a);
	sorts = 0;
	assert_true(admit_fp(a) == 0);
	for (i = 1; i <= 10; i++)
		admit_fp_add(a, (uint64_t)i * MiB);
	assert_int_equal(sorts, 0);
	/* Asked: p90 of 1M..10M is 9M, times the margin; then cached. */
	assert_true(admit_fp(a) == (uint64_t)(9 * MiB * ADMIT_FP_MARGIN));
	assert_int_equal(sorts, 1);
	assert_true(admit_fp(a) == (uint64_t)(9 * MiB * ADMIT_FP_MARGIN));
	assert_int_equal(sorts, 1);
	/* An unknown peak is not kept: the cache stands. */
	admit_fp_add(a, 0);
	assert_true(admit_fp(a) == (uint64_t)(9 * MiB * ADMIT_FP_MARGIN));
	assert_int_equal(sorts, 1);
	/* A new peak: computed again, at the next question only. */
	admit_fp_add(a, 100 * MiB);
	assert_int_equal(sorts, 1);
	assert_true(admit_fp(a) == (uint64_t)(10 * MiB * ADMIT_FP_MARGIN));
	assert_int_equal(sorts, 2);
	/* Admission's own decision asks for it (a sample). */
	admit_fp_add(a, 100 * MiB);
	(void)admit_sample(a, 2 * PT_NSEC);
	assert_int_equal(sorts, 3);
	(void)admit_sample(a, 3 * PT_NSEC);
	assert_int_equal(sorts, 3);
	/* The last ADMIT_FP_N peaks only: the large ones age out. */
	for (i = 0; i < ADMIT_FP_N; i++)
		admit_fp_add(a, 2 * MiB);
	assert_int_equal(sorts, 3);
	assert_true(admit_fp(a) == (uint64_t)(2 * MiB * ADMIT_FP_MARGIN));
	assert_int_equal(sorts, 4);
	admit_free(a);
	assert_true(admit_fp(NULL) == 0);
}

/*
 * A recheck before a start reads memory alone: not the load, swap or
 * pressure the options watch too, which only the sample reads.
 */
static void
test_recheck_reads(void **state)
{
	struct admit_opts	 o;
	struct admit		*a;
	char			 err[256];

	(void)state;
	memset(&o, 0, sizeof o);
	o.memfree_auto = true;
	o.load = 1000;
	o.noswap = true;
	a = admit_new(&o, err, sizeof err);
	assert_non_null(a);
	opened_reset();
	assert_int_equal(admit_sample(a, 2 * PT_NSEC), 0);
	assert_true(opened_meminfo >= 1);
	assert_int_equal(opened_other, 2);	/* loadavg, vmstat */
	opened_reset();
	(void)admit_recheck(a, 3 * PT_NSEC);
	assert_true(opened_meminfo >= 1);
	assert_int_equal(opened_other, 0);
	assert_true(admit_last(a)->mem_ok);
	assert_true(admit_last(a)->load_ok);	/* as sampled */
	admit_free(a);

	/* Without --memfree auto, a recheck reads nothing. */
	o.memfree_auto = false;
	o.memfree = 1;
	a = admit_new(&o, err, sizeof err);
	assert_non_null(a);
	opened_reset();
	assert_int_equal(admit_recheck(a, 3 * PT_NSEC), 0);
	assert_int_equal(opened_meminfo + opened_other, 0);
	admit_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_pressure),
		cmocka_unit_test(test_fmt_size),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_mem_running),
		cmocka_unit_test(test_mem_kill),
		cmocka_unit_test(test_footprint),
		cmocka_unit_test(test_delay_gate),
		cmocka_unit_test(test_recheck_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

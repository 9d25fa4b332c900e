/* -j auto's decisions (pool-auto.h); pool.c applies them. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pool-auto.h"
#include "pool-model.h"

void
autosize_start(struct autosize *as, int64_t now_ns)
{
	as->since_ns = now_ns;
}

/* Clamp n to the bounds, and under a size that did not pay. */
static int
autosize_clamp(const struct autosize *as, int n)
{
	if (as->ceiling > 0 && n >= as->ceiling)
		n = as->ceiling - 1;
	if (n > as->max)
		n = as->max;
	if (n < as->min)
		n = as->min;
	return n;
}

/* Go from n to to: remember what n measured, and what to should gain. */
static int
autosize_move(struct autosize *as, int n, int to, double rate, int64_t now,
    const struct model_advice *a)
{
	double	from_r = model_advice_rate(a, n);
	double	to_r = model_advice_rate(a, to);

	if (to == n)
		return n;
	as->prev_n = n;
	as->prev_rate = rate;
	/*
	 * A quarter of the gain the advice promised, and 5% at least: the
	 * model knows the cores, not what else runs on them, so a growth on
	 * a machine others share may pay less than promised and still pay.
	 */
	as->need = AUTO_GAIN;
	if (from_r > 0 && to_r > from_r && 1 + (to_r / from_r - 1) / 4 >
	    as->need)
		as->need = 1 + (to_r / from_r - 1) / 4;
	autosize_start(as, now);
	return to;
}

int
autosize_decide(struct autosize *as, int n, int64_t now,
    const struct autosize_fresh *f, const struct model_advice *a, char *why,
    size_t len)
{
	double		rate, psi;
	int		to;

	why[0] = '\0';
	if (!as->on || now - as->since_ns < AUTO_SETTLE_NS ||
	    f->n < (size_t)(n < 4 ? 4 : n) || f->wall_s <= 0)
		return n;
	rate = (double)n / f->wall_s;	/* Little's law: all n busy */
	if (as->prev_n > 0 && as->prev_n < n &&
	    rate < (as->need > AUTO_GAIN ? as->need : AUTO_GAIN) *
	    as->prev_rate) {
		snprintf(why, len, "%d workers finished %.3g tasks/s, not "
		    "%.2fx the %.3g/s of %d", n, rate, as->need > AUTO_GAIN ?
		    as->need : AUTO_GAIN, as->prev_rate, as->prev_n);
		/* Halve the step: the next growth tries at most half as far. */
		as->ceiling = as->prev_n + ((n - as->prev_n) / 2 > 1 ?
		    (n - as->prev_n) / 2 : 1);
		to = autosize_clamp(as, as->prev_n);
		as->prev_n = 0;		/* a known size: nothing to compare */
		autosize_start(as, now);
		return to;
	}
	if (a == NULL)
		return n;
	/*
	 * The advice lists a few sizes around n only; its model gains up to
	 * the knee (to the largest size allowed when the tasks use no CPU),
	 * so go there in one step rather than four workers a turn: a pool of
	 * sleeping tasks reaches its size in one settle time, not several.
	 */
	to = a->best;
	if (a->nsizes > 0 && to == a->size[a->nsizes - 1].workers)
		to = a->knee > 0 ? a->knee : as->max;
	if (a->knee > 0 && to > a->knee)
		to = a->knee;
	if (to > n && a->saturated)
		to = n;		/* the cores are busy: no growth */
	if (a->psi_limited) {
		/*
		 * Tasks wait for memory or the disk: no growth, and while
		 * they wait well past the bound, one worker fewer a decision
		 * (avg10 lags by seconds: one at a time, each size settling,
		 * so as not to overshoot).
		 */
		psi = a->psi[a->psi_limit];
		if (psi >= MODEL_PSI_SHRINK * MODEL_PSI_BOUND && n > as->min) {
			snprintf(why, len, "%s pressure %.1f%% >= %g%% (some "
			    "avg10): one worker fewer",
			    model_psi_name(a->psi_limit), psi,
			    MODEL_PSI_SHRINK * MODEL_PSI_BOUND);
			return autosize_move(as, n, n - 1, rate, now, a);
		}
		if (to > n)
			to = n;
	}
	to = autosize_clamp(as, to);
	if (to > n) {
		snprintf(why, len, "%.3g tasks/s at %d, the advice expects more"
		    " at %d", rate, n, to);
		return autosize_move(as, n, to, rate, now, a);
	}
	if (to < n && a->knee > 0 && n > a->knee) {
		snprintf(why, len, "the %d cores are busy at %d workers (%.3gs "
		    "CPU a task)", a->cores, to, a->task_cpu_s);
		return autosize_move(as, n, to, rate, now, a);
	}
	return n;
}

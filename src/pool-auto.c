/* -j auto's decisions (pool-auto.h); pool.c applies them. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pool-auto.h"
#include "pool-model.h"

void
autosize_start(struct autosize *as, int64_t now_ns, uint64_t finished)
{
	as->since_ns = now_ns;
	as->since_fin = finished;
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

/* Go from n to to: remember what n measured. */
static int
autosize_move(struct autosize *as, int n, int to, double rate, int64_t now,
    uint64_t finished)
{
	if (to == n)
		return n;
	as->prev_n = n;
	as->prev_rate = rate;
	autosize_start(as, now, finished);
	return to;
}

int
autosize_decide(struct autosize *as, int n, int64_t now, uint64_t finished,
    const struct model_advice *a, char *why, size_t len)
{
	uint64_t	done = finished - as->since_fin;
	double		rate;
	int		to;

	why[0] = '\0';
	if (!as->on || now - as->since_ns < AUTO_SETTLE_NS ||
	    done < (uint64_t)(2 * n < 4 ? 4 : 2 * n))
		return n;
	rate = (double)done * 1e9 / (double)(now - as->since_ns);
	if (as->prev_n > 0 && as->prev_n < n &&
	    rate < AUTO_GAIN * as->prev_rate) {
		snprintf(why, len, "%d workers finished %.3g tasks/s, no more "
		    "than %d did (%.3g/s)", n, rate, as->prev_n,
		    as->prev_rate);
		as->ceiling = n;
		to = autosize_clamp(as, as->prev_n);
		as->prev_n = 0;		/* a known size: nothing to compare */
		autosize_start(as, now, finished);
		return to;
	}
	if (a == NULL)
		return n;
	to = a->best;
	if (a->knee > 0 && to > a->knee)
		to = a->knee;
	if (to > n && a->saturated)
		to = n;		/* the cores are busy: no growth */
	to = autosize_clamp(as, to);
	if (to > n) {
		snprintf(why, len, "%.3g tasks/s at %d, the advice expects more"
		    " at %d", rate, n, to);
		return autosize_move(as, n, to, rate, now, finished);
	}
	if (to < n && a->knee > 0 && n > a->knee) {
		snprintf(why, len, "the %d cores are busy at %d workers (%.3gs "
		    "CPU a task)", a->cores, to, a->task_cpu_s);
		return autosize_move(as, n, to, rate, now, finished);
	}
	return n;
}

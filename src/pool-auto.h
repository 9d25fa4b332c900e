/*
 * -j auto: the pool sizes itself with the what-if advisor (pool-model.h).
 * Every second, once the current size has run long enough to measure
 * (a second, and as many tasks started at this size and finished as it has
 * workers, at least 4), it measures this size's throughput by Little's
 * law, workers over the mean wall time of those tasks (not the tasks
 * finished since the change, which counts the tasks the size before
 * started and so lags a growth), and looks at it and at the advice:
 *  - a size it grew to that did not gain a quarter of what the advice
 *    promised over the size before (and 5% at least): back to that one,
 *    and no growth again to half the way there or beyond (so the sizes
 *    tried close in on the best);
 *  - else the advice's best size, no larger than the knee (where the
 *    cores are busy) nor while the cores are saturated (pressure): grow;
 *    when the best is the largest size the advice lists, straight to
 *    the knee (the largest size allowed if the tasks use no CPU);
 *  - more workers than the knee: shrink to it;
 *  - memory or I/O pressure over MODEL_PSI_BOUND (the advice's psi_limited):
 *    no growth; over MODEL_PSI_SHRINK times it, one worker fewer.
 * Always within --workers-min and --workers-max.  A resize by hand ends
 * auto mode (ctl resize auto starts it again).
 */
#ifndef PT_POOL_AUTO_H
#define PT_POOL_AUTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTO_SETTLE_NS	1000000000LL	/* a size runs this long at least */
#define AUTO_GAIN	1.05		/* a growth must gain 5% */

struct model_advice;

struct autosize {
	bool		 on;
	int		 min, max;
	int		 prev_n;	/* the size before the last change */
	double		 prev_rate;	/* what it measured, tasks a second */
	double		 need;		/* the gain the size now must show */
	int		 ceiling;	/* stay under it (a growth that did not
					   pay); 0: none */
	int64_t		 since_ns;	/* the last change, mono ns */
};

/* The tasks started since the last change that have finished. */
struct autosize_fresh {
	size_t		 n;
	double		 wall_s;	/* their mean wall time */
};

/* Start (or restart) measuring at this moment. */
void	autosize_start(struct autosize *, int64_t now_ns);
/*
 * The size to go to from n (n: stay), with why in why, given what the
 * tasks started at this size measured and the advice (NULL: none yet).
 */
int	autosize_decide(struct autosize *, int n, int64_t now_ns,
	    const struct autosize_fresh *, const struct model_advice *,
	    char *why, size_t whylen);

#endif

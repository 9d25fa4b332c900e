/*
 * The event log as a front end, beside the dashboard: it writes a line
 * (log.h: text or JSON) for every event the pool records, and while the
 * pool runs headless a progress line every --progress-interval, from the
 * pool's statistics.  It owns the log (--log FILE, else stderr) and plugs
 * into the process's loop and the pool's event hooks; the pool only knows
 * that a hook writes to stderr (then it does not say warnings there a
 * second time).  A log that cannot be written stops the pool
 * (pool_log_failed(): exit 255, said where the user may see it).
 */
#ifndef PT_POOL_LOGGER_H
#define PT_POOL_LOGGER_H

#include "opts.h"

struct logger;
struct loop;
struct pool;

/*
 * Open the log the options ask for: --log, or stderr when headless and
 * not quiet.  0 with *lp NULL when there is none; -1 and err if it cannot
 * be opened.
 */
int	logger_open(struct logger **lp, const struct opts *, char *err,
	    size_t errlen);
/* Log the pool's events and, headless, its progress from the loop. */
void	logger_plug(struct logger *, struct loop *, struct pool *);
void	logger_close(struct logger *);

#endif

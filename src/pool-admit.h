/*
 * Admission: the supervisor's one answer to "may a task start now?", with
 * its reason.
 *
 * Fed by --delay, --load, --memfree, --memsuspend, --noswap and
 * --max-pressure (struct admit_opts, in opts.h).  The pool size is the
 * pool's own business (a free worker); this module says whether the
 * machine lets a free worker take a task.
 *
 * What is read, every ADMIT_SAMPLE_MS (admit_sample()):
 *  - the 1-minute load average, /proc/loadavg;
 *  - memory available: MemAvailable of /proc/meminfo, or, when the pool
 *    runs in a memory cgroup with a limit (v1 memory.limit_in_bytes, v2
 *    memory.max, the lowest of the cgroup and its ancestors), that limit
 *    minus the usage not reclaimable (usage less inactive file pages), if
 *    lower;
 *  - swap in and out, pswpin and pswpout of /proc/vmstat, between samples;
 *  - the PSI "some avg10" of /proc/pressure/{cpu,memory,io}, or of the
 *    pool's cgroup when it is a cgroup v2 one with those files.
 *
 * The decision (admit_decide()) is pure, for tests: hold while
 * load >= MAX (as GNU parallel: start only below), memory available
 * < memfree + memsuspend (GNU parallel's limit), swap in and swap out both
 * moved, or a pressure is above its bound.  Once holding, a pressure must
 * fall to ADMIT_PSI_RESUME of its bound before starts resume (hysteresis:
 * avg10 moves in small steps around the bound); load and memory resume as
 * soon as they are back on the right side, as in GNU parallel.
 *
 * --memfree auto learns the footprint instead: the ADMIT_FP_PCT percentile
 * of the peak RSS of the last ADMIT_FP_N tasks that ended on their own
 * (the worker's samples, or getrusage's ru_maxrss if higher), times
 * ADMIT_FP_MARGIN.  A task starts only while memory available exceeds the
 * footprint plus what the running tasks may still take (each, the
 * footprint less its own peak so far): tasks that have just started and
 * not yet grown are counted at their full size, so free workers cannot
 * start many at once on memory that is promised.  Until a task has ended
 * there is no footprint: one task runs at a time.  Since the running
 * tasks change between samples, the pool asks again before each start
 * (admit_recheck(), memory read afresh).  Auto never ends a task: it only
 * holds starts.
 *
 * Below that: --memfree kills the youngest task (to be run again) when
 * memory available falls below half of memfree; --memsuspend keeps only
 * the oldest tasks running while memory available is below twice its size
 * (admit_mem_running(), GNU parallel's rule), resuming one per sample once
 * memory is back over twice the size.
 */
#ifndef PT_POOL_ADMIT_H
#define PT_POOL_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opts.h"
#include "shm.h"

#define ADMIT_SAMPLE_MS		500	/* how often the machine is read */
#define ADMIT_PSI_RESUME	0.8	/* of the bound, to resume */
#define ADMIT_DELAY_UP		1.3	/* --delay auto: after a failure */
#define ADMIT_DELAY_DOWN	0.9	/* ... after a success */
#define ADMIT_FP_N		256	/* --memfree auto: peaks kept */
#define ADMIT_FP_PCT		90	/* ... the percentile taken */
#define ADMIT_FP_MARGIN		1.25	/* ... times this */

enum admit_psi { ADMIT_PSI_CPU = 0, ADMIT_PSI_MEMORY, ADMIT_PSI_IO,
	ADMIT_PSI_N };

/* One reading of the machine; a field not read has its _ok false. */
struct admit_sample {
	int64_t		at_ns;		/* mono */
	bool		load_ok;
	double		load1;
	bool		mem_ok;
	uint64_t	mem_avail;	/* bytes */
	bool		mem_cgroup;	/* from the pool's memory cgroup */
	bool		swap_ok;
	uint64_t	swap_in, swap_out;	/* pages, since boot */
	bool		psi_ok[ADMIT_PSI_N];
	double		psi[ADMIT_PSI_N];	/* some avg10, percent */
};

/* The answer, with its reason ("load 3.1 >= 2"). */
struct admit_verdict {
	bool		hold;
	char		why[PT_ADMIT_WHY];
};

/*
 * Parse the options' arguments (for opts.c); 0, or -1 with the reason in
 * err.  Sizes as GNU parallel: a number with an optional suffix K M G T P
 * (powers of 1024) or k m g t p (powers of 1000).  Durations: seconds,
 * with an optional suffix s m h d, and for --delay an optional "auto".
 * Load: N, N% of the online CPUs, or +N / -N CPUs; 0 means 0.01.
 * Pressure: "cpu=P,memory=P,io=P", any of them, P in (0, 100].
 */
int	admit_parse_size(const char *, uint64_t *, char *err, size_t);
int	admit_parse_delay(const char *, double *secs, bool *autod, char *err,
	    size_t);
int	admit_parse_load(const char *, long ncpu, double *, char *err, size_t);
int	admit_parse_pressure(const char *, double psi[ADMIT_PSI_N], char *err,
	    size_t);
/* Format bytes as "310M" (1024-based, as the sizes parse). */
void	admit_fmt_size(char *, size_t, uint64_t);

/* "MemAvailable 310M < 500M" (or the cgroup's) into buf. */
void	admit_why_mem(const struct admit_sample *, uint64_t bound, char *,
	    size_t);

/* Is any admission option set? */
bool	admit_wanted(const struct admit_opts *);

/*
 * The decision from one sample; hysteresis from whether it held before.
 * prev: the sample before (for swap), or NULL.
 */
void	admit_decide(const struct admit_opts *, const struct admit_sample *,
	    const struct admit_sample *prev, bool holding,
	    struct admit_verdict *);
/*
 * --memsuspend: how many of n running tasks, oldest first, may run with
 * mem_avail available; n when none need be suspended.  running: how many
 * run now (a task is resumed one per sample when memory is back).
 */
int	admit_mem_running(uint64_t memsuspend, uint64_t mem_avail, int n,
	    int running);
/*
 * --memfree auto, the decision: fp the footprint (0: none known yet),
 * reserve what the running tasks may still take, running how many run.
 * Holds with the reason in v, else leaves v as it is.
 */
void	admit_fp_decide(uint64_t fp, uint64_t reserve, int running,
	    uint64_t memsuspend, const struct admit_sample *,
	    struct admit_verdict *);
/* The pct percentile of v[0..n) (v is reordered); 0 when n is 0. */
uint64_t admit_percentile(uint64_t *v, size_t n, int pct);
/* --memfree: is memory so low that the youngest task must go? */
bool	admit_mem_kill(uint64_t memfree, const struct admit_sample *);

struct admit;

/*
 * The admission of one pool.  NULL with the reason in err when an option
 * cannot be honoured here (no PSI: the kernel or /proc/pressure missing).
 * With no option set, every call says yes.
 */
struct admit	*admit_new(const struct admit_opts *, char *err, size_t);
void		 admit_free(struct admit *);

/*
 * Read the machine and decide again.  Returns 1 when admission just
 * started holding, -1 when it just opened again, 0 otherwise; the reason
 * is admit_why(), the time it held admit_held_ns().
 */
int		 admit_sample(struct admit *, int64_t now_ns);
bool		 admit_holding(const struct admit *);
const char	*admit_why(const struct admit *);
const struct admit_sample *admit_last(const struct admit *);
/*
 * The pressure of resource i (an admit_psi) now, some avg10 in percent,
 * whatever the options (the what-if advice and -j auto read it): the last
 * sample's when --max-pressure read it, else the file read afresh at most
 * every ADMIT_SAMPLE_MS.  False when the kernel gives none (or a NULL
 * admission).
 */
bool		 admit_psi(struct admit *, int64_t now_ns, int i, double *);
/* Time held in all, up to now (the current hold too). */
int64_t		 admit_held_ns(const struct admit *, int64_t now_ns);
/* Time the current (or last) hold lasted. */
int64_t		 admit_hold_ns(const struct admit *, int64_t now_ns);

/*
 * May a task start at now?  If not only because of --delay, *at is the
 * time it may (else 0).  admit_may_start(), admit_started() and
 * admit_ended() take a NULL admission (a pool not set up): always yes.
 */
bool		 admit_may_start(struct admit *, int64_t now_ns, int64_t *at);
void		 admit_started(struct admit *, int64_t now_ns);
/* Are starts paced by --delay (one at a time, then the delay)? */
bool		 admit_paced(const struct admit *);
/*
 * --memfree auto: a task that ended on its own peaked at peak bytes (0:
 * unknown, not kept); the footprint learned (0: none yet), computed when
 * asked and kept until the next peak; the running tasks' state, given
 * before each sample and each start.
 */
void		 admit_fp_add(struct admit *, uint64_t peak);
uint64_t	 admit_fp(struct admit *);
void		 admit_fp_running(struct admit *, uint64_t reserve,
		    int running);
/*
 * Decide again before a start, with memory read afresh and nothing else
 * read (--memfree auto; without it, nothing is read and 0 returned).
 * Returns as admit_sample().
 */
int		 admit_recheck(struct admit *, int64_t now_ns);
/* A task ended: --delay auto adapts. */
void		 admit_ended(struct admit *, bool ok);
double		 admit_delay(const struct admit *);

/*
 * The count of OOM kills the pool can see: its memory cgroup's (v1
 * memory.oom_control, v2 memory.events "oom_kill"), or the machine's
 * (/proc/vmstat "oom_kill") when it runs in none; false if unknown.  A
 * task that died of SIGKILL no one in the pool sent while it rose was
 * OOM-killed.
 */
bool		 admit_oom_kills(const struct admit *, uint64_t *);

/* Fill the header's admission fields (state given by the pool). */
void		 admit_publish(const struct admit *, uint32_t state,
		    uint32_t suspended, const char *why, int64_t now_ns,
		    struct pt_shm_header *);

#endif

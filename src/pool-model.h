/*
 * What a pool's finished tasks measured: one record per task as it ends
 * (wall and CPU time, peak memory when known, exit status or signal), and
 * what is computed from them: counts, the runtime distribution (median,
 * 90th percentile, maximum), the slowest tasks, the failures grouped by
 * exit status or signal, the run's span and its effective parallelism
 * (the sum of the runtimes over the span).
 *
 * The supervisor feeds it from each task's end; `pooltop report` feeds it
 * from a joblog.  Memory stays bounded: the counts, sums, span, slowest
 * tasks and failure groups are kept exactly as tasks are added, while the
 * distribution is computed over the last `keep` records (all of them when
 * keep is 0), so a pool of millions of tasks keeps a window of its recent
 * tasks, not a record per task.
 */
#ifndef PT_POOL_MODEL_H
#define PT_POOL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_SLOWEST	10	/* the slowest tasks kept, longest first */
#define MODEL_KEEP	4096	/* the window a pool keeps */

/* One finished task. */
struct model_task {
	uint64_t	 seq;
	int64_t		 start_ns;	/* wall clock, ns since the epoch */
	int64_t		 wall_ns;
	int64_t		 cpu_ns;	/* user + system; -1 unknown */
	int64_t		 rss_kb;	/* peak resident set; -1 unknown */
	int		 exitval;	/* -1: timed out (as in the joblog) */
	int		 signal;
	const char	*command;	/* NULL: none; copied where kept */
};

/* A kept task: the slowest ones and the failure groups' samples. */
struct model_kept {
	struct model_task	 t;
	char			*command;	/* t.command, owned */
};

/* Failed tasks of one exit status (signal 0) or one signal. */
struct model_failgroup {
	int			 exitval;
	int			 signal;
	size_t			 count;
	struct model_kept	 sample;	/* the first one */
};

struct model {
	size_t			 keep;		/* 0: every record */
	struct model_task	*win;		/* ring of the last records */
	size_t			 nwin, capwin, head;
	size_t			 n, failed;
	bool			 cpu_known;	/* every task's cpu_ns known */
	bool			 rss_known;	/* some task's rss_kb known */
	int64_t			 sum_wall_ns, sum_cpu_ns, max_rss_kb;
	int64_t			 first_start_ns, last_end_ns;
	struct model_kept	 slow[MODEL_SLOWEST];
	size_t			 nslow;
	struct model_failgroup	*groups;	/* in order of first failure */
	size_t			 ngroups;
};

/* What model_stats() computes. */
struct model_stats {
	size_t		 n, ok, failed;
	int64_t		 median_ns, p90_ns, max_ns;	/* over the window */
	size_t		 nwin;				/* its size */
	int64_t		 sum_wall_ns;
	int64_t		 sum_cpu_ns;	/* -1 unless every task's is known */
	int64_t		 max_rss_kb;	/* -1 unknown */
	int64_t		 first_start_ns, span_ns;	/* 0 with no task */
	double		 parallelism;	/* sum of runtimes / span; 0: none */
	double		 cpu_per_wall;	/* sum cpu / sum wall; -1 unknown */
};

void	model_init(struct model *, size_t keep);
/* Record a finished task (its command is copied where it is kept). */
void	model_add(struct model *, const struct model_task *);
/*
 * Would model_add() keep t's command (t among the slowest so far, or the
 * first of its failure group)?  A caller that makes commands on demand
 * makes one only then.
 */
bool	model_keeps(const struct model *, const struct model_task *);
void	model_stats(const struct model *, struct model_stats *);
/* The value at fraction q (0..1) of the window's runtimes; 0 when empty. */
int64_t	model_quantile(const struct model *, double q);
/* Back to empty; frees what the model holds. */
void	model_free(struct model *);

/*
 * Stragglers.  A running task is one when it has run more than factor
 * times the median runtime of the finished tasks (the window's), once at
 * least MODEL_STRAGGLER_MIN tasks have finished, and for at least
 * MODEL_STRAGGLER_NS whatever the median (so a pool of tasks of a few
 * milliseconds does not flag every hiccup).  factor 0: never.
 */
#define MODEL_STRAGGLER_MIN	3
#define MODEL_STRAGGLER_NS	1000000000LL
bool	model_straggler(size_t nfinished, int64_t median_ns, int64_t elapsed_ns,
	    double factor);

/*
 * The what-if advisor: the finish time at other pool sizes, from what the
 * last MODEL_ADVISE_LAST finished tasks measured at the current size N:
 * their mean wall time W and CPU time C.  The cores busy now are
 * B = N C / W (each running task keeps C / W of a core busy).  Each worker
 * finishes 1 / W0 tasks a second, W0 being W, or, when the cores are
 * saturated (B >= 85% of them) with more workers than cores, W K / N, the
 * time a task would take with a core of its own; the cores finish at most
 * K / C tasks a second.  So at n workers the pool finishes
 * X(n) = min(n / W0, K / C) tasks a second, and the R tasks left take
 * R / X(n).  Sleeping or I/O-bound tasks (C near 0) scale with n; CPU-bound
 * ones stop at the core count.  The knee is the fewest workers that
 * reach 95% of K / C; the best size shown is the smallest one no other
 * beats by more than 5%.
 * Limits: it knows the cores of this machine only, not what else runs on
 * them; tasks are taken as alike, and the time left of running tasks is
 * not counted.  Memory and I/O it knows only through their pressure,
 * given afterwards (model_advise_pressure()).
 */
#define MODEL_ADVISE_MIN	3	/* finished tasks before any advice */
#define MODEL_ADVISE_LAST	64	/* the tasks measured */
#define MODEL_ADVISE_BELOW	2	/* sizes shown: N-2 ... */
#define MODEL_ADVISE_ABOVE	4	/* ... N+4 */
#define MODEL_ADVISE_SIZES	(MODEL_ADVISE_BELOW + 1 + MODEL_ADVISE_ABOVE)

/*
 * Memory and I/O pressure: the PSI "some avg10" of the pool's cgroup or of
 * the machine, the share of the last 10 seconds in which some task waited
 * for memory (reclaim, swap-in, refaults) or for I/O.  Above
 * MODEL_PSI_BOUND percent, more workers stop helping: the tasks already
 * wait for memory or the disk a tenth of the time, and each worker more
 * waits too and makes the others wait longer; the bound is low enough to
 * act before the thrashing (memory "some" over 20-30%, the point where
 * systemd-oomd and the kernel's own documentation speak of serious
 * slowdowns), high enough that the page cache filling or a burst of
 * writeback (a few percent) does not stop a pool from growing.
 * MODEL_PSI_SHRINK times the bound: -j auto takes workers away.
 */
#define MODEL_PSI_BOUND		10.0	/* percent, some avg10 */
#define MODEL_PSI_SHRINK	2.0

enum model_psi { MODEL_PSI_MEMORY = 0, MODEL_PSI_IO, MODEL_PSI_N };

struct model_whatif {
	int		 workers;
	double		 rate;		/* tasks a second */
	double		 finish_s;	/* to finish the tasks left; -1: the
					   total is unknown */
};

struct model_advice {
	int			 workers;	/* N */
	int			 cores;		/* K */
	double			 task_wall_s;	/* W */
	double			 task_cpu_s;	/* C */
	double			 busy_cores;	/* B */
	bool			 saturated;
	double			 cpu_rate;	/* K / C; 0: no bound */
	double			 w0;		/* W0, seconds */
	int			 knee;		/* past it more workers hardly
						   help: 95% of K / C; 0: no
						   bound known */
	int			 best;		/* the size shown
						   finishing first */
	bool			 psi_known[MODEL_PSI_N];
	double			 psi[MODEL_PSI_N];	/* some avg10, % */
	bool			 psi_limited;	/* one is over the bound */
	int			 psi_limit;	/* which (the highest): a
						   model_psi */
	size_t			 nsizes;
	struct model_whatif	 size[MODEL_ADVISE_SIZES];
};

/*
 * Advice for a pool of workers (N >= 1) on cores (K >= 1), with remaining
 * tasks left (-1: unknown), up to max_workers.  False (and nothing said)
 * before MODEL_ADVISE_MIN tasks have finished or while a CPU time is
 * unknown.
 */
bool	model_advise(const struct model *, int workers, int cores,
	    int64_t remaining, int max_workers, struct model_advice *);

/*
 * Give the advice the memory and I/O pressure (some avg10, percent; a
 * negative value: not known, as where the kernel has no PSI).  A pressure
 * above MODEL_PSI_BOUND caps the advice at the current size: the sizes
 * above finish no sooner, knee and best are at most the current size, and
 * psi_limit says which pressure.  With none known, the advice is as it was.
 */
void	model_advise_pressure(struct model_advice *, double memory, double io);
/* "memory", "io". */
const char *model_psi_name(int);

/*
 * How many tasks of the window started at or after start_ns (wall clock),
 * and their mean wall time in *wall_s (0 when none).
 */
size_t	model_since(const struct model *, int64_t start_ns, double *wall_s);

/* X(n): the tasks a second the advice expects at n workers, any n >= 1. */
double	model_advice_rate(const struct model_advice *, int n);

/* Seconds as "12.5s", "3m05s", "1h02m"; "?" when negative. */
void	model_fmt_duration(char *, size_t, double);
/* The advice as text lines (ctl advise, the dashboard's panel). */
struct buf;
void	model_advice_text(struct buf *, const struct model_advice *);
/* The advice as the members of a JSON object (no braces). */
void	model_advice_json(struct buf *, const struct model_advice *);
/*
 * Would the best size shown finish more than 20% sooner (or later) than
 * the current one?  Then true, with that size and both finish times.
 */
bool	model_advice_gain(const struct model_advice *, int *workers,
	    double *now_s, double *then_s);

#endif

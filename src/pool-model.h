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

/* Does this task count as failed (nonzero exit, timeout, or a signal)? */
bool	model_task_failed(const struct model_task *);

#endif

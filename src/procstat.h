/*
 * CPU and memory of a task's whole process tree, from /proc.  The tree is
 * walked from the task leader through /proc/PID/task/TID/children; the
 * caller's own children that sit in the leader's process group are walked
 * too (a worker that is a child subreaper inherits the task's orphans).
 * Kernels without CONFIG_PROC_CHILDREN get the same set from one scan of
 * /proc.  Not thread-safe (the scan keeps a table between calls).
 */
#ifndef PT_PROCSTAT_H
#define PT_PROCSTAT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PROCSTAT_MAX	4096	/* processes counted per tree, at most */

struct procstat {
	uint64_t	ticks;		/* utime+stime+cutime+cstime of the live
					   processes: CPU of children they have
					   reaped stays counted */
	uint64_t	rss_bytes;	/* sum of RSS (shared
					   pages counted twice) */
	int		nprocs;
};

/* Sample the tree rooted at pid (also its group leader). 0 or -1. */
int	procstat_tree(pid_t pid, struct procstat *);
/*
 * The caller's own children (zombies too, orphans it adopted as a
 * subreaper too), at most room: how many.  The caller is single-threaded
 * (those of other threads are not seen).
 */
int	procstat_children(pid_t *out, int room);
/* CPU in permille of one CPU between two samples dt_ns apart (htop's CPU%). */
uint32_t procstat_permille(uint64_t ticks_before, uint64_t ticks_after,
	    int64_t dt_ns);
/*
 * When to sample a tree next: every tick while it uses CPU; after samples
 * that found it using none, every 2, 4, then at most PROCSTAT_IDLE_MAX
 * ticks, back to every tick as soon as it uses CPU again.  A sleeping task
 * (or a program waiting for input) then costs an eighth of a busy one.
 */
#define PROCSTAT_IDLE_MAX	8
struct sampler {
	int64_t		next;		/* mono ns of the next sample */
	int		stretch;	/* ticks until it: 1, 2, 4 or 8 */
};
/* Start sampling at now: the first sample a tick later. */
void	sampler_start(struct sampler *, int64_t now, int64_t tick_ns);
/* Is a sample due at now? */
bool	sampler_due(const struct sampler *, int64_t now);
/* A sample was taken at now; busy: the tree used CPU since the last. */
void	sampler_done(struct sampler *, bool busy, int64_t now, int64_t tick_ns);
/* Tests: walk by scanning /proc even where children files exist. */
void	procstat_set_scan(bool);

#endif

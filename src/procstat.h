/*
 * CPU and memory of a task's whole process tree, from /proc.  The tree is
 * walked from the task leader through /proc/PID/task/TID/children, and
 * processes still in the task's process group are counted too.
 */
#ifndef PT_PROCSTAT_H
#define PT_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

struct procstat {
	uint64_t	ticks;		/* utime+stime of the live processes */
	uint64_t	rss_bytes;
	int		nprocs;
};

/* Sample the tree rooted at pid (also its group leader). 0 or -1. */
int	procstat_tree(pid_t pid, struct procstat *);
/* CPU in permille of one CPU between two samples dt_ns apart (htop's CPU%). */
uint32_t procstat_permille(uint64_t ticks_before, uint64_t ticks_after,
	    int64_t dt_ns);

#endif

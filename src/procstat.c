/*
 * Sampling a task's process tree from /proc.
 *
 * The walk is breadth-first from the task leader.  Where the kernel has
 * /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN), each process costs
 * one read of its stat and one of its children file per thread.  Without
 * them, one pass over /proc/[0-9]* reads every process's stat into a table
 * (kept between calls, so a sample allocates nothing once it has grown) and
 * the same tree is picked from the parent pids there.  Either way the
 * caller's own children in the leader's process group start walks too: a
 * worker that is a child subreaper inherits the task's orphans.
 *
 * stat is parsed after its last ')', so a command name with spaces or
 * parentheses cannot shift the fields.  Each process adds utime + stime +
 * cutime + cstime, so the CPU of a child that its parent in the tree has
 * reaped stays counted and the sum only drops when a process leaves the
 * tree.  RSS comes from /proc/PID/statm, read only for processes in the
 * tree: newer kernels keep RSS in per-CPU counters and stat's field 24 is
 * only their rough sum (off by up to a batch per CPU); statm adds them up.
 * Processes that end while we walk are skipped; the walk stops at
 * PROCSTAT_MAX processes.
 */
#include "config.h"

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procstat.h"
#include "util.h"

struct pinfo {
	pid_t		pid;
	pid_t		ppid;
	pid_t		pgrp;
	int		nthreads;
	uint64_t	ticks;
	uint64_t	rss_pages;	/* stat's estimate */
	bool		taken;		/* scan: already in the tree */
};

/* A getdents64 buffer, aligned for its records. */
union dents {
	struct dirent64	d;
	char		b[8192];
};

static int		 scan_mode = -1;	/* -1: not probed yet */
static bool		 force_scan;
static struct pinfo	*table;			/* scan: every process */
static size_t		 ntable, tablecap;
static long		 page_size, clk_tck;
static int		 ncpu;

/* System constants, looked up once. */
static void
constants(void)
{
	if (page_size != 0)
		return;
	page_size = sysconf(_SC_PAGESIZE);
	if (page_size <= 0)
		page_size = 4096;
	clk_tck = sysconf(_SC_CLK_TCK);
	if (clk_tck <= 0)
		clk_tck = 100;
	ncpu = ncpu_online();
}

void
procstat_set_scan(bool on)
{
	force_scan = on;
}

/* Walk by scanning /proc: asked for, or no children files here. */
static bool
use_scan(void)
{
	if (force_scan)
		return true;
	if (scan_mode == -1)
		scan_mode = access("/proc/thread-self/children", R_OK) != 0;
	return scan_mode == 1;
}

/* Parse /proc/PID/stat, taking the fields after the last ')'. */
static int
parse_stat(const char *buf, struct pinfo *pi)
{
	unsigned long long	 v[22];
	const char		*p;
	char			*end;
	int			 i;

	pi->pid = (pid_t)strtol(buf, NULL, 10);
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0')
		return -1;
	p += 3;			/* past ") " and the state letter */
	for (i = 1; i < 22; i++) {
		v[i] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	pi->ppid = (pid_t)v[1];
	pi->pgrp = (pid_t)v[2];
	pi->ticks = v[11] + v[12] + v[13] + v[14];
	pi->nthreads = (int)v[17];
	pi->rss_pages = v[21];
	pi->taken = false;
	return 0;
}

/* Read and parse one process's stat; -1 if it is gone. */
static int
read_pinfo(pid_t pid, struct pinfo *pi)
{
	char	path[64], buf[2048];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return parse_stat(buf, pi);
}

/* Append the pids listed in a children file to out; how many. */
static int
read_pids(const char *path, pid_t *out, int room)
{
	char	buf[1024];
	ssize_t	n, i;
	long	cur = -1;
	int	fd, added = 0;

	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1)
		return 0;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				cur = (cur < 0 ? 0 : cur) * 10 + (buf[i] - '0');
				if (cur > 1000000000)
					cur = 1000000000;
			} else if (cur >= 0) {
				if (added < room)
					out[added++] = (pid_t)cur;
				cur = -1;
			}
		}
	}
	if (cur >= 0 && added < room)
		out[added++] = (pid_t)cur;
	close(fd);
	return added;
}

/* Children of every thread of a multi-threaded process. */
static int
children_of_threads(pid_t pid, pid_t *out, int room)
{
	union dents		 u;
	struct dirent64		*d;
	char			 path[96];
	ssize_t			 n, off;
	int			 fd, added = 0;

	snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
	if ((fd = open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC)) == -1)
		return 0;
	while ((n = getdents64(fd, u.b, sizeof u.b)) > 0) {
		for (off = 0; off < n; off += d->d_reclen) {
			d = (struct dirent64 *)(void *)(u.b + off);
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			snprintf(path, sizeof path,
			    "/proc/%ld/task/%.20s/children", (long)pid,
			    d->d_name);
			added += read_pids(path, out + added, room - added);
		}
	}
	close(fd);
	return added;
}

/* Append the children of pid to out (nthreads 1: only its main thread). */
static int
children_of(pid_t pid, int nthreads, pid_t *out, int room)
{
	char	path[96];

	if (room <= 0)
		return 0;
	if (nthreads != 1)
		return children_of_threads(pid, out, room);
	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)pid,
	    (long)pid);
	return read_pids(path, out, room);
}

/* Resident pages from /proc/PID/statm; stat's estimate if it is gone. */
static uint64_t
statm_pages(const struct pinfo *pi)
{
	char		 path[64], buf[256];
	const char	*p;
	ssize_t		 n;
	int		 fd;

	snprintf(path, sizeof path, "/proc/%ld/statm", (long)pi->pid);
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1)
		return pi->rss_pages;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return pi->rss_pages;
	buf[n] = '\0';
	if ((p = strchr(buf, ' ')) == NULL)
		return pi->rss_pages;
	return strtoull(p + 1, NULL, 10);
}

/* Add one process to the totals. */
static void
account(struct procstat *ps, const struct pinfo *pi)
{
	ps->ticks += pi->ticks;
	ps->rss_bytes += statm_pages(pi) * (uint64_t)page_size;
	ps->nprocs++;
}

/* The caller's children in process group root, root itself excepted. */
static int
group_orphans(pid_t root, pid_t *out, int room)
{
	pid_t		kids[256];
	struct pinfo	pi;
	int		n, i, added = 0;

	n = children_of(getpid(), 0, kids, (int)nitems_of(kids));
	for (i = 0; i < n && added < room; i++) {
		if (kids[i] != root && read_pinfo(kids[i], &pi) == 0 &&
		    pi.pgrp == root)
			out[added++] = kids[i];
	}
	return added;
}

/* Walk the tree through the children files. */
static void
tree_walk(pid_t root, struct procstat *ps)
{
	pid_t		queue[PROCSTAT_MAX];
	struct pinfo	pi;
	int		n = 0, i;

	queue[n++] = root;
	n += group_orphans(root, queue + n, PROCSTAT_MAX - n);
	for (i = 0; i < n; i++) {
		if (read_pinfo(queue[i], &pi) == -1)
			continue;	/* ended meanwhile */
		account(ps, &pi);
		n += children_of(queue[i], pi.nthreads, queue + n,
		    PROCSTAT_MAX - n);
	}
}

/* Remember one process of the /proc scan. */
static void
table_add(const struct pinfo *pi)
{
	if (ntable == tablecap) {
		tablecap = tablecap ? tablecap * 2 : 512;
		table = xreallocarray(table, tablecap, sizeof *table);
	}
	table[ntable++] = *pi;
}

/* Read every process's stat into the table. */
static void
scan_proc(void)
{
	union dents		 u;
	struct dirent64		*d;
	struct pinfo		 pi;
	ssize_t			 n, off;
	int			 fd;

	ntable = 0;
	if ((fd = open("/proc", O_RDONLY|O_DIRECTORY|O_CLOEXEC)) == -1)
		return;
	while ((n = getdents64(fd, u.b, sizeof u.b)) > 0) {
		for (off = 0; off < n; off += d->d_reclen) {
			d = (struct dirent64 *)(void *)(u.b + off);
			if (d->d_name[0] < '1' || d->d_name[0] > '9')
				continue;
			if (read_pinfo((pid_t)strtol(d->d_name, NULL, 10),
			    &pi) == 0)
				table_add(&pi);
		}
	}
	close(fd);
}

/* Take table entry j into the tree. */
static void
take(size_t j, pid_t *queue, int *n, struct procstat *ps)
{
	table[j].taken = true;
	queue[(*n)++] = table[j].pid;
	account(ps, &table[j]);
}

/* Pick the tree out of a scan of /proc. */
static void
tree_scan(pid_t root, struct procstat *ps)
{
	pid_t	queue[PROCSTAT_MAX], self = getpid();
	size_t	j;
	int	n = 0, i;

	scan_proc();
	for (j = 0; j < ntable && n < PROCSTAT_MAX; j++) {
		if (table[j].pid == root ||
		    (table[j].ppid == self && table[j].pgrp == root))
			take(j, queue, &n, ps);
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < ntable && n < PROCSTAT_MAX; j++) {
			if (!table[j].taken && table[j].ppid == queue[i])
				take(j, queue, &n, ps);
		}
	}
}

int
procstat_children(pid_t *out, int room)
{
	pid_t	self = getpid();
	size_t	j;
	int	n = 0;

	/* pooltop's processes run one thread: its children are all. */
	if (!use_scan())
		return children_of(self, 1, out, room);
	scan_proc();
	for (j = 0; j < ntable && n < room; j++)
		if (table[j].ppid == self)
			out[n++] = table[j].pid;
	return n;
}

int
procstat_tree(pid_t pid, struct procstat *ps)
{
	memset(ps, 0, sizeof *ps);
	if (pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	constants();
	if (use_scan())
		tree_scan(pid, ps);
	else
		tree_walk(pid, ps);
	if (ps->nprocs == 0) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

uint32_t
procstat_permille(uint64_t ticks_before, uint64_t ticks_after, int64_t dt_ns)
{
	double	pm, max;

	if (ticks_after <= ticks_before || dt_ns <= 0)
		return 0;
	constants();
	pm = (double)(ticks_after - ticks_before) * 1000.0 * (double)PT_NSEC /
	    ((double)dt_ns * (double)clk_tck);
	max = 1000.0 * ncpu;
	return pm >= max ? (uint32_t)max : (uint32_t)(pm + 0.5);
}

void
sampler_start(struct sampler *sa, int64_t now, int64_t tick_ns)
{
	sa->stretch = 1;
	sa->next = now + tick_ns;
}

bool
sampler_due(const struct sampler *sa, int64_t now)
{
	return now >= sa->next;
}

void
sampler_done(struct sampler *sa, bool busy, int64_t now, int64_t tick_ns)
{
	if (busy || sa->stretch < 1)
		sa->stretch = 1;
	else if (sa->stretch < PROCSTAT_IDLE_MAX)
		sa->stretch *= 2;
	sa->next = now + tick_ns * sa->stretch;
}

/*
 * Tests of /proc sampling: CPU ticks of a busy child, counting a shell's
 * children, orphans kept in the task's process group, RSS of a child that
 * touches 64 MiB, command names with spaces and parentheses, the caller's
 * own children (adopted orphans too), and the permille arithmetic.  Every
 * sampling test runs both ways: through the children files (where the
 * kernel has them) and by scanning /proc.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "procstat.h"
#include "util.h"

#define MIB		(1024 * 1024)
#define WAIT_TRIES	2500		/* polls of 2 ms: 5 s at most */

/* Sample pid both ways; the two must agree on the process count. */
static int
sample(pid_t pid, struct procstat *ps)
{
	struct procstat	scan;
	int		rc;

	procstat_set_scan(false);
	rc = procstat_tree(pid, ps);
	procstat_set_scan(true);
	assert_int_equal(procstat_tree(pid, &scan), rc);
	procstat_set_scan(false);
	if (rc == 0)
		assert_int_equal(scan.nprocs, ps->nprocs);
	return rc;
}

/* Poll (bounded) until the tree of pid has n processes. */
static bool
wait_nprocs(pid_t pid, int n)
{
	struct timespec	ts = { 0, 2 * 1000 * 1000 };
	struct procstat	ps;
	int		i;

	for (i = 0; i < WAIT_TRIES; i++) {
		if (procstat_tree(pid, &ps) == 0 && ps.nprocs == n)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* Read a small /proc file of pid; "" if it is gone. */
static void
proc_read(pid_t pid, const char *file, char *buf, size_t len)
{
	char	path[64];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, file);
	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

/* Poll (bounded) until pid runs as want and sleeps (loaded, settled). */
static bool
wait_comm(pid_t pid, const char *want)
{
	struct timespec	ts = { 0, 2 * 1000 * 1000 };
	char		comm[64], stat[1024], *p;
	int		i;

	for (i = 0; i < WAIT_TRIES; i++) {
		proc_read(pid, "comm", comm, sizeof comm);
		comm[strcspn(comm, "\n")] = '\0';
		proc_read(pid, "stat", stat, sizeof stat);
		p = strrchr(stat, ')');
		if (strcmp(comm, want) == 0 && p != NULL && p[1] == ' ' &&
		    p[2] == 'S')
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* Kill process group pid and reap all of it (we are its subreaper). */
static void
kill_group(pid_t pid)
{
	kill(-pid, SIGKILL);
	while (waitpid(-pid, NULL, 0) > 0)
		continue;
}

/* Fork a child in its own group that runs fn, told through a pipe. */
static pid_t
spawn(void (*fn)(int), int *ready)
{
	int	fds[2];
	pid_t	pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		setpgid(0, 0);
		close(fds[0]);
		fn(fds[1]);
		_exit(0);
	}
	setpgid(pid, pid);
	close(fds[1]);
	*ready = fds[0];
	return pid;
}

/* Child: burn 0.3 s of CPU (bounded work), say so, then wait. */
static void
burn(int fd)
{
	struct timespec		ts;
	volatile uint64_t	x = 0;
	uint64_t		i;

	for (i = 0; i < 100000000000ULL; i++) {
		x += i * i;
		if (i % 100000 == 0) {
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
			if (ts.tv_sec * PT_NSEC + ts.tv_nsec >= 300000000)
				break;
		}
	}
	(void)x;
	(void)write(fd, "r", 1);
	pause();
}

/* Child: touch 64 MiB, say so, then wait. */
static void
touch64(int fd)
{
	char	*p;

	p = mmap(NULL, 64 * MIB, PROT_READ|PROT_WRITE,
	    MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	memset(p, 1, 64 * MIB);
	(void)write(fd, "r", 1);
	pause();
}

/* Wait for the child's byte on the pipe. */
static void
wait_ready(int fd)
{
	char	c;

	assert_int_equal(read(fd, &c, 1), 1);
	close(fd);
}

/* A busy child's ticks grow by about the CPU time it used. */
static void
test_cpu_ticks(void **state)
{
	struct procstat	s0, s1;
	long		tck = sysconf(_SC_CLK_TCK);
	pid_t		pid;
	int		fd;

	(void)state;
	pid = spawn(burn, &fd);
	assert_int_equal(sample(pid, &s0), 0);
	wait_ready(fd);
	assert_int_equal(sample(pid, &s1), 0);
	print_message("ticks %llu -> %llu (CLK_TCK %ld)\n",
	    (unsigned long long)s0.ticks, (unsigned long long)s1.ticks, tck);
	assert_int_equal(s1.nprocs, 1);
	assert_true(s1.ticks > s0.ticks);
	assert_true(s1.ticks >= (uint64_t)tck / 5);	/* 0.3 s used */
	kill_group(pid);
}

/* sh -c 'sleep & sleep & wait' is three processes. */
static void
test_tree_count(void **state)
{
	struct procstat	ps;
	pid_t		pid;

	(void)state;
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", "sleep 5 & sleep 5 & wait", NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	assert_true(wait_nprocs(pid, 3));
	assert_int_equal(sample(pid, &ps), 0);
	assert_int_equal(ps.nprocs, 3);
	assert_true(ps.rss_bytes > 0);
	kill_group(pid);
	errno = 0;
	assert_int_equal(sample(pid, &ps), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(ps.nprocs, 0);
}

/* Orphans left in the group by a leader that ended still count. */
static void
test_orphans(void **state)
{
	struct procstat	ps;
	pid_t		pid;
	int		status;

	(void)state;
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", "sleep 5 & sleep 5 & exit 3", NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	assert_true(wait_nprocs(pid, 2));	/* reparented to us */
	assert_int_equal(sample(pid, &ps), 0);
	assert_int_equal(ps.nprocs, 2);
	kill_group(pid);
	assert_int_equal(sample(pid, &ps), -1);
}

/* Is pid among the n pids? */
static bool
listed(const pid_t *pids, int n, pid_t pid)
{
	int	i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/*
 * Our children, both ways: a child, and a double-forked grandchild in its
 * own session adopted by us (a subreaper) once its parent exited.
 */
static void
test_children(void **state)
{
	pid_t	pids[64], child, mid, orphan;
	int	p[2], status, n, scan;

	(void)state;
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child != -1);
	if (child == 0) {
		pause();
		_exit(0);
	}
	mid = fork();
	assert_true(mid != -1);
	if (mid == 0) {
		if ((orphan = fork()) == 0) {
			setsid();
			pause();
			_exit(0);
		}
		(void)write(p[1], &orphan, sizeof orphan);
		_exit(0);
	}
	assert_int_equal(read(p[0], &orphan, sizeof orphan), sizeof orphan);
	assert_int_equal(waitpid(mid, &status, 0), mid);
	for (scan = 0; scan < 2; scan++) {
		procstat_set_scan(scan);
		n = procstat_children(pids, (int)nitems_of(pids));
		assert_true(listed(pids, n, child));
		assert_true(listed(pids, n, orphan));
		assert_false(listed(pids, n, mid));
		assert_int_equal(procstat_children(pids, 1), 1);
	}
	procstat_set_scan(false);
	kill(child, SIGKILL);
	kill(orphan, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(waitpid(orphan, &status, 0), orphan);
	close(p[0]);
	close(p[1]);
}

/* A child that touched 64 MiB has at least that much resident. */
static void
test_rss(void **state)
{
	struct procstat	ps;
	pid_t		pid;
	int		fd;

	(void)state;
	pid = spawn(touch64, &fd);
	wait_ready(fd);
	assert_int_equal(sample(pid, &ps), 0);
	print_message("rss %llu MiB\n", (unsigned long long)ps.rss_bytes / MIB);
	assert_int_equal(ps.nprocs, 1);
	assert_true(ps.rss_bytes >= 64 * MIB);
	kill_group(pid);
}

/* Run path (a symlink with an odd name) with args; wait until it runs. */
static pid_t
spawn_named(const char *path, const char *name, const char *a1,
    const char *a2)
{
	pid_t	pid;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		setpgid(0, 0);
		execl(path, name, a1, a2, NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	assert_true(wait_comm(pid, name));
	return pid;
}

/* Names with spaces and ')' parse: fields are taken after the last ')'. */
static void
test_odd_names(void **state)
{
	struct procstat	ps;
	char		dir[] = "/tmp/pooltop-procstat.XXXXXX";
	char		sleeper[128], shell[128];
	pid_t		pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sleeper, sizeof sleeper, "%s/a) b (c", dir);
	snprintf(shell, sizeof shell, "%s/x) y)", dir);
	assert_int_equal(symlink("/bin/sleep", sleeper), 0);
	assert_int_equal(symlink("/bin/sh", shell), 0);

	pid = spawn_named(sleeper, "a) b (c", "5", NULL);
	assert_int_equal(sample(pid, &ps), 0);
	assert_int_equal(ps.nprocs, 1);
	assert_true(ps.rss_bytes > 0 && ps.rss_bytes < 1024 * MIB);
	assert_true(ps.ticks < 100);	/* a misparse lands on big fields */
	kill_group(pid);

	pid = spawn_named(shell, "x) y)", "-c", "sleep 5 & wait");
	assert_true(wait_nprocs(pid, 2));
	assert_int_equal(sample(pid, &ps), 0);
	assert_int_equal(ps.nprocs, 2);
	kill_group(pid);

	unlink(sleeper);
	unlink(shell);
	rmdir(dir);
}

/* A pid that is not there, or not valid, fails. */
static void
test_missing(void **state)
{
	struct procstat	ps;
	pid_t		pid;

	(void)state;
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(sample(pid, &ps), -1);
	assert_int_equal(procstat_tree(0, &ps), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(procstat_tree(-5, &ps), -1);
}

/* CPU permille: ticks over elapsed time, clamped to the CPUs there are. */
static void
test_permille(void **state)
{
	uint64_t	tck = (uint64_t)sysconf(_SC_CLK_TCK);
	uint32_t	max = 1000 * (uint32_t)ncpu_online();

	(void)state;
	assert_int_equal(procstat_permille(0, tck, PT_NSEC), 1000);
	assert_int_equal(procstat_permille(10, 10 + tck / 2, PT_NSEC), 500);
	assert_int_equal(procstat_permille(0, tck, 4 * PT_NSEC), 250);
	assert_int_equal(procstat_permille(0, tck, 10 * PT_NSEC), 100);
	assert_int_equal(procstat_permille(50, 40, PT_NSEC), 0);
	assert_int_equal(procstat_permille(0, 0, PT_NSEC), 0);
	assert_int_equal(procstat_permille(0, tck, 0), 0);
	assert_int_equal(procstat_permille(0, tck, -5), 0);
	assert_int_equal(procstat_permille(0, 1000 * tck, PT_NSEC), max);
	assert_int_equal(procstat_permille(0, UINT64_MAX, 1), max);
}

/* Idle trees are sampled every 1, 2, 4, then 8 ticks; CPU resets it. */
static void
test_sampler(void **state)
{
	static const struct {
		bool	busy;
		int64_t	gap;		/* ticks to the next sample */
	} steps[] = {
		{ false, 2 }, { false, 4 }, { false, 8 }, { false, 8 },
		{ true, 1 }, { true, 1 }, { false, 2 }, { true, 1 },
	};
	struct sampler	sa;
	int64_t		now = 1000, tick = 250;
	size_t		i;

	(void)state;
	sampler_start(&sa, now, tick);
	assert_false(sampler_due(&sa, now));
	assert_false(sampler_due(&sa, now + tick - 1));
	assert_true(sampler_due(&sa, now + tick));
	now += tick;
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		sampler_done(&sa, steps[i].busy, now, tick);
		assert_false(sampler_due(&sa, now + steps[i].gap * tick - 1));
		assert_true(sampler_due(&sa, now + steps[i].gap * tick));
		now += steps[i].gap * tick;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permille),
		cmocka_unit_test(test_sampler),
		cmocka_unit_test(test_cpu_ticks),
		cmocka_unit_test(test_tree_count),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_children),
		cmocka_unit_test(test_rss),
		cmocka_unit_test(test_odd_names),
		cmocka_unit_test(test_missing),
	};

	/* As a worker does: orphans of our children come to us. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

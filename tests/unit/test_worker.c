/*
 * Worker tests: a real worker process driven without the supervisor.  Each
 * test creates a segment and a socketpair, forks, and runs worker_main() in
 * the child; the test plays the supervisor, sending RUN, PAUSE, KILL ...
 * and reading replies.  Every wait is a poll with a bound (WAIT_MS).
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

#include "keeper.h"
#include "opts.h"
#include "worker-persist.h"
#include "proto.h"
#include "shm.h"
#include "util.h"
#include "worker.h"

extern char **environ;

#define WAIT_MS		15000	/* bound on any wait for the worker */
#define NSLOTS		4

struct tw {
	struct pt_shm	 shm;
	struct opts	 opts;
	int		 slot;
	int		 fd;		/* our end of the socketpair; -1 */
	pid_t		 pid;		/* our child, the worker; 0 none */
	bool		 mapped;
	struct buf	 in;
	struct buf	 pend;		/* whole messages but SLOT, in order */
	struct pt_shm_slot pub;		/* the slot, as SLOT messages say */
};

/* What a task sent back. */
struct result {
	bool		 started;
	struct pt_started st;
	struct buf	 out;
	struct buf	 err;
	struct pt_done	 done;
};

/* Sleep ms milliseconds (only to pace bounded polling loops). */
static void
nap(int ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Milliseconds since the first call. */
static int64_t
now_ms(void)
{
	return mono_ns() / 1000000;
}

/* Block what a supervisor blocks and ignore SIGQUIT, as pool.c would. */
static void
act_like_supervisor(void)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGQUIT, SIG_IGN);
}

/* In the child: become the worker for slot with our end fd. */
static void __attribute__((noreturn))
become_worker(struct tw *tw, int fd)
{
	struct worker_conf	wc;

	act_like_supervisor();
	memset(&wc, 0, sizeof wc);
	wc.slot = tw->slot;
	wc.fd = wc.fd_out = fd;
	wc.supervisor = getppid();
	wc.shm = &tw->shm;
	wc.generation = 1;	/* the supervisor counts: first worker */
	wc.opts = &tw->opts;
	worker_main(&wc);
}

/*
 * Read what the worker sent within ms, as the supervisor does: SLOT
 * messages are written to the segment, the others kept in order for
 * tw_recv().  0, or -1 on timeout or EOF.
 */
static int
tw_fill(struct tw *tw, int ms)
{
	struct pollfd	 pfd = { tw->fd, POLLIN, 0 };
	struct pt_msg	 m;
	const char	*p;
	char		 tmp[65536];
	ssize_t		 n;

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	if ((n = read(tw->fd, tmp, sizeof tmp)) <= 0)
		return -1;
	buf_add(&tw->in, tmp, (size_t)n);
	while (proto_next(&tw->in, 0, &m, &p) == 1) {
		if (m.type == PT_MSG_SLOT) {
			assert_true(proto_get_slot(p, m.len, &tw->pub));
			tw->pub.worker_pid = tw->pid;	/* as the supervisor */
			tw->pub.generation = 1;
			shm_write_slot(&tw->shm, (uint32_t)tw->slot, &tw->pub);
		} else
			buf_add(&tw->pend, tw->in.data, sizeof m + m.len);
		buf_consume(&tw->in, sizeof m + m.len);
	}
	return 0;
}

/* Read one whole message within ms; 0, or -1 on timeout or EOF. */
static int
tw_recv(struct tw *tw, struct pt_msg *m, char **payload, int ms)
{
	int64_t		 end = now_ms() + ms;
	const char	*p;

	for (;;) {
		if (proto_next(&tw->pend, 0, m, &p) == 1) {
			*payload = xmalloc(m->len + 1);
			memcpy(*payload, p, m->len);
			(*payload)[m->len] = '\0';
			buf_consume(&tw->pend, sizeof *m + m->len);
			return 0;
		}
		if (now_ms() >= end || tw_fill(tw, (int)(end - now_ms())) == -1)
			return -1;
	}
}

/* Send one message to the worker. */
static void
tw_send(struct tw *tw, uint32_t type, const void *p, size_t n)
{
	struct buf	b = { 0 };

	proto_put(&b, type, p, n, NULL, 0);
	assert_int_equal(write_all(tw->fd, b.data, b.len), (ssize_t)b.len);
	buf_free(&b);
}

/* Send RUN for seq: argv (NULL-terminated), shell when flags say so. */
static void
tw_run(struct tw *tw, uint64_t seq, int64_t timeout_ms, uint32_t flags,
    const char *item, const char *const *argv)
{
	struct pt_run	r;
	struct buf	b = { 0 }, m = { 0 };
	int		i;

	memset(&r, 0, sizeof r);
	r.task_seq = seq;
	r.timeout_ms = timeout_ms;
	r.flags = flags;
	buf_add(&b, item, strlen(item) + 1);
	for (i = 0; argv[i] != NULL; i++)
		buf_add(&b, argv[i], strlen(argv[i]) + 1);
	r.argc = (uint32_t)i;
	proto_put(&m, PT_MSG_RUN, &r, sizeof r, b.data, b.len);
	assert_int_equal(write_all(tw->fd, m.data, m.len), (ssize_t)m.len);
	buf_free(&m);
	buf_free(&b);
}

/* Run a shell command line. */
static void
tw_sh(struct tw *tw, uint64_t seq, int64_t timeout_ms, const char *cmd)
{
	const char	*argv[] = { cmd, NULL };

	tw_run(tw, seq, timeout_ms, PT_RUN_SHELL, "item", argv);
}

/* Read messages for seq until STARTED (true) or DONE (false). */
static bool
tw_started(struct tw *tw, uint64_t seq, struct result *res)
{
	struct pt_msg	 m;
	char		*p;

	memset(res, 0, sizeof *res);
	assert_int_equal(tw_recv(tw, &m, &p, WAIT_MS), 0);
	if (m.type == PT_MSG_DONE) {
		assert_true(m.len >= sizeof res->done);
		memcpy(&res->done, p, sizeof res->done);
		assert_int_equal(res->done.task_seq, seq);
		free(p);
		return false;
	}
	assert_int_equal(m.type, PT_MSG_STARTED);
	assert_true(m.len >= sizeof res->st);
	memcpy(&res->st, p, sizeof res->st);
	assert_int_equal(res->st.task_seq, seq);
	assert_true(res->st.pid > 0);
	res->started = true;
	free(p);
	return true;
}

/* Read OUT messages for seq until DONE. */
static void
tw_finish(struct tw *tw, uint64_t seq, struct result *res)
{
	struct pt_msg	 m;
	struct pt_out	 o;
	char		*p;

	for (;;) {
		assert_int_equal(tw_recv(tw, &m, &p, WAIT_MS), 0);
		if (m.type == PT_MSG_DONE) {
			assert_true(m.len >= sizeof res->done);
			memcpy(&res->done, p, sizeof res->done);
			assert_int_equal(res->done.task_seq, seq);
			free(p);
			return;
		}
		assert_int_equal(m.type, PT_MSG_OUT);
		assert_true(m.len >= sizeof o);
		memcpy(&o, p, sizeof o);
		assert_int_equal(o.task_seq, seq);
		assert_true(o.stream == 1 || o.stream == 2);
		buf_add(o.stream == 1 ? &res->out : &res->err, p + sizeof o,
		    m.len - sizeof o);
		free(p);
	}
}

/* Both halves: the whole exchange for one task. */
static void
tw_collect(struct tw *tw, uint64_t seq, struct result *res)
{
	if (tw_started(tw, seq, res))
		tw_finish(tw, seq, res);
}

static void
result_free(struct result *res)
{
	buf_free(&res->out);
	buf_free(&res->err);
}

/*
 * A consistent copy of the worker's slot.  A read gives up when the writer
 * is preempted inside its seqlock, which a loaded machine can do: retry.
 */
static struct pt_shm_slot
tw_slot(struct tw *tw)
{
	struct pt_shm_slot	s;
	int64_t			end = now_ms() + WAIT_MS;

	while (tw->fd != -1 && tw_fill(tw, 0) == 0)
		;	/* what the worker sent so far */
	while (!shm_read_slot(&tw->shm, (uint32_t)tw->slot, &s))
		assert_true(now_ms() < end);
	return s;
}

/*
 * Wait (bounded) until the slot counts n failed tasks: a count that comes
 * with no change of state is sent within PT_SLOT_EVERY_MS.
 */
static bool
tw_wait_failed(struct tw *tw, uint64_t n)
{
	int64_t	end = now_ms() + WAIT_MS;

	while (now_ms() < end) {
		if (tw_slot(tw).tasks_failed == n)
			return true;
		(void)tw_fill(tw, 5);
	}
	return false;
}

/* Wait (bounded) until the slot is in state st. */
static bool
tw_wait_state(struct tw *tw, uint32_t st)
{
	int64_t	end = now_ms() + WAIT_MS;

	while (now_ms() < end) {
		if (tw_slot(tw).state == st)
			return true;
		(void)tw_fill(tw, 5);
	}
	return false;
}

/* Set up a segment and options, fork the worker, expect READY. */
static void
tw_start_at(struct tw *tw, int slot)
{
	char		 err[256];
	struct pt_msg	 m;
	char		*p;
	int		 sv[2];

	assert_int_equal(shm_create(&tw->shm, NSLOTS, err, sizeof err), 0);
	tw->mapped = true;
	tw->slot = slot;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	tw->pid = fork();
	assert_true(tw->pid != -1);
	if (tw->pid == 0) {
		close(sv[0]);
		become_worker(tw, sv[1]);
	}
	close(sv[1]);
	tw->fd = sv[0];
	assert_int_equal(tw_recv(tw, &m, &p, WAIT_MS), 0);
	assert_int_equal(m.type, PT_MSG_READY);
	free(p);
}

static void
tw_start(struct tw *tw)
{
	tw_start_at(tw, 0);
}

/* Wait (bounded) for pid, a child of ours, to exit; its status or -1. */
static int
wait_exit(pid_t pid)
{
	int64_t	end = now_ms() + WAIT_MS;
	int	st;

	while (now_ms() < end) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		nap(5);
	}
	return -1;
}

/* Close our end (the worker sees EOF and exits), reap it, drop the segment. */
static void
tw_stop(struct tw *tw)
{
	int	st;

	if (tw->fd != -1)
		close(tw->fd);
	tw->fd = -1;
	if (tw->pid > 0) {
		st = wait_exit(tw->pid);
		tw->pid = 0;
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
}

/* Before each test: a fresh, empty harness. */
static int
tw_setup(void **state)
{
	struct tw	*tw = xcalloc(1, sizeof *tw);

	tw->fd = -1;
	tw->opts.tick_ms = 20;
	*state = tw;
	return 0;
}

/* After each test, passed or not: no worker, no segment left behind. */
static int
tw_teardown(void **state)
{
	struct tw	*tw = *state;

	if (tw->fd != -1)
		close(tw->fd);
	if (tw->pid > 0 && wait_exit(tw->pid) == -1) {
		kill(tw->pid, SIGKILL);
		waitpid(tw->pid, NULL, 0);
	}
	if (tw->mapped)
		shm_close(&tw->shm);
	buf_free(&tw->in);
	buf_free(&tw->pend);
	free(tw);
	return 0;
}

/* Does the segment still exist? */
static bool
segment_exists(const char *name)
{
	int	fd = shm_open(name, O_RDONLY, 0);

	if (fd == -1)
		return false;
	close(fd);
	return true;
}

/*
 * Processes (zombies too) in process group pgid: how many, how many stopped,
 * and how many run the program yes.  Stopped is state T, or D: a shell
 * caught by SIGSTOP inside vfork() waits, uninterruptibly, for its child,
 * which the same signal stopped before it could exec.
 */
static int
group_count(pid_t pgid, int *stopped, int *yes)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[300], buf[1024], *p, st;
	int		 n = 0, pgrp, fd;
	ssize_t		 len;

	*stopped = *yes = 0;
	assert_non_null(d = opendir("/proc"));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY)) == -1)
			continue;
		len = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		if ((p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 1, " %c %*d %d", &st, &pgrp) != 2)
			continue;
		if (pgrp != pgid)
			continue;
		n++;
		if (st == 'T' || st == 'D')
			(*stopped)++;
		if (p - buf > 5 && memcmp(p - 5, " (yes", 5) == 0)
			(*yes)++;
	}
	closedir(d);
	return n;
}

/* Wait (bounded) until the group has at least min members, stopped as asked. */
static bool
group_wait(pid_t pgid, int min, int want_stopped)
{
	int64_t	end = now_ms() + WAIT_MS;
	int	n, stopped, yes;

	while (now_ms() < end) {
		n = group_count(pgid, &stopped, &yes);
		if (min == 0 && n == 0)
			return true;
		if (min > 0 && n >= min && want_stopped == 1 && stopped == n)
			return true;
		if (min > 0 && n >= min && want_stopped == 0 && stopped == 0)
			return true;
		nap(10);
	}
	return false;
}

/* Wait (bounded) until n processes of the group have exec'd yes. */
static bool
yes_wait(pid_t pgid, int n)
{
	int64_t	end = now_ms() + WAIT_MS;
	int	stopped, yes;

	while (now_ms() < end) {
		group_count(pgid, &stopped, &yes);
		if (yes >= n)
			return true;
		nap(10);
	}
	return false;
}

/* Is a process whose command line is exactly argv alive (or a zombie)? */
static bool
process_with_cmdline(const char *a0, const char *a1)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[300], buf[256], want[256];
	size_t		 wl;
	ssize_t		 len;
	int		 fd;
	bool		 found = false;

	wl = (size_t)snprintf(want, sizeof want, "%s%c%s", a0, '\0', a1) + 1;
	assert_non_null(d = opendir("/proc"));
	while (!found && (de = readdir(d)) != NULL) {
		snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
		if ((fd = open(path, O_RDONLY)) == -1)
			continue;
		len = read(fd, buf, sizeof buf);
		close(fd);
		found = len == (ssize_t)wl && memcmp(buf, want, wl) == 0;
	}
	closedir(d);
	return found;
}

/* echo hi: READY, STARTED, OUT "hi\n", DONE exit 0; slot idle, 1 done. */
static void
test_echo(void **state)
{
	struct tw		*tw = *state;
	struct result		 r;
	struct pt_shm_slot	 s;
	const char		*argv[] = { "echo", "hi", NULL };

	tw_start(tw);
	s = tw_slot(tw);
	assert_int_equal(s.state, PT_SLOT_IDLE);
	assert_int_equal(s.worker_pid, tw->pid);
	assert_int_equal(s.generation, 1);
	tw_send(tw, PT_MSG_PAUSE, NULL, 0);	/* idle: no reply */
	tw_run(tw, 1, 0, 0, "the item", argv);
	tw_collect(tw, 1, &r);
	assert_true(r.started);
	assert_string_equal(r.out.data, "hi\n");
	assert_int_equal(r.err.len, 0);
	assert_int_equal(r.done.flags, 0);
	assert_true(WIFEXITED(r.done.wstatus));
	assert_int_equal(WEXITSTATUS(r.done.wstatus), 0);
	assert_true(r.done.start_real_ns == r.st.start_real_ns);
	assert_true(r.done.wall_ns > 0);
	s = tw_slot(tw);
	assert_int_equal(s.state, PT_SLOT_IDLE);
	assert_int_equal(s.tasks_done, 1);
	assert_int_equal(s.tasks_failed, 0);
	assert_int_equal(s.task_pid, 0);
	assert_int_equal(s.tail_len, 3);
	assert_memory_equal(s.tail, "hi\n", 3);
	assert_string_equal(s.label, "echo hi");
	assert_string_equal(s.item, "the item");
	result_free(&r);
	tw_stop(tw);
}

/* Shell mode: exit 3 and stderr on stream 2. */
static void
test_shell_exit(void **state)
{
	struct tw	*tw = *state;
	struct result	r;

	tw_start(tw);
	tw_sh(tw, 7, 0, "echo oops >&2; exit 3");
	tw_collect(tw, 7, &r);
	assert_true(WIFEXITED(r.done.wstatus));
	assert_int_equal(WEXITSTATUS(r.done.wstatus), 3);
	assert_string_equal(r.err.data, "oops\n");
	assert_int_equal(r.out.len, 0);
	assert_true(tw_wait_failed(tw, 1));
	result_free(&r);
	tw_stop(tw);
}

/*
 * Valgrind runs posix_spawn's vfork as a plain fork, so an exec failure
 * shows as a child exiting 127 instead of an error from posix_spawn.
 */
static bool
under_valgrind(void)
{
	const char	*p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

/* Expect DONE NOEXEC/ENOENT for seq (exit 127 under valgrind). */
static void
expect_noexec(struct tw *tw, uint64_t seq)
{
	struct result	r;

	if (tw_started(tw, seq, &r)) {
		assert_true(under_valgrind());
		tw_finish(tw, seq, &r);
		assert_true(WIFEXITED(r.done.wstatus));
		assert_int_equal(WEXITSTATUS(r.done.wstatus), 127);
		result_free(&r);
		return;
	}
	assert_int_equal(r.done.flags, PT_DONE_NOEXEC);
	assert_int_equal(r.done.wstatus, ENOENT);
}

/* The lowest descriptor number free in process pid. */
static int
lowest_free_fd(pid_t pid)
{
	char	path[64];
	int	fd;

	for (fd = 0; fd < 4096; fd++) {
		snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)pid, fd);
		if (access(path, F_OK) == -1)
			return fd;
	}
	return -1;
}

/*
 * A task the worker cannot start for want of descriptors (EMFILE) is the
 * pool's to put back, not a failure: DONE NOEXEC with the error, and the
 * slot's failed count stays 0.  The worker's open-file limit is lowered,
 * from outside, to its lowest free descriptor.
 */
static void
test_noexec_shortage(void **state)
{
	struct tw	*tw = *state;
	struct result	 r;
	struct rlimit	 old, low;
	int		 fd;

	if (under_valgrind())
		skip();		/* valgrind keeps descriptors of its own */
	tw_start(tw);
	assert_true((fd = lowest_free_fd(tw->pid)) > 0);
	assert_int_equal(prlimit(tw->pid, RLIMIT_NOFILE, NULL, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)fd;
	assert_int_equal(prlimit(tw->pid, RLIMIT_NOFILE, &low, NULL), 0);
	tw_sh(tw, 1, 0, "true");
	assert_false(tw_started(tw, 1, &r));
	assert_int_equal(r.done.flags, PT_DONE_NOEXEC);
	assert_int_equal(r.done.wstatus, EMFILE);
	assert_true(tw_wait_failed(tw, 0));
	assert_int_equal(prlimit(tw->pid, RLIMIT_NOFILE, &old, NULL), 0);
	tw_sh(tw, 2, 0, "true");
	tw_collect(tw, 2, &r);
	assert_int_equal(r.done.flags, 0);
	assert_int_equal(r.done.wstatus, 0);
	result_free(&r);
	assert_true(tw_wait_failed(tw, 0));
	tw_stop(tw);
}

/* A missing program: DONE NOEXEC with ENOENT, no STARTED; worker goes on. */
static void
test_noexec(void **state)
{
	struct tw	*tw = *state;
	struct result	 r;
	const char	*missing[] = { "pooltop-no-such-program", "x", NULL };
	const char	*abs[] = { "/nonexistent/pooltop-prog", NULL };
	const char	*ok[] = { "true", NULL };

	tw_start(tw);
	tw_run(tw, 1, 0, 0, "", missing);
	expect_noexec(tw, 1);
	tw_run(tw, 2, 0, 0, "", abs);
	expect_noexec(tw, 2);
	assert_true(tw_wait_failed(tw, 2));
	tw_run(tw, 3, 0, 0, "", ok);
	tw_collect(tw, 3, &r);
	assert_int_equal(r.done.flags, 0);
	assert_int_equal(r.done.wstatus, 0);
	result_free(&r);
	tw_stop(tw);
}

/* Timeout 200 ms on sleep 30: TIMEOUT, killed by SIGTERM. */
static void
test_timeout(void **state)
{
	struct tw	*tw = *state;
	struct result	 r;
	const char	*argv[] = { "sleep", "30", NULL };

	tw_start(tw);
	tw_run(tw, 1, 200, 0, "", argv);
	tw_collect(tw, 1, &r);
	assert_int_equal(r.done.flags, PT_DONE_TIMEOUT);
	assert_true(WIFSIGNALED(r.done.wstatus));
	assert_int_equal(WTERMSIG(r.done.wstatus), SIGTERM);
	assert_true(r.done.wall_ns >= 200 * 1000000LL);
	assert_true(r.done.wall_ns < 30 * PT_NSEC);
	assert_true(tw_wait_failed(tw, 1));
	result_free(&r);
	tw_stop(tw);
}

/* The timeout clock stops while the task is paused. */
static void
test_timeout_paused(void **state)
{
	struct tw	*tw = *state;
	struct result	 r;
	struct pt_msg	 m;
	char		*p;
	const char	*argv[] = { "sleep", "30", NULL };

	tw_start(tw);
	tw_run(tw, 1, 1000, 0, "", argv);
	assert_true(tw_started(tw, 1, &r));
	tw_send(tw, PT_MSG_PAUSE, NULL, 0);
	assert_true(tw_wait_state(tw, PT_SLOT_PAUSED));
	/* Stopped longer than the timeout: nothing may happen. */
	assert_int_equal(tw_recv(tw, &m, &p, 1500), -1);
	tw_send(tw, PT_MSG_RESUME, NULL, 0);
	tw_finish(tw, 1, &r);
	assert_int_equal(r.done.flags, PT_DONE_TIMEOUT);
	assert_true(r.done.wall_ns >= 1000 * 1000000LL);
	result_free(&r);
	tw_stop(tw);
}

/* PAUSE stops every process of the group, RESUME continues, KILL 0 ends. */
static void
test_pause_resume_kill(void **state)
{
	struct tw	*tw = *state;
	struct result	r;
	struct pt_kill	k = { 0 };
	pid_t		pg;

	tw_start(tw);
	tw_sh(tw, 5, 0, "yes >/dev/null & yes >/dev/null; wait");
	assert_true(tw_started(tw, 5, &r));
	pg = r.st.pid;
	/* Both forked and exec'd: the shell is not inside vfork, stoppable. */
	assert_true(yes_wait(pg, 2));
	tw_send(tw, PT_MSG_PAUSE, NULL, 0);
	assert_true(group_wait(pg, 3, 1));
	assert_true(tw_wait_state(tw, PT_SLOT_PAUSED));
	tw_send(tw, PT_MSG_RESUME, NULL, 0);
	assert_true(group_wait(pg, 3, 0));
	assert_true(tw_wait_state(tw, PT_SLOT_RUNNING));
	tw_send(tw, PT_MSG_PAUSE, NULL, 0);
	assert_true(group_wait(pg, 3, 1));
	tw_send(tw, PT_MSG_KILL, &k, sizeof k);
	tw_finish(tw, 5, &r);
	assert_int_equal(r.done.flags, PT_DONE_KILLED);
	assert_true(WIFSIGNALED(r.done.wstatus));
	assert_int_equal(WTERMSIG(r.done.wstatus), SIGTERM);
	assert_true(group_wait(pg, 0, 0));
	assert_int_equal(tw_slot(tw).state, PT_SLOT_IDLE);
	result_free(&r);
	tw_stop(tw);
}

/* KILL with a signal sends exactly that signal. */
static void
test_kill_signal(void **state)
{
	struct tw	*tw = *state;
	struct result	 r;
	struct pt_kill	 k = { SIGKILL };
	const char	*argv[] = { "sleep", "30", NULL };

	tw_start(tw);
	tw_run(tw, 1, 0, 0, "", argv);
	assert_true(tw_started(tw, 1, &r));
	tw_send(tw, PT_MSG_KILL, &k, sizeof k);
	tw_finish(tw, 1, &r);
	assert_int_equal(r.done.flags, PT_DONE_KILLED);
	assert_true(WIFSIGNALED(r.done.wstatus));
	assert_int_equal(WTERMSIG(r.done.wstatus), SIGKILL);
	result_free(&r);
	tw_stop(tw);
}

/* In the worker child: a stale value that the task must not see. */
static void
test_env(void **state)
{
	struct tw	*tw = *state;
	struct result	r;
	char		want[256];

	setenv("POOLTOP_TASK", "stale", 1);
	tw_start_at(tw, 2);
	unsetenv("POOLTOP_TASK");
	tw_sh(tw, 42, 0, "echo $POOLTOP_SHM $POOLTOP_SLOT $POOLTOP_TASK"
	    " $POOLTOP_WORKER $PARALLEL_SEQ $PARALLEL_JOBSLOT;"
	    " env | grep -c '^POOLTOP_TASK='");
	tw_collect(tw, 42, &r);
	snprintf(want, sizeof want, "%s 3 42 %ld 42 3\n1\n", tw->shm.name,
	    (long)tw->pid);
	assert_string_equal(r.out.data, want);
	result_free(&r);
	tw_sh(tw, 43, 0, "echo $POOLTOP_TASK $PARALLEL_SEQ");
	tw_collect(tw, 43, &r);
	assert_string_equal(r.out.data, "43 43\n");
	result_free(&r);
	tw_stop(tw);
}

/* Value of a "Name:\thex" line of /proc/PID/status text. */
static unsigned long long
status_mask(const char *text, const char *name)
{
	const char	*p = strstr(text, name);

	assert_non_null(p);
	return strtoull(p + strlen(name), NULL, 16);
}

/* A task gets no blocked and no ignored signals. */
static void
test_signals_reset(void **state)
{
	struct tw	*tw = *state;
	struct result	 r;
	const char	*argv[] = { "grep", "-E", "^Sig(Blk|Ign):",
			    "/proc/self/status", NULL };

	tw_start(tw);
	tw_run(tw, 1, 0, 0, "", argv);
	tw_collect(tw, 1, &r);
	assert_int_equal(r.done.wstatus, 0);
	assert_int_equal(status_mask(r.out.data, "SigBlk:"), 0);
	/* glibc's posix_spawn leaves its internal signals 32, 33 ignored. */
	assert_int_equal(status_mask(r.out.data, "SigIgn:") & ~(3ULL << 31),
	    0);
	result_free(&r);
	tw_sh(tw, 2, 0, "grep SigIgn /proc/self/status");
	tw_collect(tw, 2, &r);
	assert_int_equal(status_mask(r.out.data, "SigIgn:") &
	    (1ULL << (SIGINT - 1)), 0);
	result_free(&r);
	tw_stop(tw);
}

/* A background grandchild is killed and reaped after its leader exits. */
static void
test_grandchild(void **state)
{
	struct tw	*tw = *state;
	struct result	r;
	int64_t		end;
	char		cmd[64], secs[32];

	/* A length of its own: tests may run side by side. */
	snprintf(secs, sizeof secs, "%ld.5", 86400L + (long)getpid());
	snprintf(cmd, sizeof cmd, "sleep %s & exit 0", secs);
	tw_start(tw);
	tw_sh(tw, 1, 0, cmd);
	tw_collect(tw, 1, &r);
	assert_int_equal(r.done.wstatus, 0);
	assert_true(group_wait(r.st.pid, 0, 0));
	end = now_ms() + WAIT_MS;
	while (process_with_cmdline("sleep", secs) && now_ms() < end)
		nap(10);
	assert_false(process_with_cmdline("sleep", secs));
	result_free(&r);
	tw_stop(tw);
}

/* Is s valid UTF-8 with no control characters? */
static bool
clean_utf8(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 more;

	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		more = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 :
		    (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;
		if (more < 0)
			return false;
		for (p++; more > 0; more--, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/* Long multibyte labels and items are cut whole, control bytes blanked. */
static void
test_label(void **state)
{
	struct tw		*tw = *state;
	struct result		 r;
	struct pt_shm_slot	 s;
	struct buf		 arg = { 0 };
	const char		*argv[] = { "true", "a\nb", NULL, NULL };
	int			 i;

	buf_addstr(&arg, "x");
	for (i = 0; i < 200; i++)
		buf_addstr(&arg, "\xc3\xa9");	/* é */
	argv[2] = arg.data;
	tw_start(tw);
	tw_run(tw, 1, 0, 0, arg.data, argv);
	tw_collect(tw, 1, &r);
	s = tw_slot(tw);
	assert_true(strlen(s.label) >= PT_LABEL_MAX - 4);
	assert_true(strlen(s.label) < PT_LABEL_MAX);
	assert_true(clean_utf8(s.label));
	assert_memory_equal(s.label, "true a b x\xc3\xa9", 12);
	assert_true(strlen(s.item) >= PT_ITEM_MAX - 4);
	assert_true(clean_utf8(s.item));
	buf_free(&arg);
	result_free(&r);
	tw_stop(tw);
}

/* Output larger than the tail: all forwarded, the slot keeps the end. */
static void
test_output_tail(void **state)
{
	struct tw		*tw = *state;
	struct result		 r;
	struct pt_shm_slot	 s;
	struct buf		 want = { 0 };
	const char		*argv[] = { "seq", "1", "100000", NULL };
	int			 i;

	tw_start(tw);
	tw_run(tw, 1, 0, 0, "", argv);
	tw_collect(tw, 1, &r);
	for (i = 1; i <= 100000; i++)
		buf_printf(&want, "%d\n", i);
	assert_int_equal(r.out.len, want.len);
	assert_memory_equal(r.out.data, want.data, want.len);
	s = tw_slot(tw);
	assert_int_equal(s.tail_len, PT_TAIL_MAX - 1);
	assert_memory_equal(s.tail, want.data + want.len - s.tail_len,
	    s.tail_len);
	buf_free(&want);
	result_free(&r);
	tw_stop(tw);
}

/* Open a FIFO for writing once its reader is there (bounded). */
static int
fifo_writer(const char *path)
{
	int64_t	end = now_ms() + WAIT_MS;
	int	fd;

	while ((fd = open(path, O_WRONLY | O_NONBLOCK)) == -1 &&
	    errno == ENXIO && now_ms() < end)
		nap(5);
	return fd;
}

/* Does pid's process title (/proc/PID/cmdline) contain s, as want says? */
static bool
title_has(pid_t pid, const char *s, bool want)
{
	char	path[64], buf[4096];
	ssize_t	n;
	int	fd;

	if (under_valgrind())
		return true;		/* its argv is not the kernel's */
	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	assert_true((fd = open(path, O_RDONLY)) != -1);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	return (strstr(buf, s) != NULL) == want;
}

/* While a task runs: samples, progress, title, RUN refused; then it ends. */
static void
test_running_slot(void **state)
{
	struct tw		*tw = *state;
	struct result		 r, busy;
	struct pt_shm_slot	 s;
	char			 dir[] = "/tmp/pt-worker.XXXXXX", fifo[64];
	const char		*argv[] = { "cat", fifo, NULL };
	int64_t			 end;
	int			 fd;

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	tw_start(tw);
	tw_run(tw, 9, 0, 0, "it", argv);
	assert_true(tw_started(tw, 9, &r));
	s = tw_slot(tw);
	assert_int_equal(s.state, PT_SLOT_RUNNING);
	assert_int_equal(s.task_pid, r.st.pid);
	assert_int_equal(s.task_seq, 9);
	shm_mbox_post(&tw->shm.slots[0].mbox, 9, 3, 10);
	end = now_ms() + WAIT_MS;
	do {
		s = tw_slot(tw);
		if (s.progress_done == 3 && s.progress_total == 10 &&
		    s.rss_bytes > 0)
			break;
		nap(5);
	} while (now_ms() < end);
	assert_int_equal(s.progress_done, 3);
	assert_int_equal(s.progress_total, 10);
	assert_true(s.rss_bytes > 0);
	assert_true(title_has(tw->pid, "worker 1: #9 cat ", true));
	tw_run(tw, 10, 0, 0, "", argv);
	assert_false(tw_started(tw, 10, &busy));
	assert_int_equal(busy.done.flags, PT_DONE_NOEXEC);
	assert_int_equal(busy.done.wstatus, EBUSY);
	assert_true((fd = fifo_writer(fifo)) != -1);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
	tw_finish(tw, 9, &r);
	assert_string_equal(r.out.data, "x\n");
	assert_int_equal(r.done.wstatus, 0);
	assert_true(title_has(tw->pid, "worker 1", true));
	assert_true(title_has(tw->pid, "#9", false));
	result_free(&r);
	unlink(fifo);
	rmdir(dir);
	tw_stop(tw);
}

/* RETIRE when idle: the worker exits 0; the segment stays. */
static void
test_retire_idle(void **state)
{
	struct tw	*tw = *state;
	int		st;

	tw_start(tw);
	tw_send(tw, PT_MSG_RETIRE, NULL, 0);
	st = wait_exit(tw->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_not_equal(tw_slot(tw).state, PT_SLOT_RUNNING);
	assert_true(segment_exists(tw->shm.name));
	tw->pid = 0;
	tw_stop(tw);
}

/* RETIRE while busy: RETIRING until the task ends, then exit 0. */
static void
test_retire_busy(void **state)
{
	struct tw	*tw = *state;
	struct result	 r;
	char		 dir[] = "/tmp/pt-worker.XXXXXX", fifo[64];
	const char	*argv[] = { "cat", fifo, NULL };
	int		 fd, st;

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	tw_start(tw);
	tw_run(tw, 1, 0, 0, "", argv);
	assert_true(tw_started(tw, 1, &r));
	tw_send(tw, PT_MSG_RETIRE, NULL, 0);
	assert_true(tw_wait_state(tw, PT_SLOT_RETIRING));
	assert_true((fd = fifo_writer(fifo)) != -1);
	assert_int_equal(write(fd, "bye\n", 4), 4);
	close(fd);
	tw_finish(tw, 1, &r);
	assert_string_equal(r.out.data, "bye\n");
	st = wait_exit(tw->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_not_equal(tw_slot(tw).state, PT_SLOT_RUNNING);
	tw->pid = 0;
	result_free(&r);
	unlink(fifo);
	rmdir(dir);
	tw_stop(tw);
}

/* SIGTERM to a worker whose supervisor lives: task ended, DONE, exit 0. */
static void
test_sigterm(void **state)
{
	struct tw	*tw = *state;
	struct result	 r;
	const char	*argv[] = { "sleep", "30", NULL };
	int		 st;

	tw_start(tw);
	tw_run(tw, 1, 0, 0, "", argv);
	assert_true(tw_started(tw, 1, &r));
	kill(tw->pid, SIGTERM);
	tw_finish(tw, 1, &r);
	assert_true(WIFSIGNALED(r.done.wstatus));
	assert_int_equal(WTERMSIG(r.done.wstatus), SIGTERM);
	assert_true(r.done.flags & PT_DONE_KILLED);
	st = wait_exit(tw->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(segment_exists(tw->shm.name));
	assert_true(group_wait(r.st.pid, 0, 0));
	tw->pid = 0;
	result_free(&r);
	tw_stop(tw);
}

/*
 * The intermediate "supervisor": start a keeper that knows the segment and
 * the socket, fork the worker, start sleep 86402, write both pids to out,
 * then wait to be killed.
 */
static void __attribute__((noreturn))
fake_supervisor(struct tw *tw, int out, const char *sock_path)
{
	const char	*argv[] = { "sleep", "86402", NULL };
	struct pt_msg	 m;
	char		*p;
	pid_t		 pids[2];
	int		 sv[2];

	if (keeper_start() == -1)
		_exit(1);
	keeper_keep_shm(tw->shm.name);
	keeper_keep_socket(sock_path);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		_exit(1);
	if ((pids[0] = fork()) == 0) {
		close(sv[0]);
		become_worker(tw, sv[1]);
	}
	keeper_add_worker(pids[0]);
	close(sv[1]);
	tw->fd = sv[0];
	if (tw_recv(tw, &m, &p, WAIT_MS) != 0 || m.type != PT_MSG_READY)
		_exit(1);
	tw_run(tw, 1, 0, 0, "", argv);
	if (tw_recv(tw, &m, &p, WAIT_MS) != 0 || m.type != PT_MSG_STARTED)
		_exit(1);
	pids[1] = ((struct pt_started *)(void *)p)->pid;
	if (write_all(out, pids, sizeof pids) == -1)
		_exit(1);
	for (;;)
		pause();
}

/*
 * The supervisor is SIGKILLed: worker and task go; the keeper removes the
 * segment and the socket.
 */
static void
test_supervisor_death(void **state)
{
	struct tw		*tw = *state;
	struct sockaddr_un	 sun;
	char			 sock_path[64];
	char			 err[256];
	struct pollfd		 pfd;
	pid_t			 inter, pids[2];
	int			 pp[2], fd, st;

	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(shm_create(&tw->shm, NSLOTS, err, sizeof err), 0);
	tw->mapped = true;
	snprintf(sock_path, sizeof sock_path, "/tmp/pt-worker-sock.%ld",
	    (long)getpid());
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, sock_path, sizeof sun.sun_path);
	unlink(sock_path);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	close(fd);
	assert_int_equal(pipe(pp), 0);
	if ((inter = fork()) == 0) {
		close(pp[0]);
		fake_supervisor(tw, pp[1], sock_path);
	}
	tw->pid = inter;
	close(pp[1]);
	pfd.fd = pp[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
	assert_int_equal(read(pp[0], pids, sizeof pids), (ssize_t)sizeof pids);
	close(pp[0]);
	assert_true(group_wait(pids[1], 1, 0));
	kill(inter, SIGKILL);
	assert_int_equal(waitpid(inter, &st, 0), inter);
	tw->pid = 0;
	st = wait_exit(pids[0]);	/* reparented to us, the subreaper */
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(group_wait(pids[1], 0, 0));
	/* The keeper (reparented to us too) removes them and exits. */
	while (waitpid(-1, &st, 0) > 0)
		;
	assert_false(segment_exists(tw->shm.name));
	assert_int_equal(access(sock_path, F_OK), -1);
	assert_int_equal(errno, ENOENT);
}

/* EOF from the supervisor while idle: exit 0, segment left alone. */
static void
test_eof(void **state)
{
	struct tw	*tw = *state;
	int		st;

	tw_start(tw);
	close(tw->fd);
	tw->fd = -1;
	st = wait_exit(tw->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(segment_exists(tw->shm.name));
	tw->pid = 0;
	tw_stop(tw);
}

/*
 * Persistent mode (worker-persist.c): the worker keeps one program running and
 * talks to it in lines.  The harness below collects the replies for several
 * tasks sent at once, in the order they arrive.
 */

/* The replies for one task of a batch. */
struct presult {
	uint64_t	 seq;
	bool		 started;
	pid_t		 pid;		/* from STARTED */
	struct buf	 out;
	struct buf	 err;
	bool		 done;
	struct pt_done	 d;
	int		 order;		/* DONE arrived as the order-th */
};

/* The index of task seq in the batch; it must be there, not done. */
static int
pr_find(struct presult *r, int n, uint64_t seq)
{
	int	i;

	for (i = 0; i < n && r[i].seq != seq; i++)
		;
	assert_true(i < n);
	assert_false(r[i].done);
	return i;
}

/*
 * An ANSWERS message: each record is task's OUT and DONE and, with
 * PT_ANSWER_NEXT, the STARTED of the next unanswered one (same program).
 * Returns how many records it held; *hit if task started started.
 */
static int
pr_answers(struct presult *r, int n, const char *p, size_t len, int *order,
    uint64_t started, bool *hit)
{
	struct pt_answers	 h;
	struct pt_answer	 a;
	const char		*end = p + len;
	uint32_t		 k;
	int			 i, j;

	assert_true(len >= sizeof h);
	memcpy(&h, p, sizeof h);
	p += sizeof h;
	for (k = 0; k < h.count; k++) {
		assert_true((size_t)(end - p) >= sizeof a);
		memcpy(&a, p, sizeof a);
		p += sizeof a;
		assert_true((size_t)(end - p) >= a.len);
		i = pr_find(r, n, a.task_seq);
		buf_add((a.flags & PT_ANSWER_ERROR) ? &r[i].err : &r[i].out, p,
		    a.len);
		p += a.len;
		memset(&r[i].d, 0, sizeof r[i].d);
		r[i].d.task_seq = a.task_seq;
		r[i].d.wstatus = (a.flags & PT_ANSWER_ERROR) ?
		    W_EXITCODE(1, 0) : 0;
		r[i].d.start_real_ns = a.start_real_ns;
		r[i].d.wall_ns = a.wall_ns;
		r[i].done = true;
		r[i].order = (*order)++;
		if (!(a.flags & PT_ANSWER_NEXT))
			continue;
		for (j = 0; j < n && (r[j].done || r[j].started); j++)
			;
		assert_true(j < n);
		r[j].started = true;
		r[j].pid = r[i].pid;
		if (r[j].seq == started)
			*hit = true;
	}
	assert_true(p == end);
	return (int)h.count;
}

/*
 * Read replies until every task of the batch has its DONE, or (started
 * not 0) until task started has its STARTED.
 */
static void
tw_batch_until(struct tw *tw, struct presult *r, int n, uint64_t started)
{
	struct pt_started	 st;
	struct pt_out		 o;
	struct pt_msg		 m;
	char			*p;
	int			 i, left, order = 0;
	uint64_t		 seq;
	bool			 hit = false;

	for (i = left = 0; i < n; i++) {
		if (!r[i].done)
			left++;
		if (r[i].done && r[i].order >= order)
			order = r[i].order + 1;
	}
	while (left > 0) {
		assert_int_equal(tw_recv(tw, &m, &p, WAIT_MS), 0);
		if (m.type == PT_MSG_ANSWERS) {
			left -= pr_answers(r, n, p, m.len, &order, started,
			    &hit);
			free(p);
			if (hit)
				return;
			continue;
		}
		assert_true(m.type == PT_MSG_STARTED || m.type == PT_MSG_OUT ||
		    m.type == PT_MSG_DONE);
		assert_true(m.len >= sizeof seq);
		memcpy(&seq, p, sizeof seq);
		i = pr_find(r, n, seq);
		if (m.type == PT_MSG_STARTED) {
			memcpy(&st, p, sizeof st);
			r[i].started = true;
			r[i].pid = st.pid;
			if (seq == started) {
				free(p);
				return;
			}
		} else if (m.type == PT_MSG_OUT) {
			memcpy(&o, p, sizeof o);
			buf_add(o.stream == 1 ? &r[i].out : &r[i].err,
			    p + sizeof o, m.len - sizeof o);
		} else {
			memcpy(&r[i].d, p, sizeof r[i].d);
			r[i].done = true;
			r[i].order = order++;
			left--;
		}
		free(p);
	}
}

/* Read replies until every task of the batch has its DONE. */
static void
tw_batch(struct tw *tw, struct presult *r, int n)
{
	tw_batch_until(tw, r, n, 0);
}

/* Send RUN for each task of the batch: line words argv, item "it<seq>". */
static void
tw_pruns(struct tw *tw, struct presult *r, int n, uint64_t first,
    int64_t timeout_ms, const char *const *lines)
{
	const char	*argv[2];
	char		 item[32];
	int		 i;

	for (i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof r[i]);
		r[i].seq = first + (uint64_t)i;
		argv[0] = lines[i];
		argv[1] = NULL;
		snprintf(item, sizeof item, "it%llu",
		    (unsigned long long)r[i].seq);
		tw_run(tw, r[i].seq, timeout_ms, 0, item, argv);
	}
}

static void
presult_free(struct presult *r, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		buf_free(&r[i].out);
		buf_free(&r[i].err);
	}
}

/* Did the task succeed (exit 0, no flags)? */
static bool
pr_ok(const struct presult *r)
{
	return r->done && r->d.flags == 0 && WIFEXITED(r->d.wstatus) &&
	    WEXITSTATUS(r->d.wstatus) == 0;
}

/* A shell line worker: "got LINE" on stdout and "e LINE" on stderr. */
#define ECHO_WORKER	"while read -r l; do echo \"e $l\" >&2;" \
			" echo \"got $l\"; done"

/*
 * Lines in, one answer each, in order, from one program.  Stderr goes to
 * the oldest unanswered task when read: exact one line at a time, and all
 * of it somewhere when several are in flight.
 */
static void
test_persist_lines(void **state)
{
	struct tw		*tw = *state;
	struct presult		 r[5];
	struct pt_shm_slot	 s;
	struct buf		 err = { 0 };
	const char		*lines[] = { "a", "b c", "", "d\te", "f" };
	const char		*words[] = { "row", "x y", NULL };
	char			 want[64];
	int			 i;

	tw->opts.persistent = (char *)ECHO_WORKER;
	tw_start(tw);
	tw_pruns(tw, r, 5, 1, 0, lines);
	tw_batch(tw, r, 5);
	for (i = 0; i < 5; i++) {
		assert_true(pr_ok(&r[i]));
		assert_int_equal(r[i].order, i);
		assert_true(r[i].started);
		assert_int_equal(r[i].pid, r[0].pid);
		snprintf(want, sizeof want, "got %s\n", lines[i]);
		assert_string_equal(r[i].out.data, want);
		assert_true(r[i].d.start_real_ns > 0);
		buf_add(&err, r[i].err.data, r[i].err.len);
	}
	assert_string_equal(err.data, "e a\ne b c\ne \ne d\te\ne f\n");
	buf_free(&err);
	presult_free(r, 5);
	for (i = 0; i < 5; i++) {
		tw_pruns(tw, r + i, 1, 10 + (uint64_t)i, 0, lines + i);
		tw_batch(tw, r + i, 1);
		snprintf(want, sizeof want, "e %s\n", lines[i]);
		assert_string_equal(r[i].err.data, want);
		assert_int_equal(r[i].pid, r[0].pid);
	}
	presult_free(r, 5);
	/* argv words are joined by spaces, not quoted. */
	memset(&r[0], 0, sizeof r[0]);
	r[0].seq = 6;
	tw_run(tw, 6, 0, 0, "item", words);
	tw_batch(tw, r, 1);
	assert_string_equal(r[0].out.data, "got row x y\n");
	assert_true(tw_wait_state(tw, PT_SLOT_IDLE));
	s = tw_slot(tw);
	assert_int_equal(s.tasks_done, 11);
	assert_int_equal(s.tasks_failed, 0);
	assert_int_equal(s.task_pid, 0);
	presult_free(r, 1);
	tw_stop(tw);
}

/*
 * LINES: one message of many lines (built with proto_batch_add(), as the
 * supervisor does), each answered in order; whole stdout lines come back
 * in ANSWERS, the error marker as an error answer, a line holding a
 * newline refused alone.
 */
static void
test_persist_lines_msg(void **state)
{
	struct tw		*tw = *state;
	struct presult		 r[6];
	struct proto_batch	 pb = { 0, 0, false };
	struct pt_lines		 h = { 0, 0, 0 };
	struct pt_line		 l;
	struct buf		 m = { 0 };
	const char		*lines[] = { "a", "ERROR: no", "", "b\nc",
				    "d e", "f" };
	char			*at, want[64];
	int			 i;

	tw->opts.persistent = (char *)"while read -r l; do echo \"$l\";"
	    " done";
	tw_start(tw);
	for (i = 0; i < 6; i++) {
		memset(&r[i], 0, sizeof r[i]);
		r[i].seq = 20 + (uint64_t)i;
		memset(&l, 0, sizeof l);
		l.task_seq = r[i].seq;
		l.len = (uint32_t)strlen(lines[i]);
		at = proto_batch_add(&m, &pb, PT_MSG_LINES, &h, sizeof h,
		    sizeof l + l.len + 1);
		memcpy(at, &l, sizeof l);
		memcpy(at + sizeof l, lines[i], l.len + 1);
	}
	/* One message, six records. */
	assert_int_equal(m.len, sizeof(struct pt_msg) + sizeof h +
	    6 * sizeof l + 2 + 10 + 1 + 4 + 4 + 2);
	assert_int_equal(write_all(tw->fd, m.data, m.len), (ssize_t)m.len);
	buf_free(&m);
	tw_batch(tw, r, 6);
	for (i = 0; i < 6; i++) {
		if (i == 3) {
			assert_true(r[i].d.flags & PT_DONE_NOEXEC);
			assert_int_equal(r[i].d.wstatus, EINVAL);
			assert_non_null(strstr(r[i].err.data, "newline"));
			continue;
		}
		snprintf(want, sizeof want, "%s\n", lines[i]);
		assert_string_equal(i == 1 ? r[i].err.data : r[i].out.data,
		    want);
		assert_int_equal(WEXITSTATUS(r[i].d.wstatus), i == 1);
		assert_true(r[i].d.start_real_ns > 0);
	}
	/* In order, the refused one aside (it never reached the program). */
	assert_true(r[0].order < r[1].order && r[1].order < r[2].order &&
	    r[2].order < r[4].order && r[4].order < r[5].order);
	presult_free(r, 6);
	tw_stop(tw);
}

/* The error marker fails the task, its line on stderr; a newline refused. */
static void
test_persist_error(void **state)
{
	struct tw	*tw = *state;
	struct presult	 r[3];
	const char	*lines[] = { "ok1", "bad", "ok2" };
	const char	*nl[] = { "two\nlines", NULL };
	const char	*split[] = { "split", "half" };

	tw->opts.persistent = (char *)"while read -r l; do case $l in"
	    " bad) echo \"" PERSIST_ERROR_MARK " no $l\";;"
	    " split*) printf ERR; sleep 0.05; printf 'OR: %s\\n' $l;;"
	    " half*) printf h; sleep 0.05; printf 'alf %s\\n' $l;;"
	    " *) echo \"$l\";; esac; done";
	tw_start(tw);
	tw_pruns(tw, r, 3, 1, 0, lines);
	tw_batch(tw, r, 3);
	assert_true(pr_ok(&r[0]));
	assert_true(pr_ok(&r[2]));
	assert_string_equal(r[2].out.data, "ok2\n");
	assert_true(WIFEXITED(r[1].d.wstatus));
	assert_int_equal(WEXITSTATUS(r[1].d.wstatus), 1);
	assert_int_equal(r[1].d.flags, 0);
	assert_int_equal(r[1].out.len, 0);
	assert_string_equal(r[1].err.data, PERSIST_ERROR_MARK " no bad\n");
	presult_free(r, 3);
	memset(&r[0], 0, sizeof r[0]);
	r[0].seq = 4;
	tw_run(tw, 4, 0, 0, "x", nl);
	tw_batch(tw, r, 1);
	assert_false(r[0].started);
	assert_int_equal(r[0].d.flags, PT_DONE_NOEXEC);
	assert_int_equal(r[0].d.wstatus, EINVAL);
	assert_non_null(strstr(r[0].err.data, "newline"));
	presult_free(r, 1);
	/* Lines that come in pieces: the marker is seen across reads. */
	tw_pruns(tw, r, 2, 5, 0, split);
	tw_batch(tw, r, 2);
	assert_int_equal(WEXITSTATUS(r[0].d.wstatus), 1);
	assert_string_equal(r[0].err.data, "ERROR: split\n");
	assert_int_equal(r[0].out.len, 0);
	assert_true(pr_ok(&r[1]));
	assert_string_equal(r[1].out.data, "half half\n");
	assert_true(tw_wait_failed(tw, 3));
	presult_free(r, 2);
	tw_stop(tw);
}

/*
 * The program exits on one line: that task fails with its status, the
 * ones behind it are handed back, and a new program answers the next.
 */
static void
test_persist_crash(void **state)
{
	struct tw	*tw = *state;
	struct presult	 r[4];
	const char	*lines[] = { "a", "die", "b", "c" };
	const char	*next[] = { "d" };
	pid_t		 first;
	int		 i;

	tw->opts.persistent = (char *)"while read -r l; do"
	    " [ \"$l\" = die ] && exit 7; echo \"$$ $l\"; done";
	tw_start(tw);
	tw_pruns(tw, r, 4, 1, 0, lines);
	tw_batch(tw, r, 4);
	assert_true(pr_ok(&r[0]));
	first = r[0].pid;
	assert_true(WIFEXITED(r[1].d.wstatus));
	assert_int_equal(WEXITSTATUS(r[1].d.wstatus), 7);
	assert_int_equal(r[1].d.flags, 0);
	assert_non_null(strstr(r[1].err.data, "exited with status 7"));
	/*
	 * The lines behind it are handed back if they had been written to
	 * the dead program; those not written yet (the window grows with
	 * answers, so this depends on timing) are answered by a new one.
	 */
	for (i = 2; i < 4; i++) {
		if (r[i].d.flags == PT_DONE_REQUEUE) {
			assert_int_equal(r[i].out.len, 0);
			continue;
		}
		assert_true(pr_ok(&r[i]));
		assert_true(r[i].pid != first);
	}
	presult_free(r, 4);
	tw_pruns(tw, r, 1, 5, 0, next);
	tw_batch(tw, r, 1);
	assert_true(pr_ok(&r[0]));
	assert_true(r[0].pid != first);
	assert_true(r[0].pid > 0);
	presult_free(r, 1);
	tw_stop(tw);
}

/* --max-tasks-per-worker 2: a new program every two lines, none lost. */
static void
test_persist_max_tasks(void **state)
{
	struct tw	*tw = *state;
	struct presult	 r[5];
	const char	*lines[] = { "1", "2", "3", "4", "5" };
	char		 want[64];
	int		 i;

	tw->opts.persistent = (char *)"while read -r l; do echo \"$$ $l\";"
	    " done";
	tw->opts.max_tasks_per_worker = 2;
	tw_start(tw);
	tw_pruns(tw, r, 5, 1, 0, lines);
	tw_batch(tw, r, 5);
	for (i = 0; i < 5; i++) {
		assert_true(pr_ok(&r[i]));
		snprintf(want, sizeof want, "%ld %s\n", (long)r[i].pid,
		    lines[i]);
		assert_string_equal(r[i].out.data, want);
	}
	assert_int_equal(r[1].pid, r[0].pid);
	assert_int_equal(r[3].pid, r[2].pid);
	assert_true(r[2].pid != r[0].pid);
	assert_true(r[4].pid != r[2].pid && r[4].pid != r[0].pid);
	presult_free(r, 5);
	tw_stop(tw);
}

/*
 * --timeout on the line the program hangs on, with time paused not
 * counted: TIMEOUT, the program ended; the line behind it handed back.
 */
static void
test_persist_timeout(void **state)
{
	struct tw	*tw = *state;
	struct presult	 r[3];
	struct pt_msg	 m;
	char		*p;
	const char	*lines[] = { "a", "hang", "b" };

	tw->opts.persistent = (char *)"while read -r l; do"
	    " [ \"$l\" = hang ] && sleep 60; echo \"$l\"; done";
	tw_start(tw);
	tw_pruns(tw, r, 1, 1, 0, lines);	/* no timeout: sh may start slowly */
	tw_pruns(tw, r + 1, 2, 2, 1000, lines + 1);
	/* a's answer, then hang starts: pause longer than the timeout. */
	tw_batch_until(tw, r, 3, 2);
	tw_send(tw, PT_MSG_PAUSE, NULL, 0);
	assert_true(tw_wait_state(tw, PT_SLOT_PAUSED));
	assert_int_equal(tw_recv(tw, &m, &p, 1500), -1);
	tw_send(tw, PT_MSG_RESUME, NULL, 0);
	tw_batch(tw, r, 3);
	assert_true(pr_ok(&r[0]));
	assert_int_equal(r[1].d.flags, PT_DONE_TIMEOUT);
	assert_true(WIFSIGNALED(r[1].d.wstatus));
	assert_int_equal(WTERMSIG(r[1].d.wstatus), SIGTERM);
	assert_true(r[1].d.wall_ns >= 1000 * 1000000LL);
	assert_true(r[1].d.wall_ns < 30 * PT_NSEC);
	assert_int_equal(r[2].d.flags, PT_DONE_REQUEUE);
	assert_true(group_wait(r[1].pid, 0, 0));
	presult_free(r, 3);
	tw_stop(tw);
}

/* Task seq, sent next, is answered by a new program (not group pg). */
static void
expect_new_program(struct tw *tw, uint64_t seq, pid_t pg)
{
	struct presult	 r[1];
	const char	*line[] = { "x" };

	tw_pruns(tw, r, 1, seq, 0, line);
	tw_batch(tw, r, 1);
	assert_true(pr_ok(&r[0]));
	assert_true(r[0].pid != pg);
	presult_free(r, 1);
}

/* PAUSE stops the program's group; KILL fails the task, a new one runs. */
static void
test_persist_pause_kill(void **state)
{
	struct tw	*tw = *state;
	struct presult	 r[2];
	struct pt_kill	 k = { 0 };
	const char	*lines[] = { "slow", "next" };
	pid_t		 pg;

	tw->opts.persistent = (char *)"while read -r l; do"
	    " [ \"$l\" = slow ] && sleep 60; echo \"$$ $l\"; done";
	tw_start(tw);
	tw_pruns(tw, r, 2, 1, 0, lines);
	assert_true(tw_wait_state(tw, PT_SLOT_RUNNING));
	pg = tw_slot(tw).task_pid;
	assert_true(pg > 0);
	assert_true(group_wait(pg, 2, 0));	/* sh and its sleep */
	tw_send(tw, PT_MSG_PAUSE, NULL, 0);
	assert_true(group_wait(pg, 2, 1));
	assert_true(tw_wait_state(tw, PT_SLOT_PAUSED));
	tw_send(tw, PT_MSG_RESUME, NULL, 0);
	assert_true(group_wait(pg, 2, 0));
	assert_true(tw_wait_state(tw, PT_SLOT_RUNNING));
	tw_send(tw, PT_MSG_KILL, &k, sizeof k);
	tw_batch(tw, r, 2);
	assert_int_equal(r[0].d.flags, PT_DONE_KILLED);
	assert_true(WIFSIGNALED(r[0].d.wstatus));
	assert_int_equal(r[1].d.flags, PT_DONE_REQUEUE);
	assert_true(group_wait(pg, 0, 0));
	presult_free(r, 2);
	expect_new_program(tw, 3, pg);
	tw_stop(tw);
}

/*
 * Many lines in flight to a program that writes each answer on its own,
 * which the worker reads in batches (worker-persist.c, hold_decide()),
 * and a pause, a resume and a kill amid the stream.  Whatever the timing:
 * the answers are a prefix of the lines, in order, each once, from one
 * program; the kill fails the first line not answered when it came (the
 * program stops at "slow", the last, at the latest), what the program
 * wrote before it ended answers the lines after it, and the rest go back.
 */
static void
test_persist_stream_kill(void **state)
{
	enum { N = 2000 };
	struct tw	*tw = *state;
	struct presult	*r = xcalloc(N + 1, sizeof *r);
	const char	**lines = xcalloc(N + 1, sizeof *lines);
	char		(*num)[16] = xcalloc(N, sizeof *num);
	struct pt_kill	 k = { 0 };
	char		 want[64];
	int		 i, n;
	bool		 back;

	tw->opts.persistent = (char *)"while read -r l; do"
	    " [ \"$l\" = slow ] && sleep 60; echo \"$$ $l\"; done";
	tw_start(tw);
	for (i = 0; i < N; i++) {
		snprintf(num[i], sizeof num[i], "%d", i + 1);
		lines[i] = num[i];
	}
	lines[N] = "slow";
	tw_pruns(tw, r, N + 1, 1, 0, lines);
	tw_batch_until(tw, r, N + 1, 50);	/* 49 answered */
	tw_send(tw, PT_MSG_PAUSE, NULL, 0);
	tw_send(tw, PT_MSG_RESUME, NULL, 0);
	tw_send(tw, PT_MSG_KILL, &k, sizeof k);
	tw_batch(tw, r, N + 1);
	for (n = 0; n <= N && pr_ok(&r[n]); n++)
		;
	assert_true(n >= 49 && n <= N);
	assert_int_equal(r[n].d.flags, PT_DONE_KILLED);
	for (i = 0, back = false; i <= N; i++) {
		if (i == n)
			continue;
		if (r[i].d.flags == PT_DONE_REQUEUE) {
			back = true;
			continue;
		}
		/* What it wrote before it died still answers, in order. */
		assert_false(back);
		assert_true(pr_ok(&r[i]));
		snprintf(want, sizeof want, "%ld %s\n", (long)r[0].pid,
		    lines[i]);
		assert_string_equal(r[i].out.data, want);
		assert_int_equal(r[i].order, i);
	}
	presult_free(r, N + 1);
	free(r);
	free(lines);
	free(num);
	tw_stop(tw);
}

/*
 * The program dies while paused: its tasks end, and so does the pause (as
 * for the supervisor, which sends no RESUME to a worker without tasks);
 * the next program runs.
 */
static void
test_persist_pause_crash(void **state)
{
	struct tw	*tw = *state;
	struct presult	 r[2];
	const char	*lines[] = { "slow", "next" };
	pid_t		 pg;

	tw->opts.persistent = (char *)"while read -r l; do"
	    " [ \"$l\" = slow ] && sleep 60; echo \"$$ $l\"; done";
	tw_start(tw);
	tw_pruns(tw, r, 2, 1, 0, lines);
	tw_batch_until(tw, r, 2, 1);
	pg = r[0].pid;
	assert_true(group_wait(pg, 2, 0));
	tw_send(tw, PT_MSG_PAUSE, NULL, 0);
	assert_true(group_wait(pg, 2, 1));
	kill(pg, SIGKILL);
	tw_batch(tw, r, 2);
	assert_true(WIFSIGNALED(r[0].d.wstatus));
	assert_int_equal(WTERMSIG(r[0].d.wstatus), SIGKILL);
	assert_int_equal(r[0].d.flags, 0);
	assert_int_equal(r[1].d.flags, PT_DONE_REQUEUE);
	assert_true(tw_wait_state(tw, PT_SLOT_IDLE));
	presult_free(r, 2);
	expect_new_program(tw, 3, pg);
	tw_stop(tw);
}

/* --init runs once per worker, before the program, with its variables. */
static void
test_persist_init(void **state)
{
	struct tw	*tw = *state;
	struct presult	 r[3];
	const char	*lines[] = { "1", "2", "3" };
	char		 path[] = "/tmp/pt-init.XXXXXX", buf[256];
	int		 fd;
	ssize_t		 n;

	assert_true((fd = mkstemp(path)) != -1);
	setenv("PT_INIT_FILE", path, 1);
	tw->opts.init = (char *)"echo \"init $POOLTOP_SLOT\" >>\"$PT_INIT_FILE\"";
	tw->opts.persistent = (char *)"while read -r l; do echo $l; done";
	tw->opts.max_tasks_per_worker = 1;	/* three programs, one init */
	tw_start_at(tw, 1);
	unsetenv("PT_INIT_FILE");
	tw_pruns(tw, r, 3, 1, 0, lines);
	tw_batch(tw, r, 3);
	assert_true(pr_ok(&r[0]) && pr_ok(&r[1]) && pr_ok(&r[2]));
	assert_true(r[0].pid != r[1].pid && r[1].pid != r[2].pid);
	n = read(fd, buf, sizeof buf - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "init 2\n");
	close(fd);
	unlink(path);
	presult_free(r, 3);
	tw_stop(tw);
}

/*
 * A failing --init: no READY; the worker says why in one WHY message (its
 * status and the last line of its output), never on stderr, and exits
 * PERSIST_EXIT_INIT.
 */
static void
test_persist_init_fails(void **state)
{
	struct tw	*tw = *state;
	char		 err[256];
	struct pt_msg	 m;
	char		*p;
	int		 sv[2], st;

	tw->opts.init = (char *)"echo cannot connect >&2; exit 4";
	tw->opts.persistent = (char *)"cat";
	assert_int_equal(shm_create(&tw->shm, NSLOTS, err, sizeof err), 0);
	tw->mapped = true;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	if ((tw->pid = fork()) == 0) {
		close(sv[0]);
		become_worker(tw, sv[1]);
	}
	close(sv[1]);
	tw->fd = sv[0];
	assert_int_equal(tw_recv(tw, &m, &p, WAIT_MS), 0);
	assert_int_equal(m.type, PT_MSG_WHY);
	assert_string_equal(p, "--init failed (exit 4): cannot connect");
	free(p);
	assert_int_equal(tw_recv(tw, &m, &p, WAIT_MS), -1);	/* EOF */
	st = wait_exit(tw->pid);
	tw->pid = 0;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), PERSIST_EXIT_INIT);
	assert_non_null(strstr(tw_slot(tw).tail, "cannot connect"));
	assert_int_not_equal(tw_slot(tw).state, PT_SLOT_RUNNING);
}

/* RETIRE: what was given is answered, stdin closes, the program exits. */
static void
test_persist_retire(void **state)
{
	struct tw	*tw = *state;
	struct presult	 r[2];
	const char	*lines[] = { "a", "b" };
	char		 path[] = "/tmp/pt-retire.XXXXXX", buf[64];
	int		 fd, st;
	ssize_t		 n;

	assert_true((fd = mkstemp(path)) != -1);
	setenv("PT_BYE_FILE", path, 1);
	tw->opts.persistent = (char *)"while read -r l; do echo $l; done;"
	    " echo bye >\"$PT_BYE_FILE\"";
	tw_start(tw);
	unsetenv("PT_BYE_FILE");
	tw_pruns(tw, r, 2, 1, 0, lines);
	tw_send(tw, PT_MSG_RETIRE, NULL, 0);
	tw_batch(tw, r, 2);
	assert_true(pr_ok(&r[0]) && pr_ok(&r[1]));
	st = wait_exit(tw->pid);
	tw->pid = 0;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	n = read(fd, buf, sizeof buf - 1);
	assert_int_equal(n, 4);	/* it saw EOF and ended by itself */
	close(fd);
	unlink(path);
	presult_free(r, 2);
	tw_stop(tw);
}

/* The supervisor goes away: the program's group is ended, exit 0. */
static void
test_persist_eof(void **state)
{
	struct tw	*tw = *state;
	struct presult	 r[1];
	const char	*lines[] = { "x" };
	pid_t		 pg;
	int		 st;

	tw->opts.persistent = (char *)"trap '' TERM; while read -r l; do"
	    " echo $l; done";
	tw_start(tw);
	tw_pruns(tw, r, 1, 1, 0, lines);
	tw_batch(tw, r, 1);
	pg = r[0].pid;
	assert_true(group_wait(pg, 1, 0));
	close(tw->fd);
	tw->fd = -1;
	st = wait_exit(tw->pid);
	tw->pid = 0;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(group_wait(pg, 0, 0));
	presult_free(r, 1);
	tw_stop(tw);
}

/*
 * Progress: the program's POOLTOP_TASK names it; a post for that name
 * shows as the progress of the task it is working on.
 */
static void
test_persist_progress(void **state)
{
	struct tw		*tw = *state;
	struct presult		 r[2];
	struct pt_shm_slot	 s;
	const char		*lines[] = { "token", "slow" };
	char			 dir[] = "/tmp/pt-prog.XXXXXX", go[64];
	unsigned long long	 token;
	int64_t			 end;
	int			 fd;

	assert_non_null(mkdtemp(dir));
	snprintf(go, sizeof go, "%s/go", dir);
	setenv("PT_GO", go, 1);
	tw->opts.persistent = (char *)"while read -r l; do"
	    " [ \"$l\" = slow ] && while [ ! -e \"$PT_GO\" ]; do sleep 0.02;"
	    " done; echo \"$POOLTOP_TASK\"; done";
	tw_start(tw);
	unsetenv("PT_GO");
	tw_pruns(tw, r, 1, 1, 0, lines);
	tw_batch(tw, r, 1);
	token = strtoull(r[0].out.data, NULL, 10);
	assert_true(token >= 1ULL << 62);
	presult_free(r, 1);
	tw_pruns(tw, r, 1, 2, 0, lines + 1);
	shm_mbox_post(&tw->shm.slots[tw->slot].mbox, token, 3, 10);
	end = now_ms() + WAIT_MS;
	do {
		s = tw_slot(tw);
		if (s.progress_total == 10)
			break;
		nap(5);
	} while (now_ms() < end);
	assert_int_equal(s.progress_done, 3);
	assert_int_equal(s.progress_total, 10);
	assert_int_equal(s.task_seq, 2);
	assert_string_equal(s.label, "slow");
	assert_string_equal(s.item, "it2");
	assert_int_equal(s.state, PT_SLOT_RUNNING);
	assert_true((fd = open(go, O_CREAT | O_WRONLY, 0600)) != -1);
	close(fd);
	tw_batch(tw, r, 1);
	assert_true(pr_ok(&r[0]));
	unlink(go);
	rmdir(dir);
	presult_free(r, 1);
	tw_stop(tw);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_shell_exit, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_noexec_shortage, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_noexec, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_timeout, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_timeout_paused, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_pause_resume_kill,
		    tw_setup, tw_teardown),
		cmocka_unit_test_setup_teardown(test_kill_signal, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_env, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_signals_reset, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_grandchild, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_output_tail, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_label, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_running_slot, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_retire_idle, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_retire_busy, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_sigterm, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_eof, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_supervisor_death, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_lines, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_lines_msg,
		    tw_setup, tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_error, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_crash, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_max_tasks, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_timeout, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_pause_kill, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_pause_crash,
		    tw_setup, tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_stream_kill,
		    tw_setup, tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_init, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_init_fails, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_retire, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_eof, tw_setup,
		    tw_teardown),
		cmocka_unit_test_setup_teardown(test_persist_progress, tw_setup,
		    tw_teardown),
	};

	setproctitle_init(argc, argv, environ);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Tests of worker-group.c on a real `sleep` in its own process group, with
 * no worker around it: the termination sequence sends each step at its
 * deadline (not before) and SIGKILL after the last wait, then nothing; a
 * signal wakes a stopped group; the pause clock leaves out time stopped
 * (even a pause that began before the clock), so the timeout moves by the
 * pause; slot text is one line and never ends inside a UTF-8 sequence.
 * A spawned group leads its own group, its streams come apart or merged,
 * its stdin is a pipe when asked, and a spawn that fails leaves no pipe
 * open.  Sampling walks a busy
 * group's tree only when due, and finds its CPU and memory; a reaped
 * leader is told apart from other children; the slot shows the samples,
 * the progress and the last bytes of output.  Clocks are passed in, so
 * deadlines are exact; the signals are real.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"
#include "worker-group.h"

#define MS		1000000LL
#define T0		(1000 * MS)	/* any clock reading */
#define WAIT_TRIES	2500		/* polls of 2 ms: 5 s at most */

extern char **environ;

/* What a spawned group wrote, by stream. */
struct got {
	char	s[3][64];
	size_t	n[3];
};

/* `sleep 60` leading its own group; SIGTERM ignored if deaf. */
static pid_t
spawn_sleep(bool deaf)
{
	pid_t	pid;
	int	p[2];
	char	c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGTERM, deaf ? SIG_IGN : SIG_DFL);
		signal(SIGUSR1, SIG_DFL);
		close(p[0]);
		(void)write(p[1], "r", 1);	/* set up: kept across exec */
		close(p[1]);
		execlp("sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);	/* either side may win; both set it */
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

/* Wait (bounded) for a change of pid under options; its status. */
static int
wait_for(pid_t pid, int options)
{
	struct timespec	ts = { 0, 2 * MS };
	int		st, i;

	for (i = 0; i < WAIT_TRIES; i++) {
		if (waitpid(pid, &st, WNOHANG | options) == pid)
			return st;
		nanosleep(&ts, NULL);
	}
	fail_msg("pid %ld did not change", (long)pid);
	return -1;
}

/* Is pid still running (not reaped, not exited)? */
static bool
alive(pid_t pid)
{
	struct timespec	ts = { 0, 20 * MS };
	int		st;

	nanosleep(&ts, NULL);	/* a signal sent would have landed */
	return waitpid(pid, &st, WNOHANG) == 0;
}

/* Each step at its deadline, none before; SIGKILL after the last. */
static void
test_termseq(void **state)
{
	const struct termseq	ts = { 2, { SIGTERM, SIGTERM }, { 100, 50 } };
	struct wgroup		g;
	pid_t			pid;
	int			st;

	(void)state;
	pid = spawn_sleep(true);
	wgroup_init(&g, NULL, &ts, NULL, NULL);
	g.pid = pid;
	assert_false(wgroup_ending(&g));
	assert_int_equal(wgroup_term_deadline(&g), WG_NEVER);
	/* Not ending: nothing. */
	wgroup_term_check(&g, T0 + 3600000 * MS);
	assert_false(wgroup_ending(&g));

	wgroup_term_start(&g, T0);
	assert_true(wgroup_ending(&g));
	assert_int_equal(g.term_step, 0);
	assert_int_equal(wgroup_term_deadline(&g), T0 + 100 * MS);
	wgroup_term_check(&g, T0 + 100 * MS - 1);
	assert_int_equal(g.term_step, 0);
	wgroup_term_check(&g, T0 + 100 * MS);
	assert_int_equal(g.term_step, 1);
	assert_int_equal(wgroup_term_deadline(&g), T0 + 150 * MS);
	assert_true(alive(pid));		/* SIGTERM is ignored */

	wgroup_term_check(&g, T0 + 150 * MS - 1);
	assert_true(alive(pid));
	wgroup_term_check(&g, T0 + 150 * MS);
	assert_int_equal(wgroup_term_deadline(&g), WG_NEVER);
	st = wait_for(pid, 0);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	/* All sent: nothing. */
	wgroup_term_check(&g, T0 + 3600000 * MS);
	assert_int_equal(wgroup_term_deadline(&g), WG_NEVER);
}

/* A group that heeds the first step ends with it. */
static void
test_termseq_first(void **state)
{
	const struct termseq	ts = { 1, { SIGUSR1 }, { 200 } };
	struct wgroup		g;
	pid_t			pid;
	int			st;

	(void)state;
	pid = spawn_sleep(false);
	wgroup_init(&g, NULL, &ts, NULL, NULL);
	g.pid = pid;
	wgroup_term_start(&g, T0);
	st = wait_for(pid, 0);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGUSR1);
	assert_int_equal(wgroup_term_deadline(&g), T0 + 200 * MS);
}

/* A signal to a stopped group wakes it (SIGCONT after it). */
static void
test_signal_wakes(void **state)
{
	pid_t	pid;
	int	st;

	(void)state;
	pid = spawn_sleep(true);
	killpg(pid, SIGSTOP);
	st = wait_for(pid, WUNTRACED);
	assert_true(WIFSTOPPED(st));
	wgroup_signal(pid, SIGTERM);
	st = wait_for(pid, WCONTINUED);
	assert_true(WIFCONTINUED(st));
	assert_true(alive(pid));
	killpg(pid, SIGKILL);
	st = wait_for(pid, 0);
	assert_int_equal(WTERMSIG(st), SIGKILL);
}

/* Pauses are left out of the running time and move the timeout. */
static void
test_clock(void **state)
{
	struct wgroup_clock	c;

	(void)state;
	memset(&c, 0, sizeof c);
	assert_int_equal(wgroup_clock_running(&c, 0, T0), 0);
	assert_int_equal(wgroup_clock_timeout(&c, 5 * MS), WG_NEVER);

	wgroup_clock_start(&c, T0);
	assert_int_equal(wgroup_clock_timeout(&c, 0), WG_NEVER);
	assert_int_equal(wgroup_clock_timeout(&c, 10 * MS), T0 + 10 * MS);
	assert_int_equal(wgroup_clock_running(&c, 0, T0 + 3 * MS), 3 * MS);
	/* Paused at +3 ms: running time stands still. */
	assert_int_equal(wgroup_clock_running(&c, T0 + 3 * MS, T0 + 9 * MS),
	    3 * MS);
	wgroup_clock_unpause(&c, T0 + 3 * MS, T0 + 10 * MS);
	assert_int_equal(c.paused_ns, 7 * MS);
	assert_int_equal(wgroup_clock_running(&c, 0, T0 + 12 * MS), 5 * MS);
	assert_int_equal(wgroup_clock_timeout(&c, 10 * MS), T0 + 17 * MS);

	/* A pause that began before the clock counts from its start. */
	wgroup_clock_start(&c, T0 + 20 * MS);
	assert_int_equal(c.paused_ns, 0);
	assert_int_equal(wgroup_clock_running(&c, T0 + 15 * MS, T0 + 24 * MS),
	    0);
	wgroup_clock_unpause(&c, T0 + 15 * MS, T0 + 24 * MS);
	assert_int_equal(c.paused_ns, 4 * MS);
	assert_int_equal(wgroup_clock_running(&c, 0, T0 + 25 * MS), 1 * MS);
	/* Never negative. */
	assert_int_equal(wgroup_clock_running(&c, 0, T0), 0);
}

/* A real task: a timeout of 500 ms, paused 1 s, ends at 1.5 s. */
static void
test_timeout_paused(void **state)
{
	const struct termseq	ts = { 1, { SIGTERM }, { 100 } };
	struct wgroup_clock	c;
	struct wgroup		g;
	int64_t			timeout = 500 * MS, paused_at;
	pid_t			pid;
	int			st;

	(void)state;
	pid = spawn_sleep(false);
	wgroup_init(&g, NULL, &ts, NULL, NULL);
	g.pid = pid;
	wgroup_clock_start(&c, T0);
	paused_at = T0 + 200 * MS;
	killpg(pid, SIGSTOP);
	wgroup_clock_unpause(&c, paused_at, T0 + 1200 * MS);
	killpg(pid, SIGCONT);
	assert_int_equal(wgroup_clock_timeout(&c, timeout), T0 + 1500 * MS);
	assert_int_equal(wgroup_clock_running(&c, 0, T0 + 1500 * MS), timeout);
	if (T0 + 1500 * MS - 1 >= wgroup_clock_timeout(&c, timeout))
		wgroup_term_start(&g, T0 + 1500 * MS - 1);
	assert_true(alive(pid));
	if (T0 + 1500 * MS >= wgroup_clock_timeout(&c, timeout))
		wgroup_term_start(&g, T0 + 1500 * MS);
	st = wait_for(pid, 0);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
}

/* The earlier of two deadlines. */
static void
test_min(void **state)
{
	(void)state;
	assert_int_equal(wgroup_min(3, 2), 2);
	assert_int_equal(wgroup_min(-1, WG_NEVER), -1);
}

/* Keep output by stream. */
static void
got_out(void *arg, int stream, const char *b, size_t n)
{
	struct got	*g = arg;

	assert_true(stream == 1 || stream == 2);
	assert_true(g->n[stream] + n < sizeof g->s[stream]);
	memcpy(g->s[stream] + g->n[stream], b, n);
	g->n[stream] += n;
}

/* Read every stream of g until it is closed, then reap its leader. */
static int
read_all(struct wgroup *g)
{
	struct timespec	ts = { 0, 2 * MS };
	int		i, tries;

	for (tries = 0; tries < WAIT_TRIES; tries++) {
		for (i = 1; i < 3; i++)
			if (g->fd[i] != -1)
				(void)wgroup_read(g, i);
		if (g->fd[1] == -1 && g->fd[2] == -1)
			break;
		nanosleep(&ts, NULL);
	}
	assert_int_equal(g->fd[1], -1);
	return wait_for(g->pid, 0);
}

/* A spawner as a worker makes one: own group, /dev/null, this env. */
static void
spawner_make(struct wgroup_spawner *sp, posix_spawnattr_t *attr, char *rbuf)
{
	posix_spawnattr_init(attr);
	posix_spawnattr_setpgroup(attr, 0);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP);
	memset(sp, 0, sizeof *sp);
	sp->shell = "/bin/sh";
	sp->envp = environ;
	sp->attr = attr;
	sp->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(sp->devnull != -1);
	sp->rbuf = rbuf;
	wgroup_spawner_init(sp);
}

/* Spawn: own group, two streams or one, stdin a pipe, failures. */
static void
test_spawn(void **state)
{
	const struct termseq	 ts = { 1, { SIGTERM }, { 100 } };
	static char		 rbuf[WG_RBUF];
	struct wgroup_spawner	 sp;
	posix_spawnattr_t	 attr;
	struct wgroup		 g;
	struct got		 got;
	char			*sh[] = { (char *)"echo out; echo err >&2",
				    NULL };
	char			*cat[] = { (char *)"cat", NULL };
	char			*none[] = { (char *)"/nonexistent/x", NULL };
	int			 st, i;

	(void)state;
	spawner_make(&sp, &attr, rbuf);
	for (i = 0; i < 2; i++) {	/* twice: the file actions kept */
		memset(&got, 0, sizeof got);
		wgroup_init(&g, &sp, &ts, got_out, &got);
		assert_int_equal(wgroup_spawn(&g, sh, true, 0), 0);
		assert_true(g.pid > 0);
		assert_int_equal(g.fd[0], -1);
		assert_true(g.fd[1] != -1 && g.fd[2] != -1);
		assert_int_equal(getpgid(g.pid), g.pid);
		st = read_all(&g);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		assert_int_equal(got.n[1], 4);
		assert_memory_equal(got.s[1], "out\n", 4);
		assert_int_equal(got.n[2], 4);
		assert_memory_equal(got.s[2], "err\n", 4);
	}

	memset(&got, 0, sizeof got);
	wgroup_init(&g, &sp, &ts, got_out, &got);
	assert_int_equal(wgroup_spawn(&g, sh, true, WG_MERGE), 0);
	assert_int_equal(g.fd[2], -1);
	st = read_all(&g);
	assert_int_equal(got.n[1], 8);
	assert_int_equal(got.n[2], 0);

	memset(&got, 0, sizeof got);
	wgroup_init(&g, &sp, &ts, got_out, &got);
	assert_int_equal(wgroup_spawn(&g, cat, false, WG_STDIN), 0);
	assert_true(g.fd[0] != -1);
	assert_true(fcntl(g.fd[0], F_GETFL) & O_NONBLOCK);
	assert_int_equal(write(g.fd[0], "in\n", 3), 3);
	wgroup_close(&g, 0);
	assert_int_equal(g.fd[0], -1);
	st = read_all(&g);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(got.n[1], 3);
	assert_memory_equal(got.s[1], "in\n", 3);

	wgroup_init(&g, &sp, &ts, got_out, &got);
	assert_int_equal(wgroup_spawn(&g, none, false, WG_STDIN), ENOENT);
	assert_int_equal(g.pid, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(g.fd[i], -1);

	/* Drain: what is left is read, bounded, and the pipe closed. */
	memset(&got, 0, sizeof got);
	wgroup_init(&g, &sp, &ts, got_out, &got);
	assert_int_equal(wgroup_spawn(&g, sh, true, 0), 0);
	st = wait_for(g.pid, 0);
	wgroup_drain(&g, 1);
	wgroup_drain(&g, 2);
	assert_int_equal(g.fd[1], -1);
	assert_int_equal(g.fd[2], -1);
	assert_int_equal(got.n[1] + got.n[2], 8);

	wgroup_spawner_free(&sp);
	close(sp.devnull);
	posix_spawnattr_destroy(&attr);
}

/* Samples of a busy group: not before due, then its CPU and memory. */
static void
test_sample(void **state)
{
	const struct termseq	 ts = { 1, { SIGKILL }, { 100 } };
	static char		 rbuf[WG_RBUF];
	struct wgroup_spawner	 sp;
	posix_spawnattr_t	 attr;
	struct wgroup		 g;
	struct wgroup_sample	 s;
	struct timespec		 nap = { 0, 300 * MS };
	char			*busy[] = { (char *)"while :; do :; done",
				    NULL };
	int64_t			 t0;
	int			 st;

	(void)state;
	spawner_make(&sp, &attr, rbuf);
	wgroup_init(&g, &sp, &ts, NULL, NULL);
	assert_int_equal(wgroup_spawn(&g, busy, true, 0), 0);
	memset(&s, 0, sizeof s);
	t0 = mono_ns();
	wgroup_sample_start(&g, t0, 100 * MS, false);
	assert_false(wgroup_sample(&g, t0 + 100 * MS - 1, &s));
	assert_int_equal(s.cpu_ticks, 0);
	nanosleep(&nap, NULL);
	assert_true(wgroup_sample(&g, mono_ns(), &s));
	assert_true(s.cpu_ticks > 0);
	assert_true(s.cpu_permille > 0);
	assert_true(s.rss_bytes > 0);
	assert_false(wgroup_sample(&g, g.sample_ns, &s));	/* just done */
	wgroup_term_start(&g, mono_ns());
	st = wait_for(g.pid, 0);
	assert_int_equal(WTERMSIG(st), SIGKILL);
	wgroup_spawner_free(&sp);
	close(sp.devnull);
	posix_spawnattr_destroy(&attr);
}

/* Stop, continue, reap: only the leader's end counts, once. */
static void
test_reaped(void **state)
{
	const struct termseq	ts = { 1, { SIGTERM }, { 100 } };
	struct wgroup		g;
	pid_t			pid;
	int			st;

	(void)state;
	wgroup_init(&g, NULL, &ts, NULL, NULL);
	assert_false(wgroup_alive(&g));
	assert_false(wgroup_reaped(&g, 1, 0));		/* no group yet */
	pid = spawn_sleep(false);
	g.pid = pid;
	assert_true(wgroup_alive(&g));
	wgroup_stop(&g);
	st = wait_for(pid, WUNTRACED);
	assert_true(WIFSTOPPED(st));
	wgroup_cont(&g);
	st = wait_for(pid, WCONTINUED);
	assert_true(WIFCONTINUED(st));
	wgroup_term_start(&g, T0);
	st = wait_for(pid, 0);
	assert_false(wgroup_reaped(&g, pid + 1, 0));
	assert_true(wgroup_alive(&g));
	assert_true(wgroup_reaped(&g, pid, st));
	assert_true(g.reaped);
	assert_int_equal(g.wstatus, st);
	assert_false(wgroup_alive(&g));
	assert_false(wgroup_reaped(&g, pid, 0));	/* once */
	assert_int_equal(g.wstatus, st);
}

/* The slot gets the samples, the progress and the tail's last bytes. */
static void
test_slot(void **state)
{
	static struct pt_shm_slot	s;
	struct wgroup_sample		v = { 250, 4096, 7, 3, 9 };
	static struct wgroup_tail	t;
	static char			big[WG_TAIL + 10];

	(void)state;
	memset(&s, 0xff, sizeof s);
	wgroup_slot_sample(&s, &v);
	assert_int_equal(s.cpu_permille, 250);
	assert_int_equal(s.rss_bytes, 4096);
	assert_int_equal(s.cpu_ticks, 7);
	assert_int_equal(s.progress_done, 3);
	assert_int_equal(s.progress_total, 9);

	wgroup_tail_add(&t, "ab", 2);
	wgroup_slot_tail(&s, &t);
	assert_int_equal(s.tail_len, 2);
	assert_memory_equal(s.tail, "ab", 2);
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = 'z';
	wgroup_tail_add(&t, big, sizeof big);
	wgroup_slot_tail(&s, &t);
	assert_int_equal(s.tail_len, WG_TAIL);
	assert_int_equal(s.tail[WG_TAIL - 1], 'z');
	assert_int_equal(s.tail[0], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_termseq),
		cmocka_unit_test(test_termseq_first),
		cmocka_unit_test(test_signal_wakes),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_timeout_paused),
		cmocka_unit_test(test_min),
		cmocka_unit_test(test_spawn),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_reaped),
		cmocka_unit_test(test_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Tests of worker-group.c on a real `sleep` in its own process group, with
 * no worker around it: the termination sequence sends each step at its
 * deadline (not before) and SIGKILL after the last wait, then nothing; a
 * signal wakes a stopped group; the pause clock leaves out time stopped
 * (even a pause that began before the clock), so the timeout moves by the
 * pause; deadlines round up to poll() milliseconds; slot text is one line
 * and never ends inside a UTF-8 sequence.  Clocks are passed in, so
 * deadlines are exact; the signals are real.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

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

#include "worker-group.h"

#define MS		1000000LL
#define T0		(1000 * MS)	/* any clock reading */
#define WAIT_TRIES	2500		/* polls of 2 ms: 5 s at most */

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
	wgroup_init(&g, pid, &ts);
	assert_false(wgroup_ending(&g));
	assert_int_equal(wgroup_term_deadline(&g), WG_NEVER);
	wgroup_term_check(&g, T0 + 3600000 * MS);	/* not ending: nothing */
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
	wgroup_term_check(&g, T0 + 3600000 * MS);	/* all sent: nothing */
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
	wgroup_init(&g, pid, &ts);
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
	wgroup_init(&g, pid, &ts);
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

/* Deadlines become poll() timeouts, rounded up. */
static void
test_poll_ms(void **state)
{
	(void)state;
	assert_int_equal(wgroup_poll_ms(WG_NEVER, T0), -1);
	assert_int_equal(wgroup_poll_ms(T0, T0), 0);
	assert_int_equal(wgroup_poll_ms(T0 - 1, T0), 0);
	assert_int_equal(wgroup_poll_ms(T0 + 1, T0), 1);
	assert_int_equal(wgroup_poll_ms(T0 + MS, T0), 1);
	assert_int_equal(wgroup_poll_ms(T0 + MS + 1, T0), 2);
	assert_int_equal(wgroup_poll_ms(WG_NEVER - 1, 0), INT32_MAX);
	assert_int_equal(wgroup_min(3, 2), 2);
	assert_int_equal(wgroup_min(-1, WG_NEVER), -1);
}

/* Slot text: one line, cut before a whole UTF-8 sequence. */
static void
test_text(void **state)
{
	char	dst[6];

	(void)state;
	memset(dst, 'x', sizeof dst);
	wgroup_text(dst, sizeof dst, "a\tb\nc", SIZE_MAX);
	assert_string_equal(dst, "a b c");
	wgroup_text(dst, sizeof dst, "a\x7f" "b", SIZE_MAX);
	assert_string_equal(dst, "a b");
	wgroup_text(dst, sizeof dst, "abcdefgh", 3);
	assert_string_equal(dst, "abc");
	wgroup_text(dst, sizeof dst, "abcdefgh", SIZE_MAX);
	assert_string_equal(dst, "abcde");
	/* "abc" then é (2 bytes): "abcé" is 5 bytes, fits exactly. */
	wgroup_text(dst, sizeof dst, "abc\xc3\xa9", SIZE_MAX);
	assert_string_equal(dst, "abc\xc3\xa9");
	/* "abcd" then é: only its first byte would fit, so neither. */
	memset(dst, 0x80, sizeof dst);
	wgroup_text(dst, sizeof dst, "abcd\xc3\xa9", SIZE_MAX);
	assert_string_equal(dst, "abcd");
	/* A 3-byte sequence cut after its first two bytes. */
	wgroup_text(dst, sizeof dst, "abc\xe2\x82\xac", SIZE_MAX);
	assert_string_equal(dst, "abc");
	/* Exactly size - 1 bytes whatever dst held before. */
	memset(dst, 0x80, sizeof dst);
	wgroup_text(dst, sizeof dst, "abc\xc3\xa9", SIZE_MAX);
	assert_string_equal(dst, "abc\xc3\xa9");
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
		cmocka_unit_test(test_poll_ms),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

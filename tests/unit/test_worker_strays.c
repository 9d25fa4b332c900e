/*
 * Tests of worker-strays.c, as a child subreaper (as a worker is): a sweep
 * sends SIGTERM to every child but the one kept, SIGKILL at the deadline to one
 * that ignores SIGTERM (not before); the rest of an ended group is ended;
 * a stray that left a group being ended is ended by pid; once leaving, a
 * stray is killed at once; a child that is not reaped after SIGKILL is
 * given up (no longer pending, and not swept again).  Clocks are passed in,
 * so deadlines are exact; the signals are real.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
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

#include "worker-strays.h"
#include "util.h"

#define MS		1000000LL
#define T0		(1000 * MS)	/* any clock reading */
#define WAIT_MS		50
#define WAIT_TRIES	2500		/* polls of 2 ms: 5 s at most */

enum how { PLAIN, NO_TERM, OWN_SESSION };

/* A child that pauses: signals as how says; returns once it is set up. */
static pid_t
spawn(enum how how)
{
	pid_t	pid;
	int	p[2];
	char	c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if (how == NO_TERM)
			signal(SIGTERM, SIG_IGN);
		if (how != PLAIN)
			setsid();
		(void)write(p[1], "r", 1);
		for (;;)
			pause();
	}
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	close(p[1]);
	return pid;
}

/* Reap pid (bounded wait); the signal that ended it, or 0. */
static int
reap_sig(pid_t pid)
{
	struct timespec	ts = { 0, 2 * MS };
	int		st, i;

	for (i = 0; i < WAIT_TRIES; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		nanosleep(&ts, NULL);
	}
	fail_msg("pid %ld did not end", (long)pid);
	return -1;
}

/* Is pid still running (not exited, not reaped)? */
static bool
running(pid_t pid)
{
	siginfo_t	si;

	si.si_pid = 0;
	assert_int_equal(waitid(P_PID, (id_t)pid, &si,
	    WEXITED | WNOHANG | WNOWAIT), 0);
	return si.si_pid == 0;
}

/* SIGTERM to all but the kept child; SIGKILL exactly at the deadline. */
static void
test_sweep(void **state)
{
	struct strays	*s = strays_new(WAIT_MS);
	pid_t		 keep, plain, deaf;

	(void)state;
	keep = spawn(PLAIN);
	plain = spawn(PLAIN);
	deaf = spawn(NO_TERM);
	strays_sweep(s, keep, T0);
	assert_true(strays_pending(s));
	assert_int_equal(strays_deadline(s), T0 + WAIT_MS * MS);
	assert_int_equal(reap_sig(plain), SIGTERM);
	strays_reaped(s, plain);
	strays_check(s, T0 + WAIT_MS * MS - 1);
	assert_true(running(deaf));
	strays_check(s, T0 + WAIT_MS * MS);
	assert_int_equal(reap_sig(deaf), SIGKILL);
	strays_reaped(s, deaf);
	strays_check(s, T0 + WAIT_MS * MS);	/* its group is gone too */
	assert_false(strays_pending(s));
	assert_true(running(keep));
	strays_sweep(s, 0, T0);		/* swept again: now it is a stray */
	assert_int_equal(reap_sig(keep), SIGTERM);
	strays_reaped(s, keep);
	strays_free(s);
}

/*
 * The rest of an ended group is ended; a member adopted by us that leaves
 * the group afterwards (setsid) is still ended, by pid, once swept.
 */
static void
test_group(void **state)
{
	struct strays	*s = strays_new(WAIT_MS);
	pid_t		 leader, member, escapee;
	int		 p[2], q[2];
	char		 c;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	leader = fork();
	assert_true(leader != -1);
	if (leader == 0) {
		setpgid(0, 0);
		if ((member = fork()) == 0) {
			for (;;)
				pause();
		}
		if ((escapee = fork()) == 0) {
			signal(SIGTERM, SIG_IGN);
			(void)write(q[1], "r", 1);
			for (;;)
				pause();
		}
		if (read(q[0], &c, 1) != 1)
			_exit(1);
		(void)write(p[1], &member, sizeof member);
		(void)write(p[1], &escapee, sizeof escapee);
		_exit(0);
	}
	setpgid(leader, leader);
	assert_int_equal(read(p[0], &member, sizeof member), sizeof member);
	assert_int_equal(read(p[0], &escapee, sizeof escapee),
	    sizeof escapee);
	assert_int_equal(reap_sig(leader), 0);	/* both adopted by us */
	strays_group(s, leader, T0);
	assert_int_equal(reap_sig(member), SIGTERM);
	strays_reaped(s, member);
	strays_sweep(s, 0, T0);		/* the escapee, by pid too */
	assert_int_equal(setpgid(escapee, escapee), 0);	/* as setsid would */
	strays_check(s, T0 + WAIT_MS * MS);
	assert_int_equal(reap_sig(escapee), SIGKILL);
	strays_reaped(s, escapee);
	strays_check(s, T0 + WAIT_MS * MS);
	assert_false(strays_pending(s));
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	strays_free(s);
}

/* Once leaving, after one wait, a new stray gets SIGKILL at once. */
static void
test_leave(void **state)
{
	struct strays	*s = strays_new(WAIT_MS);
	pid_t		 early, late;

	(void)state;
	strays_leave(s, T0);
	early = spawn(NO_TERM);
	strays_sweep(s, 0, T0 + WAIT_MS * MS - 1);
	late = spawn(NO_TERM);
	strays_sweep(s, 0, T0 + WAIT_MS * MS);
	assert_int_equal(reap_sig(late), SIGKILL);
	strays_reaped(s, late);
	assert_true(running(early));		/* TERM, ignored; KILL due */
	strays_check(s, T0 + 2 * WAIT_MS * MS - 1);
	assert_int_equal(reap_sig(early), SIGKILL);
	strays_reaped(s, early);
	strays_free(s);
}

/* Not reaped STRAYS_KILL_MS after SIGKILL: given up, not swept again. */
static void
test_given_up(void **state)
{
	struct strays	*s = strays_new(WAIT_MS);
	int64_t		 killed = T0 + WAIT_MS * MS;
	siginfo_t	 si;
	pid_t		 deaf;

	(void)state;
	deaf = spawn(NO_TERM);
	strays_sweep(s, 0, T0);
	strays_check(s, killed);
	memset(&si, 0, sizeof si);	/* dead, but left unreaped */
	assert_int_equal(waitid(P_PID, (id_t)deaf, &si, WEXITED | WNOWAIT), 0);
	strays_check(s, killed + STRAYS_KILL_MS * MS - 1);
	assert_true(strays_pending(s));
	strays_check(s, killed + STRAYS_KILL_MS * MS);
	assert_false(strays_pending(s));
	strays_sweep(s, 0, killed + STRAYS_KILL_MS * MS);
	assert_false(strays_pending(s));
	assert_int_equal(reap_sig(deaf), SIGKILL);
	strays_reaped(s, deaf);
	strays_free(s);
}

/* The wait is capped. */
static void
test_cap(void **state)
{
	struct strays	*s = strays_new(60000);
	pid_t		 pid;

	(void)state;
	pid = spawn(OWN_SESSION);
	strays_sweep(s, 0, T0);
	assert_int_equal(strays_deadline(s), T0 + STRAYS_WAIT_MAX_MS * MS);
	assert_int_equal(reap_sig(pid), SIGTERM);
	strays_reaped(s, pid);
	strays_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_leave),
		cmocka_unit_test(test_given_up),
		cmocka_unit_test(test_cap),
	};

	/* As a worker does: orphans of our children come to us. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

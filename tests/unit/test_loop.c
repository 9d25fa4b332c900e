/*
 * Tests of the event loop (loop.c): timers in order and never early, a
 * deadline that ends the wait, revents handed to watches, watches removed
 * or added from callbacks, signals through the signalfd to their hooks, and
 * a wait outside the turns that leaves a signal for them.
 * No sleep stands for a condition: each test turns the loop until what it
 * waits for happened, under an alarm() that ends a test that hangs.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

#define MS		1000000LL
#define WATCHDOG_S	10	/* a test that hangs is killed by SIGALRM */
#define NADD		100	/* watches added from one callback */

struct rec {
	struct loop	*l;
	int		 n;		/* calls */
	int		 order[8];	/* which timer or hook, in call order */
	int64_t		 at[8];		/* mono_ns() of each call */
	short		 revents;
	int		 sig;
	int		 id;		/* a watch a callback acts on */
	int		 fd;
};

struct tag {
	struct rec	*r;
	int		 which;
};

/* A timer callback: record which and when. */
static void
note(void *arg)
{
	struct tag	*t = arg;
	struct rec	*r = t->r;

	if (r->n < 8) {
		r->order[r->n] = t->which;
		r->at[r->n] = mono_ns();
	}
	r->n++;
}

/* loop_run()'s test: have the callbacks been called n times? */
static bool
three_done(void *arg)
{
	return ((struct rec *)arg)->n >= 3;
}

static bool
one_done(void *arg)
{
	return ((struct rec *)arg)->n >= 1;
}

/* Timers armed out of order run earliest first, none before it is due. */
static void
test_timer_order(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r;
	struct tag	 tg[3];
	int64_t		 due[3], start = mono_ns();
	int		 i, id;

	(void)state;
	memset(&r, 0, sizeof r);
	alarm(WATCHDOG_S);
	due[0] = start + 60 * MS;
	due[1] = start + 20 * MS;
	due[2] = start + 40 * MS;
	for (i = 0; i < 3; i++) {
		tg[i] = (struct tag){ &r, i };
		id = loop_timer(l, note, &tg[i]);
		loop_timer_at(l, id, due[i]);
	}
	assert_int_equal(loop_run(l, three_done, &r), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.order[0], 1);
	assert_int_equal(r.order[1], 2);
	assert_int_equal(r.order[2], 0);
	for (i = 0; i < 3; i++)
		assert_true(r.at[i] >= due[r.order[i]]);
	/* Once each: no more calls from a turn bounded by an interval. */
	loop_every(l, 5, note, &tg[0]);
	r.n = 0;
	assert_int_equal(loop_run(l, one_done, &r), 0);
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(loop_once(l), 0);
	assert_true(r.n >= 2 && r.n <= 3);
	assert_true(mono_ns() - start >= 60 * MS + 10 * MS);
	alarm(0);
	loop_free(l);
}

/* An interval timer never runs before its period has passed. */
static void
test_timer_every(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r;
	struct tag	 tg = { &r, 7 };
	int64_t		 start;

	(void)state;
	memset(&r, 0, sizeof r);
	alarm(WATCHDOG_S);
	start = mono_ns();
	loop_every(l, 30, note, &tg);
	assert_int_equal(loop_run(l, three_done, &r), 0);
	assert_true(r.at[0] - start >= 30 * MS);
	assert_true(r.at[1] - r.at[0] >= 30 * MS);
	assert_true(r.at[2] - r.at[1] >= 30 * MS);
	alarm(0);
	loop_free(l);
}

/* A watch that must not be called: poll() must not say it is ready. */
static void
never(int fd, short revents, void *arg)
{
	(void)fd;
	(void)revents;
	(void)arg;
	fail_msg("a watch on an idle pipe was called");
}

/* A deadline ends poll()'s wait on an idle fd; a disarmed one does not. */
static void
test_deadline_wakes(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r;
	struct tag	 tg = { &r, 1 }, tg2 = { &r, 2 };
	int		 p[2], id, off;
	int64_t		 start;

	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(pipe(p), 0);
	alarm(WATCHDOG_S);
	(void)loop_add(l, p[0], POLLIN, never, NULL);
	off = loop_timer(l, note, &tg2);
	loop_timer_at(l, off, mono_ns() + 10 * MS);
	loop_timer_at(l, off, 0);
	id = loop_timer(l, note, &tg);
	start = mono_ns();
	loop_timer_at(l, id, start + 50 * MS);
	/* The first turn sleeps until the deadline, the next one runs it. */
	assert_int_equal(loop_once(l), 0);
	assert_true(mono_ns() - start >= 50 * MS);
	assert_int_equal(r.n, 0);
	assert_int_equal(loop_run(l, one_done, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.order[0], 1);
	assert_true(r.at[0] >= start + 50 * MS);
	/* A timer with no callback only ends the wait. */
	start = mono_ns();
	loop_timer_at(l, loop_timer(l, NULL, NULL), start + 30 * MS);
	assert_int_equal(loop_once(l), 0);
	assert_true(mono_ns() - start >= 30 * MS);
	assert_int_equal(loop_once(l), 0);	/* runs it: no wait, no call */
	assert_int_equal(r.n, 1);
	alarm(0);
	loop_free(l);
	close(p[0]);
	close(p[1]);
}

/* Record the revents. */
static void
got(int fd, short revents, void *arg)
{
	struct rec	*r = arg;

	r->fd = fd;
	r->revents = revents;
	r->n++;
}

/* A watch gets what poll() said: POLLIN, then POLLHUP, or POLLOUT. */
static void
test_revents(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r, w, t;
	struct tag	 tg = { &t, 0 };
	int		 p[2], id, wid;

	(void)state;
	memset(&r, 0, sizeof r);
	memset(&w, 0, sizeof w);
	memset(&t, 0, sizeof t);
	assert_int_equal(pipe(p), 0);
	alarm(WATCHDOG_S);
	id = loop_add(l, p[0], POLLIN, got, &r);
	wid = loop_add(l, p[1], POLLOUT, got, &w);
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(r.n, 0);		/* nothing to read yet */
	assert_int_equal(w.n, 1);
	assert_int_equal(w.fd, p[1]);
	assert_true(w.revents & POLLOUT);
	loop_set(l, wid, p[1], 0);		/* not polled any more */
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.fd, p[0]);
	assert_true(r.revents & POLLIN);
	assert_false(r.revents & POLLHUP);
	close(p[1]);
	loop_del(l, wid);
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(r.n, 2);
	assert_true(r.revents & POLLHUP);
	loop_set(l, id, -1, POLLIN);		/* fd -1: not polled */
	loop_timer_at(l, loop_timer(l, note, &tg), mono_ns() + 5 * MS);
	assert_int_equal(loop_run(l, one_done, &t), 0);
	assert_int_equal(r.n, 2);
	alarm(0);
	loop_free(l);
	close(p[0]);
}

/* Remove the watch r->id (ours or another) and add one on r->fd. */
static void
remove_cb(int fd, short revents, void *arg)
{
	struct rec	*r = arg;

	(void)fd;
	(void)revents;
	if (++r->n > 1)
		return;
	loop_del(r->l, r->id);
	if (r->fd != -1)
		(void)loop_add(r->l, r->fd, POLLIN, got, r + 1);
}

/* Count calls. */
static void
count(int fd, short revents, void *arg)
{
	(void)fd;
	(void)revents;
	((struct rec *)arg)->n++;
}

/*
 * A watch that removes itself, or one later in the same turn, is not
 * called again, and the watch that takes the freed place is not called
 * for what poll() said of the old one.
 */
static void
test_remove_in_callback(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r[2], other, keep;
	int		 a[2], b[2], c[2], ida, idb;

	(void)state;
	memset(r, 0, sizeof r);
	memset(&other, 0, sizeof other);
	memset(&keep, 0, sizeof keep);
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	assert_int_equal(pipe(c), 0);
	assert_int_equal(write(a[1], "x", 1), 1);
	assert_int_equal(write(b[1], "x", 1), 1);
	assert_int_equal(write(c[1], "x", 1), 1);
	alarm(WATCHDOG_S);
	/* Itself, and a new watch on c takes its place. */
	ida = loop_add(l, a[0], POLLIN, remove_cb, &r[0]);
	(void)loop_add(l, c[0], POLLIN, count, &keep);
	r[0].l = l;
	r[0].id = ida;
	r[0].fd = c[0];
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(r[0].n, 1);
	assert_int_equal(r[1].n, 0);		/* added: waits a turn */
	assert_int_equal(keep.n, 1);
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(r[0].n, 1);		/* removed: never again */
	assert_int_equal(r[1].n, 1);
	assert_int_equal(r[1].fd, c[0]);
	assert_int_equal(keep.n, 2);
	loop_free(l);

	/*
	 * Another one, ready in the same turn, after ours; a new watch on
	 * its fd takes its place and waits for the next turn.
	 */
	l = loop_new();
	memset(r, 0, sizeof r);
	(void)loop_add(l, a[0], POLLIN, remove_cb, &r[0]);
	idb = loop_add(l, b[0], POLLIN, count, &other);
	r[0].l = l;
	r[0].id = idb;
	r[0].fd = b[0];
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(r[0].n, 1);
	assert_int_equal(other.n, 0);
	assert_int_equal(r[1].n, 0);
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(r[0].n, 2);
	assert_int_equal(other.n, 0);
	assert_int_equal(r[1].n, 1);
	assert_int_equal(r[1].fd, b[0]);
	alarm(0);
	loop_free(l);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	close(c[0]);
	close(c[1]);
}

/* Add NADD watches on r->fd, the array grows while the loop walks it. */
static void
add_cb(int fd, short revents, void *arg)
{
	struct rec	*r = arg;
	int		 i;

	(void)revents;
	r->n++;
	if (r->n > 1)
		return;
	for (i = 0; i < NADD; i++)
		(void)loop_add(r->l, fd, POLLIN, count, r + 1);
}

/* Watches added during the turn wait for the next, then all are called. */
static void
test_add_in_callback(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r[2], after;
	int		 p[2];

	(void)state;
	memset(r, 0, sizeof r);
	memset(&after, 0, sizeof after);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	alarm(WATCHDOG_S);
	r[0].l = l;
	(void)loop_add(l, p[0], POLLIN, add_cb, &r[0]);
	(void)loop_add(l, p[0], POLLIN, count, &after);
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(r[0].n, 1);
	assert_int_equal(after.n, 1);		/* still called, once */
	assert_int_equal(r[1].n, 0);
	assert_int_equal(loop_once(l), 0);
	assert_int_equal(r[0].n, 2);
	assert_int_equal(after.n, 2);
	assert_int_equal(r[1].n, NADD);
	alarm(0);
	loop_free(l);
	close(p[0]);
	close(p[1]);
}

/* A signal hook: record the signal and the order. */
static void
hook(int sig, void *arg)
{
	struct tag	*t = arg;
	struct rec	*r = t->r;

	r->sig = sig;
	if (r->n < 8)
		r->order[r->n] = t->which;
	r->n++;
}

/*
 * kill(getpid()) reaches the hooks through the signalfd, in their order
 * (loop_signal_first() before the rest); loop_free() unblocks the signal.
 */
static void
test_signal(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r;
	struct tag	 t1, t2, t3;
	sigset_t	 cur;

	(void)state;
	memset(&r, 0, sizeof r);
	t1 = (struct tag){ &r, 1 };
	t2 = (struct tag){ &r, 2 };
	t3 = (struct tag){ &r, 3 };
	alarm(WATCHDOG_S);
	assert_int_equal(loop_signal(l, SIGUSR1, hook, &t1), 0);
	assert_int_equal(loop_signal(l, SIGUSR1, hook, &t2), 0);
	assert_int_equal(loop_signal_first(l, SIGUSR1, hook, &t3), 0);
	assert_int_equal(loop_signal(l, SIGUSR2, hook, &t1), 0);
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &cur), 0);
	assert_int_equal(sigismember(&cur, SIGUSR1), 1);
	assert_int_equal(kill(getpid(), SIGUSR1), 0);	/* blocked: queued */
	assert_int_equal(loop_run(l, three_done, &r), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.sig, SIGUSR1);
	assert_int_equal(r.order[0], 3);
	assert_int_equal(r.order[1], 1);
	assert_int_equal(r.order[2], 2);
	/* Dropped signals run no hook. */
	assert_int_equal(kill(getpid(), SIGUSR2), 0);
	loop_drop_signals(l, 1000);
	assert_int_equal(sigpending(&cur), 0);
	assert_int_equal(sigismember(&cur, SIGUSR2), 0);
	assert_int_equal(r.n, 3);
	alarm(0);
	loop_free(l);
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &cur), 0);
	assert_int_equal(sigismember(&cur, SIGUSR1), 0);
	assert_int_equal(sigismember(&cur, SIGUSR2), 0);
}

/*
 * loop_wait() outside the turns: a readable fd says 1; a pending signal
 * says 0 and is left for the next turn's hooks.
 */
static void
test_wait(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r;
	struct tag	 t = { &r, 1 };
	int		 p[2];

	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(pipe(p), 0);
	alarm(WATCHDOG_S);
	assert_int_equal(loop_signal(l, SIGUSR1, hook, &t), 0);
	assert_int_equal(kill(getpid(), SIGUSR1), 0);
	assert_int_equal(loop_wait(l, p[0]), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(loop_run(l, one_done, &r), 0);
	assert_int_equal(r.sig, SIGUSR1);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_wait(l, p[0]), 1);
	alarm(0);
	loop_free(l);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_order),
		cmocka_unit_test(test_timer_every),
		cmocka_unit_test(test_deadline_wakes),
		cmocka_unit_test(test_revents),
		cmocka_unit_test(test_remove_in_callback),
		cmocka_unit_test(test_add_in_callback),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

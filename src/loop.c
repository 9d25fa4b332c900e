/*
 * The event loop (loop.h): arrays of watches and timers, rebuilt into a
 * pollfd array each turn, and one signalfd read by an internal watch.
 *
 * Each watch polled in a turn keeps the index of its pollfd entry until
 * the turn calls it back; loop_add() and loop_del() clear it, and the fd
 * must still be the one polled: so a callback that removes or replaces a
 * watch (its own or another) during the turn never hands it revents meant
 * for the one before.  Timers due in a turn run earliest first; a turn
 * number kept in each timer lets each run at most once per turn, so one
 * re-armed in the past waits for the next turn.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/signalfd.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

struct watch {
	bool		 used;
	int		 fd;
	short		 events;
	int		 k;		/* its entry in pf this turn; -1 */
	loop_fd_cb	 cb;
	void		*arg;
};

struct timer {
	bool		 used;
	int64_t		 due;		/* mono ns; 0: not armed */
	int		 ms;		/* 0: once */
	uint64_t	 turn;		/* the turn it last ran in */
	loop_cb		 cb;
	void		*arg;
};

struct hook {
	int			 sig;
	loop_sig_cb		 cb;
	void			*arg;
	TAILQ_ENTRY(hook)	 entry;
};
TAILQ_HEAD(hooks, hook);

struct loop {
	struct watch	*w;
	size_t		 nw;
	struct timer	*t;
	size_t		 nt;
	uint64_t	 turn;

	struct pollfd	*pf;		/* kept from turn to turn */
	size_t		 pfcap;

	int		 sfd;		/* -1 until the first loop_signal() */
	sigset_t	 set;
	sigset_t	 oldmask;
	struct hooks	 hooks;
};

/* Create an empty loop. */
struct loop *
loop_new(void)
{
	struct loop	*l = xcalloc(1, sizeof *l);

	l->sfd = -1;
	sigemptyset(&l->set);
	TAILQ_INIT(&l->hooks);
	return l;
}

/* Watch fd; the first free place, or a new one at the end. */
int
loop_add(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	size_t	i;

	for (i = 0; i < l->nw && l->w[i].used; i++)
		;
	if (i == l->nw)
		l->w = xreallocarray(l->w, ++l->nw, sizeof *l->w);
	l->w[i] = (struct watch){ true, fd, events, -1, cb, arg };
	return (int)i;
}

/* Give watch id another fd or events. */
void
loop_set(struct loop *l, int id, int fd, short events)
{
	l->w[id].fd = fd;
	l->w[id].events = events;
}

/* Remove watch id; its place may be taken again. */
void
loop_del(struct loop *l, int id)
{
	if (id >= 0 && (size_t)id < l->nw) {
		l->w[id].used = false;
		l->w[id].k = -1;
	}
}

/* Add a timer, not armed. */
int
loop_timer(struct loop *l, loop_cb cb, void *arg)
{
	size_t	i;

	for (i = 0; i < l->nt && l->t[i].used; i++)
		;
	if (i == l->nt)
		l->t = xreallocarray(l->t, ++l->nt, sizeof *l->t);
	l->t[i] = (struct timer){ true, 0, 0, 0, cb, arg };
	return (int)i;
}

/* Arm timer id to run once at when; 0 disarms it. */
void
loop_timer_at(struct loop *l, int id, int64_t when)
{
	l->t[id].due = when;
	l->t[id].ms = 0;
}

/* Remove timer id. */
void
loop_timer_del(struct loop *l, int id)
{
	if (id >= 0 && (size_t)id < l->nt)
		l->t[id].used = false;
}

/* Add a timer that runs every ms milliseconds. */
int
loop_every(struct loop *l, int ms, loop_cb cb, void *arg)
{
	int	id = loop_timer(l, cb, arg);

	l->t[id].ms = ms > 0 ? ms : 1;
	l->t[id].due = mono_ns() + (int64_t)l->t[id].ms * 1000000;
	return id;
}

/* Read the signalfd and run the hooks of each signal. */
static void
loop_signal_read(int fd, short revents, void *arg)
{
	struct loop		*l = arg;
	struct signalfd_siginfo	 si;
	struct hook		*h;

	(void)revents;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
		TAILQ_FOREACH(h, &l->hooks, entry)
			if (h->sig == (int)si.ssi_signo)
				h->cb(h->sig, h->arg);
}

/* Block sig and have the signalfd report it (made on the first call). */
static int
loop_signal_block(struct loop *l, int sig)
{
	sigset_t	one;
	int		fd;

	if (sigismember(&l->set, sig) == 1)
		return 0;
	sigemptyset(&one);
	sigaddset(&one, sig);
	if (sigprocmask(SIG_BLOCK, &one, l->sfd == -1 ? &l->oldmask : NULL)
	    == -1)
		return -1;
	sigaddset(&l->set, sig);
	fd = signalfd(l->sfd, &l->set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1) {
		sigdelset(&l->set, sig);
		sigprocmask(l->sfd == -1 ? SIG_SETMASK : SIG_UNBLOCK,
		    l->sfd == -1 ? &l->oldmask : &one, NULL);
		return -1;
	}
	if (l->sfd == -1) {
		l->sfd = fd;
		(void)loop_add(l, fd, POLLIN, loop_signal_read, l);
	}
	return 0;
}

/* Add a hook for sig, after or before the others. */
static int
loop_hook(struct loop *l, int sig, loop_sig_cb cb, void *arg, bool first)
{
	struct hook	*h;

	if (loop_signal_block(l, sig) == -1)
		return -1;
	h = xcalloc(1, sizeof *h);
	h->sig = sig;
	h->cb = cb;
	h->arg = arg;
	if (first)
		TAILQ_INSERT_HEAD(&l->hooks, h, entry);
	else
		TAILQ_INSERT_TAIL(&l->hooks, h, entry);
	return 0;
}

/* Run cb when sig arrives, after the hooks already added. */
int
loop_signal(struct loop *l, int sig, loop_sig_cb cb, void *arg)
{
	return loop_hook(l, sig, cb, arg, false);
}

/* Run cb when sig arrives, before the hooks already added. */
int
loop_signal_first(struct loop *l, int sig, loop_sig_cb cb, void *arg)
{
	return loop_hook(l, sig, cb, arg, true);
}

/* Wait up to ms for a signal; drop every pending one. */
void
loop_drop_signals(struct loop *l, int ms)
{
	struct signalfd_siginfo	si;
	struct pollfd		pfd;

	pfd.fd = l->sfd;
	pfd.events = POLLIN;
	if (poll(&pfd, l->sfd != -1, ms) > 0)
		while (read(l->sfd, &si, sizeof si) > 0)
			;
}

/* Wait for fd to be readable or a signal to be pending (left unread). */
int
loop_wait(struct loop *l, int fd)
{
	struct pollfd	pfd[2] = { { fd, POLLIN, 0 }, { l->sfd, POLLIN, 0 } };

	if (poll(pfd, 2, -1) == -1)
		return errno == EINTR ? 1 : -1;
	return pfd[1].revents != 0 ? 0 : 1;
}

/* The due timer that runs next in this turn, or NULL. */
static struct timer *
loop_next_due(struct loop *l, int64_t now)
{
	struct timer	*best = NULL;
	size_t		 i;

	for (i = 0; i < l->nt; i++) {
		struct timer *t = &l->t[i];

		if (!t->used || t->due == 0 || t->due > now ||
		    t->turn == l->turn)
			continue;
		if (best == NULL || t->due < best->due)
			best = t;
	}
	return best;
}

/*
 * Run the due timers; ns until the next one (-1: none; 0: one ran).
 * Nanoseconds, not poll()'s milliseconds: a worker holds its program's
 * output back for a fraction of one (worker-persist.c).
 */
static int64_t
loop_timers(struct loop *l)
{
	struct timer	*t;
	int64_t		 now = mono_ns(), next = 0;
	size_t		 i;
	bool		 ran = false;

	l->turn++;
	while ((t = loop_next_due(l, now)) != NULL) {
		ran = true;
		/* The callback may move the array: keep the place. */
		i = (size_t)(t - l->t);
		t->turn = l->turn;
		t->due = 0;
		if (t->cb != NULL)
			t->cb(t->arg);
		if (i < l->nt && l->t[i].used && l->t[i].ms > 0 &&
		    l->t[i].due == 0)
			l->t[i].due = mono_ns() + (int64_t)l->t[i].ms * 1000000;
	}
	if (ran)
		return 0;	/* what it changed is seen before a wait */
	now = mono_ns();
	for (i = 0; i < l->nt; i++)
		if (l->t[i].used && l->t[i].due != 0 &&
		    (next == 0 || l->t[i].due < next))
			next = l->t[i].due;
	if (next == 0)
		return -1;
	if (next <= now)
		return 0;
	return next - now;
}

/* Fill the pollfd array from the watches; the number of entries. */
static size_t
loop_fill(struct loop *l)
{
	size_t	i, n = 0;

	if (l->nw > l->pfcap) {
		l->pf = xreallocarray(l->pf, l->nw, sizeof *l->pf);
		l->pfcap = l->nw;
	}
	for (i = 0; i < l->nw; i++) {
		struct watch *w = &l->w[i];

		w->k = -1;
		if (!w->used || w->fd == -1 || w->events == 0)
			continue;
		l->pf[n] = (struct pollfd){ w->fd, w->events, 0 };
		w->k = (int)n++;
	}
	return n;
}

/* One turn: due timers, poll(), the ready watches' callbacks. */
int
loop_once(struct loop *l)
{
	struct watch	*w;
	struct timespec	 ts;
	size_t		 i, n;
	int64_t		 d;
	int		 k;

	d = loop_timers(l);
	ts.tv_sec = (time_t)(d / 1000000000);
	ts.tv_nsec = (long)(d % 1000000000);
	n = loop_fill(l);	/* it may move l->pf */
	if (ppoll(l->pf, n, d == -1 ? NULL : &ts, NULL) == -1)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < l->nw; i++) {	/* l->w may move: index it */
		w = &l->w[i];
		if ((k = w->k) == -1)
			continue;
		w->k = -1;
		if (l->pf[k].revents != 0 && l->pf[k].fd == w->fd)
			w->cb(w->fd, l->pf[k].revents, w->arg);
	}
	return 0;
}

/* Turn until done(arg). */
int
loop_run(struct loop *l, bool (*done)(void *), void *arg)
{
	while (!done(arg))
		if (loop_once(l) == -1)
			return -1;
	return 0;
}

/* Free the loop: the signalfd closed, the signal mask restored. */
void
loop_free(struct loop *l)
{
	struct hook	*h, *next;

	if (l == NULL)
		return;
	if (l->sfd != -1) {
		close(l->sfd);
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
	}
	TAILQ_FOREACH_SAFE(h, &l->hooks, entry, next)
		free(h);
	free(l->w);
	free(l->t);
	free(l->pf);
	free(l);
}

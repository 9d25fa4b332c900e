/*
 * The process group a worker runs: signals, the termination sequence, the
 * pause clock and slot text (see worker-group.h).
 */
#include "config.h"

#include <sys/types.h>

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "worker-group.h"

/* Smaller of two deadlines. */
int64_t
wgroup_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Milliseconds from now to d, rounded up, for poll(); -1 for never. */
int
wgroup_poll_ms(int64_t d, int64_t now)
{
	if (d == WG_NEVER)
		return -1;
	if (d <= now)
		return 0;
	return (int)wgroup_min((d - now + WG_MS - 1) / WG_MS, INT_MAX);
}

/* Is c a byte inside a UTF-8 sequence (not its first)? */
static bool
utf8_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/*
 * Copy src (at most n bytes, up to a NUL) to dst (size bytes), one line:
 * control bytes become spaces.  Cut short, it ends before a whole UTF-8
 * sequence rather than inside one.
 */
void
wgroup_text(char *dst, size_t size, const char *src, size_t n)
{
	size_t	i;

	for (i = 0; i < n && i < size - 1 && src[i] != '\0'; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
		    ' ' : src[i];
	if (i < n && src[i] != '\0')	/* cut: src[i] does not fit */
		while (i > 0 && utf8_cont(src[i]))
			i--;
	dst[i] = '\0';
}

/* Signal a process group and wake it if stopped; errors do not matter. */
void
wgroup_signal(pid_t pgid, int sig)
{
	killpg(pgid, sig);
	if (sig != SIGKILL && sig != SIGCONT)
		killpg(pgid, SIGCONT);
}

/* A group led by pid, not being ended. */
void
wgroup_init(struct wgroup *g, pid_t pid, const struct termseq *ts)
{
	g->pid = pid;
	g->termseq = ts;
	g->term_step = -1;
	g->term_deadline = WG_NEVER;
}

/* Is the termination sequence running? */
bool
wgroup_ending(const struct wgroup *g)
{
	return g->term_step >= 0;
}

/* Send the next step of the termination sequence; SIGKILL after the last. */
static void
term_next(struct wgroup *g, int64_t now)
{
	const struct termseq	*ts = g->termseq;
	int			 i = ++g->term_step;

	if (i < ts->n) {
		wgroup_signal(g->pid, ts->sig[i]);
		g->term_deadline = now + ts->wait_ms[i] * WG_MS;
	} else {
		if (i == ts->n)
			killpg(g->pid, SIGKILL);
		g->term_deadline = WG_NEVER;
	}
}

/* Start the termination sequence with its first step. */
void
wgroup_term_start(struct wgroup *g, int64_t now)
{
	g->term_step = -1;
	term_next(g, now);
}

/* Send the next step if it is due. */
void
wgroup_term_check(struct wgroup *g, int64_t now)
{
	if (g->term_step >= 0 && now >= g->term_deadline)
		term_next(g, now);
}

/* When the next step is due. */
int64_t
wgroup_term_deadline(const struct wgroup *g)
{
	return g->term_step >= 0 ? g->term_deadline : WG_NEVER;
}

/* Start the clock at now, with no time paused. */
void
wgroup_clock_start(struct wgroup_clock *c, int64_t now)
{
	c->start = now;
	c->paused_ns = 0;
}

/* Time stopped from paused_at to now that counts against the clock. */
static int64_t
clock_pause_ns(const struct wgroup_clock *c, int64_t paused_at, int64_t now)
{
	if (c->start == 0 || paused_at == 0)
		return 0;
	return now - (paused_at > c->start ? paused_at : c->start);
}

/* A pause ended now: add what of it came after the start. */
void
wgroup_clock_unpause(struct wgroup_clock *c, int64_t paused_at, int64_t now)
{
	c->paused_ns += clock_pause_ns(c, paused_at, now);
}

/* Time run until now without the pauses; 0 if not started. */
int64_t
wgroup_clock_running(const struct wgroup_clock *c, int64_t paused_at,
    int64_t now)
{
	int64_t	ns;

	if (c->start == 0)
		return 0;
	ns = now - c->start - c->paused_ns -
	    clock_pause_ns(c, paused_at, now);
	return ns < 0 ? 0 : ns;
}

/* When a timeout passes if the clock keeps running. */
int64_t
wgroup_clock_timeout(const struct wgroup_clock *c, int64_t timeout_ns)
{
	if (c->start == 0 || timeout_ns == 0)
		return WG_NEVER;
	return c->start + c->paused_ns + timeout_ns;
}

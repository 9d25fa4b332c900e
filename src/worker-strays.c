/*
 * Ending what a worker's tasks leave behind (worker-strays.h).  A record is
 * a pid or a process group (a stray that leads its group has both), and
 * goes from SIGTERM sent to SIGKILL sent to given up, each at a deadline.
 * A pid record goes when the caller reaps it; a group record when no
 * process holds the group.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "procstat.h"
#include "worker-strays.h"
#include "util.h"

#define S_NEVER		INT64_MAX
#define S_MS		1000000LL

enum stage { S_TERM, S_KILL, S_LEFT };

struct stray {
	pid_t			id;	/* pid, or pgid when group */
	bool			group;
	enum stage		stage;
	int64_t			deadline;
	TAILQ_ENTRY(stray)	entry;
};
TAILQ_HEAD(strayq, stray);

struct strays {
	struct strayq	 q;
	int64_t		 wait_ns;
	int64_t		 hurry_at;	/* strays_leave(); 0: not leaving */
	pid_t		*kids;		/* PROCSTAT_MAX, for sweeps */
};

struct strays *
strays_new(int wait_ms)
{
	struct strays	*s;

	s = xcalloc(1, sizeof *s);
	TAILQ_INIT(&s->q);
	if (wait_ms > STRAYS_WAIT_MAX_MS)
		wait_ms = STRAYS_WAIT_MAX_MS;
	s->wait_ns = (int64_t)(wait_ms > 0 ? wait_ms : 0) * S_MS;
	s->kids = xreallocarray(NULL, PROCSTAT_MAX, sizeof *s->kids);
	return s;
}

/* Signal a record's process or group (-id); wake it if stopped. */
static void
stray_signal(const struct stray *r, int sig)
{
	pid_t	id = r->group ? -r->id : r->id;

	kill(id, sig);
	if (sig != SIGKILL)
		kill(id, SIGCONT);
}

/* SIGKILL a record now; give it STRAYS_KILL_MS to be gone. */
static void
stray_kill(struct stray *r, int64_t now)
{
	stray_signal(r, SIGKILL);
	r->stage = S_KILL;
	r->deadline = now + STRAYS_KILL_MS * S_MS;
}

/* Add a record and send its first signal. */
static void
stray_add(struct strays *s, pid_t id, bool group, bool at_once, int64_t now)
{
	struct stray	*r;

	r = xmalloc(sizeof *r);
	r->id = id;
	r->group = group;
	TAILQ_INSERT_TAIL(&s->q, r, entry);
	if (at_once)
		stray_kill(r, now);
	else {
		stray_signal(r, SIGTERM);
		r->stage = S_TERM;
		r->deadline = now + s->wait_ns;
	}
}

/* The record for this pid or group, or NULL. */
static struct stray *
stray_find(const struct strays *s, pid_t id, bool group)
{
	struct stray	*r;

	TAILQ_FOREACH(r, &s->q, entry)
		if (r->id == id && r->group == group)
			return r;
	return NULL;
}

/* Drop a record. */
static void
stray_drop(struct strays *s, struct stray *r)
{
	TAILQ_REMOVE(&s->q, r, entry);
	free(r);
}

void
strays_free(struct strays *s)
{
	struct stray	*r;

	if (s == NULL)
		return;
	while ((r = TAILQ_FIRST(&s->q)) != NULL)
		stray_drop(s, r);
	free(s->kids);
	free(s);
}

void
strays_group(struct strays *s, pid_t pgid, int64_t now)
{
	if (pgid <= 0 || killpg(pgid, 0) == -1 ||
	    stray_find(s, pgid, true) != NULL)
		return;
	stray_add(s, pgid, true, false, now);
}

void
strays_leave(struct strays *s, int64_t now)
{
	if (s->hurry_at == 0)
		s->hurry_at = now + s->wait_ns;
}

void
strays_sweep(struct strays *s, pid_t keep, int64_t now)
{
	pid_t	pid, pgid;
	bool	at_once = s->hurry_at != 0 && now >= s->hurry_at;
	int	n, i;

	n = procstat_children(s->kids, PROCSTAT_MAX);
	for (i = 0; i < n; i++) {
		pid = s->kids[i];
		if (pid <= 0 || pid == keep ||
		    stray_find(s, pid, false) != NULL)
			continue;
		if ((pgid = getpgid(pid)) == -1)
			continue;	/* reaped meanwhile */
		/*
		 * By pid even when its group is being ended: it may leave
		 * the group (setsid) before the group's SIGKILL.
		 */
		if (pgid == pid && stray_find(s, pgid, true) == NULL)
			stray_add(s, pgid, true, at_once, now);
		stray_add(s, pid, false, at_once, now);
	}
}

void
strays_reaped(struct strays *s, pid_t pid)
{
	struct stray	*r;

	if ((r = stray_find(s, pid, false)) != NULL)
		stray_drop(s, r);
}

void
strays_check(struct strays *s, int64_t now)
{
	struct stray	*r, *r1;

	TAILQ_FOREACH_SAFE(r, &s->q, entry, r1) {
		if (r->group && killpg(r->id, 0) == -1) {
			stray_drop(s, r);
			continue;
		}
		if (r->stage == S_LEFT || now < r->deadline)
			continue;
		if (r->stage == S_TERM)
			stray_kill(r, now);
		else {
			r->stage = S_LEFT;	/* kept: not swept again */
			r->deadline = S_NEVER;
		}
	}
}

int64_t
strays_deadline(const struct strays *s)
{
	struct stray	*r;
	int64_t		 d = S_NEVER;

	TAILQ_FOREACH(r, &s->q, entry)
		if (r->stage != S_LEFT && r->deadline < d)
			d = r->deadline;
	return d;
}

bool
strays_pending(const struct strays *s)
{
	struct stray	*r;

	TAILQ_FOREACH(r, &s->q, entry)
		if (r->stage != S_LEFT)
			return true;
	return false;
}

/*
 * What a worker must end that is no longer a running task: the rest of an
 * ended task's process group (its "lingering" group), and strays: the
 * worker's own children that no running task owns.  The worker is a child
 * subreaper, so whatever a task's tree leaves behind when its parent dies
 * (a `setsid` daemon, a double fork, `ssh -f`) becomes the worker's child.
 *
 * Ownership is the caller's decision: while a task, --init or a persistent
 * program runs, the worker's children belong to it and are not swept (a
 * task may use an `ssh -f` tunnel while it runs); once its leader is
 * reaped, every child of the worker but a live leader is swept.
 *
 * Each record gets SIGTERM (and SIGCONT) at once and SIGKILL at its
 * deadline, the last wait of the termination sequence but at most
 * STRAYS_WAIT_MAX_MS (a supervisor that stops waits a few seconds for its
 * workers, then kills them).  A stray is signalled by pid and, when it
 * leads its own process group, as a group too.  After SIGKILL a record is
 * kept until the process is reaped (the group is empty), at most
 * STRAYS_KILL_MS; then it is given up (a process in uninterruptible sleep):
 * it no longer holds the worker, and is not swept again.
 *
 * A pid is only ever signalled while it is the caller's unreaped child, or
 * as a group that one of its processes still holds: neither can name a
 * recycled pid.  The caller must report every pid it reaps.  Owned by one
 * worker; not thread-safe.
 */
#ifndef PT_WORKER_STRAYS_H
#define PT_WORKER_STRAYS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>

#define STRAYS_WAIT_MAX_MS 2000	/* from SIGTERM to SIGKILL, at most */
#define STRAYS_KILL_MS	1000	/* after SIGKILL, to be reaped */

struct strays;

/* wait_ms: from SIGTERM to SIGKILL (capped). */
struct strays	*strays_new(int wait_ms);
void		 strays_free(struct strays *);

/* The leader of group pgid was reaped: end what is left of the group. */
void	strays_group(struct strays *, pid_t pgid, int64_t now);
/* End every child of the caller but keep (0: none) not already being ended. */
void	strays_sweep(struct strays *, pid_t keep, int64_t now);
/*
 * The caller is leaving: one wait from the first call on, strays found are
 * sent SIGKILL at once (strays that keep starting strays cannot hold it).
 */
void	strays_leave(struct strays *, int64_t now);
/* The caller reaped pid. */
void	strays_reaped(struct strays *, pid_t);
/* SIGKILL what is past its deadline; forget what is gone. */
void	strays_check(struct strays *, int64_t now);
/* The next deadline; INT64_MAX for none. */
int64_t	strays_deadline(const struct strays *);
/* Is anything still being ended? */
bool	strays_pending(const struct strays *);

#endif

/*
 * The supervisor: one process, one poll() loop.  It owns the task source,
 * the queue, retries, output, logs, the segment's header and event ring,
 * and the pool's size.  Every control (pause, resume, kill, resize, drain,
 * stop, retry) is one function below.  Dashboard keys and the control
 * socket reach them through cmd.c's table; the signals a pool obeys
 * (SIGUSR1, SIGUSR2, SIGHUP, SIGINT, SIGTERM, SIGQUIT) call them directly
 * from pool.c's signal handler.
 *
 * Front ends (the dashboard, the control socket, the event log) plug into
 * the process's loop (loop.h) and the pool's event hooks beside the pool;
 * they read the pool's state from the segment (pool_shm()) or its events,
 * never from struct pool.  A control that decides something (which slot
 * has a worker) asks the pool (pool_slot_live()), never the segment,
 * which any process of the user can write.
 *
 * One way to report.  A function that can fail returns -1 (or NULL) with
 * the reason in the caller's err/errlen; a control's reply to a client
 * goes in a struct buf (why below); a stream that fails later (source,
 * output) keeps its first error for a getter.  What happens to the running
 * pool is an event: the segment's ring (the dashboard, attach), the event
 * log (stderr or --log FILE, text or JSON).  Errors the user must see are
 * also said on stderr, headless, where the event log is not (-q, --log
 * FILE), in the log's format; with the dashboard, the error that stopped
 * the pool is said once the dashboard has closed.  Workers never write to
 * stderr: they tell the supervisor (proto.h).  Only main.c (usage, config,
 * pool_setup's reason, the summary) and the client commands (ctl, ls,
 * attach, progress) print, and util.h's allocators when memory runs out.
 *
 * The pool registers its own descriptors, timers and signal hooks with the
 * loop given to pool_new(); one for every signal above, and for SIGCHLD,
 * SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT and SIGWINCH.  Its SIGTSTP (and
 * SIGTTIN, SIGTTOU) hook stops the process: a front end that must act
 * before adds its hook with loop_signal_first().  Its SIGCONT hook resumes
 * the tasks: a front end's, added later with loop_signal(), runs after.
 */
#ifndef PT_POOL_H
#define PT_POOL_H

#include <stdbool.h>

#include "opts.h"
#include "shm.h"
#include "util.h"

struct loop;
struct pool;
struct source;

struct run_stats;

/* The pool runs in loop, which the caller frees after pool_free(). */
struct pool	*pool_new(const struct opts *, struct source *, struct loop *);
/*
 * Compile the template, add its signal hooks to the loop, create the segment,
 * open the joblog and output (task stdout/stderr go to out_fd/err_fd).
 * 0, or -1 with the reason in err.
 */
int		 pool_setup(struct pool *, int out_fd, int err_fd, char *err,
		    size_t errlen);
void		 pool_set_socket(struct pool *, const char *);
/* A front end's warning about the pool: an event, said as above. */
void		 pool_warn(struct pool *, enum pt_event_type, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
/*
 * Call cb with every event recorded from now on, after the segment's ring.
 * on_stderr: cb writes each one to stderr (the event log is there), so a
 * warning is not said there a second time.
 */
typedef void (*pool_event_cb)(const struct pt_shm_event *, void *);
void		 pool_on_event(struct pool *, pool_event_cb, void *,
		    bool on_stderr);
/*
 * The event log could not be written (disk full): the pool stops (exit
 * 255), says so where the user may see it, and says later warnings on
 * stderr itself.
 */
void		 pool_log_failed(struct pool *, int error);
void		 pool_stats(struct pool *, struct run_stats *);
/* Run until all work is done or the pool is stopped; returns exit status. */
int		 pool_run(struct pool *);
void		 pool_free(struct pool *);

struct pt_shm	*pool_shm(struct pool *);
/*
 * What-if advice at other pool sizes (pool-model.h); false while there is
 * none: too few tasks finished, or workers on other machines.
 */
struct model_advice;
bool		 pool_advice(const struct pool *, struct model_advice *);
/*
 * -j auto (pool-auto.h): start or end it (a resize by hand ends it); -1
 * and why when it cannot start.
 */
int		 pool_auto_set(struct pool *, bool on, struct buf *why);
bool		 pool_auto(const struct pool *);
/*
 * --speculate: whether it is on, and how many copies of stragglers were
 * started and how many of those won (finished first).
 */
bool		 pool_speculate(const struct pool *, uint64_t *started,
		    uint64_t *won);
/*
 * --straggler-factor and the median runtime a running task is measured
 * against; false while no task can be a straggler (factor 0, or too few
 * tasks finished).
 */
bool		 pool_straggler_median(const struct pool *, double *factor,
		    int64_t *median_ns);
/*
 * The run's history as the pool keeps it for the segment (pool-history.h):
 * its closed samples and the runtimes' buckets.
 */
const struct pt_shm_history *pool_history(const struct pool *);

/* Controls.  slot -1 means the whole pool.  0 on success, -1 and a reason. */
int	pool_pause(struct pool *, int slot, bool pause, struct buf *why);
int	pool_kill(struct pool *, int slot, int sig, struct buf *why);
int	pool_resize(struct pool *, int n, bool kill_surplus, struct buf *why);
/*
 * Resize one host of -S/--slurm (by its name as the slots show it, or ":"
 * for this machine) to n workers, 0 to leave it idle; the pool's size is
 * then the sum of its hosts'.  -1 and why for an unknown or down host.
 */
int	pool_resize_host(struct pool *, const char *host, int n,
	    bool kill_surplus, struct buf *why);
/* The workers host is sized to, or -1 when the pool has no such host. */
int	pool_host_workers(struct pool *, const char *host);
int	pool_drain(struct pool *, struct buf *why);
int	pool_stop(struct pool *, bool now, struct buf *why);
/*
 * Queue again the failed tasks of failure group N (pool-failures.h,
 * 1-based; 0: every failed task) as new attempts: their attempt numbers
 * go on from the last, and they have --retries attempts again.
 */
int	pool_retry_group(struct pool *, size_t group, struct buf *why);
/* The failure groups, most frequent first (fail_groups_free()); how many. */
struct fail_group;
size_t	pool_failures(struct pool *, struct fail_group **);
/*
 * Queue n items after the last: numbered when they are taken, after the
 * source's last item (and a past joblog's last task), expanded with the
 * template like the others.  All or none: refused when the pool is
 * draining, stopping or closed, or when the items waiting to start would
 * pass POOL_ADD_MAX_ITEMS or POOL_ADD_MAX_BYTES.
 */
#define POOL_ADD_MAX_ITEMS	65536
#define POOL_ADD_MAX_BYTES	(16 * 1024 * 1024)
int	pool_add(struct pool *, char **items, size_t n, struct buf *why);
/* Take no more items: what is queued runs, then (--keep-open too) it ends. */
int	pool_close(struct pool *, struct buf *why);
int	pool_target(struct pool *);	/* current target worker count */
bool	pool_slot_live(struct pool *, int slot);	/* has a worker */
bool	pool_paused(struct pool *, int slot);	/* -1: the pool */
int	pool_client_fds(struct pool *);	/* control clients served at once */

typedef void (*pool_cb)(struct pool *, void *);
/* Called once the pool has ended, before the segment goes away. */
void	pool_at_exit(struct pool *, pool_cb, void *);

#endif

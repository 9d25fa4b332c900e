/*
 * The supervisor: one process, one poll() loop.  It owns the task source,
 * the queue, retries, output, logs, the segment's header and event ring,
 * and the pool's size.  Every control (pause, resume, kill, resize, drain,
 * stop, retry) is one function below.  Dashboard keys and the control
 * socket reach them through cmd.c's table; the signals a pool obeys
 * (SIGUSR1, SIGUSR2, SIGHUP, SIGINT, SIGTERM, SIGQUIT) call them directly
 * from pool.c's signal handler.
 *
 * Front ends (the dashboard, the control socket) plug into the loop with
 * pool_watch_fd() and pool_every(); they read the pool's state from the
 * segment (pool_shm()), never from struct pool.  A control that decides
 * something (which slot has a worker) asks the pool (pool_slot_live()),
 * never the segment, which any process of the user can write.
 */
#ifndef PT_POOL_H
#define PT_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "opts.h"
#include "shm.h"
#include "util.h"

struct pool;
struct source;

struct run_stats;

struct pool	*pool_new(const struct opts *, struct source *);
/*
 * Compile the template, block signals into a signalfd, create the segment,
 * open logs, joblog and output (task stdout/stderr go to out_fd/err_fd).
 * 0, or -1 with the reason printed.
 */
int		 pool_setup(struct pool *, int out_fd, int err_fd);
void		 pool_set_socket(struct pool *, const char *);
void		 pool_stats(struct pool *, struct run_stats *);
/* Run until all work is done or the pool is stopped; returns exit status. */
int		 pool_run(struct pool *);
void		 pool_free(struct pool *);

struct pt_shm	*pool_shm(struct pool *);

/* Controls.  slot -1 means the whole pool.  0 on success, -1 and a reason. */
int	pool_pause(struct pool *, int slot, struct buf *why);
int	pool_resume(struct pool *, int slot, struct buf *why);
int	pool_kill(struct pool *, int slot, int sig, struct buf *why);
int	pool_resize(struct pool *, int n, bool kill_surplus, struct buf *why);
int	pool_drain(struct pool *, struct buf *why);
int	pool_stop(struct pool *, bool now, struct buf *why);
int	pool_retry_failed(struct pool *, struct buf *why);
int	pool_target(struct pool *);	/* current target worker count */
bool	pool_slot_live(struct pool *, int slot);	/* has a worker */
bool	pool_paused(struct pool *, int slot);	/* -1: the pool */
int	pool_client_fds(struct pool *);	/* control clients served at once */

/* Loop hooks for front ends.  cb gets the revents from poll(). */
typedef void (*pool_fd_cb)(struct pool *, int fd, short revents, void *);
typedef void (*pool_timer_cb)(struct pool *, void *);
void	pool_watch_fd(struct pool *, int fd, short events, pool_fd_cb, void *);
void	pool_unwatch_fd(struct pool *, int fd);
void	pool_every(struct pool *, int ms, pool_timer_cb, void *);
/*
 * Run cb when signal sig arrives: SIGWINCH, SIGTSTP (also for SIGTTIN and
 * SIGTTOU; before the pool stops itself) or SIGCONT (once its tasks resume).
 */
void	pool_on_signal(struct pool *, int sig, pool_timer_cb, void *);
/* Called once the pool has ended, before the segment goes away. */
void	pool_at_exit(struct pool *, pool_timer_cb, void *);

#endif

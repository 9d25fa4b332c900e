/*
 * The keeper: the part of a pool that a kill of the supervisor cannot take.
 *
 * A small process forked by the supervisor before it creates any state,
 * in a process group of its own, so that no signal meant for the
 * supervisor's group (Ctrl-C, `kill -9 %1`, `timeout -s KILL`, a CI agent
 * killing a group) reaches it.  The supervisor tells it, over a socket and
 * before creating each one, the name of every piece of state that must not
 * outlive the pool (the shared-memory segment, the control socket, the ssh
 * master sockets, the task cgroups), and
 * hands it a pidfd of every worker it forks.
 *
 * When the supervisor is gone without saying it finished (the keeper holds
 * a pidfd of it, and sees its end of the socket close), the keeper removes
 * that state at once, then continues every worker still alive (SIGCONT,
 * again every few milliseconds) until each has exited: a worker stopped by
 * its own task could otherwise never act on its parent-death signal and
 * end its task.  It gives up on a worker after KEEPER_WAIT_MS.  Then it
 * removes the task cgroups, which can go only once their tasks have.
 *
 * The keeper holds nothing else: no terminal, no descriptor of the pool
 * but its socket.  It is pooltop's only process outside the supervisor's
 * process group besides the workers and their tasks.
 */
#ifndef PT_KEEPER_H
#define PT_KEEPER_H

#include <sys/types.h>

#define KEEPER_WAIT_MS	60000	/* for workers to end after the supervisor */

/*
 * Fork the keeper.  Without one (fork failed) the pool still runs; the
 * calls below then do nothing.  0, or -1 with errno.
 */
int	keeper_start(void);

/* Remove this segment name if the supervisor dies (before creating it). */
void	keeper_keep_shm(const char *name);
/* Remove this socket path if the supervisor dies (before binding it). */
void	keeper_keep_socket(const char *path);
/*
 * Remove this pool cgroup directory (and its slot.N cgroups) if the
 * supervisor dies, once the tasks in them have ended.
 */
void	keeper_keep_cgroup(const char *dir);
/* A worker was forked: continue it until it ends if the supervisor dies. */
void	keeper_add_worker(pid_t);
/*
 * A hook (pool-hook.h) was forked, leading a process group of its own:
 * kill that group if the supervisor dies while its leader runs.
 */
void	keeper_add_group(pid_t);
/* That hook's leader was reaped (and what it left in its group killed). */
void	keeper_drop_group(pid_t);
/* The keeper's pid, or 0 when there is none. */
pid_t	keeper_pid(void);
/*
 * The supervisor removed its state itself: tell the keeper to leave without
 * touching anything.  It exits while the supervisor frees what it holds;
 * keeper_reap() then waits for it (bounded), so that no process of the
 * pool outlives the supervisor.
 */
void	keeper_release(void);
void	keeper_reap(void);

#endif

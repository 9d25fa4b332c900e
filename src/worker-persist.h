/*
 * Persistent mode (--persistent CMD): one long-lived program per worker,
 * fed one task per line on its stdin, answering one line per task on its
 * stdout, in order.  This module owns that program, the optional --init
 * command run once before it, and the tasks in flight to it; the worker
 * (worker.c) owns the process, the socket, the signals and the loop, and
 * calls in here for every message and event.
 *
 * The protocol, as the program sees it:
 *  - it is started as `shell -c CMD` in its own process group, stdin a
 *    pipe, stdout and stderr pipes, with the tasks' environment; its
 *    POOLTOP_TASK names the program instance (a number above 2^62), so
 *    `pooltop progress` works and applies to the task it is answering;
 *  - each task is one line: the template with the values substituted (RUN
 *    argv joined by spaces, or argv[0] for a shell command line), or the
 *    item, then "\n".  A line holding a newline is never sent: the task
 *    fails (exit 127, "cannot run") with a message on its stderr;
 *  - each result is one line on stdout, for the oldest task not answered
 *    yet; it becomes that task's stdout (newline included).  A line
 *    starting with PERSIST_ERROR_MARK fails the task (exit status 1) and
 *    goes to its stderr instead.  A line with no task waiting is dropped;
 *  - stderr is forwarded as stderr of the oldest task not answered (held
 *    until one arrives when there is none);
 *  - EOF on stdin means "no more tasks": it should exit, soon.
 *
 * Up to --chunksize lines are in flight; lines are written as RUNs arrive
 * and buffered, never blocking.  A task's clock (--timeout, wall time)
 * starts when its line is written and the previous result is back.  If the
 * program exits, dies, closes stdout or stdin, the oldest unanswered task
 * fails with its wait status (or TIMEOUT/KILLED when that is why we ended
 * it), the others are handed back (PT_DONE_REQUEUE), and the program is
 * started again when there is work, after a growing delay while it keeps
 * dying without answering anything.  With --max-tasks-per-worker N it is
 * sent at most N lines; after N answers its stdin is closed, it is given
 * PERSIST_CLOSE_MS to exit (then the termination sequence), and a new one
 * takes the lines that waited.  Processes the program (or --init) started
 * that left its group, and the worker adopted, are its own while it runs;
 * when it ends they are ended with the rest of its group, before a new
 * program starts (the linger callback).
 */
#ifndef PT_WORKER_PERSIST_H
#define PT_WORKER_PERSIST_H

#include <sys/types.h>

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "opts.h"
#include "proto.h"
#include "shm.h"
#include "worker-group.h"

#define PERSIST_ERROR_MARK	"ERROR:"
#define PERSIST_CLOSE_MS	2000	/* to exit after its stdin closed */
#define PERSIST_EXIT_INIT	3	/* worker exit status: --init failed */
#define PERSIST_NFDS		3	/* poll entries persist_pollfds fills */
#define PERSIST_SPAWN_FDS	6	/* the program's three
					   pipes, starting */

struct persist;

/* Queue a message to the supervisor. */
typedef void (*persist_send_fn)(void *, uint32_t type, const void *, size_t,
    const void *extra, size_t extralen);
/* Queue an answered line (ANSWERS): its record, then its a->len bytes. */
typedef void (*persist_answer_fn)(void *, const struct pt_answer *,
    const char *);
/*
 * The child (init or program) that led group pgid was reaped: terminate what
 * is left of the group and the strays it left, without waiting here.
 */
typedef void (*persist_linger_fn)(void *, pid_t pgid);

struct persist_conf {
	const char		*command;	/* run directly or by shell -c */
	const char		*init;		/* NULL: none */
	const char		*dir;		/* --workdir, absolute: where
						   --init and the program run
						   (made before each start);
						   NULL: the worker's */
	struct wgroup_spawner	*spawner;	/* the tasks' shell,
						   environment */
	char			*env_task;	/* its POOLTOP_TASK= entry */
	size_t			 env_task_size;
	const struct termseq	*termseq;
	int64_t			 tick_ns;
	int			 max_tasks;	/* lines per program;
						   0 no limit */
	int			 slot;		/* 0-based */
	struct pt_shm_slot	*shm_slot;	/* private: what
						   the slot shows */
	struct pt_shm_mbox	*mbox;		/* the slot's, in the segment */
	void			(*publish)(void *); /* publish shm_slot */
	persist_send_fn		 send;
	persist_answer_fn	 answer;
	persist_linger_fn	 linger;
	void			*arg;		/* for send, answer, linger */
};

struct persist	*persist_new(const struct persist_conf *);
/* Run --init, then the program; READY is sent once init has succeeded. */
void		 persist_start(struct persist *);

/* The supervisor's messages. */
void	persist_run(struct persist *, const struct pt_run *, const char *item,
	    char *const *argv);
/* A line of LINES: the item (len bytes, NUL after them) is the line. */
void	persist_line(struct persist *, uint64_t seq, uint32_t flags,
	    int64_t timeout_ms, const char *item, size_t len);
void	persist_pause(struct persist *);
void	persist_resume(struct persist *);
void	persist_kill(struct persist *, int sig);
void	persist_retire(struct persist *);
/* Worker going away: end everything now (termination sequence). */
void	persist_end(struct persist *);

/*
 * Poll entries (reading: read the program's output): the program's stdin,
 * stdout, stderr.  Stderr is to be served first, so that what it wrote
 * before an answer goes with that task: watch them in the reverse order.
 */
void	persist_pollfds(struct persist *, struct pollfd *, bool reading);
/* A descriptor persist_pollfds() gave is ready. */
void	persist_ready(struct persist *, int fd, short revents);
/*
 * Write what waits for the program's stdin, and the slot once for the
 * turn's answers.  Call before each poll (the clocks this module reads
 * once a loop turn are read again after it).
 */
void	persist_flush(struct persist *);
/* The live --init or program, or 0: it owns the worker's children. */
pid_t	persist_leader(const struct persist *);
/* A child was reaped: true if it was ours (the program or init). */
bool	persist_reaped(struct persist *, pid_t, int wstatus);
void	persist_timers(struct persist *, int64_t now);
int64_t	persist_deadline(struct persist *);	/* INT64_MAX: none */
/* True once the worker may exit; *status is its exit status. */
bool	persist_finished(struct persist *, int *status);

#endif

/*
 * The process group a worker runs: a one-shot task (worker.c) or the
 * persistent program and its --init (worker-persist.c).  This module owns what
 * both do to such a group and its clock:
 *
 *  - spawning it: `shell -c LINE` or argv on PATH, leading its own group
 *    (the caller's spawn attributes), stdin /dev/null or a pipe, stdout and
 *    stderr on pipes (or one pipe for both), the caller's environment;
 *  - reading its pipes without blocking, and what is left in them once its
 *    leader is reaped (bounded: a daemon holding a pipe cannot hold us);
 *  - signalling the group (a stopped group is woken to see the signal);
 *  - the termination sequence (--termseq): one step per deadline, SIGKILL
 *    after the last step's wait, nothing once that is sent;
 *  - sampling its process tree (CPU, memory) no more often than needed;
 *  - the pause clock: time a task spent stopped by PAUSE counts neither
 *    for its timeout nor in its wall time;
 *  - what the slot shows of it: samples, progress, the output tail.
 *
 * What a group leaves once its leader is reaped is worker-strays.c's.  The
 * caller passes the clock in (mono_ns()), so every deadline is exact and
 * testable.  Owned by one worker; not thread-safe.
 */
#ifndef PT_WORKER_GROUP_H
#define PT_WORKER_GROUP_H

#include <sys/types.h>

#include <spawn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opts.h"
#include "procstat.h"
#include "shm.h"

#define WG_NEVER	INT64_MAX	/* a deadline that never comes */
#define WG_MS		1000000LL	/* nanoseconds in a millisecond */
#define WG_RBUF		(64 * 1024)	/* one read from a pipe */
#define WG_DRAIN_MAX	(1024 * 1024)	/* read from a pipe after the end */
#define WG_TAIL		(PT_TAIL_MAX - 1)	/* a reader adds a NUL */

/* wgroup_spawn() flags. */
#define WG_STDIN	0x1	/* stdin a pipe (fd[0]), not /dev/null */
#define WG_MERGE	0x2	/* stderr on the stdout pipe; fd[2] -1 */

/* Output read from a group: stream 1 stdout, 2 stderr. */
typedef void (*wgroup_out_fn)(void *arg, int stream, const char *, size_t);

/* How one worker starts its groups; the fields above fa are the caller's. */
struct wgroup_spawner {
	const char		*shell;
	char			**envp;
	const posix_spawnattr_t	*attr;		/* own group, default signals */
	int			 devnull;
	char			*rbuf;		/* WG_RBUF bytes, for reads */
	posix_spawn_file_actions_t fa;		/* kept while the fds repeat */
	int			 fa_fd[3];	/* what fa dups; [1] -1: none */
};

/* What the slot shows of a group: its tree's samples, the progress. */
struct wgroup_sample {
	uint32_t	cpu_permille;	/* over the last sampled interval */
	uint64_t	rss_bytes;
	uint64_t	cpu_ticks;	/* the most seen */
	uint32_t	progress_done;	/* the task's word, clamped */
	uint32_t	progress_total;
};

/* The last bytes of output, for the slot. */
struct wgroup_tail {
	size_t	len;
	char	b[WG_TAIL];
};

/* A group being run: its leader and how far its termination went. */
struct wgroup {
	pid_t			 pid;		/* leader and group; 0: none */
	bool			 reaped;	/* the leader; then wstatus */
	int			 wstatus;
	int			 fd[3];		/* stdin, stdout, stderr; -1 */
	int			 in;		/* the next spawn's stdin (its
						   fd, closed by the spawn)
						   instead of /dev/null; -1 */
	const char		*dir;		/* the directory the next spawn
						   enters (its process, never
						   the worker); NULL: ours */
	struct wgroup_spawner	*spawner;
	wgroup_out_fn		 out;
	void			*arg;		/* for out */
	const struct termseq	*termseq;
	int			 term_step;	/* step sent; -1: not ending */
	int64_t			 term_deadline;	/* next step due */
	struct sampler		 sampler;	/* when to walk its tree next */
	int64_t			 sample_ns;	/* the last walk */
	uint64_t		 sample_ticks;	/* CPU ticks it found */
	int64_t			 tick_ns;
};

/*
 * A task's clock: when it started (0: not yet) and the time it spent
 * stopped before the current pause, if any.  The pause itself (paused_at)
 * is the caller's: a program's pause spans the clocks of several tasks.
 */
struct wgroup_clock {
	int64_t	start;
	int64_t	paused_ns;
};

/* Smaller of two deadlines. */
int64_t	wgroup_min(int64_t, int64_t);

/* Signal group pgid, and wake it if stopped; errors do not matter. */
void	wgroup_signal(pid_t pgid, int sig);

/* The caller's fields set, fa not made yet. */
void	wgroup_spawner_init(struct wgroup_spawner *);
void	wgroup_spawner_free(struct wgroup_spawner *);

/* No group yet (pid 0, no pipes); output to out(arg). */
void	wgroup_init(struct wgroup *, struct wgroup_spawner *,
	    const struct termseq *, wgroup_out_fn out, void *arg);
/* Spawn argv (shell: argv[0] is a command line for the shell), in g->dir
   if set; 0 or an errno, and then no group and no pipes. */
int	wgroup_spawn(struct wgroup *, char *const *argv, bool shell,
	    int flags);
/* Read once from stream 1 or 2: bytes read, 0 for none now, -1 closed. */
ssize_t	wgroup_read(struct wgroup *, int stream);
/* Read what is left in stream 1 or 2 without blocking, then close it. */
void	wgroup_drain(struct wgroup *, int stream);
/* Close the pipe of stream 0, 1 or 2 if open. */
void	wgroup_close(struct wgroup *, int stream);
/* Is its leader spawned and not reaped yet? */
bool	wgroup_alive(const struct wgroup *);
/* pid was reaped with wstatus: true if it led g (and g is reaped now). */
bool	wgroup_reaped(struct wgroup *, pid_t pid, int wstatus);
/* Stop (PAUSE) or continue (RESUME) the group. */
void	wgroup_stop(const struct wgroup *);
void	wgroup_cont(const struct wgroup *);
/* Is its termination sequence running? */
bool	wgroup_ending(const struct wgroup *);
/* Start the termination sequence: its first step now. */
void	wgroup_term_start(struct wgroup *, int64_t now);
/* Send the next step if its deadline has passed. */
void	wgroup_term_check(struct wgroup *, int64_t now);
/* When the next step is due; WG_NEVER when not ending or all sent. */
int64_t	wgroup_term_deadline(const struct wgroup *);

/*
 * Sampling starts at now, every tick_ns at most; the CPU used so far is
 * read as a baseline if baseline, else taken as none.
 */
void	wgroup_sample_start(struct wgroup *, int64_t now, int64_t tick_ns,
	    bool baseline);
/* Walk the group's tree into *s if a sample is due; true if it was. */
bool	wgroup_sample(struct wgroup *, int64_t now, struct wgroup_sample *s);

/* Keep n more bytes of output in the tail. */
void	wgroup_tail_add(struct wgroup_tail *, const char *, size_t n);
/* Write the samples and progress, or the tail, to a (private) slot. */
void	wgroup_slot_sample(struct pt_shm_slot *, const struct wgroup_sample *);
void	wgroup_slot_tail(struct pt_shm_slot *, const struct wgroup_tail *);

/* Start the clock at now. */
void	wgroup_clock_start(struct wgroup_clock *, int64_t now);
/* A pause from paused_at ends now: count the part after the start. */
void	wgroup_clock_unpause(struct wgroup_clock *, int64_t paused_at,
	    int64_t now);
/* Time run until now, pauses left out (paused_at 0: not paused now). */
int64_t	wgroup_clock_running(const struct wgroup_clock *,
	    int64_t paused_at, int64_t now);
/* When a timeout of timeout_ns passes if it keeps running; WG_NEVER for
   none (timeout 0, not started). */
int64_t	wgroup_clock_timeout(const struct wgroup_clock *,
	    int64_t timeout_ns);

#endif

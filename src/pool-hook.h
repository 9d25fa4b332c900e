/*
 * Hooks: --on-task-end CMD after each task, --on-end CMD when the pool
 * ends.  They run in the supervisor's process, outside the worker slots.
 *
 * --on-task-end is a command template (template.h): {} {#} {%} {N} and
 * the rest are the task's, quoted as the task's own template quotes them
 * (an item is data, never code); nothing is appended when it has no
 * replacement string.  --on-end is a command line for the shell.  Each
 * runs with --shell when it needs one (directly otherwise), stdin from
 * /dev/null, stdout and stderr to the pool's stderr (a detached pool's
 * log), in a process group of its own, with POOLTOP_* variables that
 * describe the task or the run (pooltop.1 lists them).
 *
 * Starting one never blocks the supervisor's loop: fork and exec, and the
 * pool's SIGCHLD hook hands each child it reaps to hooks_reaped().  At most
 * HOOK_RUN_MAX run at once; up to HOOK_QUEUE_MAX more wait, past that a
 * task's hook is skipped (an event).  A hook running longer than
 * --hook-timeout gets the pool's --termseq, then SIGKILL, sent to its
 * group; whatever is left in its group when it exits is killed.  The
 * keeper (keeper.h) kills the group of every hook still running if the
 * supervisor dies.  A hook's failure (exit not 0, a signal, a timeout,
 * cannot start) is an event: it never stops the pool.
 */
#ifndef PT_POOL_HOOK_H
#define PT_POOL_HOOK_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOOK_RUN_MAX	8
#define HOOK_QUEUE_MAX	1024

struct loop;
struct opts;
struct hooks;

/* How a hook's failure is said: an event of the pool (task seq or 0). */
typedef void (*hook_say_cb)(void *arg, uint64_t seq, int status,
    const char *text);

/* A task that ended for good. */
struct hook_task {
	uint64_t		 seq;
	int			 slot;		/* 0-based */
	const char		*item;
	const char *const	*args;		/* per input source, or NULL */
	size_t			 nargs;
	const char		*result;	/* done failed timeout killed */
	int			 exitval;	/* -1 when signalled */
	int			 sig;
	int64_t			 wall_ns;
	int			 attempts;
	const char		*command;	/* as run, or NULL */
};

/* The run, when the pool ends. */
struct hook_run {
	uint64_t	 done, failed;
	int		 exit;		/* pooltop's exit status */
	int64_t		 wall_ns;
	const char	*joblog;	/* or NULL */
};

/*
 * NULL and err when --on-task-end does not compile; with neither hook set,
 * a struct that does nothing.  err_fd: where hooks write (not closed).
 */
struct hooks	*hooks_new(struct loop *, const struct opts *, int err_fd,
		    hook_say_cb, void *, char *err, size_t errlen);
void		 hooks_free(struct hooks *);
/* Compile --on-task-end only (--check-config); 0 or -1 and err. */
int		 hooks_check(const struct opts *, char *err, size_t errlen);

void	hooks_task_end(struct hooks *, const struct hook_task *);
void	hooks_pool_end(struct hooks *, const struct hook_run *);
/* Running or waiting hooks? */
bool	hooks_busy(const struct hooks *);
/* End them now: drop those waiting, the termination sequence for the rest. */
void	hooks_stop(struct hooks *);
/*
 * Ctrl-Z: stop the running hooks' groups (true) or continue them; the
 * time stopped does not count against --hook-timeout.
 */
void	hooks_suspend(struct hooks *, bool stop);
/* A child was reaped: true if it was a hook (then handled). */
bool	hooks_reaped(struct hooks *, pid_t, int wstatus);
/* Is pid a running hook? */
bool	hooks_own(const struct hooks *, pid_t);

#endif

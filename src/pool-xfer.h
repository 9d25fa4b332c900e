/*
 * Files and directories of tasks on other machines, as GNU parallel's
 * --workdir, --transferfile, --return, --cleanup and --basefile.
 *
 * --workdir DIR: where a remote task runs.  CONF carries it and the remote
 * worker makes it (mkdir -p) before each task; a relative DIR
 * is relative to the worker's login directory.  A DIR with replacement
 * strings ({}, {#}, {%}, ...) is a directory a task, as GNU parallel has it:
 * expanded for each task (tidied as GNU parallel does: "/./" made "/", no
 * "/" at the end, no "./" at the start), sent in its RUN, the base files
 * copied into it before each task and, with --cleanup, removed after it
 * with the directory if it is then empty; an empty expansion is the login
 * directory.  `.` is the directory the
 * pool runs in (relative to $HOME when beneath it, as GNU parallel does);
 * `...` a directory of its own for each task, DIR-N under
 * ~/.pooltop/tmp/HOST-PID of the remote host (task N; HOST and PID the
 * supervisor's), removed after the task with --cleanup.  The worker
 * makes a task's directory and the task enters it (workdir.h, which also
 * has --workdir for the tasks on this machine).
 *
 * Copies go over the host's master connection (ssh -S its ControlPath), in
 * a child of the supervisor that the loop reaps (xfer_reaped()): the
 * supervisor never waits for one.  Before a task: the --basefile files
 * (until a copy of them has succeeded on that host) and the task's
 * --transferfile files; its RUN is held until they are there.  After it:
 * the --return files, then with --cleanup the files sent and returned are
 * removed on the host: what the copies wrote down as they sent or brought
 * back each one (a file, or a tree's entries), not what the path here has
 * become since; a --return that failed is not removed.  A file is
 * written under a temporary name and renamed, so a task never reads half
 * of one.  A path holding `/./` is relative to the work directory from
 * there on (GNU parallel's rsync rule).  Local tasks copy nothing.
 */
#ifndef PT_POOL_XFER_H
#define PT_POOL_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"
#include "util.h"

struct opts;
struct hosts;
struct xfer;

/*
 * The pool's file handling, or NULL: with err "" when there is none to
 * do, else the reason (a template that does not compile, --slurm).
 */
struct xfer	*xfer_new(const struct opts *, struct hosts *, char *err,
		    size_t errlen);
void		 xfer_free(struct xfer *);	/* kills the copies running */

/* --workdir for CONF ("" none or one a task) and its PT_CONF_* flags. */
const char	*xfer_workdir(const struct xfer *, uint32_t *flags);

/* The task a copy is for. */
struct xfer_task {
	int			 slot;
	uint32_t		 generation;	/* the slot's worker */
	uint64_t		 seq;
	const char		*arg;
	const char *const	*args;		/* NULL: arg is its one */
	size_t			 nargs;
	bool			 copy;		/* --speculate's second run:
						   a ... directory of its own */
	bool			 loser;		/* its twin won: nothing is
						   returned, --cleanup cleans */
};

/*
 * The work directory of task t when --workdir has replacement strings, or
 * is ... and t a --speculate copy (DIR-SEQ-2: its first run may still be
 * in DIR-SEQ) (allocated; "" the login directory), else NULL: RUN
 * carries it.
 */
char		*xfer_task_workdir(const struct xfer *, const struct xfer_task *);

/*
 * Before task t on host h: 0 when nothing is to be copied (send run now);
 * 1 when a copy was started, run (the task's RUN message) kept until it
 * ends; -1 and why when it could not be started.
 */
int		 xfer_before(struct xfer *, int h, const struct xfer_task *,
		    const struct buf *run, char *why, size_t whylen);
/*
 * After task t on host h ended with d: 0 nothing to do (end it now); 1 a
 * copy started, d kept; -1 and why.
 */
int		 xfer_after(struct xfer *, int h, const struct xfer_task *,
		    const struct pt_done *d, char *why, size_t whylen);

/*
 * The run is over: with --cleanup, remove the base files from each host
 * that is still up (waits for that, 10 seconds at most).
 */
void		 xfer_finish(struct xfer *);

/* A copy that ended, as xfer_reaped() gives it. */
struct xfer_done {
	int		 slot;
	uint32_t	 generation;
	uint64_t	 seq;
	bool		 after;		/* xfer_after()'s: d is set */
	bool		 ok;
	bool		 cancelled;	/* by xfer_cancel() */
	char		 why[256];	/* what failed, naming file and host */
	struct buf	 run;		/* xfer_before()'s RUN; the caller's */
	struct pt_done	 d;
};

/* Was pid a copy of ours?  Then fill *done (and the caller frees run). */
bool		 xfer_reaped(struct xfer *, pid_t, int wstatus,
		    struct xfer_done *);
bool		 xfer_own(const struct xfer *, pid_t);
/*
 * The task of slot i is killed while its files are copied: end the copy
 * (it is reaped with cancelled set).  false if no copy holds it.
 */
bool		 xfer_cancel(struct xfer *, int slot);

#endif

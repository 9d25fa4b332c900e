/*
 * A worker: a long-lived process forked by the supervisor, one per slot.
 * It takes one task at a time (proto.h RUN), starts it in a new process
 * group with stdin /dev/null and stdout/stderr on pipes it reads, samples the
 * task's process tree every tick and publishes its own slot in the segment
 * from a private copy (it never reads the segment back, but for the
 * progress a task posts, which it only shows),
 * enforces the timeout (not counting time paused), and reports STARTED, OUT
 * and DONE.  It exits on RETIRE when idle, on EOF from the supervisor, or
 * when the supervisor dies (PR_SET_PDEATHSIG): then it ends its task with the
 * termination sequence.  It runs in a process group of its own (set by the
 * supervisor at fork), so a signal to the supervisor's group does not take
 * the workers with it; the segment and socket a dead supervisor leaves are
 * the keeper's to remove (keeper.h).
 */
#ifndef PT_WORKER_H
#define PT_WORKER_H

#include "opts.h"
#include "shm.h"
#include "util.h"

struct worker_conf {
	int			 slot;		/* 0-based index in
						   the segment */
	int			 fd;		/* socket to the supervisor */
	int			 fd_out;	/* fd, or where messages go */
	pid_t			 supervisor;
	struct pt_shm		*shm;		/* its slot: written,
						   never read */
	uint32_t		 generation;	/* the slot's, from
						   the supervisor */
	const struct opts	*opts;		/* shell, termseq,
						   tick, persistent */
	bool			 own_shm;	/* shm is the worker's own */
	const struct buf	*pending;	/* messages read
						   already, or NULL */
	struct tcg		*tcg;		/* tasks' cgroups, or NULL */
	const char		*workdir;	/* --workdir, absolute; NULL */
	const char		*basedir;	/* where it started: a RUN's
						   relative --workdir's base */
	uint32_t		 wdflags;	/* PT_CONF_* */
	bool			 wdtemp;	/* remove each task's directory
						   after it (--workdir ...
						   here) */
};

/* Runs in the forked child; never returns. */
void	worker_main(const struct worker_conf *) __attribute__((noreturn));

/*
 * `pooltop worker`: a worker on the supervisor-worker protocol over its
 * standard input and output, started elsewhere (ssh, srun).  Says HELLO,
 * takes CONF, then serves as a forked worker does; exits when its input
 * ends.  Returns only on bad usage (an exit status).
 */
int	worker_stdio_main(int argc, char **argv);

/* The open file limit a worker needs to start tasks under these options. */
int	worker_fds(const struct opts *);

#endif

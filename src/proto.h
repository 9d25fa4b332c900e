/*
 * The supervisor <-> worker protocol, over one AF_UNIX SOCK_STREAM
 * socketpair per worker.  Every message is a struct pt_msg header followed
 * by `len` payload bytes.  Workers are forked from the supervisor (not
 * exec'd), so the pool's configuration (termseq, tick, shell, --init, the
 * persistent command, the mapped segment) is inherited, not sent; the one
 * setting a RUN carries is the task's --timeout (struct pt_run).
 *
 * supervisor -> worker
 *	RUN	struct pt_run, then NUL-terminated strings: item, argv[0..argc-1]
 *		(argc 1 and PT_RUN_SHELL: argv[0] is a shell command line)
 *	PAUSE	stop the current task's process group (SIGSTOP), clock paused
 *	RESUME	SIGCONT it
 *	KILL	struct pt_kill: sig 0 runs the termination sequence
 *	RETIRE	exit once idle (after the current task); payload none
 * worker -> supervisor
 *	READY	worker is up; payload none
 *	STARTED	struct pt_started
 *	OUT	struct pt_out, then the bytes
 *	DONE	struct pt_done
 *	WHY	text (no NUL): why the worker is about to exit (its --init
 *		failed); the supervisor reports it as one event.  A worker
 *		never writes to stderr itself.
 */
#ifndef PT_PROTO_H
#define PT_PROTO_H

#include <stdint.h>

#include "util.h"

enum pt_msg_type {
	PT_MSG_RUN = 1,
	PT_MSG_PAUSE,
	PT_MSG_RESUME,
	PT_MSG_KILL,
	PT_MSG_RETIRE,
	PT_MSG_READY = 64,
	PT_MSG_STARTED,
	PT_MSG_OUT,
	PT_MSG_DONE,
	PT_MSG_WHY,
};

#define PT_MSG_MAX	(8U * 1024 * 1024)	/* largest payload accepted */

struct pt_msg {
	uint32_t	type;
	uint32_t	len;
};

#define PT_RUN_SHELL	0x1	/* argv[0] is run by the shell */
#define PT_RUN_NAMED	0x2	/* the item is the task's name (config tasks) */

struct pt_run {
	uint64_t	task_seq;
	int64_t		timeout_ms;	/* 0: none */
	uint32_t	flags;
	uint32_t	argc;
};

struct pt_kill {
	int32_t		sig;		/* 0: termination sequence */
};

struct pt_started {
	uint64_t	task_seq;
	int32_t		pid;
	int32_t		_pad;
	int64_t		start_real_ns;
};

struct pt_out {
	uint64_t	task_seq;
	uint32_t	stream;		/* 1 stdout, 2 stderr */
	uint32_t	_pad;
};

#define PT_DONE_TIMEOUT	0x1	/* ended by --timeout */
#define PT_DONE_KILLED	0x2	/* ended by a kill request */
#define PT_DONE_NOEXEC	0x4	/* could not be started; errno in status */
#define PT_DONE_REQUEUE	0x8	/* never ran (persistent mode: queued in a
				   program that died): run it again */

struct pt_done {
	uint64_t	task_seq;
	int32_t		wstatus;	/* as from waitpid(); errno for NOEXEC */
	uint32_t	flags;
	int64_t		start_real_ns;
	int64_t		wall_ns;	/* excluding time stopped by PAUSE */
	int64_t		user_ns;
	int64_t		sys_ns;
};

/* Queue one message on an output buffer. */
void	proto_put(struct buf *, uint32_t type, const void *, size_t,
	    const void *extra, size_t extralen);
/*
 * Take the whole message at offset off of an input buffer: returns 1 and
 * sets *hdr and *payload (pointing into the buffer, valid until it changes),
 * 0 when incomplete, -1 when malformed.  A reader walks the buffer with off
 * (the next message is at off + sizeof *hdr + hdr->len) and consumes what it
 * took once, at the end: consuming message by message would move the rest
 * of the buffer each time.
 * The caller consumes sizeof(struct pt_msg) + hdr->len afterwards.
 */
int	proto_next(const struct buf *, size_t off, struct pt_msg *,
	    const char **payload);

#endif

/*
 * The supervisor <-> worker protocol, over one byte stream per worker: an
 * AF_UNIX socketpair for a worker forked here, the standard input and
 * output of `pooltop worker` for one started elsewhere (through ssh or
 * srun).  Every message is a struct pt_msg header followed by `len` payload
 * bytes, in host byte order: both ends run the same pooltop version, which
 * HELLO and CONF check.  A forked worker inherits the pool's configuration
 * (termseq, tick, shell, --init, the persistent command); a worker started
 * elsewhere is sent what it needs in CONF, persistent mode included.  The
 * one setting a RUN carries is the task's --timeout (struct pt_run).
 *
 * Connecting a worker started elsewhere: it sends HELLO at once; the
 * supervisor checks the version and answers CONF; the worker checks the
 * version again and goes on as a forked one, with READY.  A worker that
 * refuses says WHY and exits.  A forked worker sends neither.
 *
 * The worker never writes the segment: it sends SLOT, what its slot shows,
 * whenever its state changes and at most every PT_SLOT_EVERY_MS otherwise;
 * the supervisor writes it into the slot (with the fields only it knows:
 * generation, worker pid, host).
 *
 * supervisor -> worker
 *	CONF	struct pt_conf, then NUL-terminated strings: the shell, the
 *		host name the supervisor knows the worker's machine by, the
 *		--workdir its tasks run in ("": its login directory; relative:
 *		to it; with PT_CONF_WD_UNIQUE, task N runs in "DIR-N"),
 *		with PT_CONF_PERSISTENT the --persistent program and with
 *		PT_CONF_INIT the --init command (run by the shell, in that
 *		directory; max_tasks is --max-tasks-per-worker)
 *	RUN	struct pt_run, then NUL-terminated strings: item, argv[0..argc-1]
 *		and, with PT_RUN_STDIN, the file the task reads as stdin,
 *		with PT_RUN_WD, the directory the task runs in (its own
 *		--workdir, instead of CONF's: "" the directory the worker
 *		started in; relative: to it)
 *		(argc 1 and PT_RUN_SHELL: argv[0] is a shell command line)
 *	LINES	persistent mode's items, many in one message: struct
 *		pt_lines (how many, their flags and --timeout), then for
 *		each a struct pt_line (its task_seq and length) and its
 *		bytes, NUL-terminated: the item, which is also the line
 *		the program is sent.  Each is what a RUN of argc 1 with
 *		the item as argv[0] would be.  The supervisor puts one
 *		LINES per worker and turn, with every line it hands it
 *		then (proto_batch_add()).
 *	PAUSE	stop the current task's process group (SIGSTOP), clock paused
 *	RESUME	SIGCONT it
 *	KILL	struct pt_kill: sig 0 runs the termination sequence
 *	RETIRE	exit once idle (after the current task); payload none
 * worker -> supervisor
 *	HELLO	struct pt_hello, then NUL-terminated strings: pooltop's
 *		version, the machine's host name
 *	READY	worker is up; payload none
 *	SLOT	struct pt_slotmsg, then label, item and tail bytes
 *	NOP	ignored, either way.  `pooltop worker` makes the last byte
 *		of each write a newline with one (payload "\n") when it is
 *		not one already: a Slurm job step forwards its output line
 *		by line.  The supervisor answers a remote worker that spoke
 *		with an empty one when it sends it nothing else that turn,
 *		so that srun acknowledges at once (see pool.c,
 *		answer_workers()).  `pooltop worker` also sends one when
 *		it has written nothing for PT_BEAT_MS: a remote worker
 *		silent for PT_SILENT_MS is lost (its machine, or the way
 *		to it, is gone, which neither ssh nor srun may notice for
 *		minutes): the supervisor ends its ssh or srun, puts its
 *		task back and marks its host down.
 *	STARTED	struct pt_started
 *	OUT	struct pt_out, then the bytes
 *	DONE	struct pt_done; with PT_DONE_WORKDIR, then the directory,
 *		NUL-terminated
 *	ANSWERS	persistent mode's answered lines, many in one message:
 *		struct pt_answers (how many), then for each a struct
 *		pt_answer and its answer's bytes (the line, newline
 *		included: its stdout, or with PT_ANSWER_ERROR its stderr,
 *		exit status 1).  Each stands for an OUT and a DONE of no
 *		flags and, with PT_ANSWER_NEXT, for the STARTED of the
 *		worker's next line, which started as the answer ended
 *		(start_real_ns + wall_ns) in the same program (the pid of
 *		the last STARTED).  What is not that plain (stderr, a
 *		line read in pieces, a kill or a timeout) still goes as
 *		OUT, DONE and STARTED.
 *	WHY	text (no NUL): why the worker is about to exit (its --init
 *		failed); the supervisor reports it as one event.  A worker
 *		never writes to stderr itself.
 */
#ifndef PT_PROTO_H
#define PT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum pt_msg_type {
	PT_MSG_RUN = 1,
	PT_MSG_PAUSE,
	PT_MSG_RESUME,
	PT_MSG_KILL,
	PT_MSG_RETIRE,
	PT_MSG_CONF,
	PT_MSG_LINES,
	PT_MSG_READY = 64,
	PT_MSG_STARTED,
	PT_MSG_OUT,
	PT_MSG_DONE,
	PT_MSG_WHY,
	PT_MSG_HELLO,
	PT_MSG_SLOT,
	PT_MSG_NOP,
	PT_MSG_ANSWERS,
};

/* Changes with any change of a message's layout or meaning. */
#define PT_PROTO_VERSION	8
#define PT_SLOT_EVERY_MS	100	/* SLOT at most this often, but for a
					   change of state */
#define PT_BEAT_MS	1000	/* `pooltop worker` writes at least this
				   often (a NOP when it has nothing else) */
#define PT_SILENT_MS	10000	/* one that said HELLO and then nothing
				   for this long is lost */

#define PT_MSG_MAX	(8U * 1024 * 1024)	/* largest payload accepted */

struct pt_msg {
	uint32_t	type;
	uint32_t	len;
};

#define PT_RUN_SHELL	0x1	/* argv[0] is run by the shell */
#define PT_RUN_NAMED	0x2	/* the item is the task's name (config tasks) */
#define PT_RUN_STDIN	0x4	/* a last string names the task's stdin */
#define PT_RUN_RANGE	0x8	/* ... and only in_len bytes from in_off of it
				   reach it, through a pipe (--pipe-part) */
#define PT_RUN_WD	0x10	/* a last string names the task's directory */

struct pt_run {
	uint64_t	task_seq;
	int64_t		timeout_ms;	/* 0: none */
	uint32_t	flags;
	uint32_t	argc;
	uint64_t	in_off;		/* PT_RUN_RANGE */
	uint64_t	in_len;
};

struct pt_lines {
	uint32_t	count;		/* struct pt_line records that follow */
	uint32_t	flags;		/* PT_RUN_NAMED, or 0 */
	int64_t		timeout_ms;	/* 0: none */
};

struct pt_line {
	uint64_t	task_seq;
	uint32_t	len;		/* bytes that follow, less the NUL */
	uint32_t	_pad;
};

struct pt_hello {
	uint32_t	version;	/* PT_PROTO_VERSION */
	int32_t		ncpu;		/* online CPUs of its machine */
	int32_t		pid;
	uint32_t	_pad;
};

#define PT_CONF_TERM_MAX	16

struct pt_conf {
	uint32_t	version;	/* PT_PROTO_VERSION: first in every
					   version's CONF, checked before
					   its length */
	uint32_t	slot;		/* 0-based */
	uint32_t	generation;
	int32_t		tick_ms;
	int32_t		nterm;		/* --termseq steps; 0: the default */
	int32_t		term_sig[PT_CONF_TERM_MAX];
	int32_t		term_ms[PT_CONF_TERM_MAX];
	uint32_t	flags;		/* PT_CONF_* */
	int32_t		max_tasks;	/* --max-tasks-per-worker; 0: none */
};

#define PT_CONF_WD_UNIQUE	0x1	/* --workdir ...: a directory a task */
#define PT_CONF_PERSISTENT	0x2	/* a string names --persistent's CMD */
#define PT_CONF_INIT		0x4	/* ... and one after it --init's */

struct pt_slotmsg {
	uint32_t	state;		/* enum pt_slot_state */
	uint32_t	flags;		/* PT_SLOT_* */
	int32_t		task_pid;	/* on the worker's machine */
	uint32_t	cpu_permille;
	uint64_t	rss_bytes;
	uint64_t	task_seq;
	uint32_t	progress_done;
	uint32_t	progress_total;
	int64_t		task_start_real_ns;
	uint64_t	tasks_done;
	uint64_t	tasks_failed;
	uint64_t	cpu_ticks;
	uint32_t	label_len;	/* bytes that follow, in this order */
	uint32_t	item_len;
	uint32_t	tail_len;
	uint32_t	_pad;
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
#define PT_DONE_XFER	0x10	/* the supervisor's own: its files were not
				   copied (pool-xfer.h) */
#define PT_DONE_WORKDIR	0x20	/* with NOEXEC: its --workdir could not be
				   made or entered (workdir.h) */

struct pt_done {
	uint64_t	task_seq;
	int32_t		wstatus;	/* as from waitpid();
					   errno for NOEXEC */
	uint32_t	flags;
	int64_t		start_real_ns;
	int64_t		wall_ns;	/* excluding time stopped by PAUSE */
	int64_t		user_ns;
	int64_t		sys_ns;
	int64_t		maxrss_kb;	/* the leader's peak RSS and that of
					   the descendants it waited for
					   (getrusage's ru_maxrss); 0: none */
};

struct pt_answers {
	uint32_t	count;		/* struct pt_answer
					   records that follow */
	uint32_t	_pad;
};

#define PT_ANSWER_ERROR	0x1	/* an error line: stderr, exit status 1 */
#define PT_ANSWER_NEXT	0x2	/* the worker's next line started as this
				   one's answer ended */

struct pt_answer {
	uint64_t	task_seq;
	int64_t		start_real_ns;
	int64_t		wall_ns;	/* excluding time stopped by PAUSE */
	uint32_t	flags;		/* PT_ANSWER_* */
	uint32_t	len;		/* bytes that follow */
};

/*
 * An open message of records (LINES, ANSWERS) at the end of an output
 * buffer, which more records join until something else is queued after it
 * or the buffer is written out.  The caller closes it (proto_batch_close())
 * whenever it consumes bytes of the buffer.
 */
struct proto_batch {
	size_t		at;	/* offset of its struct pt_msg in the buffer */
	size_t		end;	/* the buffer's length after its last record */
	bool		open;
};

/*
 * Add a record of n bytes to the open batch of type, or open one (head, of
 * headlen bytes, starting with its uint32_t count, goes first); returns
 * where the record's n bytes go.  Counts the record.
 */
char	*proto_batch_add(struct buf *, struct proto_batch *, uint32_t type,
	    const void *head, size_t headlen, size_t n);
void	 proto_batch_close(struct proto_batch *);

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
 */
int	proto_next(const struct buf *, size_t off, struct pt_msg *,
	    const char **payload);

struct pt_shm_slot;
/* Queue a SLOT message showing slot s (its state, task, samples, texts). */
void	proto_put_slot(struct buf *, const struct pt_shm_slot *);
/*
 * Read a SLOT payload into s: the fields SLOT carries, texts NUL-ended and
 * cut to fit; the others (seq, generation, worker_pid, host, mbox) are left
 * as they are.  false if the payload is malformed.
 */
bool	proto_get_slot(const char *, size_t, struct pt_shm_slot *);
/*
 * The i-th NUL-terminated string of a payload's tail (p, n), or NULL
 * when there are fewer.
 */
const char *proto_string(const char *p, size_t n, int i);

#endif

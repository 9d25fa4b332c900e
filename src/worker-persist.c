/*
 * Persistent mode: one long-lived program per worker (see worker-persist.h
 * for the protocol the program sees).
 *
 * The tasks a worker was given wait in one FIFO.  A prefix of it has been
 * "fed" to the current program (appended to its stdin buffer); the rest
 * waits for the program to start, or, under --max-tasks-per-worker, for the
 * next program.  Answers come back in order, so the oldest fed task is
 * always the one the next stdout line answers and the one the clock runs
 * for; it is also the one the slot shows.
 *
 * One child at a time: first --init (once per worker), then the program,
 * restarted as needed.  Both are spawned like tasks (own process group,
 * default signals, the tasks' environment) and ended with the worker's
 * termination sequence, by worker-group.c.  Nothing here blocks: stdin is
 * written from a buffer when the pipe takes it, stdout is parsed as it
 * comes, partial lines included (from a busy program, read in batches:
 * hold_decide()), and every reply to the supervisor goes through the
 * worker's send queue.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "worker-persist.h"
#include "workdir.h"
#include "util.h"
#include "template.h"
#include "text.h"
#include "worker-group.h"

#define P_HELD_MAX	(64 * 1024)	/* stderr kept while no task waits */
#define P_ERR_BEFORE	(64 * 1024)	/* stderr read ahead of an answer */
#define P_MARK_LEN	(sizeof PERSIST_ERROR_MARK - 1)
#define P_MS		WG_MS
#define P_BACKOFF_MS	100		/* first restart delay after a crash */
#define P_BACKOFF_MAX_MS 5000
#define P_BROKEN	3		/* deaths in a row:
					   fail tasks at once */
#define P_BROKE_MS	250		/* to exit after breaking
					   the protocol */
#define P_TOKEN_BASE	(1ULL << 62)	/* POOLTOP_TASK of a program */
#define P_SPARE_MAX	2048		/* freed tasks kept for reuse */
#define P_SPARE_MIN	64		/* room a task is made with, at least */
#define P_SPARE_BYTES	1024		/* ... and kept with, at most */
#define P_HOLD_NS	(1000 * 1000LL)	/* answers read at most this late */
#define P_HOLD_MIN_NS	(10 * 1000LL)	/* ... when it is worth a timer */
#define P_HOLD_LINES	16		/* lines it must hold, to wait */
#define P_HOLD_ANSWERS	4		/* answers a wait should bring */
#define P_NEWLINE	"the task line holds a newline: not sent to the" \
			" persistent command"

enum pstate {
	P_NONE = 0,	/* no child */
	P_INIT,		/* --init runs */
	P_RUN,		/* the program runs and takes lines */
	P_CLOSING,	/* its stdin is closed: it should exit */
};

/* A task given to this worker. */
struct ptask {
	size_t			 cap;		/* bytes after the struct */
	uint64_t		 seq;
	char			*line;		/* with its newline; this */
	size_t			 len;		/* and item are in the */
	char			*item;		/* task's allocation */
	size_t			 ilen;
	int64_t			 timeout_ns;	/* 0: none */
	bool			 fed;		/* given to the
						   current program */
	uint64_t		 end_off;	/* stdin offset
						   after its line */
	struct wgroup_clock	 clock;		/* start 0: not started */
	int64_t			 start_real;
	TAILQ_ENTRY(ptask)	 entry;
};
TAILQ_HEAD(ptasks, ptask);

/* The child: --init or the program. */
struct child {
	struct wgroup	 g;		/* pid 0: none; init: stderr on fd[1] */
	struct buf	 inbuf;
	uint64_t	 fed;		/* bytes given to inbuf, in all */
	uint64_t	 written;	/* bytes written to the pipe */
	int		 nfed;		/* lines given */
	uint64_t	 answers;
	int64_t		 close_deadline;
	bool		 killed;	/* ended by us: kill, timeout, exit */
	const char	*broke;		/* it broke the protocol: how */
	int64_t		 broke_deadline; /* then ended, unless it exits */
	uint64_t	 doomed;	/* task to fail when it ends; 0 none */
	uint32_t	 doom_flags;
	uint64_t	 token;		/* its POOLTOP_TASK */
	int		 line_stream;	/* 0: at line start; 1, 2; -1 drop */
	char		 pfx[P_MARK_LEN];
	size_t		 pfx_len;
	/* Reading stdout in batches: hold_decide(). */
	int64_t		 hold_until;	/* stdout not polled before; 0 */
	int64_t		 read_at;	/* the last read of stdout */
	uint64_t	 read_answers;	/* answers by then */
	uint64_t	 read_left;	/* lines it still held then */
	int64_t		 per_ns;	/* its time per answer; 0 unknown */
};

struct persist {
	struct persist_conf	 c;
	struct expanded		 direct;	/* the program's words; argc 0:
						   sh -c (direct_argv()) */
	enum pstate		 state;
	struct child		 ch;
	struct ptasks		 tasks;
	struct ptask		*feed;		/* first task not fed; NULL */
	bool			 init_done;
	bool			 init_failed;
	int			 init_wstatus;
	bool			 paused;
	int64_t			 paused_at;
	bool			 retiring;
	bool			 ending;
	int			 fast_fails;	/* deaths without an answer */
	int			 last_wstatus;	/* of the last program */
	int			 start_error;	/* why the last start failed;
						   0: it started */
	int64_t			 restart_at;
	uint64_t		 instances;
	struct buf		 held_err;
	int64_t			 now;		/* for output being read */
	struct wgroup_tail	 tail;
	struct wgroup_sample	 sample;	/* the program's CPU, memory */
	uint64_t		 mbox_last;	/* last progress
						   taken, packed */
	int64_t			 next_tick;
	int64_t			 turn_mono;	/* the clocks, read once a */
	int64_t			 turn_real;	/* loop turn; 0: not yet */
	/* Answers of this turn, for the slot: turn_flush(). */
	int			 turn_done, turn_failed;
	bool			 turn_slot;	/* the slot is to be written */
	struct ptasks		 spare;		/* freed tasks: ptask_new() */
	int			 nspare;
};

static void	child_terminate(struct persist *, int64_t);
static void	prog_start(struct persist *);
static void	child_ended(struct persist *);
static size_t	 persist_line_len(char *const *, bool);
static void	 persist_line_fill(char *, char *const *, bool);
static bool	persist_is_error(const char *, size_t);
static void	answer_count(struct persist *, int, int64_t, bool);
static void	stdout_read(struct persist *, int64_t);

/*
 * The monotonic clock, read once a loop turn: the first caller after a
 * wait reads it, the others of the turn take the same value, and
 * persist_flush() (before each wait) forgets it.  Hundreds of lines can
 * come and go in one turn.
 */
static int64_t
turn_mono(struct persist *p)
{
	if (p->turn_mono == 0) {
		p->turn_mono = mono_ns();
		p->turn_real = 0;
	}
	return p->turn_mono;
}

/* The real-time clock, read once a loop turn (see turn_mono()). */
static int64_t
turn_real(struct persist *p)
{
	if (p->turn_real == 0)
		p->turn_real = real_ns();
	return p->turn_real;
}

/* Is there a program alive that takes or answers lines? */
static bool
prog_alive(const struct persist *p)
{
	return (p->state == P_RUN || p->state == P_CLOSING) &&
	    !p->ch.g.reaped;
}

/* The oldest task if it was given to the program. */
static struct ptask *
oldest_fed(const struct persist *p)
{
	struct ptask	*t = TAILQ_FIRST(&p->tasks);

	return t != NULL && t->fed ? t : NULL;
}

/* The slot state for what we are doing. */
static uint32_t
slot_state(const struct persist *p)
{
	if (p->state == P_INIT)
		return PT_SLOT_STARTING;
	if (p->paused && !TAILQ_EMPTY(&p->tasks))
		return PT_SLOT_PAUSED;
	if (p->retiring)
		return PT_SLOT_RETIRING;
	return TAILQ_EMPTY(&p->tasks) ? PT_SLOT_IDLE : PT_SLOT_RUNNING;
}

/*
 * Write the slot: state, the current task (the oldest), samples and the
 * tail; done and failed are added to its counters.
 */
static void
slot_write(struct persist *p, int done, int failed)
{
	struct pt_shm_slot	*s = p->c.shm_slot;
	struct ptask		*t = TAILQ_FIRST(&p->tasks);

	s->state = slot_state(p);
	s->tasks_done += (uint64_t)(done + p->turn_done);
	s->tasks_failed += (uint64_t)(failed + p->turn_failed);
	p->turn_done = p->turn_failed = 0;
	p->turn_slot = false;
	if (p->state == P_INIT) {
		s->task_pid = p->ch.g.pid;
		s->task_seq = 0;
	} else if (t != NULL) {
		s->task_pid = prog_alive(p) ? p->ch.g.pid : 0;
		if (s->task_seq != t->seq) {
			s->task_seq = t->seq;
			text_copy(s->label, sizeof s->label, t->line,
			    t->len - 1);
			text_copy(s->item, sizeof s->item, t->item, t->ilen);
			s->task_start_real_ns = t->start_real != 0 ?
			    t->start_real : real_ns();
		}
	} else {
		s->task_pid = 0;
		s->task_seq = 0;
	}
	wgroup_slot_sample(s, &p->sample);
	p->c.publish(p->c.arg);
}

/* Publish the output tail (on ticks and when things end). */
static void
slot_tail(struct persist *p)
{
	wgroup_slot_tail(p->c.shm_slot, &p->tail);
	p->c.publish(p->c.arg);
}

/* Send task seq's output on stream (1 stdout, 2 stderr); no tail. */
static void
send_out_only(struct persist *p, uint64_t seq, int stream, const char *b,
    size_t n)
{
	struct pt_out	o;

	memset(&o, 0, sizeof o);
	o.task_seq = seq;
	o.stream = (uint32_t)stream;
	p->c.send(p->c.arg, PT_MSG_OUT, &o, sizeof o, b, n);
}

/* Send task seq's output on stream (1 stdout, 2 stderr). */
static void
send_out(struct persist *p, uint64_t seq, int stream, const char *b, size_t n)
{
	send_out_only(p, seq, stream, b, n);
	wgroup_tail_add(&p->tail, b, n);
}

/* Report the end of task t (not in the list any more). */
static void
send_done(struct persist *p, const struct ptask *t, int wstatus,
    uint32_t flags, int64_t now)
{
	struct pt_done	d;

	memset(&d, 0, sizeof d);
	d.task_seq = t->seq;
	d.wstatus = wstatus;
	d.flags = flags;
	d.start_real_ns = t->start_real != 0 ? t->start_real : real_ns();
	d.wall_ns = wgroup_clock_running(&t->clock,
	    p->paused ? p->paused_at : 0, now);
	p->c.send(p->c.arg, PT_MSG_DONE, &d, sizeof d, NULL, 0);
}

/*
 * Free a task (line and item with it).  Small ones are kept for
 * ptask_new(): a busy program answers hundreds of thousands a second.
 */
static void
ptask_free(struct persist *p, struct ptask *t)
{
	if (p->nspare >= P_SPARE_MAX || t->cap > P_SPARE_BYTES) {
		free(t);
		return;
	}
	TAILQ_INSERT_HEAD(&p->spare, t, entry);
	p->nspare++;
}

/* A zeroed task with room for n bytes after it. */
static struct ptask *
ptask_new(struct persist *p, size_t n)
{
	struct ptask	*t = TAILQ_FIRST(&p->spare);
	size_t		 cap = n < P_SPARE_MIN ? P_SPARE_MIN : n;

	if (t != NULL && t->cap >= n) {
		TAILQ_REMOVE(&p->spare, t, entry);
		p->nspare--;
		cap = t->cap;
		mem_zero(t, sizeof *t);
	} else
		t = xcalloc(1, sizeof *t + cap);
	t->cap = cap;
	return t;
}

/*
 * Take t off the list, keeping the feed pointer right.  A pause lasts
 * while tasks are here, as the supervisor sees it: with the last one gone
 * the program runs again.
 */
static void
task_remove(struct persist *p, struct ptask *t)
{
	if (p->feed == t)
		p->feed = TAILQ_NEXT(t, entry);
	TAILQ_REMOVE(&p->tasks, t, entry);
	if (p->paused && TAILQ_EMPTY(&p->tasks)) {
		p->paused = false;
		p->paused_at = 0;
		if (prog_alive(p))
			wgroup_cont(&p->ch.g);
	}
}

/*
 * Report the end of task seq, which is not sent (nor in the list), with
 * the reason on its stderr.
 */
static void
task_refuse(struct persist *p, uint64_t seq, int wstatus, uint32_t flags,
    const char *why)
{
	struct ptask	 t;
	char		*msg;

	if (why != NULL) {
		msg = xasprintf("pooltop: %s\n", why);
		send_out(p, seq, 2, msg, strlen(msg));
		free(msg);
	}
	memset(&t, 0, sizeof t);
	t.seq = seq;
	send_done(p, &t, wstatus, flags, 0);
}

/*
 * Hand every task still here back to the supervisor (they never ran).
 * The supervisor puts them back in seq order; newest first is its cheap
 * case.
 */
static void
requeue_all(struct persist *p, int64_t now)
{
	struct ptask	*t;

	while ((t = TAILQ_LAST(&p->tasks, ptasks)) != NULL) {
		task_remove(p, t);
		send_done(p, t, 0, PT_DONE_REQUEUE, now);
		ptask_free(p, t);
	}
	p->feed = NULL;
}

/* Would clock_check() start task t's clock now? */
static bool
clock_due(const struct persist *p, const struct ptask *t)
{
	return t != NULL && t->fed && t->clock.start == 0 &&
	    t->end_off <= p->ch.written;
}

/*
 * Start the clock of the oldest task once its line is written.  quiet:
 * the supervisor learns it from the answer before it (PT_ANSWER_NEXT).
 */
static void
clock_check(struct persist *p, int64_t now, bool quiet)
{
	struct ptask		*t = oldest_fed(p);
	struct pt_started	 st;

	if (!clock_due(p, t))
		return;
	wgroup_clock_start(&t->clock, now);
	t->start_real = turn_real(p);
	p->sample.progress_done = p->sample.progress_total = 0;
	if (quiet)
		return;
	memset(&st, 0, sizeof st);
	st.task_seq = t->seq;
	st.pid = p->ch.g.pid;
	st.start_real_ns = t->start_real;
	p->c.send(p->c.arg, PT_MSG_STARTED, &st, sizeof st, NULL, 0);
}

/* The turn ends: write the slot once for all its answers. */
static void
turn_flush(struct persist *p)
{
	if (p->turn_slot)
		slot_write(p, 0, 0);
}

/* Close the program's stdin: it should finish and exit. */
static void
prog_close(struct persist *p, int64_t now)
{
	wgroup_close(&p->ch.g, 0);
	buf_consume(&p->ch.inbuf, p->ch.inbuf.len);
	if (p->state == P_RUN) {
		p->state = P_CLOSING;
		p->ch.close_deadline = now + PERSIST_CLOSE_MS * P_MS;
	}
}

/* Should the program be closed now (enough answers, or retiring)? */
static void
close_check(struct persist *p, int64_t now)
{
	if (p->state != P_RUN)
		return;
	if ((p->c.max_tasks > 0 && p->ch.answers >= (uint64_t)p->c.max_tasks) ||
	    ((p->retiring || p->ending) && TAILQ_EMPTY(&p->tasks)))
		prog_close(p, now);
}

/* A result line ended: the oldest task is done, or failed (stream 2). */
static void
task_answered(struct persist *p, int stream, int64_t now)
{
	struct ptask	*t = oldest_fed(p);
	uint32_t	 flags = 0;

	if (t == NULL)
		return;
	task_remove(p, t);
	if (p->ch.doomed == t->seq) {
		flags = p->ch.doom_flags;
		p->ch.doomed = 0;
	}
	send_done(p, t, stream == 2 ? W_EXITCODE(1, 0) : 0, flags, now);
	ptask_free(p, t);
	answer_count(p, stream, now, false);
}

/*
 * A whole result line in one piece, for the oldest task: one ANSWERS
 * record for its output, its end and the start of the next line.  A task
 * doomed (killed, timed out) while it answered takes the long way.
 */
static void
task_answer_line(struct persist *p, int stream, const char *b, size_t n,
    int64_t now)
{
	struct ptask	*t = oldest_fed(p);
	struct pt_answer a;
	bool		 next;

	if (t == NULL)
		return;
	if (p->ch.doomed == t->seq) {
		send_out_only(p, t->seq, stream, b, n);
		task_answered(p, stream, now);
		return;
	}
	task_remove(p, t);
	next = clock_due(p, oldest_fed(p));
	memset(&a, 0, sizeof a);
	a.task_seq = t->seq;
	a.start_real_ns = t->start_real != 0 ? t->start_real : turn_real(p);
	a.wall_ns = wgroup_clock_running(&t->clock,
	    p->paused ? p->paused_at : 0, now);
	a.flags = (stream == 2 ? PT_ANSWER_ERROR : 0) |
	    (next ? PT_ANSWER_NEXT : 0);
	a.len = (uint32_t)n;
	p->c.answer(p->c.arg, &a, b);
	ptask_free(p, t);
	answer_count(p, stream, now, next);
}

/* The bookkeeping of an answer: counters, the next clock, closing. */
static void
answer_count(struct persist *p, int stream, int64_t now, bool quiet)
{
	p->ch.answers++;
	p->fast_fails = 0;
	clock_check(p, now, quiet);
	/* The slot is written once a turn (turn_flush()), not per answer. */
	if (stream == 2)
		p->turn_failed++;
	else
		p->turn_done++;
	p->turn_slot = true;
	close_check(p, now);
}

/* Decide a line's stream from its first bytes. */
static int
line_stream(const struct persist *p, const char *b, size_t n)
{
	if (oldest_fed(p) == NULL)
		return -1;
	return persist_is_error(b, n) ? 2 : 1;
}

/* Send part of the current line (ending it if nl) to the oldest task. */
static void
line_emit(struct persist *p, const char *b, size_t n, bool nl, int64_t now)
{
	struct ptask	*t = oldest_fed(p);
	int		 s = p->ch.line_stream;

	if (s > 0 && t != NULL && n > 0)
		send_out_only(p, t->seq, s, b, n);
	if (nl) {
		p->ch.line_stream = 0;
		if (s > 0)
			task_answered(p, s, now);
	}
}

/* Take n bytes of the program's stdout: lines answer tasks in order. */
static void
prog_stdout(struct persist *p, const char *b, size_t n, int64_t now)
{
	struct child	*ch = &p->ch;
	const char	*nl;
	size_t		 len, k;
	int		 s;

	/* The slot's tail: once for the whole read, not line by line. */
	wgroup_tail_add(&p->tail, b, n);
	while (n > 0) {
		nl = memchr(b, '\n', n);
		len = nl != NULL ? (size_t)(nl - b) + 1 : n;
		if (ch->line_stream == 0 && ch->pfx_len == 0 && nl != NULL &&
		    (s = line_stream(p, b, len)) > 0) {
			/* A whole line, the common case. */
			task_answer_line(p, s, b, len, now);
			b += len;
			n -= len;
			continue;
		}
		if (ch->line_stream == 0 && ch->pfx_len == 0 &&
		    (nl != NULL || n >= P_MARK_LEN))
			ch->line_stream = line_stream(p, b, len);
		else if (ch->line_stream == 0) {
			/* Too little of the line to tell: keep it. */
			k = P_MARK_LEN - ch->pfx_len;
			if (k > len)
				k = len;
			memcpy(ch->pfx + ch->pfx_len, b, k);
			ch->pfx_len += k;
			b += k;
			n -= k;
			if (ch->pfx_len < P_MARK_LEN &&
			    ch->pfx[ch->pfx_len - 1] != '\n')
				continue;
			ch->line_stream = line_stream(p, ch->pfx, ch->pfx_len);
			k = ch->pfx_len;
			ch->pfx_len = 0;
			line_emit(p, ch->pfx, k, ch->pfx[k - 1] == '\n', now);
			continue;
		}
		line_emit(p, b, len, nl != NULL, now);
		b += len;
		n -= len;
	}
}

/* Stderr of the program goes to the oldest task, or waits for one. */
static void
prog_stderr(struct persist *p, const char *b, size_t n)
{
	struct ptask	*t = TAILQ_FIRST(&p->tasks);

	if (t != NULL)
		send_out(p, t->seq, 2, b, n);
	else if (p->held_err.len + n <= P_HELD_MAX)
		buf_add(&p->held_err, b, n);
}

/*
 * The program's stdout was just read: take what it wrote on stderr before
 * (at most P_ERR_BEFORE bytes), so that it goes with the tasks still
 * unanswered, not after their answers.  A plain read into a buffer of its
 * own: the group's read buffer holds the stdout bytes being handled.
 */
static void
stderr_before(struct persist *p)
{
	char	b[4096];
	ssize_t	n;
	size_t	got = 0;

	while (p->ch.g.fd[2] != -1 && got < P_ERR_BEFORE &&
	    (n = read(p->ch.g.fd[2], b, sizeof b)) > 0) {
		prog_stderr(p, b, (size_t)n);
		got += (size_t)n;
	}
}

/* Output of the child on stream (1, 2), read at p->now. */
static void
child_out(void *arg, int stream, const char *b, size_t n)
{
	struct persist	*p = arg;

	if (p->state == P_INIT)
		wgroup_tail_add(&p->tail, b, n);
	else if (stream == 1) {
		stderr_before(p);
		prog_stdout(p, b, n, p->now);
	}
	else
		prog_stderr(p, b, n);
}

/* Read once from the child's stream; -1 once it is closed. */
static ssize_t
child_read(struct persist *p, int stream, int64_t now)
{
	p->now = now;
	return wgroup_read(&p->ch.g, stream);
}

/*
 * The program's stdout was read (n bytes; 0 none, -1 closed): poll it
 * again at once, or only after a while.  A program that writes each
 * answer on its own would otherwise wake this worker, and through it the
 * supervisor, for every answer or few, and each of its writes into the
 * pipe we wait on would wake us: on a busy machine those wakes and the
 * switches between processes cost more than the answers.  So while the
 * program holds enough lines that it cannot run dry, its stdout is left
 * to fill for about the time it takes to answer half of them (its time
 * per answer measured between reads), at most P_HOLD_NS, and then read
 * in one go.  No wait after a full read (more is there), nor for a
 * program that holds few lines (the window still opening, slow items) or
 * answers too slowly for a wait to bring several answers, nor while
 * paused, killed, broken or ending.
 */
static void
hold_decide(struct persist *p, ssize_t n, int64_t now)
{
	struct child	*ch = &p->ch;
	uint64_t	 got = ch->answers - ch->read_answers;
	uint64_t	 left = ch->nfed > 0 &&
			    (uint64_t)ch->nfed > ch->answers ?
			    (uint64_t)ch->nfed - ch->answers : 0;
	int64_t		 dt = now - ch->read_at, hold;

	ch->hold_until = 0;
	/* It was busy all along if it held lines at both reads. */
	if (ch->read_at != 0 && got > 0 && ch->read_left > 0 && left > 0)
		ch->per_ns = ch->per_ns == 0 ? dt / (int64_t)got :
		    (ch->per_ns + dt / (int64_t)got) / 2;
	else if (left == 0)
		ch->per_ns /= 2;	/* it may have run dry: wait less */
	ch->read_at = now;
	ch->read_answers = ch->answers;
	ch->read_left = left;
	if (n <= 0 || (size_t)n >= WG_RBUF || left < P_HOLD_LINES ||
	    ch->per_ns <= 0 || p->paused || p->state != P_RUN ||
	    ch->broke != NULL || ch->doomed != 0 || wgroup_ending(&ch->g))
		return;
	hold = ch->per_ns * (int64_t)(left / 2);
	if (hold > P_HOLD_NS)
		hold = P_HOLD_NS;
	if (hold >= P_HOLD_MIN_NS && hold / ch->per_ns >= P_HOLD_ANSWERS)
		ch->hold_until = now + hold;
}

/* Read the program's stdout as soon as it is ready again. */
static void
hold_release(struct persist *p)
{
	p->ch.hold_until = 0;
}

/* Add the time paused so far to the running task's clock. */
static void
unpause_clock(struct persist *p, int64_t now)
{
	struct ptask	*t = oldest_fed(p);

	if (!p->paused)
		return;
	if (t != NULL)
		wgroup_clock_unpause(&t->clock, p->paused_at, now);
	p->paused = false;
	p->paused_at = 0;
}

/* End the child with the termination sequence (it runs again if paused). */
static void
child_terminate(struct persist *p, int64_t now)
{
	struct child	*ch = &p->ch;

	if (!wgroup_alive(&ch->g) || wgroup_ending(&ch->g))
		return;
	hold_release(p);
	unpause_clock(p, now);
	wgroup_close(&ch->g, 0);
	buf_consume(&ch->inbuf, ch->inbuf.len);
	wgroup_term_start(&ch->g, now);
}

/*
 * The program closed stdout, or stdin with lines still to write, and so
 * cannot answer: no more lines for it, and it is ended if it does not exit
 * by itself (as a dying process does: it closes its files first) soon.
 */
static void
prog_broke(struct persist *p, const char *what, int64_t now)
{
	struct child	*ch = &p->ch;

	if (ch->g.reaped || wgroup_ending(&ch->g) || ch->broke != NULL)
		return;
	ch->broke = what;
	ch->broke_deadline = now + P_BROKE_MS * P_MS;
	hold_release(p);
	wgroup_close(&ch->g, 0);
	buf_consume(&ch->inbuf, ch->inbuf.len);
}

/* A fresh child record. */
static void
child_reset(struct persist *p)
{
	struct child	*ch = &p->ch;

	buf_free(&ch->inbuf);
	memset(ch, 0, sizeof *ch);
	wgroup_init(&ch->g, p->c.spawner, p->c.termseq, child_out, p);
}

/* The child's --workdir, made again if it went: 0 or an errno. */
static int
child_dir(struct persist *p)
{
	if (p->c.dir == NULL)
		return 0;
	p->ch.g.dir = p->c.dir;
	return workdir_make(p->c.dir);
}

/*
 * Tell the supervisor why --init failed (PT_MSG_WHY), with the last line
 * of its output; the supervisor makes it an event.
 */
static void
init_report(struct persist *p, int error)
{
	char	msg[256], *why;
	size_t	i, n;
	int	st = p->init_wstatus;

	if (error != 0)
		snprintf(msg, sizeof msg, "cannot run: %s", strerror(error));
	else if (WIFEXITED(st))
		snprintf(msg, sizeof msg, "exit %d", WEXITSTATUS(st));
	else
		snprintf(msg, sizeof msg, "signal %d", WTERMSIG(st));
	n = p->tail.len;
	while (n > 0 && p->tail.b[n - 1] == '\n')
		n--;
	for (i = n; i > 0 && p->tail.b[i - 1] != '\n'; i--)
		;
	why = xasprintf("--init failed (%s)%s%.*s", msg, n > i ? ": " : "",
	    (int)(n - i), p->tail.b + i);
	p->c.send(p->c.arg, PT_MSG_WHY, why, strlen(why), NULL, 0);
	free(why);
}

/* Run --init; its stdout and stderr go to the slot's tail. */
static void
init_start(struct persist *p)
{
	char	*argv[2] = { (char *)p->c.init, NULL };
	int	 error;

	child_reset(p);
	strlcpy(p->c.env_task, "POOLTOP_TASK=0", p->c.env_task_size);
	if ((error = child_dir(p)) == 0)
		error = wgroup_spawn(&p->ch.g, argv, true, WG_MERGE);
	if (error != 0) {
		p->init_failed = true;
		init_report(p, error);
		return;
	}
	p->state = P_INIT;
	setproctitle("worker %d: init", p->c.slot + 1);
	slot_write(p, 0, 0);
	text_copy(p->c.shm_slot->label, sizeof p->c.shm_slot->label,
	    p->c.init, strlen(p->c.init));
	p->c.shm_slot->item[0] = '\0';
	p->c.shm_slot->task_start_real_ns = real_ns();
	p->c.publish(p->c.arg);
}

/* --init ended: go on with the program, or give up. */
static void
init_ended(struct persist *p)
{
	p->init_wstatus = p->ch.g.wstatus;
	slot_tail(p);
	if (p->ending)
		return;
	if (!WIFEXITED(p->init_wstatus) || WEXITSTATUS(p->init_wstatus) != 0) {
		p->init_failed = true;
		init_report(p, 0);
		return;
	}
	p->init_done = true;
	p->c.send(p->c.arg, PT_MSG_READY, NULL, 0, NULL, 0);
	if (!p->retiring && !p->ending)
		prog_start(p);
	slot_write(p, 0, 0);
}

/* Give waiting lines to the program, up to its --max-tasks-per-worker. */
static void
prog_feed(struct persist *p)
{
	struct child	*ch = &p->ch;
	struct ptask	*t;

	if (p->state != P_RUN || ch->g.fd[0] == -1 || wgroup_ending(&ch->g) ||
	    ch->broke != NULL)
		return;
	while ((t = p->feed) != NULL &&
	    (p->c.max_tasks == 0 || ch->nfed < p->c.max_tasks)) {
		buf_add(&ch->inbuf, t->line, t->len);
		ch->fed += t->len;
		t->end_off = ch->fed;
		t->fed = true;
		ch->nfed++;
		p->feed = TAILQ_NEXT(t, entry);
	}
}

/*
 * The program could not be started: the oldest task pays, as for a crash.
 * For want of a descriptor or a process it is handed back instead (the
 * supervisor puts it back and counts the fault), and the program is not
 * counted as dying: the tasks waiting here are not failed for it.
 */
static void
prog_start_failed(struct persist *p, int error, int64_t now)
{
	struct ptask	*t = TAILQ_FIRST(&p->tasks);
	char		*why = NULL;
	bool		 shortage = resource_shortage(error);

	if (t != NULL) {
		task_remove(p, t);
		if (!shortage)
			why = xasprintf("cannot start %s: %s", p->c.command,
			    strerror(error));
		task_refuse(p, t->seq, error, PT_DONE_NOEXEC, why);
		free(why);
		ptask_free(p, t);
		if (!shortage)
			slot_write(p, 0, 1);
	}
	requeue_all(p, now);
	if (shortage)
		p->restart_at = now;
	else {
		/*
		 * Not a program that dies now and then: one that cannot be
		 * run (not found, not executable, its directory gone) fails
		 * every task at once, saying why, until the next try.
		 */
		p->start_error = error;
		p->fast_fails = P_BROKEN;
		p->restart_at = now + P_BACKOFF_MAX_MS * P_MS;
	}
}

/*
 * The program's words when its command line needs no shell (the same test
 * as a task's template, template.h: words and simple quotes, no shell
 * syntax, builtin or reserved word, and no replacement string), so that it
 * is the worker's own child rather than a shell's (dash forks, it does not
 * exec): a process and an exec fewer at each start, and a crash read as
 * the program's signal rather than the shell's exit status 128 + N.
 * argc 0: sh -c runs the command line, as before.
 */
static void
direct_argv(struct persist *p)
{
	struct template	*t;

	memset(&p->direct, 0, sizeof p->direct);
	if ((t = template_compile(p->c.command, NULL, 0)) == NULL)
		return;
	if (!template_is_shell(t) && template_appended(t))
		template_expand_args(t, NULL, 0, 0, p->c.slot, &p->direct);
	template_free(t);
	if (p->direct.argc == 0)
		expanded_free(&p->direct);
}

/* Start the program (its stdin, stdout and stderr on new pipes). */
static void
prog_start(struct persist *p)
{
	struct child	*ch = &p->ch;
	int64_t		 now;
	char		*argv[2] = { (char *)p->c.command, NULL };
	bool		 shell = p->direct.argc == 0;
	int		 error;

	child_reset(p);
	ch->token = P_TOKEN_BASE | (uint64_t)getpid() << 20 |
	    (++p->instances & 0xfffff);
	snprintf(p->c.env_task, p->c.env_task_size, "POOLTOP_TASK=%llu",
	    (unsigned long long)ch->token);
	if ((error = child_dir(p)) == 0)
		error = wgroup_spawn(&ch->g, shell ? argv : p->direct.argv,
		    shell, WG_STDIN);
	if (error != 0) {
		prog_start_failed(p, error, mono_ns());
		return;
	}
	p->start_error = 0;
	p->state = P_RUN;
	if (p->paused)
		wgroup_stop(&ch->g);
	now = mono_ns();
	wgroup_sample_start(&ch->g, now, p->c.tick_ns, true);
	p->sample.cpu_ticks = 0;
	p->next_tick = now + p->c.tick_ns;
	setproctitle("worker %d: persistent pid %ld", p->c.slot + 1,
	    (long)ch->g.pid);
	prog_feed(p);
}

/* Start the program if work waits for it and nothing holds it back. */
static void
prog_maybe_start(struct persist *p, int64_t now)
{
	if (p->state == P_NONE && p->init_done && !p->ending &&
	    !TAILQ_EMPTY(&p->tasks) && now >= p->restart_at) {
		prog_start(p);
		slot_write(p, 0, 0);
	}
}

/*
 * The message a task gets when the program ended without answering it.
 * The same cause says the same words (no pid): it is the last line of
 * the task's stderr, which the summary's failure groups are keyed by.
 */
static void
crash_message(struct persist *p, const struct ptask *t, int st)
{
	char	msg[160];

	if (p->ch.broke != NULL && wgroup_ending(&p->ch.g))
		snprintf(msg, sizeof msg, "pooltop: persistent command %s\n",
		    p->ch.broke);
	else if (WIFSIGNALED(st))
		snprintf(msg, sizeof msg, "pooltop: persistent command "
		    "killed by signal %d before answering\n", WTERMSIG(st));
	else
		snprintf(msg, sizeof msg, "pooltop: persistent command "
		    "exited with status %d before answering\n",
		    WEXITSTATUS(st));
	send_out(p, t->seq, 2, msg, strlen(msg));
}

/*
 * The program ended: the oldest unanswered task fails (why we ended it,
 * or its wait status), the rest go back to the supervisor.
 */
static void
prog_ended(struct persist *p, int64_t now)
{
	struct child	*ch = &p->ch;
	struct ptask	*t = oldest_fed(p);
	uint32_t	 flags = 0;
	int		 st = ch->g.wstatus;
	bool		 answered = ch->answers > 0;

	p->last_wstatus = st;
	if (t != NULL) {
		task_remove(p, t);
		if (ch->doomed == t->seq)
			flags = ch->doom_flags;
		else if (!ch->killed)
			crash_message(p, t, st);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			st = W_EXITCODE(1, 0);
		if (ch->doomed == t->seq || !ch->killed) {
			send_done(p, t, st, flags, now);
			slot_write(p, 0, 1);
		} else	/* the task we ended it for had answered */
			send_done(p, t, 0, PT_DONE_REQUEUE, now);
		ptask_free(p, t);
		requeue_all(p, now);
	} else if (p->ending)
		requeue_all(p, now);
	if (p->state == P_RUN && !ch->killed && !answered)
		p->fast_fails++;	/* died on its own, answering nothing */
	else if (t == NULL || answered)
		p->fast_fails = 0;
	p->restart_at = now;
	if (p->fast_fails > 0)
		p->restart_at += backoff_double(P_BACKOFF_MS, P_BACKOFF_MAX_MS,
		    p->fast_fails) * P_MS;
	p->feed = TAILQ_FIRST(&p->tasks);
}

/* The child was reaped: read what it left, then move on. */
static void
child_ended(struct persist *p)
{
	struct child	*ch = &p->ch;
	int64_t		 now = mono_ns();
	enum pstate	 was = p->state;

	p->now = now;
	wgroup_drain(&ch->g, 2);
	wgroup_drain(&ch->g, 1);
	wgroup_close(&ch->g, 0);
	/* Before a new program starts. */
	p->c.linger(p->c.arg, ch->g.pid);
	if (was == P_INIT) {
		p->state = P_NONE;
		init_ended(p);
	} else {
		prog_ended(p, now);
		p->state = P_NONE;
		p->sample.cpu_permille = 0;
		p->sample.rss_bytes = 0;
		slot_write(p, 0, 0);
		slot_tail(p);
		setproctitle("worker %d", p->c.slot + 1);
		prog_maybe_start(p, now);
	}
}

/* Sample the program's process tree and its progress; write the slot. */
static void
prog_tick(struct persist *p, int64_t now)
{
	struct child	*ch = &p->ch;
	uint32_t	 done, total;
	uint64_t	 v;

	(void)wgroup_sample(&ch->g, now, &p->sample);
	if (shm_mbox_take(p->c.mbox, ch->token, &done, &total)) {
		/* The task's word: shown, clamped, never acted on. */
		if (total == 0 || done > total)
			done = total;
		v = (uint64_t)done << 32 | total;
		if (v != p->mbox_last) {
			p->mbox_last = v;
			p->sample.progress_done = done;
			p->sample.progress_total = total;
		}
	}
	slot_write(p, 0, 0);
	slot_tail(p);
	p->next_tick = now + p->c.tick_ns;
}

/* Has the oldest task run past its timeout (time paused not counted)? */
static int64_t
timeout_at(const struct persist *p)
{
	struct ptask	*t = oldest_fed(p);

	if (t == NULL || p->paused || p->state != P_RUN ||
	    wgroup_ending(&p->ch.g))
		return WG_NEVER;
	return wgroup_clock_timeout(&t->clock, t->timeout_ns);
}

/* Create the engine for one worker. */
struct persist *
persist_new(const struct persist_conf *c)
{
	struct persist	*p = xcalloc(1, sizeof *p);

	p->c = *c;
	direct_argv(p);
	TAILQ_INIT(&p->tasks);
	TAILQ_INIT(&p->spare);
	child_reset(p);
	return p;
}

/* Run --init if given, then the program. */
void
persist_start(struct persist *p)
{
	if (p->c.init != NULL && *p->c.init != '\0') {
		init_start(p);
		return;
	}
	p->init_done = true;
	p->c.send(p->c.arg, PT_MSG_READY, NULL, 0, NULL, 0);
	prog_start(p);
	slot_write(p, 0, 0);
}

/*
 * The program keeps dying before it answers anything, or cannot be
 * started: fail a task at once rather than hold it for the restart (a
 * broken command fails every task quickly, as it would without
 * --persistent).  The words are the same for every task failed for one
 * cause (no count, no delay): the summary's failure groups are keyed by
 * them.  A program that cannot start says what its first task said.
 */
static bool
broken_fail(struct persist *p, uint64_t seq, int64_t now)
{
	char	*why;
	int	 st = p->last_wstatus;

	if (p->state != P_NONE || p->fast_fails < P_BROKEN ||
	    now >= p->restart_at)
		return false;
	if (p->start_error != 0) {
		why = xasprintf("cannot start %s: %s", p->c.command,
		    strerror(p->start_error));
		task_refuse(p, seq, p->start_error, PT_DONE_NOEXEC, why);
	} else {
		why = xasprintf("persistent command ended %d times in a row"
		    " without answering (last: %s %d): the line was not sent",
		    P_BROKEN, WIFSIGNALED(st) ? "signal" : "exit status",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			st = W_EXITCODE(1, 0);
		task_refuse(p, seq, st, 0, why);
	}
	free(why);
	slot_write(p, 0, 1);
	return true;
}

/*
 * May task seq be queued (why: the reason it may not, for its stderr)?
 * If not, or if the program keeps dying, the task is answered here.
 */
static bool
task_admit(struct persist *p, uint64_t seq, const char *why)
{
	if (p->retiring || p->ending || !p->init_done) {
		task_refuse(p, seq, EBUSY, PT_DONE_NOEXEC, NULL);
		return false;
	}
	if (why != NULL) {
		task_refuse(p, seq, EINVAL, PT_DONE_NOEXEC, why);
		slot_write(p, 0, 1);
		return false;
	}
	return !broken_fail(p, seq, turn_mono(p));
}

/* Task t was made for seq: queue it, and start or feed the program. */
static void
task_queue(struct persist *p, struct ptask *t, uint64_t seq,
    int64_t timeout_ms, bool first)
{
	t->seq = seq;
	t->timeout_ns = timeout_ms > 0 ? timeout_ms * P_MS : 0;
	TAILQ_INSERT_TAIL(&p->tasks, t, entry);
	if (p->feed == NULL)
		p->feed = t;
	if (p->held_err.len > 0) {
		send_out(p, t->seq, 2, p->held_err.data, p->held_err.len);
		buf_consume(&p->held_err, p->held_err.len);
	}
	prog_maybe_start(p, turn_mono(p));
	prog_feed(p);
	if (first)
		slot_write(p, 0, 0);
}

/* Handle RUN: queue the task's line for the program. */
void
persist_run(struct persist *p, const struct pt_run *r, const char *item,
    char *const *argv)
{
	struct ptask	*t;
	bool		 shell = (r->flags & PT_RUN_SHELL) != 0;
	bool		 first = TAILQ_EMPTY(&p->tasks);
	size_t		 len = persist_line_len(argv, shell), ilen;

	if (!task_admit(p, r->task_seq, len == 0 ? P_NEWLINE : NULL))
		return;
	/* One allocation a line: the task, its line, its item. */
	ilen = strlen(item);
	t = ptask_new(p, len + ilen + 1);
	t->line = (char *)(t + 1);
	persist_line_fill(t->line, argv, shell);
	t->len = len;
	t->item = t->line + len;
	t->ilen = ilen;
	memcpy(t->item, item, ilen + 1);
	task_queue(p, t, r->task_seq, r->timeout_ms, first);
}

/* A line of LINES: the item is the line; the flags are RUN's. */
void
persist_line(struct persist *p, uint64_t seq, uint32_t flags,
    int64_t timeout_ms, const char *item, size_t len)
{
	struct ptask	*t;
	bool		 first = TAILQ_EMPTY(&p->tasks);

	(void)flags;	/* PT_RUN_NAMED: the supervisor's business */
	if (!task_admit(p, seq, memchr(item, '\n', len) != NULL ? P_NEWLINE :
	    NULL))
		return;
	/* The line is the item and its newline, in the task's allocation. */
	t = ptask_new(p, len + 1);
	t->line = t->item = (char *)(t + 1);
	memcpy(t->line, item, len);
	t->line[len] = '\n';
	t->len = len + 1;
	t->ilen = len;
	task_queue(p, t, seq, timeout_ms, first);
}

/* Handle PAUSE: stop the program's group and the running task's clock. */
void
persist_pause(struct persist *p)
{
	if (p->paused || wgroup_ending(&p->ch.g) || TAILQ_EMPTY(&p->tasks))
		return;
	p->paused = true;
	p->paused_at = mono_ns();
	hold_release(p);	/* what it answered before shows at once */
	if (prog_alive(p))
		wgroup_stop(&p->ch.g);
	slot_write(p, 0, 0);
}

/* Handle RESUME: continue the program and the clock. */
void
persist_resume(struct persist *p)
{
	if (!p->paused)
		return;
	unpause_clock(p, mono_ns());
	if (prog_alive(p))
		wgroup_cont(&p->ch.g);
	slot_write(p, 0, 0);
}

/*
 * Handle KILL: the oldest task fails (KILLED) and the program is ended
 * (sig 0: the termination sequence) and started again for the rest.
 */
void
persist_kill(struct persist *p, int sig)
{
	struct ptask	*t = TAILQ_FIRST(&p->tasks);
	int64_t		 now = mono_ns();

	if (t == NULL || sig < 0 || sig >= NSIG)
		return;
	if (p->ch.hold_until != 0 && p->ch.g.fd[1] != -1) {
		/* The answers held back first: the kill is for the next. */
		stdout_read(p, turn_mono(p));
		hold_release(p);
		if ((t = TAILQ_FIRST(&p->tasks)) == NULL)
			return;
	}
	if (sig == SIGSTOP || sig == SIGCONT) {
		(sig == SIGSTOP ? persist_pause : persist_resume)(p);
		return;
	}
	if (!t->fed || !prog_alive(p)) {
		/* Not with the program yet: it fails here and now. */
		task_remove(p, t);
		send_done(p, t, W_EXITCODE(0, SIGKILL), PT_DONE_KILLED, now);
		ptask_free(p, t);
		slot_write(p, 0, 1);
		return;
	}
	p->ch.doomed = t->seq;
	p->ch.doom_flags = PT_DONE_KILLED;
	p->ch.killed = true;
	if (sig == 0)
		child_terminate(p, now);
	else {
		wgroup_signal(p->ch.g.pid, sig);
		unpause_clock(p, now);
		slot_write(p, 0, 0);
	}
}

/* Handle RETIRE: answer what was given, close the program, then exit. */
void
persist_retire(struct persist *p)
{
	p->retiring = true;
	hold_release(p);
	close_check(p, mono_ns());
	slot_write(p, 0, 0);
}

/* The worker is going away: end the child now. */
void
persist_end(struct persist *p)
{
	struct ptask	*t = oldest_fed(p);
	int64_t		 now = mono_ns();

	p->ending = true;
	if (p->state == P_NONE) {
		requeue_all(p, now);
		return;
	}
	if (t != NULL && p->ch.doomed == 0) {
		p->ch.doomed = t->seq;
		p->ch.doom_flags = PT_DONE_KILLED;
	}
	p->ch.killed = true;
	child_terminate(p, now);
}

/* Poll entries: the program's stdin (when bytes wait), stdout, stderr. */
void
persist_pollfds(struct persist *p, struct pollfd *pfd, bool reading)
{
	struct child	*ch = &p->ch;

	pfd[0].fd = ch->inbuf.len > 0 ? ch->g.fd[0] : -1;
	pfd[0].events = POLLOUT;
	pfd[1].fd = reading && ch->hold_until == 0 ? ch->g.fd[1] : -1;
	pfd[1].events = POLLIN;
	pfd[2].fd = reading ? ch->g.fd[2] : -1;
	pfd[2].events = POLLIN;
}

/* Write what waits for the program's stdin, as far as the pipe takes it. */
void
persist_flush(struct persist *p)
{
	struct child	*ch = &p->ch;
	ssize_t		 n;
	bool		 wrote = false;

	prog_feed(p);
	while (ch->g.fd[0] != -1 && ch->inbuf.len > 0) {
		n = write(ch->g.fd[0], ch->inbuf.data, ch->inbuf.len);
		if (n > 0) {
			buf_consume(&ch->inbuf, (size_t)n);
			ch->written += (uint64_t)n;
			wrote = true;
		} else if (n == -1 && errno == EAGAIN)
			break;
		else if (n == -1 && errno == EINTR)
			continue;
		else {
			prog_broke(p, "closed its stdin", turn_mono(p));
			break;
		}
	}
	if (wrote)
		clock_check(p, turn_mono(p), false);
	turn_flush(p);
	p->turn_mono = p->turn_real = 0;	/* a wait follows */
}

/* Read the program's stdout once; then hold it back, or not. */
static void
stdout_read(struct persist *p, int64_t now)
{
	ssize_t	n = child_read(p, 1, now);

	if (n == -1 && p->state == P_RUN)
		prog_broke(p, "closed its stdout", now);
	hold_decide(p, n, now);
}

/* One of the descriptors persist_pollfds() gave is ready. */
void
persist_ready(struct persist *p, int fd, short revents)
{
	struct child	*ch = &p->ch;
	int64_t		 now = turn_mono(p);

	if (revents == 0 || fd == -1)
		return;
	if (fd == ch->g.fd[2])
		(void)child_read(p, 2, now);
	else if (fd == ch->g.fd[1])
		stdout_read(p, now);
	else if (fd == ch->g.fd[0])
		persist_flush(p);
}

/* A child was reaped; true if it was ours. */
bool
persist_reaped(struct persist *p, pid_t pid, int wstatus)
{
	if (!wgroup_reaped(&p->ch.g, pid, wstatus))
		return false;
	child_ended(p);
	return true;
}

/* The live --init or program (it owns the worker's children), or 0. */
pid_t
persist_leader(const struct persist *p)
{
	if (!wgroup_alive(&p->ch.g) || p->state == P_NONE)
		return 0;
	return p->ch.g.pid;
}

/* Act on the deadlines that have passed. */
void
persist_timers(struct persist *p, int64_t now)
{
	struct child	*ch = &p->ch;
	struct ptask	*t;

	/* Its stdout, held back, is read before a timeout is judged. */
	if (ch->hold_until != 0 && now >= timeout_at(p) && ch->g.fd[1] != -1)
		stdout_read(p, now);
	if (ch->hold_until != 0 && now >= ch->hold_until)
		hold_release(p);
	if (wgroup_alive(&ch->g) && p->state != P_NONE) {
		if (wgroup_ending(&ch->g))
			wgroup_term_check(&ch->g, now);
		else if ((p->state == P_CLOSING && now >= ch->close_deadline) ||
		    (ch->broke != NULL && now >= ch->broke_deadline))
			child_terminate(p, now);
		else if (now >= timeout_at(p)) {
			t = oldest_fed(p);
			ch->doomed = t->seq;
			ch->doom_flags = PT_DONE_TIMEOUT;
			ch->killed = true;
			child_terminate(p, now);
		}
	}
	if (prog_alive(p) && now >= p->next_tick)
		prog_tick(p, now);
	prog_maybe_start(p, now);
}

/* The next deadline, INT64_MAX for none. */
int64_t
persist_deadline(struct persist *p)
{
	struct child	*ch = &p->ch;
	int64_t		 d = WG_NEVER;

	if (wgroup_alive(&ch->g) && p->state != P_NONE) {
		if (wgroup_ending(&ch->g))
			d = wgroup_term_deadline(&ch->g);
		else if (p->state == P_CLOSING)
			d = ch->close_deadline;
		else
			d = timeout_at(p);
		if (!wgroup_ending(&ch->g) && ch->broke != NULL)
			d = wgroup_min(d, ch->broke_deadline);
	}
	if (prog_alive(p))
		d = wgroup_min(d, p->next_tick);
	if (ch->hold_until != 0)
		d = wgroup_min(d, ch->hold_until);
	if (p->state == P_NONE && p->init_done && !p->ending &&
	    !TAILQ_EMPTY(&p->tasks))
		d = wgroup_min(d, p->restart_at);
	return d;
}

/* May the worker exit now, and with what status? */
bool
persist_finished(struct persist *p, int *status)
{
	if (p->state != P_NONE)
		return false;
	if (p->init_failed) {
		*status = PERSIST_EXIT_INIT;
		return true;
	}
	*status = 0;
	return (p->retiring || p->ending) && TAILQ_EMPTY(&p->tasks);
}

/*
 * The length of the task line, argv joined by spaces (argv[0] for a shell
 * line) and "\n"; 0 if it would hold a newline.
 */
static size_t
persist_line_len(char *const *argv, bool shell)
{
	size_t	len = 0;
	int	i;

	for (i = 0; argv[i] != NULL && (i == 0 || !shell); i++) {
		if (strchr(argv[i], '\n') != NULL)
			return 0;
		len += (i > 0) + strlen(argv[i]);
	}
	return len + 1;
}

/* Write the line persist_line_len() measured into line. */
static void
persist_line_fill(char *line, char *const *argv, bool shell)
{
	size_t	n;
	int	i;

	for (i = 0; argv[i] != NULL && (i == 0 || !shell); i++) {
		if (i > 0)
			*line++ = ' ';
		n = strlen(argv[i]);
		memcpy(line, argv[i], n);
		line += n;
	}
	*line = '\n';
}

/* Does a result line start with the error marker? */
static bool
persist_is_error(const char *line, size_t len)
{
	return len >= P_MARK_LEN &&
	    memcmp(line, PERSIST_ERROR_MARK, P_MARK_LEN) == 0;
}

/*
 * Persistent mode: one long-lived program per worker (see persist.h for the
 * protocol the program sees).
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
 * termination sequence.  Nothing here blocks: stdin is written from a
 * buffer when the pipe takes it, stdout is parsed as it comes, partial
 * lines included, and every reply to the supervisor goes through the
 * worker's send queue.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "persist.h"
#include "procstat.h"
#include "util.h"

#define P_RBUF		(64 * 1024)	/* one read from a pipe */
#define P_DRAIN_MAX	(1024 * 1024)	/* read after the program ended */
#define P_HELD_MAX	(64 * 1024)	/* stderr kept while no task waits */
#define P_TAIL		(PT_TAIL_MAX - 1)
#define P_MARK_LEN	(sizeof PERSIST_ERROR_MARK - 1)
#define P_NEVER		INT64_MAX
#define P_MS		1000000LL
#define P_BACKOFF_MS	100		/* first restart delay after a crash */
#define P_BACKOFF_MAX_MS 5000
#define P_BROKEN	3		/* deaths in a row: fail tasks at once */
#define P_BROKE_MS	250		/* to exit after breaking the protocol */
#define P_TOKEN_BASE	(1ULL << 62)	/* POOLTOP_TASK of a program */

enum pstate {
	P_NONE = 0,	/* no child */
	P_INIT,		/* --init runs */
	P_RUN,		/* the program runs and takes lines */
	P_CLOSING,	/* its stdin is closed: it should exit */
};

/* A task given to this worker. */
struct ptask {
	uint64_t		 seq;
	char			*line;		/* with its newline */
	size_t			 len;
	char			*item;
	int64_t			 timeout_ns;	/* 0: none */
	bool			 fed;		/* given to the current program */
	uint64_t		 end_off;	/* stdin offset after its line */
	int64_t			 start_mono;	/* its clock; 0: not started */
	int64_t			 start_real;
	int64_t			 paused_ns;
	TAILQ_ENTRY(ptask)	 entry;
};
TAILQ_HEAD(ptasks, ptask);

/* The child: --init or the program. */
struct child {
	pid_t		 pid;		/* leader and group; 0: none */
	int		 in;		/* -1 when closed */
	int		 out;		/* stdout (init: stdout and stderr) */
	int		 err;
	struct buf	 inbuf;
	uint64_t	 fed;		/* bytes given to inbuf, in all */
	uint64_t	 written;	/* bytes written to the pipe */
	int		 nfed;		/* lines given */
	uint64_t	 answers;
	bool		 reaped;
	int		 wstatus;
	int		 term_step;	/* -1: not ending it */
	int64_t		 term_deadline;
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
	int64_t		 sample_ns;
	uint64_t	 sample_ticks;
	struct sampler	 sampler;	/* when to walk its tree next */
};

struct persist {
	struct persist_conf	 c;
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
	int64_t			 restart_at;
	uint64_t		 instances;
	struct buf		 held_err;
	char			*rbuf;
	char			 tail[P_TAIL];
	size_t			 tail_len;
	uint32_t		 cpu_permille;
	uint64_t		 rss_bytes;
	uint64_t		 cpu_ticks;
	uint32_t		 progress_done;
	uint32_t		 progress_total;
	uint64_t		 mbox_last;	/* last progress taken, packed */
	int64_t			 next_tick;
};

static void	term_start(struct persist *, int64_t);
static void	prog_start(struct persist *);
static void	child_ended(struct persist *);

/* Smaller of two deadlines. */
static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Close *fd if open and mark it closed. */
static void
fd_close(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

/* Copy src (n bytes) for the slot, control characters as spaces. */
static void
text_copy(char *dst, size_t size, const char *src, size_t n)
{
	size_t	i;

	for (i = 0; i < n && i < size - 1 && src[i] != '\0'; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
		    ' ' : src[i];
	if (i == size - 1)	/* do not leave half a UTF-8 sequence */
		while (i > 0 && ((unsigned char)dst[i] & 0xc0) == 0x80)
			i--;
	dst[i] = '\0';
}

/* Is there a program alive that takes or answers lines? */
static bool
prog_alive(const struct persist *p)
{
	return (p->state == P_RUN || p->state == P_CLOSING) && !p->ch.reaped;
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
	s->tasks_done += (uint64_t)done;
	s->tasks_failed += (uint64_t)failed;
	if (p->state == P_INIT) {
		s->task_pid = p->ch.pid;
		s->task_seq = 0;
	} else if (t != NULL) {
		s->task_pid = prog_alive(p) ? p->ch.pid : 0;
		if (s->task_seq != t->seq) {
			s->task_seq = t->seq;
			text_copy(s->label, sizeof s->label, t->line,
			    t->len - 1);
			text_copy(s->item, sizeof s->item, t->item,
			    strlen(t->item));
			s->task_start_real_ns = t->start_real != 0 ?
			    t->start_real : real_ns();
		}
	} else {
		s->task_pid = 0;
		s->task_seq = 0;
	}
	s->cpu_permille = p->cpu_permille;
	s->rss_bytes = p->rss_bytes;
	s->cpu_ticks = p->cpu_ticks;
	s->progress_done = p->progress_done;
	s->progress_total = p->progress_total;
	p->c.publish(p->c.arg);
}

/* Publish the output tail (on ticks and when things end). */
static void
slot_tail(struct persist *p)
{
	struct pt_shm_slot	*s = p->c.shm_slot;

	memcpy(s->tail, p->tail, p->tail_len);
	s->tail_len = (uint32_t)p->tail_len;
	p->c.publish(p->c.arg);
}

/* Send task seq's output on stream (1 stdout, 2 stderr). */
static void
send_out(struct persist *p, uint64_t seq, int stream, const char *b, size_t n)
{
	struct pt_out	o;

	memset(&o, 0, sizeof o);
	o.task_seq = seq;
	o.stream = (uint32_t)stream;
	p->c.send(p->c.arg, PT_MSG_OUT, &o, sizeof o, b, n);
	tail_keep(p->tail, &p->tail_len, P_TAIL, b, n);
}

/* Report the end of task t (not in the list any more). */
static void
send_done(struct persist *p, const struct ptask *t, int wstatus,
    uint32_t flags, int64_t now)
{
	struct pt_done	d;
	int64_t		paused = t->paused_ns;

	memset(&d, 0, sizeof d);
	d.task_seq = t->seq;
	d.wstatus = wstatus;
	d.flags = flags;
	d.start_real_ns = t->start_real != 0 ? t->start_real : real_ns();
	if (t->start_mono != 0) {
		if (p->paused)
			paused += now - (p->paused_at > t->start_mono ?
			    p->paused_at : t->start_mono);
		d.wall_ns = now - t->start_mono - paused;
		if (d.wall_ns < 0)
			d.wall_ns = 0;
	}
	p->c.send(p->c.arg, PT_MSG_DONE, &d, sizeof d, NULL, 0);
}

/* Free a task. */
static void
task_free(struct ptask *t)
{
	free(t->line);
	free(t->item);
	free(t);
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
			killpg(p->ch.pid, SIGCONT);
	}
}

/* Report a task that cannot be sent, with the reason on its stderr. */
static void
task_refuse(struct persist *p, uint64_t seq, int error, const char *why)
{
	struct pt_done	d;
	char		*msg;

	if (why != NULL) {
		msg = xasprintf("pooltop: %s\n", why);
		send_out(p, seq, 2, msg, strlen(msg));
		free(msg);
	}
	memset(&d, 0, sizeof d);
	d.task_seq = seq;
	d.wstatus = error;
	d.flags = PT_DONE_NOEXEC;
	d.start_real_ns = real_ns();
	p->c.send(p->c.arg, PT_MSG_DONE, &d, sizeof d, NULL, 0);
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
		task_free(t);
	}
	p->feed = NULL;
}

/* Start the clock of the oldest task once its line is written. */
static void
clock_check(struct persist *p, int64_t now)
{
	struct ptask		*t = oldest_fed(p);
	struct pt_started	 st;

	if (t == NULL || t->start_mono != 0 || t->end_off > p->ch.written)
		return;
	t->start_mono = now;
	t->start_real = real_ns();
	t->paused_ns = 0;
	p->progress_done = p->progress_total = 0;
	memset(&st, 0, sizeof st);
	st.task_seq = t->seq;
	st.pid = p->ch.pid;
	st.start_real_ns = t->start_real;
	p->c.send(p->c.arg, PT_MSG_STARTED, &st, sizeof st, NULL, 0);
}

/* Close the program's stdin: it should finish and exit. */
static void
prog_close(struct persist *p, int64_t now)
{
	fd_close(&p->ch.in);
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
	task_free(t);
	p->ch.answers++;
	p->fast_fails = 0;
	clock_check(p, now);
	slot_write(p, stream == 2 ? 0 : 1, stream == 2 ? 1 : 0);
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
		send_out(p, t->seq, s, b, n);
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

	while (n > 0) {
		nl = memchr(b, '\n', n);
		len = nl != NULL ? (size_t)(nl - b) + 1 : n;
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

/* Read once from one of the child's pipes; -1 once it is closed. */
static ssize_t
child_read(struct persist *p, int *fd, int stream, int64_t now)
{
	ssize_t	n;

	n = read(*fd, p->rbuf, P_RBUF);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		fd_close(fd);
		return -1;
	}
	if (p->state == P_INIT)
		tail_keep(p->tail, &p->tail_len, P_TAIL, p->rbuf,
		    (size_t)n);
	else if (stream == 1)
		prog_stdout(p, p->rbuf, (size_t)n, now);
	else
		prog_stderr(p, p->rbuf, (size_t)n);
	return n;
}

/* Read what is left in a pipe of an ended child, then close it. */
static void
child_drain(struct persist *p, int *fd, int stream, int64_t now)
{
	size_t	total = 0;
	ssize_t	n;

	while (*fd != -1 && total < P_DRAIN_MAX &&
	    (n = child_read(p, fd, stream, now)) > 0)
		total += (size_t)n;
	fd_close(fd);
}

/* Signal a group and wake it if stopped; errors do not matter. */
static void
group_signal(pid_t pgid, int sig)
{
	killpg(pgid, sig);
	if (sig != SIGKILL && sig != SIGCONT)
		killpg(pgid, SIGCONT);
}

/* Add the time paused so far to the running task's clock. */
static void
unpause_clock(struct persist *p, int64_t now)
{
	struct ptask	*t = oldest_fed(p);

	if (!p->paused)
		return;
	if (t != NULL && t->start_mono != 0)
		t->paused_ns += now - (p->paused_at > t->start_mono ?
		    p->paused_at : t->start_mono);
	p->paused = false;
	p->paused_at = 0;
}

/* Send the next step of the termination sequence; SIGKILL after the last. */
static void
term_next(struct persist *p, int64_t now)
{
	const struct termseq	*ts = p->c.termseq;
	struct child		*ch = &p->ch;
	int			 i = ++ch->term_step;

	if (i < ts->n) {
		group_signal(ch->pid, ts->sig[i]);
		ch->term_deadline = now + ts->wait_ms[i] * P_MS;
	} else {
		if (i == ts->n)
			killpg(ch->pid, SIGKILL);
		ch->term_deadline = P_NEVER;
	}
}

/* End the child with the termination sequence (it runs again if paused). */
static void
term_start(struct persist *p, int64_t now)
{
	struct child	*ch = &p->ch;

	if (ch->pid == 0 || ch->reaped || ch->term_step >= 0)
		return;
	unpause_clock(p, now);
	fd_close(&ch->in);
	buf_consume(&ch->inbuf, ch->inbuf.len);
	ch->term_step = -1;
	term_next(p, now);
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

	if (ch->reaped || ch->term_step >= 0 || ch->broke != NULL)
		return;
	ch->broke = what;
	ch->broke_deadline = now + P_BROKE_MS * P_MS;
	fd_close(&ch->in);
	buf_consume(&ch->inbuf, ch->inbuf.len);
}

/* A fresh child record. */
static void
child_reset(struct child *ch)
{
	buf_free(&ch->inbuf);
	memset(ch, 0, sizeof *ch);
	ch->in = ch->out = ch->err = -1;
	ch->term_step = -1;
}

/*
 * Spawn shell -c cmd with stdin from in_fd and stdout/stderr to out_fd and
 * err_fd.  0 or an errno.
 */
static int
child_spawn(struct persist *p, const char *cmd, int in_fd, int out_fd,
    int err_fd)
{
	posix_spawn_file_actions_t	 fa;
	char				*argv[4];
	int				 error;

	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)cmd;
	argv[3] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
	error = posix_spawn(&p->ch.pid, p->c.shell, &fa, p->c.attr, argv,
	    p->c.envp);
	posix_spawn_file_actions_destroy(&fa);
	if (error != 0)
		p->ch.pid = 0;
	return error;
}

/* Say why --init failed, where no dashboard is drawn. */
static void
init_report(struct persist *p, int error)
{
	char	msg[256];
	size_t	i, n;
	int	st = p->init_wstatus;

	if (error != 0)
		snprintf(msg, sizeof msg, "cannot run: %s", strerror(error));
	else if (WIFEXITED(st))
		snprintf(msg, sizeof msg, "exit %d", WEXITSTATUS(st));
	else
		snprintf(msg, sizeof msg, "signal %d", WTERMSIG(st));
	if (isatty(STDERR_FILENO) || p->c.init_quiet)
		return;		/* the slot detail shows the tail; the log, the exit */
	n = p->tail_len;
	while (n > 0 && p->tail[n - 1] == '\n')
		n--;
	for (i = n; i > 0 && p->tail[i - 1] != '\n'; i--)
		;
	dprintf(STDERR_FILENO, "pooltop: worker %d: --init failed (%s)%s%.*s\n",
	    p->c.slot + 1, msg, n > i ? ": " : "", (int)(n - i), p->tail + i);
}

/* Run --init; its stdout and stderr go to the slot's tail. */
static void
init_start(struct persist *p)
{
	int	po[2], error;

	child_reset(&p->ch);
	if (pipe2(po, O_CLOEXEC) == -1) {
		p->init_failed = true;
		init_report(p, errno);
		return;
	}
	strlcpy(p->c.env_task, "POOLTOP_TASK=0", p->c.env_task_size);
	error = child_spawn(p, p->c.init, p->c.devnull, po[1], po[1]);
	close(po[1]);
	if (error != 0) {
		close(po[0]);
		p->init_failed = true;
		init_report(p, error);
		return;
	}
	p->ch.out = po[0];
	set_nonblock(p->ch.out);
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
	p->init_wstatus = p->ch.wstatus;
	slot_tail(p);
	if (p->ending)
		return;
	if (!WIFEXITED(p->ch.wstatus) || WEXITSTATUS(p->ch.wstatus) != 0) {
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

	if (p->state != P_RUN || ch->in == -1 || ch->term_step >= 0 ||
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
	char		*why;

	if (resource_shortage(error)) {
		if (t != NULL) {
			task_remove(p, t);
			task_refuse(p, t->seq, error, NULL);
			task_free(t);
		}
		requeue_all(p, now);
		p->restart_at = now;
		return;
	}
	if (t != NULL) {
		task_remove(p, t);
		why = xasprintf("cannot start %s: %s", p->c.command,
		    strerror(error));
		task_refuse(p, t->seq, error, why);
		free(why);
		task_free(t);
		slot_write(p, 0, 1);
	}
	requeue_all(p, now);
	p->fast_fails++;
	p->restart_at = now + P_BACKOFF_MAX_MS * P_MS;
}

/* Start the program (its stdin, stdout and stderr on new pipes). */
static void
prog_start(struct persist *p)
{
	struct child	*ch = &p->ch;
	struct procstat	 ps;
	int		 pi[2] = { -1, -1 }, po[2] = { -1, -1 };
	int		 pe[2] = { -1, -1 }, error = 0;

	child_reset(ch);
	if (pipe2(pi, O_CLOEXEC) == -1 || pipe2(po, O_CLOEXEC) == -1 ||
	    pipe2(pe, O_CLOEXEC) == -1)
		error = errno;
	else {
		ch->token = P_TOKEN_BASE | (uint64_t)getpid() << 20 |
		    (++p->instances & 0xfffff);
		snprintf(p->c.env_task, p->c.env_task_size,
		    "POOLTOP_TASK=%llu", (unsigned long long)ch->token);
		error = child_spawn(p, p->c.command, pi[0], po[1], pe[1]);
	}
	fd_close(&pi[0]);		/* the child's ends */
	fd_close(&po[1]);
	fd_close(&pe[1]);
	if (error != 0) {
		fd_close(&pi[1]);
		fd_close(&po[0]);
		fd_close(&pe[0]);
		prog_start_failed(p, error, mono_ns());
		return;
	}
	ch->in = pi[1];
	ch->out = po[0];
	ch->err = pe[0];
	set_nonblock(ch->in);
	set_nonblock(ch->out);
	set_nonblock(ch->err);
	p->state = P_RUN;
	if (p->paused)
		killpg(ch->pid, SIGSTOP);
	ch->sample_ns = mono_ns();
	if (procstat_tree(ch->pid, &ps) == 0)
		ch->sample_ticks = ps.ticks;
	p->cpu_ticks = 0;
	p->next_tick = ch->sample_ns + p->c.tick_ns;
	sampler_start(&ch->sampler, ch->sample_ns, p->c.tick_ns);
	setproctitle("worker %d: persistent pid %ld", p->c.slot + 1,
	    (long)ch->pid);
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

/* The message a task gets when the program ended without answering it. */
static void
crash_message(struct persist *p, const struct ptask *t, int st)
{
	char	msg[160];

	if (p->ch.broke != NULL && p->ch.term_step >= 0)
		snprintf(msg, sizeof msg, "pooltop: persistent command (pid %ld)"
		    " %s\n", (long)p->ch.pid, p->ch.broke);
	else if (WIFSIGNALED(st))
		snprintf(msg, sizeof msg, "pooltop: persistent command (pid %ld)"
		    " killed by signal %d before answering\n", (long)p->ch.pid,
		    WTERMSIG(st));
	else
		snprintf(msg, sizeof msg, "pooltop: persistent command (pid %ld)"
		    " exited with status %d before answering\n",
		    (long)p->ch.pid, WEXITSTATUS(st));
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
	int		 st = ch->wstatus;
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
		task_free(t);
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

	child_drain(p, &ch->err, 2, now);
	child_drain(p, &ch->out, 1, now);
	fd_close(&ch->in);
	p->c.linger(p->c.arg, ch->pid);	/* before a new program starts */
	if (was == P_INIT) {
		p->state = P_NONE;
		init_ended(p);
	} else {
		prog_ended(p, now);
		p->state = P_NONE;
		p->cpu_permille = 0;
		p->rss_bytes = 0;
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
	struct procstat	 ps;
	uint32_t	 done, total;
	uint64_t	 v;

	if (sampler_due(&ch->sampler, now) &&
	    procstat_tree(ch->pid, &ps) == 0) {
		p->cpu_permille = procstat_permille(ch->sample_ticks, ps.ticks,
		    now - ch->sample_ns);
		sampler_done(&ch->sampler, ps.ticks != ch->sample_ticks, now,
		    p->c.tick_ns);
		ch->sample_ticks = ps.ticks;
		ch->sample_ns = now;
		p->rss_bytes = ps.rss_bytes;
		if (ps.ticks > p->cpu_ticks)
			p->cpu_ticks = ps.ticks;
	}
	if (shm_mbox_take(p->c.mbox, ch->token, &done, &total)) {
		/* The task's word: shown, clamped, never acted on. */
		if (total == 0 || done > total)
			done = total;
		v = (uint64_t)done << 32 | total;
		if (v != p->mbox_last) {
			p->mbox_last = v;
			p->progress_done = done;
			p->progress_total = total;
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

	if (t == NULL || t->start_mono == 0 || t->timeout_ns == 0 ||
	    p->paused || p->state != P_RUN || p->ch.term_step >= 0)
		return P_NEVER;
	return t->start_mono + t->paused_ns + t->timeout_ns;
}

/* Create the engine for one worker. */
struct persist *
persist_new(const struct persist_conf *c)
{
	struct persist	*p = xcalloc(1, sizeof *p);

	p->c = *c;
	TAILQ_INIT(&p->tasks);
	child_reset(&p->ch);
	p->rbuf = xmalloc(P_RBUF);
	return p;
}

/* Free the engine (the worker is exiting). */
void
persist_free(struct persist *p)
{
	struct ptask	*t;

	if (p == NULL)
		return;
	while ((t = TAILQ_FIRST(&p->tasks)) != NULL) {
		TAILQ_REMOVE(&p->tasks, t, entry);
		task_free(t);
	}
	fd_close(&p->ch.in);
	fd_close(&p->ch.out);
	fd_close(&p->ch.err);
	buf_free(&p->ch.inbuf);
	buf_free(&p->held_err);
	free(p->rbuf);
	free(p);
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
 * The program keeps dying before it answers anything: fail a task at once
 * rather than hold it for the restart (a broken command fails every task
 * quickly, as it would without --persistent).
 */
static bool
broken_fail(struct persist *p, uint64_t seq, int64_t now)
{
	struct ptask	 t;
	char		*msg;
	int		 st = p->last_wstatus;

	if (p->state != P_NONE || p->fast_fails < P_BROKEN ||
	    now >= p->restart_at)
		return false;
	msg = xasprintf("pooltop: persistent command ended %d times in a row"
	    " without answering (last: %s %d); next start in %lld ms\n",
	    p->fast_fails, WIFSIGNALED(st) ? "signal" : "exit status",
	    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
	    (long long)((p->restart_at - now) / P_MS));
	send_out(p, seq, 2, msg, strlen(msg));
	free(msg);
	memset(&t, 0, sizeof t);
	t.seq = seq;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		st = W_EXITCODE(1, 0);
	send_done(p, &t, st, 0, now);
	slot_write(p, 0, 1);
	return true;
}

/* Handle RUN: queue the task's line for the program. */
void
persist_run(struct persist *p, const struct pt_run *r, const char *item,
    char *const *argv)
{
	struct ptask	*t;
	const char	*why;
	size_t		 len;
	char		*line;
	bool		 first = TAILQ_EMPTY(&p->tasks);

	if (p->retiring || p->ending || !p->init_done) {
		task_refuse(p, r->task_seq, EBUSY, NULL);
		return;
	}
	line = persist_line(argv, (r->flags & PT_RUN_SHELL) != 0, &len, &why);
	if (line == NULL) {
		task_refuse(p, r->task_seq, EINVAL, why);
		slot_write(p, 0, 1);
		return;
	}
	if (broken_fail(p, r->task_seq, mono_ns())) {
		free(line);
		return;
	}
	t = xcalloc(1, sizeof *t);
	t->seq = r->task_seq;
	t->line = line;
	t->len = len;
	t->item = xstrdup(item);
	t->timeout_ns = r->timeout_ms > 0 ? r->timeout_ms * P_MS : 0;
	TAILQ_INSERT_TAIL(&p->tasks, t, entry);
	if (p->feed == NULL)
		p->feed = t;
	if (p->held_err.len > 0) {
		send_out(p, t->seq, 2, p->held_err.data, p->held_err.len);
		buf_consume(&p->held_err, p->held_err.len);
	}
	prog_maybe_start(p, mono_ns());
	prog_feed(p);
	if (first)
		slot_write(p, 0, 0);
}

/* Handle PAUSE: stop the program's group and the running task's clock. */
void
persist_pause(struct persist *p)
{
	if (p->paused || p->ch.term_step >= 0 || TAILQ_EMPTY(&p->tasks))
		return;
	p->paused = true;
	p->paused_at = mono_ns();
	if (prog_alive(p))
		killpg(p->ch.pid, SIGSTOP);
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
		killpg(p->ch.pid, SIGCONT);
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
	if (sig == SIGSTOP || sig == SIGCONT) {
		if (sig == SIGSTOP)
			persist_pause(p);
		else
			persist_resume(p);
		return;
	}
	if (!t->fed || !prog_alive(p)) {
		/* Not with the program yet: it fails here and now. */
		task_remove(p, t);
		send_done(p, t, W_EXITCODE(0, SIGKILL), PT_DONE_KILLED, now);
		task_free(t);
		slot_write(p, 0, 1);
		return;
	}
	p->ch.doomed = t->seq;
	p->ch.doom_flags = PT_DONE_KILLED;
	p->ch.killed = true;
	if (sig == 0)
		term_start(p, now);
	else {
		group_signal(p->ch.pid, sig);
		unpause_clock(p, now);
		slot_write(p, 0, 0);
	}
}

/* Handle RETIRE: answer what was given, close the program, then exit. */
void
persist_retire(struct persist *p)
{
	p->retiring = true;
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
	term_start(p, now);
}

/* Poll entries: the program's stdin (when bytes wait), stdout, stderr. */
void
persist_pollfds(struct persist *p, struct pollfd *pfd, bool reading)
{
	struct child	*ch = &p->ch;

	pfd[0].fd = ch->inbuf.len > 0 ? ch->in : -1;
	pfd[0].events = POLLOUT;
	pfd[1].fd = reading ? ch->out : -1;
	pfd[1].events = POLLIN;
	pfd[2].fd = reading ? ch->err : -1;
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
	while (ch->in != -1 && ch->inbuf.len > 0) {
		n = write(ch->in, ch->inbuf.data, ch->inbuf.len);
		if (n > 0) {
			buf_consume(&ch->inbuf, (size_t)n);
			ch->written += (uint64_t)n;
			wrote = true;
		} else if (n == -1 && errno == EAGAIN)
			break;
		else if (n == -1 && errno == EINTR)
			continue;
		else {
			prog_broke(p, "closed its stdin", mono_ns());
			break;
		}
	}
	if (wrote)
		clock_check(p, mono_ns());
}

/* Handle poll results for the entries persist_pollfds filled. */
void
persist_io(struct persist *p, const struct pollfd *pfd)
{
	struct child	*ch = &p->ch;
	int64_t		 now = mono_ns();

	/* Stderr first: what it wrote before an answer goes with that task. */
	if (pfd[2].revents != 0 && ch->err != -1)
		(void)child_read(p, &ch->err, 2, now);
	if (pfd[1].revents != 0 && ch->out != -1 &&
	    child_read(p, &ch->out, 1, now) == -1 && p->state == P_RUN)
		prog_broke(p, "closed its stdout", now);
	if (pfd[0].revents != 0)
		persist_flush(p);
}

/* A child was reaped; true if it was ours. */
bool
persist_reaped(struct persist *p, pid_t pid, int wstatus)
{
	if (p->ch.pid == 0 || pid != p->ch.pid || p->ch.reaped)
		return false;
	p->ch.reaped = true;
	p->ch.wstatus = wstatus;
	child_ended(p);
	return true;
}

/* The live --init or program (it owns the worker's children), or 0. */
pid_t
persist_leader(const struct persist *p)
{
	if (p->ch.pid == 0 || p->ch.reaped || p->state == P_NONE)
		return 0;
	return p->ch.pid;
}

/* Act on the deadlines that have passed. */
void
persist_timers(struct persist *p, int64_t now)
{
	struct child	*ch = &p->ch;
	struct ptask	*t;

	if (ch->pid != 0 && !ch->reaped && p->state != P_NONE) {
		if (ch->term_step >= 0) {
			if (now >= ch->term_deadline)
				term_next(p, now);
		} else if (p->state == P_CLOSING && now >= ch->close_deadline)
			term_start(p, now);
		else if (ch->broke != NULL && now >= ch->broke_deadline)
			term_start(p, now);
		else if (now >= timeout_at(p)) {
			t = oldest_fed(p);
			ch->doomed = t->seq;
			ch->doom_flags = PT_DONE_TIMEOUT;
			ch->killed = true;
			term_start(p, now);
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
	int64_t		 d = P_NEVER;

	if (ch->pid != 0 && !ch->reaped && p->state != P_NONE) {
		if (ch->term_step >= 0)
			d = ch->term_deadline;
		else if (p->state == P_CLOSING)
			d = ch->close_deadline;
		else
			d = timeout_at(p);
		if (ch->term_step < 0 && ch->broke != NULL)
			d = min64(d, ch->broke_deadline);
	}
	if (prog_alive(p))
		d = min64(d, p->next_tick);
	if (p->state == P_NONE && p->init_done && !p->ending &&
	    !TAILQ_EMPTY(&p->tasks))
		d = min64(d, p->restart_at);
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

/* The task line: argv joined by spaces (argv[0] for a shell line), "\n". */
char *
persist_line(char *const *argv, bool shell, size_t *len, const char **why)
{
	struct buf	 b = { 0 };
	int		 i;

	for (i = 0; argv[i] != NULL && (i == 0 || !shell); i++) {
		if (i > 0)
			buf_add(&b, " ", 1);
		buf_addstr(&b, argv[i]);
	}
	if (b.len > 0 && memchr(b.data, '\n', b.len) != NULL) {
		buf_free(&b);
		*why = "the task line holds a newline: not sent to the"
		    " persistent command";
		return NULL;
	}
	buf_add(&b, "\n", 1);
	*len = b.len;
	return b.data;
}

/* Does a result line start with the error marker? */
bool
persist_is_error(const char *line, size_t len)
{
	return len >= P_MARK_LEN &&
	    memcmp(line, PERSIST_ERROR_MARK, P_MARK_LEN) == 0;
}

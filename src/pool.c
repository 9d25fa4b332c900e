/*
 * The supervisor.
 *
 * One process and one loop (loop.c), shared with the front ends.  Each
 * turn: hand ready tasks to idle workers, publish the pool header, sleep
 * in the loop until a signal, a worker message, input, a front-end fd, a
 * timer or a retry's deadline needs us, then handle exactly that.  Workers
 * are forked once and fed one task at a time over a socketpair (proto.h);
 * they report STARTED, OUT and DONE.
 *
 * Tasks come lazily from the source: one is pulled only when a worker is
 * free, so memory does not grow with the input.  A failed attempt is retried
 * (--retries) after a growing delay; a task ended by a stop or by shrinking
 * with --kill is not recorded in the joblog, so --resume runs it again.
 *
 * Ending: DRAINING starts nothing new and waits; STOPPING also ends running
 * tasks with the termination sequence.  The pool is done when nothing runs
 * and nothing more will start; then workers are retired, reaped, and the
 * segment and socket removed.
 *
 * Reporting: every message about the running pool is an event (see pool.h
 * for where each kind is said); nothing here writes to stderr itself.
 */
#include "config.h"

#include <sys/param.h>
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "ctl.h"
#include "cgroup.h"
#include "pool-admit.h"
#include "pool-joblog.h"
#include "keeper.h"
#include "log.h"
#include "loop.h"
#include "pool-hosts.h"
#include "pool-xfer.h"
#include "workdir.h"
#include "pool-output.h"
#include "pool-hook.h"
#include "worker-persist.h"
#include "pool-evsample.h"
#include "pool-failures.h"
#include "pool.h"
#include "procstat.h"
#include "proto.h"
#include "median.h"
#include "pool-auto.h"
#include "pool-model.h"
#include "pool-history.h"
#include "pool-input.h"
#include "pool-source.h"
#include "pool-block.h"
#include "pool-robin.h"
#include "template.h"
#include "worker.h"

#define RETRY_DELAY_MS		100	/* first retry delay,
					   doubled each time */
#define RETRY_DELAY_MAX_MS	5000
#define RESPAWN_DELAY_MS	200	/* after a worker died young */
#define PUBLISH_CHECK_MS	200	/* segment size checked this often */
#define FD_SLACK		3	/* fds open for a moment: a new worker's
					   socketpair, a --results directory
					   and item file, a refused client */
#define FD_CLIENT_SHARE		4	/* of the fds left, 1 in this many
					   serves control clients */
#define SPAWN_FAIL_MAX		25	/* no worker starts: give up */
#define INIT_ROUNDS_MAX		5	/* --init fails, none runs: give up */
#define INIT_REPORTS_MAX	10	/* --init failures said one by one */
#define FAULT_TRIES_MAX		10	/* a task that cannot start on one
					   worker: then the pool stops */
#define AUTO_BUDGET_NS		10000000LL /* --chunksize auto: work queued */
#define AUTO_WINDOW_MAX		2048	/* ... and lines in flight, at most */
#define W_READ			65536	/* one read from a worker */
#define TASK_SPARE_MAX		4096	/* task records kept for reuse */
#define AUTO_WINDOW_RESULTS	8	/* ... with --results (2 fds a line) */
#define LOST_MAX		3	/* a task's host lost: run elsewhere */
#define OOM_READ_MS		1000	/* OOM kill count read this often */
#define SLF_CHECK_MS		2000	/* --sshloginfile looked
					   at this often */
#define SILENCE_CHECK_MS	1000	/* remote workers heard from? */
#define SILENCE_LATE_NS		(3 * 1000000000LL) /* ... the check this
					   late: we were held up */
#define STRAGGLER_MS		500	/* running tasks checked this often */
#define AUTO_MS			1000	/* -j auto decides this often */

/*
 * Most used first (a persistent pool makes and frees one a microsecond);
 * the flags last, together (no padding after each).
 */
struct task {
	uint64_t		 seq;
	char			*arg;
	TAILQ_ENTRY(task)	 entry;
	char			**args;		/* per input source, or NULL */
	size_t			 nargs;
	char			*command;	/* whole command, or NULL */
	char			*label;
	char			*cmdline;	/* raw, for the joblog */
	int64_t			 not_before;	/* mono ns, for retries */
	uint64_t		 received;	/* stdout bytes, this attempt */
	uint64_t		 oom_at;	/* OOM kills seen
						   when it started */
	int64_t			 timeout_ms;	/* this attempt's, 0: none */
	char			*block;		/* --pipe: its stdin's file */
	uint64_t		 block_off;	/* where its range starts */
	uint64_t		 block_len;	/* its size: the
						   joblog's Send */
	char			*fifo;		/* --fifo: {},
						   removed with it */
	struct fail_tail	*errtail;	/* this attempt's stderr, once
						   it wrote there */
	struct fail_key		*fkey;		/* failed for good: its group */
	struct task		*twin;		/* --speculate: the other copy,
						   while both run */
	int			 attempts;	/* started so far */
	int			 attempts_base;	/* ... before a `retry` */
	int			 faults;	/* put back: no resources */
	int			 stuck;		/* ... with one worker left */
	int			 lost;		/* its host lost while it ran */
	bool			 arg_arena;	/* arg is p->arena's */
	bool			 named;		/* arg is its name: show that */
	bool			 requeue;	/* ended by us: run again */
	bool			 no_record;	/* ended by a stop: no joblog */
	bool			 block_keep;	/* the input (--pipe-part) */
	bool			 copy;		/* the second copy
						   of its task */
	bool			 loser;		/* the other copy won, or the
						   pool shrank: being ended */
	bool			 copied;	/* this attempt had its copy */
};
TAILQ_HEAD(tasklist, task);

enum wstate { W_FREE = 0, W_STARTING, W_IDLE, W_BUSY };

struct wk {
	enum wstate	 state;
	pid_t		 pid;
	int		 fd;
	struct buf	 in;
	struct buf	 out;
	struct proto_batch lines;	/* the LINES being filled in out */
	struct pt_lines	 lines_head;	/* ... and its flags, timeout */
	struct tasklist	 tasks;		/* in flight, oldest first */
	int		 ntasks;
	bool		 retire;	/* exit after the current task */
	bool		 paused;	/* its task paused by an operator */
	bool		 tstp;		/* its task paused by our SIGTSTP */
	bool		 msusp;		/* ... by --memsuspend */
	bool		 mkill;		/* ... being ended by --memfree */
	int64_t		 started_ns;
	int64_t		 hold_until;	/* mono ns: a task could not start */
	int		 window;	/* tasks it may hold at once */
	int64_t		 avg_ns;	/* --chunksize auto: time per task;
					   -1 before the first answer */
	int		 stops;		/* times found stopped and continued */
	pid_t		 task_pgid;	/* from STARTED; never the segment's */
	int64_t		 task_start_real;
	uint64_t	 task_peak_rss;	/* its task's, as sampled */
	bool		 straggler;	/* its task runs long (pool-model.h) */
	uint64_t	 spec_done;	/* --speculate runs it ended that */
	uint64_t	 spec_failed;	/* its slot must not count */
	uint32_t	 generation;	/* workers the slot has had */
	char		 why[PT_EVENT_TEXT]; /* WHY: the reason it exits */
	struct pt_shm_slot *slot;	/* what its slot shows: ours alone
					   writes the segment's */
	int		 host;		/* HOST_LOCAL, or the hosts' index */
	bool		 hello;		/* a remote one said HELLO */
	bool		 answer;	/* it spoke this turn:
					   answer_workers() */
	int64_t		 heard;		/* mono ns: a remote one last wrote */
	bool		 silent;	/* ... so long ago it
					   is taken as lost */
	int		 errfd;		/* a remote one's ssh stderr; -1 */
	int		 errwatch;	/* its watch in the loop; -1 */
	char		 errline[PT_EVENT_TEXT]; /* the last line there */
	int		 watch;		/* its socket's, in the loop; -1 */
	struct pool	*pool;
};

struct exit_hook {
	pool_cb		 cb;
	void		*arg;
};

struct event_hook {
	pool_event_cb	 cb;
	void		*arg;
};

struct pool {
	const struct opts	*o;
	struct source		*src;
	struct template		*tpl;
	struct template		*tagtpl;	/* --tagstring, or NULL */
	struct median		 runtimes;	/* of the tasks that succeed,
						   with --timeout N% */
	struct model		 model;		/* the finished tasks */
	struct pool_history	 hist;		/* the segment's history */
	struct autosize		 autosize;	/* -j auto */
	uint64_t		 strag_n;	/* model.n the median is of */
	int64_t			 strag_median;	/* its median runtime, ns */
	struct pt_shm		 shm;
	int64_t			 repair_ns;	/* last segment check */
	struct loop		*loop;
	int			 src_watch;	/* the source's, in the loop */
	struct hosts		*hosts;		/* -S; NULL: this
						   machine only */
	bool			 hosts_auto;	/* target follows the hosts' */
	int64_t			 hosts_next;	/* hosts_tick()
						   wanted, mono ns */
	bool			*host_said;	/* down, said */
	int			 nhost_said;	/* hosts join (--slf) */
	bool			 slot_said;	/* a slot not shown, said */
	struct xfer		*xfer;		/* remote files; NULL: none */
	struct workdir		*wd;		/* --workdir here; NULL: none */
	int			 deadline;	/* retries, respawns: a timer */
	int64_t			 silence_at;	/* silence_tick()
						   ran, mono ns */

	struct wk		 w[PT_MAX_WORKERS];
	int			 nw;		/* slots ever used: w[0..nw) */
	int			 nw_ready;	/* w[0..nw_ready) set up:
						   wk_ready() */
	int			 target;
	int			 inflight;	/* tasks per worker at once */
	bool			 auto_window;	/* --chunksize auto */
	int			 window_max;	/* ... up to this many */
	int			 live;		/* forked and not reaped */
	int			 max_live;

	struct tasklist		 ready;		/* retries and requeues */
	struct tasklist		 failed_list;	/* failed for good,
						   for `retry` */
	struct tasklist		 added;		/* by pool_add(),
						   not numbered */
	struct tasklist		 spare;		/* freed records: task_new() */
	struct arena		 arena;		/* items' strings
						   (persistent) */
	size_t			 nspare;
	size_t			 nadded, added_bytes;
	uint64_t		 last_seq;	/* highest number
						   given so far */
	bool			 closed;	/* pool_close(): no more adds */
	bool			 idle_said;	/* --keep-open: said it waits */
	bool			 src_done;
	bool			 src_wait;	/* source needs its fd polled */
	struct robin		*robin;		/* --round-robin's feeders */
	struct item		 rr_item;	/* ... the block to deal next */
	bool			 rr_have;
	uint64_t		 rr_seq;	/* ... tasks made so far */
	uint64_t		 total;
	bool			 total_known;

	enum pt_pool_state	 state;
	bool			 paused;
	int			 stop_sig;	/* signal that
						   stopped us, or 0 */
	int			 halt_status;	/* -1: none */
	bool			 halt_fired;
	uint64_t		 done, failed, retried, skipped, running;
	int			 extra;		/* copies running besides their
						   task (--speculate) */
	uint64_t		 spec_started, spec_won;
	int64_t			 task_ns;
	int64_t			 start_ns;
	int64_t			 end_ns;	/* the run's end,
						   before hooks */
	int64_t			 respawn_after;
	int			 fd_cap;	/* cap from RLIMIT_NOFILE */
	int			 client_fds;	/* control clients at once */
	struct pt_shm_event	 last_word;	/* the error that stopped
						   the dashboard's pool */
	int			 spawn_fails;	/* in a row, with no worker */
	int			 init_rounds;	/* --init failed, none since */
	int			 init_fails;	/* --init failures in all */
	int64_t			 init_round_end;
	int64_t			 fault_at;	/* last lowered by a task */
	bool			 limit_warned;
	bool			 out_failed;	/* output error reported */

	bool			 log_stderr;	/* a hook logs to stderr */
	bool			 log_broken;	/* a write to the log failed */
	struct joblog		*joblog;
	struct joblog_past	*past;
	struct output		*out;
	struct hooks		*hooks;		/* --on-task-end, --on-end */
	bool			 fatal;

	uint64_t		*retry_seqs;	/* --retry-failed */
	char			**retry_cmds;
	size_t			 retry_n, retry_i;
	uint64_t		 retry_last;

	struct exit_hook	*exits;
	size_t			 nexits;
	struct event_hook	*events;
	size_t			 nevents;
	uint64_t		 rate_done;
	int64_t			 rate_ns;
	double			 rate;

	struct admit		*admit;		/* may a task start now? */
	int64_t			 admit_at;	/* --delay: next start, mono */
	int			 nsusp;		/* tasks --memsuspend stopped */
	char			 admit_said[PT_ADMIT_WHY]; /* last hold said */
	bool			 rr_mem_said;	/* under half said, no kill */
	uint64_t		 oom_seen;	/* OOM kills, read
						   each second */
	uint64_t		 oom_killed;	/* tasks found OOM-killed */
	struct tcg		*tcg;		/* --task-memory, --task-cpus */
	struct evsample		 evs;		/* persistent items' events */
	int64_t			 now;		/* mono, read once a turn */
	struct buf		 scratch;	/* a RUN's strings */
};

static void	pool_dispatch(struct pool *);
static struct task *next_fresh(struct pool *);
static uint32_t	pool_input(struct pool *);
static void	host_is_down(struct pool *, int);
static void	worker_ready(int, short, void *);
static void	send_msg(struct pool *, int, uint32_t, const void *, size_t);
static void	task_free(struct task *);
static void	task_unpin(struct task *);
static struct task *task_new(struct pool *);
static void	task_recycle(struct pool *, struct task *);
static void	task_ended(struct pool *, int, const struct pt_done *);
static void	count_received(struct task *, int, const char *, size_t);
static void	admit_show(struct pool *, struct pt_shm_header *);
static bool	runs_copy(const struct wk *);
static void	spec_cancel(struct pool *, int, const char *);
static int	task_slot(struct pool *, const struct task *);
static int	spec_idle(struct pool *);
static int	spec_candidate(struct pool *);

static const int handled_signals[] = {
	SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
	SIGTSTP, SIGCONT, SIGWINCH, SIGTTIN, SIGTTOU
};

/* Does slot i have a worker (starting, idle or busy)? */
bool
pool_slot_live(struct pool *p, int i)
{
	return i >= 0 && i < p->nw && p->w[i].state != W_FREE;
}

/* Return the segment, for front ends. */
struct pt_shm *
pool_shm(struct pool *p)
{
	return &p->shm;
}

/* Return the current target worker count. */
int
pool_target(struct pool *p)
{
	return p->target;
}

/* Is the pool (slot -1) or slot's task paused by an operator? */
bool
pool_paused(struct pool *p, int slot)
{
	if (slot < 0)
		return p->paused;
	return slot < p->nw && p->w[slot].paused;
}

/* Return how many control clients may hold a descriptor at once. */
int
pool_client_fds(struct pool *p)
{
	return p->client_fds;
}

/* Create a pool for the options and task source (not yet running). */
struct pool *
pool_new(const struct opts *o, struct source *src, struct loop *loop)
{
	struct pool	*p = xcalloc(1, sizeof *p);

	model_init(&p->model, MODEL_KEEP);
	p->autosize.on = o->workers_auto;
	p->autosize.min = o->workers_min > 0 ? o->workers_min : 1;
	p->autosize.max = o->workers_max > 0 ? o->workers_max :
	    (4 * ncpu_online() > PT_MAX_WORKERS ? PT_MAX_WORKERS :
	    4 * ncpu_online());
	p->o = o;
	p->src = src;
	/* A persistent pool takes and frees an item a microsecond. */
	if (o->persistent != NULL && src != NULL)
		(void)source_fd_arena(src, &p->arena);
	p->loop = loop;
	p->src_watch = p->deadline = -1;
	p->target = o->workers;
	if (o->round_robin)
		p->robin = robin_new(loop);
	p->inflight = o->persistent != NULL && o->chunksize > 1 ?
	    o->chunksize : 1;
	p->auto_window = o->persistent != NULL &&
	    o->chunksize == PT_CHUNKSIZE_AUTO;
	p->window_max = o->results != NULL ? AUTO_WINDOW_RESULTS :
	    AUTO_WINDOW_MAX;
	p->client_fds = CTL_MAX_CLIENTS;
	p->halt_status = -1;
	evsample_init(&p->evs);
	TAILQ_INIT(&p->ready);
	TAILQ_INIT(&p->spare);
	TAILQ_INIT(&p->failed_list);
	TAILQ_INIT(&p->added);
	p->shm.fd = -1;
	return p;
}

/*
 * Set up the slots up to i the first time one is used.  w[] is left as
 * calloc() gave it until then: the kernel's zero pages, not written before
 * every fork of the supervisor (1024 slots of ~600 bytes each, 150 pages to
 * fault in and copy-on-write for a pool that uses two).  A slot not yet set
 * up reads as free (W_FREE is 0) and is never touched otherwise.
 */
static struct wk *
wk_ready(struct pool *p, int i)
{
	for (; p->nw_ready <= i; p->nw_ready++) {
		struct wk *w = &p->w[p->nw_ready];

		w->fd = w->watch = -1;
		w->errfd = w->errwatch = -1;
		w->host = HOST_LOCAL;
		w->pool = p;
	}
	return &p->w[i];
}

/* How far an event is said. */
enum say {
	SAY_LOG,	/* the segment's ring and the event log */
	SAY_WARN,	/* and on stderr, headless, where the log is not */
	SAY_FATAL,	/* a warning that stops the pool (exit 255) */
};

/* Is the event log on stderr (so that a warning is said there once)? */
static bool
log_on_stderr(struct pool *p)
{
	return p->log_stderr && !p->log_broken;
}

/*
 * Say a warning to the user once: headless, on stderr unless the event log
 * already is there; with the dashboard, which shows events, only the error
 * that stopped the pool, once the dashboard has closed (pool_run()).
 */
static void
pool_say(struct pool *p, const struct pt_shm_event *ev, enum say say)
{
	if (p->o->headless) {
		if (!log_on_stderr(p))
			(void)log_say(p->o->log_format, ev, ev->text);
	} else if (say == SAY_FATAL && p->last_word.type == PT_EV_NONE)
		p->last_word = *ev;
}

/* Record an event: segment ring, front ends, and stderr as say says. */
static void
pool_vreport(struct pool *p, enum say say, enum pt_event_type type, int slot,
    uint64_t task_seq, int status, const char *fmt, va_list ap)
{
	struct pt_shm_event	ev;
	size_t			i;

	/* Built once, on the stack: two of these run per task. */
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.real_ns = real_ns();
	ev.slot = slot;
	ev.status = status;
	ev.task_seq = task_seq;
	vsnprintf(ev.text, sizeof ev.text, fmt, ap);
	if (say == SAY_FATAL)
		p->fatal = true;
	shm_add_event(&p->shm, type, slot, task_seq, status, "%s", ev.text);
	for (i = 0; i < p->nevents; i++)
		p->events[i].cb(&ev, p->events[i].arg);
	if (say != SAY_LOG)
		pool_say(p, &ev, say);
}

/* Record an event: segment ring, front ends (the event log). */
static void __attribute__((format(printf, 6, 7)))
pool_event(struct pool *p, enum pt_event_type type, int slot,
    uint64_t task_seq, int status, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	pool_vreport(p, SAY_LOG, type, slot, task_seq, status, fmt, ap);
	va_end(ap);
}

/* Report an error the user must see (SAY_WARN) or that stops the pool. */
static void __attribute__((format(printf, 6, 7)))
pool_alert(struct pool *p, enum say say, int slot, uint64_t task_seq,
    int status, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	pool_vreport(p, say, PT_EV_ERROR, slot, task_seq, status, fmt, ap);
	va_end(ap);
}

/* A control refused: why (when the caller wants to know) says why; -1. */
static int __attribute__((format(printf, 2, 3)))
refuse(struct buf *why, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	if (why == NULL)
		return -1;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_addstr(why, s);
	free(s);
	return -1;
}

/* Call cb with every event recorded from now on (pool.h). */
void
pool_on_event(struct pool *p, pool_event_cb cb, void *arg, bool on_stderr)
{
	p->events = xreallocarray(p->events, p->nevents + 1,
	    sizeof *p->events);
	p->events[p->nevents++] = (struct event_hook){ cb, arg };
	if (on_stderr)
		p->log_stderr = true;
}

/* The event log could not be written (disk full): stop, say so (pool.h). */
void
pool_log_failed(struct pool *p, int error)
{
	if (p->log_broken)
		return;
	p->log_broken = true;
	pool_alert(p, SAY_FATAL, -1, 0, error, "writing the log %s: %s",
	    p->o->log_file ? p->o->log_file : "(stderr)", strerror(error));
}

/* A front end's warning about the pool (pool.h). */
void
pool_warn(struct pool *p, enum pt_event_type type, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	pool_vreport(p, SAY_WARN, type, -1, 0, 0, fmt, ap);
	va_end(ap);
}

/* Write slot i to the segment from our copy. */
static void
slot_publish(struct pool *p, int i)
{
	struct wk	*w = &p->w[i];

	if (w->slot != NULL &&
	    shm_write_slot(&p->shm, (uint32_t)i, w->slot) == -1 &&
	    !p->slot_said) {
		p->slot_said = true;
		pool_warn(p, PT_EV_ERROR, "worker slot %d and later not shown "
		    "to readers: shared memory %s: %s", i + 1, p->shm.name,
		    strerror(errno));
	}
}

/* Write every slot ever used again (the segment was restored). */
static void
slots_publish(struct pool *p)
{
	int	i;

	for (i = 0; i < p->nw; i++)
		slot_publish(p, i);
}

/*
 * Slot i passes to a new worker (state STARTING) or from the one it had
 * (EXITED): what its worker said last stays shown but the task.
 */
static void
slot_lifecycle(struct pool *p, int i, uint32_t state)
{
	struct wk		*w = &p->w[i];
	struct pt_shm_slot	*s;

	if (w->slot == NULL)
		w->slot = xcalloc(1, sizeof *w->slot);
	s = w->slot;
	s->state = state;
	s->generation = w->generation;
	strlcpy(s->host, p->hosts != NULL ? hosts_name(p->hosts, w->host) : "",
	    sizeof s->host);
	s->task_pid = 0;
	s->task_seq = 0;
	s->flags &= ~(PT_SLOT_STRAGGLER | PT_SLOT_COPY);
	w->straggler = false;
	s->cpu_permille = 0;
	s->rss_bytes = 0;
	if (state == PT_SLOT_STARTING) {
		s->worker_pid = 0;
		s->tasks_done = s->tasks_failed = s->cpu_ticks = 0;
		s->tail_len = 0;
		s->tail[0] = s->label[0] = s->item[0] = '\0';
		s->flags = 0;
		w->spec_done = w->spec_failed = 0;
		s->progress_done = s->progress_total = 0;
		s->task_start_real_ns = 0;
	}
	slot_publish(p, i);
}

/* What only we know of slot i's task: a straggler, a copy (--speculate). */
static void
slot_marks(struct pool *p, int i)
{
	struct wk	*w = &p->w[i];
	struct task	*t = TAILQ_FIRST(&w->tasks);
	uint32_t	 f;

	if (w->slot == NULL)
		return;
	f = w->slot->flags & ~(PT_SLOT_STRAGGLER | PT_SLOT_COPY);
	if (w->straggler)
		f |= PT_SLOT_STRAGGLER;
	if (t != NULL && t->copy && !t->loser)
		f |= PT_SLOT_COPY;
	w->slot->flags = f;
}

/*
 * A copy that lost or was dropped was never a task of its own: take it
 * out of what the worker counted (each SLOT carries its running totals).
 */
static void
slot_uncount(struct wk *w)
{
	struct pt_shm_slot	*s = w->slot;

	s->tasks_done -= s->tasks_done > w->spec_done ? w->spec_done :
	    s->tasks_done;
	s->tasks_failed -= s->tasks_failed > w->spec_failed ? w->spec_failed :
	    s->tasks_failed;
}

/* A worker's SLOT: what its slot shows, with what only we know. */
static void
slot_message(struct pool *p, int i, const char *pl, size_t len)
{
	struct wk	*w = &p->w[i];

	if (w->slot == NULL || w->state == W_FREE ||
	    !proto_get_slot(pl, len, w->slot))
		return;
	if (w->slot->state == PT_SLOT_EMPTY ||
	    w->slot->state == PT_SLOT_EXITED)
		w->slot->state = PT_SLOT_IDLE;	/* we say when it left */
	w->slot->generation = w->generation;
	w->slot->worker_pid = w->pid;
	slot_marks(p, i);
	slot_uncount(w);
	if (w->slot->rss_bytes > w->task_peak_rss)
		w->task_peak_rss = w->slot->rss_bytes;
	slot_publish(p, i);
}

/*
 * Publish the pool header from our own state.  Every few ticks, check that
 * no one truncated the segment (shm_repair()), and publish the slots
 * again if someone did.
 */
static void
publish(struct pool *p)
{
	struct pt_shm_header	*h = &p->shm.pub;
	uint64_t		 queued;
	/* The loop's turn's clock; after the loop, the clock's. */
	int64_t			 now = p->state == PT_POOL_DONE ? mono_ns() :
				    p->now;
	int			 used = p->nw;
	bool			 repaired = false;

	if (p->shm.hdr == NULL)
		return;
	if (now - p->repair_ns >= PUBLISH_CHECK_MS * 1000000LL) {
		p->repair_ns = now;
		if (shm_repair(&p->shm) == 1) {
			repaired = true;
			slots_publish(p);
			pool_event(p, PT_EV_ERROR, -1, 0, 0, "the segment %s "
			    "was truncated by another process: restored",
			    p->shm.name);
		}
	}
	queued = 0;
	if (p->total_known) {
		uint64_t gone = p->done + p->failed + p->skipped + p->running;

		queued = p->total > gone ? p->total - gone : 0;
	} else {
		struct task *t;

		TAILQ_FOREACH(t, &p->ready, entry)
			queued++;
		queued += p->nadded;
	}
	h->state = p->state;
	h->paused = p->paused;
	h->input = pool_input(p);
	h->target_workers = (uint32_t)p->target;
	h->live_workers = (uint32_t)p->live;
	h->queued = queued;
	h->running = p->running;
	h->done = p->done;
	h->failed = p->failed;
	h->retried = p->retried;
	h->total = p->total_known ? p->total - p->skipped : 0;
	h->total_known = p->total_known;
	h->slots_used = (uint32_t)used;
	h->update_real_ns = real_ns();
	admit_show(p, h);
	shm_publish_header(&p->shm);
	/*
	 * The history goes out on its own tick (a record of 8 KiB, not on
	 * every task's end); here only when the pool ends or the segment
	 * was restored.
	 */
	if (p->state == PT_POOL_DONE) {
		history_flush(&p->hist, h->update_real_ns);
		history_publish(&p->hist, &p->shm, repaired);
	} else if (repaired)
		history_publish(&p->hist, &p->shm, true);
}

/* Count live workers (of host, or any with HOST_ANY) not retiring. */
static int
active_workers(struct pool *p, int host)
{
	int	i, n = 0;

	for (i = 0; i < p->nw; i++)
		if (p->w[i].state != W_FREE && !p->w[i].retire &&
		    (host == HOST_ANY || p->w[i].host == host))
			n++;
	return n;
}

/*
 * Retire workers (of host, or any with HOST_ANY) until n are left: idle or
 * starting ones first, then busy ones, newest slots first; with kill, a
 * busy one's tasks are ended and run again later.
 */
static void
retire_surplus(struct pool *p, int host, int n, bool kill)
{
	struct pt_kill	 k = { 0 };
	struct task	*t;
	struct wk	*w;
	int		 i, pass, active = active_workers(p, host);

	/* Pass 1: a copy (--speculate) goes before a task of its own. */
	for (pass = 0; pass < 3 && active > n; pass++) {
		for (i = p->nw - 1; i >= 0 && active > n; i--) {
			w = &p->w[i];
			if (w->retire || w->state == W_FREE ||
			    (host != HOST_ANY && w->host != host))
				continue;
			if (pass == 0 && w->state == W_BUSY)
				continue;
			if (pass == 1 && !runs_copy(w))
				continue;
			w->retire = true;
			active--;
			if (runs_copy(w))
				spec_cancel(p, i, "the pool shrinks");
			else if (w->state == W_BUSY && kill) {
				TAILQ_FOREACH(t, &w->tasks, entry)
					t->requeue = true;
				send_msg(p, i, PT_MSG_KILL, &k, sizeof k);
			}
			if (w->state != W_STARTING)
				send_msg(p, i, PT_MSG_RETIRE, NULL, 0);
		}
	}
}

/* Write what is pending for worker i, as much as goes without waiting. */
static void
send_pending(struct pool *p, int i)
{
	struct wk	*w = &p->w[i];
	ssize_t		 r;

	if (w->fd == -1 || w->out.len == 0)
		return;
	r = write(w->fd, w->out.data, w->out.len);
	if (r > 0) {
		buf_consume(&w->out, (size_t)r);
		proto_batch_close(&w->lines);
		w->answer = false;	/* it is answered */
	}
}

/* Queue a message for worker i and try to write it. */
static void
send_msg(struct pool *p, int i, uint32_t type, const void *m, size_t n)
{
	struct wk	*w = &p->w[i];

	if (w->fd == -1)
		return;
	if (w->host != HOST_LOCAL && !w->hello) {
		/* Not connected: its first message must be CONF. */
		if (type == PT_MSG_RETIRE || type == PT_MSG_KILL)
			kill(w->pid, SIGTERM);
		return;
	}
	proto_put(&p->w[i].out, type, m, n, NULL, 0);
	send_pending(p, i);
}

/* Write what is pending for worker i, blocking briefly if needed. */
static void
flush_worker(struct pool *p, int i)
{
	struct wk	*w = &p->w[i];
	struct pollfd	 pfd;
	ssize_t		 r;
	int		 tries = 0;

	while (w->fd != -1 && w->out.len > 0 && tries++ < 100) {
		r = write(w->fd, w->out.data, w->out.len);
		if (r > 0) {
			buf_consume(&w->out, (size_t)r);
			proto_batch_close(&w->lines);
			continue;
		}
		if (r == -1 && errno != EAGAIN && errno != EINTR)
			return;
		pfd.fd = w->fd;
		pfd.events = POLLOUT;
		poll(&pfd, 1, 10);
	}
}

/* Say what the source has to say about its last item: a warning. */
static void
source_warn(struct pool *p)
{
	char	*w;

	if ((w = source_take_warning(p->src)) == NULL)
		return;
	pool_warn(p, PT_EV_INFO, "%s", w);
	free(w);
}

/*
 * Take the first added item, numbered after the last task and after a
 * past joblog's: numbers skipped past never print (--keep-order).
 */
static struct task *
next_added(struct pool *p)
{
	struct task	*t;
	uint64_t	 past;

	past = p->past != NULL ? joblog_past_max_seq(p->past) : 0;

	if (p->fatal || (t = TAILQ_FIRST(&p->added)) == NULL)
		return NULL;
	TAILQ_REMOVE(&p->added, t, entry);
	p->nadded--;
	p->added_bytes -= strlen(t->arg);
	while (p->last_seq < past)
		if (p->out != NULL)
			output_skip(p->out, ++p->last_seq);
		else
			p->last_seq = past;
	t->seq = ++p->last_seq;
	p->idle_said = false;
	return t;
}

/*
 * --fifo: {} names a named pipe beside the block's file, made now (0600,
 * in the blocks' private directory) and removed with the task; the task's
 * shell copies its stdin (the block) there (fifo_wrap()).  Not made: {}
 * names a path that is not there, and the task's reading says so.
 */
static void
task_fifo(struct pool *p, struct task *t)
{
	t->fifo = xasprintf("%s.fifo", t->block);
	if (mkfifo(t->fifo, 0600) == -1)
		pool_alert(p, SAY_WARN, -1, t->seq, 0, "--fifo: %s: %s",
		    t->fifo, strerror(errno));
	free(t->arg);
	t->arg = xstrdup(t->fifo);
}

/*
 * --fifo: the command e runs after a background cat has started moving
 * the task's stdin (the block) into the fifo, as GNU parallel's wrapper
 * does; the command's own stdin is /dev/null.  A command that never opens
 * the fifo leaves the cat waiting: it is ended with the task's group.
 */
static void
fifo_wrap(const struct task *t, struct expanded *e)
{
	char	*cmd = expanded_cmdline(e), *q = shell_quote(t->fifo);
	int	 k;

	for (k = 0; k < e->argc; k++)
		free(e->argv[k]);
	free(e->argv);
	e->argv = xcalloc(2, sizeof *e->argv);
	e->argv[0] = xasprintf("exec 3<&0 </dev/null; cat <&3 >%s 3<&- &"
	    " exec 3<&-\n%s", q, cmd);
	e->argc = 1;
	e->shell = true;
	free(cmd);
	free(q);
}

static bool	admit_ok(struct pool *, int64_t);

/*
 * --round-robin: the next block in p->rr_item, unless one waits there
 * already; false when there is none now (or any more).
 */
static bool
rr_pull(struct pool *p)
{
	int	r;

	if (p->rr_have || p->src_done)
		return p->rr_have;
	memset(&p->rr_item, 0, sizeof p->rr_item);
	r = source_next(p->src, &p->rr_item);
	source_warn(p);
	if (r == 0)
		p->src_wait = true;
	else if (r == -1) {
		p->src_done = true;
		if (source_error(p->src) != NULL)
			pool_alert(p, SAY_FATAL, -1, 0, 0, "%s",
			    source_error(p->src));
		robin_end(p->robin);
	} else
		p->rr_have = true;
	return p->rr_have;
}

/* --round-robin: the waiting block is dealt; forget it (its file too). */
static void
rr_taken(struct pool *p)
{
	p->rr_item.block = NULL;	/* the feeder's now */
	item_clear(&p->rr_item);
	p->rr_have = false;
}

/*
 * Will a worker soon start another round-robin task: one idle or starting
 * (and not retiring), or fewer workers than the pool's size (more come)?
 */
static bool
rr_worker_coming(const struct pool *p)
{
	const struct wk	*w;
	int		 i, live = 0;

	for (i = 0; i < p->nw; i++) {
		w = &p->w[i];
		if (w->retire || w->state == W_FREE)
			continue;
		live++;
		if (w->state != W_BUSY && w->ntasks == 0)
			return true;
	}
	return live < p->target;
}

/*
 * --round-robin, each turn: a shrinking pool closes the input of the tasks
 * of retiring workers (they end when they have read it); blocks go to
 * the free feeders, unless a task more may start for them, as GNU
 * parallel starts one a job slot before it deals blocks among them.
 */
static void
rr_pump(struct pool *p)
{
	struct task	*t;
	int		 i;

	for (i = 0; i < p->nw; i++)
		if (p->w[i].retire)
			TAILQ_FOREACH(t, &p->w[i].tasks, entry)
				robin_close(p->robin, t->seq);
	while (rr_pull(p)) {
		/* Not when only admission holds a task back: it may be
		   waiting for the running ones, which wait for blocks. */
		if (robin_takers(p->robin) < p->target && rr_worker_coming(p) &&
		    (robin_takers(p->robin) == 0 || admit_ok(p, mono_ns())))
			return;
		if (!robin_deal(p->robin, 0, p->rr_item.block,
		    p->rr_item.block_len))
			return;
		rr_taken(p);
	}
}

/*
 * --round-robin: a new task, while fewer than -j take blocks, whose stdin
 * is a feeder's pipe, given the waiting block first.
 */
static struct task *
rr_next_task(struct pool *p)
{
	struct task	*t;
	const char	*head;
	size_t		 headlen;
	char		 err[256], *fifo;

	if (robin_takers(p->robin) >= p->target || !rr_pull(p))
		return NULL;
	head = blocks_header(source_get_blocks(p->src), &headlen);
	fifo = robin_open(p->robin, p->rr_seq + 1, p->rr_item.block, head,
	    headlen, err, sizeof err);
	if (fifo == NULL) {
		pool_alert(p, SAY_FATAL, -1, 0, 0, "%s", err);
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	t->seq = p->last_seq = ++p->rr_seq;
	t->arg = xstrdup("");
	t->block = fifo;		/* its stdin, not a range */
	if (robin_deal(p->robin, t->seq, p->rr_item.block,
	    p->rr_item.block_len))
		rr_taken(p);
	return t;
}

/*
 * --round-robin: task t ended; its feeder goes, the bytes it was given
 * are its Send, and a block it did not read to the end is lost (said).
 */
static void
rr_task_gone(struct pool *p, int i, struct task *t)
{
	uint64_t	lost;

	lost = robin_gone(p->robin, t->seq, &t->block_len);
	if (lost > 0)
		pool_alert(p, SAY_WARN, i, t->seq, 0, "--round-robin: task %llu"
		    " ended before reading its input: %llu bytes of a block"
		    " are lost", (unsigned long long)t->seq,
		    (unsigned long long)lost);
}

/* Take the next task: ready queue first, then the source, then adds. */
static struct task *
next_task(struct pool *p)
{
	struct task	*t;
	int64_t		 now = 0;

	if (p->robin != NULL)
		return rr_next_task(p);

	TAILQ_FOREACH(t, &p->ready, entry) {
		if (t->not_before != 0) {
			if (now == 0)
				now = mono_ns();
			if (t->not_before > now)
				continue;
		}
		TAILQ_REMOVE(&p->ready, t, entry);
		return t;
	}
	return next_fresh(p);
}

/*
 * A task not run before: the next of --retry-failed's, of the source or
 * of pool_add()'s; NULL when there is none now.
 */
static struct task *
next_fresh(struct pool *p)
{
	struct task	*t;
	struct item	 it;
	int		 r;

	if (p->retry_seqs != NULL) {
		if (p->retry_i >= p->retry_n) {
			p->src_done = true;
			return next_added(p);
		}
		t = xcalloc(1, sizeof *t);
		t->seq = p->retry_seqs[p->retry_i];
		/* Seqs not retried never print: unblock --keep-order. */
		while (p->out != NULL && ++p->retry_last < t->seq)
			output_skip(p->out, p->retry_last);
		p->retry_last = p->last_seq = t->seq;
		t->command = xstrdup(p->retry_cmds[p->retry_i]);
		t->arg = xstrdup("");
		p->retry_i++;
		return t;
	}
	while (!p->src_done) {
		r = source_next(p->src, &it);	/* it zeroes it */
		if (r == 0) {
			p->src_wait = true;
			return NULL;
		}
		if (r == -1) {
			p->src_done = true;
			if (source_error(p->src) != NULL)
				pool_alert(p, SAY_FATAL, -1, 0, 0, "%s",
				    source_error(p->src));
			return next_added(p);
		}
		p->last_seq = it.seq;
		if (p->past != NULL) {
			int st = joblog_past_state(p->past, it.seq);

			if ((p->o->resume && !p->o->resume_failed && st != 0) ||
			    (p->o->resume_failed && st == 1)) {
				p->skipped++;
				if (p->out != NULL)
					output_skip(p->out, it.seq);
				item_clear(&it);
				continue;
			}
		}
		source_warn(p);
		t = task_new(p);
		t->seq = it.seq;
		t->arg = it.arg;
		t->arg_arena = it.arg_arena;
		t->args = it.args;
		t->nargs = it.nargs;
		t->command = it.command;
		t->named = it.named;
		t->block = it.block;
		if (p->o->pipe_cat) {	/* {} names it; stdin /dev/null */
			free(t->arg);
			t->arg = xstrdup(t->block);
		}
		if (p->o->pipe_fifo && t->block != NULL)
			task_fifo(p, t);
		t->block_keep = it.block_keep;
		t->block_off = it.block_off;
		t->block_len = it.block_len;
		return t;
	}
	return next_added(p);
}

/* --tagstring: the tag of task t's lines, on slot i. */
static void
start_tag(struct pool *p, int i, const struct task *t)
{
	char	*tag;

	tag = input_tag(p->tagtpl, t->arg, (const char *const *)t->args,
	    t->nargs, t->seq, i);
	output_set_tag(p->out, t->seq, tag);
	free(tag);
}

/*
 * --nice: a new worker (and so every task it runs) at niceness n, as GNU
 * parallel sets it (not n steps nicer than the pool).  Without the
 * privilege to lower its niceness it keeps the pool's, as the manual says.
 */
static void
worker_nice(int n)
{
	if (n != 0)
		(void)setpriority(PRIO_PROCESS, 0, n);
}

/*
 * The timeout of a task starting now, in ms (0: none): --timeout SECS, or
 * N% of the median runtime of the tasks that succeeded so far (none
 * before the first has).
 */
static int64_t
task_timeout(const struct pool *p)
{
	int64_t	med;
	double	ms;

	if (p->o->timeout_pct == 0)
		return (int64_t)(p->o->timeout * 1000);
	if (!median_get(&p->runtimes, &med))
		return 0;
	ms = (double)med / 1e6 * p->o->timeout_pct / 100;
	return ms < 1 ? 1 : ms > 31536000000.0 ? 31536000000LL : (int64_t)ms;
}

/* Worker w's task struct of seq, or NULL. */
static struct task *
worker_task(struct wk *w, uint64_t seq)
{
	struct task	*t;

	TAILQ_FOREACH(t, &w->tasks, entry)
		if (t->seq == seq)
			return t;
	return NULL;
}

/* x, made the task a copy is for: task t on slot i. */
static const struct xfer_task *
xfer_task(struct pool *p, int i, const struct task *t, struct xfer_task *x)
{
	memset(x, 0, sizeof *x);
	x->slot = i;
	x->generation = p->w[i].generation;
	x->seq = t->seq;
	x->arg = t->arg;
	x->args = (const char *const *)t->args;
	x->nargs = t->nargs;
	x->copy = t->copy;
	x->loser = t->loser;
	return x;
}

/* Copies before task t on slot i: xfer_before()'s answer. */
static int
xfer_task_before(struct pool *p, int i, const struct task *t,
    const struct buf *run, char *why, size_t len)
{
	struct xfer_task x;

	if (p->xfer == NULL || p->w[i].host == HOST_LOCAL)
		return 0;
	return xfer_before(p->xfer, p->w[i].host, xfer_task(p, i, t, &x), run,
	    why, len);
}

/* Task seq of slot i (its worker of generation gen), or NULL. */
static struct task *
xfer_find(struct pool *p, int i, uint32_t gen, uint64_t seq)
{
	if (i < 0 || i >= p->nw || p->w[i].generation != gen ||
	    (p->w[i].state != W_IDLE && p->w[i].state != W_BUSY))
		return NULL;
	return worker_task(&p->w[i], seq);
}

/* After a DONE from worker i (an answer's, a copy's): what follows. */
static void
worker_task_done(struct pool *p, int i)
{
	struct wk	*w = &p->w[i];

	if (w->ntasks == 0)
		w->task_pgid = 0;	/* it ended: never signal it */
	if (w->retire && w->ntasks == 0)
		send_msg(p, i, PT_MSG_RETIRE, NULL, 0);
}

/* End task seq of slot i as a DONE would: wstatus, flags, its start. */
static void
task_end_as(struct pool *p, int i, uint64_t seq, int wstatus, uint32_t flags,
    int64_t start_real_ns)
{
	struct pt_done	d;

	memset(&d, 0, sizeof d);
	d.task_seq = seq;
	d.wstatus = wstatus;
	d.flags = flags;
	d.start_real_ns = start_real_ns;
	task_ended(p, i, &d);
}

/*
 * A copy for task seq of slot i failed (why names file and host): the
 * attempt failed.  d: how the task itself ended, if it ran; a task that
 * failed on its own keeps its status (its --return file may well be
 * missing because it failed).
 */
static void
xfer_failed(struct pool *p, int i, uint64_t seq, bool ran,
    const struct pt_done *d, const char *why)
{
	struct pt_done	fd;

	pool_event(p, PT_EV_ERROR, i, seq, 0, "task %llu: %s",
	    (unsigned long long)seq, why);
	memset(&fd, 0, sizeof fd);
	if (ran && d != NULL)
		fd = *d;
	fd.task_seq = seq;
	if (!ran || d == NULL || (!(d->flags & (PT_DONE_NOEXEC |
	    PT_DONE_TIMEOUT | PT_DONE_KILLED | PT_DONE_REQUEUE)) &&
	    WIFEXITED(d->wstatus) && WEXITSTATUS(d->wstatus) == 0))
		fd.flags = (fd.flags & ~PT_DONE_NOEXEC) | PT_DONE_XFER;
	if (!ran)
		fd.start_real_ns = real_ns();
	task_ended(p, i, &fd);
	worker_task_done(p, i);
}

/* After task d ended on slot i: true if a copy holds its end. */
static bool
xfer_task_after(struct pool *p, int i, const struct pt_done *d)
{
	struct xfer_task x;
	struct task	*t;
	char		 why[200];
	int		 r;

	if (p->xfer == NULL || p->w[i].host == HOST_LOCAL ||
	    (t = worker_task(&p->w[i], d->task_seq)) == NULL)
		return false;
	r = xfer_after(p->xfer, p->w[i].host, xfer_task(p, i, t, &x), d, why,
	    sizeof why);
	if (r == -1)
		xfer_failed(p, i, d->task_seq, true, d, why);
	return r != 0;
}

/* A copy ended: send the task's RUN, end the task, or fail it. */
static void
xfer_ended(struct pool *p, struct xfer_done *xd)
{
	struct task	*t;
	int		 i = xd->slot;

	t = xfer_find(p, i, xd->generation, xd->seq);
	if (t == NULL)
		;	/* its worker is gone: the task was put back */
	else if (xd->cancelled && !xd->after) {
		/* Killed before it ran: as a task killed. */
		task_end_as(p, i, xd->seq, W_EXITCODE(0, SIGTERM),
		    PT_DONE_KILLED, real_ns());
		worker_task_done(p, i);
	} else if (!xd->ok)
		xfer_failed(p, i, xd->seq, xd->after, &xd->d, xd->why);
	else if (xd->after) {
		task_ended(p, i, &xd->d);
		worker_task_done(p, i);
	} else {
		buf_add(&p->w[i].out, xd->run.data, xd->run.len);
		/* Paused while its files were copied: it starts paused. */
		if (p->w[i].paused || p->w[i].tstp || p->w[i].msusp)
			proto_put(&p->w[i].out, PT_MSG_PAUSE, NULL, 0, NULL, 0);
		send_pending(p, i);
	}
	buf_free(&xd->run);
	pool_dispatch(p);
}

/*
 * Persistent mode without a template: the item is the line, and the
 * task's label and command line (shell-quoted item) are made when first
 * asked for (an event, the joblog), not for every item.
 */
static bool
task_is_line(const struct pool *p, const struct task *t)
{
	return t->command == NULL && p->tpl == NULL &&
	    p->o->persistent != NULL;
}

/* A task's one-line label (events); made now for a line's. */
static const char *
task_label(struct task *t)
{
	struct expanded	 e;
	char		*argv[2] = { t->arg, NULL };

	if (t->label == NULL) {
		memset(&e, 0, sizeof e);
		e.argc = 1;
		e.argv = argv;
		t->label = t->named ? xstrdup(t->arg) : expanded_label(&e);
	}
	return t->label;
}

/* A task's raw command line (the joblog's); made now for a line's. */
static const char *
task_cmdline(struct task *t)
{
	struct expanded	 e;
	char		*argv[2] = { t->arg, NULL };

	if (t->cmdline == NULL) {
		memset(&e, 0, sizeof e);
		e.argc = 1;
		e.argv = argv;
		t->cmdline = expanded_cmdline(&e);
	}
	return t->cmdline;
}

/*
 * Queue task t's line for slot i: into the LINES message the turn fills
 * for it, or a new one when its flags or timeout differ.
 */
static void
start_line(struct pool *p, int i, struct task *t)
{
	struct wk	*w = &p->w[i];
	struct pt_line	 l;
	size_t		 len = strlen(t->arg);
	uint32_t	 flags = t->named ? PT_RUN_NAMED : 0;
	char		*at;

	if (t->label != NULL || t->cmdline != NULL) {
		free(t->label);
		free(t->cmdline);
		t->label = t->cmdline = NULL;
	}
	t->timeout_ms = task_timeout(p);
	if (w->lines_head.flags != flags ||
	    w->lines_head.timeout_ms != t->timeout_ms) {
		proto_batch_close(&w->lines);
		w->lines_head.flags = flags;
		w->lines_head.timeout_ms = t->timeout_ms;
	}
	l.task_seq = t->seq;
	l.len = (uint32_t)len;
	l._pad = 0;
	at = proto_batch_add(&w->out, &w->lines, PT_MSG_LINES, &w->lines_head,
	    sizeof w->lines_head, sizeof l + len + 1);
	memcpy(at, &l, sizeof l);
	memcpy(at + sizeof l, t->arg, len + 1);
}

/*
 * Task t's RUN on slot i, its template expanded, into msg; -1 and why when
 * its --workdir is refused (an item climbing out of it).
 */
static int
start_expanded(struct pool *p, int i, struct task *t, struct buf *msg,
    char *why, size_t whylen)
{
	struct expanded	 e;
	struct pt_run	 run;
	struct xfer_task x;
	char		*wd;
	int		 k;

	memset(&e, 0, sizeof e);
	/* A whole command: config `tasks`, or items with no template. */
	if (t->command != NULL ||
	    (p->tpl == NULL && p->o->persistent == NULL)) {
		e.shell = true;
		e.argc = 1;
		e.argv = xcalloc(2, sizeof *e.argv);
		e.argv[0] = xstrdup(t->command ? t->command : t->arg);
	} else if (t->args != NULL)
		template_expand_args(p->tpl, (const char *const *)t->args,
		    t->nargs, t->seq, i, &e);
	else
		template_expand(p->tpl, t->arg, t->seq, i, &e);
	free(t->label);
	t->label = t->named ? xstrdup(t->arg) : expanded_label(&e);
	free(t->cmdline);
	t->cmdline = expanded_cmdline(&e);
	if (t->fifo != NULL)
		fifo_wrap(t, &e);

	memset(&run, 0, sizeof run);
	run.task_seq = t->seq;
	run.timeout_ms = t->timeout_ms = task_timeout(p);
	run.flags = (e.shell ? PT_RUN_SHELL : 0) |
	    (t->named ? PT_RUN_NAMED : 0) |
	    (t->block != NULL && !p->o->pipe_cat ? PT_RUN_STDIN : 0) |
	    (t->block_keep ? PT_RUN_RANGE : 0);
	run.in_off = t->block_off;
	run.in_len = t->block_len;
	run.argc = (uint32_t)e.argc;
	p->scratch.len = 0;
	buf_add(&p->scratch, t->arg, strlen(t->arg) + 1);
	for (k = 0; k < e.argc; k++)
		buf_add(&p->scratch, e.argv[k], strlen(e.argv[k]) + 1);
	if (t->block != NULL)
		buf_add(&p->scratch, t->block, strlen(t->block) + 1);
	/* --workdir with replacement strings: the task's own directory. */
	why[0] = '\0';
	if ((wd = p->w[i].host != HOST_LOCAL ? xfer_task_workdir(p->xfer,
	    xfer_task(p, i, t, &x)) : workdir_task(p->wd, xfer_task(p, i, t,
	    &x), why, whylen)) != NULL) {
		run.flags |= PT_RUN_WD;
		buf_add(&p->scratch, wd, strlen(wd) + 1);
		free(wd);
	}
	proto_put(msg, PT_MSG_RUN, &run, sizeof run, p->scratch.data,
	    p->scratch.len);
	expanded_free(&e);
	return why[0] != '\0' ? -1 : 0;
}

/*
 * Task t of slot i failed before it ran: its --workdir (why).  As the
 * worker's PT_DONE_WORKDIR: why is its stderr's last line.
 */
static void
task_nodir(struct pool *p, int i, struct task *t, int error, const char *why)
{
	count_received(t, 2, why, strlen(why));
	task_end_as(p, i, t->seq, error, PT_DONE_NOEXEC | PT_DONE_WORKDIR,
	    real_ns());
}

/* Build the RUN message for task t on slot i and send it. */
static void
start_task(struct pool *p, int i, struct task *t)
{
	struct wk	*w = &p->w[i];
	struct buf	 msg = { NULL, 0, 0 };
	char		 why[PATH_MAX + 200];
	int		 held = 0;

	if (task_is_line(p, t))
		start_line(p, i, t);
	else {
		if (start_expanded(p, i, t, &msg, why, sizeof why) == -1)
			held = -2;	/* not sent: ended below */
		/* --transferfile, --basefile: RUN waits for the copy
		   (pool-xfer.h). */
		else if ((held = xfer_task_before(p, i, t, &msg, why,
		    sizeof why)) == 0)
			buf_add(&w->out, msg.data, msg.len);
		buf_free(&msg);
	}

	if (!t->copy) {
		t->attempts++;
		t->copied = false;
	}
	t->received = 0;
	if (t->errtail != NULL)
		t->errtail->len = 0;
	t->oom_at = p->oom_seen;
	if (p->tcg != NULL && !tcg_oom_kills(p->tcg, i, &t->oom_at))
		t->oom_at = 0;		/* its cgroup is made by the worker */
	TAILQ_INSERT_TAIL(&w->tasks, t, entry);
	w->ntasks++;
	w->state = W_BUSY;
	w->started_ns = p->now;
	w->task_peak_rss = 0;	/* not its last task's, before STARTED */
	if (t->copy) {
		/* One task, counted once: its copy is extra. */
		p->extra++;
		if (p->out != NULL)
			output_copy_start(p->out, t->seq);
	} else {
		p->running++;
		if (p->out != NULL)
			output_start_args(p->out, t->seq, t->arg,
			    (const char *const *)t->args, t->nargs);
		if (p->out != NULL && p->tagtpl != NULL)
			start_tag(p, i, t);
	}
	if (!t->copy && (p->o->persistent == NULL ||
	    evsample_take(&p->evs, false)))
		pool_event(p, PT_EV_TASK_START, i, t->seq, 0, "%s",
		    task_label(t));
	if (t->copy) {
		p->spec_started++;
		pool_event(p, PT_EV_INFO, i, t->seq, 0, "speculate: copy of "
		    "task %llu started in slot %d, its straggler runs in slot "
		    "%d: %s", (unsigned long long)t->seq, i + 1,
		    task_slot(p, t->twin) + 1, task_label(t));
		slot_marks(p, i);
		slot_publish(p, i);
	}
	if (held == -1)
		xfer_failed(p, i, t->seq, false, NULL, why);
	else if (held == -2) {
		task_nodir(p, i, t, EPERM, why);
		worker_task_done(p, i);
	}
}

/* The header's admission state and reason ("holding: load 3.10 >= 2"). */
static void
admit_show(struct pool *p, struct pt_shm_header *h)
{
	char		 why[PT_ADMIT_WHY + 32], mem[PT_ADMIT_WHY];
	uint32_t	 state = PT_ADMIT_OPEN;

	if (p->admit == NULL)
		return;
	if (p->nsusp > 0) {
		state = PT_ADMIT_SUSPENDED;
		admit_why_mem(admit_last(p->admit),
		    2 * p->o->admit.memsuspend, mem, sizeof mem);
		snprintf(why, sizeof why, "suspended %d task%s: %s", p->nsusp,
		    p->nsusp == 1 ? "" : "s", mem);
	} else if (admit_holding(p->admit)) {
		state = PT_ADMIT_HOLDING;
		snprintf(why, sizeof why, "holding: %s", admit_why(p->admit));
	} else
		strlcpy(why, "open", sizeof why);
	admit_publish(p->admit, state, (uint32_t)p->nsusp, why, mono_ns(), h);
}


/*
 * Did busy worker a's task start after b's?  Tasks handed out in one turn
 * of the loop share its clock: the later in the input is the younger.
 */
static bool
younger(const struct wk *a, const struct wk *b)
{
	if (a->started_ns != b->started_ns)
		return a->started_ns > b->started_ns;
	return TAILQ_FIRST(&a->tasks)->seq > TAILQ_FIRST(&b->tasks)->seq;
}

/* --memfree: end the youngest task, to run again; one at a time. */
static void
admit_kill_youngest(struct pool *p, const char *why)
{
	struct pt_kill	 k = { 0 };
	struct task	*t;
	int		 i, y = -1;

	for (i = 0; i < p->nw; i++) {
		if (p->w[i].state != W_BUSY)
			continue;
		if (p->w[i].mkill)
			return;
		if (y == -1 || younger(&p->w[i], &p->w[y]))
			y = i;
	}
	if (y == -1)
		return;
	TAILQ_FOREACH(t, &p->w[y].tasks, entry)
		t->requeue = true;
	p->w[y].mkill = true;
	send_msg(p, y, PT_MSG_KILL, &k, sizeof k);
	t = TAILQ_FIRST(&p->w[y].tasks);
	/* A copy is extra: ended, it is dropped and its first run goes on. */
	if (t->copy)
		pool_event(p, PT_EV_INFO, y, t->seq, 0, "%s, under half of "
		    "--memfree: ending the copy of task %llu (--speculate), in "
		    "slot %d", why, (unsigned long long)t->seq, y + 1);
	else
		pool_event(p, PT_EV_INFO, y, t->seq, 0, "%s, under half of "
		    "--memfree: ending the youngest task, in slot %d, to run "
		    "it again", why, y + 1);
}

/*
 * --memfree under half in a --round-robin pool: a task there reads many
 * blocks, and one ended would lose those it has not read, so none is
 * ended; starts stay held (memory is under --memfree too).  Said once
 * each time memory falls under half.
 */
static void
admit_rr_hold(struct pool *p, const char *why)
{
	if (p->rr_mem_said)
		return;
	p->rr_mem_said = true;
	pool_event(p, PT_EV_INFO, -1, 0, 0, "%s, under half of --memfree: "
	    "no task ended in a --round-robin pool (its unread blocks would "
	    "be lost); starts held", why);
}

/* Stop (suspend) or continue a task for --memsuspend. */
static void
admit_suspend(struct pool *p, int i, bool suspend, const char *why)
{
	struct wk	*w = &p->w[i];

	w->msusp = suspend;
	p->nsusp += suspend ? 1 : -1;
	send_msg(p, i, suspend ? PT_MSG_PAUSE : PT_MSG_RESUME, NULL, 0);
	pool_event(p, suspend ? PT_EV_PAUSE : PT_EV_RESUME, i,
	    TAILQ_FIRST(&w->tasks)->seq, 0, "task %s in slot %d: %s",
	    suspend ? "suspended" : "resumed", i + 1, why);
}

/*
 * --memfree below half its size ends the youngest task (but in a
 * --round-robin pool); --memsuspend keeps the oldest running and stops
 * the others (admit_mem_running()).
 */
static void
admit_memory(struct pool *p)
{
	const struct admit_sample	*s = admit_last(p->admit);
	const struct admit_opts		*o = &p->o->admit;
	char				 why[PT_ADMIT_WHY];
	int				 order[PT_MAX_WORKERS];
	int				 i, j, k, n = 0, running = 0, allowed;

	if (!s->mem_ok)
		return;
	if (admit_mem_kill(o->memfree, s)) {
		admit_why_mem(s, o->memfree / 2, why, sizeof why);
		if (p->robin != NULL)
			admit_rr_hold(p, why);
		else
			admit_kill_youngest(p, why);
	} else
		p->rr_mem_said = false;
	if (o->memsuspend == 0)
		return;
	/* Tasks not paused by an operator nor being ended, oldest first. */
	for (i = 0; i < p->nw; i++) {
		struct wk *w = &p->w[i];

		if (w->state != W_BUSY || w->paused || w->mkill)
			continue;
		for (j = n; j > 0 && younger(&p->w[order[j - 1]], w); j--)
			order[j] = order[j - 1];
		order[j] = i;
		n++;
		running += !w->msusp;
	}
	allowed = admit_mem_running(o->memsuspend, s->mem_avail, n, running);
	admit_why_mem(s, 2 * o->memsuspend, why, sizeof why);
	for (k = 0; k < n; k++) {
		bool susp = p->w[order[k]].msusp;

		if (k >= allowed && !susp)
			admit_suspend(p, order[k], true, why);
		else if (k < allowed && susp)
			admit_suspend(p, order[k], false, why);
	}
}

/*
 * --memfree auto: tell admission what the running tasks may still take,
 * each the footprint less its own peak so far.
 */
static void
fp_running(struct pool *p)
{
	uint64_t	fp = admit_fp(p->admit), reserve = 0;
	int		i, running = 0;

	for (i = 0; i < p->nw; i++) {
		const struct wk *w = &p->w[i];

		if (w->state != W_BUSY || w->mkill)
			continue;
		running++;
		if (fp > w->task_peak_rss)
			reserve += fp - w->task_peak_rss;
	}
	admit_fp_running(p->admit, reserve, running);
}

/* Say that admission just held (rc 1) or opened (-1). */
static void
admit_say(struct pool *p, int rc, int64_t now)
{
	char	d[32];

	switch (rc) {
	case 1:
		strlcpy(p->admit_said, admit_why(p->admit),
		    sizeof p->admit_said);
		pool_event(p, PT_EV_INFO, -1, 0, 0, "admission holding: %s",
		    p->admit_said);
		break;
	case -1:
		snprintf(d, sizeof d, "%.1fs",
		    (double)admit_hold_ns(p->admit, now) / PT_NSEC);
		pool_event(p, PT_EV_INFO, -1, 0, 0, "admission open after "
		    "holding %s (%s)", d, p->admit_said);
		break;
	default:
		break;
	}
}

/* Read the machine: admission holds or opens, memory acts; say so. */
static void
admit_tick(void *arg)
{
	struct pool	*p = arg;
	int64_t		 now = mono_ns();

	if (p->state == PT_POOL_STARTING || p->state == PT_POOL_DONE)
		return;
	if (p->o->admit.memfree_auto)
		fp_running(p);
	admit_say(p, admit_sample(p->admit, now), now);
	admit_memory(p);
	publish(p);
}

/* Say where tasks run limited (--task-memory, --task-cpus). */
static void
tcg_say(struct pool *p)
{
	char	mem[32] = "", cpus[32] = "";

	if (p->o->task_memory > 0) {
		admit_fmt_size(mem, sizeof mem, p->o->task_memory);
		strlcat(mem, " of memory", sizeof mem);
	}
	if (p->o->task_cpus > 0)
		snprintf(cpus, sizeof cpus, "%s%g CPUs", mem[0] ? ", " : "",
		    p->o->task_cpus);
	pool_event(p, PT_EV_INFO, -1, 0, 0, "each task limited to %s%s, in a "
	    "cgroup of its own under %s", mem, cpus, tcg_where(p->tcg));
}

/*
 * May a task start at now (pool-admit.h)?  Not while --memsuspend keeps
 * tasks stopped.  When only --delay says no, wake up when it says yes.
 */
static bool
admit_ok(struct pool *p, int64_t now)
{
	if (p->nsusp > 0)
		return false;
	if (p->o->admit.memfree_auto) {
		fp_running(p);
		admit_say(p, admit_recheck(p->admit, now), now);
	}
	return admit_may_start(p->admit, now, &p->admit_at);
}

/*
 * Hand ready tasks to idle workers.  One clock read serves the whole
 * call: it starts up to hundreds of persistent lines in microseconds, and
 * a start at now leaves --delay's next one due delay after now.
 */
static void
pool_dispatch(struct pool *p)
{
	struct task	*t;
	bool		 dry = false;
	int64_t		 now;
	int		 i;

	if (p->state != PT_POOL_RUNNING || p->paused || p->fatal)
		return;
	now = mono_ns();
	p->src_wait = false;
	if (p->robin != NULL)
		rr_pump(p);
	for (i = 0; i < p->nw; i++) {
		struct wk *w = &p->w[i];

		if ((w->state != W_IDLE && w->state != W_BUSY) || w->retire)
			continue;
		if (w->hold_until != 0 && w->hold_until > now)
			continue;
		while (w->ntasks < w->window) {
			if (!admit_ok(p, now)) {
				send_pending(p, i);
				return;
			}
			if ((t = next_task(p)) == NULL) {
				dry = true;
				break;
			}
			start_task(p, i, t);
			admit_started(p->admit, now);
		}
		/*
		 * One write for all the RUNs of this turn; poll does the
		 * rest.
		 */
		send_pending(p, i);
		if (dry)
			return;
	}
}

/* Run n workers (at least one) for want of a resource; warn the first time. */
static void
limit_workers(struct pool *p, int n, const char *why)
{
	if (n < 1)
		n = 1;
	if (n >= p->target)
		return;
	if (!p->limit_warned) {
		p->limit_warned = true;
		pool_alert(p, SAY_WARN, -1, 0, n, "%s: workers limited to %d"
		    " (of %d)", why, n, p->target);
	}
	pool_resize(p, n, false, NULL);
}

/* A worker could not be started: a shortage lowers the target to what runs. */
static void
spawn_failed(struct pool *p, int i, const char *what, int error)
{
	char	why[128];
	int	n = active_workers(p, HOST_ANY);

	p->respawn_after = mono_ns() + RESPAWN_DELAY_MS * 1000000LL;
	snprintf(why, sizeof why, "%s: %s", what, strerror(error));
	if (n > 0 && resource_shortage(error)) {
		limit_workers(p, n, why);
		return;
	}
	if (n == 0 && ++p->spawn_fails >= SPAWN_FAIL_MAX && !p->fatal)
		pool_alert(p, SAY_FATAL, i, 0, error, "cannot start any worker:"
		    " %s", why);
	else
		pool_event(p, PT_EV_ERROR, i, 0, error, "%s", why);
}

/*
 * In the child that becomes the ssh client of a remote worker: out of our
 * group, killed with us, signals as a new process has them, the stream on
 * 0 and 1, stderr to us.
 */
static void __attribute__((noreturn))
remote_exec(int sock, int err, char *const *argv)
{
	helper_child_setup(SIGTERM);
	if (dup2(sock, 0) == -1 || dup2(sock, 1) == -1 || dup2(err, 2) == -1)
		_exit(127);
	execvp(argv[0], argv);
	dprintf(2, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* A remote worker's ssh wrote on its stderr: keep the last line. */
static void
worker_err(int fd, short revents, void *arg)
{
	struct wk	*w = arg;
	char		 b[1024], *s, *e;
	ssize_t		 n;

	(void)revents;
	n = read(fd, b, sizeof b - 1);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		loop_set(w->pool->loop, w->errwatch, -1, 0);
		close(w->errfd);
		w->errfd = -1;
		return;
	}
	b[n] = '\0';
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r'))
		b[--n] = '\0';
	s = (e = strrchr(b, '\n')) != NULL ? e + 1 : b;
	if (*s == '\0')
		return;
	strlcpy(w->errline, s, sizeof w->errline);
	if (w->state == W_STARTING && w->slot != NULL) {
		/* Not connected yet: what holds it (srun: "Requested nodes
		   are busy") is what its slot shows. */
		snprintf(w->slot->label, sizeof w->slot->label, "pending: %.*s",
		    (int)(sizeof w->slot->label - 10), s);
		slot_publish(w->pool, (int)(w - w->pool->w));
	}
}

/* Fork a worker into slot i, on the host the hosts pick. */
static void
worker_spawn(struct pool *p, int i)
{
	struct worker_conf	 wc;
	struct wk		*w = wk_ready(p, i);
	int			 sv[2], ep[2] = { -1, -1 }, host = HOST_LOCAL;
	pid_t			 pid;

	if (p->hosts != NULL &&
	    (host = hosts_pick(p->hosts)) == HOST_NONE)
		return;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		spawn_failed(p, i, "socketpair", errno);
		return;
	}
	if (host != HOST_LOCAL && pipe2(ep, O_CLOEXEC) == -1) {
		close(sv[0]);
		close(sv[1]);
		spawn_failed(p, i, "pipe", errno);
		return;
	}
	w->generation++;
	w->task_pgid = 0;
	w->host = host;
	slot_lifecycle(p, i, PT_SLOT_STARTING);
	fflush(NULL);
	pid = fork();
	if (pid == 0 && host != HOST_LOCAL)
		remote_exec(sv[1], ep[1], hosts_worker_argv(p->hosts, host));
	if (ep[1] != -1)
		close(ep[1]);
	if (pid == -1) {
		if (ep[0] != -1)
			close(ep[0]);
		int error = errno;

		close(sv[0]);
		close(sv[1]);
		slot_lifecycle(p, i, PT_SLOT_EXITED);
		spawn_failed(p, i, "fork", error);
		return;
	}
	if (pid == 0) {
		/* Out of our process group: see "Nothing outside the kill". */
		(void)setpgid(0, 0);
		worker_nice(p->o->nice);
		close(sv[0]);
		memset(&wc, 0, sizeof wc);
		wc.slot = i;
		wc.fd = wc.fd_out = sv[1];
		wc.supervisor = getppid();
		wc.shm = &p->shm;
		wc.opts = p->o;
		wc.tcg = p->tcg;
		wc.generation = w->generation;
		wc.workdir = workdir_fixed(p->wd, &wc.wdflags, &wc.wdtemp);
		wc.basedir = workdir_base(p->wd);
		worker_main(&wc);
	}
	close(sv[1]);
	(void)setpgid(pid, pid);
	keeper_add_worker(pid);
	set_nonblock(sv[0]);
	w->hello = false;
	w->heard = mono_ns();
	w->silent = false;
	w->errline[0] = '\0';
	w->errfd = ep[0];
	if (host != HOST_LOCAL) {
		set_nonblock(ep[0]);
		if (w->errwatch == -1)
			w->errwatch = loop_add(p->loop, -1, 0, worker_err, w);
		loop_set(p->loop, w->errwatch, ep[0], POLLIN);
	}
	if (p->hosts != NULL)
		hosts_worker_started(p->hosts, host);
	if (i >= p->nw)
		p->nw = i + 1;
	buf_free(&w->in);
	buf_free(&w->out);
	proto_batch_close(&w->lines);
	w->state = W_STARTING;
	w->pid = pid;
	w->fd = sv[0];
	if (w->watch == -1)
		w->watch = loop_add(p->loop, -1, 0, worker_ready, w);
	TAILQ_INIT(&w->tasks);
	w->ntasks = 0;
	w->retire = false;
	w->paused = w->tstp = false;
	w->started_ns = mono_ns();
	w->hold_until = 0;
	w->window = p->auto_window ? 1 : p->inflight;
	w->avg_ns = -1;		/* the first answer pays the program's start */
	w->stops = 0;
	w->why[0] = '\0';
	p->spawn_fails = 0;
	p->live++;
	if (p->live > p->max_live)
		p->max_live = p->live;
	if (host == HOST_LOCAL)
		pool_event(p, PT_EV_WORKER_START, i, 0, pid, "worker %d "
		    "started, pid %ld", i + 1, (long)pid);
	else
		pool_event(p, PT_EV_WORKER_START, i, 0, pid, "worker %d started"
		    " on %s, %s pid %ld", i + 1, hosts_name(p->hosts, host),
		    hosts_slurm(p->hosts) ? "srun" : "ssh", (long)pid);
}

/*
 * --speculate: one worker more is wanted when a straggler may get a copy
 * and no worker is idle for it, nor starting.
 */
static bool
spec_wants_worker(struct pool *p)
{
	int	i;

	if (!p->o->speculate || !p->src_done || !TAILQ_EMPTY(&p->added) ||
	    !TAILQ_EMPTY(&p->ready) || (p->o->keep_open && !p->closed))
		return false;
	for (i = 0; i < p->nw; i++)
		if (p->w[i].state == W_STARTING && !p->w[i].retire)
			return false;
	return spec_idle(p) == -1 && spec_candidate(p) != -1;
}

/*
 * How many workers to start now, of the room (workers the target leaves):
 * one is started for work, when a task is ready and no worker can take
 * it, as GNU parallel starts a job slot for a job, not all -j at once
 * (for 2 items, 2 workers; under --persistent, 2 programs).  What the
 * workers may still take (a window each; a starting one takes its first)
 * is counted off the tasks ready now.  Tasks not yet read are read onto
 * the ready queue to be counted, at most as many as the workers there is
 * room for would take, which pool_dispatch() would have read for them.
 * With --round-robin a task is made for each block while fewer than the
 * target take blocks: the block waiting wants a worker if none is free.
 */
static int
workers_wanted(struct pool *p, int room)
{
	struct task	*t;
	struct wk	*w;
	int64_t		 now;
	int		 i, spare = 0, waiting = 0, win, limit;

	if (room <= 0 || p->state != PT_POOL_RUNNING || p->paused || p->fatal)
		return 0;
	for (i = 0; i < p->nw; i++) {
		w = &p->w[i];
		if (w->state != W_FREE && !w->retire && w->ntasks < w->window)
			spare += w->window - w->ntasks;
	}
	if (p->robin != NULL)
		return spare == 0 && robin_takers(p->robin) < p->target &&
		    rr_pull(p) ? 1 : 0;
	if (spec_wants_worker(p))
		return 1;
	now = mono_ns();
	if (!admit_ok(p, now))
		return 0;	/* nothing may start: it wants none yet */
	win = p->auto_window ? 1 : p->inflight;
	limit = spare + room * win;
	/*
	 * Under --delay one task starts now and the next one the delay
	 * later: a worker for that one, if none is free, not one for each
	 * task waiting (they would wait out the delays idle).
	 */
	if (admit_paced(p->admit))
		limit = 1;
	TAILQ_FOREACH(t, &p->ready, entry)
		if ((t->not_before == 0 || t->not_before <= now) &&
		    ++waiting >= limit)
			break;
	while (waiting < limit && (t = next_fresh(p)) != NULL) {
		TAILQ_INSERT_TAIL(&p->ready, t, entry);
		waiting++;
	}
	if (waiting <= spare)
		return 0;
	return (waiting - spare + win - 1) / win;
}

/*
 * Start workers for the work waiting, up to the target (workers_wanted());
 * those above it retire by retire_surplus().
 */
static void
balance_workers(struct pool *p)
{
	int	i, n, want;

	if (p->state == PT_POOL_DONE)
		return;
	if (p->hosts != NULL)
		(void)hosts_tick(p->hosts, mono_ns(), &p->hosts_next);
	n = active_workers(p, HOST_ANY);
	if (n < p->target && p->state != PT_POOL_STOPPING &&
	    mono_ns() >= p->respawn_after &&
	    (want = workers_wanted(p, p->target - n)) > 0) {
		for (i = 0; i < PT_MAX_WORKERS && want > 0; i++) {
			if (p->w[i].state != W_FREE)
				continue;
			worker_spawn(p, i);
			if (p->w[i].state == W_FREE)
				break;
			want--;
		}
	}
}

/* Is task status a success? */
static bool
status_ok(int wstatus)
{
	return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
}

/* The number of tasks a --halt percentage is taken of (0: not known). */
static uint64_t
halt_base(const struct pool *p)
{
	return p->total_known ? p->total - p->skipped : 0;
}

/*
 * The exit status --halt gives, as GNU parallel's: the share of failures
 * in percent (rounded up) for a percentage, or the number of failures,
 * capped at 101; with a count of 1, the status of the task that triggered
 * it, exitval.
 */
static int
halt_exit_status(const struct pool *p, uint64_t base, int exitval)
{
	const struct halt_policy	*h = &p->o->halt;

	if (h->percent_set)
		return base == 0 ? 0 :
		    (int)((p->failed * 100 + base - 1) / base);
	if (h->count == 1)
		return exitval;
	return p->failed > 101 ? 101 : (int)p->failed;
}

/* Apply the halt policy after a task ended for good. */
static void
check_halt(struct pool *p, bool ok, int exitval)
{
	const struct halt_policy	*h = &p->o->halt;
	uint64_t			 n, base;

	if (h->when == HALT_NEVER || p->halt_fired)
		return;
	if (h->what == HALT_FAIL && ok)
		return;
	if (h->what == HALT_SUCCESS && !ok)
		return;
	n = h->what == HALT_FAIL ? p->failed :
	    h->what == HALT_SUCCESS ? p->done : p->done + p->failed;
	base = halt_base(p);
	if (h->percent_set) {
		if (base == 0 || (double)n * 100.0 < h->percent * base)
			return;
	} else if (n < h->count)
		return;
	p->halt_fired = true;
	p->halt_status = h->what == HALT_SUCCESS ? 0 :
	    halt_exit_status(p, base, exitval);
	pool_event(p, PT_EV_STOP, -1, 0, p->halt_status,
	    "halt policy reached (%s)", h->when == HALT_NOW ? "now" : "soon");
	if (h->when == HALT_NOW) {
		/* GNU parallel prints nothing more, even output held by -k. */
		if (p->out != NULL)
			output_drop_held(p->out);
		pool_stop(p, true, NULL);
	} else
		pool_drain(p, NULL);
}

/*
 * Put a task that was ended by us, or never ran, back on the ready queue
 * in seq order, ahead of later ones, so that it runs again before them and
 * a batch handed back keeps its order.  Batches come newest first, which
 * makes this O(1) for each.
 */
static void
ready_insert(struct pool *p, struct task *t)
{
	struct task	*u;

	TAILQ_FOREACH(u, &p->ready, entry)
		if (u->seq > t->seq)
			break;
	if (u != NULL)
		TAILQ_INSERT_BEFORE(u, t, entry);
	else
		TAILQ_INSERT_TAIL(&p->ready, t, entry);
}

/*
 * Task t could not start FAULT_TRIES_MAX times in a row for want of a
 * resource on a pool of one worker: stop (exit 255) rather than wait for
 * ever.  It is put back, not failed: like every task not run, --resume
 * runs it.
 */
static void
task_starved(struct pool *p, int i, struct task *t, int error)
{
	ready_insert(p, t);
	if (p->fatal)
		return;
	pool_alert(p, SAY_FATAL, i, t->seq, error, "task %llu could not start"
	    " %d times (%s): stopping, the tasks not run are left for --resume",
	    (unsigned long long)t->seq, FAULT_TRIES_MAX, strerror(error));
}

/*
 * A worker had no descriptor or process left to start task t: not the
 * task's fault, and never recorded as a failure.  Run it again a little
 * later, and on one worker fewer, that one retired (at most once per
 * RESPAWN_DELAY_MS, as faults come in bursts).  Only once the pool is down
 * to one worker do the faults count towards giving up.
 */
static void
task_fault(struct pool *p, int i, struct task *t, int error)
{
	char	why[128];
	int64_t	delay;

	if (p->out != NULL)
		output_end(p->out, t->seq, false);
	t->attempts--;
	t->faults++;
	if (p->target <= 1 && ++t->stuck >= FAULT_TRIES_MAX) {
		task_starved(p, i, t, error);
		return;
	}
	delay = backoff_linear(RESPAWN_DELAY_MS, RETRY_DELAY_MAX_MS, t->faults);
	t->not_before = mono_ns() + delay * 1000000LL;
	p->w[i].hold_until = t->not_before;
	ready_insert(p, t);
	pool_event(p, PT_EV_TASK_RETRY, i, t->seq, error, "cannot start (%s),"
	    " will run again in %lldms: %s", strerror(error), (long long)delay,
	    task_label(t));
	if (mono_ns() - p->fault_at >= RESPAWN_DELAY_MS * 1000000LL) {
		p->fault_at = mono_ns();
		snprintf(why, sizeof why, "starting a task: %s",
		    strerror(error));
		/* The worker that faulted goes: the shortage may be its own. */
		if (p->target > 1)
			p->w[i].retire = true;
		limit_workers(p, p->target - 1, why);
	}
}

/*
 * --chunksize auto: how many lines a persistent worker may hold.  Enough
 * that about AUTO_BUDGET_NS of work waits in its pipe, so throughput is not
 * bound by round trips, yet a slow task holds back little else; at most
 * max.  It starts at 1 and at most doubles per answer (slow items never
 * pile up on one worker at the start), and shrinks at once when answers
 * slow down.  wall_ns of a pipelined task is the time since the answer
 * before it: the program's time per item.  A worker's first answer is not
 * measured: its clock ran while the program started (20 ms for Python),
 * which would hold the window at a line or two for dozens of round trips.
 */
static void
window_update(struct wk *w, int64_t wall_ns, int max)
{
	int64_t	want;

	if (w->avg_ns < 0) {	/* its clock ran from the program's start */
		w->avg_ns = 0;
		return;
	}
	if (wall_ns < 1000)
		wall_ns = 1000;
	w->avg_ns = w->avg_ns == 0 ? wall_ns : (7 * w->avg_ns + wall_ns) / 8;
	/* A multiplication, not a division, for items that cost nothing. */
	want = w->avg_ns * max <= AUTO_BUDGET_NS ? max :
	    AUTO_BUDGET_NS / w->avg_ns;
	if (want > max)
		want = max;
	if (want < 1)
		want = 1;
	if (want > 2LL * w->window)
		want = 2LL * w->window;
	w->window = (int)want;
}

/* A task ended for good: its --on-task-end. */
static void
task_hook(struct pool *p, int i, struct task *t,
    const struct pt_done *d, bool ok, int exitval, int sig)
{
	struct hook_task	ht;

	if (p->o->on_task_end == NULL)
		return;
	memset(&ht, 0, sizeof ht);
	ht.seq = t->seq;
	ht.slot = i;
	ht.item = t->arg;
	ht.args = (const char *const *)t->args;
	ht.nargs = t->nargs;
	ht.result = ok ? "done" : (d->flags & PT_DONE_TIMEOUT) ? "timeout" :
	    (d->flags & PT_DONE_KILLED) ? "killed" : "failed";
	ht.exitval = sig != 0 ? -1 : exitval;
	ht.sig = sig;
	ht.wall_ns = d->wall_ns;
	ht.attempts = t->attempts;
	ht.command = task_cmdline(t);
	hooks_task_end(p->hooks, &ht);
}

/* A hook failed: an event, said like a warning; never a stop. */
static void
hook_say(void *arg, uint64_t seq, int status, const char *text)
{
	pool_alert(arg, SAY_WARN, -1, seq, status, "%s", text);
}

/*
 * Was this run of task t cut short by the pool or a user (timeout, kill,
 * stop, shrink, --memfree), or never run (cannot exec, its files not
 * copied)?
 */
static bool
run_cut(const struct task *t, uint32_t flags)
{
	return (flags & (PT_DONE_TIMEOUT | PT_DONE_KILLED | PT_DONE_NOEXEC |
	    PT_DONE_REQUEUE | PT_DONE_XFER)) || t->requeue || t->no_record;
}

/*
 * Was a task that died of SIGKILL killed by the kernel's OOM killer?  Yes
 * when no one in the pool ended it (timeout, kill, stop, shrink, --memfree)
 * and the OOM kills the pool can see rose since it started: those of its
 * own cgroup with --task-memory (cgroup.h), else admit_oom_kills().
 */
static bool
oom_killed(struct pool *p, int i, const struct task *t, uint32_t flags)
{
	uint64_t	n;

	if (run_cut(t, flags))
		return false;
	if (p->tcg != NULL)
		return tcg_oom_kills(p->tcg, i, &n) && n > t->oom_at;
	if (!admit_oom_kills(p->admit, &n))
		return false;
	p->oom_seen = n;
	return n > t->oom_at;
}

/*
 * --oom-retry: an OOM-killed task is put back, not counted as an attempt,
 * and the pool shrinks by one worker so that fewer tasks share the memory.
 */
static void
oom_put_back(struct pool *p, int i, struct task *t, int sig)
{
	if (p->out != NULL)
		output_cancel(p->out, t->seq);
	p->oom_killed++;
	pool_event(p, PT_EV_TASK_KILLED, i, t->seq, sig, "oom-killed, put "
	    "back; the pool shrinks to %d worker%s (--oom-retry): %s",
	    p->target - 1, p->target - 1 == 1 ? "" : "s", task_label(t));
	t->attempts--;
	ready_insert(p, t);
	(void)pool_resize(p, p->target - 1, false, NULL);
}

/* Mark or unmark slot i's task as a straggler; an event when marked. */
static void
straggler_set(struct pool *p, int i, bool on, int64_t elapsed)
{
	struct wk	*w = &p->w[i];
	struct task	*t;

	if (w->straggler == on)
		return;
	w->straggler = on;
	slot_marks(p, i);
	slot_publish(p, i);
	if (on && (t = TAILQ_FIRST(&w->tasks)) != NULL)
		pool_event(p, PT_EV_INFO, i, t->seq, 0, "straggler: running "
		    "%.1fs, over %gx the median %.3gs: %s", (double)elapsed /
		    1e9, p->o->straggler_factor, (double)p->strag_median / 1e9,
		    t->label);
}

/* Mark the tasks running over --straggler-factor times the median. */
static void
straggler_tick(void *arg)
{
	struct pool	*p = arg;
	struct wk	*w;
	int64_t		 now = real_ns(), el;
	int		 i;

	if (p->model.n != p->strag_n) {
		p->strag_n = p->model.n;
		p->strag_median = model_quantile(&p->model, 0.5);
	}
	for (i = 0; i < p->nw; i++) {
		w = &p->w[i];
		if (w->state != W_BUSY || w->ntasks == 0 ||
		    w->task_start_real <= 0)
			continue;
		if (TAILQ_FIRST(&w->tasks)->copy) {
			/* Its task is marked already, by its first run's. */
			straggler_set(p, i, false, 0);
			continue;
		}
		el = now - w->task_start_real;
		straggler_set(p, i, model_straggler(p->model.n,
		    p->strag_median, el, p->o->straggler_factor), el);
	}
}

/* -j auto: size the pool as the advice and the measures say. */
static void
auto_tick(void *arg)
{
	struct pool		*p = arg;
	struct model_advice	 a;
	struct autosize_fresh	 f;
	char			 why[PT_EVENT_TEXT];
	int64_t			 now = mono_ns();
	int			 to;

	if (!p->autosize.on || p->state != PT_POOL_RUNNING)
		return;
	/* the model's start times are wall clock */
	f.n = model_since(&p->model, p->autosize.since_ns + real_ns() - now,
	    &f.wall_s);
	to = autosize_decide(&p->autosize, p->target, now, &f,
	    pool_advice(p, &a) ? &a : NULL, why, sizeof why);
	if (to == p->target)
		return;
	pool_event(p, PT_EV_INFO, -1, 0, to, "auto: %d -> %d workers: %s",
	    p->target, to, why);
	(void)pool_resize(p, to, false, NULL);
}

/* Start or end -j auto (pool.h). */
int
pool_auto_set(struct pool *p, bool on, struct buf *why)
{
	if (on && p->hosts != NULL)
		return refuse(why, "auto cannot size a pool with workers on "
		    "other machines yet");
	if (on == p->autosize.on)
		return 0;
	p->autosize.on = on;
	p->autosize.prev_n = p->autosize.ceiling = 0;
	autosize_start(&p->autosize, mono_ns());
	pool_event(p, PT_EV_INFO, -1, 0, on, on ? "auto: on, %d to %d "
	    "workers" : "auto: off (resized by hand; ctl resize auto "
	    "resumes it)", p->autosize.min, p->autosize.max);
	return 0;
}

/* Is the pool sizing itself? */
bool
pool_auto(const struct pool *p)
{
	return p->autosize.on;
}

/* --speculate: copies started and won so far (pool.h). */
bool
pool_speculate(const struct pool *p, uint64_t *started, uint64_t *won)
{
	*started = p->spec_started;
	*won = p->spec_won;
	return p->o->speculate;
}

/* The run's history (pool.h): the pool's own, never read back. */
const struct pt_shm_history *
pool_history(const struct pool *p)
{
	return &p->hist.h;
}

/* The median stragglers are measured against (pool.h). */
bool
pool_straggler_median(const struct pool *p, double *factor, int64_t *median)
{
	*factor = p->o->straggler_factor;
	*median = p->strag_median;
	return p->o->straggler_factor > 0 &&
	    p->strag_n >= MODEL_STRAGGLER_MIN;
}

/* What-if advice for the pool as it runs now (pool.h). */
bool
pool_advice(const struct pool *p, struct model_advice *a)
{
	int64_t	left = -1, now;
	double	mem, io;

	if (p->hosts != NULL || p->target < 1)
		return false;	/* other machines' cores are not known */
	if (p->total_known && p->total - p->skipped >= p->done + p->failed)
		left = (int64_t)(p->total - p->skipped - p->done - p->failed);
	if (!model_advise(&p->model, p->target, ncpu_online(), left,
	    PT_MAX_WORKERS, a))
		return false;
	/* Memory and I/O pressure, where the kernel gives it. */
	now = mono_ns();
	if (!admit_psi(p->admit, now, ADMIT_PSI_MEMORY, &mem))
		mem = -1;
	if (!admit_psi(p->admit, now, ADMIT_PSI_IO, &io))
		io = -1;
	model_advise_pressure(a, mem, io);
	return true;
}

/* Record a task's last attempt in the pool's model. */
static void
model_task_ended(struct pool *p, int i, struct task *t,
    const struct pt_done *d, int exitval, int sig)
{
	struct model_task	mt;

	memset(&mt, 0, sizeof mt);
	mt.seq = t->seq;
	mt.start_ns = d->start_real_ns;
	mt.wall_ns = d->wall_ns;
	mt.cpu_ns = (d->flags & PT_DONE_NOEXEC) ? 0 : d->user_ns + d->sys_ns;
	/* The largest the worker's samples saw; none: unknown. */
	mt.rss_kb = p->w[i].task_peak_rss > 0 ?
	    (int64_t)(p->w[i].task_peak_rss / 1024) : -1;
	mt.exitval = (d->flags & PT_DONE_NOEXEC) &&
	    !(d->flags & PT_DONE_WORKDIR) ? 127 : exitval;
	mt.signal = sig;
	/* A line's command is made on demand: only for what is kept. */
	mt.command = t->cmdline != NULL || !model_keeps(&p->model, &mt) ?
	    t->cmdline : task_cmdline(t);
	model_add(&p->model, &mt);
	history_task(&p->hist, d->wall_ns);
}

/* The joblog's line (and --results FILE.csv's record) of a finished task. */
static void
joblog_entry_of(struct pool *p, int i, struct task *t, const struct pt_done *d,
    int exitval, int sig, struct joblog_entry *je)
{
	memset(je, 0, sizeof *je);
	je->seq = t->seq;
	je->start_real_ns = d->start_real_ns;
	je->runtime_ns = d->wall_ns;
	je->receive = t->received;
	/*
	 * Send: the bytes pooltop passed on; --pipe-part's tasks read their
	 * range of the file themselves, so 0, as GNU parallel writes.
	 */
	je->send = t->block_keep ? 0 : t->block_len;
	/* GNU parallel records a timed-out task with Exitval -1. */
	je->exitval = (d->flags & PT_DONE_TIMEOUT) ? -1 : exitval;
	je->signal = sig;
	je->command = task_cmdline(t);
	if (p->hosts != NULL && p->w[i].host != HOST_LOCAL)
		je->host = hosts_login(p->hosts, p->w[i].host);
}

/*
 * A task's peak memory: the worker's samples, or what getrusage says of
 * its leader (exact, but blind to what the leader did not wait for), the
 * larger.  --memfree auto learns from the tasks that ended on their own.
 */
static void
fp_ended(struct pool *p, struct wk *w, const struct task *t,
    const struct pt_done *d)
{
	uint64_t	ru;

	ru = d->maxrss_kb > 0 ? (uint64_t)d->maxrss_kb * 1024 : 0;

	if (ru > w->task_peak_rss)
		w->task_peak_rss = ru;
	if (run_cut(t, d->flags) || w->mkill)
		return;
	admit_fp_add(p->admit, w->task_peak_rss);
}

/*
 * --speculate.  Once the input is exhausted and nothing waits to start, a
 * straggler (straggler_tick()) gets a second copy on an idle worker: a
 * task struct of its own (copy), twinned with the first.  It is one task:
 * counted once in running (the copy in extra), one attempt, one output,
 * one joblog line.  The first copy to succeed wins and the other is ended
 * with the termination sequence (loser): its end is neither a failure nor
 * an attempt.  A copy that fails while the other runs is dropped, and the
 * other carries on as the task (promoted, if it was the copy); the task
 * fails, or is retried, only when the copy left fails too.
 */

/* The slot whose worker holds task struct t, or -1. */
static int
task_slot(struct pool *p, const struct task *t)
{
	struct task	*u;
	int		 i;

	for (i = 0; i < p->nw; i++)
		TAILQ_FOREACH(u, &p->w[i].tasks, entry)
			if (u == t)
				return i;
	return -1;
}

/* Does worker w run a copy that may still win? */
static bool
runs_copy(const struct wk *w)
{
	struct task	*t = TAILQ_FIRST(&w->tasks);

	return w->state == W_BUSY && t != NULL && t->copy && !t->loser;
}

/* End slot's task with sig (0: the termination sequence). */
static void
slot_end(struct pool *p, int slot, int sig)
{
	struct pt_kill	k = { sig };

	p->w[slot].paused = false;
	if (xfer_cancel(p->xfer, slot))
		return;	/* its files were being copied */
	send_msg(p, slot, PT_MSG_KILL, &k, sizeof k);
}

/* A copy of task t: the item and command, nothing of the first's run. */
static struct task *
task_copy_of(const struct task *t)
{
	struct task	*c = xcalloc(1, sizeof *c);
	size_t		 k;

	c->seq = t->seq;
	c->arg = xstrdup(t->arg);
	if (t->args != NULL) {
		c->args = xcalloc(t->nargs, sizeof *c->args);
		for (k = 0; k < t->nargs; k++)
			c->args[k] = xstrdup(t->args[k]);
	}
	c->nargs = t->nargs;
	c->command = t->command != NULL ? xstrdup(t->command) : NULL;
	c->named = t->named;
	c->copy = true;
	return c;
}

/* An idle worker a copy may start on, or -1. */
static int
spec_idle(struct pool *p)
{
	struct wk	*w;
	int		 i;

	for (i = 0; i < p->nw; i++) {
		w = &p->w[i];
		if (w->state == W_IDLE && w->ntasks == 0 && !w->retire &&
		    (w->hold_until == 0 || w->hold_until <= mono_ns()))
			return i;
	}
	return -1;
}

/* The straggler that has run longest and may get a copy, or -1. */
static int
spec_candidate(struct pool *p)
{
	struct wk	*w;
	struct task	*t;
	int		 i, best = -1;

	for (i = 0; i < p->nw; i++) {
		w = &p->w[i];
		if (w->state != W_BUSY || !w->straggler || w->retire ||
		    w->paused || w->tstp || w->msusp || w->mkill ||
		    (t = TAILQ_FIRST(&w->tasks)) == NULL || t->copy ||
		    t->loser || t->twin != NULL || t->copied || t->requeue ||
		    t->no_record)
			continue;
		if (best == -1 ||
		    w->task_start_real < p->w[best].task_start_real)
			best = i;
	}
	return best;
}

/*
 * Start copies of stragglers on idle workers, the longest-running first,
 * once the input is exhausted and nothing waits to start (a retry waiting
 * for its delay counts as waiting); as admission allows.
 */
static void
speculate(struct pool *p)
{
	struct task	*t, *c;
	int		 i, j;

	if (!p->o->speculate || p->state != PT_POOL_RUNNING || p->paused ||
	    p->fatal || !p->src_done || !TAILQ_EMPTY(&p->added) ||
	    !TAILQ_EMPTY(&p->ready) || (p->o->keep_open && !p->closed))
		return;
	while ((j = spec_idle(p)) != -1 && (i = spec_candidate(p)) != -1) {
		if (!admit_ok(p, mono_ns()))
			return;
		t = TAILQ_FIRST(&p->w[i].tasks);
		c = task_copy_of(t);
		c->twin = t;
		t->twin = c;
		t->copied = true;
		start_task(p, j, c);
		admit_started(p->admit, mono_ns());
		send_pending(p, j);
	}
}

/* End the copy slot i runs: its task runs on, and nothing failed. */
static void
spec_cancel(struct pool *p, int i, const char *why)
{
	struct task	*c = TAILQ_FIRST(&p->w[i].tasks);

	c->loser = true;
	if (c->twin != NULL)
		c->twin->twin = NULL;
	c->twin = NULL;
	if (p->out != NULL)
		output_copy_drop(p->out, c->seq);
	slot_end(p, i, 0);
	slot_marks(p, i);
	slot_publish(p, i);
	pool_event(p, PT_EV_INFO, i, c->seq, 0, "speculate: copy of task %llu "
	    "in slot %d ended: %s", (unsigned long long)c->seq, i + 1, why);
}

/* Copy c becomes task t's one run: it takes t's attempts and its output. */
static void
spec_promote(struct pool *p, int i, struct task *c, struct task *t)
{
	c->copy = false;
	c->copied = true;
	c->attempts = t->attempts;
	c->attempts_base = t->attempts_base;
	c->faults = t->faults;
	c->stuck = t->stuck;
	c->lost = t->lost;
	c->fkey = t->fkey;
	t->fkey = NULL;
	if (p->out != NULL)
		output_copy_wins(p->out, c->seq);
	if (i >= 0) {
		slot_marks(p, i);
		slot_publish(p, i);
	}
}

/*
 * A dropped or losing run on slot i is no task the worker finished: out
 * of its counts, now (the worker's SLOT that counted it came before its
 * DONE) and in its later SLOTs (slot_uncount()).
 */
static void
spec_uncount(struct pool *p, int i, const struct pt_done *d)
{
	struct wk	*w = &p->w[i];
	uint64_t	*n;

	if (!(d->flags & (PT_DONE_NOEXEC | PT_DONE_REQUEUE)) &&
	    status_ok(d->wstatus)) {
		w->spec_done++;
		n = w->slot != NULL ? &w->slot->tasks_done : NULL;
	} else {
		w->spec_failed++;
		n = w->slot != NULL ? &w->slot->tasks_failed : NULL;
	}
	if (n != NULL && *n > 0) {
		(*n)--;
		slot_publish(p, i);
	}
}

/* Task t's run on slot i won: end the other, which becomes the loser. */
static void
spec_win(struct pool *p, int i, struct task *t)
{
	struct task	*u = t->twin;
	int		 j = task_slot(p, u);
	bool		 by_copy = t->copy;

	t->twin = u->twin = NULL;
	u->loser = true;
	if (by_copy) {
		spec_promote(p, i, t, u);
		p->spec_won++;
	} else if (p->out != NULL)
		output_copy_drop(p->out, t->seq);
	if (j != -1) {
		slot_end(p, j, 0);
		slot_marks(p, j);
		slot_publish(p, j);
	}
	pool_event(p, PT_EV_INFO, i, t->seq, 0, "speculate: task %llu won by "
	    "its %s in slot %d; the %s in slot %d is ended",
	    (unsigned long long)t->seq, by_copy ? "copy" : "first run", i + 1,
	    by_copy ? "first run" : "copy", j + 1);
}

/*
 * Settle the end of task t's run on slot i when it has or had a twin:
 * true when that is all (a loser's end, or a run dropped while its twin
 * runs on), false when t goes on as the task's attempt (it won, or it is
 * alone): task_ended() then logs it.
 */
static bool
spec_settle(struct pool *p, int i, struct task *t, const struct pt_done *d)
{
	struct task	*u = t->twin;
	const char	*how;

	if (t->loser) {
		spec_uncount(p, i, d);
		p->extra--;
		pool_event(p, PT_EV_INFO, i, t->seq, 0, "speculate: task "
		    "%llu's %s in slot %d ended", (unsigned long long)t->seq,
		    t->copy ? "copy" : "first run", i + 1);
		task_free(t);
		return true;
	}
	if (u == NULL)
		return false;
	if (!run_cut(t, d->flags) && status_ok(d->wstatus)) {
		spec_win(p, i, t);
		return false;
	}
	/* It failed or was ended; the other runs on as the task. */
	spec_uncount(p, i, d);
	p->extra--;
	t->twin = u->twin = NULL;
	if (t->copy) {
		if (p->out != NULL)
			output_copy_drop(p->out, t->seq);
	} else
		spec_promote(p, task_slot(p, u), u, t);
	/* Ended by the pool (--memfree, a shrink) before killed by a user. */
	how = (d->flags & PT_DONE_TIMEOUT) ? "timed out" :
	    (t->requeue || t->no_record || (d->flags & PT_DONE_REQUEUE)) ?
	    "was ended" : (d->flags & PT_DONE_KILLED) ? "was killed" :
	    "failed";
	pool_event(p, PT_EV_INFO, i, t->seq, 0, "speculate: task %llu's %s in "
	    "slot %d %s; its %s runs on", (unsigned long long)t->seq,
	    t->copy ? "copy" : "first run", i + 1, how,
	    t->copy ? "first run" : "copy");
	task_free(t);
	return true;
}

/* A task attempt ended: log, retry or finish it. */
static void
task_ended(struct pool *p, int i, const struct pt_done *d)
{
	struct wk		*w = &p->w[i];
	struct task		*t;
	struct joblog_entry	 je;
	int			 exitval = 0, sig = 0;
	bool			 ok, final, oom;

	if ((t = worker_task(w, d->task_seq)) == NULL)
		return;
	TAILQ_REMOVE(&w->tasks, t, entry);
	w->ntasks--;
	fp_ended(p, w, t, d);	/* before the worker's flags are cleared */
	if (p->robin != NULL)
		rr_task_gone(p, i, t);
	if (w->ntasks == 0) {
		straggler_set(p, i, false, 0);
		if (w->msusp)
			p->nsusp--;
		w->paused = w->tstp = w->msusp = w->mkill = false;
		if (w->state == W_BUSY)
			w->state = W_IDLE;
	}
	if (spec_settle(p, i, t, d))
		return;
	p->running--;
	if (d->flags & PT_DONE_REQUEUE)
		t->requeue = true;
	if (p->robin != NULL)		/* its input is gone: no second run */
		t->requeue = false;
	p->task_ns += d->wall_ns;
	if (p->auto_window && !(d->flags & (PT_DONE_REQUEUE | PT_DONE_NOEXEC)))
		window_update(w, d->wall_ns, p->window_max);

	if (d->flags & PT_DONE_WORKDIR)
		exitval = 255;	/* GNU parallel's `cd DIR || exit 255` */
	else if (d->flags & PT_DONE_NOEXEC)
		exitval = 127;
	else if (d->flags & PT_DONE_XFER)
		exitval = 255;
	else if (WIFEXITED(d->wstatus))
		exitval = WEXITSTATUS(d->wstatus);
	else if (WIFSIGNALED(d->wstatus))
		sig = WTERMSIG(d->wstatus);
	ok = !(d->flags & (PT_DONE_NOEXEC | PT_DONE_XFER)) &&
	    status_ok(d->wstatus);
	if (!(d->flags & PT_DONE_REQUEUE) && !t->requeue && !t->no_record)
		admit_ended(p->admit, ok);
	oom = sig == SIGKILL && oom_killed(p, i, t, d->flags);

	if ((d->flags & PT_DONE_NOEXEC) && resource_shortage(d->wstatus) &&
	    p->robin == NULL) {
		task_fault(p, i, t, d->wstatus);
		return;
	}
	if (t->requeue || t->no_record) {
		/* Ended by us (stop, shrink --kill): not the task's fault. */
		if (p->out != NULL)
			output_cancel(p->out, t->seq);
		pool_event(p, PT_EV_TASK_KILLED, i, t->seq, sig,
		    "%s (will run again)", task_label(t));
		t->attempts--;
		t->requeue = t->no_record = false;
		ready_insert(p, t);
		return;
	}
	if (oom && p->o->oom_retry && p->target > 1 && p->robin == NULL) {
		oom_put_back(p, i, t, sig);
		return;
	}

	final = ok || (p->o->retries != 0 &&
	    t->attempts - t->attempts_base >= p->o->retries) ||
	    (d->flags & PT_DONE_KILLED);
	/* The entry is read by the joblog and by records alone. */
	if (final && (p->joblog != NULL || (p->out != NULL &&
	    output_records(p->out))))
		joblog_entry_of(p, i, t, d, exitval, sig, &je);
	if (p->out != NULL && final && output_records(p->out))
		output_result(p->out, &je);
	if (p->out != NULL)
		output_end(p->out, t->seq, final);
	if (!final) {
		int64_t delay;

		delay = backoff_double(RETRY_DELAY_MS, RETRY_DELAY_MAX_MS,
		    t->attempts - t->attempts_base);
		p->retried++;
		t->not_before = mono_ns() + delay * 1000000LL;
		if (oom)
			pool_event(p, PT_EV_TASK_RETRY, i, t->seq, sig,
			    "attempt %d failed (oom-killed), retry in %lldms: "
			    "%s", t->attempts, (long long)delay, task_label(t));
		else
			pool_event(p, PT_EV_TASK_RETRY, i, t->seq,
			    sig ? sig : exitval, "attempt %d failed (%s %d), "
			    "retry in %lldms: %s", t->attempts,
			    sig ? "signal" : "exit", sig ? sig : exitval,
			    (long long)delay, task_label(t));
		TAILQ_INSERT_TAIL(&p->ready, t, entry);
		return;
	}

	if (p->joblog != NULL) {
		if (joblog_write(p->joblog, &je) == -1 && !p->fatal)
			pool_alert(p, SAY_FATAL, i, t->seq, errno,
			    "writing joblog %s: %s", p->o->joblog,
			    strerror(errno));
	}
	model_task_ended(p, i, t, d,
	    (d->flags & PT_DONE_TIMEOUT) ? -1 : exitval, sig);
	if (ok) {
		if (p->o->timeout_pct != 0)	/* its one reader */
			median_add(&p->runtimes, d->wall_ns);
		p->done++;
		if (p->o->persistent == NULL || evsample_take(&p->evs, true))
			pool_event(p, PT_EV_TASK_DONE, i, t->seq, 0, "%s",
			    task_label(t));
		task_hook(p, i, t, d, ok, exitval, sig);
		task_recycle(p, t);
	} else {
		p->failed++;
		if (d->flags & PT_DONE_TIMEOUT)
			pool_event(p, PT_EV_TASK_TIMEOUT, i, t->seq, sig,
			    "timed out after %.3gs: %s",
			    (double)t->timeout_ms / 1000, task_label(t));
		else if (d->flags & PT_DONE_KILLED)
			pool_event(p, PT_EV_TASK_KILLED, i, t->seq, sig,
			    "killed (signal %d): %s", sig, task_label(t));
		else if (d->flags & PT_DONE_XFER)
			pool_event(p, PT_EV_TASK_FAILED, i, t->seq, 255,
			    "its files were not copied: %s", task_label(t));
		else if ((d->flags & PT_DONE_WORKDIR) && t->errtail != NULL)
			pool_event(p, PT_EV_TASK_FAILED, i, t->seq, 255,
			    "%.*s: %s", (int)fail_tail_first_line(t->errtail),
			    t->errtail->b, task_label(t));
		else if (d->flags & PT_DONE_NOEXEC)
			pool_event(p, PT_EV_TASK_FAILED, i, t->seq, 127,
			    "cannot run: %s: %s", strerror(d->wstatus),
			    task_label(t));
		else if (oom) {
			p->oom_killed++;
			pool_event(p, PT_EV_TASK_FAILED, i, t->seq, sig,
			    "oom-killed: %s", task_label(t));
		} else
			pool_event(p, PT_EV_TASK_FAILED, i, t->seq,
			    sig ? sig : exitval, "%s %d: %s",
			    sig ? "signal" : "exit", sig ? sig : exitval,
			    task_label(t));
		task_hook(p, i, t, d, ok, exitval, sig);
		if (t->fkey == NULL)
			t->fkey = xmalloc(sizeof *t->fkey);
		fail_key_set(t->fkey, (d->flags & PT_DONE_TIMEOUT) ? -1 :
		    exitval, sig, t->errtail);
		free(t->errtail);
		t->errtail = NULL;
		task_unpin(t);
		TAILQ_INSERT_TAIL(&p->failed_list, t, entry);
	}
	check_halt(p, ok, sig ? 128 + sig : exitval);
}

/*
 * Count len bytes of standard output of task t (the joblog's Receive);
 * keep the last bytes of its standard error (its failure group's line).
 * t NULL: its worker no longer holds it.
 */
static void
count_received(struct task *t, int stream, const char *b, size_t len)
{
	if (t == NULL)
		return;
	if (stream == 1)
		t->received += len;
	else {
		if (t->errtail == NULL)
			t->errtail = xcalloc(1, sizeof *t->errtail);
		fail_tail_add(t->errtail, b, len);
	}
}

/*
 * Output o of task t (or NULL, as above): a loser's is not printed, a
 * copy's is held apart until one copy is left (pool-output.h).
 */
static void
task_output(struct pool *p, struct task *t, const struct pt_out *o,
    const char *b, size_t len)
{
	if (p->out == NULL || (t != NULL && t->loser))
		return;
	if (t != NULL && t->copy)
		output_copy_data(p->out, o->task_seq, (int)o->stream, b, len);
	else
		output_data(p->out, o->task_seq, (int)o->stream, b, len);
}

/*
 * A worker could not make or enter task t's directory, named after its
 * DONE: that is the attempt's stderr and what its event says.  Where the
 * directory is the task's own (--workdir with replacement strings, or
 * ...), a second line says it with the option as given: the last line,
 * which the summary's failure groups are keyed by, is then the same for
 * every task that failed for one cause (the event says the first).
 */
static void
workdir_said(struct pool *p, struct task *t, const struct pt_done *d,
    const char *s, size_t len)
{
	const char	*dir = proto_string(s, len, 0), *as = p->o->workdir;
	const char	*e = strerror(d->wstatus);
	char		*why;

	if (dir == NULL)
		dir = "?";
	if (as != NULL && strcmp(as, dir) != 0)
		why = xasprintf("--workdir '%s': %s\n--workdir '%s': %s", dir, e,
		    as, e);
	else
		why = xasprintf("--workdir '%s': %s", dir, e);
	count_received(t, 2, why, strlen(why));
	free(why);
}

/*
 * A remote worker's HELLO: check its versions, learn its host's CPUs, send
 * CONF.  A worker of another version is refused, and its host with it.
 */
static void
worker_hello(struct pool *p, int i, const char *pl, size_t len)
{
	struct wk	*w = &p->w[i];
	struct pt_hello	 h;
	struct pt_conf	 c;
	struct buf	 strs = { NULL, 0, 0 };
	const char	*ver, *name = hosts_name(p->hosts, w->host);
	int		 k;

	if (w->host == HOST_LOCAL || w->hello || len < sizeof h)
		return;
	memcpy(&h, pl, sizeof h);
	ver = proto_string(pl + sizeof h, len - sizeof h, 0);
	if (h.version != PT_PROTO_VERSION || ver == NULL ||
	    strcmp(ver, PACKAGE_VERSION) != 0) {
		snprintf(w->errline, sizeof w->errline, "pooltop %s there"
		    " (protocol %u), %s here (protocol %d): install the same"
		    " version, or name it with --remote-pooltop",
		    ver != NULL ? ver : "?", h.version, PACKAGE_VERSION,
		    PT_PROTO_VERSION);
		kill(w->pid, SIGTERM);
		return;
	}
	w->hello = true;
	hosts_worker_hello(p->hosts, w->host, h.ncpu);
	if (p->hosts_auto)
		p->target = hosts_wanted(p->hosts);
	memset(&c, 0, sizeof c);
	c.version = PT_PROTO_VERSION;
	c.slot = (uint32_t)i;
	c.generation = w->generation;
	c.tick_ms = p->o->tick_ms;
	c.nterm = p->o->termseq.n;
	for (k = 0; k < c.nterm && k < PT_CONF_TERM_MAX; k++) {
		c.term_sig[k] = p->o->termseq.sig[k];
		c.term_ms[k] = p->o->termseq.wait_ms[k];
	}
	buf_addstr(&strs, p->o->shell != NULL ? p->o->shell : "/bin/sh");
	buf_add(&strs, "", 1);
	buf_addstr(&strs, name);
	buf_add(&strs, "", 1);
	buf_addstr(&strs, xfer_workdir(p->xfer, &c.flags));
	buf_add(&strs, "", 1);
	/* Persistent mode: the worker runs --init and the program there. */
	if (p->o->persistent != NULL) {
		c.flags |= PT_CONF_PERSISTENT;
		c.max_tasks = p->o->max_tasks_per_worker;
		buf_addstr(&strs, p->o->persistent);
		buf_add(&strs, "", 1);
		if (p->o->init != NULL) {
			c.flags |= PT_CONF_INIT;
			buf_addstr(&strs, p->o->init);
			buf_add(&strs, "", 1);
		}
	}
	proto_put(&w->out, PT_MSG_CONF, &c, sizeof c, strs.data, strs.len);
	buf_free(&strs);
}

/*
 * Handle ANSWERS: each record is the OUT and the DONE of a line, and with
 * PT_ANSWER_NEXT the STARTED of the worker's next one (proto.h).
 */
static void
worker_answers(struct pool *p, int i, const char *pl, size_t len)
{
	struct wk		*w = &p->w[i];
	struct pt_answers	 h;
	struct pt_answer	 a;
	struct pt_out		 o;
	struct pt_done		 d;
	struct task		*t;
	const char		*end = pl + len;
	uint32_t		 k;

	if (len < sizeof h)
		return;
	memcpy(&h, pl, sizeof h);
	pl += sizeof h;
	memset(&o, 0, sizeof o);
	memset(&d, 0, sizeof d);
	for (k = 0; k < h.count; k++) {
		if ((size_t)(end - pl) < sizeof a)
			return;
		memcpy(&a, pl, sizeof a);
		pl += sizeof a;
		if ((size_t)(end - pl) < a.len)
			return;
		o.task_seq = d.task_seq = a.task_seq;
		o.stream = (a.flags & PT_ANSWER_ERROR) ? 2 : 1;
		t = worker_task(w, a.task_seq);
		count_received(t, (int)o.stream, pl, a.len);
		/* It succeeded: its output is final, often printed at once. */
		if (p->out != NULL && (o.stream == 2 || t == NULL || t->copy ||
		    t->loser ||
		    !output_whole(p->out, a.task_seq, 1, pl, a.len)))
			task_output(p, t, &o, pl, a.len);
		pl += a.len;
		d.wstatus = (a.flags & PT_ANSWER_ERROR) ? W_EXITCODE(1, 0) : 0;
		d.start_real_ns = a.start_real_ns;
		d.wall_ns = a.wall_ns;
		if ((t != NULL && t->loser) || p->xfer == NULL ||
		    !xfer_task_after(p, i, &d))
			task_ended(p, i, &d);
		if ((a.flags & PT_ANSWER_NEXT) && w->ntasks > 0) {
			w->task_start_real = a.start_real_ns + a.wall_ns;
			w->task_peak_rss = 0;
			if (p->robin != NULL)
				robin_started(p->robin,
				    TAILQ_FIRST(&w->tasks)->seq);
		}
		worker_task_done(p, i);
	}
}

/* Handle one message from worker i. */
static void
worker_msg(struct pool *p, int i, const struct pt_msg *m, const char *pl)
{
	struct wk		*w = &p->w[i];
	struct pt_done		 d;
	struct pt_out		 o;
	struct pt_started	 st;
	struct task		*t;

	switch (m->type) {
	case PT_MSG_READY:
		if (w->state == W_STARTING)
			w->state = W_IDLE;
		p->init_rounds = 0;	/* --init, if any, worked */
		if (w->retire)
			send_msg(p, i, PT_MSG_RETIRE, NULL, 0);
		break;
	case PT_MSG_STARTED:
		if (m->len < sizeof st)
			break;
		memcpy(&st, pl, sizeof st);
		if (st.pid > 1 && w->host == HOST_LOCAL)
			w->task_pgid = st.pid;	/* a remote pid is not ours */
		w->task_start_real = st.start_real_ns;
		w->task_peak_rss = 0;
		if (p->robin != NULL)
			robin_started(p->robin, st.task_seq);
		break;
	case PT_MSG_OUT:
		if (m->len < sizeof o)
			break;
		memcpy(&o, pl, sizeof o);
		t = worker_task(w, o.task_seq);
		count_received(t, (int)o.stream, pl + sizeof o,
		    m->len - sizeof o);
		task_output(p, t, &o, pl + sizeof o, m->len - sizeof o);
		break;
	case PT_MSG_SLOT:
		slot_message(p, i, pl, m->len);
		break;
	case PT_MSG_HELLO:
		worker_hello(p, i, pl, m->len);
		break;
	case PT_MSG_WHY:
		/* Text; the event log and the dashboard escape it. */
		snprintf(w->why, sizeof w->why, "%.*s", (int)m->len, pl);
		break;
	case PT_MSG_DONE:
		if (m->len < sizeof d)
			break;
		memcpy(&d, pl, sizeof d);
		/* A loser's --return files are not fetched (it lost), but
		   --cleanup cleans its directory. */
		t = worker_task(w, d.task_seq);
		if (d.flags & PT_DONE_WORKDIR)
			workdir_said(p, t, &d, pl + sizeof d,
			    m->len - sizeof d);
		if (!xfer_task_after(p, i, &d))
			task_ended(p, i, &d);
		worker_task_done(p, i);
		break;
	case PT_MSG_ANSWERS:
		worker_answers(p, i, pl, m->len);
		break;
	default:
		break;
	}
}

/* Read from worker i and handle whole messages. */
static void
worker_read(struct pool *p, int i)
{
	struct wk	*w = &p->w[i];
	struct pt_msg	 m;
	const char	*pl;
	size_t		 off;
	ssize_t		 r;
	int		 k;

	for (k = 0; k < 4; k++) {
		r = buf_read(&w->in, w->fd, W_READ);
		if (r > 0) {
			w->heard = mono_ns();
			if ((size_t)r < W_READ)
				break;
			continue;
		}
		if (r == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		/* EOF or error: the worker is going away. */
		close(w->fd);
		w->fd = -1;
		break;
	}
	/* worker_msg() may empty w->in (the worker is gone): off then stops. */
	for (off = 0; proto_next(&w->in, off, &m, &pl) == 1;
	    off += sizeof m + m.len)
		worker_msg(p, i, &m, pl);
	buf_consume(&w->in, off);
	if (off > 0 && w->host != HOST_LOCAL)
		w->answer = true;	/* answer_workers() */
}

/*
 * Answer each remote worker that sent something this turn and was sent
 * nothing back (no RUN): an empty NOP.  Through a Slurm step the worker's
 * output crosses a TCP connection whose sender holds a small segment until
 * the last one is acknowledged (Nagle), and srun acknowledges late
 * (delayed ACK, 40 ms) unless it has something to send back; without an
 * answer a task costs 40 ms there.  Only at the end of a turn, and only
 * with nothing else queued: a NOP just before a RUN would be the small
 * segment that holds the RUN back.
 */
static void
answer_workers(struct pool *p)
{
	struct wk	*w;
	int		 i;

	for (i = 0; i < p->nw; i++) {
		w = &p->w[i];
		if (!w->answer)
			continue;
		w->answer = false;
		if (w->fd == -1 || !w->hello || w->out.len > 0)
			continue;
		proto_put(&w->out, PT_MSG_NOP, NULL, 0, NULL, 0);
		send_pending(p, i);
	}
}

/*
 * Did worker w exit as one whose --init failed (on another machine: its ssh
 * or srun, with the status of the `pooltop worker` there)?
 */
static bool
init_exit(const struct pool *p, const struct wk *w, int wstatus)
{
	return p->o->persistent != NULL && p->o->init != NULL &&
	    w->state == W_STARTING && WIFEXITED(wstatus) &&
	    WEXITSTATUS(wstatus) == PERSIST_EXIT_INIT;
}

/*
 * Worker i failed its --init.  Workers are started again in rounds, the
 * pause between rounds doubling from RESPAWN_DELAY_MS to RETRY_DELAY_MAX_MS
 * (a database that is not up yet, a connection limit), for as long as
 * other workers run tasks.  When INIT_ROUNDS_MAX rounds in a row fail and
 * no worker is running, --init cannot work: the pool stops (exit 255) and
 * the tasks not run stay for --resume.
 */
static void
init_failed(struct pool *p, int i)
{
	int64_t	now = mono_ns(), delay;
	int	k, ready = 0;

	/* The worker said why (PT_MSG_WHY); the first ones are said aloud. */
	pool_alert(p, ++p->init_fails <= INIT_REPORTS_MAX ? SAY_WARN : SAY_LOG,
	    i, 0, PERSIST_EXIT_INIT, "worker %d: %s", i + 1,
	    p->w[i].why[0] != '\0' ? p->w[i].why : "--init failed");
	if (p->init_fails == INIT_REPORTS_MAX && p->o->headless &&
	    !log_on_stderr(p))
		pool_alert(p, SAY_WARN, -1, 0, 0, "--init failed %d times: "
		    "later failures are only in the event log (worker.exit"
		    " status=3)", INIT_REPORTS_MAX);
	if (now >= p->init_round_end) {
		p->init_rounds++;
		delay = backoff_double(RESPAWN_DELAY_MS, RETRY_DELAY_MAX_MS,
		    p->init_rounds);
		p->init_round_end = now + delay * 1000000LL;
	}
	if (p->respawn_after < p->init_round_end)
		p->respawn_after = p->init_round_end;
	for (k = 0; k < p->nw; k++)
		if (k != i && (p->w[k].state == W_IDLE ||
		    p->w[k].state == W_BUSY))
			ready++;
	if (p->init_rounds >= INIT_ROUNDS_MAX && ready == 0 && !p->fatal)
		pool_alert(p, SAY_FATAL, i, 0, 0, "--init failed %d times in a"
		    " row in every worker: stopping", p->init_rounds);
}

/*
 * A remote worker ended (its ssh was reaped): what it ran is put back to
 * run elsewhere, as the host may be gone (at most LOST_MAX times a task,
 * then it counts as a failed attempt: a task that kills its own worker);
 * a worker that never connected counts against its host.
 */
static void
remote_lost(struct pool *p, int i, int wstatus)
{
	struct wk	*w = &p->w[i];
	struct task	*t;
	const char	*name = hosts_name(p->hosts, w->host);
	char		 why[PT_EVENT_TEXT];

	if (w->why[0] != '\0')
		snprintf(why, sizeof why, "%s", w->why);
	else if (w->errline[0] != '\0')
		snprintf(why, sizeof why, "%s", w->errline);
	else
		snprintf(why, sizeof why, "%s exited with status %d",
		    hosts_slurm(p->hosts) ? "srun" : "ssh",
		    WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) :
		    128 + WTERMSIG(wstatus));
	/* A failed --init is said by init_failed(): it did connect. */
	if ((!w->hello || (w->why[0] != '\0' && !init_exit(p, w, wstatus))) &&
	    !w->retire &&
	    p->state != PT_POOL_STOPPING && p->state != PT_POOL_DONE)
		pool_event(p, PT_EV_ERROR, i, 0, 0, "worker %d on %s did not"
		    " connect: %s", i + 1, name, why);
	if (hosts_worker_ended(p->hosts, w->host, w->hello, why) ||
	    (w->hello && hosts_state(p->hosts, w->host) == HOST_DOWN))
		host_is_down(p, w->host);
	if ((t = TAILQ_FIRST(&w->tasks)) != NULL && t->lost < LOST_MAX &&
	    t->twin == NULL && !t->loser && !t->copy &&
	    p->state != PT_POOL_STOPPING) {
		t->lost++;
		t->attempts--;
		pool_event(p, PT_EV_TASK_RETRY, i, t->seq, 0, "worker %d on %s"
		    " lost during task %llu (%s): it runs again", i + 1, name,
		    (unsigned long long)t->seq, why);
		task_end_as(p, i, t->seq, W_EXITCODE(0, SIGKILL),
		    PT_DONE_REQUEUE, 0);
	}
	if (p->hosts_auto)
		p->target = hosts_wanted(p->hosts);
}

/*
 * Remote workers fallen silent (proto.h, PT_SILENT_MS): their machine, or
 * the way to it, is gone, and neither ssh nor srun may say so for minutes
 * (srun waits for Slurm to find the node not responding).  The host is
 * marked down and the worker's ssh or srun killed: it is then lost as any
 * (remote_lost()), its task put back.  A supervisor held up itself
 * (stopped, starved) heard nothing meanwhile: the clocks start again.
 */
static void
silence_tick(void *arg)
{
	struct pool	*p = arg;
	struct wk	*w;
	int64_t		 now = mono_ns();
	int		 i;

	if (p->silence_at != 0 && now - p->silence_at > SILENCE_LATE_NS)
		for (i = 0; i < p->nw; i++)
			p->w[i].heard = now;
	p->silence_at = now;
	for (i = 0; i < p->nw; i++) {
		w = &p->w[i];
		if (w->host == HOST_LOCAL || !w->hello || w->silent ||
		    w->fd == -1 || w->pid <= 0 ||
		    (w->state != W_IDLE && w->state != W_BUSY) ||
		    now - w->heard < (int64_t)PT_SILENT_MS * 1000000)
			continue;
		w->silent = true;
		snprintf(w->errline, sizeof w->errline, "no word from it for"
		    " %d s", PT_SILENT_MS / 1000);
		hosts_set_down(p->hosts, w->host, w->errline);
		host_is_down(p, w->host);
		(void)kill(w->pid, SIGKILL);
	}
}

/*
 * --sshloginfile: read it again if it changed; hosts join (balanced in
 * like the others) and leave (their workers retire after their task).
 */
static void
slf_tick(void *arg)
{
	struct pool	*p = arg;
	struct buf	 said = { NULL, 0, 0 };
	char		*line, *nl;
	int		 h, n;

	if (p->state == PT_POOL_DONE || p->state == PT_POOL_STOPPING ||
	    hosts_reload(p->hosts, &said) == 0) {
		buf_free(&said);
		return;
	}
	buf_add(&said, "", 1);
	for (line = said.data; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		pool_event(p, PT_EV_INFO, -1, 0, 0, "%s", line);
	}
	buf_free(&said);
	n = hosts_count(p->hosts) + 1;
	if (n > p->nhost_said) {
		p->host_said = xreallocarray(p->host_said, (size_t)n,
		    sizeof *p->host_said);
		memset(p->host_said + p->nhost_said, 0,
		    (size_t)(n - p->nhost_said) * sizeof *p->host_said);
		p->nhost_said = n;
	}
	for (h = 0; h < hosts_count(p->hosts); h++) {
		if (hosts_gone(p->hosts, h))
			retire_surplus(p, h, 0, false);
		if (hosts_state(p->hosts, h) == HOST_DOWN)
			host_is_down(p, h);
	}
	if (p->hosts_auto)
		p->target = hosts_wanted(p->hosts);
	balance_workers(p);
	pool_dispatch(p);
}

/* Host h is down: say so once; with no host left, stop. */
static void
host_is_down(struct pool *p, int h)
{
	if (h >= p->nhost_said || p->host_said[h])
		return;
	p->host_said[h] = true;
	if (p->hosts_auto)
		p->target = hosts_wanted(p->hosts);
	if (hosts_gone(p->hosts, h))
		pool_event(p, PT_EV_INFO, -1, 0, 0, "host %s has left the pool",
		    hosts_login(p->hosts, h));
	else
		pool_alert(p, SAY_WARN, -1, 0, 0, "host %s is down: %s",
		    hosts_login(p->hosts, h), hosts_why(p->hosts, h));
	if (hosts_all_down(p->hosts) && !p->fatal)
		pool_alert(p, SAY_FATAL, -1, 0, 0, "no host is left to run"
		    " workers on: stopping, the tasks not run are left for"
		    " --resume");
}

/* A worker process was reaped. */
static void
worker_reaped(struct pool *p, int i, int wstatus)
{
	struct wk		*w = &p->w[i];
	struct task		*t;

	if (w->fd != -1)
		worker_read(p, i);
	if (w->errfd != -1) {
		worker_err(w->errfd, POLLIN, w);
		if (w->errfd != -1) {
			loop_set(p->loop, w->errwatch, -1, 0);
			close(w->errfd);
			w->errfd = -1;
		}
	}
	if (w->host != HOST_LOCAL)
		remote_lost(p, i, wstatus);
	/*
	 * Its task may live on in its own group: end it.  The group is the
	 * one the worker told us it started, never one read from the
	 * segment, which any process of the user can write.
	 */
	if (w->ntasks > 0 && w->task_pgid > 1)
		killpg(w->task_pgid, SIGKILL);
	w->task_pgid = 0;
	if ((t = TAILQ_FIRST(&w->tasks)) != NULL) {
		/* The oldest was running: a failed attempt. */
		pool_event(p, PT_EV_ERROR, i, t->seq, 0,
		    "worker %d (pid %ld) died during task %llu", i + 1,
		    (long)w->pid, (unsigned long long)t->seq);
		task_end_as(p, i, t->seq, W_EXITCODE(0, SIGKILL), 0,
		    w->task_start_real);
	}
	/* The rest never ran: back to the queue, newest first. */
	while ((t = TAILQ_LAST(&w->tasks, tasklist)) != NULL)
		task_end_as(p, i, t->seq, W_EXITCODE(0, SIGKILL),
		    PT_DONE_REQUEUE, 0);
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
	buf_free(&w->in);
	buf_free(&w->out);
	proto_batch_close(&w->lines);
	if (!w->retire && p->state != PT_POOL_STOPPING &&
	    p->state != PT_POOL_DONE && mono_ns() - w->started_ns < PT_NSEC)
		p->respawn_after = mono_ns() + RESPAWN_DELAY_MS * 1000000LL;
	if (init_exit(p, w, wstatus) && !w->retire &&
	    p->state != PT_POOL_STOPPING && p->state != PT_POOL_DONE)
		init_failed(p, i);
	pool_event(p, PT_EV_WORKER_EXIT, i, 0,
	    WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus),
	    "worker %d exited (pid %ld)", i + 1, (long)w->pid);
	slot_lifecycle(p, i, PT_SLOT_EXITED);
	w->state = W_FREE;
	w->pid = 0;
	w->retire = false;
	p->live--;
}

/*
 * A child of ours was stopped (a task's `kill -STOP $PPID`, a debugger):
 * a stopped worker would hold its task past its timeout and the pool past
 * every stop, so continue it at once, and say so (once per worker).
 */
static void
child_stopped(struct pool *p, int i, pid_t pid, int sig)
{
	kill(pid, SIGCONT);
	if (i < 0 || p->w[i].stops++ > 0)
		return;
	pool_event(p, PT_EV_INFO, i, 0, sig, "worker %d (pid %ld) was stopped"
	    " by signal %d: continued", i + 1, (long)pid, sig);
}

/* The slot of our worker pid, or -1. */
static int
worker_slot(struct pool *p, pid_t pid)
{
	int	i;

	for (i = 0; i < p->nw; i++)
		if (p->w[i].pid == pid && p->w[i].state != W_FREE)
			return i;
	return -1;
}

/*
 * We are a child subreaper, and fork nothing but the keeper, the
 * workers and the hooks: any other child of ours is what a worker that
 * died left (its task's daemons, then their children as each dies) or a
 * hook left behind.  Nobody else will end it: SIGKILL it, and its group
 * when it leads one.
 */
static void
sweep_orphans(struct pool *p)
{
	pid_t	kids[256];
	int	n, i;

	n = procstat_children(kids, (int)nitems_of(kids));
	for (i = 0; i < n; i++) {
		if (kids[i] <= 1 || kids[i] == keeper_pid() ||
		    worker_slot(p, kids[i]) != -1 ||
		    hosts_is_master(p->hosts, kids[i]) ||
		    hooks_own(p->hooks, kids[i]) || xfer_own(p->xfer, kids[i]))
			continue;
		if (getpgid(kids[i]) == kids[i])
			killpg(kids[i], SIGKILL);
		kill(kids[i], SIGKILL);
	}
}

/* Reap every child that has ended; continue any that was stopped. */
static void
reap(struct pool *p)
{
	struct xfer_done xd;
	pid_t	pid;
	int	st, i;
	bool	sweep = false;

	while ((pid = waitpid(-1, &st, WNOHANG | WUNTRACED)) > 0) {
		i = worker_slot(p, pid);
		if (WIFSTOPPED(st))
			child_stopped(p, i, pid, WSTOPSIG(st));
		else if (hooks_reaped(p->hooks, pid, st))
			continue;
		else if (xfer_reaped(p->xfer, pid, st, &xd))
			xfer_ended(p, &xd);
		else if (hosts_reaped(p->hosts, pid, st)) {
			for (i = 0; i < hosts_count(p->hosts); i++)
				if (hosts_state(p->hosts, i) == HOST_DOWN)
					host_is_down(p, i);
		} else if (i != -1) {
			sweep = sweep || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 0 || !p->w[i].retire;
			worker_reaped(p, i, st);
		} else if (pid != keeper_pid())
			sweep = true;	/* an orphan we adopted */
	}
	if (sweep)
		sweep_orphans(p);
}

/* Pause or resume one slot's run of its task. */
static int
slot_pause_one(struct pool *p, int slot, bool pause, struct buf *why)
{
	struct wk	*w;

	if (slot >= PT_MAX_WORKERS || p->w[slot].state != W_BUSY)
		return refuse(why, "no task runs in slot %d", slot + 1);
	w = &p->w[slot];
	if (!pause && w->msusp) {
		/* The operator's word wins; memory is looked at again. */
		w->msusp = false;
		p->nsusp--;
		w->paused = true;
	}
	if (w->paused == pause)
		return 0;
	w->paused = pause;
	send_msg(p, slot, pause ? PT_MSG_PAUSE : PT_MSG_RESUME, NULL, 0);
	pool_event(p, pause ? PT_EV_PAUSE : PT_EV_RESUME, slot,
	    TAILQ_FIRST(&w->tasks)->seq, 0, "task %s in slot %d",
	    pause ? "paused" : "resumed", slot + 1);
	return 0;
}

/* Pause or resume one slot's task: both its copies (--speculate). */
static int
slot_pause(struct pool *p, int slot, bool pause, struct buf *why)
{
	struct task	*t;
	int		 j;

	if (slot_pause_one(p, slot, pause, why) == -1)
		return -1;
	if ((t = TAILQ_FIRST(&p->w[slot].tasks)) != NULL && t->twin != NULL &&
	    (j = task_slot(p, t->twin)) != -1)
		(void)slot_pause_one(p, j, pause, NULL);
	return 0;
}

/* Pause (pause) or resume the pool or one slot's task. */
int
pool_pause(struct pool *p, int slot, bool pause, struct buf *why)
{
	int	i;

	if (slot >= 0)
		return slot_pause(p, slot, pause, why);
	if (pause) {
		if (p->paused)
			return 0;
		p->paused = true;
		if (p->state == PT_POOL_RUNNING)
			p->state = PT_POOL_PAUSED;
	}
	for (i = 0; i < p->nw; i++)
		if (p->w[i].state == W_BUSY && p->w[i].paused != pause) {
			p->w[i].paused = pause;
			/* --memsuspend's stay stopped until it resumes them. */
			if (!p->w[i].msusp)
				send_msg(p, i, pause ? PT_MSG_PAUSE :
				    PT_MSG_RESUME, NULL, 0);
		}
	if (!pause) {
		if (!p->paused)
			return 0;
		p->paused = false;
		if (p->state == PT_POOL_PAUSED)
			p->state = PT_POOL_RUNNING;
	}
	pool_event(p, pause ? PT_EV_PAUSE : PT_EV_RESUME, -1, 0, 0,
	    "pool %s", pause ? "paused" : "resumed");
	return 0;
}

/*
 * End slot's task with sig (0: the termination sequence); it fails.  Its
 * other copy (--speculate) is ended too: the task is killed, not a run.
 */
int
pool_kill(struct pool *p, int slot, int sig, struct buf *why)
{
	struct task	*t;
	int		 j;

	if (slot < 0 || slot >= PT_MAX_WORKERS || p->w[slot].state != W_BUSY)
		return refuse(why, "no task runs in slot %d", slot + 1);
	if ((t = TAILQ_FIRST(&p->w[slot].tasks)) != NULL && t->twin != NULL &&
	    (j = task_slot(p, t->twin)) != -1)
		slot_end(p, j, sig);
	slot_end(p, slot, sig);
	return 0;
}

/* Set the worker count; surplus workers finish first unless kill. */
int
pool_resize(struct pool *p, int n, bool kill, struct buf *why)
{
	int	old = p->target;

	if (n < 1 || n > PT_MAX_WORKERS)
		return refuse(why, "worker count must be between 1 and %d"
		    " (got %d)", PT_MAX_WORKERS, n);
	if (p->fd_cap > 0 && n > p->fd_cap)
		n = p->fd_cap;		/* the open file limit */
	p->target = n;
	p->hosts_auto = false;	/* the operator's size, on every host */
	retire_surplus(p, HOST_ANY, n, kill);
	balance_workers(p);
	if (n != old)
		pool_event(p, PT_EV_RESIZE, -1, 0, n, "pool resized from %d to"
		    " %d workers%s", old, n, kill && n < old ? " (kill)" : "");
	return 0;
}

/* Start nothing new; let running tasks finish, then end. */
int
pool_resize_host(struct pool *p, const char *name, int n, bool kill,
    struct buf *why)
{
	int	h, old;

	if (p->hosts == NULL || (h = hosts_find(p->hosts, name)) == HOST_NONE)
		return refuse(why, "no host %s in this pool", name);
	if (hosts_state(p->hosts, h) == HOST_DOWN || hosts_gone(p->hosts, h))
		return refuse(why, "host %s is %s", name,
		    hosts_gone(p->hosts, h) ? "leaving" : "down");
	if (n < 0 || n > PT_MAX_WORKERS)
		return refuse(why, "worker count must be between 0 and %d"
		    " (got %d)", PT_MAX_WORKERS, n);
	old = hosts_slots(p->hosts, h);
	hosts_set_slots(p->hosts, h, n);
	if (hosts_wanted(p->hosts) < 1) {
		hosts_set_slots(p->hosts, h, old);
		return refuse(why, "the pool would have no worker left");
	}
	p->hosts_auto = true;	/* each host's own size again */
	p->target = hosts_wanted(p->hosts);
	retire_surplus(p, h, n, kill);
	balance_workers(p);
	pool_event(p, PT_EV_RESIZE, -1, 0, n, "host %s resized from %d to %d"
	    " workers%s", name, old, n, kill && n < old ? " (kill)" : "");
	return 0;
}

int
pool_host_workers(struct pool *p, const char *name)
{
	int	h;

	if (p->hosts == NULL || (h = hosts_find(p->hosts, name)) == HOST_NONE)
		return -1;
	return hosts_slots(p->hosts, h) >= 0 ? hosts_slots(p->hosts, h) :
	    hosts_live(p->hosts, h);
}

int
pool_drain(struct pool *p, struct buf *why)
{
	(void)why;
	if (p->state == PT_POOL_DRAINING || p->state == PT_POOL_STOPPING ||
	    p->state == PT_POOL_DONE)
		return 0;
	p->state = PT_POOL_DRAINING;
	if (p->paused)
		pool_pause(p, -1, false, NULL);
	pool_event(p, PT_EV_DRAIN, -1, 0, 0, "draining: no new tasks, %llu"
	    " running", (unsigned long long)p->running);
	return 0;
}

/* End the run: running tasks get the termination sequence (or KILL). */
int
pool_stop(struct pool *p, bool now, struct buf *why)
{
	struct pt_kill	 k = { 0 };
	int		 i;

	if (now && p->state == PT_POOL_STOPPING)
		k.sig = SIGKILL;
	(void)why;
	if (p->state == PT_POOL_DONE)
		return 0;
	p->state = PT_POOL_STOPPING;
	p->paused = false;
	for (i = 0; i < p->nw; i++) {
		struct wk *w = &p->w[i];

		struct task *t;

		if (w->state != W_BUSY || w->ntasks == 0)
			continue;
		/* Cut short, not run: no joblog line, --resume runs it. */
		TAILQ_FOREACH(t, &w->tasks, entry)
			t->no_record = true;
		send_msg(p, i, PT_MSG_KILL, &k, sizeof k);
	}
	pool_event(p, PT_EV_STOP, -1, 0, k.sig, "stopping: %llu running task%s"
	    " ended%s", (unsigned long long)p->running,
	    p->running == 1 ? "" : "s",
	    k.sig == SIGKILL ? " with SIGKILL" : "");
	return 0;
}

/* A failed task's item: its argument, or its arguments joined by spaces. */
static char *
task_item(const struct task *t)
{
	struct buf	b = { NULL, 0, 0 };
	size_t		i;

	if (t->args == NULL || t->nargs == 0)
		return xstrdup(t->arg != NULL ? t->arg : "");
	for (i = 0; i < t->nargs; i++)
		buf_printf(&b, "%s%s", i > 0 ? " " : "", t->args[i]);
	buf_add(&b, "", 1);
	return b.data;
}

/* The failure groups of the tasks that failed for good; how many. */
size_t
pool_failures(struct pool *p, struct fail_group **groups)
{
	struct fail_member	*m;
	struct task		*t;
	size_t			 n = 0, i, ng;

	TAILQ_FOREACH(t, &p->failed_list, entry)
		n++;
	m = xcalloc(n > 0 ? n : 1, sizeof *m);
	i = 0;
	TAILQ_FOREACH(t, &p->failed_list, entry) {
		m[i].key = t->fkey;
		m[i].seq = t->seq;
		m[i].item = task_item(t);
		m[i++].command = task_cmdline(t);
	}
	ng = fail_group(m, n, groups);
	for (i = 0; i < n; i++)
		free((char *)m[i].item);
	free(m);
	return ng;
}

/* Queue a failed task again: new attempts, --retries of them. */
static void
retry_one(struct pool *p, struct task *t)
{
	TAILQ_REMOVE(&p->failed_list, t, entry);
	t->attempts_base = t->attempts;
	t->not_before = 0;
	TAILQ_INSERT_TAIL(&p->ready, t, entry);
	p->failed--;
}

/* Queue the tasks of failure group (1-based; 0: all) again. */
int
pool_retry_group(struct pool *p, size_t group, struct buf *why)
{
	struct fail_group	*g = NULL;
	struct task		*t, *next;
	size_t			 ng = 0;
	uint64_t		 n = 0;

	if (p->state != PT_POOL_RUNNING && p->state != PT_POOL_PAUSED)
		return refuse(why, "the pool is %s",
		    shm_pool_state_name(p->state));
	if (group > 0 && group > (ng = pool_failures(p, &g))) {
		fail_groups_free(g, ng);
		return refuse(why, "no failure group %zu (there %s %zu)",
		    group, ng == 1 ? "is" : "are", ng);
	}
	TAILQ_FOREACH_SAFE(t, &p->failed_list, entry, next)
		if (group == 0 || fail_key_same(t->fkey, &g[group - 1].key)) {
			retry_one(p, t);
			n++;
		}
	fail_groups_free(g, ng);
	pool_event(p, PT_EV_INFO, -1, 0, 0, "%llu failed task%s queued again",
	    (unsigned long long)n, n == 1 ? "" : "s");
	if (why)
		buf_printf(why, "%llu failed task%s queued again\n",
		    (unsigned long long)n, n == 1 ? "" : "s");
	return 0;
}

/* Why the pool takes no items now, or NULL. */
static const char *
add_refusal(struct pool *p)
{
	if (p->state == PT_POOL_DRAINING)
		return "the pool is draining: it takes no new items";
	if (p->state == PT_POOL_STOPPING || p->state == PT_POOL_DONE ||
	    p->fatal)
		return "the pool is stopping: it takes no new items";
	if (p->closed)
		return "the pool is closed (ctl close): it takes no new items";
	if (p->o->pipe)
		return "the pool reads blocks (--pipe): it takes no items";
	return NULL;
}

/* Queue n items after the last; all or none. */
int
pool_add(struct pool *p, char **items, size_t n, struct buf *why)
{
	struct task	*t;
	const char	*no;
	size_t		 i, bytes = 0;

	for (i = 0; i < n; i++)
		bytes += strlen(items[i]);
	if ((no = add_refusal(p)) != NULL)
		return refuse(why, "%s\n", no);
	if (p->nadded + n > POOL_ADD_MAX_ITEMS ||
	    p->added_bytes + bytes > POOL_ADD_MAX_BYTES)
		return refuse(why, "too much waiting to start: %zu added "
		    "items, %zu bytes (at most %d items, %d bytes); try again "
		    "once some have started\n", p->nadded, p->added_bytes,
		    POOL_ADD_MAX_ITEMS, POOL_ADD_MAX_BYTES);
	for (i = 0; i < n; i++) {
		t = xcalloc(1, sizeof *t);
		t->arg = xstrdup(items[i]);
		TAILQ_INSERT_TAIL(&p->added, t, entry);
	}
	p->nadded += n;
	p->added_bytes += bytes;
	if (p->total_known)
		p->total += n;
	pool_event(p, PT_EV_INFO, -1, 0, 0, "%zu item%s added, %zu waiting",
	    n, n == 1 ? "" : "s", p->nadded);
	buf_printf(why, "%zu item%s added\n", n, n == 1 ? "" : "s");
	return 0;
}

/* Whether the pool takes items: the header's input (shm.h). */
static uint32_t
pool_input(struct pool *p)
{
	uint32_t	flag = p->o->keep_open ? PT_INPUT_KEEP_OPEN_FLAG : 0;

	if (p->closed)
		return PT_INPUT_CLOSED | flag;
	if (add_refusal(p) != NULL)
		return PT_INPUT_STOPPING | flag;
	return (p->o->keep_open ? PT_INPUT_KEEP_OPEN : PT_INPUT_SOURCE) | flag;
}

/* Take no more items; queued ones run, then the pool ends. */
int
pool_close(struct pool *p, struct buf *why)
{
	(void)why;
	if (p->closed || add_refusal(p) != NULL)
		return 0;
	p->closed = true;
	pool_event(p, PT_EV_INFO, -1, 0, 0, "input closed: %llu running, "
	    "the queued tasks run, then the pool ends",
	    (unsigned long long)p->running);
	return 0;
}

/* Ctrl-Z: stop every running task and then ourselves. */
static void
suspend_all(struct pool *p)
{
	int	i;

	for (i = 0; i < p->nw; i++)
		if (p->w[i].state == W_BUSY && !p->w[i].paused &&
		    !p->w[i].msusp) {
			p->w[i].tstp = true;
			send_msg(p, i, PT_MSG_PAUSE, NULL, 0);
			flush_worker(p, i);
		}
	hooks_suspend(p->hooks, true);
	kill(getpid(), SIGSTOP);
}

/* SIGCONT: resume what our SIGTSTP stopped. */
static void
resume_all(struct pool *p)
{
	int	i;

	for (i = 0; i < p->nw; i++)
		if (p->w[i].state == W_BUSY && p->w[i].tstp) {
			p->w[i].tstp = false;
			send_msg(p, i, PT_MSG_RESUME, NULL, 0);
		}
	hooks_suspend(p->hooks, false);
}

/*
 * Handle one signal from the loop's signalfd.  The front ends' hooks for
 * SIGTSTP, SIGTTIN and SIGTTOU run before this one, those for SIGCONT
 * after (see pool.h).
 */
static void
handle_signal(int sig, void *arg)
{
	struct pool	*p = arg;

	if (p->state == PT_POOL_DONE && (sig == SIGINT || sig == SIGTERM ||
	    sig == SIGQUIT))
		hooks_stop(p->hooks);	/* the pool is over: end its hooks */
	switch (sig) {
	case SIGCHLD:
		reap(p);
		break;
	case SIGUSR1:
		pool_resize(p, p->target + 1, false, NULL);
		break;
	case SIGUSR2:
		if (p->target > 1)
			pool_resize(p, p->target - 1, false, NULL);
		break;
	case SIGHUP:
		pool_drain(p, NULL);
		break;
	case SIGINT:
	case SIGTERM:
	case SIGQUIT:
		if (p->stop_sig == 0)
			p->stop_sig = sig;
		pool_stop(p, true, NULL);
		break;
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		suspend_all(p);
		break;
	case SIGCONT:
		resume_all(p);
		break;
	default:
		break;
	}
}

/* Is the run over? */
static bool
finished(struct pool *p)
{
	if (p->running > 0 || p->extra > 0)
		return false;
	if (p->state == PT_POOL_STOPPING || p->state == PT_POOL_DRAINING ||
	    p->fatal)
		return true;
	if (!p->src_done || !TAILQ_EMPTY(&p->added) || !TAILQ_EMPTY(&p->ready))
		return false;
	return !p->o->keep_open || p->closed;
}

/* --keep-open: say once each time the pool runs dry that it waits. */
static void
say_idle(struct pool *p)
{
	if (!p->o->keep_open || p->closed || p->idle_said || p->running > 0 ||
	    !p->src_done || !TAILQ_EMPTY(&p->added) || !TAILQ_EMPTY(&p->ready)
	    || p->state != PT_POOL_RUNNING)
		return;
	p->idle_said = true;
	pool_event(p, PT_EV_INFO, -1, 0, 0, "waiting for items: pooltop ctl %ld"
	    " add ITEM... queues them, ctl %ld close ends the pool",
	    (long)getpid(), (long)getpid());
}

/* Call cb once the pool has ended. */
void
pool_at_exit(struct pool *p, pool_cb cb, void *arg)
{
	p->exits = xreallocarray(p->exits, p->nexits + 1, sizeof *p->exits);
	p->exits[p->nexits++] = (struct exit_hook){ cb, arg };
}

/* Keep a recent task rate (tasks per second). */
static void
rate_tick(void *arg)
{
	struct pool	*p = arg;
	int64_t		 now = mono_ns();
	uint64_t	 fin = p->done + p->failed;

	if (p->rate_ns != 0 && now > p->rate_ns) {
		double inst = (double)(fin - p->rate_done) * 1e9 /
		    (double)(now - p->rate_ns);

		p->rate = p->rate == 0 ? inst : 0.7 * p->rate + 0.3 * inst;
	}
	p->rate_done = fin;
	p->rate_ns = now;
}

/* Sample the pool for the history: tasks running, their CPU and memory. */
static void
history_tick_cb(void *arg)
{
	struct pool	*p = arg;
	uint64_t	 cpu = 0, rss = 0;
	int		 i;

	for (i = 0; i < p->nw; i++) {
		const struct pt_shm_slot *s = p->w[i].slot;

		if (p->w[i].state != W_BUSY || s == NULL || s->task_seq == 0)
			continue;
		cpu += s->cpu_permille;
		rss += s->rss_bytes;
	}
	history_tick(&p->hist, real_ns(), (uint32_t)p->running, cpu, rss);
	history_publish(&p->hist, &p->shm, false);
}

/* Keep the count of OOM kills a task's start is compared with. */
static void
oom_tick(void *arg)
{
	struct pool	*p = arg;

	(void)admit_oom_kills(p->admit, &p->oom_seen);
}

/* Earliest retry or respawn deadline still to come, mono ns (0: none). */
static int64_t
deadline_at(struct pool *p)
{
	struct task	*t;
	int64_t		 now = mono_ns(), best = 0;
	int		 i;

	TAILQ_FOREACH(t, &p->ready, entry)
		if (t->not_before > now && (best == 0 || t->not_before < best))
			best = t->not_before;
	if (p->respawn_after > now && (best == 0 || p->respawn_after < best))
		best = p->respawn_after;
	if (p->admit_at > now && (best == 0 || p->admit_at < best))
		best = p->admit_at;
	for (i = 0; i < p->nw; i++)
		if (p->w[i].hold_until > now &&
		    (best == 0 || p->w[i].hold_until < best))
			best = p->w[i].hold_until;
	if (p->hosts_next != 0 && (best == 0 || p->hosts_next < best))
		best = p->hosts_next;
	return best;
}

/* A worker's socket is ready: write what waits, read what came. */
static void
worker_ready(int fd, short revents, void *arg)
{
	struct wk	*w = arg;
	struct pool	*p = w->pool;
	int		 i = (int)(w - p->w);

	(void)fd;
	if (revents & POLLOUT)
		flush_worker(p, i);
	if (revents & (POLLIN | POLLHUP | POLLERR) && w->fd != -1)
		worker_read(p, i);
}

/* The source's fd is ready. */
static void
source_ready(int fd, short revents, void *arg)
{
	struct pool	*p = arg;

	(void)fd;
	(void)revents;
	source_fill(p->src);
}

/* One turn of the loop, on what the pool waits for now. */
static void
wait_once(struct pool *p)
{
	int	i, srcfd;

	srcfd = p->src_wait && !p->src_done && p->src != NULL ?
	    source_fd_get(p->src) : -1;
	loop_set(p->loop, p->src_watch, srcfd, POLLIN);
	for (i = 0; i < p->nw; i++) {
		struct wk *w = &p->w[i];

		if (w->watch != -1)
			loop_set(p->loop, w->watch, w->fd,
			    POLLIN | (w->out.len ? POLLOUT : 0));
	}
	loop_timer_at(p->loop, p->deadline, deadline_at(p));
	(void)loop_once(p->loop);
}

/* Route our signals through the loop's signalfd; watch the source. */
static int
setup_signals(struct pool *p)
{
	size_t	i;

	for (i = 0; i < nitems_of(handled_signals); i++)
		if (loop_signal(p->loop, handled_signals[i], handle_signal,
		    p) == -1)
			return -1;
	signal(SIGPIPE, SIG_IGN);
	p->src_watch = loop_add(p->loop, -1, 0, source_ready, p);
	p->deadline = loop_timer(p->loop, NULL, NULL);	/* pool_run() acts */
	(void)loop_every(p->loop, 1000, rate_tick, p);
	(void)loop_every(p->loop, HISTORY_TICK_MS, history_tick_cb, p);
	return 0;
}

/* Open the joblog and output; read the past joblog for --resume. */
static int
setup_io(struct pool *p, int out_fd, int err_fd, char *err, size_t errlen)
{
	const struct opts	*o = p->o;

	if (o->joblog != NULL && (o->resume || o->resume_failed ||
	    o->retry_failed)) {
		p->past = joblog_read(o->joblog, err, errlen);
		if (p->past == NULL)
			return -1;
	}
	if (o->joblog != NULL) {
		p->joblog = joblog_open(o->joblog, p->past != NULL, err,
		    errlen);
		if (p->joblog == NULL)
			return -1;
	}
	if (o->retry_failed && p->past != NULL)
		p->retry_n = joblog_past_failed(p->past, &p->retry_seqs,
		    &p->retry_cmds);
	p->out = output_new(o, out_fd, err_fd, err, errlen);
	return p->out == NULL ? -1 : 0;
}

/*
 * A --halt percentage needs the total: read a pipe to its end before the
 * first task starts, as GNU parallel does, and queue every item.  A signal
 * to the supervisor ends the wait; the total then stays unknown.
 */
static void
read_all_items(struct pool *p)
{
	struct tasklist	 all = TAILQ_HEAD_INITIALIZER(all);
	struct task	*t;

	while (!p->src_done) {
		p->src_wait = false;
		if ((t = next_task(p)) != NULL) {
			p->total = t->seq;
			TAILQ_INSERT_TAIL(&all, t, entry);
			continue;
		}
		if (!p->src_wait)
			break;
		if (loop_wait(p->loop, source_fd_get(p->src)) != 1)
			break;		/* a signal: the loop reads it */
		source_fill(p->src);
	}
	p->src_wait = false;
	p->total_known = p->src_done && !p->fatal;
	TAILQ_CONCAT(&p->ready, &all, entry);
}

/* Compile the command template, if there is one; 0 or -1 and err. */
static int
setup_template(struct pool *p, char *err, size_t errlen)
{
	const struct opts	*o = p->o;

	if (o->tagstring != NULL &&
	    (p->tagtpl = input_tag_compile(o->tagstring, err, errlen)) == NULL)
		return -1;
	if (o->persistent != NULL && o->command != NULL)
		/* Persistent mode sends lines: substitute, never quote. */
		p->tpl = o->command_argv != NULL ?
		    template_compile_argv(o->command_argv, o->command_argc,
		    err, errlen) :
		    template_compile_argv(&o->command, 1, err, errlen);
	else if (o->command_argv != NULL)
		p->tpl = (o->pipe && !o->pipe_cat && !o->pipe_fifo ?
		    template_compile_argv_bare : template_compile_argv)(
		    o->command_argv, o->command_argc, err, errlen);
	else if (o->command != NULL)
		p->tpl = (o->pipe && !o->pipe_cat && !o->pipe_fifo ?
		    template_compile_bare : template_compile)(o->command, err,
		    errlen);
	else
		return 0;
	if (p->tpl == NULL || template_check_pos(p->tpl, opts_max_pos(o),
	    err, errlen) == -1 ||
	    input_template_mode(p->tpl, o, err, errlen) == -1)
		return -1;
	return 0;
}

/*
 * --workdir for the tasks on this machine, when it may have some.  A
 * --persistent program's directory is made now: a program that cannot
 * start there is a pool that cannot run.  0 or -1 and err.
 */
static int
setup_workdir(struct pool *p, char *err, size_t errlen)
{
	const char	*d;
	uint32_t	 flags;
	bool		 temp;
	int		 error;

	if (p->hosts != NULL && hosts_slots(p->hosts, HOST_LOCAL) == 0 &&
	    p->o->slf == NULL)
		return 0;	/* every task on another host */
	if ((p->wd = workdir_new(p->o, err, errlen)) == NULL)
		return err[0] != '\0' ? -1 : 0;
	d = workdir_fixed(p->wd, &flags, &temp);
	if (p->o->persistent != NULL && d != NULL &&
	    (error = workdir_make(d)) != 0) {
		snprintf(err, errlen, "--workdir '%s': %s", d,
		    strerror(error));
		return -1;
	}
	return 0;
}

/* Prepare the segment, signals and I/O; 0 or -1 and the reason in err. */
int
pool_setup(struct pool *p, int out_fd, int err_fd, char *err, size_t errlen)
{
	const struct opts	*o = p->o;

	if (setup_template(p, err, errlen) == -1)
		return -1;
	if ((p->hosts = hosts_new(o, err, errlen)) == NULL && err[0] != '\0')
		return -1;
	if (p->hosts != NULL) {
		p->hosts_auto = true;
		p->target = hosts_wanted(p->hosts);
		p->nhost_said = hosts_count(p->hosts) + 1;
		p->host_said = xcalloc((size_t)p->nhost_said,
		    sizeof *p->host_said);
		if (o->slf != NULL)
			(void)loop_every(p->loop, SLF_CHECK_MS, slf_tick, p);
		(void)loop_every(p->loop, SILENCE_CHECK_MS, silence_tick, p);
	}
	if ((p->xfer = xfer_new(o, p->hosts, err, errlen)) == NULL &&
	    err[0] != '\0')
		return -1;
	if (setup_workdir(p, err, errlen) == -1)
		return -1;
	if ((p->hooks = hooks_new(p->loop, o, err_fd, hook_say, p, err,
	    errlen)) == NULL)
		return -1;
	if ((p->admit = admit_new(&o->admit, err, errlen)) == NULL)
		return -1;
	if (admit_wanted(&o->admit))
		(void)loop_every(p->loop, ADMIT_SAMPLE_MS, admit_tick, p);
	(void)admit_oom_kills(p->admit, &p->oom_seen);
	(void)loop_every(p->loop, OOM_READ_MS, oom_tick, p);
	if (p->o->straggler_factor > 0)
		(void)loop_every(p->loop, STRAGGLER_MS, straggler_tick, p);
	autosize_start(&p->autosize, mono_ns());
	(void)loop_every(p->loop, AUTO_MS, auto_tick, p);
	if ((o->task_memory > 0 || o->task_cpus > 0) && o->persistent != NULL) {
		snprintf(err, errlen, "--task-memory and --task-cpus limit "
		    "tasks, not --persistent programs");
		return -1;
	}
	if ((o->task_memory > 0 || o->task_cpus > 0) &&
	    (p->tcg = tcg_new(o->task_memory, o->task_cpus, err, errlen)) ==
	    NULL)
		return -1;
	/* Before any state exists: see keeper.h. */
	(void)keeper_start();
	if (p->tcg != NULL)
		tcg_each_pool(p->tcg, keeper_keep_cgroup);
	/* What a worker that dies leaves comes to us: sweep_orphans(). */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	shm_on_create(keeper_keep_shm);
	if (setup_signals(p) == -1) {
		snprintf(err, errlen, "signals: %s", strerror(errno));
		return -1;
	}
	if (shm_create(&p->shm, PT_MAX_WORKERS, err, errlen) == -1)
		return -1;
	/* -j 0: the slots are reserved as workers come (shm_write_slot()). */
	if (shm_reserve(&p->shm, o->workers_all ? 1 :
	    (uint32_t)MAX(p->target, 1)) == -1) {
		snprintf(err, errlen, "segment %s: no memory for %d workers' "
		    "slots: %s", p->shm.name, p->target, strerror(errno));
		return -1;
	}
	strlcpy(p->shm.pub.name, o->name ? o->name : "", PT_NAME_MAX);
	strlcpy(p->shm.pub.command, o->command ? o->command :
	    (o->persistent ? o->persistent : "(task list)"), PT_CMD_MAX);
	p->shm.pub.tick_ms = (uint32_t)o->tick_ms;
	p->shm.pub.task_mem_limit = o->task_memory;
	p->shm.pub.task_cpu_milli = (uint32_t)(o->task_cpus * 1000 + 0.5);
	p->shm.pub.state = PT_POOL_STARTING;
	shm_publish_header(&p->shm);
	/* An empty record until pool_run() starts it again with the run. */
	history_init(&p->hist, p->shm.pub.start_real_ns, HISTORY_PERIOD_NS);
	history_publish(&p->hist, &p->shm, true);
	if (setup_io(p, out_fd, err_fd, err, errlen) == -1)
		return -1;
	if (p->retry_seqs != NULL) {
		p->total = p->retry_n;
		p->total_known = true;
	} else if (p->src != NULL)
		p->total_known = source_total(p->src, &p->total);
	if (o->halt.when != HALT_NEVER && o->halt.percent_set &&
	    !p->total_known && p->src != NULL)
		read_all_items(p);
	return 0;
}

/* Set the socket path shown in the header (by the control socket). */
void
pool_set_socket(struct pool *p, const char *path)
{
	strlcpy(p->shm.pub.socket_path, path, sizeof p->shm.pub.socket_path);
	shm_publish_header(&p->shm);
}

/* Retire every worker and wait for all of them. */
static void
shutdown_workers(struct pool *p)
{
	int64_t	limit;
	int	i, waited = 0;

	for (i = 0; i < p->nw; i++) {
		if (p->w[i].state == W_FREE)
			continue;
		p->w[i].retire = true;
		send_msg(p, i, PT_MSG_RETIRE, NULL, 0);
		flush_worker(p, i);
	}
	limit = mono_ns() + 5 * PT_NSEC;
	while (p->live > 0) {
		reap(p);
		if (p->live == 0)
			break;
		if (mono_ns() > limit && !waited) {
			for (i = 0; i < p->nw; i++)
				if (p->w[i].state != W_FREE && p->w[i].pid > 0)
					kill(p->w[i].pid, SIGKILL);
			waited = 1;
		}
		loop_drop_signals(p->loop, 100);
		for (i = 0; i < p->nw; i++)
			if (p->w[i].fd != -1)
				worker_read(p, i);
	}
}

/* Fill run statistics for the summary. */
void
pool_stats(struct pool *p, struct run_stats *st)
{
	memset(st, 0, sizeof *st);
	st->done = p->done;
	st->failed = p->failed;
	st->total = p->total_known ? p->total - p->skipped : 0;
	st->wall_ns = (p->end_ns != 0 ? p->end_ns : mono_ns()) - p->start_ns;
	st->task_ns = p->task_ns;
	st->workers = p->max_live;
	st->rate = p->rate;
	st->oom_killed = p->oom_killed;
	st->speculate = p->o->speculate;
	st->spec_started = p->spec_started;
	st->spec_won = p->spec_won;
	if (p->admit != NULL && admit_wanted(&p->o->admit)) {
		st->admit = true;
		st->held_ns = admit_held_ns(p->admit, mono_ns());
	}
}

/* The run's exit status, as documented. */
static int
exit_status(struct pool *p)
{
	if (p->fatal)
		return PT_EXIT_USAGE;
	if (p->stop_sig > 0)
		return 128 + p->stop_sig;
	if (p->halt_fired)
		return p->halt_status;
	if (p->o->halt.when != HALT_NEVER && p->o->halt.percent_set)
		return halt_exit_status(p, p->done + p->failed, 0);
	return p->failed > 101 ? 101 : (int)p->failed;
}

/* Count this process's open descriptors below lim (those take room). */
static long
fds_open(long lim)
{
	DIR		*d;
	struct dirent	*e;
	long		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return 3;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && strtol(e->d_name, NULL, 10) < lim)
			n++;
	closedir(d);
	return n - 1;		/* the directory's own */
}

/* Descriptors one worker costs the supervisor: its socket, results files. */
static long
fds_per_worker(struct pool *p)
{
	int	lines = p->auto_window ? p->window_max : p->inflight;

	return 1 + (p->o->results != NULL ? 2L * lines : 0);
}

/* The open file limit is too low for even one worker: refuse to run. */
static void
fd_refuse(struct pool *p, long lim, long need)
{
	pool_alert(p, SAY_FATAL, -1, 0, EMFILE, "open file limit %ld is too low"
	    " to run: at least %ld descriptors are needed (ulimit -n %ld);"
	    " nothing was started", lim, need, need);
}

/*
 * Share RLIMIT_NOFILE out before anything starts.  The descriptors open
 * now and FD_SLACK for short-lived ones come first; of the rest one in
 * FD_CLIENT_SHARE (1 to CTL_MAX_CLIENTS) goes to control clients, and the
 * rest to workers (fds_per_worker each), which lowers the target and caps
 * resizes.  A limit under which not even one worker could start a task,
 * with one control client, is refused (exit 255): waiting would never end.
 * -1 when refused.
 */
static int
fd_budget(struct pool *p)
{
	struct rlimit	rl;
	char		why[128];
	long		lim, room, per = fds_per_worker(p), need;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY
	    || rl.rlim_cur > 1000000)
		return 0;
	lim = (long)rl.rlim_cur;
	room = lim - fds_open(lim) - FD_SLACK;
	if (lim < worker_fds(p->o) || room < per + 1) {
		/* With its socket the control server would need one more. */
		need = lim - room + per + 1 +
		    (p->shm.hdr->socket_path[0] == '\0');
		fd_refuse(p, lim, need > worker_fds(p->o) ? need :
		    worker_fds(p->o));
		return -1;
	}
	p->client_fds = room / FD_CLIENT_SHARE;
	if (p->client_fds > room - per)
		p->client_fds = room - per;	/* one worker first */
	if (p->client_fds < 1)
		p->client_fds = 1;
	if (p->client_fds > CTL_MAX_CLIENTS)
		p->client_fds = CTL_MAX_CLIENTS;
	room = (room - p->client_fds) / per;
	p->fd_cap = room > PT_MAX_WORKERS ? PT_MAX_WORKERS : (int)room;
	if (p->o->workers_all && p->target > p->fd_cap) {
		p->target = p->fd_cap;	/* -j 0: as many as may be */
		return 0;
	}
	snprintf(why, sizeof why, "open file limit %ld", lim);
	limit_workers(p, p->fd_cap, why);
	return 0;
}

/*
 * Task output could not be written (disk full): stop, exit 255.  When the
 * reader went away (`pooltop ... | head`), stop as a filter does on
 * SIGPIPE: quietly, running tasks ended, exit 128+SIGPIPE, the tasks not
 * done left for --resume.
 */
static void
output_check(struct pool *p)
{
	if (p->out_failed || p->out == NULL || output_error(p->out) == NULL)
		return;
	p->out_failed = true;
	if (output_closed(p->out)) {
		pool_event(p, PT_EV_STOP, -1, 0, SIGPIPE, "output closed by"
		    " its reader: stopping");
		if (p->stop_sig == 0)
			p->stop_sig = SIGPIPE;
		pool_stop(p, true, NULL);
		return;
	}
	pool_alert(p, SAY_FATAL, -1, 0, 0, "output: %s", output_error(p->out));
}

/* Turn the loop until no hook runs or waits (each is bounded in time). */
static void
hooks_wait(struct pool *p)
{
	reap(p);
	if (hooks_busy(p->hooks))
		pool_event(p, PT_EV_INFO, -1, 0, 0, "waiting for hooks to end"
		    " (each at most %gs)", p->o->hook_timeout);
	while (hooks_busy(p->hooks)) {
		if (loop_once(p->loop) == -1)
			break;
		reap(p);
	}
}

/* The pool ended: --on-end, then wait (bounded) for every hook. */
static void
hooks_end(struct pool *p, int rc)
{
	struct hook_run	r;

	hooks_wait(p);		/* every task's hook before the pool's */
	memset(&r, 0, sizeof r);
	r.done = p->done;
	r.failed = p->failed;
	r.exit = rc;
	r.wall_ns = p->end_ns - p->start_ns;
	r.joblog = p->o->joblog;
	hooks_pool_end(p->hooks, &r);
	hooks_wait(p);
}

/* Say the persistent items' events counted in a window that ended. */
static void
events_sampled(struct pool *p, int64_t now)
{
	uint64_t	started, done;

	if (evsample_turn(&p->evs, now, &started, &done))
		pool_event(p, PT_EV_INFO, -1, 0, 0, "persistent items' events "
		    "not logged one by one: task.start %llu, task.done %llu",
		    (unsigned long long)started, (unsigned long long)done);
}

/* Run until all work is done or the pool is stopped. */
int
pool_run(struct pool *p)
{
	size_t	i;
	int	rc;

	p->start_ns = p->now = mono_ns();
	p->shm.pub.start_real_ns = real_ns();
	shm_publish_header(&p->shm);
	/* The history's first interval starts with the run, as the header. */
	history_init(&p->hist, p->shm.pub.start_real_ns, HISTORY_PERIOD_NS);
	history_publish(&p->hist, &p->shm, true);
	p->state = PT_POOL_RUNNING;
	if (admit_wanted(&p->o->admit))
		admit_tick(p);		/* before the first start */
	if (p->tcg != NULL)
		tcg_say(p);
	if (fd_budget(p) == -1)
		goto done;
	balance_workers(p);
	publish(p);
	while (!finished(p)) {
		p->now = mono_ns();
		events_sampled(p, p->now);
		output_check(p);
		if (p->fatal && p->state != PT_POOL_STOPPING)
			pool_stop(p, false, NULL);
		pool_dispatch(p);
		speculate(p);
		/* After them: what they could not give out wants workers. */
		balance_workers(p);
		say_idle(p);
		publish(p);
		if (finished(p))
			break;
		if (p->out != NULL)
			output_flush(p->out);
		answer_workers(p);
		wait_once(p);
	}
done:
	events_sampled(p, INT64_MAX);
	p->state = PT_POOL_DONE;
	publish(p);
	shutdown_workers(p);
	publish(p);
	for (i = 0; i < p->nexits; i++)
		p->exits[i].cb(p, p->exits[i].arg);
	if (p->out != NULL)
		output_flush(p->out);
	output_check(p);
	/* Said now: a dashboard's screen would have hidden it. */
	if (p->last_word.type != PT_EV_NONE)
		(void)log_say(p->o->log_format, &p->last_word,
		    p->last_word.text);
	rc = exit_status(p);
	p->end_ns = mono_ns();	/* the summary's wall time leaves hooks out */
	hooks_end(p, rc);
	return rc;
}

/* Free every task of a list. */
static void
tasks_free(struct tasklist *l)
{
	struct task	*t;

	while ((t = TAILQ_FIRST(l)) != NULL) {
		TAILQ_REMOVE(l, t, entry);
		task_free(t);
	}
}

/* Free what a task holds; the strings it took from its item go as an
   item's do. */
static void
task_clear(struct task *t)
{
	struct item	it;

	/*
	 * A persistent line's task holds its item and nothing else: freed
	 * without the calls that free nothing, a million times a run.
	 */
	if (t->args != NULL || t->command != NULL || t->block != NULL) {
		memset(&it, 0, sizeof it);
		it.arg = t->arg;
		it.arg_arena = t->arg_arena;
		it.args = t->args;
		it.nargs = t->nargs;
		it.command = t->command;
		it.block = t->block;
		it.block_keep = t->block_keep;
		item_clear(&it);
	} else if (t->arg_arena)
		arena_free(t->arg);
	else
		free(t->arg);
	if (t->fifo != NULL) {
		unlink(t->fifo);
		free(t->fifo);
	}
	if (t->label != NULL || t->cmdline != NULL) {
		free(t->label);
		free(t->cmdline);
	}
	if (t->errtail != NULL || t->fkey != NULL) {
		free(t->errtail);
		free(t->fkey);
	}
}

/*
 * A task kept to the end (failed, for the report and `retry`): its item
 * out of the arena, where it would hold a whole chunk.
 */
static void
task_unpin(struct task *t)
{
	char	*s = t->arg;

	if (!t->arg_arena)
		return;
	t->arg = xstrdup(s);
	t->arg_arena = false;
	arena_free(s);
}

/* Free a task. */
static void
task_free(struct task *t)
{
	task_clear(t);
	free(t);
}

/*
 * Free a task that succeeded, keeping its record for task_new(): a
 * persistent pool ends and starts hundreds of thousands a second.
 */
static void
task_recycle(struct pool *p, struct task *t)
{
	task_clear(t);
	if (p->nspare >= TASK_SPARE_MAX) {
		free(t);
		return;
	}
	mem_zero(t, sizeof *t);
	TAILQ_INSERT_HEAD(&p->spare, t, entry);
	p->nspare++;
}

/* A zeroed task record, a spare one when there is one. */
static struct task *
task_new(struct pool *p)
{
	struct task	*t = TAILQ_FIRST(&p->spare);

	if (t == NULL)
		return xcalloc(1, sizeof *t);
	TAILQ_REMOVE(&p->spare, t, entry);
	p->nspare--;
	memset(&t->entry, 0, sizeof t->entry);
	return t;
}

/*
 * Free the pool and remove its segment.  The state the keeper would remove
 * goes first (the segment, transfers, ssh masters, task cgroups; the
 * control socket went in ctl_close()); then the keeper is let go, and it
 * exits on the other CPU while the records are freed here (~0.1 ms of a
 * 20,000-item run); it is reaped last.
 */
void
pool_free(struct pool *p)
{
	size_t		 i;

	if (p == NULL)
		return;
	output_free(p->out);
	joblog_close(p->joblog);
	hooks_free(p->hooks);
	if (p->shm.hdr != NULL)
		shm_close(&p->shm);
	xfer_finish(p->xfer);
	xfer_free(p->xfer);
	workdir_free(p->wd);
	hosts_free(p->hosts);
	tcg_free(p->tcg);
	keeper_release();
	buf_free(&p->scratch);
	robin_free(p->robin);
	if (p->rr_have)
		item_clear(&p->rr_item);
	tasks_free(&p->ready);
	tasks_free(&p->failed_list);
	tasks_free(&p->added);
	tasks_free(&p->spare);
	arena_release(&p->arena);
	joblog_past_free(p->past);
	for (i = 0; i < p->retry_n; i++)
		free(p->retry_cmds[i]);
	free(p->retry_cmds);
	free(p->retry_seqs);
	template_free(p->tpl);
	template_free(p->tagtpl);
	median_free(&p->runtimes);
	model_free(&p->model);
	for (i = 0; i < (size_t)p->nw_ready; i++)
		free(p->w[i].slot);
	free(p->host_said);
	admit_free(p->admit);
	free(p->exits);
	free(p->events);
	free(p);
	keeper_reap();
}

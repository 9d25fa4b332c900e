/*
 * The worker process.
 *
 * A worker is forked from the supervisor and lives in a loop of its own
 * (loop.c) on four descriptors: the socket to the supervisor, the loop's
 * signalfd for SIGCHLD and SIGTERM, and the read ends of the current
 * task's stdout and stderr pipes.
 * Nothing blocks: messages to the supervisor are queued on a buffer and
 * written when the socket is writable, and task output stops being read
 * while that queue is long, so a task that floods its output waits on its
 * pipe rather than the worker growing without bound.
 *
 * A task is spawned (posix_spawn, worker-group.c) as the leader of its own
 * process group, with default signal handling, an empty mask, stdin
 * /dev/null and the POOLTOP_* variables.  The worker is a child subreaper,
 * so every process the task leaves behind is reparented to it and reaped
 * here.  The task ends when its leader is reaped; what remains of its
 * group, and every child of the worker that no running task owns, is ended
 * by worker-strays.c without holding up the next task, and the worker does
 * not exit while it has any.  Timeouts and kill requests run the
 * termination sequence one step per deadline from the same loop; time
 * spent stopped by PAUSE counts neither for the timeout nor in the wall
 * time.
 *
 * The worker keeps what its slot shows in private memory and sends it to
 * the supervisor (SLOT, proto.h), which writes the segment: at once for a
 * change of state, at most every PT_SLOT_EVERY_MS for the rest (CPU,
 * memory, progress and the output tail, sampled once per tick).  It reads
 * only the progress mailbox of its slot, which a task's `pooltop progress`
 * writes: in the pool's segment for a forked worker, in a segment of its
 * own for one started by `pooltop worker` (worker_stdio_main()).
 *
 * In persistent mode (--persistent) there is no task process: worker-persist.c
 * keeps one program running and feeds it the tasks as lines.  The loop,
 * the socket, the signals, reaping and strays stay here (the program's
 * strays are swept when it ends, as a task's); RUN, PAUSE, RESUME, KILL
 * and RETIRE, three more poll entries, the deadlines and the decision to
 * exit are handed to worker-persist.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "worker-persist.h"
#include "proto.h"
#include "shm.h"
#include "worker-strays.h"
#include "util.h"
#include "text.h"
#include "worker-group.h"
#include "cgroup.h"
#include "workdir.h"
#include "worker.h"

extern char **environ;

#define W_RBUF		WG_RBUF		/* one read from a pipe or the socket */
#define W_OUT_HIGH	(1024 * 1024)	/* queued bytes that pause task reads */
#define W_FDS_OWN	6		/* 0-2, socket, /dev/null, signalfd */
#define W_FDS_SPAWN	4		/* a task's two pipes while it starts */
#define W_FLUSH_NS	(5 * PT_NSEC)	/* to flush messages before exiting */
#define W_TICK_MS	500		/* when the options give none */
#define W_REPAIR_NS	PT_NSEC		/* the mailbox's mapping checked */
#define W_SLOT_NS	(PT_SLOT_EVERY_MS * W_MS)
#define W_BEAT_NS	(PT_BEAT_MS * W_MS)
#define W_HOLD_NS	(5 * W_MS)	/* `pooltop worker`: messages of a
					   running task held this long */
#define W_MS		WG_MS

/* The variables set for tasks, in worker_env_names' order. */
enum { W_ENV_SHM, W_ENV_SLOT, W_ENV_TASK, W_ENV_WORKER, W_ENV_SEQ,
    W_ENV_JOBSLOT, W_NENV };

/* The watches, in the order they are served; the signals come between. */
enum { W_OUT, W_ERR, W_IN, W_PERSIST, W_SOCK = W_PERSIST + PERSIST_NFDS,
    W_SOCKOUT, W_NWATCH };

#define W_SPLICE	(1024 * 1024)	/* a range's bytes moved at once */
#define RUN_ARGV_SMALL	8		/* argv entries a RUN splits into
					   without an allocation */

/* The task being run. */
struct wtask {
	uint64_t	seq;
	struct wgroup	g;		/* its leader and group */
	uint32_t	flags;		/* PT_DONE_* */
	struct rusage	ru;
	int64_t		start_real;
	struct wgroup_clock clock;	/* mono_ns() */
	int64_t		timeout_ns;	/* 0: none */
	int64_t		paused_at;	/* when PAUSE stopped it; 0: running */
	int64_t		next_tick;
	struct wgroup_sample sample;	/* CPU and memory */
	struct wgroup_tail tail;
	int		range_fd;	/* PT_RUN_RANGE: the file; -1 */
	loff_t		range_off;	/* what is left of the range */
	uint64_t	range_left;
	char		dir[PATH_MAX];	/* its --workdir; "": none (last:
					   task_init() clears what is
					   before it) */
};

struct worker {
	const struct worker_conf *conf;
	struct pt_shm_slot	*slot;		/* &pub */
	struct pt_shm_slot	 pub;		/* what the slot
						   shows, private */
	struct pt_shm_mbox	*mbox;		/* the slot's, in the segment */
	int64_t			 next_repair;
	bool			 slot_dirty;	/* pub changed since sent */
	uint32_t		 sent_state;	/* pub.state when last sent */
	int64_t			 slot_sent;	/* mono ns, last sent */
	int			 sock;		/* -1: the supervisor is gone */
	int			 sock_out;	/* where messages go: sock, or
					   stdout for `pooltop worker` */
	int64_t			 out_since;	/* mono ns: out was
						   empty before */
	int64_t			 beat;		/* mono ns: `pooltop worker`
						   last wrote (proto.h, NOP) */
	int			 devnull;
	struct loop		*loop;
	int			 watch[W_NWATCH];
	int			 wake;		/* the next deadline's timer */
	struct buf		 in;
	struct buf		 out;
	struct proto_batch	 answers;	/* the ANSWERS being filled */
	char			*rbuf;
	const char		*shell;
	struct termseq		 termseq;
	int64_t			 tick_ns;
	posix_spawnattr_t	 attr;
	struct wgroup_spawner	 spawner;
	char			**envp;
	size_t			 pwd_at;	/* envp's PWD (NULL: none) */
	char			*pwd_was;	/* environ's PWD entry; NULL */
	char			 pwd[PATH_MAX + 8];	/* a task's PWD= */
	char			 env[W_NENV][96];	/* worker_env_names' */
	bool			 busy;		/* t is a live task */
	struct wtask		 t;
	struct strays		*strays;	/* ended tasks' leftovers */
	bool			 retiring;	/* exit once idle */
	bool			 ending;	/* end the task, then exit */
	int64_t			 exit_deadline;	/* 0: not exiting yet */
	int			 exit_status;
	struct persist		*persist;	/* persistent mode; else NULL */
};

/* GNU parallel's default: TERM,200,TERM,100,TERM,50,KILL,25. */
static const struct termseq worker_default_termseq = {
	4, { SIGTERM, SIGTERM, SIGTERM, SIGKILL }, { 200, 100, 50, 25 }
};

/* Signals raised by a fault in this process; their handlers are kept. */
static const int worker_sync[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS
};

static const char *const worker_env_names[] = {
	"POOLTOP_SHM=", "POOLTOP_SLOT=", "POOLTOP_TASK=", "POOLTOP_WORKER=",
	"PARALLEL_SEQ=", "PARALLEL_JOBSLOT="
};
_Static_assert(nitems_of(worker_env_names) == W_NENV, "task variables");

static void	worker_lost(struct worker *);
static void	worker_end(struct worker *);
static void	task_terminate(struct worker *, int64_t);
static void	env_pwd(struct worker *, const char *);

/* Is sig in the list? */
static bool
sig_in(int sig, const int *list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (list[i] == sig)
			return true;
	return false;
}

/* The slot's label: argv joined by spaces, truncated to size. */
static void
label_make(char *dst, size_t size, char *const *argv)
{
	char	line[PT_LABEL_MAX + 1];

	line[0] = '\0';
	for (; *argv != NULL; argv++) {
		if (line[0] != '\0' && strlcat(line, " ", sizeof line) >=
		    sizeof line)
			break;
		if (strlcat(line, *argv, sizeof line) >= sizeof line)
			break;
	}
	text_copy(dst, size, line, SIZE_MAX);
}

/* The slot state that matches what the worker is doing. */
static uint32_t
worker_state(const struct worker *w)
{
	if (w->busy && w->t.paused_at != 0)
		return PT_SLOT_PAUSED;
	if (w->retiring)
		return PT_SLOT_RETIRING;
	return w->busy ? PT_SLOT_RUNNING : PT_SLOT_IDLE;
}

/* The slot changed (here or in worker-persist.c): slot_send() sends it. */
static void
slot_publish(struct worker *w)
{
	w->slot_dirty = true;
}

/*
 * Send the slot if it changed: at once for a new state, else at most every
 * W_SLOT_NS (persistent mode changes it with every line).
 */
static void
slot_send(struct worker *w, int64_t now, bool now_or_never)
{
	if (!w->slot_dirty || w->sock == -1)
		return;
	if (!now_or_never && w->pub.state == w->sent_state &&
	    now - w->slot_sent < W_SLOT_NS)
		return;
	proto_put_slot(&w->out, &w->pub);
	w->slot_dirty = false;
	w->sent_state = w->pub.state;
	w->slot_sent = now;
}

/*
 * The progress mailbox is read through a mapping of the segment, which
 * any process of the user may truncate: map it again when it was.
 */
static void
mbox_repair(struct worker *w, int64_t now)
{
	if (now < w->next_repair)
		return;
	(void)shm_repair(w->conf->shm);
	w->next_repair = now + W_REPAIR_NS;
}

/* Write the state and the current task's samples and tail to the slot. */
static void
slot_update(struct worker *w)
{
	struct pt_shm_slot	*s = w->slot;
	struct wtask		*t = &w->t;

	s->state = worker_state(w);
	if (w->busy) {
		wgroup_slot_sample(s, &t->sample);
		wgroup_slot_tail(s, &t->tail);
	}
	slot_publish(w);
}

/* Write a newly started task to the slot. */
static void
slot_started(struct worker *w, const char *label, const char *item,
    bool named)
{
	struct pt_shm_slot	*s = w->slot;
	struct wtask		*t = &w->t;

	s->state = worker_state(w);
	s->task_pid = t->g.pid;
	s->task_seq = t->seq;
	strlcpy(s->label, label, sizeof s->label);
	text_copy(s->item, sizeof s->item, item, SIZE_MAX);
	s->flags = named ? PT_SLOT_NAMED : 0;
	s->task_start_real_ns = t->start_real;
	s->cpu_permille = 0;
	s->rss_bytes = 0;
	s->cpu_ticks = 0;
	s->progress_done = s->progress_total = 0;
	s->tail_len = 0;
	slot_publish(w);
}

/* Write an ended task's last tail and result to the slot. */
static void
slot_ended(struct worker *w, bool failed)
{
	struct pt_shm_slot	*s = w->slot;
	struct wtask		*t = &w->t;

	s->state = worker_state(w);
	s->task_pid = 0;
	s->task_seq = 0;
	wgroup_slot_sample(s, &t->sample);
	s->cpu_permille = 0;
	s->rss_bytes = 0;
	wgroup_slot_tail(s, &t->tail);
	if (failed)
		s->tasks_failed++;
	else
		s->tasks_done++;
	slot_publish(w);
}

/* Show what the worker does in ps(1); label NULL when idle. */
static void
worker_title(struct worker *w, const char *label)
{
	if (label == NULL)
		setproctitle("worker %d", w->conf->slot + 1);
	else
		setproctitle("worker %d: #%llu %s", w->conf->slot + 1,
		    (unsigned long long)w->t.seq, label);
}

/* Queue a message to the supervisor, unless it is gone. */
static void
worker_send(struct worker *w, uint32_t type, const void *p, size_t n,
    const void *extra, size_t extralen)
{
	if (w->sock != -1)
		proto_put(&w->out, type, p, n, extra, extralen);
}

/* Write queued messages as far as the socket takes them. */
static void
worker_flush(struct worker *w)
{
	ssize_t	n;

	while (w->sock != -1 && w->out.len > 0) {
		n = write(w->sock_out, w->out.data, w->out.len);
		if (n > 0) {
			buf_consume(&w->out, (size_t)n);
			proto_batch_close(&w->answers);
		}
		else if (n == -1 && errno == EAGAIN)
			return;
		else if (n != -1 || errno != EINTR)
			worker_lost(w);
	}
}

/* Output of the task on stream (1 stdout, 2 stderr): send it, keep a tail. */
static void
task_out(void *arg, int stream, const char *b, size_t n)
{
	struct worker	*w = arg;
	struct wtask	*t = &w->t;
	struct pt_out	 o;

	memset(&o, 0, sizeof o);
	o.task_seq = t->seq;
	o.stream = (uint32_t)stream;
	worker_send(w, PT_MSG_OUT, &o, sizeof o, b, n);
	wgroup_tail_add(&t->tail, b, n);
}

/* Sample the task's process tree and progress, then write the slot. */
static void
task_tick(struct worker *w, int64_t now)
{
	struct wtask		*t = &w->t;
	uint32_t		 done, total;

	(void)wgroup_sample(&t->g, now, &t->sample);
	if (shm_mbox_take(w->mbox, t->seq, &done, &total)) {
		/* The task's word: shown, clamped, never acted on. */
		t->sample.progress_total = total;
		t->sample.progress_done = total == 0 ? 0 :
		    done > total ? total : done;
	}
	slot_update(w);
	t->next_tick = now + w->tick_ns;
}

/* Report a task that could not be started; count it failed if counted. */
static void
task_noexec(struct worker *w, uint64_t seq, int error, bool counted)
{
	struct pt_done	d;

	memset(&d, 0, sizeof d);
	d.task_seq = seq;
	d.wstatus = error;
	d.flags = PT_DONE_NOEXEC;
	d.start_real_ns = real_ns();
	if (counted) {
		w->slot->tasks_failed++;
		slot_publish(w);
	}
	worker_send(w, PT_MSG_DONE, &d, sizeof d, NULL, 0);
}

/*
 * Split a RUN payload after struct pt_run: item, then argc strings.  NULL if
 * malformed; the strings point into the payload.  The vector is small (of
 * RUN_ARGV_SMALL entries, the caller's) when it fits, as a persistent
 * line's always does, else allocated: free it unless it is small.
 */
static char **
run_argv(const char *p, size_t len, uint32_t argc, const char **item,
    char **small)
{
	const char	*end = p + len, *nul;
	char		**argv;
	uint32_t	 i;

	if (argc == 0 || argc > len)
		return NULL;
	argv = argc < RUN_ARGV_SMALL ? small :
	    xreallocarray(NULL, (size_t)argc + 1, sizeof *argv);
	for (i = 0; i <= argc; i++) {
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL) {
			if (argv != small)
				free(argv);
			return NULL;
		}
		if (i == 0)
			*item = p;
		else
			argv[i - 1] = (char *)p;
		p = nul + 1;
	}
	argv[argc] = NULL;
	return argv;
}

/*
 * PT_RUN_STDIN: open path, the string after argv (NULL: none), as the
 * task's stdin (g->in); 0 or an errno.
 */
static int
run_stdin(struct wtask *t, const struct pt_run *r, const char *path)
{
	int	fd;

	if (!(r->flags & PT_RUN_STDIN))
		return 0;
	if (path == NULL)
		return EINVAL;
	/*
	 * Not blocking: a --round-robin named pipe whose writer (the
	 * supervisor) is gone must give EOF, not hold the worker here.
	 */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return errno;
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (r->flags & PT_RUN_RANGE) {
		t->range_fd = fd;
		t->range_off = (loff_t)r->in_off;
		t->range_left = r->in_len;
	} else
		t->g.in = fd;
	return 0;
}

/* The range is all sent, or no longer wanted: close both ends. */
static void
range_close(struct wtask *t)
{
	if (t->range_fd != -1)
		close(t->range_fd);
	t->range_fd = -1;
	t->range_left = 0;
	wgroup_close(&t->g, 0);
}

/*
 * The task's stdin pipe has room: move the next bytes of its range there
 * (splice, no copy through here); at the end of it, or when the task
 * closed its end, close the pipe.
 */
static void
range_send(struct wtask *t)
{
	ssize_t	n;
	size_t	want = t->range_left < W_SPLICE ? t->range_left : W_SPLICE;

	n = splice(t->range_fd, &t->range_off, t->g.fd[0], NULL, want,
	    SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		t->range_left -= (uint64_t)n;
	if (n <= 0 || t->range_left == 0)
		range_close(t);
}

/* Prepare per-task state, the environment and the progress mailbox. */
static void
task_init(struct worker *w, const struct pt_run *r)
{
	struct wtask	*t = &w->t;

	memset(t, 0, offsetof(struct wtask, dir));
	t->dir[0] = '\0';
	t->range_fd = -1;
	t->seq = r->task_seq;
	wgroup_init(&t->g, &w->spawner, &w->termseq, task_out, w);
	t->timeout_ns = r->timeout_ms > 0 ? r->timeout_ms * W_MS : 0;
	snprintf(w->env[W_ENV_TASK], sizeof w->env[0], "POOLTOP_TASK=%llu",
	    (unsigned long long)t->seq);
	snprintf(w->env[W_ENV_SEQ], sizeof w->env[0], "PARALLEL_SEQ=%llu",
	    (unsigned long long)t->seq);
	shm_mbox_post(w->mbox, t->seq, 0, 0);
}

/*
 * The task is spawned: write the slot, report.  The CPU baseline is zero:
 * a process just spawned has used no CPU worth counting, and sampling /proc
 * here would cost every task several system calls while it runs.
 */
static void
task_started(struct worker *w, char **argv, const char *item, bool named)
{
	struct wtask	*t = &w->t;
	struct pt_started st;
	char		 label[PT_LABEL_MAX];
	int64_t		 now = mono_ns();

	w->busy = true;
	wgroup_sample_start(&t->g, now, w->tick_ns, false);
	t->next_tick = now + w->tick_ns;
	label_make(label, sizeof label, argv);
	slot_started(w, label, item, named);
	memset(&st, 0, sizeof st);
	st.task_seq = t->seq;
	st.pid = t->g.pid;
	st.start_real_ns = t->start_real;
	worker_send(w, PT_MSG_STARTED, &st, sizeof st, NULL, 0);
	worker_title(w, label);
}

/*
 * The task's directory into t->dir, made: PT_RUN_WD's dir, the string
 * after argv and the stdin file (NULL: none), else CONF's --workdir.  Its
 * process enters it (t->g.dir), the worker never does.  A temporary one
 * (`...`) is this attempt's alone: a --speculate copy runs beside the
 * first with the same seq, and each removes its own when it ends.
 * 0 or an errno (then no temporary directory is left).
 */
static int
run_workdir(struct worker *w, const struct pt_run *r, const char *dir)
{
	struct wtask	*t = &w->t;
	int		 error;

	if (r->flags & PT_RUN_WD)
		error = dir == NULL || w->conf->basedir == NULL ? EINVAL :
		    workdir_join(t->dir, sizeof t->dir, w->conf->basedir, dir);
	else if (w->conf->workdir != NULL)
		error = workdir_seq(t->dir, sizeof t->dir, w->conf->workdir,
		    w->conf->wdflags, r->task_seq);
	else
		return 0;
	if (error == 0)
		error = w->conf->wdtemp && !(r->flags & PT_RUN_WD) ?
		    workdir_make_new(t->dir, sizeof t->dir) :
		    workdir_make(t->dir);
	if (error == 0)
		t->g.dir = t->dir;
	return error;
}

/* The task's directory could not be made or entered: say which. */
static void
task_nodir(struct worker *w, uint64_t seq, int error)
{
	struct pt_done	d;
	const char	*dir = w->t.dir;

	memset(&d, 0, sizeof d);
	d.task_seq = seq;
	d.wstatus = error;
	d.flags = PT_DONE_NOEXEC | PT_DONE_WORKDIR;
	d.start_real_ns = real_ns();
	w->slot->tasks_failed++;
	slot_publish(w);
	worker_send(w, PT_MSG_DONE, &d, sizeof d, dir, strlen(dir) + 1);
}

/* Handle RUN: start the task or report why not. */
static void
task_run(struct worker *w, const char *p, size_t len)
{
	struct pt_run	 r;
	const char	*item = NULL, *s = p + sizeof r;
	char		**argv, *small[RUN_ARGV_SMALL];
	int		 error, i;
	bool		 nodir = false;

	if (len < sizeof r) {
		worker_lost(w);
		return;
	}
	memcpy(&r, p, sizeof r);
	argv = run_argv(s, len - sizeof r, r.argc, &item, small);
	if (argv == NULL) {
		task_noexec(w, r.task_seq, EINVAL, false);
		return;
	}
	if (w->persist != NULL)
		persist_run(w->persist, &r, item, argv);
	else if (w->busy || w->retiring || w->ending)
		task_noexec(w, r.task_seq, EBUSY, false);
	else {
		task_init(w, &r);
		w->t.start_real = real_ns();
		wgroup_clock_start(&w->t.clock, mono_ns());
		/* Born in its cgroup (cgroup.h): enter, spawn, leave. */
		/* The strings after item and argv: stdin, directory. */
		i = (int)r.argc + 1;
		error = run_stdin(&w->t, &r, proto_string(s, len - sizeof r, i));
		if (error == 0 && (error = run_workdir(w, &r,
		    proto_string(s, len - sizeof r,
		    i + ((r.flags & PT_RUN_STDIN) != 0)))) != 0)
			nodir = true;
		if (error == 0 && w->conf->tcg != NULL)
			error = tcg_enter(w->conf->tcg, w->conf->slot);
		if (error == 0) {
			env_pwd(w, w->t.g.dir);
			error = wgroup_spawn(&w->t.g, argv,
			    (r.flags & PT_RUN_SHELL) != 0,
			    w->t.range_fd != -1 ? WG_STDIN : 0);
			env_pwd(w, NULL);
		}
		/* Not started: its own `...` directory goes now. */
		if (error != 0 && !nodir && w->conf->wdtemp &&
		    w->t.dir[0] != '\0')
			workdir_remove(w->t.dir);
		if (error != 0 && w->t.range_fd != -1)
			range_close(&w->t);
		else if (w->t.range_fd != -1)	/* fewer, longer splices */
			(void)fcntl(w->t.g.fd[0], F_SETPIPE_SZ, W_SPLICE);
		if (w->conf->tcg != NULL)
			tcg_leave(w->conf->tcg);
		if (w->t.g.in != -1) {	/* not spawned: still open */
			close(w->t.g.in);
			w->t.g.in = -1;
		}
		/* A shortage is the pool's to handle: it puts the task back. */
		if (nodir)
			task_nodir(w, r.task_seq, error);
		else if (error != 0)
			task_noexec(w, r.task_seq, error,
			    !resource_shortage(error));
		else
			task_started(w, argv, item,
			    (r.flags & PT_RUN_NAMED) != 0);
	}
	if (argv != small)
		free(argv);
}

/* Count the time stopped so far, mark the task running and show it. */
static void
task_unpause(struct worker *w, int64_t now)
{
	struct wtask	*t = &w->t;

	if (t->paused_at != 0) {
		wgroup_clock_unpause(&t->clock, t->paused_at, now);
		t->paused_at = 0;
		slot_update(w);
	}
}

/* Handle PAUSE: stop the task's group and its clock. */
static void
task_pause(struct worker *w)
{
	struct wtask	*t = &w->t;

	if (!w->busy || t->paused_at != 0 || wgroup_ending(&t->g))
		return;
	wgroup_stop(&t->g);
	t->paused_at = mono_ns();
	slot_update(w);
}

/* Handle RESUME: continue the task's group and its clock. */
static void
task_resume(struct worker *w)
{
	struct wtask	*t = &w->t;

	if (!w->busy || t->paused_at == 0)
		return;
	wgroup_cont(&t->g);
	task_unpause(w, mono_ns());
}

/* Handle KILL: sig 0 runs the termination sequence, else signal the group. */
static void
task_kill(struct worker *w, int sig)
{
	struct wtask	*t = &w->t;
	int64_t		 now = mono_ns();

	if (!w->busy || sig < 0 || sig >= NSIG)
		return;
	if (sig == SIGSTOP) {
		task_pause(w);
		return;
	}
	if (sig == SIGCONT) {
		task_resume(w);
		return;
	}
	t->flags |= PT_DONE_KILLED;
	if (sig == 0) {
		if (!wgroup_ending(&t->g))
			task_terminate(w, now);
		return;
	}
	wgroup_signal(t->g.pid, sig);
	task_unpause(w, now);
}

/* Start the termination sequence (the task runs again if paused). */
static void
task_terminate(struct worker *w, int64_t now)
{
	task_unpause(w, now);
	wgroup_term_start(&w->t.g, now);
}

/* Who owns the worker's children now: the live task's or program's pid. */
static pid_t
worker_leader(struct worker *w)
{
	if (w->persist != NULL)
		return persist_leader(w->persist);
	return w->busy && wgroup_alive(&w->t.g) ? w->t.g.pid : 0;
}

/* A leader was reaped: end the rest of its group and every stray child. */
static void
worker_leftovers(struct worker *w, pid_t pgid, int64_t now)
{
	strays_group(w->strays, pgid, now);
	strays_sweep(w->strays, worker_leader(w), now);
}

/* Was this wait status a failure (nonzero exit or a signal)? */
static bool
status_failed(int st)
{
	return !WIFEXITED(st) || WEXITSTATUS(st) != 0;
}

/* The leader was reaped: finish reading, deal with leftovers, report. */
static void
task_end(struct worker *w)
{
	struct wtask	*t = &w->t;
	struct pt_done	 d;
	int64_t		 now;

	wgroup_drain(&t->g, 1);
	wgroup_drain(&t->g, 2);
	range_close(t);
	now = mono_ns();
	task_unpause(w, now);
	worker_leftovers(w, t->g.pid, now);
	memset(&d, 0, sizeof d);
	d.task_seq = t->seq;
	d.wstatus = t->g.wstatus;
	d.flags = t->flags;
	d.start_real_ns = t->start_real;
	d.wall_ns = wgroup_clock_running(&t->clock, 0, now);
	d.user_ns = t->ru.ru_utime.tv_sec * PT_NSEC +
	    t->ru.ru_utime.tv_usec * 1000LL;
	d.sys_ns = t->ru.ru_stime.tv_sec * PT_NSEC +
	    t->ru.ru_stime.tv_usec * 1000LL;
	d.maxrss_kb = t->ru.ru_maxrss;
	w->busy = false;
	/* --workdir ... here: its directory goes with it, whatever it
	   left (before DONE: the pool's end finds it gone). */
	if (w->conf->wdtemp && t->dir[0] != '\0')
		workdir_remove(t->dir);
	slot_ended(w, status_failed(t->g.wstatus));
	worker_send(w, PT_MSG_DONE, &d, sizeof d, NULL, 0);
	worker_title(w, NULL);
}

/*
 * Reap every child that has exited; end the task if its leader was one.
 * Another child reaped while nothing runs may have left orphans: sweep.
 */
static void
worker_reap(struct worker *w)
{
	struct rusage	ru;
	pid_t		pid;
	int		st;
	bool		reaped = false;

	for (;;) {
		pid = wait4(-1, &st, WNOHANG, &ru);
		if (pid == -1 && errno == EINTR)
			continue;
		if (pid <= 0)
			break;
		reaped = true;
		strays_reaped(w->strays, pid);
		if (w->persist != NULL && persist_reaped(w->persist, pid, st))
			continue;
		if (w->busy && wgroup_reaped(&w->t.g, pid, st))
			w->t.ru = ru;
	}
	if (w->busy && w->t.g.reaped)
		task_end(w);
	else if (reaped && worker_leader(w) == 0)
		strays_sweep(w->strays, 0, mono_ns());
}

/* A signal from the loop: SIGTERM ends the worker; SIGCHLD reaps. */
static void
worker_signal(int sig, void *arg)
{
	struct worker	*w = arg;

	if (sig != SIGTERM)
		worker_reap(w);
	else if (w->conf->supervisor != 0 &&
	    getppid() != w->conf->supervisor)
		worker_lost(w);
	else
		worker_end(w);
}

/* End the current task with the termination sequence, then exit. */
static void
worker_end(struct worker *w)
{
	w->ending = true;
	if (w->persist != NULL)
		persist_end(w->persist);
	if (w->busy && !wgroup_ending(&w->t.g)) {
		w->t.flags |= PT_DONE_KILLED;
		task_terminate(w, mono_ns());
	}
}

/* The supervisor is gone or broke the protocol: stop talking, wind down. */
static void
worker_lost(struct worker *w)
{
	if (w->sock != -1) {
		if (w->sock_out != w->sock)
			close(w->sock_out);
		close(w->sock);
		w->sock = w->sock_out = -1;
	}
	buf_consume(&w->out, w->out.len);
	proto_batch_close(&w->answers);
	worker_end(w);
}

/* Handle RETIRE: exit once the current task (if any) has ended. */
static void
worker_retire(struct worker *w)
{
	if (w->retiring)
		return;
	w->retiring = true;
	if (w->persist != NULL)
		persist_retire(w->persist);
	else if (w->busy)
		slot_update(w);
}

/* Pause or resume what runs: the task, or the persistent program. */
static void
worker_pause(struct worker *w, bool pause)
{
	if (w->persist != NULL)
		(pause ? persist_pause : persist_resume)(w->persist);
	else
		(pause ? task_pause : task_resume)(w);
}

/*
 * Handle LINES: each line to the persistent program (a worker of another
 * mode refuses them, as it would their RUNs).
 */
static void
task_lines(struct worker *w, const char *p, size_t len)
{
	struct pt_lines	 h;
	struct pt_line	 l;
	const char	*end = p + len;
	uint32_t	 k;

	if (len < sizeof h)
		goto lost;
	memcpy(&h, p, sizeof h);
	p += sizeof h;
	for (k = 0; k < h.count; k++) {
		if ((size_t)(end - p) < sizeof l)
			goto lost;
		memcpy(&l, p, sizeof l);
		p += sizeof l;
		if ((size_t)(end - p) <= l.len || p[l.len] != '\0')
			goto lost;
		if (w->persist != NULL)
			persist_line(w->persist, l.task_seq, h.flags,
			    h.timeout_ms, p, l.len);
		else
			task_noexec(w, l.task_seq, EBUSY, false);
		p += l.len + 1;
	}
	return;
lost:
	worker_lost(w);
}

/* Handle one message from the supervisor. */
static void
worker_message(struct worker *w, const struct pt_msg *m, const char *p)
{
	struct pt_kill	k;

	switch (m->type) {
	case PT_MSG_RUN:
		task_run(w, p, m->len);
		break;
	case PT_MSG_LINES:
		task_lines(w, p, m->len);
		break;
	case PT_MSG_PAUSE:
	case PT_MSG_RESUME:
		worker_pause(w, m->type == PT_MSG_PAUSE);
		break;
	case PT_MSG_KILL:
		if (m->len < sizeof k)
			break;
		memcpy(&k, p, sizeof k);
		if (w->persist != NULL)
			persist_kill(w->persist, k.sig);
		else
			task_kill(w, k.sig);
		break;
	case PT_MSG_RETIRE:
		worker_retire(w);
		break;
	default:
		break;		/* unknown: from a newer supervisor */
	}
}

/* Handle every whole message read from the supervisor. */
static void
worker_take(struct worker *w)
{
	struct pt_msg	 m;
	const char	*p;
	size_t		 off;
	int		 r;

	for (off = 0; w->sock != -1 &&
	    (r = proto_next(&w->in, off, &m, &p)) != 0;
	    off += sizeof m + m.len) {
		if (r == -1) {
			worker_lost(w);
			break;
		}
		worker_message(w, &m, p);
	}
	buf_consume(&w->in, off);
}

/* Read from the supervisor and handle every whole message. */
static void
worker_sock(struct worker *w)
{
	ssize_t		 n;

	n = buf_read(&w->in, w->sock, W_RBUF);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		worker_lost(w);
		return;
	}
	worker_take(w);
}

/*
 * Leave.  The supervisor marks the slot when it sees the worker go; what a
 * dead supervisor left (segment, socket) is the keeper's to remove
 * (keeper.h).  A worker with a segment of its own removes it.
 */
static void __attribute__((noreturn))
worker_exit(struct worker *w)
{
	if (w->conf->own_shm)
		shm_close(w->conf->shm);
	_exit(w->exit_status);
}

/* Leaving: sweep every child left; true once none is being ended. */
static bool
worker_strays_ended(struct worker *w, int64_t now)
{
	strays_leave(w->strays, now);
	strays_sweep(w->strays, worker_leader(w), now);
	return !strays_pending(w->strays);
}

/* Is it time to exit: nothing running, no child left, nothing to send? */
static bool
worker_done(struct worker *w, int64_t now)
{
	if (w->persist != NULL) {
		if (!persist_finished(w->persist, &w->exit_status))
			return false;
	} else if (w->busy || (!w->retiring && !w->ending))
		return false;
	if (!worker_strays_ended(w, now))
		return false;
	slot_send(w, now, true);	/* the last word on the slot */
	if (w->sock == -1 || w->out.len == 0)
		return true;
	if (w->exit_deadline == 0)
		w->exit_deadline = now + W_FLUSH_NS;
	return now >= w->exit_deadline;
}

/* Act on the deadlines that have passed. */
static void
worker_timers(struct worker *w, int64_t now)
{
	struct wtask	*t = &w->t;

	if (w->busy && wgroup_ending(&t->g))
		wgroup_term_check(&t->g, now);
	else if (w->busy && t->paused_at == 0 &&
	    now >= wgroup_clock_timeout(&t->clock, t->timeout_ns)) {
		t->flags |= PT_DONE_TIMEOUT;
		task_terminate(w, now);
	}
	if (w->busy && now >= t->next_tick)
		task_tick(w, now);
	mbox_repair(w, now);
	if (w->persist != NULL)
		persist_timers(w->persist, now);
	strays_check(w->strays, now);
	if (strays_pending(w->strays) && worker_leader(w) == 0)
		strays_sweep(w->strays, 0, now);
}

/* The next deadline, for the loop's timer; 0 for none. */
static int64_t
worker_deadline(struct worker *w)
{
	struct wtask	*t = &w->t;
	int64_t		 d = WG_NEVER;

	if (w->busy) {
		d = t->next_tick;
		if (wgroup_ending(&t->g))
			d = wgroup_min(d, wgroup_term_deadline(&t->g));
		else if (t->paused_at == 0)
			d = wgroup_min(d, wgroup_clock_timeout(&t->clock,
			    t->timeout_ns));
	}
	d = wgroup_min(d, strays_deadline(w->strays));
	if (w->persist != NULL)
		d = wgroup_min(d, persist_deadline(w->persist));
	if (w->exit_deadline != 0)
		d = wgroup_min(d, w->exit_deadline);
	d = wgroup_min(d, w->next_repair);
	if (w->slot_dirty)
		d = wgroup_min(d, w->slot_sent + W_SLOT_NS);
	if (w->out_since != 0 && w->sock_out != w->sock)
		d = wgroup_min(d, w->out_since + W_HOLD_NS);
	if (w->sock_out != w->sock)
		d = wgroup_min(d, w->beat + W_BEAT_NS);
	return d == WG_NEVER ? 0 : d;
}

/* Point the watches; task output is not read while the queue is long. */
static void
worker_watches(struct worker *w)
{
	struct pollfd	pp[PERSIST_NFDS];
	bool		reading = w->busy && w->out.len < W_OUT_HIGH;
	int		i;

	short	out = w->out.len > 0 ? POLLOUT : 0;

	if (w->sock_out != w->sock) {
		loop_set(w->loop, w->watch[W_SOCK], w->sock, POLLIN);
		loop_set(w->loop, w->watch[W_SOCKOUT], w->sock_out, out);
	} else
		loop_set(w->loop, w->watch[W_SOCK], w->sock, POLLIN | out);
	loop_set(w->loop, w->watch[W_OUT], reading ? w->t.g.fd[1] : -1, POLLIN);
	loop_set(w->loop, w->watch[W_ERR], reading ? w->t.g.fd[2] : -1, POLLIN);
	loop_set(w->loop, w->watch[W_IN], w->busy && w->t.range_fd != -1 ?
	    w->t.g.fd[0] : -1, POLLOUT);
	if (w->persist == NULL)
		return;
	persist_pollfds(w->persist, pp, w->out.len < W_OUT_HIGH);
	for (i = 0; i < PERSIST_NFDS; i++)	/* stderr first */
		loop_set(w->loop, w->watch[W_SOCK - 1 - i], pp[i].fd,
		    pp[i].events);
}

/*
 * `pooltop worker` holds what a task that has just started sends for
 * W_HOLD_NS, so that a short task's STARTED and DONE cross the stream in
 * one write: through a Slurm step a second small write waits for the
 * first's acknowledgement (TCP's Nagle) and costs a round trip.  True
 * while holding.
 */
static bool
worker_hold(struct worker *w, int64_t now)
{
	if (w->out.len == 0) {
		w->out_since = 0;
		return false;
	}
	if (w->out_since == 0)
		w->out_since = now;
	return w->sock_out != w->sock && w->busy && w->sock != -1 &&
	    w->out.len < W_OUT_HIGH / 4 && now - w->out_since < W_HOLD_NS;
}

/* The loop: wait for anything, handle it, check deadlines. */
static void __attribute__((noreturn))
worker_loop(struct worker *w)
{
	int64_t		now;

	for (;;) {
		if (w->persist != NULL)
			persist_flush(w->persist);
		now = mono_ns();
		slot_send(w, now, false);
		/* Alive: a silent `pooltop worker` is taken as lost. */
		if (w->sock_out != w->sock && w->out.len == 0 &&
		    now - w->beat >= W_BEAT_NS)
			proto_put(&w->out, PT_MSG_NOP, "\n", 1, NULL, 0);
		if (w->out.len > 0)
			w->beat = now;
		if (!worker_hold(w, now)) {
			if (w->sock_out != w->sock && w->out.len > 0 &&
			    w->out.data[w->out.len - 1] != '\n')
				/* Through a Slurm step: see proto.h, NOP. */
				proto_put(&w->out, PT_MSG_NOP, "\n", 1, NULL,
				    0);
			worker_flush(w);
		}
		if (worker_done(w, now))
			worker_exit(w);
		worker_watches(w);
		loop_timer_at(w->loop, w->wake, worker_deadline(w));
		if (loop_once(w->loop) == -1)
			worker_exit(w);
		worker_timers(w, mono_ns());
	}
}

/* A task's stdout or stderr is ready. */
static void
task_ready(int fd, short revents, void *arg)
{
	struct worker	*w = arg;

	(void)revents;
	if (fd == w->t.g.fd[0] && w->t.range_fd != -1)
		range_send(&w->t);
	else if (fd == w->t.g.fd[1] || fd == w->t.g.fd[2])
		(void)wgroup_read(&w->t.g, fd == w->t.g.fd[1] ? 1 : 2);
}

/* One of the persistent program's descriptors is ready. */
static void
persist_io_cb(int fd, short revents, void *arg)
{
	struct worker	*w = arg;

	if (w->persist != NULL)
		persist_ready(w->persist, fd, revents);
}

/* The socket to the supervisor is ready. */
static void
sock_ready(int fd, short revents, void *arg)
{
	struct worker	*w = arg;

	(void)fd;
	(void)revents;
	if (w->sock != -1)
		worker_sock(w);
}

/*
 * The worker's own loop (never the supervisor's it was forked with):
 * task output, then the persistent program's, then signals, then the
 * supervisor's messages, each turn in that order.
 */
static int
worker_loop_setup(struct worker *w)
{
	int	i;

	w->loop = loop_new();
	w->watch[W_OUT] = loop_add(w->loop, -1, POLLIN, task_ready, w);
	w->watch[W_ERR] = loop_add(w->loop, -1, POLLIN, task_ready, w);
	w->watch[W_IN] = loop_add(w->loop, -1, POLLOUT, task_ready, w);
	for (i = W_PERSIST; i < W_SOCK; i++)
		w->watch[i] = loop_add(w->loop, -1, 0, persist_io_cb, w);
	if (loop_signal(w->loop, SIGTERM, worker_signal, w) == -1 ||
	    loop_signal(w->loop, SIGCHLD, worker_signal, w) == -1)
		return -1;
	w->watch[W_SOCK] = loop_add(w->loop, w->sock, POLLIN, sock_ready, w);
	w->watch[W_SOCKOUT] = loop_add(w->loop, -1, 0, sock_ready, w);
	w->wake = loop_timer(w->loop, NULL, NULL);	/* worker_timers() */
	return 0;
}

/* Signals: the pool's ignored, fault handlers kept, the rest default. */
static void
worker_signal_setup(void)
{
	struct sigaction	sa;
	int			sig;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP ||
		    sig_in(sig, worker_sync, nitems_of(worker_sync)))
			continue;
		sa.sa_handler = signal_pool_ignored(sig) ? SIG_IGN : SIG_DFL;
		sigaction(sig, &sa, NULL);	/* fails for reserved ones */
	}
}

/*
 * Descriptors: the socket moves to 3 (for `pooltop worker`, its stdin to 3
 * and stdout to 4, and 0 and 1 go to /dev/null) and everything above is
 * closed; 0-2 are kept (opened on /dev/null if closed); /dev/null kept for
 * tasks.
 */
static int
worker_fd_setup(struct worker *w)
{
	const struct worker_conf *c = w->conf;
	int			  fd;

	if (dup2(c->fd, 3) == -1)
		return -1;
	w->sock = w->sock_out = 3;
	if (c->fd_out != c->fd) {
		if (dup2(c->fd_out, 4) == -1)
			return -1;
		w->sock_out = 4;
		close(0);
		close(1);
	}
	closefrom(w->sock_out + 1);
	if (!c->own_shm)
		c->shm->fd = -1; /* closed: shm_repair() goes by the name */
	if (set_cloexec(w->sock) == -1 || set_nonblock(w->sock) == -1 ||
	    set_cloexec(w->sock_out) == -1 || set_nonblock(w->sock_out) == -1)
		return -1;
	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= 2)
		;			/* a closed 0-2 gets /dev/null */
	if (fd == -1 || set_cloexec(fd) == -1)
		return -1;
	w->devnull = fd;
	return 0;
}

/* The process: death signal, subreaper, descriptors, signals. */
static int
worker_process_setup(struct worker *w)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	worker_signal_setup();
	if (sigprocmask(SIG_SETMASK, &set, NULL) == -1)
		return -1;
	if ((w->conf->supervisor != 0 &&
	    prctl(PR_SET_PDEATHSIG, SIGTERM) == -1) ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		return -1;
	if (worker_fd_setup(w) == -1)
		return -1;
	return worker_loop_setup(w);
}

/* Does this environment entry name one of the variables set per task? */
static bool
env_ours(const char *e)
{
	size_t	i;

	for (i = 0; i < nitems_of(worker_env_names); i++)
		if (strncmp(e, worker_env_names[i],
		    strlen(worker_env_names[i])) == 0)
			return true;
	return false;
}

/* Build the tasks' environment once; per-task values are patched later. */
static void
worker_env_setup(struct worker *w)
{
	const struct worker_conf	*c = w->conf;
	const char			*val[W_NENV];
	char				 slot[16], pid[24];
	size_t				 n = 0, i, j = 0;

	while (environ != NULL && environ[n] != NULL)
		n++;
	w->envp = xreallocarray(NULL, n + nitems_of(worker_env_names) + 2,
	    sizeof *w->envp);
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "PWD=", 4) == 0)
			w->pwd_was = environ[i];
		else if (!env_ours(environ[i]))
			w->envp[j++] = environ[i];
	snprintf(slot, sizeof slot, "%d", c->slot + 1);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	val[W_ENV_SHM] = c->shm->name;
	val[W_ENV_SLOT] = val[W_ENV_JOBSLOT] = slot;
	val[W_ENV_TASK] = val[W_ENV_SEQ] = "0";
	val[W_ENV_WORKER] = pid;
	for (i = 0; i < W_NENV; i++) {
		snprintf(w->env[i], sizeof w->env[i], "%s%s",
		    worker_env_names[i], val[i]);
		w->envp[j++] = w->env[i];
	}
	w->pwd_at = j;
	w->envp[j++] = w->pwd_was;
	w->envp[j] = NULL;
}

/*
 * PWD for the next spawn: dir, the task's --workdir (as a shell's cd would
 * set it), or NULL: the worker's own, as it was.
 */
static void
env_pwd(struct worker *w, const char *dir)
{
	if (dir != NULL && (size_t)snprintf(w->pwd, sizeof w->pwd, "PWD=%s",
	    dir) < sizeof w->pwd)
		w->envp[w->pwd_at] = w->pwd;
	else
		w->envp[w->pwd_at] = w->pwd_was;
}

/* How tasks start: own group, empty mask, every signal back to default. */
static void
worker_spawn_setup(struct worker *w)
{
	sigset_t	set;

	posix_spawnattr_init(&w->attr);
	sigemptyset(&set);
	posix_spawnattr_setsigmask(&w->attr, &set);
	sigfillset(&set);
	sigdelset(&set, SIGKILL);
	sigdelset(&set, SIGSTOP);
	posix_spawnattr_setsigdefault(&w->attr, &set);
	posix_spawnattr_setpgroup(&w->attr, 0);
	posix_spawnattr_setflags(&w->attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	w->spawner.shell = w->shell;
	w->spawner.envp = w->envp;
	w->spawner.attr = &w->attr;
	w->spawner.devnull = w->devnull;
	w->spawner.rbuf = w->rbuf;
	wgroup_spawner_init(&w->spawner);
}

/* Options the worker uses, with defaults when unset. */
static void
worker_opts_setup(struct worker *w)
{
	const struct opts	*o = w->conf->opts;
	int			 tick_ms = W_TICK_MS;

	w->shell = "/bin/sh";
	w->termseq = worker_default_termseq;
	if (o != NULL) {
		if (o->shell != NULL && *o->shell != '\0')
			w->shell = o->shell;
		if (o->termseq.n > 0 && o->termseq.n <= PT_TERMSEQ_MAX)
			w->termseq = o->termseq;
		if (o->tick_ms > 0)
			tick_ms = o->tick_ms;
	}
	w->tick_ns = tick_ms * W_MS;
}

/* Take the slot: a new generation, this pid, idle. */
static void
worker_take_slot(struct worker *w)
{
	struct pt_shm_slot	*s = w->slot;

	memset(s, 0, sizeof *s);
	s->generation = w->conf->generation;
	s->worker_pid = getpid();
	s->state = PT_SLOT_IDLE;
	slot_publish(w);
}

/*
 * worker-persist.c's ways to publish the slot it wrote and to queue a
 * message: its void * made a worker in one place, so that the compiler
 * checks the worker at every direct call of slot_publish() and
 * worker_send().
 */
static void
persist_publish_cb(void *arg)
{
	slot_publish(arg);
}

static void
persist_send_cb(void *arg, uint32_t type, const void *p, size_t n,
    const void *extra, size_t extralen)
{
	worker_send(arg, type, p, n, extra, extralen);
}

/* worker-persist.c's way to queue an answered line (ANSWERS). */
static void
persist_answer_cb(void *arg, const struct pt_answer *a, const char *b)
{
	struct worker		*w = arg;
	struct pt_answers	 h = { 0, 0 };
	char			*at;

	if (w->sock == -1)
		return;
	at = proto_batch_add(&w->out, &w->answers, PT_MSG_ANSWERS, &h,
	    sizeof h, sizeof *a + a->len);
	memcpy(at, a, sizeof *a);
	memcpy(at + sizeof *a, b, a->len);
}

/* worker-persist.c's way to hand over what its ended child left. */
static void
persist_linger_cb(void *arg, pid_t pgid)
{
	worker_leftovers(arg, pgid, mono_ns());
}

/* Persistent mode: the engine that runs --init and the program. */
static void
worker_persist_setup(struct worker *w)
{
	const struct opts	*o = w->conf->opts;
	struct persist_conf	 pc;

	memset(&pc, 0, sizeof pc);
	pc.command = o->persistent;
	pc.init = o->init;
	pc.dir = w->conf->workdir;
	env_pwd(w, pc.dir);	/* the program's, for good */
	pc.spawner = &w->spawner;
	pc.env_task = w->env[W_ENV_TASK];
	pc.env_task_size = sizeof w->env[W_ENV_TASK];
	pc.termseq = &w->termseq;
	pc.tick_ns = w->tick_ns;
	pc.max_tasks = o->max_tasks_per_worker;
	pc.slot = w->conf->slot;
	pc.shm_slot = w->slot;
	pc.mbox = w->mbox;
	pc.publish = persist_publish_cb;
	pc.send = persist_send_cb;
	pc.answer = persist_answer_cb;
	pc.linger = persist_linger_cb;
	pc.arg = w;
	w->persist = persist_new(&pc);
}

/*
 * The descriptors a worker holds at most: its own (worker_fd_setup) and
 * those a task or the persistent program needs while it starts (sampling
 * /proc needs fewer).  Under a lower open file limit nothing can start.
 */
int
worker_fds(const struct opts *o)
{
	return W_FDS_OWN + (o->persistent != NULL ? PERSIST_SPAWN_FDS :
	    W_FDS_SPAWN);
}

/* Set the worker up, take the slot, say READY and serve until told to go. */
void
worker_main(const struct worker_conf *conf)
{
	struct worker	*w;

	w = xcalloc(1, sizeof *w);
	w->conf = conf;
	w->slot = &w->pub;
	w->mbox = &conf->shm->slots[conf->slot].mbox;
	w->sock = w->sock_out = w->devnull = -1;
	if (worker_process_setup(w) == -1)
		_exit(1);
	w->rbuf = xmalloc(W_RBUF);
	worker_opts_setup(w);
	w->strays = strays_new(w->termseq.wait_ms[w->termseq.n - 1]);
	worker_env_setup(w);
	worker_spawn_setup(w);
	worker_take_slot(w);
	worker_title(w, NULL);
	if (conf->opts != NULL && conf->opts->persistent != NULL)
		worker_persist_setup(w);
	if (conf->supervisor != 0 && getppid() != conf->supervisor)
		worker_lost(w);
	else if (w->persist != NULL)
		persist_start(w->persist);	/* READY once --init is done */
	else
		worker_send(w, PT_MSG_READY, NULL, 0, NULL, 0);
	if (conf->pending != NULL && conf->pending->len > 0) {
		/* What came after CONF, with it (`pooltop worker`). */
		buf_add(&w->in, conf->pending->data, conf->pending->len);
		worker_take(w);
	}
	worker_loop(w);
}

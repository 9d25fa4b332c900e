/* The process group a worker runs (worker-group.h says what of it). */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <paths.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "worker-group.h"

/* Smaller of two deadlines. */
int64_t
wgroup_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Signal a process group and wake it if stopped; errors do not matter. */
void
wgroup_signal(pid_t pgid, int sig)
{
	killpg(pgid, sig);
	if (sig != SIGKILL && sig != SIGCONT)
		killpg(pgid, SIGCONT);
}

/* The caller set its fields; no file actions made yet. */
void
wgroup_spawner_init(struct wgroup_spawner *sp)
{
	sp->fa_fd[0] = sp->fa_fd[1] = sp->fa_fd[2] = -1;
}

/* Free the file actions kept. */
void
wgroup_spawner_free(struct wgroup_spawner *sp)
{
	if (sp->fa_fd[1] != -1)
		posix_spawn_file_actions_destroy(&sp->fa);
	sp->fa_fd[0] = sp->fa_fd[1] = sp->fa_fd[2] = -1;
}

/*
 * The file actions that make fd[i] the child's descriptor i.  The pipes
 * mostly get the same descriptors each time, so they are kept.
 */
static posix_spawn_file_actions_t *
spawner_actions(struct wgroup_spawner *sp, const int *fd)
{
	int	i;

	if (sp->fa_fd[0] == fd[0] && sp->fa_fd[1] == fd[1] &&
	    sp->fa_fd[2] == fd[2])
		return &sp->fa;
	wgroup_spawner_free(sp);
	posix_spawn_file_actions_init(&sp->fa);
	for (i = 0; i < 3; i++) {
		posix_spawn_file_actions_adddup2(&sp->fa, fd[i], i);
		sp->fa_fd[i] = fd[i];
	}
	return &sp->fa;
}

/*
 * The file actions of a spawn into directory dir: fa's dups made anew
 * (the cached ones stay for the spawns without a directory), then the
 * chdir, in the child only.  0 or an errno; the caller destroys fa.
 */
static int
dir_actions(posix_spawn_file_actions_t *fa, const int *fd, const char *dir)
{
	int	i, error = 0;

	posix_spawn_file_actions_init(fa);
	for (i = 0; i < 3 && error == 0; i++)
		error = posix_spawn_file_actions_adddup2(fa, fd[i], i);
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCHDIR_NP
	if (error == 0)
		error = posix_spawn_file_actions_addchdir_np(fa, dir);
#else
	(void)dir;
	if (error == 0)
		error = ENOSYS;	/* workdir_new() refused it */
#endif
	return error;
}

/* No group yet, not being ended. */
void
wgroup_init(struct wgroup *g, struct wgroup_spawner *sp,
    const struct termseq *ts, wgroup_out_fn out, void *arg)
{
	memset(g, 0, sizeof *g);
	g->fd[0] = g->fd[1] = g->fd[2] = -1;
	g->in = -1;
	g->spawner = sp;
	g->out = out;
	g->arg = arg;
	g->termseq = ts;
	g->term_step = -1;
	g->term_deadline = WG_NEVER;
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

/* Close the pipe of stream i if open. */
void
wgroup_close(struct wgroup *g, int i)
{
	fd_close(&g->fd[i]);
}

/*
 * Make the pipes: ours[i] is our end of stream i, theirs[i] the child's
 * (stdin /dev/null, stderr on stdout as flags say).  0 or an errno.
 */
static int
spawn_pipes(struct wgroup *g, int flags, int *ours, int *theirs)
{
	int	p[2], i;

	theirs[0] = g->in != -1 ? g->in : g->spawner->devnull;
	g->in = -1;
	for (i = 0; i < 3; i++) {
		if ((i == 0 && !(flags & WG_STDIN)) ||
		    (i == 2 && (flags & WG_MERGE)))
			continue;
		if (pipe2(p, O_CLOEXEC) == -1)
			return errno;
		ours[i] = p[i == 0 ? 1 : 0];
		theirs[i] = p[i == 0 ? 0 : 1];
	}
	if (flags & WG_MERGE)
		theirs[2] = theirs[1];
	return 0;
}

/*
 * argv[0] is a file without "#!": run it as a shell script, as execvp(3),
 * sh, xargs and GNU parallel do.  POSIX sh, not the user's --shell (the
 * script is one for sh), and the arguments as "$0" "$@": data, never code.
 */
static int
spawn_script(struct wgroup *g, posix_spawn_file_actions_t *fa,
    char *const *argv)
{
	struct wgroup_spawner	*sp = g->spawner;
	char			**v;
	size_t			 n, i;
	int			 error;

	for (n = 0; argv[n] != NULL; n++)
		;
	if ((v = calloc(n + 4, sizeof *v)) == NULL)
		return ENOMEM;
	v[0] = (char *)"sh";
	v[1] = (char *)"-c";
	v[2] = (char *)"exec \"$0\" \"$@\"";
	for (i = 0; i < n; i++)
		v[3 + i] = argv[i];
	error = posix_spawn(&g->pid, _PATH_BSHELL, fa, sp->attr, v, sp->envp);
	free(v);
	return error;
}

/* Spawn argv with its output on new pipes; 0 or an errno. */
int
wgroup_spawn(struct wgroup *g, char *const *argv, bool shell, int flags)
{
	struct wgroup_spawner		*sp = g->spawner;
	posix_spawn_file_actions_t	*fa = NULL, own;
	int				 ours[3] = { -1, -1, -1 };
	int				 theirs[3] = { -1, -1, -1 };
	char				*sh[4] = { (char *)"sh", (char *)"-c",
					    argv[0], NULL };
	int				 error, i;

	error = spawn_pipes(g, flags, ours, theirs);
	if (error == 0 && g->dir != NULL)
		error = dir_actions(fa = &own, theirs, g->dir);
	else if (error == 0)
		fa = spawner_actions(sp, theirs);
	if (error == 0) {
		if (shell)
			error = posix_spawn(&g->pid, sp->shell, fa, sp->attr,
			    sh, sp->envp);
		else if ((error = posix_spawnp(&g->pid, argv[0], fa, sp->attr,
		    argv, sp->envp)) == ENOEXEC)
			error = spawn_script(g, fa, argv);
	}
	if (fa == &own)
		posix_spawn_file_actions_destroy(&own);
	for (i = 0; i < 3; i++) {
		if (theirs[i] != sp->devnull && (i != 2 || !(flags & WG_MERGE)))
			fd_close(&theirs[i]);
		if (error != 0)
			fd_close(&ours[i]);
		else if (ours[i] != -1)
			set_nonblock(ours[i]);
		g->fd[i] = ours[i];
	}
	if (error != 0)
		g->pid = 0;
	return error;
}

/* Read once from stream i; what is read goes to g->out. */
ssize_t
wgroup_read(struct wgroup *g, int i)
{
	char	*b = g->spawner->rbuf;
	ssize_t	 n;

	n = read(g->fd[i], b, WG_RBUF);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		fd_close(&g->fd[i]);
		return -1;
	}
	g->out(g->arg, i, b, (size_t)n);
	return n;
}

/* Read what an ended group left in stream i, bounded, and close it. */
void
wgroup_drain(struct wgroup *g, int i)
{
	size_t	total = 0;
	ssize_t	n;

	while (g->fd[i] != -1 && total < WG_DRAIN_MAX &&
	    (n = wgroup_read(g, i)) > 0)
		total += (size_t)n;
	fd_close(&g->fd[i]);
}

/* Is the leader spawned and not reaped yet? */
bool
wgroup_alive(const struct wgroup *g)
{
	return g->pid != 0 && !g->reaped;
}

/* A child was reaped: ours if it was the live leader. */
bool
wgroup_reaped(struct wgroup *g, pid_t pid, int wstatus)
{
	if (!wgroup_alive(g) || pid != g->pid)
		return false;
	g->reaped = true;
	g->wstatus = wstatus;
	return true;
}

/* Stop the group (PAUSE). */
void
wgroup_stop(const struct wgroup *g)
{
	killpg(g->pid, SIGSTOP);
}

/* Continue the group (RESUME). */
void
wgroup_cont(const struct wgroup *g)
{
	killpg(g->pid, SIGCONT);
}

/* Is the termination sequence running? */
bool
wgroup_ending(const struct wgroup *g)
{
	return g->term_step >= 0;
}

/* Send the next step of the termination sequence; SIGKILL after the last. */
static void
term_next(struct wgroup *g, int64_t now)
{
	const struct termseq	*ts = g->termseq;
	int			 i = ++g->term_step;

	if (i < ts->n) {
		wgroup_signal(g->pid, ts->sig[i]);
		g->term_deadline = now + ts->wait_ms[i] * WG_MS;
	} else {
		if (i == ts->n)
			killpg(g->pid, SIGKILL);
		g->term_deadline = WG_NEVER;
	}
}

/* Start the termination sequence with its first step. */
void
wgroup_term_start(struct wgroup *g, int64_t now)
{
	g->term_step = -1;
	term_next(g, now);
}

/* Send the next step if it is due. */
void
wgroup_term_check(struct wgroup *g, int64_t now)
{
	if (g->term_step >= 0 && now >= g->term_deadline)
		term_next(g, now);
}

/* When the next step is due. */
int64_t
wgroup_term_deadline(const struct wgroup *g)
{
	return g->term_step >= 0 ? g->term_deadline : WG_NEVER;
}

/* Start sampling at now. */
void
wgroup_sample_start(struct wgroup *g, int64_t now, int64_t tick_ns,
    bool baseline)
{
	struct procstat	ps;

	g->tick_ns = tick_ns;
	g->sample_ns = now;
	g->sample_ticks = 0;
	if (baseline && procstat_tree(g->pid, &ps) == 0)
		g->sample_ticks = ps.ticks;
	sampler_start(&g->sampler, now, tick_ns);
}

/* Walk the tree if due: CPU since the last walk, memory, CPU in all. */
bool
wgroup_sample(struct wgroup *g, int64_t now, struct wgroup_sample *s)
{
	struct procstat	ps;

	if (!sampler_due(&g->sampler, now) || procstat_tree(g->pid, &ps) != 0)
		return false;
	s->cpu_permille = procstat_permille(g->sample_ticks, ps.ticks,
	    now - g->sample_ns);
	sampler_done(&g->sampler, ps.ticks != g->sample_ticks, now,
	    g->tick_ns);
	g->sample_ticks = ps.ticks;
	g->sample_ns = now;
	s->rss_bytes = ps.rss_bytes;
	if (ps.ticks > s->cpu_ticks)
		s->cpu_ticks = ps.ticks;
	return true;
}

/* Keep the last bytes of output. */
void
wgroup_tail_add(struct wgroup_tail *t, const char *b, size_t n)
{
	tail_keep(t->b, &t->len, sizeof t->b, b, n);
}

/* Write the samples and the progress to the slot. */
void
wgroup_slot_sample(struct pt_shm_slot *s, const struct wgroup_sample *v)
{
	s->cpu_permille = v->cpu_permille;
	s->rss_bytes = v->rss_bytes;
	s->cpu_ticks = v->cpu_ticks;
	s->progress_done = v->progress_done;
	s->progress_total = v->progress_total;
}

/* Write the output tail to the slot. */
void
wgroup_slot_tail(struct pt_shm_slot *s, const struct wgroup_tail *t)
{
	memcpy(s->tail, t->b, t->len);
	s->tail_len = (uint32_t)t->len;
}

/* Start the clock at now, with no time paused. */
void
wgroup_clock_start(struct wgroup_clock *c, int64_t now)
{
	c->start = now;
	c->paused_ns = 0;
}

/* Time stopped from paused_at to now that counts against the clock. */
static int64_t
clock_pause_ns(const struct wgroup_clock *c, int64_t paused_at, int64_t now)
{
	if (c->start == 0 || paused_at == 0)
		return 0;
	return now - (paused_at > c->start ? paused_at : c->start);
}

/* A pause ended now: add what of it came after the start. */
void
wgroup_clock_unpause(struct wgroup_clock *c, int64_t paused_at, int64_t now)
{
	c->paused_ns += clock_pause_ns(c, paused_at, now);
}

/* Time run until now without the pauses; 0 if not started. */
int64_t
wgroup_clock_running(const struct wgroup_clock *c, int64_t paused_at,
    int64_t now)
{
	int64_t	ns;

	if (c->start == 0)
		return 0;
	ns = now - c->start - c->paused_ns -
	    clock_pause_ns(c, paused_at, now);
	return ns < 0 ? 0 : ns;
}

/* When a timeout passes if the clock keeps running. */
int64_t
wgroup_clock_timeout(const struct wgroup_clock *c, int64_t timeout_ns)
{
	if (c->start == 0 || timeout_ns == 0)
		return WG_NEVER;
	return c->start + c->paused_ns + timeout_ns;
}

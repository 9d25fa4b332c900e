/*
 * Hooks (see pool-hook.h).
 *
 * A hook is a job (argv, shell or not, its environment) until it starts,
 * then a running child: pid (its group's id too), deadline, and how far
 * along the termination sequence it is.  One loop timer serves every
 * running hook's next deadline.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keeper.h"
#include "loop.h"
#include "opts.h"
#include "pool-hook.h"
#include "template.h"
#include "util.h"

#define HOOK_ENV_MAX	16

struct hook {
	char			*what;		/* "on-task-end for task 3" */
	uint64_t		 seq;
	bool			 shell;
	char			**argv;		/* NULL-terminated */
	char			*env[HOOK_ENV_MAX + 1];
	pid_t			 pid;		/* 0 until started */
	int64_t			 deadline;	/* mono ns of the next step */
	int			 step;		/* of the termseq;
						   -1: none yet */
	bool			 timed_out;
	TAILQ_ENTRY(hook)	 entry;
};
TAILQ_HEAD(hooklist, hook);

struct hooks {
	struct loop		*loop;
	const struct opts	*o;
	struct template		*tpl;		/* --on-task-end */
	int			 err_fd;
	int			 timer;
	hook_say_cb		 say;
	void			*arg;
	struct hooklist		 waiting;
	struct hooklist		 running;
	size_t			 nwaiting, nrunning;
	bool			 stopping;
	bool			 full_said;
	int64_t			 stopped_at;	/* hooks_suspend(), or 0 */
};

static void	hooks_tick(void *);

/* Compile --on-task-end; NULL and err. */
static struct template *
compile_task_hook(const struct opts *o, char *err, size_t errlen)
{
	struct template	*t;
	char		 why[512];

	if ((t = template_compile_bare(o->on_task_end, why, sizeof why))
	    == NULL) {
		snprintf(err, errlen, "--on-task-end: %s", why);
		return NULL;
	}
	return t;
}

int
hooks_check(const struct opts *o, char *err, size_t errlen)
{
	struct template	*t;

	if (o->on_task_end == NULL)
		return 0;
	if ((t = compile_task_hook(o, err, errlen)) == NULL)
		return -1;
	template_free(t);
	return 0;
}

struct hooks *
hooks_new(struct loop *loop, const struct opts *o, int err_fd,
    hook_say_cb say, void *arg, char *err, size_t errlen)
{
	struct hooks	*h;

	h = xcalloc(1, sizeof *h);
	h->loop = loop;
	h->o = o;
	h->err_fd = err_fd;
	h->say = say;
	h->arg = arg;
	h->timer = -1;
	TAILQ_INIT(&h->waiting);
	TAILQ_INIT(&h->running);
	if (o->on_task_end != NULL &&
	    (h->tpl = compile_task_hook(o, err, errlen)) == NULL) {
		free(h);
		return NULL;
	}
	if (o->on_task_end != NULL || o->on_end != NULL)
		h->timer = loop_timer(loop, hooks_tick, h);
	return h;
}

/* Free one hook. */
static void
hook_free(struct hook *k)
{
	char	**a;
	size_t	  i;

	for (a = k->argv; a != NULL && *a != NULL; a++)
		free(*a);
	free(k->argv);
	for (i = 0; k->env[i] != NULL; i++)
		free(k->env[i]);
	free(k->what);
	free(k);
}

void
hooks_free(struct hooks *h)
{
	struct hook	*k;

	if (h == NULL)
		return;
	while ((k = TAILQ_FIRST(&h->waiting)) != NULL) {
		TAILQ_REMOVE(&h->waiting, k, entry);
		hook_free(k);
	}
	while ((k = TAILQ_FIRST(&h->running)) != NULL) {
		TAILQ_REMOVE(&h->running, k, entry);
		killpg(k->pid, SIGKILL);
		hook_free(k);
	}
	if (h->timer != -1)
		loop_timer_del(h->loop, h->timer);
	template_free(h->tpl);
	free(h);
}

/* Add NAME=value to k's environment. */
static void __attribute__((format(printf, 3, 4)))
hook_env(struct hook *k, const char *name, const char *fmt, ...)
{
	va_list	ap;
	char	*v;
	size_t	 i;

	for (i = 0; i < HOOK_ENV_MAX && k->env[i] != NULL; i++)
		;
	if (i == HOOK_ENV_MAX)
		return;
	va_start(ap, fmt);
	v = xvasprintf(fmt, ap);
	va_end(ap);
	k->env[i] = xasprintf("%s=%s", name, v);
	free(v);
}

/* The child: reset what the supervisor changed, exec the hook. */
static void __attribute__((noreturn))
hook_exec(const struct hooks *h, struct hook *k, pid_t sup)
{
	struct sigaction	sa;
	sigset_t		none;
	int			sig, null, fd = h->err_fd, i;

	(void)setpgid(0, 0);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != sup)
		_exit(126);	/* it died before the keeper heard of us */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (fd < 0)
		fd = STDERR_FILENO;
	if ((fd = fcntl(fd, F_DUPFD, 3)) == -1 ||
	    (null = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(null, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1)
		_exit(126);
	closefrom(3);
	/* An outer pool's task variables are not this hook's. */
	(void)unsetenv("POOLTOP_SHM");
	(void)unsetenv("POOLTOP_SLOT");
	(void)unsetenv("POOLTOP_TASK");
	(void)unsetenv("POOLTOP_WORKER");
	for (i = 0; k->env[i] != NULL; i++)
		(void)putenv(k->env[i]);
	if (k->shell)
		execl(h->o->shell, "sh", "-c", k->argv[0], (char *)NULL);
	else
		execvp(k->argv[0], k->argv);
	_exit(errno == ENOENT ? 127 : 126);
}

/* Arm the timer for the earliest deadline of the running hooks. */
static void
hooks_arm(struct hooks *h)
{
	struct hook	*k;
	int64_t		 when = 0;

	TAILQ_FOREACH(k, &h->running, entry)
		if (when == 0 || k->deadline < when)
			when = k->deadline;
	if (h->timer != -1)
		loop_timer_at(h->loop, h->timer, when);
}

/* Start waiting hooks while there is room. */
static void
hooks_start(struct hooks *h)
{
	struct hook	*k;
	pid_t		 pid, sup = getpid();

	while (h->nrunning < HOOK_RUN_MAX &&
	    (k = TAILQ_FIRST(&h->waiting)) != NULL) {
		TAILQ_REMOVE(&h->waiting, k, entry);
		h->nwaiting--;
		if ((pid = fork()) == -1) {
			char	text[256];

			snprintf(text, sizeof text, "%s: cannot start: %s",
			    k->what, strerror(errno));
			h->say(h->arg, k->seq, errno, text);
			hook_free(k);
			continue;
		}
		if (pid == 0)
			hook_exec(h, k, sup);
		(void)setpgid(pid, pid);
		keeper_add_group(pid);
		k->pid = pid;
		k->step = -1;
		k->deadline = mono_ns() + (int64_t)(h->o->hook_timeout * 1e9);
		TAILQ_INSERT_TAIL(&h->running, k, entry);
		h->nrunning++;
	}
	if (h->nwaiting == 0)
		h->full_said = false;
	hooks_arm(h);
}

/* Queue k (or drop it when too many wait) and start what can start. */
static void
hooks_queue(struct hooks *h, struct hook *k)
{
	char	text[256];

	hook_env(k, "POOLTOP_POOL", "%ld", (long)getpid());
	if (h->o->name != NULL)
		hook_env(k, "POOLTOP_NAME", "%s", h->o->name);
	if (h->stopping || h->nwaiting >= HOOK_QUEUE_MAX) {
		if (!h->stopping && !h->full_said) {
			snprintf(text, sizeof text, "%s: skipped: %d hooks"
			    " already wait to run (and more may be)", k->what,
			    HOOK_QUEUE_MAX);
			h->say(h->arg, k->seq, 0, text);
			h->full_said = true;
		}
		hook_free(k);
		return;
	}
	TAILQ_INSERT_TAIL(&h->waiting, k, entry);
	h->nwaiting++;
	hooks_start(h);
}

/* Seconds with three decimals. */
static void
hook_env_secs(struct hook *k, const char *name, int64_t ns)
{
	hook_env(k, name, "%lld.%03lld", (long long)(ns / 1000000000),
	    (long long)(ns % 1000000000 / 1000000));
}

void
hooks_task_end(struct hooks *h, const struct hook_task *t)
{
	struct expanded	 e;
	struct hook	*k;
	int		 i;

	if (h == NULL || h->tpl == NULL)
		return;
	memset(&e, 0, sizeof e);
	if (t->args != NULL)
		template_expand_args(h->tpl, t->args, t->nargs, t->seq, t->slot,
		    &e);
	else
		template_expand(h->tpl, t->item, t->seq, t->slot, &e);
	k = xcalloc(1, sizeof *k);
	k->seq = t->seq;
	k->what = xasprintf("on-task-end for task %llu",
	    (unsigned long long)t->seq);
	k->shell = e.shell;
	k->argv = xcalloc((size_t)e.argc + 1, sizeof *k->argv);
	for (i = 0; i < e.argc; i++)
		k->argv[i] = xstrdup(e.argv[i]);
	expanded_free(&e);
	hook_env(k, "POOLTOP_SEQ", "%llu", (unsigned long long)t->seq);
	hook_env(k, "POOLTOP_SLOT", "%d", t->slot + 1);
	hook_env(k, "POOLTOP_RESULT", "%s", t->result);
	hook_env(k, "POOLTOP_EXIT", "%d", t->exitval);
	hook_env(k, "POOLTOP_SIGNAL", "%d", t->sig);
	hook_env_secs(k, "POOLTOP_DURATION", t->wall_ns);
	hook_env(k, "POOLTOP_ATTEMPTS", "%d", t->attempts);
	hook_env(k, "POOLTOP_ITEM", "%s", t->item != NULL ? t->item : "");
	if (t->command != NULL)
		hook_env(k, "POOLTOP_COMMAND", "%s", t->command);
	hooks_queue(h, k);
}

void
hooks_pool_end(struct hooks *h, const struct hook_run *r)
{
	struct hook	*k;

	if (h == NULL || h->o->on_end == NULL)
		return;
	k = xcalloc(1, sizeof *k);
	k->what = xstrdup("on-end");
	k->shell = true;
	k->argv = xcalloc(2, sizeof *k->argv);
	k->argv[0] = xstrdup(h->o->on_end);
	hook_env(k, "POOLTOP_EXIT", "%d", r->exit);
	hook_env(k, "POOLTOP_DONE", "%llu", (unsigned long long)r->done);
	hook_env(k, "POOLTOP_FAILED", "%llu", (unsigned long long)r->failed);
	hook_env_secs(k, "POOLTOP_DURATION", r->wall_ns);
	hook_env(k, "POOLTOP_JOBLOG", "%s", r->joblog != NULL ? r->joblog :
	    "");
	h->stopping = false;	/* on-end runs even after a stop */
	hooks_queue(h, k);
}

bool
hooks_busy(const struct hooks *h)
{
	return h != NULL && (h->nrunning > 0 || h->nwaiting > 0);
}

/* Send k the next step of the termination sequence. */
static void
hook_step(struct hooks *h, struct hook *k)
{
	const struct termseq	*ts = &h->o->termseq;
	int64_t			 wait_ms = 1000;
	int			 sig = SIGKILL;

	k->step++;
	if (k->step < ts->n) {
		sig = ts->sig[k->step];
		wait_ms = ts->wait_ms[k->step];
	}
	killpg(k->pid, sig);
	if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
		killpg(k->pid, SIGCONT);
	k->deadline = mono_ns() + wait_ms * 1000000LL;
}

void
hooks_stop(struct hooks *h)
{
	struct hook	*k;

	if (h == NULL)
		return;
	h->stopping = true;
	while ((k = TAILQ_FIRST(&h->waiting)) != NULL) {
		TAILQ_REMOVE(&h->waiting, k, entry);
		h->nwaiting--;
		hook_free(k);
	}
	TAILQ_FOREACH(k, &h->running, entry)
		if (k->step < 0)
			hook_step(h, k);
	hooks_arm(h);
}

/* The timer: hooks past their deadline get the next step. */
static void
hooks_tick(void *arg)
{
	struct hooks	*h = arg;
	struct hook	*k;
	int64_t		 now = mono_ns();
	char		 text[256];

	TAILQ_FOREACH(k, &h->running, entry) {
		if (k->deadline > now)
			continue;
		if (k->step < 0 && !h->stopping) {
			k->timed_out = true;
			snprintf(text, sizeof text, "%s: still running after"
			    " %gs: ending it", k->what, h->o->hook_timeout);
			h->say(h->arg, k->seq, 0, text);
		}
		hook_step(h, k);
	}
	hooks_arm(h);
}

void
hooks_suspend(struct hooks *h, bool stop)
{
	struct hook	*k;
	int64_t		 now = mono_ns();

	if (h == NULL || stop == (h->stopped_at != 0))
		return;
	TAILQ_FOREACH(k, &h->running, entry) {
		if (!stop)
			k->deadline += now - h->stopped_at;
		killpg(k->pid, stop ? SIGSTOP : SIGCONT);
	}
	h->stopped_at = stop ? now : 0;
	hooks_arm(h);
}

bool
hooks_own(const struct hooks *h, pid_t pid)
{
	const struct hook	*k;

	if (h == NULL)
		return false;
	TAILQ_FOREACH(k, &h->running, entry)
		if (k->pid == pid)
			return true;
	return false;
}

bool
hooks_reaped(struct hooks *h, pid_t pid, int wstatus)
{
	struct hook	*k;
	char		 text[256];

	if (h == NULL)
		return false;
	TAILQ_FOREACH(k, &h->running, entry)
		if (k->pid == pid)
			break;
	if (k == NULL)
		return false;
	TAILQ_REMOVE(&h->running, k, entry);
	h->nrunning--;
	killpg(pid, SIGKILL);	/* what it left in its group */
	keeper_drop_group(pid);
	text[0] = '\0';
	if (k->timed_out)
		;	/* said when it was ended */
	else if (WIFSIGNALED(wstatus) && !h->stopping)
		snprintf(text, sizeof text, "%s: ended by signal %d", k->what,
		    WTERMSIG(wstatus));
	else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
		snprintf(text, sizeof text, "%s: exit 127 (command not found?)",
		    k->what);
	else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0)
		snprintf(text, sizeof text, "%s: exit %d", k->what,
		    WEXITSTATUS(wstatus));
	if (text[0] != '\0')
		h->say(h->arg, k->seq, WIFEXITED(wstatus) ?
		    WEXITSTATUS(wstatus) : WTERMSIG(wstatus), text);
	hook_free(k);
	hooks_start(h);
	return true;
}

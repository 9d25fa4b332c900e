/*
 * The keeper process (see keeper.h for what it is for).
 *
 * The supervisor's side is a SOCK_SEQPACKET socket, one message a record:
 * a type byte and its text, 'S' a segment name, 'C' a control socket path,
 * 'W' a worker (its pidfd rides along as SCM_RIGHTS), 'G' a hook's
 * group (its leader's pid as text, its pidfd along), 'g' that group's
 * leader reaped (its pid), 'X' "finished".
 * Sends never block: the socket is empty when the names go out, and a
 * worker the keeper has no room for is only a worker it cannot continue.
 *
 * The keeper's side is one poll() loop on the socket, a pidfd of the
 * supervisor and the workers' pidfds (a worker's becomes readable when it
 * exits, so the keeper holds only live ones).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cgroup.h"
#include "keeper.h"
#include "util.h"

#define KEEPER_MSG_MAX		4200	/* a type byte and a path */
#define KEEPER_NUDGE_MS		20	/* SIGCONT to live workers this often */
#define KEEPER_REAP_MS		1000	/* supervisor waits this for it */
#define KEEPER_PATH		4096
#define KEEPER_CGROUP_MS	2000	/* for a task cgroup to empty */

/* Paths the keeper removes: a list without repeats. */
struct keep_names {
	char	**v;
	size_t	  n;
};

/* The supervisor's end. */
static struct {
	int	fd;
	pid_t	pid;
} keeper = { -1, 0 };

/* The keeper's own state. */
struct keep {
	int	 sock;
	int	 supfd;			/* pidfd of the supervisor, or -1 */
	pid_t	 sup;
	bool	 finished;		/* told 'X' */
	bool	 gone;			/* the supervisor is gone */
	char	 shm[KEEPER_PATH];
	struct keep_names sockets;	/* control and ssh master sockets */
	struct keep_names cgroups;	/* the pool's task cgroups */
	int	*workers;		/* pidfds of live workers */
	size_t	 nworkers;
	int	*gfd;			/* pidfds of hooks' group leaders */
	pid_t	*gpid;			/* ... and their pids */
	size_t	 ngroups;
};

/* pidfd_open(2), which the C library may not wrap. */
static int
pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* pidfd_send_signal(2). */
static int
pidfd_signal(int fd, int sig)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
#else
	(void)fd;
	(void)sig;
	errno = ENOSYS;
	return -1;
#endif
}

/* Send one record, with an fd if fd >= 0; never blocks. */
static void
keeper_send(char type, const char *text, int fd)
{
	char		 msg[KEEPER_MSG_MAX];
	struct iovec	 iov = { .iov_base = msg };
	struct msghdr	 mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(int))];
	}		 cm;
	size_t		 n = 0;

	if (keeper.fd == -1)
		return;
	if (text != NULL && (n = strlen(text)) >= sizeof msg - 1)
		return;
	msg[0] = type;
	if (n > 0)
		memcpy(msg + 1, text, n);
	iov.iov_len = n + 1;
	if (fd >= 0) {
		memset(&cm, 0, sizeof cm);
		mh.msg_control = cm.b;
		mh.msg_controllen = sizeof cm.b;
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&cm.h), &fd, sizeof fd);
	}
	while (sendmsg(keeper.fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) == -1 &&
	    errno == EINTR)
		;
}

void
keeper_keep_shm(const char *name)
{
	keeper_send('S', name, -1);
}

void
keeper_keep_socket(const char *path)
{
	keeper_send('C', path, -1);
}

void
keeper_keep_cgroup(const char *dir)
{
	keeper_send('D', dir, -1);
}

void
keeper_add_worker(pid_t pid)
{
	int	fd;

	if (keeper.fd == -1 || (fd = pidfd_of(pid)) == -1)
		return;
	keeper_send('W', NULL, fd);
	close(fd);
}

void
keeper_add_group(pid_t pid)
{
	char	text[32];
	int	fd;

	if (keeper.fd == -1 || (fd = pidfd_of(pid)) == -1)
		return;
	snprintf(text, sizeof text, "%ld", (long)pid);
	keeper_send('G', text, fd);
	close(fd);
}

void
keeper_drop_group(pid_t pid)
{
	char	text[32];

	snprintf(text, sizeof text, "%ld", (long)pid);
	keeper_send('g', text, -1);
}

pid_t
keeper_pid(void)
{
	return keeper.pid;
}

void
keeper_release(void)
{
	if (keeper.fd == -1)
		return;
	keeper_send('X', NULL, -1);
	close(keeper.fd);
	keeper.fd = -1;
}

void
keeper_reap(void)
{
	struct pollfd	pfd;
	int64_t		limit, left;
	pid_t		r;

	if (keeper.pid == 0 || keeper.fd != -1)
		return;
	/*
	 * Wait for it to exit, bounded: a keeper stuck cleaning up does not
	 * hold the pool's exit.  Its pidfd turns readable the moment it can
	 * be reaped; without one (an old kernel), look every 2 ms.
	 */
	limit = mono_ns() + KEEPER_REAP_MS * 1000000LL;
	pfd.fd = pidfd_of(keeper.pid);
	pfd.events = POLLIN;
	while ((r = waitpid(keeper.pid, NULL, WNOHANG)) == 0 &&
	    (left = limit - mono_ns()) > 0) {
		if (pfd.fd != -1)
			poll(&pfd, 1, (int)((left + 999999) / 1000000));
		else
			poll(NULL, 0, 2);
	}
	if (pfd.fd != -1)
		close(pfd.fd);
	keeper.pid = 0;
}

/* Signals back to default, the pool's ignored (util.h), nothing blocked. */
static void
keeper_signals(void)
{
	struct sigaction	sa;
	sigset_t		none;
	int			sig;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		sa.sa_handler = signal_pool_ignored(sig) ? SIG_IGN : SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* 0-2 on /dev/null, the socket on 3, nothing else open. */
static int
keeper_fds(int sock)
{
	int	s = sock, null, i;

	if (s < 3 && (s = fcntl(sock, F_DUPFD, 3)) == -1)
		return -1;
	if ((null = open("/dev/null", O_RDWR)) == -1)
		return -1;
	for (i = 0; i <= 2; i++)
		if (i != null && dup2(null, i) == -1)
			return -1;
	if (s != 3 && dup2(s, 3) == -1)
		return -1;
	closefrom(4);
	return 3;
}

/* Room for a pidfd per worker: the soft open-file limit up to the hard. */
static void
keeper_rlimit(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The pidfd a record carried (any more are closed), or -1. */
static int
keeper_fd_of(struct msghdr *mh)
{
	struct cmsghdr	*c;
	int		 fd = -1, extra;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(sizeof(int)))
			continue;
		if (fd == -1)
			memcpy(&fd, CMSG_DATA(c), sizeof fd);
		else {
			memcpy(&extra, CMSG_DATA(c), sizeof extra);
			close(extra);
		}
	}
	return fd;
}

/* Take the pidfd a 'W' record carried, if any. */
static void
keeper_take_worker(struct keep *k, struct msghdr *mh)
{
	int	fd;

	if ((fd = keeper_fd_of(mh)) == -1)
		return;
	k->workers = xreallocarray(k->workers, k->nworkers + 1,
	    sizeof *k->workers);
	k->workers[k->nworkers++] = fd;
}

/* Copy a record's text, NUL-terminated. */
static void
keeper_text(char *dst, const char *msg, ssize_t n)
{
	size_t	len = n > 1 ? (size_t)n - 1 : 0;

	if (len >= KEEPER_PATH)
		len = KEEPER_PATH - 1;
	memcpy(dst, msg + 1, len);
	dst[len] = '\0';
}

/* Forget the hook whose leader pid the supervisor has reaped ('g'). */
static void
keeper_forget_group(struct keep *k, const char *msg, ssize_t n)
{
	char	text[KEEPER_PATH];
	size_t	i;
	long	pid;

	keeper_text(text, msg, n);
	pid = strtol(text, NULL, 10);
	for (i = 0; i < k->ngroups; i++) {
		if (k->gpid[i] != pid)
			continue;
		close(k->gfd[i]);
		k->ngroups--;
		k->gfd[i] = k->gfd[k->ngroups];
		k->gpid[i] = k->gpid[k->ngroups];
		break;
	}
}

/* Take a 'G' record: a hook's group. */
static void
keeper_take_group(struct keep *k, const char *msg, ssize_t n,
    struct msghdr *mh)
{
	char	text[KEEPER_PATH];
	long	pid;
	int	fd;

	if ((fd = keeper_fd_of(mh)) == -1)
		return;
	keeper_text(text, msg, n);
	if ((pid = strtol(text, NULL, 10)) <= 1) {
		close(fd);
		return;
	}
	k->gfd = xreallocarray(k->gfd, k->ngroups + 1, sizeof *k->gfd);
	k->gpid = xreallocarray(k->gpid, k->ngroups + 1, sizeof *k->gpid);
	k->gfd[k->ngroups] = fd;
	k->gpid[k->ngroups++] = (pid_t)pid;
}

/*
 * The supervisor died: kill the group of every hook it had not reaped
 * (a leader not reaped keeps its pid, so the group's id is still its).
 */
static void
keeper_kill_groups(struct keep *k)
{
	size_t	i;

	for (i = 0; i < k->ngroups; i++) {
		(void)kill(-k->gpid[i], SIGKILL);
		(void)pidfd_signal(k->gfd[i], SIGKILL);
	}
}

/* Add a record's text to a list, unless it is there. */
static void
keeper_name(struct keep_names *l, const char *msg, ssize_t n)
{
	char	text[KEEPER_PATH];
	size_t	i;

	keeper_text(text, msg, n);
	if (text[0] != '/')
		return;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], text) == 0)
			return;
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(text);
}

/* Read one record: 1, or 0 when none is waiting, -1 at EOF or error. */
static int
keeper_recv(struct keep *k)
{
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(int)) * 4];
	}		 cm;
	char		 msg[KEEPER_MSG_MAX];
	struct iovec	 iov = { .iov_base = msg, .iov_len = sizeof msg };
	struct msghdr	 mh = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cm.b,
			    .msg_controllen = sizeof cm.b };
	ssize_t		 n;

	n = recvmsg(k->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	switch (msg[0]) {
	case 'S':
		keeper_text(k->shm, msg, n);
		break;
	case 'C':
		keeper_name(&k->sockets, msg, n);
		break;
	case 'D':
		keeper_name(&k->cgroups, msg, n);
		break;
	case 'W':
		keeper_take_worker(k, &mh);
		break;
	case 'G':
		keeper_take_group(k, msg, n, &mh);
		break;
	case 'g':
		keeper_forget_group(k, msg, n);
		break;
	case 'X':
		k->finished = true;
		break;
	default:
		break;
	}
	return 1;
}

/* Forget worker i (it exited). */
static void
keeper_drop(struct keep *k, size_t i)
{
	close(k->workers[i]);
	k->workers[i] = k->workers[--k->nworkers];
}

/* Drop the workers whose pidfd says they exited. */
static void
keeper_sweep(struct keep *k, const struct pollfd *pfd, size_t n)
{
	size_t	i;

	for (i = n; i-- > 0; )
		if (pfd[i].revents != 0)
			keeper_drop(k, i);
}

/* The supervisor is gone: read what it said last. */
static void
keeper_last(struct keep *k)
{
	k->gone = true;
	while (!k->finished && keeper_recv(k) == 1)
		;
}

/* Wait for the supervisor's records or its end. */
static void
keeper_watch(struct keep *k)
{
	struct pollfd	*pfd = NULL;
	size_t		 i, cap = 0;

	while (!k->finished && !k->gone) {
		if (cap < k->nworkers + 2) {
			cap = k->nworkers + 18;
			pfd = xreallocarray(pfd, cap, sizeof *pfd);
		}
		pfd[0].fd = k->sock;
		pfd[0].events = POLLIN;
		pfd[1].fd = k->supfd;
		pfd[1].events = POLLIN;
		for (i = 0; i < k->nworkers; i++) {
			pfd[i + 2].fd = k->workers[i];
			pfd[i + 2].events = POLLIN;
		}
		if (poll(pfd, k->nworkers + 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			k->gone = true;		/* cannot watch: act now */
			break;
		}
		keeper_sweep(k, pfd + 2, k->nworkers);
		if (pfd[0].revents != 0 && keeper_recv(k) == -1)
			k->gone = true;
		if (pfd[1].revents != 0)
			keeper_last(k);
	}
	free(pfd);
}

/* Remove the state a dead supervisor left. */
static void
keeper_clean(struct keep *k)
{
	struct stat	sb;

	size_t		i;

	if (k->shm[0] == '/')
		shm_unlink(k->shm);
	for (i = 0; i < k->sockets.n; i++)
		if (lstat(k->sockets.v[i], &sb) == 0 &&
		    S_ISSOCK(sb.st_mode) && sb.st_uid == geteuid())
			unlink(k->sockets.v[i]);
}

/*
 * Remove the task cgroups once their tasks have left them (a cgroup with
 * a process in it cannot be removed): bounded, KEEPER_CGROUP_MS.
 */
static void
keeper_cgroups(struct keep *k)
{
	int64_t	limit = mono_ns() + KEEPER_CGROUP_MS * 1000000LL;
	size_t	i;

	while (k->cgroups.n > 0) {
		for (i = k->cgroups.n; i-- > 0; )
			if (cg_rmpool(k->cgroups.v[i])) {
				free(k->cgroups.v[i]);
				k->cgroups.v[i] = k->cgroups.v[--k->cgroups.n];
			}
		if (k->cgroups.n == 0 || mono_ns() >= limit)
			break;
		poll(NULL, 0, KEEPER_NUDGE_MS);
	}
}

/* Continue the workers until each has exited (bounded). */
static void
keeper_nudge(struct keep *k)
{
	struct pollfd	*pfd;
	int64_t		 limit = mono_ns() + KEEPER_WAIT_MS * 1000000LL;
	size_t		 i;

	pfd = xreallocarray(NULL, k->nworkers + 1, sizeof *pfd);
	while (k->nworkers > 0 && mono_ns() < limit) {
		for (i = k->nworkers; i-- > 0; )
			if (pidfd_signal(k->workers[i], SIGCONT) == -1 &&
			    errno == ESRCH)
				keeper_drop(k, i);
		for (i = 0; i < k->nworkers; i++) {
			pfd[i].fd = k->workers[i];
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, k->nworkers, KEEPER_NUDGE_MS) > 0)
			keeper_sweep(k, pfd, k->nworkers);
	}
	free(pfd);
}

/* The keeper process. */
static void __attribute__((noreturn))
keeper_main(int sock, pid_t sup)
{
	struct keep	k;

	(void)setpgid(0, 0);
	keeper_signals();
	memset(&k, 0, sizeof k);
	k.sup = sup;
	if ((k.sock = keeper_fds(sock)) == -1)
		_exit(1);
	keeper_rlimit();
	setproctitle("keeper");
	k.supfd = pidfd_of(sup);
	if (getppid() != sup)
		k.gone = true;		/* it died before we looked */
	keeper_watch(&k);
	keeper_last(&k);
	if (!k.finished) {
		keeper_kill_groups(&k);
		keeper_clean(&k);
		keeper_nudge(&k);
		keeper_cgroups(&k);
	}
	_exit(0);
}

int
keeper_start(void)
{
	int	sv[2];
	pid_t	sup = getpid(), pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	fflush(NULL);
	if ((pid = fork()) == -1) {
		int error = errno;

		close(sv[0]);
		close(sv[1]);
		errno = error;
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		keeper_main(sv[1], sup);
	}
	close(sv[1]);
	(void)setpgid(pid, pid);
	set_nonblock(sv[0]);
	keeper.fd = sv[0];
	keeper.pid = pid;
	return 0;
}

/*
 * The control socket, both ends.
 *
 * Server.  ctl_listen() binds <dir>/<pid>.sock (0600, in a 0700 directory
 * of ours) and plugs the listening fd into the pool's loop.  <dir> is
 * $XDG_RUNTIME_DIR/pooltop, else /tmp/pooltop-<uid>; as anyone can create
 * the latter first, when it belongs to another uid a directory of ours,
 * /tmp/pooltop-<uid>.XXXXXX (mkdtemp), is used (and reused) instead.  Every client
 * is checked by SO_PEERCRED (same uid, whatever the file modes say), then
 * read without blocking until its first '\n'.  The line must arrive within
 * CTL_READ_NS, fit in CTL_LINE_MAX bytes and be printable ASCII; it is run
 * with cmd_run() and the reply ("ok\n" + body, or "error: ...\n") is written
 * without blocking, from a buffer, then the connection is closed.  At most
 * pool_client_fds() clients (CTL_MAX_CLIENTS, fewer under a low open file
 * limit: the pool's workers come first) are served at once; more are told
 * so and closed at once.  Out of descriptors, accept() is not retried until
 * the next sweep, so the loop never spins on it.
 * A periodic sweep ends clients that are too slow to send or to read, so
 * nothing a client does can stall or grow the supervisor.  A connection
 * that ends before its newline runs nothing.
 *
 * Client.  ctl_find() finds the live pools through the segments (shm_list:
 * the pool's ID is the pid in the segment's name) and looks for <pid>.sock
 * in the directories above that are safe (never at a path the segment
 * gives: anyone can write that); ctl_request() sends one line and reads the
 * reply until EOF, all bounded by CTL_CLIENT_NS, and talks only to a peer
 * whose SO_PEERCRED says our uid and the pid the socket is named after.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "keeper.h"
#include "log.h"
#include "opts.h"
#include "pool.h"
#include "shm.h"

#define CTL_READ_NS	(2 * PT_NSEC)	/* to send the request line */
#define CTL_WRITE_NS	(10 * PT_NSEC)	/* to take the reply */
#define CTL_SWEEP_MS	250
#define CTL_CLIENT_NS	(10 * PT_NSEC)	/* a client's whole exchange */
#define CTL_REPLY_MAX	(64U * 1024 * 1024)
#define CTL_DRAIN_MAX	(64 * 1024)
#define CTL_PATH_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)
#define CTL_TMP		"/tmp"
#define CTL_MAX_DIRS	8	/* directories searched for sockets */

struct ctl_client {
	int			 fd;
	int			 writing;
	int			 pollout;	/* watched for POLLOUT */
	int64_t			 deadline;	/* CLOCK_MONOTONIC ns */
	struct buf		 in;
	struct buf		 out;
	TAILQ_ENTRY(ctl_client)	 entry;
};
TAILQ_HEAD(ctl_clients, ctl_client);

static struct {
	struct pool		*pool;
	int			 fd;
	int			 accept_off;	/* out of fds: retry on sweep */
	int			 nclients;
	struct ctl_clients	 clients;
	char			 path[CTL_PATH_MAX];
} ctl = { .fd = -1 };

static void	ctl_client_cb(struct pool *, int, short, void *);

/* Write an error into err. */
static void __attribute__((format(printf, 3, 4)))
ctl_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Is the directory safe: ours, a real directory, no group/other access? */
static int
ctl_dir_safe(const char *dir, char *err, size_t errlen)
{
	struct stat	sb;

	if (lstat(dir, &sb) == -1) {
		ctl_err(err, errlen, "control directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (S_ISLNK(sb.st_mode))
		ctl_err(err, errlen, "unsafe control directory %s: it is a "
		    "symbolic link", dir);
	else if (!S_ISDIR(sb.st_mode))
		ctl_err(err, errlen, "unsafe control directory %s: not a "
		    "directory", dir);
	else if (sb.st_uid != geteuid())
		ctl_err(err, errlen, "unsafe control directory %s: owned by "
		    "uid %u, not %u", dir, (unsigned)sb.st_uid,
		    (unsigned)geteuid());
	else if ((sb.st_mode & 077) != 0)
		ctl_err(err, errlen, "unsafe control directory %s: mode %04o "
		    "gives group or others access (want 0700)", dir,
		    (unsigned)(sb.st_mode & 07777));
	else
		return 0;
	return -1;
}

/* Can $XDG_RUNTIME_DIR hold our directory and sockets? */
static int
ctl_xdg_usable(const char *x)
{
	struct stat	sb;

	if (x == NULL || *x != '/')
		return 0;
	/* Room for "/pooltop/<pid>.sock". */
	if (strlen(x) + sizeof "/pooltop/4294967295.sock" > CTL_PATH_MAX)
		return 0;
	if (stat(x, &sb) == -1 || !S_ISDIR(sb.st_mode))
		return 0;
	return access(x, W_OK | X_OK) == 0;
}

/* The first directory looked at: $XDG_RUNTIME_DIR/pooltop or /tmp's. */
static bool
ctl_primary(char *dir, size_t len)
{
	const char	*x = getenv("XDG_RUNTIME_DIR");

	if (ctl_xdg_usable(x)) {
		snprintf(dir, len, "%s/pooltop", x);
		return true;
	}
	snprintf(dir, len, "%s/pooltop-%u", CTL_TMP, (unsigned)geteuid());
	return false;
}

/* Was path made by another uid (so we cannot and must not fix it)? */
static bool
ctl_squatted(const char *path)
{
	struct stat	sb;

	return lstat(path, &sb) == 0 && sb.st_uid != geteuid();
}

/*
 * The safe fallback directories of ours in /tmp, /tmp/pooltop-<uid>.*:
 * up to max into dirs; how many.
 */
static int
ctl_fallbacks(char dirs[][CTL_PATH_MAX], int max)
{
	struct dirent	*de;
	DIR		*d;
	char		 prefix[32];
	int		 n = 0;

	snprintf(prefix, sizeof prefix, "pooltop-%u.", (unsigned)geteuid());
	if ((d = opendir(CTL_TMP)) == NULL)
		return 0;
	while (n < max && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if ((size_t)snprintf(dirs[n], CTL_PATH_MAX, "%s/%s", CTL_TMP,
		    de->d_name) >= CTL_PATH_MAX)
			continue;
		if (ctl_dir_safe(dirs[n], NULL, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/*
 * Someone else holds /tmp/pooltop-<uid>: use a directory of ours that no
 * one could have made for us (an existing safe one, else mkdtemp's).
 */
static const char *
ctl_fallback(char *dir, size_t len, int create, char *err, size_t errlen)
{
	char	found[1][CTL_PATH_MAX], squat[CTL_PATH_MAX];

	strlcpy(squat, dir, sizeof squat);
	if (ctl_fallbacks(found, 1) == 1)
		strlcpy(dir, found[0], len);
	else if (!create) {
		ctl_err(err, errlen, "control directory %s belongs to another "
		    "uid and there is no fallback", squat);
		return NULL;
	} else {
		snprintf(dir, len, "%s/pooltop-%u.XXXXXX", CTL_TMP,
		    (unsigned)geteuid());
		if (mkdtemp(dir) == NULL) {
			ctl_err(err, errlen, "control directory %s belongs to "
			    "another uid, and mkdtemp: %s", squat,
			    strerror(errno));
			return NULL;
		}
	}
	if (ctl_dir_safe(dir, err, errlen) == -1)
		return NULL;
	ctl_err(err, errlen, "%s belongs to another uid: using %s", squat,
	    dir);
	return dir;
}

/*
 * The per-user socket directory, created if asked; NULL and err if unsafe.
 * When /tmp/pooltop-<uid> was taken by another uid, a fallback of ours is
 * returned and err says so.
 */
const char *
ctl_dir(int create, char *err, size_t errlen)
{
	static char	 dir[CTL_PATH_MAX];
	bool		 xdg;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	xdg = ctl_primary(dir, sizeof dir);
	if (!xdg && ctl_squatted(dir))
		return ctl_fallback(dir, sizeof dir, create, err, errlen);
	if (create) {
		if (mkdir(dir, 0700) == 0)
			(void)chmod(dir, 0700);
		else if (errno != EEXIST) {
			ctl_err(err, errlen, "cannot create control directory "
			    "%s: %s", dir, strerror(errno));
			return NULL;
		}
	}
	if (ctl_dir_safe(dir, err, errlen) == -1)
		return NULL;
	return dir;
}

/* Does a process listen on the socket at path? */
static int
ctl_answers(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, rv;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof sun.sun_path) >=
	    sizeof sun.sun_path)
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return 0;
	rv = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	if (rv == -1 && errno == EAGAIN)
		rv = 0;		/* backlog full: someone listens */
	close(fd);
	return rv == 0;
}

/* Make way for our socket: refuse a live one, remove a stale one. */
static int
ctl_clear_path(const char *path, char *err, size_t errlen)
{
	struct stat	sb;

	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return 0;
		ctl_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISSOCK(sb.st_mode) && ctl_answers(path)) {
		ctl_err(err, errlen, "control socket %s is in use by a live "
		    "process", path);
		return -1;
	}
	if (sb.st_uid != geteuid() || unlink(path) == -1) {
		ctl_err(err, errlen, "cannot remove stale %s: %s", path,
		    sb.st_uid != geteuid() ? "not ours" : strerror(errno));
		return -1;
	}
	return 0;
}

/* Create, bind and listen on the socket at path; the fd or -1. */
static int
ctl_bind(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	sun;
	mode_t			mask;
	int			fd, rv;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, path, sizeof sun.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		ctl_err(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	mask = umask(077);
	rv = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(mask);
	if (rv == -1 || chmod(path, 0600) == -1 || listen(fd, 128) == -1) {
		ctl_err(err, errlen, "control socket %s: %s", path,
		    strerror(errno));
		if (rv == 0)
			unlink(path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Read and drop what a client still sent, then close it. */
static void
ctl_drain_close(int fd)
{
	char	tmp[4096];
	ssize_t	n;
	size_t	total = 0;

	while (total < CTL_DRAIN_MAX &&
	    (n = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT)) > 0)
		total += (size_t)n;
	close(fd);
}

/* Refuse a connection with one error line. */
static void
ctl_refuse(int fd, const char *msg)
{
	(void)send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
	ctl_drain_close(fd);
}

/* End a client: stop watching it, close it, free it. */
static void
ctl_drop(struct ctl_client *c)
{
	if (ctl.pool != NULL)
		pool_unwatch_fd(ctl.pool, c->fd);
	ctl_drain_close(c->fd);
	TAILQ_REMOVE(&ctl.clients, c, entry);
	ctl.nclients--;
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

/* Write what we can of the reply; the client ends when all is written. */
static void
ctl_flush(struct ctl_client *c)
{
	ssize_t	n;

	while (c->out.len > 0) {
		n = send(c->fd, c->out.data, c->out.len,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!c->pollout && ctl.pool != NULL) {
				pool_unwatch_fd(ctl.pool, c->fd);
				pool_watch_fd(ctl.pool, c->fd, POLLOUT,
				    ctl_client_cb, c);
				c->pollout = 1;
			}
			return;
		}
		if (n <= 0)
			break;
		buf_consume(&c->out, (size_t)n);
	}
	ctl_drop(c);
}

/* Start sending the reply in c->out. */
static void
ctl_reply(struct ctl_client *c)
{
	c->writing = 1;
	c->deadline = mono_ns() + CTL_WRITE_NS;
	buf_free(&c->in);
	ctl_flush(c);
}

/* Reply with one error line. */
static void
ctl_reply_error(struct ctl_client *c, const char *msg)
{
	buf_printf(&c->out, "error: %s\n", msg);
	ctl_reply(c);
}

/* Is the request printable ASCII (tabs allowed)? */
static int
ctl_is_text(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (s[i] != '\t' && (s[i] < 0x20 || s[i] > 0x7e))
			return 0;
	}
	return 1;
}

/* Run a complete request line and reply. */
static void
ctl_run(struct ctl_client *c, size_t len)
{
	struct buf	body = { 0 };
	int		rv;

	c->in.data[len] = '\0';
	if (len > 0 && c->in.data[len - 1] == '\r')
		c->in.data[--len] = '\0';
	if (!ctl_is_text(c->in.data, len)) {
		ctl_reply_error(c, "request is not a line of text");
		return;
	}
	rv = cmd_run(ctl.pool, c->in.data, &body);
	if (ctl.fd == -1) {
		/* The command ended the pool and with it this server. */
		buf_free(&body);
		return;
	}
	if (rv == 0)
		buf_addstr(&c->out, "ok\n");
	else if (body.len == 0)
		buf_addstr(&body, "error: command failed\n");
	if (body.len > 0)
		buf_add(&c->out, body.data, body.len);
	buf_free(&body);
	ctl_reply(c);
}

/* Read from a client until its line is complete. */
static void
ctl_read(struct ctl_client *c)
{
	char	 tmp[CTL_LINE_MAX + 1];
	char	*nl;
	ssize_t	 n;

	n = recv(c->fd, tmp, sizeof tmp - c->in.len, MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n <= 0) {
		/* EOF or error before a whole line: run nothing. */
		ctl_drop(c);
		return;
	}
	buf_add(&c->in, tmp, (size_t)n);
	nl = memchr(c->in.data, '\n', c->in.len);
	if (nl != NULL && (size_t)(nl - c->in.data) < CTL_LINE_MAX)
		ctl_run(c, (size_t)(nl - c->in.data));
	else if (nl != NULL || c->in.len > CTL_LINE_MAX) {
		char	msg[64];

		snprintf(msg, sizeof msg, "request too long (at most %d "
		    "bytes)", CTL_LINE_MAX);
		ctl_reply_error(c, msg);
	}
}

/* A client's fd is ready. */
static void
ctl_client_cb(__attribute__((unused)) struct pool *p,
    __attribute__((unused)) int fd, __attribute__((unused)) short revents,
    void *arg)
{
	struct ctl_client	*c = arg;

	if (c->writing)
		ctl_flush(c);
	else
		ctl_read(c);
}

/* Take a new connection: check its uid and our client limit. */
static void
ctl_new_client(int fd)
{
	struct ctl_client	*c;
	struct ucred		 uc;
	socklen_t		 len = sizeof uc;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1 ||
	    len != sizeof uc || uc.uid != geteuid()) {
		ctl_refuse(fd, "error: permission denied\n");
		return;
	}
	if (ctl.nclients >= pool_client_fds(ctl.pool)) {
		ctl_refuse(fd, "error: too many clients, try again\n");
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->deadline = mono_ns() + CTL_READ_NS;
	TAILQ_INSERT_TAIL(&ctl.clients, c, entry);
	ctl.nclients++;
	pool_watch_fd(ctl.pool, fd, POLLIN, ctl_client_cb, c);
}

/* The listening socket is ready: accept what is pending. */
static void
ctl_accept(struct pool *p, int fd, __attribute__((unused)) short revents,
    __attribute__((unused)) void *arg)
{
	int	cfd, i;

	for (i = 0; i < 64; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1 && errno == EINTR)
			continue;
		if (cfd == -1 && (errno == EMFILE || errno == ENFILE ||
		    errno == ENOBUFS || errno == ENOMEM)) {
			/* Stop polling it (it would spin) until the sweep. */
			pool_unwatch_fd(p, fd);
			ctl.accept_off = 1;
			return;
		}
		if (cfd == -1)
			return;
		ctl_new_client(cfd);
	}
}

/* Periodically end clients that are too slow. */
static void
ctl_sweep(struct pool *p, __attribute__((unused)) void *arg)
{
	struct ctl_client	*c, *next;
	int64_t			 now = mono_ns();

	if (p != ctl.pool || ctl.fd == -1)
		return;
	if (ctl.accept_off) {
		ctl.accept_off = 0;
		pool_watch_fd(p, ctl.fd, POLLIN, ctl_accept, NULL);
	}
	for (c = TAILQ_FIRST(&ctl.clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->deadline > now)
			continue;
		if (c->writing)
			ctl_drop(c);
		else
			ctl_reply_error(c, "request timed out (send one line "
			    "within 2 seconds)");
	}
}

/* Close every client and the listening socket; unlink it. */
static void
ctl_shutdown(void)
{
	struct ctl_client	*c;

	if (ctl.fd != -1) {
		while ((c = TAILQ_FIRST(&ctl.clients)) != NULL) {
			if (c->writing && c->out.len > 0)
				(void)send(c->fd, c->out.data, c->out.len,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
			ctl_drop(c);
		}
		if (ctl.pool != NULL && !ctl.accept_off)
			pool_unwatch_fd(ctl.pool, ctl.fd);
		close(ctl.fd);
		ctl.fd = -1;
	}
	if (ctl.path[0] != '\0')
		unlink(ctl.path);
	ctl.path[0] = '\0';
	ctl.pool = NULL;
}

/* The pool has ended: stop serving. */
static void
ctl_at_exit(__attribute__((unused)) struct pool *p,
    __attribute__((unused)) void *arg)
{
	ctl_shutdown();
}

/* Server: create the socket and serve it from the pool's loop. */
int
ctl_listen(struct pool *p, char *path, size_t pathlen, char *err,
    size_t errlen)
{
	const char	*dir;
	char		 sock[CTL_PATH_MAX];
	int		 fd;

	if (ctl.fd != -1) {
		ctl_err(err, errlen, "control socket already open");
		return -1;
	}
	if ((dir = ctl_dir(1, err, errlen)) == NULL)
		return -1;
	if ((size_t)snprintf(sock, sizeof sock, "%s/%ld.sock", dir,
	    (long)getpid()) >= sizeof sock || strlen(sock) >= pathlen) {
		ctl_err(err, errlen, "control socket path too long: %s", dir);
		return -1;
	}
	if (ctl_clear_path(sock, err, errlen) == -1)
		return -1;
	keeper_keep_socket(sock);
	if ((fd = ctl_bind(sock, err, errlen)) == -1)
		return -1;
	TAILQ_INIT(&ctl.clients);
	ctl.nclients = 0;
	ctl.accept_off = 0;
	ctl.pool = p;
	ctl.fd = fd;
	strlcpy(ctl.path, sock, sizeof ctl.path);
	pool_watch_fd(p, fd, POLLIN, ctl_accept, NULL);
	pool_every(p, CTL_SWEEP_MS, ctl_sweep, NULL);
	pool_at_exit(p, ctl_at_exit, NULL);
	strlcpy(path, sock, pathlen);
	return 0;
}

/* Close and unlink the socket (idempotent). */
void
ctl_close(void)
{
	ctl_shutdown();
}

/* A live pool found through the segments. */
struct ctl_pool {
	pid_t	pid;
	char	shm[64];
	char	sock[CTL_PATH_MAX];
	char	name[PT_NAME_MAX];
};

struct ctl_pools {
	struct ctl_pool	*v;
	size_t		 n;
};

/*
 * The directories where sockets may be, the safe ones: the primary, the
 * /tmp one (a pool started without $XDG_RUNTIME_DIR, from cron say), the
 * fallbacks; how many.
 */
static int
ctl_dirs(char dirs[][CTL_PATH_MAX], int max)
{
	int	n = 0;

	if (max < 2)
		return 0;
	if (ctl_primary(dirs[n], CTL_PATH_MAX) && ctl_dir_safe(dirs[n], NULL,
	    0) == 0)
		n++;
	snprintf(dirs[n], CTL_PATH_MAX, "%s/pooltop-%u", CTL_TMP,
	    (unsigned)geteuid());
	if (!ctl_squatted(dirs[n]) && ctl_dir_safe(dirs[n], NULL, 0) == 0)
		n++;
	return n + ctl_fallbacks(dirs + n, max - n);
}

int
ctl_socket_of(pid_t pid, char *sock, size_t len)
{
	char		dirs[CTL_MAX_DIRS][CTL_PATH_MAX];
	struct stat	sb;
	int		i, n = ctl_dirs(dirs, CTL_MAX_DIRS);

	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(sock, len, "%s/%ld.sock", dirs[i],
		    (long)pid) >= len)
			continue;
		if (lstat(sock, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
		    sb.st_uid == geteuid())
			return 0;
	}
	return -1;
}

/* shm_list callback: collect live pools, readable or not. */
static void
ctl_collect(const char *name, const struct pt_shm *shm, bool alive,
    __attribute__((unused)) const char *error, void *arg)
{
	struct ctl_pools	*ps = arg;
	struct pt_shm_header	 h;
	struct ctl_pool		*cp;
	pid_t			 pid;

	/* Alive is judged from the name; a damaged segment costs the name. */
	pid = shm != NULL ? shm->pid : shm_name_pid(name, geteuid());
	if (!alive || pid <= 0)
		return;
	if (shm == NULL || !shm_read_header(shm, &h))
		memset(&h, 0, sizeof h);
	ps->v = xreallocarray(ps->v, ps->n + 1, sizeof *ps->v);
	cp = &ps->v[ps->n++];
	cp->pid = pid;
	strlcpy(cp->shm, name, sizeof cp->shm);
	if (ctl_socket_of(cp->pid, cp->sock, sizeof cp->sock) == -1)
		cp->sock[0] = '\0';
	strlcpy(cp->name, h.name, sizeof cp->name);
}

/* Append "pid (name)" for each pool matching id (NULL: all). */
static void
ctl_list_pools(struct buf *b, const struct ctl_pools *ps, const char *id)
{
	char	*e;
	size_t	 i;
	int	 first = 1;

	for (i = 0; i < ps->n; i++) {
		if (id != NULL && strcmp(ps->v[i].name, id) != 0)
			continue;
		buf_printf(b, "%s%ld", first ? "" : ", ", (long)ps->v[i].pid);
		if (ps->v[i].name[0] != '\0') {
			e = log_escape(ps->v[i].name, strlen(ps->v[i].name));
			buf_printf(b, " (%s)", e);
			free(e);
		}
		first = 0;
	}
}

/* Is s a non-empty string of digits? */
static int
ctl_all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return 0;
	}
	return 1;
}

/* Pick the pool id names among ps; NULL and err if none or several. */
static const struct ctl_pool *
ctl_pick(const struct ctl_pools *ps, const char *id, char *err, size_t errlen)
{
	const struct ctl_pool	*found = NULL;
	struct buf		 b = { 0 };
	char			*e;
	size_t			 i, n = 0;

	if (ps->n == 0) {
		ctl_err(err, errlen, "no live pool");
		return NULL;
	}
	for (i = 0; i < ps->n; i++) {
		if (id == NULL || (ctl_all_digits(id) ?
		    strtol(id, NULL, 10) == ps->v[i].pid :
		    strcmp(id, ps->v[i].name) == 0)) {
			found = &ps->v[i];
			n++;
		}
	}
	if (n == 1)
		return found;
	if (n == 0) {
		e = log_escape(id, strlen(id));
		ctl_err(err, errlen, "no live pool with ID or name '%s' "
		    "(pooltop ls lists them)", e);
		free(e);
		return NULL;
	}
	ctl_list_pools(&b, ps, id != NULL && !ctl_all_digits(id) ? id : NULL);
	ctl_err(err, errlen, "%s: %s; give an ID", id == NULL ?
	    "several live pools" : "several pools have that name", b.data);
	buf_free(&b);
	return NULL;
}

/* Client: find a live pool by ID or name, or the only one. */
int
ctl_find(const char *id, char *shmname, size_t shmlen, char *sock,
    size_t socklen, char *err, size_t errlen)
{
	struct ctl_pools	 ps = { NULL, 0 };
	const struct ctl_pool	*cp;
	int			 rv = -1;

	if (shm_list(geteuid(), ctl_collect, &ps) == -1 && ps.n == 0) {
		ctl_err(err, errlen, "cannot list pools: %s", strerror(errno));
		return -1;
	}
	if ((cp = ctl_pick(&ps, id, err, errlen)) == NULL)
		goto out;
	if (cp->sock[0] == '\0') {
		ctl_err(err, errlen, "pool %ld has no control socket",
		    (long)cp->pid);
		goto out;
	}
	if (shmname != NULL)
		strlcpy(shmname, cp->shm, shmlen);
	if (sock != NULL)
		strlcpy(sock, cp->sock, socklen);
	rv = 0;
out:
	free(ps.v);
	return rv;
}

/* Milliseconds left until deadline, at least 0. */
static int
ctl_left_ms(int64_t deadline)
{
	int64_t	left = deadline - mono_ns();

	return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

/* The pid a socket path is named after (<dir>/<pid>.sock), or 0. */
static pid_t
ctl_sock_pid(const char *path)
{
	const char	*base = strrchr(path, '/'), *errstr;
	char		 num[16];
	size_t		 len;
	long long	 pid;

	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len < 6 || len - 5 >= sizeof num ||
	    strcmp(base + len - 5, ".sock") != 0)
		return 0;
	memcpy(num, base, len - 5);
	num[len - 5] = '\0';
	if (!ctl_all_digits(num))
		return 0;
	pid = strtonum(num, 1, INT32_MAX, &errstr);
	return errstr == NULL ? (pid_t)pid : 0;
}

/* Connect to the pool's socket: served by our uid, by the pid it names. */
static int
ctl_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { CTL_CLIENT_NS / PT_NSEC, 0 };
	struct ucred		uc;
	socklen_t		len = sizeof uc;
	pid_t			pid;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof sun.sun_path) >=
	    sizeof sun.sun_path) {
		ctl_err(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		ctl_err(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A blocking connect waits at most this long for a full backlog. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		ctl_err(err, errlen, "cannot connect to %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1 ||
	    uc.uid != geteuid()) {
		ctl_err(err, errlen, "%s is not served by our uid", path);
		close(fd);
		return -1;
	}
	if ((pid = ctl_sock_pid(path)) > 0 && uc.pid != pid) {
		ctl_err(err, errlen, "%s is served by pid %ld, not by pool %ld",
		    path, (long)uc.pid, (long)pid);
		close(fd);
		return -1;
	}
	set_nonblock(fd);
	return fd;
}

/* Send all of b before deadline. */
static int
ctl_send(int fd, const char *p, size_t len, int64_t deadline)
{
	struct pollfd	pfd = { fd, POLLOUT, 0 };
	ssize_t		n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (poll(&pfd, 1, ctl_left_ms(deadline)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

/* Read until EOF before deadline; a reset after data counts as EOF. */
static int
ctl_recv(int fd, struct buf *b, int64_t deadline)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	char		tmp[16384];
	ssize_t		n;

	for (;;) {
		n = recv(fd, tmp, sizeof tmp, 0);
		if (n == 0 || (n == -1 && errno == ECONNRESET && b->len > 0))
			return 0;
		if (n > 0) {
			if (b->len + (size_t)n > CTL_REPLY_MAX) {
				errno = EMSGSIZE;
				return -1;
			}
			buf_add(b, tmp, (size_t)n);
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return -1;
		if (poll(&pfd, 1, ctl_left_ms(deadline)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

/*
 * One exchange: 0 for "ok" (reply is the body), 1 for an error reply
 * (reply is the "error: ..." text), -1 when it failed (err says why).
 */
static int
ctl_exchange(const char *sock, const char *line, struct buf *reply,
    char *err, size_t errlen)
{
	struct buf	 raw = { 0 };
	int64_t		 deadline = mono_ns() + CTL_CLIENT_NS;
	char		*req;
	int		 fd, rv = -1;

	if (strlen(line) >= CTL_LINE_MAX || strchr(line, '\n') != NULL) {
		ctl_err(err, errlen, "command is not one line of at most %d "
		    "bytes", CTL_LINE_MAX - 1);
		return -1;
	}
	if ((fd = ctl_connect(sock, err, errlen)) == -1)
		return -1;
	req = xasprintf("%s\n", line);
	if (ctl_send(fd, req, strlen(req), deadline) == -1 ||
	    ctl_recv(fd, &raw, deadline) == -1)
		ctl_err(err, errlen, "%s: %s", sock, errno == ETIMEDOUT ?
		    "no reply in time" : strerror(errno));
	else if (raw.len >= 3 && memcmp(raw.data, "ok\n", 3) == 0) {
		buf_add(reply, raw.data + 3, raw.len - 3);
		rv = 0;
	} else if (raw.len >= 7 && memcmp(raw.data, "error: ", 7) == 0) {
		buf_add(reply, raw.data, raw.len);
		rv = 1;
	} else
		ctl_err(err, errlen, "%s: malformed reply", sock);
	free(req);
	buf_free(&raw);
	close(fd);
	return rv;
}

/* Send one command, read the whole reply; 0 when the reply is "ok". */
int
ctl_request(const char *sock, const char *line, struct buf *reply, char *err,
    size_t errlen)
{
	char	e[512];
	int	rv;

	rv = ctl_exchange(sock, line, reply, e, sizeof e);
	if (rv == -1)
		buf_printf(reply, "error: %s\n", e);
	if (rv == 1)
		snprintf(e, sizeof e, "%.*s", (int)strcspn(reply->data, "\n"),
		    reply->data);
	if (rv != 0)
		ctl_err(err, errlen, "%s", e);
	return rv == 0 ? 0 : -1;
}

/* Is a socket in the directory stale: its pool is gone? */
static int
ctl_stale(int dfd, const char *dir, const char *name, const pid_t *live,
    size_t nlive)
{
	struct stat	 sb;
	char		 path[CTL_PATH_MAX];
	pid_t		 pid;
	size_t		 i;

	if ((pid = ctl_sock_pid(name)) == 0)
		return 0;
	for (i = 0; i < nlive; i++) {
		if (live[i] == pid)
			return 0;
	}
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISSOCK(sb.st_mode) || sb.st_uid != geteuid())
		return 0;
	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path)
		return 0;
	return !ctl_answers(path);
}

/* Remove the sockets of pools that are gone; their paths go to removed. */
int
ctl_remove_stale(const pid_t *live, size_t nlive, struct buf *removed)
{
	char		 dirs[CTL_MAX_DIRS][CTL_PATH_MAX];
	struct dirent	*de;
	DIR		*d;
	int		 i, ndirs, n = 0;

	ndirs = ctl_dirs(dirs, CTL_MAX_DIRS);
	for (i = 0; i < ndirs; i++) {
		if ((d = opendir(dirs[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (!ctl_stale(dirfd(d), dirs[i], de->d_name, live,
			    nlive))
				continue;
			if (unlinkat(dirfd(d), de->d_name, 0) == 0) {
				if (removed != NULL)
					buf_printf(removed, "%s/%s\n", dirs[i],
					    de->d_name);
				n++;
			}
		}
		closedir(d);
	}
	return n;
}

/* Print usage of ctl. */
static void
ctl_usage(FILE *f)
{
	struct buf	b = { 0 };

	cmd_help(&b);
	fprintf(f, "usage: pooltop ctl [--json] [ID|NAME] COMMAND [ARGS...]\n"
	    "Commands (SLOT counts from 1):\n%s", b.data);
	buf_free(&b);
}

/* Join words into one command line, adding --json if asked. */
static char *
ctl_join(int argc, char **argv, int json)
{
	struct buf	 b = { 0 };
	int		 i;

	for (i = 0; i < argc; i++)
		buf_printf(&b, "%s%s", i ? " " : "", argv[i]);
	if (json)
		buf_addstr(&b, " --json");
	return b.data;
}

/* `pooltop ctl [--json] [ID] COMMAND [ARGS]` */
int
ctl_main(int argc, char **argv)
{
	struct buf	 reply = { 0 };
	const char	*id = NULL;
	char		 sock[CTL_PATH_MAX], err[1024], *line;
	int		 i = 1, json = 0, rv;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			ctl_usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			fprintf(stderr, "pooltop ctl: unknown option %s\n",
			    argv[i]);
			ctl_usage(stderr);
			return PT_EXIT_USAGE;
		}
	}
	argc -= i;
	argv += i;
	if (argc > 0 && !(cmd_known(argv[0]) && (argc == 1 ||
	    !cmd_known(argv[1])))) {
		id = argv[0];
		argc--;
		argv++;
	}
	if (argc == 0 || !cmd_known(argv[0])) {
		if (argc == 0)
			fprintf(stderr, "pooltop ctl: missing COMMAND\n");
		else
			fprintf(stderr, "pooltop ctl: unknown command '%s'\n",
			    argv[0]);
		ctl_usage(stderr);
		return PT_EXIT_USAGE;
	}
	if (json && strcmp(argv[0], "status") != 0) {
		fprintf(stderr, "pooltop ctl: --json applies to status only\n");
		return PT_EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0) {
		ctl_usage(stdout);
		return 0;
	}
	if (ctl_find(id, NULL, 0, sock, sizeof sock, err, sizeof err) == -1) {
		fprintf(stderr, "pooltop ctl: %s\n", err);
		return PT_EXIT_USAGE;
	}
	line = ctl_join(argc, argv, json);
	rv = ctl_exchange(sock, line, &reply, err, sizeof err);
	free(line);
	if (rv == -1)
		fprintf(stderr, "pooltop ctl: %s\n", err);
	else if (reply.len > 0)
		fwrite(reply.data, 1, reply.len, rv == 0 ? stdout : stderr);
	buf_free(&reply);
	if (fflush(stdout) == EOF && rv == 0)
		return 1;
	return rv == 0 ? 0 : rv == 1 ? 1 : PT_EXIT_USAGE;
}

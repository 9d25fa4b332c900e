/*
 * The control socket, server end (runs in the supervisor).
 *
 * ctl_listen() binds <dir>/<pid>.sock (0600, in a 0700 directory of ours:
 * see ctl.c) and plugs the listening fd into the loop.  Every client
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
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "ctl-int.h"
#include "keeper.h"
#include "loop.h"
#include "pool.h"
#include "util.h"

#define CTL_READ_NS	(2 * PT_NSEC)	/* to send the request line */
#define CTL_WRITE_NS	(10 * PT_NSEC)	/* to take the reply */
#define CTL_SWEEP_MS	250
#define CTL_DRAIN_MAX	(64 * 1024)


struct ctl_client {
	int			 fd;
	int			 writing;
	int			 pollout;	/* watched for POLLOUT */
	int			 watch;		/* in the loop */
	int64_t			 deadline;	/* CLOCK_MONOTONIC ns */
	struct buf		 in;
	struct buf		 out;
	TAILQ_ENTRY(ctl_client)	 entry;
};
TAILQ_HEAD(ctl_clients, ctl_client);

static struct {
	struct loop		*loop;
	struct pool		*pool;
	int			 fd;
	int			 watch;		/* fd's, in the loop */
	int			 sweep;		/* the timer */
	int			 accept_off;	/* out of fds: retry on sweep */
	int			 nclients;
	struct ctl_clients	 clients;
	char			 path[CTL_PATH_MAX];
} ctl = { .fd = -1 };


/* Make way for our socket: refuse a live one, remove a stale one. */
static int
ctl_clear_path(const char *path, char *err, size_t errlen)
{
	struct stat	sb;

	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return 0;
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (S_ISSOCK(sb.st_mode) && ctl_answers(path))
		return errorf(err, errlen, "control socket %s is in use by a "
		    "live process", path);
	if (sb.st_uid != geteuid() || unlink(path) == -1)
		return errorf(err, errlen, "cannot remove stale %s: %s", path,
		    sb.st_uid != geteuid() ? "not ours" : strerror(errno));
	return 0;
}

/*
 * Create, bind and listen on the socket at path; the fd or -1.  The socket
 * is bound under a name no reader takes for a pool's (".PID.sock.new"),
 * made to listen, and only then renamed into place: a `pooltop ls` that
 * sweeps the directory meanwhile must never find, under a pool's name, a
 * socket that does not answer yet, for it would remove it as stale.
 */
static int
ctl_bind(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	sun;
	const char		*base;
	char			tmp[CTL_PATH_MAX];
	mode_t			mask;
	int			fd, rv;

	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	if ((size_t)snprintf(tmp, sizeof tmp, "%.*s.%s.new", (int)(base - path),
	    path, base) >= sizeof tmp || strlen(tmp) >= sizeof sun.sun_path)
		return errorf(err, errlen, "control socket path too long: %s",
		    path);
	if (ctl_clear_path(tmp, err, errlen) == -1)
		return -1;
	keeper_keep_socket(tmp);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, tmp, sizeof sun.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errorf(err, errlen, "socket: %s", strerror(errno));
	mask = umask(077);
	rv = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(mask);
	if (rv == -1 || chmod(tmp, 0600) == -1 || listen(fd, 128) == -1 ||
	    rename(tmp, path) == -1) {
		errorf(err, errlen, "control socket %s: %s", rv == -1 ? tmp :
		    path, strerror(errno));
		if (rv == 0)
			unlink(tmp);
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
	if (ctl.loop != NULL)
		loop_del(ctl.loop, c->watch);
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
			if (!c->pollout && ctl.loop != NULL) {
				loop_set(ctl.loop, c->watch, c->fd, POLLOUT);
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
		buf_printf(&c->out, "error: request too long (at most %d "
		    "bytes)\n", CTL_LINE_MAX);
		ctl_reply(c);
	}
}

/* A client's fd is ready. */
static void
ctl_client_cb(__attribute__((unused)) int fd,
    __attribute__((unused)) short revents, void *arg)
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
	c->watch = loop_add(ctl.loop, fd, POLLIN, ctl_client_cb, c);
}

/* The listening socket is ready: accept what is pending. */
static void
ctl_accept(int fd, __attribute__((unused)) short revents,
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
			loop_set(ctl.loop, ctl.watch, fd, 0);
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
ctl_sweep(__attribute__((unused)) void *arg)
{
	struct ctl_client	*c, *next;
	int64_t			 now = mono_ns();

	if (ctl.fd == -1)
		return;
	if (ctl.accept_off) {
		ctl.accept_off = 0;
		loop_set(ctl.loop, ctl.watch, ctl.fd, POLLIN);
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

/* Close every client and the listening socket; unlink it (idempotent). */
void
ctl_close(void)
{
	struct ctl_client	*c;

	if (ctl.fd != -1) {
		while ((c = TAILQ_FIRST(&ctl.clients)) != NULL) {
			if (c->writing && c->out.len > 0)
				(void)send(c->fd, c->out.data, c->out.len,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
			ctl_drop(c);
		}
		if (ctl.loop != NULL) {
			loop_del(ctl.loop, ctl.watch);
			loop_timer_del(ctl.loop, ctl.sweep);
		}
		close(ctl.fd);
		ctl.fd = -1;
	}
	if (ctl.path[0] != '\0')
		unlink(ctl.path);
	ctl.path[0] = '\0';
	ctl.pool = NULL;
	ctl.loop = NULL;
}

/* The pool has ended: stop serving. */
static void
ctl_at_exit(__attribute__((unused)) struct pool *p,
    __attribute__((unused)) void *arg)
{
	ctl_close();
}

/* Server: create the socket and serve it from the loop. */
int
ctl_listen(struct loop *loop, struct pool *p, char *path, size_t pathlen,
    char *err, size_t errlen)
{
	const char	*dir;
	char		 sock[CTL_PATH_MAX];
	int		 fd;

	if (ctl.fd != -1)
		return errorf(err, errlen, "control socket already open");
	if ((dir = ctl_dir(1, err, errlen)) == NULL)
		return -1;
	if ((size_t)snprintf(sock, sizeof sock, "%s/%ld.sock", dir,
	    (long)getpid()) >= sizeof sock || strlen(sock) >= pathlen)
		return errorf(err, errlen, "control socket path too long: %s",
		    dir);
	if (ctl_clear_path(sock, err, errlen) == -1)
		return -1;
	keeper_keep_socket(sock);
	if ((fd = ctl_bind(sock, err, errlen)) == -1)
		return -1;
	TAILQ_INIT(&ctl.clients);
	ctl.nclients = 0;
	ctl.accept_off = 0;
	ctl.loop = loop;
	ctl.pool = p;
	ctl.fd = fd;
	strlcpy(ctl.path, sock, sizeof ctl.path);
	ctl.watch = loop_add(loop, fd, POLLIN, ctl_accept, NULL);
	ctl.sweep = loop_every(loop, CTL_SWEEP_MS, ctl_sweep, NULL);
	pool_at_exit(p, ctl_at_exit, NULL);
	strlcpy(path, sock, pathlen);
	return 0;
}

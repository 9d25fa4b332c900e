/*
 * The control socket, client end (`pooltop ctl`, `attach`, `ls`).
 *
 * ctl_find() finds the live pools through the segments (shm_list: the
 * pool's ID is the pid in the segment's name) and looks for <pid>.sock in
 * the safe directories (ctl.c), never at a path the segment gives: anyone
 * can write that.  ctl_request() sends one line and reads the reply until
 * EOF, all bounded by CTL_CLIENT_NS, and talks only to a peer whose
 * SO_PEERCRED says our uid and the pid the socket is named after.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "ctl-int.h"
#include "opts.h"
#include "shm.h"
#include "text.h"
#include "util.h"

#define CTL_REPLY_MAX	(64U * 1024 * 1024)

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
			e = text_escaped(ps->v[i].name, strlen(ps->v[i].name));
			buf_printf(b, " (%s)", e);
			free(e);
		}
		first = 0;
	}
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
		errorf(err, errlen, "no live pool");
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
		e = text_escaped(id, strlen(id));
		errorf(err, errlen, "no live pool with ID or name '%s' "
		    "(pooltop ls lists them)", e);
		free(e);
		return NULL;
	}
	ctl_list_pools(&b, ps, id != NULL && !ctl_all_digits(id) ? id : NULL);
	errorf(err, errlen, "%s: %s; give an ID", id == NULL ?
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

	if (shm_list(geteuid(), ctl_collect, &ps) == -1 && ps.n == 0)
		return errorf(err, errlen, "cannot list pools: %s",
		    strerror(errno));
	if ((cp = ctl_pick(&ps, id, err, errlen)) == NULL)
		goto out;
	if (cp->sock[0] == '\0') {
		errorf(err, errlen, "pool %ld has no control socket",
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

/* Client: the pid of a live pool named name, or 0. */
pid_t
ctl_name_live(const char *name)
{
	struct ctl_pools	 ps = { NULL, 0 };
	size_t			 i;
	pid_t			 pid = 0;

	(void)shm_list(geteuid(), ctl_collect, &ps);
	for (i = 0; i < ps.n && pid == 0; i++)
		if (ps.v[i].pid != getpid() && strcmp(ps.v[i].name, name) == 0)
			pid = ps.v[i].pid;
	free(ps.v);
	return pid;
}

/* Milliseconds left until deadline, at least 0. */
static int
ctl_left_ms(int64_t deadline)
{
	int64_t	left = deadline - mono_ns();

	return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
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
	    sizeof sun.sun_path)
		return errorf(err, errlen, "socket path too long: %s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return errorf(err, errlen, "socket: %s", strerror(errno));
	/* A blocking connect waits at most this long for a full backlog. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		errorf(err, errlen, "cannot connect to %s: %s", path,
		    strerror(errno));
	else if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1 ||
	    uc.uid != geteuid())
		errorf(err, errlen, "%s is not served by our uid", path);
	else if ((pid = ctl_sock_pid(path)) > 0 && uc.pid != pid)
		errorf(err, errlen, "%s is served by pid %ld, not by pool %ld",
		    path, (long)uc.pid, (long)pid);
	else {
		set_nonblock(fd);
		return fd;
	}
	close(fd);
	return -1;
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

	if (strlen(line) >= CTL_LINE_MAX || strchr(line, '\n') != NULL)
		return errorf(err, errlen, "command is not one line of at "
		    "most %d bytes", CTL_LINE_MAX - 1);
	if ((fd = ctl_connect(sock, err, errlen)) == -1)
		return -1;
	req = xasprintf("%s\n", line);
	if (ctl_send(fd, req, strlen(req), deadline) == -1 ||
	    ctl_recv(fd, &raw, deadline) == -1)
		errorf(err, errlen, "%s: %s", sock, errno == ETIMEDOUT ?
		    "no reply in time" : strerror(errno));
	else if (raw.len >= 3 && memcmp(raw.data, "ok\n", 3) == 0) {
		buf_add(reply, raw.data + 3, raw.len - 3);
		rv = 0;
	} else if (raw.len >= 7 && memcmp(raw.data, "error: ", 7) == 0) {
		buf_add(reply, raw.data, raw.len);
		rv = 1;
	} else
		errorf(err, errlen, "%s: malformed reply", sock);
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
		errorf(err, errlen, "%s", e);
	return rv == 0 ? 0 : -1;
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

/* The longest word an add line can carry: "add WORD" in one line. */
#define CTL_WORD_MAX	(CTL_LINE_MAX - 1 - sizeof "add")

/* An add's items: argv's, or a file's split at sep. */
struct ctl_items {
	char		**v;
	size_t		  n;
	struct buf	  file;
};

/*
 * Split the bytes [off, lim) of the files' buffer (path's) at sep into
 * items; -1 on a NUL in a line.  The buffer no longer grows.
 */
static int
ctl_split_items(struct ctl_items *it, const char *path, size_t off,
    size_t lim, char sep)
{
	char	*p, *end, *e;

	p = it->file.data + off;
	end = it->file.data + lim;
	while (p < end) {
		if ((e = memchr(p, sep, (size_t)(end - p))) == NULL)
			e = end;
		if (sep != '\0' && memchr(p, '\0', (size_t)(e - p)) != NULL) {
			fprintf(stderr, "pooltop ctl: %s: item %zu holds a NUL "
			    "byte (use -0 for NUL-separated items)\n", path,
			    it->n + 1);
			return -1;
		}
		*e = '\0';
		it->v = xreallocarray(it->v, it->n + 1, sizeof *it->v);
		it->v[it->n++] = p;
		p = e + 1;
	}
	return 0;
}

/*
 * Append FILE ('-': stdin) to the files' buffer, followed by one byte
 * for its last item's NUL; -1 after a message.
 */
static int
ctl_read_file(struct ctl_items *it, const char *path)
{
	char	tmp[65536];
	ssize_t	n;
	int	fd = strcmp(path, "-") == 0 ? STDIN_FILENO :
		    open(path, O_RDONLY | O_CLOEXEC);

	while (fd != -1 && (n = read(fd, tmp, sizeof tmp)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		buf_add(&it->file, tmp, (size_t)n);
	}
	if (fd == -1 || n == -1) {
		fprintf(stderr, "pooltop ctl: %s: %s\n", path, strerror(errno));
		if (fd > STDIN_FILENO)
			close(fd);
		return -1;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	buf_add(&it->file, "", 1);
	return 0;
}

/*
 * Read the files (each '-a FILE' of argv[i..argc)) into items split at
 * sep, the first file's first; -1 after a message.
 */
static int
ctl_read_items(struct ctl_items *it, int argc, char **argv, int i, char sep)
{
	size_t	*ends, k, nfiles = 0, off = 0;
	int	 j, rv = 0;

	for (j = i; j < argc; j += 2) {
		if (strcmp(argv[j], "-a") != 0 || j + 1 == argc) {
			fprintf(stderr, "pooltop ctl: usage: add [-0] -a FILE"
			    " [-a FILE]...\n");
			return -1;
		}
	}
	ends = xcalloc((size_t)(argc - i) / 2, sizeof *ends);
	for (j = i; j < argc && rv == 0; j += 2) {
		rv = ctl_read_file(it, argv[j + 1]);
		ends[nfiles++] = it->file.len - 1;
	}
	for (k = 0, j = i; k < nfiles && rv == 0; k++, j += 2) {
		rv = ctl_split_items(it, argv[j + 1], off, ends[k], sep);
		off = ends[k] + 1;
	}
	free(ends);
	return rv;
}

/* Parse add's arguments into items; -1 after a usage message. */
static int
ctl_add_args(int argc, char **argv, struct ctl_items *it)
{
	char	sep = '\n';
	int	i = 1;

	if (i < argc && strcmp(argv[i], "-0") == 0) {
		sep = '\0';
		i++;
	}
	if (i < argc && strcmp(argv[i], "-a") == 0)
		return ctl_read_items(it, argc, argv, i, sep);
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	else if (i < argc && argv[i][0] == '-') {
		fprintf(stderr, "pooltop ctl: add: unknown option %s (put -- "
		    "before items that start with -)\n", argv[i]);
		return -1;
	}
	if (sep == '\0' || i == argc) {
		fprintf(stderr, "pooltop ctl: usage: add [--] ITEM... | "
		    "add [-0] -a FILE [-a FILE]...\n");
		return -1;
	}
	it->v = argv + i;
	it->n = (size_t)(argc - i);
	return 0;
}

/* Is every item short enough to travel?  -1 after a message if not. */
static int
ctl_add_check(const struct ctl_items *it)
{
	struct buf	w = { 0 };
	size_t		i;
	int		rv = 0;

	for (i = 0; i < it->n && rv == 0; i++) {
		w.len = 0;
		text_word(&w, it->v[i], strlen(it->v[i]));
		if (w.len > CTL_WORD_MAX) {
			fprintf(stderr, "pooltop ctl: item %zu is too long to "
			    "add: %zu bytes escaped, at most %zu (bytes outside"
			    " !..~ take 3)\n", i + 1, w.len,
			    (size_t)CTL_WORD_MAX);
			rv = -1;
		}
	}
	buf_free(&w);
	return rv;
}

/*
 * Send the items in as few add lines as fit; each line is added whole or
 * not at all.  0, 1 (an error reply) or -1 (no answer), after a message.
 */
static int
ctl_add_send(const char *sock, const struct ctl_items *it)
{
	struct buf	 line = { 0 }, reply = { 0 };
	char		 err[1024];
	size_t		 i = 0, sent = 0, n;
	int		 rv = 0;

	while (i < it->n && rv == 0) {
		line.len = 0;
		buf_addstr(&line, "add");
		for (n = 0; i < it->n; i++, n++) {
			size_t mark = line.len;

			buf_addstr(&line, " ");
			text_word(&line, it->v[i], strlen(it->v[i]));
			if (line.len <= CTL_LINE_MAX - 1)
				continue;
			line.len = mark;
			line.data[mark] = '\0';
			break;
		}
		reply.len = 0;
		if ((rv = ctl_exchange(sock, line.data, &reply, err,
		    sizeof err)) == 0)
			sent += n;
	}
	if (rv == 0)
		printf("%zu item%s added\n", sent, sent == 1 ? "" : "s");
	else {
		if (rv == 1)
			snprintf(err, sizeof err, "%.*s", (int)strcspn(
			    reply.data + 7, "\n"), reply.data + 7);
		fprintf(stderr, "pooltop ctl: %zu of %zu items added; %s\n",
		    sent, it->n, err);
	}
	buf_free(&line);
	buf_free(&reply);
	return rv;
}

/* ctl add: 0, 1 for a refusal, PT_EXIT_USAGE. */
static int
ctl_add(const char *id, int argc, char **argv)
{
	struct ctl_items	 it = { NULL, 0, { 0 } };
	char			 sock[CTL_PATH_MAX], err[1024];
	int			 rv = PT_EXIT_USAGE;

	if (ctl_add_args(argc, argv, &it) == -1 || ctl_add_check(&it) == -1)
		goto out;
	if (ctl_find(id, NULL, 0, sock, sizeof sock, err, sizeof err) == -1) {
		fprintf(stderr, "pooltop ctl: %s\n", err);
		goto out;
	}
	if (it.n == 0)
		rv = printf("0 items added\n") < 0;
	else
		rv = ctl_add_send(sock, &it);
	rv = rv == 0 ? 0 : rv == 1 ? 1 : PT_EXIT_USAGE;
out:
	if (it.file.data != NULL)
		free(it.v);
	buf_free(&it.file);
	return rv;
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
	/* A first word "add" is the command: its items may be anything. */
	if (argc > 0 && strcmp(argv[0], "add") != 0 &&
	    !(cmd_known(argv[0]) && (argc == 1 ||
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
	if (json && strcmp(argv[0], "status") != 0 &&
	    strcmp(argv[0], "failures") != 0) {
		fprintf(stderr, "pooltop ctl: --json applies to status and "
		    "failures only\n");
		return PT_EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0) {
		ctl_usage(stdout);
		return 0;
	}
	if (strcmp(argv[0], "add") == 0)
		return ctl_add(id, argc, argv);
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

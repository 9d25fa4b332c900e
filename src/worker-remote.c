/*
 * `pooltop worker`: a worker started elsewhere.
 *
 * ssh or srun starts it with the stream to the supervisor on its standard
 * input and output.  It says HELLO (protocol and pooltop versions, its host
 * name and CPU count), waits for CONF (the settings a forked worker would
 * have inherited: shell, --termseq, --tick, its slot, and in persistent
 * mode the program, --init and --max-tasks-per-worker), checks the version,
 * makes a segment of its own for its slot's progress mailbox (so that
 * `pooltop progress` in a task works as it does on the supervisor's
 * machine), and then runs worker_main() like any worker.  When its input
 * ends (the supervisor, ssh or the step is gone) it ends its task with the
 * termination sequence and exits, so nothing of the pool outlives the
 * stream on this machine.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "shm.h"
#include "util.h"
#include "worker.h"
#include "xfer-tree.h"

#define R_READ_MAX	65536	/* a CONF is far smaller */
#define R_CONF_MS	60000	/* CONF awaited this long */

/* CPUs this process may run on (srun -c gives a step fewer than online). */
static int
cpu_count(void)
{
	cpu_set_t	set;

	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return ncpu_online();
}

/* Send one message now. */
static int
send_now(uint32_t type, const void *p, size_t n, const void *x, size_t xn)
{
	struct buf	b;
	int		r;

	memset(&b, 0, sizeof b);
	proto_put(&b, type, p, n, x, xn);
	proto_put(&b, PT_MSG_NOP, "\n", 1, NULL, 0);	/* proto.h */
	r = write_all(1, b.data, b.len) == -1 ? -1 : 0;
	buf_free(&b);
	return r;
}

/* Say why we do not go on, and go. */
static int __attribute__((format(printf, 1, 2)))
refuse(const char *fmt, ...)
{
	char	why[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	(void)send_now(PT_MSG_WHY, why, strlen(why), NULL, 0);
	return 2;
}

/*
 * Wait (at most ms) for the first whole message on fd 0 into b.  1 and *m,
 * *payload; 0 on end of input or timeout; -1 malformed.
 */
static int
read_first(struct buf *b, struct pt_msg *m, const char **payload, int ms)
{
	struct pollfd	 pfd = { .fd = 0, .events = POLLIN };
	char		 tmp[4096];
	int64_t		 end = mono_ns() + (int64_t)ms * 1000000;
	ssize_t		 n;
	int		 r;

	for (;;) {
		if ((r = proto_next(b, 0, m, payload)) != 0)
			return r;
		if (b->len > R_READ_MAX + sizeof *m)
			return -1;
		r = poll(&pfd, 1, (int)((end - mono_ns()) / 1000000));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		n = read(0, tmp, sizeof tmp);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		buf_add(b, tmp, (size_t)n);
	}
}

/*
 * The settings CONF carries (c, then its strings s of n bytes), as the
 * options a forked worker would have.
 */
static int
conf_opts(const struct pt_conf *c, const char *s, size_t n, struct opts *o)
{
	const char	*shell = proto_string(s, n, 0);
	int		 i;

	memset(o, 0, sizeof *o);
	o->shell = xstrdup(shell != NULL && *shell != '\0' ? shell : "/bin/sh");
	o->tick_ms = c->tick_ms;
	/* Persistent mode: the program and --init after the directory. */
	if (c->flags & PT_CONF_PERSISTENT) {
		if ((o->persistent = (char *)proto_string(s, n, 3)) == NULL ||
		    *o->persistent == '\0' || c->max_tasks < 0)
			return -1;
		o->persistent = xstrdup(o->persistent);
		o->max_tasks_per_worker = c->max_tasks;
	}
	if (c->flags & PT_CONF_INIT) {
		if (o->persistent == NULL ||
		    (o->init = (char *)proto_string(s, n, 4)) == NULL)
			return -1;
		o->init = xstrdup(o->init);
	}
	if (c->nterm < 0 || c->nterm > PT_CONF_TERM_MAX ||
	    c->nterm > PT_TERMSEQ_MAX)
		return -1;
	o->termseq.n = c->nterm;
	for (i = 0; i < c->nterm; i++) {
		o->termseq.sig[i] = c->term_sig[i];
		o->termseq.wait_ms[i] = c->term_ms[i];
	}
	return 0;
}

/*
 * --workdir as CONF gives it ("" or NULL: none), made absolute: relative
 * to the directory the worker starts in (the login's), as the supervisor's
 * copies over ssh see it.  0, or -1 and errno.
 */
static int
workdir(const char *wd, char *out, size_t len)
{
	char	cwd[PATH_MAX];

	out[0] = '\0';
	if (wd == NULL || *wd == '\0')
		return 0;
	if (*wd == '/') {
		if (strlcpy(out, wd, len) >= len)
			return errno = ENAMETOOLONG, -1;
		return 0;
	}
	if (getcwd(cwd, sizeof cwd) == NULL)
		return -1;
	if ((size_t)snprintf(out, len, "%s/%s", strcmp(cwd, "/") == 0 ? "" :
	    cwd, wd) >= len)
		return errno = ENAMETOOLONG, -1;
	return 0;
}

int
worker_stdio_main(int argc, char **argv)
{
	static struct opts		o;
	static struct pt_shm		shm;
	static struct worker_conf	wc;
	/* Static as those: the worker reads on from it (wc.pending) for the
	   process's life, and a refusal exits with it held. */
	static struct buf		in;
	struct pt_hello			h;
	struct pt_conf			c;
	struct pt_msg			m;
	const char			*pl, *host, *wd;
	static char			 wdir[PATH_MAX], base[PATH_MAX];
	char				name[256], hello[320], err[256];
	int				r;

	/* A file or tree to or from the host (xfer-tree.h). */
	if (argc == 3 && strncmp(argv[1], "--", 2) == 0)
		return tree_main(argv[1], argv[2]);
	if (argc > 1) {
		fprintf(stderr, "usage: pooltop worker (started by pooltop"
		    " itself, with the protocol on stdin and stdout)\n");
		return 2;
	}
	if (gethostname(name, sizeof name) == -1)
		strlcpy(name, "?", sizeof name);
	name[sizeof name - 1] = '\0';
	memset(&h, 0, sizeof h);
	h.version = PT_PROTO_VERSION;
	h.ncpu = cpu_count();
	h.pid = (int32_t)getpid();
	r = snprintf(hello, sizeof hello, "%s%c%s", PACKAGE_VERSION, '\0',
	    name);
	if (send_now(PT_MSG_HELLO, &h, sizeof h, hello, (size_t)r + 1) == -1)
		return 1;
	memset(&in, 0, sizeof in);
	r = read_first(&in, &m, &pl, R_CONF_MS);
	if (r == 0)
		return 1;	/* nobody there: nothing to say it to */
	if (r == -1 || m.type != PT_MSG_CONF || m.len < sizeof c.version)
		return refuse("pooltop worker %s on %s: the supervisor's first"
		    " message is not CONF (another pooltop version?)",
		    PACKAGE_VERSION, name);
	/* The version first: another's CONF may be longer or shorter. */
	memcpy(&c.version, pl, sizeof c.version);
	if (c.version != PT_PROTO_VERSION)
		return refuse("pooltop %s on %s speaks protocol %u, the"
		    " supervisor %u: install the same pooltop version on both",
		    PACKAGE_VERSION, name, PT_PROTO_VERSION, c.version);
	if (m.len < sizeof c)
		return refuse("pooltop worker on %s: bad CONF", name);
	memcpy(&c, pl, sizeof c);
	host = proto_string(pl + sizeof c, m.len - sizeof c, 1);
	wd = proto_string(pl + sizeof c, m.len - sizeof c, 2);
	if (getcwd(base, sizeof base) == NULL)
		return refuse("pooltop worker on %s: getcwd: %s", name,
		    strerror(errno));
	if (workdir(wd, wdir, sizeof wdir) == -1)
		return refuse("pooltop worker on %s: --workdir %s: %s", name,
		    wd, strerror(errno));
	if (conf_opts(&c, pl + sizeof c, m.len - sizeof c, &o) == -1 ||
	    c.slot >= PT_SHM_MAX_SLOTS)
		return refuse("pooltop worker on %s: bad CONF", name);
	if (shm_create(&shm, c.slot + 1, err, sizeof err) == -1)
		return refuse("pooltop worker on %s: %s", name, err);
	/* The worker reads its slot's mailbox through the mapping. */
	if (shm_reserve(&shm, c.slot + 1) == -1) {
		snprintf(err, sizeof err, "segment %s: %s", shm.name,
		    strerror(errno));
		shm_close(&shm);
		return refuse("pooltop worker on %s: %s", name, err);
	}
	snprintf(shm.pub.name, sizeof shm.pub.name, "worker %u for %s",
	    c.slot + 1, host != NULL ? host : "?");
	strlcpy(shm.pub.command, "pooltop worker", sizeof shm.pub.command);
	shm.pub.state = PT_POOL_RUNNING;
	shm_publish_header(&shm);
	/* What follows CONF is the worker's to read. */
	buf_consume(&in, sizeof m + m.len);
	wc.pending = &in;
	wc.slot = (int)c.slot;
	wc.fd = 0;
	wc.fd_out = 1;
	wc.supervisor = 0;
	wc.shm = &shm;
	wc.own_shm = true;
	wc.generation = c.generation;
	wc.opts = &o;
	wc.workdir = wdir[0] != '\0' ? wdir : NULL;
	wc.basedir = base;
	wc.wdflags = c.flags;
	worker_main(&wc);
}

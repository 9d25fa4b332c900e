/* The machines a pool's workers run on: see pool-hosts.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "keeper.h"
#include "pool-hosts.h"
#include "util.h"

#define HOSTS_FAIL_MAX		3	/* workers that never connected */
#define HOST_CONNECT_NS		(30 * PT_NSEC)	/* for a master to come up */
#define HOST_CHECK_NS		(20 * 1000000LL) /* a connecting one's socket */

struct host {
	char		*login;		/* as given, without N/ */
	char		 user[64];
	char		 name[256];
	int		 port;		/* 0: ssh's */
	int		 slots;		/* N/, -j, or its CPUs; -1: not known */
	int		 ncpu;		/* from HELLO; 0: not yet */
	int		 live;		/* workers started, not yet ended */
	int		 fails;		/* workers in a row that
					   never said HELLO */
	enum host_state	 state;
	pid_t		 master;	/* 0: none */
	int		 errfd;		/* the master's stderr, read end */
	int64_t		 connect_by;
	char		 ctlpath[108];
	char		**argv;		/* to start a worker */
	char		**sshv;		/* ssh to it, over the master */
	char		 why[160];	/* why it is down */
	bool		 gone;		/* left the --slf file: no new workers,
					   down once its last one ends */
	bool		 from_file;	/* a line of --slf */
};

struct hosts {
	bool		 slurm;		/* job steps, not ssh */
	struct host	*h;
	int		 n;
	bool		 local;		/* ":" given */
	int		 local_slots;
	int		 local_live;
	char		**ssh;		/* --ssh, split */
	int		 nssh;
	char		*pooltop;	/* quoted for the remote shell */
	char		**envw;		/* --env: VAR=value, quoted likewise */
	int		 nenvw;
	int		 jslots;	/* -j given, or 0 */
	char		*slf;		/* --sshloginfile, or NULL */
	struct stat	 slf_st;	/* as last read */
	bool		 slf_said;	/* it could not be read: said */
};

void
hosts_quote(struct buf *b, const char *s)
{
	buf_add(b, "'", 1);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_addstr(b, "'\\''");
		else
			buf_add(b, s, 1);
	}
	buf_add(b, "'", 1);
}

/* s in single quotes for a POSIX shell, allocated. */
static char *
shell_quote(const char *s)
{
	struct buf	b = { NULL, 0, 0 };

	hosts_quote(&b, s);
	buf_add(&b, "", 1);
	return b.data;
}

/* Append word to a NULL-terminated vector of n words. */
static void
vec_add(char ***v, int *n, const char *word)
{
	*v = xreallocarray(*v, (size_t)*n + 2, sizeof **v);
	(*v)[(*n)++] = xstrdup(word);
	(*v)[*n] = NULL;
}

/* Append the words up to a NULL, each with vec_add(). */
static void __attribute__((sentinel))
vec_addl(char ***v, int *n, ...)
{
	const char	*w;
	va_list		 ap;

	va_start(ap, n);
	while ((w = va_arg(ap, const char *)) != NULL)
		vec_add(v, n, w);
	va_end(ap);
}

static void
vec_free(char **v)
{
	size_t	i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* The ssh words with the options every connection to h takes. */
static void
ssh_words(const struct hosts *hs, const struct host *h, char ***v, int *n,
    bool master)
{
	char	port[16];
	int	i;

	for (i = 0; i < hs->nssh; i++)
		vec_add(v, n, hs->ssh[i]);
	vec_addl(v, n, "-S", h->ctlpath, "-o", master ? "ControlPersist=no" :
	    "ControlMaster=no", "-o", "BatchMode=yes", (char *)NULL);
	if (master)
		vec_addl(v, n, "-M", "-N", "-o", "ServerAliveInterval=10",
		    (char *)NULL);
	if (h->port != 0) {
		snprintf(port, sizeof port, "%d", h->port);
		vec_addl(v, n, "-p", port, (char *)NULL);
	}
	if (h->user[0] != '\0')
		vec_addl(v, n, "-l", h->user, (char *)NULL);
	vec_add(v, n, h->name);
}

static int
host_add(struct hosts *hs, const char *login, int jslots, char *err,
    size_t errlen)
{
	struct host	*h;
	char		 user[64], name[256], msg[160], dir[PATH_MAX];
	const char	*d, *slash;
	int		 slots, port, n = 0, i;

	if (hosts_parse_login(login, &slots, user, sizeof user, name,
	    sizeof name, &port, msg, sizeof msg) == -1) {
		snprintf(err, errlen, "'%s': %s", login, msg);
		return -1;
	}
	if (strcmp(name, ":") == 0) {
		hs->local = true;
		hs->local_slots = slots != 0 ? slots : jslots;
		return 0;
	}
	if ((d = ctl_dir(1, msg, sizeof msg)) == NULL) {
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	strlcpy(dir, d, sizeof dir);
	hs->h = xreallocarray(hs->h, (size_t)hs->n + 1, sizeof *hs->h);
	h = &hs->h[hs->n];
	memset(h, 0, sizeof *h);
	slash = strchr(login, '/');
	h->login = xstrdup(slash != NULL ? slash + 1 : login);
	strlcpy(h->user, user, sizeof h->user);
	strlcpy(h->name, name, sizeof h->name);
	h->port = port;
	h->slots = slots != 0 ? slots : jslots != 0 ? jslots : -1;
	h->errfd = -1;
	if ((size_t)snprintf(h->ctlpath, sizeof h->ctlpath, "%s/%ld.%d.ssh",
	    dir, (long)getpid(), hs->n) >= sizeof h->ctlpath) {
		snprintf(err, errlen, "%s: the runtime directory's name is too"
		    " long for ssh's control socket", dir);
		free(h->login);
		return -1;
	}
	ssh_words(hs, h, &h->sshv, &n, false);
	n = 0;
	ssh_words(hs, h, &h->argv, &n, false);
	if (hs->nenvw > 0)
		vec_add(&h->argv, &n, "env");
	for (i = 0; i < hs->nenvw; i++)
		vec_add(&h->argv, &n, hs->envw[i]);
	vec_addl(&h->argv, &n, hs->pooltop, "worker", (char *)NULL);
	hs->n++;
	return 0;
}

static void	host_down(struct host *, const char *);

/*
 * SLURM_JOB_CPUS_PER_NODE ("4(x2),2"): the CPUs of node i of the
 * allocation, or 0 if it does not say.
 */
static int
slurm_cpus(int i)
{
	const char	*s = getenv("SLURM_JOB_CPUS_PER_NODE");
	char		*end;
	long		 n, rep;

	while (s != NULL && *s != '\0') {
		n = strtol(s, &end, 10);
		if (end == s || n < 1)
			return 0;
		rep = 1;
		if (strncmp(end, "(x", 2) == 0) {
			rep = strtol(end + 2, &end, 10);
			if (*end++ != ')' || rep < 1)
				return 0;
		}
		if (i < rep)
			return n > PT_MAX_WORKERS ? PT_MAX_WORKERS : (int)n;
		i -= (int)rep;
		s = *end == ',' ? end + 1 : NULL;
	}
	return 0;
}

/* A node of the allocation: its workers are job steps placed on it. */
static void
node_add(struct hosts *hs, const char *node, int jslots, const char *pooltop)
{
	struct host	*h;
	int		 n = 0;

	hs->h = xreallocarray(hs->h, (size_t)hs->n + 1, sizeof *hs->h);
	h = &hs->h[hs->n];
	memset(h, 0, sizeof *h);
	h->login = xstrdup(node);
	strlcpy(h->name, node, sizeof h->name);
	h->slots = jslots != 0 ? jslots : slurm_cpus(hs->n);
	if (h->slots == 0)
		h->slots = -1;	/* its first HELLO says */
	h->errfd = -1;
	h->state = HOST_UP;	/* no connection to make first */
	vec_addl(&h->argv, &n, "srun", "--exclusive", "-N1", "-n1", "-c1",
	    "--job-name=pooltop-worker", "-w", node, pooltop, "worker",
	    (char *)NULL);
	hs->n++;
}

/* The nodes of the allocation we run in, from scontrol. */
static int
slurm_nodes(struct hosts *hs, const struct opts *o, int jslots, char *err,
    size_t errlen)
{
	const char	*pooltop = o->remote_pooltop != NULL &&
			    *o->remote_pooltop != '\0' ? o->remote_pooltop :
			    "pooltop";
	char		 line[256];
	FILE		*f;
	int		 st;

	hs->slurm = true;
	if ((f = popen("scontrol show hostnames 2>&1", "r")) == NULL) {
		snprintf(err, errlen, "--slurm: scontrol: %s", strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || strpbrk(line, " \t:") != NULL)
			continue;	/* not a node name: said below */
		node_add(hs, line, jslots, pooltop);
	}
	st = pclose(f);
	if (st != 0 || hs->n == 0) {
		snprintf(err, errlen, "--slurm: 'scontrol show hostnames' found"
		    " no node of the allocation (SLURM_JOB_NODELIST=%s)",
		    getenv("SLURM_JOB_NODELIST") != NULL ?
		    getenv("SLURM_JOB_NODELIST") : "unset");
		return -1;
	}
	return 0;
}

/*
 * One line of an --slf file: the login, or NULL for a blank line or a
 * comment.  Trims blanks in place.
 */
static char *
slf_login(char *line)
{
	char	*e;

	line += strspn(line, " \t");
	e = line + strcspn(line, "\r\n");
	while (e > line && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	return *line == '\0' || *line == '#' ? NULL : line;
}

/* The host of this login (without N/) that has not left, or -1. */
static int
login_find(const struct hosts *hs, const char *login)
{
	const char	*slash = strchr(login, '/');
	int		 i;

	if (slash != NULL)
		login = slash + 1;
	for (i = 0; i < hs->n; i++)
		if (strcmp(hs->h[i].login, login) == 0 &&
		    hs->h[i].state != HOST_DOWN)
			return i;
	return -1;
}

/* The first --slf: every line a host, a bad one refused (FILE:LINE). */
static int
slf_start(struct hosts *hs, const char *path, char *err, size_t errlen)
{
	char	*line = NULL, *l, msg[PATH_MAX + 200];
	size_t	 cap = 0;
	FILE	*f;
	int	 lineno = 0, r = 0;

	hs->slf = xstrdup(path);
	if ((f = fopen(path, "r")) == NULL || fstat(fileno(f),
	    &hs->slf_st) == -1) {
		snprintf(err, errlen, "--sshloginfile %s: %s", path,
		    strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	while (r == 0 && getline(&line, &cap, f) != -1) {
		lineno++;
		if ((l = slf_login(line)) == NULL)
			continue;
		if (strcmp(l, ":") != 0 && login_find(hs, l) != -1)
			continue;	/* given twice: once */
		if ((r = host_add(hs, l, hs->jslots, msg, sizeof msg)) == -1)
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
		else if (strcmp(l, ":") != 0 &&
		    strcmp(strchr(l, '/') ? strchr(l, '/') + 1 : l, ":") != 0)
			hs->h[hs->n - 1].from_file = true;
	}
	free(line);
	fclose(f);
	if (r == 0 && hs->n == 0 && !hs->local) {
		snprintf(err, errlen, "--sshloginfile %s: no host in it",
		    path);
		r = -1;
	}
	return r;
}

/* Say one line of what a reload did into out. */
static void __attribute__((format(printf, 2, 3)))
say(struct buf *out, const char *fmt, ...)
{
	char	line[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	buf_addstr(out, line);
	buf_add(out, "\n", 1);
}

/* A host of the file is there again, or has a new N/. */
static void
slf_keep(struct hosts *hs, int i, const char *l, struct buf *out)
{
	struct host	*h = &hs->h[i];
	int		 slots = 0;

	if (strchr(l, '/') != NULL)
		slots = atoi(l);
	if (slots == 0)
		slots = hs->jslots != 0 ? hs->jslots :
		    h->ncpu > 0 ? h->ncpu : -1;
	if (h->gone) {
		h->gone = false;
		h->slots = slots;
		say(out, "host %s is back in %s", h->login, hs->slf);
	} else if (slots != h->slots && slots > 0) {
		say(out, "host %s: %d workers (%s)", h->login, slots, hs->slf);
		h->slots = slots;
	}
}

int
hosts_reload(struct hosts *hs, struct buf *out)
{
	struct stat	 st;
	char		*line = NULL, *l, msg[PATH_MAX + 200];
	bool		*seen;
	size_t		 cap = 0;
	FILE		*f;
	int		 i, n0, lineno = 0, changes = 0;

	if (hs == NULL || hs->slf == NULL)
		return 0;
	if (stat(hs->slf, &st) == -1 || (f = fopen(hs->slf, "r")) == NULL) {
		if (!hs->slf_said)
			say(out, "--sshloginfile %s: %s (its hosts stay)",
			    hs->slf, strerror(errno));
		hs->slf_said = true;
		return 0;
	}
	hs->slf_said = false;
	if (st.st_mtim.tv_sec == hs->slf_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == hs->slf_st.st_mtim.tv_nsec &&
	    st.st_size == hs->slf_st.st_size &&
	    st.st_ino == hs->slf_st.st_ino) {
		fclose(f);
		return 0;
	}
	hs->slf_st = st;
	n0 = hs->n;
	seen = xcalloc((size_t)n0 + 1, sizeof *seen);
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		if ((l = slf_login(line)) == NULL)
			continue;
		if (strcmp(strchr(l, '/') ? strchr(l, '/') + 1 : l, ":") == 0)
			continue;	/* this machine: as at the start */
		if ((i = login_find(hs, l)) != -1) {
			if (i < n0)
				seen[i] = true;
			if (hs->h[i].from_file)
				slf_keep(hs, i, l, out);
			continue;
		}
		if (host_add(hs, l, hs->jslots, msg, sizeof msg) == -1) {
			say(out, "%s:%d: %s (skipped)", hs->slf, lineno, msg);
			continue;
		}
		hs->h[hs->n - 1].from_file = true;
		say(out, "host %s joins the pool (%s)", hs->h[hs->n - 1].login,
		    hs->slf);
		changes++;
	}
	free(line);
	fclose(f);
	for (i = 0; i < n0; i++) {
		struct host *h = &hs->h[i];

		if (seen[i] || !h->from_file || h->gone ||
		    h->state == HOST_DOWN)
			continue;
		h->gone = true;
		h->slots = 0;
		say(out, "host %s leaves the pool (not in %s): its workers end"
		    " after their tasks", h->login, hs->slf);
		changes++;
		if (h->live == 0)
			host_down(h, "left the pool");
	}
	free(seen);
	return changes > 0 || out->len > 0 ? 1 : 0;
}

bool
hosts_gone(const struct hosts *hs, int h)
{
	return h >= 0 && hs->h[h].gone;
}

/*
 * --env: each named variable set here as a VAR=value word for the remote
 * shell, given to `env` before the remote pooltop, so that its workers
 * and their tasks have it.  A variable not set here stays unset there.
 */
static void
env_words(struct hosts *hs, const struct opts *o)
{
	char	*w, *q;
	size_t	 i, k;

	for (i = 0; i < o->nenvs; i++) {
		for (k = 0; k < i; k++)
			if (strcmp(o->envs[k], o->envs[i]) == 0)
				break;
		if (k < i || getenv(o->envs[i]) == NULL)
			continue;
		w = xasprintf("%s=%s", o->envs[i], getenv(o->envs[i]));
		q = shell_quote(w);
		vec_add(&hs->envw, &hs->nenvw, q);
		free(q);
		free(w);
	}
}

struct hosts *
hosts_new(const struct opts *o, char *err, size_t errlen)
{
	struct hosts	*hs;
	char		*copy, *p, *w, msg[PATH_MAX + 200];
	size_t		 i;
	int		 jslots = o->workers_given ? o->workers : 0;

	err[0] = '\0';
	if (o->nsshlogins == 0 && o->slf == NULL && o->slurm != SLURM_YES)
		return NULL;
	hs = xcalloc(1, sizeof *hs);
	if (o->slurm == SLURM_YES) {
		if (slurm_nodes(hs, o, jslots, err, errlen) == -1)
			goto fail;
		return hs;
	}
	p = copy = xstrdup(o->ssh != NULL && *o->ssh != '\0' ? o->ssh : "ssh");
	while ((w = strsep(&p, " \t")) != NULL)
		if (*w != '\0')
			vec_add(&hs->ssh, &hs->nssh, w);
	free(copy);
	if (hs->nssh == 0)
		vec_add(&hs->ssh, &hs->nssh, "ssh");
	hs->pooltop = shell_quote(o->remote_pooltop != NULL &&
	    *o->remote_pooltop != '\0' ? o->remote_pooltop : "pooltop");
	env_words(hs, o);
	for (i = 0; i < o->nsshlogins; i++) {
		if (host_add(hs, o->sshlogins[i], jslots, msg,
		    sizeof msg) == -1) {
			snprintf(err, errlen, "--sshlogin %s", msg);
			goto fail;
		}
	}
	hs->jslots = jslots;
	if (o->slf != NULL && slf_start(hs, o->slf, err, errlen) == -1)
		goto fail;
	if (hs->local && hs->local_slots == 0)
		hs->local_slots = o->workers;
	return hs;
fail:
	hosts_free(hs);
	return NULL;
}

void
hosts_free(struct hosts *hs)
{
	int	i;

	if (hs == NULL)
		return;
	for (i = 0; i < hs->n; i++) {
		if (hs->h[i].master > 0) {
			kill(hs->h[i].master, SIGTERM);
			(void)waitpid(hs->h[i].master, NULL, 0);
		}
		if (hs->h[i].errfd != -1)
			close(hs->h[i].errfd);
		if (hs->h[i].ctlpath[0] != '\0')
			(void)unlink(hs->h[i].ctlpath);
		free(hs->h[i].login);
		vec_free(hs->h[i].argv);
		vec_free(hs->h[i].sshv);
	}
	free(hs->h);
	free(hs->slf);
	vec_free(hs->ssh);
	vec_free(hs->envw);
	free(hs->pooltop);
	free(hs);
}

int
hosts_count(const struct hosts *hs)
{
	return hs != NULL ? hs->n : 0;
}

/*
 * Host h's share: its slots, or one worker while its CPUs are not known
 * (slots -1 until its first HELLO).
 */
static int
host_share(const struct host *h)
{
	if (h->state == HOST_DOWN)
		return 0;
	return h->slots >= 0 ? h->slots : 1;
}

int
hosts_wanted(const struct hosts *hs)
{
	int	i, n;

	n = hs->local ? hs->local_slots : 0;
	for (i = 0; i < hs->n; i++)
		n += host_share(&hs->h[i]);
	return n;
}


pid_t
hosts_spawn(int *errfd, char *why, size_t len)
{
	int	ep[2], null;
	pid_t	pid;

	if (pipe2(ep, O_CLOEXEC) == -1) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == 0) {
		helper_child_setup(SIGTERM);
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(ep[1], 2);
		return 0;
	}
	close(ep[1]);
	if (pid == -1) {
		close(ep[0]);
		snprintf(why, len, "fork: %s", strerror(errno));
		return -1;
	}
	(void)setpgid(pid, pid);
	set_nonblock(ep[0]);
	*errfd = ep[0];
	return pid;
}

/* Start h's master connection. */
static void
master_start(struct hosts *hs, struct host *h, int64_t now)
{
	char	**argv = NULL;
	int	  n = 0;
	pid_t	  pid;

	ssh_words(hs, h, &argv, &n, true);
	(void)unlink(h->ctlpath);
	keeper_keep_socket(h->ctlpath);
	if ((pid = hosts_spawn(&h->errfd, h->why, sizeof h->why)) == 0) {
		execvp(argv[0], argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	vec_free(argv);
	if (pid == -1) {
		h->state = HOST_DOWN;
		return;
	}
	keeper_add_worker(pid);
	h->master = pid;
	h->state = HOST_CONNECTING;
	h->connect_by = now + HOST_CONNECT_NS;
}

void
hosts_last_words(int fd, char *why, size_t len)
{
	char	 b[4096], *s, *e;
	ssize_t	 n;

	if (fd == -1 || (n = read(fd, b, sizeof b - 1)) <= 0)
		return;
	b[n] = '\0';
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r'))
		b[--n] = '\0';
	s = (e = strrchr(b, '\n')) != NULL ? e + 1 : b;
	if (*s != '\0')
		strlcpy(why, s, len);
}

/* h is down: no more workers there. */
static void
host_down(struct host *h, const char *why)
{
	if (h->state == HOST_DOWN)
		return;
	h->state = HOST_DOWN;
	if (why != NULL && why[0] != '\0' && h->why[0] == '\0')
		strlcpy(h->why, why, sizeof h->why);
	if (h->master > 0)
		kill(h->master, SIGTERM);
}

bool
hosts_slurm(const struct hosts *hs)
{
	return hs != NULL && hs->slurm;
}

void
hosts_set_down(struct hosts *hs, int h, const char *why)
{
	if (h >= 0 && h < hs->n)
		host_down(&hs->h[h], why);
}

bool
hosts_tick(struct hosts *hs, int64_t now, int64_t *next)
{
	struct host	*h;
	struct stat	 st;
	bool		 changed = false;
	int		 i;

	*next = 0;
	for (i = 0; i < hs->n; i++) {
		h = &hs->h[i];
		if (h->state == HOST_NEW) {
			master_start(hs, h, now);
			changed = true;
		}
		if (h->state != HOST_CONNECTING)
			continue;
		if (lstat(h->ctlpath, &st) == 0 && S_ISSOCK(st.st_mode)) {
			h->state = HOST_UP;
			changed = true;
			continue;
		}
		if (now >= h->connect_by) {
			host_down(h, "no connection in 30 s");
			changed = true;
			continue;
		}
		if (*next == 0 || now + HOST_CHECK_NS < *next)
			*next = now + HOST_CHECK_NS;
	}
	return changed;
}

bool
hosts_is_master(const struct hosts *hs, pid_t pid)
{
	int	i;

	for (i = 0; hs != NULL && i < hs->n; i++)
		if (hs->h[i].master == pid && pid > 0)
			return true;
	return false;
}

bool
hosts_reaped(struct hosts *hs, pid_t pid, int wstatus)
{
	struct host	*h;
	char		 why[160] = "";
	int		 i;

	for (i = 0; hs != NULL && i < hs->n; i++) {
		h = &hs->h[i];
		if (h->master != pid || pid <= 0)
			continue;
		h->master = 0;
		hosts_last_words(h->errfd, why, sizeof why);
		close(h->errfd);
		h->errfd = -1;
		if (why[0] == '\0')
			snprintf(why, sizeof why, "ssh exited with status %d",
			    WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) :
			    128 + WTERMSIG(wstatus));
		host_down(h, why);
		return true;
	}
	return false;
}

int
hosts_pick(struct hosts *hs)
{
	struct host	*h;
	double		 best = 0, r;
	int		 i, pick = HOST_NONE, share;

	if (hs->local && hs->local_slots > 0) {
		best = (double)hs->local_live / hs->local_slots;
		pick = HOST_LOCAL;
	}
	/* A share of 0 (resized to nothing) takes no worker. */
	for (i = 0; i < hs->n; i++) {
		h = &hs->h[i];
		if ((share = host_share(h)) == 0)
			continue;
		/* Not measured yet: one worker, until its HELLO. */
		if (h->slots < 0 && h->live > 0)
			continue;
		r = (double)h->live / share;
		if (pick == HOST_NONE || r < best) {
			best = r;
			pick = i;
		}
	}
	if (pick >= 0 && hs->h[pick].state != HOST_UP)
		return HOST_NONE;	/* its turn, once it is up */
	return pick;
}

char *const *
hosts_worker_argv(struct hosts *hs, int h)
{
	return hs->h[h].argv;
}

char *const *
hosts_ssh_argv(struct hosts *hs, int h)
{
	return hs->h[h].sshv;
}

void
hosts_worker_started(struct hosts *hs, int h)
{
	if (h == HOST_LOCAL)
		hs->local_live++;
	else
		hs->h[h].live++;
}

void
hosts_worker_hello(struct hosts *hs, int h, int ncpu)
{
	struct host	*x = &hs->h[h];

	x->fails = 0;
	x->ncpu = ncpu > 0 ? ncpu : 1;
	if (x->slots < 0)
		x->slots = x->ncpu;
}

bool
hosts_worker_ended(struct hosts *hs, int h, bool hello, const char *why)
{
	struct host	*x;

	if (h == HOST_LOCAL) {
		hs->local_live--;
		return false;
	}
	x = &hs->h[h];
	x->live--;
	if (x->gone && x->live == 0 && x->state != HOST_DOWN) {
		host_down(x, "left the pool");
		return true;
	}
	if (hello || x->state == HOST_DOWN)
		return false;
	if (++x->fails < HOSTS_FAIL_MAX)
		return false;
	host_down(x, why);
	return true;
}

const char *
hosts_name(const struct hosts *hs, int h)
{
	return h == HOST_LOCAL ? "" : hs->h[h].name;
}

const char *
hosts_login(const struct hosts *hs, int h)
{
	return h == HOST_LOCAL ? ":" : hs->h[h].login;
}

enum host_state
hosts_state(const struct hosts *hs, int h)
{
	return h == HOST_LOCAL ? HOST_UP : hs->h[h].state;
}

int
hosts_live(const struct hosts *hs, int h)
{
	return h == HOST_LOCAL ? hs->local_live : hs->h[h].live;
}

int
hosts_slots(const struct hosts *hs, int h)
{
	return h == HOST_LOCAL ? hs->local_slots : hs->h[h].slots;
}

const char *
hosts_why(const struct hosts *hs, int h)
{
	return h == HOST_LOCAL ? "" : hs->h[h].why;
}

bool
hosts_all_down(const struct hosts *hs)
{
	int	i;

	if (hs->local)
		return false;
	for (i = 0; i < hs->n; i++)
		if (hs->h[i].state != HOST_DOWN)
			return false;
	return true;
}

int
hosts_find(const struct hosts *hs, const char *name)
{
	int	i;

	if (strcmp(name, ":") == 0)
		return hs->local ? HOST_LOCAL : HOST_NONE;
	/* The newest: a host that left and came back is a new one. */
	for (i = hs->n - 1; i >= 0; i--)
		if (strcmp(hs->h[i].name, name) == 0 ||
		    strcmp(hs->h[i].login, name) == 0)
			return i;
	return HOST_NONE;
}

void
hosts_set_slots(struct hosts *hs, int h, int n)
{
	if (h == HOST_LOCAL)
		hs->local_slots = n;
	else
		hs->h[h].slots = n;
}

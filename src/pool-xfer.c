/* Files of tasks on other machines: see pool-xfer.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "pool-hosts.h"
#include "pool-input.h"
#include "pool-xfer.h"
#include "template.h"
#include "workdir.h"
#include "xfer-tree.h"

#define XFER_WHY	256
#define XFER_FINISH_NS	(10 * PT_NSEC)	/* base files removed in this */

struct job {
	pid_t		 pid;		/* 0: a free place */
	int		 errfd;		/* its report, read end */
	int		 host;
	bool		 bases;		/* it copies the base files */
	int		 baserec;	/* their record, -1: kept if it works */
	struct xfer_done done;
};

/* The record of what a task's copy sent, until its --cleanup. */
struct sent {
	int		 slot;
	uint32_t	 generation;
	uint64_t	 seq;
	int		 fd;
};

struct xfer {
	const struct opts	*o;
	struct hosts		*hs;
	char			 wd[PATH_MAX];	/* "" none */
	uint32_t		 wdflags;
	struct template		*wdtpl;		/* --workdir with replacement
						   strings: one a task */
	struct template		**tf;		/* --transferfile */
	size_t			 ntf;
	struct template		**ret;		/* --return */
	size_t			 nret;
	bool			*based;		/* per host: bases copied */
	int			*basesent;	/* per host: their record, -1 */
	struct sent		*sent;		/* --cleanup: the tasks' */
	size_t			 nsent;
	int			 nbased;	/* hosts join (--slf) */
	struct job		*jobs;
	size_t			 njobs;
	char			*pooltop;	/* --remote-pooltop, quoted */
};

/* --workdir as given, resolved: "." and "..." (pool-xfer.h). */
static int
workdir_resolve(struct xfer *x, const char *wd, char *err, size_t errlen)
{
	char		 cwd[PATH_MAX], host[256], msg[200];
	const char	*home = getenv("HOME");
	size_t		 n;

	if (wd == NULL || *wd == '\0')
		return 0;
	if (strcmp(wd, "...") == 0) {
		if (gethostname(host, sizeof host) == -1)
			strlcpy(host, "localhost", sizeof host);
		host[sizeof host - 1] = '\0';
		host[strcspn(host, "/")] = '\0';
		snprintf(x->wd, sizeof x->wd, ".pooltop/tmp/%s-%ld", host,
		    (long)getpid());
		x->wdflags |= PT_CONF_WD_UNIQUE;
		return 0;
	}
	if (strcmp(wd, ".") != 0) {
		if (strlcpy(x->wd, wd, sizeof x->wd) >= sizeof x->wd) {
			snprintf(err, errlen, "--workdir: too long");
			return -1;
		}
		if ((x->wdtpl = input_tag_compile(wd, msg, sizeof msg)) ==
		    NULL) {
			snprintf(err, errlen, "--workdir '%s': %s", wd, msg);
			return -1;
		}
		/* No replacement string: the same directory for all. */
		if (template_appended(x->wdtpl)) {
			template_free(x->wdtpl);
			x->wdtpl = NULL;
		}
		return 0;
	}
	if (getcwd(cwd, sizeof cwd) == NULL) {
		snprintf(err, errlen, "--workdir .: %s", strerror(errno));
		return -1;
	}
	n = home != NULL ? strlen(home) : 0;
	while (n > 1 && home[n - 1] == '/')
		n--;
	if (n > 1 && strncmp(cwd, home, n) == 0 && cwd[n] == '/')
		strlcpy(x->wd, cwd + n + 1, sizeof x->wd);
	else if (n > 1 && strncmp(cwd, home, n) == 0 && cwd[n] == '\0')
		x->wd[0] = '\0';	/* home: the login directory */
	else
		strlcpy(x->wd, cwd, sizeof x->wd);
	return 0;
}

static int
compile_all(char **src, size_t n, struct template ***out, size_t *nout,
    const char *opt, char *err, size_t errlen)
{
	char	msg[200];
	size_t	i;

	*out = xcalloc(n + 1, sizeof **out);
	for (i = 0; i < n; i++) {
		if (((*out)[i] = input_tag_compile(src[i], msg,
		    sizeof msg)) == NULL) {
			snprintf(err, errlen, "--%s '%s': %s", opt, src[i],
			    msg);
			return -1;
		}
		(*nout)++;
	}
	return 0;
}

/* Has each task a directory of its own (..., or replacement strings)? */
static bool
xfer_wd_per_task(const struct xfer *x)
{
	return x != NULL &&
	    (x->wdtpl != NULL || (x->wdflags & PT_CONF_WD_UNIQUE));
}

struct xfer *
xfer_new(const struct opts *o, struct hosts *hs, char *err, size_t errlen)
{
	struct xfer	*x;
	bool		 files;

	err[0] = '\0';
	files = o->ntransfers > 0 || o->nreturns > 0 || o->nbasefiles > 0;
	if (hs == NULL || hosts_count(hs) == 0)
		return NULL;	/* this machine only: nothing to do */
	if (files && o->slurm == SLURM_YES) {
		snprintf(err, errlen, "--transferfile, --return and --basefile"
		    " cannot be used with --slurm: its nodes share the files");
		return NULL;
	}
	if (!files && (o->workdir == NULL || *o->workdir == '\0'))
		return NULL;
	x = xcalloc(1, sizeof *x);
	x->o = o;
	x->hs = hs;
	x->pooltop = shell_quote(o->remote_pooltop != NULL &&
	    *o->remote_pooltop != '\0' ? o->remote_pooltop : "pooltop");
	if (workdir_resolve(x, o->workdir, err, errlen) == -1 ||
	    compile_all(o->transfers, o->ntransfers, &x->tf, &x->ntf,
	    "transferfile", err, errlen) == -1 ||
	    compile_all(o->returns, o->nreturns, &x->ret, &x->nret,
	    "return", err, errlen) == -1) {
		xfer_free(x);
		return NULL;
	}
	/* As workdir_new() says it for this machine's. */
	if (o->persistent != NULL && xfer_wd_per_task(x)) {
		snprintf(err, errlen, "--workdir '%s' is a directory a task;"
		    " a --persistent program serves many: give it one"
		    " directory", o->workdir);
		xfer_free(x);
		return NULL;
	}
	return x;
}

void
xfer_free(struct xfer *x)
{
	size_t	i;
	int	h;

	if (x == NULL)
		return;
	for (i = 0; i < x->njobs; i++) {
		if (x->jobs[i].pid > 0) {
			killpg(x->jobs[i].pid, SIGTERM);
			(void)waitpid(x->jobs[i].pid, NULL, 0);
		}
		if (x->jobs[i].errfd != -1)
			close(x->jobs[i].errfd);
		if (x->jobs[i].pid > 0 && x->jobs[i].baserec != -1)
			close(x->jobs[i].baserec);
		buf_free(&x->jobs[i].done.run);
	}
	free(x->jobs);
	for (i = 0; i < x->nsent; i++)
		close(x->sent[i].fd);
	free(x->sent);
	for (h = 0; h < x->nbased; h++)
		if (x->basesent[h] != -1)
			close(x->basesent[h]);
	free(x->basesent);
	for (i = 0; i < x->ntf; i++)
		template_free(x->tf[i]);
	free(x->tf);
	for (i = 0; i < x->nret; i++)
		template_free(x->ret[i]);
	free(x->ret);
	template_free(x->wdtpl);
	free(x->pooltop);
	free(x->based);
	free(x);
}

const char *
xfer_workdir(const struct xfer *x, uint32_t *flags)
{
	*flags = x != NULL ? x->wdflags : 0;
	/* One a task: each RUN says it (xfer_task_workdir()). */
	return x != NULL && x->wdtpl == NULL ? x->wd : "";
}

char *
xfer_task_workdir(const struct xfer *x, const struct xfer_task *t)
{
	char	*d;

	if (x != NULL && (x->wdflags & PT_CONF_WD_UNIQUE) && t->copy)
		return xasprintf("%s-%llu-2", x->wd,
		    (unsigned long long)t->seq);
	if (x == NULL || x->wdtpl == NULL)
		return NULL;
	d = input_tag(x->wdtpl, t->arg, t->args, t->nargs, t->seq, t->slot);
	workdir_tidy(d);
	return d;
}

/* The work directory of task t, for the remote shell ("" none). */
static void
task_wd(const struct xfer *x, const struct xfer_task *t, char *wd,
    size_t len)
{
	char	*d;

	if (x->wdflags & PT_CONF_WD_UNIQUE) {
		/* A copy runs while its first run may: not in its directory. */
		if ((size_t)snprintf(wd, len, "%s-%llu%s", x->wd,
		    (unsigned long long)t->seq, t->copy ? "-2" : "") >= len)
			wd[0] = '\0';	/* cannot be: x->wd is short */
	} else if ((d = xfer_task_workdir(x, t)) != NULL) {
		strlcpy(wd, d, len);
		free(d);
	} else
		strlcpy(wd, x->wd, len);
}

/* The path on the host of a local name: after "/./" if it holds one. */
static const char *
remote_path(const char *local)
{
	const char	*s;

	if (strncmp(local, "./", 2) == 0 && local[2] != '\0')
		return local + 2;
	if ((s = strstr(local, "/./")) != NULL && s[3] != '\0')
		return s + 3;
	return local;
}

/* One file to copy: the local name and the one on the host. */
struct xfile {
	char		*local;
	const char	*remote;	/* into local */
};

/*
 * The files of a task: the templates expanded with its arguments.  An
 * empty name is skipped (an item with no file).
 */
static struct xfile *
expand(struct template **tpl, size_t n, char **more, size_t nmore,
    const struct xfer_task *t, size_t *count)
{
	struct xfile	*f;
	size_t		 i, k = 0;

	f = xcalloc(n + nmore + 1, sizeof *f);
	for (i = 0; i < nmore; i++)
		f[k++].local = xstrdup(more[i]);
	for (i = 0; i < n; i++) {
		f[k].local = input_tag(tpl[i], t->arg, t->args, t->nargs,
		    t->seq, t->slot);
		if (f[k].local[0] == '\0')
			free(f[k].local);
		else
			k++;
	}
	for (i = 0; i < k; i++)
		f[i].remote = remote_path(f[i].local);
	*count = k;
	return f;
}

static void
files_free(struct xfile *f, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(f[i].local);
	free(f);
}

/*
 * Records of what went, for --cleanup: in a memory file the supervisor
 * makes and the copies' children write, one after the other, each a
 * struct rec, the path on the host (into the work directory) and the
 * names-only stream of what was sent there (xfer-tree.h).  --cleanup
 * removes what a record says, whatever the path here has become since.
 */
struct rec {
	uint32_t	pathlen;
	uint32_t	_pad;
	uint64_t	streamlen;
};

/* A new memory file for records, or -1. */
static int
rec_new(void)
{
	return memfd_create("pooltop-sent", MFD_CLOEXEC);
}

/* Start the record of remote on fd: the offset it starts at, or -1. */
static off_t
rec_begin(int fd, const char *remote)
{
	struct rec	r;
	off_t		at;

	memset(&r, 0, sizeof r);
	r.pathlen = (uint32_t)strlen(remote);
	if (fd == -1 || (at = lseek(fd, 0, SEEK_END)) == -1 ||
	    write_all(fd, &r, sizeof r) == -1 ||
	    write_all(fd, remote, r.pathlen) == -1)
		return -1;
	return at;
}

/* Its stream was written (by this process or a child): say its length. */
static void
rec_end(int fd, off_t at)
{
	struct rec	r;
	off_t		end;

	if (at == -1 || pread(fd, &r, sizeof r, at) != (ssize_t)sizeof r ||
	    (end = lseek(fd, 0, SEEK_END)) == -1)
		return;
	r.streamlen = (uint64_t)(end - at - (off_t)sizeof r) - r.pathlen;
	(void)pwrite(fd, &r, sizeof r, at);
}

/* Nothing of it went: forget it. */
static void
rec_drop(int fd, off_t at)
{
	if (at != -1 && ftruncate(fd, at) == 0)
		(void)lseek(fd, at, SEEK_SET);
}

/*
 * The record at *at on fd: its path and stream (allocated), *at moved to
 * the next.  1, 0 at the end (or a record cut short: the rest is lost).
 */
static int
rec_next(int fd, off_t *at, char **path, char **stream, size_t *slen)
{
	struct rec	r;

	if (fd == -1 || pread(fd, &r, sizeof r, *at) != (ssize_t)sizeof r ||
	    r.pathlen >= PATH_MAX || r.streamlen > SIZE_MAX / 2)
		return 0;
	*path = xmalloc(r.pathlen + 1);
	*stream = xmalloc(r.streamlen + 1);
	if (pread(fd, *path, r.pathlen, *at + (off_t)sizeof r) !=
	    (ssize_t)r.pathlen || pread(fd, *stream, r.streamlen, *at +
	    (off_t)sizeof r + r.pathlen) != (ssize_t)r.streamlen) {
		free(*path);
		free(*stream);
		return 0;
	}
	(*path)[r.pathlen] = '\0';
	*slen = r.streamlen;
	*at += (off_t)(sizeof r + r.pathlen + r.streamlen);
	return 1;
}

/* Append pre, word quoted for the remote shell, then post. */
static void
sh_word(struct buf *b, const char *pre, const char *word, const char *post)
{
	buf_addstr(b, pre);
	hosts_quote(b, word);
	buf_addstr(b, post);
}

/* "mkdir -p -- WD && cd -- WD && " for the remote shell ("" none). */
static void
cd_wd(struct buf *b, const char *wd)
{
	if (*wd == '\0')
		return;
	sh_word(b, "mkdir -p -- ", wd, " && ");
	sh_word(b, "cd -- ", wd, " && ");
}

/* "cd -- WD && " for the remote shell ("" none). */
static void
cd_in(struct buf *b, const char *wd)
{
	if (*wd != '\0')
		sh_word(b, "cd -- ", wd, " && ");
}

/* The directory part of path (or "."), allocated. */
static char *
dir_of(const char *path)
{
	const char	*s = strrchr(path, '/');
	char		*d;

	if (s == NULL)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	d = xstrdup(path);
	d[s - path] = '\0';
	return d;
}

/*
 * In the copy's child: run the ssh command of host h with cmd for the
 * remote shell, in and out its standard input and output (-1: /dev/null).
 * 0, or -1 and the reason (ssh's last line on stderr, or its status) in
 * why.
 */
static int
run_ssh(char *const *ssh, const char *cmd, int in, int out, char *why,
    size_t len)
{
	char	**argv, b[4096], last[XFER_WHY] = "", line[XFER_WHY];
	size_t	  n = 0, i, cur = 0;
	ssize_t	  r;
	int	  ep[2], st, null;
	pid_t	  pid;

	while (ssh[n] != NULL)
		n++;
	argv = xcalloc(n + 2, sizeof *argv);
	for (i = 0; i < n; i++)
		argv[i] = ssh[i];
	argv[n] = (char *)cmd;
	if (pipe(ep) == -1) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		free(argv);
		return -1;
	}
	if ((pid = fork()) == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		dup2(in != -1 ? in : null, 0);
		dup2(out != -1 ? out : null, 1);
		dup2(ep[1], 2);
		close(ep[0]);
		close(ep[1]);
		execvp(argv[0], argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(argv);
	close(ep[1]);
	if (pid == -1) {
		close(ep[0]);
		snprintf(why, len, "fork: %s", strerror(errno));
		return -1;
	}
	/* Its last line, which may come in pieces: read to the end. */
	while ((r = read(ep[0], b, sizeof b)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < (size_t)r; i++) {
			if (b[i] == '\n' || b[i] == '\r') {
				if (cur > 0) {
					line[cur] = '\0';
					strlcpy(last, line, sizeof last);
				}
				cur = 0;
			} else if (cur < sizeof line - 1)
				line[cur++] = b[i];
		}
	}
	if (cur > 0) {
		line[cur] = '\0';
		strlcpy(last, line, sizeof last);
	}
	close(ep[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		continue;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (last[0] != '\0')
		snprintf(why, len, "%s", last);
	else if (WIFEXITED(st))
		snprintf(why, len, "ssh exited with status %d",
		    WEXITSTATUS(st));
	else
		snprintf(why, len, "ssh ended by signal %d", WTERMSIG(st));
	return -1;
}

/* The path on the host of remote, a relative one under wd. */
static char *
host_path(const char *wd, const char *remote)
{
	if (*wd == '\0' || *remote == '/')
		return xstrdup(remote);
	return xasprintf("%s/%s", wd, remote);
}

/*
 * In the copy's child: run `pooltop worker MODE PATH` on the host, PATH
 * f's there under wd (MODE --unpack, copy f there: fed a stream of f;
 * --pack, copy it back: its stream unpacked at f), a helper process here
 * on the other end of the pipe.  names: -1, or where the helper writes
 * the names-only stream of what went or came.  0, or -1 and why: the
 * helper's reason first when it packs (a file here it could not read),
 * the host's when it unpacks.
 */
static int
run_tree(char *const *ssh, const char *pooltop, const char *mode,
    const char *wd, const struct xfile *f, int names, char *why, size_t len)
{
	struct buf	 cmd = { NULL, 0, 0 };
	char		 hwhy[XFER_WHY] = "", swhy[XFER_WHY] = "", *path;
	bool		 pack = strcmp(mode, "--pack") != 0;	/* here */
	int		 p[2], rp[2], r, st;
	ssize_t		 n;
	pid_t		 pid;

	if (pipe2(p, O_CLOEXEC) == -1 || pipe2(rp, O_CLOEXEC) == -1) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGPIPE, SIG_DFL);
		close(pack ? p[0] : p[1]);
		close(rp[0]);
		r = pack ? tree_pack(f->local, p[1], false, names, hwhy,
		    sizeof hwhy) : tree_unpack(f->local, p[0], TREE_LOCAL,
		    names, hwhy, sizeof hwhy);
		if (r == -1)
			(void)write_all(rp[1], hwhy, strlen(hwhy));
		_exit(r == 0 ? 0 : 1);
	}
	close(rp[1]);
	if (pid == -1) {
		close(p[0]);
		close(p[1]);
		close(rp[0]);
		snprintf(why, len, "fork: %s", strerror(errno));
		return -1;
	}
	close(pack ? p[1] : p[0]);
	buf_printf(&cmd, "exec %s worker %s ", pooltop, mode);
	path = host_path(wd, f->remote);
	sh_word(&cmd, "", path, "");
	free(path);
	buf_add(&cmd, "", 1);
	r = run_ssh(ssh, cmd.data, pack ? p[0] : -1, pack ? -1 : p[1], swhy,
	    sizeof swhy);
	close(pack ? p[0] : p[1]);
	buf_free(&cmd);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		continue;
	if ((n = read(rp[0], hwhy, sizeof hwhy - 1)) < 0)
		n = 0;
	hwhy[n] = '\0';
	close(rp[0]);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && r == 0)
		return 0;
	if (r == 0 || (pack && hwhy[0] != '\0'))
		snprintf(why, len, "%s", hwhy[0] != '\0' ? hwhy :
		    "the copy here ended by a signal");
	else
		snprintf(why, len, "%s", swhy);
	return -1;
}

/*
 * Copy one file or directory f to the host into wd, and say what went in
 * a record on rec (-1 none); 0 or -1 and why.
 */
static int
send_file(char *const *ssh, const char *pooltop, const char *wd,
    const struct xfile *f, int rec, char *why, size_t len)
{
	struct buf	 cmd = { NULL, 0, 0 };
	struct stat	 st;
	char		*dir;
	off_t		 at;
	int		 fd, r;

	/* Not blocking: a FIFO named must be refused, not waited on. */
	if ((fd = open(f->local, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(why, len, "%s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		/* What went, even if not all of it did. */
		at = rec_begin(rec, f->remote);
		r = run_tree(ssh, pooltop, "--unpack", wd, f, at == -1 ? -1 :
		    rec, why, len);
		rec_end(rec, at);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file or directory");
		close(fd);
		return -1;
	}
	cd_wd(&cmd, wd);
	dir = dir_of(f->remote);
	if (strcmp(dir, ".") != 0)
		sh_word(&cmd, "mkdir -p -- ", dir, " && ");
	free(dir);
	/* Under a name of its own, then renamed: never read half done. */
	sh_word(&cmd, "t=", f->remote, ".pooltop.$$ && trap 'rm -f -- \"$t\";"
	    " exit 1' HUP INT TERM PIPE && cat > \"$t\" && ");
	/* All of it: a copy cut short ends its input early, not in error. */
	buf_printf(&cmd, "{ [ $(wc -c < \"$t\") -eq %lld ] || { echo 'copy cut"
	    " short' >&2; false; }; } && chmod %o -- \"$t\" && ",
	    (long long)st.st_size, (unsigned)(st.st_mode & 07777));
	sh_word(&cmd, "mv -f -- \"$t\" ", f->remote,
	    " || { rm -f -- \"$t\"; exit 1; }");
	buf_add(&cmd, "", 1);
	r = run_ssh(ssh, cmd.data, fd, -1, why, len);
	close(fd);
	buf_free(&cmd);
	if (r == 0 && (at = rec_begin(rec, f->remote)) != -1) {
		if (tree_names_file(rec) == -1)
			rec_drop(rec, at);
		else
			rec_end(rec, at);
	}
	return r;
}

/*
 * "[ -L DIR ] || " for each directory of remote, a path relative to the
 * work directory: what follows runs only if none is a link there now (a
 * task may have put one where the copy made a directory), so --cleanup
 * never removes through one.
 */
static void
no_link_on_way(struct buf *b, const char *remote)
{
	char	*d, *s;

	if (*remote == '/')
		return;		/* the user's path on the host, as named */
	d = xstrdup(remote);
	for (s = d; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (*d != '\0' && strcmp(d, ".") != 0)
			sh_word(b, "[ -L ", d, " ] || ");
		*s = '/';
	}
	free(d);
}

/*
 * rmdir, for the remote shell, of the directories of the relative path f
 * within the work directory, deepest first ("a/b/c": a/b then a), each
 * if it is empty and nothing on its way is a link.
 */
static void
parents(struct buf *b, const char *f)
{
	char	*d = xstrdup(f), *s;

	if (*f == '/') {
		free(d);
		return;
	}
	while ((s = strrchr(d, '/')) != NULL) {
		*s = '\0';
		if (*d == '\0' || strcmp(d, ".") == 0)
			break;
		buf_addstr(b, "{ ");
		no_link_on_way(b, d);
		sh_word(b, "rmdir -- ", d, " 2>/dev/null; }; ");
	}
	free(d);
}

/*
 * --cleanup of a directory sent or brought back: what the record's stream
 * names goes, files the task made there beside them stay.
 */
static int
clean_tree(char *const *ssh, const char *pooltop, const char *wd,
    const char *remote, const char *stream, size_t slen, char *why,
    size_t len)
{
	struct buf	 cmd = { NULL, 0, 0 };
	int		 fd, r;

	if ((fd = memfd_create("pooltop-clean", MFD_CLOEXEC)) == -1 ||
	    write_all(fd, stream, slen) == -1 || lseek(fd, 0, SEEK_SET) ==
	    -1) {
		snprintf(why, len, "%s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	cd_in(&cmd, wd);
	no_link_on_way(&cmd, remote);
	buf_printf(&cmd, "exec %s worker --remove ", pooltop);
	sh_word(&cmd, "", remote, "");
	buf_add(&cmd, "", 1);
	r = run_ssh(ssh, cmd.data, fd, -1, why, len);
	close(fd);
	buf_free(&cmd);
	return r;
}

/*
 * --cleanup: remove what the records on recs say went there (the files
 * sent and returned, the trees' entries), then the directories their
 * copies made in the work directory, and the work directory of a task
 * (one of its own: "..." whatever it holds, a --workdir with replacement
 * strings once empty).  By the records, not by the paths here: those may
 * be gone, or something else now.
 */
static int
clean_files(char *const *ssh, const char *pooltop, const char *wd,
    bool unique, bool pertask, const int *recs, size_t nrecs, char *why,
    size_t len)
{
	struct buf	 cmd = { NULL, 0, 0 }, dirs = { NULL, 0, 0 };
	char		*path, *stream;
	size_t		 i, slen;
	off_t		 at;
	int		 r = 0;

	buf_addstr(&cmd, "( ");
	cd_in(&cmd, wd);
	for (i = 0; i < nrecs; i++)
		for (at = 0; rec_next(recs[i], &at, &path, &stream, &slen);) {
			if (r == 0 && tree_stream_root(stream, slen) == 'd')
				r = clean_tree(ssh, pooltop, wd, path, stream,
				    slen, why, len);
			else {
				buf_addstr(&cmd, "{ ");
				no_link_on_way(&cmd, path);
				sh_word(&cmd, "rm -f -- ", path, "; } && ");
			}
			parents(&dirs, path);
			free(path);
			free(stream);
		}
	/* Only the empty ones: a file of the task's may be there. */
	buf_addstr(&cmd, "{ ");
	buf_add(&cmd, dirs.data, dirs.len);
	buf_addstr(&cmd, "true; } )");
	if (unique)
		sh_word(&cmd, " && rm -rf -- ", wd, "");
	else if (pertask && *wd != '\0')
		sh_word(&cmd, " && { rmdir -- ", wd, " 2>/dev/null; true; }");
	buf_add(&cmd, "", 1);
	if (r == 0)
		r = run_ssh(ssh, cmd.data, -1, -1, why, len);
	buf_free(&cmd);
	buf_free(&dirs);
	return r;
}

/* The kinds of work a copy's child does. */
struct plan {
	char *const	*ssh;
	const char	*pooltop;	/* quoted */
	const char	*host;
	char		 wd[PATH_MAX];
	bool		 unique;
	bool		 pertask;	/* --workdir with replacement strings */
	struct xfile	*send;		/* bases, then the task's */
	size_t		 nsend;
	size_t		 nbases;	/* of send */
	int		 rec;		/* record of the task's sent, -1 */
	int		 baserec;	/* of the bases sent for all, -1 */
	struct xfile	*back;
	size_t		 nback;
	bool		 cleanup;	/* --cleanup */
	bool		 cleans;	/* this copy does it: after a task */
};

/* The copy's child: do the plan, say what failed on fd 2, exit. */
static void __attribute__((noreturn))
child_run(const struct plan *pl)
{
	char	why[XFER_WHY];
	size_t	i;
	off_t	at;
	int	r = 0, recs[2] = { pl->rec, -1 };

	for (i = 0; r == 0 && i < pl->nsend; i++)
		if ((r = send_file(pl->ssh, pl->pooltop, pl->wd, &pl->send[i],
		    i < pl->nbases && !pl->pertask ? pl->baserec : pl->rec,
		    why, sizeof why)) == -1)
			dprintf(2, "\ncopying '%s' to %s: %s\n",
			    pl->send[i].local, pl->host, why);
	/* What came back: --cleanup removes it, never what did not. */
	if (pl->cleans && pl->nback > 0)
		recs[1] = rec_new();
	for (i = 0; r == 0 && i < pl->nback; i++) {
		/* Whole: each file under a temporary name until all came. */
		at = rec_begin(recs[1], pl->back[i].remote);
		if ((r = run_tree(pl->ssh, pl->pooltop, "--pack", pl->wd,
		    &pl->back[i], at == -1 ? -1 : recs[1], why,
		    sizeof why)) == -1) {
			dprintf(2, "\n--return '%s' from %s: %s\n",
			    pl->back[i].local, pl->host, why);
			rec_drop(recs[1], at);
		} else
			rec_end(recs[1], at);
	}
	if (pl->cleans && (pl->rec != -1 || recs[1] != -1 || pl->unique ||
	    pl->pertask) && clean_files(pl->ssh, pl->pooltop, pl->wd,
	    pl->unique, pl->pertask, recs, 2, why, sizeof why) == -1) {
		dprintf(2, "\n--cleanup on %s: %s\n", pl->host, why);
		r = -1;
	}
	_exit(r == 0 ? 0 : 1);
}

/* A free place for a job for task t on host h. */
static struct job *
job_new(struct xfer *x, int h, const struct xfer_task *t)
{
	struct job	*j;
	size_t		 i;

	for (i = 0; i < x->njobs; i++)
		if (x->jobs[i].pid == 0)
			break;
	if (i == x->njobs)
		x->jobs = xreallocarray(x->jobs, ++x->njobs, sizeof *x->jobs);
	j = &x->jobs[i];
	memset(j, 0, sizeof *j);
	j->errfd = -1;
	j->baserec = -1;
	j->host = h;
	j->done.slot = t->slot;
	j->done.generation = t->generation;
	j->done.seq = t->seq;
	return j;
}

/* Start the plan's child for job j; 0, or -1 and why (j freed). */
static int
job_start(struct job *j, const struct plan *pl, char *why, size_t len)
{
	pid_t	pid;

	if ((pid = hosts_spawn(&j->errfd, why, len)) == 0)
		child_run(pl);
	if (pid == -1) {
		buf_free(&j->done.run);
		memset(j, 0, sizeof *j);
		return -1;
	}
	j->pid = pid;
	return 0;
}

static void
plan_init(struct xfer *x, struct plan *pl, int h, const struct xfer_task *t)
{
	memset(pl, 0, sizeof *pl);
	pl->ssh = hosts_ssh_argv(x->hs, h);
	pl->pooltop = x->pooltop;
	pl->host = hosts_name(x->hs, h);
	task_wd(x, t, pl->wd, sizeof pl->wd);
	pl->unique = (x->wdflags & PT_CONF_WD_UNIQUE) != 0;
	pl->pertask = x->wdtpl != NULL;
	pl->cleanup = x->o->cleanup;
	pl->rec = pl->baserec = -1;
}

/* Forget the record of sent i. */
static void
sent_drop(struct xfer *x, size_t i)
{
	close(x->sent[i].fd);
	x->sent[i] = x->sent[--x->nsent];
}

/*
 * The record of what task t's copy sent, taken (-1 none).  Those of a
 * worker gone from t's slot go: its tasks were put back.
 */
static int
sent_take(struct xfer *x, const struct xfer_task *t)
{
	size_t	i;
	int	fd = -1;

	for (i = x->nsent; i > 0; i--) {
		if (x->sent[i - 1].slot != t->slot)
			continue;
		if (x->sent[i - 1].generation == t->generation &&
		    x->sent[i - 1].seq == t->seq) {
			fd = x->sent[i - 1].fd;
			x->sent[i - 1].fd = -1;
			x->sent[i - 1] = x->sent[--x->nsent];
		} else if (x->sent[i - 1].generation != t->generation)
			sent_drop(x, i - 1);
	}
	return fd;
}

/* Keep fd, the record of what task t's copy sends. */
static void
sent_keep(struct xfer *x, const struct xfer_task *t, int fd)
{
	int	old;

	if ((old = sent_take(x, t)) != -1)
		close(old);
	x->sent = xreallocarray(x->sent, x->nsent + 1, sizeof *x->sent);
	x->sent[x->nsent].slot = t->slot;
	x->sent[x->nsent].generation = t->generation;
	x->sent[x->nsent].seq = t->seq;
	x->sent[x->nsent++].fd = fd;
}

int
xfer_before(struct xfer *x, int h, const struct xfer_task *t,
    const struct buf *run, char *why, size_t len)
{
	struct plan	 pl;
	struct job	*j;
	bool		 bases;
	int		 r;

	if (x == NULL || h < 0)
		return 0;
	if (h >= x->nbased) {
		x->based = xreallocarray(x->based, (size_t)h + 1,
		    sizeof *x->based);
		memset(x->based + x->nbased, 0,
		    (size_t)(h + 1 - x->nbased) * sizeof *x->based);
		x->basesent = xreallocarray(x->basesent, (size_t)h + 1,
		    sizeof *x->basesent);
		while (x->nbased <= h)
			x->basesent[x->nbased++] = -1;
	}
	/* With a directory per task (...), every task needs them there. */
	bases = (!x->based[h] || xfer_wd_per_task(x)) &&
	    x->o->nbasefiles > 0;
	if (x->ntf == 0 && !bases)
		return 0;
	plan_init(x, &pl, h, t);
	pl.send = expand(x->tf, x->ntf, bases ? x->o->basefiles : NULL,
	    bases ? x->o->nbasefiles : 0, t, &pl.nsend);
	pl.nbases = bases ? x->o->nbasefiles : 0;
	r = 0;
	if (pl.nsend > 0) {
		/* What goes is written down, for --cleanup. */
		if (pl.cleanup && (pl.nsend > pl.nbases || pl.pertask) &&
		    (pl.rec = rec_new()) == -1) {
			snprintf(why, len, "a record of the files to send: %s",
			    strerror(errno));
			files_free(pl.send, pl.nsend);
			return -1;
		}
		if (pl.cleanup && bases && !pl.pertask)
			pl.baserec = rec_new();
		j = job_new(x, h, t);
		j->bases = bases;
		buf_add(&j->done.run, run->data, run->len);
		r = job_start(j, &pl, why, len) == -1 ? -1 : 1;
		if (r == 1) {
			j->baserec = pl.baserec;
			if (pl.rec != -1)
				sent_keep(x, t, pl.rec);
		} else {
			if (pl.baserec != -1)
				close(pl.baserec);
			if (pl.rec != -1)
				close(pl.rec);
		}
	}
	files_free(pl.send, pl.nsend);
	return r;
}

int
xfer_after(struct xfer *x, int h, const struct xfer_task *t,
    const struct pt_done *d, char *why, size_t len)
{
	struct plan	 pl;
	struct job	*j;
	int		 r;

	if (x == NULL || h < 0)
		return 0;
	plan_init(x, &pl, h, t);
	/* What its copy sent (with a directory a task, base files too). */
	pl.rec = sent_take(x, t);
	pl.cleans = pl.cleanup;
	/* A task that never ran returns nothing, nor one whose twin won;
	   --cleanup still cleans. */
	if (!t->loser && !(d->flags & (PT_DONE_NOEXEC | PT_DONE_REQUEUE)))
		pl.back = expand(x->ret, x->nret, NULL, 0, t, &pl.nback);
	r = 0;
	if (pl.nback > 0 || (pl.cleanup && (pl.rec != -1 || pl.unique ||
	    pl.pertask))) {
		j = job_new(x, h, t);
		j->done.after = true;
		j->done.d = *d;
		r = job_start(j, &pl, why, len) == -1 ? -1 : 1;
	}
	if (pl.rec != -1)
		close(pl.rec);
	files_free(pl.back, pl.nback);
	return r;
}

void
xfer_finish(struct xfer *x)
{
	struct xfer_task t;
	struct plan	 pl;
	struct job	*j;
	char		 why[XFER_WHY];
	int64_t		 end;
	size_t		 i, live = 0;
	int		 h;

	if (x == NULL || !x->o->cleanup || x->o->nbasefiles == 0 ||
	    xfer_wd_per_task(x))
		return;
	memset(&t, 0, sizeof t);
	t.slot = -1;		/* the jobs are for no task */
	for (h = 0; h < x->nbased; h++) {
		if (!x->based[h] || x->basesent[h] == -1 ||
		    hosts_state(x->hs, h) != HOST_UP)
			continue;
		plan_init(x, &pl, h, &t);
		pl.rec = x->basesent[h];	/* what went */
		pl.cleans = true;
		if (job_start(job_new(x, h, &t), &pl, why, sizeof why) == 0)
			live++;
	}
	/* The end of the run: wait for them, a while. */
	end = mono_ns() + XFER_FINISH_NS;
	while (live > 0 && mono_ns() < end) {
		for (i = 0; i < x->njobs; i++) {
			j = &x->jobs[i];
			if (j->pid <= 0 || j->done.slot != -1 ||
			    waitpid(j->pid, NULL, WNOHANG) == 0)
				continue;
			close(j->errfd);
			memset(j, 0, sizeof *j);
			live--;
		}
		if (live > 0)
			(void)usleep(10000);
	}
}

/* Forget the record of what the copy done sent. */
static void
xfer_drop_sent(struct xfer *x, const struct xfer_done *done)
{
	struct xfer_task t;
	int		 fd;

	memset(&t, 0, sizeof t);
	t.slot = done->slot;
	t.generation = done->generation;
	t.seq = done->seq;
	if ((fd = sent_take(x, &t)) != -1)
		close(fd);
}

bool
xfer_reaped(struct xfer *x, pid_t pid, int wstatus, struct xfer_done *done)
{
	struct job	*j;
	size_t		 i;

	for (i = 0; x != NULL && pid > 0 && i < x->njobs; i++) {
		j = &x->jobs[i];
		if (j->pid != pid)
			continue;
		*done = j->done;	/* run moves to the caller */
		done->ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
		done->why[0] = '\0';
		if (!done->ok) {
			hosts_last_words(j->errfd, done->why, sizeof done->why);
			if (done->why[0] == '\0')
				snprintf(done->why, sizeof done->why,
				    "copying files to or from %s: ended by"
				    " signal %d", hosts_name(x->hs, j->host),
				    WIFSIGNALED(wstatus) ?
				    WTERMSIG(wstatus) : 0);
		}
		if (done->ok && j->bases && j->host < x->nbased)
			x->based[j->host] = true;
		/* The first record of bases that all went is theirs. */
		if (done->ok && j->baserec != -1 && j->host < x->nbased &&
		    x->basesent[j->host] == -1)
			x->basesent[j->host] = j->baserec;
		else if (j->baserec != -1)
			close(j->baserec);
		/* A task whose files did not all go is not cleaned. */
		if (!done->ok && !done->after)
			xfer_drop_sent(x, done);
		close(j->errfd);
		memset(j, 0, sizeof *j);
		return true;
	}
	return false;
}

bool
xfer_cancel(struct xfer *x, int slot)
{
	size_t	i;

	for (i = 0; x != NULL && i < x->njobs; i++)
		if (x->jobs[i].pid > 0 && x->jobs[i].done.slot == slot &&
		    !x->jobs[i].done.after) {
			killpg(x->jobs[i].pid, SIGTERM);
			x->jobs[i].done.cancelled = true;
			return true;
		}
	return false;
}

bool
xfer_own(const struct xfer *x, pid_t pid)
{
	size_t	i;

	for (i = 0; x != NULL && pid > 0 && i < x->njobs; i++)
		if (x->jobs[i].pid == pid)
			return true;
	return false;
}

/*
 * --detach (see detach.h).
 *
 * The pipe from the child to the parent carries two lines at most:
 * "L OFFSET PATH\n" once the log is open (OFFSET: its size before this
 * pool wrote to it) and "R PID\n" once the pool is up.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detach.h"
#include "opts.h"
#include "util.h"

#define DETACH_REPLAY_MAX	65536	/* log bytes shown when startup fails */

static int	ready_fd = -1;		/* the child's end of the pipe */

/* Does the pool read its items from stdin? */
static bool
reads_stdin(const struct opts *o)
{
	size_t	i;

	if (o->retry_failed)
		return false;
	if (o->ninputs > 0) {
		for (i = 0; i < o->ninputs; i++)
			if (o->inputs[i].file != NULL &&
			    strcmp(o->inputs[i].file, "-") == 0)
				return true;
		return false;
	}
	if (o->ntasks > 0 || o->has_range)
		return false;
	if (o->nitems > 0 || (o->items != NULL && o->arg_file == NULL))
		return false;
	if (o->arg_file != NULL)
		return strcmp(o->arg_file, "-") == 0;
	return !o->keep_open;
}

int
detach_check(const struct opts *o, char *err, size_t errlen)
{
	if (o->dashboard)
		return errorf(err, errlen, "--detach runs headless: it cannot"
		    " show the dashboard (pooltop attach ID shows it)");
	if (!o->check_config && reads_stdin(o))
		return errorf(err, errlen, "--detach: the items would come from"
		    " stdin, which a detached pool does not read; give them"
		    " after :::, with -a FILE, in the config file, or start"
		    " with --keep-open and queue them with pooltop ctl ID add");
	return 0;
}

/*
 * mkdir path (and its missing parents) mode 0700; 0, or -1 and errno
 * (EPERM: path is not a directory of ours).
 */
static int
mkdir_parents(const char *path)
{
	struct stat	 sb;

	if (mkdirs(path, 0700, true) == -1 || lstat(path, &sb) == -1)
		return -1;
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != geteuid()) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* A name usable as a file name: [A-Za-z0-9._-], not starting with '.'. */
static bool
file_name_ok(const char *s)
{
	if (s == NULL || *s == '\0' || *s == '.' || strlen(s) > 200)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") == strlen(s);
}

/* The default log: DIR/NAME.log or DIR/PID.log; NULL and err. */
static char *
default_log(const struct opts *o, char *err, size_t errlen)
{
	const char	*state = getenv("XDG_STATE_HOME");
	const char	*home = getenv("HOME");
	char		*dir, *path;

	if (state != NULL && state[0] == '/')
		dir = xasprintf("%s/pooltop", state);
	else if (home != NULL && home[0] == '/')
		dir = xasprintf("%s/.local/state/pooltop", home);
	else {
		errorf(err, errlen, "--detach: neither XDG_STATE_HOME nor"
		    " HOME is set to an absolute path: give --log FILE");
		return NULL;
	}
	if (mkdir_parents(dir) == -1) {
		errorf(err, errlen, "--detach: state directory %s: %s", dir,
		    errno == EPERM ? "not a directory of ours (give --log"
		    " FILE)" : strerror(errno));
		free(dir);
		return NULL;
	}
	if (file_name_ok(o->name))
		path = xasprintf("%s/%s.log", dir, o->name);
	else
		path = xasprintf("%s/%ld.log", dir, (long)getpid());
	free(dir);
	return path;
}

/* Write all of s to the parent; errors are the parent's EOF. */
static void
tell_parent(const char *s)
{
	if (ready_fd != -1)
		(void)write_all(ready_fd, s, strlen(s));
}

/* Put /dev/null on stdin; 0, or -1 and errno with nothing left open. */
static int
null_stdin(void)
{
	int	null, rc = 0, saved;

	if ((null = open("/dev/null", O_RDONLY)) == -1)
		return -1;
	if (null != STDIN_FILENO) {
		rc = dup2(null, STDIN_FILENO);
		saved = errno;
		close(null);
		errno = saved;
	}
	return rc == -1 ? -1 : 0;
}

/* The child: session, stdin, log; 0 or -1 and err. */
static int
child_setup(struct opts *o, char *err, size_t errlen)
{
	char	*path, line[PATH_MAX + 64];
	int	 fd;
	off_t	 off;

	if (setsid() == -1)
		return errorf(err, errlen, "--detach: setsid: %s",
		    strerror(errno));
	if (null_stdin() == -1)
		return errorf(err, errlen, "--detach: /dev/null: %s",
		    strerror(errno));
	path = o->log_file != NULL ? xstrdup(o->log_file) :
	    default_log(o, err, errlen);
	if (path == NULL)
		return -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		errorf(err, errlen, "log file %s: %s", path, errno == ELOOP ?
		    "a symbolic link: refusing to follow it" : strerror(errno));
		free(path);
		return -1;
	}
	off = lseek(fd, 0, SEEK_END);
	if (dup2(fd, STDOUT_FILENO) == -1 || dup2(fd, STDERR_FILENO) == -1) {
		errorf(err, errlen, "log file %s: %s", path,
		    strerror(errno));
		close(fd);
		free(path);
		return -1;
	}
	close(fd);
	snprintf(line, sizeof line, "L %lld %s\n", (long long)(off < 0 ? 0 :
	    off), path);
	tell_parent(line);
	free(path);
	/* The log is stderr now: events go there, said once. */
	free(o->log_file);
	o->log_file = NULL;
	o->headless = true;
	return 0;
}

/* Copy path from off to our stderr, at most DETACH_REPLAY_MAX bytes. */
static void
replay_log(const char *path, off_t off)
{
	char	buf[4096];
	ssize_t	n;
	size_t	left = DETACH_REPLAY_MAX;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (lseek(fd, off, SEEK_SET) == off)
		while (left > 0 && (n = read(fd, buf, left < sizeof buf ?
		    left : sizeof buf)) > 0) {
			(void)write_all(STDERR_FILENO, buf, (size_t)n);
			left -= (size_t)n;
		}
	close(fd);
}

/* The parent: wait for "R" or EOF, report, exit. */
static void __attribute__((noreturn))
parent_wait(int fd, pid_t pid, const struct opts *o)
{
	char		 buf[PATH_MAX + 128], *nl, *path = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	long long	 off = 0;
	int		 st;
	bool		 up = false;

	while (!up && len < sizeof buf - 1) {
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			if (buf[0] == 'L' && path == NULL) {
				char *sp;

				off = strtoll(buf + 2, &sp, 10);
				path = xstrdup(*sp == ' ' ? sp + 1 : "");
			} else if (buf[0] == 'R')
				up = true;
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
	}
	close(fd);
	if (up) {
		printf("%ld\n", (long)pid);
		if (fflush(stdout) == EOF)
			exit(PT_EXIT_USAGE);
		if (!o->quiet)
			fprintf(stderr, "pooltop: pool %ld%s%s%s detached, log:"
			    " %s\n", (long)pid, o->name ? " (" : "",
			    o->name ? o->name : "", o->name ? ")" : "",
			    path ? path : "?");
		exit(0);
	}
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (path != NULL) {
		replay_log(path, (off_t)off);
		fprintf(stderr, "pooltop: the detached pool did not start"
		    " (log: %s)\n", path);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		exit(WEXITSTATUS(st));
	exit(PT_EXIT_USAGE);
}

int
detach_start(struct opts *o, char *err, size_t errlen)
{
	int	pfd[2];
	pid_t	pid;

	if (pipe2(pfd, O_CLOEXEC) == -1)
		return errorf(err, errlen, "--detach: pipe: %s",
		    strerror(errno));
	fflush(NULL);
	if ((pid = fork()) == -1) {
		errorf(err, errlen, "--detach: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid > 0) {
		close(pfd[1]);
		parent_wait(pfd[0], pid, o);
	}
	close(pfd[0]);
	ready_fd = pfd[1];
	return child_setup(o, err, errlen);
}

void
detach_ready(void)
{
	char	line[64];

	if (ready_fd == -1)
		return;
	snprintf(line, sizeof line, "R %ld\n", (long)getpid());
	tell_parent(line);
	close(ready_fd);
	ready_fd = -1;
}

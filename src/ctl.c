/*
 * The control socket's directories (ctl.h), for both ends.  The fallback
 * is made with mkdtemp() and reused.  A directory is used only when it is
 * ours, a real directory and closed to group and others; clients look for
 * a pool's socket in every such directory, never at a path a segment gives
 * (anyone can write that).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl-int.h"
#include "util.h"

/* Is the directory safe: ours, a real directory, no group/other access? */
static int
ctl_dir_safe(const char *dir, char *err, size_t errlen)
{
	struct stat	sb;

	if (lstat(dir, &sb) == -1)
		return errorf(err, errlen, "control directory %s: %s", dir,
		    strerror(errno));
	if (S_ISLNK(sb.st_mode))
		return errorf(err, errlen, "unsafe control directory %s: it "
		    "is a symbolic link", dir);
	if (!S_ISDIR(sb.st_mode))
		return errorf(err, errlen, "unsafe control directory %s: not "
		    "a directory", dir);
	if (sb.st_uid != geteuid())
		return errorf(err, errlen, "unsafe control directory %s: "
		    "owned by uid %u, not %u", dir, (unsigned)sb.st_uid,
		    (unsigned)geteuid());
	if ((sb.st_mode & 077) != 0)
		return errorf(err, errlen, "unsafe control directory %s: mode "
		    "%04o gives group or others access (want 0700)", dir,
		    (unsigned)(sb.st_mode & 07777));
	return 0;
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
		errorf(err, errlen, "control directory %s belongs to another "
		    "uid and there is no fallback", squat);
		return NULL;
	} else {
		snprintf(dir, len, "%s/pooltop-%u.XXXXXX", CTL_TMP,
		    (unsigned)geteuid());
		if (mkdtemp(dir) == NULL) {
			errorf(err, errlen, "control directory %s belongs to "
			    "another uid, and mkdtemp: %s", squat,
			    strerror(errno));
			return NULL;
		}
	}
	if (ctl_dir_safe(dir, err, errlen) == -1)
		return NULL;
	errorf(err, errlen, "%s belongs to another uid: using %s", squat,
	    dir);
	return dir;
}

/* The per-user socket directory, created if asked; NULL and err if unsafe. */
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
			errorf(err, errlen, "cannot create control directory "
			    "%s: %s", dir, strerror(errno));
			return NULL;
		}
	}
	if (ctl_dir_safe(dir, err, errlen) == -1)
		return NULL;
	return dir;
}

/* Does a process listen on the socket at path? */
int
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

/* The safe directories where sockets may be: primary, /tmp, fallbacks. */
int
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

/* Is s a non-empty string of digits? */
int
ctl_all_digits(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

/* The pid a socket path is named after (<dir>/<pid>.sock), or 0. */
pid_t
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

/* Hold a pool name: flock a lock file named after it (ctl.h). */
int
ctl_name_lock(const char *name)
{
	char		 path[PATH_MAX], err[256];
	const char	*dir;
	size_t		 len, i;
	int		 fd;

	if ((dir = ctl_dir(1, err, sizeof err)) == NULL) {
		errno = EACCES;
		return -1;
	}
	len = (size_t)snprintf(path, sizeof path, "%s/name-", dir);
	for (i = 0; name[i] != '\0' && len + 8 < sizeof path; i++)
		len += (size_t)snprintf(path + len, sizeof path - len, "%02x",
		    (unsigned char)name[i]);
	if (name[i] != '\0' || strlcat(path, ".lock", sizeof path) >=
	    sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int error = errno;

		close(fd);
		errno = error;
		return -1;
	}
	return fd;
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

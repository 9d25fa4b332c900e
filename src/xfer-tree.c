/* A file or directory tree as one byte stream: see xfer-tree.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "xfer-tree.h"

#define TREE_MAGIC	"PTTREE1\n"
#define TREE_MAGIC_LEN	8
#define TREE_BUF	65536

enum { T_DIR = 'd', T_FILE = 'f', T_LINK = 'l', T_END = 'e' };

struct thdr {
	uint8_t		type;
	uint8_t		_pad[3];
	uint32_t	mode;
	uint32_t	namelen;
	uint32_t	_pad2;
	uint64_t	size;
};

/* why: "path: " (none if path is NULL) and errno's text; -1. */
static int
why_errno(char *why, size_t len, const char *path)
{
	if (path == NULL)
		snprintf(why, len, "%s", strerror(errno));
	else
		snprintf(why, len, "%s: %s", path, strerror(errno));
	return -1;
}

/* --- packing ------------------------------------------------------------ */

static int
put_hdr(int fd, int type, mode_t mode, const char *name, uint64_t size)
{
	struct thdr	h;
	size_t		n = strlen(name);

	memset(&h, 0, sizeof h);
	h.type = (uint8_t)type;
	h.mode = (uint32_t)(mode & 07777);
	h.namelen = (uint32_t)n;
	h.size = size;
	if (write_all(fd, &h, sizeof h) == -1 ||
	    write_all(fd, name, n) == -1)
		return -1;
	return 0;
}

/* A file's bytes, exactly size of them (it may not change meanwhile). */
static int
put_file(int fd, const char *path, const struct stat *st, const char *name,
    bool names_only, char *why, size_t len)
{
	char		*b;
	uint64_t	 left = (uint64_t)st->st_size;
	ssize_t		 r;
	int		 in;

	if (names_only)
		return put_hdr(fd, T_FILE, st->st_mode, name, 0) == -1 ?
		    why_errno(why, len, NULL) : 0;
	if ((in = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return why_errno(why, len, path);
	if (put_hdr(fd, T_FILE, st->st_mode, name, left) == -1) {
		why_errno(why, len, NULL);
		close(in);
		return -1;
	}
	b = xmalloc(TREE_BUF);
	while (left > 0) {
		r = read(in, b, left < TREE_BUF ? (size_t)left : TREE_BUF);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(why, len, "%s: %s", path, r == 0 ?
			    "shorter than it was (changed while copied)" :
			    strerror(errno));
			break;
		}
		if (write_all(fd, b, (size_t)r) == -1) {
			why_errno(why, len, NULL);
			break;
		}
		left -= (uint64_t)r;
	}
	free(b);
	close(in);
	return left == 0 ? 0 : -1;
}

static int	pack_entry(int, const char *, const char *, bool, bool, char *,
		    size_t);

/* A directory's entries, each under name/. */
static int
pack_dir(int fd, const char *path, const char *name, bool names_only,
    char *why, size_t len)
{
	struct dirent	 *e;
	DIR		 *d;
	char		 *sub, *subname;
	int		  r = 0;

	if ((d = opendir(path)) == NULL)
		return why_errno(why, len, path);
	while (r == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = xasprintf("%s/%s", path, e->d_name);
		subname = *name == '\0' ? xstrdup(e->d_name) :
		    xasprintf("%s/%s", name, e->d_name);
		r = pack_entry(fd, sub, subname, false, names_only, why, len);
		free(sub);
		free(subname);
	}
	if (r == 0 && errno != 0)
		r = why_errno(why, len, path);
	closedir(d);
	return r;
}

/* path, named name in the stream; root: followed if a link. */
static int
pack_entry(int fd, const char *path, const char *name, bool root,
    bool names_only, char *why, size_t len)
{
	struct stat	st;
	char		target[PATH_MAX];
	ssize_t		n;

	if ((root ? stat(path, &st) : lstat(path, &st)) == -1)
		return why_errno(why, len, path);
	if (S_ISREG(st.st_mode))
		return put_file(fd, path, &st, name, names_only, why, len);
	if (S_ISDIR(st.st_mode)) {
		if (put_hdr(fd, T_DIR, st.st_mode, name, 0) == -1)
			return why_errno(why, len, NULL);
		return pack_dir(fd, path, name, names_only, why, len);
	}
	if (S_ISLNK(st.st_mode)) {
		if ((n = readlink(path, target, sizeof target)) == -1 ||
		    (size_t)n >= sizeof target) {
			snprintf(why, len, "%s: %s", path, n == -1 ?
			    strerror(errno) : "link too long");
			return -1;
		}
		if (put_hdr(fd, T_LINK, 0777, name, names_only ? 0 :
		    (uint64_t)n) == -1 || (!names_only &&
		    write_all(fd, target, (size_t)n) == -1))
			return why_errno(why, len, NULL);
		return 0;
	}
	snprintf(why, len, "%s: not a regular file, directory or symbolic"
	    " link", path);
	return -1;
}

int
tree_pack(const char *path, int fd, bool names_only, char *why, size_t len)
{
	if (write_all(fd, TREE_MAGIC, TREE_MAGIC_LEN) == -1 ||
	    pack_entry(fd, path, "", true, names_only, why, len) == -1)
		goto fail;
	if (put_hdr(fd, T_END, 0, "", 0) == -1)
		goto fail;
	return 0;
fail:
	return why[0] == '\0' ? why_errno(why, len, NULL) : -1;
}

/* --- unpacking ---------------------------------------------------------- */

/* The temporary file being written, removed if a signal ends us. */
static char	tmp_now[PATH_MAX];

/* Exactly n bytes from fd: 1, 0 at EOF before any, -1 cut short/error. */
static int
get(int fd, void *p, size_t n)
{
	size_t	got = 0;
	ssize_t	r;

	while (got < n) {
		r = read(fd, (char *)p + got, n - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return got == 0 && r == 0 ? 0 : -1;
		}
		got += (size_t)r;
	}
	return 1;
}

/* An entry's name that stays inside the root: no /x, no .., no //. */
static bool
name_ok(const char *s)
{
	const char	*c;
	size_t		 n;

	if (*s == '\0')
		return true;
	if (*s == '/')
		return false;
	for (c = s; ; c += n + 1) {
		n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (c[n] == '\0')
			return true;
	}
}

/* mkdir -p of path's parent directories; 0 or -1 (errno). */
static int
parents_make(const char *path)
{
	char	*d = xstrdup(path), *s;

	for (s = d + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(d, 0777) == -1 && errno != EEXIST) {
			free(d);
			return -1;
		}
		*s = '/';
	}
	free(d);
	return 0;
}

struct dmode {
	char	*path;
	mode_t	 mode;
};

/* tmp_now: path's temporary name, nothing there; 0, or -1 and why. */
static int
tmp_name(const char *path, char *why, size_t len)
{
	if ((size_t)snprintf(tmp_now, sizeof tmp_now, "%s.pooltop.%ld", path,
	    (long)getpid()) >= sizeof tmp_now) {
		tmp_now[0] = '\0';
		snprintf(why, len, "%s: name too long", path);
		return -1;
	}
	(void)unlink(tmp_now);
	return 0;
}

/* A file's bytes from fd into path, under a temporary name first. */
static int
get_file(int fd, const char *path, const struct thdr *h, char *why,
    size_t len)
{
	char		*b;
	uint64_t	 left = h->size;
	int		 out, r;

	if (tmp_name(path, why, len) == -1)
		return -1;
	if ((out = open(tmp_now, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		why_errno(why, len, path);
		tmp_now[0] = '\0';
		return -1;
	}
	b = xmalloc(TREE_BUF);
	while (left > 0) {
		r = get(fd, b, left < TREE_BUF ? (size_t)left : TREE_BUF);
		if (r != 1) {
			snprintf(why, len, "%s: copy cut short", path);
			break;
		}
		if (write_all(out, b, left < TREE_BUF ? (size_t)left :
		    TREE_BUF) == -1) {
			why_errno(why, len, path);
			break;
		}
		left -= left < TREE_BUF ? left : TREE_BUF;
	}
	free(b);
	if (left == 0 && fchmod(out, (mode_t)h->mode) == -1)
		why_errno(why, len, path);
	else if (left == 0 && close(out) == 0) {
		out = -1;
		if (rename(tmp_now, path) == 0) {
			tmp_now[0] = '\0';
			return 0;
		}
		why_errno(why, len, path);
	} else if (left == 0)
		why_errno(why, len, path);
	if (out != -1)
		close(out);
	(void)unlink(tmp_now);
	tmp_now[0] = '\0';
	return -1;
}

/* A symbolic link: made under a temporary name, then renamed. */
static int
get_link(int fd, const char *path, const struct thdr *h, char *why,
    size_t len)
{
	char	target[PATH_MAX];

	if (h->size >= sizeof target || h->size == 0) {
		snprintf(why, len, "%s: bad link", path);
		return -1;
	}
	if (get(fd, target, (size_t)h->size) != 1) {
		snprintf(why, len, "%s: copy cut short", path);
		return -1;
	}
	target[h->size] = '\0';
	if (tmp_name(path, why, len) == -1)
		return -1;
	if (symlink(target, tmp_now) == -1 || rename(tmp_now, path) == -1) {
		why_errno(why, len, path);
		(void)unlink(tmp_now);
		tmp_now[0] = '\0';
		return -1;
	}
	tmp_now[0] = '\0';
	return 0;
}

/*
 * A directory: made (0700 until its mode is set, last), or entered: not
 * through a link, but for the root, which the user named.
 */
static int
get_dir(const char *path, bool root, char *why, size_t len)
{
	struct stat	st;

	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno == EEXIST && (root ? stat(path, &st) : lstat(path, &st)) ==
	    0 && S_ISDIR(st.st_mode)) {
		/* Filled first, whatever its mode: ours until the end. */
		if (chmod(path, (st.st_mode & 07777) | 0700) == 0)
			return 0;
	} else if (errno == EEXIST)
		errno = ENOTDIR;
	return why_errno(why, len, path);
}

/*
 * Is path's parent one of the stream's directories?  Then nothing the
 * stream made (a link) nor found (a link there) leads its entries
 * elsewhere: get_dir() enters no link.
 */
static bool
parent_listed(const char *path, const struct dmode *d, size_t n)
{
	size_t	plen = (size_t)(strrchr(path, '/') - path);

	while (n-- > 0)
		if (strlen(d[n].path) == plen &&
		    strncmp(d[n].path, path, plen) == 0)
			return true;
	return false;
}

/*
 * Read the stream's entries: unpack (remove false) or remove them.  dirs
 * collects the directories, in stream order.
 */
static int
walk_entries(const char *dest, int fd, bool remove, struct dmode **dirs,
    size_t *ndirs, char *why, size_t len)
{
	struct thdr	 h;
	char		 magic[TREE_MAGIC_LEN], name[PATH_MAX], *path;
	bool		 first = true;
	int		 r;

	if ((r = get(fd, magic, sizeof magic)) != 1 ||
	    memcmp(magic, TREE_MAGIC, sizeof magic) != 0) {
		snprintf(why, len, "%s: %s", dest, r == 0 ? "nothing came" :
		    "not a pooltop file stream");
		return -1;
	}
	for (;;) {
		if (get(fd, &h, sizeof h) != 1 || h.namelen >= sizeof name ||
		    get(fd, name, h.namelen) == -1) {
			snprintf(why, len, "%s: copy cut short", dest);
			return -1;
		}
		name[h.namelen] = '\0';
		if (h.type == T_END)
			return 0;
		if (!name_ok(name) || strlen(name) != h.namelen ||
		    (first != (name[0] == '\0'))) {
			snprintf(why, len, "%s: refused an entry outside it",
			    dest);
			return -1;
		}
		path = name[0] == '\0' ? xstrdup(dest) :
		    xasprintf("%s/%s", dest, name);
		if (name[0] != '\0' && !parent_listed(path, *dirs, *ndirs)) {
			snprintf(why, len, "%s: refused an entry outside a"
			    " directory of the stream", dest);
			free(path);
			return -1;
		}
		if (first && !remove && parents_make(path) == -1) {
			why_errno(why, len, path);
			free(path);
			return -1;
		}
		first = false;
		r = 0;
		if (h.type == T_DIR) {
			if (!remove)
				r = get_dir(path, name[0] == '\0', why, len);
			if (r == 0) {
				*dirs = xreallocarray(*dirs, *ndirs + 1,
				    sizeof **dirs);
				(*dirs)[*ndirs].path = path;
				(*dirs)[(*ndirs)++].mode = (mode_t)h.mode;
				path = NULL;
			}
		} else if (remove) {
			if (unlink(path) == -1 && errno != ENOENT)
				r = why_errno(why, len, path);
		} else if (h.type == T_FILE)
			r = get_file(fd, path, &h, why, len);
		else if (h.type == T_LINK)
			r = get_link(fd, path, &h, why, len);
		else {
			snprintf(why, len, "%s: not a pooltop file stream",
			    dest);
			r = -1;
		}
		free(path);
		if (r == -1)
			return -1;
	}
}

int
tree_unpack(const char *dest, int fd, bool remove, char *why, size_t len)
{
	struct dmode	*d = NULL;
	size_t		 n = 0, i;
	int		 r;

	r = walk_entries(dest, fd, remove, &d, &n, why, len);
	/*
	 * The directories, deepest first: their modes set (a read-only
	 * parent was filled already), or removed, only the empty ones (a
	 * file of the task's own stays, with its directories).
	 */
	for (i = n; i > 0; i--) {
		if (remove && r == 0)
			(void)rmdir(d[i - 1].path);
		else if (!remove && chmod(d[i - 1].path, d[i - 1].mode) == -1 &&
		    r == 0)
			r = why_errno(why, len, d[i - 1].path);
		free(d[i - 1].path);
	}
	free(d);
	return r;
}

/* --- pooltop worker --pack|--unpack|--remove ---------------------------- */

static void
tree_signal(int sig)
{
	if (tmp_now[0] != '\0')
		(void)unlink(tmp_now);
	_exit(128 + sig);
}

int
tree_main(const char *mode, const char *path)
{
	struct sigaction	sa;
	char			why[512] = "";
	int			r;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tree_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGPIPE, &sa, NULL);
	if (strcmp(mode, "--pack") == 0)
		r = tree_pack(path, 1, false, why, sizeof why);
	else if (strcmp(mode, "--unpack") == 0)
		r = tree_unpack(path, 0, false, why, sizeof why);
	else if (strcmp(mode, "--remove") == 0)
		r = tree_unpack(path, 0, true, why, sizeof why);
	else {
		fprintf(stderr, "pooltop worker: unknown mode %s\n", mode);
		return 2;
	}
	if (r == -1)
		fprintf(stderr, "pooltop: %s\n", why);
	return r == 0 ? 0 : 1;
}

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

/* A walk that packs: where to, and what for. */
struct packer {
	int	 fd;		/* the stream */
	int	 names;		/* -1, or the names-only stream of the walk */
	bool	 names_only;
	char	*why;
	size_t	 len;
};

static int
hdr_to(int fd, int type, mode_t mode, const char *name, uint64_t size)
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

/* An entry's header on the stream, and on the names-only one. */
static int
put_hdr(struct packer *pk, int type, mode_t mode, const char *name,
    uint64_t size)
{
	if (hdr_to(pk->fd, type, mode, name, pk->names_only ? 0 : size) == -1)
		return -1;
	if (pk->names != -1 && hdr_to(pk->names, type, mode, name, 0) == -1)
		return -1;
	return 0;
}

/* A file's bytes, exactly size of them (it may not change meanwhile). */
static int
put_file(struct packer *pk, const char *path, const struct stat *st,
    const char *name)
{
	char		*b;
	uint64_t	 left = (uint64_t)st->st_size;
	ssize_t		 r;
	int		 in;

	if (pk->names_only)
		return put_hdr(pk, T_FILE, st->st_mode, name, 0) == -1 ?
		    why_errno(pk->why, pk->len, NULL) : 0;
	if ((in = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return why_errno(pk->why, pk->len, path);
	if (put_hdr(pk, T_FILE, st->st_mode, name, left) == -1) {
		why_errno(pk->why, pk->len, NULL);
		close(in);
		return -1;
	}
	b = xmalloc(TREE_BUF);
	while (left > 0) {
		r = read(in, b, left < TREE_BUF ? (size_t)left : TREE_BUF);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(pk->why, pk->len, "%s: %s", path, r == 0 ?
			    "shorter than it was (changed while copied)" :
			    strerror(errno));
			break;
		}
		if (write_all(pk->fd, b, (size_t)r) == -1) {
			why_errno(pk->why, pk->len, NULL);
			break;
		}
		left -= (uint64_t)r;
	}
	free(b);
	close(in);
	return left == 0 ? 0 : -1;
}

static int	pack_entry(struct packer *, const char *, const char *, bool);

/* A directory's entries, each under name/. */
static int
pack_dir(struct packer *pk, const char *path, const char *name)
{
	struct dirent	 *e;
	DIR		 *d;
	char		 *sub, *subname;
	int		  r = 0;

	if ((d = opendir(path)) == NULL)
		return why_errno(pk->why, pk->len, path);
	while (r == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = xasprintf("%s/%s", path, e->d_name);
		subname = *name == '\0' ? xstrdup(e->d_name) :
		    xasprintf("%s/%s", name, e->d_name);
		r = pack_entry(pk, sub, subname, false);
		free(sub);
		free(subname);
	}
	if (r == 0 && errno != 0)
		r = why_errno(pk->why, pk->len, path);
	closedir(d);
	return r;
}

/* path, named name in the stream; root: followed if a link. */
static int
pack_entry(struct packer *pk, const char *path, const char *name, bool root)
{
	struct stat	st;
	char		target[PATH_MAX];
	ssize_t		n;

	if ((root ? stat(path, &st) : lstat(path, &st)) == -1)
		return why_errno(pk->why, pk->len, path);
	if (S_ISREG(st.st_mode))
		return put_file(pk, path, &st, name);
	if (S_ISDIR(st.st_mode)) {
		if (put_hdr(pk, T_DIR, st.st_mode, name, 0) == -1)
			return why_errno(pk->why, pk->len, NULL);
		return pack_dir(pk, path, name);
	}
	if (S_ISLNK(st.st_mode)) {
		if ((n = readlink(path, target, sizeof target)) == -1 ||
		    (size_t)n >= sizeof target) {
			snprintf(pk->why, pk->len, "%s: %s", path, n == -1 ?
			    strerror(errno) : "link too long");
			return -1;
		}
		if (put_hdr(pk, T_LINK, 0777, name, (uint64_t)n) == -1 ||
		    (!pk->names_only && write_all(pk->fd, target,
		    (size_t)n) == -1))
			return why_errno(pk->why, pk->len, NULL);
		return 0;
	}
	snprintf(pk->why, pk->len, "%s: not a regular file, directory or"
	    " symbolic link", path);
	return -1;
}

int
tree_pack(const char *path, int fd, bool names_only, int names, char *why,
    size_t len)
{
	struct packer	pk = { fd, names, names_only, why, len };
	int		r = -1;

	if (names != -1 && write_all(names, TREE_MAGIC, TREE_MAGIC_LEN) == -1)
		pk.names = -1;
	if (write_all(fd, TREE_MAGIC, TREE_MAGIC_LEN) != -1 &&
	    pack_entry(&pk, path, "", true) == 0 &&
	    hdr_to(fd, T_END, 0, "", 0) == 0)
		r = 0;
	/* What went, whole or not: a stream, closed even so. */
	if (pk.names != -1)
		(void)hdr_to(pk.names, T_END, 0, "", 0);
	if (r == -1 && why[0] == '\0')
		why_errno(why, len, NULL);
	return r;
}

int
tree_names_file(int fd)
{
	if (write_all(fd, TREE_MAGIC, TREE_MAGIC_LEN) == -1 ||
	    hdr_to(fd, T_FILE, 0, "", 0) == -1 ||
	    hdr_to(fd, T_END, 0, "", 0) == -1)
		return -1;
	return 0;
}

int
tree_stream_root(const void *stream, size_t n)
{
	struct thdr	h;

	if (n < TREE_MAGIC_LEN + sizeof h ||
	    memcmp(stream, TREE_MAGIC, TREE_MAGIC_LEN) != 0)
		return -1;
	memcpy(&h, (const char *)stream + TREE_MAGIC_LEN, sizeof h);
	if (h.namelen != 0 || (h.type != T_DIR && h.type != T_FILE &&
	    h.type != T_LINK))
		return -1;
	return h.type;
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

/* A directory of the stream, as found or made at path. */
struct dmode {
	char	*path;
	mode_t	 mode;		/* to set at the end */
	bool	 set;		/* set it (made, or changed to be filled) */
	bool	 ok;		/* a directory, entered: not a link */
};

/* One reading of a stream: where to, how, and what it met. */
struct unpacker {
	const char	*dest;
	int		 fd;
	unsigned	 flags;		/* TREE_* */
	int		 names;		/* -1, or the names of what came */
	mode_t		 umask;
	struct dmode	*dirs;
	size_t		 ndirs;
	char		*why;
	size_t		 len;
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

/*
 * The mode of a file coming to path: the sender's, or with TREE_LOCAL as
 * cp or rsync without -p would have it: a file there keeps its own, a new
 * one gets the sender's masked by the umask.
 */
static mode_t
file_mode(const struct unpacker *u, const char *path, mode_t sent)
{
	struct stat	st;

	if (!(u->flags & TREE_LOCAL))
		return sent & 07777;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_mode & 07777;
	return sent & 0777 & ~u->umask;
}

/*
 * tmp_now renamed to path.  An empty directory in the way goes (as rsync
 * would), a directory holding anything stays and the entry fails.
 */
static int
tmp_rename(const char *path, char *why, size_t len)
{
	if (rename(tmp_now, path) == 0)
		return 0;
	if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) {
		if (rmdir(path) == 0 && rename(tmp_now, path) == 0)
			return 0;
		if (errno == ENOTEMPTY || errno == EEXIST) {
			snprintf(why, len, "%s: a directory that is not empty"
			    " is in the way", path);
			return -1;
		}
	}
	return why_errno(why, len, path);
}

/* A file's bytes from fd into path, under a temporary name first. */
static int
get_file(struct unpacker *u, const char *path, const struct thdr *h)
{
	char		*b;
	uint64_t	 left = h->size;
	int		 out, r;

	if (tmp_name(path, u->why, u->len) == -1)
		return -1;
	if ((out = open(tmp_now, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		why_errno(u->why, u->len, path);
		tmp_now[0] = '\0';
		return -1;
	}
	b = xmalloc(TREE_BUF);
	while (left > 0) {
		r = get(u->fd, b, left < TREE_BUF ? (size_t)left : TREE_BUF);
		if (r != 1) {
			snprintf(u->why, u->len, "%s: copy cut short", path);
			break;
		}
		if (write_all(out, b, left < TREE_BUF ? (size_t)left :
		    TREE_BUF) == -1) {
			why_errno(u->why, u->len, path);
			break;
		}
		left -= left < TREE_BUF ? left : TREE_BUF;
	}
	free(b);
	if (left == 0 && fchmod(out, file_mode(u, path, (mode_t)h->mode)) ==
	    -1)
		why_errno(u->why, u->len, path);
	else if (left == 0 && close(out) == 0) {
		out = -1;
		if (tmp_rename(path, u->why, u->len) == 0) {
			tmp_now[0] = '\0';
			return 0;
		}
	} else if (left == 0)
		why_errno(u->why, u->len, path);
	if (out != -1)
		close(out);
	(void)unlink(tmp_now);
	tmp_now[0] = '\0';
	return -1;
}

/* A symbolic link: made under a temporary name, then renamed. */
static int
get_link(struct unpacker *u, const char *path, const struct thdr *h)
{
	char	target[PATH_MAX];

	if (h->size >= sizeof target || h->size == 0) {
		snprintf(u->why, u->len, "%s: bad link", path);
		return -1;
	}
	if (get(u->fd, target, (size_t)h->size) != 1) {
		snprintf(u->why, u->len, "%s: copy cut short", path);
		return -1;
	}
	target[h->size] = '\0';
	if (tmp_name(path, u->why, u->len) == -1)
		return -1;
	if (symlink(target, tmp_now) == -1) {
		why_errno(u->why, u->len, path);
		tmp_now[0] = '\0';
		return -1;
	}
	if (tmp_rename(path, u->why, u->len) == -1) {
		(void)unlink(tmp_now);
		tmp_now[0] = '\0';
		return -1;
	}
	tmp_now[0] = '\0';
	return 0;
}

/*
 * A directory: made (0700 until its mode is set, last), or entered.  No
 * link is followed, the root's neither: what is not a directory there (a
 * file, a link) is replaced by one, as rsync does.  The mode set at the
 * end: the sender's; with TREE_LOCAL, a directory there keeps its own
 * (and its owner), a new one gets the sender's masked by the umask.
 */
static int
get_dir(struct unpacker *u, const char *path, mode_t sent, struct dmode *dm)
{
	struct stat	st;

	dm->ok = dm->set = true;
	dm->mode = (u->flags & TREE_LOCAL) ? sent & 0777 & ~u->umask :
	    sent & 07777;
	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno != EEXIST || lstat(path, &st) == -1)
		return why_errno(u->why, u->len, path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) == -1 || mkdir(path, 0700) == -1)
			return why_errno(u->why, u->len, path);
		return 0;
	}
	if (u->flags & TREE_LOCAL) {
		dm->mode = st.st_mode & 07777;
		dm->set = (st.st_mode & 0700) != 0700;
	}
	/* Filled first, whatever its mode: ours until the end. */
	if ((st.st_mode & 0700) != 0700 &&
	    chmod(path, (st.st_mode & 07777) | 0700) == -1)
		return why_errno(u->why, u->len, path);
	return 0;
}

/* In remove mode: is path a directory (not a link) to remove from? */
static void
rm_dir(const char *path, struct dmode *dm)
{
	struct stat	st;

	dm->set = false;
	dm->ok = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The stream's directory that is path's parent, or NULL.  Only entries
 * below a directory of the stream are taken: nothing the stream made (a
 * link) nor found there leads its entries elsewhere.
 */
static struct dmode *
parent_of(const char *path, struct dmode *d, size_t n)
{
	size_t	plen = (size_t)(strrchr(path, '/') - path);

	while (n-- > 0)
		if (strlen(d[n].path) == plen &&
		    strncmp(d[n].path, path, plen) == 0)
			return &d[n];
	return NULL;
}

/*
 * An entry below what is not a directory (removing): nothing done, but a
 * directory is kept as one not entered, for its own entries.
 */
static int
skip_entry(struct unpacker *u, char **path, const struct thdr *h)
{
	if (h->type != T_DIR)
		return 0;
	u->dirs = xreallocarray(u->dirs, u->ndirs + 1, sizeof *u->dirs);
	memset(&u->dirs[u->ndirs], 0, sizeof *u->dirs);
	u->dirs[u->ndirs++].path = *path;
	*path = NULL;
	return 0;
}

/* One entry of the stream at path: made, or removed. */
static int
take_entry(struct unpacker *u, char *path, const struct thdr *h)
{
	struct dmode	dm;
	int		r = 0;

	if (h->type == T_DIR) {
		memset(&dm, 0, sizeof dm);
		if (u->flags & TREE_REMOVE)
			rm_dir(path, &dm);
		else if (get_dir(u, path, (mode_t)h->mode, &dm) == -1)
			return -1;
		dm.path = path;
		u->dirs = xreallocarray(u->dirs, u->ndirs + 1, sizeof *u->dirs);
		u->dirs[u->ndirs++] = dm;
		return 1;	/* path kept */
	}
	if (u->flags & TREE_REMOVE) {
		/* A file, or a link itself: never what it points to. */
		if (unlink(path) == -1 && errno != ENOENT && errno != ENOTDIR)
			r = why_errno(u->why, u->len, path);
	} else if (h->type == T_FILE)
		r = get_file(u, path, h);
	else if (h->type == T_LINK)
		r = get_link(u, path, h);
	else {
		snprintf(u->why, u->len, "%s: not a pooltop file stream",
		    u->dest);
		r = -1;
	}
	return r;
}

/* Read the stream's entries and take each (unpack or remove). */
static int
walk_entries(struct unpacker *u)
{
	struct thdr	 h;
	struct dmode	*parent;
	char		 magic[TREE_MAGIC_LEN], name[PATH_MAX], *path;
	bool		 first = true;
	int		 r;

	if ((r = get(u->fd, magic, sizeof magic)) != 1 ||
	    memcmp(magic, TREE_MAGIC, sizeof magic) != 0) {
		snprintf(u->why, u->len, "%s: %s", u->dest, r == 0 ?
		    "nothing came" : "not a pooltop file stream");
		return -1;
	}
	if (u->names != -1 &&
	    write_all(u->names, TREE_MAGIC, TREE_MAGIC_LEN) == -1)
		u->names = -1;
	for (;;) {
		if (get(u->fd, &h, sizeof h) != 1 || h.namelen >= sizeof name ||
		    get(u->fd, name, h.namelen) == -1) {
			snprintf(u->why, u->len, "%s: copy cut short", u->dest);
			return -1;
		}
		name[h.namelen] = '\0';
		if (h.type == T_END)
			return u->names == -1 ? 0 :
			    hdr_to(u->names, T_END, 0, "", 0);
		if (!name_ok(name) || strlen(name) != h.namelen ||
		    (first != (name[0] == '\0'))) {
			snprintf(u->why, u->len, "%s: refused an entry outside"
			    " it", u->dest);
			return -1;
		}
		path = name[0] == '\0' ? xstrdup(u->dest) :
		    xasprintf("%s/%s", u->dest, name);
		parent = name[0] == '\0' ? NULL :
		    parent_of(path, u->dirs, u->ndirs);
		if (name[0] != '\0' && parent == NULL) {
			snprintf(u->why, u->len, "%s: refused an entry outside"
			    " a directory of the stream", u->dest);
			free(path);
			return -1;
		}
		if (first && !(u->flags & TREE_REMOVE) &&
		    mkdirs(path, 0777, false) == -1) {
			why_errno(u->why, u->len, path);
			free(path);
			return -1;
		}
		first = false;
		/* Removing: nothing below what is no longer a directory. */
		if (parent != NULL && !parent->ok)
			r = skip_entry(u, &path, &h);
		else if ((r = take_entry(u, path, &h)) == 1) {
			path = NULL;
			r = 0;
		}
		free(path);
		if (r == 0 && u->names != -1 && hdr_to(u->names, h.type,
		    (mode_t)h.mode, name, 0) == -1)
			u->names = -1;
		if (r == -1)
			return -1;
	}
}

int
tree_unpack(const char *dest, int fd, unsigned flags, int names, char *why,
    size_t len)
{
	struct unpacker	 u;
	struct dmode	*d;
	size_t		 i;
	int		 r;

	memset(&u, 0, sizeof u);
	u.dest = dest;
	u.fd = fd;
	u.flags = flags;
	u.names = names;
	u.umask = umask(077);
	(void)umask(u.umask);
	u.why = why;
	u.len = len;
	r = walk_entries(&u);
	/*
	 * The directories, deepest first: their modes set (a read-only
	 * parent was filled already), or removed, only the empty ones (a
	 * file of the task's own stays, with its directories).
	 */
	for (i = u.ndirs; i > 0; i--) {
		d = &u.dirs[i - 1];
		if ((flags & TREE_REMOVE) && r == 0 && d->ok)
			(void)rmdir(d->path);
		else if (!(flags & TREE_REMOVE) && d->set &&
		    chmod(d->path, d->mode) == -1 && r == 0)
			r = why_errno(why, len, d->path);
		free(d->path);
	}
	free(u.dirs);
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
		r = tree_pack(path, 1, false, -1, why, sizeof why);
	else if (strcmp(mode, "--unpack") == 0)
		r = tree_unpack(path, 0, 0, -1, why, sizeof why);
	else if (strcmp(mode, "--remove") == 0)
		r = tree_unpack(path, 0, TREE_REMOVE, -1, why, sizeof why);
	else {
		fprintf(stderr, "pooltop worker: unknown mode %s\n", mode);
		return 2;
	}
	if (r == -1)
		fprintf(stderr, "pooltop: %s\n", why);
	return r == 0 ? 0 : 1;
}

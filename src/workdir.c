/* The directory a task runs in: see workdir.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "pool-input.h"
#include "pool-xfer.h"
#include "proto.h"
#include "template.h"
#include "util.h"
#include "workdir.h"

#define WORKDIR_TRIES	64	/* names a `...` directory may take */

struct workdir {
	char		 base[PATH_MAX];	/* where the pool runs */
	char		 fixed[PATH_MAX];	/* "" one a task */
	uint32_t	 flags;			/* PT_CONF_WD_UNIQUE */
	bool		 temp;			/* removed after each task */
	struct template	*tpl;			/* one a task */
	const char	*src;			/* --workdir as given */
	int		 climbs;		/* its own ".." */
};

/* How many of d's components are "..". */
static int
dotdots(const char *d)
{
	const char	*s = d;
	int		 n = 0;

	while (*s != '\0') {
		if (s[0] == '.' && s[1] == '.' && (s[2] == '/' || s[2] == '\0'))
			n++;
		s += strcspn(s, "/");
		s += strspn(s, "/");
	}
	return n;
}

void
workdir_tidy(char *d)
{
	char	*s;
	size_t	 n;

	while ((s = strstr(d, "/./")) != NULL)
		memmove(s, s + 2, strlen(s + 2) + 1);
	n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	while (strncmp(d, "./", 2) == 0)
		memmove(d, d + 2, strlen(d + 2) + 1);
}

/* `...`: $HOME/.pooltop/tmp/HOST-PID, "-N" added for task N. */
static int
temp_dir(struct workdir *x, char *err, size_t errlen)
{
	const char	*home = getenv("HOME");
	char		 host[256];

	if (home == NULL || *home != '/') {
		snprintf(err, errlen, "--workdir ...: HOME is not set to a"
		    " directory");
		return -1;
	}
	if (gethostname(host, sizeof host) == -1)
		strlcpy(host, "localhost", sizeof host);
	host[sizeof host - 1] = '\0';
	host[strcspn(host, "/")] = '\0';
	if ((size_t)snprintf(x->fixed, sizeof x->fixed, "%s%s.pooltop/tmp/%s-%ld",
	    home, home[strlen(home) - 1] == '/' ? "" : "/", host,
	    (long)getpid()) >= sizeof x->fixed - 24) {
		snprintf(err, errlen, "--workdir ...: HOME is too long");
		return -1;
	}
	x->flags |= PT_CONF_WD_UNIQUE;
	x->temp = true;
	return 0;
}

/* DIR: one for all (made absolute) or a template (one a task). */
static int
dir_or_template(struct workdir *x, const char *wd, char *err, size_t errlen)
{
	char	msg[200];

	if ((x->tpl = input_tag_compile(wd, msg, sizeof msg)) == NULL) {
		snprintf(err, errlen, "--workdir '%s': %s", wd, msg);
		return -1;
	}
	if (!template_appended(x->tpl)) {
		x->climbs = dotdots(wd);
		return 0;
	}
	template_free(x->tpl);
	x->tpl = NULL;
	if (workdir_join(x->fixed, sizeof x->fixed, x->base, wd) != 0) {
		snprintf(err, errlen, "--workdir '%s': too long", wd);
		return -1;
	}
	workdir_tidy(x->fixed);
	return 0;
}

/* Can the tasks here have a directory of their own? */
static int
can_chdir(const struct opts *o, char *err, size_t errlen)
{
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCHDIR_NP
	(void)o;
	(void)err;
	(void)errlen;
	return 0;
#else
	snprintf(err, errlen, "--workdir '%s' for tasks on this machine needs"
	    " posix_spawn_file_actions_addchdir_np (glibc 2.29 or later),"
	    " which this build lacks", o->workdir);
	return -1;
#endif
}

struct workdir *
workdir_new(const struct opts *o, char *err, size_t errlen)
{
	struct workdir	*x;
	const char	*wd = o->workdir;
	int		 r;

	err[0] = '\0';
	if (wd == NULL || *wd == '\0' || strcmp(wd, ".") == 0)
		return NULL;	/* where the tasks run anyway */
	if (can_chdir(o, err, errlen) == -1)
		return NULL;
	x = xcalloc(1, sizeof *x);
	x->src = wd;
	if (getcwd(x->base, sizeof x->base) == NULL) {
		snprintf(err, errlen, "--workdir: getcwd: %s", strerror(errno));
		workdir_free(x);
		return NULL;
	}
	r = strcmp(wd, "...") == 0 ? temp_dir(x, err, errlen) :
	    dir_or_template(x, wd, err, errlen);
	if (r == 0 && o->persistent != NULL && (x->tpl != NULL || x->temp))
		snprintf(err, errlen, "--workdir '%s' is a directory a task;"
		    " a --persistent program serves many: give it one"
		    " directory", wd);
	if (r == -1 || err[0] != '\0') {
		workdir_free(x);
		return NULL;
	}
	return x;
}

void
workdir_free(struct workdir *x)
{
	if (x == NULL)
		return;
	template_free(x->tpl);
	free(x);
}

const char *
workdir_fixed(const struct workdir *x, uint32_t *flags, bool *temp)
{
	*flags = x != NULL ? x->flags : 0;
	*temp = x != NULL && x->temp;
	return x != NULL && x->tpl == NULL ? x->fixed : NULL;
}

const char *
workdir_base(const struct workdir *x)
{
	return x != NULL ? x->base : NULL;
}

char *
workdir_task(const struct workdir *x, const struct xfer_task *t, char *why,
    size_t whylen)
{
	char	*d;

	why[0] = '\0';
	if (x == NULL || x->tpl == NULL)
		return NULL;
	d = input_tag(x->tpl, t->arg, t->args, t->nargs, t->seq, t->slot);
	workdir_tidy(d);
	/* Items are data: one may not lead the task out of the template's
	   directory ("out/{}" with "../../etc"). */
	if (dotdots(d) > x->climbs) {
		/* Two lines: the last one, the same for every task refused
		   so, is what failure groups are keyed by (as a worker's). */
		snprintf(why, whylen, "--workdir '%s': an item may not add"
		    " '..' to it (%s)\n--workdir '%s': an item may not add"
		    " '..' to it", x->src, d, x->src);
		free(d);
		return NULL;
	}
	return d;
}

int
workdir_seq(char *d, size_t len, const char *dir, uint32_t flags,
    uint64_t seq)
{
	if ((flags & PT_CONF_WD_UNIQUE) ?
	    (size_t)snprintf(d, len, "%s-%llu", dir,
	    (unsigned long long)seq) >= len :
	    strlcpy(d, dir, len) >= len)
		return ENAMETOOLONG;
	return 0;
}

/*
 * An absolute path made plain as a shell's cd makes it (cd -L): no "//",
 * no "." and a ".." takes the component before it away.  In place.
 */
static void
path_clean(char *d)
{
	char	*r = d, *w = d, *c;
	size_t	 n;

	while (*r != '\0') {
		while (*r == '/')
			r++;
		n = strcspn(r, "/");
		if (n == 0 || (n == 1 && r[0] == '.')) {
			r += n;
			continue;
		}
		if (n == 2 && r[0] == '.' && r[1] == '.') {
			while (w > d && w[-1] != '/')
				w--;
			if (w > d)
				w--;	/* the '/' before it */
			r += n;
			continue;
		}
		c = r;
		*w++ = '/';
		memmove(w, c, n);
		w += n;
		r = c + n;
	}
	if (w == d)
		*w++ = '/';
	*w = '\0';
}

int
workdir_join(char *d, size_t len, const char *base, const char *rel)
{
	if (*rel == '/' || *rel == '\0') {
		if (strlcpy(d, *rel == '/' ? rel : base, len) >= len)
			return ENAMETOOLONG;
	} else if ((size_t)snprintf(d, len, "%s/%s", base, rel) >= len)
		return ENAMETOOLONG;
	path_clean(d);
	return 0;
}

int
workdir_make(const char *d)
{
	struct stat	st;

	if (stat(d, &st) == -1) {
		if (errno != ENOENT)
			return errno;
		if (mkdirs(d, 0777, true) == -1 || stat(d, &st) == -1)
			return errno;
	}
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	/* Said here, naming the directory, rather than as the spawn's. */
	return access(d, X_OK) == -1 ? errno : 0;
}

int
workdir_make_new(char *d, size_t len)
{
	char	*slash;
	size_t	 n = strlen(d);
	int	 k, error;

	/* The parent, ~/.pooltop/tmp, is shared: made if missing. */
	if ((slash = strrchr(d, '/')) != NULL && slash != d) {
		*slash = '\0';
		error = workdir_make(d);
		*slash = '/';
		if (error != 0)
			return error;
	}
	for (k = 1; k <= WORKDIR_TRIES; k++) {
		if (k > 1 && (size_t)snprintf(d + n, len - n, "-%d", k) >=
		    len - n) {
			d[n] = '\0';
			return ENAMETOOLONG;
		}
		if (mkdir(d, 0777) == 0) {
			if (access(d, X_OK) == 0)
				return 0;
			error = errno;		/* a umask without u+x */
			(void)rmdir(d);
			return error;
		}
		if (errno != EEXIST)
			return errno;
	}
	d[n] = '\0';
	return EEXIST;
}

/* nftw(3): remove one entry, deepest first. */
static int
remove_entry(const char *path, const struct stat *st, int type,
    struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	(void)remove(path);
	return 0;
}

void
workdir_remove(const char *d)
{
	if (d != NULL && *d == '/')
		(void)nftw(d, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

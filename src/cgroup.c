/*
 * Per-task limits with cgroups (cgroup.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "opts.h"
#include "util.h"

enum { TCG_MEM = 0, TCG_CPU, TCG_N };

static const char *const tcg_ctl[TCG_N] = { "memory", "cpu" };
static const char *const tcg_opt[TCG_N] = { "--task-memory", "--task-cpus" };

/* One v1 hierarchy: where the pool was, and its cgroup for tasks. */
struct tcg_h {
	char	*home;		/* the pool's own cgroup; NULL: not used */
	char	*pool;		/* home/pooltop.<pid> */
};

struct tcg {
	uint64_t	mem;
	double		cpus;
	struct tcg_h	h[TCG_N];
	bool		made[PT_MAX_WORKERS];	/* this process set it up */
	pid_t		owner;		/* made them; the one to remove them */
	char		where[PATH_MAX];
};

/* Does the comma-separated list have word? */
static bool
has_word(const char *list, const char *word)
{
	size_t	n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' ||
		    p[n] == '\0' || p[n] == '\n' || p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

/* The mount point of the v1 hierarchy with controller ctl (NULL: v2). */
static bool
v1_mount(const char *ctl, char *mnt, size_t len)
{
	FILE	*f;
	char	*line = NULL, *dash, *p, *tok, *point = NULL;
	size_t	 cap = 0;
	bool	 found = false;
	int	 n;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return false;
	while (!found && getline(&line, &cap, f) != -1) {
		if ((dash = strstr(line, " - ")) == NULL)
			continue;
		*dash = '\0';
		p = line;
		for (n = 0; (tok = strsep(&p, " ")) != NULL; n++)
			if (n == 4)
				point = tok;
		p = dash + 3;
		tok = strsep(&p, " ");		/* type */
		if (tok == NULL || point == NULL)
			continue;
		if (ctl == NULL) {
			if (strcmp(tok, "cgroup2") == 0) {
				strlcpy(mnt, point, len);
				found = true;
			}
			continue;
		}
		if (strcmp(tok, "cgroup") != 0)
			continue;
		(void)strsep(&p, " ");		/* source */
		if (p != NULL && has_word(p, ctl)) {
			strlcpy(mnt, point, len);
			found = true;
		}
	}
	free(line);
	fclose(f);
	return found;
}

/* The pool's path in the v1 hierarchy with ctl (NULL: v2), from
   /proc/self/cgroup. */
static bool
v1_path(const char *ctl, char *path, size_t len)
{
	FILE	*f;
	char	*line = NULL, *a, *b;
	size_t	 cap = 0;
	bool	 found = false;

	if ((f = fopen("/proc/self/cgroup", "re")) == NULL)
		return false;
	while (!found && getline(&line, &cap, f) != -1) {
		line[strcspn(line, "\n")] = '\0';
		if ((a = strchr(line, ':')) == NULL ||
		    (b = strchr(a + 1, ':')) == NULL)
			continue;
		*b = '\0';
		/* v2: "0::/path" (line is now "0:", a the first colon) */
		if (ctl == NULL ? a == line + 1 && line[0] == '0' &&
		    a[1] == '\0' :
		    a[1] != '\0' && has_word(a + 1, ctl)) {
			strlcpy(path, b + 1, len);
			found = true;
		}
	}
	free(line);
	fclose(f);
	return found;
}

/* The process's cgroup in a hierarchy (cgroup.h). */
bool
cg_dir(const char *ctl, char *dir, size_t len, char *mnt, size_t mlen)
{
	char	path[PATH_MAX];
	int	n;

	if (!v1_mount(ctl, mnt, mlen) || !v1_path(ctl, path, sizeof path))
		return false;
	n = snprintf(dir, len, "%s%s", mnt, strcmp(path, "/") == 0 ? "" :
	    path);
	return n > 0 && (size_t)n < len;
}

/* Write s to dir/name; 0 or an errno. */
static int
put(const char *dir, const char *name, const char *s)
{
	char	path[PATH_MAX];
	ssize_t	n;
	int	fd, e = 0;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path)
		return ENAMETOOLONG;
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return errno;
	n = write(fd, s, strlen(s));
	if (n == -1)
		e = errno;
	else if ((size_t)n != strlen(s))
		e = EIO;
	close(fd);
	return e;
}

bool
cg_exists(const char *dir, const char *name)
{
	char		path[PATH_MAX];
	struct stat	st;
	int		n;

	n = snprintf(path, sizeof path, "%s/%s", dir, name);
	return n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0;
}

/* Set the limits of hierarchy k in dir; 0 or an errno. */
static int
set_limits(const struct tcg *c, int k, const char *dir)
{
	char	v[32];
	int	e;

	if (k == TCG_MEM) {
		snprintf(v, sizeof v, "%llu", (unsigned long long)c->mem);
		if ((e = put(dir, "memory.limit_in_bytes", v)) != 0)
			return e;
		if (cg_exists(dir, "memory.memsw.limit_in_bytes"))
			return put(dir, "memory.memsw.limit_in_bytes", v);
		return 0;
	}
	if ((e = put(dir, "cpu.cfs_period_us", "100000")) != 0)
		return e;
	snprintf(v, sizeof v, "%lld", (long long)fmax(1000,
	    llround(c->cpus * CG_CPU_PERIOD_US)));
	return put(dir, "cpu.cfs_quota_us", v);
}

/* slot's cgroup in hierarchy k. */
static void
slot_dir(const struct tcg *c, int k, int slot, char *buf, size_t len)
{
	snprintf(buf, len, "%s/slot.%d", c->h[k].pool, slot + 1);
}

/* Make slot's cgroups with their limits; 0 or an errno. */
static int
slot_make(struct tcg *c, int slot)
{
	char	dir[PATH_MAX];
	int	k, e;

	for (k = 0; k < TCG_N; k++) {
		if (c->h[k].home == NULL)
			continue;
		slot_dir(c, k, slot, dir, sizeof dir);
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			return errno;
		if ((e = set_limits(c, k, dir)) != 0)
			return e;
	}
	c->made[slot] = true;
	return 0;
}

/* Say why the pool's cgroup for ctl cannot be had. */
static struct tcg *
refuse(struct tcg *c, int k, char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static struct tcg *
refuse(struct tcg *c, int k, char *err, size_t len, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	n = snprintf(err, len, "%s: ", tcg_opt[k]);
	if (n > 0 && (size_t)n < len) {
		va_start(ap, fmt);
		vsnprintf(err + n, len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	tcg_free(c);
	return NULL;
}

/* Is a cgroup2 mount there with ctl among its controllers? */
static bool
v2_has(const char *ctl)
{
	char	buf[512];
	FILE	*f;
	bool	 r = false;

	if ((f = fopen("/sys/fs/cgroup/cgroup.controllers", "re")) == NULL)
		return false;
	if (fgets(buf, sizeof buf, f) != NULL)
		r = strstr(buf, ctl) != NULL;
	fclose(f);
	return r;
}

struct tcg *
tcg_new(uint64_t mem, double cpus, char *err, size_t len)
{
	struct tcg	*c = xcalloc(1, sizeof *c);
	char		 mnt[PATH_MAX], dir[PATH_MAX * 2];
	int		 k, e;

	c->mem = mem;
	c->cpus = cpus;
	c->owner = getpid();
	for (k = 0; k < TCG_N; k++) {
		if ((k == TCG_MEM && mem == 0) || (k == TCG_CPU && cpus <= 0))
			continue;
		if (!cg_dir(tcg_ctl[k], dir, sizeof dir, mnt, sizeof mnt)) {
			if (v2_has(tcg_ctl[k]))
				return refuse(c, k, err, len, "cgroup v2 "
				    "alone is not supported yet (the %s "
				    "controller is only in the unified "
				    "hierarchy); run without the option",
				    tcg_ctl[k]);
			return refuse(c, k, err, len, "no %s cgroup "
			    "controller is mounted (mount | grep cgroup); "
			    "run without the option", tcg_ctl[k]);
		}
		c->h[k].home = xstrdup(dir);
		snprintf(dir, sizeof dir, "%s/pooltop.%ld", c->h[k].home,
		    (long)getpid());
		c->h[k].pool = xstrdup(dir);
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			e = errno;
			free(c->h[k].pool);
			c->h[k].pool = NULL;
			return refuse(c, k, err, len, "cannot create the "
			    "cgroup %s: %s; per-task limits need root or "
			    "write access to the pool's cgroup", dir,
			    strerror(e));
		}
		if (k == TCG_MEM && !cg_exists(dir, "memory.oom_control"))
			return refuse(c, k, err, len, "%s has no "
			    "memory.oom_control", dir);
		snprintf(c->where + strlen(c->where), sizeof c->where -
		    strlen(c->where), "%s%s", c->where[0] ? ", " : "", dir);
	}
	/* The first slot now: a cgroup that cannot be limited fails here. */
	if ((e = slot_make(c, 0)) != 0) {
		for (k = 0; k < TCG_N && c->h[k].home == NULL; k++)
			;
		return refuse(c, k < TCG_N ? k : 0, err, len, "cannot set the "
		    "limits of a task's cgroup under %s: %s", c->where,
		    strerror(e));
	}
	return c;
}

const char *
tcg_where(const struct tcg *c)
{
	return c->where;
}

void
tcg_each_pool(const struct tcg *c, void (*fn)(const char *))
{
	int	k;

	for (k = 0; k < TCG_N; k++)
		if (c->h[k].pool != NULL)
			fn(c->h[k].pool);
}

int
tcg_enter(struct tcg *c, int slot)
{
	char	dir[PATH_MAX], pid[32];
	int	k, e;

	if (slot < 0 || slot >= PT_MAX_WORKERS)
		return EINVAL;
	if (!c->made[slot] && (e = slot_make(c, slot)) != 0)
		return e;
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	for (k = 0; k < TCG_N; k++) {
		if (c->h[k].home == NULL)
			continue;
		slot_dir(c, k, slot, dir, sizeof dir);
		if ((e = put(dir, "cgroup.procs", pid)) != 0) {
			tcg_leave(c);
			return e;
		}
	}
	return 0;
}

void
tcg_leave(struct tcg *c)
{
	char	pid[32];
	int	k;

	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	for (k = 0; k < TCG_N; k++)
		if (c->h[k].home != NULL)
			(void)put(c->h[k].home, "cgroup.procs", pid);
}

bool
tcg_oom_kills(const struct tcg *c, int slot, uint64_t *n)
{
	char	dir[PATH_MAX], path[PATH_MAX + 32], buf[512], *p;
	ssize_t	r;
	int	fd;

	if (c == NULL || c->h[TCG_MEM].home == NULL)
		return false;
	slot_dir(c, TCG_MEM, slot, dir, sizeof dir);
	snprintf(path, sizeof path, "%s/memory.oom_control", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return false;
	buf[r] = '\0';
	if ((p = strstr(buf, "\noom_kill ")) == NULL)
		return false;
	*n = strtoull(p + 10, NULL, 10);
	return true;
}

bool
cg_rmpool(const char *pool)
{
	struct dirent	*d;
	DIR		*dp;
	char		 dir[PATH_MAX * 2];

	if ((dp = opendir(pool)) == NULL)
		return errno == ENOENT;
	while ((d = readdir(dp)) != NULL) {
		if (strncmp(d->d_name, "slot.", 5) != 0)
			continue;
		snprintf(dir, sizeof dir, "%s/%s", pool, d->d_name);
		(void)rmdir(dir);
	}
	closedir(dp);
	return rmdir(pool) == 0 || errno == ENOENT;
}

/* Remove the slots' cgroups and the pool's, in each hierarchy. */
void
tcg_free(struct tcg *c)
{
	int	k;

	if (c == NULL)
		return;
	for (k = 0; k < TCG_N; k++) {
		if (c->h[k].pool != NULL && c->owner == getpid())
			(void)cg_rmpool(c->h[k].pool);
		free(c->h[k].pool);
		free(c->h[k].home);
	}
	free(c);
}

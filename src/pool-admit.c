/*
 * Admission: may a task start now?  See pool-admit.h.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "pool-admit.h"
#include "util.h"

#define ADMIT_CG_LEVELS	32	/* memory cgroup and its ancestors */
#define ADMIT_READ_MAX	16384	/* bytes read of a /proc or cgroup file */
#define ADMIT_NO_LIMIT	(UINT64_C(1) << 60)	/* v1 "unlimited"
						   is near 2^63 */

static const char *const psi_names[ADMIT_PSI_N] = { "cpu", "memory", "io" };

struct admit {
	struct admit_opts	 o;
	bool			 active;
	struct admit_sample	 cur, prev;
	struct admit_verdict	 v;
	int64_t			 hold_start;	/* mono ns; 0: not holding */
	int64_t			 held_ns;	/* holds that ended */
	int64_t			 last_hold_ns;
	int64_t			 last_start;	/* mono ns of the last start */
	double			 delay;		/* seconds, --delay
						   auto moves it */
	int			 cg_version;	/* 1, 2; 0: no memory cgroup */
	char			*cg[ADMIT_CG_LEVELS];	/* the pool's first */
	int			 ncg;
	char			*psi_dir;	/* v2 cgroup with *.pressure */
	uint64_t		 fp_peak[ADMIT_FP_N];	/* a ring */
	size_t			 fp_n, fp_next;
	uint64_t		 fp;		/* from fp_peak, 0: none */
	bool			 fp_stale;	/* a peak came after fp */
	uint64_t		 fp_reserve;	/* the running tasks' growth */
	int			 fp_running;
	int64_t			 psi_at;	/* admit_psi()'s last read */
	bool			 psi_ok[ADMIT_PSI_N];
	double			 psi[ADMIT_PSI_N];
};

/* Multiply v by a GNU parallel unit letter; false if not one. */
static bool
size_unit(int c, double *v)
{
	const char	*units = "KMGTPkmgtp", *s;
	int		 i;

	if (c == '\0' || (s = strchr(units, c)) == NULL)
		return false;
	i = (int)(s - units);	/* upper case 1024-based, lower 1000 */
	*v *= pow(i < 5 ? 1024 : 1000, (double)(i % 5 + 1));
	return true;
}

/* A size: number and an optional unit (pool-admit.h). */
int
admit_parse_size(const char *s, uint64_t *out, char *err, size_t len)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || !isdigit((unsigned char)*s) || errno != 0 ||
	    (*end != '\0' && (!size_unit(*end, &v) || end[1] != '\0'))) {
		snprintf(err, len, "must be a size: a number with an optional"
		    " K, M, G, T or P (got '%.40s')", s);
		return -1;
	}
	if (!(v >= 1) || v > 9e18) {
		snprintf(err, len, "must be at least 1 byte and at most 8E"
		    " (got '%.40s')", s);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

/* A duration: "1.5", "2m30s", "1h"; "auto" after it for --delay. */
int
admit_parse_delay(const char *s, double *secs, bool *autod, char *err,
    size_t len)
{
	const char	*p = s;
	char		*end;
	double		 v, total = 0;
	size_t		 n = strlen(s);
	bool		 any = false;

	*autod = n >= 4 && strcmp(s + n - 4, "auto") == 0;
	if (*autod)
		n -= 4;
	while (p < s + n) {
		if (!isdigit((unsigned char)*p) && *p != '.')
			goto bad;
		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno != 0 || end > s + n)
			goto bad;
		p = end;
		if (p < s + n && strchr("smhd", *p) != NULL) {
			v *= *p == 'm' ? 60 : *p == 'h' ? 3600 :
			    *p == 'd' ? 86400 : 1;
			p++;
		} else if (p != s + n)
			goto bad;
		total += v;
		any = true;
	}
	if (!any && *autod) {
		snprintf(err, len, "'auto' adapts a duration given before it,"
		    " as GNU parallel's (e.g. 1sauto)");
		return -1;
	}
	if (!any)
		goto bad;
	if (total > 86400 * 365) {
		snprintf(err, len, "must be at most a year (got '%.40s')", s);
		return -1;
	}
	*secs = total;
	return 0;
bad:
	snprintf(err, len, "must be a duration: seconds, or with s, m, h, d"
	    " (2m30s), and 'auto' after it to adapt (got '%.40s')", s);
	return -1;
}

/* --load: N, N%, +N, -N (CPUs); 0 means 0.01 as in GNU parallel. */
int
admit_parse_load(const char *s, long ncpu, double *out, char *err,
    size_t len)
{
	char	*end;
	double	 v;
	int	 sign = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '+' ? 1 : -1;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || !(isdigit((unsigned char)*s) || *s == '.') ||
	    errno != 0 || (*end != '\0' && strcmp(end, "%") != 0) ||
	    (sign != 0 && *end == '%') || !(v >= 0) || v > 1e6) {
		snprintf(err, len, "must be a load: N, N%% of the CPUs, or "
		    "+N or -N CPUs (got '%.40s')", s - (sign != 0));
		return -1;
	}
	if (*end == '%')
		v = v * (double)ncpu / 100;
	else if (sign != 0)
		v = (double)ncpu + sign * v;
	if (v < 0.01 && (sign >= 0 || v > -0.005))
		v = 0.01;
	if (v < 0) {
		snprintf(err, len, "leaves no load with %ld CPUs "
		    "(got '-%.40s')", ncpu, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* --max-pressure cpu=P,memory=P,io=P */
int
admit_parse_pressure(const char *s, double psi[ADMIT_PSI_N], char *err,
    size_t len)
{
	char	*copy, *rest, *w, *eq, *end;
	double	 v, got[ADMIT_PSI_N] = { 0 };
	int	 i, r = -1;

	rest = copy = xstrdup(s);
	while ((w = strsep(&rest, ",")) != NULL) {
		if ((eq = strchr(w, '=')) == NULL) {
			snprintf(err, len, "'%.40s' is not RESOURCE=PERCENT"
			    " (cpu=20,memory=10,io=30)", w);
			goto out;
		}
		*eq++ = '\0';
		for (i = 0; i < ADMIT_PSI_N; i++)
			if (strcmp(w, psi_names[i]) == 0)
				break;
		if (i == ADMIT_PSI_N) {
			snprintf(err, len, "unknown resource '%.40s': cpu,"
			    " memory or io", w);
			goto out;
		}
		errno = 0;
		v = strtod(eq, &end);
		if (*end == '%')
			end++;
		if (end == eq || *end != '\0' || errno != 0 || !(v > 0) ||
		    v > 100) {
			snprintf(err, len, "%s: the pressure must be a percent"
			    " above 0 and at most 100 (got '%.40s')",
			    psi_names[i], eq);
			goto out;
		}
		got[i] = v;
	}
	memcpy(psi, got, sizeof got);
	r = 0;
out:
	free(copy);
	return r;
}

/* "310M": 1024-based, one decimal below 10. */
void
admit_fmt_size(char *buf, size_t len, uint64_t n)
{
	const char	*u = "BKMGTPE";
	double		 v = (double)n;

	while (v >= 1024 && u[1] != '\0') {
		v /= 1024;
		u++;
	}
	if (*u == 'B')
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else if (v < 10 && v != floor(v))
		snprintf(buf, len, "%.1f%c", v, *u);
	else
		snprintf(buf, len, "%.0f%c", v, *u);
}

bool
admit_wanted(const struct admit_opts *o)
{
	int	i;

	if (o->delay > 0 || o->load > 0 || o->memfree > 0 ||
	    o->memfree_auto || o->memsuspend > 0 || o->noswap)
		return true;
	for (i = 0; i < ADMIT_PSI_N; i++)
		if (o->pressure[i] > 0)
			return true;
	return false;
}

/* Say memory available and the bound it is under (pool-admit.h). */
void
admit_why_mem(const struct admit_sample *s, uint64_t bound, char *buf,
    size_t len)
{
	char	a[16], b[16];

	admit_fmt_size(a, sizeof a, s->mem_avail);
	admit_fmt_size(b, sizeof b, bound);
	snprintf(buf, len, "%s %s < %s",
	    s->mem_cgroup ? "cgroup memory available" : "MemAvailable", a, b);
}

/* The decision (pool-admit.h). */
void
admit_decide(const struct admit_opts *o, const struct admit_sample *s,
    const struct admit_sample *prev, bool holding, struct admit_verdict *v)
{
	uint64_t	need = o->memfree + o->memsuspend;
	double		bound;
	int		i;

	memset(v, 0, sizeof *v);
	v->hold = true;
	if (need > 0) {
		if (!s->mem_ok) {
			strlcpy(v->why, "memory available unknown",
			    sizeof v->why);
			return;
		}
		if (s->mem_avail < need) {
			admit_why_mem(s, need, v->why, sizeof v->why);
			return;
		}
	}
	if (o->noswap && prev != NULL && s->swap_ok && prev->swap_ok &&
	    s->swap_in > prev->swap_in && s->swap_out > prev->swap_out) {
		snprintf(v->why, sizeof v->why, "swapping: %llu pages in, %llu"
		    " out", (unsigned long long)(s->swap_in - prev->swap_in),
		    (unsigned long long)(s->swap_out - prev->swap_out));
		return;
	}
	for (i = 0; i < ADMIT_PSI_N; i++) {
		if (o->pressure[i] <= 0)
			continue;
		if (!s->psi_ok[i]) {
			snprintf(v->why, sizeof v->why, "%s pressure unknown",
			    psi_names[i]);
			return;
		}
		bound = holding ? o->pressure[i] * ADMIT_PSI_RESUME :
		    o->pressure[i];
		if (s->psi[i] > bound) {
			if (s->psi[i] > o->pressure[i])
				snprintf(v->why, sizeof v->why, "%s pressure "
				    "%.1f%% > %g%%", psi_names[i], s->psi[i],
				    o->pressure[i]);
			else
				snprintf(v->why, sizeof v->why, "%s pressure "
				    "%.1f%%, resumes below %g%%", psi_names[i],
				    s->psi[i], bound);
			return;
		}
	}
	if (o->load > 0) {
		if (!s->load_ok) {
			strlcpy(v->why, "load unknown", sizeof v->why);
			return;
		}
		if (s->load1 >= o->load) {
			snprintf(v->why, sizeof v->why, "load %.2f >= %g",
			    s->load1, o->load);
			return;
		}
	}
	v->hold = false;
}

/* --memfree auto, the decision (pool-admit.h). */
void
admit_fp_decide(uint64_t fp, uint64_t reserve, int running,
    uint64_t memsuspend, const struct admit_sample *s,
    struct admit_verdict *v)
{
	char		mem[PT_ADMIT_WHY], f[16], r[16];
	uint64_t	need = fp + reserve + memsuspend;

	if (fp == 0) {
		if (running > 0) {
			v->hold = true;
			strlcpy(v->why, "memfree auto: one task at a time "
			    "until one has ended (its footprint)",
			    sizeof v->why);
		}
		return;
	}
	if (!s->mem_ok) {
		v->hold = true;
		strlcpy(v->why, "memory available unknown", sizeof v->why);
		return;
	}
	if (s->mem_avail >= need)
		return;
	v->hold = true;
	admit_why_mem(s, need, mem, sizeof mem);
	admit_fmt_size(f, sizeof f, fp);
	admit_fmt_size(r, sizeof r, reserve);
	if (snprintf(v->why, sizeof v->why, "%s (footprint %s, %s more for %d"
	    " running)", mem, f, r, running) >= (int)sizeof v->why)
		v->why[sizeof v->why - 1] = '\0';	/* cut: said enough */
}

/* Compare for qsort: ascending. */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The pct percentile, nearest rank (pool-admit.h). */
uint64_t
admit_percentile(uint64_t *v, size_t n, int pct)
{
	size_t	rank;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_u64);
	rank = ((size_t)pct * n + 99) / 100;	/* ceil(pct/100 n) */
	return v[rank > 0 ? rank - 1 : 0];
}

/* --memsuspend: GNU parallel's rule (pool-admit.h). */
int
admit_mem_running(uint64_t memsuspend, uint64_t mem_avail, int n,
    int running)
{
	double	f;
	int	run;

	if (memsuspend == 0 || n <= 0)
		return n;
	if (mem_avail >= 2 * memsuspend)
		return running + 1 < n ? running + 1 : n;
	/* Below twice the size: 1 task at size, 2 at 1.5x, 4 at 1.75x ... */
	f = (double)mem_avail / (double)memsuspend;
	run = f < 1 ? 0 : (int)fmin(1 / (2 - f), (double)n);
	return run + 1 < n ? run + 1 : n;
}

bool
admit_mem_kill(uint64_t memfree, const struct admit_sample *s)
{
	return memfree > 0 && s->mem_ok && s->mem_avail < memfree / 2;
}

/* Read a small file into buf (NUL-terminated); -1 and errno. */
static int
read_small(const char *path, char *buf, size_t len)
{
	size_t	got = 0;
	ssize_t	n = 0;
	int	fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	/* A /proc file may come in several reads. */
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) != 0) {
		if (n == -1 && errno != EINTR)
			break;
		if (n > 0)
			got += (size_t)n;
	}
	e = errno;	/* the caller may say it */
	close(fd);
	errno = e;
	buf[got] = '\0';
	return n == -1 ? -1 : 0;
}

/* The number after the word key at the start of a line of buf. */
static bool
find_u64(const char *buf, const char *key, uint64_t *v)
{
	const char	*p = buf;
	size_t		 n = strlen(key);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, n) == 0 && strchr(" \t:", p[n]) != NULL &&
		    p[n] != '\0') {
			char *end;

			p += n;
			while (*p == ' ' || *p == '\t' || *p == ':')
				p++;
			errno = 0;
			*v = strtoull(p, &end, 10);
			return end != p && errno == 0;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return false;
}

/* Read a file of one number ("max" is no limit). */
static bool
read_u64(const char *dir, const char *name, uint64_t *v)
{
	char	path[PATH_MAX], buf[64], *end;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path || read_small(path, buf, sizeof buf) == -1)
		return false;
	if (strncmp(buf, "max", 3) == 0) {
		*v = UINT64_MAX;
		return true;
	}
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return end != buf && errno == 0;
}

/* "some avg10=X" of a PSI file. */
static bool
read_psi(const char *path, double *v)
{
	char	buf[512], *p;

	if (read_small(path, buf, sizeof buf) == -1 ||
	    strncmp(buf, "some ", 5) != 0 ||
	    (p = strstr(buf, "avg10=")) == NULL)
		return false;
	*v = strtod(p + 6, NULL);
	return isfinite(*v) && *v >= 0;
}

/* The PSI file of resource i: the pool's v2 cgroup's, or the system's. */
static void
psi_path(const struct admit *a, int i, char *buf, size_t len)
{
	if (a->psi_dir != NULL)
		snprintf(buf, len, "%s/%s.pressure", a->psi_dir, psi_names[i]);
	else
		snprintf(buf, len, "/proc/pressure/%s", psi_names[i]);
}

/* Memory available in the pool's memory cgroups, if one has a limit. */
static bool
cgroup_avail(const struct admit *a, uint64_t *avail)
{
	char		 stat[ADMIT_READ_MAX], path[PATH_MAX];
	uint64_t	 limit, usage, inactive, best = UINT64_MAX;
	int		 i;
	bool		 v1 = a->cg_version == 1;

	for (i = 0; i < a->ncg; i++) {
		if (!read_u64(a->cg[i], v1 ? "memory.limit_in_bytes" :
		    "memory.max", &limit) || limit >= ADMIT_NO_LIMIT)
			continue;
		if (!read_u64(a->cg[i], v1 ? "memory.usage_in_bytes" :
		    "memory.current", &usage))
			continue;
		inactive = 0;
		snprintf(path, sizeof path, "%s/memory.stat", a->cg[i]);
		if (read_small(path, stat, sizeof stat) == 0)
			(void)find_u64(stat, v1 ? "total_inactive_file" :
			    "inactive_file", &inactive);
		usage = inactive < usage ? usage - inactive : 0;
		limit = usage < limit ? limit - usage : 0;
		if (limit < best)
			best = limit;
	}
	if (best == UINT64_MAX)
		return false;
	*avail = best;
	return true;
}

/* Read memory available into s's mem_ fields (the lower of the two). */
static void
read_mem(struct admit *a, struct admit_sample *s)
{
	char		buf[ADMIT_READ_MAX];
	uint64_t	kb, cg;

	s->mem_ok = s->mem_cgroup = false;
	s->mem_avail = 0;
	if (read_small("/proc/meminfo", buf, sizeof buf) == 0 &&
	    find_u64(buf, "MemAvailable", &kb)) {
		s->mem_ok = true;
		s->mem_avail = kb * 1024;
	}
	if (cgroup_avail(a, &cg) && (!s->mem_ok || cg < s->mem_avail)) {
		s->mem_ok = s->mem_cgroup = true;
		s->mem_avail = cg;
	}
}

/* Read what the options watch. */
static void
read_machine(struct admit *a, struct admit_sample *s, int64_t now)
{
	char		buf[ADMIT_READ_MAX], path[PATH_MAX];
	int		i;

	memset(s, 0, sizeof *s);
	s->at_ns = now;
	if (a->o.load > 0 && read_small("/proc/loadavg", buf, sizeof buf) == 0)
		s->load_ok = sscanf(buf, "%lf", &s->load1) == 1;
	if (a->o.memfree > 0 || a->o.memfree_auto || a->o.memsuspend > 0)
		read_mem(a, s);
	if (a->o.noswap && read_small("/proc/vmstat", buf, sizeof buf) == 0)
		s->swap_ok = find_u64(buf, "pswpin", &s->swap_in) &&
		    find_u64(buf, "pswpout", &s->swap_out);
	for (i = 0; i < ADMIT_PSI_N; i++) {
		if (a->o.pressure[i] <= 0)
			continue;
		psi_path(a, i, path, sizeof path);
		s->psi_ok[i] = read_psi(path, &s->psi[i]);
	}
}

/* Find the pool's memory cgroup and its ancestors, and a v2 PSI dir. */
static void
find_cgroups(struct admit *a)
{
	char		 mnt[PATH_MAX], dir[PATH_MAX], *slash;
	struct stat	 st;

	if (cg_dir("memory", dir, sizeof dir, mnt, sizeof mnt))
		a->cg_version = 1;
	else if (cg_dir(NULL, dir, sizeof dir, mnt, sizeof mnt) &&
	    cg_exists(dir, "memory.max"))
		a->cg_version = 2;
	while (a->cg_version != 0 && a->ncg < ADMIT_CG_LEVELS &&
	    strlen(dir) > strlen(mnt)) {
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			a->cg[a->ncg++] = xstrdup(dir);
		if ((slash = strrchr(dir, '/')) == NULL)
			break;
		*slash = '\0';
	}
	if (cg_dir(NULL, dir, sizeof dir, mnt, sizeof mnt) &&
	    strcmp(dir, mnt) != 0 && cg_exists(dir, "cpu.pressure"))
		a->psi_dir = xstrdup(dir);
}

struct admit *
admit_new(const struct admit_opts *o, char *err, size_t len)
{
	struct admit	*a = xcalloc(1, sizeof *a);
	char		 path[PATH_MAX];
	double		 v;
	int		 i;

	a->o = *o;
	a->active = admit_wanted(o);
	a->delay = o->delay;
	find_cgroups(a);	/* for admit_oom_kills() too */
	if (!a->active)
		return a;
	for (i = 0; i < ADMIT_PSI_N; i++) {
		if (o->pressure[i] <= 0)
			continue;
		psi_path(a, i, path, sizeof path);
		errno = 0;
		if (!read_psi(path, &v)) {
			snprintf(err, len, "--max-pressure: this kernel gives "
			    "no pressure stall information (%s: %s); it needs "
			    "Linux 4.20 or later built with CONFIG_PSI, not "
			    "booted with psi=0", path, errno != 0 ?
			    strerror(errno) : "unreadable");
			admit_free(a);
			return NULL;
		}
	}
	read_machine(a, &a->cur, mono_ns());
	a->prev = a->cur;
	return a;
}

void
admit_free(struct admit *a)
{
	int	i;

	if (a == NULL)
		return;
	for (i = 0; i < a->ncg; i++)
		free(a->cg[i]);
	free(a->psi_dir);
	free(a);
}

/* Decide on a->cur; 1 when it just held, -1 when it just opened, else 0. */
static int
admit_verdict_now(struct admit *a, bool was, int64_t now)
{
	admit_decide(&a->o, &a->cur, &a->prev, was, &a->v);
	if (a->o.memfree_auto && !a->v.hold)
		admit_fp_decide(admit_fp(a), a->fp_reserve, a->fp_running,
		    a->o.memsuspend, &a->cur, &a->v);
	if (a->v.hold && !was) {
		a->hold_start = now;
		return 1;
	}
	if (!a->v.hold && was) {
		a->last_hold_ns = now - a->hold_start;
		a->held_ns += a->last_hold_ns;
		a->hold_start = 0;
		return -1;
	}
	return 0;
}

int
admit_sample(struct admit *a, int64_t now)
{
	bool	was = a->v.hold;

	if (!a->active)
		return 0;
	a->prev = a->cur;
	read_machine(a, &a->cur, now);
	return admit_verdict_now(a, was, now);
}


/* OOM kills the pool can see (pool-admit.h). */
bool
admit_oom_kills(const struct admit *a, uint64_t *n)
{
	char	buf[ADMIT_READ_MAX], path[PATH_MAX];

	if (a != NULL && a->ncg > 0) {
		snprintf(path, sizeof path, "%s/%s", a->cg[0],
		    a->cg_version == 1 ? "memory.oom_control" :
		    "memory.events");
		if (read_small(path, buf, sizeof buf) == 0 &&
		    find_u64(buf, "oom_kill", n))
			return true;
	}
	return read_small("/proc/vmstat", buf, sizeof buf) == 0 &&
	    find_u64(buf, "oom_kill", n);
}

/*
 * Before a start, only --memfree auto's answer can have changed since the
 * sample (the running tasks' reserve moves with each start), and it needs
 * memory alone: that is read afresh; load, swap and pressure stay as
 * sampled, unread.
 */
int
admit_recheck(struct admit *a, int64_t now)
{
	if (a == NULL || !a->active || !a->o.memfree_auto)
		return 0;
	read_mem(a, &a->cur);
	return admit_verdict_now(a, a->v.hold, now);
}

/*
 * Keep the peak; the footprint is computed when admission next asks for
 * it (admit_fp()): tasks end far more often than a sort is needed.
 */
void
admit_fp_add(struct admit *a, uint64_t peak)
{
	if (a == NULL || peak == 0 || !a->o.memfree_auto)
		return;
	a->fp_peak[a->fp_next] = peak;
	a->fp_next = (a->fp_next + 1) % ADMIT_FP_N;
	if (a->fp_n < ADMIT_FP_N)
		a->fp_n++;
	a->fp_stale = true;
}

/* The footprint, from the peaks kept; computed once per new peak. */
uint64_t
admit_fp(struct admit *a)
{
	uint64_t	tmp[ADMIT_FP_N];

	if (a == NULL)
		return 0;
	if (a->fp_stale) {
		memcpy(tmp, a->fp_peak, a->fp_n * sizeof *tmp);
		a->fp = (uint64_t)((double)admit_percentile(tmp, a->fp_n,
		    ADMIT_FP_PCT) * ADMIT_FP_MARGIN);
		a->fp_stale = false;
	}
	return a->fp;
}

void
admit_fp_running(struct admit *a, uint64_t reserve, int running)
{
	if (a == NULL)
		return;
	a->fp_reserve = reserve;
	a->fp_running = running;
}

bool
admit_holding(const struct admit *a)
{
	return a->v.hold;
}

const char *
admit_why(const struct admit *a)
{
	return a->v.why;
}

bool
admit_psi(struct admit *a, int64_t now, int i, double *v)
{
	char	path[PATH_MAX];
	int	k;

	if (a == NULL || i < 0 || i >= ADMIT_PSI_N)
		return false;
	/* The admission read it at its last sample: the same file. */
	if (a->active && a->cur.psi_ok[i] &&
	    now - a->cur.at_ns < ADMIT_SAMPLE_MS * 1000000LL) {
		*v = a->cur.psi[i];
		return true;
	}
	if (a->psi_at == 0 || now - a->psi_at >= ADMIT_SAMPLE_MS * 1000000LL) {
		a->psi_at = now;
		for (k = 0; k < ADMIT_PSI_N; k++) {
			psi_path(a, k, path, sizeof path);
			a->psi_ok[k] = read_psi(path, &a->psi[k]);
		}
	}
	*v = a->psi[i];
	return a->psi_ok[i];
}

const struct admit_sample *
admit_last(const struct admit *a)
{
	return &a->cur;
}

int64_t
admit_held_ns(const struct admit *a, int64_t now)
{
	return a->held_ns + (a->v.hold ? now - a->hold_start : 0);
}

int64_t
admit_hold_ns(const struct admit *a, int64_t now)
{
	return a->v.hold ? now - a->hold_start : a->last_hold_ns;
}

bool
admit_may_start(struct admit *a, int64_t now, int64_t *at)
{
	int64_t	next;

	*at = 0;
	if (a == NULL || !a->active)
		return true;
	if (a->v.hold)
		return false;
	if (a->delay > 0 && a->last_start != 0) {
		next = a->last_start + (int64_t)(a->delay * 1e9);
		if (now < next) {
			*at = next;
			return false;
		}
	}
	return true;
}

bool
admit_paced(const struct admit *a)
{
	return a != NULL && a->active && a->delay > 0;
}

void
admit_started(struct admit *a, int64_t now)
{
	if (a == NULL)
		return;
	a->last_start = now;
}

void
admit_ended(struct admit *a, bool ok)
{
	if (a == NULL || !a->o.delay_auto)
		return;
	a->delay *= ok ? ADMIT_DELAY_DOWN : ADMIT_DELAY_UP;
	if (a->delay > 86400)
		a->delay = 86400;
}

double
admit_delay(const struct admit *a)
{
	return a->delay;
}

void
admit_publish(const struct admit *a, uint32_t state, uint32_t suspended,
    const char *why, int64_t now, struct pt_shm_header *h)
{
	const struct admit_sample	*s = &a->cur;
	int				 i;

	h->admit_state = a->active ? state : PT_ADMIT_OFF;
	h->admit_watch = 0;
	h->admit_suspended = suspended;
	h->admit_held_ns = admit_held_ns(a, now);
	strlcpy(h->admit_why, a->active ? why : "", sizeof h->admit_why);
	if (!a->active)
		return;
	if (s->load_ok) {
		h->admit_watch |= PT_WATCH_LOAD;
		h->load_centi = (uint32_t)lround(fmin(s->load1 * 100, 4e9));
	}
	if (s->mem_ok) {
		h->admit_watch |= PT_WATCH_MEM |
		    (s->mem_cgroup ? PT_WATCH_MEMCG : 0);
		h->mem_avail = s->mem_avail;
	}
	if (a->o.noswap)
		h->admit_watch |= PT_WATCH_SWAP;
	if (a->o.delay > 0)
		h->admit_watch |= PT_WATCH_DELAY;
	for (i = 0; i < ADMIT_PSI_N; i++)
		if (s->psi_ok[i]) {
			h->admit_watch |= PT_WATCH_PSI_CPU << i;
			h->psi_centi[i] = (uint32_t)lround(s->psi[i] * 100);
		}
}

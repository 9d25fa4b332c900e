/*
 * The record of finished tasks (pool-model.h).  The window is a ring;
 * quantiles sort a copy of its runtimes (nearest rank, so the median is
 * the lower of the middle two, as median.h's).  The slowest tasks are a
 * small array kept sorted, longest first, the earlier task first among
 * equals.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pool-model.h"
#include "util.h"

#define ADVISE_GAIN	0.20	/* a finish time changed this much is said */

void
model_init(struct model *m, size_t keep)
{
	memset(m, 0, sizeof *m);
	m->keep = keep;
	m->cpu_known = true;
	m->max_rss_kb = -1;
}

/* Does this task count as failed (nonzero exit, timeout, or a signal)? */
static bool
model_task_failed(const struct model_task *t)
{
	return t->exitval != 0 || t->signal != 0;
}

/* Copy t into k, its command owned by k. */
static void
kept_set(struct model_kept *k, const struct model_task *t)
{
	free(k->command);
	k->t = *t;
	k->command = t->command != NULL ? xstrdup(t->command) : NULL;
	k->t.command = k->command;
}

/* Keep t among the slowest when it is. */
static void
slow_add(struct model *m, const struct model_task *t)
{
	size_t	i;
	char	*drop;

	i = m->nslow;
	if (i == MODEL_SLOWEST) {
		if (t->wall_ns <= m->slow[i - 1].t.wall_ns)
			return;
		i--;
	} else
		m->nslow++;
	drop = m->slow[i].command;
	for (; i > 0 && m->slow[i - 1].t.wall_ns < t->wall_ns; i--)
		m->slow[i] = m->slow[i - 1];
	m->slow[i].command = drop;	/* kept_set() frees it */
	kept_set(&m->slow[i], t);
}

bool
model_keeps(const struct model *m, const struct model_task *t)
{
	size_t	i;

	if (m->nslow < MODEL_SLOWEST ||
	    t->wall_ns > m->slow[MODEL_SLOWEST - 1].t.wall_ns)
		return true;
	if (!model_task_failed(t))
		return false;
	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i].signal == t->signal && (t->signal != 0 ||
		    m->groups[i].exitval == t->exitval))
			return false;
	return true;
}

/* Count a failed task in its group. */
static void
group_add(struct model *m, const struct model_task *t)
{
	struct model_failgroup	*g;
	size_t			 i;

	for (i = 0; i < m->ngroups; i++) {
		g = &m->groups[i];
		if (g->signal == t->signal &&
		    (t->signal != 0 || g->exitval == t->exitval)) {
			g->count++;
			return;
		}
	}
	m->groups = xreallocarray(m->groups, m->ngroups + 1,
	    sizeof *m->groups);
	g = &m->groups[m->ngroups++];
	memset(g, 0, sizeof *g);
	g->exitval = t->signal != 0 ? 0 : t->exitval;
	g->signal = t->signal;
	g->count = 1;
	kept_set(&g->sample, t);
}

/* Put t's numbers in the window (its command is not kept there). */
static void
window_add(struct model *m, const struct model_task *t)
{
	struct model_task	*w;

	if (m->keep == 0 || m->nwin < m->keep) {
		if (m->nwin == m->capwin) {
			m->capwin = m->capwin ? m->capwin * 2 : 64;
			if (m->keep != 0 && m->capwin > m->keep)
				m->capwin = m->keep;
			m->win = xreallocarray(m->win, m->capwin,
			    sizeof *m->win);
		}
		w = &m->win[m->nwin++];
	} else {
		w = &m->win[m->head];
		/* Not a modulo: a division each task, tens of cycles. */
		if (++m->head == m->keep)
			m->head = 0;
	}
	*w = *t;
	w->command = NULL;
}

void
model_add(struct model *m, const struct model_task *t)
{
	int64_t	end;

	window_add(m, t);
	end = t->start_ns + t->wall_ns;
	if (m->n == 0 || t->start_ns < m->first_start_ns)
		m->first_start_ns = t->start_ns;
	if (m->n == 0 || end > m->last_end_ns)
		m->last_end_ns = end;
	m->n++;
	m->sum_wall_ns += t->wall_ns;
	if (t->cpu_ns < 0)
		m->cpu_known = false;
	else
		m->sum_cpu_ns += t->cpu_ns;
	if (t->rss_kb >= 0) {
		m->rss_known = true;
		if (t->rss_kb > m->max_rss_kb)
			m->max_rss_kb = t->rss_kb;
	}
	slow_add(m, t);
	if (model_task_failed(t)) {
		m->failed++;
		group_add(m, t);
	}
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int64_t
model_quantile(const struct model *m, double q)
{
	int64_t	*v, r;
	size_t	 i, k;

	if (m->nwin == 0)
		return 0;
	v = xreallocarray(NULL, m->nwin, sizeof *v);
	for (i = 0; i < m->nwin; i++)
		v[i] = m->win[i].wall_ns;
	qsort(v, m->nwin, sizeof *v, cmp_i64);
	k = (size_t)ceil(q * (double)m->nwin);	/* the rank, 1-based */
	k = k > 0 ? k - 1 : 0;
	if (k >= m->nwin)
		k = m->nwin - 1;
	r = v[k];
	free(v);
	return r;
}

void
model_stats(const struct model *m, struct model_stats *s)
{
	memset(s, 0, sizeof *s);
	s->n = m->n;
	s->failed = m->failed;
	s->ok = m->n - m->failed;
	s->nwin = m->nwin;
	s->median_ns = model_quantile(m, 0.5);
	s->p90_ns = model_quantile(m, 0.9);
	s->max_ns = m->nslow > 0 ? m->slow[0].t.wall_ns : 0;
	s->sum_wall_ns = m->sum_wall_ns;
	s->sum_cpu_ns = m->n > 0 && m->cpu_known ? m->sum_cpu_ns : -1;
	s->max_rss_kb = m->rss_known ? m->max_rss_kb : -1;
	s->cpu_per_wall = -1;
	if (s->sum_cpu_ns >= 0 && m->sum_wall_ns > 0)
		s->cpu_per_wall = (double)m->sum_cpu_ns /
		    (double)m->sum_wall_ns;
	if (m->n == 0)
		return;
	s->first_start_ns = m->first_start_ns;
	s->span_ns = m->last_end_ns - m->first_start_ns;
	if (s->span_ns > 0)
		s->parallelism = (double)m->sum_wall_ns / (double)s->span_ns;
}

void
model_free(struct model *m)
{
	size_t	i;

	for (i = 0; i < m->nslow; i++)
		free(m->slow[i].command);
	for (i = 0; i < m->ngroups; i++)
		free(m->groups[i].sample.command);
	free(m->groups);
	free(m->win);
	model_init(m, m->keep);
}

bool
model_straggler(size_t nfinished, int64_t median_ns, int64_t elapsed_ns,
    double factor)
{
	if (factor <= 0 || nfinished < MODEL_STRAGGLER_MIN ||
	    elapsed_ns < MODEL_STRAGGLER_NS)
		return false;
	return (double)elapsed_ns > factor * (double)median_ns;
}

/* Mean wall and CPU time of the last k tasks of the window. */
static void
advise_means(const struct model *m, size_t k, double *wall, double *cpu)
{
	const struct model_task	*t;
	size_t			 i, at;
	double			 w = 0, c = 0;

	for (i = 0; i < k; i++) {
		/* the newest is just before head (or at nwin - 1) */
		at = (m->head + m->nwin - 1 - i) % m->nwin;
		t = &m->win[at];
		w += (double)t->wall_ns / 1e9;
		c += (double)t->cpu_ns / 1e9;
	}
	*wall = w / (double)k;
	*cpu = c / (double)k;
}

size_t
model_since(const struct model *m, int64_t start_ns, double *wall_s)
{
	size_t	i, k = 0;
	double	w = 0;

	for (i = 0; i < m->nwin; i++)
		if (m->win[i].start_ns >= start_ns) {
			w += (double)m->win[i].wall_ns / 1e9;
			k++;
		}
	*wall_s = k > 0 ? w / (double)k : 0;
	return k;
}

double
model_advice_rate(const struct model_advice *a, int n)
{
	double	x;

	if (a->w0 <= 0)
		return 0;
	if (a->psi_limited && n > a->workers)
		n = a->workers;		/* pressure: no more than now */
	x = (double)n / a->w0;
	if (a->cpu_rate > 0 && x > a->cpu_rate)
		x = a->cpu_rate;
	return x;
}

bool
model_advise(const struct model *m, int workers, int cores,
    int64_t remaining, int max_workers, struct model_advice *a)
{
	size_t	 k, i;
	double	 w0, x;
	int	 n, lo;

	memset(a, 0, sizeof *a);
	k = m->nwin < MODEL_ADVISE_LAST ? m->nwin : MODEL_ADVISE_LAST;
	if (k < MODEL_ADVISE_MIN || !m->cpu_known || workers < 1 ||
	    cores < 1)
		return false;
	advise_means(m, k, &a->task_wall_s, &a->task_cpu_s);
	if (a->task_wall_s <= 0)
		a->task_wall_s = 1e-6;
	a->workers = workers;
	a->cores = cores;
	a->busy_cores = (double)workers * a->task_cpu_s / a->task_wall_s;
	if (a->busy_cores > (double)workers)	/* threads: one core each */
		a->busy_cores = (double)workers;
	a->saturated = a->busy_cores >= 0.85 * (double)cores;
	w0 = a->task_wall_s;
	if (a->saturated && workers > cores)
		w0 = a->task_wall_s * (double)cores / (double)workers;
	a->w0 = w0;
	a->cpu_rate = a->task_cpu_s > 0 ? (double)cores / a->task_cpu_s : 0;
	lo = workers - MODEL_ADVISE_BELOW < 1 ? 1 :
	    workers - MODEL_ADVISE_BELOW;
	for (n = lo; n <= workers + MODEL_ADVISE_ABOVE && n <= max_workers;
	    n++) {
		i = a->nsizes++;
		a->size[i].workers = n;
		a->size[i].rate = model_advice_rate(a, n);
		a->size[i].finish_s = remaining < 0 ? -1 :
		    (double)remaining / a->size[i].rate;
		if (a->best == 0 || a->size[i].rate > 1.05 *
		    model_advice_rate(a, a->best))
			a->best = n;
	}
	/* The knee: the fewest workers that reach 95% of what the cores do. */
	if (a->cpu_rate > 0) {
		x = 0.95 * a->cpu_rate * w0;
		a->knee = x >= (double)max_workers ? max_workers :
		    (int)x + ((double)(int)x < x ? 1 : 0);
		if (a->knee < 1)
			a->knee = 1;
	}
	return true;
}

const char *
model_psi_name(int i)
{
	return i == MODEL_PSI_IO ? "io" : "memory";
}

void
model_advise_pressure(struct model_advice *a, double memory, double io)
{
	double	v[MODEL_PSI_N], x;
	size_t	i;
	int	k;

	v[MODEL_PSI_MEMORY] = memory;
	v[MODEL_PSI_IO] = io;
	a->psi_limited = false;
	for (k = 0; k < MODEL_PSI_N; k++) {
		a->psi_known[k] = v[k] >= 0;
		a->psi[k] = v[k] >= 0 ? v[k] : 0;
		if (a->psi_known[k] && v[k] > MODEL_PSI_BOUND &&
		    (!a->psi_limited || v[k] > a->psi[a->psi_limit])) {
			a->psi_limited = true;
			a->psi_limit = k;
		}
	}
	if (!a->psi_limited)
		return;
	/* The sizes above now finish no sooner (model_advice_rate()). */
	a->best = 0;
	for (i = 0; i < a->nsizes; i++) {
		x = model_advice_rate(a, a->size[i].workers);
		/* the tasks left: the finish time times the old rate */
		if (a->size[i].finish_s > 0 && x > 0)
			a->size[i].finish_s *= a->size[i].rate / x;
		a->size[i].rate = x;
		if (a->best == 0 || a->size[i].rate > 1.05 *
		    model_advice_rate(a, a->best))
			a->best = a->size[i].workers;
	}
	if (a->knee == 0 || a->knee > a->workers)
		a->knee = a->workers;
}

/* A duration in seconds as "1h02m", "3m05s", "12.5s". */
void
model_fmt_duration(char *b, size_t len, double s)
{
	long long	t;

	if (s < 0) {
		snprintf(b, len, "?");
		return;
	}
	if (s < 60) {
		snprintf(b, len, "%.1fs", s);
		return;
	}
	t = (long long)(s + 0.5);
	if (t < 3600)
		snprintf(b, len, "%lldm%02llds", t / 60, t % 60);
	else
		snprintf(b, len, "%lldh%02lldm", t / 3600, t % 3600 / 60);
}

/* The entry of the current size, or NULL. */
static const struct model_whatif *
advice_now(const struct model_advice *a, int n)
{
	size_t	i;

	for (i = 0; i < a->nsizes; i++)
		if (a->size[i].workers == n)
			return &a->size[i];
	return NULL;
}

void
model_advice_text(struct buf *b, const struct model_advice *a)
{
	char	fin[32];
	size_t	i;

	buf_printf(b, "at %d worker%s: %.3gs wall, %.3gs CPU a task; %.1f of "
	    "%d cores busy%s\n", a->workers, a->workers == 1 ? "" : "s",
	    a->task_wall_s, a->task_cpu_s, a->busy_cores, a->cores,
	    a->saturated ? " (saturated)" : "");
	buf_printf(b, "WORKERS  TASKS/S   FINISH IN\n");
	for (i = 0; i < a->nsizes; i++) {
		model_fmt_duration(fin, sizeof fin, a->size[i].finish_s);
		buf_printf(b, "%7d %8.3g %11s%s%s\n", a->size[i].workers,
		    a->size[i].rate, fin,
		    a->size[i].workers == a->workers ? "  now" : "",
		    a->size[i].workers == a->best ? "  best" : "");
	}
	if (a->psi_limited)
		buf_printf(b, "more workers stop helping: %s pressure %.1f%% > "
		    "%g%% (some avg10)\n", model_psi_name(a->psi_limit),
		    a->psi[a->psi_limit], MODEL_PSI_BOUND);
	else if (a->knee > 0)
		buf_printf(b, "more workers stop helping past %d: the %d cores "
		    "(%.3gs CPU a task) are then busy\n", a->knee, a->cores,
		    a->task_cpu_s);
	else
		buf_printf(b, "more workers keep helping: the tasks use no "
		    "measurable CPU\n");
}

/* "pressure":{...}, only when one is known (the kernel has PSI). */
static void
advice_json_psi(struct buf *b, const struct model_advice *a)
{
	int	k;

	if (!a->psi_known[MODEL_PSI_MEMORY] && !a->psi_known[MODEL_PSI_IO])
		return;
	buf_addstr(b, "\"pressure\":{");
	for (k = 0; k < MODEL_PSI_N; k++) {
		if (a->psi_known[k])
			buf_printf(b, "\"%s\":%.2f,", model_psi_name(k),
			    a->psi[k]);
		else
			buf_printf(b, "\"%s\":null,", model_psi_name(k));
	}
	buf_printf(b, "\"bound\":%g,\"limiting\":", MODEL_PSI_BOUND);
	if (a->psi_limited)
		buf_printf(b, "\"%s\"},", model_psi_name(a->psi_limit));
	else
		buf_addstr(b, "null},");
}

void
model_advice_json(struct buf *b, const struct model_advice *a)
{
	size_t	i;

	buf_printf(b, "\"workers\":%d,\"cores\":%d,\"task_wall\":%.3f,"
	    "\"task_cpu\":%.3f,\"busy_cores\":%.2f,\"saturated\":%s,"
	    "\"best\":%d,", a->workers, a->cores, a->task_wall_s,
	    a->task_cpu_s, a->busy_cores, a->saturated ? "true" : "false",
	    a->best);
	if (a->knee > 0)
		buf_printf(b, "\"knee\":%d,", a->knee);
	else
		buf_addstr(b, "\"knee\":null,");
	advice_json_psi(b, a);
	buf_addstr(b, "\"sizes\":[");
	for (i = 0; i < a->nsizes; i++) {
		buf_printf(b, "%s{\"workers\":%d,\"rate\":%.4f,\"finish_in\":",
		    i ? "," : "", a->size[i].workers, a->size[i].rate);
		if (a->size[i].finish_s < 0)
			buf_addstr(b, "null}");
		else
			buf_printf(b, "%.3f}", a->size[i].finish_s);
	}
	buf_addstr(b, "]");
}

bool
model_advice_gain(const struct model_advice *a, int *workers, double *now_s,
    double *then_s)
{
	const struct model_whatif	*now, *best;

	now = advice_now(a, a->workers);
	best = advice_now(a, a->best);
	if (now == NULL || best == NULL || now->finish_s <= 0 ||
	    best->finish_s < 0 || a->best == a->workers)
		return false;
	if (best->finish_s > now->finish_s * (1 - ADVISE_GAIN))
		return false;
	*workers = a->best;
	*now_s = now->finish_s;
	*then_s = best->finish_s;
	return true;
}

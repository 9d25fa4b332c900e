/*
 * The record of finished tasks (pool-model.h).  The window is a ring;
 * quantiles sort a copy of its runtimes (nearest rank, so the median is
 * the lower of the middle two, as median.h's).  The slowest tasks are a
 * small array kept sorted, longest first, the earlier task first among
 * equals.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pool-model.h"
#include "util.h"

void
model_init(struct model *m, size_t keep)
{
	memset(m, 0, sizeof *m);
	m->keep = keep;
	m->cpu_known = true;
	m->max_rss_kb = -1;
}

bool
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
		m->head = (m->head + 1) % m->keep;
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
	k = (size_t)(q * (double)m->nwin);	/* the rank: q * n, rounded up */
	if ((double)k < q * (double)m->nwin)
		k++;
	if (k > 0)
		k--;
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

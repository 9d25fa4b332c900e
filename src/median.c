/*
 * A running median: lo holds the lower half as a max-heap, hi the upper
 * half as a min-heap, lo never smaller than hi nor larger by more than one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "median.h"
#include "util.h"

/* Is a before b in the heap (max-heap when max)? */
static bool
before(int64_t a, int64_t b, bool max)
{
	return max ? a > b : a < b;
}

/* Push v on a heap. */
static void
heap_push(int64_t **h, size_t *n, size_t *cap, int64_t v, bool max)
{
	size_t	i, up;
	int64_t	t;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*h = xreallocarray(*h, *cap, sizeof **h);
	}
	i = (*n)++;
	(*h)[i] = v;
	while (i > 0 && before((*h)[i], (*h)[up = (i - 1) / 2], max)) {
		t = (*h)[i];
		(*h)[i] = (*h)[up];
		(*h)[up] = t;
		i = up;
	}
}

/* Pop the top of a heap (not empty). */
static int64_t
heap_pop(int64_t *h, size_t *n, bool max)
{
	int64_t	top = h[0], t;
	size_t	i = 0, c;

	h[0] = h[--*n];
	for (;;) {
		c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && before(h[c + 1], h[c], max))
			c++;
		if (!before(h[c], h[i], max))
			break;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
	return top;
}

void
median_add(struct median *m, int64_t v)
{
	if (m->nlo == 0 || v <= m->lo[0])
		heap_push(&m->lo, &m->nlo, &m->caplo, v, true);
	else
		heap_push(&m->hi, &m->nhi, &m->caphi, v, false);
	if (m->nlo > m->nhi + 1)
		heap_push(&m->hi, &m->nhi, &m->caphi,
		    heap_pop(m->lo, &m->nlo, true), false);
	else if (m->nhi > m->nlo)
		heap_push(&m->lo, &m->nlo, &m->caplo,
		    heap_pop(m->hi, &m->nhi, false), true);
}

bool
median_get(const struct median *m, int64_t *v)
{
	if (m->nlo == 0)
		return false;
	*v = m->lo[0];
	return true;
}

void
median_free(struct median *m)
{
	free(m->lo);
	free(m->hi);
	memset(m, 0, sizeof *m);
}

/*
 * A running median of int64 values (two heaps): add in O(log n), read in
 * O(1).  --timeout N% uses it for the median runtime of the tasks that
 * succeeded.
 */
#ifndef PT_MEDIAN_H
#define PT_MEDIAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct median {
	int64_t	*lo;		/* max-heap: the lower half */
	size_t	 nlo, caplo;
	int64_t	*hi;		/* min-heap: the upper half */
	size_t	 nhi, caphi;
};

void	median_add(struct median *, int64_t);
/* False with no value yet; else the median (the lower of the middle two). */
bool	median_get(const struct median *, int64_t *);
void	median_free(struct median *);	/* back to empty; zeroed is empty */

#endif

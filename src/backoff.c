/* Growing delays between tries, doubling or linear, with a ceiling. */
#include "config.h"

#include "backoff.h"

/* First, doubled for each try after the first, at most max. */
int64_t
backoff_double(int64_t first, int64_t max, int n)
{
	int64_t	delay = first;

	while (--n > 0 && delay < max)
		delay *= 2;
	return delay < max ? delay : max;
}

/* Step times n (at least once), at most max. */
int64_t
backoff_linear(int64_t step, int64_t max, int n)
{
	if (n < 1)
		n = 1;
	if (step > 0 && n > max / step)
		return max;
	return step * n < max ? step * n : max;
}

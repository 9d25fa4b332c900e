/*
 * Growing delays between tries: task retries, --init rounds, worker faults
 * and restarts of the persistent program all wait by these rules, so that
 * one place says how a delay grows and where it stops.
 */
#ifndef PT_BACKOFF_H
#define PT_BACKOFF_H

#include <stdint.h>

/* The delay before try n (n >= 1): first, doubled per try, at most max. */
int64_t	backoff_double(int64_t first, int64_t max, int n);

/* The delay before try n (n >= 1): step times n, at most max. */
int64_t	backoff_linear(int64_t step, int64_t max, int n);

#endif

/*
 * Sampling of persistent items' events: see pool-evsample.h.
 */
#include "pool-evsample.h"

void
evsample_init(struct evsample *s)
{
	s->window_ns = 0;
	s->left = EVSAMPLE_BURST;
	s->started = s->done = 0;
}

bool
evsample_take(struct evsample *s, bool done)
{
	if (s->left > 0) {
		s->left--;
		return true;
	}
	if (done)
		s->done++;
	else
		s->started++;
	return false;
}

bool
evsample_turn(struct evsample *s, int64_t now, uint64_t *started,
    uint64_t *done)
{
	bool	counted;

	if (s->window_ns == 0 && now != INT64_MAX) {
		s->window_ns = now;
		return false;
	}
	if (now != INT64_MAX && now - s->window_ns < EVSAMPLE_MS * 1000000LL)
		return false;
	counted = s->started != 0 || s->done != 0;
	*started = s->started;
	*done = s->done;
	s->window_ns = now;
	s->left = EVSAMPLE_BURST;
	s->started = s->done = 0;
	return counted;
}

/*
 * The torn-read hammer with its writer in a thread, for ThreadSanitizer,
 * which cannot see a writer in another process.  The writer publishes slot
 * copies with shm_write_slot() and appends events; the reader checks every
 * copy it gets.  TSan checks that no shared word is touched without an
 * atomic (it does not model fences: the consistency checks stand in for
 * that).  Built by `make check` with -fsanitize=thread; exits 0 when every
 * copy was consistent, 1 otherwise (TSan itself exits 66 on a report).
 */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hammer.h"
#include "shm.h"
#include "util.h"

#define EVENT_EVERY	64

static struct pt_shm	shm;
static _Atomic bool	finished;
static _Atomic uint64_t	written;
static _Atomic uint64_t	attempts;	/* reads tried by the reader */

/*
 * Wait (bounded) until the reader has tried another read: instrumented
 * copies are slow, and a writer that never pauses would starve it.
 */
static void
let_reader_in(void)
{
	uint64_t	seen = atomic_load(&attempts);
	int		spin;

	for (spin = 0; spin < 100000 && atomic_load(&attempts) == seen; spin++)
		if (spin > 100)
			sched_yield();
}

/* Rewrite the hammer slot, adding an event now and then. */
static void *
writer(void *arg)
{
	int64_t		end = mono_ns() + HAMMER_NS;
	uint64_t	c;

	for (c = 1; c <= HAMMER_ITERS; c++) {
		hammer_write(&shm, c, false);
		if (c % EVENT_EVERY == 0)
			shm_add_event(&shm, PT_EV_INFO, HAMMER_SLOT, c,
			    0, "event %llu", (unsigned long long)(c / EVENT_EVERY));
		hammer_gap(c);
		let_reader_in();
		if (c % 1024 == 0 && mono_ns() > end)
			break;
	}
	atomic_store(&written, c > HAMMER_ITERS ? HAMMER_ITERS : c);
	atomic_store(&finished, true);
	return arg;
}

/* Is the newest event the one the writer made for its number? */
static bool
event_ok(uint64_t *nevents)
{
	struct pt_shm_header	h;
	struct pt_shm_event	ev;
	char			want[32];

	if (!shm_read_header(&shm, &h) || h.event_head == 0)
		return true;
	if (!shm_read_event(&shm, h.event_head, &ev))
		return true;	/* overwritten meanwhile: fine */
	(*nevents)++;
	snprintf(want, sizeof want, "event %llu",
	    (unsigned long long)h.event_head);
	return ev.n == h.event_head &&
	    ev.task_seq == h.event_head * EVENT_EVERY &&
	    strcmp(ev.text, want) == 0;
}

int
main(void)
{
	struct pt_shm_slot	copy;
	pthread_t		t;
	char			err[256];
	uint64_t		ok = 0, gaveup = 0, bad = 0, changes = 0;
	uint64_t		last = 0, nev = 0, reads, retries;
	bool			done = false;

	if (shm_create(&shm, 2, err, sizeof err) == -1) {
		fprintf(stderr, "hammer_tsan: %s\n", err);
		return 1;
	}
	if (pthread_create(&t, NULL, writer, NULL) != 0)
		return 1;
	while (!done) {
		done = atomic_load(&finished);
		atomic_fetch_add(&attempts, 1);
		if (!shm_read_slot(&shm, HAMMER_SLOT, &copy)) {
			gaveup++;
			continue;
		}
		ok++;
		if (!hammer_consistent(&copy) || !event_ok(&nev))
			bad++;
		if (copy.task_seq != last)
			changes++;
		last = copy.task_seq;
	}
	pthread_join(t, NULL);
	shm_read_stats(&reads, &retries);
	printf("hammer_tsan: %llu writes, %llu good reads (%llu changes, "
	    "%llu events), %llu given up, %llu retries, %llu bad\n",
	    (unsigned long long)atomic_load(&written), (unsigned long long)ok,
	    (unsigned long long)changes, (unsigned long long)nev,
	    (unsigned long long)gaveup, (unsigned long long)retries,
	    (unsigned long long)bad);
	shm_close(&shm);
	return bad == 0 && changes >= 2 && last == atomic_load(&written) ?
	    0 : 1;
}

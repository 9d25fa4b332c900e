/*
 * The torn-read hammer, shared by test_shm.c (writer in a forked process)
 * and hammer_tsan.c (writer in a thread, for ThreadSanitizer).  The writer
 * rewrites one slot again and again with every field derived from one
 * counter; a reader's copy is good only if all its fields agree on it.
 */
#ifndef PT_TEST_HAMMER_H
#define PT_TEST_HAMMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shm.h"

#define HAMMER_SLOT	1
#define HAMMER_ITERS	2000000ULL	/* writes at most ... */
#define HAMMER_NS	(1500LL * 1000 * 1000)	/* ... and for at most this */

/* A byte derived from counter c. */
static inline unsigned char
hammer_byte(uint64_t c, int k)
{
	return (unsigned char)((c + (uint64_t)k) % 251 + 1);
}

/* Fill every field but seq and mbox from counter c. */
static inline void
hammer_fill(struct pt_shm_slot *s, uint64_t c)
{
	s->state = PT_SLOT_RUNNING;
	s->generation = (uint32_t)c;
	s->worker_pid = (int32_t)(c % 1000003);
	s->task_pid = (int32_t)(c % 999983);
	s->cpu_permille = (uint32_t)(c * 3);
	s->rss_bytes = c * 7;
	s->task_seq = c;
	s->progress_done = (uint32_t)(c * 5);
	s->progress_total = (uint32_t)(c * 5 + 1);
	s->task_start_real_ns = (int64_t)(c * 11);
	s->tasks_done = c * 13;
	s->tasks_failed = c * 17;
	s->cpu_ticks = c * 19;
	s->tail_len = (uint32_t)(c % (PT_TAIL_MAX - 1));
	memset(s->label, hammer_byte(c, 0), sizeof s->label - 1);
	s->label[sizeof s->label - 1] = '\0';
	memset(s->item, hammer_byte(c, 1), sizeof s->item - 1);
	s->item[sizeof s->item - 1] = '\0';
	memset(s->tail, hammer_byte(c, 2), sizeof s->tail - 1);
	s->tail[sizeof s->tail - 1] = '\0';
}

/* Write counter c: plain stores inside the seqlock, or a published copy. */
static inline void
hammer_write(struct pt_shm *shm, uint64_t c, bool plain)
{
	struct pt_shm_slot	tmp;

	if (plain) {
		shm_write_begin(&shm->slots[HAMMER_SLOT].seq);
		hammer_fill(&shm->slots[HAMMER_SLOT], c);
		shm_write_end(&shm->slots[HAMMER_SLOT].seq);
		return;
	}
	memset(&tmp, 0, sizeof tmp);
	hammer_fill(&tmp, c);
	shm_write_slot(shm, HAMMER_SLOT, &tmp);
}

/* Leave the reader a gap of varying length, as real writers do. */
static inline void
hammer_gap(uint64_t c)
{
	volatile unsigned	spin;
	unsigned		n = (unsigned)(c * 2654435761U % 512);

	for (spin = 0; spin < n; spin++)
		continue;
}

/* Is a reader's copy all of one counter (or the slot never written)? */
static inline bool
hammer_consistent(const struct pt_shm_slot *copy)
{
	static struct pt_shm_slot	want, got;
	const size_t			from = sizeof(uint32_t);
	const size_t			to = offsetof(struct pt_shm_slot, mbox);

	memset(&want, 0, sizeof want);
	if (copy->task_seq != 0) {
		hammer_fill(&want, copy->task_seq);
		want.tail[want.tail_len] = '\0';	/* as the reader does */
	}
	memcpy(&got, copy, sizeof got);
	return memcmp((char *)&got + from, (char *)&want + from, to - from) == 0;
}

#endif

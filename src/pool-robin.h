/*
 * --pipe --round-robin: the supervisor's side of the tasks that share the
 * blocks, GNU parallel's way: a few long tasks (at most -j), each reading
 * one standard input that stays open across many blocks.
 *
 * Each task has a feeder: a named pipe (0600, beside the block files in
 * their private directory) that the supervisor holds open for reading and
 * writing, so that the worker's open() of it as the task's stdin never
 * waits, and the task sees the end of its input only when the feeder
 * closes.  A feeder holds one block at a time and moves it from the block
 * file into the pipe (splice, non-blocking, from the loop) as the task
 * reads; a block is never split between tasks.  A feeder that holds none
 * is free and takes the next block; blocks go to the free feeders in turn.
 *
 * The pool owns the tasks; this module owns the feeders, their block files
 * (removed once written or given up) and their pipes (removed when the
 * task ends, robin_gone(), or at robin_free()).
 */
#ifndef PT_POOL_ROBIN_H
#define PT_POOL_ROBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct robin;

struct robin	*robin_new(struct loop *);
/* Close every feeder, remove their pipes and the blocks they held. */
void		 robin_free(struct robin *);
/*
 * A feeder for task seq, its pipe made beside the file near, that writes
 * head[0, headlen) (--header) before the first block; the pipe's path
 * (allocated, the task's stdin), or NULL and err.
 */
char		*robin_open(struct robin *, uint64_t seq, const char *near,
		    const char *head, size_t headlen, char *err, size_t errlen);
/*
 * Give the block in file path (len bytes; path is taken) to task seq's
 * feeder, or with seq 0 to the next free one; false (path not taken) when
 * there is none free.
 */
bool		 robin_deal(struct robin *, uint64_t seq, char *path,
		    uint64_t len);
/*
 * Task seq started: its stdin is open, so its feeder may close (before,
 * the pipe would go with what it holds, and the open would wait).
 */
void		 robin_started(struct robin *, uint64_t seq);
/* The feeders open and not closing: the tasks that take blocks. */
int		 robin_takers(const struct robin *);
/* Close task seq's feeder once its block is written (the pool shrinks). */
void		 robin_close(struct robin *, uint64_t seq);
/* No more blocks: every feeder closes once its block is written. */
void		 robin_end(struct robin *);
/*
 * Task seq ended: drop its feeder.  *sent: the bytes it was given (the
 * joblog's Send); the return: the bytes of a block it never got.
 */
uint64_t	 robin_gone(struct robin *, uint64_t seq, uint64_t *sent);

#endif

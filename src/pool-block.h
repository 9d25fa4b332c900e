/*
 * --pipe: standard input (or -a FILE) cut into blocks, GNU parallel's way,
 * each block written to a file of its own for one task's standard input.
 *
 * A record ends with --recend and the next starts with --recstart; a
 * block never splits a record.  By size (no -N): the buffer is filled to
 * the next multiple of the block size, the block is everything up to the
 * last record boundary in it, and the rest waits for the next block; a
 * buffer holding no boundary grows the block size by 30% and reads on.
 * With -N: blocks of N records.  At the end of the input what is left is
 * one last block, as it is (no final newline needed).  Empty input gives
 * no block.
 *
 * --regexp: recend and recstart are POSIX extended expressions (with the
 * Perl escapes of pool-columns.h), matched on bytes in the C locale,
 * newline-sensitive as Perl's /m (REG_NEWLINE); a block ends after the
 * recend of the boundary that starts last in the buffer, as GNU
 * parallel's greedy /^(.*$recend)$recstart/ finds it; with -N, input
 * not starting with a recstart has its bytes up to the first boundary as
 * a block of their own, as GNU parallel's.  --header N: the
 * first N lines are read first and written at the head of every block.
 * --rrs: a block's file holds it without recend+recstart wherever they
 * meet, without a recstart at its start and a recend at its end.
 *
 * --pipe-part: the blocks of a regular file are ranges of it, found as GNU
 * parallel finds them: a block starts where the last ended and ends at the
 * first record boundary at or after SIZE bytes on (or at the file's end).
 * Only the bytes around each boundary are read; *path is then the file
 * itself, which the caller must not remove, and *off where the block
 * starts.
 *
 * Nothing is read ahead of demand: blocks_next() reads only to make the
 * block asked for, so memory holds at most about two block sizes (or one
 * record longer than that).  A pipe is read without blocking; a block
 * file is DIR/SEQ in a private directory under $TMPDIR (or /tmp), and the
 * caller removes it (item_clear() does) when its task is done for good.
 * blocks_free() removes the directory.
 */
#ifndef PT_POOL_BLOCK_H
#define PT_POOL_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blocks;

struct block_spec {
	uint64_t	 size;		/* --block */
	const char	*recstart;	/* --recstart, or NULL */
	const char	*recend;	/* --recend, or NULL */
	size_t		 nrec;		/* -N: records a block; 0: by size */
	int		 jobs;		/* --pipe-part without a size: the
					   file in 10 blocks a worker */
	bool		 regexp;	/* --regexp: recstart and recend are
					   expressions (pool-columns.h) */
	bool		 rrs;		/* --remove-rec-sep: blocks without
					   their separators (not ranges) */
	size_t		 header;	/* --header N: the first N lines head
					   every block (not ranges) */
	bool		 header_apart;	/* ... kept apart: blocks_header() */
};

/* Owns fd; name for messages.  NULL and err if the directory fails. */
struct blocks	*blocks_new(int fd, const char *name,
		    const struct block_spec *, char *err, size_t errlen);
/* --pipe-part: fd a regular file, named path (both owned and kept). */
struct blocks	*blocks_new_part(int fd, const char *path,
		    const struct block_spec *, char *err, size_t errlen);
/* Are the blocks ranges of one file (--pipe-part)? */
bool		 blocks_ranges(const struct blocks *);
/*
 * 1: *path (allocated) holds block *seq of *len bytes; 0: nothing now
 * (poll blocks_fd(), then blocks_fill()); -1: no more blocks, or an error
 * (blocks_error()).
 */
int		 blocks_next(struct blocks *, char **path, uint64_t *seq,
		    uint64_t *off, uint64_t *len);
int		 blocks_fd(const struct blocks *);	/* -1: never blocks */
void		 blocks_fill(struct blocks *);		/* read what is ready */
const char	*blocks_error(const struct blocks *);
/* --header N with header_apart: the header read so far (len 0: none). */
const char	*blocks_header(const struct blocks *, size_t *len);
/* A warning to say (the block size grew), or NULL; the caller frees. */
char		*blocks_take_warning(struct blocks *);
void		 blocks_free(struct blocks *);
/* The default --block: 1M, as GNU parallel. */
#define BLOCK_SIZE_DEFAULT	(1024 * 1024)
#define BLOCK_SIZE_MAX		((uint64_t)INT32_MAX)

#endif

/*
 * Small helpers shared by every module: allocation that never returns NULL,
 * clocks, fd flags, whole-buffer I/O and signal names.  Nothing here knows
 * about pools.
 */
#ifndef PT_UTIL_H
#define PT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define PT_NSEC 1000000000LL
#define nitems_of(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Out of memory, these end the process (exit 255) with a line on stderr:
 * the one message any process of pooltop writes there itself (pool.h).
 */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list)
	    __attribute__((format(printf, 1, 0)));

/* Monotonic and wall clocks in nanoseconds. */
int64_t	 mono_ns(void);
int64_t	 real_ns(void);

int	 set_nonblock(int);
int	 set_cloexec(int);
/* Write all of buf, retrying on EINTR and short writes; -1 on error. */
ssize_t	 write_all(int, const void *, size_t);

/*
 * Zero a record of a few hundred bytes with plain stores.  The compiler
 * makes a memset of that size a `rep stos`, slow to start on some CPUs
 * (tens of cycles on AMD's): too much for a record reset every item.
 */
static inline void
mem_zero(void *p, size_t n)
{
	char	*c = p;
	size_t	 off;

	for (off = 0; off + 64 <= n; off += 64)
		memset(c + off, 0, 64);
	memset(c + off, 0, n - off);
}

/* A growable byte buffer. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
/* buf_extend() when the buffer is full: it grows first. */
char	*buf_grow(struct buf *, size_t);

/*
 * Append n bytes left for the caller to fill: their address.  Inline, as
 * buf_add(): a persistent pool appends a few bytes many times an item.
 */
static inline char *
buf_extend(struct buf *b, size_t n)
{
	char	*at;

	if (b->len + n + 1 > b->cap)
		return buf_grow(b, n);
	at = b->data + b->len;
	b->len += n;
	b->data[b->len] = '\0';
	return at;
}

static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	char	*at = buf_extend(b, n);

	if (n)
		memcpy(at, p, n);
}
void	 buf_addstr(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_consume(struct buf *, size_t);	/* drop n bytes
						   from the front */
/*
 * One read(2) of at most max bytes from fd, appended in place (no copy
 * through a buffer of the caller's); read's result, errno as it left it.
 */
ssize_t	 buf_read(struct buf *, int fd, size_t max);
void	 buf_free(struct buf *);

/*
 * Strings carved from 64 KiB chunks: a persistent pool takes an item and
 * frees it hundreds of thousands of times a second, and a malloc and a
 * free each cost more than the copy.  A chunk is let go (kept for reuse,
 * a few, or unmapped) when the last of its strings is freed and the arena
 * has moved on to another, so a string held long (a failed item, kept for
 * the report) holds its whole chunk: copy such a one out (xstrdup, then
 * arena_free).
 */
struct arena_chunk;
struct arena {
	struct arena_chunk	*cur;	/* strings are carved from it */
};
/* A copy of the n bytes at p (no NUL among them), NUL-terminated. */
char	*arena_strndup(struct arena *a, const char *p, size_t n);
/* Free a string of arena_strndup() (of any arena); NULL is ignored. */
void	 arena_free(char *);
/* Let the current chunk go once its strings are freed (the arena's end). */
void	 arena_release(struct arena *a);
/*
 * Chunks in use now, of every arena (a leak shows there, not in the heap);
 * the few kept for reuse are not counted.
 */
size_t	 arena_chunks(void);
/* Whole chunks freed and kept for reuse now (at most a few). */
size_t	 arena_spares(void);

/* Append n bytes to a tail of at most cap bytes, dropping the oldest. */
void	 tail_keep(char *tail, size_t *len, size_t cap, const char *, size_t);

/* Is error a shortage of descriptors, processes or memory (EAGAIN...)? */
bool	 resource_shortage(int);

/*
 * The one signal parser (--termseq, ctl kill): a number 1..NSIG-1 or a name
 * with or without SIG, any case; -1 if unknown.
 */
int	 signal_parse(const char *);

/*
 * Does a pool's own process (a worker, the keeper) ignore sig?  The
 * terminal's signals and the pool's controls (INT, QUIT, TSTP, TTIN, TTOU,
 * HUP, USR1, USR2, WINCH) are for the supervisor, which acts for the whole
 * pool: a ^C on the terminal reaches the whole foreground group, and must
 * not kill a worker or the keeper behind the supervisor's back.  A broken
 * pipe is an EPIPE they read from write(2).  Tasks and hooks get the
 * default actions back.
 */
bool	 signal_pool_ignored(int);

/* The directory for temporary files: $TMPDIR, or /tmp if unset or empty. */
const char *tmp_dir(void);

/*
 * mkdir -p: path's missing parent directories, and path itself when last,
 * each made with mode (less the umask); 0, or -1 and errno.
 */
int	mkdirs(const char *path, mode_t mode, bool last);

/* Online CPU count, at least 1. */
int	 ncpu_online(void);

/*
 * In a child of the supervisor about to exec a helper (ssh, srun, a copy):
 * a process group of its own, deathsig when its parent dies, and signals as
 * a new process has them (default actions, nothing blocked: the supervisor
 * blocks those its loop reads).
 */
void	helper_child_setup(int deathsig);

/* Format an error into err (of len bytes; NULL if len is 0); -1. */
int	 errorf(char *err, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif

/*
 * Blocks of standard input for --pipe (pool-block.h).
 *
 * buf[0, len) holds what has been read and not handed out.  Reading goes
 * in rounds, as GNU parallel's does, so that blocks end where its blocks
 * end: a round reads until len is a multiple of the block size (target)
 * or the input ends, and then at most one block (by size) or every whole
 * group of N records (-N) is cut off the front.  A round is resumed where
 * it stopped when a pipe has nothing more ready.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool-block.h"
#include "util.h"

#define PART_READ	(128 * 1024)	/* --pipe-part reads this at a time */

static void	blocks_fail(struct blocks *, const char *, int);
static ssize_t	sep_from(const struct blocks *, size_t);

struct blocks {
	int		 fd;
	int		 oflags;	/* to restore; -1: not changed */
	char		*name;
	char		*dir;		/* the block files' directory */
	char		*sep;		/* recend then recstart */
	size_t		 seplen;
	size_t		 endlen;	/* of recend: a block ends after it */
	uint64_t	 bs;		/* the block size now */
	size_t		 nrec;		/* -N; 0: by size */
	char		*buf;
	size_t		 cap, len;
	size_t		 target;	/* this round reads up to here */
	bool		 reading;	/* a round is under way */
	bool		 full;		/* ... and complete, not looked at */
	bool		 eof;
	size_t		 cut;		/* a block is buf[0, cut); 0: none */
	uint64_t	 seq;
	char		*error;
	char		*warning;
	uint64_t	 grown_from;	/* the size the warning started at */
	bool		 part;		/* --pipe-part: ranges of the file */
	uint64_t	 pos;		/* ... the next block starts here */
	uint64_t	 size;		/* ... of the file */
};

/*
 * Append str to b->sep with GNU parallel's escapes: \0 \r \n \t \' \" and
 * \\ stand for their bytes, any other backslash for itself.
 */
static void
sep_add(struct blocks *b, const char *str)
{
	static const char	 from[] = "0rnt'\"\\", to[] = "\0\r\n\t'\"\\";
	const char		*k;

	for (; *str != '\0'; str++) {
		if (str[0] == '\\' && str[1] != '\0' &&
		    (k = strchr(from, str[1])) != NULL) {
			b->sep[b->seplen++] = to[k - from];
			str++;
		} else
			b->sep[b->seplen++] = *str;
	}
}

/* The separator of records: recend then recstart, GNU parallel's defaults. */
static void
blocks_sep(struct blocks *b, const struct block_spec *spec)
{
	const char	*end = spec->recend, *start = spec->recstart;

	if (end == NULL)
		end = start == NULL ? "\n" : "";
	if (start == NULL)
		start = "";
	b->sep = xmalloc(strlen(end) + strlen(start) + 1);
	sep_add(b, end);
	b->endlen = b->seplen;
	sep_add(b, start);
}

struct blocks *
blocks_new(int fd, const char *name, const struct block_spec *spec,
    char *err, size_t errlen)
{
	struct blocks	*b;
	const char	*tmp = getenv("TMPDIR");
	char		*dir;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	dir = xasprintf("%s/pooltop-pipe.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "--pipe: cannot make a directory in %s:"
		    " %s", tmp, strerror(errno));
		free(dir);
		close(fd);
		return NULL;
	}
	b = xcalloc(1, sizeof *b);
	b->fd = fd;
	b->name = xstrdup(name);
	b->dir = dir;
	b->bs = spec->size > 0 ? spec->size : BLOCK_SIZE_DEFAULT;
	b->nrec = spec->nrec;
	blocks_sep(b, spec);
	b->oflags = fcntl(fd, F_GETFL);
	if (b->oflags != -1)
		fcntl(fd, F_SETFL, b->oflags | O_NONBLOCK);
	return b;
}

struct blocks *
blocks_new_part(int fd, const char *path, const struct block_spec *spec,
    char *err, size_t errlen)
{
	struct blocks	*b;
	struct stat	 st;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--pipe-part: %s is not a regular file",
		    path);
		close(fd);
		return NULL;
	}
	b = xcalloc(1, sizeof *b);
	b->fd = fd;
	b->oflags = -1;
	b->name = xstrdup(path);
	b->bs = spec->size > 0 ? spec->size : BLOCK_SIZE_DEFAULT;
	b->part = true;
	b->size = (uint64_t)st.st_size;
	if (spec->size == 0)	/* GNU parallel's: 10 blocks a job slot */
		b->bs = 1 + b->size / (uint64_t)(spec->jobs > 0 ?
		    spec->jobs : 1) / 10;
	blocks_sep(b, spec);
	return b;
}

bool
blocks_ranges(const struct blocks *b)
{
	return b->part;
}

/*
 * --pipe-part: the end of the block starting at b->pos: the first record
 * boundary at or after pos + size, read in 128 KiB pieces from there (as
 * GNU parallel reads them), or the file's end.
 */
static uint64_t
part_end(struct blocks *b)
{
	uint64_t	at = b->pos + b->bs;
	ssize_t		r, i;

	if (at >= b->size)
		return b->size;
	if (b->seplen == 0)
		return at;
	b->len = 0;
	for (;;) {
		if (b->cap < b->len + PART_READ) {
			b->cap = b->len + PART_READ;
			b->buf = xreallocarray(b->buf, b->cap, 1);
		}
		r = pread(b->fd, b->buf + b->len, PART_READ,
		    (off_t)(at + b->len));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			blocks_fail(b, "read", errno);
			return 0;
		}
		if (r == 0)
			return b->size;
		b->len += (size_t)r;
		if ((i = sep_from(b, 0)) != -1)
			return at + (uint64_t)i + b->endlen;
	}
}

/* --pipe-part: the next range; 1, or -1 at the end (or an error). */
static int
part_next(struct blocks *b, char **path, uint64_t *seq, uint64_t *off,
    uint64_t *len)
{
	uint64_t	end;

	if (b->pos >= b->size)
		return -1;
	end = part_end(b);
	if (b->error != NULL)
		return -1;
	if (b->len > 4 * PART_READ) {	/* a long record: give it back */
		free(b->buf);
		b->buf = NULL;
		b->cap = 0;
	}
	b->len = 0;
	*path = xstrdup(b->name);
	*off = b->pos;
	*len = end - b->pos;
	*seq = ++b->seq;
	b->pos = end;
	return 1;
}

/* Fail: no more blocks. */
static void
blocks_fail(struct blocks *b, const char *what, int error)
{
	if (b->error == NULL)
		b->error = xasprintf("%s: %s: %s", b->name, what,
		    strerror(error));
	b->eof = true;
	b->len = b->cut = 0;
}

/* The last sep in buf[0, len), or -1 (Perl's rindex). */
static ssize_t
sep_last(const struct blocks *b)
{
	const char	*p;
	size_t		 n = b->len;

	if (b->seplen == 0)
		return (ssize_t)n;
	while (n >= b->seplen) {
		p = memrchr(b->buf, b->sep[0], n - b->seplen + 1);
		if (p == NULL)
			return -1;
		if (memcmp(p, b->sep, b->seplen) == 0)
			return p - b->buf;
		n = (size_t)(p - b->buf) + b->seplen - 1;
	}
	return -1;
}

/* The first sep at or after from, or -1 (Perl's index). */
static ssize_t
sep_from(const struct blocks *b, size_t from)
{
	const char	*p;

	if (from > b->len)
		return -1;
	if (b->seplen == 0)
		return (ssize_t)from;
	p = memmem(b->buf + from, b->len - from, b->sep, b->seplen);
	return p == NULL ? -1 : p - b->buf;
}

/*
 * -N: the end of the first N records, or 0.  As GNU parallel's nindex(),
 * the search starts one byte in, and each next one byte after the last.
 */
static size_t
cut_records(const struct blocks *b)
{
	ssize_t	i = 0;
	size_t	k;

	for (k = 0; k < b->nrec; k++)
		if ((i = sep_from(b, (size_t)i + 1)) == -1)
			return 0;
	return (size_t)i + b->endlen;
}

/*
 * Read on in this round; true when it is complete (target or EOF), and
 * then the next call starts a new one.
 */
static bool
round_read(struct blocks *b)
{
	ssize_t	r;

	if (b->full) {
		b->full = false;
		return true;
	}
	if (!b->reading) {
		b->target = b->len + (size_t)(b->bs - b->len % b->bs);
		b->reading = true;
	}
	if (b->cap < b->target) {
		b->cap = b->target;
		b->buf = xreallocarray(b->buf, b->cap, 1);
	}
	while (b->len < b->target && !b->eof) {
		r = read(b->fd, b->buf + b->len, b->target - b->len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (r == -1) {
			blocks_fail(b, "read", errno);
			break;
		}
		if (r == 0)
			b->eof = true;
		b->len += (size_t)r;
	}
	b->reading = false;
	return true;
}

/* Read what is ready in this round; a round completed waits for next. */
void
blocks_fill(struct blocks *b)
{
	if (b->reading && b->error == NULL && round_read(b))
		b->full = true;
}

/* No boundary in a whole round: grow the block size by 30%, as GNU parallel. */
static void
blocks_grow(struct blocks *b)
{
	uint64_t	old = b->bs;

	b->bs = old + (old * 3 + 9) / 10 + 1;
	if (b->bs > BLOCK_SIZE_MAX)
		b->bs = BLOCK_SIZE_MAX;
	if (b->grown_from == 0)
		b->grown_from = old;
	free(b->warning);
	b->warning = xasprintf("a record is longer than %" PRIu64 " bytes:"
	    " the block size grows to %" PRIu64, b->grown_from, b->bs);
}

/* Decide the next block (b->cut); 0 for nothing yet, -1 for no more. */
static int
blocks_find(struct blocks *b)
{
	ssize_t	i;

	for (;;) {
		if (b->nrec > 0 && b->len > 0 && (b->cut = cut_records(b)) > 0)
			return 1;
		if (b->eof) {
			b->cut = b->len;
			return b->cut > 0 ? 1 : -1;
		}
		if (!round_read(b))
			return 0;
		if (b->nrec > 0 || b->eof)
			continue;
		if ((i = sep_last(b)) != -1 && i + (ssize_t)b->endlen > 0) {
			b->cut = (size_t)i + b->endlen;
			return 1;
		}
		blocks_grow(b);
	}
}

/* Write buf[0, cut) to its file and drop it from buf; NULL on error. */
static char *
blocks_write(struct blocks *b)
{
	char	*path;
	size_t	 off = 0;
	ssize_t	 w;
	int	 fd;

	path = xasprintf("%s/%" PRIu64, b->dir, ++b->seq);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		blocks_fail(b, path, errno);
		free(path);
		return NULL;
	}
	while (off < b->cut) {
		w = write(fd, b->buf + off, b->cut - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			blocks_fail(b, path, errno);
			close(fd);
			unlink(path);
			free(path);
			return NULL;
		}
		off += (size_t)w;
	}
	close(fd);
	memmove(b->buf, b->buf + b->cut, b->len - b->cut);
	b->len -= b->cut;
	b->cut = 0;
	return path;
}

int
blocks_next(struct blocks *b, char **path, uint64_t *seq, uint64_t *off,
    uint64_t *len)
{
	int	r;

	*off = 0;
	if (b->part)
		return b->error != NULL ? -1 :
		    part_next(b, path, seq, off, len);
	if (b->error != NULL)
		return -1;
	if ((r = blocks_find(b)) != 1)
		return b->error != NULL ? -1 : r;
	*len = b->cut;
	if ((*path = blocks_write(b)) == NULL)
		return -1;
	*seq = b->seq;
	return 1;
}

int
blocks_fd(const struct blocks *b)
{
	return b->part || b->eof || b->full || b->error != NULL ? -1 :
	    b->fd;
}

const char *
blocks_error(const struct blocks *b)
{
	return b->error;
}

char *
blocks_take_warning(struct blocks *b)
{
	char	*w = b->warning;

	b->warning = NULL;
	b->grown_from = 0;
	return w;
}

/* Free; the directory goes if its blocks are gone (rmdir). */
void
blocks_free(struct blocks *b)
{
	if (b == NULL)
		return;
	if (b->oflags != -1)
		fcntl(b->fd, F_SETFL, b->oflags);
	close(b->fd);
	if (b->dir != NULL)
		rmdir(b->dir);
	free(b->dir);
	free(b->name);
	free(b->sep);
	free(b->buf);
	free(b->error);
	free(b->warning);
	free(b);
}

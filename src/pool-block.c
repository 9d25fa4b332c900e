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
#include <locale.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool-block.h"
#include "pool-columns.h"
#include "util.h"

#define PART_READ	(128 * 1024)	/* --pipe-part reads this at a time */

/* A record boundary: the separator starts at start, a block ends at cut. */
struct bound {
	size_t	start, cut;
};

static void	blocks_fail(struct blocks *, const char *, int);
static bool	bound_from(const struct blocks *, size_t, struct bound *);
static bool	bound_last(const struct blocks *, struct bound *);

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
	bool		 regexp;	/* --regexp: sep is (recend)recstart */
	regex_t		 re;		/* ... compiled */
	regex_t		 re_start;	/* --rrs: recstart alone */
	regex_t		 re_end;	/* --rrs: recend at the end */
	regex_t		 re_head;	/* -N: recstart at the start */
	bool		 has_head;	/* ... compiled (a recstart given) */
	bool		 head_seen;	/* ... the input's start looked at */
	locale_t	 cloc;		/* the "C" locale: bytes, not text */
	bool		 rrs;		/* --remove-rec-sep */
	size_t		 startlen;	/* of recstart (not --regexp) */
	size_t		 hdr_lines;	/* --header N: lines still to find */
	char		*hdr;		/* ... found, each block's head */
	size_t		 hdrlen;
	bool		 hdr_apart;	/* not written into the blocks */
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

/* Compile fmt (with %s for each of a and b) in the C locale; 0 or -1. */
static int
re_make(struct blocks *b, regex_t *re, const char *fmt, const char *x,
    const char *y, char *err, size_t errlen)
{
	locale_t	 old;
	char		*src, msg[256];
	int		 r;

	src = xasprintf(fmt, x, y);
	old = uselocale(b->cloc);
	r = regcomp(re, src, REG_EXTENDED | REG_NEWLINE);
	uselocale(old);
	free(src);
	if (r == 0)
		return 0;
	regerror(r, re, msg, sizeof msg);
	snprintf(err, errlen, "--recstart/--recend (--regexp): %s", msg);
	return -1;
}

/*
 * --regexp: recend and recstart, Perl escapes rewritten (pool-columns.h),
 * in one expression whose group 1 is recend: the block is cut at its end.
 * --recend '' alone cuts anywhere, as GNU parallel's (?s:.).
 */
static int
blocks_regexp(struct blocks *b, const char *end, const char *start,
    char *err, size_t errlen)
{
	char	*e, *s, msg[256];
	int	 r = -1;

	if (*end == '\0' && *start == '\0')
		return 0;		/* no separator: cut anywhere */
	e = columns_regex(end, msg, sizeof msg);
	s = e == NULL ? NULL : columns_regex(start, msg, sizeof msg);
	if (e == NULL || s == NULL)
		snprintf(err, errlen, "--recstart/--recend (--regexp): %s",
		    msg);
	else if ((b->cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0)) ==
	    (locale_t)0)
		snprintf(err, errlen, "--regexp: newlocale: %s",
		    strerror(errno));
	else if (re_make(b, &b->re, "(%s)%s", e, s, err, errlen) == 0) {
		b->regexp = true;
		if (*start != '\0' && re_make(b, &b->re_head, "^(%s)%s", s,
		    "", err, errlen) == 0)
			b->has_head = true;
		if (*start != '\0' && !b->has_head)
			r = -1;
		else if (!b->rrs)
			r = 0;
		else if (re_make(b, &b->re_start, "%s%s", s, "", err,
		    errlen) == 0) {
			if (re_make(b, &b->re_end, "(%s)%s", e, "$", err,
			    errlen) == 0)
				r = 0;
			else
				regfree(&b->re_start);
		}
		if (r == -1) {
			regfree(&b->re);
			if (b->has_head)
				regfree(&b->re_head);
			b->has_head = false;
			b->regexp = false;
		}
	}
	free(e);
	free(s);
	return r;
}

/*
 * The separator of records: recend then recstart, GNU parallel's
 * defaults; 0, or -1 and err for a bad --regexp expression.
 */
static int
blocks_sep(struct blocks *b, const struct block_spec *spec, char *err,
    size_t errlen)
{
	const char	*end = spec->recend, *start = spec->recstart;

	if (end == NULL)
		end = start == NULL ? "\n" : "";
	if (start == NULL)
		start = "";
	b->rrs = spec->rrs;
	b->hdr_lines = spec->header;
	b->hdr_apart = spec->header_apart;
	if (spec->regexp)
		return blocks_regexp(b, end, start, err, errlen);
	b->sep = xmalloc(strlen(end) + strlen(start) + 1);
	sep_add(b, end);
	b->endlen = b->seplen;
	sep_add(b, start);
	b->startlen = b->seplen - b->endlen;
	return 0;
}

struct blocks *
blocks_new(int fd, const char *name, const struct block_spec *spec,
    char *err, size_t errlen)
{
	struct blocks	*b;
	const char	*tmp = tmp_dir();
	char		*dir;

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
	b->oflags = -1;
	if (blocks_sep(b, spec, err, errlen) == -1) {
		blocks_free(b);
		return NULL;
	}
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
	if (blocks_sep(b, spec, err, errlen) == -1) {
		blocks_free(b);
		return NULL;
	}
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
	struct bound	bd;
	ssize_t		r;

	if (at >= b->size)
		return b->size;
	if (b->seplen == 0 && !b->regexp)
		return at;
	b->len = 0;
	for (;;) {
		if (b->cap < b->len + PART_READ) {
			b->cap = b->len + PART_READ;
			b->buf = xreallocarray(b->buf, b->cap + 1, 1);
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
		/* GNU parallel: the first string, the last expression. */
		if (b->regexp ? bound_last(b, &bd) : bound_from(b, 0, &bd))
			return at + (uint64_t)bd.cut;
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
 * --regexp: the leftmost match of re in buf[from, to), bytes as they are
 * (NULs too: REG_STARTEND), what comes before from seen by ^; pm[0] and
 * pm[1] hold it.
 */
static bool
re_find(const struct blocks *b, const regex_t *re, const char *buf,
    size_t from, size_t to, regmatch_t *pm)
{
	locale_t	old;
	int		r;

	pm[0].rm_so = (regoff_t)from;
	pm[0].rm_eo = (regoff_t)to;
	/*
	 * REG_STARTEND bounds the match; a sanitizer's regexec() reads up to
	 * a NUL all the same: every buffer given here has one at or after to
	 * (bound_from(), blocks_write()).
	 */
	old = uselocale(b->cloc);
	r = regexec(re, buf, 2, pm, REG_STARTEND);
	uselocale(old);
	return r == 0;
}

/* The boundary of the fixed separator found at i (-1: none). */
static bool
bound_at(const struct blocks *b, ssize_t i, struct bound *bd)
{
	if (i == -1)
		return false;
	bd->start = (size_t)i;
	bd->cut = (size_t)i + b->endlen;
	return true;
}

/* The first boundary starting at or after from. */
static bool
bound_from(const struct blocks *b, size_t from, struct bound *bd)
{
	regmatch_t	pm[2];

	if (from > b->len)
		return false;
	if (!b->regexp)
		return bound_at(b, sep_from(b, from), bd);
	if (b->buf == NULL)
		return false;
	b->buf[b->len] = '\0';	/* the room is kept (round_read()) */
	if (!re_find(b, &b->re, b->buf, from, b->len, pm))
		return false;
	bd->start = (size_t)pm[0].rm_so;
	bd->cut = (size_t)pm[1].rm_eo;
	return true;
}

/*
 * The boundary starting last in buf (Perl's greedy /^(.*$recend)$recstart/
 * finds it): the expression is tried in windows growing back from the end,
 * each match's start one byte on, so a 1M block costs about one pass.
 */
static bool
bound_last(const struct blocks *b, struct bound *bd)
{
	struct bound	m;
	size_t		win, from;
	bool		found = false;

	if (!b->regexp)
		return bound_at(b, sep_last(b), bd);
	for (win = 256;; win *= 4) {
		from = win < b->len ? b->len - win : 0;
		while (bound_from(b, from, &m)) {
			*bd = m;
			found = true;
			from = m.start + 1;
		}
		if (found || win >= b->len)
			return found;
	}
}

/*
 * -N: the end of the first N records, or 0.  As GNU parallel's nindex(),
 * the search starts one byte in, and each next one byte after the last.
 */
static size_t
cut_records(const struct blocks *b)
{
	struct bound	bd = { 0, 0 };
	size_t		k;

	for (k = 0; k < b->nrec; k++)
		if (!bound_from(b, bd.start + 1, &bd))
			return 0;
	return bd.cut;
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
		/* One more: re_find()'s NUL after the bytes. */
		b->buf = xreallocarray(b->buf, b->cap + 1, 1);
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

/*
 * --regexp -N: input that does not start with a recstart has its bytes up
 * to the first boundary as a block of their own, as GNU parallel makes of
 * such "garbage" one record (seq 54000 80000 with --recstart 4 --recend 5
 * gives the block "5" first).  The end of that block, or 0: none (or not
 * known yet; *decided says whether it is).
 */
static size_t
cut_head(const struct blocks *b, bool *decided)
{
	regmatch_t	pm[2];
	struct bound	bd;

	*decided = false;
	if (b->buf == NULL)
		return 0;
	b->buf[b->len] = '\0';	/* the room is kept (round_read()) */
	if (re_find(b, &b->re_head, b->buf, 0, b->len, pm) &&
	    pm[0].rm_so == 0) {
		*decided = true;	/* it starts with a record */
		return 0;
	}
	if (!bound_from(b, 0, &bd))
		return 0;		/* read on, or the end decides */
	*decided = true;
	return bd.cut;
}

/* Decide the next block (b->cut); 0 for nothing yet, -1 for no more. */
static int
blocks_find(struct blocks *b)
{
	struct bound	bd;
	bool		decided;

	for (;;) {
		if (b->nrec > 0 && b->has_head && !b->head_seen && !b->part &&
		    b->len > 0) {
			b->cut = cut_head(b, &decided);
			b->head_seen = decided || b->eof;
			if (b->cut > 0)
				return 1;
		}
		if (b->nrec > 0 && b->len > 0 && (b->head_seen ||
		    !b->has_head || b->part) && (b->cut = cut_records(b)) > 0)
			return 1;
		if (b->eof) {
			b->cut = b->len;
			return b->cut > 0 ? 1 : -1;
		}
		if (!round_read(b))
			return 0;
		if (b->nrec > 0 || b->eof)
			continue;
		if (bound_last(b, &bd) && bd.cut > 0) {
			b->cut = bd.cut;
			return 1;
		}
		blocks_grow(b);
	}
}

/*
 * --header N: read until buf holds N lines, or the input ends (no header
 * then, as GNU parallel), and take them off as the head of every block;
 * false while a pipe has no more now.
 */
static bool
header_read(struct blocks *b)
{
	const char	*nl;
	size_t		 at, k;

	for (;;) {
		for (at = 0, k = 0; k < b->hdr_lines; k++) {
			if (at >= b->len)	/* nothing read yet: buf NULL */
				break;
			nl = memchr(b->buf + at, '\n', b->len - at);
			if (nl == NULL)
				break;
			at = (size_t)(nl - b->buf) + 1;
		}
		if (k == b->hdr_lines || b->eof || b->error != NULL)
			break;
		if (!round_read(b))
			return false;
	}
	if (k == b->hdr_lines) {
		b->hdr = xmalloc(at);
		memcpy(b->hdr, b->buf, at);
		b->hdrlen = at;
		memmove(b->buf, b->buf + at, b->len - at);
		b->len -= at;
	}
	b->hdr_lines = 0;
	return true;
}

/* --rrs, fixed strings: out gets in[0, n) without separators; its length. */
static size_t
rrs_fixed(const struct blocks *b, const char *in, size_t n, char *out,
    size_t *skip)
{
	const char	*p;
	size_t		 i = 0, o = 0;

	while (b->seplen > 0 && i < n &&
	    (p = memmem(in + i, n - i, b->sep, b->seplen)) != NULL) {
		memcpy(out + o, in + i, (size_t)(p - in) - i);
		o += (size_t)(p - in) - i;
		i = (size_t)(p - in) + b->seplen;
	}
	memcpy(out + o, in + i, n - i);
	o += n - i;
	*skip = 0;
	if (b->startlen > 0 && o >= b->startlen &&
	    memcmp(out, b->sep + b->endlen, b->startlen) == 0)
		*skip = b->startlen;
	if (b->endlen > 0 && o - *skip >= b->endlen &&
	    memcmp(out + o - b->endlen, b->sep, b->endlen) == 0)
		o -= b->endlen;
	return o;
}

/* --rrs --regexp: the same with the expressions. */
static size_t
rrs_regexp(const struct blocks *b, const char *in, size_t n, char *out,
    size_t *skip)
{
	regmatch_t	pm[2];
	size_t		i = 0, o = 0, so, eo;

	while (i < n && re_find(b, &b->re, in, i, n, pm)) {
		so = (size_t)pm[0].rm_so;
		eo = (size_t)pm[0].rm_eo;
		memcpy(out + o, in + i, so - i);
		o += so - i;
		if (eo == so && so < n)		/* empty: step over a byte */
			out[o++] = in[eo++];
		i = eo;
	}
	if (i < n) {
		memcpy(out + o, in + i, n - i);
		o += n - i;
	}
	out[o] = '\0';		/* for re_find(): out has n + 1 bytes */
	*skip = 0;
	if (re_find(b, &b->re_start, out, 0, o, pm) && pm[0].rm_so == 0)
		*skip = (size_t)pm[0].rm_eo;
	for (i = *skip; i <= o && re_find(b, &b->re_end, out, i, o, pm);
	    i = (size_t)pm[0].rm_so + 1)
		if ((size_t)pm[0].rm_eo == o) {
			o = (size_t)pm[0].rm_so;
			break;
		}
	return o < *skip ? *skip : o;
}

/*
 * Write the header and buf[0, cut) (--rrs: without separators) to the
 * block's file, drop it from buf; the file's name and *len its size, or
 * NULL on error.
 */
static char *
blocks_write(struct blocks *b, uint64_t *len)
{
	char	*path, *out = NULL;
	size_t	 skip = 0, n = b->cut;
	int	 fd, error = 0;

	path = xasprintf("%s/%" PRIu64, b->dir, ++b->seq);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		blocks_fail(b, path, errno);
		free(path);
		return NULL;
	}
	if (b->rrs) {
		out = xmalloc(n + 1);
		b->buf[b->len] = '\0';	/* for re_find(), after cut */
		n = b->regexp ? rrs_regexp(b, b->buf, n, out, &skip) :
		    rrs_fixed(b, b->buf, n, out, &skip);
	}
	if ((!b->hdr_apart && write_all(fd, b->hdr, b->hdrlen) == -1) ||
	    write_all(fd, (out != NULL ? out : b->buf) + skip, n - skip) == -1)
		error = errno;
	free(out);
	close(fd);
	if (error != 0) {
		blocks_fail(b, path, error);
		unlink(path);
		free(path);
		return NULL;
	}
	*len = (b->hdr_apart ? 0 : b->hdrlen) + n - skip;
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
	if (b->hdr_lines > 0 && !header_read(b))
		return b->error != NULL ? -1 : 0;
	if ((r = blocks_find(b)) != 1)
		return b->error != NULL ? -1 : r;
	if ((*path = blocks_write(b, len)) == NULL)
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

const char *
blocks_header(const struct blocks *b, size_t *len)
{
	*len = b->hdrlen;
	return b->hdr;
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
	if (b->fd != -1)
		close(b->fd);
	if (b->dir != NULL)
		rmdir(b->dir);
	free(b->dir);
	free(b->name);
	free(b->sep);
	free(b->hdr);
	if (b->regexp) {
		regfree(&b->re);
		if (b->has_head)
			regfree(&b->re_head);
		if (b->rrs) {
			regfree(&b->re_start);
			regfree(&b->re_end);
		}
	}
	if (b->cloc != (locale_t)0)
		freelocale(b->cloc);
	free(b->buf);
	free(b->error);
	free(b->warning);
	free(b);
}

/*
 * GNU parallel's joblog, written and read.
 *
 * Writing (the format and the file names: pool-joblog.h).  JobRuntime is
 * "%10.3f" of the runtime truncated to the millisecond.  Tabs in a
 * command are left as they are (Command is the last column), and the
 * reader turns the NUL bytes written for newlines back into '\n'.
 *
 * Locking.  The file is locked with a POSIX record lock (fcntl F_SETLK) on
 * the whole file, not flock(), so that F_GETLK can name the holder; such a
 * lock goes when any descriptor of the file closes, so a file this
 * process holds is never opened again (joblog_held()).
 * The lock is taken before the file is truncated, so a refused second
 * pooltop leaves the first one's joblog untouched.
 *
 * Reading.  Lines are parsed as they stream in, into a chunk of (seq, line,
 * state) records; a failed line's command is kept aside.  A full chunk is
 * sorted by seq, the last line of each seq wins, and it is folded into a
 * sorted list of runs (seqs from..to with one state), the chunk winning
 * over what earlier lines said.  So a joblog of millions of finished tasks
 * costs a few runs, not a record per line (--resume of a huge input keeps
 * the supervisor's memory flat); a chunk grows with the run list, so even
 * a fragmented joblog is read in O(n log n).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool-joblog.h"
#include "util.h"

#define JOBLOG_HEADER \
	"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\t" \
	"Signal\tCommand"

struct joblog {
	int			 fd;
	pid_t			 pid;		/* the lock's owner */
	dev_t			 dev;
	ino_t			 ino;
	LIST_ENTRY(joblog)	 entry;
};

/* Joblogs this process holds open (and locked). */
static LIST_HEAD(, joblog) open_joblogs = LIST_HEAD_INITIALIZER(open_joblogs);

#define PAST_CHUNK	8192	/* lines parsed before they are folded */

struct past_rec {
	uint64_t	 seq;
	uint32_t	 line;		/* order in the file: last one wins */
	uint32_t	 failed;
	char		*command;	/* the fails list only */
};

/* Seqs from..to, all recorded with one state. */
struct past_run {
	uint64_t	 from, to;
	uint32_t	 failed;
};

struct past_runs {
	struct past_run	*r;
	size_t		 n, cap;
};

struct joblog_past {
	struct past_rec	 *recs;		/* the chunk not yet folded */
	size_t		  n, cap;
	struct past_runs  runs;		/* sorted, disjoint */
	struct past_rec	 *fails;	/* every failed line,
					   with its command */
	size_t		  nfails, failcap;
	uint64_t	 *failed_seqs;
	char		**failed_cmds;
	size_t		  nfailed;
};

/* The joblog this process holds on this file (not a forked parent's). */
static struct joblog *
joblog_held(dev_t dev, ino_t ino)
{
	struct joblog	*j;

	LIST_FOREACH(j, &open_joblogs, entry) {
		if (j->dev == dev && j->ino == ino && j->pid == getpid())
			return j;
	}
	return NULL;
}

/* Lock the whole file for writing, or say who holds it. */
static int
joblog_lock(int fd, const char *path, char *err, size_t errlen)
{
	struct flock	fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 0;
	if (errno != EACCES && errno != EAGAIN) {
		snprintf(err, errlen, "joblog %s: cannot lock: %s", path,
		    strerror(errno));
		return -1;
	}
	/* F_SETLK left fl as it was: ask F_GETLK about the same range. */
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK &&
	    fl.l_pid > 0)
		snprintf(err, errlen, "joblog %s is in use by another pooltop "
		    "(pid %ld)", path, (long)fl.l_pid);
	else
		snprintf(err, errlen, "joblog %s is in use by another pooltop",
		    path);
	return -1;
}

/* Offset just after the last newline of a regular file, or -1. */
static off_t
joblog_whole_end(int fd, off_t size)
{
	char	chunk[4096];
	off_t	at = size;
	ssize_t	n;
	size_t	want;

	while (at > 0) {
		want = at < (off_t)sizeof chunk ? (size_t)at : sizeof chunk;
		n = pread(fd, chunk, want, at - (off_t)want);
		if (n != (ssize_t)want)
			return -1;
		while (n > 0) {
			if (chunk[n - 1] == '\n')
				return at - (off_t)want + n;
			n--;
		}
		at -= (off_t)want;
	}
	return 0;
}

/*
 * Make the file ready for appending: empty it for a fresh run, or cut a
 * partial last line left by a crash so the next line starts whole.
 * Returns whether the header is due, or -1.
 */
static int
joblog_prepare(int fd, const struct stat *st, bool keep)
{
	off_t	end;

	if (!S_ISREG(st->st_mode))
		return !keep;
	if (!keep) {
		if (ftruncate(fd, 0) == -1)
			return -1;
		return 1;
	}
	if ((end = joblog_whole_end(fd, st->st_size)) == -1)
		return -1;
	if (end != st->st_size && ftruncate(fd, end) == -1)
		return -1;
	return end == 0;
}

/*
 * The file --joblog names, in GNU parallel's spellings: "-" (and
 * /dev/stdout) is standard output and /dev/stderr standard error, *fd set
 * to the descriptor to write; "+FILE" is FILE, appended to (*append).
 */
static const char *
joblog_target(const char *arg, int *fd, bool *append)
{
	*fd = -1;
	*append = false;
	if (strcmp(arg, "-") == 0 || strcmp(arg, "/dev/stdout") == 0)
		*fd = STDOUT_FILENO;
	else if (strcmp(arg, "/dev/stderr") == 0)
		*fd = STDERR_FILENO;
	else if (arg[0] == '+') {
		*append = true;
		return arg + 1;
	}
	return arg;
}

/* fd, with st filled by fstat; else -1 and err, and fd is closed. */
static int
joblog_stat(int fd, const char *name, struct stat *st, char *err,
    size_t errlen)
{
	if (fd != -1 && fstat(fd, st) == 0)
		return fd;
	snprintf(err, errlen, "joblog %s: %s", name, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * Open the file and fstat it: never through a symbolic link, but under
 * /dev, whose links (/dev/fd/N) the system owns.
 */
static int
joblog_open_fd(const char *path, struct stat *st, char *err, size_t errlen)
{
	int	fd, flags;

	flags = O_RDWR|O_APPEND|O_CREAT|O_CLOEXEC;
	if (strncmp(path, "/dev/", 5) != 0)
		flags |= O_NOFOLLOW;
	fd = open(path, flags, 0600);
	if (fd == -1 && errno == ELOOP) {
		snprintf(err, errlen, "joblog %s is a symbolic link: refusing "
		    "to follow it", path);
		return -1;
	}
	return joblog_stat(fd, path, st, err, errlen);
}

/* Open, lock and prepare a joblog. */
struct joblog *
joblog_open(const char *arg, bool keep, char *err, size_t errlen)
{
	struct joblog	*j;
	struct stat	 st;
	const char	*path;
	bool		 append;
	int		 fd, header, std;

	path = joblog_target(arg, &std, &append);
	/* Opening a file this process has locked would unlock it on close. */
	if (std == -1 && stat(path, &st) == 0 &&
	    joblog_held(st.st_dev, st.st_ino)) {
		snprintf(err, errlen, "joblog %s is already open in this "
		    "pooltop", path);
		return NULL;
	}
	if (std != -1)	/* a copy of standard output or error */
		fd = joblog_stat(fcntl(std, F_DUPFD_CLOEXEC, 3), arg, &st,
		    err, errlen);
	else
		fd = joblog_open_fd(path, &st, err, errlen);
	if (fd == -1)
		return NULL;
	if (std == -1 && S_ISREG(st.st_mode) &&
	    joblog_lock(fd, path, err, errlen) == -1) {
		close(fd);
		return NULL;
	}
	if ((header = joblog_prepare(fd, &st, keep || append)) == -1 ||
	    (header && !append && write_all(fd, JOBLOG_HEADER "\n",
	    sizeof JOBLOG_HEADER) == -1)) {
		snprintf(err, errlen, "joblog %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	j = xcalloc(1, sizeof *j);
	j->fd = fd;
	j->pid = getpid();
	j->dev = st.st_dev;
	j->ino = st.st_ino;
	LIST_INSERT_HEAD(&open_joblogs, j, entry);
	return j;
}

/* Seconds with 3 decimals from nanoseconds, rounded (Starttime). */
void
joblog_format_start(char *out, size_t len, int64_t ns)
{
	int64_t	ms, a;

	ms = (ns >= 0 ? ns + 500000 : ns - 500000) / 1000000;
	a = ms < 0 ? -ms : ms;
	snprintf(out, len, "%s%" PRId64 ".%03d", ms < 0 ? "-" : "", a / 1000,
	    (int)(a % 1000));
}

/* "%10.3f" of a duration truncated to the millisecond (JobRuntime). */
static void
format_runtime(char *out, size_t len, int64_t ns)
{
	char	s[32];
	int64_t	ms;

	ms = ns > 0 ? ns / 1000000 : 0;
	snprintf(s, sizeof s, "%" PRId64 ".%03d", ms / 1000, (int)(ms % 1000));
	snprintf(out, len, "%10s", s);
}

/* Append one line for a finished task, with one write(2). */
int
joblog_write(struct joblog *j, const struct joblog_entry *e)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*cmd = e->command != NULL ? e->command : "";
	char		 start[32], runtime[32];
	size_t		 i, at;
	ssize_t		 r;
	int		 saved;

	joblog_format_start(start, sizeof start, e->start_real_ns);
	format_runtime(runtime, sizeof runtime, e->runtime_ns);
	buf_printf(&b, "%" PRIu64 "\t%s\t%s\t%s\t%" PRIu64 "\t%" PRIu64
	    "\t%d\t%d\t", e->seq, e->host != NULL ? e->host : ":", start,
	    runtime, e->send, e->receive, e->exitval, e->signal);
	at = b.len;
	buf_addstr(&b, cmd);
	for (i = at; i < b.len; i++) {
		if (b.data[i] == '\n')
			b.data[i] = '\0';	/* GNU parallel's way */
	}
	buf_add(&b, "\n", 1);
	r = write_all(j->fd, b.data, b.len);
	saved = errno;
	buf_free(&b);
	errno = saved;
	return r == -1 ? -1 : 0;
}

/* Close the joblog, which releases its lock. */
void
joblog_close(struct joblog *j)
{
	if (j == NULL)
		return;
	LIST_REMOVE(j, entry);
	close(j->fd);
	free(j);
}

/* Parse a decimal integer field of len bytes within [min, max]. */
static int
parse_field(const char *s, size_t len, long long min, long long max,
    long long *out)
{
	char		 tmp[32];
	const char	*errstr;

	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	if (len == 0 || len >= sizeof tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*out = strtonum(tmp, min, max, &errstr);
	return errstr == NULL ? 0 : -1;
}

/* Split a line into its 9 columns; -1 if it has fewer. */
static int
split_line(const char *line, size_t len, const char **col, size_t *collen)
{
	const char	*p = line, *end = line + len, *tab;
	int		 i;

	for (i = 0; i < 8; i++) {
		if ((tab = memchr(p, '\t', (size_t)(end - p))) == NULL)
			return -1;
		col[i] = p;
		collen[i] = (size_t)(tab - p);
		p = tab + 1;
	}
	col[8] = p;
	collen[8] = (size_t)(end - p);
	return 0;
}

/* Order records by seq, then by line. */
static int
past_rec_cmp(const void *a, const void *b)
{
	const struct past_rec	*x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return 0;
}

/* Append seqs from..to to v (sorted), merged with the last run they touch. */
static void
runs_push(struct past_runs *v, uint64_t from, uint64_t to, uint32_t failed)
{
	struct past_run	*last = v->n > 0 ? &v->r[v->n - 1] : NULL;

	if (last != NULL && last->failed == failed && last->to + 1 == from) {
		last->to = to;
		return;
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->r = xreallocarray(v->r, v->cap, sizeof *v->r);
	}
	v->r[v->n].from = from;
	v->r[v->n].to = to;
	v->r[v->n++].failed = failed;
}

/* Runs a overlaid with runs b (b wins where both have a seq), into out. */
static void
runs_overlay(struct past_runs *out, const struct past_runs *a,
    const struct past_runs *b)
{
	const struct past_run	*x, *y;
	uint64_t		 from;
	size_t			 i, j = 0;

	for (i = 0; i < a->n; i++) {
		x = &a->r[i];
		from = x->from;
		while (from <= x->to) {
			for (; j < b->n && b->r[j].to < from; j++)
				runs_push(out, b->r[j].from, b->r[j].to,
				    b->r[j].failed);
			y = j < b->n ? &b->r[j] : NULL;
			if (y == NULL || y->from > x->to) {
				runs_push(out, from, x->to, x->failed);
				break;
			}
			if (y->from > from)
				runs_push(out, from, y->from - 1, x->failed);
			from = y->to + 1;	/* y itself is pushed above */
		}
	}
	for (; j < b->n; j++)
		runs_push(out, b->r[j].from, b->r[j].to, b->r[j].failed);
}

/* Fold the chunk into the runs: the last line of each seq wins. */
static void
past_fold(struct joblog_past *jp)
{
	struct past_runs	chunk = { NULL, 0, 0 }, out = { NULL, 0, 0 };
	size_t			i;

	if (jp->n == 0)
		return;
	qsort(jp->recs, jp->n, sizeof *jp->recs, past_rec_cmp);
	for (i = 0; i < jp->n; i++) {
		if (i + 1 < jp->n && jp->recs[i + 1].seq == jp->recs[i].seq)
			continue;
		runs_push(&chunk, jp->recs[i].seq, jp->recs[i].seq,
		    jp->recs[i].failed);
	}
	jp->n = 0;
	runs_overlay(&out, &jp->runs, &chunk);
	free(jp->runs.r);
	free(chunk.r);
	jp->runs = out;
}

/*
 * Fold the last chunk, then list the seqs whose last line failed, each
 * with the command of that line (the last failed line of the seq).
 */
static void
past_finish(struct joblog_past *jp)
{
	struct past_rec	*f;
	size_t		 i;

	past_fold(jp);
	free(jp->recs);
	jp->recs = NULL;
	jp->cap = 0;
	if (jp->nfails > 1)
		qsort(jp->fails, jp->nfails, sizeof *jp->fails, past_rec_cmp);
	jp->failed_seqs = xreallocarray(NULL, jp->nfails, sizeof (uint64_t));
	jp->failed_cmds = xreallocarray(NULL, jp->nfails, sizeof (char *));
	for (i = 0; i < jp->nfails; i++) {
		f = &jp->fails[i];
		if ((i + 1 < jp->nfails && jp->fails[i + 1].seq == f->seq) ||
		    joblog_past_state(jp, f->seq) != 2) {
			free(f->command);
			continue;
		}
		jp->failed_seqs[jp->nfailed] = f->seq;
		jp->failed_cmds[jp->nfailed++] = f->command;
	}
	free(jp->fails);
	jp->fails = NULL;
	jp->nfails = 0;
}

/* Record one parsed line; -1 if it is not a joblog line. */
static int
past_add_line(struct joblog_past *jp, const char *line, size_t len,
    uint32_t lineno)
{
	const char	*col[9];
	size_t		 collen[9], i;
	long long	 seq, exitval, sig;
	struct past_rec	*r;

	if (len == 0 || (len == sizeof JOBLOG_HEADER - 1 &&
	    memcmp(line, JOBLOG_HEADER, len) == 0))
		return 0;
	if (split_line(line, len, col, collen) == -1 ||
	    parse_field(col[0], collen[0], 1, LLONG_MAX, &seq) == -1 ||
	    parse_field(col[6], collen[6], INT_MIN, INT_MAX, &exitval) == -1 ||
	    parse_field(col[7], collen[7], 0, INT_MAX, &sig) == -1)
		return -1;
	if (jp->n == jp->cap) {
		jp->cap = jp->cap ? jp->cap * 2 : 64;
		jp->recs = xreallocarray(jp->recs, jp->cap, sizeof *jp->recs);
	}
	r = &jp->recs[jp->n++];
	r->seq = (uint64_t)seq;
	r->line = lineno;
	r->failed = exitval != 0 || sig != 0;
	r->command = NULL;
	if (r->failed) {
		if (jp->nfails == jp->failcap) {
			jp->failcap = jp->failcap ? jp->failcap * 2 : 16;
			jp->fails = xreallocarray(jp->fails, jp->failcap,
			    sizeof *jp->fails);
		}
		jp->fails[jp->nfails] = *r;
		r = &jp->fails[jp->nfails++];
		r->command = xmalloc(collen[8] + 1);
		memcpy(r->command, col[8], collen[8]);
		r->command[collen[8]] = '\0';
		for (i = 0; i < collen[8]; i++) {
			if (r->command[i] == '\0')
				r->command[i] = '\n';
		}
	}
	if (jp->n >= PAST_CHUNK && jp->n >= jp->runs.n)
		past_fold(jp);
	return 0;
}

/* Feed the whole lines of b into jp and keep the rest; -1 on a bad line. */
static int
past_feed(struct joblog_past *jp, struct buf *b, uint32_t *lineno,
    const char *path, char *err, size_t errlen)
{
	char	*nl;
	size_t	 off = 0, len;

	while ((nl = memchr(b->data + off, '\n', b->len - off)) != NULL) {
		len = (size_t)(nl - (b->data + off));
		(*lineno)++;
		if (past_add_line(jp, b->data + off, len, *lineno) == -1) {
			snprintf(err, errlen, "%s:%" PRIu32 ": not a joblog "
			    "line", path, *lineno);
			return -1;
		}
		off += len + 1;
	}
	buf_consume(b, off);
	return 0;
}

/* Read fd (from offset 0 with pread) into jp. */
static int
past_read_fd(struct joblog_past *jp, int fd, const char *path, char *err,
    size_t errlen)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 chunk[65536];
	off_t		 at = 0;
	ssize_t		 n;
	uint32_t	 lineno = 0;
	int		 rc = 0;

	for (;;) {
		n = pread(fd, chunk, sizeof chunk, at);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "joblog %s: %s", path,
			    strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0)
			break;	/* what is left has no newline: ignored */
		at += n;
		buf_add(&b, chunk, (size_t)n);
		if ((rc = past_feed(jp, &b, &lineno, path, err, errlen)) != 0)
			break;
	}
	buf_free(&b);
	return rc;
}

/* Read what an earlier run recorded. */
struct joblog_past *
joblog_read(const char *arg, char *err, size_t errlen)
{
	struct joblog_past	*jp = xcalloc(1, sizeof *jp);
	struct joblog		*held;
	struct stat		 st;
	const char		*path;
	bool			 append;
	int			 fd, rc;

	held = NULL;
	path = joblog_target(arg, &fd, &append);
	if (fd == -1 && stat(path, &st) == 0)
		held = joblog_held(st.st_dev, st.st_ino);
	else if (fd != -1 || errno == ENOENT) {
		past_finish(jp);	/* standard output, or none yet */
		return jp;
	}
	if (held != NULL)
		rc = past_read_fd(jp, held->fd, path, err, errlen);
	else if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "joblog %s: %s", path, strerror(errno));
		rc = -1;
	} else {
		rc = past_read_fd(jp, fd, path, err, errlen);
		close(fd);
	}
	past_finish(jp);
	if (rc == -1) {
		joblog_past_free(jp);
		return NULL;
	}
	return jp;
}

/*
 * Could a last line without its newline be one cut short by a crash: the
 * start of the header or of a line (its Seq)?  Anything else is not a
 * joblog, and the file is not overwritten as one that records nothing.
 */
static bool
cut_short(const char *line, size_t len)
{
	if (len <= sizeof JOBLOG_HEADER - 1 &&
	    memcmp(line, JOBLOG_HEADER, len) == 0)
		return true;
	return line[0] >= '0' && line[0] <= '9';
}

/*
 * Does the joblog record a task?  It stops at the first line that does,
 * so a long joblog costs its first lines; every line before that must be
 * blank or the header.
 */
int
joblog_records(const char *arg, char *err, size_t errlen)
{
	struct joblog_past	*jp;
	const char		*path;
	FILE			*f;
	char			*line = NULL;
	size_t			 cap = 0;
	ssize_t			 n;
	uint32_t		 lineno = 0;
	bool			 append;
	int			 fd, rc = 0;

	path = joblog_target(arg, &fd, &append);
	if (fd != -1)
		return 0;	/* standard output or error: nothing to read */
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "joblog %s: %s", path, strerror(errno));
		return -1;
	}
	jp = xcalloc(1, sizeof *jp);
	while (rc == 0 && (n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (line[n - 1] != '\n' && cut_short(line, (size_t)n))
			break;		/* ignored, as joblog_read() does */
		if (line[n - 1] == '\n')
			n--;
		if (past_add_line(jp, line, (size_t)n, lineno) == -1) {
			snprintf(err, errlen, "%s:%" PRIu32 ": not a joblog "
			    "line", path, lineno);
			rc = -1;
		} else if (jp->n > 0)
			rc = 1;
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "joblog %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	joblog_past_free(jp);
	return rc;
}

/* Parse seconds with up to 9 decimals, after spaces, into ns. */
static int
parse_seconds(const char *s, size_t len, int64_t *ns)
{
	int64_t	sec = 0, frac = 0, scale = 1000000000;
	size_t	i = 0, digits = 0;

	while (i < len && s[i] == ' ')
		i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (sec > (INT64_MAX / 1000000000 - 9) / 10)
			return -1;
		sec = sec * 10 + (s[i] - '0');
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (scale > 1) {
				scale /= 10;
				frac += (s[i] - '0') * scale;
			}
			digits++;
		}
	}
	if (i != len || digits == 0)
		return -1;
	*ns = sec * 1000000000 + frac;
	return 0;
}

/* Parse one whole line into e (its command in cmd); 1 for the header. */
static int
scan_line(const char *line, size_t len, struct joblog_entry *e,
    struct buf *cmd)
{
	const char	*col[9];
	size_t		 collen[9], i;
	long long	 seq, receive, exitval, sig;
	char		 zero = '\0';

	if (len == sizeof JOBLOG_HEADER - 1 &&
	    memcmp(line, JOBLOG_HEADER, len) == 0)
		return 1;
	memset(e, 0, sizeof *e);
	if (split_line(line, len, col, collen) == -1 ||
	    parse_field(col[0], collen[0], 1, LLONG_MAX, &seq) == -1 ||
	    parse_seconds(col[2], collen[2], &e->start_real_ns) == -1 ||
	    parse_seconds(col[3], collen[3], &e->runtime_ns) == -1 ||
	    parse_field(col[5], collen[5], 0, LLONG_MAX, &receive) == -1 ||
	    parse_field(col[6], collen[6], INT_MIN, INT_MAX, &exitval) == -1 ||
	    parse_field(col[7], collen[7], 0, INT_MAX, &sig) == -1)
		return -1;
	e->seq = (uint64_t)seq;
	e->receive = (uint64_t)receive;
	e->exitval = (int)exitval;
	e->signal = (int)sig;
	cmd->len = 0;
	buf_add(cmd, col[8], collen[8]);
	buf_add(cmd, &zero, 1);
	for (i = 0; i < collen[8]; i++)
		if (cmd->data[i] == '\0')
			cmd->data[i] = '\n';
	e->command = cmd->data;
	if (collen[1] != 1 || col[1][0] != ':') {
		buf_add(cmd, col[1], collen[1]);
		buf_add(cmd, &zero, 1);
		e->command = cmd->data;
		e->host = cmd->data + collen[8] + 1;
	}
	return 0;
}

/* Read every line of a joblog in order. */
int
joblog_scan(const char *path, void (*fn)(void *, const struct joblog_entry *),
    void *arg, char *err, size_t errlen)
{
	struct joblog_entry	 e;
	struct buf		 cmd = { NULL, 0, 0 };
	FILE			*f;
	char			*line = NULL;
	size_t			 cap = 0;
	ssize_t			 n;
	uint32_t		 lineno = 0;
	int			 rc = 0, r;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "joblog %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (n == 0 || line[n - 1] != '\n')
			break;		/* cut short: ignored */
		if (n == 1)
			continue;
		if ((r = scan_line(line, (size_t)n - 1, &e, &cmd)) == -1) {
			snprintf(err, errlen, "%s:%" PRIu32 ": not a joblog "
			    "line", path, lineno);
			rc = -1;
			break;
		}
		if (r == 0)
			fn(arg, &e);
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "joblog %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	buf_free(&cmd);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* Free what joblog_read returned. */
void
joblog_past_free(struct joblog_past *jp)
{
	size_t	i;

	if (jp == NULL)
		return;
	for (i = 0; i < jp->nfails; i++)
		free(jp->fails[i].command);
	for (i = 0; i < jp->nfailed; i++)
		free(jp->failed_cmds[i]);
	free(jp->fails);
	free(jp->recs);
	free(jp->runs.r);
	free(jp->failed_seqs);
	free(jp->failed_cmds);
	free(jp);
}

/* 0 not recorded, 1 recorded ok, 2 recorded failed. */
int
joblog_past_state(const struct joblog_past *jp, uint64_t seq)
{
	const struct past_run	*r;
	size_t			 lo = 0, hi = jp->runs.n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = &jp->runs.r[mid];
		if (seq >= r->from && seq <= r->to)
			return r->failed ? 2 : 1;
		if (r->to < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Failed entries in seq order, copied for the caller to free. */
size_t
joblog_past_failed(const struct joblog_past *jp, uint64_t **seqs,
    char ***commands)
{
	size_t	i;

	*seqs = xreallocarray(NULL, jp->nfailed, sizeof **seqs);
	*commands = xreallocarray(NULL, jp->nfailed, sizeof **commands);
	for (i = 0; i < jp->nfailed; i++) {
		(*seqs)[i] = jp->failed_seqs[i];
		(*commands)[i] = xstrdup(jp->failed_cmds[i]);
	}
	return jp->nfailed;
}

/* The highest seq recorded, 0 if none. */
uint64_t
joblog_past_max_seq(const struct joblog_past *jp)
{
	return jp->runs.n == 0 ? 0 : jp->runs.r[jp->runs.n - 1].to;
}

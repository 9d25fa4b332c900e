/*
 * Task output: the bytes workers forward, held and printed the way GNU
 * parallel does.
 *
 * Each task has one spool per stream: the bytes not yet printed, tagged
 * already when --tag is on, and the offset just after their last newline.
 * A spool keeps up to SPOOL_MEM_MAX bytes in memory; beyond that (or when
 * all spools together pass OUTPUT_MEM_MAX) its memory moves to one unlinked
 * temporary file shared by the whole output, as extents, so a slow first
 * task under --keep-order cannot exhaust memory and spilling never needs
 * more than one descriptor.  Printed or dropped extents are punched out of
 * the file, and the file is emptied whenever no spool uses it.
 *
 * A task is "live" when its lines may go out as they come: --line-buffer,
 * and with --keep-order only the lowest unfinished seq.  A live task prints
 * the complete lines of its spool at once; everything else is printed when
 * the task ends (group mode) or when its turn comes (keep-order).
 *
 * Decisions.  A last line without its newline is printed as it is, as GNU
 * parallel does, in line-buffer mode too (where another task's next line
 * may then continue it): a task's bytes are never changed.  When an
 * attempt will be retried, group mode drops its output and line-buffer
 * mode keeps it (its lines may be printed already).  With
 * --results, DIR and DIR/<seq> (or GNU parallel's DIR/1/ITEM, with
 * --results-layout gnu, and its seq file in place of item) are made with
 * mode 0777 and the files with 0666, less the umask, like GNU parallel
 * and shell redirections; DIR must not be a symbolic link, nor any
 * DIR/<seq> or file in it.  item holds the item's bytes exactly, with no
 * newline added.  A retried task's results
 * files are rewritten by the next attempt.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/tree.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool-output.h"
#include "pool-record.h"
#include "util.h"

#define SPOOL_MEM_MAX	(1024 * 1024)
#define OUTPUT_MEM_MAX	(32 * 1024 * 1024)
#define PENDING_MAX	(64 * 1024)	/* gathered before one write(2) */
#define SPARE_MAX	1024	/* task records kept for reuse */
#define SPOOL_KEEP	4096	/* a spool buffer kept for reuse, at most */

static const char *const res_names[2] = { "stdout", "stderr" };

struct extent {
	off_t	off;
	size_t	len;
};

struct spool {
	struct extent	*ext;		/* in the spill file, oldest first */
	size_t		 first, next, cap;
	struct buf	 mem;		/* after the extents */
	size_t		 len;		/* bytes held in all */
	size_t		 complete;	/* bytes up to the last newline */
};

enum otask_state { OT_RUNNING, OT_ENDED };

struct otask {
	RB_ENTRY(otask)	 entry;
	uint64_t	 seq;
	enum otask_state state;
	char		*tag;		/* "item\t", with --tag */
	size_t		 taglen;
	bool		 line_start[2];
	struct spool	 sp[2];		/* stdout, stderr */
	int		 resfd[2];
	struct buf	 rec[2];	/* FILE.csv: stdout, stderr held */
	char		**args;		/* FILE.csv: its V1 ... Vn */
	size_t		 nargs;
	bool		 copy;		/* --speculate: the second copy's,
					   held apart (output_copy_start) */
	struct otask	*next_spare;	/* in output's spare list */
};
RB_HEAD(otasks, otask);

struct seqrange {
	uint64_t	lo, hi;
};

struct output {
	bool		 tag, keep_order, line_buffer;
	bool		 ungroup;	/* bytes go out as they come */
	int		 fd[2];
	bool		 dead[2];	/* a write failed: stop writing */
	struct buf	 pend[2];	/* printed, not yet written:
					   see output_flush */
	char		*results;
	int		 resdir;
	bool		 results_gnu;	/* DIR/1/ITEM/, not DIR/SEQ/ */
	enum record_kind record;	/* --results FILE.csv: its kind */
	int		 recfd;		/* FILE, or -1 (-.csv: stdout) */
	bool		 header_done;	/* FILE's header line is written */
	bool		 named;		/* --header: keys name V1 ... Vn */
	const char *const *keys;	/* its levels' names (opts.h) */
	size_t		 nkeys;

	struct otasks	 tasks;
	struct otask	*last;		/* task_find()'s last answer, or NULL */
	struct otask	*loose;		/* the newest record, not in tasks yet
					   (then last too): see task_find() */
	uint64_t	 max_seq;	/* the highest seq task_find() made */
	struct otask	*spare;		/* freed records, their buffers kept */
	size_t		 nspare;
	uint64_t	 next_seq;	/* keep-order: next to print */
	struct seqrange	*skips;		/* sorted, disjoint, > next_seq */
	size_t		 nskips;

	int		 spill_fd;
	bool		 spill_broken;
	off_t		 spill_end;
	size_t		 spilled;	/* live bytes in the spill file */
	size_t		 mem;		/* bytes held in memory */

	char		 error[256];
	int		 error_errno;	/* of a failed stdout/stderr write */
};

/* Order tasks by seq, a task's copy after it. */
static int
otask_cmp(struct otask *a, struct otask *b)
{
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if (a->copy != b->copy)
		return a->copy ? 1 : -1;
	return 0;
}
/* libbsd leaves __unused undefined, so RB_GENERATE_STATIC cannot be used. */
RB_GENERATE_INTERNAL(otasks, otask, entry, otask_cmp,
    __attribute__((__unused__)) static)

/* Remember the first error. */
static void
output_fail(struct output *o, const char *what, const char *name)
{
	if (o->error[0] == '\0')
		snprintf(o->error, sizeof o->error, "%s%s: %s", what, name,
		    strerror(errno));
}

/* Create the spill file: unlinked, in $TMPDIR (tmp_dir()). */
static int
spill_open(struct output *o)
{
	const char	*dir = tmp_dir();
	char		*path;
	int		 fd;

	fd = open(dir, O_TMPFILE|O_RDWR|O_CLOEXEC, 0600);
	if (fd == -1) {
		path = xasprintf("%s/pooltop-out.XXXXXX", dir);
		if ((fd = mkostemp(path, O_CLOEXEC)) != -1)
			unlink(path);
		free(path);
	}
	if (fd == -1) {
		o->spill_broken = true;
		return -1;
	}
	o->spill_fd = fd;
	return 0;
}

/* Give an extent's disk space back. */
static void
spill_release(struct output *o, off_t off, size_t len)
{
	o->spilled -= len;
	if (o->spilled == 0) {
		if (ftruncate(o->spill_fd, 0) == 0)
			o->spill_end = 0;
		return;
	}
	(void)fallocate(o->spill_fd, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE,
	    off, (off_t)len);
}

/* Move a spool's memory to the spill file, if it can be. */
static void
spool_spill(struct output *o, struct spool *sp)
{
	struct extent	*last;
	size_t		 n = sp->mem.len;

	if (n == 0 || o->spill_broken || (o->spill_fd == -1 &&
	    spill_open(o) == -1))
		return;
	if (pwrite(o->spill_fd, sp->mem.data, n, o->spill_end) != (ssize_t)n)
		return;		/* keep it in memory */
	last = sp->next > sp->first ? &sp->ext[sp->next - 1] : NULL;
	if (last != NULL && last->off + (off_t)last->len == o->spill_end)
		last->len += n;
	else {
		if (sp->next == sp->cap) {
			sp->cap = sp->cap ? sp->cap * 2 : 8;
			sp->ext = xreallocarray(sp->ext, sp->cap,
			    sizeof *sp->ext);
		}
		sp->ext[sp->next].off = o->spill_end;
		sp->ext[sp->next++].len = n;
	}
	o->spill_end += (off_t)n;
	o->spilled += n;
	o->mem -= n;
	buf_free(&sp->mem);
}

/* Append bytes to a spool, spilling when it grows too big. */
static void
spool_append(struct output *o, struct spool *sp, const char *p, size_t n)
{
	buf_add(&sp->mem, p, n);
	sp->len += n;
	o->mem += n;
	if (sp->mem.len > SPOOL_MEM_MAX || o->mem > OUTPUT_MEM_MAX)
		spool_spill(o, sp);
}

/* Write to stream s now; a failure stops the stream for good. */
static void
stream_write(struct output *o, int s, const char *p, size_t n)
{
	if (write_all(o->fd[s], p, n) == -1) {
		if (o->error[0] == '\0')
			o->error_errno = errno;
		output_fail(o, s == 0 ? "writing task output" :
		    "writing task error output", "");
		o->dead[s] = true;
	}
}

/* Write what stream s has gathered, unless it has failed. */
static void
pend_flush(struct output *o, int s)
{
	struct buf	*b = &o->pend[s];

	if (b->len == 0)
		return;
	if (!o->dead[s])
		stream_write(o, s, b->data, b->len);
	b->len = 0;
}

/*
 * Print to a task stream's destination.  Bytes are gathered and written
 * by output_flush(), which the pool calls once per turn of its loop before
 * it sleeps, so that a turn that ends many small tasks costs one write(2)
 * rather than one per task; more than PENDING_MAX goes out at once.  The
 * other stream's gathered bytes go first, so the two streams still reach a
 * shared destination (2>&1) in the order they were printed.
 */
static void
output_write(struct output *o, int s, const char *p, size_t n)
{
	if (o->dead[s] || n == 0)
		return;
	pend_flush(o, 1 - s);		/* keep the order of 2>&1 */
	if (o->pend[s].len + n > PENDING_MAX)
		pend_flush(o, s);
	if (n >= PENDING_MAX) {
		stream_write(o, s, p, n);
		return;
	}
	buf_add(&o->pend[s], p, n);
}

/* Write everything gathered; output_error() tells whether it failed. */
void
output_flush(struct output *o)
{
	if (o == NULL)
		return;
	pend_flush(o, 0);
	pend_flush(o, 1);
}

/* Print the first n bytes of the spool's extents, consuming them. */
static size_t
spool_emit_extents(struct output *o, struct spool *sp, int s, size_t n)
{
	char		 chunk[65536];
	struct extent	*e;
	size_t		 done = 0, k;
	ssize_t		 r;

	while (done < n && sp->first < sp->next) {
		e = &sp->ext[sp->first];
		k = n - done < e->len ? n - done : e->len;
		if (k > sizeof chunk)
			k = sizeof chunk;
		r = pread(o->spill_fd, chunk, k, e->off);
		if (r <= 0) {
			output_fail(o, "output spill file", "");
			r = (ssize_t)k;	/* lose it, but move on */
		} else
			output_write(o, s, chunk, (size_t)r);
		spill_release(o, e->off, (size_t)r);
		e->off += r;
		e->len -= (size_t)r;
		done += (size_t)r;
		if (e->len == 0)
			sp->first++;
	}
	if (sp->first == sp->next)
		sp->first = sp->next = 0;
	return done;
}

/* Print and consume the first n bytes of a spool. */
static void
spool_emit(struct output *o, struct spool *sp, int s, size_t n)
{
	size_t	k;

	k = spool_emit_extents(o, sp, s, n);
	sp->len -= k;
	n -= k;
	if (n > sp->mem.len)
		n = sp->mem.len;
	output_write(o, s, sp->mem.data, n);
	buf_consume(&sp->mem, n);
	o->mem -= n;
	sp->len -= n;
	sp->complete = sp->complete > k + n ? sp->complete - k - n : 0;
	if (sp->len == 0 && sp->mem.cap > SPOOL_KEEP)
		buf_free(&sp->mem);
}

/*
 * Forget everything a spool holds; its memory buffer stays, empty, when
 * it is small (one allocation less for the next task of a busy pool).
 */
static void
spool_drop(struct output *o, struct spool *sp)
{
	struct buf	mem = sp->mem;
	size_t		i;

	for (i = sp->first; i < sp->next; i++)
		spill_release(o, sp->ext[i].off, sp->ext[i].len);
	free(sp->ext);
	o->mem -= mem.len;
	memset(sp, 0, sizeof *sp);
	if (mem.cap > SPOOL_KEEP)
		buf_free(&mem);
	else if (mem.data != NULL) {
		mem.len = 0;
		mem.data[0] = '\0';
		sp->mem = mem;
	}
}

/* Add task bytes to a spool, tagging each line with --tag. */
static void
task_put(struct output *o, struct otask *t, int s, const char *p, size_t n)
{
	struct spool	*sp = &t->sp[s];
	const char	*nl;
	size_t		 k;

	if (t->tag == NULL) {
		spool_append(o, sp, p, n);
		if ((nl = memrchr(p, '\n', n)) != NULL)
			sp->complete = sp->len - n + (size_t)(nl - p) + 1;
		return;
	}
	while (n > 0) {
		if (t->line_start[s])
			spool_append(o, sp, t->tag, t->taglen);
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		spool_append(o, sp, p, k);
		t->line_start[s] = nl != NULL;
		if (nl != NULL)
			sp->complete = sp->len;
		p += k;
		n -= k;
	}
}

/* Print all a task holds, a last line without its newline as it is. */
static void
task_emit_all(struct output *o, struct otask *t)
{
	int	s;

	for (s = 0; s < 2; s++) {
		spool_emit(o, &t->sp[s], s, t->sp[s].len);
		t->line_start[s] = true;
	}
}

/* Print the complete lines a live task holds. */
static void
task_emit_lines(struct output *o, struct otask *t)
{
	int	s;

	for (s = 0; s < 2; s++) {
		if (t->sp[s].complete != 0)
			spool_emit(o, &t->sp[s], s, t->sp[s].complete);
	}
}

/* May this task print its lines as they come? */
static bool
task_live(const struct output *o, const struct otask *t)
{
	return o->line_buffer && t->state == OT_RUNNING &&
	    (!o->keep_order || t->seq == o->next_seq);
}

/* Close a task's results files. */
static void
task_close_results(struct otask *t)
{
	int	s;

	for (s = 0; s < 2; s++) {
		if (t->resfd[s] != -1)
			close(t->resfd[s]);
		t->resfd[s] = -1;
	}
}

/* Forget the output a task's record holds. */
static void
task_forget_rec(struct otask *t)
{
	buf_free(&t->rec[0]);
	buf_free(&t->rec[1]);
}

/* Forget a task's record arguments. */
static void
task_forget_args(struct otask *t)
{
	size_t	i;

	for (i = 0; i < t->nargs; i++)
		free(t->args[i]);
	free(t->args);
	t->args = NULL;
	t->nargs = 0;
}

/* Free a task record for good, with its buffers. */
static void
otask_release(struct otask *t)
{
	buf_free(&t->sp[0].mem);
	buf_free(&t->sp[1].mem);
	free(t);
}

/*
 * Forget a task.  Its record goes to the spare list, its spools' small
 * buffers with it: at hundreds of thousands of persistent items a second
 * a calloc and a free per item, and per spool, cost more than the item.
 */
static void
otask_free(struct output *o, struct otask *t)
{
	struct spool	sp[2];

	if (o->loose == t)
		o->loose = NULL;
	else
		RB_REMOVE(otasks, &o->tasks, t);
	task_forget_rec(t);
	task_forget_args(t);
	if (o->last == t)
		o->last = NULL;
	spool_drop(o, &t->sp[0]);
	spool_drop(o, &t->sp[1]);
	task_close_results(t);
	free(t->tag);
	if (o->nspare >= SPARE_MAX) {
		otask_release(t);
		return;
	}
	memcpy(sp, t->sp, sizeof sp);
	mem_zero(t, sizeof *t);
	memcpy(t->sp, sp, sizeof sp);
	t->next_spare = o->spare;
	o->spare = t;
	o->nspare++;
}

/* A new task record, from the spare list when it can be. */
static struct otask *
otask_new(struct output *o, uint64_t seq, bool copy)
{
	struct otask	*t = o->spare;

	if (t != NULL) {
		o->spare = t->next_spare;
		o->nspare--;
		t->next_spare = NULL;
	} else
		t = xcalloc(1, sizeof *t);
	t->seq = seq;
	t->copy = copy;
	t->state = OT_RUNNING;
	t->line_start[0] = t->line_start[1] = true;
	t->resfd[0] = t->resfd[1] = -1;
	return t;
}

/* Put the loose record in the tree, before a search or a walk. */
static void
loose_settle(struct output *o)
{
	if (o->loose != NULL)
		RB_INSERT(otasks, &o->tasks, o->loose);
	o->loose = NULL;
}

/*
 * Find a task or its copy, creating it if asked.  A record made here
 * stays out of the tree (loose) until another is looked for: a persistent
 * line's output and end come together, and its record then never costs a
 * tree insertion and removal.
 */
static struct otask *
task_find(struct output *o, uint64_t seq, bool copy, bool create)
{
	struct otask	 key, *t;

	/* A task's output and end come in a row: the same one, often. */
	if (o->last != NULL && o->last->seq == seq && o->last->copy == copy)
		return o->last;
	/* A first attempt's seq is above all others: nothing to find. */
	if (seq > o->max_seq && !create)
		return NULL;
	loose_settle(o);
	if (seq <= o->max_seq) {
		key.seq = seq;
		key.copy = copy;
		if ((t = RB_FIND(otasks, &o->tasks, &key)) != NULL || !create)
			return o->last = t;
	}
	if (seq > o->max_seq)
		o->max_seq = seq;
	t = otask_new(o, seq, copy);
	return o->last = o->loose = t;
}

/* Is seq recorded as skipped?  Drops ranges below it. */
static bool
skip_take(struct output *o, uint64_t seq)
{
	while (o->nskips > 0 && o->skips[0].hi < seq) {
		o->nskips--;
		memmove(o->skips, o->skips + 1, o->nskips * sizeof *o->skips);
	}
	return o->nskips > 0 && o->skips[0].lo <= seq;
}

/* Keep-order: print every task whose turn has come. */
static void
release_ready(struct output *o)
{
	struct otask	*t;

	for (;;) {
		if (skip_take(o, o->next_seq)) {
			o->next_seq = o->skips[0].hi + 1;
			continue;
		}
		if ((t = task_find(o, o->next_seq, false, false)) == NULL)
			return;
		if (t->state == OT_RUNNING) {
			if (task_live(o, t))
				task_emit_lines(o, t);
			return;
		}
		task_emit_all(o, t);
		otask_free(o, t);
		o->next_seq++;
	}
}

/* Make the results directory, refusing a symbolic link. */
static int
results_open(struct output *o, const char *dir, char *err, size_t errlen)
{
	struct stat	st;

	if (lstat(dir, &st) == -1) {
		if (errno != ENOENT || mkdir(dir, 0777) == -1)
			goto fail;
	} else if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "results directory %s is a symbolic "
		    "link: refusing to follow it", dir);
		return -1;
	}
	o->resdir = open(dir, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
	if (o->resdir == -1)
		goto fail;
	o->results = xstrdup(dir);
	return 0;
fail:
	snprintf(err, errlen, "results directory %s: %s", dir, strerror(errno));
	return -1;
}

/*
 * Open --results FILE.csv (.tsv, .json) for the records, refusing a
 * symbolic link; -.csv is standard output, where nothing else is printed.
 * Task output then goes to FILE only: standard error gets none.
 */
static int
record_open(struct output *o, const char *name, int out_fd, char *err,
    size_t errlen)
{
	o->record = record_kind(name);
	o->recfd = -1;
	if (strncmp(name, "-.", 2) == 0 && strchr(name + 2, '.') == NULL &&
	    strchr(name + 2, '/') == NULL)
		o->fd[0] = out_fd;
	else {
		o->recfd = open(name, O_WRONLY|O_CREAT|O_TRUNC|O_NOFOLLOW|
		    O_CLOEXEC, 0666);
		if (o->recfd == -1 && errno == ELOOP)
			snprintf(err, errlen, "results file %s is a symbolic "
			    "link: refusing to follow it", name);
		else if (o->recfd == -1)
			snprintf(err, errlen, "results file %s: %s", name,
			    strerror(errno));
		if (o->recfd == -1)
			return -1;
		o->fd[0] = o->recfd;
	}
	o->fd[1] = -1;
	o->dead[1] = true;
	o->line_buffer = o->ungroup = false;
	return 0;
}

/* Set up output handling for a run. */
struct output *
output_new(const struct opts *opts, int out_fd, int err_fd, char *err,
    size_t errlen)
{
	struct output	*o = xcalloc(1, sizeof *o);

	o->tag = opts->tag || opts->tagstring != NULL;
	o->ungroup = opts->ungroup && opts->results == NULL;
	o->keep_order = opts->keep_order && !o->ungroup; /* as GNU's -u */
	o->line_buffer = opts->line_buffer;
	o->results_gnu = opts->results_layout == RESULTS_GNU;
	o->keys = (const char *const *)opts->result_keys;
	o->nkeys = opts->nresult_keys;
	o->fd[0] = out_fd;
	o->fd[1] = err_fd;
	o->resdir = -1;
	o->spill_fd = -1;
	o->next_seq = 1;
	o->recfd = -1;
	o->named = opts->header;
	RB_INIT(&o->tasks);
	if (opts->results != NULL && (record_kind(opts->results) !=
	    RECORD_NONE ? record_open(o, opts->results, out_fd, err, errlen) :
	    results_open(o, opts->results, err, errlen)) == -1) {
		free(o);
		return NULL;
	}
	return o;
}

/* Print what is still held, in seq order, and free everything. */
void
output_free(struct output *o)
{
	struct otask	*t, *next;

	if (o == NULL)
		return;
	loose_settle(o);
	RB_FOREACH_SAFE(t, otasks, &o->tasks, next) {
		task_emit_all(o, t);
		otask_free(o, t);
	}
	while ((t = o->spare) != NULL) {
		o->spare = t->next_spare;
		otask_release(t);
	}
	output_flush(o);
	buf_free(&o->pend[0]);
	buf_free(&o->pend[1]);
	if (o->spill_fd != -1)
		close(o->spill_fd);
	if (o->resdir != -1)
		close(o->resdir);
	if (o->recfd != -1)
		close(o->recfd);
	free(o->skips);
	free(o->results);
	free(o);
}

/* Remember a failure on task seq's results file name ("": its directory). */
static void
results_fail(struct output *o, uint64_t seq, const char *name)
{
	char	path[64];

	snprintf(path, sizeof path, "/%" PRIu64 "%s%s", seq,
	    *name != '\0' ? "/" : "", name);
	output_fail(o, o->results, path);
}

/* Open one results file of a task, refusing symbolic links. */
static int
results_file(struct output *o, int dfd, uint64_t seq, const char *name)
{
	int	fd;

	fd = openat(dfd, name, O_WRONLY|O_CREAT|O_TRUNC|O_NOFOLLOW|O_CLOEXEC,
	    0666);
	if (fd == -1)
		results_fail(o, seq, name);
	return fd;
}

/* Make directory name in dfd (if need be) and open it, never by a link. */
static int
results_subdir(int dfd, const char *name)
{
	if (mkdirat(dfd, name, 0777) == -1 && errno != EEXIST)
		return -1;
	return openat(dfd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
}

/* Add one argument, escaped, to a GNU parallel results path. */
static void
results_gnu_arg(struct buf *b, const char *item)
{
	const char	*e;
	size_t		 n, run = 0;

	for (; *item != '\0'; item++) {
		e = *item == '\\' ? "\\\\" : *item == '\t' ? "\\t" :
		    *item == '/' ? "\\_" : item;
		n = e == item ? 1 : 2;
		if (run + n > NAME_MAX) {
			buf_add(b, "/", 1);
			run = 0;
		}
		buf_add(b, e, n);
		run += n;
	}
}

/*
 * GNU parallel's directory for a task's arguments, under DIR: "1/" then
 * the first with backslash, tab and '/' written as a backslash followed by
 * '\\', 't' and '_', cut into pieces of at most NAME_MAX bytes, then "/2/"
 * and the second ...; with keys (a header's names, or "1" ... over groups
 * of items), argument k's level is named keys[k % nkeys] instead.
 */
/* A level name's value as Perl's <=> sees it: its numeric prefix, or 0. */
static double
key_number(const char *s)
{
	const char	*p = s + strspn(s, " \t\n\r\f\v");
	char		*end;
	double		 d;

	if (*p == '+' || *p == '-')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return 0;	/* Perl reads no hex here; strtod would */
	d = strtod(s, &end);
	return end == s ? 0 : d;
}

/*
 * Does level a sort after level b (0-based places among the keys), by
 * their names: numerically, then byte for byte?  An empty name is the
 * level's number, as in the path.
 */
static bool
key_after(const struct output *o, size_t a, size_t b)
{
	char	 na[24], nb[24];
	const char *x = o->keys[a], *y = o->keys[b];
	double	 dx, dy;

	if (*x == '\0') {
		snprintf(na, sizeof na, "%zu", a + 1);
		x = na;
	}
	if (*y == '\0') {
		snprintf(nb, sizeof nb, "%zu", b + 1);
		y = nb;
	}
	dx = key_number(x);
	dy = key_number(y);
	if (dx != dy)
		return dx > dy;
	return strcmp(x, y) > 0;
}

/*
 * The order of the levels of one record (of nkeys arguments): GNU parallel
 * sorts them by their names, numerically then asciibetically (so --header
 * names "b" and "a" give a/.../b/...), keeping equal ones in input order.
 * Allocated.
 */
static size_t *
results_gnu_order(const struct output *o)
{
	size_t	*ord, i, j, v;

	ord = xcalloc(o->nkeys > 0 ? o->nkeys : 1, sizeof *ord);
	for (i = 0; i < o->nkeys; i++) {
		v = i;
		for (j = i; j > 0 && key_after(o, ord[j - 1], v); j--)
			ord[j] = ord[j - 1];
		ord[j] = v;
	}
	return ord;
}

static char *
results_gnu_path(const struct output *o, const char *const *args,
    size_t nargs)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*key;
	size_t		 k, i, *ord = results_gnu_order(o);

	for (i = 0; i < nargs; i++) {
		/* Argument k at place i: records of nkeys, each sorted. */
		k = o->nkeys > 0 && i - i % o->nkeys + o->nkeys <= nargs ?
		    i - i % o->nkeys + ord[i % o->nkeys] : i;
		key = o->nkeys > 0 ? o->keys[k % o->nkeys] : NULL;
		if (i > 0)
			buf_add(&b, "/", 1);
		if (key != NULL && *key != '\0')
			results_gnu_arg(&b, key);	/* a header's name */
		else
			buf_printf(&b, "%zu", k + 1);
		buf_add(&b, "/", 1);
		results_gnu_arg(&b, args[k]);
	}
	free(ord);
	return b.data;
}

/* Open (making them) the directories of path under dfd; -1 on error. */
static int
results_walk(int dfd, char *path)
{
	char	*name;
	int	 fd = dup(dfd), next;

	while (fd != -1 && (name = strsep(&path, "/")) != NULL) {
		if (*name == '\0')
			continue;
		next = results_subdir(fd, name);
		close(fd);
		fd = next;
	}
	return fd;
}

/* The directory of a task's results: DIR/<seq>/, or DIR/1/ITEM/. */
static int
results_dir(struct output *o, struct otask *t, const char *const *args,
    size_t nargs)
{
	char	name[32], *path;
	int	dfd;

	if (o->results_gnu) {
		path = results_gnu_path(o, args, nargs);
		dfd = results_walk(o->resdir, path);
		free(path);
	} else {
		snprintf(name, sizeof name, "%" PRIu64, t->seq);
		dfd = results_subdir(o->resdir, name);
	}
	if (dfd == -1)
		results_fail(o, t->seq, "");
	return dfd;
}

/* Write a small results file: the item, or the seq. */
static void
results_note(struct output *o, int dfd, uint64_t seq, const char *name,
    const char *text)
{
	int	fd;

	if ((fd = results_file(o, dfd, seq, name)) == -1)
		return;
	if (write_all(fd, text, strlen(text)) == -1)
		results_fail(o, seq, name);
	close(fd);
}

/* Create a task's results directory and files for an attempt. */
static void
results_start(struct output *o, struct otask *t, const char *item,
    const char *const *args, size_t nargs)
{
	char	seq[32];
	int	dfd;

	task_close_results(t);
	if ((dfd = results_dir(o, t, args, nargs)) == -1)
		return;
	t->resfd[0] = results_file(o, dfd, t->seq, res_names[0]);
	t->resfd[1] = results_file(o, dfd, t->seq, res_names[1]);
	if (o->results_gnu) {
		snprintf(seq, sizeof seq, "%" PRIu64, t->seq);
		results_note(o, dfd, t->seq, "seq", seq);
	} else
		results_note(o, dfd, t->seq, "item", item != NULL ? item : "");
	close(dfd);
}

/* Keep a task's arguments for its record. */
static void
task_keep_args(struct otask *t, const char *const *args, size_t nargs)
{
	size_t	i;

	task_forget_args(t);
	task_forget_rec(t);
	t->args = xcalloc(nargs, sizeof *t->args);
	for (i = 0; i < nargs; i++)
		t->args[i] = xstrdup(args[i] != NULL ? args[i] : "");
	t->nargs = nargs;
}

/* Tag a task's lines with "tag\t", or with nothing if tag is NULL. */
static void
task_set_tag(struct otask *t, const char *tag)
{
	free(t->tag);
	t->tag = tag != NULL ? xasprintf("%s\t", tag) : NULL;
	t->taglen = tag != NULL ? strlen(t->tag) : 0;
}

/* A task (or a new attempt of it) starts. */
void
output_start(struct output *o, uint64_t seq, const char *item)
{
	output_start_args(o, seq, item, NULL, 0);
}

/* A task of several arguments starts (args NULL: the item is its one). */
void
output_start_args(struct output *o, uint64_t seq, const char *item,
    const char *const *args, size_t nargs)
{
	struct otask	*t;
	const char	*one = item != NULL ? item : "";

	/*
	 * Nothing to keep or open: the record is made with the first bytes
	 * (a tree insertion fewer per item when output and end come
	 * together, as a persistent line's do).
	 */
	if (!o->tag && o->record == RECORD_NONE && o->results == NULL &&
	    task_find(o, seq, false, false) == NULL)
		return;
	t = task_find(o, seq, false, true);
	task_set_tag(t, o->tag && o->results == NULL && !o->ungroup ? one :
	    NULL);
	t->line_start[0] = t->line_start[1] = true;
	if (args == NULL) {
		args = &one;
		nargs = 1;
	}
	if (o->record != RECORD_NONE)
		task_keep_args(t, args, nargs);
	if (o->results != NULL)
		results_start(o, t, item, args, nargs);
}

/* The tag of a started task's lines, with --tag or --tagstring. */
void
output_set_tag(struct output *o, uint64_t seq, const char *tag)
{
	struct otask	*t = task_find(o, seq, false, true);

	if (t->tag != NULL)	/* else no tags (--results) */
		task_set_tag(t, tag);
}

/* Hold bytes for a task's record, tagging each line with --tag. */
static void
rec_put(struct otask *t, int s, const char *p, size_t n)
{
	const char	*nl;
	size_t		 k;

	while (n > 0) {
		if (t->tag != NULL && t->line_start[s])
			buf_add(&t->rec[s], t->tag, t->taglen);
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		buf_add(&t->rec[s], p, k);
		t->line_start[s] = nl != NULL;
		p += k;
		n -= k;
	}
}

/* Bytes from a task's stdout (stream 1) or stderr (stream 2). */
void
output_data(struct output *o, uint64_t seq, int stream, const char *p,
    size_t n)
{
	struct otask	*t = task_find(o, seq, false, true);
	int		 s = stream == 2 ? 1 : 0;

	if (n == 0)
		return;
	if (o->results != NULL) {
		if (t->resfd[s] != -1 && write_all(t->resfd[s], p, n) == -1) {
			results_fail(o, seq, res_names[s]);
			close(t->resfd[s]);
			t->resfd[s] = -1;
		}
		return;
	}
	if (o->record != RECORD_NONE) {
		rec_put(t, s, p, n);
		return;
	}
	if (o->ungroup) {
		output_write(o, s, p, n);
		return;
	}
	task_put(o, t, s, p, n);
	if (task_live(o, t) && t->sp[s].complete != 0)
		spool_emit(o, &t->sp[s], s, t->sp[s].complete);
}

bool
output_whole(struct output *o, uint64_t seq, int stream, const char *p,
    size_t n)
{
	struct buf	*b;
	int		 s = stream == 2 ? 1 : 0;

	if (o->tag || o->keep_order || o->results != NULL ||
	    o->record != RECORD_NONE || task_find(o, seq, false, false) != NULL)
		return false;
	/* output_write()'s common case, gathered here without its calls. */
	b = &o->pend[s];
	if (o->pend[1 - s].len == 0 && b->len + n < PENDING_MAX && !o->dead[s])
		buf_add(b, p, n);
	else
		output_write(o, s, p, n);
	return true;
}

bool
output_records(const struct output *o)
{
	return o->record != RECORD_NONE;
}

/* The record of a task ended for good, the header before the first. */
void
output_result(struct output *o, const struct joblog_entry *e)
{
	struct otask	*t;
	struct record	 r;
	struct buf	 b = { NULL, 0, 0 };

	if (o->record == RECORD_NONE)
		return;
	t = task_find(o, e->seq, false, true);
	if (!o->header_done && o->record != RECORD_JSON) {
		record_header(&b, o->record, o->named ? o->keys : NULL,
		    o->nkeys, t->nargs);
		output_write(o, 0, b.data, b.len);
		b.len = 0;
	}
	o->header_done = true;
	memset(&r, 0, sizeof r);
	r.e = e;
	r.args = (const char *const *)t->args;
	r.nargs = t->nargs;
	r.out = &t->rec[0];
	r.err = &t->rec[1];
	record_format(&b, o->record, &r);
	spool_append(o, &t->sp[0], b.data, b.len);	/* untagged */
	t->sp[0].complete = t->sp[0].len;
	buf_free(&b);
	task_forget_rec(t);
}

/* A task attempt ended; final: no retry follows. */
void
output_end(struct output *o, uint64_t seq, bool final)
{
	struct otask	*t = task_find(o, seq, false,
			    o->keep_order && final);

	if (t == NULL)
		return;
	if (o->results != NULL) {
		task_close_results(t);
		if (final)
			otask_free(o, t);
		return;
	}
	if (!final) {
		task_forget_rec(t);
		if (!o->line_buffer) {
			spool_drop(o, &t->sp[0]);
			spool_drop(o, &t->sp[1]);
		} else if (task_live(o, t))
			task_emit_all(o, t);
		return;
	}
	if (o->keep_order) {
		t->state = OT_ENDED;
		release_ready(o);
		return;
	}
	task_emit_all(o, t);
	otask_free(o, t);
}

/* Forget what a task holds, unprinted. */
static void
task_drop(struct output *o, struct otask *t)
{
	task_forget_rec(t);
	spool_drop(o, &t->sp[0]);
	spool_drop(o, &t->sp[1]);
	t->line_start[0] = t->line_start[1] = true;
}

/*
 * An attempt the pool ended (a stop, --halt now, a shrink that kills): its
 * output not printed yet goes, a last line without its newline too, as GNU
 * parallel drops the output of the tasks it kills.
 */
void
output_cancel(struct output *o, uint64_t seq)
{
	struct otask	*t = task_find(o, seq, false, false);

	if (t == NULL)
		return;
	if (o->results != NULL)
		task_close_results(t);
	else
		task_drop(o, t);
}

/* Drop every output not printed yet: --halt now prints nothing more. */
void
output_drop_held(struct output *o)
{
	struct otask	*t;

	loose_settle(o);
	RB_FOREACH(t, otasks, &o->tasks)
		task_drop(o, t);
}

/* Record seq as skipped (keep-order), merging with its neighbours. */
static void
skip_add(struct output *o, uint64_t seq)
{
	size_t	i;

	for (i = 0; i < o->nskips && o->skips[i].hi + 1 < seq; i++)
		continue;
	if (i < o->nskips && seq >= o->skips[i].lo && seq <= o->skips[i].hi)
		return;
	if (i < o->nskips && o->skips[i].hi + 1 == seq) {
		o->skips[i].hi = seq;
		if (i + 1 < o->nskips && o->skips[i + 1].lo == seq + 1) {
			o->skips[i].hi = o->skips[i + 1].hi;
			o->nskips--;
			memmove(o->skips + i + 1, o->skips + i + 2,
			    (o->nskips - i - 1) * sizeof *o->skips);
		}
		return;
	}
	if (i < o->nskips && o->skips[i].lo == seq + 1) {
		o->skips[i].lo = seq;
		return;
	}
	o->skips = xreallocarray(o->skips, o->nskips + 1, sizeof *o->skips);
	memmove(o->skips + i + 1, o->skips + i,
	    (o->nskips - i) * sizeof *o->skips);
	o->skips[i].lo = o->skips[i].hi = seq;
	o->nskips++;
}

/* A seq that will never run: it no longer holds back keep-order. */
void
output_skip(struct output *o, uint64_t seq)
{
	if (!o->keep_order || o->results != NULL || seq < o->next_seq)
		return;
	skip_add(o, seq);
	release_ready(o);
}

/* The first write error, or NULL. */
const char *
output_error(const struct output *o)
{
	return o->error[0] != '\0' ? o->error : NULL;
}

/* Did the first error come from a reader closing stdout or stderr? */
bool
output_closed(const struct output *o)
{
	return o->error_errno == EPIPE;
}

/* A second copy of task seq starts: its lines get the first's tag. */
void
output_copy_start(struct output *o, uint64_t seq)
{
	struct otask	*m = task_find(o, seq, false, false);
	struct otask	*c = task_find(o, seq, true, true);

	task_drop(o, c);
	task_set_tag(c, NULL);
	if (m != NULL && m->tag != NULL) {
		c->tag = xstrdup(m->tag);
		c->taglen = m->taglen;
	}
}

/* Bytes of the copy of task seq: held, never printed as they come. */
void
output_copy_data(struct output *o, uint64_t seq, int stream, const char *p,
    size_t n)
{
	struct otask	*c = task_find(o, seq, true, true);
	int		 s = stream == 2 ? 1 : 0;

	if (n == 0)
		return;
	if (o->record != RECORD_NONE)
		rec_put(c, s, p, n);
	else
		task_put(o, c, s, p, n);	/* --results DIR too */
}

/* The copy of task seq lost, or was ended: forget its output. */
void
output_copy_drop(struct output *o, uint64_t seq)
{
	struct otask	*c = task_find(o, seq, true, false);

	if (c != NULL)
		otask_free(o, c);
}

/* Write (and consume) all a spool holds to task seq's results file s. */
static void
spool_to_file(struct output *o, struct spool *sp, int fd, uint64_t seq,
    int s)
{
	char		 chunk[65536];
	struct extent	*e;
	size_t		 i, off, k;
	ssize_t		 r;
	bool		 ok = true;

	for (i = sp->first; ok && i < sp->next; i++) {
		e = &sp->ext[i];
		for (off = 0; ok && off < e->len; off += (size_t)r) {
			k = e->len - off < sizeof chunk ? e->len - off :
			    sizeof chunk;
			if ((r = pread(o->spill_fd, chunk, k,
			    e->off + (off_t)off)) <= 0) {
				output_fail(o, "output spill file", "");
				ok = false;
			} else if (write_all(fd, chunk, (size_t)r) == -1) {
				results_fail(o, seq, res_names[s]);
				ok = false;
			}
		}
	}
	if (ok && sp->mem.len > 0 &&
	    write_all(fd, sp->mem.data, sp->mem.len) == -1)
		results_fail(o, seq, res_names[s]);
	spool_drop(o, sp);
}

/*
 * --results DIR: the first copy's files are emptied and hold the copy's
 * output instead.
 */
static void
copy_to_results(struct output *o, struct otask *m, struct otask *c)
{
	int	s;

	for (s = 0; s < 2; s++) {
		if (m->resfd[s] == -1)
			continue;
		if (ftruncate(m->resfd[s], 0) == -1 ||
		    lseek(m->resfd[s], 0, SEEK_SET) == -1)
			results_fail(o, m->seq, res_names[s]);
		else if (c != NULL)
			spool_to_file(o, &c->sp[s], m->resfd[s], m->seq, s);
	}
}

/* The copy of task seq takes the first's place: the first's output goes. */
void
output_copy_wins(struct output *o, uint64_t seq)
{
	struct otask	*m = task_find(o, seq, false, true);
	struct otask	*c = task_find(o, seq, true, false);
	int		 s;

	if (o->results != NULL)
		copy_to_results(o, m, c);
	else {
		task_drop(o, m);
		for (s = 0; c != NULL && s < 2; s++) {
			m->rec[s] = c->rec[s];
			memset(&c->rec[s], 0, sizeof c->rec[s]);
			buf_free(&m->sp[s].mem);	/* kept by task_drop */
			m->sp[s] = c->sp[s];
			memset(&c->sp[s], 0, sizeof c->sp[s]);
			m->line_start[s] = c->line_start[s];
		}
	}
	if (c != NULL)
		otask_free(o, c);
}

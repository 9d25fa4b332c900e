/*
 * The feeders of --pipe --round-robin (pool-robin.h).
 *
 * A feeder's block goes into its pipe by splice() from the block file, as
 * much as the pipe takes, whenever poll() says it has room; the loop
 * watches a feeder for POLLOUT only while it holds a block.  Since the
 * supervisor also holds the pipe open for reading, a write never fails
 * with EPIPE: a task that stops reading only stops its feeder, and its end
 * (robin_gone()) says what it never got.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "pool-robin.h"
#include "util.h"

#define ROBIN_SPLICE	(1024 * 1024)	/* moved at once at most */

struct feeder {
	struct robin	*r;
	uint64_t	 seq;
	char		*fifo;
	int		 fd;		/* the pipe, O_RDWR; -1: closed */
	int		 watch;		/* in the loop; -1: none */
	char		*block;		/* the block file it writes; NULL:
					   free */
	int		 bfd;
	loff_t		 off;
	uint64_t	 left;
	uint64_t	 sent;
	bool		 closing;	/* close once the block is written */
	bool		 started;	/* the task has the pipe open */
	char		*head;		/* --header: written first */
	size_t		 headlen, headoff;
};

struct robin {
	struct loop	 *loop;
	struct feeder	**f;
	size_t		  n;
	size_t		  next;		/* where the search for a free one
					   starts: blocks go round */
	bool		  ended;
};

struct robin *
robin_new(struct loop *loop)
{
	struct robin	*r = xcalloc(1, sizeof *r);

	r->loop = loop;
	return r;
}

/* Has f written all it was given (header and block)? */
static bool
feeder_idle(const struct feeder *f)
{
	return f->block == NULL && f->headoff == f->headlen;
}

/* Drop the feeder's block (written or not): close and remove its file. */
static void
feeder_drop_block(struct feeder *f)
{
	if (f->block == NULL)
		return;
	close(f->bfd);
	unlink(f->block);
	free(f->block);
	f->block = NULL;
	f->bfd = -1;
	f->left = 0;
}

/*
 * Close the pipe: the task reads to its end, then sees EOF.  Not before
 * the task has opened it: the pipe's bytes would go with it.
 */
static void
feeder_close(struct feeder *f)
{
	if (!f->started)
		return;
	if (f->watch != -1)
		loop_del(f->r->loop, f->watch);
	f->watch = -1;
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
}

/* Watch the pipe for room while a block waits to go there. */
static void
feeder_watch(struct feeder *f)
{
	if (f->watch != -1)
		loop_set(f->r->loop, f->watch, f->fd, f->block != NULL ||
		    f->headoff < f->headlen ? POLLOUT : 0);
}

/* Move what the pipe takes of the block; at its end, free or close. */
static void
feeder_send(struct feeder *f)
{
	ssize_t	n;
	size_t	want;

	while (f->headoff < f->headlen) {
		n = write(f->fd, f->head + f->headoff, f->headlen - f->headoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			feeder_watch(f);
			return;
		}
		f->headoff += (size_t)n;
		f->sent += (uint64_t)n;
	}
	while (f->block != NULL && f->left > 0) {
		want = f->left < ROBIN_SPLICE ? (size_t)f->left : ROBIN_SPLICE;
		n = splice(f->bfd, &f->off, f->fd, NULL, want,
		    SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0) {		/* the file is short or unreadable */
			f->left = 0;
			break;
		}
		f->left -= (uint64_t)n;
		f->sent += (uint64_t)n;
	}
	if (f->block != NULL && f->left == 0)
		feeder_drop_block(f);
	if (feeder_idle(f) && (f->closing || f->r->ended))
		feeder_close(f);
	feeder_watch(f);
}

/* The loop: the pipe has room. */
static void
feeder_ready(int fd, short revents, void *arg)
{
	(void)fd;
	(void)revents;
	feeder_send(arg);
}

char *
robin_open(struct robin *r, uint64_t seq, const char *near, const char *head,
    size_t headlen, char *err, size_t errlen)
{
	struct feeder	*f;
	char		*path;
	int		 fd;

	path = xasprintf("%s.rr%llu", near, (unsigned long long)seq);
	if (mkfifo(path, 0600) == -1 || (fd = open(path,
	    O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "--round-robin: %s: %s", path,
		    strerror(errno));
		unlink(path);
		free(path);
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	f->r = r;
	f->seq = seq;
	f->fifo = path;
	f->fd = fd;
	f->bfd = -1;
	if (headlen > 0) {
		f->head = xmalloc(headlen);
		memcpy(f->head, head, headlen);
		f->headlen = headlen;
	}
	f->watch = loop_add(r->loop, fd, 0, feeder_ready, f);
	r->f = xreallocarray(r->f, r->n + 1, sizeof *r->f);
	r->f[r->n++] = f;
	return xstrdup(path);
}

/* Task seq's feeder, or NULL. */
static struct feeder *
feeder_of(const struct robin *r, uint64_t seq)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		if (r->f[i]->seq == seq)
			return r->f[i];
	return NULL;
}

/* Does f take a block now? */
static bool
feeder_free(const struct feeder *f)
{
	return f->fd != -1 && !f->closing && feeder_idle(f);
}

/* The next free feeder after the last one given a block, or NULL. */
static struct feeder *
feeder_next_free(struct robin *r)
{
	size_t	i, k;

	for (i = 0; i < r->n; i++) {
		k = (r->next + i) % r->n;
		if (feeder_free(r->f[k])) {
			r->next = k + 1;
			return r->f[k];
		}
	}
	return NULL;
}

bool
robin_deal(struct robin *r, uint64_t seq, char *path, uint64_t len)
{
	struct feeder	*f;
	int		 bfd;

	f = seq != 0 ? feeder_of(r, seq) : feeder_next_free(r);
	if (f == NULL || f->fd == -1 || f->closing || f->block != NULL)
		return false;
	if ((bfd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	f->block = path;
	f->bfd = bfd;
	f->off = 0;
	f->left = len;
	feeder_send(f);
	return true;
}

int
robin_takers(const struct robin *r)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < r->n; i++)
		if (r->f[i]->fd != -1 && !r->f[i]->closing)
			n++;
	return n;
}

void
robin_close(struct robin *r, uint64_t seq)
{
	struct feeder	*f = feeder_of(r, seq);

	if (f == NULL || f->closing)
		return;
	f->closing = true;
	if (feeder_idle(f))
		feeder_close(f);
}

void
robin_end(struct robin *r)
{
	size_t	i;

	r->ended = true;
	for (i = 0; i < r->n; i++)
		if (feeder_idle(r->f[i]))
			feeder_close(r->f[i]);
}

void
robin_started(struct robin *r, uint64_t seq)
{
	struct feeder	*f = feeder_of(r, seq);

	if (f == NULL || f->started)
		return;
	f->started = true;
	if (feeder_idle(f) && (f->closing || r->ended))
		feeder_close(f);
}

/* Close, remove and free feeder f. */
static void
feeder_free_one(struct feeder *f)
{
	f->started = true;
	feeder_drop_block(f);
	feeder_close(f);
	unlink(f->fifo);
	free(f->fifo);
	free(f->head);
	free(f);
}

uint64_t
robin_gone(struct robin *r, uint64_t seq, uint64_t *sent)
{
	struct feeder	*f;
	uint64_t	 lost;
	size_t		 i;

	*sent = 0;
	for (i = 0; i < r->n && r->f[i]->seq != seq; i++)
		;
	if (i == r->n)
		return 0;
	f = r->f[i];
	*sent = f->sent;
	lost = f->left + (f->headlen - f->headoff);
	memmove(r->f + i, r->f + i + 1, (r->n - i - 1) * sizeof *r->f);
	r->n--;
	if (r->next > i)
		r->next--;
	feeder_free_one(f);
	return lost;
}

void
robin_free(struct robin *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		feeder_free_one(r->f[i]);
	free(r->f);
	free(r);
}

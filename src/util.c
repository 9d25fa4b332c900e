/* Allocation wrappers, clocks and buffers used throughout pooltop. */
#include "config.h"

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		err(255, "malloc");
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void	*p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		err(255, "calloc");
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t sz)
{
	void	*p = reallocarray(old, n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		err(255, "reallocarray");
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	if (p == NULL)
		err(255, "strdup");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = strndup(s, n);

	if (p == NULL)
		err(255, "strndup");
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) == -1)
		err(255, "vasprintf");
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int64_t
mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * PT_NSEC + ts.tv_nsec;
}

int64_t
real_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * PT_NSEC + ts.tv_nsec;
}

int
set_nonblock(int fd)
{
	int	fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
set_cloexec(int fd)
{
	int	fl = fcntl(fd, F_GETFD);

	return fl == -1 ? -1 : fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

ssize_t
write_all(int fd, const void *p, size_t n)
{
	const char	*c = p;
	size_t		 off = 0;
	ssize_t		 w;

	while (off < n) {
		w = write(fd, c + off, n - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		off += (size_t)w;
	}
	return (ssize_t)off;
}

char *
buf_grow(struct buf *b, size_t n)
{
	char	*at;
	size_t	 cap = b->cap ? b->cap : 256;

	while (cap < b->len + n + 1)
		cap *= 2;
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
	at = b->data + b->len;
	b->len += n;
	b->data[b->len] = '\0';
	return at;
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_addstr(b, s);
	free(s);
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		if (b->data)
			b->data[0] = '\0';
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

ssize_t
buf_read(struct buf *b, int fd, size_t max)
{
	size_t	len = b->len;
	ssize_t	n;

	(void)buf_extend(b, max);
	n = read(fd, b->data + len, max);
	b->len = len + (n > 0 ? (size_t)n : 0);
	b->data[b->len] = '\0';
	return n;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

#define ARENA_CHUNK	65536

/*
 * live counts the chunk's strings not freed, plus one while it is its
 * arena's current chunk.  Each string is preceded by its chunk's address.
 */
struct arena_chunk {
	size_t	live;
	size_t	used;
	size_t	cap;
	char	data[];
};

static size_t	arena_nmapped;	/* chunks of every arena in use:
				   arena_chunks() */
#define ARENA_SPARE	4	/* whole chunks kept for the next */
static struct arena_chunk *arena_spare[ARENA_SPARE];
static int	arena_nspare;

/*
 * A chunk of cap bytes with its arena's hold (live 1) when held.  Mapped,
 * not malloc'd: chunks come and go every few thousand items, and in the
 * heap the holes they left were filled by other records, so the heap grew
 * with the length of the run.  A few whole chunks freed are kept and given
 * again: a chunk mapped anew is sixteen pages to fault in (a microsecond
 * or more each) and an munmap() with its TLB flush, every 4000 items.
 */
static struct arena_chunk *
arena_chunk_new(size_t cap, bool held)
{
	struct arena_chunk	*c;

	if (cap == ARENA_CHUNK && arena_nspare > 0)
		c = arena_spare[--arena_nspare];
	else if ((c = mmap(NULL, sizeof *c + cap, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		err(255, "mmap");
	arena_nmapped++;
	c->live = held ? 1 : 0;
	c->used = 0;
	c->cap = cap;
	return c;
}

static void
arena_chunk_free(struct arena_chunk *c)
{
	arena_nmapped--;
	if (c->cap == ARENA_CHUNK && arena_nspare < ARENA_SPARE)
		arena_spare[arena_nspare++] = c;
	else
		(void)munmap(c, sizeof *c + c->cap);
}

size_t
arena_chunks(void)
{
	return arena_nmapped;
}

size_t
arena_spares(void)
{
	return (size_t)arena_nspare;
}

char *
arena_strndup(struct arena *a, const char *p, size_t n)
{
	struct arena_chunk	*c = a->cur;
	size_t			 need;
	char			*s;

	/* Its chunk's address, the bytes, the NUL, aligned for the next. */
	need = (sizeof c + n + 1 + 7) & ~(size_t)7;
	if (need > ARENA_CHUNK / 4)
		c = arena_chunk_new(need, false);	/* its own */
	else if (c == NULL || c->cap - c->used < need) {
		arena_release(a);
		c = a->cur = arena_chunk_new(ARENA_CHUNK, true);
	}
	s = c->data + c->used;
	c->used += need;
	c->live++;
	memcpy(s, &c, sizeof c);
	s += sizeof c;
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

void
arena_free(char *s)
{
	struct arena_chunk	*c;

	if (s == NULL)
		return;
	memcpy(&c, s - sizeof c, sizeof c);
	if (--c->live == 0)
		arena_chunk_free(c);
}

void
arena_release(struct arena *a)
{
	struct arena_chunk	*c = a->cur;

	a->cur = NULL;
	if (c != NULL && --c->live == 0)
		arena_chunk_free(c);
}

void
tail_keep(char *tail, size_t *len, size_t cap, const char *b, size_t n)
{
	size_t	drop;

	if (n >= cap) {
		memcpy(tail, b + n - cap, cap);
		*len = cap;
		return;
	}
	if (*len + n > cap) {
		drop = *len + n - cap;
		memmove(tail, tail + drop, *len - drop);
		*len -= drop;
	}
	memcpy(tail + *len, b, n);
	*len += n;
}

/* Is error a shortage of descriptors, processes or memory? */
bool
resource_shortage(int error)
{
	return error == EMFILE || error == ENFILE || error == EAGAIN ||
	    error == ENOMEM;
}

int
ncpu_online(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (int)n;
}

const char *
tmp_dir(void)
{
	const char	*dir = getenv("TMPDIR");

	return dir != NULL && *dir != '\0' ? dir : "/tmp";
}

int
mkdirs(const char *path, mode_t mode, bool last)
{
	char	*d = xstrdup(path), *s = d;
	int	 r = 0, saved;

	while (r == 0 && *s != '\0' && (s = strchr(s + 1, '/')) != NULL) {
		*s = '\0';
		if (mkdir(d, mode) == -1 && errno != EEXIST)
			r = -1;
		*s = '/';
	}
	if (r == 0 && last && mkdir(d, mode) == -1 && errno != EEXIST)
		r = -1;
	saved = errno;
	free(d);
	errno = saved;
	return r;
}

/* A signal by number (1..NSIG-1), name or SIG-name, any case; -1 if unknown. */
int
signal_parse(const char *s)
{
	const char	*abbr, *errstr;
	int		 sig;

	if (s == NULL || *s == '\0')
		return -1;
	if (isdigit((unsigned char)*s)) {
		sig = strtonum(s, 1, NSIG - 1, &errstr);
		return errstr == NULL ? sig : -1;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (sig = 1; sig < NSIG; sig++) {
		abbr = sigabbrev_np(sig);
		if (abbr != NULL && strcasecmp(s, abbr) == 0)
			return sig;
	}
	return -1;
}

bool
signal_pool_ignored(int sig)
{
	static const int	ignored[] = {
		SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP, SIGUSR1,
		SIGUSR2, SIGWINCH, SIGPIPE
	};
	size_t			i;

	for (i = 0; i < nitems_of(ignored); i++)
		if (ignored[i] == sig)
			return true;
	return false;
}

void
helper_child_setup(int deathsig)
{
	sigset_t	set;
	int		sig;

	(void)setpgid(0, 0);
	(void)prctl(PR_SET_PDEATHSIG, deathsig);
	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

int
errorf(char *err, size_t len, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The shared-memory segment: creation, validation, seqlocked copies, the
 * event ring, the progress mailbox and the listing of a user's segments.
 *
 * The layout, the seqlock, the readers' pread() copies and the writers'
 * SIGBUS guard (shm_sigbus()) are as shm.h says; the layout is checked at
 * compile time below.  The supervisor's event ring is written the same
 * way, entry first, then event_head under the header's counter; an event
 * number n lives at index (n - 1) % PT_SHM_NEVENTS and a copy whose n
 * differs was overwritten.
 *
 * A segment is only ever removed by its creator (shm_close) or, once the
 * process named in its name is gone, by shm_list; a name that already
 * exists when we create, or a segment we cannot validate, is never touched.
 */
#include "config.h"

#include <sys/param.h>
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shm.h"
#include "text.h"
#include "util.h"

/*
 * ThreadSanitizer does not model fences (gcc says so with -Wtsan).  Every
 * shared word below is accessed atomically, so it has no race to report
 * either way; the fences are still needed for real hardware.
 */
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic ignored "-Wtsan"
#endif

/* The wire format: sizes and the offsets every version must keep. */
_Static_assert(sizeof(struct pt_shm_header) == 736, "header size changed");
_Static_assert(offsetof(struct pt_shm_header, admit_state) == 576,
    "version 2 fields moved");
_Static_assert(sizeof(struct pt_shm_event) == 200, "event size changed");
_Static_assert(sizeof(struct pt_shm_slot) == 2536, "slot size changed");
_Static_assert(sizeof(struct pt_shm_header) % 8 == 0, "header not 8-aligned");
_Static_assert(sizeof(struct pt_shm_event) % 8 == 0, "event not 8-aligned");
_Static_assert(sizeof(struct pt_shm_slot) % 8 == 0, "slot not 8-aligned");
_Static_assert(offsetof(struct pt_shm_header, version) == 4, "version moved");
_Static_assert(offsetof(struct pt_shm_header, magic) == 8, "magic moved");
_Static_assert(offsetof(struct pt_shm_header, event_head) == 136,
    "header fields moved");
_Static_assert(offsetof(struct pt_shm_slot, mbox) == 2520, "mbox moved");
_Static_assert(offsetof(struct pt_shm_slot, label) == 88, "slot fields moved");
_Static_assert(offsetof(struct pt_shm_event, text) == 40, "event text moved");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
    "shared atomics must be lock-free");

#define SHM_DIR		"/dev/shm"
#define SHM_SPIN_TRIES	16		/* retries before the clock starts */
#define SHM_YIELD_TRIES	1000		/* then yield; then sleep 200 us */
#define SHM_GIVEUP_NS	(50 * 1000 * 1000)	/* until this has passed */
#define SHM_SLOT_WORDS	offsetof(struct pt_shm_slot, mbox)
#define SHM_STALL_NS	PT_NSEC		/* after a give-up: no waiting */
#define SHM_NAME_TRIES	64		/* random names tried on EEXIST */
#define SHM_GUARDS	8		/* writer mappings per process */
#define SHM_RESERVE_SLOTS 8		/* slots given pages at a time */
#define SHM_TIME_MAX	((int64_t)1 << 62)	/* a reader's times: below */

/* The writers' mappings that SIGBUS may hit, and whether one was hit. */
static struct {
	void	*base;
	size_t	 size;
} shm_guards[SHM_GUARDS];
static volatile sig_atomic_t	shm_faulted;
static struct sigaction		shm_oldbus;

/* A 32-bit word of any record; may alias every field type. */
typedef uint32_t shm_word __attribute__((__may_alias__));

static _Atomic uint64_t	shm_nreads;
static _Atomic uint64_t	shm_nretries;
static _Atomic int64_t	shm_gaveup_ns;	/* when a copy last gave up */

static void	store_words(void *, const void *, size_t, size_t);
static bool	read_stable(const struct pt_shm *, off_t, void *, size_t);

static const char *pool_state_names[] = {
	"starting", "running", "paused", "draining", "stopping", "done"
};
static const char *slot_state_names[] = {
	"empty", "starting", "idle", "running", "paused", "retiring", "exited"
};
static const char *event_names[] = {
	"none", "task.start", "task.done", "task.failed", "task.retry",
	"task.timeout", "task.killed", "worker.start", "worker.exit",
	"pool.resize", "pool.pause", "pool.resume", "pool.drain", "pool.stop",
	"info", "error"
};
_Static_assert(nitems_of(event_names) == PT_EV__COUNT, "event names");
static const char *admit_state_names[] = {
	"off", "open", "holding", "suspended"
};

/* Write a message, set errno, return -1. */
static int __attribute__((format(printf, 4, 5)))
shm_fail(char *errbuf, size_t errlen, int errnum, const char *fmt, ...)
{
	va_list	ap;

	if (errbuf != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	errno = errnum;
	return -1;
}

size_t
shm_segment_size(uint32_t nslots)
{
	return sizeof(struct pt_shm_header) +
	    PT_SHM_NEVENTS * sizeof(struct pt_shm_event) +
	    (size_t)nslots * sizeof(struct pt_shm_slot) +
	    sizeof(struct pt_shm_history);
}

void
shm_name(char *buf, size_t len, uid_t uid, pid_t pid)
{
	snprintf(buf, len, "/pooltop.%u.%ld.%08x%08x", (unsigned)uid,
	    (long)pid, arc4random(), arc4random());
}

pid_t
shm_name_pid(const char *name, uid_t uid)
{
	char		 prefix[32], *end;
	size_t		 plen;
	long long	 pid;

	if (*name == '/')
		name++;
	snprintf(prefix, sizeof prefix, "pooltop.%u.", (unsigned)uid);
	plen = strlen(prefix);
	if (strncmp(name, prefix, plen) != 0 || name[plen] < '1' ||
	    name[plen] > '9')
		return 0;
	errno = 0;
	pid = strtoll(name + plen, &end, 10);
	if (errno != 0 || pid <= 0 || pid > INT32_MAX ||
	    (*end != '\0' && *end != '.'))
		return 0;
	return (pid_t)pid;
}

/*
 * SIGBUS: a store into a writer's mapping beyond the end of an object
 * someone truncated.  Map anonymous memory over that mapping so the store
 * completes, and note it for shm_repair().  A fault elsewhere is not ours:
 * put the old action back and return, so it happens again under it.
 */
static void
shm_sigbus(int sig, siginfo_t *si, void *ctx)
{
	char	*a = si->si_addr, *b;
	size_t	 i;
	int	 saved = errno;

	(void)sig;
	(void)ctx;
	for (i = 0; i < SHM_GUARDS; i++) {
		b = shm_guards[i].base;
		if (b == NULL || a < b || a >= b + shm_guards[i].size)
			continue;
		if (mmap(b, shm_guards[i].size, PROT_READ|PROT_WRITE,
		    MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		shm_faulted = 1;
		errno = saved;
		return;
	}
	sigaction(SIGBUS, &shm_oldbus, NULL);
	errno = saved;
}

/* Guard a writer's mapping against SIGBUS (or stop guarding it). */
static void
shm_guard(void *base, size_t size, bool on)
{
	struct sigaction	sa;
	size_t			i;

	for (i = 0; i < SHM_GUARDS; i++) {
		if (!on && shm_guards[i].base == base)
			shm_guards[i].base = NULL;
		else if (on && shm_guards[i].base == NULL) {
			shm_guards[i].size = size;
			shm_guards[i].base = base;
			break;
		}
	}
	/* Ours, unless someone put another handler in since. */
	if (!on || sigaction(SIGBUS, NULL, &sa) == -1 ||
	    ((sa.sa_flags & SA_SIGINFO) && sa.sa_sigaction == shm_sigbus))
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = shm_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &shm_oldbus);
}

/* Point the handle's record pointers into a mapping. */
static void
shm_attach(struct pt_shm *shm, void *base, size_t size, uint32_t nslots)
{
	char	*p = base;

	shm->size = size;
	shm->nslots = nslots;
	shm->hdr = base;
	shm->events = (void *)(p + sizeof(struct pt_shm_header));
	shm->slots = (void *)(p + sizeof(struct pt_shm_header) +
	    PT_SHM_NEVENTS * sizeof(struct pt_shm_event));
	shm->history = (void *)(shm->slots + nslots);
	if ((char *)(shm->history + 1) != p + size)
		abort();	/* shm_segment_size and the layout disagree */
}

/* Fill a fresh header; magic last, so a reader never sees half of one. */
static void
shm_fill_header(struct pt_shm *shm, uint32_t nslots)
{
	struct pt_shm_header	*h = &shm->pub;

	memset(h, 0, sizeof *h);
	h->magic = PT_SHM_MAGIC;
	h->version = PT_SHM_VERSION;
	h->header_size = sizeof(struct pt_shm_header);
	h->slot_size = sizeof(struct pt_shm_slot);
	h->event_size = sizeof(struct pt_shm_event);
	h->history_size = sizeof(struct pt_shm_history);
	h->nslots = nslots;
	h->nevents = PT_SHM_NEVENTS;
	h->uid = (uint32_t)geteuid();
	h->supervisor_pid = (int32_t)getpid();
	h->state = PT_POOL_STARTING;
	h->start_real_ns = h->update_real_ns = real_ns();
	shm_publish_header(shm);
}

/* Check that the object we just created is ours and private; note it. */
static int
shm_check_new(struct pt_shm *shm, char *errbuf, size_t errlen)
{
	struct stat	 st;
	int		 fd = shm->fd;
	const char	*name = shm->name;

	if (fchmod(fd, 0600) == -1 || fstat(fd, &st) == -1)
		return shm_fail(errbuf, errlen, errno, "segment %s: %s", name,
		    strerror(errno));
	if (st.st_uid != geteuid() || (st.st_mode & 07777) != 0600 ||
	    st.st_size != 0)
		return shm_fail(errbuf, errlen, EPERM,
		    "segment %s: owner %u mode %04o size %jd, expected "
		    "%u 0600 0",
		    name, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
		    (intmax_t)st.st_size, (unsigned)geteuid());
	shm->dev = st.st_dev;
	shm->ino = st.st_ino;
	return 0;
}

/* Offset of slot i. */
static off_t
slot_off(uint32_t i)
{
	return (off_t)(sizeof(struct pt_shm_header) +
	    PT_SHM_NEVENTS * sizeof(struct pt_shm_event) +
	    (size_t)i * sizeof(struct pt_shm_slot));
}

/*
 * Give the header, the event ring and the history their pages now, so no
 * store into them can meet a full tmpfs (SIGBUS); the slots get theirs as
 * they come into use (shm_reserve()).  0, or an errno.
 */
static int
shm_reserve_fixed(const struct pt_shm *shm, int fd)
{
	off_t	hist = slot_off(shm->nslots);
	int	error;

	if ((error = posix_fallocate(fd, 0, slot_off(0))) != 0)
		return error;
	return posix_fallocate(fd, hist, (off_t)shm->size - hist);
}

/*
 * The same for slots, a few at a time: a pool of two workers pays for the
 * pages of its slots, not for all nslots of them (2.6 MB zeroed and freed
 * again took a millisecond of every run).
 */
int
shm_reserve(struct pt_shm *shm, uint32_t n)
{
	off_t	from;
	int	error;

	n = MIN(n, shm->nslots);
	if (n <= shm->reserved)
		return 0;
	if (shm->fd == -1) {
		errno = EBADF;
		return -1;
	}
	n = MIN(shm->nslots, roundup(n, SHM_RESERVE_SLOTS));
	from = slot_off(shm->reserved);
	if ((error = posix_fallocate(shm->fd, from, slot_off(n) - from)) != 0) {
		errno = error;
		return -1;
	}
	shm->reserved = n;
	return 0;
}

/* Size and map a segment we created. */
static int
shm_map_new(struct pt_shm *shm, uint32_t nslots, char *errbuf, size_t errlen)
{
	size_t	 size = shm_segment_size(nslots);
	void	*base;
	int	 error;

	if (ftruncate(shm->fd, (off_t)size) == -1)
		return shm_fail(errbuf, errlen, errno, "segment %s: cannot "
		    "size it to %zu bytes: %s", shm->name, size,
		    strerror(errno));
	base = mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_SHARED, shm->fd, 0);
	if (base == MAP_FAILED)
		return shm_fail(errbuf, errlen, errno, "segment %s: mmap: %s",
		    shm->name, strerror(errno));
	shm_attach(shm, base, size, nslots);
	if ((error = shm_reserve_fixed(shm, shm->fd)) != 0) {
		munmap(base, size);
		shm->hdr = NULL;
		shm->events = NULL;
		shm->slots = NULL;
		shm->history = NULL;
		return shm_fail(errbuf, errlen, error,
		    "segment %s: cannot reserve %jd bytes: %s", shm->name,
		    (intmax_t)(slot_off(0) + (off_t)sizeof *shm->history),
		    strerror(error));
	}
	shm_guard(base, size, true);
	return 0;
}

static void	(*shm_announce)(const char *);

void
shm_on_create(void (*fn)(const char *))
{
	shm_announce = fn;
}

int
shm_create(struct pt_shm *shm, uint32_t nslots, char *errbuf, size_t errlen)
{
	int	saved, i;

	memset(shm, 0, sizeof *shm);
	shm->fd = -1;
	if (nslots == 0 || nslots > PT_SHM_MAX_SLOTS)
		return shm_fail(errbuf, errlen, EINVAL,
		    "%u slots: must be 1 to %u", nslots, PT_SHM_MAX_SLOTS);
	for (i = 0; i < SHM_NAME_TRIES; i++) {
		shm_name(shm->name, sizeof shm->name, geteuid(), getpid());
		if (shm_announce != NULL)
			shm_announce(shm->name);
		shm->fd = shm_open(shm->name, O_RDWR|O_CREAT|O_EXCL, 0600);
		if (shm->fd != -1 || errno != EEXIST)
			break;
	}
	if (shm->fd == -1 && errno == EEXIST)
		return shm_fail(errbuf, errlen, EEXIST, "%d random segment "
		    "names all exist (last %s); not touching them",
		    SHM_NAME_TRIES, shm->name);
	if (shm->fd == -1)
		return shm_fail(errbuf, errlen, errno, "segment %s: %s",
		    shm->name, strerror(errno));
	if (shm_check_new(shm, errbuf, errlen) == -1 ||
	    shm_map_new(shm, nslots, errbuf, errlen) == -1) {
		saved = errno;
		close(shm->fd);
		shm_unlink(shm->name);	/* O_EXCL: the name is ours */
		shm->fd = -1;
		errno = saved;
		return -1;
	}
	shm->owner = true;
	shm->creator = getpid();
	shm->pid = getpid();
	shm_fill_header(shm, nslots);
	return 0;
}

/* Refuse a segment object that is not a private file of ours. */
static int
shm_check_stat(const char *name, const struct stat *st, char *errbuf,
    size_t errlen)
{
	if (!S_ISREG(st->st_mode))
		return shm_fail(errbuf, errlen, EINVAL,
		    "segment %s is not a regular file", name);
	if (st->st_uid != geteuid())
		return shm_fail(errbuf, errlen, EPERM,
		    "segment %s belongs to uid %u, not %u", name,
		    (unsigned)st->st_uid, (unsigned)geteuid());
	if ((st->st_mode & 077) != 0)
		return shm_fail(errbuf, errlen, EPERM,
		    "segment %s has mode %04o, expected 0600", name,
		    (unsigned)(st->st_mode & 07777));
	if ((uintmax_t)st->st_size < sizeof(struct pt_shm_header))
		return shm_fail(errbuf, errlen, EINVAL,
		    "segment %s is truncated (%jd bytes)", name,
		    (intmax_t)st->st_size);
	return 0;
}

/* Check magic, version, record sizes, file size and uid of a mapping. */
static int
shm_validate(const char *name, const struct pt_shm_header *h, size_t size,
    char *errbuf, size_t errlen)
{
	if (h->magic != PT_SHM_MAGIC)
		return shm_fail(errbuf, errlen, EINVAL,
		    "segment %s is not a pooltop segment (bad magic)", name);
	if (h->version != PT_SHM_VERSION)
		return shm_fail(errbuf, errlen, EPROTO, "segment %s has "
		    "version %u, this pooltop reads version %d", name,
		    h->version, PT_SHM_VERSION);
	if (h->header_size != sizeof(struct pt_shm_header) ||
	    h->event_size != sizeof(struct pt_shm_event) ||
	    h->slot_size != sizeof(struct pt_shm_slot) ||
	    h->history_size != sizeof(struct pt_shm_history) ||
	    h->nevents != PT_SHM_NEVENTS)
		return shm_fail(errbuf, errlen, EPROTO, "segment %s has header/"
		    "event/slot/history sizes %u/%u/%u/%u and %u events, "
		    "expected %zu/%zu/%zu/%zu and %d", name, h->header_size,
		    h->event_size, h->slot_size, h->history_size, h->nevents,
		    sizeof(struct pt_shm_header), sizeof(struct pt_shm_event),
		    sizeof(struct pt_shm_slot), sizeof(struct pt_shm_history),
		    PT_SHM_NEVENTS);
	if (h->nslots == 0 || h->nslots > PT_SHM_MAX_SLOTS ||
	    size != shm_segment_size(h->nslots))
		return shm_fail(errbuf, errlen, EINVAL, "segment %s is %zu "
		    "bytes for %u slots, expected %zu", name, size, h->nslots,
		    shm_segment_size(h->nslots));
	if (h->uid != geteuid())
		return shm_fail(errbuf, errlen, EPERM,
		    "segment %s says uid %u, not %u", name, h->uid,
		    (unsigned)geteuid());
	return 0;
}

int
shm_open_reader(struct pt_shm *shm, const char *name, bool writable,
    char *errbuf, size_t errlen)
{
	struct pt_shm_header	 h;
	struct stat		 st;
	int			 saved;

	memset(shm, 0, sizeof *shm);
	shm->fd = -1;
	if (strlcpy(shm->name, name, sizeof shm->name) >= sizeof shm->name)
		return shm_fail(errbuf, errlen, ENAMETOOLONG,
		    "segment name too long: %.80s", name);
	shm->fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
	if (shm->fd == -1)
		return shm_fail(errbuf, errlen, errno, "segment %s: %s", name,
		    strerror(errno));
	if (fstat(shm->fd, &st) == -1) {
		shm_fail(errbuf, errlen, errno, "segment %s: %s", name,
		    strerror(errno));
		goto fail;
	}
	if (shm_check_stat(name, &st, errbuf, errlen) == -1)
		goto fail;
	shm->size = sizeof h;
	if (!read_stable(shm, 0, &h, sizeof h)) {
		shm_fail(errbuf, errlen, EIO, "segment %s is damaged (no "
		    "stable copy of its header)", name);
		goto fail;
	}
	if (shm_validate(name, &h, (size_t)st.st_size, errbuf, errlen) == -1)
		goto fail;
	shm->nslots = h.nslots;
	shm->size = shm_segment_size(h.nslots);
	shm->pid = shm_name_pid(name, geteuid());
	return 0;
fail:
	saved = errno;
	close(shm->fd);
	shm->fd = -1;
	shm->size = 0;
	errno = saved;
	return -1;
}

void
shm_close(struct pt_shm *shm)
{
	bool	unlink_it = shm->owner && shm->creator == getpid();

	if (shm->hdr != NULL) {
		shm_guard(shm->hdr, shm->size, false);
		munmap(shm->hdr, shm->size);
	}
	if (shm->fd != -1)
		close(shm->fd);
	if (unlink_it)
		shm_unlink(shm->name);
	shm->hdr = NULL;
	shm->events = NULL;
	shm->slots = NULL;
	shm->history = NULL;
	shm->fd = -1;
	shm->size = 0;
	shm->reserved = 0;
	shm->nslots = 0;
	shm->owner = false;
	shm->creator = 0;
	shm->pid = 0;
}

void
shm_publish_header(struct pt_shm *shm)
{
	struct pt_shm_header	*h = shm->hdr;

	if (h == NULL)
		return;
	shm_write_begin(&h->seq);
	store_words(h, &shm->pub, sizeof(uint32_t), sizeof *h);
	shm_write_end(&h->seq);
}

/*
 * Open our object again by name (a worker closed the fd it inherited): the
 * fd, or -1 if the name now leads to another object.
 */
static int
shm_reopen(const struct pt_shm *shm)
{
	struct stat	st;
	int		fd;

	if ((fd = shm_open(shm->name, O_RDWR, 0)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || st.st_dev != shm->dev ||
	    st.st_ino != shm->ino) {
		close(fd);
		return -1;
	}
	return fd;
}

int
shm_repair(struct pt_shm *shm)
{
	struct stat	 st;
	void		*base;
	int		 fd = shm->fd;

	if (shm->hdr == NULL)
		return 0;
	if (fd == -1 && !shm_faulted)
		return 0;	/* no fd to look: a store will tell */
	if (fd != -1 && !shm_faulted && fstat(fd, &st) == 0 &&
	    (uintmax_t)st.st_size == shm->size)
		return 0;
	if (fd == -1 && (fd = shm_reopen(shm)) == -1)
		return -1;
	shm_faulted = 0;
	if (ftruncate(fd, (off_t)shm->size) == -1)
		base = MAP_FAILED;
	else
		base = mmap(shm->hdr, shm->size, PROT_READ|PROT_WRITE,
		    MAP_SHARED|MAP_FIXED, fd, 0);
	if (base != MAP_FAILED) {
		/* The object was cut: its pages are holes again. */
		shm->reserved = 0;
		(void)shm_reserve_fixed(shm, fd);
	}
	if (fd != shm->fd)
		close(fd);
	if (base == MAP_FAILED) {
		shm_faulted = 1;
		return -1;
	}
	return 1;
}

void
shm_write_begin(_Atomic uint32_t *seq)
{
	uint32_t	s = atomic_load_explicit(seq, memory_order_relaxed);

	atomic_store_explicit(seq, (s + 1) | 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

void
shm_write_end(_Atomic uint32_t *seq)
{
	uint32_t	s = atomic_load_explicit(seq, memory_order_relaxed);

	atomic_store_explicit(seq, (s | 1) + 1, memory_order_release);
}

/* Store bytes [from, to) of a record with relaxed atomic word stores. */
static void
store_words(void *dst, const void *src, size_t from, size_t to)
{
	shm_word	*d = dst;
	const shm_word	*s = src;
	size_t		 i;

	for (i = from / 4; i < to / 4; i++)
		__atomic_store_n(&d[i], s[i], __ATOMIC_RELAXED);
}

/* Read len bytes at off, whole; false on a short read or an error. */
static bool
pread_all(int fd, void *dst, size_t len, off_t off)
{
	ssize_t	n;

	do
		n = pread(fd, dst, len, off);
	while (n == -1 && errno == EINTR);
	return n == (ssize_t)len;
}

/*
 * One attempt at a consistent copy of the len bytes at off: 1 done, 0 try
 * again (a writer is in the record), -1 the object is too short.
 */
static int
try_copy(int fd, off_t off, void *dst, size_t len)
{
	uint32_t	s0, s1;

	if (!pread_all(fd, &s0, sizeof s0, off))
		return -1;
	if (s0 & 1)
		return 0;
	atomic_thread_fence(memory_order_acquire);
	if (!pread_all(fd, dst, len, off))
		return -1;
	atomic_thread_fence(memory_order_acquire);
	if (!pread_all(fd, &s1, sizeof s1, off))
		return -1;
	if (s0 != s1)
		return 0;
	memcpy(dst, &s0, sizeof s0);
	return 1;
}

/*
 * Copy a record, retrying: spin, then yield, then sleep, and give up once
 * SHM_GIVEUP_NS have passed, however loaded the machine is.  For a second
 * after a copy gave up, copies only spin: a segment whose counters were
 * all left odd (or written odd by someone else) costs one wait, not one
 * per record.
 */
static bool
read_stable(const struct pt_shm *shm, off_t off, void *dst, size_t len)
{
	struct timespec	ts = { 0, 200 * 1000 };
	int64_t		start = 0, now;
	uint64_t	tries;
	bool		ok = true, hurry;
	int		rv;

	if (shm->fd == -1 || (uintmax_t)off + len > shm->size)
		return false;
	hurry = mono_ns() - atomic_load_explicit(&shm_gaveup_ns,
	    memory_order_relaxed) < SHM_STALL_NS;
	for (tries = 0; (rv = try_copy(shm->fd, off, dst, len)) == 0;
	    tries++) {
		if (tries < SHM_SPIN_TRIES)
			continue;
		now = mono_ns();
		if (start == 0)
			start = now;
		if (hurry || now - start > SHM_GIVEUP_NS) {
			atomic_store_explicit(&shm_gaveup_ns, now,
			    memory_order_relaxed);
			ok = false;
			break;
		}
		if (tries < SHM_YIELD_TRIES)
			sched_yield();
		else
			nanosleep(&ts, NULL);
	}
	atomic_fetch_add_explicit(&shm_nreads, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&shm_nretries, tries, memory_order_relaxed);
	return ok && rv == 1;
}

/* A time read from the segment: kept if in [0, 2^62), else 0 (unknown). */
static int64_t
clamp_time(int64_t t)
{
	return t >= 0 && t < SHM_TIME_MAX ? t : 0;
}

bool
shm_read_header(const struct pt_shm *shm, struct pt_shm_header *out)
{
	/* Still the segment the reader opened? */
	if (!read_stable(shm, 0, out, sizeof *out) ||
	    out->nslots != shm->nslots ||
	    shm_validate(shm->name, out, shm->size, NULL, 0) == -1)
		return false;
	out->name[sizeof out->name - 1] = '\0';
	out->command[sizeof out->command - 1] = '\0';
	out->socket_path[sizeof out->socket_path - 1] = '\0';
	out->admit_why[sizeof out->admit_why - 1] = '\0';
	out->admit_held_ns = clamp_time(out->admit_held_ns);
	if (out->slots_used > out->nslots)
		out->slots_used = out->nslots;
	out->start_real_ns = clamp_time(out->start_real_ns);
	out->update_real_ns = clamp_time(out->update_real_ns);
	return true;
}

bool
shm_header(const struct pt_shm *shm, struct pt_shm_header *out)
{
	if (shm->hdr == NULL || shm->creator != getpid())
		return shm_read_header(shm, out);
	*out = shm->pub;
	return true;
}

bool
shm_read_slot(const struct pt_shm *shm, uint32_t i, struct pt_shm_slot *out)
{
	uint64_t	mbox[2];

	if (i >= shm->nslots ||
	    !read_stable(shm, slot_off(i), out, SHM_SLOT_WORDS))
		return false;
	if (!pread_all(shm->fd, mbox, sizeof mbox, slot_off(i) +
	    (off_t)offsetof(struct pt_shm_slot, mbox)))
		mbox[0] = mbox[1] = 0;
	atomic_store_explicit(&out->mbox.task_seq, mbox[0],
	    memory_order_relaxed);
	atomic_store_explicit(&out->mbox.value, mbox[1], memory_order_relaxed);
	out->label[sizeof out->label - 1] = '\0';
	out->item[sizeof out->item - 1] = '\0';
	out->host[sizeof out->host - 1] = '\0';
	if (out->tail_len > sizeof out->tail - 1)
		out->tail_len = sizeof out->tail - 1;
	out->tail[out->tail_len] = '\0';
	if (out->progress_total == 0)
		out->progress_done = 0;
	else if (out->progress_done > out->progress_total)
		out->progress_done = out->progress_total;
	out->task_start_real_ns = clamp_time(out->task_start_real_ns);
	return true;
}

bool
shm_read_event(const struct pt_shm *shm, uint64_t n, struct pt_shm_event *out)
{
	off_t	off;

	if (n == 0)
		return false;
	off = (off_t)(sizeof(struct pt_shm_header) +
	    ((n - 1) % PT_SHM_NEVENTS) * sizeof(struct pt_shm_event));
	if (!read_stable(shm, off, out, sizeof *out))
		return false;
	if (out->n != n || out->type == PT_EV_NONE)
		return false;	/* overwritten, or not written yet */
	out->text[sizeof out->text - 1] = '\0';
	out->real_ns = clamp_time(out->real_ns);
	return true;
}

void
shm_read_stats(uint64_t *reads, uint64_t *retries)
{
	*reads = atomic_load_explicit(&shm_nreads, memory_order_relaxed);
	*retries = atomic_load_explicit(&shm_nretries, memory_order_relaxed);
}

int
shm_write_slot(struct pt_shm *shm, uint32_t i, const struct pt_shm_slot *src)
{
	struct pt_shm_slot	*s;

	if (shm->slots == NULL || i >= shm->nslots)
		return 0;
	if (i >= shm->reserved && shm_reserve(shm, i + 1) == -1)
		return -1;
	s = &shm->slots[i];
	shm_write_begin(&s->seq);
	store_words(s, src, sizeof(uint32_t), SHM_SLOT_WORDS);
	shm_write_end(&s->seq);
	return 0;
}

void
shm_write_history(struct pt_shm *shm, const struct pt_shm_history *src)
{
	if (shm->history == NULL)
		return;
	shm_write_begin(&shm->history->seq);
	store_words(shm->history, src, sizeof(uint32_t), sizeof *src);
	shm_write_end(&shm->history->seq);
}

bool
shm_read_history(const struct pt_shm *shm, struct pt_shm_history *out)
{
	off_t		off = slot_off(shm->nslots);
	uint32_t	i;

	if (shm->nslots == 0 || !read_stable(shm, off, out, sizeof *out))
		return false;
	if (out->nsamples > PT_HIST_SAMPLES)
		out->nsamples = PT_HIST_SAMPLES;
	out->start_real_ns = clamp_time(out->start_real_ns);
	if (out->period_ns <= 0 || out->period_ns >= SHM_TIME_MAX)
		out->period_ns = 0;
	for (i = 0; i < out->nsamples; i++) {
		struct pt_shm_sample *s = &out->samples[i];

		s->real_ns = clamp_time(s->real_ns);
		if (s->real_ns < (i > 0 ? s[-1].real_ns : out->start_real_ns) ||
		    (i > 0 && s->finished < s[-1].finished))
			break;	/* time or count went back: not ours */
	}
	out->nsamples = i;
	return true;
}

void
shm_add_event(struct pt_shm *shm, enum pt_event_type type, int slot,
    uint64_t task_seq, int status, const char *fmt, ...)
{
	struct pt_shm_event	 ev, *e;
	char			 text[PT_EVENT_TEXT + 4];
	va_list			 ap;

	if (shm->hdr == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.n = ++shm->event_head;	/* kept here: we are the only writer */
	ev.real_ns = real_ns();
	ev.slot = slot;
	ev.status = status;
	ev.task_seq = task_seq;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	text_cut(ev.text, sizeof ev.text, text);

	e = &shm->events[(ev.n - 1) % PT_SHM_NEVENTS];
	shm_write_begin(&e->seq);
	store_words(e, &ev, sizeof(uint32_t), sizeof ev);
	shm_write_end(&e->seq);

	shm->pub.event_head = ev.n;
	shm_publish_header(shm);
}

void
shm_mbox_post(struct pt_shm_mbox *m, uint64_t task_seq, uint32_t done,
    uint32_t total)
{
	if (task_seq == 0)
		return;
	atomic_store_explicit(&m->task_seq, 0, memory_order_relaxed);
	atomic_store_explicit(&m->value, (uint64_t)done << 32 | total,
	    memory_order_release);
	atomic_store_explicit(&m->task_seq, task_seq, memory_order_release);
}

bool
shm_mbox_take(struct pt_shm_mbox *m, uint64_t task_seq, uint32_t *done,
    uint32_t *total)
{
	uint64_t	v;

	if (task_seq == 0 || atomic_load_explicit(&m->task_seq,
	    memory_order_acquire) != task_seq)
		return false;
	v = atomic_load_explicit(&m->value, memory_order_acquire);
	if (atomic_load_explicit(&m->task_seq, memory_order_relaxed) !=
	    task_seq)
		return false;
	*done = (uint32_t)(v >> 32);
	*total = (uint32_t)v;
	return true;
}

int
shm_post_progress(struct pt_shm *shm, uint32_t slot, uint64_t task_seq,
    uint32_t done, uint32_t total)
{
	off_t		off = slot_off(slot) +
			    (off_t)offsetof(struct pt_shm_slot, mbox);
	uint64_t	zero = 0, value = (uint64_t)done << 32 | total;

	if (slot >= shm->nslots || task_seq == 0) {
		errno = EINVAL;
		return -1;
	}
	if (pwrite(shm->fd, &zero, sizeof zero, off) != sizeof zero ||
	    pwrite(shm->fd, &value, sizeof value, off + 8) != sizeof value ||
	    pwrite(shm->fd, &task_seq, sizeof task_seq, off) !=
	    sizeof task_seq)
		return -1;
	return 0;
}

/* Is /proc/<pid>/stat that of a zombie (or a dying process)? */
static bool
proc_is_zombie(pid_t pid)
{
	char	 path[64], buf[512], *p;
	ssize_t	 n;
	int	 fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return false;
	return p[2] == 'Z' || p[2] == 'X';
}

bool
shm_pid_alive(pid_t pid)
{
	char		path[64];
	struct stat	st;

	if (pid <= 0)
		return false;
	if (kill(pid, 0) == -1 && errno == ESRCH)
		return false;
	snprintf(path, sizeof path, "/proc/%ld", (long)pid);
	if (stat(path, &st) == -1)	/* no /proc, or it just ended */
		return kill(pid, 0) == 0 || errno == EPERM;
	if (st.st_uid != geteuid())
		return false;	/* the pid now belongs to someone else */
	return !proc_is_zombie(pid);
}

/* Unlink a stale segment, if the name still leads to the file we hold. */
static int
shm_remove_stale(const struct pt_shm *shm, char *errbuf, size_t errlen)
{
	struct stat	held, now;
	char		path[sizeof SHM_DIR + sizeof shm->name];

	snprintf(path, sizeof path, "%s%s", SHM_DIR, shm->name);
	if (fstat(shm->fd, &held) == -1 || stat(path, &now) == -1)
		return shm_fail(errbuf, errlen, errno, "cannot remove %s: %s",
		    shm->name, strerror(errno));
	if (held.st_uid != geteuid() || held.st_dev != now.st_dev ||
	    held.st_ino != now.st_ino)
		return shm_fail(errbuf, errlen, EPERM,
		    "cannot remove %s: it changed under us", shm->name);
	if (shm_unlink(shm->name) == -1 && errno != ENOENT)
		return shm_fail(errbuf, errlen, errno, "cannot remove %s: %s",
		    shm->name, strerror(errno));
	return 0;
}

/* Open, judge and report one directory entry of /dev/shm. */
static void
shm_list_one(const char *entry, shm_list_fn fn, void *arg)
{
	struct pt_shm	shm;
	char		name[NAME_MAX + 2], err[256];
	pid_t		pid;
	bool		alive;

	snprintf(name, sizeof name, "/%s", entry);
	if (strlen(name) >= sizeof shm.name) {
		fn(name, NULL, false, "name too long", arg);
		return;
	}
	pid = shm_name_pid(name, geteuid());
	alive = pid > 0 && shm_pid_alive(pid);
	if (shm_open_reader(&shm, name, false, err, sizeof err) == -1) {
		if (errno != ENOENT)	/* removed meanwhile: nothing to say */
			fn(name, NULL, alive, err, arg);
		return;
	}
	if (pid == 0)
		fn(name, NULL, false, "not a pooltop segment name", arg);
	else if (alive)
		fn(name, &shm, true, NULL, arg);
	else if (shm_remove_stale(&shm, err, sizeof err) == -1)
		fn(name, &shm, false, err, arg);
	else
		fn(name, &shm, false, NULL, arg);
	shm_close(&shm);
}

int
shm_list(uid_t uid, shm_list_fn fn, void *arg)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 prefix[32];
	size_t		 plen;

	snprintf(prefix, sizeof prefix, "pooltop.%u.", (unsigned)uid);
	plen = strlen(prefix);
	if ((d = opendir(SHM_DIR)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		/* Names anyone may create: only regular files of ours count. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1 || !S_ISREG(st.st_mode) || st.st_uid != uid)
			continue;
		shm_list_one(de->d_name, fn, arg);
	}
	closedir(d);
	return 0;
}

const char *
shm_pool_state_name(uint32_t s)
{
	return s < nitems_of(pool_state_names) ? pool_state_names[s] :
	    "unknown";
}

const char *
shm_input_name(uint32_t in)
{
	static const char *const names[] = {
		"unknown", "source", "keep-open", "closed", "stopping"
	};

	in &= PT_INPUT_MASK;
	return in < nitems_of(names) ? names[in] : "unknown";
}

const char *
shm_slot_state_name(uint32_t s)
{
	return s < nitems_of(slot_state_names) ? slot_state_names[s] :
	    "unknown";
}

const char *
shm_admit_state_name(uint32_t s)
{
	return s < nitems_of(admit_state_names) ? admit_state_names[s] :
	    "unknown";
}

const char *
shm_event_name(uint32_t t)
{
	return t < nitems_of(event_names) ? event_names[t] : "unknown";
}

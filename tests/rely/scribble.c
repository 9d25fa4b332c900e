/*
 * A hostile process of the pool's own user, for the reliability tests: for MS
 * milliseconds it writes into a pool's segment (opened by name, as any task
 * can with POOLTOP_SHM) what a stray or malicious task could:
 *
 *  random	random bytes at random offsets;
 *  fields	lies in the header (nslots flipped between its value and
 *		absurd ones, sizes, slots_used, event_head, times at the ends
 *		of int64, supervisor_pid 1, the decoy or a dead pid,
 *		socket_path the decoy file, strings without a NUL, odd
 *		seqlocks) and in slots
 *		and events (task_pid and worker_pid 1 or the decoy group,
 *		huge tail_len, progress done > total, unknown states);
 *  truncate	ftruncate to 0, to a few bytes, to half, to one byte short,
 *		beyond the end, and back;
 *  all		each round one of the above.
 *
 * usage: scribble NAME MODE MS [DECOY_PGID [DECOY_PATH]]
 * Exit 0 after MS (or once the segment is gone), 2 on a usage error.
 * Prints the number of writes and truncations it made.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shm.h"
#include "util.h"

#define HDR(f)	offsetof(struct pt_shm_header, f)
#define SLOT(f)	offsetof(struct pt_shm_slot, f)
#define EV(f)	offsetof(struct pt_shm_event, f)

static int		 fd;
static uint32_t		 nslots;
static int32_t		 decoy = 1;
static const char	*decoy_path = "/nonexistent/pooltop-decoy";
static unsigned long	 nwrites, ntruncs;

/* Write len bytes at off (errors ignored: the object may be short). */
static void
put(off_t off, const void *p, size_t len)
{
	if (pwrite(fd, p, len, off) == (ssize_t)len)
		nwrites++;
}

/* Write a 32-bit value at off. */
static void
put32(off_t off, uint32_t v)
{
	put(off, &v, sizeof v);
}

/* Write a 64-bit value at off. */
static void
put64(off_t off, uint64_t v)
{
	put(off, &v, sizeof v);
}

/* Offset of slot i, of event i. */
static off_t
slot_at(uint32_t i)
{
	return (off_t)(sizeof(struct pt_shm_header) +
	    PT_SHM_NEVENTS * sizeof(struct pt_shm_event) +
	    (size_t)i * sizeof(struct pt_shm_slot));
}

static off_t
event_at(uint32_t i)
{
	return (off_t)(sizeof(struct pt_shm_header) +
	    (size_t)i * sizeof(struct pt_shm_event));
}

/* A lie for a 32-bit count. */
static uint32_t
bad32(uint32_t real)
{
	static const uint32_t v[] = { 0, 1, 2, 1024, 65536, 65537, 0x7fffffff,
	    0x80000000, 0xffffffff };

	return arc4random_uniform(4) == 0 ? real :
	    v[arc4random_uniform(nitems_of(v))];
}

/* A lie for a time or a 64-bit counter. */
static uint64_t
bad64(void)
{
	static const uint64_t v[] = { 0, 1, (uint64_t)INT64_MAX,
	    (uint64_t)INT64_MIN, UINT64_MAX, (uint64_t)-2 };

	return arc4random_uniform(4) == 0 ? ((uint64_t)arc4random() << 32 |
	    arc4random()) : v[arc4random_uniform(nitems_of(v))];
}

/* A string without a NUL, or the decoy path. */
static void
bad_string(off_t off, size_t len)
{
	char	buf[PT_TAIL_MAX];

	if (arc4random_uniform(2) == 0 && strlen(decoy_path) < len) {
		put(off, decoy_path, strlen(decoy_path) + 1);
		return;
	}
	memset(buf, 0xff, sizeof buf);
	buf[0] = '\033';
	put(off, buf, len < sizeof buf ? len : sizeof buf);
}

/* Lie in one header field. */
static void
lie_header(void)
{
	switch (arc4random_uniform(12)) {
	case 0: case 1: case 2:
		put32(HDR(nslots), bad32(nslots));
		break;
	case 3:
		put32(HDR(slots_used), bad32(nslots));
		break;
	case 4:
		put32(HDR(slot_size), bad32(sizeof(struct pt_shm_slot)));
		break;
	case 5:
		put64(HDR(event_head), bad64());
		break;
	case 6:
		put64(HDR(start_real_ns), bad64());
		put64(HDR(update_real_ns), bad64());
		break;
	case 7:		/* init, the decoy, or a pid no process has */
		put32(HDR(supervisor_pid), (uint32_t[]){ 1, (uint32_t)decoy,
		    0x7ffffffe }[arc4random_uniform(3)]);
		break;
	case 8:
		bad_string(HDR(socket_path), sizeof(((struct pt_shm_header *)0)->
		    socket_path));
		break;
	case 9:
		bad_string(HDR(name), PT_NAME_MAX);
		bad_string(HDR(command), PT_CMD_MAX);
		break;
	case 10:
		put32(HDR(seq), arc4random() | 1);
		break;
	default:
		put64(HDR(done), bad64());
		put64(HDR(total), bad64());
		put32(HDR(state), bad32(PT_POOL_RUNNING));
		break;
	}
}

/* Lie in one slot (most often one of the first few, where workers are). */
static void
lie_slot(void)
{
	uint32_t	i = arc4random_uniform(4) ? arc4random_uniform(8) :
			    arc4random_uniform(nslots);
	off_t		s = slot_at(i);

	switch (arc4random_uniform(8)) {
	case 0: case 1:
		put32(s + SLOT(task_pid), arc4random_uniform(2) ? 1 :
		    (uint32_t)decoy);
		put32(s + SLOT(worker_pid), arc4random_uniform(2) ? 1 :
		    (uint32_t)decoy);
		break;
	case 2:
		put32(s + SLOT(tail_len), bad32(100));
		break;
	case 3:
		bad_string(s + SLOT(label), PT_LABEL_MAX);
		bad_string(s + SLOT(item), PT_ITEM_MAX);
		break;
	case 4:
		put32(s + SLOT(progress_done), bad32(5));
		put32(s + SLOT(progress_total), bad32(3));
		put64(s + SLOT(mbox), bad64());
		put64(s + SLOT(mbox) + 8, bad64());
		break;
	case 5:
		put64(s + SLOT(task_start_real_ns), bad64());
		put64(s + SLOT(rss_bytes), bad64());
		put32(s + SLOT(cpu_permille), bad32(1000));
		break;
	case 6:
		put32(s + SLOT(seq), arc4random() | 1);
		break;
	default:
		put32(s + SLOT(state), bad32(PT_SLOT_RUNNING));
		put32(s + SLOT(generation), arc4random());
		break;
	}
}

/* Lie in one event of the ring. */
static void
lie_event(void)
{
	off_t	e = event_at(arc4random_uniform(PT_SHM_NEVENTS));

	put64(e + EV(n), bad64());
	put64(e + EV(real_ns), bad64());
	put32(e + EV(type), bad32(PT_EV_INFO));
	bad_string(e + EV(text), PT_EVENT_TEXT);
	if (arc4random_uniform(4) == 0)
		put32(e + EV(seq), arc4random() | 1);
}

/* Random bytes at a random offset. */
static void
scribble_random(size_t size)
{
	unsigned char	buf[64];
	size_t		len = 1 + arc4random_uniform(sizeof buf);

	arc4random_buf(buf, len);
	put((off_t)arc4random_uniform((uint32_t)size), buf, len);
}

/* Truncate the object, or give it back its size. */
static void
scribble_truncate(size_t size)
{
	off_t	to[] = { 0, 8, 100, (off_t)sizeof(struct pt_shm_header),
	    (off_t)size / 2, (off_t)size - 1, (off_t)size + 1024 * 1024,
	    (off_t)size, (off_t)size };

	if (ftruncate(fd, to[arc4random_uniform(nitems_of(to))]) == 0)
		ntruncs++;
}

/* One round of mode m. */
static void
round_of(const char *m, size_t size)
{
	if (strcmp(m, "all") == 0) {
		static const char *all[] = { "random", "fields", "fields",
		    "truncate" };

		m = all[arc4random_uniform(nitems_of(all))];
	}
	if (strcmp(m, "random") == 0)
		scribble_random(size);
	else if (strcmp(m, "truncate") == 0)
		scribble_truncate(size);
	else {
		switch (arc4random_uniform(3)) {
		case 0:
			lie_header();
			break;
		case 1:
			lie_slot();
			break;
		default:
			lie_event();
			break;
		}
	}
}

int
main(int argc, char **argv)
{
	struct pt_shm_header	 h;
	struct timespec		 ts = { 0, 100 * 1000 };
	const char		*errstr, *mode;
	int64_t			 end;
	size_t			 size;
	long long		 ms;
	unsigned long		 n;

	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: scribble NAME random|fields|truncate|"
		    "all MS [DECOY_PGID [DECOY_PATH]]\n");
		return 2;
	}
	mode = argv[2];
	ms = strtonum(argv[3], 1, 3600 * 1000, &errstr);
	if (errstr == NULL && argc > 4)
		decoy = (int32_t)strtonum(argv[4], 1, INT32_MAX, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "scribble: bad number: %s\n", errstr);
		return 2;
	}
	if (argc > 5)
		decoy_path = argv[5];
	if ((fd = shm_open(argv[1], O_RDWR, 0)) == -1) {
		fprintf(stderr, "scribble: %s: %s\n", argv[1], strerror(errno));
		return 0;	/* gone already: nothing to scribble on */
	}
	if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
	    h.nslots == 0 || h.nslots > PT_SHM_MAX_SLOTS) {
		fprintf(stderr, "scribble: %s: not a segment\n", argv[1]);
		return 2;
	}
	nslots = h.nslots;
	size = shm_segment_size(nslots);
	end = mono_ns() + ms * 1000000;
	for (n = 0; ; n++) {
		if (n % 64 == 0 && mono_ns() >= end)
			break;
		round_of(mode, size);
		if (n % 8 == 0)
			nanosleep(&ts, NULL);	/* leave the pool some CPU */
	}
	printf("scribble: %lu writes, %lu truncations in %lld ms\n", nwrites,
	    ntruncs, ms);
	close(fd);
	return 0;
}

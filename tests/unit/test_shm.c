/*
 * Tests of the shared-memory segment: creation and its refusals, reader
 * validation, header/slot/event round trips, the event ring wrapping, the
 * progress mailbox, a writer dying mid-update, listing and removal of stale
 * segments, and the torn-read hammer with a writer in another process.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hammer.h"
#include "shm.h"
#include "util.h"

/* Path in /dev/shm of a segment name. */
static void
dev_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/dev/shm%s", name);
}

/* Does a segment name exist? */
static bool
seg_exists(const char *name)
{
	char		path[128];
	struct stat	st;

	dev_path(path, sizeof path, name);
	return stat(path, &st) == 0;
}

/* Make a segment by hand: a valid version-1 layout for nslots, mode 0600. */
static int
fake_segment(const char *name, uint32_t nslots, struct pt_shm_header **hp,
    size_t *sizep)
{
	struct pt_shm_header	*h;
	size_t			 size = shm_segment_size(nslots);
	int			 fd;

	shm_unlink(name);
	fd = shm_open(name, O_RDWR|O_CREAT|O_EXCL, 0600);
	assert_true(fd != -1);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	h = mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(h != MAP_FAILED);
	h->magic = PT_SHM_MAGIC;
	h->version = PT_SHM_VERSION;
	h->header_size = sizeof *h;
	h->slot_size = sizeof(struct pt_shm_slot);
	h->event_size = sizeof(struct pt_shm_event);
	h->history_size = sizeof(struct pt_shm_history);
	h->nslots = nslots;
	h->nevents = PT_SHM_NEVENTS;
	h->uid = (uint32_t)geteuid();
	h->supervisor_pid = (int32_t)getpid();
	*hp = h;
	*sizep = size;
	return fd;
}

/* Open name as a reader; expect failure with want in the message. */
static void
expect_refused(const char *name, const char *want)
{
	struct pt_shm	shm;
	char		err[256] = "";

	assert_int_equal(shm_open_reader(&shm, name, false, err, sizeof err),
	    -1);
	if (strstr(err, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err, want);
	assert_null(shm.hdr);
	assert_int_equal(shm.fd, -1);
}

/* Sizes and offsets are the ones in shm.h. */
static void
test_layout(void **state)
{
	struct pt_shm	shm;
	char		err[256];

	(void)state;
	assert_int_equal(sizeof(struct pt_shm_history), 32 + 26 * 8 + 240 * 32);
	assert_int_equal(shm_segment_size(1), 736 + PT_SHM_NEVENTS * 200 + 2536 +
	    sizeof(struct pt_shm_history));
	assert_int_equal(shm_create(&shm, 3, err, sizeof err), 0);
	assert_int_equal(shm.size, shm_segment_size(3));
	assert_ptr_equal((char *)shm.events, (char *)shm.hdr + 736);
	assert_ptr_equal((char *)(shm.slots + 3), (char *)shm.history);
	assert_ptr_equal((char *)(shm.history + 1), (char *)shm.hdr + shm.size);
	assert_int_equal(shm.nslots, 3);
	shm_close(&shm);

	assert_int_equal(shm_create(&shm, 0, err, sizeof err), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(shm_create(&shm, PT_SHM_MAX_SLOTS + 1, err,
	    sizeof err), -1);
}

/* A new segment is 0600 and ours, whatever the umask, and goes on close. */
static void
test_create_mode(void **state)
{
	struct pt_shm		shm;
	struct pt_shm_header	h;
	struct stat		st;
	char			err[256], want[64], path[128];
	mode_t			old;

	(void)state;
	old = umask(0);
	assert_int_equal(shm_create(&shm, 4, err, sizeof err), 0);
	umask(old);
	snprintf(want, sizeof want, "/pooltop.%u.%ld.", (unsigned)geteuid(),
	    (long)getpid());
	assert_true(strncmp(shm.name, want, strlen(want)) == 0);
	assert_int_equal(shm_name_pid(shm.name, geteuid()), getpid());
	assert_int_equal(shm.pid, getpid());
	strlcpy(want, shm.name, sizeof want);
	dev_path(path, sizeof path, shm.name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());

	assert_true(shm_read_header(&shm, &h));
	assert_true(h.magic == PT_SHM_MAGIC);
	assert_int_equal(h.version, PT_SHM_VERSION);
	assert_int_equal(h.nslots, 4);
	assert_int_equal(h.nevents, PT_SHM_NEVENTS);
	assert_int_equal(h.uid, geteuid());
	assert_int_equal(h.supervisor_pid, getpid());
	assert_int_equal(h.state, PT_POOL_STARTING);
	assert_true(h.start_real_ns > 0);
	assert_int_equal(h.seq % 2, 0);

	shm_close(&shm);
	assert_false(seg_exists(want));
}

/* A second create gets a name of its own and leaves the first alone. */
static void
test_create_twice(void **state)
{
	struct pt_shm		a, b;
	struct pt_shm_header	h;
	char			err[256] = "";

	(void)state;
	assert_int_equal(shm_create(&a, 2, err, sizeof err), 0);
	strlcpy(a.pub.name, "first", sizeof a.pub.name);
	shm_publish_header(&a);

	assert_int_equal(shm_create(&b, 5, err, sizeof err), 0);
	assert_string_not_equal(a.name, b.name);
	assert_true(shm_read_header(&b, &h));
	assert_int_equal(h.nslots, 5);
	shm_close(&b);

	assert_true(seg_exists(a.name));
	assert_true(shm_read_header(&a, &h));
	assert_string_equal(h.name, "first");
	assert_int_equal(h.nslots, 2);
	shm_close(&a);
}

/*
 * An object someone else put at the name a squatter can guess (the pid
 * alone, as older versions used) does not stop us and is never touched.
 */
static void
test_create_preexisting(void **state)
{
	struct pt_shm	shm;
	struct stat	st;
	char		name[64], err[256] = "", buf[16];
	int		fd;

	(void)state;
	snprintf(name, sizeof name, "/pooltop.%u.%ld", (unsigned)geteuid(),
	    (long)getpid());
	shm_unlink(name);	/* left by an earlier process with our pid */
	fd = shm_open(name, O_RDWR|O_CREAT|O_EXCL, 0644);
	assert_true(fd != -1);
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(write(fd, "not ours", 8), 8);

	assert_int_equal(shm_create(&shm, 2, err, sizeof err), 0);
	assert_string_not_equal(shm.name, name);
	shm_close(&shm);

	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 8);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(pread(fd, buf, 8, 0), 8);
	assert_memory_equal(buf, "not ours", 8);
	close(fd);
	shm_unlink(name);
}

/* The reader refuses bad magic, version, sizes, mode and owner. */
static void
test_reader_validation(void **state)
{
	struct pt_shm_header	*h;
	struct pt_shm		 shm;
	char			 name[64], err[256];
	size_t			 size;
	int			 fd;

	(void)state;
	snprintf(name, sizeof name, "/pooltop-test.%ld.v", (long)getpid());

	fd = fake_segment(name, 2, &h, &size);
	assert_int_equal(shm_open_reader(&shm, name, false, err, sizeof err),
	    0);
	assert_int_equal(shm.nslots, 2);
	assert_false(shm.owner);
	shm_close(&shm);
	assert_true(seg_exists(name));	/* a reader never unlinks */

	h->magic = 0x4e4f544f4f4c4f50ULL;
	expect_refused(name, "bad magic");
	h->magic = PT_SHM_MAGIC;

	h->version = PT_SHM_VERSION + 1;
	snprintf(err, sizeof err, "segment %s has version %d, this pooltop "
	    "reads version %d", name, PT_SHM_VERSION + 1, PT_SHM_VERSION);
	expect_refused(name, err);
	h->version = PT_SHM_VERSION;

	h->slot_size = 1000;
	expect_refused(name, "sizes");
	h->slot_size = sizeof(struct pt_shm_slot);

	h->uid = (uint32_t)geteuid() + 1;
	expect_refused(name, "uid");
	h->uid = (uint32_t)geteuid();

	h->nslots = 3;
	expect_refused(name, "for 3 slots");
	h->nslots = 2;

	assert_int_equal(fchmod(fd, 0640), 0);
	expect_refused(name, "mode");
	assert_int_equal(fchmod(fd, 0600), 0);

	assert_int_equal(ftruncate(fd, (off_t)size - 8), 0);
	expect_refused(name, "for 2 slots");
	assert_int_equal(ftruncate(fd, 16), 0);
	expect_refused(name, "truncated");

	munmap(h, size);
	close(fd);
	shm_unlink(name);
	expect_refused(name, "No such file");
}

/* Header and slot fields come back as written, strings terminated. */
static void
test_roundtrip(void **state)
{
	struct pt_shm		 shm;
	struct pt_shm_header	 h;
	struct pt_shm_slot	*s, copy, mine;
	char			 err[256];
	uint32_t		 done, total;

	(void)state;
	assert_int_equal(shm_create(&shm, 4, err, sizeof err), 0);
	shm_write_begin(&shm.hdr->seq);
	shm.hdr->state = PT_POOL_RUNNING;
	shm.hdr->queued = 7;
	shm.hdr->total = 1ULL << 40;
	strlcpy(shm.hdr->name, "demo", sizeof shm.hdr->name);
	memset(shm.hdr->command, 'c', sizeof shm.hdr->command);
	shm_write_end(&shm.hdr->seq);
	assert_true(shm_read_header(&shm, &h));
	assert_int_equal(h.state, PT_POOL_RUNNING);
	assert_int_equal(h.queued, 7);
	assert_true(h.total == 1ULL << 40);
	assert_string_equal(h.name, "demo");
	assert_int_equal(strlen(h.command), sizeof h.command - 1);

	s = &shm.slots[2];
	shm_write_begin(&s->seq);
	s->state = PT_SLOT_RUNNING;
	s->task_seq = 9;
	s->rss_bytes = 123456789012ULL;
	memset(s->label, 'L', sizeof s->label);
	strlcpy(s->item, "file.txt", sizeof s->item);
	memcpy(s->tail, "hello world", 11);
	s->tail_len = 5;
	shm_write_end(&s->seq);
	assert_true(shm_read_slot(&shm, 2, &copy));
	assert_int_equal(copy.state, PT_SLOT_RUNNING);
	assert_int_equal(copy.task_seq, 9);
	assert_true(copy.rss_bytes == 123456789012ULL);
	assert_int_equal(strlen(copy.label), sizeof copy.label - 1);
	assert_string_equal(copy.item, "file.txt");
	assert_string_equal(copy.tail, "hello");

	shm_write_begin(&s->seq);
	s->tail_len = 100000;		/* a reader must not trust it */
	shm_write_end(&s->seq);
	assert_true(shm_read_slot(&shm, 2, &copy));
	assert_int_equal(copy.tail_len, PT_TAIL_MAX - 1);

	assert_true(shm_read_slot(&shm, 0, &copy));
	assert_int_equal(copy.state, PT_SLOT_EMPTY);
	assert_false(shm_read_slot(&shm, 4, &copy));

	/* A published copy replaces the fields but not the mailbox. */
	shm_mbox_post(&shm.slots[1].mbox, 42, 1, 2);
	memset(&mine, 0, sizeof mine);
	mine.state = PT_SLOT_IDLE;
	mine.generation = 3;
	strlcpy(mine.label, "from a copy", sizeof mine.label);
	shm_write_slot(&shm, 1, &mine);
	assert_true(shm_read_slot(&shm, 1, &copy));
	assert_int_equal(copy.state, PT_SLOT_IDLE);
	assert_int_equal(copy.generation, 3);
	assert_string_equal(copy.label, "from a copy");
	assert_int_equal(copy.seq, 2);
	assert_true(shm_mbox_take(&copy.mbox, 42, &done, &total));
	assert_true(shm_mbox_take(&shm.slots[1].mbox, 42, &done, &total));
	assert_int_equal(done, 1);
	assert_int_equal(total, 2);
	shm_close(&shm);
}

/* Bytes of memory an object has (its allocated blocks, holes not counted). */
static off_t
seg_bytes(const struct pt_shm *shm)
{
	struct stat	st;

	assert_int_equal(fstat(shm->fd, &st), 0);
	return (off_t)st.st_blocks * 512;
}

/*
 * A segment has memory for its header, event ring and history from the
 * start, and for slots[0..i] from slot i's first write on: a small pool
 * does not pay for every slot.  After the object is cut and repaired the
 * same holds.
 */
static void
test_reserve(void **state)
{
	struct pt_shm		shm;
	struct pt_shm_slot	mine, copy;
	char			err[256];
	off_t			fixed, slot = sizeof(struct pt_shm_slot);
	off_t			page = sysconf(_SC_PAGESIZE);
	uint32_t		i;

	(void)state;
	assert_int_equal(shm_create(&shm, 1024, err, sizeof err), 0);
	fixed = (off_t)(shm_segment_size(0));
	assert_true(seg_bytes(&shm) >= fixed);
	assert_true(seg_bytes(&shm) <= fixed + 4 * page);
	memset(&mine, 0, sizeof mine);
	mine.state = PT_SLOT_IDLE;
	/* A pool growing a worker at a time: slots come into use in order. */
	for (i = 0; i < 40; i++) {
		mine.generation = i;
		shm_write_slot(&shm, i, &mine);
		assert_true(seg_bytes(&shm) >= fixed + (off_t)(i + 1) * slot -
		    page);
		assert_true(seg_bytes(&shm) <= fixed + (off_t)(i + 8) * slot +
		    2 * page);
		assert_true(shm_read_slot(&shm, i, &copy));
		assert_int_equal(copy.generation, i);
	}
	assert_true(seg_bytes(&shm) < (off_t)shm.size / 4);
	mine.generation = 1023;
	shm_write_slot(&shm, 1023, &mine);
	assert_true(shm_read_slot(&shm, 1023, &copy));
	assert_int_equal(copy.generation, 1023);
	assert_true(seg_bytes(&shm) >= (off_t)shm.size - page);

	/* Cut to nothing: the repair gives the fixed parts memory again. */
	assert_int_equal(ftruncate(shm.fd, 0), 0);
	assert_int_equal(shm_repair(&shm), 1);
	assert_true(seg_bytes(&shm) >= fixed);
	assert_true(seg_bytes(&shm) <= fixed + 4 * page);
	mine.generation = 77;
	shm_write_slot(&shm, 700, &mine);
	assert_true(shm_read_slot(&shm, 700, &copy));
	assert_int_equal(copy.generation, 77);
	assert_true(seg_bytes(&shm) >= fixed + slot - page);
	shm_close(&shm);
	assert_null(shm.history);
}

/* Events read back in order; the ring drops the oldest after it wraps. */
static void
test_events(void **state)
{
	struct pt_shm		shm;
	struct pt_shm_header	h;
	struct pt_shm_event	ev;
	char			err[256], want[32];
	uint64_t		n, last = PT_SHM_NEVENTS + 10;

	(void)state;
	assert_int_equal(shm_create(&shm, 1, err, sizeof err), 0);
	assert_false(shm_read_event(&shm, 1, &ev));
	shm_add_event(&shm, PT_EV_TASK_DONE, 3, 17, 256, "hello %d", 7);
	assert_true(shm_read_event(&shm, 1, &ev));
	assert_int_equal(ev.type, PT_EV_TASK_DONE);
	assert_int_equal(ev.n, 1);
	assert_int_equal(ev.slot, 3);
	assert_int_equal(ev.task_seq, 17);
	assert_int_equal(ev.status, 256);
	assert_true(ev.real_ns > 0);
	assert_string_equal(ev.text, "hello 7");
	assert_false(shm_read_event(&shm, 0, &ev));
	assert_false(shm_read_event(&shm, 2, &ev));

	for (n = 2; n <= last; n++)
		shm_add_event(&shm, PT_EV_INFO, -1, 0, 0, "event %llu",
		    (unsigned long long)n);
	assert_true(shm_read_header(&shm, &h));
	assert_int_equal(h.event_head, last);
	for (n = 1; n <= last - PT_SHM_NEVENTS; n++)
		assert_false(shm_read_event(&shm, n, &ev));
	for (; n <= last; n++) {
		assert_true(shm_read_event(&shm, n, &ev));
		assert_int_equal(ev.n, n);
		assert_int_equal(ev.slot, -1);
		snprintf(want, sizeof want, "event %llu", (unsigned long long)n);
		assert_string_equal(ev.text, want);
	}
	assert_false(shm_read_event(&shm, last + 1, &ev));
	shm_close(&shm);
}

/* Is s valid UTF-8? */
static bool
utf8_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 more;

	while (*p != '\0') {
		if (*p < 0x80)
			more = 0;
		else if ((*p & 0xe0) == 0xc0)
			more = 1;
		else if ((*p & 0xf0) == 0xe0)
			more = 2;
		else if ((*p & 0xf8) == 0xf0)
			more = 3;
		else
			return false;
		for (p++; more > 0; more--, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
		}
	}
	return true;
}

/* Long event text is cut at a character boundary. */
static void
test_event_utf8(void **state)
{
	struct pt_shm		shm;
	struct pt_shm_event	ev;
	char			err[256], long2[400], long3[400];
	int			i;

	(void)state;
	long2[0] = long3[0] = '\0';
	for (i = 0; i < 100; i++)
		strlcat(long2, "\xc3\xa9", sizeof long2);	/* é */
	strlcpy(long3, "a", sizeof long3);
	for (i = 0; i < 100; i++)
		strlcat(long3, "\xe2\x82\xac", sizeof long3);	/* € */

	assert_int_equal(shm_create(&shm, 1, err, sizeof err), 0);
	shm_add_event(&shm, PT_EV_INFO, -1, 0, 0, "%s", long2);
	assert_true(shm_read_event(&shm, 1, &ev));
	assert_int_equal(strlen(ev.text), 158);
	assert_true(utf8_valid(ev.text));
	shm_add_event(&shm, PT_EV_INFO, -1, 0, 0, "%s", long3);
	assert_true(shm_read_event(&shm, 2, &ev));
	assert_int_equal(strlen(ev.text), 157);
	assert_true(utf8_valid(ev.text));
	shm_close(&shm);
}

/* The mailbox keeps the last post and gives it only to its task. */
static void
test_mbox(void **state)
{
	struct pt_shm	shm, w;
	char		err[256];
	uint32_t	done, total;
	pid_t		pid;
	int		status;

	(void)state;
	assert_int_equal(shm_create(&shm, 2, err, sizeof err), 0);
	assert_false(shm_mbox_take(&shm.slots[0].mbox, 7, &done, &total));
	shm_mbox_post(&shm.slots[0].mbox, 7, 3, 10);
	assert_true(shm_mbox_take(&shm.slots[0].mbox, 7, &done, &total));
	assert_int_equal(done, 3);
	assert_int_equal(total, 10);
	assert_false(shm_mbox_take(&shm.slots[0].mbox, 8, &done, &total));
	assert_false(shm_mbox_take(&shm.slots[0].mbox, 0, &done, &total));
	shm_mbox_post(&shm.slots[0].mbox, 0, 9, 9);	/* no task: ignored */
	assert_true(shm_mbox_take(&shm.slots[0].mbox, 7, &done, &total));
	assert_int_equal(done, 3);

	/* `pooltop progress` posts from another process, by name. */
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if (shm_open_reader(&w, shm.name, true, err, sizeof err) == -1)
			_exit(1);
		if (w.hdr != NULL || shm_post_progress(&w, 1, 8, 5,
		    4000000000U) == -1 || shm_post_progress(&w, 2, 8, 1, 1) !=
		    -1)
			_exit(2);	/* mapped, or slot 2 of 2 taken */
		shm_close(&w);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_true(shm_mbox_take(&shm.slots[1].mbox, 8, &done, &total));
	assert_int_equal(done, 5);
	assert_true(total == 4000000000U);
	assert_false(shm_mbox_take(&shm.slots[1].mbox, 7, &done, &total));
	shm_close(&shm);
}

/* A writer that died inside its update makes reads fail, not hang. */
static void
test_dead_writer(void **state)
{
	struct pt_shm		shm;
	struct pt_shm_slot	copy;
	char			err[256];
	int64_t			t0, took;
	pid_t			pid;
	int			status;

	(void)state;
	assert_int_equal(shm_create(&shm, 2, err, sizeof err), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		shm_write_begin(&shm.slots[1].seq);
		shm.slots[1].state = PT_SLOT_RUNNING;
		memset(shm.slots[1].label, 'x', 20);
		shm_close(&shm);	/* not the creator: must not unlink */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_true(seg_exists(shm.name));

	t0 = mono_ns();
	assert_false(shm_read_slot(&shm, 1, &copy));
	took = mono_ns() - t0;
	print_message("stuck slot given up after %.1f ms\n", took / 1e6);
	assert_true(took < 2 * PT_NSEC);
	assert_true(shm_read_slot(&shm, 0, &copy));

	/* The supervisor hands the slot on: begin copes with an odd count. */
	shm_write_begin(&shm.slots[1].seq);
	assert_int_equal(atomic_load(&shm.slots[1].seq) % 2, 1);
	shm.slots[1].state = PT_SLOT_EXITED;
	shm_write_end(&shm.slots[1].seq);
	assert_true(shm_read_slot(&shm, 1, &copy));
	assert_int_equal(copy.state, PT_SLOT_EXITED);
	shm_close(&shm);
}

/*
 * A reader survives any bytes: a flipped slot count makes header copies
 * fail, lies are clamped, a truncated object is a short read; the writer
 * survives its truncation (SIGBUS guarded) and shm_repair() puts it right.
 */
static void
test_hostile(void **state)
{
	struct pt_shm		 w, r;
	struct pt_shm_header	 h;
	struct pt_shm_slot	 s, copy;
	struct pt_shm_event	 ev;
	struct stat		 st;
	char			 err[256];

	(void)state;
	assert_int_equal(shm_create(&w, 4, err, sizeof err), 0);
	assert_int_equal(shm_open_reader(&r, w.name, false, err, sizeof err),
	    0);
	assert_null(r.hdr);		/* a reader maps nothing */
	assert_int_equal(r.nslots, 4);

	shm_write_begin(&w.hdr->seq);
	w.hdr->nslots = 100000;
	shm_write_end(&w.hdr->seq);
	assert_false(shm_read_header(&r, &h));
	shm_write_begin(&w.hdr->seq);
	w.hdr->nslots = 4;
	w.hdr->slots_used = 1000;
	w.hdr->start_real_ns = INT64_MIN;
	w.hdr->update_real_ns = INT64_MAX;
	memset(w.hdr->name, 'x', sizeof w.hdr->name);
	memset(w.hdr->admit_why, 'z', sizeof w.hdr->admit_why);
	w.hdr->admit_held_ns = -1;
	shm_write_end(&w.hdr->seq);
	assert_true(shm_read_header(&r, &h));
	assert_int_equal(h.slots_used, 4);
	assert_true(h.start_real_ns == 0 && h.update_real_ns == 0);
	assert_int_equal(strlen(h.name), sizeof h.name - 1);
	assert_int_equal(strlen(h.admit_why), sizeof h.admit_why - 1);
	assert_true(h.admit_held_ns == 0);

	memset(&s, 0, sizeof s);
	s.tail_len = 0xffffffff;
	memset(s.label, 'y', sizeof s.label);
	s.progress_done = 9;
	s.progress_total = 3;
	s.task_start_real_ns = -5;
	shm_write_slot(&w, 0, &s);
	assert_true(shm_read_slot(&r, 0, &copy));
	assert_int_equal(copy.tail_len, PT_TAIL_MAX - 1);
	assert_int_equal(strlen(copy.label), sizeof copy.label - 1);
	assert_int_equal(copy.progress_done, 3);
	assert_true(copy.task_start_real_ns == 0);
	assert_false(shm_read_slot(&r, 4, &copy));	/* past nslots */

	shm_add_event(&w, PT_EV_INFO, -1, 0, 0, "one");
	w.events[0].real_ns = INT64_MAX;
	assert_true(shm_read_event(&r, 1, &ev));
	assert_true(ev.real_ns == 0);

	/* Truncated: short reads for the reader, a guarded fault for us. */
	assert_int_equal(ftruncate(w.fd, 100), 0);
	assert_false(shm_read_header(&r, &h));
	assert_false(shm_read_slot(&r, 3, &copy));
	w.pub.done = 42;
	shm_publish_header(&w);		/* SIGBUS without the guard */
	shm_write_slot(&w, 3, &s);
	assert_int_equal(shm_repair(&w), 1);
	assert_int_equal(fstat(w.fd, &st), 0);
	assert_true((size_t)st.st_size == shm_segment_size(4));
	shm_publish_header(&w);
	assert_true(shm_read_header(&r, &h));
	assert_true(h.done == 42);
	assert_int_equal(shm_repair(&w), 0);
	shm_close(&r);
	shm_close(&w);
}

/* Wait (bounded) until pid is a zombie. */
static bool
wait_zombie(pid_t pid)
{
	struct timespec	ts = { 0, 2 * 1000 * 1000 };
	char		path[64], buf[256], *p;
	ssize_t		n;
	int		fd, i;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	for (i = 0; i < 2500; i++) {
		if ((fd = open(path, O_RDONLY)) == -1)
			return false;
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if ((p = strrchr(buf, ')')) != NULL && p[1] == ' ' &&
		    p[2] == 'Z')
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* Alive means: the pid exists, has our uid, is not a zombie. */
static void
test_pid_alive(void **state)
{
	int	fds[2];
	pid_t	pid;
	char	c;

	(void)state;
	assert_true(shm_pid_alive(getpid()));
	assert_false(shm_pid_alive(0));
	if (geteuid() != 0)
		assert_false(shm_pid_alive(1));	/* init: not ours */

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(fds[1]);
		(void)read(fds[0], &c, 1);	/* until the parent says */
		_exit(0);
	}
	close(fds[0]);
	assert_true(shm_pid_alive(pid));
	close(fds[1]);
	assert_true(wait_zombie(pid));
	assert_false(shm_pid_alive(pid));
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_false(shm_pid_alive(pid));
}

/* Names: random, unguessable, and their pid read back. */
static void
test_name_pid(void **state)
{
	char	a[64], b[64], name[64];

	(void)state;
	shm_name(a, sizeof a, 1000, 4242);
	shm_name(b, sizeof b, 1000, 4242);
	assert_true(strncmp(a, "/pooltop.1000.4242.", 19) == 0);
	assert_int_equal(strlen(a), 19 + 16);
	assert_string_not_equal(a, b);
	assert_int_equal(shm_name_pid(a, 1000), 4242);
	assert_int_equal(shm_name_pid(a + 1, 1000), 4242);
	assert_int_equal(shm_name_pid(a, 1001), 0);
	assert_int_equal(shm_name_pid("/pooltop.1000.77", 1000), 77);
	assert_int_equal(shm_name_pid("/pooltop.1000.0.ab", 1000), 0);
	assert_int_equal(shm_name_pid("/pooltop.1000.-5", 1000), 0);
	assert_int_equal(shm_name_pid("/pooltop.1000.12x", 1000), 0);
	assert_int_equal(shm_name_pid("/pooltop.1000.99999999999", 1000), 0);
	snprintf(name, sizeof name, "/pooltop.%u.%ld.vxtest",
	    (unsigned)geteuid(), (long)getpid());
	assert_int_equal(shm_name_pid(name, geteuid()), getpid());
}

struct listed {
	const char	*want[3];
	int		 seen[3];
	bool		 alive[3];
	bool		 had_shm[3];
	char		 error[3][256];
	pid_t		 pid[3];
};

/* shm_list callback: note what it says about our three segments. */
static void
list_cb(const char *name, const struct pt_shm *shm, bool alive,
    const char *error, void *arg)
{
	struct listed	*l = arg;
	int		 i;

	for (i = 0; i < 3; i++) {
		if (strcmp(name, l->want[i]) != 0)
			continue;
		l->seen[i]++;
		l->alive[i] = alive;
		l->had_shm[i] = shm != NULL;
		l->pid[i] = shm != NULL ? shm->pid : 0;
		strlcpy(l->error[i], error != NULL ? error : "",
		    sizeof l->error[i]);
	}
}

/* ls: live ones reported, dead ones removed, unknown ones left alone. */
static void
test_list(void **state)
{
	struct pt_shm_header	*h;
	struct pt_shm		 live, dead;
	struct listed		 l;
	char			 err[256], deadname[64], badname[64];
	char			 want[32];
	size_t			 size;
	pid_t			 pid;
	int			 fds[2], status, fd;

	(void)state;
	assert_int_equal(shm_create(&live, 1, err, sizeof err), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if (shm_create(&dead, 1, err, sizeof err) == -1)
			_exit(1);
		(void)write(fds[1], dead.name, sizeof dead.name);
		_exit(0);	/* no shm_close: a crashed supervisor */
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], deadname, sizeof deadname),
	    sizeof deadname);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_true(seg_exists(deadname));

	snprintf(badname, sizeof badname, "/pooltop.%u.%ld.vxtest",
	    (unsigned)geteuid(), (long)getpid());
	fd = fake_segment(badname, 1, &h, &size);
	h->version = PT_SHM_VERSION + 1;
	h->supervisor_pid = 0;

	memset(&l, 0, sizeof l);
	l.want[0] = live.name;
	l.want[1] = deadname;
	l.want[2] = badname;
	assert_int_equal(shm_list(geteuid(), list_cb, &l), 0);

	assert_int_equal(l.seen[0], 1);
	assert_true(l.alive[0]);
	assert_true(l.had_shm[0]);
	assert_int_equal(l.pid[0], getpid());
	assert_string_equal(l.error[0], "");
	assert_true(seg_exists(live.name));

	assert_int_equal(l.seen[1], 1);
	assert_false(l.alive[1]);
	assert_true(l.had_shm[1]);
	assert_int_equal(l.pid[1], pid);
	assert_string_equal(l.error[1], "");
	assert_false(seg_exists(deadname));

	assert_int_equal(l.seen[2], 1);
	assert_true(l.alive[2]);	/* its name's pid is ours: alive */
	assert_false(l.had_shm[2]);
	snprintf(want, sizeof want, "version %d", PT_SHM_VERSION + 1);
	assert_non_null(strstr(l.error[2], want));
	assert_true(seg_exists(badname));

	munmap(h, size);
	close(fd);
	shm_unlink(badname);
	shm_close(&live);
}

/* Read the hammer slot until the writer is done; check every copy. */
static void
hammer_read(struct pt_shm *shm, pid_t writer)
{
	struct pt_shm_slot	copy;
	struct pt_shm_header	h;
	uint64_t		ok = 0, gaveup = 0, changes = 0, last = 0;
	uint64_t		r0, t0, r1, t1;
	bool			finished = false;
	int			status = -1;

	shm_read_stats(&r0, &t0);
	while (!finished) {
		finished = waitpid(writer, &status, WNOHANG) == writer;
		if (!shm_read_slot(shm, HAMMER_SLOT, &copy)) {
			gaveup++;
			continue;
		}
		ok++;
		if (!hammer_consistent(&copy))
			fail_msg("torn copy at counter %llu",
			    (unsigned long long)copy.task_seq);
		if (copy.task_seq != last)
			changes++;
		last = copy.task_seq;
	}
	shm_read_stats(&r1, &t1);
	assert_int_equal(status, 0);
	assert_true(shm_read_header(shm, &h));
	print_message("hammer: %llu writes, %llu good reads (%llu changes), "
	    "%llu given up, %llu retries\n", (unsigned long long)h.done,
	    (unsigned long long)ok, (unsigned long long)changes,
	    (unsigned long long)gaveup, (unsigned long long)(t1 - t0));
	assert_int_equal(last, h.done);	/* the last read was after the end */
	assert_true(changes >= 2);
	assert_int_equal(r1 - r0, ok + gaveup);
}

/* Torn-read hammer: a writer process rewrites a slot, we check copies. */
static void
test_hammer(void **state)
{
	struct pt_shm	shm;
	char		err[256];
	int64_t		end;
	uint64_t	c;
	pid_t		pid;

	(void)state;
	assert_int_equal(shm_create(&shm, 2, err, sizeof err), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		end = mono_ns() + HAMMER_NS;
		for (c = 1; c <= HAMMER_ITERS; c++) {
			hammer_write(&shm, c, c % 2 == 0);
			hammer_gap(c);
			if (c % 1024 == 0 && mono_ns() > end)
				break;
		}
		shm_write_begin(&shm.hdr->seq);
		shm.hdr->done = c > HAMMER_ITERS ? HAMMER_ITERS : c;
		shm_write_end(&shm.hdr->seq);
		_exit(0);
	}
	hammer_read(&shm, pid);
	shm_close(&shm);
}

/* The short names used by logs and the dashboard. */
static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(shm_pool_state_name(PT_POOL_RUNNING), "running");
	assert_string_equal(shm_pool_state_name(PT_POOL_DONE), "done");
	assert_string_equal(shm_pool_state_name(99), "unknown");
	assert_string_equal(shm_slot_state_name(PT_SLOT_EMPTY), "empty");
	assert_string_equal(shm_slot_state_name(PT_SLOT_RETIRING), "retiring");
	assert_string_equal(shm_slot_state_name(PT_SLOT_EXITED), "exited");
	assert_string_equal(shm_event_name(PT_EV_TASK_START), "task.start");
	assert_string_equal(shm_event_name(PT_EV_TASK_KILLED), "task.killed");
	assert_string_equal(shm_event_name(PT_EV_WORKER_EXIT), "worker.exit");
	assert_string_equal(shm_event_name(PT_EV_RESIZE), "pool.resize");
	assert_string_equal(shm_event_name(PT_EV_STOP), "pool.stop");
	assert_string_equal(shm_event_name(PT_EV_ERROR), "error");
	assert_string_equal(shm_event_name(PT_EV__COUNT), "unknown");
}

/* Remove the segments a failed test left under our pid. */
static int
cleanup(void **state)
{
	struct dirent	*de;
	DIR		*d;
	char		 prefix[64], name[300];

	(void)state;
	snprintf(prefix, sizeof prefix, "pooltop.%u.%ld.", (unsigned)geteuid(),
	    (long)getpid());
	if ((d = opendir("/dev/shm")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(name, sizeof name, "/%s", de->d_name);
		shm_unlink(name);
	}
	closedir(d);
	return 0;
}

#define T(f)	cmocka_unit_test_teardown(f, cleanup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_layout),
		T(test_create_mode),
		T(test_create_twice),
		T(test_create_preexisting),
		T(test_reader_validation),
		T(test_roundtrip),
		T(test_reserve),
		T(test_events),
		T(test_event_utf8),
		T(test_mbox),
		T(test_dead_writer),
		T(test_hostile),
		T(test_pid_alive),
		T(test_name_pid),
		T(test_list),
		T(test_hammer),
		T(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

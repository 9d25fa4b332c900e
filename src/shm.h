/*
 * The shared-memory segment: pooltop's public wire format.
 *
 * One POSIX shared-memory object per pool, named
 * "/pooltop.<uid>.<pid>.<random>" (<pid> of the supervisor, <random> 16 hex
 * digits from arc4random, so no one can create the name first), mode 0600,
 * created O_EXCL (a new random part on EEXIST) and removed when the pool
 * ends.  Readers find a user's segments by listing /dev/shm for the prefix
 * "pooltop.<uid>." and keep only regular files of that uid, mode 0600.
 * Layout, all fields in host byte order:
 *
 *	struct pt_shm_header				offset 0
 *	struct pt_shm_event  events[PT_SHM_NEVENTS]	offset header_size
 *	struct pt_shm_slot   slots[nslots]		after the events
 *	struct pt_shm_history history			after the slots
 *
 * A reader checks magic, version and the four sizes, and refuses anything
 * else (shm_open_reader() does this).  `version` (offset 4) and `magic`
 * (offset 8) stay where they are in every future version, so any pooltop
 * can tell a segment it cannot read from one that is not pooltop's.
 *
 * Trust.  Any process of the user can write or truncate the object (every
 * task is given its name in POOLTOP_SHM).  So the segment is for readers
 * only: the supervisor and the workers never read a decision back from it
 * (they keep what they publish in private memory and write it out whole),
 * and readers treat every byte as untrusted.  A reader never maps the
 * object: it copies records with pread(), so a truncated object gives a
 * short read (reported as damaged), never SIGBUS.  It takes nslots once,
 * when it opens the segment and checks it against the object's size, and
 * then refuses any header copy whose magic, version, sizes, nslots or uid
 * differ; its copies have every string NUL-terminated, tail_len,
 * slots_used and progress clamped, and every time outside [0, 2^62) set to
 * 0 (unknown), so time differences cannot overflow.  The pool's ID is the
 * <pid> in the segment's name, not what the header says; whether a pool is
 * alive is decided from that process, never from the segment.
 *
 * Memory.  The object is as long as the layout for nslots, but holds
 * memory (posix_fallocate) only where the writer gave it: the header, the
 * event ring and the history when it is made, slots[0..i] from slot i's
 * first write (shm_reserve()), so that a store never meets a hole of a full
 * tmpfs.  A reader's pread of a hole reads zeros: an empty slot.
 *
 * Writers map the object shared.  A process that truncates it would kill a
 * writer with SIGBUS on its next store, so shm_create() guards the mapping
 * (inherited by the forked workers): on SIGBUS inside it, anonymous memory
 * is mapped over it so the store completes, and shm_repair(), called on
 * each tick, restores the object's size, maps it again and asks the caller
 * to publish everything anew (the supervisor its header and every slot;
 * the event ring starts again empty).
 *
 * Writers.  Each record has exactly one writer:
 *  - the header, the event ring and the slots: the supervisor.  A worker
 *    never writes the segment: it sends what its slot shows (SLOT,
 *    proto.h) and the supervisor writes that, from its own copy, with the
 *    fields only it knows (generation, worker pid, host);
 *  - slot->mbox (progress mailbox): the task's `pooltop progress` command,
 *    with single atomic stores, outside the seqlock; the worker reads it on
 *    each tick (a worker started elsewhere reads the same mailbox in a
 *    segment of its own on its machine).  It is advisory: a late post from
 *    a task that already ended may show for one tick.
 * slot->tail holds at most PT_TAIL_MAX - 1 bytes (tail_len), so a reader's
 * copy can end it with a NUL.
 *
 * Torn reads.  Every header, event and slot starts with a sequence counter
 * (seqlock).  The writer makes the counter odd (store, release fence), writes
 * the fields, then makes it even again (release store).  A reader reads the
 * counter; if odd it retries; it copies the record, issues an acquire fence
 * and reads the counter again; if it changed it retries.  Use
 * shm_read_header(), shm_read_slot() and shm_read_event(): they give a
 * consistent, checked private copy, or fail after a bounded number of tries
 * (a writer that died mid-update, or bytes written by someone else), which
 * a reader reports rather than waiting: the first copy that gives up waits
 * about 50 ms, and for a second after that copies only spin briefly, so a
 * segment full of odd counters cannot stall a reader.
 *
 * shm_write_slot(), shm_publish_header() and shm_add_event() store with
 * relaxed atomic words; a writer may also store plain fields between
 * shm_write_begin() and shm_write_end().
 */
#ifndef PT_SHM_H
#define PT_SHM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PT_SHM_MAGIC	0x31504f544c4f4f50ULL	/* "POOLTOP1" little-endian */
#define PT_SHM_VERSION	3	/* 2: a host per slot; admission, input;
				   3: the history record */
#define PT_SHM_NEVENTS	128
#define PT_LABEL_MAX	160	/* command label in a slot, bytes incl. NUL */
#define PT_SLOT_NAMED	0x1	/* slot flag: item is the task's name */
#define PT_SLOT_STRAGGLER 0x2	/* slot flag: its task is a straggler (the
				   supervisor's mark; a new bit of an old
				   field, so version 2 still: older readers
				   ignore it) */
#define PT_SLOT_COPY	0x4	/* slot flag: its task is the second copy of
				   a straggler (--speculate); also a new bit */
#define PT_ITEM_MAX	160	/* item shown in a slot */
#define PT_TAIL_MAX	2048	/* last bytes of task output kept per slot */
#define PT_EVENT_TEXT	160
#define PT_NAME_MAX	64
#define PT_HOST_MAX	64	/* a slot's host, bytes incl. NUL */
#define PT_CMD_MAX	256
#define PT_SHM_MAX_SLOTS 65536	/* sanity bound on nslots */
#define PT_ADMIT_WHY	96	/* admission reason, bytes incl. NUL */
#define PT_HIST_SAMPLES	240	/* samples in the history record */
#define PT_HIST_BUCKETS	26	/* duration buckets (graph.h) */

/* What admission watches (header admit_watch). */
#define PT_WATCH_LOAD		0x01
#define PT_WATCH_MEM		0x02
#define PT_WATCH_MEMCG		0x04	/* mem_avail is the memory cgroup's */
#define PT_WATCH_SWAP		0x08
#define PT_WATCH_PSI_CPU	0x10
#define PT_WATCH_PSI_MEMORY	0x20
#define PT_WATCH_PSI_IO		0x40
#define PT_WATCH_DELAY		0x80

enum pt_pool_state {
	PT_POOL_STARTING = 0,
	PT_POOL_RUNNING,
	PT_POOL_PAUSED,
	PT_POOL_DRAINING,	/* no new tasks; running ones finish */
	PT_POOL_STOPPING,	/* running tasks are being terminated */
	PT_POOL_DONE,
};

/* Whether the pool takes items (the header's input). */
enum pt_input {
	PT_INPUT_UNKNOWN = 0,
	PT_INPUT_SOURCE,	/* items from its source; ctl add takes more */
	PT_INPUT_KEEP_OPEN,	/* --keep-open: ctl add until ctl close */
	PT_INPUT_CLOSED,	/* ctl close: the queued run, then it ends */
	PT_INPUT_STOPPING,	/* draining or stopping: it takes nothing */
};
#define PT_INPUT_MASK		0xff
#define PT_INPUT_KEEP_OPEN_FLAG	0x100	/* started with --keep-open */

/* Admission (pool-admit.h): may a free worker take a task? */
enum pt_admit_state {
	PT_ADMIT_OFF = 0,	/* no admission option: always */
	PT_ADMIT_OPEN,
	PT_ADMIT_HOLDING,	/* no task starts: admit_why says why */
	PT_ADMIT_SUSPENDED,	/* and tasks are stopped for memory */
};

enum pt_slot_state {
	PT_SLOT_EMPTY = 0,	/* never used */
	PT_SLOT_STARTING,	/* worker forked, not yet ready */
	PT_SLOT_IDLE,
	PT_SLOT_RUNNING,
	PT_SLOT_PAUSED,		/* its task is stopped (SIGSTOP) */
	PT_SLOT_RETIRING,	/* will exit after its current task */
	PT_SLOT_EXITED,
};

enum pt_event_type {
	PT_EV_NONE = 0,
	PT_EV_TASK_START,
	PT_EV_TASK_DONE,
	PT_EV_TASK_FAILED,
	PT_EV_TASK_RETRY,
	PT_EV_TASK_TIMEOUT,
	PT_EV_TASK_KILLED,
	PT_EV_WORKER_START,
	PT_EV_WORKER_EXIT,
	PT_EV_RESIZE,
	PT_EV_PAUSE,
	PT_EV_RESUME,
	PT_EV_DRAIN,
	PT_EV_STOP,
	PT_EV_INFO,
	PT_EV_ERROR,
	PT_EV__COUNT
};

/* Progress written by a task: done out of total (total 0: none yet). */
struct pt_shm_mbox {
	_Atomic uint64_t	task_seq;	/* task the value belongs to */
	_Atomic uint64_t	value;		/* done << 32 | total */
};

struct pt_shm_header {
	_Atomic uint32_t	seq;
	uint32_t		version;
	uint64_t		magic;
	uint32_t		header_size;
	uint32_t		slot_size;
	uint32_t		event_size;
	uint32_t		nslots;		/* capacity: slots[] length */
	uint32_t		nevents;	/* PT_SHM_NEVENTS */
	uint32_t		uid;
	int32_t			supervisor_pid;
	uint32_t		state;		/* enum pt_pool_state */
	uint32_t		paused;		/* whole pool paused */
	uint32_t		target_workers;
	uint32_t		live_workers;
	uint32_t		tick_ms;
	uint64_t		queued;		/* known waiting tasks */
	uint64_t		running;
	uint64_t		done;		/* succeeded */
	uint64_t		failed;		/* failed for good
						   (after retries) */
	uint64_t		retried;
	uint64_t		total;		/* 0 when not known yet */
	uint32_t		total_known;
	uint32_t		slots_used;	/* slots[0..slots_used) ever
						   used: readers need not look
						   further */
	int64_t			start_real_ns;	/* CLOCK_REALTIME */
	int64_t			update_real_ns;
	uint64_t		event_head;	/* events written so far */
	char			name[PT_NAME_MAX];
	char			command[PT_CMD_MAX];
	char			socket_path[108];
	uint32_t		input;		/* enum pt_input, with
						   PT_INPUT_KEEP_OPEN_FLAG; was
						   padding: 0 from older
						   writers */
	/* Admission, from version 2 (PT_ADMIT_OFF: none of it is set). */
	uint32_t		admit_state;	/* enum pt_admit_state */
	uint32_t		admit_watch;	/* PT_WATCH_*: what is read */
	uint32_t		admit_suspended; /* tasks stopped for memory */
	uint32_t		load_centi;	/* 1-min load average x 100 */
	uint64_t		mem_avail;	/* bytes available */
	uint32_t		psi_centi[3];	/* PSI some avg10 x 100: cpu,
						   memory, io */
	uint32_t		_pad2;
	int64_t			admit_held_ns;	/* time held, in all */
	char			admit_why[PT_ADMIT_WHY]; /* "load 3.1 >= 2" */
	uint64_t		task_mem_limit;	/* --task-memory,
						   bytes; 0 none */
	uint32_t		task_cpu_milli;	/* --task-cpus x 1000; 0 none */
	uint32_t		history_size;	/* from version 3 */
};

struct pt_shm_event {
	_Atomic uint32_t	seq;
	uint32_t		type;		/* enum pt_event_type */
	uint64_t		n;		/* event number, from 1 */
	int64_t			real_ns;
	int32_t			slot;		/* -1: pool-wide */
	int32_t			status;		/* exit status,
						   signal, size ... */
	uint64_t		task_seq;	/* 0: none */
	char			text[PT_EVENT_TEXT];
};

/*
 * The run's history, kept by the supervisor from the pool's start, so a
 * dashboard attached late sees the whole run: samples of fixed-length
 * intervals, oldest first.  When all PT_HIST_SAMPLES are used, neighbours
 * are merged in pairs and period_ns doubles, so the record always covers
 * the whole run at a resolution of run time / PT_HIST_SAMPLES or better.
 * And the runtimes of the tasks that ended, counted in log-scale buckets
 * (graph.h: bucket 0 under 1ms, then 1, 2, 5 ms ... per decade).
 */
struct pt_shm_sample {
	int64_t			real_ns;	/* end of its interval */
	uint64_t		finished;	/* tasks ended by then */
	uint32_t		busy_milli;	/* running tasks x 1000, mean */
	uint32_t		cpu_milli;	/* their CPU, 1000
						   = 1 core, mean */
	uint64_t		rss_bytes;	/* their memory
						   added up, peak */
};

struct pt_shm_history {
	_Atomic uint32_t	seq;
	uint32_t		nsamples;	/* samples[0..nsamples) */
	int64_t			start_real_ns;	/* the first interval's start */
	int64_t			period_ns;	/* each interval's length */
	uint64_t		ended;		/* tasks counted in buckets */
	uint64_t		buckets[PT_HIST_BUCKETS];
	struct pt_shm_sample	samples[PT_HIST_SAMPLES];
};

struct pt_shm_slot {
	_Atomic uint32_t	seq;
	uint32_t		state;		/* enum pt_slot_state */
	uint32_t		generation;	/* +1 each time a
						   worker takes it */
	int32_t			worker_pid;
	int32_t			task_pid;	/* also its process
						   group; 0 none */
	uint32_t		cpu_permille;	/* task group CPU,
						   1000 = 1 CPU */
	uint64_t		rss_bytes;	/* task group resident memory */
	uint64_t		task_seq;	/* {#} of the current
						   task, 0 none */
	uint32_t		progress_done;
	uint32_t		progress_total;	/* 0: task reports
						   no progress */
	int64_t			task_start_real_ns;
	uint64_t		tasks_done;
	uint64_t		tasks_failed;
	uint64_t		cpu_ticks;	/* cumulative task
						   CPU, clock ticks */
	uint32_t		tail_len;	/* valid bytes in tail[] */
	uint32_t		flags;		/* PT_SLOT_NAMED ... _COPY */
	char			label[PT_LABEL_MAX];	/* expanded command */
	char			item[PT_ITEM_MAX];
	char			tail[PT_TAIL_MAX];	/* last output bytes,
							   oldest first */
	char			host[PT_HOST_MAX];	/* "": this machine;
							   else where the worker
							   runs, and task_pid is
							   a pid there */
	struct pt_shm_mbox	mbox;
};

/*
 * A segment: the writer's (mapped, with the header it publishes kept in
 * private memory) or a reader's (an fd only: hdr, events, slots are NULL).
 */
struct pt_shm {
	char			 name[64];
	int			 fd;
	size_t			 size;	/* segment_size(nslots) */
	bool			 owner;	/* created it; unlinks on close */
	uint32_t		 nslots;	/* validated length
						   of slots[] */
	uint32_t		 reserved;	/* writer: slots[0..reserved)
						   have their pages */
	pid_t			 creator;	/* shm_create's
						   caller; 0: reader */
	pid_t			 pid;	/* the <pid> of the name; 0: none */
	struct pt_shm_header	*hdr;		/* writer: the mapping */
	struct pt_shm_event	*events;
	struct pt_shm_slot	*slots;
	struct pt_shm_history	*history;
	struct pt_shm_header	 pub;	/* writer: the header, private */
	dev_t			 dev;	/* writer: the object created */
	ino_t			 ino;
	uint64_t		 event_head;	/* writer: events written */
};

size_t	shm_segment_size(uint32_t nslots);
/* "/pooltop.<uid>.<pid>.<16 random hex digits>" into buf. */
void	shm_name(char *buf, size_t len, uid_t uid, pid_t pid);
/* The <pid> of a segment name of uid ("/" optional), or 0 if not one. */
pid_t	shm_name_pid(const char *name, uid_t uid);

/*
 * Create the segment for this process, O_EXCL, mode 0600 whatever the umask,
 * under a new random name each time one exists; fstat-checks owner and
 * mode; maps and guards it.  -1 and errno (and a message in err) on failure.
 */
int	shm_create(struct pt_shm *, uint32_t nslots, char *errbuf,
	    size_t errlen);
/* Call fn with each name shm_create is about to create (keeper.h). */
void	shm_on_create(void (*fn)(const char *));
/*
 * Open an existing segment to read it (writable: for `pooltop progress`,
 * which posts with shm_post_progress()).  Nothing is mapped.
 */
int	shm_open_reader(struct pt_shm *, const char *name, bool writable,
	    char *errbuf, size_t errlen);
/*
 * Writer, on each tick: if the object was truncated or resized, or a store
 * faulted, restore its size and mapping (through fd, or, when fd is -1 as
 * in a worker, through the name if it still leads to the same object).
 * 1: the caller must publish all it writes again; 0: nothing to do; -1:
 * not repaired yet (try next tick).
 */
int	shm_repair(struct pt_shm *);
/* Writer: publish the private header (shm->pub) under the seqlock. */
void	shm_publish_header(struct pt_shm *);
/*
 * Unmap and close; unlink too if owner and called by the process that
 * created it (a forked worker closing its inherited copy never unlinks).
 */
void	shm_close(struct pt_shm *);

/*
 * Seqlock writer side for any record starting with an _Atomic uint32_t.
 * begin makes the counter odd even if a dead writer left it odd.
 */
void	shm_write_begin(_Atomic uint32_t *);
void	shm_write_end(_Atomic uint32_t *);
/* Publish the history record (all but seq) under its seqlock. */
void	shm_write_history(struct pt_shm *, const struct pt_shm_history *);
/*
 * Publish a private copy of slot i (all but seq and mbox) under its seqlock.
 * Slots get their memory as they come into use (all of slots[0..i]), so a
 * small pool does not pay for nslots of them; -1 and errno (ENOSPC: /dev/shm
 * is full) if slot i has none and cannot get it: it is not written then,
 * rather than a store meeting SIGBUS.
 */
int	shm_write_slot(struct pt_shm *, uint32_t, const struct pt_shm_slot *);
/* Give slots[0..n) their memory now: 0, or -1 and errno. */
int	shm_reserve(struct pt_shm *, uint32_t n);

/*
 * The header to act on: in the process that publishes it, its own private
 * copy (shm->pub), never read back; elsewhere shm_read_header().
 */
bool	shm_header(const struct pt_shm *, struct pt_shm_header *);
/* Consistent copies; false if no stable copy after a bounded retry. */
bool	shm_read_header(const struct pt_shm *, struct pt_shm_header *);
bool	shm_read_slot(const struct pt_shm *, uint32_t, struct pt_shm_slot *);
bool	shm_read_event(const struct pt_shm *, uint64_t n,
	    struct pt_shm_event *);	/* n: event number; false
					   if overwritten */
/*
 * The history, checked: nsamples at most PT_HIST_SAMPLES, times outside
 * [0, 2^62) and a period not above 0 made 0, samples whose time or count
 * goes back cut off there, so a reader can take differences safely.
 */
bool	shm_read_history(const struct pt_shm *, struct pt_shm_history *);
/* Reads and retries (torn copies thrown away) by this process so far. */
void	shm_read_stats(uint64_t *reads, uint64_t *retries);

/*
 * Supervisor: append an event to the ring.  Writes the entry under its own
 * seqlock, then takes the header seqlock itself to bump event_head, so the
 * caller must not be between shm_write_begin/end on the header.  The text
 * is cut at a UTF-8 boundary to fit PT_EVENT_TEXT.
 */
void	shm_add_event(struct pt_shm *, enum pt_event_type, int slot,
	    uint64_t task_seq, int status, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));

/*
 * Progress mailbox.  A worker takes what a task posted; the values are the
 * task's word, to show, never to act on.  `pooltop progress` posts through
 * a reader opened writable (pwrite, never a mapping).
 */
void	shm_mbox_post(struct pt_shm_mbox *, uint64_t task_seq,
	    uint32_t done, uint32_t total);
bool	shm_mbox_take(struct pt_shm_mbox *, uint64_t task_seq,
	    uint32_t *done, uint32_t *total);
int	shm_post_progress(struct pt_shm *, uint32_t slot, uint64_t task_seq,
	    uint32_t done, uint32_t total);

/*
 * Is process pid, of our uid, alive: kill(pid, 0) finds it, /proc/<pid> is
 * owned by our uid and it is not a zombie.  A pid reused by another process
 * of the same user counts as alive until that one ends.
 */
bool	shm_pid_alive(pid_t);

/*
 * List the segments of uid (/dev/shm/pooltop.<uid>.*), in no set order;
 * entries that are not regular files owned by uid (anyone can create such
 * names) are passed over without a word, and never opened.
 * Whether the pool is alive is decided from the <pid> of the name
 * (shm_pid_alive()), never from what the segment says:
 *  - valid, supervisor alive: fn(name, shm, true, NULL);
 *  - valid, supervisor gone: unlinked, then fn(name, shm, false, NULL), or
 *    fn(name, shm, false, reason) if it could not be removed;
 *  - not readable or not valid (damaged, unknown version, wrong owner ...):
 *    fn(name, NULL, alive, reason); never removed, as it may belong to
 *    another version of pooltop.
 * shm is open for reading and only valid during the call.  0, or -1 and
 * errno if /dev/shm cannot be read.
 */
typedef void (*shm_list_fn)(const char *name, const struct pt_shm *,
    bool alive, const char *error, void *arg);
int	shm_list(uid_t, shm_list_fn, void *arg);

const char	*shm_pool_state_name(uint32_t);
const char	*shm_input_name(uint32_t);	/* of header.input */
const char	*shm_slot_state_name(uint32_t);
const char	*shm_event_name(uint32_t);
const char	*shm_admit_state_name(uint32_t);

#endif

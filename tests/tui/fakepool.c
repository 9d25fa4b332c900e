/*
 * A fake pool for the dashboard's tests: it creates a segment and a control
 * socket like a real supervisor, fills the header, the slots and the event
 * ring with known values (hostile strings included), appends every command
 * line it receives to a log file, applies the simple ones to the segment
 * (pause, resume, toggle, resize, kill, drain, stop) and answers "ok".  It lets the
 * tests check what the dashboard draws and which command each key sends,
 * independent of the timing of real tasks.  Not part of pooltop.
 *
 *	fakepool NSLOTS CMDLOG [NAME]
 *
 * It prints its pid once ready, and ends on stop, drain or SIGTERM,
 * removing its segment and socket.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "shm.h"

static struct pt_shm	 fp_shm;
static char		 fp_sock[108];
static volatile sig_atomic_t fp_quit;
static FILE		*fp_log;

/* SIGTERM and SIGINT: leave the loop. */
static void
fp_signal(int sig)
{
	(void)sig;
	fp_quit = 1;
}

/* Fill one slot as a running task. */
static void
fp_slot(uint32_t i, uint32_t state)
{
	struct pt_shm_slot	*s = &fp_shm.slots[i];
	static const char	 tail[] = "line one\nline two\n"
				    "\x1b[31mred\x1b[0m escape\nprogress 10%\r"
				    "progress 90%\nlast line";

	shm_write_begin(&s->seq);
	s->state = state;
	s->generation++;
	s->worker_pid = getpid();
	s->task_pid = state == PT_SLOT_RUNNING ? getpid() : 0;
	s->task_seq = state == PT_SLOT_RUNNING ? 100 + i : 0;
	s->cpu_permille = (i * 370) % 1000;
	s->rss_bytes = (uint64_t)(i + 1) << 20;
	s->progress_done = i == 0 ? 30 : 0;
	s->progress_total = i == 0 ? 120 : 0;
	s->task_start_real_ns = real_ns() - (int64_t)(i + 1) * 61 * PT_NSEC;
	s->tasks_done = i;
	s->tasks_failed = i == 1 ? 1 : 0;
	snprintf(s->label, sizeof s->label, "fake task %u %s", i + 1,
	    i == 2 ? "\x1b[2J\x1b]0;pwned\x07" : "ok");
	snprintf(s->item, sizeof s->item, "item-%u", i + 1);
	memcpy(s->tail, tail, sizeof tail - 1);
	s->tail_len = sizeof tail - 1;
	shm_write_end(&s->seq);
}

/* Set the worker count: slots up to n run, the rest have exited. */
static void
fp_resize(uint32_t n)
{
	struct pt_shm_header	*h = &fp_shm.pub;
	uint32_t		 i;

	if (n > h->nslots)
		n = h->nslots;
	for (i = 0; i < h->nslots; i++) {
		if (i < n && fp_shm.slots[i].state != PT_SLOT_RUNNING)
			fp_slot(i, PT_SLOT_RUNNING);
		else if (i >= n && fp_shm.slots[i].state == PT_SLOT_RUNNING)
			fp_slot(i, PT_SLOT_EXITED);
	}
	h->target_workers = h->live_workers = n;
	h->running = n;
	shm_publish_header(&fp_shm);
	shm_add_event(&fp_shm, PT_EV_RESIZE, -1, 0, (int)n, "workers %u", n);
}

/* Set a slot's state (pause or resume one task). */
static void
fp_slot_state(int slot, uint32_t state)
{
	struct pt_shm_slot	*s;

	if (slot < 1 || (uint32_t)slot > fp_shm.pub.nslots)
		return;
	s = &fp_shm.slots[slot - 1];
	shm_write_begin(&s->seq);
	s->state = state;
	shm_write_end(&s->seq);
}

/* Set the pool's state. */
static void
fp_pool_state(uint32_t state, uint32_t paused)
{
	struct pt_shm_header	*h = &fp_shm.pub;

	h->state = state;
	h->paused = paused;
	h->update_real_ns = real_ns();
	shm_publish_header(&fp_shm);
}

/* Apply one command; the reply goes to out. */
static void
fp_command(char *line, struct buf *out)
{
	char	*verb = strtok(line, " "), *arg = strtok(NULL, " ");
	int	 n = arg != NULL ? atoi(arg) : 0;

	if (verb == NULL)
		verb = "";
	if (strcmp(verb, "toggle") == 0 && arg != NULL)
		verb = n >= 1 && (uint32_t)n <= fp_shm.pub.nslots &&
		    fp_shm.slots[n - 1].state == PT_SLOT_PAUSED ? "resume" :
		    "pause";
	else if (strcmp(verb, "toggle") == 0)
		verb = fp_shm.pub.paused ? "resume" : "pause";
	if (strcmp(verb, "pause") == 0 && arg != NULL)
		fp_slot_state(n, PT_SLOT_PAUSED);
	else if (strcmp(verb, "pause") == 0)
		fp_pool_state(PT_POOL_PAUSED, 1);
	else if (strcmp(verb, "resume") == 0 && arg != NULL)
		fp_slot_state(n, PT_SLOT_RUNNING);
	else if (strcmp(verb, "resume") == 0)
		fp_pool_state(PT_POOL_RUNNING, 0);
	else if (strcmp(verb, "resize") == 0 && arg != NULL)
		fp_resize((uint32_t)((*arg == '+' || *arg == '-') ?
		    (int)fp_shm.pub.target_workers + n : n));
	else if (strcmp(verb, "kill") == 0 && (n < 1 ||
	    (uint32_t)n > fp_shm.pub.nslots ||
	    fp_shm.slots[n - 1].state != PT_SLOT_RUNNING)) {
		buf_printf(out, "error: no task in slot %d\n", n);
		return;
	} else if (strcmp(verb, "kill") == 0)
		shm_add_event(&fp_shm, PT_EV_TASK_KILLED, n - 1, 100 + n - 1,
		    15, "killed by request");
	else if (strcmp(verb, "stop") == 0 || strcmp(verb, "drain") == 0) {
		fp_pool_state(PT_POOL_DONE, 0);
		fp_quit = 1;
	}
	buf_addstr(out, "ok\n");
}

/* Serve one client: read its line, log it, apply it, answer. */
static void
fp_client(int lfd)
{
	struct buf	 out = { NULL, 0, 0 };
	char		 line[4096];
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;
	struct pollfd	 pfd;

	if ((fd = accept(lfd, NULL, NULL)) == -1)
		return;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (len < sizeof line - 1 && poll(&pfd, 1, 2000) > 0) {
		n = read(fd, line + len, sizeof line - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(line, '\n', len) != NULL)
			break;
	}
	line[len] = '\0';
	line[strcspn(line, "\n")] = '\0';
	fprintf(fp_log, "%s\n", line);
	fflush(fp_log);
	fp_command(line, &out);
	write_all(fd, out.data, out.len);
	close(fd);
	buf_free(&out);
}

/* Create the listening socket where ctl_find() will look. */
static int
fp_listen(void)
{
	struct sockaddr_un	 sun;
	const char		*dir;
	char			 err[256];
	int			 fd;

	if ((dir = ctl_dir(1, err, sizeof err)) == NULL) {
		fprintf(stderr, "fakepool: %s\n", err);
		return -1;
	}
	snprintf(fp_sock, sizeof fp_sock, "%s/%d.sock", dir, (int)getpid());
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, fp_sock, sizeof sun.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(fd, 16) == -1) {
		fprintf(stderr, "fakepool: %s: %s\n", fp_sock, strerror(errno));
		return -1;
	}
	chmod(fp_sock, 0600);
	return fd;
}

/* Fill the header and the first events. */
static void
fp_fill(const char *name, uint32_t n)
{
	struct pt_shm_header	*h = &fp_shm.pub;

	h->state = PT_POOL_RUNNING;
	h->queued = 40;
	h->done = 57;
	h->failed = 3;
	h->retried = 2;
	h->total = 100 + n;
	h->total_known = 1;
	h->tick_ms = 200;
	h->slots_used = h->nslots;	/* readers look no further */
	h->start_real_ns = real_ns() - 83 * PT_NSEC;
	h->update_real_ns = real_ns();
	strlcpy(h->name, name, sizeof h->name);
	strlcpy(h->command, "fake {}", sizeof h->command);
	strlcpy(h->socket_path, fp_sock, sizeof h->socket_path);
	h->task_mem_limit = 8 << 20;
	h->task_cpu_milli = 500;
	h->admit_state = PT_ADMIT_HOLDING;
	h->admit_watch = PT_WATCH_LOAD;
	h->load_centi = 310;
	strlcpy(h->admit_why, "holding: load 3.10 >= 2 \x1b[2J",
	    sizeof h->admit_why);
	shm_publish_header(&fp_shm);
	shm_add_event(&fp_shm, PT_EV_TASK_DONE, 0, 7, 0, "fake task done");
	shm_add_event(&fp_shm, PT_EV_TASK_FAILED, 1, 8, 1,
	    "evil \x1b[41mevent\x1b[0m text");
	fp_resize(n);
}

/* Update the moving values: CPU and the clock. */
static void
fp_tick(void)
{
	struct pt_shm_slot	*s;
	uint32_t		 i;

	for (i = 0; i < fp_shm.pub.nslots; i++) {
		s = &fp_shm.slots[i];
		if (s->state != PT_SLOT_RUNNING)
			continue;
		shm_write_begin(&s->seq);
		s->cpu_permille = (s->cpu_permille + 130) % 1000;
		shm_write_end(&s->seq);
	}
	fp_shm.pub.update_real_ns = real_ns();
	shm_publish_header(&fp_shm);
}

int
main(int argc, char **argv)
{
	struct pollfd	pfd;
	char		err[256];
	int		nslots, lfd;

	if (argc < 3 || (nslots = atoi(argv[1])) < 1 || nslots > 64) {
		fprintf(stderr, "usage: fakepool NSLOTS CMDLOG [NAME]\n");
		return 255;
	}
	if ((fp_log = fopen(argv[2], "a")) == NULL)
		return 255;
	signal(SIGTERM, fp_signal);
	signal(SIGINT, fp_signal);
	signal(SIGPIPE, SIG_IGN);
	if (shm_create(&fp_shm, 8, err, sizeof err) != 0) {
		fprintf(stderr, "fakepool: %s\n", err);
		return 255;
	}
	if ((lfd = fp_listen()) == -1) {
		shm_close(&fp_shm);
		return 255;
	}
	fp_fill(argc > 3 ? argv[3] : "fakepool", (uint32_t)nslots);
	printf("%d\n", (int)getpid());
	fflush(stdout);
	pfd.fd = lfd;
	pfd.events = POLLIN;
	while (!fp_quit) {
		if (poll(&pfd, 1, 200) > 0)
			fp_client(lfd);
		fp_tick();
	}
	close(lfd);
	unlink(fp_sock);
	shm_close(&fp_shm);
	fclose(fp_log);
	return 0;
}

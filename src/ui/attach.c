/*
 * `pooltop attach [-t THEME] [-d MS] [ID]`: the dashboard of a pool running
 * elsewhere (usually headless).  It reads the pool's segment (copies, never
 * a mapping: shm.h), sends every command through the pool's control
 * socket, and runs its own loop (loop.c) over the terminal, signals and
 * a refresh timer.  q detaches and leaves the pool running; the loop
 * also ends when the pool's supervisor (the pid in the segment's name) is
 * gone or the pool says it is done.  A damaged segment is shown as stale;
 * every read is bounded, so q is always served.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "loop.h"
#include "opts.h"
#include "ui/ui-int.h"

#define ATTACH_EXIT_USAGE	255
#define ATTACH_OPEN_TRIES	20	/* 50 ms apart: a damaged segment */

enum attach_end { ATTACH_RUNNING, ATTACH_DETACHED, ATTACH_DONE, ATTACH_GONE };

struct attach {
	char		 shm_name[64];
	char		 sock[256];
	struct pt_shm	 shm;
	struct ui	*ui;
	struct loop	*loop;
	enum attach_end	 end;
	struct pt_shm_header *h;	/* the last good header copy */
	int		 refresh_ms;
	const char	*theme;
};

/* host->send: one command over the pool's control socket. */
static int
attach_send(void *arg, const char *line, struct buf *reply)
{
	return ctl_request(((struct attach *)arg)->sock, line, reply, NULL, 0);
}

/* Print the usage line. */
static int
attach_usage(void)
{
	fprintf(stderr, "usage: pooltop attach [-t theme] [-d ms] [id]\n");
	return ATTACH_EXIT_USAGE;
}

/*
 * Parse the options into a and o; -1 on a usage error.  -d, --delay and
 * --refresh are the one option --refresh, with its bounds and default.
 */
static int
attach_args(struct attach *a, struct opts *o, int argc, char **argv,
    const char **id)
{
	static const struct option	 longopts[] = {
		{ "theme", required_argument, NULL, 't' },
		{ "refresh", required_argument, NULL, 'd' },
		{ "delay", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char				 err[256];
	int				 ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+t:d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			a->theme = optarg;
			break;
		case 'd':
			if (opts_set(o, "refresh", optarg, err,
			    sizeof err) != 0) {
				fprintf(stderr, "pooltop attach: %s\n", err);
				return -1;
			}
			break;
		case 'h':
			printf("usage: pooltop attach [-t theme] [-d ms] [id]\n");
			exit(0);
		default:
			return -1;
		}
	}
	if (argc - optind > 1)
		return -1;
	*id = optind < argc ? argv[optind] : NULL;
	return 0;
}

/* A signal: resize, suspend, or detach on INT, TERM and HUP. */
static void
attach_signal(int sig, void *arg)
{
	struct attach	*a = arg;

	if (a->end != ATTACH_RUNNING)
		return;
	switch (sig) {
	case SIGWINCH:
		ui_resize(a->ui);
		break;
	case SIGTSTP:
		ui_suspend(a->ui);
		kill(getpid(), SIGSTOP);
		ui_resume(a->ui);
		break;
	default:
		a->end = ATTACH_DETACHED;
		break;
	}
}

/* Have the loop read the signals we act on. */
static int
attach_signals(struct attach *a)
{
	static const int	sigs[] = {
		SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGTSTP
	};
	size_t			i;

	for (i = 0; i < nitems_of(sigs); i++)
		if (loop_signal(a->loop, sigs[i], attach_signal, a) == -1)
			return -1;
	return 0;
}

/*
 * Has the pool ended?  Only when its supervisor has (judged outside the
 * segment); the last good header copy says whether it finished its work.
 */
static enum attach_end
attach_check(struct attach *a, struct pt_shm_header *h)
{
	struct pt_shm_header	copy;

	if (shm_read_header(&a->shm, &copy))
		*h = copy;	/* else damaged for now: shown stale */
	if (shm_pid_alive(a->shm.pid))
		return ATTACH_RUNNING;
	return h->state == PT_POOL_DONE ? ATTACH_DONE : ATTACH_GONE;
}

/* The refresh timer: has the pool ended?  If not, redraw. */
static void
attach_tick(void *arg)
{
	struct attach	*a = arg;

	if (a->end != ATTACH_RUNNING ||
	    (a->end = attach_check(a, a->h)) != ATTACH_RUNNING)
		return;
	ui_tick(a->ui);
}

/* Keys from the terminal. */
static void
attach_input(int fd, short revents, void *arg)
{
	struct attach	*a = arg;

	(void)fd;
	(void)revents;
	if (a->end == ATTACH_RUNNING && ui_input(a->ui) != UI_CONTINUE)
		a->end = ATTACH_DETACHED;
}

/* loop_run()'s test. */
static bool
attach_ended(void *arg)
{
	return ((struct attach *)arg)->end != ATTACH_RUNNING;
}

/* The loop: signals, the terminal and the refresh timer, until the end. */
static enum attach_end
attach_loop(struct attach *a, struct pt_shm_header *h)
{
	a->h = h;
	a->end = ATTACH_RUNNING;
	(void)loop_add(a->loop, ui_fd(a->ui), POLLIN, attach_input, a);
	(void)loop_every(a->loop, a->refresh_ms, attach_tick, a);
	attach_tick(a);
	if (loop_run(a->loop, attach_ended, a) == -1)
		return ATTACH_DETACHED;
	return a->end;
}

/* Say how the attachment ended; the exit status. */
static int
attach_report(enum attach_end end, pid_t pid, const struct pt_shm_header *h)
{
	switch (end) {
	case ATTACH_DONE:
		fprintf(stderr, "pooltop attach: pool %d has finished: %llu "
		    "done, %llu failed\n", (int)pid,
		    (unsigned long long)h->done, (unsigned long long)h->failed);
		return 0;
	case ATTACH_GONE:
		fprintf(stderr, "pooltop attach: pool %d is gone: its "
		    "supervisor is no longer running\n", (int)pid);
		return 1;
	default:
		fprintf(stderr, "pooltop attach: detached from pool %d; it "
		    "keeps running\n", (int)pid);
		return 0;
	}
}

/* Run the dashboard on the attached pool until it ends or we detach. */
static int
attach_run(struct attach *a, struct pt_shm_header *h)
{
	struct ui_host	host;
	char		err[512];
	enum attach_end	end;

	a->loop = loop_new();
	if (attach_signals(a) != 0) {
		fprintf(stderr, "pooltop attach: signalfd: %s\n",
		    strerror(errno));
		return ATTACH_EXIT_USAGE;
	}
	memset(&host, 0, sizeof host);
	host.shm = &a->shm;
	host.send = attach_send;
	host.arg = a;
	host.attached = true;
	host.theme = a->theme;
	if ((a->ui = ui_open(&host, err, sizeof err)) == NULL) {
		fprintf(stderr, "pooltop attach: %s\n", err);
		return ATTACH_EXIT_USAGE;
	}
	end = attach_loop(a, h);
	ui_close(a->ui);
	return attach_report(end, a->shm.pid, h);
}

/*
 * Open the segment; one being written by someone else may fail to check
 * out for a moment, so try a few times (bounded, about a second).
 */
static int
attach_open(struct attach *a, char *err, size_t errlen)
{
	int	i;

	for (i = 0; i < ATTACH_OPEN_TRIES; i++) {
		if (shm_open_reader(&a->shm, a->shm_name, false, err,
		    errlen) == 0)
			return 0;
		if (errno == ENOENT || errno == EPERM)
			break;
		poll(NULL, 0, 50);
	}
	return -1;
}

/* `pooltop attach`. */
int
ui_attach_main(int argc, char **argv)
{
	struct attach		 a;
	struct opts		 o;
	struct pt_shm_header	 h;
	const char		*id;
	char			 err[512];
	enum attach_end		 end;
	int			 rc;

	memset(&a, 0, sizeof a);
	opts_init(&o);
	rc = attach_args(&a, &o, argc, argv, &id);
	a.refresh_ms = o.refresh_ms;
	opts_free(&o);
	if (rc != 0)
		return attach_usage();
	if (ctl_find(id, a.shm_name, sizeof a.shm_name, a.sock, sizeof a.sock,
	    err, sizeof err) != 0 || attach_open(&a, err, sizeof err) != 0) {
		fprintf(stderr, "pooltop attach: %s\n", err);
		return ATTACH_EXIT_USAGE;
	}
	memset(&h, 0, sizeof h);
	if ((end = attach_check(&a, &h)) != ATTACH_RUNNING)
		rc = attach_report(end, a.shm.pid, &h);
	else
		rc = attach_run(&a, &h);
	loop_free(a.loop);	/* the signal mask back */
	shm_close(&a.shm);
	return rc;
}

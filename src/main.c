/*
 * pooltop: run commands in parallel on a pool of workers, and watch and
 * steer the pool while it runs.
 *
 * main() picks the subcommand (ls, progress, ctl, attach) or a run; a run
 * parses options and config, builds the task source, sets the pool up,
 * chooses the front end (dashboard on a terminal, headless otherwise),
 * runs it, and prints the summary.
 */
#include "config.h"

#include <sys/mman.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "detach.h"
#include "log.h"
#include "loop.h"
#include "client-ls.h"
#include "opts.h"
#include "pool.h"
#include "pool-failures.h"
#include "pool-hook.h"
#include "pool-input.h"
#include "pool-joblog.h"
#include "pool-logger.h"
#include "shm.h"
#include "pool-block.h"
#include "pool-source.h"
#include "template.h"
#include "client-report.h"
#include "ui/ui.h"
#include "worker.h"

extern char **environ;

/* `pooltop progress PERCENT | DONE/TOTAL`: report the task's progress. */
static int
progress_main(int argc, char **argv)
{
	struct pt_shm	 shm;
	const char	*name = getenv("POOLTOP_SHM");
	const char	*slot_s = getenv("POOLTOP_SLOT");
	const char	*task_s = getenv("POOLTOP_TASK");
	const char	*errstr;
	char		 err[256], *slash, *end;
	long long	 slot, task;
	double		 done, total = 100;

	if (argc != 2) {
		fprintf(stderr, "usage: pooltop progress PERCENT | "
		    "DONE/TOTAL\n");
		return PT_EXIT_USAGE;
	}
	if (name == NULL || slot_s == NULL || task_s == NULL) {
		fprintf(stderr, "pooltop progress: not run by a pooltop worker"
		    " (POOLTOP_SHM, POOLTOP_SLOT, POOLTOP_TASK are not set)\n");
		return PT_EXIT_USAGE;
	}
	slot = strtonum(slot_s, 1, PT_MAX_WORKERS, &errstr);
	if (errstr == NULL)
		task = strtonum(task_s, 1, LLONG_MAX, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "pooltop progress: bad POOLTOP_SLOT or"
		    " POOLTOP_TASK\n");
		return PT_EXIT_USAGE;
	}
	errno = 0;
	done = strtod(argv[1], &end);
	if ((slash = strchr(argv[1], '/')) != NULL && end == slash)
		total = strtod(slash + 1, &end);
	if (errno != 0 || *end != '\0' || end == argv[1] || done < 0 ||
	    total <= 0 || done > total || total > 4294967295.0) {
		fprintf(stderr, "pooltop progress: '%s' is not PERCENT (0-100)"
		    " or DONE/TOTAL\n", argv[1]);
		return PT_EXIT_USAGE;
	}
	if (slash == NULL) {	/* percent, kept to a tenth */
		done *= 10;
		total = 1000;
	}
	if (shm_open_reader(&shm, name, true, err, sizeof err) == -1) {
		fprintf(stderr, "pooltop progress: %s\n", err);
		return 1;
	}
	if (shm_post_progress(&shm, (uint32_t)slot - 1, (uint64_t)task,
	    (uint32_t)done, (uint32_t)total) == -1) {
		fprintf(stderr, "pooltop progress: segment %s: %s\n", name,
		    strerror(errno));
		shm_close(&shm);
		return 1;
	}
	shm_close(&shm);
	return 0;
}

/* Open path, or stdin if it is NULL or "-", and name it; -1 and err. */
static int
input_open(const char *path, const char **name, char *err, size_t errlen)
{
	int	fd;

	*name = "stdin";
	if (path != NULL && strcmp(path, "-") != 0) {
		*name = path;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	} else
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
	if (fd == -1)
		errorf(err, errlen, "%s: %s", *name, strerror(errno));
	return fd;
}

/* A file source: "-" is stdin; NULL and err on error. */
static struct source *
file_source(const struct opts *o, const char *path, char *err,
    size_t errlen)
{
	struct source	*src;
	const char	*name;
	int		 fd;

	if ((fd = input_open(path, &name, err, errlen)) == -1)
		return NULL;
	src = source_fd(fd, name, o->null_sep ? '\0' : o->delim_set ?
	    o->delim : '\n');
	if (o->csv)
		source_fd_csv(src);
	return src;
}

/* --pipe: blocks of -a FILE or stdin; 0 or -1 and err. */
static int
pipe_source(const struct opts *o, struct source **src, char *err,
    size_t errlen)
{
	struct block_spec	 spec;
	struct blocks		*b;
	const char		*name;
	int			 fd;

	if ((fd = input_open(o->arg_file, &name, err, errlen)) == -1)
		return -1;
	memset(&spec, 0, sizeof spec);
	spec.size = o->block_size;
	spec.recstart = o->recstart;
	spec.recend = o->recend;
	spec.nrec = o->max_args_set ? (size_t)o->max_args : 0;
	spec.jobs = o->workers;
	spec.regexp = o->regexp;
	spec.rrs = o->rrs;
	spec.header = (size_t)o->header_lines;
	spec.header_apart = o->round_robin;	/* once a task */
	b = o->pipe_part ? blocks_new_part(fd, name, &spec, err, errlen) :
	    blocks_new(fd, name, &spec, err, errlen);
	if (b == NULL)
		return -1;
	*src = source_blocks(b);
	return 0;
}

/* The product of the command line's input sources; 0 or -1 and err. */
static int
make_product(const struct opts *o, struct source **src, char *err,
    size_t errlen)
{
	struct source	**subs;
	bool		 *linked;
	size_t		  i;
	int		  rc = 0;

	subs = xcalloc(o->ninputs, sizeof *subs);
	linked = xcalloc(o->ninputs, sizeof *linked);
	for (i = 0; i < o->ninputs && rc == 0; i++) {
		linked[i] = o->inputs[i].linked;
		if (o->inputs[i].file == NULL)
			subs[i] = source_args(o->inputs[i].items,
			    o->inputs[i].nitems);
		else if ((subs[i] = file_source(o, o->inputs[i].file, err,
		    errlen)) == NULL)
			rc = -1;
		if (rc == 0)
			source_filter(subs[i], o->eof_str, o->skip_blank);
	}
	if (rc == 0)
		*src = source_product(subs, linked, o->ninputs);
	else
		while (i-- > 0)
			source_free(subs[i]);
	free(subs);
	free(linked);
	return rc;
}

/* The source of the items, before pool-input.c's wrapping. */
static int
make_items(const struct opts *o, struct source **src, char *err,
    size_t errlen)
{
	*src = NULL;
	if (o->retry_failed)
		return 0;
	if (o->pipe)
		return pipe_source(o, src, err, errlen);
	if (o->ninputs > 0)
		return make_product(o, src, err, errlen);
	if (o->ntasks > 0) {
		*src = source_tasks(o->tasks, o->ntasks);
		return 0;
	}
	if (o->has_range) {
		*src = source_range(o->range_from, o->range_to, o->range_step);
		return 0;
	}
	if (o->nitems > 0 || (o->items != NULL && o->arg_file == NULL)) {
		*src = source_args(o->items, o->nitems);
		source_filter(*src, o->eof_str, o->skip_blank);
		return 0;
	}
	if ((isatty(STDIN_FILENO) || o->detach) && o->arg_file == NULL &&
	    o->keep_open) {
		*src = source_args(NULL, 0);	/* items come by ctl add */
		return 0;
	}
	if (isatty(STDIN_FILENO) && o->arg_file == NULL)
		return errorf(err, errlen, "no items: give them after :::, "
		    "with -a FILE, in the config file, or on a pipe to stdin");
	*src = file_source(o, o->arg_file ? o->arg_file : "-", err, errlen);
	if (*src == NULL)
		return -1;
	/* GNU parallel applies -E and -r to each input source as read. */
	source_filter(*src, o->eof_str, o->skip_blank);
	return 0;
}

/* Build the task source the options ask for in *src; 0 or -1 and err. */
static int
make_source(const struct opts *o, struct source **src, char *err,
    size_t errlen)
{
	if (make_items(o, src, err, errlen) == -1)
		return -1;
	if (input_wrap(o, src, err, errlen) == 0)
		return 0;
	source_free(*src);
	*src = NULL;
	return -1;
}

/* A spool file for task output while the dashboard owns the terminal; -1. */
static int
spool_open(void)
{
	int	fd = memfd_create("pooltop-spool", MFD_CLOEXEC);

	if (fd == -1) {
		char	path[] = "/tmp/pooltop-spool.XXXXXX";

		if ((fd = mkstemp(path)) == -1) {
			warn("spool file");
			return -1;
		}
		unlink(path);
		set_cloexec(fd);
	}
	return fd;
}

/* Copy a spool to fd. */
static void
spool_copy(int spool, int fd)
{
	char	buf[65536];
	ssize_t	n;

	if (lseek(spool, 0, SEEK_SET) == -1)
		return;
	while ((n = read(spool, buf, sizeof buf)) > 0)
		if (write_all(fd, buf, (size_t)n) == -1)
			break;
	close(spool);
}

/* Drop the spools (either may be -1) on a way out that prints nothing. */
static void
spool_close(int out, int err)
{
	if (out != -1)
		close(out);
	if (err != -1)
		close(err);
}

/* The in-process dashboard's command path: the same table as the socket. */
static int
ui_send_local(void *arg, const char *line, struct buf *reply)
{
	return cmd_run(arg, line, reply);
}

struct ui_glue {
	struct ui	*ui;
	struct loop	*loop;
	int		 input;		/* the terminal's watch */
	int		 tick;		/* the redraw timer */
	bool		 quit;
};

/* Keys from the terminal. */
static void
ui_input_cb(int fd, short revents, void *arg)
{
	struct ui_glue	*g = arg;

	(void)fd;
	(void)revents;
	if (ui_input(g->ui) != UI_CONTINUE && !g->quit) {
		g->quit = true;
		loop_del(g->loop, g->input);
	}
}

/* Redraw timer. */
static void
ui_tick_cb(void *arg)
{
	struct ui_glue	*g = arg;

	if (g->ui != NULL)
		ui_tick(g->ui);
}

/* SIGWINCH, Ctrl-Z (before the pool stops) and fg (once tasks resume). */
static void
ui_signal_cb(int sig, void *arg)
{
	struct ui_glue	*g = arg;

	if (g->ui == NULL)
		return;
	if (sig == SIGWINCH)
		ui_resize(g->ui);
	else if (sig == SIGCONT)
		ui_resume(g->ui);
	else
		ui_suspend(g->ui);
}

/* The pool ended: give the terminal back before output and summary. */
static void
ui_exit_cb(struct pool *p, void *arg)
{
	struct ui_glue	*g = arg;

	(void)p;
	ui_close(g->ui);
	g->ui = NULL;
	if (!g->quit)
		loop_del(g->loop, g->input);
	loop_timer_del(g->loop, g->tick);
}

/* Plug the dashboard into the loop beside the pool. */
static void
ui_plug(struct ui_glue *g, struct loop *loop, struct pool *p, int ms)
{
	static const int	 stop[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	size_t			 i;

	g->loop = loop;
	g->input = loop_add(loop, ui_fd(g->ui), POLLIN, ui_input_cb, g);
	g->tick = loop_every(loop, ms, ui_tick_cb, g);
	(void)loop_signal(loop, SIGWINCH, ui_signal_cb, g);
	for (i = 0; i < nitems_of(stop); i++)
		(void)loop_signal_first(loop, stop[i], ui_signal_cb, g);
	(void)loop_signal(loop, SIGCONT, ui_signal_cb, g);
	pool_at_exit(p, ui_exit_cb, g);
}

/* Decide whether the dashboard can run. */
static bool
want_dashboard(const struct opts *o)
{
	const char	*term = getenv("TERM");

	if (o->headless)
		return false;
	if (o->dashboard)
		return true;	/* ui_open() says if there is no terminal */
	if (!isatty(STDOUT_FILENO))
		return false;
	if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0)
		return false;
	return true;
}

/* --check-config: the template and --on-task-end must compile. */
static int
check_template(const struct opts *o)
{
	struct template	*t = NULL;
	const char	*what = "";
	char		 err[512];

	if (o->command != NULL &&
	    (t = input_compile(o, err, sizeof err)) == NULL)
		what = "command template: ";
	else {
		template_free(t);
		if (hooks_check(o, err, sizeof err) == 0)
			return 0;
	}
	fprintf(stderr, "pooltop: %s%s%s%s\n", o->config_file ?
	    o->config_file : "", o->config_file ? ": " : "", what, err);
	return -1;
}

/*
 * --name NAME taken by a live pool: true and err.  Else hold it in
 * *lock (-1 when none is needed or none could be taken).
 */
static bool
name_taken(const struct opts *o, int *lock, char *err, size_t errlen)
{
	pid_t	pid;

	*lock = -1;
	if (o->name == NULL || o->name[0] == '\0')
		return false;
	if ((pid = ctl_name_live(o->name)) > 0) {
		snprintf(err, errlen, "--name %s: pool %ld has that name; a "
		    "name must be unique among live pools", o->name,
		    (long)pid);
		return true;
	}
	if ((*lock = ctl_name_lock(o->name)) == -1 && errno == EWOULDBLOCK) {
		snprintf(err, errlen, "--name %s: another pool with that name"
		    " is starting; a name must be unique among live pools",
		    o->name);
		return true;
	}
	return false;
}

/* Run a pool: the default subcommand. */
static int
run_main(int argc, char **argv)
{
	static struct opts	 o;
	static struct ui_glue	 glue;
	struct ui_host		 host;
	struct source		*src = NULL;
	struct loop		*loop = NULL;
	struct logger		*log = NULL;
	struct pool		*p = NULL;
	struct run_stats	 st;
	struct fail_group	*groups;
	char			 err[1024], sock[256];
	int			 argi = 0, rc = PT_EXIT_USAGE;
	int			 out_fd = 1, err_fd = 2;
	int			 spool_out = -1, spool_err = -1;
	int			 name_lock = -1, recs;
	bool			 dash;

	opts_init(&o);
	if (opts_parse(&o, argc, argv, &argi, err, sizeof err) == -1 ||
	    (o.detach && detach_check(&o, err, sizeof err) == -1)) {
		fprintf(stderr, "pooltop: %s\n", err);
		goto out;
	}
	if (o.check_config) {
		if (check_template(&o) == 0) {
			printf("%s: configuration OK\n", o.config_file ?
			    o.config_file : "command line");
			rc = 0;
		}
		goto out;
	}
	/*
	 * --retry-failed with a joblog that records no task (none yet, an
	 * empty file, the header alone, standard output): nothing ran, so
	 * nothing failed, and the run is an ordinary one that writes the
	 * joblog.  A file that is not a joblog stops it before anything runs.
	 */
	if (o.retry_failed && o.joblog != NULL) {
		if ((recs = joblog_records(o.joblog, err, sizeof err)) == -1) {
			fprintf(stderr, "pooltop: %s\n", err);
			goto out;
		}
		if (recs == 0)
			o.retry_failed = false;
	}
	if (o.command == NULL && o.ntasks == 0 && !o.retry_failed &&
	    o.persistent == NULL && o.nitems == 0 && o.arg_file == NULL &&
	    o.ninputs == 0 && !o.keep_open && isatty(STDIN_FILENO)) {
		fprintf(stderr, "pooltop: no command: give a command template,"
		    " or `command`/`tasks` in the config (see pooltop "
		    "--help)\n");
		goto out;
	}
	/* Before --detach forks: the lock is shared with the child. */
	if (name_taken(&o, &name_lock, err, sizeof err) ||
	    (o.detach && detach_start(&o, err, sizeof err) == -1) ||
	    make_source(&o, &src, err, sizeof err) == -1 ||
	    input_header(&o, src, err, sizeof err) == -1) {
		fprintf(stderr, "pooltop: %s\n", err);
		goto out;
	}
	if (o.dry_run) {
		rc = input_dry_run(&o, src);
		goto out;
	}
	dash = want_dashboard(&o);
	if (!dash)
		o.headless = true;
	else {
		/*
		 * Task output bound for the terminal waits until the dashboard
		 * has given it back; to a file or a pipe it goes at once.
		 */
		if (isatty(STDOUT_FILENO))
			out_fd = spool_out = spool_open();
		if (isatty(STDERR_FILENO))
			err_fd = spool_err = spool_open();
		if (out_fd == -1 || err_fd == -1)
			goto out;	/* out of descriptors: close ours */
	}
	if (logger_open(&log, &o, err, sizeof err) == -1) {
		(void)log_error(o.log_format, err);
		goto out;
	}
	loop = loop_new();
	p = pool_new(&o, src, loop);
	if (pool_setup(p, out_fd, err_fd, err, sizeof err) == -1) {
		(void)log_error(o.log_format, err);
		goto out;
	}
	if (log != NULL)
		logger_plug(log, loop, p);
	err[0] = '\0';
	if (ctl_listen(loop, p, sock, sizeof sock, err, sizeof err) == -1) {
		if (o.detach) {
			(void)log_error(o.log_format, err);
			goto out;
		}
		pool_warn(p, PT_EV_ERROR, "control socket: %s (pooltop "
		    "ctl/attach will not reach this pool)", err);
	} else {
		if (err[0] != '\0')	/* a fallback directory: say which */
			pool_warn(p, PT_EV_INFO, "control socket: %s", err);
		pool_set_socket(p, sock);
		detach_ready();
	}
	if (dash) {
		memset(&host, 0, sizeof host);
		host.shm = pool_shm(p);
		host.send = ui_send_local;
		host.arg = p;
		host.theme = o.theme;
		glue.ui = ui_open(&host, err, sizeof err);
		if (glue.ui == NULL) {
			(void)log_error(o.log_format, err);
			ctl_close();
			goto out;
		}
		ui_plug(&glue, loop, p, o.refresh_ms);
	}
	rc = pool_run(p);
	ctl_close();
	if (spool_out != -1)
		spool_copy(spool_out, STDOUT_FILENO);
	if (spool_err != -1)
		spool_copy(spool_err, STDERR_FILENO);
	spool_out = spool_err = -1;	/* closed by spool_copy() */
	pool_stats(p, &st);
	if (!o.quiet) {
		st.ngroups = pool_failures(p, &groups);
		st.groups = groups;
		log_summary(stderr, o.log_format, &st);
		fail_groups_free(groups, st.ngroups);
	}
out:
	pool_free(p);
	spool_close(spool_out, spool_err);
	logger_close(log);
	loop_free(loop);
	source_free(src);
	if (name_lock != -1)
		close(name_lock);
	opts_free(&o);
	return rc;
}

/* Is argv a run (it has a ::: group) rather than a subcommand? */
static bool
has_items_marker(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], ":::") == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(int, char **);
	} subs[] = {
		{ "ls", ls_main },
		{ "progress", progress_main },
		{ "ctl", ctl_main },
		{ "attach", ui_attach_main },
		{ "report", report_main },
		{ "worker", worker_stdio_main },
	};
	size_t	i;

	setlocale(LC_ALL, "");
	/*
	 * Numbers are read and written the C way whatever the user's locale
	 * (a German one writes 1,5): "1.5" in options and config files, '.'
	 * in the joblog, JSON, logs and reports, as GNU parallel's are.
	 */
	setlocale(LC_NUMERIC, "C");
	setproctitle_init(argc, argv, environ);
	if (argc > 1 && !has_items_marker(argc, argv)) {
		for (i = 0; i < nitems_of(subs); i++)
			if (strcmp(argv[1], subs[i].name) == 0)
				return subs[i].fn(argc - 1, argv + 1);
	}
	return run_main(argc, argv);
}

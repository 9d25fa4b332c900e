/*
 * Run options: one struct filled from defaults, then the config file, then
 * the command line (which wins).  The table in opts.c gives every option
 * its long name, short letter, config key, type, bounds, default and help;
 * --help, the config loader, the CLI parser and conf/pooltop.conf all follow
 * that table.  opts.c fills a struct opts; main.c then sets `headless`
 * when there is no dashboard to draw; from pool_new() on, it is read only.
 */
#ifndef PT_OPTS_H
#define PT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define PT_MAX_WORKERS	1024
#define PT_EXIT_USAGE	255
#define PT_CHUNKSIZE_AUTO 0	/* --chunksize auto: see pool.c */
#define PT_WORKERS_AUTO	0	/* -j auto, until opts_parse() sizes it */

enum halt_when { HALT_NEVER = 0, HALT_NOW, HALT_SOON };
enum halt_what { HALT_FAIL = 0, HALT_SUCCESS, HALT_DONE };

/* GNU parallel's --halt: never | now,fail=N | soon,fail=N% | now,done=1 ... */
struct halt_policy {
	enum halt_when	when;
	enum halt_what	what;
	uint64_t	count;		/* N, when !percent */
	double		percent;	/* N%, when percent */
	bool		percent_set;
};

/* --termseq: signal, then milliseconds to wait, repeated. */
#define PT_TERMSEQ_MAX	16
struct termseq {
	int	n;
	int	sig[PT_TERMSEQ_MAX];
	int	wait_ms[PT_TERMSEQ_MAX];
};

enum log_format { LOG_TEXT = 0, LOG_JSON };
enum results_layout { RESULTS_SEQ = 0, RESULTS_GNU };
enum task_order { ORDER_INPUT = 0, ORDER_LONGEST_FIRST };
enum slurm_mode { SLURM_AUTO = 0, SLURM_YES, SLURM_NO };

/* Admission options (pool-admit.h); all zero: none. */
struct admit_opts {
	double		delay;		/* --delay, seconds between starts */
	bool		delay_auto;	/* ... adapted as GNU parallel's */
	double		load;		/* --load, 0: not set */
	uint64_t	memfree;	/* --memfree, bytes, 0: not set */
	bool		memfree_auto;	/* --memfree auto: the tasks' learned
					   footprint (pool-admit.h) */
	uint64_t	memsuspend;	/* --memsuspend, bytes, 0: not set */
	bool		noswap;
	double		pressure[3];	/* --max-pressure cpu, memory, io;
					   0: not watched */
};

/* A task given whole in the config file's `tasks` list. */
struct conf_task {
	char	*command;
	char	*name;		/* label; NULL: the command */
};

/* One of several input sources given on the command line. */
struct input {
	char		**items;	/* after :::, or NULL: a file */
	size_t		  nitems;
	char		 *file;		/* after :::: or -a; "-" is stdin */
	bool		  linked;	/* :::+ or ::::+: paired
					   with the last */
};

struct opts {
	/* what to run */
	char		*command;	/* template; NULL with only `tasks` */
	char		**command_argv;	/* the template as several words on the
					   command line: each word one
					   argument */
	int		 command_argc;
	char		**items;	/* after ::: or config `items` */
	size_t		 nitems;
	char		*arg_file;	/* -a; "-" is stdin */
	struct input	*inputs;	/* several sources (-a, :::, ::::), in
					   GNU parallel's order, or a :::: file;
					   then items and arg_file are unset */
	size_t		 ninputs;
	bool		 null_sep;	/* -0 */
	char		 delim;		/* -d: the byte ending items */
	bool		 delim_set;	/* ... given */
	bool		 has_range;
	long long	 range_from, range_to, range_step;
	char		*colsep;	/* --colsep REGEX, or NULL */
	bool		 csv;		/* --csv */
	bool		 header;	/* --header : */
	char		*eof_str;	/* -E STR: the item ending a source */
	bool		 skip_blank;	/* -r: blank items run no task */
	int		 trim;		/* --trim: TRIM_LEFT | TRIM_RIGHT */
	bool		 trim_set;	/* --trim given (else --colsep's lr) */
	int		 max_args;	/* -N / -n, when max_args_set */
	bool		 max_args_set;
	bool		 shuf;		/* --shuf */
	enum task_order	 order;		/* --order */
	char		*joblog_in;	/* --joblog-in: its durations */
	bool		 pipe;		/* --pipe: blocks of stdin on the
					   tasks' stdin (pool-block.h) */
	bool		 pipe_part;	/* --pipe-part: ranges of -a FILE */
	bool		 pipe_cat;	/* --cat: {} names the block's file */
	uint64_t	 block_size;	/* --block; 0: the default */
	char		*recstart;	/* --recstart, or NULL */
	char		*recend;	/* --recend, or NULL */
	bool		 regexp;	/* --regexp: they are expressions */
	bool		 rrs;		/* --remove-rec-sep */
	int		 header_lines;	/* --header N (':' is 1): with --pipe,
					   the lines at every block's head */
	bool		 pipe_fifo;	/* --fifo: {} names a named pipe */
	bool		 round_robin;	/* --round-robin: -j tasks share the
					   blocks, each stdin open throughout */
	bool		 multi_args;	/* -m: fill commands, spread over -j */
	bool		 xargs;		/* --xargs: fill commands */
	bool		 context_replace; /* -X: -m, repeating {}'s word */
	int		 max_lines;	/* -L, when max_lines_set */
	bool		 max_lines_set;
	int		 max_chars;	/* -s: a command is shorter */
	bool		 dry_run;	/* print the commands, run none */
	char		**result_keys;	/* --results-layout gnu: the name of
					   argument k's level is key k % n
					   (header names; "1" ... with -N);
					   NULL: k + 1 */
	size_t		 nresult_keys;
	struct conf_task *tasks;	/* config `tasks` */
	size_t		 ntasks;
	char		*shell;		/* default /bin/sh */

	/* the pool */
	int		 workers;	/* -j; default ncpu */
	bool		 workers_all;	/* -j 0: PT_MAX_WORKERS, quietly
					   fewer for the open file limit */
	int		 tick_ms;	/* worker sample period */
	int		 nice;		/* added to the workers' niceness */
	double		 timeout;	/* seconds, 0 none */
	double		 timeout_pct;	/* --timeout N% of the median, or 0 */
	double		 straggler_factor; /* over K x the median: 0 never */
	bool		 speculate;	/* a copy of a straggler on an idle
					   worker once the queue is empty */
	bool		 idempotent;	/* the user says a task may run twice
					   (--speculate with --results) */
	int		 retries;	/* attempts in all, 0: no limit */
	struct halt_policy halt;
	struct termseq	 termseq;
	char		*name;		/* pool name shown in ls/dashboard */
	struct admit_opts admit;
	uint64_t	 task_memory;	/* bytes, each task's cgroup; 0: none */
	double		 task_cpus;	/* CPUs, each task's cgroup; 0: none */
	bool		 oom_retry;	/* put OOM-killed tasks back, shrink */

	/* output */
	bool		 tag;
	char		*tagstring;	/* --tagstring: the tag, a template */
	bool		 keep_order;
	bool		 line_buffer;	/* default: group, as GNU parallel */
	bool		 ungroup;	/* -u: bytes as they come, no tags */
	char		*results;	/* directory */
	enum results_layout results_layout;

	/* front end and logs */
	bool		 headless;
	bool		 dashboard;	/* even when stdout is not a terminal */
	char		*log_file;	/* NULL: stderr */
	enum log_format	 log_format;
	double		 progress_interval; /* seconds, 0: off */
	bool		 quiet;		/* no summary */
	char		*joblog;
	bool		 resume;
	bool		 resume_failed;
	bool		 retry_failed;
	bool		 check_config;
	bool		 keep_open;	/* input ends at ctl close only */
	bool		 detach;	/* in the background (detach.h) */
	char		*on_task_end;	/* hooks (pool-hook.h) */
	char		*on_end;
	double		 hook_timeout;	/* seconds */

	/* dashboard (ui.*) */
	char		*theme;
	int		 refresh_ms;

	/* persistent workers (worker.*) */
	char		*persistent;
	char		*init;
	int		 chunksize;	/* or PT_CHUNKSIZE_AUTO */
	int		 max_tasks_per_worker;

	/* other machines (remote.*) */
	char		**sshlogins;	/* -S, each "[N/][user@]host[:port]"
					   or ":" */
	size_t		 nsshlogins;
	char		*ssh;		/* --ssh, split on blanks */
	char		*remote_pooltop;
	char		*slf;		/* --sshloginfile, re-read when it
					   changes */
	char		*workdir;	/* --workdir, as given; NULL: home */
	char		**transfers;	/* --transferfile, templates */
	size_t		 ntransfers;
	char		**envs;		/* --env, variable names */
	size_t		 nenvs;
	char		**returns;	/* --return, templates */
	size_t		 nreturns;
	char		**basefiles;	/* --basefile, paths */
	size_t		 nbasefiles;
	bool		 cleanup;	/* --cleanup */
	enum slurm_mode	 slurm;		/* --slurm; AUTO until parsed */
	bool		 workers_given;	/* -j set: per host with -S */
	bool		 workers_auto;	/* -j auto: workers is the first size */
	int		 workers_min;	/* -j auto's bounds */
	int		 workers_max;	/* 0 until parsed: 4 x online CPUs */

	char		*config_file;	/* -c, for messages */
};

void	opts_init(struct opts *);	/* defaults */
void	opts_free(struct opts *);

/*
 * Parse argv (after the program name; stops at the template), load the
 * config file named by -c, and apply the command line over it.  On error,
 * writes "FILE:LINE: message" or "option --x: message" into err and returns
 * -1; the caller exits PT_EXIT_USAGE.  *argi is set to the index of the
 * first non-option argument (the command template), and items after ":::"
 * go to o->items; several sources (":::", ":::+", "::::", "::::+" groups
 * and -a FILE, repeatable) go to o->inputs, the -a files first.
 *
 * argc and argv are main()'s: argv[0] is the program name and is skipped.
 * o must have been opts_init()ed.  The words from *argi up to ":::" are
 * joined with spaces into o->command.  -h and -V print to stdout and exit 0.
 * o->items is non-NULL whenever items were given (even none), likewise
 * o->tasks.  With no template and no config `command`, o->command is NULL.
 */
int	opts_parse(struct opts *, int argc, char **argv, int *argi,
	    char *err, size_t errlen);
int	opts_load_config(struct opts *, const char *path, char *err,
	    size_t errlen);
/*
 * Parse a libconfig file into an initialised config_t as config files are
 * parsed (themes use it too): a regular file of at most max bytes, no NUL
 * byte, @include directives found relative to the file's directory and
 * checked (at most 64, 1 MiB each), groups and lists nested at most 64
 * deep, at most 1000 settings in a group and bounded work for all groups
 * (libconfig's duplicate check is quadratic).  On error, "FILE:LINE:
 * message" (or "FILE: message") in err and -1.
 */
struct config_t;
int	conf_parse_file(struct config_t *, const char *path, size_t max,
	    char *err, size_t errlen);
void	opts_usage(FILE *);		/* --help text, from the table */

/* The option table, for tests, documentation and shell completion. */
struct opt_info {
	const char	*name;		/* long option */
	const char	*alias;		/* another long name, or NULL */
	int		 letter;	/* short option, or 0 */
	const char	*key;		/* config key, or NULL */
	const char	*def;		/* default as an argument, or NULL */
	bool		 has_arg;
	const char	*arg;		/* argument name ("FILE"), or NULL */
	const char *const *choices;	/* the only values, or NULL */
	const char	*help;		/* one line */
};
/* Option i's description; false past the end. */
bool		 opts_info(size_t i, struct opt_info *);
/* Set one option by its long name, as on the command line; -1 and err. */
int		 opts_set(struct opts *, const char *name, const char *arg,
		    char *err, size_t);
/* The i-th config key (table keys, then command, items ...); NULL past end. */
const char	*opts_config_key(size_t i);

int	parse_halt(const char *, struct halt_policy *, char *err, size_t);
int	parse_termseq(const char *, struct termseq *, char *err, size_t);
void	format_termseq(const struct termseq *, char *buf, size_t);
/*
 * The highest {N} a template may name: the number of input sources, or
 * SIZE_MAX when it varies from task to task (--colsep, --csv, --header,
 * -N: then an {N} past a task's last argument stands for nothing).
 */
size_t	opts_max_pos(const struct opts *);
/* Are commands filled with as many items as fit (-m, -X, --xargs, -L)? */
bool	opts_fill(const struct opts *);
/* Are words holding {} repeated (-X, or -L without -m or --xargs)? */
bool	opts_context(const struct opts *);
/*
 * --trim: the blanks (space, \t \n \v \f \r) to remove from each end of
 * every argument, TRIM_LEFT | TRIM_RIGHT; lr with --colsep unless --trim
 * says otherwise, as in GNU parallel.
 */
#define TRIM_LEFT	1
#define TRIM_RIGHT	2
int	opts_trim(const struct opts *);
/* Does the input split into columns (--colsep, --csv or --header)? */
bool	opts_columns(const struct opts *);

#endif

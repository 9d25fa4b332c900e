/*
 * Options: defaults, the config file and the command line.
 *
 * One table, opt_table[], describes every option once: long name, short
 * letter, config key, type, bounds, default text, argument name and help.
 * getopt_long()'s tables, the config loader's key lookup and type checks
 * and --help all come from it, so they cannot disagree.  A few keys exist
 * only in config files (command, items, items_file, tasks, and the group
 * form of range); conf_only[] gives them loaders of their own.
 *
 * opts_parse() first scans argv, recording each option with its argument
 * without applying it; then it loads the -c file over the defaults and
 * applies the recorded options over that, so the command line wins.  Where
 * each value came from (a file line or the command line) is kept in a
 * struct origin for the cross-option checks and their messages.
 *
 * libconfig 1.5 calls exit() from its scanner when an @include names a
 * directory or a file it cannot read, and rescans long tokens read from a
 * file quadratically.  So the main file is read into memory and parsed with
 * config_read_string(), and a pre-scan that follows libconfig's lexical
 * rules (strings, comments, "@include" at the start of a line) checks every
 * @include before libconfig sees it.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "opts.h"
#include "pool-hosts.h"
#include "pool-admit.h"
#include "text.h"
#include "util.h"

#define CONF_MAX_SIZE		(16 * 1024 * 1024)	/* main file */
#define CONF_INCLUDE_MAX_SIZE	(1024 * 1024)		/* each @include */
#define CONF_INCLUDE_DEPTH	10			/* as libconfig */
#define CONF_INCLUDE_MAX	64			/* directives in all */
#define CONF_DEPTH_MAX		64			/* groups and
							   lists nested */
#define CONF_GROUP_MAX		1000			/* settings in
							   one group */
#define CONF_NAME_WORK_MAX	2000000			/* see scan_syntax() */
#define SCAN_LIST		UINT32_MAX		/* a list or
							   array level */
#define TERMSEQ_WAIT_MAX	3600000			/* one hour, in ms */
#define SUGGEST_DISTANCE	3

#define DEFAULT_TERMSEQ	"TERM,200,TERM,100,TERM,50,KILL,25"

enum opt_type {
	OPT_BOOL,	/* no argument; stores opt_entry.value */
	OPT_INT,
	OPT_DOUBLE,
	OPT_STRING,
	OPT_ENUM,
	OPT_FUNC,	/* opt_entry.parse: halt, termseq, range */
	OPT_LIST,	/* repeatable: each value appended to a list */
	OPT_SIZE,	/* bytes, as admit_parse_size() reads them */
	OPT_CONFIG,	/* -c FILE */
	OPT_HELP,
	OPT_VERSION,
};

enum need { NEED_NONE = 0, NEED_JOBLOG, NEED_PERSISTENT };

struct opt_entry {
	const char	 *name;		/* long option */
	const char	 *alias;	/* another long name, or NULL */
	int		  letter;	/* short option, or 0 */
	const char	 *key;		/* config key; NULL:
					   command line only */
	enum opt_type	  type;
	size_t		  off;		/* field in struct opts */
	size_t		  noff;		/* OPT_LIST: the field of its count */
	long long	  min, max;	/* OPT_INT and OPT_DOUBLE */
	const char *const *choices;	/* OPT_ENUM, NULL-terminated */
	int		(*parse)(struct opts *, const char *, char *, size_t);
	bool		  value;	/* OPT_BOOL: the value stored */
	enum need	  needs;	/* needs another option set */
	const char	 *word;		/* OPT_INT: a word that stands for */
	int		  wordval;	/* this value (chunksize "auto": 0) */
	bool		  cpus;		/* OPT_INT: GNU parallel's N%, +N, -N
					   of the CPUs too (cpus_form()) */
	const char	 *def;		/* default, as the option's argument */
	const char	 *defnote;	/* what --help adds, or says alone */
	const char	 *arg;		/* argument name; NULL: none */
	const char	 *optdef;	/* the argument may be left out (only
					   --name=ARG gives one): this one */
	const char	 *help;
};

/* Parse a whole decimal integer; -1 if not one, -2 if out of range. */
static int
parse_ll(const char *s, long long *v)
{
	char	*end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -1;
	if (errno == ERANGE)
		return -2;
	return 0;
}

/* Parse a whole finite number. */
static int
parse_double(const char *s, double *v)
{
	char	*end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	*v = strtod(s, &end);
	if (*end != '\0' || !isfinite(*v))
		return -1;
	return 0;
}

/* Check and store a range; msg gets the reason if it is bad. */
static int
store_range(struct opts *o, long long from, long long to, long long step,
    bool has_step, char *msg, size_t len)
{
	if (!has_step)
		step = from <= to ? 1 : -1;
	if (step == 0)
		return errorf(msg, len, "step must not be 0");
	if ((step > 0 && from > to) || (step < 0 && from < to))
		return errorf(msg, len, "step %lld never goes from %lld to"
		    " %lld", step, from, to);
	o->has_range = true;
	o->range_from = from;
	o->range_to = to;
	o->range_step = step;
	return 0;
}

/* --halt into o. */
static int
set_halt(struct opts *o, const char *s, char *err, size_t len)
{
	return parse_halt(s, &o->halt, err, len);
}

/* Append a copy of s to a list of n strings; an empty name is refused. */
static int
list_add(char ***v, size_t *n, const char *s, char *err, size_t len)
{
	if (*s == '\0')
		return errorf(err, len, "an empty file name");
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
	return 0;
}

/* -S LOGIN[,LOGIN...]: appended, each checked. */
static int
set_sshlogin(struct opts *o, const char *s, char *err, size_t len)
{
	char	*copy, *p, *w, user[64], host[256], msg[200];
	int	 slots, port, r = 0;

	p = copy = xstrdup(s);
	while (r == 0 && (w = strsep(&p, ",")) != NULL) {
		w += strspn(w, " \t");
		if (*w == '\0')
			continue;
		if (hosts_parse_login(w, &slots, user, sizeof user, host,
		    sizeof host, &port, msg, sizeof msg) == -1)
			r = errorf(err, len, "'%s': %s", w, msg);
		else
			r = list_add(&o->sshlogins, &o->nsshlogins, w, err,
			    len);
	}
	free(copy);
	return r;
}

/*
 * --env VAR[,VAR...] (repeatable): names of variables whose values here
 * remote tasks get.  GNU parallel's --env _ (the names in its
 * ~/.parallel/ignored_vars) is refused, as is a name no shell takes.
 */
static int
set_env(struct opts *o, const char *s, char *err, size_t len)
{
	char	*copy, *p, *w, v[80];
	int	 r = 0;

	p = copy = xstrdup(s);
	while (r == 0 && (w = strsep(&p, ",")) != NULL) {
		if (strcmp(w, "_") == 0)
			r = errorf(err, len, "'_' (GNU parallel's variables "
			    "not in ~/.parallel/ignored_vars) is not supported:"
			    " name the variables");
		else if (*w == '\0' || isdigit((unsigned char)*w) ||
		    strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
		    "vwxyz0123456789_") != strlen(w))
			r = errorf(err, len, "'%s' is not a variable name",
			    text_brief(v, sizeof v, w));
		else
			r = list_add(&o->envs, &o->nenvs, w, err, len);
	}
	free(copy);
	return r;
}

/* --trc FILE: --transferfile {} --return FILE --cleanup, as GNU parallel. */
static int
set_trc(struct opts *o, const char *s, char *err, size_t len)
{
	size_t	i;

	if (list_add(&o->returns, &o->nreturns, s, err, len) == -1)
		return -1;
	o->cleanup = true;
	for (i = 0; i < o->ntransfers; i++)
		if (strcmp(o->transfers[i], "{}") == 0)
			return 0;
	return list_add(&o->transfers, &o->ntransfers, "{}", err, len);
}

/* --delay SECS[auto] into o. */
static int
set_delay(struct opts *o, const char *s, char *err, size_t len)
{
	return admit_parse_delay(s, &o->admit.delay, &o->admit.delay_auto,
	    err, len);
}

/* --load MAX into o, in load units. */
static int
set_load(struct opts *o, const char *s, char *err, size_t len)
{
	long	ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	return admit_parse_load(s, ncpu > 0 ? ncpu : 1, &o->admit.load, err,
	    len);
}

/* --memfree SIZE or auto into o. */
static int
set_memfree(struct opts *o, const char *s, char *err, size_t len)
{
	o->admit.memfree_auto = strcmp(s, "auto") == 0;
	if (o->admit.memfree_auto) {
		o->admit.memfree = 0;
		return 0;
	}
	return admit_parse_size(s, &o->admit.memfree, err, len);
}

/* --max-pressure cpu=P,memory=P,io=P into o. */
static int
set_pressure(struct opts *o, const char *s, char *err, size_t len)
{
	return admit_parse_pressure(s, o->admit.pressure, err, len);
}

/* --termseq into o. */
static int
set_termseq(struct opts *o, const char *s, char *err, size_t len)
{
	return parse_termseq(s, &o->termseq, err, len);
}

/* --range FROM:TO[:STEP] into o. */
static int
set_range(struct opts *o, const char *s, char *err, size_t len)
{
	long long	 v[3];
	char		*copy, *p, *w, msg[160], vb[80];
	int		 n = 0, r = 0;

	p = copy = xstrdup(s);
	while (r == 0 && (w = strsep(&p, ":")) != NULL) {
		if (n == 3 || parse_ll(w, &v[n++]) != 0)
			r = -1;
	}
	free(copy);
	if (r != 0 || n < 2)
		return errorf(err, len, "bad range '%s': expected "
		    "FROM:TO[:STEP], integers", text_brief(vb, sizeof vb, s));
	if (store_range(o, v[0], v[1], n == 3 ? v[2] : 0, n == 3, msg,
	    sizeof msg) != 0)
		return errorf(err, len, "bad range '%s': %s",
		    text_brief(vb, sizeof vb, s), msg);
	return 0;
}

/*
 * --header: ':' (the first line), as GNU parallel's usual form, or (for
 * --pipe, check_pipe() says) a number of lines.
 */
static int
set_header(struct opts *o, const char *s, char *err, size_t len)
{
	const char	*errstr;
	long long	 n;

	if (strcmp(s, ":") == 0) {
		o->header = true;
		o->header_lines = 1;
		return 0;
	}
	n = strtonum(s, 0, 1000000, &errstr);
	if (errstr != NULL)
		return errorf(err, len, "'%s': give ':' (the first item is the"
		    " header) or, with --pipe, a number of lines up to 1000000",
		    s);
	o->header = false;
	o->header_lines = (int)n;
	return 0;
}

/*
 * --trim n|l|r|lr|rl: as GNU parallel's, which --colsep sets to lr unless
 * --trim is given (opts_trim()).
 */
static int
set_trim(struct opts *o, const char *s, char *err, size_t len)
{
	static const struct { const char *name; int bits; } modes[] = {
		{ "n", 0 }, { "l", TRIM_LEFT }, { "r", TRIM_RIGHT },
		{ "lr", TRIM_LEFT | TRIM_RIGHT },
		{ "rl", TRIM_LEFT | TRIM_RIGHT },
	};
	size_t	i;

	for (i = 0; i < nitems_of(modes); i++)
		if (strcmp(s, modes[i].name) == 0) {
			o->trim = modes[i].bits;
			o->trim_set = true;
			return 0;
		}
	return errorf(err, len, "'%s': give n, l, r, lr or rl", s);
}

/*
 * -d DELIM: GNU parallel's escapes (\n \t \r \0, \\, and octal \NNN)
 * decoded; one byte only, where GNU parallel takes a string.
 */
static int
set_delimiter(struct opts *o, const char *s, char *err, size_t len)
{
	const char	*p = s;
	int		 c, n;

	if (*p == '\\' && p[1] != '\0') {
		p++;
		if (*p >= '0' && *p <= '7') {
			for (c = 0, n = 0; n < 3 && *p >= '0' && *p <= '7';
			    n++, p++)
				c = c * 8 + (*p - '0');
			p--;
		} else if (*p == 'n')
			c = '\n';
		else if (*p == 't')
			c = '\t';
		else if (*p == 'r')
			c = '\r';
		else
			c = (unsigned char)*p;	/* \\ and any other */
	} else
		c = (unsigned char)*p;
	if (*p == '\0' || p[1] != '\0' || c > 255)
		return errorf(err, len, "'%s': give one byte (or \\n \\t \\r "
		    "\\0 \\\\ \\NNN); a delimiter of several bytes is GNU "
		    "parallel's only", s);
	o->delim = (char)c;
	o->delim_set = true;
	return 0;
}

/*
 * GNU parallel's -j forms relative to the online CPUs: N% of them (rounded
 * up, N may have a fraction), +N or -N more or fewer.  1 and the count in
 * *out if s is one of them, 0 if it is not, -1 and a message in err if it
 * is but names no worker or more than PT_MAX_WORKERS.
 */
static int
cpus_form(const char *s, int *out, char *err, size_t len)
{
	long long	n, cpus = ncpu_online();
	double		pct, v;
	size_t		l = strlen(s);
	char		num[32];

	if (l > 1 && s[l - 1] == '%' && l < sizeof num) {
		memcpy(num, s, l - 1);
		num[l - 1] = '\0';
		if (num[0] == '+' || num[0] == '-' ||
		    parse_double(num, &pct) != 0)
			return 0;
		v = ceil((double)cpus * pct / 100);
	} else if ((s[0] == '+' || s[0] == '-') &&
	    s[1] >= '0' && s[1] <= '9' && parse_ll(s + 1, &n) == 0)
		v = (double)(s[0] == '+' ? cpus + n : cpus - n);
	else
		return 0;
	if (v < 1 || v > PT_MAX_WORKERS)
		return errorf(err, len, "'%s' of %lld CPUs is %.0f workers: "
		    "must be from 1 to %d", s, cpus, v, PT_MAX_WORKERS);
	*out = (int)v;
	return 1;
}

/* What a count of workers out of range is told 0 also is. */
#define WORKERS_ZERO	"0 (as many as there is work for) or "

/*
 * -j 0, as GNU parallel's: as many at once as there is work for.  Workers
 * start only for work, so this is the largest pool, PT_MAX_WORKERS (fewer
 * under the open file limit, quietly: fd_budget()).
 */
static int
workers_all(struct opts *o, int *field)
{
	*field = PT_MAX_WORKERS;
	o->workers_all = true;
	return 0;
}

/* -P N, --max-procs N: -j N, under GNU parallel's and xargs' name. */
static int
set_max_procs(struct opts *o, const char *s, char *err, size_t len)
{
	long long	v;
	int		r;

	o->workers_all = false;
	if (strcmp(s, "auto") == 0) {
		o->workers = PT_WORKERS_AUTO;
		return 0;
	}
	if ((r = cpus_form(s, &o->workers, err, len)) != 0)
		return r == 1 ? 0 : -1;
	if (parse_ll(s, &v) == 0 && v == 0)
		return workers_all(o, &o->workers);
	if (parse_ll(s, &v) != 0 || v < 1 || v > PT_MAX_WORKERS)
		return errorf(err, len, "'%s': expected auto, 0, an integer"
		    " from 1 to %d, N%% of the CPUs or +N or -N of them",
		    s, PT_MAX_WORKERS);
	o->workers = (int)v;
	return 0;
}

/*
 * -I {}, --replace {}: what xargs -I and GNU parallel -I name the item by;
 * pooltop's is {} always, so {} alone is taken (and changes nothing), and
 * anything else refused rather than run with it as text.
 */
static int
set_replace(struct opts *o, const char *s, char *err, size_t len)
{
	(void)o;
	if (strcmp(s, "{}") != 0)
		return errorf(err, len, "'%s': -I with a string other than {} "
		    "is GNU parallel's, not pooltop's: the replacement strings "
		    "are {} {1} ... ({} is the item)", s);
	return 0;
}

/* -n N, -N N: items per task. */
static int
set_max_args(struct opts *o, const char *s, char *err, size_t len)
{
	long long	v;

	if (parse_ll(s, &v) != 0 || v < 0 || v > 1000000)
		return errorf(err, len, "'%s': expected an integer from 0 to"
		    " 1000000", s);
	o->max_args = (int)v;
	o->max_args_set = true;
	return 0;
}

/* --block SIZE: a size as GNU parallel reads it, 1 byte to 2G - 1. */
static int
set_block(struct opts *o, const char *s, char *err, size_t len)
{
	uint64_t	v;

	if (admit_parse_size(s, &v, err, len) == -1)
		return -1;
	if (v > INT32_MAX)
		return errorf(err, len, "must be less than 2G (got '%.40s')",
		    s);
	o->block_size = v;
	return 0;
}

/* -L N: N lines a task. */
static int
set_max_lines(struct opts *o, const char *s, char *err, size_t len)
{
	int	n = o->max_args;
	bool	set = o->max_args_set;

	if (set_max_args(o, s, err, len) != 0)
		return -1;
	o->max_lines = o->max_args;
	o->max_lines_set = true;
	o->max_args = n;
	o->max_args_set = set;
	return 0;
}

/* --timeout SECS (0 to a year), or N% of the median runtime (N > 0). */
static int
set_timeout(struct opts *o, const char *s, char *err, size_t len)
{
	char	*num = xstrdup(s), vb[80];
	size_t	 n = strlen(num);
	bool	 pct = n > 0 && num[n - 1] == '%';
	double	 v;
	int	 r;

	if (pct)
		num[n - 1] = '\0';
	r = parse_double(num, &v);
	free(num);
	if (r != 0)
		return errorf(err, len, "must be a number, or N%% (got '%s')",
		    text_brief(vb, sizeof vb, s));
	if (pct && (v <= 0 || v > 1e6))
		return errorf(err, len, "must be a percentage above 0 (got"
		    " '%s')", text_brief(vb, sizeof vb, s));
	if (!pct && (v < 0 || v > 31536000))
		return errorf(err, len, "must be between 0 and 31536000 (got"
		    " %g)", v);
	o->timeout = pct ? 0 : v;
	o->timeout_pct = pct ? v : 0;
	return 0;
}

static const char *const log_formats[] = { "text", "json", NULL };
static const char *const results_layouts[] = { "seq", "gnu", NULL };
static const char *const task_orders[] = { "input", "longest-first", NULL };
static const char *const slurm_modes[] = { "auto", "yes", "no", NULL };

#define F(field) offsetof(struct opts, field)

static const struct opt_entry opt_table[] = {
	{ .name = "workers", .letter = 'j', .alias = "jobs", .key = "workers",
	  .type = OPT_INT,
	  .off = F(workers), .min = 1, .max = PT_MAX_WORKERS,
	  .word = "auto", .wordval = PT_WORKERS_AUTO, .cpus = true,
	  .defnote = "online CPUs", .arg = "N",
	  .help = "worker processes at most, started for tasks; N% of the "
	  "CPUs, +N, -N; 0: as many as tasks; auto: it sizes itself" },
	{ .name = "max-procs", .letter = 'P', .type = OPT_FUNC,
	  .parse = set_max_procs, .arg = "N",
	  .help = "the same as -j N (GNU parallel's and xargs' name)" },
	{ .name = "workers-min", .key = "workers_min", .type = OPT_INT,
	  .off = F(workers_min), .min = 1, .max = PT_MAX_WORKERS, .def = "1",
	  .arg = "N", .help = "with -j auto: never fewer workers than N" },
	{ .name = "workers-max", .key = "workers_max", .type = OPT_INT,
	  .off = F(workers_max), .min = 1, .max = PT_MAX_WORKERS,
	  .defnote = "online CPUs x 4", .arg = "N",
	  .help = "with -j auto: never more workers than N" },
	{ .name = "config", .letter = 'c', .type = OPT_CONFIG, .arg = "FILE",
	  .help = "read options from FILE (libconfig syntax)" },
	{ .name = "arg-file", .letter = 'a', .key = "arg_file",
	  .type = OPT_STRING, .off = F(arg_file), .arg = "FILE",
	  .help = "read items from FILE, one per line (- is stdin)" },
	{ .name = "null", .letter = '0', .key = "null", .type = OPT_BOOL,
	  .off = F(null_sep), .value = true,
	  .help = "items are ended by NUL bytes, not newlines" },
	{ .name = "delimiter", .letter = 'd', .key = "delimiter",
	  .type = OPT_FUNC, .parse = set_delimiter, .arg = "BYTE",
	  .help = "items end at BYTE (\\n \\t \\r \\0 \\\\ \\NNN), not newlines" },
	{ .name = "range", .key = "range", .type = OPT_FUNC, .parse = set_range,
	  .arg = "FROM:TO[:STEP]",
	  .help = "items are the integers FROM to TO, by STEP" },
	{ .name = "colsep", .key = "colsep", .type = OPT_STRING,
	  .off = F(colsep), .arg = "REGEX",
	  .help = "split each item into columns {1} {2} ... at REGEX" },
	{ .name = "eof", .letter = 'E', .key = "eof", .type = OPT_STRING,
	  .off = F(eof_str), .arg = "STR",
	  .help = "an item equal to STR ends its input source (GNU parallel's)" },
	{ .name = "no-run-if-empty", .letter = 'r', .key = "no_run_if_empty",
	  .type = OPT_BOOL, .off = F(skip_blank), .value = true,
	  .help = "items empty or of blanks only run no task" },
	{ .name = "trim", .key = "trim", .type = OPT_FUNC, .parse = set_trim,
	  .arg = "n|l|r|lr|rl", .defnote = "lr with --colsep, else n",
	  .help = "remove blanks at the left, right or both ends of arguments" },
	{ .name = "csv", .key = "csv", .type = OPT_BOOL, .off = F(csv),
	  .value = true,
	  .help = "items are CSV records: columns {1} {2} ... (RFC 4180)" },
	{ .name = "header", .key = "header", .type = OPT_FUNC,
	  .parse = set_header, .arg = ":|N",
	  .help = "the first item names the columns: {NAME}; --pipe: the "
	      "first N lines head every block" },
	{ .name = "max-args", .letter = 'n', .key = "max_args",
	  .type = OPT_FUNC, .parse = set_max_args, .arg = "N",
	  .help = "N items per task: {} all of them, {1} ... {N} each" },
	{ .name = "max-replace-args", .letter = 'N', .type = OPT_FUNC,
	  .parse = set_max_args, .arg = "N", .help = "the same as -n N" },
	{ .name = "replace", .letter = 'I', .type = OPT_FUNC,
	  .parse = set_replace, .arg = "{}",
	  .help = "xargs' and GNU parallel's -I {}: {} is the item already" },
	{ .name = "pipe", .alias = "spreadstdin", .key = "pipe",
	  .type = OPT_BOOL, .off = F(pipe), .value = true,
	  .help = "cut stdin into blocks, one on each task's stdin" },
	{ .name = "pipe-part", .alias = "pipepart", .key = "pipe_part",
	  .type = OPT_BOOL, .off = F(pipe_part), .value = true,
	  .help = "--pipe on ranges of -a FILE, read by the workers" },
	{ .name = "cat", .key = "cat", .type = OPT_BOOL,
	  .off = F(pipe_cat), .value = true,
	  .help = "with --pipe, {} is a file holding the block, not stdin" },
	{ .name = "block", .alias = "block-size", .key = "block",
	  .type = OPT_FUNC, .parse = set_block, .arg = "SIZE",
	  .defnote = "one megabyte, 1M",
	  .help = "with --pipe, blocks of about SIZE bytes (k M G suffixes)" },
	{ .name = "recstart", .key = "recstart", .type = OPT_STRING,
	  .off = F(recstart), .arg = "STR",
	  .help = "with --pipe, a record starts with STR" },
	{ .name = "recend", .key = "recend", .type = OPT_STRING,
	  .off = F(recend), .arg = "STR", .defnote = "a newline",
	  .help = "with --pipe, a record ends with STR" },
	{ .name = "regexp", .key = "regexp", .type = OPT_BOOL,
	  .off = F(regexp), .value = true,
	  .help = "with --pipe, --recstart and --recend are regular expressions" },
	{ .name = "remove-rec-sep", .alias = "rrs", .key = "remove_rec_sep",
	  .type = OPT_BOOL, .off = F(rrs), .value = true,
	  .help = "with --pipe, remove --recend and --recstart from the blocks"
	      " (without it, nothing)" },
	{ .name = "fifo", .key = "fifo", .type = OPT_BOOL,
	  .off = F(pipe_fifo), .value = true,
	  .help = "with --pipe, {} is a named pipe the task reads its block from" },
	{ .name = "round-robin", .alias = "round", .key = "round_robin",
	  .type = OPT_BOOL, .off = F(round_robin), .value = true,
	  .help = "with --pipe, -j tasks share the blocks, each stdin open" },
	{ .name = "multiple-args", .letter = 'm', .key = "multiple_args",
	  .type = OPT_BOOL, .off = F(multi_args), .value = true,
	  .help = "give a task as many items as fit (-s), spread over -j" },
	{ .name = "context-replace", .letter = 'X', .key = "context_replace",
	  .type = OPT_BOOL, .off = F(context_replace), .value = true,
	  .help = "like -m, a word holding {} repeated for each item" },
	{ .name = "max-lines", .letter = 'L', .key = "max_lines",
	  .type = OPT_FUNC, .parse = set_max_lines, .arg = "N",
	  .help = "N lines a task, a line ending in a blank going on; -X" },
	{ .name = "xargs", .key = "xargs", .type = OPT_BOOL, .off = F(xargs),
	  .value = true, .help = "give a task as many items as fit (-s)" },
	{ .name = "max-chars", .letter = 's', .key = "max_chars",
	  .type = OPT_INT, .off = F(max_chars), .min = 1,
	  .max = 100000000, .def = "131072", .arg = "N",
	  .help = "with -m or --xargs, commands are shorter than N bytes" },
	{ .name = "shuf", .key = "shuf", .type = OPT_BOOL, .off = F(shuf),
	  .value = true,
	  .help = "run the tasks in a random order (reads all input first)" },
	{ .name = "order", .key = "order", .type = OPT_ENUM, .off = F(order),
	  .choices = task_orders, .def = "input", .arg = "input|longest-first",
	  .help = "longest-first: the longest in --joblog-in first (reads all "
	  "input first)" },
	{ .name = "joblog-in", .key = "joblog_in", .type = OPT_STRING,
	  .off = F(joblog_in), .arg = "FILE",
	  .help = "an earlier run's joblog, for --order longest-first" },
	{ .name = "shell", .key = "shell", .type = OPT_STRING, .off = F(shell),
	  .def = "/bin/sh", .arg = "PATH",
	  .help = "shell for templates that need one" },
	{ .name = "nice", .key = "nice", .type = OPT_INT, .off = F(nice),
	  .min = -20, .max = 19, .def = "0", .arg = "N",
	  .help = "run the tasks N steps nicer than pooltop itself" },
	{ .name = "tick", .key = "tick", .type = OPT_INT, .off = F(tick_ms),
	  .min = 10, .max = 60000, .def = "250", .arg = "MS",
	  .help = "how often workers sample their task, in ms" },
	{ .name = "timeout", .key = "timeout", .type = OPT_FUNC,
	  .parse = set_timeout, .def = "0", .defnote = "none",
	  .arg = "SECS|N%",
	  .help = "end a task running over SECS, or N% of the median run" },
	{ .name = "straggler-factor", .key = "straggler_factor",
	  .type = OPT_DOUBLE, .off = F(straggler_factor), .min = 0,
	  .max = 1000, .def = "3", .arg = "K",
	  .help = "mark a task running over K times the median, 0: never" },
	{ .name = "speculate", .key = "speculate", .type = OPT_BOOL,
	  .off = F(speculate), .value = true,
	  .help = "queue empty: run a straggler's copy on an idle worker" },
	{ .name = "idempotent", .key = "idempotent", .type = OPT_BOOL,
	  .off = F(idempotent), .value = true,
	  .help = "tasks may run twice: lets --speculate save --results" },
	{ .name = "retries", .key = "retries", .type = OPT_INT,
	  .off = F(retries), .min = 0, .max = 1000, .def = "1", .arg = "N",
	  .help = "make up to N attempts at a task, 0 without limit" },
	{ .name = "halt", .alias = "halt-on-error", .key = "halt",
	  .type = OPT_FUNC, .parse = set_halt, .def = "never", .arg = "POLICY",
	  .help = "stop early: never, now|soon,fail|success|done=N[%]" },
	{ .name = "termseq", .key = "termseq", .type = OPT_FUNC,
	  .parse = set_termseq, .def = DEFAULT_TERMSEQ, .arg = "SEQ",
	  .help = "signals and waits in ms that end a task" },
	{ .name = "delay", .key = "delay", .type = OPT_FUNC, .parse = set_delay,
	  .def = "0", .arg = "SECS",
	  .help = "wait SECS between task starts; SECSauto adapts it" },
	{ .name = "load", .key = "load", .type = OPT_FUNC, .parse = set_load,
	  .defnote = "none", .arg = "MAX",
	  .help = "no start while the 1-minute load is MAX or more" },
	{ .name = "memfree", .key = "memfree", .type = OPT_FUNC,
	  .parse = set_memfree, .defnote = "none", .arg = "SIZE|auto",
	  .help = "no start below SIZE free; auto: the tasks' footprint" },
	{ .name = "memsuspend", .key = "memsuspend", .type = OPT_SIZE,
	  .off = F(admit.memsuspend), .defnote = "none", .arg = "SIZE",
	  .help = "stop the youngest tasks below twice SIZE free" },
	{ .name = "noswap", .key = "noswap", .type = OPT_BOOL,
	  .off = F(admit.noswap), .value = true,
	  .help = "no start while the machine swaps in and out" },
	{ .name = "max-pressure", .key = "max_pressure", .type = OPT_FUNC,
	  .parse = set_pressure, .defnote = "none",
	  .arg = "cpu=P,memory=P,io=P",
	  .help = "no start while a PSI some avg10 is above P%" },
	{ .name = "task-memory", .key = "task_memory", .type = OPT_SIZE,
	  .off = F(task_memory), .defnote = "none", .arg = "SIZE",
	  .help = "limit each task's memory with a cgroup of its own" },
	{ .name = "task-cpus", .key = "task_cpus", .type = OPT_DOUBLE,
	  .off = F(task_cpus), .min = 0, .max = PT_MAX_WORKERS, .def = "0",
	  .defnote = "none", .arg = "N",
	  .help = "limit each task to N CPUs with a cgroup of its own" },
	{ .name = "oom-retry", .key = "oom_retry", .type = OPT_BOOL,
	  .off = F(oom_retry), .value = true,
	  .help = "put an OOM-killed task back and run one worker fewer" },
	{ .name = "name", .key = "name", .type = OPT_STRING, .off = F(name),
	  .defnote = "the command", .arg = "NAME",
	  .help = "pool name shown by the dashboard and ls" },
	{ .name = "tag", .key = "tag", .type = OPT_BOOL, .off = F(tag),
	  .value = true, .help = "start each output line with the item and a tab" },
	{ .name = "tagstring", .key = "tagstring", .type = OPT_STRING,
	  .off = F(tagstring), .arg = "STR",
	  .help = "like --tag, with STR (replacement strings work) as tag" },
	{ .name = "keep-order", .letter = 'k', .key = "keep_order",
	  .type = OPT_BOOL, .off = F(keep_order), .value = true,
	  .help = "print output in the order of the input" },
	{ .name = "line-buffer", .alias = "lb", .key = "line_buffer",
	  .type = OPT_BOOL, .off = F(line_buffer), .value = true,
	  .help = "print output line by line as it comes" },
	{ .name = "group", .type = OPT_BOOL, .off = F(line_buffer),
	  .value = false, .defnote = "on",
	  .help = "print a task's output in one block when it ends" },
	{ .name = "ungroup", .letter = 'u', .key = "ungroup", .type = OPT_BOOL,
	  .off = F(ungroup), .value = true,
	  .help = "pass output through as it comes, untagged, unordered" },
	{ .name = "results", .key = "results", .type = OPT_STRING,
	  .off = F(results), .arg = "DIR|FILE",
	  .help = "save output in DIR/SEQ/ or FILE.csv|.tsv|.json, print nothing" },
	{ .name = "results-layout", .key = "results_layout", .type = OPT_ENUM,
	  .off = F(results_layout), .choices = results_layouts, .def = "seq",
	  .arg = "seq|gnu",
	  .help = "--results in DIR/SEQ/ or GNU parallel's DIR/1/ITEM/" },
	{ .name = "headless", .key = "headless", .type = OPT_BOOL,
	  .off = F(headless), .value = true,
	  .help = "no dashboard: log events to stderr or --log" },
	{ .name = "dashboard", .key = "dashboard", .type = OPT_BOOL,
	  .off = F(dashboard), .value = true,
	  .help = "the dashboard on the terminal, even with stdout redirected" },
	{ .name = "log", .key = "log", .type = OPT_STRING, .off = F(log_file),
	  .defnote = "stderr", .arg = "FILE",
	  .help = "write the event log to FILE" },
	{ .name = "log-format", .key = "log_format", .type = OPT_ENUM,
	  .off = F(log_format), .choices = log_formats, .def = "text",
	  .arg = "text|json", .help = "format of the event log" },
	{ .name = "progress-interval", .key = "progress_interval",
	  .type = OPT_DOUBLE, .off = F(progress_interval), .min = 0,
	  .max = 86400, .def = "10", .arg = "SECS",
	  .help = "headless progress line every SECS, 0: off" },
	{ .name = "quiet", .letter = 'q', .key = "quiet", .type = OPT_BOOL,
	  .off = F(quiet), .value = true,
	  .help = "no event lines on stderr and no summary" },
	{ .name = "joblog", .alias = "jl", .key = "joblog", .type = OPT_STRING,
	  .off = F(joblog), .arg = "FILE",
	  .help = "record finished tasks in FILE, as GNU parallel" },
	{ .name = "resume", .key = "resume", .type = OPT_BOOL,
	  .needs = NEED_JOBLOG, .off = F(resume), .value = true,
	  .help = "skip the tasks the joblog records as run" },
	{ .name = "resume-failed", .key = "resume_failed", .type = OPT_BOOL,
	  .needs = NEED_JOBLOG, .off = F(resume_failed), .value = true,
	  .help = "like --resume, but run again those that failed" },
	{ .name = "retry-failed", .key = "retry_failed", .type = OPT_BOOL,
	  .needs = NEED_JOBLOG, .off = F(retry_failed), .value = true,
	  .help = "run again only the failed tasks of the joblog" },
	{ .name = "keep-open", .key = "keep_open", .type = OPT_BOOL,
	  .off = F(keep_open), .value = true,
	  .help = "take items from pooltop ctl add until ctl close" },
	{ .name = "detach", .letter = 'b', .type = OPT_BOOL, .off = F(detach),
	  .value = true,
	  .help = "run in the background: print the ID, return at once" },
	{ .name = "on-task-end", .key = "on_task_end", .type = OPT_STRING,
	  .off = F(on_task_end), .arg = "CMD",
	  .help = "run CMD after each task ({} {#} ..., POOLTOP_* set)" },
	{ .name = "on-end", .key = "on_end", .type = OPT_STRING,
	  .off = F(on_end), .arg = "CMD",
	  .help = "run CMD when the pool ends (POOLTOP_* set)" },
	{ .name = "hook-timeout", .key = "hook_timeout", .type = OPT_DOUBLE,
	  .off = F(hook_timeout), .min = 1, .max = 86400, .def = "60",
	  .arg = "SECS",
	  .help = "end an --on-task-end or --on-end command after SECS" },
	{ .name = "dry-run", .alias = "dryrun", .type = OPT_BOOL,
	  .off = F(dry_run), .value = true,
	  .help = "print the commands that would run, run none" },
	{ .name = "check-config", .type = OPT_BOOL, .off = F(check_config),
	  .value = true, .help = "check the options and config file, then exit" },
	{ .name = "theme", .key = "ui.theme", .type = OPT_STRING,
	  .off = F(theme), .def = "default", .arg = "NAME|PATH",
	  .help = "dashboard colour theme" },
	{ .name = "refresh", .key = "ui.refresh_ms", .type = OPT_INT,
	  .off = F(refresh_ms), .min = 50, .max = 60000, .def = "500",
	  .arg = "MS", .help = "dashboard refresh period in ms" },
	{ .name = "persistent", .key = "worker.persistent", .type = OPT_STRING,
	  .off = F(persistent), .arg = "CMD",
	  .help = "keep CMD running per worker, fed the items" },
	{ .name = "init", .key = "worker.init", .type = OPT_STRING,
	  .off = F(init), .arg = "CMD",
	  .needs = NEED_PERSISTENT,
	  .help = "run CMD in each worker before the --persistent program" },
	{ .name = "chunksize", .key = "worker.chunksize", .type = OPT_INT,
	  .off = F(chunksize), .min = 1, .max = 10000, .def = "auto",
	  .word = "auto", .wordval = PT_CHUNKSIZE_AUTO, .arg = "N",
	  .needs = NEED_PERSISTENT,
	  .help = "items handed to a persistent worker at a time" },
	{ .name = "max-tasks-per-worker", .key = "worker.max_tasks_per_worker",
	  .type = OPT_INT, .off = F(max_tasks_per_worker), .min = 0,
	  .max = 1000000000, .def = "0", .defnote = "unlimited",
	  .arg = "N", .needs = NEED_PERSISTENT,
	  .help = "restart a persistent worker after N tasks" },
	{ .name = "sshlogin", .letter = 'S', .key = "remote.sshlogin",
	  .type = OPT_FUNC, .parse = set_sshlogin,
	  .arg = "[N/][USER@]HOST[:PORT],...",
	  .help = "run workers on HOST over ssh (repeatable; : is this one)" },
	{ .name = "slurm", .key = "remote.slurm", .type = OPT_ENUM,
	  .off = F(slurm), .choices = slurm_modes, .def = "auto",
	  .optdef = "yes", .arg = "yes|no|auto",
	  .help = "workers as job steps of the Slurm allocation (auto: inside one)" },
	{ .name = "ssh", .key = "remote.ssh", .type = OPT_STRING,
	  .off = F(ssh), .def = "ssh", .arg = "CMD",
	  .help = "the command that reaches a host, split on blanks" },
	{ .name = "remote-pooltop", .key = "remote.pooltop", .type = OPT_STRING,
	  .off = F(remote_pooltop), .def = "pooltop", .arg = "PATH",
	  .help = "pooltop on the other hosts" },
	{ .name = "sshloginfile", .alias = "slf", .key = "remote.sshloginfile",
	  .type = OPT_STRING, .off = F(slf), .arg = "FILE",
	  .help = "the -S logins in FILE, re-read when it changes" },
	{ .name = "workdir", .alias = "wd", .key = "remote.workdir",
	  .type = OPT_STRING, .off = F(workdir), .arg = "DIR",
	  .help = "the tasks' directory, made (a template; .: this one, ...: new)" },
	{ .name = "env", .key = "remote.env", .type = OPT_FUNC,
	  .parse = set_env, .arg = "VAR[,VAR...]",
	  .help = "give remote tasks VAR's value here (repeatable)" },
	{ .name = "transferfile", .alias = "tf", .key = "remote.transferfile",
	  .type = OPT_LIST, .off = F(transfers), .noff = F(ntransfers),
	  .arg = "FILE",
	  .help = "copy FILE (a template) to the host before a task" },
	{ .name = "return", .key = "remote.return", .type = OPT_LIST,
	  .off = F(returns), .noff = F(nreturns), .arg = "FILE",
	  .help = "copy FILE (a template) back after the task" },
	{ .name = "cleanup", .key = "remote.cleanup", .type = OPT_BOOL,
	  .off = F(cleanup), .value = true,
	  .help = "remove the copied files from the host after it" },
	{ .name = "basefile", .alias = "bf", .key = "remote.basefile",
	  .type = OPT_LIST, .off = F(basefiles), .noff = F(nbasefiles),
	  .arg = "FILE",
	  .help = "copy FILE to each host before its first task" },
	{ .name = "trc", .type = OPT_FUNC, .parse = set_trc, .arg = "FILE",
	  .help = "--transferfile {} --return FILE --cleanup" },
	{ .name = "help", .letter = 'h', .type = OPT_HELP,
	  .help = "show this help and exit" },
	{ .name = "version", .letter = 'V', .type = OPT_VERSION,
	  .help = "show the version and exit" },
};
#define NOPTS	nitems_of(opt_table)

/* Where a value came from: a config file line or the command line. */
struct origin {
	const char	*path;		/* config file, as given */
	int		 line[NOPTS];	/* 0: not set by the file */
	bool		 cli[NOPTS];
	int		 command_line, items_line, tasks_line;
};

/* Loading one config file. */
struct loadctx {
	struct opts	*o;
	const char	*path;		/* as given */
	char		*dir;		/* include directory */
	struct origin	*org;
	const char	*src_key;	/* the file's source of items so far */
	int		 src_line;
	char		*err;
	size_t		 errlen;
};

/* Where a message points: a file line (and key) or a command-line option. */
struct where {
	const char		*file;	/* NULL: command line */
	int			 line;
	const char		*key;
	const struct opt_entry	*e;
};

static const char *const range_keys[] = {
	"range.from", "range.to", "range.step"
};
static const char *const task_keys[] = { "tasks.command", "tasks.name" };

/* The field an entry stores into. */
static void *
field(struct opts *o, const struct opt_entry *e)
{
	return (char *)o + e->off;
}

/* Set err to the message prefixed by its place. */
static int __attribute__((format(printf, 4, 5)))
fail_at(const struct where *w, char *err, size_t len, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (w->file == NULL)
		n = snprintf(err, len, "option --%s: ", w->e->name);
	else if (w->line > 0)
		n = snprintf(err, len, "%s:%d: ", w->file, w->line);
	else
		n = snprintf(err, len, "%s: ", w->file);
	if (n < 0 || (size_t)n >= len)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, len - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Like fail_at, naming the key for a file ("'workers' must ..."). */
static int __attribute__((format(printf, 4, 5)))
fail_key(const struct where *w, char *err, size_t len, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (w->file == NULL)
		return fail_at(w, err, len, "%s", msg);
	return fail_at(w, err, len, "'%s' %s", w->key, msg);
}

/* Edit distance (with transpositions) between two short strings. */
static size_t
distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, c;
	size_t	d[3][65], *cur, *p, *pp;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		cur = d[i % 3];
		p = d[(i - 1) % 3];
		pp = d[(i + 1) % 3];	/* row i - 2 */
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			c = p[j - 1] + (a[i - 1] != b[j - 1]);
			if (p[j] + 1 < c)
				c = p[j] + 1;
			if (cur[j - 1] + 1 < c)
				c = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < c)
				c = pp[j - 2] + 1;
			cur[j] = c;
		}
	}
	return d[la % 3][lb];
}

/* The candidate nearest to name, or NULL if none is close. */
static const char *
suggest(const char *name, const char *const *cands, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = SIZE_MAX;

	for (i = 0; i < n; i++) {
		d = distance(name, cands[i]);
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	if (bestd > SUGGEST_DISTANCE || bestd + 1 >= strlen(name))
		return NULL;
	return best;
}

/* Describe the i-th option of the table; false past the end. */
bool
opts_info(size_t i, struct opt_info *oi)
{
	if (i >= NOPTS)
		return false;
	oi->name = opt_table[i].name;
	oi->alias = opt_table[i].alias;
	oi->letter = opt_table[i].letter;
	oi->key = opt_table[i].key;
	oi->def = opt_table[i].def;
	oi->has_arg = opt_table[i].arg != NULL && opt_table[i].optdef == NULL;
	oi->arg = opt_table[i].arg;
	oi->choices = opt_table[i].choices;
	oi->help = opt_table[i].help;
	return true;
}

/* Free n strings and the array holding them. */
static void
free_list(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Free the item list. */
static void
free_items(struct opts *o)
{
	free_list(o->items, o->nitems);
	o->items = NULL;
	o->nitems = 0;
}

/* Free the task list. */
static void
free_tasks(struct opts *o)
{
	size_t	i;

	for (i = 0; i < o->ntasks; i++) {
		free(o->tasks[i].command);
		free(o->tasks[i].name);
	}
	free(o->tasks);
	o->tasks = NULL;
	o->ntasks = 0;
}

/* Free the input sources. */
static void
free_inputs(struct input *in, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free_list(in[i].items, in[i].nitems);
		free(in[i].file);
	}
	free(in);
}

/* Forget every source of items: items, arg file, range, tasks. */
static void
clear_sources(struct opts *o)
{
	free_inputs(o->inputs, o->ninputs);
	o->inputs = NULL;
	o->ninputs = 0;
	free_items(o);
	free_tasks(o);
	free(o->arg_file);
	o->arg_file = NULL;
	o->has_range = false;
}

/* Free everything o holds; o can be freed again or re-initialised. */
void
opts_free(struct opts *o)
{
	size_t	i;

	clear_sources(o);
	free_list(o->result_keys, o->nresult_keys);
	free(o->command);
	free_list(o->command_argv, o->command_argc);
	for (i = 0; i < NOPTS; i++) {
		if (opt_table[i].type == OPT_STRING)
			free(*(char **)field(o, &opt_table[i]));
	}
	free_list(o->sshlogins, o->nsshlogins);
	free_list(o->transfers, o->ntransfers);
	free_list(o->envs, o->nenvs);
	free_list(o->returns, o->nreturns);
	free_list(o->basefiles, o->nbasefiles);
	free(o->config_file);
	memset(o, 0, sizeof *o);
}

/* Replace a string field. */
static void
set_string(char **p, const char *s)
{
	free(*p);
	*p = xstrdup(s);
}

/* Store an integer after checking its bounds. */
static int
store_int(struct opts *o, const struct where *w, long long v, char *err,
    size_t len)
{
	const struct opt_entry	*e = w->e;

	if (v < e->min || v > e->max) {
		return fail_key(w, err, len,
		    "must be %sbetween %lld and %lld (got %lld)",
		    e->cpus ? WORKERS_ZERO : "", e->min, e->max, v);
	}
	*(int *)field(o, e) = (int)v;
	return 0;
}

/*
 * The output modes exclude each other, the last one set winning as in
 * GNU parallel: --ungroup ends --line-buffer, and --line-buffer or --group
 * ends --ungroup.
 */
static void
output_mode(struct opts *o, const struct opt_entry *e)
{
	if (e->off == F(ungroup) && o->ungroup)
		o->line_buffer = false;
	else if (e->off == F(line_buffer) &&
	    (o->line_buffer || strcmp(e->name, "group") == 0))
		o->ungroup = false;
}

/* Store a number after checking its bounds. */
static int
store_double(struct opts *o, const struct where *w, double v, char *err,
    size_t len)
{
	const struct opt_entry	*e = w->e;

	if (!isfinite(v) || v < e->min || v > e->max) {
		return fail_key(w, err, len,
		    "must be between %lld and %lld (got %g)", e->min, e->max,
		    v);
	}
	*(double *)field(o, e) = v;
	return 0;
}

/* Store a string that must not be empty. */
static int
store_string(struct opts *o, const struct where *w, const char *s, char *err,
    size_t len)
{
	if (*s == '\0')
		return fail_key(w, err, len, "must not be empty");
	set_string(field(o, w->e), s);
	return 0;
}

/* Store one of an enum's names. */
static int
store_enum(struct opts *o, const struct where *w, const char *s, char *err,
    size_t len)
{
	const struct opt_entry	*e = w->e;
	char			 list[128] = "", v[80];
	int			 i;

	for (i = 0; e->choices[i] != NULL; i++) {
		if (strcmp(s, e->choices[i]) == 0) {
			*(int *)field(o, e) = i;
			return 0;
		}
		if (i > 0)
			strlcat(list, ", ", sizeof list);
		strlcat(list, e->choices[i], sizeof list);
	}
	return fail_key(w, err, len, "must be one of %s (got '%s')", list,
	    text_brief(v, sizeof v, s));
}

/* Run an entry's parse function (or list or size); say what is wrong. */
static int
store_func(struct opts *o, const struct where *w, const char *s, char *err,
    size_t len)
{
	const struct opt_entry	*e = w->e;
	char			 msg[400];
	int			 r;

	if (e->type == OPT_LIST)
		r = list_add(field(o, e), (size_t *)((char *)o + e->noff), s,
		    msg, sizeof msg);
	else if (e->type == OPT_SIZE)
		r = admit_parse_size(s, field(o, e), msg, sizeof msg);
	else
		r = e->parse(o, s, msg, sizeof msg);
	if (r != 0) {
		/* "must ...": name the key, as the typed options do. */
		if (strncmp(msg, "must ", 5) == 0)
			return fail_key(w, err, len, "%s", msg);
		return fail_at(w, err, len, "%s", msg);
	}
	return 0;
}

/* Apply one command-line option with its argument (NULL for none). */
static int
apply_arg(struct opts *o, const struct opt_entry *e, const char *arg,
    char *err, size_t len)
{
	struct where	 w = { .e = e };
	long long	 ll;
	double		 d;
	char		 v[80];
	int		 r;

	switch (e->type) {
	case OPT_BOOL:
		*(bool *)field(o, e) = e->value;
		output_mode(o, e);
		return 0;
	case OPT_INT:
		if (e->cpus)
			o->workers_all = false;
		if (e->word != NULL && strcmp(arg, e->word) == 0) {
			*(int *)field(o, e) = e->wordval;
			return 0;
		}
		if (e->cpus && (r = cpus_form(arg, field(o, e), v,
		    sizeof v)) != 0)
			return r == 1 ? 0 : fail_at(&w, err, len, "%s", v);
		if ((r = parse_ll(arg, &ll)) == -1)
			return fail_at(&w, err, len,
			    "must be an integer%s%s%s%s (got '%s')",
			    e->word ? " or '" : "", e->word ? e->word : "",
			    e->word ? "'" : "", e->cpus ? ", N% of the CPUs "
			    "or +N or -N of them" : "",
			    text_brief(v, sizeof v, arg));
		if (r == 0 && e->cpus && ll == 0)
			return workers_all(o, field(o, e));
		if (r == -2)
			return fail_at(&w, err, len,
			    "must be %sbetween %lld and %lld (got %s)",
			    e->cpus ? WORKERS_ZERO : "", e->min, e->max,
			    text_brief(v, sizeof v, arg));
		return store_int(o, &w, ll, err, len);
	case OPT_DOUBLE:
		if (parse_double(arg, &d) != 0)
			return fail_at(&w, err, len,
			    "must be a number (got '%s')",
			    text_brief(v, sizeof v, arg));
		return store_double(o, &w, d, err, len);
	case OPT_STRING:
		return store_string(o, &w, arg, err, len);
	case OPT_ENUM:
		return store_enum(o, &w, arg, err, len);
	case OPT_FUNC:
	case OPT_LIST:
	case OPT_SIZE:
		return store_func(o, &w, arg, err, len);
	default:
		return 0;
	}
}

/* Fill o with the defaults: the table's, and the CPU count for workers. */
void
opts_init(struct opts *o)
{
	const struct opt_entry	*e;
	char			 err[256];
	size_t			 i;
	int			 n = ncpu_online();

	memset(o, 0, sizeof *o);
	for (i = 0; i < NOPTS; i++) {
		e = &opt_table[i];
		if (e->def != NULL &&
		    apply_arg(o, e, e->def, err, sizeof err) != 0)
			abort();	/* the table's default is not valid */
	}
	o->workers = n > PT_MAX_WORKERS ? PT_MAX_WORKERS : n;
}

/* Set the option named name (a long name) to arg, as on the command line. */
int
opts_set(struct opts *o, const char *name, const char *arg, char *err,
    size_t len)
{
	size_t	i;

	for (i = 0; i < NOPTS; i++) {
		if (strcmp(opt_table[i].name, name) == 0)
			return apply_arg(o, &opt_table[i], arg, err, len);
	}
	return errorf(err, len, "no option --%s", name);
}

/* Name of a libconfig setting's file, as the user would find it. */
static void
setting_file(const struct loadctx *lc, const char *file, char *buf,
    size_t len)
{
	char	name[PATH_MAX];

	if (file == NULL) {
		strlcpy(buf, lc->path, len);
		return;
	}
	text_brief(name, sizeof name, file);
	buf[0] = '\0';
	if (file[0] != '/' && strcmp(lc->dir, ".") != 0) {
		strlcpy(buf, lc->dir, len);
		if (lc->dir[strlen(lc->dir) - 1] != '/')
			strlcat(buf, "/", len);
	}
	strlcat(buf, name, len);
}

/* The place of a setting, for messages; file goes in buf. */
static struct where
where_of(const struct loadctx *lc, const config_setting_t *s,
    const char *key, char *buf, size_t len)
{
	struct where	w = { .key = key };

	setting_file(lc, config_setting_source_file(s), buf, len);
	w.file = buf;
	w.line = config_setting_source_line(s);
	return w;
}

/* fail_key() at setting s (named key) of the file. */
static int __attribute__((format(printf, 4, 5)))
fail_setting(const struct loadctx *lc, const config_setting_t *s,
    const char *key, const char *fmt, ...)
{
	struct where	w;
	char		file[PATH_MAX], msg[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	w = where_of(lc, s, key, file, sizeof file);
	return fail_key(&w, lc->err, lc->errlen, "%s", msg);
}

/* A config setting's integer value, if it has one. */
static bool
setting_int(const config_setting_t *s, long long *v)
{
	int	t = config_setting_type(s);

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return false;
	*v = config_setting_get_int64(s);
	return true;
}

/* Load a func-typed setting: a string, or an integer (--halt 1). */
static int
load_func(struct loadctx *lc, const struct where *w, config_setting_t *s)
{
	const char	*str;
	char		 num[32];
	long long	 ll;

	if (setting_int(s, &ll)) {
		snprintf(num, sizeof num, "%lld", ll);
		str = num;
	} else if (config_setting_type(s) == CONFIG_TYPE_FLOAT) {
		snprintf(num, sizeof num, "%.17g", config_setting_get_float(s));
		str = num;
	} else if ((str = config_setting_get_string(s)) == NULL)
		return fail_key(w, lc->err, lc->errlen, "must be a string");
	return store_func(lc->o, w, str, lc->err, lc->errlen);
}

/* Load the setting of one table entry. */
static int
load_entry(struct loadctx *lc, const struct opt_entry *e,
    config_setting_t *s)
{
	struct where	 w;
	const char	*str;
	long long	 ll;
	char		 file[PATH_MAX], msg[200];
	int		 t = config_setting_type(s), r;

	w = where_of(lc, s, e->key, file, sizeof file);
	w.e = e;
	switch (e->type) {
	case OPT_BOOL:
		if (t != CONFIG_TYPE_BOOL)
			return fail_key(&w, lc->err, lc->errlen,
			    "must be true or false");
		*(bool *)field(lc->o, e) = config_setting_get_bool(s);
		output_mode(lc->o, e);
		return 0;
	case OPT_INT:
		if (e->cpus)
			lc->o->workers_all = false;
		if (e->word != NULL && t == CONFIG_TYPE_STRING &&
		    strcmp(config_setting_get_string(s), e->word) == 0) {
			*(int *)field(lc->o, e) = e->wordval;
			return 0;
		}
		if (e->cpus && t == CONFIG_TYPE_STRING) {
			r = cpus_form(config_setting_get_string(s),
			    field(lc->o, e), msg, sizeof msg);
			if (r == 1)
				return 0;
			if (r == -1)
				return fail_key(&w, lc->err, lc->errlen, "%s",
				    msg);
		}
		if (!setting_int(s, &ll))
			return fail_key(&w, lc->err, lc->errlen,
			    "must be an integer%s%s%s%s", e->word ? " or \"" :
			    "", e->word ? e->word : "", e->word ? "\"" : "",
			    e->cpus ? ", \"N%\" of the CPUs or \"+N\" or "
			    "\"-N\" of them" : "");
		if (e->cpus && ll == 0)
			return workers_all(lc->o, field(lc->o, e));
		return store_int(lc->o, &w, ll, lc->err, lc->errlen);
	case OPT_DOUBLE:
		if (setting_int(s, &ll))
			return store_double(lc->o, &w, (double)ll, lc->err,
			    lc->errlen);
		if (t != CONFIG_TYPE_FLOAT)
			return fail_key(&w, lc->err, lc->errlen,
			    "must be a number");
		return store_double(lc->o, &w, config_setting_get_float(s),
		    lc->err, lc->errlen);
	case OPT_STRING:
	case OPT_ENUM:
		if ((str = config_setting_get_string(s)) == NULL)
			return fail_key(&w, lc->err, lc->errlen,
			    "must be a string");
		if (e->type == OPT_ENUM)
			return store_enum(lc->o, &w, str, lc->err, lc->errlen);
		return store_string(lc->o, &w, str, lc->err, lc->errlen);
	default:
		return load_func(lc, &w, s);
	}
}

/* Note that the file gives a source of items; only one is allowed. */
static int
note_source(struct loadctx *lc, const char *key, config_setting_t *s)
{
	if (lc->src_key != NULL)
		return fail_setting(lc, s, key, "cannot be used with '%s' "
		    "(line %d): give one source of items", lc->src_key,
		    lc->src_line);
	lc->src_key = key;
	lc->src_line = config_setting_source_line(s);
	return 0;
}

/* Store setting s, named key, a string that must not be empty, into *p. */
static int
load_string(struct loadctx *lc, config_setting_t *s, const char *key,
    char **p)
{
	const char	*str;

	if ((str = config_setting_get_string(s)) == NULL)
		return fail_setting(lc, s, key, "must be a string");
	if (*str == '\0')
		return fail_setting(lc, s, key, "must not be empty");
	set_string(p, str);
	return 0;
}

/* command = "template"; */
static int
load_command(struct loadctx *lc, config_setting_t *s)
{
	if (load_string(lc, s, "command", &lc->o->command) != 0)
		return -1;
	lc->org->command_line = config_setting_source_line(s);
	return 0;
}

/* One element of items as text: a string or a number. */
static char *
item_text(const config_setting_t *e)
{
	long long	ll;

	if (setting_int(e, &ll))
		return xasprintf("%lld", ll);
	if (config_setting_type(e) == CONFIG_TYPE_FLOAT)
		return xasprintf("%.15g", config_setting_get_float(e));
	if (config_setting_type(e) == CONFIG_TYPE_STRING)
		return xstrdup(config_setting_get_string(e));
	return NULL;
}

/* items = ( "a", "b", 3 ); or an array. */
static int
load_items(struct loadctx *lc, config_setting_t *s)
{
	struct where	 w;
	config_setting_t *e;
	char		 file[PATH_MAX], *text;
	int		 i, n;

	w = where_of(lc, s, "items", file, sizeof file);
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
		return fail_key(&w, lc->err, lc->errlen,
		    "must be a list or array of strings or numbers");
	if (note_source(lc, "items", s) != 0)
		return -1;
	free_items(lc->o);
	n = config_setting_length(s);
	lc->o->items = xcalloc(n + 1, sizeof *lc->o->items);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if ((text = item_text(e)) == NULL)
			return fail_setting(lc, e, "items", "must hold only "
			    "strings or numbers (item %d)", i + 1);
		lc->o->items[lc->o->nitems++] = text;
	}
	lc->org->items_line = w.line;
	return 0;
}

/* items_file = "FILE"; the same as arg_file. */
static int
load_items_file(struct loadctx *lc, config_setting_t *s)
{
	if (load_string(lc, s, "items_file", &lc->o->arg_file) != 0)
		return -1;
	return note_source(lc, "items_file", s);
}

/* Report an unknown key, with the nearest known one. */
static int
unknown_key(struct loadctx *lc, config_setting_t *s, const char *key,
    const char *const *cands, size_t n)
{
	struct where	 w;
	const char	*near;
	char		 file[PATH_MAX];

	w = where_of(lc, s, key, file, sizeof file);
	if ((near = suggest(key, cands, n)) != NULL)
		return fail_at(&w, lc->err, lc->errlen,
		    "unknown key '%s' (did you mean '%s'?)", key, near);
	return fail_at(&w, lc->err, lc->errlen, "unknown key '%s'", key);
}

/* One task: { command = "..."; name = "..."; } or a string. */
static int
load_task(struct loadctx *lc, config_setting_t *t, struct conf_task *ct,
    int idx)
{
	struct where	  w;
	config_setting_t *m;
	char		  file[PATH_MAX], key[64];
	const char	 *str;
	int		  i, r;

	w = where_of(lc, t, "tasks", file, sizeof file);
	if ((str = config_setting_get_string(t)) != NULL) {
		if (*str == '\0')
			return fail_at(&w, lc->err, lc->errlen,
			    "task %d: empty command", idx + 1);
		ct->command = xstrdup(str);
		return 0;
	}
	if (!config_setting_is_group(t))
		return fail_at(&w, lc->err, lc->errlen, "task %d must be a "
		    "group { command = \"...\"; name = \"...\"; } or a string",
		    idx + 1);
	for (i = 0; (m = config_setting_get_elem(t, i)) != NULL; i++) {
		snprintf(key, sizeof key, "tasks.%s", config_setting_name(m));
		if (strcmp(key, task_keys[0]) == 0)
			r = load_string(lc, m, key, &ct->command);
		else if (strcmp(key, task_keys[1]) == 0)
			r = load_string(lc, m, key, &ct->name);
		else
			return unknown_key(lc, m, key, task_keys,
			    nitems_of(task_keys));
		if (r != 0)
			return -1;
	}
	if (ct->command == NULL)
		return fail_at(&w, lc->err, lc->errlen,
		    "task %d has no 'command'", idx + 1);
	return 0;
}

/* tasks = ( { command = "..."; name = "..."; }, ... ); */
static int
load_tasks(struct loadctx *lc, config_setting_t *s)
{
	struct where	 w;
	char		 file[PATH_MAX];
	int		 i, n;

	w = where_of(lc, s, "tasks", file, sizeof file);
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
		return fail_key(&w, lc->err, lc->errlen, "must be a list ( "
		    "{ command = \"...\"; name = \"...\"; }, ... )");
	if (note_source(lc, "tasks", s) != 0)
		return -1;
	free_tasks(lc->o);
	n = config_setting_length(s);
	lc->o->tasks = xcalloc(n + 1, sizeof *lc->o->tasks);
	for (i = 0; i < n; i++) {
		lc->o->ntasks++;
		if (load_task(lc, config_setting_get_elem(s, i),
		    &lc->o->tasks[i], i) != 0)
			return -1;
	}
	lc->org->tasks_line = w.line;
	return 0;
}

/* One integer member of the range group. */
static int
range_member(struct loadctx *lc, config_setting_t *m, long long *v,
    bool *seen)
{
	char	key[32];

	snprintf(key, sizeof key, "range.%s", config_setting_name(m));
	if (!setting_int(m, v))
		return fail_setting(lc, m, key, "must be an integer");
	*seen = true;
	return 0;
}

/* range = { from = 1; to = 10; step = 1; }; */
static int
load_range_group(struct loadctx *lc, config_setting_t *s)
{
	config_setting_t *m;
	long long	  v[3] = { 0, 0, 0 };
	bool		  seen[3] = { false, false, false };
	char		  key[64], msg[200];
	int		  i, k;

	for (i = 0; (m = config_setting_get_elem(s, i)) != NULL; i++) {
		snprintf(key, sizeof key, "range.%s", config_setting_name(m));
		for (k = 0; k < 3; k++) {
			if (strcmp(key, range_keys[k]) == 0)
				break;
		}
		if (k == 3)
			return unknown_key(lc, m, key, range_keys, 3);
		if (range_member(lc, m, &v[k], &seen[k]) != 0)
			return -1;
	}
	if (!seen[0] || !seen[1])
		return fail_setting(lc, s, "range", "needs 'from' and 'to'");
	if (store_range(lc->o, v[0], v[1], v[2], seen[2], msg, sizeof msg) != 0)
		return fail_setting(lc, s, "range", "is bad: %s", msg);
	return 0;
}

/* Load the range key: a group or a "FROM:TO[:STEP]" string. */
static int
load_range(struct loadctx *lc, const struct opt_entry *e, config_setting_t *s)
{
	if (note_source(lc, "range", s) != 0)
		return -1;
	if (config_setting_is_group(s))
		return load_range_group(lc, s);
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail_setting(lc, s, "range", "must be a "
		    "\"FROM:TO[:STEP]\" string or a group "
		    "{ from = N; to = N; }");
	return load_entry(lc, e, s);
}

/* Config keys that no command-line option has. */
static const struct {
	const char	*key;
	int		(*load)(struct loadctx *, config_setting_t *);
} conf_only[] = {
	{ "command", load_command },
	{ "items", load_items },
	{ "items_file", load_items_file },
	{ "tasks", load_tasks },
};

/* Every config key, table order then config-only; NULL past the end. */
const char *
opts_config_key(size_t i)
{
	size_t	k;

	for (k = 0; k < NOPTS; k++) {
		if (opt_table[k].key != NULL && i-- == 0)
			return opt_table[k].key;
	}
	if (i < nitems_of(conf_only))
		return conf_only[i].key;
	return NULL;
}

/* Every key a file may hold, for suggestions. */
static size_t
all_keys(const char **keys, size_t max)
{
	size_t	n = 0;

	while (n < max && (keys[n] = opts_config_key(n)) != NULL)
		n++;
	return n;
}

/* Is prefix the name of a group of keys ("ui", "worker")? */
static bool
is_key_group(const char *prefix)
{
	size_t	i, len = strlen(prefix);

	for (i = 0; i < NOPTS; i++) {
		if (opt_table[i].key != NULL &&
		    strncmp(opt_table[i].key, prefix, len) == 0 &&
		    opt_table[i].key[len] == '.')
			return true;
	}
	return false;
}

static int	load_group(struct loadctx *, config_setting_t *, const char *);

/* Load one setting named key (a full dotted path). */
static int
load_key(struct loadctx *lc, config_setting_t *s, const char *key)
{
	const char	*keys[NOPTS + nitems_of(conf_only)];
	size_t		 i;

	for (i = 0; i < NOPTS; i++) {
		if (opt_table[i].key == NULL || strcmp(opt_table[i].key, key))
			continue;
		lc->org->line[i] = config_setting_source_line(s);
		if (opt_table[i].parse == set_range)
			return load_range(lc, &opt_table[i], s);
		return load_entry(lc, &opt_table[i], s);
	}
	for (i = 0; i < nitems_of(conf_only); i++) {
		if (strcmp(conf_only[i].key, key) == 0)
			return conf_only[i].load(lc, s);
	}
	if (is_key_group(key)) {
		if (config_setting_is_group(s))
			return load_group(lc, s, key);
		return fail_setting(lc, s, key, "must be a group { ... }");
	}
	return unknown_key(lc, s, key, keys, all_keys(keys, nitems_of(keys)));
}

/* Load every setting of a group; prefix is its dotted path or NULL. */
static int
load_group(struct loadctx *lc, config_setting_t *g, const char *prefix)
{
	config_setting_t	*s;
	char			*key;
	int			 i, r;

	for (i = 0; (s = config_setting_get_elem(g, i)) != NULL; i++) {
		if (prefix == NULL)
			key = xstrdup(config_setting_name(s));
		else
			key = xasprintf("%s.%s", prefix,
			    config_setting_name(s));
		r = load_key(lc, s, key);
		free(key);
		if (r != 0)
			return -1;
	}
	return 0;
}

/* Checks between keys of one file. */
static int
check_file(struct loadctx *lc)
{
	struct origin	*org = lc->org;
	int		 line;

	if (org->tasks_line == 0 || org->command_line == 0)
		return 0;
	line = org->tasks_line > org->command_line ? org->tasks_line :
	    org->command_line;
	return errorf(lc->err, lc->errlen, "%s:%d: 'tasks' cannot be used with "
	    "'command': each task gives its own command", lc->path, line);
}

/*
 * Pre-scan state: checks @include directives the way libconfig finds them,
 * and counts what libconfig will build: nesting, and the settings of each
 * open group (members[0] is the root; SCAN_LIST marks a list or array).
 */
struct scan {
	const char	*dir;		/* include directory */
	int		 count;		/* directives seen */
	char		*err;
	size_t		 errlen;
	int		 depth;
	uint32_t	 members[CONF_DEPTH_MAX + 1];
	uint64_t	 work;		/* names libconfig will compare */
};

/* Read fd to its end, at most max bytes; NULL and why if it fails. */
static char *
read_all(int fd, size_t max, size_t hint, size_t *lenp, char *why,
    size_t whylen)
{
	struct buf	b = { NULL, 0, 0 };
	ssize_t		n;

	/* The size fstat() gave (hint) and a byte more (EOF) in one read. */
	while (b.len <= max && (n = buf_read(&b, fd, b.len < hint ?
	    hint + 1 - b.len : 65536)) != 0) {
		if (n == -1 && errno != EINTR) {
			strlcpy(why, strerror(errno), whylen);
			buf_free(&b);
			return NULL;
		}
	}
	if (b.len > max) {
		snprintf(why, whylen, "larger than %zu KiB", max / 1024);
		buf_free(&b);
		return NULL;
	}
	*lenp = b.len;
	return b.data;
}

/* Read a whole regular file of at most max bytes; why gets the reason. */
static char *
read_regular(const char *path, size_t max, size_t *lenp, char *why,
    size_t whylen)
{
	struct stat	 st;
	char		*buf = NULL;
	int		 fd;

	if ((fd = open(path, O_RDONLY|O_NONBLOCK|O_CLOEXEC)) == -1) {
		strlcpy(why, strerror(errno), whylen);
		return NULL;
	}
	if (fstat(fd, &st) == -1)
		strlcpy(why, strerror(errno), whylen);
	else if (S_ISDIR(st.st_mode))
		strlcpy(why, strerror(EISDIR), whylen);
	else if (!S_ISREG(st.st_mode))
		strlcpy(why, "not a regular file", whylen);
	else if ((uintmax_t)st.st_size > max)
		snprintf(why, whylen, "larger than %zu KiB", max / 1024);
	else
		buf = read_all(fd, max, st.st_size, lenp, why, whylen);
	close(fd);
	return buf;
}

/* The line holding the first NUL byte, or 0. */
static int
nul_line(const char *buf, size_t len)
{
	const char	*p;
	int		 line = 1;

	if ((p = memchr(buf, '\0', len)) == NULL)
		return 0;
	for (; buf < p; buf++)
		line += *buf == '\n';
	return line;
}

static int	scan_text(struct scan *, const char *, const char *, size_t,
		    int);

/* Check (and scan) one included file, named at file:line. */
static int
scan_include(struct scan *sc, const char *file, int line, const char *name,
    int depth)
{
	char	*path, *buf, why[128], vp[PATH_MAX];
	size_t	 len;
	int	 r = 0, nl;

	if (++sc->count > CONF_INCLUDE_MAX)
		return errorf(sc->err, sc->errlen, "%s:%d: more than %d "
		    "@include directives", file, line, CONF_INCLUDE_MAX);
	if (name[0] == '/' || strcmp(sc->dir, ".") == 0)
		path = xstrdup(name);
	else
		path = xasprintf("%s/%s", sc->dir, name);
	if ((buf = read_regular(path, CONF_INCLUDE_MAX_SIZE, &len, why,
	    sizeof why)) == NULL)
		r = errorf(sc->err, sc->errlen, "%s:%d: cannot include '%s': "
		    "%s", file, line, text_brief(vp, sizeof vp, path), why);
	else if ((nl = nul_line(buf, len)) != 0)
		r = errorf(sc->err, sc->errlen, "%s:%d: NUL byte in file",
		    text_brief(vp, sizeof vp, path), nl);
	else
		r = scan_text(sc, text_brief(vp, sizeof vp, path), buf, len,
		    depth + 1);
	free(buf);
	free(path);
	return r;
}

/* At p (start of a line): "[ \t]*@include[ \t]+\"", else NULL. */
static const char *
include_open(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) < 8 || strncmp(p, "@include", 8) != 0)
		return NULL;
	p += 8;
	if (p == end || (*p != ' ' && *p != '\t'))
		return NULL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '"')
		return NULL;
	return p + 1;
}

/* Read an include name from p up to its quote; NULL if unterminated. */
static char *
include_name(const char **pp, const char *end, int *line, bool *bad)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*p = *pp;

	*bad = false;
	for (; p < end && *p != '"'; p++) {
		if (*p == '\\') {
			if (p + 1 == end || (p[1] != '\\' && p[1] != '"'))
				*bad = true;
			else
				p++;
		}
		*line += *p == '\n';
		buf_add(&b, p, 1);
	}
	if (p == end) {
		buf_free(&b);
		return NULL;
	}
	buf_add(&b, "", 1);
	*pp = p + 1;
	return b.data;
}

/* Handle an @include directive whose name starts at *pp. */
static int
scan_directive(struct scan *sc, const char *file, const char **pp,
    const char *end, int *line, int depth)
{
	char	*name;
	bool	 bad;
	int	 at = *line, r = 0;

	if ((name = include_name(pp, end, line, &bad)) == NULL) {
		*pp = end;
		return 0;
	}
	if (bad)
		r = errorf(sc->err, sc->errlen, "%s:%d: bad escape in "
		    "@include name", file, at);
	else if (depth < CONF_INCLUDE_DEPTH)
		r = scan_include(sc, file, at, name, depth);
	free(name);
	return r;
}

/* Skip a string body after its opening quote. */
static const char *
skip_string(const char *p, const char *end, int *line)
{
	for (; p < end && *p != '"'; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		*line += *p == '\n';
	}
	return p < end ? p + 1 : end;
}

/* Skip a block comment after its opening slash-star. */
static const char *
skip_comment(const char *p, const char *end, int *line)
{
	for (; p < end; p++) {
		if (*p == '*' && p + 1 < end && p[1] == '/')
			return p + 2;
		*line += *p == '\n';
	}
	return end;
}

/*
 * Count one byte of syntax outside strings and comments.  libconfig looks
 * for a duplicate name among the settings of a group before it adds one, a
 * linear search, so a group of n settings costs n*n/2 comparisons: 100,000
 * unknown keys took minutes.  So groups hold at most CONF_GROUP_MAX
 * settings (a real file holds a few dozen), all groups together cost at
 * most CONF_NAME_WORK_MAX comparisons (many groups near the limit), and
 * nesting is at most CONF_DEPTH_MAX deep (the loader recurses).
 */
static int
scan_syntax(struct scan *sc, const char *file, int line, char c)
{
	uint32_t	*m;

	if (c == '{' || c == '(' || c == '[') {
		if (sc->depth == CONF_DEPTH_MAX)
			return errorf(sc->err, sc->errlen, "%s:%d: nested more"
			    " than %d levels deep", file, line, CONF_DEPTH_MAX);
		sc->members[++sc->depth] = c == '{' ? 0 : SCAN_LIST;
	} else if ((c == '}' || c == ')' || c == ']') && sc->depth > 0)
		sc->depth--;
	else if ((c == '=' || c == ':') &&
	    *(m = &sc->members[sc->depth]) != SCAN_LIST) {
		sc->work += *m;
		if (++*m > CONF_GROUP_MAX)
			return errorf(sc->err, sc->errlen, "%s:%d: more than "
			    "%d settings in one group", file, line,
			    CONF_GROUP_MAX);
		if (sc->work > CONF_NAME_WORK_MAX)
			return errorf(sc->err, sc->errlen, "%s:%d: too many "
			    "settings in large groups (more than %d names to "
			    "compare)", file, line, CONF_NAME_WORK_MAX);
	}
	return 0;
}

/* Scan text of file for @include directives, as libconfig's lexer would. */
static int
scan_text(struct scan *sc, const char *file, const char *p, size_t len,
    int depth)
{
	const char	*end = p + len, *q;
	int		 line = 1;
	bool		 bol = true;

	while (p < end) {
		if (bol && (q = include_open(p, end)) != NULL) {
			p = q;
			if (scan_directive(sc, file, &p, end, &line,
			    depth) != 0)
				return -1;
			bol = false;
			continue;
		}
		bol = false;
		if (*p == '"')
			p = skip_string(p + 1, end, &line);
		else if (*p == '/' && p + 1 < end && p[1] == '*')
			p = skip_comment(p + 2, end, &line);
		else if (*p == '#' ||
		    (*p == '/' && p + 1 < end && p[1] == '/')) {
			while (p < end && *p != '\n')
				p++;
		} else {
			if (*p == '\n') {
				line++;
				bol = true;
			} else if (scan_syntax(sc, file, line, *p) != 0)
				return -1;
			p++;
		}
	}
	return 0;
}

/* The directory includes are found in: that of path, as given. */
static char *
include_dir(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, slash - path);
}

/* Report a libconfig parse error as FILE:LINE: message. */
static int
parse_error(struct loadctx *lc, const config_t *cf)
{
	const char	*text = config_error_text(cf);
	char		 file[PATH_MAX];

	if (text == NULL)
		text = "cannot parse";
	else if (strcmp(text, "memory exhausted") == 0)
		text = "nested too deeply";
	setting_file(lc, config_error_file(cf), file, sizeof file);
	if (config_error_line(cf) > 0)
		return errorf(lc->err, lc->errlen, "%s:%d: %s", file,
		    config_error_line(cf), text);
	return errorf(lc->err, lc->errlen, "%s: %s", file, text);
}

/* Read (at most max bytes), pre-scan and parse the file into cf. */
static int
parse_file(struct loadctx *lc, config_t *cf, size_t max)
{
	struct scan	 sc = { .dir = lc->dir, .err = lc->err,
			    .errlen = lc->errlen };
	char		*buf, why[128];
	size_t		 len;
	int		 r = -1, nl;

	if ((buf = read_regular(lc->path, max, &len, why,
	    sizeof why)) == NULL)
		return errorf(lc->err, lc->errlen, "%s: %s", lc->path, why);
	if ((nl = nul_line(buf, len)) != 0)
		errorf(lc->err, lc->errlen, "%s:%d: NUL byte in file",
		    lc->path, nl);
	else if (scan_text(&sc, lc->path, buf, len, 0) == 0) {
		config_set_include_dir(cf, lc->dir);
		if (config_read_string(cf, buf) == CONFIG_TRUE)
			r = 0;
		else
			parse_error(lc, cf);
	}
	free(buf);
	return r;
}

/* Parse a libconfig file the way config files are parsed; see opts.h. */
int
conf_parse_file(struct config_t *cf, const char *path, size_t max, char *err,
    size_t errlen)
{
	struct loadctx	lc = { .path = path, .err = err, .errlen = errlen };
	int		r;

	lc.dir = include_dir(path);
	r = parse_file(&lc, cf, max);
	free(lc.dir);
	return r;
}

/* Load path into o, recording where each value came from. */
static int
load_file(struct opts *o, const char *path, struct origin *org, char *err,
    size_t errlen)
{
	struct loadctx	lc = { .o = o, .path = path, .org = org, .err = err,
			    .errlen = errlen };
	config_t	cf;
	int		r = -1;

	memset(org, 0, sizeof *org);
	org->path = path;
	set_string(&o->config_file, path);
	lc.dir = include_dir(path);
	config_init(&cf);
	if (parse_file(&lc, &cf, CONF_MAX_SIZE) == 0 &&
	    load_group(&lc, config_root_setting(&cf), NULL) == 0 &&
	    check_file(&lc) == 0)
		r = 0;
	config_destroy(&cf);
	free(lc.dir);
	return r;
}

/* Load a config file over o. */
int
opts_load_config(struct opts *o, const char *path, char *err, size_t errlen)
{
	struct origin	org;

	return load_file(o, path, &org, err, errlen);
}

/* One option seen on the command line, applied after the config file. */
struct cli_opt {
	const struct opt_entry	*e;
	const char		*arg;
};

/* What the command line holds. */
struct cli {
	struct cli_opt	*opts;
	size_t		 nopts;
	const char	*config;	/* -c */
	char		*template;	/* words before :::, joined */
	char		**words;	/* the same words, when several */
	int		 nwords;
	struct input	*groups;	/* :::, ::::, with their words */
	size_t		 ngroups;
	int		 argi;
	char		**envv;		/* $POOLTOP's words: options point
					   into them */
	int		 envc;
	size_t		 nenvopts;	/* opts[0..nenvopts) are $POOLTOP's */
};

/* The table entry getopt's return value stands for. */
static const struct opt_entry *
entry_of(int val)
{
	if (val >= 256 && (size_t)(val - 256) < NOPTS)
		return &opt_table[val - 256];
	return NULL;
}

/* The getopt_long value of an entry. */
static int
entry_val(size_t i)
{
	return opt_table[i].letter != 0 ? opt_table[i].letter : 256 + (int)i;
}

/* Map a short letter to its entry. */
static const struct opt_entry *
entry_of_letter(int c)
{
	size_t	i;

	for (i = 0; i < NOPTS; i++) {
		if (opt_table[i].letter != 0 && opt_table[i].letter == c)
			return &opt_table[i];
	}
	return entry_of(c);
}

/* Add one long option to getopt's table. */
static void
add_long(struct option *lo, size_t *n, const char *name, size_t i)
{
	lo[*n].name = name;
	lo[*n].has_arg = opt_table[i].optdef != NULL ? optional_argument :
	    opt_table[i].arg != NULL ? required_argument : no_argument;
	lo[*n].flag = NULL;
	lo[*n].val = entry_val(i);
	(*n)++;
}

/* Build getopt_long's option string and table from opt_table. */
static void
build_getopt(char *shortopts, size_t len, struct option *lo)
{
	size_t	i, n = 0, s = 0;

	shortopts[s++] = '+';
	shortopts[s++] = ':';
	for (i = 0; i < NOPTS; i++) {
		if (opt_table[i].letter != 0 && s + 3 < len &&
		    opt_table[i].optdef == NULL) {
			shortopts[s++] = opt_table[i].letter;
			if (opt_table[i].arg != NULL)
				shortopts[s++] = ':';
		}
		add_long(lo, &n, opt_table[i].name, i);
		if (opt_table[i].alias != NULL)
			add_long(lo, &n, opt_table[i].alias, i);
	}
	shortopts[s] = '\0';
	memset(&lo[n], 0, sizeof lo[n]);
}

/*
 * GNU parallel options pooltop does not have, that its users reach for:
 * refused with what to use instead, rather than with a near name of
 * pooltop's (--link is not --tick).  The man page's COMPATIBILITY WITH
 * GNU PARALLEL lists them.
 */
static const struct gnu_only {
	const char	*names[3];	/* long names */
	const char	*letters;	/* short letters, or NULL */
	const char	*instead;
} gnu_only[] = {
	{ { NULL }, "i", "write -I {}: the replacement strings are {} {1} ..."
	    " only" },
	{ { "xapply", "link" }, NULL, "link input sources with :::+ or ::::+" },
	{ { "plus" }, NULL, "no --plus replacement strings" },
	{ { "rpl" }, NULL, "no replacement strings of one's own" },
	{ { "arg-sep", "argsep", "arg-file-sep" }, NULL,
	    "the separators are ::: and :::: only" },
	{ { NULL }, "l", "use -L N" },
	{ { "verbose" }, "t", "--dry-run prints the commands; the event log"
	    " (--headless) names each task" },
	{ { "quote" }, NULL, "a template given as several words runs without"
	    " a shell, each word one argument (pooltop's -q is --quiet)" },
	{ { "bar", "eta", "progress" }, NULL,
	    "the dashboard, or --progress-interval" },
	{ { "files" }, NULL, "use --results DIR" },
	{ { "tmpdir" }, NULL, "set TMPDIR" },
	{ { "compress" }, NULL, "no compression of held output" },
	{ { "tmux" }, NULL, "the dashboard" },
	{ { "group-by" }, NULL, "no --group-by" },
	{ { "tee" }, NULL, "no --tee" },
	{ { "filter" }, NULL, "no --filter" },
	{ { "profile" }, "J", "use --config FILE" },
	{ { "nonall" }, NULL, "no --nonall" },
	{ { "onall" }, NULL, "no --onall" },
	{ { "semaphore", "fg" }, NULL, "no semaphore mode" },
	{ { "tty" }, NULL, "no --tty" },
	{ { "open-tty" }, "o", "no --open-tty" },
	{ { "interactive" }, "p", "no --interactive" },
	{ { "max-line-length-allowed" }, NULL, "use -s" },
	{ { "shellquote" }, NULL, "no --shellquote" },
	{ { "basenamereplace", "bnr" }, NULL, "write {/}" },
	{ { "dirnamereplace", "dnr" }, NULL, "write {//}" },
	{ { "extensionreplace", "er" }, NULL, "write {.}" },
	{ { "seqreplace" }, NULL, "write {#}" },
	{ { "slotreplace" }, NULL, "write {%}" },
	{ { "citation", "will-cite", "no-notice" }, NULL,
	    "pooltop shows no citation notice: leave it out" },
};

static bool	same_but_hyphens(const char *, const char *);

/* A GNU parallel option pooltop lacks (name, or letter when name NULL)? */
static int
gnu_only_option(const char *name, int letter, char *err, size_t len)
{
	const struct gnu_only	*g;
	size_t			 i, k;

	for (i = 0; i < nitems_of(gnu_only); i++) {
		g = &gnu_only[i];
		for (k = 0; name != NULL && k < nitems_of(g->names); k++)
			if (g->names[k] != NULL &&
			    same_but_hyphens(g->names[k], name))
				return errorf(err, len, "option --%s is GNU "
				    "parallel's, not pooltop's: %s", name,
				    g->instead);
		if (name == NULL && letter != 0 && g->letters != NULL &&
		    strchr(g->letters, letter) != NULL)
			return errorf(err, len, "option -%c is GNU parallel's, "
			    "not pooltop's: %s", letter, g->instead);
	}
	return 0;
}

/*
 * GNU parallel takes most of its long options with or without their
 * hyphens (--keeporder, --col-sep) and a few more spellings: those of
 * options pooltop has are taken too.
 */
static const char *const gnu_spellings[][2] = {
	{ "line-buffered", "line-buffer" }, { "linebuffered", "line-buffer" },
	{ "result", "results" },
};

/* The command-line words gnu_only_ahead() put in pooltop's spelling. */
static char	**spelled;
static size_t	  nspelled;

/* Do a and b differ only in hyphens? */
static bool
same_but_hyphens(const char *a, const char *b)
{
	for (;; a++, b++) {
		while (*a == '-')
			a++;
		while (*b == '-')
			b++;
		if (*a != *b)
			return false;
		if (*a == '\0')
			return true;
	}
}

/* pooltop's name for a GNU parallel spelling v of one of its options. */
static const char *
gnu_spelling(const char *v)
{
	const char	*found = NULL;
	size_t		 i;

	for (i = 0; i < nitems_of(gnu_spellings); i++)
		if (strcmp(gnu_spellings[i][0], v) == 0)
			return gnu_spellings[i][1];
	for (i = 0; i < NOPTS; i++) {
		if (!same_but_hyphens(opt_table[i].name, v) &&
		    (opt_table[i].alias == NULL ||
		    !same_but_hyphens(opt_table[i].alias, v)))
			continue;
		if (found != NULL)
			return NULL;	/* two of ours: say neither */
		found = opt_table[i].name;
	}
	return found;
}

/*
 * The option getopt_long will read next: a GNU parallel spelling of one
 * of pooltop's is put in pooltop's (argv[k] then points to a new string);
 * a GNU parallel option pooltop lacks is refused before getopt_long takes
 * it for an abbreviation of one of pooltop's (--progress for
 * --progress-interval).
 */
static int
gnu_only_ahead(int argc, char **argv, char *err, size_t len)
{
	const char	*a, *ours;
	char		 v[80];
	size_t		 i, n;
	int		 k = optind > 0 ? optind : 1;

	if (k >= argc || strncmp(argv[k], "--", 2) != 0 || argv[k][2] == '\0')
		return 0;
	a = argv[k] + 2;
	if (strlen(a) >= sizeof v)
		return 0;
	strlcpy(v, a, sizeof v);
	n = strcspn(v, "=");
	v[n] = '\0';
	for (i = 0; i < NOPTS; i++)
		if (strcmp(opt_table[i].name, v) == 0 ||
		    (opt_table[i].alias != NULL &&
		    strcmp(opt_table[i].alias, v) == 0))
			return 0;
	if (gnu_only_option(v, 0, err, len) == -1)
		return -1;
	if ((ours = gnu_spelling(v)) != NULL) {
		/*
		 * The word it replaces may be an allocation of someone
		 * else's (setproctitle_init() copies argv): kept, not freed.
		 */
		spelled = xreallocarray(spelled, nspelled + 1,
		    sizeof *spelled);
		spelled[nspelled++] = argv[k];
		argv[k] = xasprintf("--%s%s", ours, a + n);
	}
	return 0;
}

/* Message for an option getopt did not know. */
static int
bad_option(const char *arg, int optopt_, char *err, size_t len)
{
	const char	*names[NOPTS * 2], *near;
	char		 v[80];
	size_t		 i, n = 0;

	if (optopt_ != 0 && entry_of_letter(optopt_) == NULL) {
		if (gnu_only_option(NULL, optopt_, err, len) == -1)
			return -1;
		return errorf(err, len, "unknown option -%c", optopt_);
	}
	if (optopt_ != 0)
		return errorf(err, len, "option --%s: takes no argument",
		    entry_of_letter(optopt_)->name);
	for (i = 0; i < NOPTS; i++)
		names[n++] = opt_table[i].name;
	arg += strspn(arg, "-");
	text_brief(v, sizeof v, arg);
	v[strcspn(v, "=")] = '\0';
	if (gnu_only_option(v, 0, err, len) == -1)
		return -1;
	if ((near = suggest(v, names, n)) != NULL)
		return errorf(err, len, "unknown option '--%s' (did you mean "
		    "'--%s'?)", v, near);
	return errorf(err, len, "unknown or ambiguous option '--%s'", v);
}

/* Message for an option missing its argument. */
static int
missing_arg(int optopt_, char *err, size_t len)
{
	const struct opt_entry	*e = entry_of_letter(optopt_);

	if (e == NULL)
		return errorf(err, len, "option requires an argument");
	return errorf(err, len, "option --%s: requires an argument %s",
	    e->name, e->arg);
}

/* Act on or record one option. */
static void
cli_option(struct cli *cli, const struct opt_entry *e, const char *arg)
{
	switch (e->type) {
	case OPT_HELP:
		opts_usage(stdout);
		exit(0);
	case OPT_VERSION:
		printf("pooltop %s\n", PACKAGE_VERSION);
		exit(0);
	case OPT_CONFIG:
		cli->config = arg;
		break;
	default:
		if (arg == NULL && e->optdef != NULL)
			arg = e->optdef;
		cli->opts[cli->nopts].e = e;
		cli->opts[cli->nopts++].arg = arg;
		break;
	}
}

/* Scan the options with getopt_long, stopping at the first non-option. */
static int
cli_scan(struct cli *cli, int argc, char **argv, char *err, size_t len)
{
	struct option		 lo[NOPTS * 2 + 1];
	char			 shortopts[NOPTS * 2 + 4];
	const struct opt_entry	*e;
	int			 c;

	build_getopt(shortopts, sizeof shortopts, lo);
	cli->opts = xreallocarray(cli->opts, cli->nopts + (size_t)argc + 1,
	    sizeof *cli->opts);
	optind = 0;
	opterr = 0;
	for (;;) {
		if (gnu_only_ahead(argc, argv, err, len) == -1)
			return -1;
		if ((c = getopt_long(argc, argv, shortopts, lo, NULL)) == -1)
			break;
		if (c == '?')
			return bad_option(argv[optind - 1], optopt, err, len);
		if (c == ':')
			return missing_arg(optopt, err, len);
		if ((e = entry_of_letter(c)) == NULL)
			return bad_option(argv[optind - 1], 0, err, len);
		cli_option(cli, e, optarg);
	}
	cli->argi = optind;
	return 0;
}

/* Add a copy of w to the NULL-terminated vector v of n words. */
static void
words_add(char ***v, size_t *n, const char *w)
{
	*v = xreallocarray(*v, *n + 2, sizeof **v);
	(*v)[(*n)++] = xstrdup(w);
	(*v)[*n] = NULL;
}

#define ENV_BLANKS	" \t\n\r\f\v"

/*
 * One word of $POOLTOP from *sp into b, *sp moved past it: see
 * env_words().  -1 with err for a quote left open or a lone backslash.
 */
static int
env_word(const char **sp, struct buf *b, char *err, size_t len)
{
	const char	*s = *sp;
	char		 q = '\0';

	for (; *s != '\0' && (q != '\0' || strchr(ENV_BLANKS, *s) == NULL);
	    s++) {
		if (q == '\0' && (*s == '\'' || *s == '"'))
			q = *s;
		else if (q != '\0' && *s == q)
			q = '\0';
		else if (*s == '\\' && s[1] == '\0')
			break;
		else if (*s == '\\' && q == '\'') {
			buf_add(b, s++, 1);	/* kept, with what follows */
			buf_add(b, s, 1);
		} else if (*s == '\\')
			buf_add(b, ++s, 1);
		else
			buf_add(b, s, 1);
	}
	*sp = s;
	if (q != '\0')
		return errorf(err, len, "$POOLTOP: a %c quote is not closed",
		    q);
	if (*s == '\\')
		return errorf(err, len, "$POOLTOP: it ends in a lone "
		    "backslash");
	return 0;
}

/*
 * Split s into words as a POSIX shell would, without expanding anything,
 * as GNU parallel reads $PARALLEL (Perl's Text::ParseWords::shellwords):
 * blanks separate words, '...' is taken as it is (but a backslash there
 * keeps the next byte from closing it, both kept), and a backslash takes
 * the next byte literally, outside quotes and inside "...".  The words go
 * to *out, after a first one naming the variable (getopt's argv[0]); their
 * count is returned, or -1 with err for a quote left open or a lone
 * backslash at the end (where shellwords gives no word at all).
 */
static int
env_words(const char *s, char ***out, char *err, size_t len)
{
	struct buf	 b = { NULL, 0, 0 };
	char		**v = NULL;
	size_t		 n = 0;

	words_add(&v, &n, "$POOLTOP");
	for (;;) {
		s += strspn(s, ENV_BLANKS);
		if (*s == '\0')
			break;
		b.len = 0;
		if (env_word(&s, &b, err, len) == -1) {
			buf_free(&b);
			free_list(v, n);
			return -1;
		}
		buf_add(&b, "", 1);
		words_add(&v, &n, b.data);
	}
	buf_free(&b);
	*out = v;
	return (int)n;
}

/*
 * The options of $POOLTOP, recorded before the command line's so that the
 * command line wins.  Only options: a word that is not one is an error,
 * as is anything getopt refuses, each message naming $POOLTOP.
 */
static int
env_scan(struct cli *cli, char *err, size_t len)
{
	const char	*s = getenv("POOLTOP");
	char		 msg[512], word[80];

	if (s == NULL || *s == '\0')
		return 0;
	if ((cli->envc = env_words(s, &cli->envv, err, len)) == -1) {
		cli->envc = 0;
		return -1;
	}
	if (cli_scan(cli, cli->envc, cli->envv, msg, sizeof msg) != 0)
		return errorf(err, len, "$POOLTOP: %s", msg);
	if (cli->argi < cli->envc)
		return errorf(err, len, "$POOLTOP: '%s' is not an option (a "
		    "template or items belong on the command line)",
		    text_brief(word, sizeof word, cli->envv[cli->argi]));
	cli->nenvopts = cli->nopts;
	return 0;
}

/*
 * --ungroup with --line-buffer or --group, on the command line or in
 * $POOLTOP: refused, as GNU parallel refuses them.  (Over the config
 * file's setting, either one wins.)
 */
static int
cli_output_modes(const struct cli *cli, char *err, size_t len)
{
	const struct cli_opt	*u = NULL, *other = NULL;
	size_t			 i;

	for (i = 0; i < cli->nopts; i++) {
		if (strcmp(cli->opts[i].e->name, "ungroup") == 0)
			u = &cli->opts[i];
		else if (strcmp(cli->opts[i].e->name, "line-buffer") == 0 ||
		    strcmp(cli->opts[i].e->name, "group") == 0)
			other = &cli->opts[i];
	}
	if (u == NULL || other == NULL)
		return 0;
	return errorf(err, len, "options --ungroup and --%s cannot be used "
	    "together%s", other->e->name,
	    (size_t)(u - cli->opts) < cli->nenvopts ||
	    (size_t)(other - cli->opts) < cli->nenvopts ?
	    " (one of them in $POOLTOP)" : "");
}

/* Is w a group marker: 1 for ::: or :::+, 2 for :::: or ::::+, else 0? */
static int
group_marker(const char *w)
{
	if (strcmp(w, ":::") == 0 || strcmp(w, ":::+") == 0)
		return 1;
	if (strcmp(w, "::::") == 0 || strcmp(w, "::::+") == 0)
		return 2;
	return 0;
}

/* Add an input source to a list. */
static struct input *
input_add(struct input **in, size_t *n, const char *file, bool linked)
{
	struct input	*it;

	*in = xreallocarray(*in, *n + 1, sizeof **in);
	it = &(*in)[(*n)++];
	memset(it, 0, sizeof *it);
	it->file = file != NULL ? xstrdup(file) : NULL;
	it->linked = linked;
	return it;
}

/*
 * The groups after the template: each ::: group is a source of its words,
 * each word of a :::: group a file source (each linked with ::::+).
 */
static void
cli_groups(struct cli *cli, int argc, char **argv, int i)
{
	struct input	*in = NULL;
	int		 kind = 0;
	bool		 link = false;

	for (; i < argc; i++) {
		if (group_marker(argv[i]) != 0) {
			kind = group_marker(argv[i]);
			link = argv[i][kind + 2] == '+';
			in = NULL;
			if (kind == 1)
				in = input_add(&cli->groups, &cli->ngroups,
				    NULL, link);
			if (in != NULL)
				in->items = xcalloc(1, sizeof *in->items);
		} else if (kind == 1)
			words_add(&in->items, &in->nitems, argv[i]);
		else
			input_add(&cli->groups, &cli->ngroups, argv[i], link);
	}
}

/* Split the words after the options into the template and ::: items. */
static int
cli_words(struct cli *cli, int argc, char **argv)
{
	struct buf	b = { NULL, 0, 0 };
	int		i;

	for (i = cli->argi; i < argc && group_marker(argv[i]) == 0; i++) {
		if (b.len > 0)
			buf_add(&b, " ", 1);
		buf_addstr(&b, argv[i]);
	}
	if (b.len > 0) {
		buf_add(&b, "", 1);
		cli->template = b.data;
	}
	if (i - cli->argi > 1) {
		int	k;

		cli->nwords = i - cli->argi;
		cli->words = xcalloc((size_t)cli->nwords + 1,
		    sizeof *cli->words);
		for (k = 0; k < cli->nwords; k++)
			cli->words[k] = xstrdup(argv[cli->argi + k]);
	}
	cli_groups(cli, argc, argv, i);
	return 0;
}

/* Free what the command-line scan holds. */
static void
cli_free(struct cli *cli)
{
	free_inputs(cli->groups, cli->ngroups);
	free(cli->template);
	free_list(cli->words, cli->nwords);
	free(cli->opts);
	free_list(cli->envv, cli->envc);
}

/* The sources of items the command line gives, as text for messages. */
static size_t
cli_sources(const struct cli *cli, const char **names)
{
	size_t	i, n = 0;
	bool	file = false, range = false;

	for (i = 0; i < cli->nopts; i++) {
		if (cli->opts[i].e->off == F(arg_file))
			file = true;
		if (cli->opts[i].e->parse == set_range)
			range = true;
	}
	/* ::: and -a combine: one name for both. */
	if (cli->ngroups > 0)
		names[n++] = "items after :::";
	else if (file)
		names[n++] = "option --arg-file";
	if (range)
		names[n++] = "option --range";
	return n;
}

/*
 * Move the command line's input sources into o: one ::: group to o->items
 * (one -a is o->arg_file already), anything more to o->inputs, the -a
 * files first, as GNU parallel orders them.
 */
static void
cli_inputs(struct opts *o, struct cli *cli)
{
	struct input	*in = NULL;
	size_t		 i, n = 0;

	for (i = 0; i < cli->nopts; i++)
		if (cli->opts[i].e->off == F(arg_file))
			input_add(&in, &n, cli->opts[i].arg, false);
	if (n + cli->ngroups == 1 && cli->ngroups == 1 &&
	    cli->groups[0].file == NULL) {
		o->items = cli->groups[0].items;
		o->nitems = cli->groups[0].nitems;
		cli->groups[0].items = NULL;
		cli->groups[0].nitems = 0;
	} else if (n + cli->ngroups > 1 || cli->ngroups > 0) {
		in = xreallocarray(in, n + cli->ngroups, sizeof *in);
		if (cli->ngroups > 0)	/* -a only: no groups, groups NULL */
			memcpy(in + n, cli->groups, cli->ngroups * sizeof *in);
		free(cli->groups);
		cli->groups = NULL;
		o->inputs = in;
		o->ninputs = n + cli->ngroups;
		cli->ngroups = 0;
		free(o->arg_file);
		o->arg_file = NULL;
		return;
	}
	free_inputs(in, n);
}

/* Apply the command line over what the file gave. */
static int
cli_apply(struct opts *o, struct cli *cli, struct origin *org, char *err,
    size_t len)
{
	const char	*src[3];
	char		 msg[1024];
	size_t		 i, nsrc = cli_sources(cli, src);

	if (nsrc > 1)
		return errorf(err, len, "%s and %s cannot be used together",
		    src[0], src[1]);
	if (nsrc > 0)
		clear_sources(o);
	if (cli_output_modes(cli, err, len) != 0)
		return -1;
	for (i = 0; i < cli->nopts; i++) {
		/* An option of $POOLTOP's: say so. */
		if (apply_arg(o, cli->opts[i].e, cli->opts[i].arg, msg,
		    sizeof msg) != 0)
			return errorf(err, len, "%s%s", i < cli->nenvopts ?
			    "$POOLTOP: " : "", msg);
		org->cli[cli->opts[i].e - opt_table] = true;
	}
	cli_inputs(o, cli);
	if (cli->template != NULL) {
		free(o->command);
		o->command = cli->template;
		cli->template = NULL;
		o->command_argv = cli->words;
		o->command_argc = cli->nwords;
		cli->words = NULL;
		cli->nwords = 0;
	}
	return 0;
}

/*
 * Is option e set in o: to true, to a string, or (a number) given at all,
 * on the command line or in the file?
 */
static bool
opt_set(const struct opts *o, const struct opt_entry *e,
    const struct origin *org)
{
	void	*f = field((struct opts *)o, e);
	size_t	 i = e - opt_table;

	if (e->type == OPT_BOOL)
		return *(bool *)f;
	if (e->type == OPT_STRING)
		return *(char **)f != NULL;
	return org->cli[i] || org->line[i] != 0;
}

/* The index of the option named name. */
static size_t
opt_index(const char *name)
{
	size_t	i;

	for (i = 0; i < NOPTS; i++)
		if (strcmp(opt_table[i].name, name) == 0)
			break;
	return i;
}

/*
 * -j given (per host with -S, as GNU parallel's), and what does not work
 * on other machines yet.
 */
static int
check_remote(struct opts *o, const struct origin *org, char *err,
    size_t errlen)
{
	size_t	i = opt_index("workers");

	o->workers_given = org->cli[i] || org->line[i] != 0;
	if (o->slurm == SLURM_AUTO)
		o->slurm = getenv("SLURM_JOB_ID") != NULL &&
		    o->nsshlogins == 0 && o->slf == NULL ?
		    SLURM_YES : SLURM_NO;
	if (o->slurm == SLURM_YES && (o->nsshlogins > 0 || o->slf != NULL))
		return errorf(err, errlen, "--slurm and --sshlogin cannot be"
		    " used together");
	if (o->slurm == SLURM_YES && getenv("SLURM_JOB_ID") == NULL)
		return errorf(err, errlen, "--slurm: not inside a Slurm "
		    "allocation (SLURM_JOB_ID is not set): run pooltop under "
		    "salloc or sbatch");
	if (o->admit.memfree_auto && o->persistent != NULL)
		return errorf(err, errlen, "--memfree auto cannot be used with "
		    "--persistent: its items share one program, whose memory "
		    "is no item's footprint");
	if (o->nsshlogins == 0 && o->slf == NULL && o->slurm != SLURM_YES)
		return 0;
	if (o->admit.memfree_auto)
		return errorf(err, errlen, "--memfree auto cannot be used with "
		    "--%s: it learns what tasks take of this machine's memory",
		    o->slurm == SLURM_YES ? "slurm" : "sshlogin");
	/* Files go with a task's RUN; a program is up before any line. */
	if (o->persistent != NULL &&
	    (o->ntransfers > 0 || o->nreturns > 0 || o->nbasefiles > 0))
		return errorf(err, errlen, "--%s cannot be used with "
		    "--persistent: files are copied for a task, and the "
		    "program and --init start before any",
		    o->ntransfers > 0 ? "transferfile" : o->nreturns > 0 ?
		    "return" : "basefile");
	if (o->task_memory > 0 || o->task_cpus > 0)
		return errorf(err, errlen, "--task-memory and --task-cpus "
		    "cannot be used with --%s yet: the cgroups are this "
		    "machine's",
		    o->slurm == SLURM_YES ? "slurm" : "sshlogin");
	return 0;
}

/*
 * -j auto: its bounds, and the size it starts at (the online CPUs, within
 * them); --workers-min and --workers-max mean nothing without it.
 */
static int
check_auto(struct opts *o, const struct origin *org, char *err,
    size_t errlen)
{
	int	n = ncpu_online();
	size_t	i;

	if (o->workers != PT_WORKERS_AUTO) {
		for (i = 0; i < NOPTS; i++) {
			if ((opt_table[i].off != F(workers_min) &&
			    opt_table[i].off != F(workers_max)) ||
			    (!org->cli[i] && org->line[i] == 0))
				continue;
			return errorf(err, errlen, "--%s needs -j auto "
			    "(workers = \"auto\")", opt_table[i].name);
		}
		return 0;
	}
	if (o->nsshlogins > 0 || o->slurm == SLURM_YES)
		return errorf(err, errlen, "-j auto cannot be used with --%s "
		    "yet: give -j N",
		    o->slurm == SLURM_YES ? "slurm" : "sshlogin");
	if (o->workers_max == 0)
		o->workers_max = 4 * n > PT_MAX_WORKERS ? PT_MAX_WORKERS :
		    (4 * n < o->workers_min ? o->workers_min : 4 * n);
	if (o->workers_min > o->workers_max)
		return errorf(err, errlen, "--workers-min %d is more than "
		    "--workers-max %d", o->workers_min, o->workers_max);
	o->workers_auto = true;
	o->workers = n < o->workers_min ? o->workers_min :
	    n > o->workers_max ? o->workers_max : n;
	return 0;
}

/*
 * --speculate runs a task twice at once and keeps one run's output: only
 * where that output is held until the task ends (not --ungroup, nor
 * --line-buffer), on tasks that run alone (not --pipe's blocks nor
 * --persistent's lines), and with --results only when the user says the
 * tasks may run twice (--idempotent).
 */
static int
check_speculate(const struct opts *o, char *err, size_t errlen)
{
	const char	*what = NULL;

	if (!o->speculate) {
		if (!o->idempotent)
			return 0;
		return errorf(err, errlen, "--idempotent means something only "
		    "with --speculate");
	}
	if (o->straggler_factor <= 0)
		what = "--straggler-factor 0: no task is a straggler";
	else if (o->ungroup)
		what = "--ungroup: both copies would print as they run";
	else if (o->line_buffer)
		what = "--line-buffer: both copies would print as they run";
	else if (o->pipe)
		what = o->pipe_part ? "--pipe-part" : "--pipe";
	else if (o->persistent != NULL)
		what = "--persistent";
	else if (o->results != NULL && !o->idempotent)
		what = "--results unless the tasks may run twice: say so with "
		    "--idempotent";
	if (what == NULL)
		return 0;
	return errorf(err, errlen, "--speculate cannot be used with %s", what);
}

/* What --pipe cannot be used with, or NULL. */
static const char *
pipe_misfit(const struct opts *o)
{
	if (o->ninputs > 0 || o->nitems > 0 || o->items != NULL)
		return "items after ::: or ::::";
	if (o->has_range)
		return "--range";
	if (o->ntasks > 0)
		return "the config file's tasks";
	if (o->persistent != NULL)
		return "--persistent";
	if (o->nsshlogins > 0 || o->slf != NULL || o->slurm == SLURM_YES)
		return "--sshlogin or --slurm";
	if (o->colsep != NULL || o->csv)
		return "--colsep or --csv";
	if (o->shuf)
		return "--shuf";
	if (o->order == ORDER_LONGEST_FIRST)
		return "--order longest-first (its tasks are blocks, not "
		    "commands an old joblog names)";
	if (opts_fill(o))
		return "-m, -X, -L or --xargs";
	if (o->null_sep)
		return "-0 (give --recend '\\0')";
	if (o->eof_str != NULL || o->skip_blank)
		return "-E or -r (they read items, not blocks)";
	if (o->delim_set)
		return "-d (give --recend)";
	if (o->dry_run)
		return "--dry-run";
	if (o->keep_open)
		return "--keep-open";
	return NULL;
}

/*
 * Is e one of the options that need --pipe?  Not --remove-rec-sep: GNU
 * parallel takes it without --pipe, where it removes nothing, and a
 * PARALLEL or config that sets it for every run should not stop the runs
 * without --pipe.
 */
static bool
pipe_only(const struct opt_entry *e)
{
	return e->off == F(recstart) || e->off == F(recend) ||
	    e->off == F(pipe_cat) || e->off == F(regexp) ||
	    e->off == F(pipe_fifo) || e->off == F(round_robin) ||
	    e->parse == set_block;
}

/*
 * What --round-robin cannot be used with, or NULL: its tasks read a pipe
 * that many blocks go through, so a retry has nothing to read again (GNU
 * parallel refuses it too) and no file names one block.
 */
static const char *
robin_misfit(const struct opts *o)
{
	if (o->retries != 1)
		return "--retries: a task's input is gone once read";
	if (o->pipe_cat || o->pipe_fifo)
		return "--cat or --fifo: a task reads many blocks from its "
		    "stdin";
	return NULL;
}

/* What --pipe-part cannot be used with (its blocks are ranges), or NULL. */
static const char *
part_misfit(const struct opts *o)
{
	if (o->pipe_cat || o->pipe_fifo)
		return "--cat or --fifo: its blocks are not files";
	if (o->max_args_set)
		return "-N: blocks are found by size";
	if (o->rrs || o->header_lines > 0)
		return "--rrs or --header: its blocks are the file's bytes,"
		    " unchanged";
	if (o->round_robin)
		return "--round-robin";
	return NULL;
}

/*
 * --pipe: a command, -N at least 1, and none of the options that make
 * items of the input; --block, --recstart and --recend need --pipe.
 */
static int
check_pipe(struct opts *o, const struct origin *org, char *err,
    size_t len)
{
	const char	*what;
	size_t		 i;

	if (o->pipe_part) {
		if (o->arg_file == NULL || strcmp(o->arg_file, "-") == 0)
			return errorf(err, len, "--pipe-part needs -a FILE (a "
			    "regular file)");
		if ((what = part_misfit(o)) != NULL)
			return errorf(err, len, "--pipe-part cannot be used"
			    " with %s", what);
		o->pipe = true;
	}
	if (!o->pipe) {
		for (i = 0; i < NOPTS; i++) {
			if (!pipe_only(&opt_table[i]) ||
			    (!org->cli[i] && org->line[i] == 0))
				continue;
			return errorf(err, len, "--%s needs --pipe",
			    opt_table[i].name);
		}
		if (o->header_lines > 0 && !o->header)
			return errorf(err, len, "--header %d needs --pipe "
			    "(give --header : for a line of column names)",
			    o->header_lines);
		return 0;
	}
	o->header = false;	/* --pipe: header_lines, not column names */
	if ((what = pipe_misfit(o)) != NULL)
		return errorf(err, len, "--pipe cannot be used with %s", what);
	if (o->command == NULL)
		return errorf(err, len, "--pipe needs a command template");
	if (o->max_args_set && o->max_args < 1)
		return errorf(err, len, "-N with --pipe must be at least 1 "
		    "(records a block)");
	if (o->pipe_fifo && o->pipe_cat)
		return errorf(err, len, "--fifo cannot be used with --cat: {}"
		    " is one or the other");
	if (o->round_robin && (what = robin_misfit(o)) != NULL)
		return errorf(err, len, "--round-robin cannot be used with %s",
		    what);
	return 0;
}

/* Options that need another: fail naming the first one set and where. */
static int
check_needs(const struct opts *o, const struct origin *org, char *err,
    size_t len)
{
	static const struct {
		const char	*opt, *key;
	} needed[] = {
		[NEED_JOBLOG] = { "joblog", "joblog" },
		[NEED_PERSISTENT] = { "persistent", "worker.persistent" },
	};
	const struct opt_entry	*e;
	size_t			 i;
	enum need		 n;

	for (i = 0; i < NOPTS; i++) {
		e = &opt_table[i];
		if ((n = e->needs) == NEED_NONE || !opt_set(o, e, org))
			continue;
		if ((n == NEED_JOBLOG && o->joblog != NULL) ||
		    (n == NEED_PERSISTENT && o->persistent != NULL))
			continue;
		if (org->cli[i])
			return errorf(err, len, "option --%s requires --%s",
			    e->name, needed[n].opt);
		return errorf(err, len, "%s:%d: '%s' requires '%s'",
		    org->path, org->line[i], e->key, needed[n].key);
	}
	return 0;
}

/*
 * --headless and --dashboard: the command line wins over the config file;
 * both at the same level is an error naming them.
 */
static int
check_ui_mode(struct opts *o, const struct origin *org, char *err,
    size_t len)
{
	size_t	h = opt_index("headless"), d = opt_index("dashboard");

	if (!o->headless || !o->dashboard)
		return 0;
	if (org->cli[h] && !org->cli[d]) {
		o->dashboard = false;
		return 0;
	}
	if (org->cli[d] && !org->cli[h]) {
		o->headless = false;
		return 0;
	}
	if (org->cli[d])
		return errorf(err, len, "options --headless and --dashboard "
		    "cannot be used together");
	return errorf(err, len, "%s:%d: 'dashboard' cannot be used with"
	    " 'headless' (line %d)", org->path, org->line[d],
	    org->line[h]);
}

/* A pool name made of digits would read as an ID: refuse it. */
static int
check_name(const struct opts *o, const struct origin *org, char *err,
    size_t len)
{
	size_t	n = opt_index("name");

	if (o->name == NULL || o->name[0] == '\0' ||
	    strspn(o->name, "0123456789") != strlen(o->name))
		return 0;
	if (org->cli[n])
		return errorf(err, len, "option --name: '%s' is all digits: it "
		    "would read as a pool ID", o->name);
	return errorf(err, len, "%s:%d: 'name': '%s' is all digits: it would"
	    " read as a pool ID", org->path, org->line[n], o->name);
}

/* Parse the command line, load -c FILE, apply the command line over it. */
int
opts_parse(struct opts *o, int argc, char **argv, int *argi, char *err,
    size_t errlen)
{
	struct cli	cli;
	struct origin	org;
	bool		cli_template;
	int		r = -1;

	memset(&cli, 0, sizeof cli);
	memset(&org, 0, sizeof org);
	*argi = argc;
	if (env_scan(&cli, err, errlen) != 0 ||
	    cli_scan(&cli, argc, argv, err, errlen) != 0 ||
	    cli_words(&cli, argc, argv) != 0)
		goto out;
	*argi = cli.argi;
	if (cli.config != NULL &&
	    load_file(o, cli.config, &org, err, errlen) != 0)
		goto out;
	cli_template = cli.template != NULL;
	if (cli_apply(o, &cli, &org, err, errlen) != 0)
		goto out;
	if (cli_template && o->tasks != NULL) {
		errorf(err, errlen, "%s:%d: 'tasks' cannot be used with a "
		    "command template on the command line", org.path,
		    org.tasks_line);
		goto out;
	}
	if (check_needs(o, &org, err, errlen) != 0 ||
	    check_ui_mode(o, &org, err, errlen) != 0 ||
	    check_remote(o, &org, err, errlen) != 0 ||
	    check_auto(o, &org, err, errlen) != 0 ||
	    check_pipe(o, &org, err, errlen) != 0 ||
	    check_name(o, &org, err, errlen) != 0 ||
	    check_speculate(o, err, errlen) != 0)
		goto out;
	r = 0;
	if (o->ungroup && o->results != NULL)
		r = errorf(err, errlen, "--ungroup cannot be used with "
		    "--results: one prints the output as it comes, the other "
		    "saves it");
out:
	cli_free(&cli);
	return r;
}

/* The left column of --help for one entry. */
static void
usage_left(const struct opt_entry *e, char *buf, size_t len)
{
	if (e->letter != 0)
		snprintf(buf, len, "  -%c, --%s", e->letter, e->name);
	else
		snprintf(buf, len, "      --%s", e->name);
	if (e->alias != NULL) {
		strlcat(buf, ", --", len);
		strlcat(buf, e->alias, len);
	}
	if (e->arg != NULL) {
		strlcat(buf, e->optdef != NULL ? "[=" : " ", len);
		strlcat(buf, e->arg, len);
		if (e->optdef != NULL)
			strlcat(buf, "]", len);
	}
}

/* The default of an entry as --help says it (strings quoted), or "". */
static void
usage_default(const struct opt_entry *e, char *buf, size_t len)
{
	const char	*q = e->type == OPT_STRING ? "\"" : "";

	if (e->def != NULL && e->defnote != NULL)
		snprintf(buf, len, "%s%s%s, %s", q, e->def, q, e->defnote);
	else if (e->def != NULL)
		snprintf(buf, len, "%s%s%s", q, e->def, q);
	else if (e->defnote != NULL)
		strlcpy(buf, e->defnote, len);
	else
		buf[0] = '\0';
}

/* The bounds and default of an entry, in parentheses, or "". */
static void
usage_right(const struct opt_entry *e, char *buf, size_t len)
{
	char	bounds[64] = "", def[64];

	if (e->type == OPT_INT || e->type == OPT_DOUBLE)
		snprintf(bounds, sizeof bounds, "%s%s%s%lld..%lld",
		    e->word ? e->word : "", e->word ? " or " : "",
		    e->cpus ? "0 or " : "", e->min, e->max);
	usage_default(e, def, sizeof def);
	if (def[0] != '\0' && bounds[0] != '\0')
		snprintf(buf, len, " (%s; default: %s)", bounds, def);
	else if (def[0] != '\0')
		snprintf(buf, len, " (default: %s)", def);
	else if (bounds[0] != '\0')
		snprintf(buf, len, " (%s)", bounds);
	else
		buf[0] = '\0';
}

/* Print the --help text, from the table. */
void
opts_usage(FILE *f)
{
	const struct opt_entry	*e;
	char			 left[80], right[128];
	size_t			 i, col = 29;

	fprintf(f, "usage: pooltop [options] [command [arg ...]] "
	    "[::: item ...]\n"
	    "Run command once per item on a pool of worker processes.\n"
	    "Items come after :::, from --arg-file or --range, or from "
	    "stdin.\n"
	    "Several ::: groups, :::: FILE and -a FILE give every "
	    "combination: {1} {2} ...\n"
	    "       pooltop ls [--json]\n"
	    "       pooltop ctl [--json] [ID] COMMAND [ARGS]\n"
	    "       pooltop attach [-t THEME] [-d MS] [ID]\n"
	    "       pooltop progress PERCENT | DONE/TOTAL\n"
	    "       pooltop report [--json | --graphs | --no-graphs] JOBLOG\n\n"
	    "Options:\n");
	for (i = 0; i < NOPTS; i++) {
		e = &opt_table[i];
		usage_left(e, left, sizeof left);
		usage_right(e, right, sizeof right);
		/* Two blanks at least, or the help reads as one more name. */
		if (strlen(left) + 2 > col)
			fprintf(f, "%s\n%-*s%s", left, (int)col, "", e->help);
		else
			fprintf(f, "%-*s%s", (int)col, left, e->help);
		if (right[0] != '\0' &&
		    col + strlen(e->help) + strlen(right) > 79)
			fprintf(f, "\n%-*s%s\n", (int)col, "", right + 1);
		else
			fprintf(f, "%s\n", right);
	}
}

/* A "WHEN,WHAT=N[%]" halt policy. */
static int
parse_halt_rule(const char *s, struct halt_policy *h)
{
	static const char *const whats[] = { "fail=", "success=", "done=" };
	const char	*errstr, *v;
	char		*end;
	size_t		 i, n;

	if (strncmp(s, "now,", 4) == 0)
		h->when = HALT_NOW;
	else if (strncmp(s, "soon,", 5) == 0)
		h->when = HALT_SOON;
	else
		return -1;
	s = strchr(s, ',') + 1;
	for (i = 0; i < nitems_of(whats); i++) {
		n = strlen(whats[i]);
		if (strncmp(s, whats[i], n) == 0)
			break;
	}
	if (i == nitems_of(whats))
		return -1;
	h->what = (enum halt_what)i;
	v = s + n;
	n = strlen(v);
	if (n > 1 && v[n - 1] == '%') {
		if (!isdigit((unsigned char)*v))
			return -1;
		h->percent = strtod(v, &end);
		h->percent_set = true;
		return end == v + n - 1 && h->percent > 0 &&
		    h->percent <= 100 ? 0 : -1;
	}
	if (!isdigit((unsigned char)*v))
		return -1;
	h->count = strtonum(v, 1, LLONG_MAX, &errstr);
	return errstr == NULL ? 0 : -1;
}

/* Parse GNU parallel's --halt policy. */
int
parse_halt(const char *s, struct halt_policy *hp, char *err, size_t len)
{
	struct halt_policy	h;
	char			v[80];
	int			r = 0;

	memset(&h, 0, sizeof h);
	if (strcmp(s, "never") == 0 || strcmp(s, "0") == 0)
		h.when = HALT_NEVER;
	else if (strcmp(s, "1") == 0 || strcmp(s, "2") == 0) {
		h.when = s[0] == '1' ? HALT_SOON : HALT_NOW;
		h.what = HALT_FAIL;
		h.count = 1;
	} else
		r = parse_halt_rule(s, &h);
	if (r != 0)
		return errorf(err, len, "bad halt policy '%s': expected never, "
		    "now|soon,fail|success|done=N or =N%% (0 < N%% <= 100), "
		    "or 0, 1, 2", text_brief(v, sizeof v, s));
	*hp = h;
	return 0;
}

/* Parse one SIG or MS word of a termseq into ts. */
static int
termseq_word(const char *w, int idx, struct termseq *ts, char *why,
    size_t len)
{
	const char	*errstr;
	char		 v[80];

	if (idx % 2 == 0) {
		if (ts->n == PT_TERMSEQ_MAX)
			return errorf(why, len, "more than %d signals",
			    PT_TERMSEQ_MAX);
		if ((ts->sig[ts->n] = signal_parse(w)) == -1)
			return errorf(why, len, "unknown signal '%s'",
			    text_brief(v, sizeof v, w));
		ts->wait_ms[ts->n++] = 0;
		return 0;
	}
	ts->wait_ms[ts->n - 1] = strtonum(w, 0, TERMSEQ_WAIT_MAX, &errstr);
	if (errstr != NULL || !isdigit((unsigned char)*w))
		return errorf(why, len, "wait '%s' must be 0..%d ms",
		    text_brief(v, sizeof v, w), TERMSEQ_WAIT_MAX);
	return 0;
}

/* Parse --termseq: SIG,MS,SIG,MS... (the last MS may be left out). */
int
parse_termseq(const char *s, struct termseq *out, char *err, size_t len)
{
	struct termseq	 ts;
	char		*copy, *p, *w, why[128], v[80];
	int		 idx = 0, r = 0;

	memset(&ts, 0, sizeof ts);
	p = copy = xstrdup(s);
	if (*s == '\0') {
		strlcpy(why, "it is empty", sizeof why);
		r = -1;
	}
	while (r == 0 && (w = strsep(&p, ",")) != NULL)
		r = termseq_word(w, idx++, &ts, why, sizeof why);
	free(copy);
	if (r != 0)
		return errorf(err, len, "bad termseq '%s': %s (expected SIG,MS,"
		    "SIG,MS..., e.g. %s)", text_brief(v, sizeof v, s), why,
		    DEFAULT_TERMSEQ);
	*out = ts;
	return 0;
}

/* Format a termseq the way parse_termseq reads it. */
void
format_termseq(const struct termseq *ts, char *buf, size_t len)
{
	const char	*abbr;
	char		 word[32];
	int		 i;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < ts->n && i < PT_TERMSEQ_MAX; i++) {
		abbr = ts->sig[i] > 0 ? sigabbrev_np(ts->sig[i]) : NULL;
		if (abbr != NULL)
			snprintf(word, sizeof word, "%s%s,%d", i ? "," : "",
			    abbr, ts->wait_ms[i]);
		else
			snprintf(word, sizeof word, "%s%d,%d", i ? "," : "",
			    ts->sig[i], ts->wait_ms[i]);
		strlcat(buf, word, len);
	}
}

/* Are commands filled with items (-m, -X, --xargs)? */
bool
opts_fill(const struct opts *o)
{
	return o->multi_args || o->context_replace || o->xargs ||
	    o->max_lines_set;
}

/* Are words holding {} repeated? */
bool
opts_context(const struct opts *o)
{
	return o->context_replace ||
	    (o->max_lines_set && !o->multi_args && !o->xargs);
}

/* Does the input split into columns? */
int
opts_trim(const struct opts *o)
{
	if (o->trim_set)
		return o->trim;
	/* GNU parallel: --colsep implies --trim lr; --csv or --header alone
	 * does not. */
	return o->colsep != NULL ? TRIM_LEFT | TRIM_RIGHT : 0;
}

bool
opts_columns(const struct opts *o)
{
	return o->colsep != NULL || o->csv || o->header;
}

/* The highest {N} a template may name. */
size_t
opts_max_pos(const struct opts *o)
{
	size_t	n = o->ninputs > 0 ? o->ninputs : 1;

	if (opts_columns(o) || o->max_args_set || opts_fill(o))
		return SIZE_MAX;
	return n;
}

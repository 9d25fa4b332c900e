/*
 * GNU parallel's input model over the item sources: see pool-input.h.
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool-columns.h"
#include "pool-input.h"
#include "pool-joblog.h"
#include "pool-source.h"
#include "template.h"
#include "util.h"

/* The option that fills commands with items. */
static const char *
fill_name(const struct opts *o)
{
	return o->xargs ? "--xargs" : o->context_replace ? "-X" :
	    o->multi_args ? "-m" : "-L";
}

/* The first option that asks for more than the config's tasks can give. */
static const char *
task_misfit(const struct opts *o)
{
	if (o->colsep != NULL)
		return "--colsep";
	if (o->csv)
		return "--csv";
	if (o->header)
		return "--header";
	if (o->max_args_set)
		return "-N";
	if (opts_fill(o))
		return fill_name(o);
	return NULL;
}

/* -m and --xargs measure commands with the template, compiled late. */
static struct {
	const struct opts	*o;
	struct template		*t;
	bool			 tried;
} measure;

/* The template, compiled on first use (after input_header()), or NULL. */
static struct template *
measure_template(void)
{
	const struct opts	*o = measure.o;
	char			 err[256];

	if (!measure.tried) {
		/* After input_header(): {NAME} are written {K} by now. */
		measure.tried = true;
		measure.t = o->command_argv != NULL ?
		    template_compile_argv(o->command_argv, o->command_argc,
		    err, sizeof err) :
		    template_compile(o->command, err, sizeof err);
		if (measure.t != NULL &&
		    input_template_mode(measure.t, o, err, sizeof err) == -1) {
			template_free(measure.t);
			measure.t = NULL;
		}
	}
	return measure.t;	/* NULL: the pool says why, before any task */
}

/* t expanded for the arguments of task seq, as the joblog has it. */
static char *
cmdline(const struct template *t, const char *const *args, size_t nargs,
    uint64_t seq)
{
	struct expanded	 e;
	char		*cmd;

	memset(&e, 0, sizeof e);
	template_expand_args(t, args, nargs, seq, 0, &e);
	cmd = expanded_cmdline(&e);
	expanded_free(&e);
	return cmd;
}

/* The command a task of these arguments runs, as the joblog has it. */
static char *
measure_cmdline(const char *const *args, size_t nargs, uint64_t seq)
{
	struct template	*t;

	if (measure.o->command == NULL && measure.o->command_argv == NULL)
		return xstrdup(nargs > 0 ? args[0] : "");
	if ((t = measure_template()) == NULL)
		return NULL;
	return cmdline(t, args, nargs, seq);
}

/* The length of the command a task of these arguments runs. */
static size_t
measure_len(void *arg, const char *const *args, size_t nargs)
{
	char	*cmd;
	size_t	 len;

	(void)arg;
	if ((cmd = measure_cmdline(args, nargs, 1)) == NULL)
		return 0;
	len = strlen(cmd);
	free(cmd);
	return len;
}

/* One command of --joblog-in and how long it ran. */
struct ran {
	char		*command;
	int64_t		 runtime_ns;
	size_t		 line;		/* later lines win */
};

/* --order longest-first: what --joblog-in recorded, by command. */
static struct {
	struct ran	*v;
	size_t		 n;
} ran;

/* joblog_scan(): keep a line's command and runtime. */
static void
ran_add(void *arg, const struct joblog_entry *e)
{
	(void)arg;
	ran.v = xreallocarray(ran.v, ran.n + 1, sizeof *ran.v);
	ran.v[ran.n].command = xstrdup(e->command);
	ran.v[ran.n].runtime_ns = e->runtime_ns;
	ran.v[ran.n].line = ran.n;
	ran.n++;
}

/* qsort: by command, the last line first. */
static int
ran_cmp(const void *va, const void *vb)
{
	const struct ran	*a = va, *b = vb;
	int			 c;

	if ((c = strcmp(a->command, b->command)) != 0)
		return c;
	return a->line > b->line ? -1 : a->line < b->line;
}

/* bsearch: a command against a line. */
static int
ran_find_cmp(const void *key, const void *vb)
{
	const struct ran	*b = vb;

	return strcmp(key, b->command);
}

/* How long a command ran in --joblog-in (its last line), or -1. */
static int64_t
ran_lookup(const char *command)
{
	const struct ran	*r;

	if (command == NULL || ran.n == 0)
		return -1;
	r = bsearch(command, ran.v, ran.n, sizeof *ran.v, ran_find_cmp);
	if (r == NULL)
		return -1;
	while (r > ran.v && strcmp(r[-1].command, command) == 0)
		r--;		/* the first of equals: the last line */
	return r->runtime_ns;
}

/*
 * An item's weight: how long its command ran in --joblog-in, matched by
 * the Command column (the template expanded with the item, numbered as
 * in the input), else by the item itself (items that are commands).
 */
static int64_t
ran_weight(void *arg, const struct item *it)
{
	const char	*const *args;
	char		*cmd;
	size_t		 nargs;
	int64_t		 w;

	(void)arg;
	if (it->command != NULL)
		return ran_lookup(it->command);
	args = it->args != NULL ? (const char *const *)it->args :
	    (const char *const *)&it->arg;
	nargs = it->args != NULL ? it->nargs : 1;
	cmd = measure_cmdline(args, nargs, it->seq);
	w = ran_lookup(cmd);
	free(cmd);
	if (w == -1 && it->args == NULL && it->arg != NULL)
		w = ran_lookup(it->arg);
	return w;
}

/* Read --joblog-in (once) for --order longest-first; 0, or -1 and err. */
static int
ran_load(const char *path, char *err, size_t errlen)
{
	char	e[512];

	if (joblog_scan(path, ran_add, NULL, e, sizeof e) == -1)
		return errorf(err, errlen, "--joblog-in: %s", e);
	if (ran.n > 0)
		qsort(ran.v, ran.n, sizeof *ran.v, ran_cmp);
	return 0;
}

/* --order and --joblog-in go together; neither with a renumbering. */
static int
order_check(const struct opts *o, char *err, size_t errlen)
{
	bool	longest = o->order == ORDER_LONGEST_FIRST;

	if (longest && o->joblog_in == NULL)
		return errorf(err, errlen, "--order longest-first needs "
		    "--joblog-in FILE (the joblog of an earlier run)");
	if (!longest && o->joblog_in != NULL)
		return errorf(err, errlen, "--joblog-in is read by --order "
		    "longest-first only");
	if (longest && o->shuf)
		return errorf(err, errlen, "--order longest-first cannot be "
		    "used with --shuf");
	if (longest && (o->resume || o->resume_failed || o->retry_failed))
		return errorf(err, errlen, "--order longest-first cannot be "
		    "used with --resume, --resume-failed or --retry-failed: "
		    "its tasks are numbered anew each run");
	return 0;
}

/* Wrap the source in columns, groups and a shuffle. */
int
input_wrap(const struct opts *o, struct source **src, char *err,
    size_t errlen)
{
	struct columns	*cols;
	struct source	*one;
	const char	*what;
	size_t		 maxn;
	bool		 linked = false;

	if (order_check(o, err, errlen) == -1)
		return -1;
	if (*src == NULL || o->pipe)
		return 0;
	if (o->shuf && (o->resume || o->resume_failed))
		return errorf(err, errlen, "--shuf cannot be used with "
		    "--resume or --resume-failed: its tasks are numbered anew "
		    "each run");
	if (o->ntasks > 0 && o->ninputs == 0 && (what = task_misfit(o)))
		return errorf(err, errlen, "%s cannot be used with the config "
		    "file's tasks (whole commands, not items)", what);
	/* Columns and trimming work on a product's items (of one source). */
	if ((opts_columns(o) || opts_trim(o) != 0) &&
	    !source_is_product(*src)) {
		one = *src;
		*src = source_product(&one, &linked, 1);
	}
	if (opts_columns(o)) {
		if ((cols = columns_new(o->colsep, o->csv, err, errlen)) ==
		    NULL)
			return -1;
		source_columns(*src, cols, o->header);
	}
	if (opts_trim(o) != 0)
		source_trim(*src, opts_trim(o));
	/* As GNU parallel: the items are shuffled, then grouped. */
	if (o->shuf)
		*src = source_shuffle(*src);
	if (opts_fill(o) && o->command == NULL)
		return errorf(err, errlen, "%s needs a command template",
		    fill_name(o));
	if (o->max_lines_set)
		*src = source_lines(*src);
	maxn = o->max_args_set ? (size_t)o->max_args : SIZE_MAX;
	if (o->max_lines_set && (size_t)o->max_lines < maxn)
		maxn = (size_t)o->max_lines;
	if (opts_fill(o) && maxn > 0) {
		measure.o = o;
		/*
		 * Only -m and -X spread a short input over -j tasks, as GNU
		 * parallel's: not --xargs, nor -L alone (which implies -X's
		 * word repeating, not its spreading).
		 */
		*src = source_xargs(*src, measure_len, NULL,
		    (size_t)o->max_chars, maxn == SIZE_MAX ? 0 : maxn,
		    (o->multi_args || o->context_replace) && !o->xargs ?
		    (size_t)o->workers : 1);
	} else if (maxn != SIZE_MAX)
		*src = source_group(*src, maxn);
	/* Last: a task's weight is its whole command's. */
	if (o->order == ORDER_LONGEST_FIRST) {
		if (ran_load(o->joblog_in, err, errlen) == -1)
			return -1;
		measure.o = o;
		*src = source_longest(*src, ran_weight, NULL);
	}
	return 0;
}

/* Wait until the source has something to say. */
static void
input_wait(struct source *src)
{
	struct pollfd	pfd;

	if ((pfd.fd = source_fd_get(src)) != -1) {
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, -1);
	}
	source_fill(src);
}

/* Rename one template string's {NAME}s. */
static void
rename_in(char **s, char *const *names, size_t n)
{
	char	*r;

	if (*s == NULL)
		return;
	r = columns_rename(*s, names, n);
	free(*s);
	*s = r;
}

/* --results-layout gnu's n level names: names, or "1", "2" ... if NULL. */
static void
result_keys(struct opts *o, char *const *names, size_t n)
{
	size_t	i;

	o->result_keys = xcalloc(n, sizeof *o->result_keys);
	for (i = 0; i < n; i++)
		o->result_keys[i] = names != NULL ? xstrdup(names[i]) :
		    xasprintf("%zu", i + 1);
	o->nresult_keys = n;
}

/* Read the header, then name the template's columns. */
int
input_header(struct opts *o, struct source *src, char *err, size_t errlen)
{
	char *const	*names;
	size_t		 n;
	int		 i, r;

	if (!o->header || src == NULL) {
		/* Grouped items: each names its level after its source. */
		if (!opts_columns(o) && (o->max_args_set || opts_fill(o)))
			result_keys(o, NULL, o->ninputs > 0 ? o->ninputs : 1);
		return 0;
	}
	while ((r = source_header(src, &names, &n)) == 0)
		input_wait(src);
	if (r == -1) {
		if (source_error(src) == NULL)
			return 0;	/* no input at all */
		return errorf(err, errlen, "%s", source_error(src));
	}
	result_keys(o, names, n);
	rename_in(&o->command, names, n);
	rename_in(&o->tagstring, names, n);
	for (i = 0; i < o->command_argc; i++)
		rename_in(&o->command_argv[i], names, n);
	return 0;
}

/* -X: a word holding {} repeated; refused for a shell template. */
int
input_template_mode(struct template *t, const struct opts *o, char *err,
    size_t errlen)
{
	if (!opts_context(o) || template_repeat_words(t) == 0)
		return 0;
	/* -L 1 (or -N 1): one item a task, nothing to repeat. */
	if (!o->context_replace && (o->max_lines <= 1 ||
	    (o->max_args_set && o->max_args <= 1)))
		return 0;
	return errorf(err, errlen, "%s needs a template without shell "
	    "syntax (several words, or one string without $ ; | ...)",
	    o->context_replace ? "-X" : "-L without -m or --xargs");
}

/* Compile --tagstring as one word. */
struct template *
input_tag_compile(const char *str, char *err, size_t errlen)
{
	char	*words[1] = { (char *)str };

	return template_compile_argv(words, 1, err, errlen);
}

/* --tagstring's tag for a task. */
char *
input_tag(const struct template *tpl, const char *arg,
    const char *const *args, size_t nargs, uint64_t seq, int slot)
{
	struct expanded	 e;
	struct buf	 b;
	char		*tag;
	int		 i;

	memset(&e, 0, sizeof e);
	if (args != NULL)
		template_expand_args(tpl, args, nargs, seq, slot, &e);
	else
		template_expand(tpl, arg, seq, slot, &e);
	if (template_appended(tpl) || e.argc < 2)
		tag = xstrdup(e.argc > 0 ? e.argv[0] : "");
	else {
		/* {} of several arguments: spread over argv, spaces between. */
		memset(&b, 0, sizeof b);
		buf_add(&b, "", 0);
		for (i = 0; i < e.argc; i++) {
			if (i > 0)
				buf_add(&b, " ", 1);
			buf_addstr(&b, e.argv[i]);
		}
		tag = b.data;
	}
	expanded_free(&e);
	return tag;
}

/* Compile and check the command template; see pool-input.h. */
struct template *
input_compile(const struct opts *o, char *err, size_t errlen)
{
	struct template	*t;

	if (o->persistent != NULL || o->command_argv != NULL)
		t = o->command_argv != NULL ?
		    template_compile_argv(o->command_argv, o->command_argc,
		    err, errlen) :
		    template_compile_argv((char **)&o->command, 1, err, errlen);
	else
		t = template_compile(o->command, err, errlen);
	if (t != NULL && (template_check_pos(t, opts_max_pos(o), err,
	    errlen) == -1 || input_template_mode(t, o, err, errlen) == -1)) {
		template_free(t);
		t = NULL;
	}
	return t;
}

/* The template as the pool would compile it, or NULL (none, or err). */
static struct template *
dry_template(const struct opts *o, bool *bad)
{
	struct template	*t;
	char		 err[512];

	*bad = false;
	if (o->command == NULL)
		return NULL;
	if ((t = input_compile(o, err, sizeof err)) == NULL) {
		fprintf(stderr, "pooltop: command template: %s\n", err);
		*bad = true;
	}
	return t;
}

/* Print one task's line. */
static void
dry_print(const struct opts *o, const struct template *t,
    const struct template *tagt, const struct item *it)
{
	char	*cmd, *tag = NULL;

	if (it->command != NULL || t == NULL)
		cmd = xstrdup(it->command != NULL ? it->command : it->arg);
	else if (it->args != NULL)
		cmd = cmdline(t, (const char *const *)it->args, it->nargs,
		    it->seq);
	else
		cmd = cmdline(t, (const char *const *)&it->arg, 1, it->seq);
	if (tagt != NULL)
		tag = input_tag(tagt, it->arg, (const char *const *)it->args,
		    it->nargs, it->seq, 0);
	else if (o->tag)
		tag = xstrdup(it->arg);
	if (tag != NULL)
		printf("%s\t", tag);
	printf("%s\n", cmd);
	free(tag);
	free(cmd);
}

/* Print the commands; run nothing. */
int
input_dry_run(const struct opts *o, struct source *src)
{
	struct template	*t, *tagt = NULL;
	struct item	 it;
	char		 err[512];
	bool		 bad;
	int		 r, rc = 0;

	t = dry_template(o, &bad);
	if (bad)
		return PT_EXIT_USAGE;
	if (o->tagstring != NULL &&
	    (tagt = input_tag_compile(o->tagstring, err, sizeof err)) == NULL) {
		fprintf(stderr, "pooltop: --tagstring: %s\n", err);
		template_free(t);
		return PT_EXIT_USAGE;
	}
	while (src != NULL && (r = source_next(src, &it)) != -1) {
		if (r == 0) {
			input_wait(src);
			continue;
		}
		dry_print(o, t, tagt, &it);
		item_clear(&it);
	}
	if (src != NULL && source_error(src) != NULL) {
		fprintf(stderr, "pooltop: %s\n", source_error(src));
		rc = PT_EXIT_USAGE;
	}
	if (fflush(stdout) == EOF)
		rc = PT_EXIT_USAGE;
	template_free(tagt);
	template_free(t);
	return rc;
}

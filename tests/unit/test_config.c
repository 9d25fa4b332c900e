/*
 * Tests of the options table, the config loader and the command line:
 * broken config files with their exact messages, the command line over the
 * file, ::: and -- handling, --halt and --termseq, and the shipped configs.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "opts.h"
#include "util.h"

static char	tmpdir[256];

/* Write content (len bytes) to tmpdir/name; returns the path (static). */
static const char *
write_file_len(const char *name, const char *content, size_t len)
{
	static char	 path[PATH_MAX];
	FILE		*f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(content, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Write a string to tmpdir/name. */
static const char *
write_file(const char *name, const char *content)
{
	return write_file_len(name, content, strlen(content));
}

/* Load text as a config file; returns the result, message in err. */
static int
load_text(struct opts *o, const char *text, char *err, size_t len)
{
	const char	*path = write_file("t.conf", text);

	opts_init(o);
	return opts_load_config(o, path, err, len);
}

/* Run opts_parse over a NULL-terminated list of arguments. */
static int
parse(struct opts *o, int *argi, char *err, size_t len, ...)
{
	char	*argv[64];
	int	 argc = 0, r;
	va_list	 ap;

	argv[argc++] = (char *)"pooltop";
	va_start(ap, len);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	opts_init(o);
	err[0] = '\0';
	r = opts_parse(o, argc, argv, argi, err, len);
	return r;
}

/* Remove everything in tmpdir (one level of subdirectories). */
static void
clean_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX];
	struct stat	 st;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			clean_dir(path);
			rmdir(path);
		} else
			unlink(path);
	}
	closedir(d);
}

/* Make the temp directory. */
static int
setup(void **state)
{
	const char	*t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/pooltop-config.XXXXXX",
	    t != NULL ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

/* Remove the temp directory. */
static int
teardown(void **state)
{
	(void)state;
	clean_dir(tmpdir);
	rmdir(tmpdir);
	return 0;
}

/* Broken configs and their exact messages: %1$s is the file, %2$s its dir. */
static const struct {
	const char	*text;
	const char	*want;
} broken[] = {
	{ "workers = ;\n", "%1$s:1: syntax error" },
	{ "\n\nworkers = = 4;\n", "%1$s:3: syntax error" },
	{ "wrokers = 4;\n", "%1$s:1: unknown key 'wrokers' (did you mean "
	    "'workers'?)" },
	{ "keep-order = true;\n", "%1$s:1: unknown key 'keep-order' (did you "
	    "mean 'keep_order'?)" },
	{ "zzzzzzzzzzzz = 1;\n", "%1$s:1: unknown key 'zzzzzzzzzzzz'" },
	{ "refresh_ms = 100;\n", "%1$s:1: unknown key 'refresh_ms' (did you "
	    "mean 'ui.refresh_ms'?)" },
	{ "ui = { them = \"x\"; };\n", "%1$s:1: unknown key 'ui.them' (did "
	    "you mean 'ui.theme'?)" },
	{ "ui = 3;\n", "%1$s:1: 'ui' must be a group { ... }" },
	{ "workers = \"4\";\n", "%1$s:1: 'workers' must be an integer or "
	    "\"auto\", \"N%\" of the CPUs or \"+N\" or \"-N\" of them" },
	{ "workers = 2000;\n", "%1$s:1: 'workers' must be 0 (as many as "
	    "there is work for) or between 1 and 1024 (got 2000)" },
	{ "workers = -3;\n", "%1$s:1: 'workers' must be 0 (as many as there "
	    "is work for) or between 1 and 1024 (got -3)" },
	{ "\nworkers = 5000000000L;\n", "%1$s:2: 'workers' must be 0 (as many "
	    "as there is work for) or between 1 and 1024 (got 5000000000)" },
	{ "worker = { chunksize = 0; };\n", "%1$s:1: 'worker.chunksize' must "
	    "be between 1 and 10000 (got 0)" },
	{ "worker = { chunksize = \"many\"; };\n", "%1$s:1: 'worker.chunksize' "
	    "must be an integer or \"auto\"" },
	{ "tag = 1;\n", "%1$s:1: 'tag' must be true or false" },
	{ "timeout = -1.5;\n", "%1$s:1: 'timeout' must be between 0 and "
	    "31536000 (got -1.5)" },
	{ "timeout = \"5s\";\n", "%1$s:1: 'timeout' must be a number, or N% "
	    "(got '5s')" },
	{ "timeout = \"-5%\";\n", "%1$s:1: 'timeout' must be a percentage "
	    "above 0 (got '-5%')" },
	{ "shell = \"\";\n", "%1$s:1: 'shell' must not be empty" },
	{ "log_format = \"xml\";\n", "%1$s:1: 'log_format' must be one of "
	    "text, json (got 'xml')" },
	{ "halt = \"sometimes\";\n", "%1$s:1: bad halt policy 'sometimes': "
	    "expected never, now|soon,fail|success|done=N or =N% "
	    "(0 < N% <= 100), or 0, 1, 2" },
	{ "halt = 7;\n", "%1$s:1: bad halt policy '7': expected never, "
	    "now|soon,fail|success|done=N or =N% (0 < N% <= 100), or 0, 1, 2" },
	{ "termseq = \"TERM,200,FOO\";\n", "%1$s:1: bad termseq "
	    "'TERM,200,FOO': unknown signal 'FOO' (expected SIG,MS,SIG,MS..., "
	    "e.g. TERM,200,TERM,100,TERM,50,KILL,25)" },
	{ "termseq = \"TERM,soon\";\n", "%1$s:1: bad termseq 'TERM,soon': "
	    "wait 'soon' must be 0..3600000 ms (expected SIG,MS,SIG,MS..., "
	    "e.g. TERM,200,TERM,100,TERM,50,KILL,25)" },
	{ "range = { from = 1; };\n", "%1$s:1: 'range' needs 'from' and "
	    "'to'" },
	{ "range = { from = 1; to = 5; stpe = 2; };\n", "%1$s:1: unknown key "
	    "'range.stpe' (did you mean 'range.step'?)" },
	{ "range = \"1:10:0\";\n", "%1$s:1: bad range '1:10:0': step must not "
	    "be 0" },
	{ "range = 5;\n", "%1$s:1: 'range' must be a \"FROM:TO[:STEP]\" "
	    "string or a group { from = N; to = N; }" },
	{ "items = (\"a\");\nrange = \"1:3\";\n", "%1$s:2: 'range' cannot be "
	    "used with 'items' (line 1): give one source of items" },
	{ "items = ( true );\n", "%1$s:1: 'items' must hold only strings or "
	    "numbers (item 1)" },
	{ "items = \"a\";\n", "%1$s:1: 'items' must be a list or array of "
	    "strings or numbers" },
	{ "tasks = ( { name = \"x\"; } );\n", "%1$s:1: task 1 has no "
	    "'command'" },
	{ "tasks = ( { comand = \"x\"; } );\n", "%1$s:1: unknown key "
	    "'tasks.comand' (did you mean 'tasks.command'?)" },
	{ "command = \"echo\";\ntasks = ( \"true\" );\n", "%1$s:2: 'tasks' "
	    "cannot be used with 'command': each task gives its own command" },
	{ "@include \"missing.conf\"\n", "%1$s:1: cannot include "
	    "'%2$s/missing.conf': No such file or directory" },
	{ "a = 1;\n  @include \"sub\"\n", "%1$s:2: cannot include '%2$s/sub': "
	    "Is a directory" },
	{ "@include \"\"\n", "%1$s:1: cannot include '%2$s/': Is a directory" },
	{ "@include \"bad.inc\"\n", "%2$s/bad.inc:3: unknown key 'wrokers' "
	    "(did you mean 'workers'?)" },
	{ "@include \"loop.inc\"\n", "%2$s/loop.inc:1: include file nesting "
	    "too deep" },
	{ "workers = 2;\n# @include \"sub\"\n/* \n@include \"sub\" */\n"
	    "name = \"\n@include \\\"sub\\\"\";\nwrokers = 1;\n",
	    "%1$s:7: unknown key 'wrokers' (did you mean 'workers'?)" },
	{ "x = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((("
	    , "%1$s:1: syntax error" },
};

/* Each broken config gives exactly its message. */
static void
test_broken(void **state)
{
	struct opts	 o;
	char		 err[1024], want[1024], sub[PATH_MAX];
	const char	*path;
	size_t		 i;

	(void)state;
	snprintf(sub, sizeof sub, "%s/sub", tmpdir);
	mkdir(sub, 0700);
	write_file("bad.inc", "\n\nwrokers = 1;\n");
	write_file("loop.inc", "@include \"loop.inc\"\n");
	for (i = 0; i < nitems_of(broken); i++) {
		path = write_file("t.conf", broken[i].text);
		opts_init(&o);
		err[0] = '\0';
		if (opts_load_config(&o, path, err, sizeof err) != -1)
			print_error("case %zu loaded: %s\n", i, broken[i].text);
		assert_int_equal(opts_load_config(&o, path, err, sizeof err), -1);
		snprintf(want, sizeof want, broken[i].want, path, tmpdir);
		if (strcmp(err, want) != 0)
			print_error("case %zu:\n got  %s\n want %s\n", i, err, want);
		assert_string_equal(err, want);
		opts_free(&o);
	}
}

/* Missing files, directories and NUL bytes. */
static void
test_bad_files(void **state)
{
	struct opts	 o;
	char		 err[1024], want[PATH_MAX + 64], path[PATH_MAX];
	const char	*p;

	(void)state;
	snprintf(path, sizeof path, "%s/nope.conf", tmpdir);
	opts_init(&o);
	assert_int_equal(opts_load_config(&o, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	assert_string_equal(err, want);
	opts_free(&o);

	opts_init(&o);
	assert_int_equal(opts_load_config(&o, tmpdir, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: Is a directory", tmpdir);
	assert_string_equal(err, want);
	opts_free(&o);

	p = write_file_len("nul.conf", "workers = 2;\n\0x", 15);
	opts_init(&o);
	assert_int_equal(opts_load_config(&o, p, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:2: NUL byte in file", p);
	assert_string_equal(err, want);
	opts_free(&o);
}

/* Deep nesting gives a message; it never crashes. */
static void
test_deep_nesting(void **state)
{
	struct opts	 o;
	struct buf	 b = { NULL, 0, 0 };
	char		 err[1024], want[1024];
	int		 i, depth;

	(void)state;
	buf_addstr(&b, "x = ");
	for (i = 0; i < 20000; i++)
		buf_addstr(&b, "(");
	for (i = 0; i < 20000; i++)
		buf_addstr(&b, ")");
	buf_addstr(&b, ";\n");
	assert_int_equal(load_text(&o, b.data, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s/t.conf:1: nested more than 64 levels "
	    "deep", tmpdir);
	assert_string_equal(err, want);
	opts_free(&o);

	/* 64 levels are read (and refused for what they hold), 65 are not. */
	for (depth = 64; depth <= 1000; depth += 936) {
		b.len = 0;
		buf_addstr(&b, "ui = ");
		for (i = 0; i < depth; i++)
			buf_addstr(&b, "{ a = ");
		buf_addstr(&b, "1;");
		for (i = 0; i < depth; i++)
			buf_addstr(&b, " };");
		buf_add(&b, "", 1);
		assert_int_equal(load_text(&o, b.data, err, sizeof err), -1);
		if (depth == 64)
			snprintf(want, sizeof want, "%s/t.conf:1: unknown key "
			    "'ui.a'", tmpdir);
		else
			snprintf(want, sizeof want, "%s/t.conf:1: nested more "
			    "than 64 levels deep", tmpdir);
		assert_string_equal(err, want);
		opts_free(&o);
	}
	buf_free(&b);
}

/* A size from the environment, or def. */
static long
env_size(const char *name, long def)
{
	const char	*v = getenv(name);

	return v != NULL && atol(v) > 0 ? atol(v) : def;
}

/* Milliseconds since start. */
static long
ms_since(const struct timespec *start)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

/*
 * Load text, which must fail with want (printf'd with the file's path) or
 * load (want NULL), within HUGE_LIMIT_MS.  libconfig compares every new
 * setting's name with each one before it in its group, so before the
 * pre-scan 100,000 keys took minutes; measured now: at most 0.1 s (ASan:
 * 0.7 s).
 */
static void
load_bounded(const char *what, const char *text, const char *want)
{
	struct opts	 o;
	struct timespec	 start;
	char		 err[1024], w[1024];
	long		 ms, limit = env_size("HUGE_LIMIT_MS", 10000);
	int		 r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	r = load_text(&o, text, err, sizeof err);
	ms = ms_since(&start);
	print_message("%s: %ld ms\n", what, ms);
	if (want == NULL && r != 0)
		fail_msg("%s: %s", what, err);
	if (want != NULL) {
		snprintf(w, sizeof w, want, tmpdir);
		assert_int_equal(r, -1);
		if (strcmp(err, w) != 0)
			fail_msg("%s:\n got  %s\n want %s", what, err, w);
	}
	if (ms > limit)
		fail_msg("%s: %ld ms, more than %ld", what, ms, limit);
	opts_free(&o);
}

/*
 * Huge files are refused quickly, with FILE:LINE: many unknown keys, at the
 * top and in a group; a group filled through @include files; many groups
 * near the limit; and many keys of a known kind (tasks, items) load.
 * Sizes: HUGE_KEYS (100000), HUGE_TASKS (25000: 0.1 s, 0.7 s under ASan).
 */
static void
test_huge_files(void **state)
{
	struct buf	 b = { NULL, 0, 0 }, inc = { NULL, 0, 0 };
	long		 n = env_size("HUGE_KEYS", 100000), i, j;
	long		 nt = env_size("HUGE_TASKS", 25000);

	(void)state;
	for (i = 0; i < n; i++)
		buf_printf(&b, "zz%ld = 1;\n", i);
	buf_add(&b, "", 1);
	load_bounded("unknown keys", b.data, "%s/t.conf:1001: more than 1000 "
	    "settings in one group");

	b.len = 0;
	buf_addstr(&b, "ui = {\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "zz%ld = 1;\n", i);
	buf_addstr(&b, "};\n");
	buf_add(&b, "", 1);
	load_bounded("unknown keys in a group", b.data, "%s/t.conf:1002: more "
	    "than 1000 settings in one group");

	/* Just under the limit: libconfig reads it, the first key is refused. */
	b.len = 0;
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "zz%ld = 1;\n", i);
	buf_add(&b, "", 1);
	load_bounded("1000 unknown keys", b.data, "%s/t.conf:1: unknown key "
	    "'zz0'");

	for (i = 0; i < 600; i++)
		buf_printf(&inc, "k%ld = 1;\n", i);
	write_file_len("a.inc", inc.data, inc.len);
	write_file_len("b.inc", inc.data, inc.len);
	load_bounded("one group through two includes", "ui = {\n"
	    "@include \"a.inc\"\n@include \"b.inc\"\n};\n",
	    "%s/b.inc:401: more than 1000 settings in one group");

	/* Groups of 999 cost 498501 comparisons each: the fifth is refused. */
	b.len = 0;
	for (i = 0; i < n / 999 + 5; i++) {
		buf_printf(&b, "g%ld = {", i);
		for (j = 0; j < 999; j++)
			buf_printf(&b, " k%ld = 1;", j);
		buf_addstr(&b, " };\n");
	}
	buf_add(&b, "", 1);
	load_bounded("many groups of 999", b.data, "%s/t.conf:5: too many "
	    "settings in large groups (more than 2000000 names to compare)");

	b.len = 0;
	buf_addstr(&b, "tasks = (\n");
	for (i = 0; i < nt; i++)
		buf_printf(&b, "{ name = \"t%ld\"; command = \"true\"; },\n", i);
	buf_addstr(&b, "\"true\" );\n");
	buf_add(&b, "", 1);
	load_bounded("many tasks", b.data, NULL);

	b.len = 0;
	buf_addstr(&b, "items = [\n");
	for (i = 0; i < nt; i++)
		buf_printf(&b, "\"item %ld\",\n", i);
	buf_addstr(&b, "\"last\" ];\n");
	buf_add(&b, "", 1);
	load_bounded("many items", b.data, NULL);
	buf_free(&b);
	buf_free(&inc);
}

/* A 10 MB string loads, and fast (no quadratic rescans). */
static void
test_huge_string(void **state)
{
	struct opts	 o;
	size_t		 n = 10 * 1024 * 1024;
	char		*text, err[1024];

	(void)state;
	text = xmalloc(n + 32);
	memcpy(text, "name = \"", 8);
	memset(text + 8, 'a', n);
	memcpy(text + 8 + n, "\";\n", 4);
	assert_int_equal(load_text(&o, text, err, sizeof err), 0);
	assert_int_equal(strlen(o.name), n);
	opts_free(&o);
	free(text);
}

/* A good file: every kind of value lands in its field. */
static void
test_good_file(void **state)
{
	struct opts	 o;
	char		 err[1024], ts[128];

	(void)state;
	assert_int_equal(load_text(&o,
	    "workers = 3; tick = 100; timeout = 2; retries = 2;\n"
	    "halt = \"now,fail=10%\"; termseq = \"INT,10,KILL\";\n"
	    "name = \"n\"; tag = true; keep_order = true; line_buffer = true;\n"
	    "log_format = \"json\"; progress_interval = 2.5; null = true;\n"
	    "ui = { theme = \"mono\"; refresh_ms = 60; };\n"
	    "worker = { chunksize = 4; max_tasks_per_worker = 9;\n"
	    "  init = \"true\"; persistent = \"cat\"; };\n"
	    "command = \"echo {}\"; items = ( 1, 2.5, \"x y\" );\n",
	    err, sizeof err), 0);
	assert_int_equal(o.workers, 3);
	assert_int_equal(o.tick_ms, 100);
	assert_true(o.timeout == 2.0);
	assert_int_equal(o.retries, 2);
	assert_int_equal(o.halt.when, HALT_NOW);
	assert_int_equal(o.halt.what, HALT_FAIL);
	assert_true(o.halt.percent_set && o.halt.percent == 10.0);
	format_termseq(&o.termseq, ts, sizeof ts);
	assert_string_equal(ts, "INT,10,KILL,0");
	assert_string_equal(o.name, "n");
	assert_true(o.tag && o.keep_order && o.line_buffer && o.null_sep);
	assert_int_equal(o.log_format, LOG_JSON);
	assert_true(o.progress_interval == 2.5);
	assert_string_equal(o.theme, "mono");
	assert_int_equal(o.refresh_ms, 60);
	assert_int_equal(o.chunksize, 4);
	assert_int_equal(o.max_tasks_per_worker, 9);
	assert_string_equal(o.init, "true");
	assert_string_equal(o.persistent, "cat");
	assert_string_equal(o.command, "echo {}");
	assert_int_equal(o.nitems, 3);
	assert_string_equal(o.items[0], "1");
	assert_string_equal(o.items[1], "2.5");
	assert_string_equal(o.items[2], "x y");
	opts_free(&o);

	assert_int_equal(load_text(&o, "tasks = ( \"echo a\", { command = "
	    "\"echo b\"; name = \"B\"; } );\n", err, sizeof err), 0);
	assert_int_equal(o.ntasks, 2);
	assert_string_equal(o.tasks[0].command, "echo a");
	assert_null(o.tasks[0].name);
	assert_string_equal(o.tasks[1].command, "echo b");
	assert_string_equal(o.tasks[1].name, "B");
	opts_free(&o);

	assert_int_equal(load_text(&o, "range = { from = 10; to = 1; };\n",
	    err, sizeof err), 0);
	assert_true(o.has_range && o.range_from == 10 && o.range_to == 1 &&
	    o.range_step == -1);
	opts_free(&o);
	assert_int_equal(load_text(&o, "items_file = \"-\"; halt = 2;\n", err,
	    sizeof err), 0);
	assert_string_equal(o.arg_file, "-");
	assert_int_equal(o.halt.when, HALT_NOW);
	assert_int_equal(o.halt.count, 1);
	opts_free(&o);
}

/* The command line wins over the file, and sources replace sources. */
static void
test_cli_over_file(void **state)
{
	struct opts	 o;
	const char	*path;
	char		 err[1024], p[PATH_MAX];
	int		 argi;

	(void)state;
	path = write_file("f.conf", "workers = 3; tick = 100; name = \"file\";"
	    " tag = true; line_buffer = true; command = \"echo file\";\n"
	    "items = ( \"a\", \"b\" );\n");
	strlcpy(p, path, sizeof p);
	assert_int_equal(parse(&o, &argi, err, sizeof err, "-j", "5", "-c", p,
	    "--name", "cli", "--group", NULL), 0);
	assert_int_equal(o.workers, 5);
	assert_int_equal(o.tick_ms, 100);
	assert_string_equal(o.name, "cli");
	assert_true(o.tag);
	assert_false(o.line_buffer);
	assert_string_equal(o.command, "echo file");
	assert_int_equal(o.nitems, 2);
	assert_string_equal(o.config_file, p);
	opts_free(&o);

	assert_int_equal(parse(&o, &argi, err, sizeof err, "-c", p, "echo",
	    "cli", ":::", "x", NULL), 0);
	assert_string_equal(o.command, "echo cli");
	assert_int_equal(o.nitems, 1);
	assert_string_equal(o.items[0], "x");
	opts_free(&o);

	assert_int_equal(parse(&o, &argi, err, sizeof err, "-c", p,
	    "--range", "1:9:2", NULL), 0);
	assert_null(o.items);
	assert_true(o.has_range && o.range_from == 1 && o.range_to == 9 &&
	    o.range_step == 2);
	opts_free(&o);

	assert_int_equal(parse(&o, &argi, err, sizeof err, "-c", p, "-a",
	    "list.txt", "--lb", NULL), 0);
	assert_null(o.items);
	assert_string_equal(o.arg_file, "list.txt");
	assert_true(o.line_buffer);
	opts_free(&o);

	/* A bad file is reported even when the command line is fine. */
	path = write_file("g.conf", "workers = 2000;\n");
	strlcpy(p, path, sizeof p);
	assert_int_equal(parse(&o, &argi, err, sizeof err, "-c", p, "-j", "2",
	    NULL), -1);
	assert_non_null(strstr(err, "'workers' must be 0 (as many as there "
	    "is work for) or between 1 and 1024"));
	opts_free(&o);

	path = write_file("t.conf", "tasks = ( \"true\" );\n");
	strlcpy(p, path, sizeof p);
	assert_int_equal(parse(&o, &argi, err, sizeof err, "-c", p, "echo",
	    NULL), -1);
	assert_non_null(strstr(err, ":1: 'tasks' cannot be used with a "
	    "command template on the command line"));
	opts_free(&o);
}

/* ::: items, template joining and --. */
static void
test_words(void **state)
{
	struct opts	o;
	char		err[1024];
	int		argi;

	(void)state;
	assert_int_equal(parse(&o, &argi, err, sizeof err, "-j", "2", "grep",
	    "-v", "--foo", "{}", ":::", "a", "-b", "c d", NULL), 0);
	assert_int_equal(argi, 3);
	assert_int_equal(o.workers, 2);
	assert_string_equal(o.command, "grep -v --foo {}");
	assert_int_equal(o.nitems, 3);
	assert_string_equal(o.items[1], "-b");
	assert_string_equal(o.items[2], "c d");
	opts_free(&o);

	assert_int_equal(parse(&o, &argi, err, sizeof err, "-k", "--",
	    "-weird", "-j", "9", NULL), 0);
	assert_int_equal(argi, 3);
	assert_string_equal(o.command, "-weird -j 9");
	assert_true(o.keep_order);
	assert_null(o.items);
	opts_free(&o);

	assert_int_equal(parse(&o, &argi, err, sizeof err, "--", ":::", "a",
	    NULL), 0);
	assert_null(o.command);
	assert_int_equal(o.nitems, 1);
	opts_free(&o);

	assert_int_equal(parse(&o, &argi, err, sizeof err, "echo", ":::",
	    NULL), 0);
	assert_non_null(o.items);
	assert_int_equal(o.nitems, 0);
	opts_free(&o);

	assert_int_equal(parse(&o, &argi, err, sizeof err, NULL), 0);
	assert_int_equal(argi, 1);
	assert_null(o.command);
	opts_free(&o);

	/* Several sources: the -a files first, then the groups in order. */
	assert_int_equal(parse(&o, &argi, err, sizeof err, "-a", "f1", "-a",
	    "f2", "echo", ":::", "a", "b", ":::+", "c", "::::", "g1", "g2",
	    "::::+", "h", ":::", NULL), 0);
	assert_null(o.items);
	assert_null(o.arg_file);
	assert_int_equal(o.ninputs, 8);
	assert_string_equal(o.inputs[0].file, "f1");
	assert_string_equal(o.inputs[1].file, "f2");
	assert_int_equal(o.inputs[2].nitems, 2);
	assert_string_equal(o.inputs[2].items[1], "b");
	assert_false(o.inputs[2].linked);
	assert_string_equal(o.inputs[3].items[0], "c");
	assert_true(o.inputs[3].linked);
	assert_string_equal(o.inputs[4].file, "g1");
	assert_false(o.inputs[4].linked);
	assert_string_equal(o.inputs[5].file, "g2");
	assert_false(o.inputs[5].linked);
	assert_string_equal(o.inputs[6].file, "h");
	assert_true(o.inputs[6].linked);
	assert_null(o.inputs[7].file);
	assert_int_equal(o.inputs[7].nitems, 0);
	assert_string_equal(o.command, "echo");
	opts_free(&o);

	/* One :::: file is a source of its own, one -a is arg_file. */
	assert_int_equal(parse(&o, &argi, err, sizeof err, "echo", "::::",
	    "f", NULL), 0);
	assert_int_equal(o.ninputs, 1);
	assert_string_equal(o.inputs[0].file, "f");
	opts_free(&o);
	assert_int_equal(parse(&o, &argi, err, sizeof err, "-a", "f", "echo",
	    NULL), 0);
	assert_int_equal(o.ninputs, 0);
	assert_string_equal(o.arg_file, "f");
	opts_free(&o);
}

/* Command-line errors name the option. */
static void
test_cli_errors(void **state)
{
	static const struct {
		const char	*args[4];
		const char	*want;
	} cases[] = {
		{ { "--wrokers", "3" }, "unknown option '--wrokers' (did you "
		    "mean '--workers'?)" },
		{ { "--zzzzzzzzzz" }, "unknown or ambiguous option "
		    "'--zzzzzzzzzz'" },
		{ { "-x" }, "unknown option -x" },
		{ { "--tag=1" }, "option --tag: takes no argument" },
		{ { "-j" }, "option --workers: requires an argument N" },
		{ { "--tick" }, "option --tick: requires an argument MS" },
		{ { "-j", "abc" }, "option --workers: must be an integer "
		    "or 'auto', N% of the CPUs or +N or -N of them (got "
		    "'abc')" },
		{ { "-j", "2000" }, "option --workers: must be 0 (as many as "
		    "there is work for) or between 1 and 1024 (got 2000)" },
		{ { "-j", "99999999999999999999" }, "option --workers: must be "
		    "0 (as many as there is work for) or between 1 and 1024 "
		    "(got 99999999999999999999)" },
		{ { "--timeout", "-1" }, "option --timeout: must be between 0 "
		    "and 31536000 (got -1)" },
		{ { "--timeout", "nan" }, "option --timeout: must be a number, "
		    "or N% (got 'nan')" },
		{ { "--timeout", "0%" }, "option --timeout: must be a "
		    "percentage above 0 (got '0%')" },
		{ { "--log-format", "xml" }, "option --log-format: must be one "
		    "of text, json (got 'xml')" },
		{ { "--halt", "now" }, "option --halt: bad halt policy 'now': "
		    "expected never, now|soon,fail|success|done=N or =N% "
		    "(0 < N% <= 100), or 0, 1, 2" },
		{ { "--range", "1:x" }, "option --range: bad range '1:x': "
		    "expected FROM:TO[:STEP], integers" },
		{ { "--range", "1:10:-1" }, "option --range: bad range "
		    "'1:10:-1': step -1 never goes from 1 to 10" },
		{ { "--shell", "" }, "option --shell: must not be empty" },
		{ { "--resume" }, "option --resume requires --joblog" },
		{ { "--chunksize", "auto" }, "option --chunksize requires "
		    "--persistent" },
		{ { "--max-tasks-per-worker", "0" }, "option "
		    "--max-tasks-per-worker requires --persistent" },
		{ { "--retry-failed" }, "option --retry-failed requires "
		    "--joblog" },
		{ { "--range", "1:2", "echo", ":::" }, "items after ::: and "
		    "option --range cannot be used together" },
		{ { "--range", "1:2", "-a", "f" }, "option --arg-file and "
		    "option --range cannot be used together" },
	};
	struct opts	 o;
	char		 err[1024], *argv[8];
	size_t		 i, j;
	int		 argi, argc;

	(void)state;
	for (i = 0; i < nitems_of(cases); i++) {
		argc = 0;
		argv[argc++] = (char *)"pooltop";
		for (j = 0; j < 4 && cases[i].args[j] != NULL; j++)
			argv[argc++] = (char *)cases[i].args[j];
		argv[argc] = NULL;
		opts_init(&o);
		err[0] = '\0';
		assert_int_equal(opts_parse(&o, argc, argv, &argi, err,
		    sizeof err), -1);
		if (strcmp(err, cases[i].want) != 0)
			print_error("case %zu: got '%s'\n", i, err);
		assert_string_equal(err, cases[i].want);
		opts_free(&o);
	}
}

/* --resume needs --joblog from either place; fine with --resume-failed. */
static void
test_resume(void **state)
{
	struct opts	 o;
	char		 err[1024], want[PATH_MAX + 64], p[PATH_MAX];
	int		 argi;

	(void)state;
	strlcpy(p, write_file("r.conf", "\nresume = true;\n"), sizeof p);
	assert_int_equal(parse(&o, &argi, err, sizeof err, "-c", p, NULL), -1);
	snprintf(want, sizeof want, "%s:2: 'resume' requires 'joblog'", p);
	assert_string_equal(err, want);
	opts_free(&o);
	assert_int_equal(parse(&o, &argi, err, sizeof err, "-c", p,
	    "--joblog", "j.log", "--resume-failed", NULL), 0);
	assert_true(o.resume && o.resume_failed);
	assert_string_equal(o.joblog, "j.log");
	opts_free(&o);
	assert_int_equal(parse(&o, &argi, err, sizeof err, "--resume",
	    "--joblog=x", "-k", "--results", "d", NULL), 0);
	opts_free(&o);
}

/* --halt in all its forms. */
static void
test_halt(void **state)
{
	static const struct {
		const char		*s;
		int			 ok;
		enum halt_when		 when;
		enum halt_what		 what;
		uint64_t		 count;
		double			 percent;
	} cases[] = {
		{ "never", 1, HALT_NEVER, HALT_FAIL, 0, 0 },
		{ "0", 1, HALT_NEVER, HALT_FAIL, 0, 0 },
		{ "1", 1, HALT_SOON, HALT_FAIL, 1, 0 },
		{ "2", 1, HALT_NOW, HALT_FAIL, 1, 0 },
		{ "now,fail=1", 1, HALT_NOW, HALT_FAIL, 1, 0 },
		{ "soon,fail=3", 1, HALT_SOON, HALT_FAIL, 3, 0 },
		{ "soon,fail=30%", 1, HALT_SOON, HALT_FAIL, 0, 30 },
		{ "now,success=2", 1, HALT_NOW, HALT_SUCCESS, 2, 0 },
		{ "now,done=12.5%", 1, HALT_NOW, HALT_DONE, 0, 12.5 },
		{ "now,done=100%", 1, HALT_NOW, HALT_DONE, 0, 100 },
		{ "", 0, 0, 0, 0, 0 },
		{ "3", 0, 0, 0, 0, 0 },
		{ "later,fail=1", 0, 0, 0, 0, 0 },
		{ "now,fail", 0, 0, 0, 0, 0 },
		{ "now,fail=", 0, 0, 0, 0, 0 },
		{ "now,fail=0", 0, 0, 0, 0, 0 },
		{ "now,fail=-1", 0, 0, 0, 0, 0 },
		{ "now,fail=0%", 0, 0, 0, 0, 0 },
		{ "now,fail=101%", 0, 0, 0, 0, 0 },
		{ "now,fail=1x", 0, 0, 0, 0, 0 },
		{ "now,oops=1", 0, 0, 0, 0, 0 },
	};
	struct halt_policy	h;
	char			err[256];
	size_t			i;

	(void)state;
	for (i = 0; i < nitems_of(cases); i++) {
		memset(&h, 0xff, sizeof h);
		if (!cases[i].ok) {
			assert_int_equal(parse_halt(cases[i].s, &h, err,
			    sizeof err), -1);
			assert_non_null(strstr(err, "bad halt policy"));
			continue;
		}
		assert_int_equal(parse_halt(cases[i].s, &h, err, sizeof err), 0);
		assert_int_equal(h.when, cases[i].when);
		if (h.when == HALT_NEVER)
			continue;
		assert_int_equal(h.what, cases[i].what);
		assert_int_equal(h.percent_set, cases[i].percent != 0);
		if (h.percent_set)
			assert_true(h.percent == cases[i].percent);
		else
			assert_int_equal(h.count, cases[i].count);
	}
}

/* --termseq parses names, SIG names and numbers, and formats back. */
static void
test_termseq(void **state)
{
	static const struct {
		const char	*s;
		const char	*formatted;	/* NULL: an error */
	} cases[] = {
		{ "TERM,200,TERM,100,TERM,50,KILL,25",
		    "TERM,200,TERM,100,TERM,50,KILL,25" },
		{ "SIGINT,10,sigkill", "INT,10,KILL,0" },
		{ "15,100,9,5", "TERM,100,KILL,5" },
		{ "hup", "HUP,0" },
		{ "WINCH,100", "WINCH,100" },
		{ "", NULL },
		{ "TERM,", NULL },
		{ "TERM,-1", NULL },
		{ "TERM,3600001", NULL },
		{ "NOPE,1", NULL },
		{ "0,1", NULL },
		{ "999,1", NULL },
		{ "TERM,1,,1", NULL },
		{ "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
		    "1,1,1,1", NULL },
	};
	struct termseq	ts;
	char		err[256], buf[256];
	size_t		i;

	(void)state;
	for (i = 0; i < nitems_of(cases); i++) {
		if (cases[i].formatted == NULL) {
			assert_int_equal(parse_termseq(cases[i].s, &ts, err,
			    sizeof err), -1);
			assert_non_null(strstr(err, "bad termseq"));
			continue;
		}
		assert_int_equal(parse_termseq(cases[i].s, &ts, err,
		    sizeof err), 0);
		format_termseq(&ts, buf, sizeof buf);
		assert_string_equal(buf, cases[i].formatted);
	}
	assert_int_equal(parse_termseq("TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,"
	    "TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,"
	    "TERM,1,KILL,1", &ts, err, sizeof err), 0);
	assert_int_equal(ts.n, PT_TERMSEQ_MAX);
	format_termseq(&ts, buf, 8);
	assert_string_equal(buf, "TERM,1,");
}

/* Defaults as documented. */
static void
test_defaults(void **state)
{
	struct opts	o;
	char		buf[128];

	(void)state;
	opts_init(&o);
	assert_true(o.workers >= 1 && o.workers <= PT_MAX_WORKERS);
	assert_string_equal(o.shell, "/bin/sh");
	assert_int_equal(o.tick_ms, 250);
	assert_int_equal(o.refresh_ms, 500);
	assert_int_equal(o.chunksize, PT_CHUNKSIZE_AUTO);
	assert_true(o.progress_interval == 10);
	assert_int_equal(o.halt.when, HALT_NEVER);
	format_termseq(&o.termseq, buf, sizeof buf);
	assert_string_equal(buf, "TERM,200,TERM,100,TERM,50,KILL,25");
	assert_false(o.line_buffer);
	opts_free(&o);
	opts_free(&o);
}

/* Read a file of the source tree into a NUL-terminated buffer. */
static char *
read_src(const char *rel)
{
	char	 path[PATH_MAX], *buf;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof path, "%s/%s", PT_SRCDIR, rel);
	assert_non_null(f = fopen(path, "r"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc(n + 1);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Does text have a commented-out setting "# leaf =" for this key? */
static int
has_commented_key(const char *text, const char *key)
{
	const char	*leaf = strrchr(key, '.'), *p, *q;
	size_t		 n;

	leaf = leaf != NULL ? leaf + 1 : key;
	n = strlen(leaf);
	for (p = text; (p = strstr(p, leaf)) != NULL; p++) {
		if (strncmp(p + n, " =", 2) != 0)
			continue;
		for (q = p; q > text && (q[-1] == ' ' || q[-1] == '\t'); q--)
			;
		if (q > text && q[-1] == '#')
			return 1;
	}
	return 0;
}

/* Compare what matters of two option sets. */
static void
assert_same_opts(const struct opts *a, const struct opts *b)
{
	assert_int_equal(a->workers, b->workers);
	assert_int_equal(a->tick_ms, b->tick_ms);
	assert_true(a->timeout == b->timeout);
	assert_int_equal(a->retries, b->retries);
	assert_memory_equal(&a->halt, &b->halt, sizeof a->halt);
	assert_memory_equal(&a->termseq, &b->termseq, sizeof a->termseq);
	assert_string_equal(a->shell, b->shell);
	assert_string_equal(a->theme, b->theme);
	assert_int_equal(a->refresh_ms, b->refresh_ms);
	assert_int_equal(a->chunksize, b->chunksize);
	assert_int_equal(a->max_tasks_per_worker, b->max_tasks_per_worker);
	assert_true(a->progress_interval == b->progress_interval);
	assert_int_equal(a->log_format, b->log_format);
	assert_true(a->tag == b->tag && a->keep_order == b->keep_order &&
	    a->line_buffer == b->line_buffer && a->headless == b->headless &&
	    a->quiet == b->quiet && a->resume == b->resume &&
	    a->null_sep == b->null_sep && a->has_range == b->has_range);
	assert_true(a->command == NULL && b->command == NULL);
	assert_true(a->items == NULL && b->items == NULL);
	assert_true(a->tasks == NULL && b->tasks == NULL);
	assert_true(a->name == NULL && a->log_file == NULL &&
	    a->joblog == NULL && a->results == NULL && a->arg_file == NULL &&
	    a->persistent == NULL && a->init == NULL);
}

/* conf/pooltop.conf names every key, commented out, and changes nothing. */
static void
test_pooltop_conf(void **state)
{
	struct opts	 o, d;
	const char	*key;
	char		*text, err[1024], path[PATH_MAX];
	size_t		 i;

	(void)state;
	text = read_src("conf/pooltop.conf");
	for (i = 0; (key = opts_config_key(i)) != NULL; i++) {
		if (!has_commented_key(text, key))
			print_error("conf/pooltop.conf lacks '%s'\n", key);
		assert_true(has_commented_key(text, key));
	}
	assert_true(i > 30);
	assert_true(has_commented_key(text, "ui"));
	assert_true(has_commented_key(text, "worker"));
	free(text);

	snprintf(path, sizeof path, "%s/conf/pooltop.conf", PT_SRCDIR);
	opts_init(&o);
	opts_init(&d);
	if (opts_load_config(&o, path, err, sizeof err) != 0)
		print_error("%s\n", err);
	assert_int_equal(opts_load_config(&o, path, err, sizeof err), 0);
	assert_same_opts(&o, &d);
	opts_free(&o);
	opts_free(&d);
}

/* conf/pooltop.conf shows each key set to the option table's default. */
static void
test_conf_defaults(void **state)
{
	struct opt_info	 oi;
	const char	*last, *q;
	char		*text, want[256];
	size_t		 i, n = 0;

	(void)state;
	text = read_src("conf/pooltop.conf");
	for (i = 0; opts_info(i, &oi); i++) {
		if (oi.key == NULL || oi.def == NULL)
			continue;
		last = strrchr(oi.key, '.') ? strrchr(oi.key, '.') + 1 : oi.key;
		q = strspn(oi.def, "0123456789") == strlen(oi.def) ? "" : "\"";
		snprintf(want, sizeof want, "#%s = %s%s%s;\n", last, q, oi.def,
		    q);
		if (strstr(text, want) == NULL)
			print_error("conf/pooltop.conf lacks '%s'", want);
		assert_non_null(strstr(text, want));
		n++;
	}
	assert_true(n >= 10);
	free(text);
}

/* Load one shipped config; it must load without error. */
static void
load_shipped(const char *rel)
{
	struct opts	o;
	char		err[1024], path[PATH_MAX];
	int		r;

	snprintf(path, sizeof path, "%s/%s", PT_SRCDIR, rel);
	opts_init(&o);
	if ((r = opts_load_config(&o, path, err, sizeof err)) != 0)
		print_error("%s\n", err);
	assert_int_equal(r, 0);
	opts_free(&o);
}

/* conf/demo.conf and every .conf in conf/examples load. */
static void
test_shipped_confs(void **state)
{
	struct opts	 o;
	DIR		*d;
	struct dirent	*de;
	char		 rel[PATH_MAX], err[1024], path[PATH_MAX];
	size_t		 n, count = 0;

	(void)state;
	load_shipped("conf/demo.conf");
	snprintf(path, sizeof path, "%s/conf/demo.conf", PT_SRCDIR);
	opts_init(&o);
	assert_int_equal(opts_load_config(&o, path, err, sizeof err), 0);
	assert_int_equal(o.workers, 4);
	assert_non_null(o.name);
	assert_int_equal(o.ntasks, 16);
	opts_free(&o);

	snprintf(path, sizeof path, "%s/conf/examples", PT_SRCDIR);
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".conf") != 0)
			continue;
		snprintf(rel, sizeof rel, "conf/examples/%s", de->d_name);
		load_shipped(rel);
		count++;
	}
	closedir(d);
	assert_true(count >= 2);
}

/* --help lists every option, from the table and from the brief. */
static void
test_usage(void **state)
{
	static const char *const expect[] = {
		"workers", "config", "arg-file", "null", "range", "shell",
		"tick", "timeout", "retries", "halt", "termseq", "name", "tag",
		"keep-order", "line-buffer", "lb", "group", "results",
		"headless", "log", "log-format", "progress-interval", "quiet",
		"joblog", "resume", "resume-failed", "retry-failed",
		"check-config", "theme", "refresh", "persistent", "init",
		"chunksize", "max-tasks-per-worker", "help", "version",
	};
	struct opt_info	 oi;
	char		*text, want[64];
	size_t		 len, i;
	FILE		*f;

	(void)state;
	assert_non_null(f = open_memstream(&text, &len));
	opts_usage(f);
	fclose(f);
	for (i = 0; opts_info(i, &oi); i++) {
		snprintf(want, sizeof want, "--%s", oi.name);
		assert_non_null(strstr(text, want));
		if (oi.alias != NULL) {
			snprintf(want, sizeof want, "--%s", oi.alias);
			assert_non_null(strstr(text, want));
		}
		if (oi.letter != 0) {
			snprintf(want, sizeof want, "-%c, --%s", oi.letter,
			    oi.name);
			assert_non_null(strstr(text, want));
		}
	}
	for (i = 0; i < nitems_of(expect); i++) {
		snprintf(want, sizeof want, "--%s ", expect[i]);
		if (strstr(text, want) == NULL) {
			snprintf(want, sizeof want, "--%s\n", expect[i]);
			if (strstr(text, want) == NULL)
				snprintf(want, sizeof want, "--%s,", expect[i]);
		}
		if (strstr(text, want) == NULL)
			print_error("--help lacks --%s\n", expect[i]);
		assert_non_null(strstr(text, want));
	}
	assert_non_null(strstr(text, "(auto or 0 or 1..1024; default: "
	    "online CPUs)"));
	assert_non_null(strstr(text, "TERM,200,TERM,100,TERM,50,KILL,25"));
	free(text);
}

/* Run opts_parse with one argument in a child; capture stdout and status. */
static int
run_child(const char *arg, char *out, size_t len)
{
	char	*argv[] = { (char *)"pooltop", (char *)arg, NULL };
	char	 err[256];
	struct opts o;
	ssize_t	 n;
	size_t	 got = 0;
	pid_t	 pid;
	int	 p[2], status, argi;

	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		opts_init(&o);
		opts_parse(&o, 2, argv, &argi, err, sizeof err);
		_exit(3);
	}
	close(p[1]);
	while (got + 1 < len && (n = read(p[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* -V prints the version, -h the help; both exit 0. */
static void
test_help_version(void **state)
{
	static char	out[16384];

	(void)state;
	assert_int_equal(run_child("-V", out, sizeof out), 0);
	assert_string_equal(out, "pooltop " PACKAGE_VERSION "\n");
	assert_int_equal(run_child("--help", out, sizeof out), 0);
	assert_non_null(strstr(out, "--max-tasks-per-worker"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge_string),
		cmocka_unit_test(test_huge_files),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_cli_over_file),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_cli_errors),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_halt),
		cmocka_unit_test(test_termseq),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_pooltop_conf),
		cmocka_unit_test(test_conf_defaults),
		cmocka_unit_test(test_shipped_confs),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_help_version),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

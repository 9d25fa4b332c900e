/* Unit tests of the dashboard's themes and of its display escaping. */
#include "config.h"

#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libconfig.h>

#include "ui/theme.h"
#include "ui/ui-int.h"

static char	tmpdir[256];

/* Write a file under the test's temporary directory; its path in out. */
static void
write_file(const char *name, const char *text, char *out, size_t len)
{
	FILE	*f;

	snprintf(out, len, "%s/%s", tmpdir, name);
	f = fopen(out, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Path of a shipped theme in the source tree. */
static void
shipped_path(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/themes/%s.theme", PT_SRCDIR, name);
}

/* Every shipped theme loads, without warnings, by path and by name. */
static void
test_shipped_load(void **state)
{
	struct theme	t;
	struct buf	warn = { NULL, 0, 0 };
	char		path[PATH_MAX], err[512];
	size_t		i;

	(void)state;
	assert_int_equal(theme_nshipped, 4);
	for (i = 0; i < theme_nshipped; i++) {
		shipped_path(theme_shipped[i], path, sizeof path);
		err[0] = '\0';
		if (theme_load_file(&t, path, &warn, err, sizeof err) != 0)
			fail_msg("%s: %s", path, err);
		assert_int_equal(warn.len, 0);
		assert_string_equal(t.name, theme_shipped[i]);
		assert_int_equal(theme_load(&t, theme_shipped[i], &warn, err,
		    sizeof err), 0);
		assert_string_equal(t.name, theme_shipped[i]);
	}
	buf_free(&warn);
}

/* Every shipped theme sets every key (none relies on the fallback). */
static void
test_shipped_complete(void **state)
{
	config_t	cfg;
	char		path[PATH_MAX];
	size_t		i;
	int		k;

	(void)state;
	for (i = 0; i < theme_nshipped; i++) {
		shipped_path(theme_shipped[i], path, sizeof path);
		config_init(&cfg);
		assert_int_equal(config_read_file(&cfg, path), CONFIG_TRUE);
		for (k = 0; k < THEME_NKEYS; k++) {
			if (config_lookup(&cfg, theme_key_name(k)) == NULL)
				fail_msg("%s: no key %s", path,
				    theme_key_name(k));
		}
		config_destroy(&cfg);
	}
}

/* default.theme is exactly the built-in default; mono has no colour. */
static void
test_default_matches_builtin(void **state)
{
	struct theme	builtin, file;
	char		path[PATH_MAX], err[512];
	int		k;

	(void)state;
	theme_default(&builtin);
	shipped_path("default", path, sizeof path);
	assert_int_equal(theme_load_file(&file, path, NULL, err, sizeof err),
	    0);
	for (k = 0; k < THEME_NKEYS; k++) {
		assert_int_equal(file.c[k].fg, builtin.c[k].fg);
		assert_int_equal(file.c[k].bg, builtin.c[k].bg);
		assert_int_equal(file.c[k].attr, builtin.c[k].attr);
	}
	shipped_path("mono", path, sizeof path);
	assert_int_equal(theme_load_file(&file, path, NULL, err, sizeof err),
	    0);
	for (k = 0; k < THEME_NKEYS; k++) {
		assert_int_equal(file.c[k].fg, THEME_DEFAULT_COLOR);
		assert_int_equal(file.c[k].bg, THEME_DEFAULT_COLOR);
	}
	assert_true(file.c[THEME_ROW_SELECTED].attr & THEME_REVERSE);
}

/* The contrast theme never tells two things apart by red against green. */
static void
test_contrast_no_red_green(void **state)
{
	struct theme	t;
	char		path[PATH_MAX], err[512];
	int		k;

	(void)state;
	shipped_path("contrast", path, sizeof path);
	assert_int_equal(theme_load_file(&t, path, NULL, err, sizeof err), 0);
	for (k = 0; k < THEME_NKEYS; k++) {
		if (t.c[k].fg == 1 || t.c[k].fg == 2 || t.c[k].fg == 9 ||
		    t.c[k].fg == 10 || t.c[k].bg == 1 || t.c[k].bg == 2 ||
		    t.c[k].bg == 9 || t.c[k].bg == 10)
			fail_msg("contrast: %s uses red or green",
			    theme_key_name(k));
	}
	assert_int_not_equal(t.c[THEME_EVENT_OK].fg, t.c[THEME_EVENT_FAIL].fg);
	assert_true(t.c[THEME_EVENT_FAIL].attr & THEME_UNDERLINE);
}

/* Good and bad colour values. */
static void
test_parse_color(void **state)
{
	static const char *const	 bad[] = {
		"", "red", "purple,blue", "256,0", "red,blue,blink", "red,,bold",
		",red", "red,blue,", "-2,0", "brightpurple,red", "1e3,0",
		"red,blue,bold,", "0x10,0",
	};
	struct theme_color		 c;
	char				 err[256];
	size_t				 i;

	(void)state;
	assert_int_equal(theme_parse_color("red,blue", &c, err, sizeof err),
	    0);
	assert_int_equal(c.fg, 1);
	assert_int_equal(c.bg, 4);
	assert_int_equal(c.attr, 0);
	assert_int_equal(theme_parse_color(" BrightRed , default , bold , "
	    "underline", &c, err, sizeof err), 0);
	assert_int_equal(c.fg, 9);
	assert_int_equal(c.bg, THEME_DEFAULT_COLOR);
	assert_int_equal(c.attr, THEME_BOLD | THEME_UNDERLINE);
	assert_int_equal(theme_parse_color("208,0,reverse,dim", &c, err,
	    sizeof err), 0);
	assert_int_equal(c.fg, 208);
	assert_int_equal(c.bg, 0);
	assert_int_equal(c.attr, THEME_REVERSE | THEME_DIM);
	for (i = 0; i < nitems_of(bad); i++) {
		c.fg = 77;
		err[0] = '\0';
		if (theme_parse_color(bad[i], &c, err, sizeof err) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_true(err[0] != '\0');
		assert_int_equal(c.fg, 77);	/* untouched */
	}
}

/* A syntax error is reported as FILE:LINE and leaves the theme alone. */
static void
test_syntax_error(void **state)
{
	struct theme	t;
	char		path[PATH_MAX], err[512], want[PATH_MAX + 8];

	(void)state;
	write_file("broken.theme", "# a broken theme\nrow = \"red,blue\";\n"
	    "header = ;\n", path, sizeof path);
	theme_default(&t);
	strlcpy(t.name, "before", sizeof t.name);
	assert_int_equal(theme_load_file(&t, path, NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:3: ", path);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, want);
	assert_string_equal(t.name, "before");
}

/* Value and type errors are reported as FILE:LINE: key: reason. */
static void
test_value_errors(void **state)
{
	struct theme	t;
	char		path[PATH_MAX], err[512], want[PATH_MAX + 64];

	(void)state;
	write_file("value.theme", "row = \"red,blue\";\n\n"
	    "spark = \"purple,default\";\n", path, sizeof path);
	assert_int_equal(theme_load_file(&t, path, NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:3: spark: unknown colour \"purple\"",
	    path);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, want);
	write_file("type.theme", "row = 5;\n", path, sizeof path);
	assert_int_equal(theme_load_file(&t, path, NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:1: row: expected a string", path);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, want);
	write_file("attr.theme", "row = \"red,blue,blink\";\n", path,
	    sizeof path);
	assert_int_equal(theme_load_file(&t, path, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: row: unknown attribute \"blink\""));
}

/* Unknown keys warn; missing keys keep the default theme's values. */
static void
test_unknown_and_missing(void **state)
{
	struct theme	t, def;
	struct buf	warn = { NULL, 0, 0 };
	char		path[PATH_MAX], err[512];

	(void)state;
	write_file("partial.theme", "row = \"yellow,black\";\n"
	    "rwo = \"red,blue\";\n", path, sizeof path);
	assert_int_equal(theme_load_file(&t, path, &warn, err, sizeof err), 0);
	buf_add(&warn, "", 1);
	assert_non_null(strstr(warn.data, ":2: unknown colour key \"rwo\""));
	assert_int_equal(t.c[THEME_ROW].fg, 3);
	assert_int_equal(t.c[THEME_ROW].bg, 0);
	theme_default(&def);
	assert_int_equal(t.c[THEME_HEADER].fg, def.c[THEME_HEADER].fg);
	assert_int_equal(t.c[THEME_HEADER].bg, def.c[THEME_HEADER].bg);
	assert_int_equal(t.c[THEME_HEADER].attr, def.c[THEME_HEADER].attr);
	assert_string_equal(t.name, "partial");
	buf_free(&warn);
}

/* The user's directory comes first; a path is used as is. */
static void
test_search_order(void **state)
{
	struct theme	t;
	char		dir[PATH_MAX], path[PATH_MAX], err[512];

	(void)state;
	snprintf(dir, sizeof dir, "%s/pooltop", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/pooltop/themes", tmpdir);
	mkdir(dir, 0700);
	write_file("pooltop/themes/mono.theme", "row = \"red,blue\";\n", path,
	    sizeof path);
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	assert_int_equal(theme_find("mono", dir, sizeof dir), 0);
	assert_string_equal(dir, path);
	assert_int_equal(theme_load(&t, "mono", NULL, err, sizeof err), 0);
	assert_int_equal(t.c[THEME_ROW].fg, 1);
	/* Not in the user's directory: the shipped one. */
	assert_int_equal(theme_load(&t, "light", NULL, err, sizeof err), 0);
	assert_non_null(strstr(t.path, "/themes/light.theme"));
	assert_int_equal(theme_load(&t, path, NULL, err, sizeof err), 0);
	assert_int_equal(t.c[THEME_ROW].fg, 1);
	assert_int_equal(theme_load(&t, "no-such-theme", NULL, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "no-such-theme"));
	assert_int_equal(theme_load(&t, "../etc/passwd", NULL, err,
	    sizeof err), -1);
	assert_int_equal(theme_load(&t, "/nonexistent/x.theme", NULL, err,
	    sizeof err), -1);
	unsetenv("XDG_CONFIG_HOME");
}

/* Duration and byte formats fit their columns. */
static void
test_formats(void **state)
{
	char	b[32];

	(void)state;
	ui_fmt_duration(b, sizeof b, 0);
	assert_string_equal(b, "0:00");
	ui_fmt_duration(b, sizeof b, 75 * PT_NSEC);
	assert_string_equal(b, "1:15");
	ui_fmt_duration(b, sizeof b, 3725 * PT_NSEC);
	assert_string_equal(b, "1:02:05");
	ui_fmt_duration(b, sizeof b, 500000LL * PT_NSEC);
	assert_string_equal(b, "5d18h");
	ui_fmt_duration(b, sizeof b, -1);
	assert_string_equal(b, "-");
	ui_fmt_bytes(b, sizeof b, 512);
	assert_string_equal(b, "512B");
	ui_fmt_bytes(b, sizeof b, 64ULL << 20);
	assert_string_equal(b, "64M");
	ui_fmt_bytes(b, sizeof b, 3ULL << 40);
	assert_true(strlen(b) <= 5);
}

/* Sparklines: one glyph per value, zero the lowest. */
static void
test_spark(void **state)
{
	uint16_t	v[4] = { 0, 1000, 500, 2000 };
	char		b[64];

	(void)state;
	ui_spark(b, sizeof b, v, 4, 1000, false);
	assert_string_equal(b, "_#=#");
	ui_spark(b, sizeof b, v, 4, 1000, true);
	assert_string_equal(b, "\xe2\x96\x81\xe2\x96\x88\xe2\x96\x85"
	    "\xe2\x96\x88");
	ui_spark(b, 3, v, 4, 1000, false);
	assert_string_equal(b, "_#");
}

/* A size from the environment, or def. */
static long
env_size(const char *name, long def)
{
	const char	*v = getenv(name);

	return v != NULL && atol(v) > 0 ? atol(v) : def;
}

/*
 * Load the theme in b (written to name) within HUGE_LIMIT_MS; the error
 * must start with want (printf'd with the path), or it loads (want NULL).
 * Before themes were read as config files are, 100,000 unknown keys or a
 * 10 MB string each took minutes in libconfig; now a few ms.
 */
static void
theme_bounded(const char *name, struct buf *b, const char *want,
    struct buf *warn)
{
	struct theme	 t;
	struct timespec	 start, now;
	char		 path[PATH_MAX], err[512], w[PATH_MAX + 128];
	long		 ms, limit = env_size("HUGE_LIMIT_MS", 10000);
	int		 r;
	FILE		*f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
	assert_int_equal(fclose(f), 0);
	err[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &start);
	r = theme_load_file(&t, path, warn, err, sizeof err);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - start.tv_sec) * 1000 +
	    (now.tv_nsec - start.tv_nsec) / 1000000;
	print_message("%s: %ld ms\n", name, ms);
	if (want == NULL && r != 0)
		fail_msg("%s: %s", name, err);
	if (want != NULL) {
		snprintf(w, sizeof w, want, path);
		assert_int_equal(r, -1);
		if (strncmp(err, w, strlen(w)) != 0)
			fail_msg("%s:\n got  %s\n want %s", name, err, w);
	}
	if (ms > limit)
		fail_msg("%s: %ld ms, more than %ld", name, ms, limit);
}

/*
 * Huge themes are refused quickly with FILE[:LINE]: many unknown keys, a
 * 10 MB colour string, deep groups, one key many times; under the limits
 * they load, and unknown keys give a few warnings, not one each.  Sizes:
 * HUGE_KEYS (100000), HUGE_STRING_MB (10).
 */
static void
test_huge_themes(void **state)
{
	struct buf	 b = { NULL, 0, 0 }, warn = { NULL, 0, 0 };
	long		 n = env_size("HUGE_KEYS", 100000), i;
	long		 mb = env_size("HUGE_STRING_MB", 10);
	size_t		 lines = 0;
	char		*p;

	(void)state;
	for (i = 0; i < n; i++)
		buf_printf(&b, "zz%ld = \"red,blue\";\n", i);
	theme_bounded("keys.theme", &b, "%s: larger than 64 KiB", NULL);

	b.len = 0;
	for (i = 0; i < 1001; i++)
		buf_printf(&b, "z%ld=1;", i);
	theme_bounded("keys1001.theme", &b, "%s:1: more than 1000 settings "
	    "in one group", NULL);

	b.len = 0;
	for (i = 0; i < 900; i++)
		buf_printf(&b, "zz%ld = \"red,blue\";\n", i);
	buf_addstr(&b, "row = \"red,blue\";\n");
	theme_bounded("keys900.theme", &b, NULL, &warn);
	buf_add(&warn, "", 1);
	for (p = warn.data; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, 6);
	assert_non_null(strstr(warn.data, ":5: unknown colour key \"zz4\""));
	assert_non_null(strstr(warn.data, ": 895 more unknown colour keys"));

	/* Many keys of a known kind: libconfig refuses the second. */
	b.len = 0;
	for (i = 0; i < 999; i++)
		buf_addstr(&b, "row = \"red,blue\";\n");
	theme_bounded("dup.theme", &b, "%s:2: duplicate setting name", NULL);

	b.len = 0;
	buf_addstr(&b, "row = \"red,");
	for (i = 0; i < mb * 1024 * 1024; i++)
		buf_add(&b, "x", 1);
	buf_addstr(&b, "\";\n");
	theme_bounded("string.theme", &b, "%s: larger than 64 KiB", NULL);

	b.len = 0;
	buf_addstr(&b, "row = \"red,");
	for (i = 0; i < 60 * 1024; i++)
		buf_add(&b, "x", 1);
	buf_addstr(&b, "\";\n");
	theme_bounded("string60k.theme", &b, "%s:1: row: bad colour "
	    "\"red,xxxx", NULL);
	assert_true(b.len > 60 * 1024);

	b.len = 0;
	buf_addstr(&b, "row = ");
	for (i = 0; i < 5000; i++)
		buf_add(&b, "{ a = ", 6);
	theme_bounded("deep.theme", &b, "%s:1: nested more than 64 levels "
	    "deep", NULL);
	buf_free(&b);
	buf_free(&warn);
}

/* Make the temporary directory. */
static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/pt-theme.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Remove the temporary directory. */
static int
teardown(void **state)
{
	char	cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_load),
		cmocka_unit_test(test_shipped_complete),
		cmocka_unit_test(test_default_matches_builtin),
		cmocka_unit_test(test_contrast_no_red_green),
		cmocka_unit_test(test_parse_color),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_unknown_and_missing),
		cmocka_unit_test(test_search_order),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_spark),
		cmocka_unit_test(test_huge_themes),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		setlocale(LC_ALL, "");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/nonexistent", 1);
	return cmocka_run_group_tests(tests, setup, teardown);
}

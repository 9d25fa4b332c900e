/*
 * Tests of a task's directory (workdir.c): paths joined and made plain as
 * cd -L makes them, GNU parallel's tidying, a template's directory a task
 * and the '..' an item may not add, making and removing one.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>

#include <cmocka.h>

#include "opts.h"
#include "pool-xfer.h"
#include "proto.h"
#include "workdir.h"

/* join(base, rel) as a string. */
static const char *
join(const char *base, const char *rel)
{
	static char	d[PATH_MAX];

	assert_int_equal(workdir_join(d, sizeof d, base, rel), 0);
	return d;
}

/* Relative to base, made plain: no //, no ., a .. takes one away. */
static void
test_join(void **state)
{
	(void)state;
	assert_string_equal(join("/a/b", "c"), "/a/b/c");
	assert_string_equal(join("/a/b", ""), "/a/b");
	assert_string_equal(join("/a/b", "/x//y/"), "/x/y");
	assert_string_equal(join("/a/b", "../up/x"), "/a/up/x");
	assert_string_equal(join("/a/b", "./c/./d"), "/a/b/c/d");
	assert_string_equal(join("/", "c"), "/c");
	assert_string_equal(join("/a", "../../.."), "/");
	assert_string_equal(join("/a", "-x"), "/a/-x");
	assert_string_equal(join("/a", "$(id)/a\nb"), "/a/$(id)/a\nb");
	assert_string_equal(join("/a", "..b/.c"), "/a/..b/.c");
}

/* "DIR-N" for ..., DIR itself otherwise; too long said. */
static void
test_seq(void **state)
{
	char	d[32];

	(void)state;
	assert_int_equal(workdir_seq(d, sizeof d, "/h/t", PT_CONF_WD_UNIQUE,
	    12), 0);
	assert_string_equal(d, "/h/t-12");
	assert_int_equal(workdir_seq(d, sizeof d, "/h/t", 0, 12), 0);
	assert_string_equal(d, "/h/t");
	assert_int_equal(workdir_seq(d, 6, "/h/t", PT_CONF_WD_UNIQUE, 12),
	    ENAMETOOLONG);
}

/* GNU parallel's: /./ made /, no / at the end, no ./ at the start. */
static void
test_tidy(void **state)
{
	char	d[64];

	(void)state;
	strcpy(d, "./t/./q/");
	workdir_tidy(d);
	assert_string_equal(d, "t/q");
	strcpy(d, "/");
	workdir_tidy(d);
	assert_string_equal(d, "/");
}

/* The directory of a task with item arg under template tpl; why. */
static char *
task_dir(const char *tpl, const char *arg, char *why, size_t len)
{
	struct opts		 o;
	struct workdir		*x;
	struct xfer_task	 t;
	char			 err[256], *d;

	memset(&o, 0, sizeof o);
	o.workdir = (char *)tpl;
	x = workdir_new(&o, err, sizeof err);
	assert_non_null(x);
	memset(&t, 0, sizeof t);
	t.seq = 7;
	t.arg = arg;
	d = workdir_task(x, &t, why, len);
	workdir_free(x);
	return d;
}

/* An item is data; it may not add a '..' the template has not. */
static void
test_task(void **state)
{
	char	why[256], *d;

	(void)state;
	d = task_dir("out/{}", "a b", why, sizeof why);
	assert_string_equal(d, "out/a b");
	free(d);
	d = task_dir("out/{#}-{}/", "$(id)", why, sizeof why);
	assert_string_equal(d, "out/7-$(id)");
	free(d);
	d = task_dir("{}", "", why, sizeof why);
	assert_string_equal(d, "");
	free(d);
	assert_null(task_dir("out/{}", "../../etc", why, sizeof why));
	assert_non_null(strstr(why, "may not add '..'"));
	assert_null(task_dir("out/{}", "..", why, sizeof why));
	assert_null(task_dir("out/{}.", ".", why, sizeof why));
	d = task_dir("../up/{}", "x", why, sizeof why);
	assert_string_equal(d, "../up/x");
	free(d);
	assert_null(task_dir("../up/{}", "x/../..", why, sizeof why));
	d = task_dir("out/{}", "..x", why, sizeof why);
	assert_string_equal(d, "out/..x");
	free(d);
}

/* One for all, made absolute; . nothing; a template one a task. */
static void
test_new(void **state)
{
	struct opts	 o;
	struct workdir	*x;
	char		 err[256], cwd[PATH_MAX], want[PATH_MAX + 8];
	uint32_t	 flags;
	bool		 temp;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	memset(&o, 0, sizeof o);
	o.workdir = (char *)".";
	assert_null(workdir_new(&o, err, sizeof err));
	assert_string_equal(err, "");
	o.workdir = (char *)"sub/./d/";
	x = workdir_new(&o, err, sizeof err);
	assert_non_null(x);
	snprintf(want, sizeof want, "%s/sub/d", strcmp(cwd, "/") ? cwd : "");
	assert_string_equal(workdir_fixed(x, &flags, &temp), want);
	assert_false(temp);
	workdir_free(x);
	o.workdir = (char *)"t/{}";
	o.persistent = (char *)"cat";
	assert_null(workdir_new(&o, err, sizeof err));
	assert_non_null(strstr(err, "a --persistent program"));
}

/* Made with its parents; a file in the way said; removed whole. */
static void
test_make(void **state)
{
	char	tmpl[] = "/tmp/pooltop-wd.XXXXXX", d[PATH_MAX];
	FILE	*f;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(d, sizeof d, "%s/a/b/c", tmpl);
	assert_int_equal(workdir_make(d), 0);
	assert_int_equal(workdir_make(d), 0);	/* there already */
	snprintf(d, sizeof d, "%s/a/b/c/f", tmpl);
	assert_non_null(f = fopen(d, "w"));
	fclose(f);
	snprintf(d, sizeof d, "%s/a/b/c/f/g", tmpl);
	assert_int_equal(workdir_make(d), ENOTDIR);
	snprintf(d, sizeof d, "%s/a/b/c/f", tmpl);
	assert_int_equal(workdir_make(d), ENOTDIR);
	workdir_remove(tmpl);
	assert_int_equal(access(tmpl, F_OK), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_tidy),
		cmocka_unit_test(test_task),
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_make),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

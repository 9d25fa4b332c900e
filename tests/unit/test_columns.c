/*
 * Columns (--colsep, --csv, --header names) and the sources built on them:
 * a product split into columns, its header, CSV records over several lines,
 * groups of items (-N) and the shuffle.
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "median.h"
#include "pool-columns.h"
#include "pool-source.h"
#include "util.h"

#define POLL_MS		20000		/* a bound, never a delay */

/* The columns of line joined by '|', or NULL if refused. */
static char *
split(const char *colsep, bool csv, const char *line)
{
	struct columns	*c;
	struct buf	 b = { NULL, 0, 0 };
	char		**v = NULL, err[256];
	size_t		 n = 0, i;
	int		 r;

	c = columns_new(colsep, csv, err, sizeof err);
	assert_non_null(c);
	r = columns_split(c, line, &v, &n, err, sizeof err);
	columns_free(c);
	if (r == -1) {
		assert_int_equal(n, 0);
		free(v);
		return NULL;
	}
	buf_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s%s", i ? "|" : "", v[i]);
		free(v[i]);
	}
	free(v);
	return b.data;
}

/* split() gives want. */
static void
check_split(const char *colsep, bool csv, const char *line, const char *want)
{
	char	*got = split(colsep, csv, line);

	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(got, want) != 0)
		fail_msg("%s '%s' on \"%s\": got \"%s\", want \"%s\"",
		    csv ? "--csv" : "--colsep", colsep ? colsep : "(tab)",
		    line, got ? got : "(refused)", want ? want : "(refused)");
	free(got);
}

static void
test_colsep(void **state)
{
	char	err[256];

	(void)state;
	check_split(",", false, "a,,b,", "a||b|");
	check_split(",", false, "", "");
	check_split(",", false, ",", "|");
	check_split("\\s+", false, "a  b\tc", "a|b|c");
	check_split("\\t", false, "a\tb c\t", "a|b c|");
	check_split("[|]", false, "a|b.c", "a|b.c");
	check_split("\\.", false, "a|b.c", "a|b|c");
	check_split("[\\t,]", false, "a\tb,c", "a|b|c");
	check_split("\\d+", false, "a12b3", "a|b|");
	check_split("\\x2e", false, "a.b", "a|b");
	check_split("X*", false, "aXXbXc", "a|b|c|");
	check_split("X*", false, "X", "|");
	check_split("\303\251", false, "a\303\251b\303\251", "a|b|");
	check_split("[[:space:]]", false, "a b", "a|b");
	check_split(NULL, false, "a\tb", "a|b");
	assert_null(columns_new("(?i)x", false, err, sizeof err));
	assert_non_null(strstr(err, "--colsep '(?i)x'"));
	assert_null(columns_new("[\\S]", false, err, sizeof err));
	assert_null(columns_new("a+++", false, err, sizeof err));
	assert_non_null(strstr(err, "right after another"));
	assert_null(columns_new("a{2}*", false, err, sizeof err));
	check_split("a{2}", false, "baaab", "b|ab");
	check_split(",+", false, "a,,b", "a|b");
	assert_null(columns_new("", false, err, sizeof err));
}

static void
test_csv(void **state)
{
	char	err[256];

	(void)state;
	check_split(NULL, true, "a,\"b,c\",\"d\"\"e\",", "a|b,c|d\"e|");
	check_split(NULL, true, "\"x\ny\",z", "x\ny|z");
	check_split(NULL, true, "", "");
	check_split(NULL, true, " a , b ", " a | b ");
	check_split(NULL, true, "a,b\r", "a|b");
	check_split(NULL, true, "\"\",\"\"\"\"", "|\"");
	check_split(";", true, "a;\"b;c\"", "a|b;c");
	check_split(NULL, true, "a\"b,c", NULL);
	check_split(NULL, true, "\"ab\"x,c", NULL);
	check_split(NULL, true, "\"ab", NULL);
	assert_null(columns_new(";;", true, err, sizeof err));
}

static void
test_rename(void **state)
{
	char *const	 names[] = { "host", "port", "a b", "host", "7", "" };
	char		*r;

	(void)state;
	r = columns_rename("ssh {host} -p {port} {a b} {host.} {host/.} "
	    "{hostx} {7} {} {port", names, 6);
	assert_string_equal(r, "ssh {1} -p {2} {3} {1.} {1/.} {hostx} {7} {} "
	    "{port");
	free(r);
}

/* Read every item of s (polling its fd): "arg<nargs>" each, "; " between. */
static char *
drain(struct source *s)
{
	struct buf	 b = { NULL, 0, 0 };
	struct item	 it;
	struct pollfd	 pfd;
	int		 r;

	buf_add(&b, "", 0);
	while ((r = source_next(s, &it)) != -1) {
		if (r == 0) {
			pfd.fd = source_fd_get(s);
			pfd.events = POLLIN;
			assert_int_equal(poll(&pfd, 1, POLL_MS), 1);
			source_fill(s);
			continue;
		}
		buf_printf(&b, "%s%llu:%s<%zu>", b.len ? "; " : "",
		    (unsigned long long)it.seq, it.arg, it.nargs);
		item_clear(&it);
	}
	return b.data;
}

/* A pipe holding text, its write end closed. */
static int
pipe_of(const char *text)
{
	ssize_t	n = (ssize_t)strlen(text);
	int	p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], text, (size_t)n), n);
	close(p[1]);
	return p[0];
}

/* One source split into columns, with or without a header. */
static struct source *
columns_of(struct source *one, const char *colsep, bool csv, bool header)
{
	struct source	*s;
	char		 err[256];
	bool		 linked = false;

	s = source_product(&one, &linked, 1);
	source_columns(s, columns_new(colsep, csv, err, sizeof err), header);
	return s;
}

static void
test_product_columns(void **state)
{
	static char	*ab[] = { "a,b", "c" }, *xy[] = { "x,y" };
	struct source	*subs[2], *s;
	char *const	*names;
	char		*got;
	bool		 linked[2] = { false, false };
	size_t		 n;

	(void)state;
	subs[0] = source_args(ab, 2);
	subs[1] = source_args(xy, 1);
	s = source_product(subs, linked, 2);
	source_columns(s, columns_new(",", false, NULL, 0), false);
	got = drain(s);
	assert_string_equal(got, "1:a b x y<4>; 2:c x y<3>");
	free(got);
	source_free(s);

	/* A header on a pipe, then CSV records over several lines. */
	subs[0] = source_fd(pipe_of("h1,\"h 2\"\n\"a\nb\",c\n,\"\"\"\"\n"),
	    "p", '\n');
	source_fd_csv(subs[0]);
	s = columns_of(subs[0], NULL, true, true);
	while (source_header(s, &names, &n) == 0)
		source_fill(s);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "h1");
	assert_string_equal(names[1], "h 2");
	got = drain(s);
	assert_string_equal(got, "1:a\nb c<2>; 2: \"<2>");
	free(got);
	source_free(s);

	/* A bad record ends the source with its place. */
	subs[0] = source_fd(pipe_of("a\nb\"c\n"), "in", '\n');
	source_fd_csv(subs[0]);
	s = columns_of(subs[0], NULL, true, false);
	got = drain(s);
	assert_string_equal(got, "1:a<1>");
	free(got);
	assert_non_null(source_error(s));
	assert_non_null(strstr(source_error(s), "in:2: not a well-formed"));
	source_free(s);
}

static void
test_group(void **state)
{
	static char	*five[] = { "a", "b c", "d", "e", "f" };
	static char	*one[] = { "x" };
	struct source	*subs[2], *s;
	char		*got;
	bool		 linked[2] = { false, false };
	uint64_t	 total;

	(void)state;
	s = source_group(source_args(five, 5), 2);
	assert_true(source_total(s, &total));
	assert_int_equal(total, 3);
	got = drain(s);
	assert_string_equal(got, "1:a b c<2>; 2:d e<2>; 3:f<1>");
	free(got);
	source_free(s);

	s = source_group(source_args(five, 2), 0);
	got = drain(s);
	assert_string_equal(got, "1:<0>; 2:<0>");
	free(got);
	source_free(s);

	subs[0] = source_args(five, 3);
	subs[1] = source_args(one, 1);
	s = source_group(source_product(subs, linked, 2), 2);
	got = drain(s);
	assert_string_equal(got, "1:a x b c x<4>; 2:d x<2>");
	free(got);
	source_free(s);

	/* From a pipe, the last group short. */
	s = source_group(source_fd(pipe_of("1\n2\n3\n4\n5"), "p", '\n'), 3);
	got = drain(s);
	assert_string_equal(got, "1:1 2 3<3>; 2:4 5<2>");
	free(got);
	source_free(s);
}

static void
test_shuffle(void **state)
{
	struct source	*s;
	struct item	 it;
	char		*items[64], seen[64];
	size_t		 i, moved = 0;
	int		 r;

	(void)state;
	for (i = 0; i < 64; i++)
		items[i] = xasprintf("%zu", i);
	memset(seen, 0, sizeof seen);
	s = source_shuffle(source_args(items, 64));
	for (i = 0; (r = source_next(s, &it)) == 1; i++) {
		assert_int_equal(it.seq, i + 1);
		assert_false(seen[atoi(it.arg)]);
		seen[atoi(it.arg)] = 1;
		moved += (size_t)atoi(it.arg) != i;
		item_clear(&it);
	}
	assert_int_equal(r, -1);
	assert_int_equal(i, 64);
	assert_true(moved > 0);		/* 1 in 64! to fail by chance */
	source_free(s);
	for (i = 0; i < 64; i++)
		free(items[i]);
}

/* "echo" and the arguments, a space before each. */
static size_t
echo_len(void *arg, const char *const *args, size_t n)
{
	size_t	len = 4, i;

	(void)arg;
	for (i = 0; i < n; i++)
		len += 1 + strlen(args[i]);
	return len;
}

static void
test_xargs(void **state)
{
	static char	*eight[] = { "1", "2", "3", "4", "5", "6", "7", "8" };
	static char	*big[] = { "123456789012", "a" };
	struct source	*s;
	char		*got;

	(void)state;
	/* "echo 1 2 3" is 10 bytes, shorter than 12; one more is not. */
	s = source_xargs(source_args(eight, 8), echo_len, NULL, 12, 0, 1);
	got = drain(s);
	assert_string_equal(got, "1:1 2 3<3>; 2:4 5 6<3>; 3:7 8<2>");
	free(got);
	source_free(s);
	/* -m over 3 jobs: the input ends at once, spread 3 3 2. */
	s = source_xargs(source_args(eight, 8), echo_len, NULL, 1000, 0, 3);
	got = drain(s);
	assert_string_equal(got, "1:1 2 3<3>; 2:4 5 6<3>; 3:7 8<2>");
	free(got);
	source_free(s);
	/* At most 2 items (-N 2), from a pipe. */
	s = source_xargs(source_fd(pipe_of("1\n2\n3\n4\n5\n"), "p", '\n'),
	    echo_len, NULL, 1000, 2, 1);
	got = drain(s);
	assert_string_equal(got, "1:1 2<2>; 2:3 4<2>; 3:5<1>");
	free(got);
	source_free(s);
	/* An item too long alone ends the source. */
	s = source_xargs(source_args(big, 2), echo_len, NULL, 10, 0, 1);
	got = drain(s);
	assert_string_equal(got, "");
	free(got);
	assert_non_null(source_error(s));
	assert_non_null(strstr(source_error(s), "too long (17 >= 10)"));
	source_free(s);
}

static void
test_lines(void **state)
{
	static char	*in[] = { "a b", "c ", "d", "", "e\t", "f  ", "g" };
	static char	*open_end[] = { "x", "y " };
	struct source	*s;
	struct item	 it;
	char		*got;
	int		 p[2];

	(void)state;
	s = source_lines(source_args(in, 7));
	got = drain(s);
	assert_string_equal(got, "1:a b<0>; 2:c d<0>; 3:<0>; 4:e\tf  g<0>");
	free(got);
	source_free(s);
	s = source_lines(source_args(open_end, 2));
	got = drain(s);
	assert_string_equal(got, "1:x<0>; 2:y <0>");
	free(got);
	source_free(s);
	/* Freed with a line going on: nothing leaks (the sanitizer says). */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "a \n", 3), 3);
	s = source_lines(source_fd(p[0], "p", '\n'));
	assert_int_equal(source_next(s, &it), 0);
	source_free(s);
	close(p[1]);
}

/* The running median --timeout N% uses (tested here, with the input's). */
static void
test_median(void **state)
{
	static const int64_t	 v[] = { 5, 1, 9, 3, 3, 100, -2, 7 };
	static const int64_t	 want[] = { 5, 1, 5, 3, 3, 3, 3, 3 };
	struct median		 m;
	int64_t			 got;
	size_t			 i;

	(void)state;
	memset(&m, 0, sizeof m);
	assert_false(median_get(&m, &got));
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		median_add(&m, v[i]);
		assert_true(median_get(&m, &got));
		assert_int_equal(got, want[i]);
	}
	for (i = 0; i < 10000; i++)
		median_add(&m, (int64_t)(i * 7919 % 10007));
	assert_true(median_get(&m, &got));
	assert_true(got > 4000 && got < 6000);
	median_free(&m);
	assert_false(median_get(&m, &got));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colsep),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_product_columns),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_shuffle),
		cmocka_unit_test(test_xargs),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_median),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Tests of the failure groups (pool-failures.c): the last stderr line a
 * task is grouped by, the groups' order and samples, text and JSON.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pool-failures.h"

/* A tail holding s (len bytes). */
static void
tail_of(struct fail_tail *t, const char *s, size_t len)
{
	t->len = 0;
	fail_tail_add(t, s, len);
}

/* The last non-blank line, its trailing blanks trimmed; none: empty. */
static void
test_key_line(void **state)
{
	struct fail_tail	t;
	struct fail_key		k;

	(void)state;
	tail_of(&t, "noise\nE: disk full  \t\r\n\n \n", 26);
	fail_key_set(&k, 1, 0, &t);
	assert_int_equal(k.len, 12);
	assert_memory_equal(k.line, "E: disk full", 12);
	tail_of(&t, "no newline", 10);
	fail_key_set(&k, 1, 0, &t);
	assert_int_equal(k.len, 10);
	tail_of(&t, " \n\t\n", 4);
	fail_key_set(&k, 1, 0, &t);
	assert_int_equal(k.len, 0);
	fail_key_set(&k, 0, 9, NULL);
	assert_int_equal(k.len, 0);
	assert_int_equal(k.signal, 9);
	/* A NUL byte is part of the line. */
	tail_of(&t, "a\0b\n", 4);
	fail_key_set(&k, 2, 0, &t);
	assert_int_equal(k.len, 3);
	assert_memory_equal(k.line, "a\0b", 3);
}

/*
 * A two-line tail (a --workdir failure's): the first line for the event,
 * the last, the same for every task of one cause, for the key.
 */
static void
test_first_line(void **state)
{
	struct fail_tail	t;
	struct fail_key		k;
	const char		*s = "--workdir 'd/a': Not a directory\n"
				    "--workdir 'd/{}': Not a directory";

	(void)state;
	tail_of(&t, s, strlen(s));
	assert_int_equal(fail_tail_first_line(&t), 32);
	fail_key_set(&k, 255, 0, &t);
	assert_int_equal(k.len, 33);
	assert_memory_equal(k.line, "--workdir 'd/{}': Not a directory", 33);
	tail_of(&t, "one line", 8);		/* no newline: all of it */
	assert_int_equal(fail_tail_first_line(&t), 8);
	t.len = 0;
	assert_int_equal(fail_tail_first_line(&t), 0);
}

/* A line longer than FAIL_LINE keeps its start; the tail its end. */
static void
test_key_long(void **state)
{
	struct fail_tail	t;
	struct fail_key		k;
	char			b[2 * FAIL_TAIL];

	(void)state;
	memset(b, 'x', sizeof b);
	b[0] = 'A';
	b[sizeof b - 300] = '\n';
	b[sizeof b - 299] = 'B';
	tail_of(&t, b, sizeof b);
	assert_int_equal(t.len, FAIL_TAIL);
	fail_key_set(&k, 1, 0, &t);
	assert_int_equal(k.len, FAIL_LINE);
	assert_int_equal(k.line[0], 'B');
}

/* Same status, signal and line: one group; any difference: another. */
static void
test_key_same(void **state)
{
	struct fail_tail	t;
	struct fail_key		a, b;

	(void)state;
	tail_of(&t, "oops\n", 5);
	fail_key_set(&a, 1, 0, &t);
	fail_key_set(&b, 1, 0, &t);
	assert_true(fail_key_same(&a, &b));
	fail_key_set(&b, 2, 0, &t);
	assert_false(fail_key_same(&a, &b));
	fail_key_set(&b, 1, 15, &t);
	assert_false(fail_key_same(&a, &b));
	tail_of(&t, "oops!\n", 6);
	fail_key_set(&b, 1, 0, &t);
	assert_false(fail_key_same(&a, &b));
}

/* Most frequent first, ties by first task; the sample is the lowest. */
static void
test_group_order(void **state)
{
	struct fail_tail	 t;
	struct fail_key		 k[3];
	struct fail_member	 m[6];
	struct fail_group	*g;
	size_t			 n;

	(void)state;
	tail_of(&t, "x\n", 2);
	fail_key_set(&k[0], 1, 0, &t);
	fail_key_set(&k[1], 2, 0, &t);
	fail_key_set(&k[2], -1, 15, NULL);
	m[0] = (struct fail_member){ &k[1], 9, "i9", "c9" };
	m[1] = (struct fail_member){ &k[0], 7, "i7", "c7" };
	m[2] = (struct fail_member){ &k[2], 3, "i3", "c3" };
	m[3] = (struct fail_member){ &k[0], 5, "i5", "c5" };
	m[4] = (struct fail_member){ &k[1], 8, "i8", "c8" };
	m[5] = (struct fail_member){ &k[0], 6, "i6", "c6" };
	n = fail_group(m, 6, &g);
	assert_int_equal(n, 3);
	assert_int_equal(g[0].count, 3);
	assert_int_equal(g[0].seq, 5);
	assert_string_equal(g[0].item, "i5");
	assert_int_equal(g[1].count, 2);
	assert_int_equal(g[1].seq, 8);
	assert_int_equal(g[2].count, 1);
	assert_int_equal(g[2].key.exitval, -1);
	fail_groups_free(g, n);
	assert_int_equal(fail_group(m, 0, &g), 0);
	assert_null(g);
}

/* Text and JSON, escaped; max cuts the list. */
static void
test_formats(void **state)
{
	struct fail_tail	 t;
	struct fail_key		 k[2];
	struct fail_member	 m[2];
	struct fail_group	*g;
	struct buf		 b = { NULL, 0, 0 };
	size_t			 n;

	(void)state;
	tail_of(&t, "bad\tthing\x1b\n", 11);
	fail_key_set(&k[0], 3, 0, &t);
	fail_key_set(&k[1], -1, 15, NULL);
	m[0] = (struct fail_member){ &k[0], 1, "a\"b", "run a" };
	m[1] = (struct fail_member){ &k[1], 2, "c", "run c" };
	n = fail_group(m, 2, &g);
	fail_text(&b, g, n, 0, "> ");
	buf_add(&b, "", 1);
	assert_string_equal(b.data,
	    "> 1  1x exit 3: bad\\tthing\\x1b\n"
	    ">    e.g. task 1, item a\"b: run a\n"
	    "> 2  1x timeout: (no stderr)\n"
	    ">    e.g. task 2, item c: run c\n");
	b.len = 0;
	fail_json(&b, g, n, 1);
	buf_add(&b, "", 1);
	assert_string_equal(b.data, "[{\"group\":1,\"count\":1,\"exitval\":3,"
	    "\"signal\":0,\"timeout\":false,\"stderr\":\"bad\\u0009thing\\u001b\","
	    "\"sample\":{\"seq\":1,\"item\":\"a\\\"b\",\"command\":\"run a\"}}]");
	buf_free(&b);
	fail_groups_free(g, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_line),
		cmocka_unit_test(test_key_long),
		cmocka_unit_test(test_first_line),
		cmocka_unit_test(test_key_same),
		cmocka_unit_test(test_group_order),
		cmocka_unit_test(test_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

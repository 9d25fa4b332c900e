/*
 * Tests of the text module: one table of hostile inputs through every form,
 * with the expected output of each, then the bounded copies and the
 * message form.
 */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"
#include "util.h"

/*
 * in (len bytes, 0: strlen) and what each form makes of it: text_escape(),
 * text_json() without its quotes, text_cell() in a UTF-8 and in an ASCII
 * locale, text_copy() into a large buffer.
 */
static const struct {
	const char	*in;
	size_t		 len;
	const char	*esc, *json, *cell, *ascii, *copy;
} table[] = {
	{ "plain text ~", 0, "plain text ~", "plain text ~", "plain text ~",
	  "plain text ~", "plain text ~" },
	/* title */
	{ "\x1b]0;x\x07", 0, "\\x1b]0;x\\x07", "\\u001b]0;x\\u0007",
	  "\\x1b]0;x\\x07", "\\x1b]0;x\\x07", " ]0;x " },
	{ "\x1b[2J", 0, "\\x1b[2J", "\\u001b[2J", "\\x1b[2J", "\\x1b[2J",
	  " [2J" },
	{ "a\nb\tc\rd", 0, "a\\nb\\tc\\rd", "a\\u000ab\\u0009c\\u000dd",
	  "a\\nb\\tc\\rd", "a\\nb\\tc\\rd", "a b c d" },
	{ "del\x7f", 0, "del\\x7f", "del\\u007f", "del\\x7f", "del\\x7f",
	  "del " },
	{ "nul\0x", 5, "nul\\x00x", "nul\\u0000x", "nul", "nul", "nul" },
	{ "bad\xff\xfe!", 0, "bad\\xff\\xfe!", "bad\\u00ff\\u00fe!",
	  "bad\\xff\\xfe!", "bad\\xff\\xfe!", "bad\xff\xfe!" },
	/* overlong '/' */
	{ "\xc0\xaf", 0, "\\xc0\\xaf", "\\u00c0\\u00af",
	  "\\xc0\\xaf", "\\xc0\\xaf", "\xc0\xaf" },
	/* surrogate */
	{ "\xed\xa0\x80", 0, "\\xed\\xa0\\x80",
	  "\\u00ed\\u00a0\\u0080", "\\xed\\xa0\\x80", "\\xed\\xa0\\x80",
	  "\xed\xa0\x80" },
	/* > U+10FFFF */
	{ "\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80",
	  "\\u00f4\\u0090\\u0080\\u0080", "\\xf4\\x90\\x80\\x80",
	  "\\xf4\\x90\\x80\\x80", "\xf4\x90\x80\x80" },
	/* short */
	{ "cut\xe2\x82", 0, "cut\\xe2\\x82", "cut\\u00e2\\u0082",
	  "cut\\xe2\\x82", "cut\\xe2\\x82", "cut\xe2\x82" },
	/* C1 CSI */
	{ "\xc2\x9b" "31m", 0, "\\xc2\\x9b31m", "\\u009b31m",
	  "\\u009b31m", "\\xc2\\x9b31m", "\xc2\x9b" "31m" },
	/* RLO */
	{ "a\xe2\x80\xae" "b", 0, "a\\xe2\\x80\\xaeb", "a\\u202eb",
	  "a\\u202eb", "a\\xe2\\x80\\xaeb", "a\xe2\x80\xae" "b" },
	/* LRI */
	{ "\xe2\x81\xa6" "x", 0, "\\xe2\\x81\\xa6x", "\\u2066x",
	  "\\u2066x", "\\xe2\\x81\\xa6x", "\xe2\x81\xa6" "x" },
	/* Arabic mark */
	{ "\xd8\x9c" "x", 0, "\\xd8\\x9cx", "\\u061cx",
	  "\\u061cx", "\\xd8\\x9cx", "\xd8\x9c" "x" },
	/* ZWSP */
	{ "a\xe2\x80\x8b" "b", 0, "a\\xe2\\x80\\x8bb", "a\\u200bb",
	  "a\\u200bb", "a\\xe2\\x80\\x8bb", "a\xe2\x80\x8b" "b" },
	/* line sep */
	{ "\xe2\x80\xa8", 0, "\\xe2\\x80\\xa8", "\\u2028",
	  "\\u2028", "\\xe2\\x80\\xa8", "\xe2\x80\xa8" },
	/* word joiner */
	{ "\xe2\x81\xa0", 0, "\\xe2\\x81\\xa0", "\\u2060",
	  "\\u2060", "\\xe2\\x81\\xa0", "\xe2\x81\xa0" },
	/* BOM */
	{ "\xef\xbb\xbf" "x", 0, "\\xef\\xbb\\xbfx", "\\ufeffx",
	  "\\ufeffx", "\\xef\\xbb\\xbfx", "\xef\xbb\xbf" "x" },
	/* annotation */
	{ "\xef\xbf\xb9", 0, "\\xef\\xbf\\xb9", "\\ufff9",
	  "\\ufff9", "\\xef\\xbf\\xb9", "\xef\xbf\xb9" },
	{ "caf\xc3\xa9 \xe2\x82\xac", 0, "caf\xc3\xa9 \xe2\x82\xac",
	  "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac",
	  "caf\\xc3\\xa9 \\xe2\\x82\\xac", "caf\xc3\xa9 \xe2\x82\xac" },
	{ "q\"b\\s'", 0, "q\"b\\s'", "q\\\"b\\\\s'", "q\"b\\s'", "q\"b\\s'",
	  "q\"b\\s'" },
	{ "", 0, "", "", "", "", "" },
};

/* Every form of every input in the table. */
static void
test_table(void **state)
{
	struct buf	 b;
	char		*s, dst[64], *want;
	size_t		 i, len;

	(void)state;
	for (i = 0; i < nitems_of(table); i++) {
		len = table[i].len ? table[i].len : strlen(table[i].in);
		memset(&b, 0, sizeof b);
		buf_add(&b, "", 0);
		text_escape(&b, table[i].in, len);
		assert_string_equal(b.data, table[i].esc);
		buf_free(&b);

		memset(&b, 0, sizeof b);
		text_json(&b, table[i].in, len);
		want = xasprintf("\"%s\"", table[i].json);
		assert_string_equal(b.data, want);
		free(want);
		buf_free(&b);

		s = text_cell(table[i].in, len, true);
		assert_string_equal(s, table[i].cell);
		free(s);
		s = text_cell(table[i].in, len, false);
		assert_string_equal(s, table[i].ascii);
		free(s);

		text_copy(dst, sizeof dst, table[i].in, len);
		assert_string_equal(dst, table[i].copy);
	}
}

/* The cell asks the locale: an unassigned code point is escaped there. */
static void
test_cell_locale(void **state)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*s;

	(void)state;
	s = text_cell("\xcd\xb8", 2, true);		/* U+0378, unassigned */
	assert_string_equal(s, "\\u0378");
	free(s);
	text_escape(&b, "\xcd\xb8", 2);			/* the log does not */
	assert_string_equal(b.data, "\xcd\xb8");
	buf_free(&b);
	s = text_cell("abcdef", 3, true);		/* stops at len */
	assert_string_equal(s, "abc");
	free(s);
}

/* The hidden set, at its edges. */
static void
test_hidden(void **state)
{
	static const uint32_t	 hidden[] = { 0, 0x1f, 0x7f, 0x80, 0x9f,
	    0x61c, 0x200b, 0x200f, 0x2028, 0x202e, 0x2060, 0x2066, 0x206f,
	    0xfeff, 0xfff9, 0xfffb };
	static const uint32_t	 shown[] = { 0x20, 0x7e, 0xa0, 0xe9, 0x61b,
	    0x200a, 0x2010, 0x2027, 0x202f, 0x205f, 0x2070, 0xfefe, 0xfff8,
	    0xfffc, 0x1f600 };
	size_t			 i;

	(void)state;
	for (i = 0; i < nitems_of(hidden); i++)
		assert_true(text_hidden(hidden[i]));
	for (i = 0; i < nitems_of(shown); i++)
		assert_false(text_hidden(shown[i]));
}

/* The bounded copies never cut a character in two. */
static void
test_bounded(void **state)
{
	char	dst[8];

	(void)state;
	assert_int_equal(text_cut(dst, 4, "\xf0\x9f\x98\x80xyz"), 0);
	assert_string_equal(dst, "");
	assert_int_equal(text_cut(dst, 5, "\xf0\x9f\x98\x80xyz"), 4);
	assert_string_equal(dst, "\xf0\x9f\x98\x80");
	assert_int_equal(text_cut(dst, sizeof dst, "a\nb"), 3);
	assert_string_equal(dst, "a\nb");		/* as it is */
	assert_int_equal(text_cut(dst, sizeof dst, "abcdefghij"), 7);
	assert_string_equal(dst, "abcdefg");
	assert_int_equal(text_cut(dst, 0, "abc"), 0);

	assert_int_equal(text_copy(dst, 5, "a\tb\xc3\xa9z", SIZE_MAX), 3);
	assert_string_equal(dst, "a b");
	assert_int_equal(text_copy(dst, 6, "a\tb\xc3\xa9z", SIZE_MAX), 5);
	assert_string_equal(dst, "a b\xc3\xa9");
	assert_int_equal(text_copy(dst, sizeof dst, "line\n", 4), 4);
	assert_string_equal(dst, "line");
	assert_int_equal(text_copy(dst, 1, "abc", 3), 0);
	assert_string_equal(dst, "");
}

/* A value in a message: escaped, ' too, cut with "..." to fit. */
static void
test_brief(void **state)
{
	static const struct {
		const char	*in, *out;
	} t[] = {
		{ "abc", "abc" },
		{ "it's", "it\\x27s" },
		{ "a\nb\x1b", "a\\nb\\x1b" },
		{ "\xe2\x80\xae", "\\xe2\\x80\\xae" },
		{ "abcdefghijklmno", "abcdefghijklmno" },	/* just fits */
		{ "abcdefghijklmnop", "abcdefghijkl..." },
		/* whole escapes */
		{ "\x1b\x1b\x1b\x1b", "\\x1b\\x1b\\x1b..." },
		{ "ab\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		  "ab\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9..." },
		{ "", "" },
	};
	char	buf[16];
	size_t	i;

	(void)state;
	for (i = 0; i < nitems_of(t); i++)
		assert_string_equal(text_brief(buf, sizeof buf, t[i].in),
		    t[i].out);
}

/* text_word() makes one printable word of any bytes; text_unword() undoes it. */
static void
test_word(void **state)
{
	struct buf	 b = { 0 };
	char		 all[256], *s;
	size_t		 i;

	(void)state;
	for (i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	text_word(&b, all, 255);
	for (i = 0; i < b.len; i++)
		assert_true(b.data[i] > 0x20 && b.data[i] < 0x7f);
	s = text_unword(b.data);
	assert_non_null(s);
	assert_memory_equal(s, all, 256);
	free(s);
	b.len = 0;
	text_word(&b, "", 0);
	assert_string_equal(b.data, "%");
	s = text_unword(b.data);
	assert_string_equal(s, "");
	free(s);
	b.len = 0;
	text_word(&b, "a b%-", 5);
	assert_string_equal(b.data, "a%20b%25-");
	buf_free(&b);
	s = text_unword("%0a%0A");
	assert_string_equal(s, "\n\n");
	free(s);
	assert_null(text_unword("%00"));	/* no NUL in an item */
	assert_null(text_unword("a%2"));
	assert_null(text_unword("%zz"));
	assert_null(text_unword("%%"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_cell_locale),
		cmocka_unit_test(test_hidden),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_brief),
		cmocka_unit_test(test_word),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		setlocale(LC_ALL, "");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * libFuzzer target for the text module.  The input is any bytes; its first
 * byte also picks a buffer size for the bounded forms.  Invariants:
 *
 *  - text_escape(), text_cell() and text_brief() give no C0 byte and no
 *    DEL, and valid UTF-8 with no hidden code point (text_hidden());
 *    text_cell() in an ASCII locale gives ASCII only;
 *  - text_json() gives one JSON string: quoted, no raw control byte, " or
 *    hidden code point inside, each backslash followed by ", \ or uXXXX;
 *  - text_brief(), text_cut() and text_copy() fit their buffer, and cut
 *    valid UTF-8 only between characters; text_copy() gives no control
 *    byte.
 * A finding is an abort (or a sanitizer report).
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -I src -I BUILDDIR
 *	tests/fuzz/fuzz_text.c src/text.c src/util.c -lbsd
 * or tests/fuzz/run.sh.
 */
#include "config.h"

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Report a broken invariant and abort, so libFuzzer saves the input. */
static void
finding(const char *form, const char *what)
{
	fprintf(stderr, "fuzz_text: %s: %s\n", form, what);
	abort();
}

/* Is s (len bytes) valid UTF-8 with no control or hidden code point? */
static bool
shown_only(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, n;
	uint32_t		 cp;

	for (i = 0; i < len; i += n) {
		if ((n = text_utf8(u + i, len - i, &cp)) == 0 ||
		    text_hidden(cp) || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return false;
	}
	return true;
}

/* Is s (len bytes) valid UTF-8? */
static bool
valid(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, n;
	uint32_t		 cp;

	for (i = 0; i < len; i += n)
		if ((n = text_utf8(u + i, len - i, &cp)) == 0)
			return false;
	return true;
}

/* Check a JSON string: quotes, escapes, nothing hidden between them. */
static void
check_json(const char *s, size_t len)
{
	size_t	i;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		finding("json", "not quoted");
	for (i = 1; i < len - 1; i++) {
		if (s[i] == '"')
			finding("json", "raw quote");
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == '"' || s[i + 1] == '\\')
			i++;
		else if (s[i + 1] == 'u' && i + 6 <= len - 1 &&
		    strspn(s + i + 2, "0123456789abcdef") >= 4)
			i += 5;
		else
			finding("json", "bad escape");
	}
	if (!shown_only(s, len))
		finding("json", "hidden or invalid character");
}

/* Check the bounded copies into a buffer of size bytes. */
static void
check_bounded(const char *in, size_t len, size_t size)
{
	char	dst[64];
	size_t	n, i;

	n = text_cut(dst, size, in);
	if (n >= size || strlen(dst) != n)
		finding("cut", "does not fit");
	if (valid(in, strlen(in)) && !valid(dst, n))
		finding("cut", "cut a character");
	n = text_copy(dst, size, in, len);
	if (n >= size || strlen(dst) != n)
		finding("copy", "does not fit");
	for (i = 0; i < n; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			finding("copy", "control byte");
	if (valid(in, strnlen(in, len)) && !valid(dst, n))
		finding("copy", "cut a character");
	text_brief(dst, size < 4 ? 4 : size, in);
	if (!shown_only(dst, strlen(dst)))
		finding("brief", "hidden or invalid character");
}

/* Run one input through every form. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool	 once;
	struct buf	 b = { NULL, 0, 0 };
	char		*in, *s;
	size_t		 i;

	if (!once) {
		setlocale(LC_ALL, "C.UTF-8");
		once = true;
	}
	in = xmalloc(size + 1);
	memcpy(in, data, size);
	in[size] = '\0';

	buf_add(&b, "", 0);
	text_escape(&b, in, size);
	if (!shown_only(b.data, b.len))
		finding("escape", "hidden or invalid character");
	buf_free(&b);
	text_json(&b, in, size);
	check_json(b.data, b.len);
	buf_free(&b);

	s = text_cell(in, size, true);
	if (!shown_only(s, strlen(s)))
		finding("cell", "hidden or invalid character");
	free(s);
	s = text_cell(in, size, false);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] >= 0x7f || (unsigned char)s[i] < 0x20)
			finding("cell", "not printable ASCII");
	free(s);

	check_bounded(in, size, size > 0 ? (size_t)data[0] % 64 + 1 : 1);
	free(in);
	return 0;
}

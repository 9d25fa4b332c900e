/*
 * Display-safe text: one UTF-8 decoder, one set of hidden code points and
 * the forms built on them (see text.h).  Nothing here depends on the
 * locale but text_cell(), which asks the locale whether a character is
 * printable, since only the terminal knows how it will draw one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "text.h"

/* Length of the valid UTF-8 sequence at s with its code point, or 0. */
size_t
text_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t		 n, i;
	uint32_t	 c, min;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2; c = s[0] & 0x1f; min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3; c = s[0] & 0x0f; min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4; c = s[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Is this code point one that must not reach a terminal as it is? */
bool
text_hidden(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return true;			/* C0, DEL, C1 */
	if (cp == 0x061c)
		return true;			/* Arabic letter mark */
	if (cp >= 0x200b && cp <= 0x200f)
		return true;			/* zero-width, LRM, RLM */
	if (cp >= 0x2028 && cp <= 0x202e)
		return true;			/* separators, embeddings */
	if (cp >= 0x2060 && cp <= 0x206f)
		return true;			/* invisible, isolates */
	if (cp == 0xfeff)
		return true;			/* BOM, zero-width no-break */
	return cp >= 0xfff9 && cp <= 0xfffb;	/* interlinear annotation */
}

/* Append c as \n, \t, \r or \xHH. */
void
text_escape_byte(struct buf *b, unsigned char c)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 e[4] = { '\\', 'x', 0, 0 };

	if (c == '\n')
		buf_addstr(b, "\\n");
	else if (c == '\t')
		buf_addstr(b, "\\t");
	else if (c == '\r')
		buf_addstr(b, "\\r");
	else {
		e[2] = hex[c >> 4];
		e[3] = hex[c & 0xf];
		buf_add(b, e, sizeof e);
	}
}

/* Append n bytes as \xHH each (\n \t \r as themselves). */
static void
escape_bytes(struct buf *b, const unsigned char *u, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		text_escape_byte(b, u[i]);
}

/* Append the text-line form of s to b. */
void
text_escape(struct buf *b, const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, n;
	uint32_t		 cp;

	for (i = 0; i < len; i += n) {
		n = text_utf8(u + i, len - i, &cp);
		if (n == 0)
			escape_bytes(b, u + i, n = 1);
		else if (text_hidden(cp))
			escape_bytes(b, u + i, n);
		else
			buf_add(b, s + i, n);
	}
}

/* text_escape() into a new string. */
char *
text_escaped(const char *s, size_t len)
{
	struct buf	b = { NULL, 0, 0 };

	buf_add(&b, "", 0);
	text_escape(&b, s, len);
	return b.data;
}

/* Append s as a quoted JSON string. */
void
text_json(struct buf *b, const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, n;
	uint32_t		 cp;

	buf_addstr(b, "\"");
	for (i = 0; i < len; i += n) {
		n = text_utf8(u + i, len - i, &cp);
		if (n == 0) {
			buf_printf(b, "\\u%04x", u[i]);
			n = 1;
		} else if (cp == '"' || cp == '\\')
			buf_printf(b, "\\%c", (char)cp);
		else if (text_hidden(cp))
			buf_printf(b, "\\u%04x", (unsigned)cp);
		else
			buf_add(b, s + i, n);
	}
	buf_addstr(b, "\"");
}

/* Append one character of n bytes for a terminal cell. */
static void
cell_char(struct buf *b, const unsigned char *u, size_t n, uint32_t cp,
    bool utf8)
{
	if (n == 1 && !text_hidden(cp))
		buf_add(b, u, 1);
	else if (n == 1 || !utf8)
		escape_bytes(b, u, n);
	else if (!text_hidden(cp) && iswprint((wint_t)cp))
		buf_add(b, u, n);
	else
		buf_printf(b, "\\u%04x", (unsigned)cp);
}

/* Escape s for a terminal cell; the caller frees the result. */
char *
text_cell(const char *s, size_t len, bool utf8)
{
	const unsigned char	*u = (const unsigned char *)s;
	struct buf		 b = { NULL, 0, 0 };
	size_t			 i, n;
	uint32_t		 cp;

	for (i = 0; i < len && u[i] != '\0'; i += n) {
		n = text_utf8(u + i, len - i, &cp);
		if (n == 0)
			escape_bytes(&b, u + i, n = 1);
		else
			cell_char(&b, u + i, n, cp, utf8);
	}
	buf_add(&b, "", 1);
	return b.data;
}

/* Escape s for a message into buf, cut with "..." to fit. */
const char *
text_brief(char *buf, size_t size, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	struct buf		 b = { NULL, 0, 0 };
	size_t			 i, n, fit = 0, total = strlen(s);
	uint32_t		 cp;

	buf_add(&b, "", 0);
	for (i = 0; i < total; i += n) {
		if ((n = text_utf8(u + i, total - i, &cp)) == 0)
			n = 1;
		if (s[i] == '\'')
			buf_addstr(&b, "\\x27");
		else
			text_escape(&b, s + i, n);
		if (b.len + 4 <= size)
			fit = b.len;	/* room for "..." and the NUL */
	}
	if (b.len < size)
		memcpy(buf, b.data, b.len + 1);
	else {
		memcpy(buf, b.data, fit);
		memcpy(buf + fit, "...", 4);
	}
	buf_free(&b);
	return buf;
}

/* Bytes of src (at most n) to copy into size bytes, whole characters. */
static size_t
cut_len(size_t size, const char *src, size_t n)
{
	size_t	len, back;

	len = strnlen(src, n);
	if (len < size)
		return len;
	/* src[len] is the first byte dropped: do not split its character. */
	len = size - 1;
	for (back = 0; back < 3 && len > 0 &&
	    ((unsigned char)src[len] & 0xc0) == 0x80; back++)
		len--;
	return len;
}

/* Copy src into dst as it is, never cutting a character in two. */
size_t
text_cut(char *dst, size_t size, const char *src)
{
	size_t	len;

	if (size == 0)
		return 0;
	len = cut_len(size, src, size);
	memcpy(dst, src, len);
	dst[len] = '\0';
	return len;
}

/* Copy src into dst as a one-line label, never cutting a character. */
size_t
text_copy(char *dst, size_t size, const char *src, size_t n)
{
	size_t	len, i;

	if (size == 0)
		return 0;
	len = cut_len(size, src, n);
	for (i = 0; i < len; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
		    ' ' : src[i];
	dst[len] = '\0';
	return len;
}

/* Append len bytes of s as a control-line word: printable, no blanks. */
void
text_word(struct buf *b, const char *s, size_t len)
{
	unsigned char	c;
	size_t		i;

	if (len == 0)
		buf_addstr(b, "%");
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c > 0x20 && c < 0x7f && c != '%')
			buf_add(b, s + i, 1);
		else
			buf_printf(b, "%%%02X", c);
	}
}

/* The value of a hex digit, or -1. */
static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode a control-line word into a new string; NULL if malformed. */
char *
text_unword(const char *w)
{
	char	*s, *d;
	int	 hi, lo;

	if (strcmp(w, "%") == 0)
		return xstrdup("");
	s = d = xmalloc(strlen(w) + 1);
	for (; *w != '\0'; w++) {
		if (*w != '%') {
			*d++ = *w;
			continue;
		}
		if ((hi = hex_digit(w[1])) == -1 ||
		    (lo = hex_digit(w[2])) == -1 || hi + lo == 0) {
			free(s);
			return NULL;
		}
		*d++ = (char)(hi << 4 | lo);
		w += 2;
	}
	*d = '\0';
	return s;
}

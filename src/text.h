/*
 * Display-safe text: the one place that decides which bytes of a task's
 * text (labels, items, event text, output) may reach a terminal or a log
 * as they are, and how the others are written.
 *
 * One rule set.  A byte sequence is shown as it is only if it is valid
 * UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF) and its
 * code point is not hidden (text_hidden()): C0 controls, DEL, C1 controls,
 * bidirectional marks, embeddings, overrides and isolates, line and
 * paragraph separators, zero-width and invisible format characters, the
 * byte order mark and the interlinear annotation controls.
 *
 * Four forms, one per destination:
 *   text_escape()  a text log line: \n \t \r, other hidden characters
 *                  and invalid bytes as \xHH per byte
 *   text_json()    a quoted JSON string: \" \\, hidden characters as
 *                  \uXXXX, an invalid byte 0xHH as \u00HH
 *   text_cell()    a terminal cell: like text_escape(), but multi-byte
 *                  characters that are hidden or that the locale cannot
 *                  print as \uXXXX, and, in a locale that is not UTF-8,
 *                  every non-ASCII byte as \xHH
 *   text_brief()   a value quoted in a message: text_escape() and ' as
 *                  \x27, cut with "..." to fit a fixed buffer
 * and two bounded copies for the shared-memory segment, which never cut a
 * UTF-8 sequence in two: text_cut() copies the bytes as they are (they are
 * escaped when read), text_copy() makes a one-line label (control bytes
 * become spaces).
 */
#ifndef PT_TEXT_H
#define PT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/*
 * Length of the valid UTF-8 sequence at s (len bytes) with its code point,
 * or 0 if s does not start with one.
 */
size_t	 text_utf8(const unsigned char *s, size_t len, uint32_t *cp);
/* Must this code point never reach a terminal or a log as it is? */
bool	 text_hidden(uint32_t cp);
/* Append c as \n, \t, \r or \xHH. */
void	 text_escape_byte(struct buf *, unsigned char c);

/* Append len bytes of s (NUL bytes included) escaped for a text line. */
void	 text_escape(struct buf *, const char *s, size_t len);
/* text_escape() of len bytes of s into a new string: caller frees. */
char	*text_escaped(const char *s, size_t len);
/* Append len bytes of s as a quoted JSON string. */
void	 text_json(struct buf *, const char *s, size_t len);
/* s escaped for a terminal cell, up to len bytes or a NUL; caller frees. */
char	*text_cell(const char *s, size_t len, bool utf8);
/* s escaped for a message into buf (size >= 4), "..." when cut; returns buf. */
const char *text_brief(char *buf, size_t size, const char *s);

/*
 * A word for the control line (ctl.h): every byte outside '!'..'~', and
 * '%', written %HH; the empty string is the word "%".  text_word() appends
 * the word for len bytes of s (no NUL among them); text_unword() decodes a
 * word into a new string, or returns NULL if it is not one (a bad %, %00).
 */
void	 text_word(struct buf *, const char *s, size_t len);
char	*text_unword(const char *word);

/* Copy a NUL-terminated src into dst (size bytes) as it is; bytes copied. */
size_t	 text_cut(char *dst, size_t size, const char *src);
/*
 * Copy at most n bytes of src, up to a NUL, into dst (size bytes) as one
 * line: control bytes become spaces.  Returns the bytes copied.
 */
size_t	 text_copy(char *dst, size_t size, const char *src, size_t n);

#endif

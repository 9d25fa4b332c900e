/*
 * Text for the dashboard.  Every string that comes from the segment (labels,
 * items, event text, output tail) goes through text_cell() (src/text.c)
 * before it is drawn: control bytes, invalid UTF-8, C1 controls,
 * bidirectional and zero-width characters become visible escapes (\n,
 * \x1b, \u202e), so nothing a task prints can move the cursor or change the
 * terminal.  In a locale whose codeset is not UTF-8 every non-ASCII byte is
 * escaped.  ui_put() then clips an escaped string to a number of columns
 * (wide characters count two) and pads it.
 */
#include "config.h"

#include <curses.h>
#include <libutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui/ui-int.h"

/* Decode the next character of an escaped string: bytes and columns. */
static size_t
text_next(const char *s, int *w)
{
	mbstate_t	ps;
	wchar_t		wc;
	size_t		n;

	memset(&ps, 0, sizeof ps);
	n = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
	if (n == 0 || n == (size_t)-1 || n == (size_t)-2) {
		*w = 1;
		return 1;
	}
	*w = wcwidth(wc);
	if (*w < 0)
		*w = 1;
	return n;
}

/* Columns the first len bytes of an escaped string take. */
static int
ui_width_n(const char *s, size_t len)
{
	const char	*end = s + len;
	int		 w, total = 0;

	while (s < end && *s != '\0') {
		s += text_next(s, &w);
		total += w;
	}
	return total;
}

/* Columns an escaped string takes. */
int
ui_width(const char *s)
{
	return ui_width_n(s, strlen(s));
}

/* Draw an escaped string in at most width columns, padded; columns used. */
int
ui_put(int y, int x, int width, const char *s, unsigned int attr)
{
	const char	*p = s;
	size_t		 n;
	int		 w, col = 0;

	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + width > COLS)
		width = COLS - x;
	while (*p != '\0') {
		n = text_next(p, &w);
		if (col + w > width)
			break;
		p += n;
		col += w;
	}
	attrset(attr);
	mvaddnstr(y, x, s, (int)(p - s));
	if (col < width)
		mvhline(y, x + col, ' ', width - col);
	attrset(A_NORMAL);
	return col;
}

/* Draw a string from the segment or a task, escaped (text_cell()). */
int
ui_put_esc(const struct ui *ui, int y, int x, int width, const char *raw,
    unsigned int attr)
{
	char	*e = text_cell(raw, strlen(raw), ui->utf8);
	int	 n = ui_put(y, x, width, e, attr);

	free(e);
	return n;
}

/* Fill width columns with blanks. */
void
ui_fill(int y, int x, int width, unsigned int attr)
{
	(void)ui_put(y, x, width, "", attr);
}

/* Format a duration: M:SS, H:MM:SS or Nd HH:MM. */
void
ui_fmt_duration(char *buf, size_t len, int64_t ns)
{
	long long	s;

	if (ns < 0) {
		strlcpy(buf, "-", len);
		return;
	}
	s = ns / PT_NSEC;
	if (s < 3600)
		snprintf(buf, len, "%lld:%02lld", s / 60, s % 60);
	else if (s < 100 * 3600)
		snprintf(buf, len, "%lld:%02lld:%02lld", s / 3600,
		    s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s / 3600 % 24);
}

/* Format a byte count in at most five columns ("980K", "1.5G"). */
void
ui_fmt_bytes(char *buf, size_t len, uint64_t n)
{
	if (len < 6 || humanize_number(buf, 6, (int64_t)n, "",
	    HN_AUTOSCALE, HN_B | HN_NOSPACE | HN_DECIMAL) == -1)
		strlcpy(buf, "?", len);
}

/* A sparkline of n values scaled to max, one glyph each (0: the lowest). */
void
ui_spark(char *buf, size_t len, const uint16_t *v, int n, uint16_t max,
    bool utf8)
{
	static const char *const	 blocks[] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
	};
	static const char		 ascii[] = "_.-:=+*#";
	size_t				 off = 0;
	int				 i, lvl;
	const char			*g;
	char				 one[2] = { ' ', '\0' };

	if (len == 0)
		return;
	for (i = 0; i < n; i++) {
		if (max == 0 || v[i] >= max)
			lvl = 7;
		else	/* v[i] < max: 0-7 */
			lvl = (int)((uint32_t)v[i] * 8 / max);
		one[0] = ascii[lvl];
		g = utf8 ? blocks[lvl] : one;
		if (off + strlen(g) + 1 > len)
			break;
		memcpy(buf + off, g, strlen(g));
		off += strlen(g);
	}
	buf[off] = '\0';
}

/* A progress bar of width cells, frac done (0..1). */
void
ui_bar(struct ui *ui, int y, int x, int width, double frac,
    unsigned int done_attr, unsigned int todo_attr)
{
	static const char *const	 eighths[] = {
		"", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d",
		"\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89"
	};
	int				 i, full, part;

	if (width <= 0 || y >= LINES || x >= COLS)
		return;
	if (x + width > COLS)
		width = COLS - x;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	full = (int)(frac * width);
	part = ui->utf8 ? (int)((frac * width - full) * 8) : 0;
	move(y, x);
	attrset(done_attr);
	for (i = 0; i < full; i++)
		addstr(ui->utf8 ? "\xe2\x96\x88" : "#");
	if (part > 0 && full < width) {
		addstr(eighths[part]);
		full++;
	}
	attrset(todo_attr);
	for (i = full; i < width; i++)
		addstr(ui->utf8 ? "\xe2\x96\x91" : ".");
	attrset(A_NORMAL);
}

/* Draw an escaped string wrapped over at most maxlines lines; lines used. */
int
ui_put_wrap(int y, int x, int width, int maxlines, const char *s,
    unsigned int attr)
{
	const char	*p = s, *start, *space;
	size_t		 n;
	int		 w, col, line;

	if (width <= 0)
		return 0;
	for (line = 0; line < maxlines && (line == 0 || *p != '\0'); line++) {
		start = p;
		col = 0;
		space = NULL;
		while (*p != '\0') {
			n = text_next(p, &w);
			if (col + w > width)
				break;
			if (*p == ' ')
				space = p;
			p += n;
			col += w;
		}
		/* Break after the last blank, unless this is the last line. */
		if (*p != '\0' && space != NULL && line + 1 < maxlines) {
			col -= ui_width_n(space + 1, (size_t)(p - space - 1));
			p = space + 1;
		}
		attrset(attr);
		mvaddnstr(y + line, x, start, (int)(p - start));
		if (col < width)
			mvhline(y + line, x + col, ' ', width - col);
		attrset(A_NORMAL);
		if (p == start)
			break;	/* a character wider than the line */
	}
	return line;
}

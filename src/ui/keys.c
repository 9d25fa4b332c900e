/*
 * Keys.  Every key that steers the pool becomes one command line (cmd.h
 * syntax, slots 1-based) handed to host->send; the reply's first line goes
 * to the status line, in the error colour when the command failed.  Keys
 * never draw: ui_input() redraws once after handling what was read.  The
 * bottom line doubles as a small line editor for "=" (worker count), "/"
 * (filter) and the finish-or-kill question asked by q.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui-int.h"

#define KEY_ESC		27
#define KEY_CTRL(c)	((c) & 0x1f)

static const char *const keys_sort_names[UI_SORT_N] = {
	"slot", "cpu", "memory", "time", "task", "command"
};

/* Set the status line. */
void
ui_statusf(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(ui->status, sizeof ui->status, fmt, ap);
	va_end(ap);
	ui->status_error = error;
}

/* Show a command's reply: its first line, escaped. */
static void
keys_reply(struct ui *ui, const char *line, int rc, const struct buf *reply)
{
	const char	*r = reply->data != NULL ? reply->data : "";
	char		*e = text_cell(r, strcspn(r, "\n"), ui->utf8);

	if (rc != 0 && *e == '\0')
		ui_statusf(ui, true, "error: %s failed", line);
	else if (rc != 0 && strncmp(e, "error", 5) != 0)
		ui_statusf(ui, true, "error: %s", e);
	else if (rc != 0)
		ui_statusf(ui, true, "%s", e);
	else if (*e == '\0')
		ui_statusf(ui, false, "%s: ok", line);
	else
		ui_statusf(ui, false, "%s: %s", line, e);
	free(e);
}

/* Send one command line to the pool; 0 if it succeeded. */
static int
keys_send(struct ui *ui, const char *fmt, ...)
{
	struct buf	 reply = { NULL, 0, 0 };
	va_list		 ap;
	char		*line;
	int		 rc;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	rc = ui->host.send(ui->host.arg, line, &reply);
	keys_reply(ui, line, rc, &reply);
	buf_free(&reply);
	free(line);
	return rc;
}

/* The selected slot's 1-based number, or 0 (and a message) if none. */
static int
keys_slot(struct ui *ui)
{
	if (ui->sel_slot < 0 || ui_row_of_slot(ui, ui->sel_slot) == -1) {
		ui_statusf(ui, true, "error: no worker selected");
		return 0;
	}
	return ui->sel_slot + 1;
}

/* Move the selection by delta rows. */
static void
keys_move(struct ui *ui, int delta)
{
	int	r;

	if (ui->nrows == 0)
		return;
	r = ui_row_of_slot(ui, ui->sel_slot);
	if (r == -1)
		r = 0;
	r += delta;
	if (r < 0)
		r = 0;
	if (r >= ui->nrows)
		r = ui->nrows - 1;
	ui->sel_slot = ui->rows[r];
}

/* Start the bottom-line editor. */
static void
keys_prompt_start(struct ui *ui, enum ui_prompt p, const char *init)
{
	ui->prompt = p;
	strlcpy(ui->pbuf, init, sizeof ui->pbuf);
	ui->plen = strlen(ui->pbuf);
	ui->status[0] = '\0';
}

/*
 * + and -: one worker more or fewer; on the selected worker's host when
 * the pool runs on several (":" for this machine), else in all.  A host
 * name is taken from the segment: sent only if it is a plain name.
 */
static void
keys_resize_one(struct ui *ui, const char *by)
{
	const char	*host = NULL;

	if (ui_any_host(ui) && ui->sel_slot >= 0 &&
	    (uint32_t)ui->sel_slot < ui->nslots) {
		host = ui->slots[ui->sel_slot].s.host;
		if (host[0] == '\0')
			host = ":";
		else if (host[strspn(host, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")] != '\0')
			host = NULL;
	}
	if (host != NULL)
		keys_send(ui, "resize %s --host %s", by, host);
	else
		keys_send(ui, "resize %s", by);
}

/* Enter in the resize prompt: "N", "+N" or "-N", "!" at the end kills. */
static void
keys_resize(struct ui *ui)
{
	char	*s = ui->pbuf;
	size_t	 i, n = ui->plen;
	bool	 kill = false;

	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n > 0 && s[n - 1] == '!') {
		kill = true;
		n--;
	}
	s[n] = '\0';
	i = (*s == '+' || *s == '-') ? 1 : 0;
	if (s[i] == '\0' || strspn(s + i, "0123456789") != n - i || n > 9) {
		ui_statusf(ui, true, "error: not a worker count: \"%.20s\" "
		    "(N, +N or -N, ! to kill surplus tasks)", s);
		return;
	}
	keys_send(ui, "resize %s%s", s, kill ? " --kill" : "");
}

/* A key while the bottom-line editor is open. */
static void
keys_prompt(struct ui *ui, int ch)
{
	enum ui_prompt	p = ui->prompt;

	if (p == UI_PROMPT_QUIT) {
		ui->prompt = UI_PROMPT_NONE;
		if (ch == 'f' || ch == 'F') {
			if (keys_send(ui, "drain") == 0)
				ui->quitting = true;
		} else if (ch == 'k' || ch == 'K') {
			if (keys_send(ui, "stop") == 0)
				ui->quitting = true;
		} else
			ui_statusf(ui, false, "quit cancelled");
		return;
	}
	if (ch == KEY_ESC) {
		ui->prompt = UI_PROMPT_NONE;
		if (p == UI_PROMPT_FILTER) {
			ui->filter[0] = '\0';
			ui_rows(ui);
		}
		return;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		ui->prompt = UI_PROMPT_NONE;
		if (p == UI_PROMPT_RESIZE)
			keys_resize(ui);
		return;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == KEY_CTRL('h')) {
		if (ui->plen > 0)
			ui->pbuf[--ui->plen] = '\0';
	} else if (ch == KEY_CTRL('u')) {
		ui->plen = 0;
		ui->pbuf[0] = '\0';
	} else if (ch >= 0x20 && ch < 0x100 && ch != 0x7f &&
	    ui->plen + 1 < sizeof ui->pbuf) {
		ui->pbuf[ui->plen++] = (char)ch;
		ui->pbuf[ui->plen] = '\0';
	}
	if (p == UI_PROMPT_FILTER) {
		strlcpy(ui->filter, ui->pbuf, sizeof ui->filter);
		ui_rows(ui);
	}
}

/* q: detach, quit, or ask whether running tasks finish or die. */
static enum ui_result
keys_quit(struct ui *ui)
{
	if (ui->host.attached)
		return UI_DETACH;
	if (ui->hdr_valid && ui->hdr.state == PT_POOL_DONE)
		return UI_QUIT;
	if (ui->hdr.running > 0) {
		keys_prompt_start(ui, UI_PROMPT_QUIT, "");
		return UI_CONTINUE;
	}
	if (keys_send(ui, "drain") == 0)
		ui->quitting = true;
	return UI_CONTINUE;
}

/* t: the next shipped theme. */
static void
keys_theme(struct ui *ui)
{
	char	err[512];
	int	i;

	if (!ui->colors) {
		ui_statusf(ui, true, "error: colours are off (NO_COLOR is set "
		    "or the terminal has none)");
		return;
	}
	i = (ui->theme_idx + 1) % (int)theme_nshipped;
	if (ui_set_theme(ui, theme_shipped[i], err, sizeof err) != 0) {
		ui_statusf(ui, true, "error: %s", err);
		return;
	}
	ui_statusf(ui, false, "theme: %s", ui->theme.name);
}

/* A mouse event: click selects, the wheel scrolls. */
static void
keys_mouse(struct ui *ui)
{
	MEVENT	me;
	int	r;

	if (getmouse(&me) != OK)
		return;
	if (me.bstate & BUTTON4_PRESSED) {
		keys_move(ui, -3);
		return;
	}
#ifdef BUTTON5_PRESSED
	if (me.bstate & BUTTON5_PRESSED) {
		keys_move(ui, 3);
		return;
	}
#endif
	if (ui->mode != UI_MODE_TABLE ||
	    !(me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	r = ui->top + me.y - ui->table_y;
	if (me.y >= ui->table_y && me.y < ui->table_y + ui->table_h &&
	    r >= 0 && r < ui->nrows)
		ui->sel_slot = ui->rows[r];
}

/* Keys that move the selection or change the view; false if not one. */
static bool
keys_view(struct ui *ui, int ch)
{
	int	page = ui->table_h > 1 ? ui->table_h - 1 : 1;

	switch (ch) {
	case KEY_UP:
	case KEY_CTRL('p'):
		keys_move(ui, -1);
		break;
	case KEY_DOWN:
	case KEY_CTRL('n'):
	case 'j':
		keys_move(ui, 1);
		break;
	case KEY_PPAGE:
		keys_move(ui, -page);
		break;
	case KEY_NPAGE:
		keys_move(ui, page);
		break;
	case KEY_HOME:
	case 'g':
		keys_move(ui, -ui->nrows);
		break;
	case KEY_END:
	case 'G':
		keys_move(ui, ui->nrows);
		break;
	case KEY_MOUSE:
		keys_mouse(ui);
		break;
	case KEY_RESIZE:
		break;	/* resizeterm() queued it: the size is applied */
	case KEY_CTRL('l'):
		clearok(curscr, TRUE);
		break;
	case 's':
		ui->sort = (ui->sort + 1) % UI_SORT_N;
		ui_rows(ui);
		ui_statusf(ui, false, "sort: %s", keys_sort_names[ui->sort]);
		break;
	case 't':
		keys_theme(ui);
		break;
	case '/':
		keys_prompt_start(ui, UI_PROMPT_FILTER, ui->filter);
		break;
	case KEY_ESC:
		ui->filter[0] = '\0';
		ui_rows(ui);
		break;
	case '?':
	case KEY_F(1):
		ui->mode = UI_MODE_HELP;
		break;
	case 'a':
		ui_advice_open(ui);
		break;
	case 'f':
		ui_fails_open(ui);
		break;
	case 'v':
		ui->mode = UI_MODE_GRAPHS;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (keys_slot(ui) != 0)
			ui->mode = UI_MODE_DETAIL;
		break;
	default:
		return false;
	}
	return true;
}

/* Keys that send a command. */
static enum ui_result
keys_command(struct ui *ui, int ch)
{
	int			 n;

	switch (ch) {
	case 'p':
		if ((n = keys_slot(ui)) != 0)
			keys_send(ui, "toggle %d", n);
		break;
	case 'P':
	case ' ':
		keys_send(ui, "toggle");
		break;
	case 'k':
		if ((n = keys_slot(ui)) != 0)
			keys_send(ui, "kill %d", n);
		break;
	case 'K':
		if ((n = keys_slot(ui)) != 0)
			keys_send(ui, "kill %d KILL", n);
		break;
	case '+':
	case '-':
		keys_resize_one(ui, ch == '+' ? "+1" : "-1");
		break;
	case '=':
		keys_prompt_start(ui, UI_PROMPT_RESIZE, "");
		break;
	case 'r':
		keys_send(ui, "retry");
		break;
	case 'q':
		return keys_quit(ui);
	case 'Q':
		if (keys_send(ui, "stop") == 0)
			ui->quitting = true;
		break;
	default:
		break;
	}
	return UI_CONTINUE;
}

/* A key in the failures view. */
static void
keys_fails(struct ui *ui, int ch)
{
	switch (ch) {
	case KEY_UP:
	case KEY_CTRL('p'):
		ui_fails_move(ui, -1);
		break;
	case KEY_DOWN:
	case KEY_CTRL('n'):
	case 'j':
		ui_fails_move(ui, 1);
		break;
	case 'r':
		if (ui->fails_n == 0)
			ui_statusf(ui, true, "error: no failure group selected");
		else
			keys_send(ui, "retry-failed --group %d",
			    ui->fails_sel + 1);
		ui_fails_refresh(ui);
		break;
	case KEY_ESC:
	case 'q':
	case 'f':
		ui->mode = UI_MODE_TABLE;
		break;
	default:
		break;
	}
}

/* Handle one key. */
enum ui_result
ui_key(struct ui *ui, int ch)
{
	if (ui->prompt != UI_PROMPT_NONE) {
		keys_prompt(ui, ch);
		return UI_CONTINUE;
	}
	if (ui->mode == UI_MODE_HELP) {
		ui->mode = UI_MODE_TABLE;
		return UI_CONTINUE;
	}
	if (ui->mode == UI_MODE_ADVICE) {
		ui->mode = UI_MODE_TABLE;
		if ((ch == '\n' || ch == '\r' || ch == KEY_ENTER) &&
		    ui->advice_best > 0)
			keys_send(ui, "resize %d", ui->advice_best);
		return UI_CONTINUE;
	}
	if (ch != KEY_MOUSE && ch != KEY_RESIZE)
		ui->status[0] = '\0';
	if (ui->mode == UI_MODE_FAILURES) {
		keys_fails(ui, ch);
		return UI_CONTINUE;
	}
	if (ui->mode == UI_MODE_GRAPHS && (ch == KEY_ESC || ch == 'v' ||
	    ch == 'q')) {
		ui->mode = UI_MODE_TABLE;
		return UI_CONTINUE;
	}
	if (ui->mode == UI_MODE_DETAIL && (ch == KEY_ESC || ch == '\n' ||
	    ch == '\r' || ch == KEY_ENTER || ch == 'q')) {
		ui->mode = UI_MODE_TABLE;
		return UI_CONTINUE;
	}
	if (keys_view(ui, ch))
		return UI_CONTINUE;
	return keys_command(ui, ch);
}

/*
 * The failures view ("f"): the pool's `failures` reply (pool-failures.h:
 * the tasks that failed for good, grouped by exit status or signal and
 * last stderr line, most frequent first), asked again every second while
 * the view is open, in a box over the main screen.  Up and Down select a
 * group, r queues its tasks again (`retry-failed --group N`); Esc, q or f
 * closes the view.  A group is the reply's line that starts with its
 * number and the indented line after it.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui-int.h"

#define FAILS_EVERY_NS	1000000000LL

/* Ask the pool for its failure groups (again, after a retry); count them. */
void
ui_fails_refresh(struct ui *ui)
{
	const char	*p;
	int		 rc;

	ui->fails.len = 0;
	ui->fails_at = mono_ns();
	rc = ui->host.send(ui->host.arg, "failures", &ui->fails);
	buf_add(&ui->fails, "", 1);	/* a string */
	ui->fails_n = 0;
	for (p = ui->fails.data; rc == 0 && *p != '\0'; p++)
		if ((p == ui->fails.data || p[-1] == '\n') &&
		    isdigit((unsigned char)*p))
			ui->fails_n++;
	if (ui->fails_sel >= ui->fails_n)
		ui->fails_sel = ui->fails_n > 0 ? ui->fails_n - 1 : 0;
}

/* Open the view. */
void
ui_fails_open(struct ui *ui)
{
	ui->mode = UI_MODE_FAILURES;
	ui->fails_sel = 0;
	ui_fails_refresh(ui);
}

/* Move the selection by delta groups. */
void
ui_fails_move(struct ui *ui, int delta)
{
	ui->fails_sel += delta;
	if (ui->fails_sel >= ui->fails_n)
		ui->fails_sel = ui->fails_n - 1;
	if (ui->fails_sel < 0)
		ui->fails_sel = 0;
}

/* Draw one line of the reply at row y, highlighted if selected. */
static void
fails_line(struct ui *ui, int y, int x0, int w, const char *line, bool sel)
{
	if (sel)
		ui_fill(y, x0 + 1, w - 2, ui->attr[THEME_ROW_SELECTED]);
	ui_put_esc(ui, y, x0 + 2, w - 4, line,
	    ui->attr[sel ? THEME_ROW_SELECTED : THEME_HELP]);
}

/* The view, over the main screen. */
void
ui_draw_fails(struct ui *ui)
{
	int	 w = ui->cols - 4 > 120 ? 120 : ui->cols - 4;
	int	 h = ui->lines - 4, x0, y0, y, g = -1, first, shown;
	char	*text, *p, *line;

	if (mono_ns() - ui->fails_at >= FAILS_EVERY_NS)
		ui_fails_refresh(ui);	/* the view opened with one: data is set */
	x0 = (ui->cols - w) / 2;
	y0 = (ui->lines - h) / 2;
	if (w < 20 || h < 6)
		return;
	for (y = 0; y < h; y++)
		ui_fill(y0 + y, x0, w, ui->attr[THEME_HELP]);
	ui_put(y0, x0 + 2, w - 4, "failure groups, most frequent first",
	    ui->attr[THEME_HELP_KEY]);
	/* Two lines a group; scroll so the selected one shows. */
	shown = (h - 4) / 2;
	first = ui->fails_sel >= shown ? ui->fails_sel - shown + 1 : 0;
	p = text = xstrdup(ui->fails.data);
	y = 2;
	while (y < h - 2 && (line = strsep(&p, "\n")) != NULL &&
	    *line != '\0') {
		if (isdigit((unsigned char)*line))
			g++;
		if (g >= 0 && g < first)
			continue;
		fails_line(ui, y0 + y++, x0, w, line, g == ui->fails_sel &&
		    ui->fails_n > 0);
	}
	ui_put(y0 + h - 1, x0 + 2, w - 4, ui->fails_n > 0 ?
	    "Up Down: select; r: retry the group's tasks; Esc: close" :
	    "Esc: close", ui->attr[THEME_HELP_KEY]);
	free(text);
}

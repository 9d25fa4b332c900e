/*
 * The advisor panel ("a"): the pool's `advise` reply (pool-model.h: the
 * predicted finish time at other worker counts), asked again every second
 * while the panel is open, in a box over the main screen.  Enter applies
 * the size the reply marks best; any other key closes the panel.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/ui-int.h"

#define ADVICE_EVERY_NS	1000000000LL

/* Ask the pool for its advice. */
static void
advice_fetch(struct ui *ui)
{
	char	*best;
	int	 rc;

	ui->advice.len = 0;
	ui->advice_at = mono_ns();
	ui->advice_best = 0;
	rc = ui->host.send(ui->host.arg, "advise", &ui->advice);
	buf_add(&ui->advice, "", 1);	/* a string */
	ui->advice_ok = rc == 0;
	/* The line that ends in "  best" names the size. */
	if (!ui->advice_ok || (best = strstr(ui->advice.data, "  best")) == NULL)
		return;
	while (best > ui->advice.data && best[-1] != '\n')
		best--;
	ui->advice_best = atoi(best);
}

/* Open the panel. */
void
ui_advice_open(struct ui *ui)
{
	ui->mode = UI_MODE_ADVICE;
	advice_fetch(ui);
}

/* The panel, over the main screen. */
void
ui_draw_advice(struct ui *ui)
{
	int	 w = ui->cols - 4 > 100 ? 100 : ui->cols - 4;
	int	 h, x0, y0, y, n = 0;
	char	*text, *p, *line;

	if (mono_ns() - ui->advice_at >= ADVICE_EVERY_NS)
		advice_fetch(ui);	/* the panel opened with one: data is set */
	for (p = ui->advice.data; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	h = n + 5;
	if (h > ui->lines - 1)
		h = ui->lines - 1;
	x0 = (ui->cols - w) / 2;
	y0 = (ui->lines - h) / 2;
	if (w < 20 || h < 4)
		return;
	for (y = 0; y < h; y++)
		ui_fill(y0 + y, x0, w, ui->attr[THEME_HELP]);
	ui_put(y0, x0 + 2, w - 4, "what if: finish time by worker count",
	    ui->attr[THEME_HELP_KEY]);
	p = text = xstrdup(ui->advice.data);
	for (y = 2; y < h - 2 && (line = strsep(&p, "\n")) != NULL &&
	    *line != '\0'; y++)
		ui_put_esc(ui, y0 + y, x0 + 2, w - 4, line, ui->attr[THEME_HELP]);
	free(text);
	ui_put(y0 + h - 1, x0 + 2, w - 4, ui->advice_best > 0 ? "Enter: resize "
	    "to the best; any other key closes" : "any key closes",
	    ui->attr[THEME_HELP_KEY]);
}

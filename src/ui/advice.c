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
	char	*best, *nl, *line;
	int	 rc;

	ui->advice.len = 0;
	ui->advice_at = mono_ns();
	ui->advice_best = 0;
	rc = ui->host.send != NULL ?
	    ui->host.send(ui->host.arg, "advise", &ui->advice) : -1;
	buf_add(&ui->advice, "", 1);	/* a string */
	ui->advice_ok = rc == 0;
	/* The line that ends in "  best" names the size. */
	for (line = ui->advice.data; ui->advice_ok && line != NULL;
	    line = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		best = strstr(line, "  best");
		if (best != NULL && (nl == NULL || best < nl)) {
			ui->advice_best = atoi(line);
			break;
		}
	}
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
	char	*text, *line, *nl, *e;

	if (mono_ns() - ui->advice_at >= ADVICE_EVERY_NS)
		advice_fetch(ui);
	text = xstrdup(ui->advice.data != NULL ? ui->advice.data : "");
	line = text;
	if (strncmp(line, "ok\n", 3) == 0)
		line += 3;
	for (nl = line; (nl = strchr(nl, '\n')) != NULL; nl++)
		n++;
	h = n + 5;
	if (h > ui->lines - 1)
		h = ui->lines - 1;
	x0 = (ui->cols - w) / 2;
	y0 = (ui->lines - h) / 2;
	if (w < 20 || h < 4) {
		free(text);
		return;
	}
	for (y = 0; y < h; y++)
		ui_fill(y0 + y, x0, w, ui->attr[THEME_HELP]);
	ui_put(y0, x0 + 2, w - 4, "what if: finish time by worker count",
	    ui->attr[THEME_HELP_KEY]);
	for (y = 2; line != NULL && *line != '\0' && y < h - 2; y++) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		e = text_cell(line, strlen(line), ui->utf8);
		ui_put(y0 + y, x0 + 2, w - 4, e, ui->attr[THEME_HELP]);
		free(e);
		line = nl != NULL ? nl + 1 : NULL;
	}
	if (ui->advice_best > 0)
		ui_put(y0 + h - 1, x0 + 2, w - 4, "Enter: resize to the best; "
		    "any other key closes", ui->attr[THEME_HELP_KEY]);
	else
		ui_put(y0 + h - 1, x0 + 2, w - 4, "any key closes",
		    ui->attr[THEME_HELP_KEY]);
	free(text);
}

void
ui_advice_free(struct ui *ui)
{
	buf_free(&ui->advice);
}

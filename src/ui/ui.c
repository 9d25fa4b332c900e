/*
 * The dashboard's lifecycle.  There is one terminal per process, so the
 * dashboard is a single static struct ui: ui_close() can be called any
 * number of times, from any exit path (it is also run by atexit), and
 * always leaves the terminal as it found it.
 *
 * The terminal is stdin/stdout when they are a terminal, else /dev/tty
 * (items may come from a pipe on stdin).  The host owns the signals: it
 * calls ui_resize() after SIGWINCH and ui_suspend()/ui_resume() around
 * SIGTSTP, so ncurses' own handlers never run.  Colours come from the theme;
 * with NO_COLOR set or a terminal without colours the mono theme is used.
 */
#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "ui/ui-int.h"

static struct ui	ui_the;
static bool		ui_atexit_set;

/* Map a theme colour onto what the terminal has (-1: its default). */
static short
ui_color(int c, bool *bold)
{
	if (c < 0)
		return -1;
	if (c < COLORS)
		return (short)c;
	if (c < 16) {
		if (bold != NULL)
			*bold = true;
		return (short)(c - 8);
	}
	return -1;
}

/* Turn the theme into ncurses attributes, one colour pair per key. */
static void
ui_apply_theme(struct ui *ui)
{
	const struct theme_color	*c;
	unsigned int			 a;
	bool				 bold;
	short				 fg, bg;
	int				 k;

	for (k = 0; k < THEME_NKEYS; k++) {
		c = &ui->theme.c[k];
		a = A_NORMAL;
		bold = false;
		if (ui->colors && k + 1 < COLOR_PAIRS) {
			fg = ui_color(c->fg, &bold);
			bg = ui_color(c->bg, NULL);
			init_pair((short)(k + 1), fg, bg);
			a |= COLOR_PAIR(k + 1);
		}
		if ((c->attr & THEME_BOLD) || bold)
			a |= A_BOLD;
		if (c->attr & THEME_DIM)
			a |= A_DIM;
		if (c->attr & THEME_REVERSE)
			a |= A_REVERSE;
		if (c->attr & THEME_UNDERLINE)
			a |= A_UNDERLINE;
		ui->attr[k] = a;
	}
}

/* Index of a theme name in the shipped list, -1 if not shipped. */
static int
ui_theme_index(const char *name)
{
	size_t	i;

	for (i = 0; i < theme_nshipped; i++)
		if (strcmp(theme_shipped[i], name) == 0)
			return (int)i;
	return -1;
}

/* Switch to another theme by name or path. */
int
ui_set_theme(struct ui *ui, const char *name, char *err, size_t errlen)
{
	struct theme	t;

	if (theme_load(&t, name, NULL, err, errlen) != 0)	/* no warnings */
		return -1;
	ui->theme = t;
	ui->theme_idx = ui_theme_index(t.name);
	ui_apply_theme(ui);
	return 0;
}

/* Load the host's theme before taking the terminal: errors are fatal. */
static int
ui_load_theme(struct ui *ui, char *err, size_t errlen)
{
	struct buf	 warn = { NULL, 0, 0 };
	char		 path[1024];
	const char	*name = ui->host.theme;

	if (name == NULL || *name == '\0') {
		if (theme_find("default", path, sizeof path) != 0) {
			theme_default(&ui->theme);	/* not installed */
			return 0;
		}
		name = "default";
	}
	if (theme_load(&ui->theme, name, &warn, err, errlen) != 0) {
		buf_free(&warn);
		return -1;
	}
	if (warn.len > 0)	/* the first one */
		ui_statusf(ui, true, "warning: %.*s",
		    (int)strcspn(warn.data, "\n"), warn.data);
	buf_free(&warn);
	ui->theme_idx = ui_theme_index(ui->theme.name);
	return 0;
}

/* Open the terminal: stdin/stdout if they are one, else /dev/tty. */
static int
ui_open_tty(struct ui *ui, char *err, size_t errlen)
{
	ui->in = stdin;
	ui->out = stdout;
	if (!isatty(STDIN_FILENO)) {
		if ((ui->in = fopen("/dev/tty", "re")) == NULL)
			goto fail;
		ui->own_in = true;
	}
	if (!isatty(STDOUT_FILENO)) {
		if ((ui->out = fopen("/dev/tty", "we")) == NULL)
			goto fail;
		ui->own_out = true;
	}
	return 0;
fail:
	snprintf(err, errlen, "the dashboard needs a terminal (/dev/tty: %s); "
	    "use --headless", strerror(errno));
	if (ui->own_in)
		fclose(ui->in);
	ui->own_in = false;
	return -1;
}

/* Set up ncurses on the terminal. */
static int
ui_start_curses(struct ui *ui, char *err, size_t errlen)
{
	const char	*term = getenv("TERM"), *nc = getenv("NO_COLOR");
	char		 e[256];

	ui->screen = newterm(NULL, ui->out, ui->in);
	if (ui->screen == NULL) {
		snprintf(err, errlen, "cannot use the terminal (TERM=%s); "
		    "use --headless", term != NULL ? term : "");
		return -1;
	}
	set_term(ui->screen);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	    | BUTTON5_PRESSED
#endif
	    , NULL);
	mouseinterval(0);
	ui->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (has_colors() && (nc == NULL || *nc == '\0')) {
		start_color();
		use_default_colors();
		ui->colors = true;
	} else if (ui_set_theme(ui, "mono", e, sizeof e) != 0)
		ui->theme_idx = -1;	/* keep the theme's attributes only */
	ui_apply_theme(ui);
	ui->lines = LINES;
	ui->cols = COLS;
	return 0;
}

/* Restore the terminal at exit if the dashboard is still open. */
static void
ui_atexit(void)
{
	ui_close(&ui_the);
}

/* Paint the current mode's screen. */
static void
ui_draw(struct ui *ui)
{
	char	msg[64];

	if (!ui->open)
		return;
	ui->lines = LINES;
	ui->cols = COLS;
	erase();
	if (ui->cols < 20 || ui->lines < 5) {
		snprintf(msg, sizeof msg, "terminal too small (%dx%d)",
		    ui->cols, ui->lines);
		ui_put(0, 0, ui->cols, msg, A_NORMAL);
	} else if (ui->mode == UI_MODE_DETAIL)
		ui_draw_detail(ui);
	else {
		ui_draw_main(ui);
		if (ui->mode == UI_MODE_HELP)
			ui_draw_help(ui);
		else if (ui->mode == UI_MODE_ADVICE)
			ui_draw_advice(ui);
		else if (ui->mode == UI_MODE_FAILURES)
			ui_draw_fails(ui);
	}
	if (ui->prompt == UI_PROMPT_RESIZE || ui->prompt == UI_PROMPT_FILTER) {
		move(ui->cur_y, ui->cur_x);
		curs_set(1);
	} else
		curs_set(0);
	refresh();
}

/* Take the terminal and draw the first screen. */
struct ui *
ui_open(const struct ui_host *host, char *err, size_t errlen)
{
	struct ui	*ui = &ui_the;

	if (ui->open) {
		snprintf(err, errlen, "the dashboard is already open");
		return NULL;
	}
	memset(ui, 0, sizeof *ui);
	ui->host = *host;
	if (ui_load_theme(ui, err, errlen) != 0)
		return NULL;
	if (ui_open_tty(ui, err, errlen) != 0)
		return NULL;
	if (ui_start_curses(ui, err, errlen) != 0) {
		if (ui->own_in)
			fclose(ui->in);
		if (ui->own_out)
			fclose(ui->out);
		return NULL;
	}
	ui->open = true;
	if (!ui_atexit_set) {
		atexit(ui_atexit);
		ui_atexit_set = true;
	}
	ui_model_init(ui);
	ui_sample(ui);
	ui_draw(ui);
	return ui;
}

/* The terminal's input fd, for the host's poll loop. */
int
ui_fd(const struct ui *ui)
{
	return ui != NULL && ui->open ? fileno(ui->in) : -1;
}

/* Has the terminal gone away (hangup, EOF)? */
static bool
ui_hungup(struct ui *ui)
{
	struct pollfd	pfd = { fileno(ui->in), POLLIN, 0 };

	if (poll(&pfd, 1, 0) <= 0)
		return false;
	return (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/* Read every pending key and act on it; redraw once. */
enum ui_result
ui_input(struct ui *ui)
{
	enum ui_result	r = UI_CONTINUE;
	int		ch, n = 0;

	if (ui == NULL || !ui->open)
		return UI_CONTINUE;
	while (r == UI_CONTINUE && (ch = wgetch(stdscr)) != ERR) {
		r = ui_key(ui, ch);
		n++;
	}
	if (n == 0 && ui_hungup(ui))
		return ui->host.attached ? UI_DETACH : UI_QUIT;
	if (r == UI_CONTINUE)
		ui_draw(ui);
	return r;
}

/* Sample the segment and redraw. */
void
ui_tick(struct ui *ui)
{
	if (ui == NULL || !ui->open)
		return;
	ui_sample(ui);
	ui_draw(ui);
}

/* Take the terminal's new size after SIGWINCH and redraw. */
void
ui_resize(struct ui *ui)
{
	struct winsize	ws;

	if (ui == NULL || !ui->open)
		return;
	if (ioctl(fileno(ui->out), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	ui_draw(ui);
}

/* Give the terminal back before the process stops (SIGTSTP). */
void
ui_suspend(struct ui *ui)
{
	if (ui == NULL || !ui->open)
		return;
	def_prog_mode();
	endwin();
}

/* Take the terminal again after SIGCONT. */
void
ui_resume(struct ui *ui)
{
	if (ui == NULL || !ui->open)
		return;
	reset_prog_mode();
	ui_resize(ui);
}

/* Give the terminal back and free everything; safe to call again. */
void
ui_close(struct ui *ui)
{
	if (ui == NULL || !ui->open)
		return;
	ui->open = false;
	curs_set(1);
	endwin();
	delscreen(ui->screen);
	ui->screen = NULL;
	if (ui->own_in)
		fclose(ui->in);
	if (ui->own_out)
		fclose(ui->out);
	ui->own_in = ui->own_out = false;
	free(ui->slots);
	free(ui->rows);
	buf_free(&ui->advice);
	buf_free(&ui->fails);
}

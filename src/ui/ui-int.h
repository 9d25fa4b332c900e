/*
 * Dashboard internals shared by the files of src/ui/: the model (what was
 * read from the segment, with per-slot histories kept by the reader), the
 * view state (selection, sort, filter, prompt, mode) and the drawing and
 * key helpers.  Only src/ui/ includes this file.
 *
 *	ui.c	 lifecycle: open, close, tick, resize, suspend, the colours
 *	model.c	 sampling the segment: slots, rate window, histories, rows
 *	draw.c	 painting the main screen; detail.c the detail view and help
 *	keys.c	 key handling, the bottom-line prompt, commands to host->send
 *	text.c	 clipping escaped strings (text_cell()) to columns
 *	graphs.c the graphs band and view, from the history record
 *	attach.c `pooltop attach`
 */
#ifndef PT_UI_INT_H
#define PT_UI_INT_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "shm.h"
#include "text.h"
#include "ui/theme.h"
#include "ui/ui.h"
#include "util.h"

#define UI_HIST		60	/* samples of CPU/memory kept per slot */
#define UI_RATE_N	64	/* samples in the rate window ring */
#define UI_RATE_WINDOW	(10 * PT_NSEC)	/* rate: done per second over this */
#define UI_PROMPT_MAX	128
#define UI_STATUS_MAX	256
#define UI_FILTER_MAX	64

/* What the reader keeps per slot. */
struct ui_slot {
	struct pt_shm_slot	s;		/* last consistent copy */
	bool			valid;		/* s was read */
	uint32_t		hist_gen;	/* history belongs to ... */
	uint64_t		hist_task;	/* ... this generation and task */
	int			hist_n;		/* samples in the rings */
	int			hist_pos;	/* next to write */
	uint16_t		cpu[UI_HIST];	/* permille */
	uint64_t		rss[UI_HIST];
};

enum ui_mode { UI_MODE_TABLE = 0, UI_MODE_DETAIL, UI_MODE_HELP, UI_MODE_ADVICE,
    UI_MODE_FAILURES, UI_MODE_GRAPHS };

enum ui_prompt {
	UI_PROMPT_NONE = 0,
	UI_PROMPT_RESIZE,	/* "=": a worker count */
	UI_PROMPT_FILTER,	/* "/": text to match */
	UI_PROMPT_QUIT,		/* q while tasks run: f, k or Esc */
};

enum ui_sort {
	UI_SORT_SLOT = 0,
	UI_SORT_CPU,
	UI_SORT_MEM,
	UI_SORT_TIME,
	UI_SORT_TASK,
	UI_SORT_COMMAND,
	UI_SORT_N
};

struct ui {
	bool			 open;
	struct ui_host		 host;

	/* terminal */
	SCREEN			*screen;
	FILE			*in, *out;
	bool			 own_in, own_out;	/* opened /dev/tty */
	bool			 utf8;
	bool			 colors;	/* theme colours in use */
	int			 lines, cols;

	/* theme */
	struct theme		 theme;
	int			 theme_idx;	/* in theme_shipped, -1 other */
	unsigned int		 attr[THEME_NKEYS];	/* ncurses attributes */

	/* model */
	struct pt_shm_header	 hdr;
	bool			 hdr_valid;
	bool			 stale;		/* could not read the segment */
	uint32_t		 nslots;
	struct ui_slot		*slots;
	int64_t			 rate_t[UI_RATE_N];	/* mono ns */
	uint64_t		 rate_v[UI_RATE_N];	/* done + failed */
	int			 rate_n, rate_pos;
	double			 rate;		/* < 0: not known yet */
	int			*rows;		/* slots shown, in order */
	int			 nrows;

	/* view */
	enum ui_mode		 mode;
	int			 sel_slot;	/* selected slot, -1 none */
	int			 top;		/* first row shown */
	int			 table_y, table_h;	/* rows area, for mouse */
	enum ui_sort		 sort;
	char			 filter[UI_FILTER_MAX];
	enum ui_prompt		 prompt;
	char			 pbuf[UI_PROMPT_MAX];
	size_t			 plen;
	int			 cur_y, cur_x;	/* the prompt's cursor */
	char			 status[UI_STATUS_MAX];
	bool			 status_error;
	bool			 quitting;	/* sent drain/stop after q */

	/* the advisor panel ("a"): the pool's `advise` reply */
	struct buf		 advice;
	bool			 advice_ok;	/* a table, not an error */
	int			 advice_best;	/* its best size, 0: none */
	int64_t			 advice_at;	/* mono ns it was asked */

	/* the graphs (band and "v" view): the segment's history record */
	struct pt_shm_history	 hist;
	bool			 hist_ok;

	/* the failures view ("f"): the pool's `failures` reply */
	struct buf		 fails;
	int			 fails_n;	/* groups in it */
	int			 fails_sel;	/* the selected one, 0-based */
	int64_t			 fails_at;	/* mono ns it was asked */
};

/* ui.c */
int	ui_set_theme(struct ui *, const char *, char *, size_t);

/* model.c */
void	ui_model_init(struct ui *);
void	ui_sample(struct ui *);
void	ui_rows(struct ui *);
int	ui_row_of_slot(const struct ui *, int);
const char *ui_slot_title(const struct pt_shm_slot *);
int	ui_hist_get(const struct ui_slot *, int age, uint16_t *, uint64_t *);

/* draw.c */
void	ui_draw_main(struct ui *);
void	ui_draw_keybar(struct ui *, int y);
void	ui_draw_status(struct ui *, int y);
bool	ui_any_host(const struct ui *);	/* a slot on another machine? */

/* detail.c */
void	ui_draw_detail(struct ui *);
void	ui_draw_help(struct ui *);

/* advice.c */
void	ui_advice_open(struct ui *);
void	ui_draw_advice(struct ui *);

/* failures.c */
void	ui_fails_open(struct ui *);
void	ui_fails_move(struct ui *, int);
void	ui_fails_refresh(struct ui *);
void	ui_draw_fails(struct ui *);

/* graphs.c */
bool	ui_draw_graphs(struct ui *, int y, int h);

/* keys.c */
enum ui_result ui_key(struct ui *, int);
void	ui_statusf(struct ui *, bool, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* text.c */
int	 ui_put(int y, int x, int width, const char *, unsigned int attr);
int	 ui_put_esc(const struct ui *, int y, int x, int width, const char *,
	    unsigned int attr);
int	 ui_put_wrap(int y, int x, int width, int maxlines, const char *,
	    unsigned int attr);
int	 ui_width(const char *);
void	 ui_fill(int y, int x, int width, unsigned int attr);
void	 ui_fmt_duration(char *, size_t, int64_t ns);
void	 ui_fmt_bytes(char *, size_t, uint64_t);
void	 ui_spark(char *, size_t, const uint16_t *, int n, uint16_t max,
	    bool utf8);
void	 ui_bar(struct ui *, int y, int x, int width, double frac,
	    unsigned int done_attr, unsigned int todo_attr);

#endif

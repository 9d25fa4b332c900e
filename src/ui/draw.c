/*
 * Painting the main screen from the model: a three-line header, the worker
 * table, the event pane, the status line and the key bar.  Nothing here
 * changes the model or sends commands.  The table's columns carry a
 * priority: on a narrow terminal the least important ones are dropped
 * until the rest fit, and COMMAND takes what is left.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/ui-int.h"

enum draw_col {
	COL_SLOT, COL_HOST, COL_WPID, COL_TPID, COL_STATE, COL_CPU, COL_SPARK, COL_MEM,
	COL_PROG, COL_TASK, COL_TIME, COL_DONE, COL_FAIL, COL_COMMAND, COL_N
};

static const struct draw_coldef {
	const char	*name;
	int		 width;
	int		 prio;		/* higher: dropped first */
	bool		 right;
	int		 sort;		/* enum ui_sort, -1 none */
} draw_cols[COL_N] = {
	{ "SLOT",	4,  0,  true,  UI_SORT_SLOT },
	{ "HOST",	10, 4,  false, -1 },
	{ "WPID",	7,  9,  true,  -1 },
	{ "TPID",	7,  4,  true,  -1 },
	{ "STATE",	8,  1,  false, -1 },
	{ "CPU%",	6,  2,  true,  UI_SORT_CPU },
	{ "CPU HIST",	10, 8,  false, -1 },
	{ "MEM",	6,  5,  true,  UI_SORT_MEM },
	{ "PROGRESS",	12, 7,  false, -1 },
	{ "TASK",	7,  3,  true,  UI_SORT_TASK },
	{ "TIME",	8,  6,  true,  UI_SORT_TIME },
	{ "DONE",	5,  10, true,  -1 },
	{ "FAIL",	5,  11, true,  -1 },
	{ "COMMAND",	12, 0,  false, UI_SORT_COMMAND },
};

#define GRAPHS_BAND_MIN	6	/* free rows the graphs band needs */

struct draw_layout {
	bool	on[COL_N];
	int	x[COL_N];
	int	w[COL_N];
};

/* The pool's state as shown in the header, and its colour. */
static const char *
draw_pool_state(const struct ui *ui, unsigned int *attr)
{
	static const struct {
		const char	*name;
		enum theme_key	 key;
	} states[] = {
		[PT_POOL_STARTING] = { "STARTING", THEME_HEADER_STATE_RUNNING },
		[PT_POOL_RUNNING] = { "RUNNING", THEME_HEADER_STATE_RUNNING },
		[PT_POOL_PAUSED] = { "PAUSED", THEME_HEADER_STATE_PAUSED },
		[PT_POOL_DRAINING] = { "DRAINING", THEME_HEADER_STATE_DRAINING },
		[PT_POOL_STOPPING] = { "STOPPING", THEME_HEADER_STATE_STOPPING },
		[PT_POOL_DONE] = { "DONE", THEME_HEADER_STATE_DONE },
	};
	uint32_t	st = ui->hdr.state;

	if (st >= nitems_of(states) || st == PT_POOL_RUNNING)
		st = ui->hdr.paused ? PT_POOL_PAUSED : PT_POOL_RUNNING;
	*attr = ui->attr[states[st].key];
	return states[st].name;
}

/* Put "label value" pairs on a line; the next x. */
static int
draw_pair(struct ui *ui, int y, int x, const char *label, const char *value,
    unsigned int lattr, unsigned int vattr)
{
	if (x >= ui->cols)
		return x;
	x += ui_put(y, x, ui->cols - x, label, lattr);
	x += ui_put(y, x, ui->cols - x, value, vattr);
	return x + ui_put(y, x, 2, "  ", lattr);
}

/* Header line 1: title, state, workers, elapsed, rate, ETA. */
static void
draw_header_title(struct ui *ui)
{
	const struct pt_shm_header	*h = &ui->hdr;
	unsigned int			 sattr, a = ui->attr[THEME_HEADER];
	char				 v[64], t[64];
	const char			*state;
	int				 x = 0;
	int64_t				 end;

	ui_fill(0, 0, ui->cols, a);
	state = draw_pool_state(ui, &sattr);
	x += ui_put(0, x, ui->cols, " ", a);
	x += ui_put(0, x, ui->cols - x, state, sattr);
	x += ui_put(0, x, 1, " ", a);
	snprintf(v, sizeof v, "%u/%u", h->live_workers, h->target_workers);
	x = draw_pair(ui, 0, x, " workers ", v, a, ui->attr[THEME_HEADER_TITLE]);
	end = h->state == PT_POOL_DONE ? h->update_real_ns : real_ns();
	ui_fmt_duration(t, sizeof t, h->start_real_ns > 0 ?
	    end - h->start_real_ns : -1);
	x = draw_pair(ui, 0, x, "elapsed ", t, a, ui->attr[THEME_HEADER_TITLE]);
	if (ui->rate >= 0)
		snprintf(v, sizeof v, "%.*f/s", ui->rate < 10 ? 2 : 1, ui->rate);
	else
		strlcpy(v, "-", sizeof v);
	x = draw_pair(ui, 0, x, "rate ", v, a, ui->attr[THEME_HEADER_TITLE]);
	if (h->total_known && ui->rate > 0 && h->state != PT_POOL_DONE) {
		uint64_t left = h->total > h->done + h->failed ?
		    h->total - h->done - h->failed : 0;
		ui_fmt_duration(t, sizeof t,
		    (int64_t)((double)left / ui->rate * PT_NSEC));
		x = draw_pair(ui, 0, x, "ETA ", t, a,
		    ui->attr[THEME_HEADER_TITLE]);
	}
	/* The pool's title: its name, else its command. */
	ui_put_esc(ui, 0, x, ui->cols - x, h->name[0] != '\0' ? h->name :
	    h->command, ui->attr[THEME_HEADER_TITLE]);
}

/*
 * Per-host totals when the pool spans machines: "h1 2/3" is 2 tasks
 * running on 3 live workers (":" this machine).  The next column.
 */
static int
draw_header_hosts(struct ui *ui, int x)
{
	struct {
		const char	*name;
		int		 live, running;
	}		 v[16];
	char		 n[32], lab[PT_HOST_MAX * 4 + 2], *e;
	uint32_t	 i;
	int		 k, nv = 0;
	bool		 remote = false;

	for (i = 0; i < ui->nslots; i++) {
		const struct pt_shm_slot *s = &ui->slots[i].s;

		if (s->state == PT_SLOT_EMPTY || s->state == PT_SLOT_EXITED)
			continue;
		remote = remote || s->host[0] != '\0';
		for (k = 0; k < nv && strcmp(v[k].name, s->host) != 0; k++)
			;
		if (k == nv) {
			if (nv == (int)nitems_of(v))
				continue;	/* the rest do not fit anyway */
			v[nv].name = s->host;
			v[nv].live = v[nv].running = 0;
			nv++;
		}
		v[k].live++;
		if (s->state == PT_SLOT_RUNNING || s->state == PT_SLOT_PAUSED)
			v[k].running++;
	}
	for (k = 0; remote && k < nv; k++) {
		snprintf(n, sizeof n, "%d/%d", v[k].running, v[k].live);
		e = text_cell(v[k].name[0] != '\0' ? v[k].name : ":",
		    strlen(v[k].name[0] != '\0' ? v[k].name : ":"), ui->utf8);
		snprintf(lab, sizeof lab, "%s ", e);
		x = draw_pair(ui, 1, x, lab, n, ui->attr[THEME_HEADER_LABEL],
		    ui->attr[THEME_HEADER_VALUE]);
		free(e);
	}
	return x;
}

/* A count of header line 2, "label N"; the next column. */
static int
draw_count(struct ui *ui, int x, const char *label, uint64_t n,
    unsigned int vattr)
{
	char	s[32];

	snprintf(s, sizeof s, "%llu", (unsigned long long)n);
	return draw_pair(ui, 1, x, label, s, ui->attr[THEME_HEADER_LABEL],
	    vattr);
}

/* Header line 2: the task counts. */
static void
draw_header_counts(struct ui *ui)
{
	const struct pt_shm_header	*h = &ui->hdr;
	unsigned int			 l = ui->attr[THEME_HEADER_LABEL];
	unsigned int			 v = ui->attr[THEME_HEADER_VALUE];
	int				 x = 1;

	ui_fill(1, 0, ui->cols, ui->attr[THEME_ROW]);
	x = draw_count(ui, x, "running ", h->running, v);
	x = draw_count(ui, x, "queued ", h->queued, v);
	x = draw_count(ui, x, "done ", h->done, v);
	x = draw_count(ui, x, "failed ", h->failed, h->failed ?
	    ui->attr[THEME_EVENT_FAIL] : v);
	if (h->retried)
		x = draw_count(ui, x, "retried ", h->retried, v);
	if (h->total_known)
		x = draw_count(ui, x, "total ", h->total, v);
	x = draw_header_hosts(ui, x);
	/* Why nothing starts: "holding: load 3.10 >= 2" (pool-admit.h). */
	if (h->admit_state != PT_ADMIT_OFF) {
		char *e = text_cell(h->admit_why, strlen(h->admit_why),
		    ui->utf8);

		draw_pair(ui, 1, x, "admission ", e, l,
		    h->admit_state == PT_ADMIT_OPEN ? v :
		    ui->attr[THEME_EVENT_FAIL]);
		free(e);
	}
}

/* Header line 3: the overall progress bar. */
static void
draw_header_bar(struct ui *ui)
{
	const struct pt_shm_header	*h = &ui->hdr;
	uint64_t			 fin = h->done + h->failed, all;
	char				 txt[64];
	int				 w;
	double				 frac;

	all = h->total_known ? h->total : fin + h->running + h->queued;
	frac = all > 0 ? (double)fin / (double)all : 0;
	if (h->total_known)
		snprintf(txt, sizeof txt, " %llu/%llu %3d%% ",
		    (unsigned long long)fin, (unsigned long long)all,
		    (int)(frac * 100));
	else
		snprintf(txt, sizeof txt, " %llu/%llu+ ",
		    (unsigned long long)fin, (unsigned long long)all);
	ui_fill(2, 0, ui->cols, ui->attr[THEME_ROW]);
	w = ui->cols - 2 - (int)strlen(txt);
	if (w < 4) {
		ui_put(2, 1, ui->cols - 1, txt, ui->attr[THEME_HEADER_VALUE]);
		return;
	}
	ui_bar(ui, 2, 1, w, frac, ui->attr[THEME_BAR_DONE],
	    ui->attr[THEME_BAR_TODO]);
	ui_put(2, 1 + w, ui->cols - 1 - w, txt, ui->attr[THEME_HEADER_VALUE]);
}

/* Does any slot run on another machine?  Then HOST is shown. */
bool
ui_any_host(const struct ui *ui)
{
	uint32_t	i;

	for (i = 0; i < ui->nslots; i++)
		if (ui->slots[i].s.state != PT_SLOT_EMPTY &&
		    ui->slots[i].s.host[0] != '\0')
			return true;
	return false;
}

/* Choose the columns that fit in the terminal's width. */
static void
draw_layout(const struct ui *ui, struct draw_layout *l)
{
	int	i, used, worst;

	for (i = 0; i < COL_N; i++)
		l->on[i] = true;
	l->on[COL_HOST] = ui_any_host(ui);
	for (;;) {
		used = 0;
		for (i = 0; i < COL_N; i++)
			if (l->on[i])
				used += draw_cols[i].width + 1;
		if (used <= ui->cols)
			break;
		worst = -1;
		for (i = 0; i < COL_N; i++) {
			if (l->on[i] && draw_cols[i].prio > 0 && (worst == -1 ||
			    draw_cols[i].prio > draw_cols[worst].prio))
				worst = i;
		}
		if (worst == -1)
			break;
		l->on[worst] = false;
	}
	used = 0;
	for (i = 0; i < COL_N; i++) {
		l->x[i] = used;
		l->w[i] = l->on[i] ? draw_cols[i].width : 0;
		if (l->on[i])
			used += l->w[i] + 1;
	}
	l->w[COL_COMMAND] = ui->cols - l->x[COL_COMMAND];
}

/* A cell's text, right-aligned if its column is. */
static void
draw_cell(const struct draw_layout *l, int y, int col, const char *s,
    unsigned int attr)
{
	char	tmp[64];
	int	w;

	if (!l->on[col])
		return;
	if (draw_cols[col].right && (w = ui_width(s)) < l->w[col]) {
		snprintf(tmp, sizeof tmp, "%*s%s", l->w[col] - w, "", s);
		s = tmp;
	}
	ui_put(y, l->x[col], l->w[col], s, attr);
}

/* The table's head line, the sort column marked. */
static void
draw_table_head(struct ui *ui, const struct draw_layout *l, int y)
{
	int	i;

	ui_fill(y, 0, ui->cols, ui->attr[THEME_TABLE_HEAD]);
	for (i = 0; i < COL_N; i++)
		draw_cell(l, y, i, draw_cols[i].name, ui->attr[draw_cols[i].sort
		    == (int)ui->sort ? THEME_TABLE_HEAD_SORT : THEME_TABLE_HEAD]);
}

/* The state cell's colour. */
static unsigned int
draw_state_attr(const struct ui *ui, uint32_t state)
{
	static const enum theme_key	keys[] = {
		[PT_SLOT_EMPTY] = THEME_STATE_IDLE,
		[PT_SLOT_STARTING] = THEME_STATE_STARTING,
		[PT_SLOT_IDLE] = THEME_STATE_IDLE,
		[PT_SLOT_RUNNING] = THEME_STATE_RUNNING,
		[PT_SLOT_PAUSED] = THEME_STATE_PAUSED,
		[PT_SLOT_RETIRING] = THEME_STATE_RETIRING,
		[PT_SLOT_EXITED] = THEME_STATE_EXITED,
	};

	return ui->attr[state < nitems_of(keys) ? keys[state] :
	    THEME_STATE_IDLE];
}

/* The CPU cell's colour. */
static unsigned int
draw_cpu_attr(const struct ui *ui, uint32_t permille)
{
	if (permille >= 800)
		return ui->attr[THEME_CPU_HIGH];
	if (permille >= 300)
		return ui->attr[THEME_CPU_MID];
	return ui->attr[THEME_CPU_LOW];
}

/* The sparkline of a slot's recent CPU, newest on the right. */
static void
draw_spark(struct ui *ui, const struct ui_slot *us, int y, int x, int w,
    unsigned int attr)
{
	uint16_t	v[UI_HIST];
	char		out[UI_HIST * 4 + 1];
	int		n = us->hist_n < w ? us->hist_n : w, i, pad;

	for (i = 0; i < n; i++)
		ui_hist_get(us, n - 1 - i, &v[i], NULL);
	pad = w - n;
	ui_spark(out, sizeof out, v, n, 1000, ui->utf8);
	ui_fill(y, x, pad, attr);
	ui_put(y, x + pad, n, out, attr);
}

/* The task's own progress: a small bar and a percentage. */
static void
draw_progress(struct ui *ui, const struct pt_shm_slot *s, int y, int x,
    int w, unsigned int attr, bool sel)
{
	char	pct[8];
	double	frac;

	ui_fill(y, x, w, attr);
	if (s->progress_total == 0 || s->task_seq == 0)
		return;
	frac = (double)s->progress_done / s->progress_total;
	if (frac > 1)
		frac = 1;
	snprintf(pct, sizeof pct, "%3d%%", (int)(frac * 100));
	if (w > 6)
		ui_bar(ui, y, x, w - 5, frac, sel ? attr :
		    ui->attr[THEME_BAR_DONE], sel ? attr :
		    ui->attr[THEME_BAR_TODO]);
	ui_put(y, x + (w > 6 ? w - 4 : 0), 4, pct, attr);
}

/* One worker row. */
static void
draw_row(struct ui *ui, const struct draw_layout *l, int y, int slot)
{
	const struct ui_slot		*us = &ui->slots[slot];
	const struct pt_shm_slot	*s = &us->s;
	bool				 sel = slot == ui->sel_slot;
	bool				 dim = s->state == PT_SLOT_EXITED;
	bool				 busy = s->task_seq != 0 &&
					    s->task_pid > 0;
	unsigned int			 a, base;
	char				 b[64];

	base = sel ? ui->attr[THEME_ROW_SELECTED] : dim ?
	    ui->attr[THEME_ROW_DIM] : ui->attr[THEME_ROW];
	ui_fill(y, 0, ui->cols, base);
	snprintf(b, sizeof b, "%d", slot + 1);
	draw_cell(l, y, COL_SLOT, b, base);
	if (l->on[COL_HOST])
		ui_put_esc(ui, y, l->x[COL_HOST], l->w[COL_HOST],
		    s->host[0] != '\0' ? s->host : "localhost", base);
	snprintf(b, sizeof b, "%d", (int)s->worker_pid);
	draw_cell(l, y, COL_WPID, s->worker_pid > 0 ? b : "-", base);
	snprintf(b, sizeof b, "%d", (int)s->task_pid);
	draw_cell(l, y, COL_TPID, busy ? b : "-", base);
	a = sel || dim ? base : draw_state_attr(ui, s->state);
	if (busy && (s->flags & PT_SLOT_COPY)) {
		/* The second copy of a straggler (--speculate). */
		a = sel || dim ? base : ui->attr[THEME_STATE_STARTING];
		draw_cell(l, y, COL_STATE, "copy", a);
	} else if (busy && (s->flags & PT_SLOT_STRAGGLER)) {
		/* Running over --straggler-factor times the median. */
		a = sel || dim ? base : ui->attr[THEME_EVENT_FAIL];
		draw_cell(l, y, COL_STATE, "slow", a);
	} else
		draw_cell(l, y, COL_STATE, shm_slot_state_name(s->state), a);
	snprintf(b, sizeof b, "%u.%u", s->cpu_permille / 10,
	    s->cpu_permille % 10);
	a = sel || dim ? base : draw_cpu_attr(ui, s->cpu_permille);
	draw_cell(l, y, COL_CPU, busy ? b : "-", a);
	if (l->on[COL_SPARK])
		draw_spark(ui, us, y, l->x[COL_SPARK], l->w[COL_SPARK],
		    sel || dim ? base : ui->attr[THEME_SPARK]);
	ui_fmt_bytes(b, sizeof b, s->rss_bytes);
	/* Near its --task-memory limit (90%): in the failure colour. */
	a = !sel && !dim && ui->hdr.task_mem_limit > 0 && s->rss_bytes >=
	    ui->hdr.task_mem_limit / 10 * 9 ? ui->attr[THEME_EVENT_FAIL] : base;
	draw_cell(l, y, COL_MEM, busy ? b : "-", a);
	if (l->on[COL_PROG])
		draw_progress(ui, s, y, l->x[COL_PROG], l->w[COL_PROG], base,
		    sel);
	snprintf(b, sizeof b, "#%llu", (unsigned long long)s->task_seq);
	draw_cell(l, y, COL_TASK, s->task_seq ? b : "-", base);
	ui_fmt_duration(b, sizeof b, busy && s->task_start_real_ns > 0 ?
	    real_ns() - s->task_start_real_ns : -1);
	draw_cell(l, y, COL_TIME, b, base);
	snprintf(b, sizeof b, "%llu", (unsigned long long)s->tasks_done);
	draw_cell(l, y, COL_DONE, b, base);
	snprintf(b, sizeof b, "%llu", (unsigned long long)s->tasks_failed);
	draw_cell(l, y, COL_FAIL, b, base);
	ui_put_esc(ui, y, l->x[COL_COMMAND], l->w[COL_COMMAND],
	    busy ? ui_slot_title(s) : "", base);
}

/* Keep the selected row on screen. */
static void
draw_scroll(struct ui *ui, int height)
{
	int	r = ui_row_of_slot(ui, ui->sel_slot);

	if (r == -1 && ui->nrows > 0) {
		ui->sel_slot = ui->rows[0];
		r = 0;
	}
	if (r < ui->top)
		ui->top = r;
	if (r >= ui->top + height)
		ui->top = r - height + 1;
	if (ui->top > ui->nrows - height)
		ui->top = ui->nrows - height;
	if (ui->top < 0)
		ui->top = 0;
}

/* The worker table: head line and rows. */
static void
draw_table(struct ui *ui, int y, int height)
{
	struct draw_layout	l;
	int			i;
	const char		*msg;

	memset(&l, 0, sizeof l);
	draw_layout(ui, &l);
	draw_table_head(ui, &l, y);
	ui->table_y = y + 1;
	ui->table_h = height - 1;
	draw_scroll(ui, ui->table_h);
	for (i = 0; i < ui->table_h; i++) {
		if (ui->top + i < ui->nrows)
			draw_row(ui, &l, y + 1 + i, ui->rows[ui->top + i]);
		else
			ui_fill(y + 1 + i, 0, ui->cols, ui->attr[THEME_ROW]);
	}
	if (ui->nrows == 0 && ui->table_h > 0) {
		msg = ui->filter[0] != '\0' ? "  no worker matches the filter"
		    : "  no workers yet";
		ui_put(y + 1, 0, ui->cols, msg, ui->attr[THEME_ROW_DIM]);
	}
}

/* An event's colour. */
static unsigned int
draw_event_attr(const struct ui *ui, uint32_t type)
{
	switch (type) {
	case PT_EV_TASK_DONE:
		return ui->attr[THEME_EVENT_OK];
	case PT_EV_TASK_FAILED:
	case PT_EV_TASK_TIMEOUT:
	case PT_EV_TASK_KILLED:
	case PT_EV_ERROR:
		return ui->attr[THEME_EVENT_FAIL];
	case PT_EV_RESIZE:
	case PT_EV_PAUSE:
	case PT_EV_RESUME:
	case PT_EV_DRAIN:
	case PT_EV_STOP:
	case PT_EV_TASK_RETRY:
		return ui->attr[THEME_EVENT_CONTROL];
	default:
		return ui->attr[THEME_EVENT_INFO];
	}
}

/* One event line: time, name, slot, task and text. */
static void
draw_event(struct ui *ui, int y, const struct pt_shm_event *ev)
{
	struct tm	tm;
	time_t		t = (time_t)(ev->real_ns / PT_NSEC);
	char		ts[16], what[64];
	int		x = 1;

	ui_fill(y, 0, ui->cols, ui->attr[THEME_ROW]);
	if (localtime_r(&t, &tm) == NULL)
		strlcpy(ts, "--:--:--", sizeof ts);
	else
		strftime(ts, sizeof ts, "%H:%M:%S", &tm);
	x += ui_put(y, x, ui->cols - x, ts, ui->attr[THEME_EVENT_TIME]) + 1;
	snprintf(what, sizeof what, "%-12s", shm_event_name(ev->type));
	x += ui_put(y, x, ui->cols - x, what, draw_event_attr(ui, ev->type));
	x += 1;
	if (ev->slot >= 0 && ev->task_seq)
		snprintf(what, sizeof what, "slot %-3d #%-5llu ", ev->slot + 1,
		    (unsigned long long)ev->task_seq);
	else if (ev->slot >= 0)
		snprintf(what, sizeof what, "slot %-3d        ", ev->slot + 1);
	else
		snprintf(what, sizeof what, "%-16s", "");
	x += ui_put(y, x, ui->cols - x, what, ui->attr[THEME_ROW]);
	ui_put_esc(ui, y, x, ui->cols - x, ev->text, ui->attr[THEME_ROW]);
}

/* The event pane: a titled rule and the newest events, newest first. */
static void
draw_events(struct ui *ui, int y, int height)
{
	struct pt_shm_event	ev;
	uint64_t		n = ui->hdr.event_head;
	int			i;

	attrset(ui->attr[THEME_FRAME]);
	mvhline(y, 0, ui->utf8 ? ACS_HLINE : '-', ui->cols);
	ui_put(y, 2, 8, " events ", ui->attr[THEME_FRAME]);
	for (i = 1; i < height; i++) {
		if (n == 0 || !shm_read_event(ui->host.shm, n, &ev)) {
			ui_fill(y + i, 0, ui->cols, ui->attr[THEME_ROW]);
			n = 0;
			continue;
		}
		draw_event(ui, y + i, &ev);
		n--;
	}
}

/*
 * The key bar: the main keys, each with its word; when the first ten do
 * not fit, shorter words, so that an 80-column terminal still shows the
 * keys of the views (a, f, v).  What is cut is in the help (?).
 */
void
ui_draw_keybar(struct ui *ui, int y)
{
	static const char *const	 keys[][3] = {
		{ "q", "Quit", "Quit" }, { "?", "Help", "Help" },
		{ "p", "Pause", "Pause" }, { "P", "Pool", "Pool" },
		{ "k", "Kill", "Kill" }, { "+-", "Workers", "Wkrs" },
		{ "=", "Size", "Size" }, { "a", "WhatIf", "What" },
		{ "f", "Failed", "Fail" }, { "v", "Graphs", "Grph" },
		{ "Enter", "Detail", "Det" }, { "/", "Filter", "Filt" },
		{ "s", "Sort", "Sort" }, { "t", "Theme", "Thm" },
		{ "r", "Retry", "Rtry" },
	};
	const char			*label;
	char				 text[32];
	size_t				 i, w = 0;
	int				 x = 0, form;

	/* Shorter words when the long ones would cut the keys up to v. */
	for (i = 0; i < 10; i++)
		w += strlen(keys[i][0]) + strlen(keys[i][1]) + 2;
	form = w <= (size_t)ui->cols ? 1 : 2;
	ui_fill(y, 0, ui->cols, ui->attr[THEME_KEYBAR]);
	for (i = 0; i < nitems_of(keys) && x < ui->cols; i++) {
		label = keys[i][form];
		if (ui->host.attached && i == 0)
			label = "Detach";
		snprintf(text, sizeof text, " %s ", label);
		x += ui_put(y, x, ui->cols - x, keys[i][0],
		    ui->attr[THEME_KEYBAR_KEY]);
		x += ui_put(y, x, ui->cols - x, text, ui->attr[THEME_KEYBAR]);
	}
}

/* The bottom-line editor: its question, what was typed, the cursor. */
static void
draw_prompt(struct ui *ui, int y)
{
	char		 line[UI_STATUS_MAX + UI_PROMPT_MAX], *e;
	const char	*what;
	int		 w;

	if (ui->prompt == UI_PROMPT_QUIT)
		what = "Tasks are running: let them finish (f), kill them (k), "
		    "or cancel (Esc)? ";
	else if (ui->prompt == UI_PROMPT_RESIZE)
		what = "Workers (N, +N, -N; end with ! to kill surplus tasks): ";
	else
		what = "Filter commands: ";
	e = text_cell(ui->pbuf, ui->plen, ui->utf8);
	snprintf(line, sizeof line, "%s%s", what, e);
	free(e);
	ui_put(y, 0, ui->cols, line, ui->attr[THEME_PROMPT]);
	w = ui_width(line);
	ui->cur_y = y;
	ui->cur_x = w < ui->cols ? w : ui->cols - 1;
}

/* The status line: the prompt, the last message, or the view's state. */
void
ui_draw_status(struct ui *ui, int y)
{
	char		line[UI_STATUS_MAX + UI_PROMPT_MAX], *e;

	ui_fill(y, 0, ui->cols, ui->attr[THEME_STATUS]);
	if (ui->prompt != UI_PROMPT_NONE) {
		draw_prompt(ui, y);
		return;
	}
	if (ui->status[0] != '\0') {
		ui_put(y, 0, ui->cols, ui->status, ui->status_error ?
		    ui->attr[THEME_STATUS_ERROR] : ui->attr[THEME_STATUS]);
		return;
	}
	if (ui->stale) {
		ui_put(y, 0, ui->cols, "error: the pool's segment cannot be "
		    "read (a writer died mid-update?)",
		    ui->attr[THEME_STATUS_ERROR]);
		return;
	}
	if (ui->quitting && ui->hdr.state != PT_POOL_DONE) {
		snprintf(line, sizeof line, "ending: %llu task(s) still "
		    "running; Q stops them now",
		    (unsigned long long)ui->hdr.running);
		ui_put(y, 0, ui->cols, line, ui->attr[THEME_STATUS]);
		return;
	}
	if (ui->filter[0] != '\0') {
		e = text_cell(ui->filter, strlen(ui->filter), ui->utf8);
		snprintf(line, sizeof line, "filter: %s  (/ then Esc clears)",
		    e);
		free(e);
		ui_put(y, 0, ui->cols, line, ui->attr[THEME_STATUS]);
	}
}

/*
 * The free band under the table's rows, for the graphs: what is left of
 * the table's height after its head and rows (one row for "no workers
 * yet"), when that is at least GRAPHS_BAND_MIN rows; else 0.
 */
static int
draw_band(const struct ui *ui, int table_h)
{
	int	free_h = table_h - 1 - (ui->nrows > 0 ? ui->nrows : 1);

	return free_h >= GRAPHS_BAND_MIN ? free_h : 0;
}

/* The main screen. */
void
ui_draw_main(struct ui *ui)
{
	int	avail, ev_h, table_h, band;

	draw_header_title(ui);
	draw_header_counts(ui);
	draw_header_bar(ui);
	avail = ui->lines - 5;
	if (avail >= 14)
		ev_h = avail / 3 > 9 ? 9 : avail / 3;
	else if (avail >= 9)
		ev_h = 3;
	else
		ev_h = 0;
	table_h = avail - ev_h;
	if (ui->mode == UI_MODE_GRAPHS) {
		/* The view: the graphs take the table's place. */
		if (!ui_draw_graphs(ui, 3, table_h))
			draw_table(ui, 3, table_h);
	} else if ((band = draw_band(ui, table_h)) > 0) {
		draw_table(ui, 3, table_h - band);
		ui_draw_graphs(ui, 3 + table_h - band, band);
	} else
		draw_table(ui, 3, table_h);
	if (ev_h > 0)
		draw_events(ui, 3 + table_h, ev_h);
	ui_draw_status(ui, ui->lines - 2);
	ui_draw_keybar(ui, ui->lines - 1);
}

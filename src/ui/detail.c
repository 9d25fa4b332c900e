/*
 * The detail view of one worker (Enter on a row) and the help overlay.
 * The detail view shows the slot's full command and item, the environment
 * the worker gives its task (derived from the slot exactly as worker.c
 * sets it), the CPU and memory history kept by the reader, and the last
 * lines of the task's output, every string escaped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui-int.h"

/* A "label value" line, the value escaped; the lines used. */
static int
detail_field(struct ui *ui, int y, const char *label, const char *value,
    int maxlines)
{
	char	*e;
	int	 lw = 14, n;

	if (y >= ui->lines - 2 || maxlines <= 0)
		return 0;
	if (maxlines > ui->lines - 2 - y)
		maxlines = ui->lines - 2 - y;
	ui_put(y, 0, lw, label, ui->attr[THEME_DETAIL_LABEL]);
	e = text_cell(value, strlen(value), ui->utf8);
	n = ui_put_wrap(y, lw, ui->cols - lw, maxlines, e,
	    ui->attr[THEME_DETAIL_VALUE]);
	free(e);
	return n;
}

/* A history sparkline across the view, scaled to its maximum. */
static int
detail_history(struct ui *ui, int y, const struct ui_slot *us, bool mem)
{
	uint16_t	v[UI_HIST], cpu;
	uint64_t	rss, max = 0;
	char		line[UI_HIST * 4 + 64], top[16];
	int		i, n = us->hist_n, w = ui->cols - 14 - 12;

	if (w <= 0)
		return 0;
	if (n > w)
		n = w;
	for (i = 0; i < n; i++) {
		ui_hist_get(us, n - 1 - i, &cpu, &rss);
		if (mem && rss > max)
			max = rss;
		v[i] = cpu;
	}
	if (mem) {
		for (i = 0; i < n; i++) {
			ui_hist_get(us, n - 1 - i, NULL, &rss);
			v[i] = max ? (uint16_t)(rss * 1000 / max) : 0;
		}
		ui_fmt_bytes(top, sizeof top, max);
	} else {
		for (i = 0; i < n; i++)
			if (v[i] > max)
				max = v[i];
		snprintf(top, sizeof top, "%u%%", (unsigned)(max / 10));
	}
	ui_spark(line, sizeof line, v, n, mem ? 1000 :
	    (uint16_t)(max > 1000 ? max : 1000), ui->utf8);
	ui_put(y, 0, 14, mem ? "memory" : "cpu", ui->attr[THEME_DETAIL_LABEL]);
	ui_put(y, 14, w, line, ui->attr[THEME_SPARK]);
	snprintf(line, sizeof line, " max %s", top);
	ui_put(y, 14 + w, 12, line, ui->attr[THEME_DETAIL_VALUE]);
	return 1;
}

/* The environment the worker sets for the slot's task. */
static int
detail_env(struct ui *ui, int y, int slot, const struct pt_shm_slot *s)
{
	char	env[512];

	snprintf(env, sizeof env, "POOLTOP_SHM=%s POOLTOP_SLOT=%d "
	    "POOLTOP_TASK=%llu POOLTOP_WORKER=%d PARALLEL_SEQ=%llu "
	    "PARALLEL_JOBSLOT=%d", ui->host.shm->name, slot + 1,
	    (unsigned long long)s->task_seq, (int)s->worker_pid,
	    (unsigned long long)s->task_seq, slot + 1);
	return detail_field(ui, y, "environment", env, 3);
}

/* One output line, to escape: the text after the last CR, tabs as spaces. */
static char *
detail_line(const char *p, size_t n)
{
	char	*tmp;
	size_t	 i, start = 0;

	while (n > 0 && p[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++)
		if (p[i] == '\r')
			start = i + 1;
	tmp = xstrndup(p + start, n - start);
	for (i = 0; tmp[i] != '\0'; i++)
		if (tmp[i] == '\t')
			tmp[i] = ' ';
	return tmp;
}

/* The last lines of the task's output that fit in height lines. */
static void
detail_tail(struct ui *ui, int y, int height, const struct pt_shm_slot *s)
{
	size_t	 len = s->tail_len < PT_TAIL_MAX ? s->tail_len : PT_TAIL_MAX;
	size_t	 end = len, start, i;
	char	*line;
	int	 row, n = 1;

	if (len > 0 && s->tail[len - 1] == '\n')
		end = len - 1;
	if (len == 0)
		return;
	for (i = 0; i < end; i++)
		if (s->tail[i] == '\n')
			n++;
	row = y + (n < height ? n : height) - 1;
	while (row >= y) {
		start = end;
		while (start > 0 && s->tail[start - 1] != '\n')
			start--;
		line = detail_line(s->tail + start, end - start);
		ui_put_esc(ui, row--, 1, ui->cols - 1, line, ui->attr[THEME_ROW]);
		free(line);
		if (start == 0)
			break;
		end = start - 1;
	}
}

/* The task's limits (--task-memory, --task-cpus): " of 50M, 0.5 CPUs". */
static void
detail_limits(const struct ui *ui, char *buf, size_t len)
{
	const struct pt_shm_header	*h = &ui->hdr;
	char				 m[16];

	buf[0] = '\0';
	if (h->task_mem_limit > 0) {
		ui_fmt_bytes(m, sizeof m, h->task_mem_limit);
		snprintf(buf, len, " of %s", m);
	}
	if (h->task_cpu_milli > 0)
		snprintf(buf + strlen(buf), len - strlen(buf), "  limit %u.%02u "
		    "CPUs", h->task_cpu_milli / 1000,
		    h->task_cpu_milli % 1000 / 10);
}

/* The worker and task lines of the detail view; the next line. */
static int
detail_task(struct ui *ui, int y, const struct pt_shm_slot *s)
{
	char	b[256], t[32], m[16], lim[64];

	snprintf(b, sizeof b, "%d  generation %u  tasks done %llu, failed %llu",
	    (int)s->worker_pid, s->generation,
	    (unsigned long long)s->tasks_done,
	    (unsigned long long)s->tasks_failed);
	y += detail_field(ui, y, "worker pid", b, 1);
	/* Its pids are there; the worker pid is its ssh, here. */
	if (s->host[0] != '\0')
		y += detail_field(ui, y, "host", s->host, 1);
	ui_fmt_duration(t, sizeof t, s->task_pid > 0 &&
	    s->task_start_real_ns > 0 ? real_ns() - s->task_start_real_ns : -1);
	ui_fmt_bytes(m, sizeof m, s->rss_bytes);
	detail_limits(ui, lim, sizeof lim);
	if (s->task_seq != 0 && s->task_pid > 0)
		snprintf(b, sizeof b, "#%llu  pid %d  elapsed %s  cpu %u.%u%%  "
		    "memory %s%s", (unsigned long long)s->task_seq,
		    (int)s->task_pid, t, s->cpu_permille / 10,
		    s->cpu_permille % 10, m, lim);
	else
		strlcpy(b, "none", sizeof b);
	y += detail_field(ui, y, "task", b, 1);
	if (s->progress_total > 0 && s->task_seq != 0) {
		snprintf(b, sizeof b, "%u/%u", s->progress_done,
		    s->progress_total);
		y += detail_field(ui, y, "progress", b, 1);
	}
	return y;
}

/* The detail view of the selected worker. */
void
ui_draw_detail(struct ui *ui)
{
	const struct ui_slot		*us;
	const struct pt_shm_slot	*s;
	char				 b[128];
	int				 y, slot = ui->sel_slot;

	ui_fill(0, 0, ui->cols, ui->attr[THEME_HEADER]);
	if (slot < 0 || (uint32_t)slot >= ui->nslots) {
		ui_put(0, 1, ui->cols - 1, "no worker selected (Esc returns)",
		    ui->attr[THEME_HEADER]);
		return;
	}
	us = &ui->slots[slot];
	s = &us->s;
	snprintf(b, sizeof b, " worker slot %d  %s  (Esc, Enter or q returns)",
	    slot + 1, shm_slot_state_name(s->state));
	ui_put(0, 0, ui->cols, b, ui->attr[THEME_HEADER_TITLE]);
	y = detail_task(ui, 2, s);
	if (s->flags & PT_SLOT_NAMED)
		y += detail_field(ui, y, "name", s->item, 2);
	y += detail_field(ui, y, "command", s->label, 4);
	if (!(s->flags & PT_SLOT_NAMED))
		y += detail_field(ui, y, "item", s->item, 2);
	y += detail_env(ui, y, slot, s);
	if (y < ui->lines - 3)
		y += detail_history(ui, y, us, false);
	if (y < ui->lines - 3)
		y += detail_history(ui, y, us, true);
	if (y < ui->lines - 4) {
		attrset(ui->attr[THEME_FRAME]);
		mvhline(y, 0, ui->utf8 ? ACS_HLINE : '-', ui->cols);
		ui_put(y, 2, 16, " output (tail) ", ui->attr[THEME_FRAME]);
		detail_tail(ui, y + 1, ui->lines - 3 - y, s);
	}
	ui_draw_status(ui, ui->lines - 2);
	ui_draw_keybar(ui, ui->lines - 1);
}

static const char *const detail_help[][2] = {
	{ "Up Down j", "move the selection (k is kill)" },
	{ "PgUp PgDn", "page; Home End: first, last" },
	{ "click", "select a worker" },
	{ "Enter", "worker detail (Esc, Enter or q returns)" },
	{ "p", "pause or resume the selected task" },
	{ "P space", "pause or resume the whole pool" },
	{ "k", "end the selected task (termination sequence)" },
	{ "K", "kill the selected task at once (SIGKILL)" },
	{ "+ -", "one worker more, one fewer" },
	{ "=", "set the worker count: N, +N, -N (N! kills surplus)" },
	{ "r", "retry the tasks that failed" },
	{ "f", "failure groups; r retries the selected group's tasks" },
	{ "a", "what if: finish time by worker count; Enter resizes" },
	{ "v", "graphs view (v, Esc or q returns); a band shows them too" },
	{ "s", "sort by the next column" },
	{ "t", "next theme" },
	{ "/", "filter workers by command; Esc clears" },
	{ "q", "quit: let tasks finish or kill them; attached: detach" },
	{ "Q", "stop now: running tasks are terminated" },
	{ "? F1", "this help; any key closes it" },
};

/* The help overlay, over the main screen. */
void
ui_draw_help(struct ui *ui)
{
	size_t	i, n = nitems_of(detail_help);
	int	w = ui->cols - 4 > 68 ? 68 : ui->cols - 4;
	int	h = (int)n + 3, x0, y0;

	if (h > ui->lines - 1)
		h = ui->lines - 1;
	x0 = (ui->cols - w) / 2;
	y0 = (ui->lines - h) / 2;
	if (w < 20 || h < 4)
		return;
	for (i = 0; i < (size_t)h; i++)
		ui_fill(y0 + (int)i, x0, w, ui->attr[THEME_HELP]);
	ui_put(y0, x0 + 2, w - 4, "pooltop keys", ui->attr[THEME_HELP_KEY]);
	for (i = 0; i < n && (int)i + 2 < h - 1; i++) {
		ui_put(y0 + 2 + (int)i, x0 + 2, 11, detail_help[i][0],
		    ui->attr[THEME_HELP_KEY]);
		ui_put(y0 + 2 + (int)i, x0 + 13, w - 15, detail_help[i][1],
		    ui->attr[THEME_HELP]);
	}
}

/*
 * The dashboard's model: consistent copies of the segment's header and
 * slots, taken once per tick, plus what only a reader can know: the task
 * rate over a recent window, and per slot a short history of CPU and memory
 * (reset whenever the slot's generation or task changes, so a sparkline
 * never mixes two tasks).  ui_rows() turns the slots into the rows shown:
 * empty slots hidden, the filter applied, sorted by the chosen column.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/ui-int.h"

static struct ui	*model_sort_ui;	/* for the qsort comparator */

/* Allocate the per-slot state for the segment's capacity. */
void
ui_model_init(struct ui *ui)
{
	/* The count checked against the object's size when it was opened. */
	ui->nslots = ui->host.shm->nslots;
	ui->slots = xcalloc(ui->nslots, sizeof *ui->slots);
	ui->rows = xcalloc(ui->nslots, sizeof *ui->rows);
	ui->rate = -1;
	ui->sel_slot = -1;
}

/* Add one CPU and memory sample to a slot's history. */
static void
model_hist_add(struct ui_slot *us)
{
	const struct pt_shm_slot	*s = &us->s;

	if (s->generation != us->hist_gen || s->task_seq != us->hist_task) {
		us->hist_gen = s->generation;
		us->hist_task = s->task_seq;
		us->hist_n = 0;
		us->hist_pos = 0;
	}
	if (s->task_seq == 0 || (s->state != PT_SLOT_RUNNING &&
	    s->state != PT_SLOT_PAUSED && s->state != PT_SLOT_RETIRING))
		return;
	us->cpu[us->hist_pos] = s->cpu_permille > 65535 ? 65535 :
	    (uint16_t)s->cpu_permille;
	us->rss[us->hist_pos] = s->rss_bytes;
	us->hist_pos = (us->hist_pos + 1) % UI_HIST;
	if (us->hist_n < UI_HIST)
		us->hist_n++;
}

/* A history sample, age 0 the newest: 0, or -1 if there is none. */
int
ui_hist_get(const struct ui_slot *us, int age, uint16_t *cpu, uint64_t *rss)
{
	int	i;

	if (age < 0 || age >= us->hist_n)
		return -1;
	i = (us->hist_pos - 1 - age + 2 * UI_HIST) % UI_HIST;
	if (cpu != NULL)
		*cpu = us->cpu[i];
	if (rss != NULL)
		*rss = us->rss[i];
	return 0;
}

/* Update the rate: finished tasks per second over the recent window. */
static void
model_rate(struct ui *ui)
{
	const struct pt_shm_header	*h = &ui->hdr;
	int64_t				 now = mono_ns(), dt, el;
	uint64_t			 v = h->done + h->failed;
	int				 i, j, old = -1;

	ui->rate_t[ui->rate_pos] = now;
	ui->rate_v[ui->rate_pos] = v;
	ui->rate_pos = (ui->rate_pos + 1) % UI_RATE_N;
	if (ui->rate_n < UI_RATE_N)
		ui->rate_n++;
	for (i = ui->rate_n - 1; i > 0; i--) {
		j = (ui->rate_pos - 1 - i + 2 * UI_RATE_N) % UI_RATE_N;
		if (now - ui->rate_t[j] <= UI_RATE_WINDOW) {
			old = j;
			break;
		}
	}
	dt = old == -1 ? 0 : now - ui->rate_t[old];
	if (dt >= PT_NSEC) {
		/* retry can lower "failed": never a negative rate */
		ui->rate = v < ui->rate_v[old] ? 0 :
		    (double)(v - ui->rate_v[old]) * PT_NSEC / (double)dt;
		return;
	}
	/* Too early for a window: the average since the pool started. */
	el = h->update_real_ns - h->start_real_ns;	/* both in [0, 2^62) */
	if (h->start_real_ns > 0 && el > PT_NSEC / 2)
		ui->rate = (double)v * PT_NSEC / (double)el;
	else
		ui->rate = -1;
}

/* Read the segment: header, every slot, histories, rate, rows. */
void
ui_sample(struct ui *ui)
{
	struct pt_shm_slot	 tmp;
	uint32_t		 i;

	if (!shm_header(ui->host.shm, &ui->hdr)) {
		ui->stale = true;
		return;
	}
	ui->stale = false;
	ui->hdr_valid = true;
	/* Slots never used are not read (slots_used is at most nslots). */
	for (i = 0; i < ui->nslots && i < ui->hdr.slots_used; i++) {
		if (!shm_read_slot(ui->host.shm, i, &tmp))
			continue;
		ui->slots[i].s = tmp;
		ui->slots[i].valid = true;
		model_hist_add(&ui->slots[i]);
	}
	model_rate(ui);
	ui->hist_ok = shm_read_history(ui->host.shm, &ui->hist);  /* graphs */
	ui_rows(ui);
}

/* Does the slot have a task now? */
static bool
model_busy(const struct pt_shm_slot *s)
{
	return s->task_seq != 0 && s->task_pid > 0 &&
	    (s->state == PT_SLOT_RUNNING || s->state == PT_SLOT_PAUSED ||
	    s->state == PT_SLOT_RETIRING);
}

/* Compare two rows by the sort column, then by slot. */
static int
model_cmp(const void *a, const void *b)
{
	const struct ui			*ui = model_sort_ui;
	int				 ia = *(const int *)a;
	int				 ib = *(const int *)b;
	const struct pt_shm_slot	*sa = &ui->slots[ia].s;
	const struct pt_shm_slot	*sb = &ui->slots[ib].s;
	bool				 ba = model_busy(sa), bb = model_busy(sb);
	uint64_t			 va, vb;
	int				 c;

	/* Exited workers last, then busy before idle whatever the column. */
	c = (sa->state == PT_SLOT_EXITED) - (sb->state == PT_SLOT_EXITED);
	if (c != 0)
		return c;
	if (ui->sort != UI_SORT_SLOT && ba != bb)
		return ba ? -1 : 1;
	switch (ui->sort) {
	case UI_SORT_CPU:
	case UI_SORT_MEM:
		va = ui->sort == UI_SORT_CPU ? sa->cpu_permille : sa->rss_bytes;
		vb = ui->sort == UI_SORT_CPU ? sb->cpu_permille : sb->rss_bytes;
		c = (vb > va) - (vb < va);
		break;
	case UI_SORT_TIME:
		c = (sa->task_start_real_ns > sb->task_start_real_ns) -
		    (sa->task_start_real_ns < sb->task_start_real_ns);
		break;
	case UI_SORT_TASK:
		c = (sa->task_seq > sb->task_seq) - (sa->task_seq < sb->task_seq);
		break;
	case UI_SORT_COMMAND:
		c = strcmp(ui_slot_title(sa), ui_slot_title(sb));
		break;
	default:
		break;
	}
	return c != 0 ? c : ia - ib;
}

/*
 * What a row shows in its COMMAND column: the task's name when the config
 * gave one, else its command.
 */
const char *
ui_slot_title(const struct pt_shm_slot *s)
{
	return (s->flags & PT_SLOT_NAMED) ? s->item : s->label;
}

/* Build the list of rows shown: non-empty slots, filtered, sorted. */
void
ui_rows(struct ui *ui)
{
	const struct ui_slot	*us;
	uint32_t		 i;

	ui->nrows = 0;
	for (i = 0; i < ui->nslots; i++) {
		us = &ui->slots[i];
		if (!us->valid || us->s.state == PT_SLOT_EMPTY)
			continue;
		if (ui->filter[0] != '\0' &&
		    strcasestr(ui_slot_title(&us->s), ui->filter) == NULL &&
		    strcasestr(us->s.label, ui->filter) == NULL)
			continue;
		ui->rows[ui->nrows++] = (int)i;
	}
	model_sort_ui = ui;
	qsort(ui->rows, (size_t)ui->nrows, sizeof *ui->rows, model_cmp);
	model_sort_ui = NULL;
	if (ui->sel_slot == -1 && ui->nrows > 0)
		ui->sel_slot = ui->rows[0];
}

/* The row showing a slot, or -1. */
int
ui_row_of_slot(const struct ui *ui, int slot)
{
	int	i;

	for (i = 0; i < ui->nrows; i++) {
		if (ui->rows[i] == slot)
			return i;
	}
	return -1;
}

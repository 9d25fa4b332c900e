/*
 * `pooltop ls`: one row per live pool of this user, read from the pools'
 * segments, as a table or as JSON.  Listing also cleans up: shm_list()
 * removes the segments of supervisors that are gone, and
 * ctl_remove_stale() then removes control sockets no live pool serves.
 * What was removed is noted on stderr, so stdout stays parseable.
 *
 * Nothing the segments say decides anything: the ID is the pid in the
 * segment's name, a pool is alive if that process is, the socket is the
 * one in the per-user directory.  A live pool whose segment cannot be read
 * (damaged, being written by someone else) is still listed, as "damaged".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "client-ls.h"
#include "opts.h"
#include "shm.h"
#include "text.h"

#define LS_NCOLS	6

struct ls_pool {
	char			shm[64];
	pid_t			pid;	/* from the segment's name */
	bool			damaged;	/* no valid header copy */
	struct pt_shm_header	h;
	char			*hosts;		/* ,"hosts":[...] for --json */
};

struct ls_list {
	struct ls_pool	*v;
	size_t		 n;
	pid_t		*live;		/* every live pool, listed or not */
	size_t		 nlive;
	struct buf	 removed;	/* which stale segments went, as said */
};

static const char *ls_heads[LS_NCOLS] = {
	"ID", "NAME", "STATE", "WORKERS", "PROGRESS", "COMMAND"
};

/* Note a live pool: its socket is not stale. */
static void
ls_live(struct ls_list *l, pid_t pid)
{
	l->live = xreallocarray(l->live, l->nlive + 1, sizeof *l->live);
	l->live[l->nlive++] = pid;
}

/* Add a pool to the list, damaged until its header is read. */
static struct ls_pool *
ls_add(struct ls_list *l, const char *name, pid_t pid)
{
	struct ls_pool	*lp;

	ls_live(l, pid);
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	lp = &l->v[l->n++];
	memset(lp, 0, sizeof *lp);
	strlcpy(lp->shm, name, sizeof lp->shm);
	lp->pid = pid;
	lp->damaged = true;
	return lp;
}

/* shm_list callback: keep live pools, note removed or unreadable ones. */
static void
ls_collect(const char *name, const struct pt_shm *shm, bool alive,
    const char *error, void *arg)
{
	struct ls_list	*l = arg;
	struct ls_pool	*lp;
	pid_t		 pid = shm != NULL ? shm->pid : shm_name_pid(name,
			    geteuid());

	if (shm == NULL) {
		fprintf(stderr, "pooltop ls: skipped segment %s: %s\n", name,
		    error != NULL ? error : "not readable");
		if (alive && pid > 0)
			ls_live(l, pid);	/* keep its socket */
		return;
	}
	if (!alive && error != NULL) {
		fprintf(stderr, "pooltop ls: stale segment %s not removed: "
		    "%s\n", name, error);
		return;
	}
	if (!alive) {
		buf_printf(&l->removed, "pooltop ls: removed stale segment "
		    "%s\n", name);
		return;
	}
	lp = ls_add(l, name, pid);
	if (shm_read_header(shm, &lp->h)) {
		struct buf	b = { NULL, 0, 0 };

		lp->damaged = false;
		cmd_json_hosts(shm, &lp->h, &b);
		buf_add(&b, "", 1);
		lp->hosts = b.data;
	} else
		memset(&lp->h, 0, sizeof lp->h);
}

/* Order pools by supervisor pid. */
static int
ls_cmp(const void *a, const void *b)
{
	const struct ls_pool	*x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Tasks finished, and of how many when known. */
static char *
ls_progress(const struct pt_shm_header *h)
{
	unsigned long long	fin = h->done + h->failed;

	if (h->total_known)
		return xasprintf("%llu/%llu", fin,
		    (unsigned long long)h->total);
	return xasprintf("%llu", fin);
}

/* The cells of one row, escaped for a terminal. */
static void
ls_cells(const struct ls_pool *lp, char *cell[LS_NCOLS])
{
	const struct pt_shm_header	*h = &lp->h;
	int				 c;

	cell[0] = xasprintf("%ld", (long)lp->pid);
	if (lp->damaged) {
		cell[2] = xstrdup("damaged");
		for (c = 1; c < LS_NCOLS; c++)
			if (c != 2)
				cell[c] = xstrdup("-");
		return;
	}
	cell[1] = h->name[0] != '\0' ? text_escaped(h->name, strlen(h->name)) :
	    xstrdup("-");
	cell[2] = xstrdup(shm_pool_state_name(h->state));
	cell[3] = xasprintf("%u/%u", h->live_workers, h->target_workers);
	cell[4] = ls_progress(h);
	cell[5] = text_escaped(h->command, strlen(h->command));
}

/* Print one row, padding all but the last column. */
static void
ls_row(char *const cell[LS_NCOLS], const size_t width[LS_NCOLS])
{
	int	i;

	for (i = 0; i < LS_NCOLS - 1; i++)
		printf("%-*s  ", (int)width[i], cell[i]);
	printf("%s\n", cell[LS_NCOLS - 1]);
}

/* The table. */
static void
ls_text(const struct ls_list *l)
{
	char	*(*cells)[LS_NCOLS];
	size_t	 width[LS_NCOLS], i;
	int	 c;

	cells = xreallocarray(NULL, l->n, sizeof *cells);
	for (c = 0; c < LS_NCOLS; c++)
		width[c] = strlen(ls_heads[c]);
	for (i = 0; i < l->n; i++) {
		ls_cells(&l->v[i], cells[i]);
		for (c = 0; c < LS_NCOLS; c++) {
			if (strlen(cells[i][c]) > width[c])
				width[c] = strlen(cells[i][c]);
		}
	}
	ls_row((char *const *)ls_heads, width);
	for (i = 0; i < l->n; i++) {
		ls_row(cells[i], width);
		for (c = 0; c < LS_NCOLS; c++)
			free(cells[i][c]);
	}
	free(cells);
}

/*
 * One pool as a JSON object: status --json's fields, then the segment, and
 * id, workers, target and socket, the names ls used first (socket is where
 * ls finds the pool's socket; socket_path is what the pool says).
 */
static void
ls_json_pool(struct buf *b, const struct ls_pool *lp)
{
	const struct pt_shm_header	*h = &lp->h;
	char				 sock[108];

	if (ctl_socket_of(lp->pid, sock, sizeof sock) == -1)
		sock[0] = '\0';
	buf_addstr(b, "{");
	cmd_json_pool(b, h, lp->damaged ? "damaged" :
	    shm_pool_state_name(h->state));
	buf_addstr(b, lp->hosts != NULL ? lp->hosts : ",\"hosts\":[]");
	buf_addstr(b, ",\"segment\":");
	text_json(b, lp->shm, strlen(lp->shm));
	buf_printf(b, ",\"id\":%ld,\"workers\":%u,\"target\":%u,"
	    "\"socket\":", (long)lp->pid, h->live_workers, h->target_workers);
	text_json(b, sock, strlen(sock));
	buf_addstr(b, "}");
}

/* The list as one JSON array. */
static void
ls_json(const struct ls_list *l)
{
	struct buf	b = { 0 };
	size_t		i;

	buf_addstr(&b, "[");
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_addstr(&b, ",");
		ls_json_pool(&b, &l->v[i]);
	}
	buf_addstr(&b, "]\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

/* Remove sockets of gone pools; say on stderr what went, segments first. */
static void
ls_cleanup(struct ls_list *l)
{
	struct buf	 socks = { 0 };
	char		*line, *next;

	(void)ctl_remove_stale(l->live, l->nlive, &socks);
	if (l->removed.data != NULL)
		fputs(l->removed.data, stderr);
	for (line = socks.data; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		fprintf(stderr, "pooltop ls: removed stale socket %s\n", line);
	}
	buf_free(&socks);
}

/* Print usage of ls. */
static void
ls_usage(FILE *f)
{
	fprintf(f, "usage: pooltop ls [--json]\n");
}

/* `pooltop ls [--json]` */
int
ls_main(int argc, char **argv)
{
	struct ls_list	l = { NULL, 0, NULL, 0, { 0 } };
	int		i, json = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			ls_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "pooltop ls: unknown argument %s\n",
			    argv[i]);
			ls_usage(stderr);
			return PT_EXIT_USAGE;
		}
	}
	if (shm_list(geteuid(), ls_collect, &l) == -1)
		fprintf(stderr, "pooltop ls: cannot list all segments\n");
	if (l.n > 0)
		qsort(l.v, l.n, sizeof *l.v, ls_cmp);
	ls_cleanup(&l);
	if (json)
		ls_json(&l);
	else
		ls_text(&l);
	for (i = 0; i < (int)l.n; i++)
		free(l.v[i].hosts);
	free(l.v);
	free(l.live);
	buf_free(&l.removed);
	return fflush(stdout) == EOF ? 1 : 0;
}

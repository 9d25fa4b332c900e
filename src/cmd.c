/*
 * The control command table.  Each command is one struct cmd_entry: its
 * name, usage, argument count bounds, handler and help line.  cmd_run()
 * splits a line into words on plain whitespace (no quoting: no command
 * takes an argument with a space), cmd_runv() finds the entry, checks the
 * argument count and calls the handler, which parses its arguments and
 * calls one pool.h engine function.  Slots are 1-based here, as people
 * count them ({%} in GNU parallel), and 0-based in pool.h.
 *
 * A reply is text.  On success it is the body (maybe empty); on failure it
 * is one line starting with "error: " that names what was wrong.  Strings
 * read from the segment are escaped before they are shown: text_escaped()
 * for text, text_json() for JSON.
 */
#include "config.h"

#include <ctype.h>
#include <libutil.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "ctl.h"
#include "graph.h"
#include "opts.h"
#include "pool.h"
#include "pool-model.h"
#include "pool-admit.h"
#include "pool-failures.h"
#include "shm.h"
#include "text.h"

struct cmd_entry {
	const char	*name;
	const char	*usage;
	int		 min;	/* arguments after the name */
	int		 max;
	int		(*exec)(struct pool *, int, char **, struct buf *);
	const char	*help;
};

static int	cmd_pause(struct pool *, int, char **, struct buf *);
static int	cmd_kill(struct pool *, int, char **, struct buf *);
static int	cmd_resize(struct pool *, int, char **, struct buf *);
static int	cmd_simple(struct pool *, int, char **, struct buf *);
static int	cmd_add(struct pool *, int, char **, struct buf *);
static int	cmd_status(struct pool *, int, char **, struct buf *);
static int	cmd_advise(struct pool *, int, char **, struct buf *);
static int	cmd_failures(struct pool *, int, char **, struct buf *);
static int	cmd_retry_failed(struct pool *, int, char **, struct buf *);
static int	cmd_helpcmd(struct pool *, int, char **, struct buf *);

static const struct cmd_entry cmd_table[] = {
	{ "pause", "[SLOT]", 0, 1, cmd_pause,
	  "pause the pool (nothing new starts, tasks stopped) or one task" },
	{ "resume", "[SLOT]", 0, 1, cmd_pause,
	  "resume the pool or one task" },
	{ "toggle", "[SLOT]", 0, 1, cmd_pause,
	  "resume the pool or one task if paused, else pause it" },
	{ "kill", "SLOT [SIGNAL]", 1, 2, cmd_kill,
	  "end SLOT's task: the termination sequence, or SIGNAL" },
	{ "resize", "N|+N|-N|auto [--kill] [--host HOST]", 1, 4, cmd_resize,
	  "set the worker count (auto: the pool sizes itself); --kill ends "
	  "surplus tasks at once" },
	{ "drain", "", 0, 0, cmd_simple,
	  "start nothing new, let running tasks finish, then end" },
	{ "stop", "", 0, 0, cmd_simple,
	  "end the run: running tasks get the termination sequence" },
	{ "retry", "", 0, 0, cmd_simple,
	  "queue the tasks that failed for good again" },
	{ "retry-failed", "[--group N]", 0, 2, cmd_retry_failed,
	  "queue again the tasks that failed for good, or those of group N" },
	{ "failures", "[--json]", 0, 1, cmd_failures,
	  "the failed tasks grouped by exit status or signal and last "
	  "stderr line" },
	{ "add", "[--] ITEM...|-a FILE...", 1, CTL_LINE_MAX, cmd_add,
	  "queue items after the last (escaped on the way: see pooltop(1))" },
	{ "close", "", 0, 0, cmd_simple,
	  "take no more items: run what is queued, then end" },
	{ "status", "[--json]", 0, 1, cmd_status,
	  "one-shot summary of the pool and its workers" },
	{ "advise", "", 0, 0, cmd_advise,
	  "predicted finish times at other worker counts" },
	{ "help", "", 0, 0, cmd_helpcmd,
	  "list the commands" },
};

/* Append an error line to out; always returns -1. */
static int __attribute__((format(printf, 2, 3)))
cmd_error(struct buf *out, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(out, "error: %s\n", s);
	free(s);
	return -1;
}

/* Append a word from the user, escaped and shortened, for a message. */
static char *
cmd_quote_word(const char *w)
{
	size_t	 len = strlen(w);
	char	*e, *s;

	e = text_escaped(w, len > 40 ? 40 : len);
	s = xasprintf("'%s'%s", e, len > 40 ? "..." : "");
	free(e);
	return s;
}

/* An error naming a word from the user (fmt's one %s); always -1. */
static int
cmd_error_word(struct buf *out, const char *fmt, const char *w)
{
	char	*q = cmd_quote_word(w);

	cmd_error(out, fmt, q);
	free(q);
	return -1;
}

/*
 * Report the engine's answer: its own text if it gave one (a failure's
 * without its "error: "), else "WHAT failed" or done; frees why.
 */
static int
cmd_engine(struct buf *out, struct buf *why, bool failed, const char *s)
{
	char	*e = NULL, *t = why->data;
	size_t	 n = why->len;

	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' '))
		n--;
	if (failed && n > 7 && strncmp(t, "error: ", 7) == 0) {
		t += 7;
		n -= 7;
	}
	if (n > 0)
		e = text_escaped(t, n);
	if (failed && e != NULL)
		cmd_error(out, "%s", e);
	else if (failed)
		cmd_error(out, "%s failed", s);
	else
		buf_printf(out, "%s\n", e != NULL ? e : s);
	free(e);
	buf_free(why);
	return failed ? -1 : 0;
}

/* Split a line into words on blanks; returns the word count. */
int
cmd_split(const char *line, char ***argvp)
{
	char		**argv = NULL;
	const char	 *p = line, *start;
	int		  argc = 0;

	for (;;) {
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		argv = xreallocarray(argv, argc + 2, sizeof *argv);
		argv[argc++] = xstrndup(start, p - start);
	}
	if (argv == NULL)
		argv = xcalloc(1, sizeof *argv);
	argv[argc] = NULL;
	*argvp = argv;
	return argc;
}

/* Free what cmd_split returned. */
void
cmd_freev(int argc, char **argv)
{
	int	i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* Find a command by name. */
static const struct cmd_entry *
cmd_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems_of(cmd_table); i++) {
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
	}
	return NULL;
}

/* Is name a command? */
int
cmd_known(const char *name)
{
	return cmd_find(name) != NULL;
}

/* The i-th command's name, for shell completion; NULL past the end. */
const char *
cmd_name(size_t i)
{
	return i < nitems_of(cmd_table) ? cmd_table[i].name : NULL;
}

/* How many slots are worth reading: those ever used. */
static uint32_t
cmd_nslots(const struct pt_shm_header *h)
{
	return h->slots_used < h->nslots ? h->slots_used : h->nslots;
}

/*
 * Check that a 1-based slot number names a live worker; 0-based or -1.
 * Asked of the pool itself, never of the segment anyone may write.
 */
static int
cmd_slot(struct pool *p, const char *arg, struct buf *out)
{
	const char		*errstr;
	char			*q;
	long long		 n;
	int			 i, top = 0;

	n = strtonum(arg, 1, PT_MAX_WORKERS, &errstr);
	if (errstr != NULL) {
		q = cmd_quote_word(arg);
		cmd_error(out, "bad slot %s (slots count from 1 to %d)", q,
		    PT_MAX_WORKERS);
		free(q);
		return -1;
	}
	if (p == NULL || pool_shm(p) == NULL)
		return cmd_error(out, "no pool to control");
	for (i = 0; i < PT_MAX_WORKERS; i++) {
		if (pool_slot_live(p, i))
			top = i + 1;
	}
	if (pool_slot_live(p, (int)n - 1))
		return (int)n - 1;
	if (top == 0)
		return cmd_error(out, "no worker in slot %lld (no workers)", n);
	return cmd_error(out, "no worker in slot %lld (1-%d)", n, top);
}

/*
 * pause [SLOT], resume [SLOT] and toggle [SLOT]: toggle resumes if the pool
 * or the slot is paused when the command runs, so that two quick presses
 * of a key cancel out.
 */
static int
cmd_pause(struct pool *p, int argc, char **argv, struct buf *out)
{
	struct buf	 why = { 0 };
	char		 done[32];
	int		 slot = -1, resume;

	if (argc == 2 && (slot = cmd_slot(p, argv[1], out)) == -1)
		return -1;
	if (p == NULL)
		return cmd_error(out, "no pool to control");
	if (strcmp(argv[0], "toggle") == 0)
		resume = pool_paused(p, slot);
	else
		resume = strcmp(argv[0], "resume") == 0;
	if (pool_pause(p, slot, !resume, &why) != 0)
		return cmd_engine(out, &why, true, argv[0]);
	if (slot == -1)
		snprintf(done, sizeof done, "pool %s", resume ? "resumed" :
		    "paused");
	else
		snprintf(done, sizeof done, "slot %d %s", slot + 1,
		    resume ? "resumed" : "paused");
	return cmd_engine(out, &why, false, done);
}

/* kill SLOT [SIGNAL] */
static int
cmd_kill(struct pool *p, int argc, char **argv, struct buf *out)
{
	struct buf	 why = { 0 };
	char		 done[48];
	int		 slot, sig = 0;

	if (argc == 3 && (sig = signal_parse(argv[2])) == -1)
		return cmd_error_word(out, "unknown signal %s (a name such as "
		    "TERM or KILL, or 1-64)", argv[2]);
	if ((slot = cmd_slot(p, argv[1], out)) == -1)
		return -1;
	if (pool_kill(p, slot, sig, &why) != 0)
		return cmd_engine(out, &why, true, "kill");
	if (sig == 0)
		snprintf(done, sizeof done, "slot %d: ending its task",
		    slot + 1);
	else
		snprintf(done, sizeof done, "slot %d: sent signal %d",
		    slot + 1, sig);
	return cmd_engine(out, &why, false, done);
}

/* Parse N, +N or -N against the current count into *n; -1 on error. */
static int
cmd_resize_count(const char *arg, long long cur, long long *n,
    struct buf *out)
{
	const char	*errstr;

	*n = strtonum(arg + (*arg == '+' || *arg == '-'), 0, PT_MAX_WORKERS,
	    &errstr);
	if (errstr != NULL)
		return cmd_error_word(out, "bad worker count %s (N, +N or -N)",
		    arg);
	if (*arg == '+')
		*n = cur + *n;
	else if (*arg == '-')
		*n = cur - *n;
	return 0;
}

/* The most workers the pool can have: its segment's slot count. */
static long long
cmd_max_workers(struct pool *p)
{
	struct pt_shm		*shm = pool_shm(p);

	if (shm == NULL || shm->nslots == 0 || shm->nslots > PT_MAX_WORKERS)
		return PT_MAX_WORKERS;
	return shm->nslots;
}

/* resize HOST's workers to count: --host */
static int
cmd_resize_host(struct pool *p, const char *host, const char *count,
    int kill_surplus, struct buf *out)
{
	struct buf	 why = { 0 };
	char		 done[PT_HOST_MAX + 48], *q;
	long long	 n;
	int		 before = pool_host_workers(p, host);

	if (before < 0)
		return cmd_error_word(out, "no host %s in this pool", host);
	if (cmd_resize_count(count, before, &n, out) == -1)
		return -1;
	if (pool_resize_host(p, host, (int)n, kill_surplus, &why) != 0)
		return cmd_engine(out, &why, true, "resize");
	q = cmd_quote_word(host);
	snprintf(done, sizeof done, "host %s: workers %d -> %lld",
	    host[strspn(host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")] == '\0' ? host : q,
	    before, n);
	free(q);
	return cmd_engine(out, &why, false, done);
}

/* resize N|+N|-N|auto [--kill] [--host HOST] */
static int
cmd_resize(struct pool *p, int argc, char **argv, struct buf *out)
{
	static const char usage[] =
	    "usage: resize N|+N|-N|auto [--kill] [--host HOST]";
	struct buf	 why = { 0 };
	const char	*count = NULL, *host = NULL;
	char		 done[48];
	long long	 n, max;
	int		 i, kill_surplus = 0, before;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--kill") == 0 && !kill_surplus)
			kill_surplus = 1;
		else if (strcmp(argv[i], "--host") == 0 && host == NULL &&
		    i + 1 < argc)
			host = argv[++i];
		else if (argv[i][0] != '-' || argv[i][1] == '\0' ||
		    (argv[i][1] >= '0' && argv[i][1] <= '9')) {
			if (count != NULL)
				return cmd_error(out, "%s", usage);
			count = argv[i];
		} else
			return cmd_error(out, "%s", usage);
	}
	if (count == NULL)
		return cmd_error(out, "%s", usage);
	if (p == NULL)
		return cmd_error(out, "no pool to control");
	if (strcmp(count, "auto") == 0) {
		if (host != NULL || kill_surplus)
			return cmd_error(out, "%s", usage);
		if (pool_auto_set(p, true, &why) != 0)
			return cmd_engine(out, &why, true, "resize auto");
		return cmd_engine(out, &why, false, "workers: auto");
	}
	if (host != NULL)
		return cmd_resize_host(p, host, count, kill_surplus, out);
	before = pool_target(p);
	if (cmd_resize_count(count, before, &n, out) == -1)
		return -1;
	max = cmd_max_workers(p);
	if (n < 1 || n > max)
		return cmd_error(out, "worker count must be between 1 and %lld"
		    " (got %lld)", max, n);
	if (pool_resize(p, (int)n, kill_surplus, &why) != 0)
		return cmd_engine(out, &why, true, "resize");
	(void)pool_auto_set(p, false, NULL);	/* the operator's size */
	snprintf(done, sizeof done, "workers %d -> %lld", before, n);
	return cmd_engine(out, &why, false, done);
}

/* pool_stop as the command means it: the termination sequence. */
static int
cmd_stop_fn(struct pool *p, struct buf *why)
{
	return pool_stop(p, false, why);
}

/* pool_retry_group as retry means it: every failed task. */
static int
cmd_retry_fn(struct pool *p, struct buf *why)
{
	return pool_retry_group(p, 0, why);
}

/* The commands without arguments: one engine call each. */
static const struct {
	const char	*name;
	int		(*fn)(struct pool *, struct buf *);
	const char	*done;
} cmd_simples[] = {
	{ "drain", pool_drain, "draining" },
	{ "stop", cmd_stop_fn, "stopping" },
	{ "retry", cmd_retry_fn, "failed tasks queued again" },
	{ "close", pool_close,
	  "closed: the queued tasks run, then the pool ends" },
};

/* drain, stop, retry, close: their cmd_simples entry. */
static int
cmd_simple(struct pool *p, __attribute__((unused)) int argc, char **argv,
    struct buf *out)
{
	struct buf	why = { 0 };
	size_t		i;

	for (i = 0; i + 1 < nitems_of(cmd_simples) &&
	    strcmp(cmd_simples[i].name, argv[0]) != 0; i++)
		;
	if (p == NULL)
		return cmd_error(out, "no pool to control");
	if (cmd_simples[i].fn(p, &why) != 0)
		return cmd_engine(out, &why, true, argv[0]);
	return cmd_engine(out, &why, false, cmd_simples[i].done);
}

/* retry-failed [--group N] */
static int
cmd_retry_failed(struct pool *p, int argc, char **argv, struct buf *out)
{
	struct buf	 why = { 0 };
	const char	*e;
	char		*end;
	unsigned long	 n = 0;

	if (argc == 2 || (argc == 3 && strcmp(argv[1], "--group") != 0))
		return cmd_error(out, "usage: retry-failed [--group N]");
	if (argc == 3) {
		e = argv[2];
		n = *e >= '1' && *e <= '9' ? strtoul(e, &end, 10) : 0;
		if (n == 0 || *end != '\0' || n > 1000000)
			return cmd_error_word(out, "bad group %s (a number "
			    "from `failures')", e);
	}
	if (p == NULL)
		return cmd_error(out, "no pool to control");
	if (pool_retry_group(p, (size_t)n, &why) != 0)
		return cmd_engine(out, &why, true, "retry-failed");
	return cmd_engine(out, &why, false, "failed tasks queued again");
}

/* failures [--json] */
static int
cmd_failures(struct pool *p, int argc, char **argv, struct buf *out)
{
	struct fail_group	*g;
	size_t			 n;

	if (argc == 2 && strcmp(argv[1], "--json") != 0)
		return cmd_error_word(out, "unknown option %s (usage: "
		    "failures [--json])", argv[1]);
	if (p == NULL)
		return cmd_error(out, "no pool to control");
	n = pool_failures(p, &g);
	if (argc == 2) {
		buf_addstr(out, "{\"groups\":");
		fail_json(out, g, n, 0);
		buf_addstr(out, "}\n");
	} else if (n == 0)
		buf_addstr(out, "no task has failed for good\n");
	else
		fail_text(out, g, n, 0, "");
	fail_groups_free(g, n);
	return 0;
}

/* add WORD...: each word is an item written with text_word(). */
static int
cmd_add(struct pool *p, int argc, char **argv, struct buf *out)
{
	struct buf	  why = { 0 };
	char		**items;
	int		  i, n = 0, rv = -1;

	if (p == NULL)
		return cmd_error(out, "no pool to control");
	items = xcalloc(argc, sizeof *items);
	for (i = 1; i < argc; i++) {
		if ((items[n] = text_unword(argv[i])) == NULL) {
			cmd_error_word(out, "bad item %s (write bytes outside "
			    "!..~ and %% as %%HH, an empty item as %%)",
			    argv[i]);
			goto out;
		}
		n++;
	}
	if (pool_add(p, items, (size_t)n, &why) != 0)
		rv = cmd_engine(out, &why, true, "add");
	else
		rv = cmd_engine(out, &why, false, "added");
out:
	cmd_freev(n, items);
	return rv;
}

/* Append "key":"escaped string", for a NUL-terminated segment field. */
static void
cmd_json_field(struct buf *b, const char *key, const char *s)
{
	buf_printf(b, "\"%s\":", key);
	text_json(b, s, strlen(s));
}

/* The admission fields of a pool in JSON: "admission":{...} or null. */
static void
cmd_json_admit(struct buf *b, const struct pt_shm_header *h)
{
	static const char *const psi[] = { "cpu", "memory", "io" };
	int	i;

	if (h->admit_state == PT_ADMIT_OFF) {
		buf_addstr(b, ",\"admission\":null");
		return;
	}
	buf_printf(b, ",\"admission\":{\"state\":\"%s\",",
	    shm_admit_state_name(h->admit_state));
	cmd_json_field(b, "reason", h->admit_why);
	buf_printf(b, ",\"suspended\":%u,\"held\":%.3f", h->admit_suspended,
	    (double)h->admit_held_ns / PT_NSEC);
	if (h->admit_watch & PT_WATCH_LOAD)
		buf_printf(b, ",\"load\":%u.%02u", h->load_centi / 100,
		    h->load_centi % 100);
	if (h->admit_watch & PT_WATCH_MEM)
		buf_printf(b, ",\"mem_available\":%llu,\"mem_cgroup\":%s",
		    (unsigned long long)h->mem_avail,
		    h->admit_watch & PT_WATCH_MEMCG ? "true" : "false");
	for (i = 0; i < 3; i++)
		if (h->admit_watch & (PT_WATCH_PSI_CPU << i))
			buf_printf(b, ",\"%s_pressure\":%u.%02u", psi[i],
			    h->psi_centi[i] / 100, h->psi_centi[i] % 100);
	buf_addstr(b, "}");
}

/* The fields of a pool in JSON, without braces; state is the caller's. */
void
cmd_json_pool(struct buf *b, const struct pt_shm_header *h, const char *state)
{
	uint32_t	in;

	buf_printf(b, "\"supervisor_pid\":%d,", h->supervisor_pid);
	cmd_json_field(b, "name", h->name);
	buf_addstr(b, ",");
	cmd_json_field(b, "command", h->command);
	buf_printf(b, ",\"state\":\"%s\",\"paused\":%s,", state,
	    h->paused ? "true" : "false");
	buf_printf(b, "\"target_workers\":%u,\"live_workers\":%u,"
	    "\"nslots\":%u,\"tick_ms\":%u,", h->target_workers,
	    h->live_workers, h->nslots, h->tick_ms);
	buf_printf(b, "\"queued\":%llu,\"running\":%llu,\"done\":%llu,"
	    "\"failed\":%llu,\"retried\":%llu,",
	    (unsigned long long)h->queued, (unsigned long long)h->running,
	    (unsigned long long)h->done, (unsigned long long)h->failed,
	    (unsigned long long)h->retried);
	if (h->total_known)
		buf_printf(b, "\"total\":%llu,", (unsigned long long)h->total);
	else
		buf_addstr(b, "\"total\":null,");
	buf_printf(b, "\"start_real_ns\":%lld,\"update_real_ns\":%lld,"
	    "\"event_head\":%llu,", (long long)h->start_real_ns,
	    (long long)h->update_real_ns, (unsigned long long)h->event_head);
	cmd_json_field(b, "socket_path", h->socket_path);
	in = h->input & PT_INPUT_MASK;
	buf_printf(b, ",\"input\":\"%s\",\"keep_open\":%s,\"closed\":%s,"
	    "\"accepting\":%s", shm_input_name(h->input),
	    (h->input & PT_INPUT_KEEP_OPEN_FLAG) ? "true" : "false",
	    in == PT_INPUT_CLOSED || in == PT_INPUT_STOPPING ? "true" : "false",
	    in == PT_INPUT_SOURCE || in == PT_INPUT_KEEP_OPEN ? "true" :
	    "false");
	cmd_json_admit(b, h);
	if (h->task_mem_limit > 0)
		buf_printf(b, ",\"task_memory\":%llu",
		    (unsigned long long)h->task_mem_limit);
	if (h->task_cpu_milli > 0)
		buf_printf(b, ",\"task_cpus\":%u.%03u",
		    h->task_cpu_milli / 1000, h->task_cpu_milli % 1000);
}

/*
 * Is the slot's task still running and marked flag: PT_SLOT_STRAGGLER, or
 * PT_SLOT_COPY (the copy of a straggler, --speculate)?
 */
static bool
cmd_marked(const struct pt_shm_slot *s, uint32_t flag)
{
	return (s->flags & flag) && s->task_seq != 0 &&
	    (s->state == PT_SLOT_RUNNING || s->state == PT_SLOT_PAUSED ||
	    s->state == PT_SLOT_RETIRING);
}

/* How long the slot's task has run, in seconds, at the header's update. */
static double
cmd_running_s(const struct pt_shm_header *h, const struct pt_shm_slot *s)
{
	if (s->task_start_real_ns <= 0 ||
	    h->update_real_ns < s->task_start_real_ns)
		return 0;
	return (double)(h->update_real_ns - s->task_start_real_ns) / 1e9;
}

/* One slot of status --json. */
static void
cmd_status_json_slot(struct buf *b, uint32_t i, const struct pt_shm_slot *s)
{
	buf_printf(b, "{\"slot\":%u,\"state\":\"%s\",\"generation\":%u,"
	    "\"worker_pid\":%d,\"task_pid\":%d,\"task\":%llu,", i + 1,
	    shm_slot_state_name(s->state), s->generation, s->worker_pid,
	    s->task_pid, (unsigned long long)s->task_seq);
	buf_printf(b, "\"cpu\":%u.%u,\"rss\":%llu,", s->cpu_permille / 10,
	    s->cpu_permille % 10, (unsigned long long)s->rss_bytes);
	if (s->progress_total > 0)
		buf_printf(b, "\"progress\":{\"done\":%u,\"total\":%u},",
		    s->progress_done, s->progress_total);
	else
		buf_addstr(b, "\"progress\":null,");
	buf_printf(b, "\"task_start_real_ns\":%lld,\"tasks_done\":%llu,"
	    "\"tasks_failed\":%llu,", (long long)s->task_start_real_ns,
	    (unsigned long long)s->tasks_done,
	    (unsigned long long)s->tasks_failed);
	cmd_json_field(b, "label", s->label);
	buf_addstr(b, ",");
	cmd_json_field(b, "item", s->item);
	buf_addstr(b, ",");
	if (s->host[0] != '\0')
		cmd_json_field(b, "host", s->host);
	else
		buf_addstr(b, "\"host\":null");
	buf_printf(b, ",\"straggler\":%s,\"copy\":%s}",
	    cmd_marked(s, PT_SLOT_STRAGGLER) ? "true" : "false",
	    cmd_marked(s, PT_SLOT_COPY) ? "true" : "false");
}

/*
 * The tasks marked flag (cmd_marked()): with json, their objects and the
 * "]}" that ends the list; else " slot 2 task 7 running 9.0s" for each,
 * sep between, then a newline.  How many.
 */
static int
cmd_marked_list(struct pt_shm *shm, const struct pt_shm_header *h,
    uint32_t flag, bool json, const char *sep, struct buf *out)
{
	struct pt_shm_slot	s;
	uint32_t		i;
	int			n = 0;

	for (i = 0; i < cmd_nslots(h); i++) {
		if (!shm_read_slot(shm, i, &s) || !cmd_marked(&s, flag))
			continue;
		if (json)
			buf_printf(out, "%s{\"slot\":%u,\"task\":%llu,"
			    "\"running\":%.3f}", n > 0 ? "," : "", i + 1,
			    (unsigned long long)s.task_seq,
			    cmd_running_s(h, &s));
		else
			buf_printf(out, "%s slot %u task %llu running %.1fs",
			    n > 0 ? sep : "", i + 1,
			    (unsigned long long)s.task_seq,
			    cmd_running_s(h, &s));
		n++;
	}
	buf_addstr(out, json ? "]}" : "\n");
	return n;
}

/*
 * status "stragglers": the factor, the median the running tasks are
 * measured against (null while there is none) and the tasks marked.
 */
static void
cmd_json_stragglers(struct pool *p, struct pt_shm *shm,
    const struct pt_shm_header *h, struct buf *out)
{
	double			factor;
	int64_t			median;

	if (pool_straggler_median(p, &factor, &median))
		buf_printf(out, ",\"stragglers\":{\"factor\":%g,\"median\":"
		    "%.3f,\"tasks\":[", factor, (double)median / 1e9);
	else
		buf_printf(out, ",\"stragglers\":{\"factor\":%g,\"median\":"
		    "null,\"tasks\":[", factor);
	cmd_marked_list(shm, h, PT_SLOT_STRAGGLER, true, NULL, out);
}

/*
 * status "speculate": on or not, copies started and won, and the copies
 * running (their slot and task).
 */
static void
cmd_json_speculate(struct pool *p, struct pt_shm *shm,
    const struct pt_shm_header *h, struct buf *out)
{
	uint64_t		started, won;
	bool			on = pool_speculate(p, &started, &won);

	buf_printf(out, ",\"speculate\":{\"on\":%s,\"started\":%llu,"
	    "\"won\":%llu,\"copies\":[", on ? "true" : "false",
	    (unsigned long long)started, (unsigned long long)won);
	cmd_marked_list(shm, h, PT_SLOT_COPY, true, NULL, out);
}

/*
 * status --json "hosts": per machine the slots run on ("host" null for
 * this one), its live workers and running tasks, from the slots; [] when
 * all run here.
 */
void
cmd_json_hosts(const struct pt_shm *shm, const struct pt_shm_header *h,
    struct buf *out)
{
	struct pt_shm_slot	 s;
	struct {
		char	 name[PT_HOST_MAX];
		int	 workers, running;
	}			*v = NULL;
	uint32_t		 i;
	size_t			 n = 0, k;
	bool			 remote = false;

	for (i = 0; i < cmd_nslots(h); i++) {
		if (!shm_read_slot(shm, i, &s) || s.state == PT_SLOT_EMPTY ||
		    s.state == PT_SLOT_EXITED)
			continue;
		remote = remote || s.host[0] != '\0';
		for (k = 0; k < n && strcmp(v[k].name, s.host) != 0; k++)
			;
		if (k == n) {
			v = xreallocarray(v, n + 1, sizeof *v);
			memset(&v[n], 0, sizeof v[n]);
			strlcpy(v[n++].name, s.host, sizeof v[0].name);
		}
		v[k].workers++;
		if (s.state == PT_SLOT_RUNNING || s.state == PT_SLOT_PAUSED)
			v[k].running++;
	}
	buf_addstr(out, ",\"hosts\":[");
	for (k = 0; remote && k < n; k++) {
		buf_addstr(out, k ? ",{" : "{");
		if (v[k].name[0] != '\0')
			cmd_json_field(out, "host", v[k].name);
		else
			buf_addstr(out, "\"host\":null");
		buf_printf(out, ",\"workers\":%d,\"running\":%d}",
		    v[k].workers, v[k].running);
	}
	buf_addstr(out, "]");
	free(v);
}

/* status "advice": what-if predictions, or null while there are none. */
static void
cmd_json_advice(struct pool *p, struct buf *out)
{
	struct model_advice	a;

	if (!pool_advice(p, &a)) {
		buf_addstr(out, ",\"advice\":null");
		return;
	}
	buf_addstr(out, ",\"advice\":{");
	model_advice_json(out, &a);
	buf_addstr(out, "}");
}

/* status "failures": the first FAIL_STATUS failure groups. */
static void
cmd_json_failures(struct pool *p, struct buf *out)
{
	struct fail_group	*g;
	size_t			 n = pool_failures(p, &g);

	buf_addstr(out, ",\"failures\":");
	fail_json(out, g, n, FAIL_STATUS);
	fail_groups_free(g, n);
}

/*
 * status "history": the run's history the segment keeps (shm.h): its
 * samples, oldest first, and the runtimes of the tasks that ended, as
 * `pooltop report --json`'s histogram (the buckets from the first used to
 * the last).
 */
static void
cmd_json_history(struct pool *p, struct buf *out)
{
	const struct pt_shm_history	*hs = pool_history(p);
	const struct pt_shm_sample	*s;
	uint32_t			 i;
	int				 k, lo = -1, hi = -1;

	buf_printf(out, ",\"history\":{\"start_real_ns\":%lld,\"period\":"
	    "%.3f,\"ended\":%llu,\"samples\":[", (long long)hs->start_real_ns,
	    (double)hs->period_ns / 1e9, (unsigned long long)hs->ended);
	for (i = 0; i < hs->nsamples && i < PT_HIST_SAMPLES; i++) {
		s = &hs->samples[i];
		buf_printf(out, "%s{\"real_ns\":%lld,\"finished\":%llu,"
		    "\"busy\":%u.%03u,\"cpu\":%u.%03u,\"rss\":%llu}",
		    i > 0 ? "," : "", (long long)s->real_ns,
		    (unsigned long long)s->finished, s->busy_milli / 1000,
		    s->busy_milli % 1000, s->cpu_milli / 1000,
		    s->cpu_milli % 1000, (unsigned long long)s->rss_bytes);
	}
	for (k = 0; k < PT_HIST_BUCKETS; k++)
		if (hs->buckets[k] > 0) {
			lo = lo < 0 ? k : lo;
			hi = k;
		}
	buf_addstr(out, "],\"histogram\":[");
	for (k = lo; k >= 0 && k <= hi; k++) {
		buf_printf(out, "%s{\"from\":%.3f,\"to\":", k > lo ? "," : "",
		    (double)graph_bucket_lower(k) / 1e9);
		if (k == PT_HIST_BUCKETS - 1)
			buf_addstr(out, "null");
		else
			buf_printf(out, "%.3f",
			    (double)graph_bucket_lower(k + 1) / 1e9);
		buf_printf(out, ",\"count\":%llu}",
		    (unsigned long long)hs->buckets[k]);
	}
	buf_addstr(out, "]}");
}

/* status --json: the header fields and one object per non-empty slot. */
static int
cmd_status_json(struct pool *p, struct pt_shm *shm,
    const struct pt_shm_header *h, struct buf *out)
{
	struct pt_shm_slot	s;
	uint32_t		i;
	int			first = 1;

	buf_addstr(out, "{");
	cmd_json_pool(out, h, shm_pool_state_name(h->state));
	cmd_json_hosts(shm, h, out);
	cmd_json_stragglers(p, shm, h, out);
	cmd_json_speculate(p, shm, h, out);
	cmd_json_advice(p, out);
	cmd_json_failures(p, out);
	cmd_json_history(p, out);
	buf_printf(out, ",\"auto\":%s", pool_auto(p) ? "true" : "false");
	buf_addstr(out, ",\"slots\":[");
	for (i = 0; i < cmd_nslots(h); i++) {
		if (!shm_read_slot(shm, i, &s) || s.state == PT_SLOT_EMPTY)
			continue;
		if (!first)
			buf_addstr(out, ",");
		first = 0;
		cmd_status_json_slot(out, i, &s);
	}
	buf_addstr(out, "]}\n");
	return 0;
}

/* Append an escaped segment string. */
static void
cmd_text_str(struct buf *b, const char *s)
{
	char	*e = text_escaped(s, strlen(s));

	buf_addstr(b, e);
	free(e);
}

/*
 * "admission: holding: load 3.10 >= 2 (held 12.0s; load 3.10,
 * MemAvailable 23G, cpu pressure 61.3%)".
 */
static void
cmd_status_text_admit(struct buf *b, const struct pt_shm_header *h)
{
	static const char *const psi[] = { "cpu", "memory", "io" };
	char	sz[16];
	int	i;

	if (h->admit_state == PT_ADMIT_OFF)
		return;
	buf_addstr(b, "admission: ");
	cmd_text_str(b, h->admit_why);
	buf_printf(b, " (held %lld.%01llds", (long long)(h->admit_held_ns /
	    PT_NSEC), (long long)(h->admit_held_ns % PT_NSEC / 100000000));
	if (h->admit_watch & PT_WATCH_LOAD)
		buf_printf(b, "; load %u.%02u", h->load_centi / 100,
		    h->load_centi % 100);
	if (h->admit_watch & PT_WATCH_MEM) {
		admit_fmt_size(sz, sizeof sz, h->mem_avail);
		buf_printf(b, "; %s %s", h->admit_watch & PT_WATCH_MEMCG ?
		    "cgroup memory available" : "MemAvailable", sz);
	}
	for (i = 0; i < 3; i++)
		if (h->admit_watch & (PT_WATCH_PSI_CPU << i))
			buf_printf(b, "; %s pressure %u.%02u%%", psi[i],
			    h->psi_centi[i] / 100, h->psi_centi[i] % 100);
	buf_addstr(b, ")\n");
}

/* The header lines of the text status. */
static void
cmd_status_text_header(struct buf *b, const struct pt_shm_header *h)
{
	static const char *const says[] = {
		[PT_INPUT_UNKNOWN] = "not said",
		[PT_INPUT_SOURCE] = "items from its source; ctl add takes more,"
		    " ctl close ends it",
		[PT_INPUT_KEEP_OPEN] = "ctl add takes items until ctl close",
		[PT_INPUT_CLOSED] = "ctl close: the queued tasks run, then the"
		    " pool ends",
		[PT_INPUT_STOPPING] = "it takes no new items",
	};
	uint32_t	in = h->input & PT_INPUT_MASK;
	int64_t		el = 0;

	buf_printf(b, "pool %d", h->supervisor_pid);
	if (h->name[0] != '\0') {
		buf_addstr(b, " (");
		cmd_text_str(b, h->name);
		buf_addstr(b, ")");
	}
	buf_printf(b, ": %s%s, workers %u/%u\n", shm_pool_state_name(h->state),
	    h->paused && h->state != PT_POOL_PAUSED ? " (paused)" : "",
	    h->live_workers, h->target_workers);
	buf_printf(b, "tasks: %llu running, %llu queued, %llu done, "
	    "%llu failed, %llu retried, total ", (unsigned long long)h->running,
	    (unsigned long long)h->queued, (unsigned long long)h->done,
	    (unsigned long long)h->failed, (unsigned long long)h->retried);
	if (h->total_known)
		buf_printf(b, "%llu\n", (unsigned long long)h->total);
	else
		buf_addstr(b, "unknown\n");
	if (h->start_real_ns > 0 && h->update_real_ns >= h->start_real_ns)
		el = (h->update_real_ns - h->start_real_ns) / 1000000;
	buf_printf(b, "elapsed %lld.%01llds\ncommand: ", (long long)el / 1000,
	    (long long)(el % 1000) / 100);
	cmd_text_str(b, h->command);
	buf_printf(b, "\ninput: %s (%s)\n", shm_input_name(h->input),
	    in < nitems_of(says) ? says[in] : "not said");
	cmd_status_text_admit(b, h);
}

/* One worker line of the text status. */
static void
cmd_status_text_slot(struct buf *b, uint32_t i, const struct pt_shm_slot *s)
{
	char	rss[8], prog[24], tpid[16], seq[24];

	if (humanize_number(rss, sizeof rss, (int64_t)s->rss_bytes, "",
	    HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE | HN_B) == -1)
		strlcpy(rss, "?", sizeof rss);
	if (s->progress_total > 0)
		snprintf(prog, sizeof prog, "%u/%u", s->progress_done,
		    s->progress_total);
	else
		strlcpy(prog, "-", sizeof prog);
	strlcpy(tpid, "-", sizeof tpid);
	strlcpy(seq, "-", sizeof seq);
	if (s->task_pid != 0) {
		snprintf(tpid, sizeof tpid, "%d", s->task_pid);
		snprintf(seq, sizeof seq, "%llu",
		    (unsigned long long)s->task_seq);
	}
	buf_printf(b, "%4u %-8s %7d %7s %6s %3u.%u %6s %9s  ", i + 1,
	    shm_slot_state_name(s->state), s->worker_pid, tpid, seq,
	    s->cpu_permille / 10, s->cpu_permille % 10, rss, prog);
	if (s->host[0] != '\0') {
		/* A pid there, not here: say where. */
		cmd_text_str(b, s->host);
		buf_addstr(b, ": ");
	}
	cmd_text_str(b, s->task_pid != 0 ? s->label : "");
	buf_addstr(b, "\n");
}

/*
 * "stragglers (over 3x the median 1.2s): slot 2 task 7 running 9.0s, ..."
 * when a task is marked.
 */
static void
cmd_status_text_stragglers(struct pool *p, struct pt_shm *shm,
    const struct pt_shm_header *h, struct buf *out)
{
	double			factor;
	int64_t			median;
	size_t			len = out->len;

	if (!pool_straggler_median(p, &factor, &median))
		return;
	buf_printf(out, "stragglers (over %gx the median %.3gs):", factor,
	    (double)median / 1e9);
	if (cmd_marked_list(shm, h, PT_SLOT_STRAGGLER, false, ",", out) == 0)
		out->len = len;		/* none marked: no line */
}

/*
 * "copies (--speculate, 2 started, 1 won): slot 3 task 7 running 1.0s"
 * while --speculate is on and a copy has started.
 */
static void
cmd_status_text_copies(struct pool *p, struct pt_shm *shm,
    const struct pt_shm_header *h, struct buf *out)
{
	uint64_t		started, won;

	if (!pool_speculate(p, &started, &won) || started == 0)
		return;
	buf_printf(out, "copies (--speculate, %llu started, %llu won):",
	    (unsigned long long)started, (unsigned long long)won);
	cmd_marked_list(shm, h, PT_SLOT_COPY, false, ";", out);
}

/* status: a header and one line per non-empty slot. */
static int
cmd_status_text(struct pool *p, struct pt_shm *shm,
    const struct pt_shm_header *h, struct buf *out)
{
	struct pt_shm_slot	s;
	uint32_t		i;

	cmd_status_text_header(out, h);
	cmd_status_text_stragglers(p, shm, h, out);
	cmd_status_text_copies(p, shm, h, out);
	buf_addstr(out, "SLOT STATE     WORKER    TASK  TASK#  CPU%    RSS"
	    "  PROGRESS  COMMAND\n");
	for (i = 0; i < cmd_nslots(h); i++) {
		if (shm_read_slot(shm, i, &s) && s.state != PT_SLOT_EMPTY)
			cmd_status_text_slot(out, i, &s);
	}
	return 0;
}

/* status [--json] */
static int
cmd_status(struct pool *p, int argc, char **argv, struct buf *out)
{
	struct pt_shm		*shm;
	struct pt_shm_header	 h;

	if (argc == 2 && strcmp(argv[1], "--json") != 0)
		return cmd_error_word(out, "unknown option %s (usage: "
		    "status [--json])", argv[1]);
	if (p == NULL || (shm = pool_shm(p)) == NULL)
		return cmd_error(out, "no pool to control");
	/* The header is the pool's own; the slots are its workers' words. */
	if (!shm_header(shm, &h))
		return cmd_error(out, "cannot read the pool's segment");
	if (argc == 2)
		return cmd_status_json(p, shm, &h, out);
	return cmd_status_text(p, shm, &h, out);
}

/* advise: the what-if table. */
static int
cmd_advise(struct pool *p, __attribute__((unused)) int argc,
    __attribute__((unused)) char **argv, struct buf *out)
{
	struct model_advice	a;

	if (p == NULL)
		return cmd_error(out, "no pool to control");
	if (!pool_advice(p, &a))
		return cmd_error(out, "no advice yet: %d tasks must finish "
		    "first (and all workers be on this machine)",
		    MODEL_ADVISE_MIN);
	model_advice_text(out, &a);
	return 0;
}

/* help */
static int
cmd_helpcmd(__attribute__((unused)) struct pool *p,
    __attribute__((unused)) int argc, __attribute__((unused)) char **argv,
    struct buf *out)
{
	cmd_help(out);
	return 0;
}

/* One line per command: "name args  -- help". */
void
cmd_help(struct buf *out)
{
	const struct cmd_entry	*e;
	char			 head[64];
	size_t			 i;

	for (i = 0; i < nitems_of(cmd_table); i++) {
		e = &cmd_table[i];
		snprintf(head, sizeof head, "%s%s%s", e->name,
		    *e->usage != '\0' ? " " : "", e->usage);
		buf_printf(out, "%-26s -- %s\n", head, e->help);
	}
}

/* Run one command given as words. */
static int
cmd_runv(struct pool *p, int argc, char **argv, struct buf *out)
{
	const struct cmd_entry	*e;

	if (argc < 1)
		return cmd_error(out, "empty command (try help)");
	if ((e = cmd_find(argv[0])) == NULL)
		return cmd_error_word(out, "unknown command %s (try help)",
		    argv[0]);
	if (argc - 1 < e->min || argc - 1 > e->max) {
		return cmd_error(out, "usage: %s%s%s", e->name,
		    *e->usage != '\0' ? " " : "", e->usage);
	}
	return e->exec(p, argc, argv, out);
}

/* Run one command line. */
int
cmd_run(struct pool *p, const char *line, struct buf *out)
{
	char	**argv;
	int	  argc, rv;

	argc = cmd_split(line, &argv);
	rv = cmd_runv(p, argc, argv, out);
	cmd_freev(argc, argv);
	return rv;
}

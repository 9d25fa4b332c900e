/*
 * Failure groups (pool-failures.h).  Grouping sorts a copy of the members
 * by key, then by task number, so each run of equal keys is one group and
 * its first member the sample; the groups are then sorted by count.  The
 * pool asks for them only on a request (ctl failures, status --json, the
 * dashboard's view, the summary), so nothing is kept between requests.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool-failures.h"
#include "text.h"

/* Keep the last bytes of stderr. */
void
fail_tail_add(struct fail_tail *t, const char *b, size_t n)
{
	tail_keep(t->b, &t->len, sizeof t->b, b, n);
}

size_t
fail_tail_first_line(const struct fail_tail *t)
{
	const char	*nl = memchr(t->b, '\n', t->len);

	return nl != NULL ? (size_t)(nl - t->b) : t->len;
}

/* Set key from how a task ended and the last non-blank line of its tail. */
void
fail_key_set(struct fail_key *k, int exitval, int signal,
    const struct fail_tail *t)
{
	size_t	end = t != NULL ? t->len : 0, start;

	memset(k, 0, sizeof *k);
	k->exitval = exitval;
	k->signal = signal;
	while (end > 0 && memchr(" \t\r\n\v\f", t->b[end - 1], 6) != NULL)
		end--;
	for (start = end; start > 0 && t->b[start - 1] != '\n'; start--)
		;
	k->len = end - start > sizeof k->line ? sizeof k->line : end - start;
	if (k->len > 0)
		memcpy(k->line, t->b + start, k->len);
}

/* Order two keys (any fixed order: runs of equal keys are groups). */
static int
fail_key_cmp(const struct fail_key *a, const struct fail_key *b)
{
	size_t	n = a->len < b->len ? a->len : b->len;
	int	c;

	if (a->exitval != b->exitval)
		return a->exitval < b->exitval ? -1 : 1;
	if (a->signal != b->signal)
		return a->signal < b->signal ? -1 : 1;
	if ((c = memcmp(a->line, b->line, n)) != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* Do two keys name the same group? */
int
fail_key_same(const struct fail_key *a, const struct fail_key *b)
{
	return fail_key_cmp(a, b) == 0;
}

/* qsort: members by key, then by task number. */
static int
fail_member_cmp(const void *va, const void *vb)
{
	const struct fail_member	*a = va, *b = vb;
	int				 c;

	if ((c = fail_key_cmp(a->key, b->key)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* qsort: groups by count, most first, then by their first task. */
static int
fail_group_cmp(const void *va, const void *vb)
{
	const struct fail_group	*a = va, *b = vb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Group n members, most frequent first. */
size_t
fail_group(const struct fail_member *m, size_t n, struct fail_group **out)
{
	struct fail_member	*s;
	struct fail_group	*g = NULL;
	size_t			 i, ng = 0;

	*out = NULL;
	if (n == 0)
		return 0;
	s = xreallocarray(NULL, n, sizeof *s);
	memcpy(s, m, n * sizeof *s);
	qsort(s, n, sizeof *s, fail_member_cmp);
	for (i = 0; i < n; i++) {
		if (ng > 0 && fail_key_same(&g[ng - 1].key, s[i].key)) {
			g[ng - 1].count++;
			continue;
		}
		g = xreallocarray(g, ng + 1, sizeof *g);
		g[ng].key = *s[i].key;
		g[ng].count = 1;
		g[ng].seq = s[i].seq;
		g[ng].item = xstrdup(s[i].item != NULL ? s[i].item : "");
		g[ng].command = xstrdup(s[i].command != NULL ?
		    s[i].command : "");
		ng++;
	}
	free(s);
	qsort(g, ng, sizeof *g, fail_group_cmp);
	*out = g;
	return ng;
}

/* Free what fail_group() made. */
void
fail_groups_free(struct fail_group *g, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(g[i].item);
		free(g[i].command);
	}
	free(g);
}

/* How a key ended: "exit N", "signal N" or "timeout". */
static void
fail_how(char *buf, size_t len, const struct fail_key *k)
{
	if (k->exitval == -1)
		snprintf(buf, len, "timeout");
	else if (k->signal != 0)
		snprintf(buf, len, "signal %d", k->signal);
	else
		snprintf(buf, len, "exit %d", k->exitval);
}

/* The groups as text lines. */
void
fail_text(struct buf *b, const struct fail_group *g, size_t n, size_t max,
    const char *prefix)
{
	char	how[32];
	size_t	i;

	for (i = 0; i < n && (max == 0 || i < max); i++) {
		fail_how(how, sizeof how, &g[i].key);
		buf_printf(b, "%s%-2zu %" PRIu64 "x %s: ", prefix, i + 1,
		    g[i].count, how);
		if (g[i].key.len == 0)
			buf_addstr(b, "(no stderr)");
		else
			text_escape(b, g[i].key.line, g[i].key.len);
		buf_printf(b, "\n%s   e.g. task %" PRIu64 ", item ", prefix,
		    g[i].seq);
		text_escape(b, g[i].item, strlen(g[i].item));
		buf_addstr(b, ": ");
		text_escape(b, g[i].command, strlen(g[i].command));
		buf_addstr(b, "\n");
	}
}

/* The groups as a JSON array. */
void
fail_json(struct buf *b, const struct fail_group *g, size_t n, size_t max)
{
	size_t	i;

	buf_addstr(b, "[");
	for (i = 0; i < n && (max == 0 || i < max); i++) {
		buf_printf(b, "%s{\"group\":%zu,\"count\":%" PRIu64 ","
		    "\"exitval\":%d,\"signal\":%d,\"timeout\":%s,\"stderr\":",
		    i > 0 ? "," : "", i + 1, g[i].count, g[i].key.exitval,
		    g[i].key.signal, g[i].key.exitval == -1 ? "true" : "false");
		text_json(b, g[i].key.line, g[i].key.len);
		buf_printf(b, ",\"sample\":{\"seq\":%" PRIu64 ",\"item\":",
		    g[i].seq);
		text_json(b, g[i].item, strlen(g[i].item));
		buf_addstr(b, ",\"command\":");
		text_json(b, g[i].command, strlen(g[i].command));
		buf_addstr(b, "}}");
	}
	buf_addstr(b, "]");
}

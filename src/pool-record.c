/*
 * Records of --results FILE.csv/.tsv/.json: see pool-record.h.
 *
 * CSV and TSV follow GNU parallel's writer rather than RFC 4180: a field
 * is put in double quotes (its quotes doubled) when it holds a quote, an
 * ASCII blank (space, tab, newline, CR, FF, VT), the separator or a NUL;
 * other bytes, NULs inside quotes included, are written as they are, and
 * records end in a bare newline.  JSON is one object a line, its strings
 * escaped as GNU parallel does: backslash, quote and the bytes below 0x20
 * (as \u00XX); other bytes, UTF-8 or not, as they are.  Times are
 * Starttime as the joblog's and JobRuntime truncated to the millisecond.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pool-record.h"

/* The kind a --results name asks for, by its ending. */
enum record_kind
record_kind(const char *name)
{
	size_t	n = strlen(name);

	if (n >= 4 && strcasecmp(name + n - 4, ".csv") == 0)
		return RECORD_CSV;
	if (n >= 4 && strcasecmp(name + n - 4, ".tsv") == 0)
		return RECORD_TSV;
	if (n >= 5 && strcasecmp(name + n - 5, ".json") == 0)
		return RECORD_JSON;
	return RECORD_NONE;
}

/* Append one CSV/TSV field of n bytes, after a separator unless first. */
static void
csv_field(struct buf *b, char sep, bool first, const char *p, size_t n)
{
	static const char blanks[] = " \t\n\r\f\v";
	bool		  quote = false;
	size_t		  i;

	if (!first)
		buf_add(b, &sep, 1);
	if (n == 0)
		return;
	for (i = 0; i < n && !quote; i++)
		quote = p[i] == '"' || p[i] == sep || p[i] == '\0' ||
		    strchr(blanks, p[i]) != NULL;
	if (!quote) {
		buf_add(b, p, n);
		return;
	}
	buf_add(b, "\"", 1);
	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			buf_add(b, "\"", 1);
		buf_add(b, &p[i], 1);
	}
	buf_add(b, "\"", 1);
}

/* A NUL-terminated CSV/TSV field. */
static void
csv_str(struct buf *b, char sep, bool first, const char *s)
{
	csv_field(b, sep, first, s, strlen(s));
}

/* Append n bytes as the inside of a JSON string, as GNU parallel does. */
static void
json_chars(struct buf *b, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\\' || c == '"') {
			buf_add(b, "\\", 1);
			buf_add(b, &p[i], 1);
		} else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_add(b, &p[i], 1);
	}
}

/* A JSON string of a NUL-terminated text. */
static void
json_str(struct buf *b, const char *s)
{
	buf_add(b, "\"", 1);
	json_chars(b, s, strlen(s));
	buf_add(b, "\"", 1);
}

/* The header line of a CSV or TSV file. */
void
record_header(struct buf *b, enum record_kind k, const char *const *names,
    size_t nnames, size_t nargs)
{
	static const char *const cols[] = { "Seq", "Host", "Starttime",
	    "JobRuntime", "Send", "Receive", "Exitval", "Signal", "Command" };
	char	 sep = k == RECORD_TSV ? '\t' : ',', v[32];
	size_t	 i;

	for (i = 0; i < nitems_of(cols); i++)
		csv_str(b, sep, i == 0, cols[i]);
	for (i = 0; i < nargs; i++) {
		snprintf(v, sizeof v, "V%zu", i + 1);
		csv_str(b, sep, false, names != NULL && i < nnames ?
		    names[i] : v);
	}
	csv_str(b, sep, false, "Stdout");
	csv_str(b, sep, false, "Stderr");
	buf_add(b, "\n", 1);
}

/* JobRuntime: seconds with 3 decimals, truncated to the millisecond. */
static void
format_runtime(char *out, size_t len, int64_t ns)
{
	int64_t	ms = ns > 0 ? ns / 1000000 : 0;

	snprintf(out, len, "%" PRId64 ".%03d", ms / 1000, (int)(ms % 1000));
}

/* One CSV or TSV record. */
static void
record_csv(struct buf *b, char sep, const struct record *r,
    const char *start, const char *runtime)
{
	const struct joblog_entry *e = r->e;
	char		 num[4][32];
	size_t		 i;

	snprintf(num[0], sizeof num[0], "%" PRIu64, e->seq);
	snprintf(num[1], sizeof num[1], "%" PRIu64, e->receive);
	snprintf(num[2], sizeof num[2], "%d", e->exitval);
	snprintf(num[3], sizeof num[3], "%d", e->signal);
	csv_str(b, sep, true, num[0]);
	csv_str(b, sep, false, e->host != NULL ? e->host : ":");
	csv_str(b, sep, false, start);
	csv_str(b, sep, false, runtime);
	csv_str(b, sep, false, "0");
	csv_str(b, sep, false, num[1]);
	csv_str(b, sep, false, num[2]);
	csv_str(b, sep, false, num[3]);
	csv_str(b, sep, false, e->command != NULL ? e->command : "");
	for (i = 0; i < r->nargs; i++)
		csv_str(b, sep, false, r->args[i] != NULL ? r->args[i] : "");
	csv_field(b, sep, false, r->out->data, r->out->len);
	csv_field(b, sep, false, r->err->data, r->err->len);
	buf_add(b, "\n", 1);
}

/* One JSON record, in GNU parallel's layout. */
static void
record_json(struct buf *b, const struct record *r, const char *start,
    const char *runtime)
{
	const struct joblog_entry *e = r->e;
	size_t		 i;

	buf_printf(b, "{ \"Seq\": %" PRIu64 ", \"Host\": ", e->seq);
	json_str(b, e->host != NULL ? e->host : ":");
	buf_printf(b, ", \"Starttime\": %s, \"JobRuntime\": %s, \"Send\": 0,"
	    " \"Receive\": %" PRIu64 ", \"Exitval\": %d, \"Signal\": %d,"
	    " \"Command\": ", start, runtime, e->receive, e->exitval,
	    e->signal);
	json_str(b, e->command != NULL ? e->command : "");
	buf_addstr(b, ", \"V\": [ ");
	for (i = 0; i < r->nargs; i++) {
		if (i > 0)
			buf_add(b, ",", 1);
		json_str(b, r->args[i] != NULL ? r->args[i] : "");
	}
	buf_addstr(b, " ], \"Stdout\": \"");
	json_chars(b, r->out->data, r->out->len);
	buf_addstr(b, "\", \"Stderr\": \"");
	json_chars(b, r->err->data, r->err->len);
	buf_addstr(b, "\" }\n");
}

/* One record of the kind asked for. */
void
record_format(struct buf *b, enum record_kind k, const struct record *r)
{
	char	start[32], runtime[32];

	joblog_format_start(start, sizeof start, r->e->start_real_ns);
	format_runtime(runtime, sizeof runtime, r->e->runtime_ns);
	if (k == RECORD_JSON)
		record_json(b, r, start, runtime);
	else
		record_csv(b, k == RECORD_TSV ? '\t' : ',', r, start, runtime);
}

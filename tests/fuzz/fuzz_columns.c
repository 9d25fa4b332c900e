/*
 * libFuzzer target for the columns of an input line (--colsep, --csv,
 * --header's names).  The input is MODE, then an expression, NUL, a line
 * (NUL-free).  Invariants:
 *
 *  - MODE 'r': an expression (of at most 64 bytes and no interval, which
 *    would only load glibc's regcomp()) compiles or is refused with a
 *    message;
 *    splitting ends and gives at least one column; with a separator of
 *    one byte that is no regex syntax, the columns joined by it are the
 *    line again;
 *  - MODE 'c': a record that splits, written back as CSV (each field
 *    quoted, quotes doubled), splits to the same fields; fields taken
 *    from the line's ',' pieces, written as CSV, split back to them;
 *  - columns_rename() with the line's tab pieces as names leaves a
 *    template without '{' as it is.
 * A finding is an abort (or a sanitizer report).
 *
 * Build: tests/fuzz/run.sh fuzz_columns
 */
#include "config.h"

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool-columns.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Report a broken invariant and abort, so libFuzzer saves the input. */
static void
finding(const char *what, const char *re, const char *line)
{
	fprintf(stderr, "fuzz_columns: %s\nexpression: \"%s\"\nline: \"%s\"\n",
	    what, re, line);
	abort();
}

static void
free_cols(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

/* The fields as one CSV record, each quoted. */
static char *
csv_of(char *const *v, size_t n)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*p;
	size_t		 i;

	buf_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		buf_addstr(&b, i > 0 ? ",\"" : "\"");
		for (p = v[i]; *p != '\0'; p++)
			buf_addstr(&b, *p == '"' ? "\"\"" : (char []){ *p, 0 });
		buf_add(&b, "\"", 1);
	}
	return b.data;
}

/* Does the record csv split to exactly v[0..n)? */
static bool
csv_back(const struct columns *c, const char *csv, char *const *v, size_t n)
{
	char	**w = NULL, err[256];
	size_t	  m = 0, i;
	bool	  same;

	if (columns_split(c, csv, &w, &m, err, sizeof err) != 0)
		return false;
	same = m == n;
	for (i = 0; same && i < n; i++)
		same = strcmp(v[i], w[i]) == 0;
	free_cols(w, m);
	return same;
}

static void
fuzz_regex(const char *re, const char *line)
{
	struct columns	*c;
	struct buf	 b = { NULL, 0, 0 };
	char		**v = NULL, err[256];
	size_t		 n = 0, i;

	/* Intervals and long expressions: glibc's regcomp() time, not ours. */
	if (strchr(re, '{') != NULL || strlen(re) > 64)
		return;
	if ((c = columns_new(re, false, err, sizeof err)) == NULL) {
		if (err[0] == '\0')
			finding("refused without a message", re, line);
		return;
	}
	if (columns_split(c, line, &v, &n, err, sizeof err) != 0 || n == 0)
		finding("no columns", re, line);
	if (strlen(re) == 1 && strchr(".[]()*+?{}|^$\\", re[0]) == NULL) {
		buf_add(&b, "", 0);
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_add(&b, re, 1);
			buf_addstr(&b, v[i]);
		}
		if (strcmp(b.data, line) != 0)
			finding("columns joined are not the line", re, line);
		buf_free(&b);
	}
	free_cols(v, n);
	columns_free(c);
}

static void
fuzz_csv(const char *line)
{
	struct columns	*c;
	char		**v = NULL, **f = NULL, err[256], *csv, *copy, *p, *w;
	size_t		 n = 0, nf = 0;

	if ((c = columns_new(NULL, true, err, sizeof err)) == NULL)
		finding("--csv refused", "", line);
	if (columns_split(c, line, &v, &n, err, sizeof err) == 0) {
		csv = csv_of(v, n);
		if (!csv_back(c, csv, v, n))
			finding("a record written back splits otherwise", csv,
			    line);
		free(csv);
	}
	free_cols(v, n);
	/* The line's ',' pieces as fields. */
	copy = p = xstrdup(line);
	while ((w = strsep(&p, ",")) != NULL) {
		f = xreallocarray(f, nf + 1, sizeof *f);
		f[nf++] = xstrdup(w);
	}
	csv = csv_of(f, nf);
	if (!csv_back(c, csv, f, nf))
		finding("fields written as CSV split otherwise", csv, line);
	free(csv);
	free(copy);
	free_cols(f, nf);
	columns_free(c);
}

static void
fuzz_rename(const char *line)
{
	char	*copy = xstrdup(line), *p = copy, *w, **names = NULL, *r;
	size_t	 n = 0;

	while ((w = strsep(&p, "\t")) != NULL) {
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = w;
	}
	r = columns_rename("echo x y", names, n);
	if (strcmp(r, "echo x y") != 0)
		finding("a template without { changed", "", line);
	free(r);
	r = columns_rename(line, names, n);	/* no crash, ends */
	free(r);
	free(names);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*d, *re, *line, *nul;

	if (size < 1)
		return 0;
	setlocale(LC_ALL, "C.UTF-8");
	d = xstrndup((const char *)data + 1, size - 1);	/* to a NUL */
	nul = memchr(data + 1, '\0', size - 1);
	re = d;
	line = nul != NULL ? xstrndup(nul + 1, size - 1 -
	    (size_t)(nul - (const char *)data - 1) - 1) : xstrdup("");
	if (data[0] == 'c')
		fuzz_csv(line);
	else if (data[0] == 'n')
		fuzz_rename(line);
	else
		fuzz_regex(re, line);
	free(line);
	free(d);
	return 0;
}

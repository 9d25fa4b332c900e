/*
 * Columns of an input line: --colsep, --csv, and --header's names.
 *
 * --colsep's Perl escapes are rewritten into POSIX extended syntax before
 * regcomp(): outside a bracket expression \d becomes [0-9], \s
 * [[:space:]] and so on, inside one 0-9 or [:space:]; \t and its kin
 * become the byte itself (escaped if the byte is special there).  Other
 * escapes are left to regcomp.
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool-columns.h"
#include "util.h"

struct columns {
	bool	 csv;
	char	 sep;		/* csv: the field separator */
	bool	 tab;		/* neither: split at tabs */
	regex_t	 re;
	bool	 have_re;
};

/* The byte a Perl character escape stands for, or -1. */
static int
escape_byte(const char *p, size_t *used)
{
	static const char	 from[] = "tnrfea", to[] = "\t\n\r\f\033\a";
	const char		*c;
	char			 hex[3];
	char			*end;
	long			 v;

	*used = 2;
	if (*p != '\0' && (c = strchr(from, *p)) != NULL)
		return (unsigned char)to[c - from];
	if (*p != 'x' || p[1] == '\0' || p[2] == '\0')
		return -1;
	memcpy(hex, p + 1, 2);
	hex[2] = '\0';
	if (strchr("0123456789abcdefABCDEF", hex[0]) == NULL ||
	    strchr("0123456789abcdefABCDEF", hex[1]) == NULL)
		return -1;
	v = strtol(hex, &end, 16);
	if (v == 0)
		return -1;
	*used = 4;
	return (int)v;
}

/* A class escape (\d \s \w and their negations), outside brackets. */
static const char *
class_outside(char c)
{
	switch (c) {
	case 'd': return "[0-9]";
	case 'D': return "[^0-9]";
	case 's': return "[[:space:]]";
	case 'S': return "[^[:space:]]";
	case 'w': return "[[:alnum:]_]";
	case 'W': return "[^[:alnum:]_]";
	}
	return NULL;
}

/* The same inside a bracket expression: only the positive ones. */
static const char *
class_inside(char c)
{
	switch (c) {
	case 'd': return "0-9";
	case 's': return "[:space:]";
	case 'w': return "[:alnum:]_";
	}
	return NULL;
}

/* The end of the bracket expression opened at p ('['), or NULL. */
static const char *
bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0'; p++) {
		if (p[0] == '[' && (p[1] == ':' || p[1] == '.' ||
		    p[1] == '=')) {
			const char	*q = strstr(p + 2, (char []){ p[1], ']',
			    '\0' });

			if (q == NULL)
				return NULL;
			p = q + 1;
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == ']')
			return p;
	}
	return NULL;
}

/* Rewrite a bracket expression [p, end]; -1 on an escape it cannot hold. */
static int
rewrite_bracket(struct buf *b, const char *p, const char *end)
{
	const char	*cls;
	size_t		 used;
	int		 c;

	for (; p <= end; p++) {
		if (*p != '\\' || p == end) {
			buf_add(b, p, 1);
			continue;
		}
		if ((cls = class_inside(p[1])) != NULL) {
			buf_addstr(b, cls);
			p++;
		} else if ((c = escape_byte(p + 1, &used)) != -1) {
			buf_add(b, &(char){ (char)c }, 1);
			p += used - 1;
		} else if (strchr("DSW", p[1]) != NULL)
			return -1;
		else {
			buf_add(b, p + 1, 1);	/* \\ \] \- ...: the byte */
			p++;
		}
	}
	return 0;
}

/* A Perl-flavoured expression in POSIX extended syntax (pool-columns.h). */
char *
columns_regex(const char *re, char *err, size_t errlen)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*p, *end, *cls;
	size_t		 used;
	bool		 quant = false, was;
	int		 c;

	buf_add(&b, "", 0);
	for (p = re; *p != '\0'; p++) {
		/*
		 * Repetition right after repetition is undefined in POSIX,
		 * and a run of them makes glibc's regcomp() take gigabytes.
		 */
		was = quant;
		quant = strchr("*+?{", *p) != NULL;
		if (was && quant) {
			snprintf(err, errlen, "a repetition (* + ? {...}) "
			    "right after another");
			buf_free(&b);
			return NULL;
		}
		if (*p == '{' && (end = strchr(p, '}')) != NULL) {
			buf_add(&b, p, (size_t)(end - p) + 1);
			p = end;
			continue;
		}
		if (*p == '[' && (end = bracket_end(p)) != NULL) {
			if (rewrite_bracket(&b, p, end) == -1) {
				snprintf(err, errlen, "\\D, \\S and \\W cannot"
				    " stand inside [...]");
				buf_free(&b);
				return NULL;
			}
			p = end;
			continue;
		}
		if (*p != '\\' || p[1] == '\0') {
			buf_add(&b, p, 1);
			continue;
		}
		if ((cls = class_outside(p[1])) != NULL) {
			buf_addstr(&b, cls);
			p++;
		} else if ((c = escape_byte(p + 1, &used)) != -1) {
			if (strchr(".[]()*+?{}|^$\\", c) != NULL)
				buf_add(&b, "\\", 1);
			buf_add(&b, &(char){ (char)c }, 1);
			p += used - 1;
		} else {
			buf_add(&b, p, 2);
			p++;
		}
	}
	buf_add(&b, "", 1);
	return b.data;
}

/* The splitter for --colsep / --csv. */
struct columns *
columns_new(const char *colsep, bool csv, char *err, size_t errlen)
{
	struct columns	*c = xcalloc(1, sizeof *c);
	char		*re, msg[256];
	int		 r = 0;

	c->csv = csv;
	if (csv) {
		c->sep = ',';
		if (colsep != NULL) {
			if (strlen(colsep) != 1) {
				snprintf(err, errlen, "with --csv, --colsep is"
				    " the field separator: one byte, not '%s'",
				    colsep);
				goto fail;
			}
			c->sep = colsep[0];
		}
		return c;
	}
	if (colsep == NULL) {
		c->tab = true;
		return c;
	}
	if (*colsep == '\0') {
		snprintf(err, errlen, "--colsep: an empty expression");
		goto fail;
	}
	if ((re = columns_regex(colsep, msg, sizeof msg)) != NULL &&
	    (r = regcomp(&c->re, re, REG_EXTENDED)) != 0)
		regerror(r, &c->re, msg, sizeof msg);
	if (re == NULL || r != 0) {
		snprintf(err, errlen, "--colsep '%s': %s", colsep, msg);
		free(re);
		goto fail;
	}
	free(re);
	c->have_re = true;
	return c;
fail:
	free(c);
	return NULL;
}

void
columns_free(struct columns *c)
{
	if (c == NULL)
		return;
	if (c->have_re)
		regfree(&c->re);
	free(c);
}

/* Append the n bytes at p as one more column. */
static void
col_add(char ***v, size_t *n, const char *p, size_t len)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrndup(p, len);
}

/* The length of the character at p (1 for a bad or single byte). */
static size_t
char_len(const char *p)
{
	int	n = mblen(p, MB_CUR_MAX);

	return n > 1 ? (size_t)n : 1;
}

/* Split at the expression's matches, as Perl's split(/RE/, $_, -1). */
static void
split_regex(const struct columns *c, const char *line, char ***v, size_t *n)
{
	regmatch_t	 m;
	size_t		 len = strlen(line), start = 0, pos = 0, so, eo;

	while (pos <= len) {
		if (regexec(&c->re, line + pos, 1, &m, pos > 0 ? REG_NOTBOL :
		    0) != 0)
			break;
		so = pos + (size_t)m.rm_so;
		eo = pos + (size_t)m.rm_eo;
		if (eo == so && so == start) {
			/* No empty match at a column's start: look further. */
			if (so >= len)
				break;
			pos = so + char_len(line + so);
			continue;
		}
		col_add(v, n, line + start, so - start);
		start = eo;
		pos = eo > so ? eo : so;
	}
	col_add(v, n, line + start, len - start);
}

/* Split at tabs. */
static void
split_tab(const char *line, char ***v, size_t *n)
{
	const char	*p = line, *t;

	while ((t = strchr(p, '\t')) != NULL) {
		col_add(v, n, p, (size_t)(t - p));
		p = t + 1;
	}
	col_add(v, n, p, strlen(p));
}

/* One CSV record; -1 and err if it is not well formed. */
static int
split_csv(const struct columns *c, const char *line, char ***v, size_t *n,
    char *err, size_t errlen)
{
	struct buf	 f = { NULL, 0, 0 };
	const char	*p = line;
	size_t		 len = strlen(line), n0 = *n;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	for (;;) {
		f.len = 0;
		buf_add(&f, "", 0);
		if (p < line + len && *p == '"') {
			for (p++;; p++) {
				if (p >= line + len)
					goto bad;	/* unclosed */
				if (*p == '"' && p + 1 < line + len &&
				    p[1] == '"')
					p++;
				else if (*p == '"')
					break;
				buf_add(&f, p, 1);
			}
			p++;
			if (p < line + len && *p != c->sep)
				goto bad;	/* bytes after the quote */
		} else {
			for (; p < line + len && *p != c->sep; p++) {
				if (*p == '"')
					goto bad;
				buf_add(&f, p, 1);
			}
		}
		col_add(v, n, f.data, f.len);
		if (p >= line + len)
			break;
		p++;	/* the separator: another field follows */
	}
	buf_free(&f);
	return 0;
bad:
	buf_free(&f);
	while (*n > n0)
		free((*v)[--*n]);
	snprintf(err, errlen, "not a well-formed CSV record (a quote out of"
	    " place, or not closed)");
	return -1;
}

/* Append the columns of line. */
int
columns_split(const struct columns *c, const char *line, char ***v,
    size_t *n, char *err, size_t errlen)
{
	if (c->csv)
		return split_csv(c, line, v, n, err, errlen);
	if (c->tab)
		split_tab(line, v, n);
	else
		split_regex(c, line, v, n);
	return 0;
}

/* Does name stand at p as {NAME<mod>}?  Its length up to '}' if so. */
static size_t
name_at(const char *p, const char *name)
{
	static const char *const mods[] = { "}", ".}", "/}", "//}", "/.}" };
	size_t	 nl = strlen(name), i;

	if (strncmp(p, name, nl) != 0)
		return 0;
	for (i = 0; i < nitems_of(mods); i++)
		if (strncmp(p + nl, mods[i], strlen(mods[i])) == 0)
			return nl;
	return 0;
}

/* Is s empty or only digits (a name that would shadow {N})? */
static bool
not_a_name(const char *s)
{
	return s[strspn(s, "0123456789")] == '\0';
}

/* {NAME} -> {K}. */
char *
columns_rename(const char *src, char *const *names, size_t n)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*p;
	size_t		 k, nl;

	buf_add(&b, "", 0);
	for (p = src; *p != '\0'; p++) {
		buf_add(&b, p, 1);
		if (*p != '{')
			continue;
		for (k = 0; k < n; k++) {
			if (not_a_name(names[k]) ||
			    (nl = name_at(p + 1, names[k])) == 0)
				continue;
			buf_printf(&b, "%zu", k + 1);
			p += nl;
			break;
		}
	}
	buf_add(&b, "", 1);
	return b.data;
}

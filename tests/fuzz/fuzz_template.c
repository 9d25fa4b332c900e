/*
 * libFuzzer target for templates and quoting.  The input is a template, a
 * NUL byte, then an item.  The template is compiled as is and behind ": ; "
 * (which forces shell mode), and each one that compiles is expanded for the
 * item and for a one-byte marker found in neither, as the one argument of
 * one input source and as both arguments of two.  Invariants:
 *
 *  - direct mode: the expansion for the item is the marker's expansion with
 *    the marker replaced by the item verbatim, so every argv word that holds
 *    the item holds it whole and argc never changes;
 *  - shell mode: the command line, read the POSIX sh way by a second,
 *    independent little lexer, says the same after quote removal as the
 *    marker's with the marker replaced by the item, and every byte of the
 *    item is quoted there unless the item is all safe bytes (GNU parallel's
 *    rule) standing where a bare word means itself (not a reserved word,
 *    not after $ or ~, not before =);
 *  - in shell mode every marker byte (never a safe byte) is inside '...';
 *  - a label is one line of printable bytes;
 *  - shell_quote(item) is made of safe bytes, '...' strings and \' or "'"
 *    only, and unquoting it gives the item back.
 * A finding is an abort (or a sanitizer report).
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -I src -I BUILDDIR
 *	tests/fuzz/fuzz_template.c src/template.c src/text.c src/util.c -lbsd
 * or tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Report a broken invariant and abort, so libFuzzer saves the input. */
static void
finding(const char *what, const char *tpl, const char *item)
{
	fprintf(stderr, "fuzz_template: %s\ntemplate: \"%s\"\nitem: \"%s\"\n",
	    what, tpl, item);
	abort();
}

/* May c stand unquoted in shell_quote() output? */
static bool
safe_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-_.+/", c) != NULL);
}

/* Undo shell_quote(): NULL if q holds anything but its own format. */
static char *
unquote(const char *q)
{
	struct buf	 b = { 0 };
	const char	*p = q, *e;

	buf_add(&b, "", 0);
	while (*p != '\0') {
		if (*p == '\'') {
			if ((e = strchr(p + 1, '\'')) == NULL)
				goto bad;
			buf_add(&b, p + 1, (size_t)(e - p - 1));
			p = e + 1;
		} else if (p[0] == '\\' && p[1] == '\'') {
			buf_add(&b, "'", 1);
			p += 2;
		} else if (p[0] == '"' && p[1] == '\'' && p[2] == '"') {
			buf_add(&b, "'", 1);
			p += 3;
		} else if (safe_byte((unsigned char)*p))
			buf_add(&b, p++, 1);
		else
			goto bad;
	}
	return b.data;
bad:
	buf_free(&b);
	return NULL;
}

/* shell_quote() round-trips and leaves no metacharacter unquoted. */
static void
check_quote(const char *item)
{
	char	*q = shell_quote(item), *u;

	if ((u = unquote(q)) == NULL)
		finding("shell_quote output has an unquoted metacharacter",
		    q, item);
	if (strcmp(u, item) != 0)
		finding("shell_quote does not round-trip", q, item);
	free(u);
	free(q);
}

/* A byte in neither string, usable as a marker item; 0 if none. */
static char
pick_marker(const char *a, const char *b)
{
	int	c;

	for (c = 1; c < 256; c++) {
		if (c == '\'' || c == '{' || c == '}' || safe_byte(c))
			continue;
		if (strchr(a, c) == NULL && strchr(b, c) == NULL)
			return (char)c;
	}
	return 0;
}

/* s with every m replaced by rep (caller frees). */
static char *
replace_marker(const char *s, char m, const char *rep)
{
	struct buf	b = { 0 };

	buf_add(&b, "", 0);
	for (; *s != '\0'; s++) {
		if (*s == m)
			buf_addstr(&b, rep);
		else
			buf_add(&b, s, 1);
	}
	return b.data;
}

/* Skip a comment: p at '#', returns the last byte before the newline. */
static const char *
skip_comment(const char *p)
{
	const char	*nl = strchr(p, '\n');

	return nl != NULL ? nl - 1 : p + strlen(p) - 1;
}

/*
 * A command line after quote removal: its bytes, which were quoted, and
 * where each stood in the line (two bytes with no quote between them stand
 * side by side there).
 */
struct unquoted {
	struct buf	text;
	struct buf	quoted;		/* per text byte: 0 bare, 'S' inside
					   '...', 'D' by "..." or \\ */
	struct buf	at;		/* one size_t per text byte */
	const char	*line;
};

/* Append *p (at its place in the line) to u, quoted as how says. */
static void
uq_add(struct unquoted *u, const char *p, char how)
{
	char	f = how;
	size_t	at = (size_t)(p - u->line);

	buf_add(&u->text, p, 1);
	buf_add(&u->quoted, &f, 1);
	buf_add(&u->at, &at, sizeof at);
}

/* Do text bytes i - 1 and i stand side by side, the first one bare? */
static bool
uq_joined(const struct unquoted *u, size_t i)
{
	size_t	a, b;

	if (i == 0 || u->quoted.data[i - 1])
		return false;
	memcpy(&a, u->at.data + (i - 1) * sizeof a, sizeof a);
	memcpy(&b, u->at.data + i * sizeof b, sizeof b);
	return a + 1 == b;
}

/*
 * Quote removal of the command line s the POSIX sh way, following what
 * following '...', "...", backslashes, comments and $(...) (template.c
 * refuses item strings after the constructs not followed here); false
 * when nested too deep to follow.
 */
static bool
unquote_line(const char *s, struct unquoted *u)
{
	char		 st[64];
	int		 paren[64], n = 1;
	bool		 ws = true;
	const char	*p;

	memset(u, 0, sizeof *u);
	u->line = s;
	buf_add(&u->text, "", 0);
	buf_add(&u->quoted, "", 0);
	st[0] = 'T';
	paren[0] = 0;
	for (p = s; *p != '\0'; p++) {
		if (n >= 63)
			return false;
		if (st[n - 1] == 'S') {
			if (*p == '\'')
				n--;
			else
				uq_add(u, p, 'S');
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			if (st[n - 1] == 'D' && strchr("$`\"\\\n", p[1]) == NULL)
				uq_add(u, p, 'D');
			else {
				p++;
				if (*p != '\n')
					uq_add(u, p, 'D');
			}
			ws = false;
			continue;
		}
		if (*p == '$' && p[1] == '(' && p[2] != '(') {
			st[n] = 'C';
			paren[n++] = 0;
			uq_add(u, p++, 0);
			uq_add(u, p, 0);
			ws = true;
			continue;
		}
		if (st[n - 1] == 'D') {
			if (*p == '"')
				n--;
			else
				uq_add(u, p, 'D');
			ws = false;	/* in a word, though a $(...) ended */
			continue;
		}
		if (ws && *p == '#') {
			p = skip_comment(p);
			continue;
		}
		if (*p == '\'' || *p == '"') {
			st[n] = *p == '\'' ? 'S' : 'D';
			paren[n++] = 0;
		} else {
			if (*p == '(' && st[n - 1] == 'C')
				paren[n - 1]++;
			else if (*p == ')' && st[n - 1] == 'C' &&
			    paren[n - 1]-- == 0)
				n--;
			uq_add(u, p, 0);
		}
		ws = strchr(" \t\n;&|()<>", *p) != NULL;
	}
	return true;
}

/* Free what unquote_line() made. */
static void
uq_free(struct unquoted *u)
{
	buf_free(&u->text);
	buf_free(&u->quoted);
	buf_free(&u->at);
}

/* Is every m in the command line s inside single quotes? */
static bool
marker_quoted(const char *s, char m)
{
	struct unquoted	 u;
	size_t		 i;
	bool		 ok = true;

	if (unquote_line(s, &u))	/* else too deep: template.c stopped */
		for (i = 0; i < u.text.len; i++)
			if (u.text.data[i] == m && u.quoted.data[i] != 'S')
				ok = false;
	uq_free(&u);
	return ok;
}

/* Is v one of the shells' reserved words? */
static bool
reserved(const char *v)
{
	static const char *const words[] = { "if", "then", "else", "elif",
	    "fi", "do", "done", "case", "esac", "while", "until", "for", "in",
	    "function", "select", "time", "coproc", NULL };
	int	i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], v) == 0)
			return true;
	return false;
}

/* Is every byte of v safe bare (and is there one)? */
static bool
all_safe(const char *v)
{
	if (*v == '\0')
		return false;
	for (; *v != '\0'; v++)
		if (!safe_byte((unsigned char)*v))
			return false;
	return true;
}

/*
 * The item where it stands bare in u (at..at+len): it means itself there,
 * neither a reserved word nor right after $ or $name or ~ nor right
 * before =.
 */
static bool
bare_means_itself(const struct unquoted *u, size_t at, const char *item)
{
	const char	*t = u->text.data;
	size_t		 len = strlen(item), i = at;

	if (at + len < u->text.len && uq_joined(u, at + len) &&
	    t[at + len] == '=')
		return false;
	if (uq_joined(u, i) && t[i - 1] == '~')
		return false;
	while (uq_joined(u, i) && (t[i - 1] == '_' ||
	    (t[i - 1] >= 'a' && t[i - 1] <= 'z') ||
	    (t[i - 1] >= 'A' && t[i - 1] <= 'Z') ||
	    (t[i - 1] >= '0' && t[i - 1] <= '9')))
		i--;
	if (uq_joined(u, i) && t[i - 1] == '$')
		return false;
	return !reserved(item);
}

/*
 * Shell mode: the item's line (ei) says, after quote removal, what the
 * marker's line (em) says with each marker replaced by the item, and the
 * item's bytes are quoted there or stand bare where that is safe.
 */
static void
check_shell_line(const char *ei, const char *em, char m, const char *tpl,
    const char *item)
{
	struct unquoted	 ui, um;
	size_t		 j = 0, k, c, len = strlen(item);
	bool		 safe = all_safe(item), bare;

	if (!unquote_line(ei, &ui) || !unquote_line(em, &um))
		goto out;
	for (k = 0; k < um.text.len; k++) {
		if (um.text.data[k] != m) {
			if (j >= ui.text.len ||
			    ui.text.data[j] != um.text.data[k])
				finding("the line says something else for the "
				    "item than for the marker", tpl, item);
			j++;
			continue;
		}
		if (j + len > ui.text.len ||
		    memcmp(ui.text.data + j, item, len) != 0)
			finding("item not quoted for its context", tpl, item);
		for (bare = false, c = 0; c < len; c++)
			if (!ui.quoted.data[j + c])
				bare = true;
		if (bare && (!safe || !bare_means_itself(&ui, j, item)))
			finding("item byte left unquoted", tpl, item);
		j += len;
	}
	if (j != ui.text.len)
		finding("the line says more for the item than for the marker",
		    tpl, item);
out:
	uq_free(&ui);
	uq_free(&um);
}

/* A label is one line of printable bytes. */
static void
check_label(const struct expanded *e, const char *tpl, const char *item)
{
	char		*l = expanded_label(e);
	const char	*p;

	for (p = l; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			finding("label holds a control byte", tpl, item);
	}
	free(l);
}

/* Does tpl hold a positional string with a modifier ({1.}, {-1 /})? */
static bool
positional_derived(const char *tpl)
{
	const char	*p;

	for (p = strchr(tpl, '{'); p != NULL; p = strchr(p + 1, '{')) {
		const char *q = p + 1;

		if (*q == '-')
			q++;
		if (*q < '0' || *q > '9')
			continue;
		while (*q >= '0' && *q <= '9')
			q++;
		q += strspn(q, " \t\n\r\f\v");
		if (*q == '.' || *q == '/')
			return true;
	}
	return false;
}

/* Are the derived values ({.} {/} {//} {/.}) of item and marker alike? */
static bool
derived_alike(const char *tpl, const char *item)
{
	if (strchr(item, '/') == NULL && strchr(item, '.') == NULL)
		return true;
	return strstr(tpl, "{.}") == NULL && strstr(tpl, "{/}") == NULL &&
	    strstr(tpl, "{//}") == NULL && strstr(tpl, "{/.}") == NULL &&
	    !positional_derived(tpl);
}

/*
 * The joblog's command: a shell line as is; argv as shell_quote()d words
 * joined by spaces, which split and unquote back to exactly argv.
 */
static void
check_cmdline(const struct expanded *e, const char *tpl, const char *item)
{
	char	*c = expanded_cmdline(e), *p = c, *w, *u, inq = 0;
	bool	 last;
	int	 i;

	if (e->shell) {
		if (strcmp(c, e->argv[0]) != 0)
			finding("cmdline differs from the shell line", tpl, item);
		free(c);
		return;
	}
	for (i = 0;; i++) {
		for (w = p; *p != '\0' && (*p != ' ' || inq); p++) {
			if (*p == '\\' && inq != '\'' && p[1] != '\0')
				p++;
			else if (inq == 0 && (*p == '\'' || *p == '"'))
				inq = *p;
			else if (*p == inq)
				inq = 0;
		}
		last = *p == '\0';
		*p = '\0';
		if (i >= e->argc || (u = unquote(w)) == NULL)
			finding("cmdline does not split back to argv", tpl, item);
		if (strcmp(u, e->argv[i]) != 0)
			finding("cmdline word differs from argv", tpl, item);
		free(u);
		if (last)
			break;
		p++;
	}
	if (i + 1 != e->argc)
		finding("cmdline has a different word count", tpl, item);
	free(c);
}

/*
 * Expand t for nargs arguments (one per input source), each the item, and
 * for the same number of markers; compare.
 */
static void
check_expand(const struct template *t, const char *tpl, const char *item,
    size_t nargs)
{
	struct expanded	 ei, em;
	const char	*args[2] = { item, item }, *margs[2];
	char		 m[2] = { 0, 0 }, *want;
	int		 i;

	template_expand_args(t, args, nargs, UINT64_MAX, 1023, &ei);
	if (ei.argc < 1 || ei.argv[ei.argc] != NULL ||
	    (ei.shell && ei.argc != 1) || ei.shell != template_is_shell(t))
		finding("malformed expansion", tpl, item);
	check_label(&ei, tpl, item);
	check_cmdline(&ei, tpl, item);
	if ((m[0] = pick_marker(tpl, item)) != 0 && derived_alike(tpl, item)) {
		margs[0] = margs[1] = m;
		template_expand_args(t, margs, nargs, UINT64_MAX, 1023, &em);
		if (em.argc != ei.argc)
			finding("argc depends on the item", tpl, item);
		if (em.shell && !marker_quoted(em.argv[0], m[0]))
			finding("item outside single quotes", tpl, item);
		for (i = 0; i < ei.argc; i++) {
			if (ei.shell) {
				check_shell_line(ei.argv[i], em.argv[i], m[0],
				    tpl, item);
				continue;
			}
			want = replace_marker(em.argv[i], m[0], item);
			if (strcmp(want, ei.argv[i]) != 0)
				finding("argv word does not hold the item "
				    "verbatim", tpl, item);
			free(want);
		}
		expanded_free(&em);
	}
	expanded_free(&ei);
}

/* Compile tpl; expand it for one and for two input sources. */
static void
check_template(const char *tpl, const char *item)
{
	struct template	*t;
	char		 err[256] = "";

	if ((t = template_compile(tpl, err, sizeof err)) == NULL) {
		if (err[0] == '\0')
			finding("compile failed without a message", tpl, item);
		return;
	}
	check_expand(t, tpl, item, 1);
	check_expand(t, tpl, item, 2);
	template_free(t);
}

/* One input: template NUL item. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*d = (const char *)data;
	const char	*nul = memchr(d, '\0', size);
	char		*tpl, *item, *shell;
	size_t		 tlen = nul != NULL ? (size_t)(nul - d) : size;

	tpl = xstrndup(d, tlen);
	item = nul != NULL ? xstrndup(nul + 1, size - tlen - 1) : xstrdup("");
	check_quote(item);
	check_template(tpl, item);
	shell = xasprintf(": ; %s", tpl);
	check_template(shell, item);
	free(shell);
	free(tpl);
	free(item);
	return 0;
}

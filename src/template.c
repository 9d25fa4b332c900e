/*
 * Command templates: GNU parallel's replacement strings, and quoting.
 *
 * A template is compiled once into words, each a list of segments: literal
 * text or a replacement string.  Expanding it for an item concatenates the
 * segments of each word.  With several input sources, {N} picks one
 * argument and an unquoted {} spreads the arguments over several words
 * (several argv entries in direct mode); see template.h.
 *
 * Direct mode (no shell syntax) splits the template into words at compile
 * time, honouring '...' and "...", and puts values in literally: a word
 * stays one argv entry whatever the item holds.
 *
 * Shell mode keeps the template as one command line.  A small lexer follows
 * the POSIX sh quoting rules (unquoted text, '...', "...", $(...), comments,
 * backslashes) to learn the context of every replacement string, and the
 * value is quoted for that context:
 *
 *	unquoted	'value'		each ' written as '"'"'
 *	inside '...'	value		each ' written as '"'"'
 *	inside "..."	"'value'"	close the quotes, quote, reopen
 *
 * The quoting is GNU parallel's, so that both tools' joblogs hold the same
 * command: a value of only letters, digits and "-_.+/" stands bare, an
 * empty one is '', and the '' a leading or trailing ' would leave is cut.
 * A bare value is quoted still where the shell would read more into it:
 * a reserved word, after '$', a '$name' or '~', or before '='.
 *
 * Constructs that re-read their text or that shells parse differently
 * (backquotes, ${...}, $((...)), $[...], $'...', ((...)), [[...]],
 * here-documents, case inside $(...)) end what the lexer knows: an item
 * replacement after one is refused at compile time, so a template can never
 * be quoted wrongly.  {#} and {%} are digits and are allowed anywhere.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "text.h"
#include "util.h"

enum tok {
	T_LIT = 0,
	T_ITEM,		/* {} */
	T_NOEXT,	/* {.} */
	T_BASE,		/* {/} */
	T_DIR,		/* {//} */
	T_BASENOEXT,	/* {/.} */
	T_SEQ,		/* {#} */
	T_SLOT,		/* {%} */
	T_UNSUP,	/* {= perl =}, {1#}: refused */
};

enum qctx { Q_NONE = 0, Q_SQ, Q_DQ };

struct seg {
	enum tok	 tok;
	enum qctx	 ctx;		/* quoting around it */
	int		 pos;		/* {N}: N, {-N}: -N, 0: every source */
	char		*text;		/* T_LIT */
	size_t		 len;
};

struct word {
	struct seg	*segs;
	size_t		 nsegs;
};

struct template {
	bool		 shell;
	int		 maxpos;	/* largest |N| of the {N} used */
	bool		 appended;	/* the last word is " {}", appended */
	bool		 repeat;	/* -X: a word with {}
					   once an argument */
	struct word	*words;
	size_t		 nwords;
};

/*
 * The replacement strings: what follows "{" ({}, {.} ...) or "{N" ({1},
 * {-1/} ...), in the order they are tried, and the token of each form.
 */
static const struct tokname {
	const char	*s;
	enum tok	 tok;		/* after "{" */
	enum tok	 pos_tok;	/* after "{N" */
} tok_table[] = {
	{ "}", T_ITEM, T_ITEM },
	{ ".}", T_NOEXT, T_NOEXT },
	{ "/}", T_BASE, T_BASE },
	{ "//}", T_DIR, T_DIR },
	{ "/.}", T_BASENOEXT, T_BASENOEXT },
	{ "#}", T_SEQ, T_UNSUP },	/* {N#}: GNU parallel gives "" */
	{ "%}", T_SLOT, T_UNSUP },
};

/* Shell lexer frames. */
enum frame { F_TOP, F_SUB, F_DQ, F_SQ, F_ARITH };
#define LEX_DEPTH	32

/* State of one compile. */
struct parse {
	const char	*p;
	const char	*end;
	struct template	*t;
	struct buf	 lit;		/* literal bytes not yet in a segment */
	size_t		 nrepl;		/* replacement strings seen */
	int		 pos;		/* of the string just matched */
	bool		 inword;	/* direct mode */
	bool		 wordstart;	/* shell mode: at the start of a word */
	const char	*wordp;		/* shell mode: where that word began */
	const char	*taint;		/* construct that ended the lexer */
	enum frame	 frames[LEX_DEPTH];
	int		 parens[LEX_DEPTH];
	int		 nframes;
	char		*err;
	size_t		 errlen;
	bool		 failed;
};

/* The shells' reserved words. */
static const char *const reserved_words[] = {
	"if", "then", "else", "elif", "fi", "do", "done", "case", "esac",
	"while", "until", "for", "in", "function", "select", "time", "coproc",
};

/* The other words only a shell can run: grouping and builtins. */
static const char *const shell_words[] = {
	"!", "{", "}", ".", ":", "alias", "bg", "break", "builtin", "cd",
	"command", "continue", "declare", "dirs", "disown", "enable", "eval",
	"exec", "exit", "export", "fc", "fg", "getopts", "hash", "jobs", "let",
	"local", "popd", "pushd", "read", "readonly", "return", "set",
	"setopt", "shift", "shopt", "source", "times", "trap", "type",
	"typeset", "ulimit", "umask", "unalias", "unset", "wait",
};

/* Record a compile error (the first one wins). */
static void
parse_fail(struct parse *ps, const char *fmt, ...)
{
	va_list	 ap;

	if (ps->failed)
		return;
	ps->failed = true;
	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
}

/* The tok_table entry whose spelling starts at q, or NULL. */
static const struct tokname *
match_suffix(const char *q, const char *end)
{
	size_t	i, n;

	for (i = 0; i < nitems_of(tok_table); i++) {
		n = strlen(tok_table[i].s);
		if ((size_t)(end - q) >= n && memcmp(q, tok_table[i].s, n) == 0)
			return &tok_table[i];
	}
	return NULL;
}

/*
 * A positional replacement string at p ({N} and {N.} {N/} {N//} {N/.}
 * {N#} {N%}, blanks allowed after N, as GNU parallel reads them), with its
 * length and N in *pos (negative for {-N}); T_LIT if none.  {0} is every
 * source, as {} is; {N#} and {N%} are T_UNSUP.
 */
static enum tok
match_positional(const char *p, const char *end, size_t *len, int *pos)
{
	const struct tokname	*k;
	const char		*q = p + 1, *num;
	long			 n = 0;
	bool			 neg = false;

	if (q < end && *q == '-') {
		neg = true;
		q++;
	}
	for (num = q; q < end && *q >= '0' && *q <= '9'; q++)
		n = n < 1000 ? n * 10 + (*q - '0') : n;
	if (q == num)
		return T_LIT;
	while (q < end && strchr(" \t\n\r\f\v", *q) != NULL && *q != '\0')
		q++;
	if ((k = match_suffix(q, end)) == NULL)
		return T_LIT;
	*len = (size_t)(q - p) + strlen(k->s);
	*pos = neg ? -(int)n : (int)n;
	return k->pos_tok;
}

/*
 * Which replacement string starts at p, with its length; T_LIT if none.
 * GNU parallel's Perl expressions {=...=} and the positional strings that
 * are not the item are recognised too (so a template holding one never
 * gets the item appended), as T_UNSUP.
 */
static enum tok
match_tok(const char *p, const char *end, size_t *len, int *pos)
{
	const struct tokname	*k;
	const char		*q;

	if (*p != '{')
		return T_LIT;
	if ((k = match_suffix(p + 1, end)) != NULL) {
		*len = 1 + strlen(k->s);
		return k->tok;
	}
	if (end - p >= 4 && p[1] == '=') {
		for (q = p + 2; q + 1 < end; q++) {
			if (q[0] == '=' && q[1] == '}') {
				*len = (size_t)(q + 2 - p);
				return T_UNSUP;
			}
		}
	}
	return match_positional(p, end, len, pos);
}

/* Match a replacement string at ps->p, failing the compile on T_UNSUP. */
static enum tok
parse_tok(struct parse *ps, size_t *len)
{
	enum tok	 tok;
	const char	*more = "";
	int		 show;

	ps->pos = 0;
	tok = match_tok(ps->p, ps->end, len, &ps->pos);
	if (tok != T_UNSUP)
		return tok;
	show = *len > 40 ? 40 : (int)*len;
	if (*len > 40)
		more = "...";
	if (ps->p[1] == '=')
		parse_fail(ps, "%.*s%s: Perl expressions {=...=} are not "
		    "supported", show, ps->p, more);
	else
		parse_fail(ps, "%.*s%s: not supported; use {%c}", show, ps->p,
		    more, ps->p[*len - 2]);
	return T_LIT;
}

/* Is tok derived from the item (as opposed to {#} and {%})? */
static bool
tok_is_item(enum tok tok)
{
	return tok != T_LIT && tok != T_SEQ && tok != T_SLOT;
}

/* The word being built. */
static struct word *
cur_word(struct parse *ps)
{
	return &ps->t->words[ps->t->nwords - 1];
}

/* Start a new, empty word. */
static void
word_open(struct parse *ps)
{
	struct template	*t = ps->t;

	t->words = xreallocarray(t->words, t->nwords + 1, sizeof *t->words);
	memset(&t->words[t->nwords], 0, sizeof *t->words);
	t->nwords++;
}

/* Append a segment to the current word. */
static struct seg *
seg_add(struct parse *ps, enum tok tok, enum qctx ctx)
{
	struct word	*w = cur_word(ps);
	struct seg	*s;

	w->segs = xreallocarray(w->segs, w->nsegs + 1, sizeof *w->segs);
	s = &w->segs[w->nsegs++];
	memset(s, 0, sizeof *s);
	s->tok = tok;
	s->ctx = ctx;
	return s;
}

/* Move pending literal bytes into a segment. */
static void
lit_flush(struct parse *ps)
{
	struct seg	*s;

	if (ps->lit.len == 0)
		return;
	s = seg_add(ps, T_LIT, Q_NONE);
	s->text = xstrndup(ps->lit.data, ps->lit.len);
	s->len = ps->lit.len;
	ps->lit.len = 0;
}

/* Add literal bytes. */
static void
lit_add(struct parse *ps, const char *p, size_t n)
{
	buf_add(&ps->lit, p, n);
}

/* Add a replacement string segment, at the position parse_tok() read. */
static void
tok_add(struct parse *ps, enum tok tok, enum qctx ctx)
{
	int	pos = ps->pos;

	lit_flush(ps);
	seg_add(ps, tok, ctx)->pos = pos;
	if (pos < 0)
		pos = -pos;
	if (pos > ps->t->maxpos)
		ps->t->maxpos = pos;
	ps->pos = 0;
	ps->nrepl++;
}

/* Does the template need a shell?  See template.h. */
static bool
needs_shell_chars(const char *s)
{
	const char	*p;
	char		 q = 0;
	bool		 start = true;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\n')
			return true;
		if (q == '\'') {
			if (*p == '\'')
				q = 0;
			continue;
		}
		if (q == '"') {
			if (*p == '"')
				q = 0;
			else if (strchr("$`\\", *p) != NULL)
				return true;
			continue;
		}
		if (*p == ' ' || *p == '\t') {
			start = true;
			continue;
		}
		if (strchr("|&;<>()$`\\*?[", *p) != NULL)
			return true;
		if (start && (*p == '~' || *p == '#'))
			return true;
		if (*p == '\'' || *p == '"')
			q = *p;
		start = false;
	}
	return q != 0;
}

/* Is v (len bytes) one of the n words of tab? */
static bool
word_in(const char *const *tab, size_t n, const char *v, size_t len)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strlen(tab[i]) == len && memcmp(tab[i], v, len) == 0)
			return true;
	return false;
}

/* Is the first word an assignment, a reserved word or a shell builtin? */
static bool
needs_shell_word(const char *s)
{
	size_t	len, i;

	s += strspn(s, " \t");
	len = strcspn(s, " \t");
	if (len == 0)
		return false;
	if (s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= 'a' && s[0] <= 'z')) {
		i = strspn(s, "_abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		if (i < len && s[i] == '=')
			return true;
	}
	return word_in(reserved_words, nitems_of(reserved_words), s, len) ||
	    word_in(shell_words, nitems_of(shell_words), s, len);
}

/* Split a direct-mode template into words. */
static void
parse_direct(struct parse *ps)
{
	enum tok	 tok;
	size_t		 len;
	char		 q = 0, c;

	while (ps->p < ps->end) {
		c = *ps->p;
		if (q == 0 && (c == ' ' || c == '\t')) {
			if (ps->inword)
				lit_flush(ps);
			ps->inword = false;
			ps->p++;
			continue;
		}
		if (!ps->inword) {
			word_open(ps);
			ps->inword = true;
		}
		if ((q == 0 && (c == '\'' || c == '"')) || (q != 0 && c == q)) {
			q = q ? 0 : c;
			ps->p++;
			continue;
		}
		if ((tok = parse_tok(ps, &len)) != T_LIT) {
			tok_add(ps, tok, q == 0 ? Q_NONE : q == '"' ? Q_DQ :
			    Q_SQ);
			ps->p += len;
			continue;
		}
		lit_add(ps, ps->p++, 1);
	}
	if (ps->inword)
		lit_flush(ps);
}

/* The innermost shell lexer frame. */
static enum frame
frame_top(const struct parse *ps)
{
	return ps->frames[ps->nframes - 1];
}

/* Enter a nested frame. */
static void
frame_push(struct parse *ps, enum frame f)
{
	if (ps->nframes == LEX_DEPTH) {
		ps->taint = "quoting nested too deep";
		return;
	}
	ps->frames[ps->nframes] = f;
	ps->parens[ps->nframes] = 0;
	ps->nframes++;
}

/* Mark the rest of the template as unknown to the lexer. */
static void
set_taint(struct parse *ps, const char *what)
{
	if (ps->taint == NULL)
		ps->taint = what;
}

/* Is p at the start of a word equal to w, followed by a blank or end? */
static bool
at_word(const struct parse *ps, const char *w)
{
	size_t	len = strlen(w);

	if (!ps->wordstart || (size_t)(ps->end - ps->p) < len ||
	    memcmp(ps->p, w, len) != 0)
		return false;
	return ps->p + len == ps->end || strchr(" \t\n", ps->p[len]) != NULL;
}

/* Is p in a word starting with ~ or = and no / yet (zsh expands those)? */
static bool
tilde_word(const struct parse *ps)
{
	if (ps->wordp >= ps->p || (*ps->wordp != '~' && *ps->wordp != '='))
		return false;
	return memchr(ps->wordp, '/', (size_t)(ps->p - ps->wordp)) == NULL;
}

/* Handle a replacement string in shell mode; false if none at p. */
static bool
shell_tok(struct parse *ps, enum qctx ctx)
{
	enum tok	 tok;
	size_t		 len;

	if ((tok = parse_tok(ps, &len)) == T_LIT)
		return false;
	if (tok_is_item(tok) && ps->taint != NULL) {
		parse_fail(ps, "%.*s after %s cannot be quoted safely; "
		    "put it before", (int)len, ps->p, ps->taint);
	} else if (tok_is_item(tok) && tilde_word(ps)) {
		parse_fail(ps, "%.*s in a word starting with %c would be "
		    "expanded by the shell", (int)len, ps->p, *ps->wordp);
	}
	tok_add(ps, tok, ctx);
	ps->p += len;
	ps->wordstart = false;
	return true;
}

/* Handle $ in unquoted or double-quoted text. */
static void
shell_dollar(struct parse *ps, bool dq)
{
	const char	*n = ps->p + 1;
	char		 c = n < ps->end ? *n : '\0';
	size_t		 len;
	int		 pos;

	if (c == '(' && n + 1 < ps->end && n[1] == '(') {
		lit_add(ps, ps->p, 3);
		ps->p += 3;
		frame_push(ps, F_ARITH);
		ps->wordstart = false;
		return;
	} else if (c == '{' && match_tok(n, ps->end, &len, &pos) != T_LIT) {
		parse_fail(ps, "$%.*s: %.*s is a replacement string here, as "
		    "in GNU parallel; write the variable without braces",
		    len > 40 ? 40 : (int)len, n, len > 40 ? 40 : (int)len, n);
		return;
	} else if (c == '{')
		set_taint(ps, "${...}");
	else if (c == '[')
		set_taint(ps, "$[...]");
	else if (c == '\'' && !dq)
		set_taint(ps, "$'...'");
	else if (c == '(') {
		lit_add(ps, ps->p, 2);
		ps->p += 2;
		frame_push(ps, F_SUB);
		ps->wordstart = true;
		ps->wordp = ps->p;
		return;
	}
	lit_add(ps, ps->p++, 1);
	ps->wordstart = false;
}

/* Copy a backslash and the byte it escapes. */
static void
shell_backslash(struct parse *ps)
{
	size_t	n = ps->p + 1 < ps->end ? 2 : 1;

	lit_add(ps, ps->p, n);
	ps->p += n;
	ps->wordstart = false;
}

/* One step of the lexer inside "...". */
static void
shell_step_dq(struct parse *ps)
{
	char	c = *ps->p;

	ps->wordstart = false;
	if (c == '"') {
		ps->nframes--;
		lit_add(ps, ps->p++, 1);
	} else if (c == '\\')
		shell_backslash(ps);
	else if (c == '`') {
		set_taint(ps, "`...`");
		lit_add(ps, ps->p++, 1);
	} else if (c == '$')
		shell_dollar(ps, true);
	else if (!shell_tok(ps, Q_DQ))
		lit_add(ps, ps->p++, 1);
}

/* One step of the lexer inside '...'. */
static void
shell_step_sq(struct parse *ps)
{
	if (*ps->p == '\'') {
		ps->nframes--;
		lit_add(ps, ps->p++, 1);
	} else if (!shell_tok(ps, Q_SQ))
		lit_add(ps, ps->p++, 1);
	ps->wordstart = false;
}

/*
 * One step inside $((...)): a value there cannot be quoted, so item
 * replacement strings are refused ({#} and {%} are digits and fine);
 * the frame ends at the matching "))".
 */
static void
shell_step_arith(struct parse *ps)
{
	enum tok	tok;
	size_t		len;
	char		c = *ps->p;

	ps->wordstart = false;
	if ((tok = parse_tok(ps, &len)) != T_LIT) {
		if (tok_is_item(tok))
			parse_fail(ps, "%.*s inside $((...)) cannot be quoted; "
			    "assign it to a variable first (n={}; ...$((n)))",
			    (int)len, ps->p);
		tok_add(ps, tok, Q_NONE);
		ps->p += len;
		return;
	}
	if (c == '`' || (c == '$' && ps->p + 1 < ps->end &&
	    (ps->p[1] == '(' || ps->p[1] == '{')))
		set_taint(ps, "a substitution inside $((...))");
	else if (c == '\\' || c == '\'' || c == '"' || c == '\n')
		set_taint(ps, "quoting inside $((...))");
	if (c == '(')
		ps->parens[ps->nframes - 1]++;
	else if (c == ')' && ps->parens[ps->nframes - 1] > 0)
		ps->parens[ps->nframes - 1]--;
	else if (c == ')' && ps->p + 1 < ps->end && ps->p[1] == ')') {
		lit_add(ps, ps->p, 2);
		ps->p += 2;
		ps->nframes--;
		return;
	}
	lit_add(ps, ps->p++, 1);
}

/* Copy a comment up to (not including) the newline. */
static void
shell_comment(struct parse *ps)
{
	const char	*nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));

	if (nl == NULL)
		nl = ps->end;
	lit_add(ps, ps->p, (size_t)(nl - ps->p));
	ps->p = nl;
}

/* Taint on syntax that starts a construct the lexer does not follow. */
static void
shell_check_construct(struct parse *ps)
{
	const char	*p = ps->p;
	size_t		 left = (size_t)(ps->end - p);

	if (left >= 2 && p[0] == '<' && p[1] == '<')
		set_taint(ps, "a here-document (<<)");
	else if (left >= 2 && p[0] == '(' && p[1] == '(')
		set_taint(ps, "((...))");
	else if (at_word(ps, "[["))
		set_taint(ps, "[[...]]");
	else if (frame_top(ps) == F_SUB && at_word(ps, "case"))
		set_taint(ps, "case inside $(...)");
}

/* One step of the lexer in unquoted text (top level or inside $(...)). */
static void
shell_step_plain(struct parse *ps)
{
	char	c = *ps->p;

	if (ps->wordstart)
		ps->wordp = ps->p;
	if (ps->wordstart && c == '#') {
		shell_comment(ps);
		return;
	}
	shell_check_construct(ps);
	if (c == '\\') {
		shell_backslash(ps);
		return;
	}
	if (c == '$') {
		shell_dollar(ps, false);
		return;
	}
	if (shell_tok(ps, Q_NONE))
		return;
	if (c == '\'')
		frame_push(ps, F_SQ);
	else if (c == '"')
		frame_push(ps, F_DQ);
	else if (c == '`')
		set_taint(ps, "`...`");
	else if (c == '(' && frame_top(ps) == F_SUB)
		ps->parens[ps->nframes - 1]++;
	else if (c == ')' && frame_top(ps) == F_SUB) {
		if (ps->parens[ps->nframes - 1]-- == 0)
			ps->nframes--;
	}
	lit_add(ps, ps->p++, 1);
	ps->wordstart = strchr(" \t\n;&|()<>", c) != NULL;
}

/* Lex a shell-mode template into one word. */
static void
parse_shell(struct parse *ps)
{
	static void	(*const step[])(struct parse *) = {
		[F_TOP] = shell_step_plain,
		[F_SUB] = shell_step_plain,
		[F_DQ] = shell_step_dq,
		[F_SQ] = shell_step_sq,
		[F_ARITH] = shell_step_arith,
	};
	static const char *const unclosed[] = {
		[F_SUB] = "a $( is not closed",
		[F_DQ] = "a \" is not closed",
		[F_SQ] = "a ' is not closed",
		[F_ARITH] = "a $(( is not closed",
	};

	word_open(ps);
	ps->nframes = 0;
	frame_push(ps, F_TOP);
	ps->wordstart = true;
	ps->wordp = ps->p;
	while (ps->p < ps->end && !ps->failed)
		step[frame_top(ps)](ps);
	/* The shell would refuse it: say so now, not once per task. */
	if (!ps->failed && ps->taint == NULL && unclosed[frame_top(ps)] != NULL)
		parse_fail(ps, "%s", unclosed[frame_top(ps)]);
	lit_flush(ps);
}

/* Free the words of a template, keeping the struct. */
static void
template_clear(struct template *t)
{
	size_t	i, j;

	for (i = 0; i < t->nwords; i++) {
		for (j = 0; j < t->words[i].nsegs; j++)
			free(t->words[i].segs[j].text);
		free(t->words[i].segs);
	}
	free(t->words);
	t->words = NULL;
	t->nwords = 0;
}

/* Parse src (len bytes) into t; false on error. */
static bool
template_parse(struct template *t, const char *src, size_t len,
    size_t *nrepl, char *err, size_t errlen)
{
	struct parse	ps;

	memset(&ps, 0, sizeof ps);
	ps.p = src;
	ps.end = src + len;
	ps.t = t;
	ps.err = err;
	ps.errlen = errlen;
	if (t->shell)
		parse_shell(&ps);
	else
		parse_direct(&ps);
	buf_free(&ps.lit);
	*nrepl = ps.nrepl;
	return !ps.failed;
}

/* Compile src; append " {}" when it has no replacement string and asked. */
static struct template *
compile(const char *src, bool append, char *err, size_t errlen)
{
	struct template	*t;
	size_t		 len, nrepl;
	char		*with, *trim;

	len = src ? strlen(src) : 0;
	while (len > 0 && strchr(" \t\n", src[len - 1]) != NULL)
		len--;
	if (len == 0) {
		snprintf(err, errlen, "empty command template");
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	trim = xstrndup(src, len);
	t->shell = needs_shell_chars(trim) || needs_shell_word(trim);
	free(trim);
	if (!template_parse(t, src, len, &nrepl, err, errlen))
		goto fail;
	if (nrepl > 0 || !append)
		return t;

	/*
	 * No replacement string at all ({#} and {%} count): append " {}", as
	 * GNU parallel does.
	 */
	if (t->shell && strchr(";&|(", src[len - 1]) != NULL) {
		snprintf(err, errlen, "template ends with '%c': say where {} "
		    "goes", src[len - 1]);
		goto fail;
	}
	template_clear(t);
	with = xasprintf("%.*s {}", (int)len, src);
	if (!template_parse(t, with, strlen(with), &nrepl, err, errlen)) {
		free(with);
		goto fail;
	}
	free(with);
	if (nrepl == 0) {
		snprintf(err, errlen, "template ends in a comment: {} would be "
		    "ignored");
		goto fail;
	}
	t->appended = true;
	return t;

fail:
	template_free(t);
	return NULL;
}

struct template *
template_compile(const char *src, char *err, size_t errlen)
{
	return compile(src, true, err, errlen);
}

struct template *
template_compile_bare(const char *src, char *err, size_t errlen)
{
	return compile(src, false, err, errlen);
}

/*
 * Does a word open {= that a later word closes with =}?  GNU parallel joins
 * such words into one Perl expression.
 */
static bool
perl_across_words(char *const *words, int n)
{
	const char	*open;
	int		 i, j;

	for (i = 0; i < n; i++) {
		if ((open = strstr(words[i], "{=")) == NULL ||
		    strstr(open + 2, "=}") != NULL)
			continue;
		for (j = i + 1; j < n; j++) {
			if (strstr(words[j], "=}") != NULL)
				return true;
		}
	}
	return false;
}

/*
 * Compile a template given as separate words: each word is one argument;
 * append: " {}" as a last word when it has no replacement string.
 */
static struct template *
compile_argv(char *const *words, int n, bool append, char *err,
    size_t errlen)
{
	struct template	*t;
	struct parse	 ps;
	enum tok	 tok;
	size_t		 len;
	int		 i;

	if (n < 1 || words[0][0] == '\0') {
		snprintf(err, errlen, "empty command template");
		return NULL;
	}
	if (perl_across_words(words, n)) {
		snprintf(err, errlen, "{= ... =} across words: Perl "
		    "expressions {=...=} are not supported");
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	memset(&ps, 0, sizeof ps);
	ps.t = t;
	ps.err = err;
	ps.errlen = errlen;
	for (i = 0; i < n; i++) {
		word_open(&ps);
		ps.p = words[i];
		ps.end = words[i] + strlen(words[i]);
		while (ps.p < ps.end) {
			if ((tok = parse_tok(&ps, &len)) != T_LIT) {
				tok_add(&ps, tok, Q_NONE);
				ps.p += len;
			} else
				lit_add(&ps, ps.p++, 1);
		}
		lit_flush(&ps);
	}
	buf_free(&ps.lit);
	if (ps.failed) {
		template_free(t);
		return NULL;
	}
	if (ps.nrepl == 0 && append) {
		word_open(&ps);
		tok_add(&ps, T_ITEM, Q_NONE);
		t->appended = true;
	}
	return t;
}

struct template *
template_compile_argv(char *const *words, int n, char *err, size_t errlen)
{
	return compile_argv(words, n, true, err, errlen);
}

struct template *
template_compile_argv_bare(char *const *words, int n, char *err,
    size_t errlen)
{
	return compile_argv(words, n, false, err, errlen);
}

/* Free a template. */
void
template_free(struct template *t)
{
	if (t == NULL)
		return;
	template_clear(t);
	free(t);
}

bool
template_appended(const struct template *t)
{
	return t->appended;
}

/* Does the template run through a shell? */
bool
template_is_shell(const struct template *t)
{
	return t->shell;
}

/* Offset of the basename: just after the last '/'. */
static size_t
base_off(const char *s, size_t len)
{
	const char	*slash = memrchr(s, '/', len);

	return slash != NULL ? (size_t)(slash - s) + 1 : 0;
}

/* Length of s without its extension: a last '.' with no '/' after it. */
static size_t
noext_len(const char *s, size_t len)
{
	size_t		 b = base_off(s, len);
	const char	*dot = memrchr(s + b, '.', len - b);

	return dot != NULL ? (size_t)(dot - s) : len;
}

/* Drop trailing slashes, keeping the first byte (Perl's dirname). */
static size_t
strip_slashes(const char *s, size_t len)
{
	while (len > 1 && s[len - 1] == '/')
		len--;
	return len;
}

/* Perl's File::Basename::dirname, which GNU parallel's {//} uses. */
static void
dir_of(const char *s, size_t len, const char **out, size_t *outlen)
{
	size_t		 b = base_off(s, len), dlen;
	const char	*d = s;

	dlen = b;
	if (b == 0) {
		d = "./";
		dlen = 2;
	}
	dlen = strip_slashes(d, dlen);
	if (b == len) {
		/* No basename ("dir/"): take the dirname of the dirname. */
		b = base_off(d, dlen);
		if (b == 0) {
			d = "./";
			b = 2;
		}
		dlen = strip_slashes(d, b);
	}
	*out = d;
	*outlen = dlen;
}

/* The value of an item replacement string. */
static void
derive(enum tok tok, const char *item, const char **v, size_t *vlen)
{
	size_t	len = strlen(item), b;

	*v = item;
	*vlen = len;
	switch (tok) {
	case T_NOEXT:
		*vlen = noext_len(item, len);
		break;
	case T_BASE:
	case T_BASENOEXT:
		b = base_off(item, len);
		*v = item + b;
		*vlen = len - b;
		if (tok == T_BASENOEXT)
			*vlen = noext_len(*v, *vlen);
		break;
	case T_DIR:
		dir_of(item, len, v, vlen);
		break;
	default:
		break;
	}
}

/* Add s with each ' written as '"'"' (GNU parallel's way). */
static void
add_sq_escaped(struct buf *b, const char *s, size_t len)
{
	const char	*q;

	while ((q = memchr(s, '\'', len)) != NULL) {
		buf_add(b, s, (size_t)(q - s));
		buf_add(b, "'\"'\"'", 5);
		len -= (size_t)(q - s) + 1;
		s = q + 1;
	}
	buf_add(b, s, len);
}

/* May c stand unquoted, by GNU parallel's rule? */
static bool
safe_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-_.+/", c) != NULL);
}

/* Are all len bytes of v safe unquoted (and is there one)? */
static bool
all_safe(const char *v, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (!safe_byte((unsigned char)v[i]))
			return false;
	return len > 0;
}

/* Add v quoted as GNU parallel quotes it (its Q()). */
static void
add_gnu_quoted(struct buf *b, const char *v, size_t len)
{
	size_t	at;

	at = b->len;
	buf_add(b, "'", 1);
	add_sq_escaped(b, v, len);
	buf_add(b, "'", 1);
	/* Cut the '' of a leading and a trailing '. */
	if (b->len - at >= 4 && memcmp(b->data + at, "''", 2) == 0) {
		memmove(b->data + at, b->data + at + 2, b->len - at - 2);
		b->len -= 2;
	}
	if (b->len - at >= 4 && memcmp(b->data + b->len - 2, "''", 2) == 0)
		b->len -= 2;
	b->data[b->len] = '\0';
}

/* Add a value for its shell quoting context; bare: it may stand unquoted. */
static void
add_shell_value(struct buf *b, enum qctx ctx, const char *v, size_t len,
    bool bare)
{
	if (ctx == Q_SQ) {
		add_sq_escaped(b, v, len);
		return;
	}
	if (ctx == Q_DQ)
		buf_add(b, "\"", 1);
	if (bare && all_safe(v, len) &&
	    !word_in(reserved_words, nitems_of(reserved_words), v, len))
		buf_add(b, v, len);
	else
		add_gnu_quoted(b, v, len);
	if (ctx == Q_DQ)
		buf_add(b, "\"", 1);
}

/* Can c be part of a shell variable name? */
static bool
name_byte(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* The values and the argv of one expansion. */
struct expansion {
	const char *const	*args;
	size_t			 nargs;
	uint64_t		 seq;
	int			 slot;
	struct expanded		*e;
	struct buf		 b;	/* the word being built */
	bool			 some;	/* the word has more than missing {N} */
};

static const char	*arg_at(const struct expansion *, int);

/* Does segment s stand for nothing here (an argument the task lacks)? */
static bool
seg_missing(const struct expansion *x, const struct seg *s)
{
	if (!tok_is_item(s->tok))
		return false;
	return s->pos == 0 ? x->nargs == 0 : arg_at(x, s->pos) == NULL;
}

/*
 * May a safe value stand bare as segment j of word w?  Not before '=' (an
 * assignment), nor where it would extend a $name or a ~user: the run of
 * name bytes before it, through literals and {#} {%} digits, must not
 * start after '$' or '~'.  A value before that run ends it (quoted, or
 * bare after this same check).  Arguments the task lacks stand for nothing
 * and are looked through, both ways, and so are digits before '='.
 * Alone: neither neighbour counts (a word of several arguments, spaces
 * between).
 */
static bool
may_stand_bare(const struct expansion *x, const struct word *w, size_t j,
    bool first, bool last)
{
	const struct seg	*s;
	size_t			 n, k;

	for (k = j + 1; !last && k < w->nsegs; k++) {
		s = &w->segs[k];
		if (s->tok == T_SEQ || s->tok == T_SLOT || seg_missing(x, s))
			continue;
		if (s->tok == T_LIT && s->len > 0 && s->text[0] == '=')
			return false;
		if (s->tok != T_LIT || s->len > 0)
			break;
	}
	while (!first && j-- > 0) {
		s = &w->segs[j];
		if (s->tok == T_SEQ || s->tok == T_SLOT || seg_missing(x, s))
			continue;	/* digits, or nothing */
		if (s->tok != T_LIT)
			return true;
		for (n = s->len; n > 0 && name_byte(s->text[n - 1]); n--)
			;
		if (n > 0)
			return s->text[n - 1] != '$' && s->text[n - 1] != '~';
	}
	return true;
}


/*
 * Shell mode: would leaving out the missing argument of segment j put the
 * text after it at the start of a shell word, where the shell reads more
 * into it than inside one?  A '#' there starts a comment (that an item's
 * newline would end, the rest of the item then read as commands), a '~' a
 * home directory, a digit a redirection, a word a reserved word or an
 * assignment.  So: j starts a word (after a blank, an operator or the
 * line's start; of a run of missing arguments, the first answers), and
 * what follows it, through missing arguments, is text or {#} {%}.  There
 * the argument stands for '' instead, which the shell reads as nothing
 * inside the word.
 */
static bool
missing_opens_word(const struct expansion *x, const struct word *w, size_t j)
{
	const struct seg	*s;
	size_t			 k;

	for (k = j; k-- > 0; ) {
		s = &w->segs[k];
		if (seg_missing(x, s))
			return false;	/* that one answers for both */
		if (s->tok != T_LIT)
			return false;
		if (s->len == 0)
			continue;
		if (strchr(" \t\n;&|()<>", s->text[s->len - 1]) == NULL)
			return false;
		break;
	}
	for (k = j + 1; k < w->nsegs; k++) {
		s = &w->segs[k];
		if (seg_missing(x, s))
			continue;
		if (s->tok == T_SEQ || s->tok == T_SLOT)
			return true;
		if (s->tok != T_LIT)
			return false;	/* a value: quoted where it must be */
		if (s->len == 0)
			continue;
		return strchr(" \t\n;&|()<>", s->text[0]) == NULL;
	}
	return false;
}

/*
 * End the word being built: it becomes the next argv entry, unless all it
 * had were arguments that do not exist ({3} of two, {} of none): in GNU
 * parallel those leave nothing, so no word for the shell.
 */
static void
word_end(struct expansion *x)
{
	struct expanded	*e = x->e;

	if (!x->some && !e->shell) {
		buf_free(&x->b);
		memset(&x->b, 0, sizeof x->b);
		return;
	}
	x->some = false;

	e->argv = xreallocarray(e->argv, (size_t)e->argc + 2,
	    sizeof *e->argv);
	buf_add(&x->b, "", 0);
	e->argv[e->argc++] = x->b.data;
	e->argv[e->argc] = NULL;
	memset(&x->b, 0, sizeof x->b);
}

/* The argument {N} stands for ({-N} counts from the last); NULL past them. */
static const char *
arg_at(const struct expansion *x, int pos)
{
	long	i = pos > 0 ? pos - 1 : (long)x->nargs + pos;

	if (i < 0 || (size_t)i >= x->nargs)
		return NULL;
	return x->args[i];
}

/* Every argument derived by tok, joined by spaces, as one value. */
static char *
joined_values(const struct expansion *x, enum tok tok)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*v;
	size_t		 k, vlen;

	for (k = 0; k < x->nargs; k++) {
		derive(tok, x->args[k], &v, &vlen);
		if (k > 0)
			buf_add(&b, " ", 1);
		buf_add(&b, v, vlen);
	}
	buf_add(&b, "", 0);
	return b.data;
}

/*
 * An unquoted {} (or {.} ...) standing for several arguments: each its own
 * word, as GNU parallel gives them.  The shell splits quoted values at the
 * spaces between them; without a shell, each ends an argv entry.
 */
static void
expand_spread(struct expansion *x, const struct template *t,
    const struct word *w, size_t j)
{
	const struct seg	*s = &w->segs[j];
	const char		*v;
	size_t			 k, vlen;

	for (k = 0; k < x->nargs; k++) {
		derive(s->tok, x->args[k], &v, &vlen);
		if (!t->shell) {
			if (k > 0)
				word_end(x);
			x->some = true;
			buf_add(&x->b, v, vlen);
			continue;
		}
		if (k > 0)
			buf_add(&x->b, " ", 1);
		add_shell_value(&x->b, Q_NONE, v, vlen, may_stand_bare(x, w,
		    j, k > 0, k + 1 < x->nargs));
	}
}

/* Expand segment j of word w. */
static void
expand_seg(struct expansion *x, const struct template *t,
    const struct word *w, size_t j)
{
	const struct seg	*s = &w->segs[j];
	const char	*v;
	char		*all = NULL;
	size_t		 vlen;

	if (s->ctx != Q_NONE)
		x->some = true;		/* quoted: a word, if an empty one */
	if (seg_missing(x, s)) {
		/* No such argument: nothing at all, or '' to keep a word. */
		if (t->shell && s->ctx == Q_NONE && missing_opens_word(x, w, j))
			buf_add(&x->b, "''", 2);
		return;
	}
	x->some = true;
	switch (s->tok) {
	case T_LIT:
		buf_add(&x->b, s->text, s->len);
		return;
	case T_SEQ:
		buf_printf(&x->b, "%llu", (unsigned long long)x->seq);
		return;
	case T_SLOT:
		buf_printf(&x->b, "%d", x->slot + 1);
		return;
	default:
		break;
	}
	if (s->pos == 0 && x->nargs > 1 && s->ctx == Q_NONE) {
		expand_spread(x, t, w, j);
		return;
	}
	if (s->pos == 0 && x->nargs != 1) {
		all = joined_values(x, s->tok);
		v = all;
		vlen = strlen(all);
	} else
		derive(s->tok, s->pos == 0 ? x->args[0] : arg_at(x, s->pos),
		    &v, &vlen);
	if (t->shell)
		add_shell_value(&x->b, s->ctx, v, vlen,
		    may_stand_bare(x, w, j, false, false));
	else
		buf_add(&x->b, v, vlen);
	free(all);
}

/* Does word w hold {} (or {.} ...: every argument)? */
static bool
word_has_all(const struct word *w)
{
	size_t	j;

	for (j = 0; j < w->nsegs; j++)
		if (tok_is_item(w->segs[j].tok) && w->segs[j].pos == 0)
			return true;
	return false;
}

/* -X: word w once for each argument, {} standing for that one. */
static void
expand_repeated(struct expansion *x, const struct template *t,
    const struct word *w)
{
	const char *const	*args = x->args;
	size_t			 nargs = x->nargs, k, j;

	for (k = 0; k < nargs; k++) {
		x->args = &args[k];
		x->nargs = 1;
		x->some = w->nsegs == 0;
		for (j = 0; j < w->nsegs; j++)
			expand_seg(x, t, w, j);
		word_end(x);
	}
	x->args = args;
	x->nargs = nargs;
}

/* -X: repeat each word holding {}; -1 for a shell template. */
int
template_repeat_words(struct template *t)
{
	if (t->shell)
		return -1;
	t->repeat = true;
	return 0;
}

/* Expand a template for one item. */
void
template_expand(const struct template *t, const char *item, uint64_t seq,
    int slot, struct expanded *e)
{
	template_expand_args(t, &item, 1, seq, slot, e);
}

/* Expand a template for the arguments of one task. */
void
template_expand_args(const struct template *t, const char *const *args,
    size_t nargs, uint64_t seq, int slot, struct expanded *e)
{
	struct expansion	 x;
	size_t			 i, j;

	memset(&x, 0, sizeof x);
	x.args = args;
	x.nargs = nargs;
	x.seq = seq;
	x.slot = slot;
	x.e = e;
	e->shell = t->shell;
	e->argc = 0;
	e->argv = xcalloc(1, sizeof *e->argv);
	for (i = 0; i < t->nwords; i++) {
		if (t->repeat && word_has_all(&t->words[i])) {
			expand_repeated(&x, t, &t->words[i]);
			continue;
		}
		x.some = t->words[i].nsegs == 0;	/* '' */
		for (j = 0; j < t->words[i].nsegs; j++)
			expand_seg(&x, t, &t->words[i], j);
		word_end(&x);
	}
	if (e->argc == 0) {
		x.some = true;		/* every word gone: an empty command */
		word_end(&x);
	}
}

/* Refuse an {N} or {-N} past the last of nsrc input sources. */
int
template_check_pos(const struct template *t, size_t nsrc, char *err,
    size_t errlen)
{
	if ((size_t)t->maxpos <= nsrc)
		return 0;
	snprintf(err, errlen, "{%d}: there %s %zu input source%s", t->maxpos,
	    nsrc == 1 ? "is" : "are", nsrc, nsrc == 1 ? "" : "s");
	return -1;
}

/* Free an expansion's strings. */
void
expanded_free(struct expanded *e)
{
	int	i;

	if (e->argv != NULL) {
		for (i = 0; i < e->argc; i++)
			free(e->argv[i]);
		free(e->argv);
	}
	e->argv = NULL;
	e->argc = 0;
}

/* Is c a control byte (escaped in labels)? */
static bool
ctrl_byte(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Quote s for POSIX sh, as GNU parallel does. */
char *
shell_quote(const char *s)
{
	struct buf	 b = { NULL, 0, 0 };

	add_shell_value(&b, Q_NONE, s, strlen(s), true);
	return b.data;
}

/* Add one argv entry to a label, quoted only if needed. */
static void
label_arg(struct buf *b, const char *s)
{
	const char	*p;

	for (p = s; *p != '\0' && !ctrl_byte((unsigned char)*p); p++)
		/* nothing */;
	if (*p == '\0') {
		add_shell_value(b, Q_NONE, s, strlen(s), true);
		return;
	}
	/* Control bytes: $'...' keeps the label on one line. */
	buf_addstr(b, "$'");
	for (p = s; *p != '\0'; p++) {
		if (ctrl_byte((unsigned char)*p))
			text_escape_byte(b, (unsigned char)*p);
		else if (*p == '\\' || *p == '\'')
			buf_printf(b, "\\%c", *p);
		else
			buf_add(b, p, 1);
	}
	buf_addstr(b, "'");
}

/* The command as a shell would run it, raw bytes (the joblog's Command). */
char *
expanded_cmdline(const struct expanded *e)
{
	struct buf	 b = { NULL, 0, 0 };
	int		 i;

	if (e->shell && e->argc > 0)
		return xstrdup(e->argv[0]);
	buf_add(&b, "", 0);
	for (i = 0; i < e->argc; i++) {
		if (i > 0)
			buf_add(&b, " ", 1);
		add_shell_value(&b, Q_NONE, e->argv[i], strlen(e->argv[i]),
		    true);
	}
	return b.data;
}

/* A printable one-line form of an expansion. */
char *
expanded_label(const struct expanded *e)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*p;
	int		 i;

	buf_add(&b, "", 0);
	if (e->shell && e->argc > 0) {
		for (p = e->argv[0]; *p != '\0'; p++) {
			if (ctrl_byte((unsigned char)*p))
				text_escape_byte(&b, (unsigned char)*p);
			else
				buf_add(&b, p, 1);
		}
		return b.data;
	}
	for (i = 0; i < e->argc; i++) {
		if (i > 0)
			buf_add(&b, " ", 1);
		label_arg(&b, e->argv[i]);
	}
	return b.data;
}

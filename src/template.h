/*
 * Command templates and GNU parallel replacement strings.
 *
 *	{}	the item			{.}	item without extension
 *	{/}	basename			{//}	dirname
 *	{/.}	basename without extension	{#}	task sequence number
 *	{%}	worker slot (1-based)
 * With several input sources a task has several arguments: {N} is the
 * N-th (with {N.} {N/} {N//} {N/.}, blanks allowed after the number), {-N}
 * counts from the last, and {N} past the last stands for nothing at all,
 * as in GNU parallel: not even '' (callers refuse it when the number of
 * arguments is fixed, see template_check_pos()); a word made only of such
 * missing arguments ({} of a task of no argument too) is no word.  {} and
 * {0} are every argument: each its own word where {} stands unquoted
 * (each quoted on its own in shell mode, one argv entry each in direct
 * mode), all joined by spaces into one value inside quotes; {.} {/} {//}
 * {/.} derive each argument the same way.
 * {1#}, {1%} and Perl expressions ({=...=}) are refused.
 * A template with no replacement string at all ({#} and {%} count, as in
 * GNU parallel) gets " {}" appended: every argument.
 *
 * Two ways to run: if the template has no shell syntax (only words, spaces,
 * and simple '...' or "..." quoting without $ ` \ in double quotes), it is
 * split into argv once at compile time and each replacement is substituted
 * literally inside its word, so the item is one argument whatever its bytes
 * and no shell runs.  Otherwise the template is a shell command: every
 * substituted value is shell-quoted as GNU parallel quotes it ('...' with
 * '"'"' for quotes, the empty '' at either end left out), so no item can run
 * code the template did not write.  A value made only of GNU parallel's safe
 * bytes (letters, digits, - _ . + /) stands bare where a bare word means
 * itself: not a reserved word (if, do, ...), not after $, $name or ~, not
 * before =.
 *
 * Shell mode knows the quoting around each replacement string: unquoted it
 * becomes the quoted value, inside '...' the value with '"'"' for quotes,
 * inside "..." the quoted value between a closing and a reopening ".
 * Replacement strings work in plain text, '...', "..." and
 * $(...).  An item replacement inside $((...)) (no quoting is possible
 * there), or after `...`, ${...}, $[...], $'...', ((...)), [[...]], a
 * here-document, or case inside $(...) is a compile error (the shells
 * disagree on how those re-read quotes), and so
 * is one in a word starting with ~ or = (zsh expands those).  {#} and {%}
 * are digits and may go anywhere.  Inside a # comment nothing is replaced.
 * Values are bytes: {/} cuts after the last '/' even across newlines.
 * A template ending in ; & | ( and lacking {} is refused rather than run
 * with the item as a command.
 */
#ifndef PT_TEMPLATE_H
#define PT_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct template;

/* NULL and a message in err on error; err may be NULL when errlen is 0. */
struct template	*template_compile(const char *src, char *err, size_t errlen);
/* The same, with nothing appended when it has no replacement string. */
struct template	*template_compile_bare(const char *src, char *err,
		    size_t errlen);
/*
 * The template given as several command-line words (`pooltop printf '%s\n'
 * {}`): never a shell; each word is exactly one argument, with replacement
 * strings substituted inside it; " {}" appended as one more word if none.
 */
struct template	*template_compile_argv(char *const *words, int n, char *err,
		    size_t errlen);
/* The same, with nothing appended (--pipe: the item is on stdin). */
struct template	*template_compile_argv_bare(char *const *words, int n,
		    char *err, size_t errlen);
void		 template_free(struct template *);
bool		 template_is_shell(const struct template *);
/*
 * -X: in each expansion, a word holding {} (or {.} {/} {//} {/.}) is
 * repeated once for each argument, standing for that one (pic{}.jpg
 * gives pica.jpg picb.jpg), other words as they are.  Only without a
 * shell: -1 (and nothing changed) for a shell template.
 */
int		 template_repeat_words(struct template *);
/* Was " {}" appended, the template having no replacement string? */
bool		 template_appended(const struct template *);

/* The result of expanding a template for one item. */
struct expanded {
	bool	  shell;	/* argv[0] is a shell command line */
	int	  argc;
	char	**argv;		/* NULL-terminated */
};
/*
 * slot is the 0-based slot index; {%} prints slot + 1.  Free with
 * expanded_free.
 */
void	template_expand(const struct template *, const char *item,
	    uint64_t seq, int slot, struct expanded *);
/* The same for a task of nargs arguments, one per input source. */
void	template_expand_args(const struct template *, const char *const *args,
	    size_t nargs, uint64_t seq, int slot, struct expanded *);
/*
 * 0, or -1 and a message in err if the template has an {N} or {-N} past
 * the last of nsrc input sources (GNU parallel would make it "").
 */
int	template_check_pos(const struct template *, size_t nsrc, char *err,
	    size_t errlen);
void	expanded_free(struct expanded *);
/*
 * A printable one-line form (for labels, joblog Command column): argv joined
 * by spaces, each quoted only if needed ($'...' when it holds control
 * bytes); a shell command line as is, control bytes written \n \t \xHH.
 */
char	*expanded_label(const struct expanded *);
/*
 * The command as sh -c would run it, byte for byte (the joblog's Command
 * column, which --retry-failed runs again): a shell command line as is,
 * argv joined by spaces with each word shell_quote()d.
 */
char	*expanded_cmdline(const struct expanded *);

/*
 * Quote s for POSIX sh: the result always parses back to exactly s.  Bytes
 * of [A-Za-z0-9_-./:,+@%] alone stay bare; anything else is '...' with '\''.
 */
char	*shell_quote(const char *s);

#endif

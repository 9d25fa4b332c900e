/*
 * Templates: replacement strings, the " {}" rule, direct-vs-shell
 * detection, and hostile items run for real.  Every hostile item is
 * expanded into small templates in both modes, the result is run (argv
 * directly, or under each of sh, bash, dash and zsh that is installed) with
 * stdout captured, and the bytes printed must equal the item while the
 * tripwire file that the item tries to create must not exist.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "template.h"
#include "util.h"

extern char **environ;

static char	 tmpdir[PATH_MAX];
static char	 trip[PATH_MAX + 16];

/* Expand src for item in direct or shell mode as compiled; asserts success. */
static struct template *
compile_ok(const char *src)
{
	struct template	*t;
	char		 err[256] = "";

	t = template_compile(src, err, sizeof err);
	if (t == NULL)
		fail_msg("template \"%s\": %s", src, err);
	return t;
}

/* Compile src, expand it for item, return argv[n] (caller frees). */
static char *
expand_word(const char *src, const char *item, int n)
{
	struct template	*t = compile_ok(src);
	struct expanded	 e;
	char		*w;

	template_expand(t, item, 42, 2, &e);
	assert_true(n < e.argc);
	assert_null(e.argv[e.argc]);
	w = xstrdup(e.argv[n]);
	expanded_free(&e);
	template_free(t);
	return w;
}

/* Each replacement string on a table of paths, as GNU parallel gives them. */
static void
test_replacements(void **state)
{
	static const struct {
		const char	*item, *noext, *base, *dir, *basenoext;
	} tab[] = {
		{ "a/b.c",	"a/b",		"b.c",		"a",	"b" },
		{ "a/b",	"a/b",		"b",		"a",	"b" },
		{ "b.c.d",	"b.c",		"b.c.d",	".",	"b.c" },
		{ "/x",		"/x",		"x",		"/",	"x" },
		{ ".",		"",		".",		".",	"" },
		{ ".hidden",	"",		".hidden",	".",	"" },
		{ "dir/",	"dir/",		"",		".",	"" },
		{ "",		"",		"",		".",	"" },
		{ "a.b/c",	"a.b/c",	"c",		"a.b",	"c" },
		{ "dir/.x",	"dir/",		".x",		"dir",	"" },
		{ "/",		"/",		"",		"/",	"" },
		{ "//",		"//",		"",		"/",	"" },
		{ "a//b",	"a//b",		"b",		"a",	"b" },
		{ "a/b/",	"a/b/",		"",		"a",	"" },
		{ "x.",		"x",		"x.",		".",	"x" },
		{ "..",		".",		"..",		".",	"." },
		{ "../a.b",	"../a",		"a.b",		"..",	"a" },
		{ "a b/c d.e",	"a b/c d",	"c d.e",	"a b",	"c d" },
	};
	const char	*tpl[] = { "x {}", "x {.}", "x {/}", "x {//}", "x {/.}" };
	size_t		 i, j;
	char		*w;

	(void)state;
	for (i = 0; i < nitems_of(tab); i++) {
		const char	*want[] = { tab[i].item, tab[i].noext,
		    tab[i].base, tab[i].dir, tab[i].basenoext };

		for (j = 0; j < nitems_of(tpl); j++) {
			w = expand_word(tpl[j], tab[i].item, 1);
			if (strcmp(w, want[j]) != 0)
				fail_msg("%s of \"%s\": got \"%s\", want \"%s\"",
				    tpl[j] + 2, tab[i].item, w, want[j]);
			free(w);
		}
	}
	w = expand_word("x {#}-{%}", "a", 1);
	assert_string_equal(w, "42-3");		/* slot 2 is the third */
	free(w);
	w = expand_word("x {#}{}{%}", "{}{#}", 1);
	assert_string_equal(w, "42{}{#}3");	/* values are not re-read */
	free(w);
	w = expand_word("x pre{.}mid{/}post", "d/f.txt", 1);
	assert_string_equal(w, "pred/fmidf.txtpost");
	free(w);
}

/* Compile src and compare the expansion with want (words joined by |). */
static void
check_expansion(const char *src, const char *item, const char *want)
{
	struct template	*t = compile_ok(src);
	struct expanded	 e;
	struct buf	 b = { 0 };
	int		 i;

	template_expand(t, item, 7, 0, &e);
	buf_add(&b, "", 0);
	for (i = 0; i < e.argc; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", e.argv[i]);
	if (strcmp(b.data, want) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", src, b.data, want);
	buf_free(&b);
	expanded_free(&e);
	template_free(t);
}

/* template_appended() says whether " {}" was appended to src. */
static void
appended_is(const char *src, bool want)
{
	struct template	*t;
	char		 err[256];

	if ((t = template_compile(src, err, sizeof err)) == NULL)
		fail_msg("\"%s\": %s", src, err);
	if (template_appended(t) != want)
		fail_msg("\"%s\": appended %d, want %d", src,
		    template_appended(t), want);
	template_free(t);
	if ((t = template_compile_bare(src, err, sizeof err)) == NULL)
		fail_msg("\"%s\" bare: %s", src, err);
	if (template_appended(t))
		fail_msg("\"%s\" bare: appended", src);
	template_free(t);
}

/*
 * A template with no replacement string at all gets " {}" appended, as GNU
 * parallel does: {#} and {%} count, and so do the positional strings and
 * the Perl expressions GNU parallel knows (which are refused, not appended
 * to).  Every string alone, in pairs, and each inside a word.
 */
static void
test_append(void **state)
{
	static const struct {
		const char	*tok, *val;	/* for item "d/f.x", seq 7, slot 1 */
	} tok[] = {
		{ "{}", "d/f.x" }, { "{.}", "d/f" }, { "{/}", "f.x" },
		{ "{//}", "d" }, { "{/.}", "f" }, { "{#}", "7" }, { "{%}", "1" },
		{ "{1}", "d/f.x" }, { "{-1}", "d/f.x" }, { "{1.}", "d/f" },
		{ "{1/}", "f.x" }, { "{1//}", "d" }, { "{1/.}", "f" },
		{ "{-1/.}", "f" }, { "{0}", "d/f.x" }, { "{0/}", "f.x" },
		{ "{1 }", "d/f.x" }, { "{01}", "d/f.x" }, { "{1 /}", "f.x" },
	};
	char	 src[64], want[64];
	size_t	 i, j;

	(void)state;
	for (i = 0; i < nitems_of(tok); i++) {
		snprintf(src, sizeof src, "echo %s", tok[i].tok);
		snprintf(want, sizeof want, "echo|%s", tok[i].val);
		check_expansion(src, "d/f.x", want);
		snprintf(src, sizeof src, "echo a%sb", tok[i].tok);
		snprintf(want, sizeof want, "echo|a%sb", tok[i].val);
		check_expansion(src, "d/f.x", want);
		for (j = 0; j < nitems_of(tok); j++) {
			snprintf(src, sizeof src, "echo %s%s", tok[i].tok,
			    tok[j].tok);
			snprintf(want, sizeof want, "echo|%s%s", tok[i].val,
			    tok[j].val);
			check_expansion(src, "d/f.x", want);
		}
	}
	check_expansion("rm -f f{#}", "x", "rm|-f|f7");
	check_expansion("echo {#}; echo z", "x", "echo 7; echo z");
	check_expansion("echo {%} | cat", "x", "echo 1 | cat");
	check_expansion("echo", "it", "echo|it");
	check_expansion("echo {foo}", "it", "echo|{foo}|it");
	check_expansion("echo { } {1x} {=}", "it", "echo|{|}|{1x}|{=}|it");
	check_expansion("echo {.}", "a.b", "echo|a");
	check_expansion("echo {//}", "a/b", "echo|a");
	check_expansion("echo  \t\n", "it", "echo|it");
	check_expansion("echo ''", "", "echo||");
	check_expansion("echo a | cat", "x y", "echo a | cat 'x y'");
	check_expansion("echo $HOME", "x", "echo $HOME x");
	check_expansion("{}", "prog", "prog");
	check_expansion("sh -c {}", "echo a; echo b", "sh|-c|echo a; echo b");
	check_expansion("echo \"a  b\" 'c d'{}", "!", "echo|a  b|c d!");
	check_expansion("echo a # {}\necho", "z", "echo a # {}\necho z");
	/* GNU parallel's quoting, but where a bare value would be read more. */
	check_expansion("echo x{}y; :", "a-b_c.d+e/f", "echo xa-b_c.d+e/fy; :");
	check_expansion("echo {}; :", "d'e", "echo 'd'\"'\"'e'; :");
	check_expansion("echo {}; :", "'a'", "echo \"'\"'a'\"'\"; :");
	check_expansion("echo \"x{}\"; :", "ab", "echo \"x\"ab\"\"; :");
	check_expansion("echo 'x{}'; :", "a'b", "echo 'xa'\"'\"'b'; :");
	check_expansion("{} x; :", "if", "'if' x; :");
	check_expansion("{}=1; :", "a", "'a'=1; :");
	check_expansion("a=x:~{}; :", "root", "a=x:~'root'; :");
	check_expansion("echo $x{} $; :", "y", "echo $x'y' $; :");
	check_expansion("echo $x.{}; :", "y", "echo $x.y; :");
	/* A name runs on through {#} and {%} digits and other literals. */
	check_expansion("echo $h{#}n{}; :", "x", "echo $h7n'x'; :");
	check_expansion("echo $h{%}{}; :", "x", "echo $h1'x'; :");
	check_expansion("echo $h{#}.{}; :", "x", "echo $h7.x; :");
	appended_is("echo", true);
	appended_is("echo 'a b' \"c\"", true);
	appended_is("echo a | cat", true);
	appended_is("echo {}", false);
	appended_is("echo {#}", false);
	appended_is("echo {%}; :", false);
}

/* Compile the words of src (split at '|') as argv; expand for item. */
static void
check_argv(const char *src, const char *item, const char *want)
{
	struct template	*t;
	struct expanded	 e;
	struct buf	 b = { 0 };
	char		*copy = xstrdup(src), *words[16], *p = copy, err[256];
	int		 n = 0, i;

	while (n < 16 && (words[n++] = strsep(&p, "|")) != NULL)
		/* nothing */;
	t = template_compile_argv(words, n - 1, err, sizeof err);
	if (want == NULL) {
		if (t != NULL)
			fail_msg("argv \"%s\" should be refused", src);
		free(copy);
		return;
	}
	if (t == NULL)
		fail_msg("argv \"%s\": %s", src, err);
	template_expand(t, item, 7, 0, &e);
	buf_add(&b, "", 0);
	for (i = 0; i < e.argc; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", e.argv[i]);
	if (strcmp(b.data, want) != 0)
		fail_msg("argv \"%s\": got \"%s\", want \"%s\"", src, b.data,
		    want);
	buf_free(&b);
	expanded_free(&e);
	template_free(t);
	free(copy);
}

/* The same rule for a template given as several words. */
static void
test_append_argv(void **state)
{
	(void)state;
	check_argv("rm|-f|f{#}", "x", "rm|-f|f7");
	check_argv("echo|{%}", "x", "echo|1");
	check_argv("echo|{1/}", "a/b", "echo|b");
	check_argv("echo", "x y", "echo|x y");
	check_argv("echo|{foo}", "x", "echo|{foo}|x");
	/* A word of nothing but a missing argument is no word. */
	check_argv("echo|{2}", "x", "echo");
	check_argv("echo|{2}x", "x", "echo|x");
	check_argv("echo|{= $_ =}", "x", NULL);
	check_argv("echo|{=|s/a/b/|=}", "x", NULL);
}

/*
 * Strings GNU parallel replaces but pooltop cannot are refused with a
 * message naming them, never run as text or with the item appended.
 */
static void
test_unsupported(void **state)
{
	static const struct {
		const char	*src, *err;
	} bad[] = {
		{ "echo {1#}", "{1#}: not supported; use {#}" },
		{ "echo {-1 %}", "{-1 %}: not supported; use {%}" },
		{ "echo '{12#}'", "{12#}: not supported; use {#}" },
		{ "echo {= s/a/b/ =}", "{= s/a/b/ =}: Perl expressions {=...=} "
		    "are not supported" },
		{ "echo \"{=1 uc =}\" | cat", "{=1 uc =}: Perl expressions "
		    "{=...=} are not supported" },
		{ "echo {#} {==}", "{==}: Perl expressions {=...=} are not "
		    "supported" },
		{ "echo ${1} {}", "${1}: {1} is a replacement string here, as "
		    "in GNU parallel; write the variable without braces" },
		{ "echo {} \"${#}\"", "${#}: {#} is a replacement string here, "
		    "as in GNU parallel; write the variable without braces" },
	};
	char		 err[256];
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems_of(bad); i++) {
		err[0] = '\0';
		if (template_compile(bad[i].src, err, sizeof err) != NULL)
			fail_msg("\"%s\" should be refused", bad[i].src);
		if (strcmp(err, bad[i].err) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].src,
			    err, bad[i].err);
	}
}

/* Direct exec or shell, decided at compile time. */
static void
test_detect(void **state)
{
	static const char *direct[] = {
		"echo {}", "printf %s {}", "grep 'a*b|c;$x' {}",
		"echo \"a b*|;\" {}", "cp {} {.}.bak", "echo a#b", "echo a~b",
		"echo '~' '#'", "echo {#} {%}", "sh -c {}", "{}", "echo x=1",
		"env A=1 prog", "echo \"\"", "a\tb", "echo '\"' \"'\"",
		"echo {} ]", "echo {a,b}", "echo !", "echo 'x\\'",
	};
	static const char *shell[] = {
		"echo {} | cat", "a && b", "a & b", "a; b", "a > f", "a < f",
		"(a)", "echo $HOME", "echo {} `x`", "echo a\\b", "ls *.c",
		"ls ?", "ls [ab]", "echo ~/x", "echo ~", "echo #c\necho x",
		"X=1 cmd {}", "_x9=2", "echo a\nb", "echo \"$x\"",
		"echo {} \"a`b`\"", "echo \"a\\b\"", "cd {}", "if true",
		"! false", "eval {}",
		"export X", "exit 3", ". ./env", "source x", "umask 022",
		"ulimit -n 10", "coproc cat {}",
	};
	struct template	*t;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems_of(direct); i++) {
		t = compile_ok(direct[i]);
		if (template_is_shell(t))
			fail_msg("\"%s\" should run directly", direct[i]);
		template_free(t);
	}
	for (i = 0; i < nitems_of(shell); i++) {
		t = compile_ok(shell[i]);
		if (!template_is_shell(t))
			fail_msg("\"%s\" needs a shell", shell[i]);
		template_free(t);
	}
}

/* Templates that cannot be quoted safely, or make no sense, are refused. */
static void
test_refused(void **state)
{
	static const char *bad[] = {
		"", "   \n", "echo `echo {}`", "echo \"`echo {}`\"",
		"echo ${x:-{}}", "echo $(({#}+{}))", "echo $[{}]",
		"echo $'{}'", "cat <<EOF\n{}\nEOF", "cat <<< {}",
		"(( {} ))", "[[ {} -eq 1 ]]", "x=$(case a in a) echo {};; esac)",
		"echo ~{}", "echo ~'{}'", "echo =\"{}\" | cat", "echo `date`",
		"echo a # comment", "echo a;", "echo a &", "echo a |",
		"echo {} `date` {.}", "echo 'unbalanced", "echo \"unbalanced",
		"echo $(x {}", "echo $((1+{#}", "echo \"$(x)", "echo '{}\" {}",
	};
	static const char *good[] = {
		"echo {} `date` {#}", "echo ~/{}", "echo x~{}", "echo x={}",
		"echo $(echo {}) | cat", "echo \"$(echo \"{}\")\" | cat",
		"case {} in *) echo;; esac", "echo {} # {}", "echo $$ {} | cat",
		"echo \"$\" {} | cat", "echo \\`{}\\` | cat",
		"echo `x \"` {#}", "echo \\' {}", "echo \"'\" {}",
	};
	char		 err[256];
	struct template	*t;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems_of(bad); i++) {
		err[0] = '\0';
		t = template_compile(bad[i], err, sizeof err);
		if (t != NULL)
			fail_msg("\"%s\" should be refused", bad[i]);
		assert_true(err[0] != '\0');
	}
	for (i = 0; i < nitems_of(good); i++)
		template_free(compile_ok(good[i]));
	t = template_compile("echo `x` {}", err, sizeof err);
	assert_null(t);
	assert_string_equal(err, "{} after `...` cannot be quoted safely; "
	    "put it before");
	assert_null(template_compile("", NULL, 0));
}

/* Run argv (argv[0] looked up in PATH), stdout into out; exit status. */
static int
run_capture(char **argv, struct buf *out)
{
	posix_spawn_file_actions_t	 fa;
	char				 chunk[4096];
	ssize_t				 r;
	pid_t				 pid;
	int				 p[2], st;

	assert_int_equal(pipe(p), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		fail_msg("cannot run %s", argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	out->len = 0;
	buf_add(out, "", 0);
	while ((r = read(p[0], chunk, sizeof chunk)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		assert_true(r > 0);
		buf_add(out, chunk, (size_t)r);
	}
	close(p[0]);
	while (waitpid(pid, &st, 0) == -1)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Describe bytes for a failure message. */
static char *
show(const char *s, size_t len)
{
	struct buf	b = { 0 };
	size_t		i;

	buf_add(&b, "", 0);
	for (i = 0; i < len && i < 80; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f)
			buf_add(&b, &s[i], 1);
		else
			buf_printf(&b, "\\x%02x", (unsigned char)s[i]);
	}
	return b.data;
}

/* Hostile items, each with the tripwire path put in place of %s. */
static const char *hostile_fmt[] = {
	"plain", "", "a b  c\t", "$(touch %s)", "`touch %s`", ";touch %s",
	"|touch %s", "&touch %s&", "'; touch %s; '", "\"; touch %s; \"",
	"\ntouch %s\n", "'\ntouch %s\n'", "-n", "--help", "-", "*", "~",
	"~root", "=ls", "$HOME", "${HOME}", "\\", "'", "\"", "''", "\"\"",
	"{}", "{.}", "{#}", "a'b\"c$d`e\\f", "'\"'\"'$(touch %s)'",
	"\")$(touch %s)(\"", "\\'$(touch %s)\\'", "x\ny\n", "\n",
	"%s%%d", "!!", "$'\\x41'", "#not a comment", "a;#b",
	"$((1+1))", "{a,b}", "?[*]", "'\\''", ")", "(", "\r",
};

/* The hostile item number i (caller frees); the last is bytes 1..255. */
static char *
hostile_item(size_t i)
{
	char	*s;
	int	 c;

	if (i < nitems_of(hostile_fmt))
		return xasprintf(hostile_fmt[i], trip);
	s = xmalloc(256);
	for (c = 1; c < 256; c++)
		s[c - 1] = (char)c;
	s[255] = '\0';
	return s;
}

#define NHOSTILE	(nitems_of(hostile_fmt) + 1)

/* Templates that print the item between a prefix and a suffix. */
static const struct {
	const char	*tpl;
	bool		 shell;
	const char	*pre, *post;
} print_tpl[] = {
	{ "printf %s {}", false, "", "" },
	{ "printf %s x{}y", false, "x", "y" },
	{ "printf %s \"a {}\"", false, "a ", "" },
	{ "printf %s '{}'{}", false, "", "" },	/* item twice, see below */
	{ "printf %s {} | cat", true, "", "" },
	{ "printf %s '{}';", true, "", "" },
	{ "printf %s \"{}\";", true, "", "" },
	{ "printf %s \"<{}>\";", true, "<", ">" },
	{ "printf %s 'a{}b';", true, "a", "b" },
	{ "printf %s \"$(printf %s {}; echo .)\"", true, "", "." },
	{ "printf %s \"$(printf %s \"{}\"; echo .)\"", true, "", "." },
	{ "printf %s $(printf \"%s\" '{}' >/dev/null)\"{}\"", true, "", "" },
	{ "x={}; printf %s \"$x\"", true, "", "" },
	{ "case {} in *) printf %s {};; esac", true, "", "" },
	{ "printf %s {} # {} `touch x`", true, "", "" },
	{ "printf %s \\{}{}", true, "{}", "" },
	{ "printf %s '{}'\"{}\"{};", true, "", "" },	/* item 3x */
};

/* How many times the item is printed by print_tpl[i]. */
static int
print_times(size_t i)
{
	if (strstr(print_tpl[i].tpl, "'{}'\"{}\"{}") != NULL)
		return 3;
	if (strstr(print_tpl[i].tpl, "'{}'{}") != NULL)
		return 2;
	return 1;
}

/* Shells to try: /bin/sh always, the others when installed. */
static const char *shell_names[] = { "/bin/sh", "bash", "dash", "zsh" };
static char	*shells[nitems_of(shell_names)];
static size_t	 nshells;

/* Find the installed shells, each binary once. */
static void
find_shells(void)
{
	const char	*dirs[] = { "/bin", "/usr/bin", "/usr/local/bin" };
	char		 real[PATH_MAX], seen[nitems_of(shell_names)][PATH_MAX];
	char		*p;
	size_t		 i, j, k;

	for (i = 0; i < nitems_of(shell_names); i++) {
		for (j = 0; j < nitems_of(dirs); j++) {
			if (shell_names[i][0] == '/')
				p = xstrdup(shell_names[i]);
			else
				p = xasprintf("%s/%s", dirs[j], shell_names[i]);
			if (access(p, X_OK) == 0 && realpath(p, real) != NULL)
				break;
			free(p);
			p = NULL;
		}
		if (p == NULL)
			continue;
		for (k = 0; k < nshells && strcmp(seen[k], real) != 0; k++)
			/* nothing */;
		if (k < nshells) {
			free(p);
			continue;
		}
		strlcpy(seen[nshells], real, sizeof seen[nshells]);
		shells[nshells++] = p;
	}
	if (nshells == 0)
		fail_msg("no shell found");
}

/* Fail unless the tripwire is absent. */
static void
check_trip(const char *what)
{
	struct stat	st;

	if (stat(trip, &st) == 0) {
		unlink(trip);
		fail_msg("%s: an item ran code", what);
	}
}

/*
 * Run cmds[0..n) as one script under sh, each followed by a NUL byte, and
 * check that command i printed want[i].
 */
static void
run_batch(const char *sh, char **cmds, struct buf *want, size_t n,
    const char *what)
{
	struct buf	 script = { 0 }, out = { 0 };
	char		*argv[4], *a, *b;
	const char	*p, *end, *z;
	size_t		 i;
	int		 status;

	buf_add(&script, "", 0);
	for (i = 0; i < n; i++)
		buf_printf(&script, "%s\nprintf '\\000'\n", cmds[i]);
	argv[0] = (char *)sh;
	argv[1] = (char *)"-c";
	argv[2] = script.data;
	argv[3] = NULL;
	status = run_capture(argv, &out);
	if (status != 0)
		fail_msg("%s under %s: exit status %d", what, sh, status);
	p = out.data;
	end = out.data + out.len;
	for (i = 0; i < n; i++) {
		if ((z = memchr(p, '\0', (size_t)(end - p))) == NULL)
			fail_msg("%s under %s: command %zu printed no end", what,
			    sh, i);
		if ((size_t)(z - p) != want[i].len ||
		    memcmp(p, want[i].data, want[i].len) != 0) {
			a = show(p, (size_t)(z - p));
			b = show(want[i].data, want[i].len);
			fail_msg("%s under %s: command %zu (%s) printed \"%s\", "
			    "want \"%s\"", what, sh, i, cmds[i], a, b);
		}
		p = z + 1;
	}
	check_trip(what);
	buf_free(&script);
	buf_free(&out);
}

/* Run one direct expansion and check what it printed. */
static void
run_direct(const struct expanded *e, const struct buf *want, const char *what)
{
	struct buf	 out = { 0 };
	char		*a, *b;
	int		 status;

	status = run_capture(e->argv, &out);
	if (status != 0 || out.len != want->len ||
	    memcmp(out.data, want->data, want->len) != 0) {
		a = show(out.data, out.len);
		b = show(want->data, want->len);
		fail_msg("%s: status %d, printed \"%s\", want \"%s\"", what,
		    status, a, b);
	}
	check_trip(what);
	buf_free(&out);
}

/* Run every shell command under every shell; free them. */
static void
run_everywhere(char **cmds, struct buf *want, size_t n, const char *what)
{
	size_t	i;

	for (i = 0; i < nshells; i++)
		run_batch(shells[i], cmds, want, n, what);
	for (i = 0; i < n; i++) {
		free(cmds[i]);
		buf_free(&want[i]);
	}
}

/* What print_tpl[j] prints for item. */
static void
print_want(size_t j, const char *item, struct buf *want)
{
	int	n;

	buf_add(want, "", 0);
	buf_addstr(want, print_tpl[j].pre);
	for (n = 0; n < print_times(j); n++)
		buf_addstr(want, item);
	buf_addstr(want, print_tpl[j].post);
}

/* Every hostile item through every printing template, in every shell. */
static void
test_hostile(void **state)
{
	struct template	*t;
	struct expanded	 e;
	struct buf	 want[NHOSTILE];
	char		*item, *cmds[NHOSTILE], *what;
	size_t		 i, j;

	(void)state;
	memset(want, 0, sizeof want);
	for (j = 0; j < nitems_of(print_tpl); j++) {
		t = compile_ok(print_tpl[j].tpl);
		if (template_is_shell(t) != print_tpl[j].shell)
			fail_msg("\"%s\": wrong mode", print_tpl[j].tpl);
		what = xasprintf("\"%s\"", print_tpl[j].tpl);
		for (i = 0; i < NHOSTILE; i++) {
			item = hostile_item(i);
			template_expand(t, item, 1, 0, &e);
			print_want(j, item, &want[i]);
			if (e.shell) {
				assert_int_equal(e.argc, 1);
				cmds[i] = xstrdup(e.argv[0]);
			} else {
				assert_int_equal(e.argc, 3);
				run_direct(&e, &want[i], what);
				buf_free(&want[i]);
			}
			expanded_free(&e);
			free(item);
		}
		if (template_is_shell(t))
			run_everywhere(cmds, want, NHOSTILE, what);
		free(what);
		template_free(t);
	}
}

/* Templates over two arguments; want: \1 is the first, \2 the second. */
static const struct {
	const char	*tpl;
	bool		 shell;
	const char	*want;
} args_tpl[] = {
	{ "printf %s {2}{1}", false, "\2\1" },
	{ "printf :%s. {}", false, ":\1.:\2." },
	{ "printf :%s. x{}y", false, ":x\1.:\2y." },
	{ "printf :%s. \"{}\"", false, ":\1 \2." },
	{ "printf :%s. {} | cat", true, ":\1.:\2." },
	{ "printf :%s. x{}y;", true, ":x\1.:\2y." },
	{ "printf :%s. \"{}\";", true, ":\1 \2." },
	{ "printf :%s. '{-1}{1}';", true, ":\2\1." },
	{ "printf :%s. \"$(printf %s {2} {0}; echo .)\";", true, ":\2\1\2.." },
	{ "printf :%s.", false, ":\1.:\2." },		/* appended */
	{ "printf :%s. >&1", true, ":\1.:\2." },	/* appended */
};

/* What args_tpl[j] prints for arguments a and b. */
static void
args_want(size_t j, const char *a, const char *b, struct buf *want)
{
	const char	*p;

	buf_add(want, "", 0);
	for (p = args_tpl[j].want; *p != '\0'; p++) {
		if (*p == '\1' || *p == '\2')
			buf_addstr(want, *p == '\1' ? a : b);
		else
			buf_add(want, p, 1);
	}
}

/* Every pair of hostile items as two sources' arguments, in every shell. */
static void
test_hostile_sources(void **state)
{
	struct template	*t;
	struct expanded	 e;
	struct buf	 want[NHOSTILE];
	const char	*args[2];
	char		*a, *b, *cmds[NHOSTILE], *what;
	size_t		 i, j;

	(void)state;
	memset(want, 0, sizeof want);
	for (j = 0; j < nitems_of(args_tpl); j++) {
		t = compile_ok(args_tpl[j].tpl);
		if (template_is_shell(t) != args_tpl[j].shell)
			fail_msg("\"%s\": wrong mode", args_tpl[j].tpl);
		what = xasprintf("\"%s\", two sources", args_tpl[j].tpl);
		for (i = 0; i < NHOSTILE; i++) {
			args[0] = a = hostile_item(i);
			args[1] = b = hostile_item((i + 1) % NHOSTILE);
			template_expand_args(t, args, 2, 1, 0, &e);
			args_want(j, a, b, &want[i]);
			if (e.shell)
				cmds[i] = xstrdup(e.argv[0]);
			else {
				run_direct(&e, &want[i], what);
				buf_free(&want[i]);
			}
			expanded_free(&e);
			free(a);
			free(b);
		}
		if (template_is_shell(t))
			run_everywhere(cmds, want, NHOSTILE, what);
		free(what);
		template_free(t);
	}
}

/* Compile src (words joined by | as one argv when argv), expand for args. */
static void
check_args(const char *src, bool argv, const char *const *args, size_t n,
    const char *want)
{
	struct template	*t;
	struct expanded	 e;
	struct buf	 b = { 0 };
	char		*copy = xstrdup(src), *words[16], *p = copy, err[256];
	int		 nw = 0, i;

	if (argv) {
		while (nw < 16 && (words[nw++] = strsep(&p, "|")) != NULL)
			/* nothing */;
		t = template_compile_argv(words, nw - 1, err, sizeof err);
	} else
		t = template_compile(src, err, sizeof err);
	if (t == NULL)
		fail_msg("\"%s\": %s", src, err);
	template_expand_args(t, args, n, 9, 0, &e);
	buf_add(&b, "", 0);
	for (i = 0; i < e.argc; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", e.argv[i]);
	assert_null(e.argv[e.argc]);
	if (strcmp(b.data, want) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", src, b.data, want);
	buf_free(&b);
	expanded_free(&e);
	template_free(t);
	free(copy);
}

/*
 * Several sources: {N}, {-N} and their modifiers pick one argument, {}
 * and {0} give them all, quoted as GNU parallel quotes them; {N} past the
 * last source is refused by template_check_pos().
 */
static void
test_sources(void **state)
{
	const char	*two[] = { "a b", "c'd" };
	const char	*paths[] = { "/x/y.z", "a/b.c", "-n" };
	const char	*one[] = { "x" };
	struct template	*t;
	struct expanded	 e;
	char		 err[256];

	(void)state;
	check_args("echo {}", false, two, 2, "echo|a b|c'd");
	check_args("echo x{}y {#}", false, two, 2, "echo|xa b|c'dy|9");
	check_args("echo '{}'", false, two, 2, "echo|a b c'd");
	check_args("echo {2} {1} {-1} {-2}", false, two, 2,
	    "echo|c'd|a b|c'd|a b");
	check_args("echo {0}", false, two, 2, "echo|a b|c'd");
	check_args("echo", false, two, 2, "echo|a b|c'd");
	check_args("echo|{}|x{2}", true, two, 2, "echo|a b|c'd|xc'd");
	check_args("printf", true, two, 2, "printf|a b|c'd");
	check_args("echo {} | cat", false, two, 2,
	    "echo 'a b' 'c'\"'\"'d' | cat");
	check_args("echo {2} {1} >&2", false, two, 2,
	    "echo 'c'\"'\"'d' 'a b' >&2");
	check_args("echo $HOME", false, two, 2,
	    "echo $HOME 'a b' 'c'\"'\"'d'");
	check_args("echo \"{}\" | cat", false, two, 2,
	    "echo \"\"'a b c'\"'\"'d'\"\" | cat");
	check_args("echo {2.} {1/} {1//} {2/.} {3} | cat", false, paths, 3,
	    "echo a/b y.z /x b -n | cat");
	check_args("echo {.} {/} | cat", false, paths, 3,
	    "echo /x/y a/b -n y.z b.c -n | cat");
	/* Missing arguments stand for nothing, as in GNU parallel. */
	check_args("echo {3}", false, two, 2, "echo");
	check_args("echo {-3}", false, two, 2, "echo");
	check_args("echo {3} x{3}y \"{3}\" '{3}'", false, two, 2,
	    "echo|xy||");
	check_args("printf '<%s>' {3} x{3}y \"{3}\" | cat", false, two, 2,
	    "printf '<%s>'  xy \"\" | cat");
	check_args("echo {} {1} x", false, two, 0, "echo|x");
	check_args("echo {} {1} x | cat", false, two, 0, "echo   x | cat");
	check_args("{3}", false, two, 2, "");
	/*
	 * ... but never so that what follows starts a word that means more:
	 * a comment (an item's newline would end it), ~, a redirection's
	 * digits, a reserved word, an assignment.  Inside a word, nothing.
	 */
	check_args("echo {3}#x {3}~ {3}{#}>&2 a{3}#", false, two, 2,
	    "echo ''#x ''~ ''9>&2 a#");
	check_args("echo {3}{-3}#x;{3}fi=1 {3}", false, two, 2,
	    "echo ''#x;''fi=1 ");
	/* -X: a word holding {} once for each argument. */
	t = compile_ok("echo x{.}y {1} 'q {}' z");
	assert_int_equal(template_repeat_words(t), 0);
	template_expand_args(t, two, 2, 9, 0, &e);
	assert_int_equal(e.argc, 7);
	assert_string_equal(e.argv[1], "xa by");
	assert_string_equal(e.argv[2], "xc'dy");
	assert_string_equal(e.argv[3], "a b");
	assert_string_equal(e.argv[4], "q a b");
	assert_string_equal(e.argv[6], "z");
	expanded_free(&e);
	template_free(t);
	t = compile_ok("echo {} | cat");
	assert_int_equal(template_repeat_words(t), -1);
	template_free(t);
	/* A missing argument is looked through: no $name or x= made. */
	check_args("echo $h{3}n{1} {1}{2}=v {1}{-2}{#}=w", false, one, 1,
	    "echo $hn'x' 'x'=v 'x'9=w");

	t = compile_ok("echo {3 .} {-2/}");
	assert_int_equal(template_check_pos(t, 3, err, sizeof err), 0);
	assert_int_equal(template_check_pos(t, 2, err, sizeof err), -1);
	assert_string_equal(err, "{3}: there are 2 input sources");
	template_free(t);
	t = compile_ok("echo {-2}");
	assert_int_equal(template_check_pos(t, 1, err, sizeof err), -1);
	assert_string_equal(err, "{2}: there is 1 input source");
	template_free(t);
	t = compile_ok("echo {} {0} {1}");
	assert_int_equal(template_check_pos(t, 1, err, sizeof err), 0);
	template_free(t);
}

/* shell_quote() output parses back to the string in every shell. */
static void
test_shell_quote(void **state)
{
	struct buf	 want[NHOSTILE];
	char		*q, *item, *cmds[NHOSTILE];
	size_t		 i;

	(void)state;
	q = shell_quote("abc-1.2/x+w_");
	assert_string_equal(q, "abc-1.2/x+w_");
	free(q);
	q = shell_quote("x:y,z@v%u");
	assert_string_equal(q, "'x:y,z@v%u'");
	free(q);
	q = shell_quote("");
	assert_string_equal(q, "''");
	free(q);
	q = shell_quote("it's a b");
	assert_string_equal(q, "'it'\"'\"'s a b'");
	free(q);
	q = shell_quote("=x");
	assert_string_equal(q, "'=x'");
	free(q);
	memset(want, 0, sizeof want);
	for (i = 0; i < NHOSTILE; i++) {
		item = hostile_item(i);
		q = shell_quote(item);
		cmds[i] = xasprintf("printf %%s %s", q);
		buf_add(&want[i], "", 0);
		buf_addstr(&want[i], item);
		free(q);
		free(item);
	}
	run_everywhere(cmds, want, NHOSTILE, "shell_quote");
}

/* Labels: one line, quoted only where needed; direct labels re-run in bash. */
static void
test_label(void **state)
{
	struct template	*t;
	struct expanded	 e;
	struct buf	 want[NHOSTILE];
	char		*l, *item, *cmds[NHOSTILE];
	size_t		 i, k;

	(void)state;
	t = compile_ok("printf %s {}");
	template_expand(t, "a b", 1, 0, &e);
	l = expanded_label(&e);
	assert_string_equal(l, "printf '%s' 'a b'");
	free(l);
	expanded_free(&e);
	template_expand(t, "x\ny'\\", 1, 0, &e);
	l = expanded_label(&e);
	assert_string_equal(l, "printf '%s' $'x\\ny\\'\\\\'");
	free(l);
	expanded_free(&e);

	memset(want, 0, sizeof want);
	for (i = 0; i < NHOSTILE; i++) {
		item = hostile_item(i);
		template_expand(t, item, 1, 0, &e);
		cmds[i] = expanded_label(&e);
		assert_null(strchr(cmds[i], '\n'));
		buf_add(&want[i], "", 0);
		buf_addstr(&want[i], item);
		expanded_free(&e);
		free(item);
	}
	template_free(t);
	/* $'...' is not POSIX: labels re-run in bash and zsh only. */
	for (k = 0; k < nshells; k++) {
		if (strstr(shells[k], "bash") != NULL ||
		    strstr(shells[k], "zsh") != NULL)
			run_batch(shells[k], cmds, want, NHOSTILE, "label");
	}
	for (i = 0; i < NHOSTILE; i++) {
		free(cmds[i]);
		buf_free(&want[i]);
	}

	t = compile_ok("printf %s {} | cat");
	template_expand(t, "a\tb\n", 1, 0, &e);
	l = expanded_label(&e);
	assert_string_equal(l, "printf %s 'a\\tb\\n' | cat");
	free(l);
	expanded_free(&e);
	template_free(t);
}

/*
 * The joblog's command line: raw bytes (newlines and all), a shell line as
 * it is, argv quoted so that every shell runs exactly the same command.
 */
static void
test_cmdline(void **state)
{
	struct template	*t;
	struct expanded	 e;
	struct buf	 want[NHOSTILE];
	char		*l, *item, *cmds[NHOSTILE];
	size_t		 i, k;

	(void)state;
	t = compile_ok("printf %s {}");
	template_expand(t, "a\nb\tc\rd'", 1, 0, &e);
	l = expanded_cmdline(&e);
	assert_string_equal(l, "printf '%s' 'a\nb\tc\rd'\"'\"");
	free(l);
	expanded_free(&e);
	memset(want, 0, sizeof want);
	for (i = 0; i < NHOSTILE; i++) {
		item = hostile_item(i);
		template_expand(t, item, 1, 0, &e);
		cmds[i] = expanded_cmdline(&e);
		buf_add(&want[i], "", 0);
		buf_addstr(&want[i], item);
		expanded_free(&e);
		free(item);
	}
	template_free(t);
	for (k = 0; k < nshells; k++)
		run_batch(shells[k], cmds, want, NHOSTILE, "cmdline");
	for (i = 0; i < NHOSTILE; i++) {
		free(cmds[i]);
		buf_free(&want[i]);
	}

	t = compile_ok("printf %s {} | cat");
	template_expand(t, "a\tb\n", 1, 0, &e);
	l = expanded_cmdline(&e);
	assert_string_equal(l, "printf %s 'a\tb\n' | cat");
	assert_string_equal(l, e.argv[0]);
	free(l);
	expanded_free(&e);
	template_free(t);
}

/* Make a private directory for the tripwire. */
static int
setup(void **state)
{
	const char	*base = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/pt-task.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(trip, sizeof trip, "%s/TRIP", tmpdir);
	setenv("LC_ALL", "C", 1);
	find_shells();
	return 0;
}

/* Remove the tripwire directory. */
static int
teardown(void **state)
{
	(void)state;
	while (nshells > 0)
		free(shells[--nshells]);
	unlink(trip);
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replacements),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_append_argv),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_hostile_sources),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_cmdline),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

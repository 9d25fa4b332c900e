/*
 * Write pooltop's shell completion for bash or zsh, from the option table
 * (opts_info()) and the control command table (cmd_name()), so that the
 * completion cannot drift from the options: make runs this at build time
 * and installs what it prints.
 *
 *	gen-completion bash|zsh [THEME-FILE ...]
 *
 * The theme files are the shipped ones (their names are offered after
 * --theme, with those in the user's ~/.config/pooltop/themes).  The
 * subcommands and their few options are listed here; tests/cli/complete.sh
 * checks them against main.c's table and --help.
 *
 * Live pools are offered after attach and ctl: the scripts run
 * `pooltop ls` when that word is completed, and offer each pool's ID and
 * name.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"
#include "util.h"

/* A subcommand: its name, its options and what its words are. */
static const struct {
	const char	*name;
	const char	*opts;		/* blank-separated */
	const char	*help;
} gen_subs[] = {
	{ "ls", "--json", "list this user's live pools" },
	{ "ctl", "--json", "send a control command to a pool" },
	{ "attach", "-t --theme -d --refresh --delay", "open the dashboard "
	    "of a running pool" },
	{ "progress", "", "report a task's progress from inside it" },
	{ "report", "--json --graphs --no-graphs", "summarise a finished run's "
	    "joblog" },
	{ "worker", "", "a worker on stdin and stdout (pooltop's own use)" },
};

/* How an option's argument is completed. */
enum gen_arg { ARG_NONE, ARG_FILE, ARG_DIR, ARG_COMMAND, ARG_THEME,
    ARG_VARIABLE, ARG_CHOICES };

/* The kind of argument of option oi. */
static enum gen_arg
gen_arg_kind(const struct opt_info *oi)
{
	if (oi->arg == NULL)
		return ARG_NONE;
	if (oi->choices != NULL)
		return ARG_CHOICES;
	if (strcmp(oi->name, "theme") == 0)
		return ARG_THEME;
	if (strcmp(oi->arg, "FILE") == 0 || strcmp(oi->arg, "PATH") == 0 ||
	    strcmp(oi->arg, "DIR|FILE") == 0)
		return ARG_FILE;
	if (strncmp(oi->arg, "VAR", 3) == 0)
		return ARG_VARIABLE;
	if (strcmp(oi->arg, "DIR") == 0)
		return ARG_DIR;
	if (strcmp(oi->arg, "CMD") == 0)
		return ARG_COMMAND;
	return ARG_NONE;
}

/* Print the shipped theme names, blank-separated, from their file names. */
static void
gen_themes(int argc, char **argv)
{
	const char	*b, *dot;
	int		 i;

	printf("default");
	for (i = 0; i < argc; i++) {
		b = strrchr(argv[i], '/') != NULL ? strrchr(argv[i], '/') + 1 :
		    argv[i];
		if ((dot = strstr(b, ".theme")) == NULL || dot[6] != '\0' ||
		    strncmp(b, "default.", 8) == 0)
			continue;
		printf(" %.*s", (int)(dot - b), b);
	}
}

/* Print the control commands, blank-separated. */
static void
gen_commands(void)
{
	const char	*c;
	size_t		 i;

	for (i = 0; (c = cmd_name(i)) != NULL; i++)
		printf("%s%s", i > 0 ? " " : "", c);
}

/* Print the bash case patterns of the options whose argument is kind. */
static int
gen_bash_pattern(enum gen_arg kind)
{
	struct opt_info	 oi;
	size_t		 i;
	int		 n = 0;

	for (i = 0; opts_info(i, &oi); i++) {
		if (!oi.has_arg || gen_arg_kind(&oi) != kind)
			continue;
		printf("%s--%s", n++ > 0 ? "|" : "\t", oi.name);
		if (oi.alias != NULL)
			printf("|--%s", oi.alias);
		if (oi.letter != 0)
			printf("|-%c", oi.letter);
	}
	return n;
}

/* Print one bash case branch: the options of kind, then action. */
static void
gen_bash_branch(enum gen_arg kind, const char *action)
{
	if (gen_bash_pattern(kind) > 0)
		printf(")\n\t\t%s\n\t\treturn ;;\n", action);
}

/* The bash completion. */
static void
gen_bash(int argc, char **argv)
{
	struct opt_info	 oi;
	size_t		 i, k;

	printf("# bash completion for pooltop(1).  Generated from pooltop's "
	    "option table by\n# src/gen-completion: edit that, not this.\n\n");
	printf("# The IDs and names of this user's live pools.\n"
	    "_pooltop_pools()\n{\n"
	    "\tpooltop ls 2>/dev/null |\n"
	    "\t    awk 'NR > 1 { print $1; if ($2 != \"-\") print $2 }'\n"
	    "}\n\n");
	printf("# Theme names: the shipped ones and the user's.\n"
	    "_pooltop_themes()\n{\n\tlocal f\n\techo '");
	gen_themes(argc, argv);
	printf("'\n\tfor f in \"${XDG_CONFIG_HOME:-$HOME/.config}\"/pooltop/"
	    "themes/*.theme; do\n"
	    "\t\t[ -e \"$f\" ] || continue\n"
	    "\t\tf=${f##*/}\n\t\techo \"${f%%.theme}\"\n\tdone\n}\n\n");

	printf("# Complete the words after `pooltop ctl`: [--json] [ID] "
	    "COMMAND [ARGS].\n"
	    "_pooltop_ctl()\n{\n"
	    "\tlocal cur=$1 i n=0 w\n"
	    "\tlocal cmds='");
	gen_commands();
	printf("'\n"
	    "\tfor ((i = 2; i < COMP_CWORD; i++)); do\n"
	    "\t\tw=${COMP_WORDS[i]}\n"
	    "\t\tcase $w in -*) continue ;; esac\n"
	    "\t\t[[ \" $cmds \" == *\" $w \"* ]] && return\n"
	    "\t\tn=$((n + 1))\n"
	    "\tdone\n"
	    "\tcase $cur in\n"
	    "\t-*)\tCOMPREPLY=($(compgen -W '--json' -- \"$cur\")) ;;\n"
	    "\t*)\tif [ $n -eq 0 ]; then\n"
	    "\t\t\tCOMPREPLY=($(compgen -W \"$(_pooltop_pools) $cmds\" -- "
	    "\"$cur\"))\n"
	    "\t\telse\n"
	    "\t\t\tCOMPREPLY=($(compgen -W \"$cmds\" -- \"$cur\"))\n"
	    "\t\tfi ;;\n"
	    "\tesac\n}\n\n");

	printf("_pooltop()\n{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= opts argopts i w\n"
	    "\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\t# --option=value: bash splits it at the '='.\n"
	    "\tif [ \"$cur\" = = ]; then\n"
	    "\t\tcur=\n"
	    "\telif [ \"$prev\" = = ] && [ \"$COMP_CWORD\" -gt 1 ]; then\n"
	    "\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n"
	    "\tfi\n"
	    "\tCOMPREPLY=()\n\n");
	printf("\tcase ${COMP_WORDS[1]} in\n"
	    "\tls)\tCOMPREPLY=($(compgen -W '--json' -- \"$cur\"))\n"
	    "\t\treturn ;;\n"
	    "\tctl)\t[ \"$COMP_CWORD\" -ge 2 ] && _pooltop_ctl \"$cur\"\n"
	    "\t\treturn ;;\n"
	    "\tattach)\n"
	    "\t\t[ \"$COMP_CWORD\" -ge 2 ] || return\n"
	    "\t\tcase $prev in\n"
	    "\t\t-t|--theme)\n"
	    "\t\t\tCOMPREPLY=($(compgen -W \"$(_pooltop_themes)\" -- "
	    "\"$cur\")) ;;\n"
	    "\t\t-d|--refresh|--delay) ;;\n"
	    "\t\t*)\tcase $cur in\n"
	    "\t\t\t-*)\tCOMPREPLY=($(compgen -W '");
	for (i = 0; i < nitems_of(gen_subs); i++)
		if (strcmp(gen_subs[i].name, "attach") == 0)
			printf("%s", gen_subs[i].opts);
	printf("' -- \"$cur\")) ;;\n"
	    "\t\t\t*)\tCOMPREPLY=($(compgen -W \"$(_pooltop_pools)\" -- "
	    "\"$cur\")) ;;\n"
	    "\t\t\tesac ;;\n"
	    "\t\tesac\n"
	    "\t\treturn ;;\n"
	    "\tprogress)\n\t\treturn ;;\n"
	    "\treport)\tcase $cur in\n"
	    "\t\t-*)\tCOMPREPLY=($(compgen -W '--json --graphs --no-graphs' "
	    "-- \"$cur\")) ;;\n"
	    "\t\t*)\tCOMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
	    "\t\tesac\n"
	    "\t\treturn ;;\n"
	    "\tesac\n\n");

	/* The argument of an option. */
	printf("\tcase $prev in\n");
	gen_bash_branch(ARG_FILE, "COMPREPLY=($(compgen -f -- \"$cur\"))");
	gen_bash_branch(ARG_DIR, "COMPREPLY=($(compgen -d -- \"$cur\"))");
	gen_bash_branch(ARG_COMMAND, "COMPREPLY=($(compgen -c -- \"$cur\"))");
	gen_bash_branch(ARG_VARIABLE, "COMPREPLY=($(compgen -e -- \"$cur\"))");
	gen_bash_branch(ARG_THEME, "COMPREPLY=($(compgen -W "
	    "\"$(_pooltop_themes)\" -- \"$cur\") $(compgen -f -- \"$cur\"))");
	for (i = 0; opts_info(i, &oi); i++) {
		if (gen_arg_kind(&oi) != ARG_CHOICES)
			continue;
		printf("\t--%s", oi.name);
		if (oi.letter != 0)
			printf("|-%c", oi.letter);
		printf(")\n\t\tCOMPREPLY=($(compgen -W '");
		for (k = 0; oi.choices[k] != NULL; k++)
			printf("%s%s", k > 0 ? " " : "", oi.choices[k]);
		printf("' -- \"$cur\"))\n\t\treturn ;;\n");
	}
	/* Other arguments (numbers, policies): nothing to offer. */
	if (gen_bash_pattern(ARG_NONE) > 0)
		printf(")\n\t\treturn ;;\n");
	printf("\tesac\n\n");

	/* Options; then subcommands, or the command of the template. */
	printf("\topts='");
	for (i = 0; opts_info(i, &oi); i++) {
		printf("%s--%s", i > 0 ? " " : "", oi.name);
		if (oi.alias != NULL)
			printf(" --%s", oi.alias);
		if (oi.letter != 0)
			printf(" -%c", oi.letter);
	}
	printf("'\n\targopts=' ");
	for (i = 0; opts_info(i, &oi); i++) {
		if (!oi.has_arg)
			continue;
		printf("--%s ", oi.name);
		if (oi.alias != NULL)
			printf("--%s ", oi.alias);
		if (oi.letter != 0)
			printf("-%c ", oi.letter);
	}
	printf("'\n");
	printf("\t# Past the template's first word, words are the template's.\n"
	    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	    "\t\tw=${COMP_WORDS[i]}\n"
	    "\t\tif [[ $w == = ]]; then\n"
	    "\t\t\ti=$((i + 1))\n"
	    "\t\telif [[ $argopts == *\" $w \"* ]]; then\n"
	    "\t\t\t[[ ${COMP_WORDS[i + 1]} == = ]] || i=$((i + 1))\n"
	    "\t\telif [[ $w != -* ]]; then\n"
	    "\t\t\treturn\n"
	    "\t\tfi\n"
	    "\tdone\n");
	printf("\tcase $cur in\n"
	    "\t-*)\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	    "\t\treturn ;;\n"
	    "\tesac\n"
	    "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W '");
	for (i = 0; i < nitems_of(gen_subs); i++)
		printf("%s%s", i > 0 ? " " : "", gen_subs[i].name);
	printf("' -- \"$cur\") $(compgen -c -- \"$cur\"))\n"
	    "\t\treturn\n"
	    "\tfi\n"
	    "\t# The template's command; files after it (the default).\n"
	    "\tCOMPREPLY=($(compgen -c -- \"$cur\"))\n"
	    "}\n"
	    "complete -o bashdefault -o default -F _pooltop pooltop\n");
}

/*
 * Print s inside a single-quoted zsh _arguments spec: ' closes and reopens
 * the quotes, and : (and in an option's description [ and ]) is escaped.
 */
static void
gen_zsh_quoted(const char *s, bool brackets)
{
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			printf("'\\''");
		else {
			if (*s == ':' || *s == '\\' ||
			    (brackets && (*s == '[' || *s == ']')))
				putchar('\\');
			putchar(*s);
		}
	}
}

/* Print the zsh action for option oi's argument. */
static void
gen_zsh_action(const struct opt_info *oi)
{
	size_t	k;

	printf(":");
	gen_zsh_quoted(oi->arg, false);
	printf(":");
	switch (gen_arg_kind(oi)) {
	case ARG_FILE:
		printf("_files");
		break;
	case ARG_DIR:
		printf("_files -/");
		break;
	case ARG_COMMAND:
		printf("_command_names -e");
		break;
	case ARG_VARIABLE:
		printf("_parameters -g \"*export*\"");
		break;
	case ARG_THEME:
		printf("_pooltop_themes");
		break;
	case ARG_CHOICES:
		printf("(");
		for (k = 0; oi->choices[k] != NULL; k++)
			printf("%s%s", k > 0 ? " " : "", oi->choices[k]);
		printf(")");
		break;
	case ARG_NONE:
		printf(" ");
		break;
	}
}

/* One option's _arguments specs, with its letter and alias. */
static void
gen_zsh_option(const struct opt_info *oi)
{
	if (oi->letter == 0 && oi->alias == NULL)
		printf("\t\t    '--%s%s[", oi->name, oi->has_arg ? "=" : "");
	else {
		/* '(-j --workers)'{-j+,--workers=}'[help]...': either form. */
		printf("\t\t    '(");
		if (oi->letter != 0)
			printf("-%c ", oi->letter);
		printf("--%s", oi->name);
		if (oi->alias != NULL)
			printf(" --%s", oi->alias);
		printf(")'{");
		if (oi->letter != 0)
			printf("-%c%s,", oi->letter, oi->has_arg ? "+" : "");
		printf("--%s%s", oi->name, oi->has_arg ? "=" : "");
		if (oi->alias != NULL)
			printf(",--%s%s", oi->alias, oi->has_arg ? "=" : "");
		printf("}'[");
	}
	gen_zsh_quoted(oi->help, true);
	printf("]");
	if (oi->has_arg)
		gen_zsh_action(oi);
	printf("' \\\n");
}

/* The zsh completion. */
static void
gen_zsh(int argc, char **argv)
{
	struct opt_info	 oi;
	size_t		 i;

	printf("#compdef pooltop\n"
	    "# zsh completion for pooltop(1).  Generated from pooltop's option "
	    "table by\n# src/gen-completion: edit that, not this.\n\n");
	printf("# The IDs and names of this user's live pools (the arguments "
	    "are\n"
	    "# compadd's, from _arguments).\n"
	    "_pooltop_pools() {\n"
	    "\tlocal -a pools\n"
	    "\tpools=(${(f)\"$(pooltop ls 2>/dev/null |\n"
	    "\t    awk 'NR > 1 { print $1; if ($2 != \"-\") print $2 }')\"})\n"
	    "\tcompadd \"$@\" -a pools\n"
	    "}\n\n");
	printf("# Theme names: the shipped ones and the user's.\n"
	    "_pooltop_themes() {\n"
	    "\tlocal -a themes\n"
	    "\tthemes=(");
	gen_themes(argc, argv);
	printf("\n\t    ${XDG_CONFIG_HOME:-$HOME/.config}/pooltop/themes/"
	    "*.theme(N:t:r))\n"
	    "\tcompadd \"$@\" -a themes\n"
	    "\t_files \"$@\"\n"
	    "}\n\n");
	printf("_pooltop_ctl() {\n"
	    "\tlocal -a cmds\n"
	    "\tcmds=(");
	gen_commands();
	printf(")\n"
	    "\tlocal i n=0\n"
	    "\tfor ((i = 3; i < CURRENT; i++)); do\n"
	    "\t\t[[ $words[i] == -* ]] && continue\n"
	    "\t\t(( ${cmds[(Ie)$words[i]]} )) && return 1\n"
	    "\t\t(( n++ ))\n"
	    "\tdone\n"
	    "\tif [[ $PREFIX == -* ]]; then\n"
	    "\t\tcompadd -- --json\n"
	    "\telif (( n == 0 )); then\n"
	    "\t\t_pooltop_pools\n"
	    "\t\tcompadd -a cmds\n"
	    "\telse\n"
	    "\t\tcompadd -a cmds\n"
	    "\tfi\n"
	    "}\n\n");
	printf("_pooltop() {\n"
	    "\tlocal context state state_descr line\n"
	    "\ttypeset -A opt_args\n"
	    "\tcase $words[2] in\n"
	    "\tls)\tshift words; (( CURRENT-- ))\n"
	    "\t\t_arguments '--json[");
	gen_zsh_quoted(gen_subs[0].help, true);
	printf(" as JSON]' ;;\n"
	    "\tctl)\t_pooltop_ctl ;;\n"
	    "\tattach)\n"
	    "\t\tshift words; (( CURRENT-- ))\n"
	    "\t\t_arguments -s \\\n"
	    "\t\t    '(-t --theme)'{-t+,--theme=}'[colour theme]:theme:"
	    "_pooltop_themes' \\\n"
	    "\t\t    '(-d --refresh --delay)'{-d+,--refresh=,--delay=}"
	    "'[refresh period in ms]:MS: ' \\\n"
	    "\t\t    '1::pool:_pooltop_pools' ;;\n"
	    "\tprogress)\n\t\t;;\n"
	    "\treport)\tshift words; (( CURRENT-- ))\n"
	    "\t\t_arguments '(--graphs --no-graphs)--json[the report as JSON]' "
	    "'(--json --no-graphs)--graphs[draw the charts]' "
	    "'(--json --graphs)--no-graphs[figures only]' "
	    "'1:joblog:_files' ;;\n"
	    "\t*)\n"
	    "\t\t_arguments -s -S \\\n");
	for (i = 0; opts_info(i, &oi); i++)
		gen_zsh_option(&oi);
	printf("\t\t    '1: :->first' \\\n"
	    "\t\t    '*:: :_files'\n"
	    "\t\t[[ $state == first ]] || return\n"
	    "\t\tlocal -a subs\n"
	    "\t\tsubs=(\n");
	for (i = 0; i < nitems_of(gen_subs); i++) {
		printf("\t\t    '%s:", gen_subs[i].name);
		gen_zsh_quoted(gen_subs[i].help, true);
		printf("'\n");
	}
	printf("\t\t)\n"
	    "\t\t_describe -t subcommands subcommand subs\n"
	    "\t\t_command_names -e ;;\n"
	    "\tesac\n"
	    "}\n\n"
	    "_pooltop \"$@\"\n");
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "bash") == 0)
		gen_bash(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "zsh") == 0)
		gen_zsh(argc - 2, argv + 2);
	else {
		fprintf(stderr, "usage: gen-completion bash|zsh "
		    "[THEME-FILE ...]\n");
		return 2;
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

#!/bin/sh
# Shell completion, as make writes it from the option table: every option
# --help lists, every subcommand and control command is in both scripts;
# the bash script, driven in a real bash through COMP_WORDS and
# COMP_CWORD, offers the expected words (options, choices, themes,
# subcommands, live pools by ID and name after ctl and attach); zsh loads
# its script with compinit and, typed into it in tmux, completes a few
# lines (option, value, ctl command, pool name) without an error.
. "$POOLTOP_SRCDIR/tests/lib.sh"

COMP=$(dirname "$POOLTOP_BIN")/../completion
BASHC=$COMP/pooltop
ZSHC=$COMP/_pooltop
[ -f "$BASHC" ] && [ -f "$ZSHC" ] ||
    skip "the completion scripts are not built ($COMP)"
command -v bash >/dev/null 2>&1 || skip "bash is not installed"

# Options --help lists: long names, aliases and letters.
"$POOLTOP_BIN" --help >"$T/help"
awk '/^  -[A-Za-z0-9], --|^      --/ {
	s = $0; sub(/^ +/, "", s); sub(/  .*/, "", s)	# the names column
	if (s ~ /^-[A-Za-z0-9],/) { print substr(s, 1, 2); s = substr(s, 5) }
	n = split(s, w, /[ ,=[]+/)
	for (i = 1; i <= n && w[i] ~ /^--/; i++) print w[i]
}' "$T/help" | sort -u >"$T/opts"
check "--help lists options ($(wc -l <"$T/opts"))" \
    [ "$(wc -l <"$T/opts")" -ge 40 ]
while read -r o; do
	check "bash completion has $o" grep -q -- "[' ]$o[ '|)]" "$BASHC"
	case $o in
	--*)	check "zsh completion has $o" grep -Eq -- "[{,']$o[=,}[]" "$ZSHC" ;;
	*)	check "zsh completion has $o" grep -Eq -- "[{(]$o[+ ,]" "$ZSHC" ;;
	esac
done <"$T/opts"

# Subcommands, from main.c's table; control commands, from ctl help.
awk 'index($0, "subs[] = {") { on = 1 } on && /\{ "/ {
	s = $0; sub(/^[^"]*"/, "", s); sub(/".*/, "", s); print s }
	on && /};/ { exit }' "$POOLTOP_SRCDIR/src/main.c" >"$T/subs"
"$POOLTOP_BIN" ctl help | awk '/^[a-z-]+ / { print $1 }' >"$T/cmds"
check "main.c lists subcommands" [ "$(wc -l <"$T/subs")" -ge 4 ]
check "ctl help lists commands" [ "$(wc -l <"$T/cmds")" -ge 8 ]
for s in $(cat "$T/subs"); do
	check "bash completion offers subcommand $s" \
	    grep -Eq "^	$s\)|[' ]$s[ ']" "$BASHC"
	check "zsh completion offers subcommand $s" grep -q "'$s:" "$ZSHC"
done
for c in $(cat "$T/cmds"); do
	check "both completions offer ctl $c" sh -c \
	    'grep -q "cmds=.*[ '\''(]$1[ '\'')]" "$2" && grep -q "cmds=.*[ (]$1[ )]" "$3"' \
	    sh "$c" "$BASHC" "$ZSHC"
done

# A live pool to offer, by ID and by name; `pooltop` found on PATH.
mkdir "$T/bin" "$T/cwd"
ln -s "$POOLTOP_BIN" "$T/bin/pooltop"
: >"$T/cwd/run.conf"
N="cmp$$"
bg "$POOLTOP_BIN" --headless -q --name "$N" 'sleep 30; : {}' ::: 1
pid=$!
check "the pool is listed" wait_for 10 sh -c \
    "'$POOLTOP_BIN' ls | grep -q ' $N '"

# comp WORD...: the words bash's completion offers for the command line
# WORD... (the last word is the one completed), one a line, sorted.
comp() {
	(cd "$T/cwd" && PATH="$T/bin:$PATH" bash -c '
	. "$1"; shift
	COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
	COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
	_pooltop
	printf "%s\n" "${COMPREPLY[@]}"' bash "$BASHC" "$@") | sort -u
}
has() { comp "$@" >"$T/got"; grep -qx -- "$W" "$T/got"; }
hasnt() { comp "$@" >"$T/got"; ! grep -qx -- "$W" "$T/got"; }

check "bash: complete -p names the function" sh -c \
    "bash -c '. \"$BASHC\"; complete -p pooltop' | grep -q -- '-F _pooltop pooltop\$'"
W=--workers check "bash: --worke gives --workers" has pooltop --worke
check "bash: --worke gives only --workers and its bounds" \
    [ "$(sort "$T/got" | tr '\n' ' ')" = "--workers --workers-max --workers-min " ]
W=json check "bash: --log-format gives json" has pooltop --log-format ''
check "bash: --log-format gives text and json only" \
    [ "$(tr '\n' ' ' <"$T/got")" = "json text " ]
W=light check "bash: --theme l gives light" has pooltop --theme l
W=contrast check "bash: --theme=c gives contrast" has pooltop --theme = c
W=run.conf check "bash: -c gives files" has pooltop -c r
W=attach check "bash: first word: subcommands" has pooltop ''
W=ctl check "bash: first word c: ctl" has pooltop c
W=--json check "bash: ls -: --json" has pooltop ls -
W=$pid check "bash: ctl: the pool's ID" has pooltop ctl ''
W=$N check "bash: ctl: the pool's name" has pooltop ctl ''
W=toggle check "bash: ctl: commands, the ID being optional" has pooltop ctl ''
W=pause check "bash: ctl NAME: commands" has pooltop ctl "$N" ''
W=$pid check "bash: ctl NAME: no pool again" hasnt pooltop ctl "$N" ''
W=$N check "bash: attach: the pool's name" has pooltop attach ''
W=mono check "bash: attach -t: themes" has pooltop attach -t ''
W=--workers check "bash: options after an option's argument" \
    has pooltop -j 2 --theme = mono -a f --worke
W=--workers check "bash: no option after the template" \
    hasnt pooltop -j2 gzip --worke
W=--workers check "bash: none after a template after options" \
    hasnt pooltop --theme = mono -j 2 gzip --worke

# zsh_keys: an interactive zsh in tmux, Tab pressed after a few lines.
zsh_keys() {
	unset TMUX
	zt() { tmux -L "cz$$" "$@"; }
	zt -f /dev/null new-session -d -x 150 -y 30 \
	    "cd $T/cwd && PATH=$T/bin:$PATH HOME=$T zsh -f -i" || return
	zt send-keys "PS1='%% '; fpath=($T/zfunc \$fpath); autoload -U" \
	    " compinit; compinit -u -d $T/zcompdump2" Enter
	# zline KEYS WANT: type KEYS and Tab, Tab again until the screen
	# shows WANT (an extended regex), at most 10 s; the screen in
	# $T/zscreen.  Polled, not slept: a loaded machine completes late.
	zline() {
		zt send-keys C-u "$1" Tab
		_zi=0
		while [ "$_zi" -lt 100 ]; do
			zt capture-pane -p >"$T/zscreen"
			grep -Eq -- "$2" "$T/zscreen" && return 0
			# Once in a while, the second Tab that lists.
			[ $((_zi % 10)) -eq 5 ] && zt send-keys Tab
			sleep 0.1
			_zi=$((_zi + 1))
		done
		return 1
	}
	zline "pooltop --log-f" "^json +text"
	check "zsh keys: --log-f completes to --log-format=" \
	    grep -q "^% pooltop --log-format=" "$T/zscreen"
	check "zsh keys: then its values" grep -Eq "^json +text" "$T/zscreen"
	zt send-keys C-c
	zline "pooltop ctl $N " "toggle"
	check "zsh keys: ctl NAME offers toggle" grep -q "toggle" "$T/zscreen"
	zt send-keys C-c
	zline "pooltop attach $N" "^% pooltop attach $N "
	check "zsh keys: attach completes the pool's name" \
	    grep -q "^% pooltop attach $N " "$T/zscreen"
	check "zsh keys: no completion error" sh -c \
	    "! grep -Eq 'bad option|command not found|parse error' '$T/zscreen'"
	zt kill-server
}

# zsh loads the script through compinit, as for any site function.
if command -v zsh >/dev/null 2>&1; then
	check "zsh: the script parses" zsh -n "$ZSHC"
	mkdir "$T/zfunc"
	cp "$ZSHC" "$T/zfunc/"
	HOME=$T zsh -fc "fpath=($T/zfunc \$fpath); autoload -U compinit;
	    compinit -u -d $T/zcompdump; print -r -- \$_comps[pooltop];
	    autoload -Uz +X _pooltop" >"$T/zout" 2>"$T/zerr"
	check "zsh: compinit and autoload exit 0" [ $? -eq 0 ]
	check "zsh: compinit registers _pooltop for pooltop" \
	    [ "$(cat "$T/zout")" = _pooltop ]
	check "zsh: nothing on stderr" [ ! -s "$T/zerr" ]
	sed 's/^/# /' "$T/zerr"
	if command -v tmux >/dev/null 2>&1; then
		zsh_keys
	else
		echo "# tmux is not installed: zsh is not driven by keys"
	fi
else
	echo "# zsh is not installed: its checks skipped"
fi

"$POOLTOP_BIN" ctl "$pid" stop >/dev/null 2>&1
reap "$pid" 20
finish

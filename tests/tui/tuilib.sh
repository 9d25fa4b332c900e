# Helpers for the dashboard tests: a private tmux server per test, a shell
# in a 120x40 window, and ways to read the screen and the pool's state.
# Sourced by tests/tui/*.sh after tests/lib.sh.

command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"
[ -x "$POOLTOP_BIN" ] || skip "$POOLTOP_BIN is not built"

TMUX_SOCK="pt$$"
unset TMUX
tm() { tmux -L "$TMUX_SOCK" "$@"; }

# The dashboard tests wait for a state at most this many seconds.
LIMIT=30

# wait_until SECONDS CMD...: poll CMD until it succeeds, bounded by wall
# time (lib.sh's wait_for counts tries, and a tmux capture is not cheap).
wait_until() {
	_end=$(( $(date +%s) + $1 )); shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

# tui_start: a tmux server with one 120x40 window running sh.
tui_start() {
	tm -f /dev/null new-session -d -x 120 -y 40 sh || skip "tmux cannot start"
	tm set-option -g status off
}

# tui_end: kill the tmux server (and whatever still runs in it).
tui_end() { tm kill-server 2>/dev/null || true; }
_tui_cleanup() { tui_end; cleanup_test; }
trap _tui_cleanup EXIT

# run_in_tui CMD: type a command line into the window's shell.  Its exit
# status goes to $T/exit.
run_in_tui() {
	rm -f "$T/exit"
	tm send-keys -l "$1; echo \$? >$T/exit.tmp; mv $T/exit.tmp $T/exit"
	tm send-keys Enter
}

# key KEY...: send keys (tmux key names) to the window.
key() { tm send-keys "$@"; }

# screen: the window's text now.
screen() { tm capture-pane -p; }

# on_screen PATTERN: the screen has a line matching the extended regex.
on_screen() { screen | grep -Eq -- "$1"; }
gone_from_screen() { ! on_screen "$1"; }

# exited: the command typed with run_in_tui has ended.
exited() { [ -f "$T/exit" ]; }
exit_status() { cat "$T/exit"; }

# status_json NAME: `pooltop ctl NAME status --json`.
status_json() { "$POOLTOP_BIN" ctl "$1" status --json 2>/dev/null; }

# json_field NAME FIELD: a numeric top-level field of the status.
json_field() {
	status_json "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" | head -n 1
}

# slot_field NAME SLOT FIELD: a numeric field of one slot (1-based).
slot_field() {
	status_json "$1" | tr '{' '\n' | grep "^\"slot\":$2," |
	    sed -n "s/.*\"$3\":\([0-9]*\).*/\1/p"
}

# field_is NAME FIELD VALUE: polling helper.
field_is() { [ "$(json_field "$1" "$2")" = "$3" ]; }

# group_states PGID: the state letters of the processes in a group.
group_states() {
	ps -eo pgid=,stat= | awk -v g="$1" '$1 == g { print substr($2, 1, 1) }'
}
# group_all_stopped PGID / group_none_stopped PGID (see group_stopped in
# lib.sh for what counts as stopped).
group_all_stopped() { group_stopped "$1"; }
group_none_stopped() {
	_s=$(group_states "$1")
	[ -n "$_s" ] && ! printf '%s\n' "$_s" | grep -q T
}

# segment_exists PID: is the segment of pool PID still there?
segment_exists() { [ -n "$(segments "$1")" ]; }

# terminal_sane: after the program ended, the shell's terminal is back in
# cooked mode with echo (stty run in the window).
terminal_sane() {
	rm -f "$T/stty"
	tm send-keys -l "stty -a >$T/stty.tmp; mv $T/stty.tmp $T/stty"
	tm send-keys Enter
	wait_until 10 test -f "$T/stty" || return 1
	grep -Eq '(^| )icanon( |;|$)' "$T/stty" &&
	    grep -Eq '(^| )echo( |;|$)' "$T/stty"
}

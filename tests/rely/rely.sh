# Helpers for the reliability tests (tests/rely/*.sh), sourced after
# tests/lib.sh.  Every test proves one guarantee of RELIABILITY.md and ends
# by printing its figures with `figures`, which tests/rely/figures.sh adds up.

# A sleep length no other test uses: `sleep $MARK` finds this test's tasks.
MARK=$((200000 + $$ % 100000))
export MARK

# Debian's own python3 first: a version manager's shim costs a second a call.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# run_pool ARGS...: pooltop in the background with SIGINT and SIGQUIT at
# their defaults (a non-interactive shell ignores them in background jobs,
# and an ignored signal never reaches a signalfd).  Its pid in $pid.
run_pool() {
	env --default-signal=INT,QUIT "$POOLTOP_BIN" "$@" &
	pid=$!
	_bgpids="${_bgpids:-} $pid"
}

# marked: pids of this test's `sleep $MARK` processes.
marked() { pgrep -f "^sleep $MARK\$" || true; }
nmarked() { marked | wc -l; }
no_marked() { [ -z "$(marked)" ]; }
nmarked_is() { [ "$(nmarked)" -eq "$1" ]; }

# children PID: direct children of PID.
children() { pgrep -P "$1" || true; }

# alive PID...: is any of them alive (and not a zombie)?
alive() {
	for _p in "$@"; do
		if [ -r "/proc/$_p/stat" ] &&
		    [ "$(awk '{print $3}' "/proc/$_p/stat" 2>/dev/null)" != Z ]; then
			return 0
		fi
	done
	return 1
}
none_alive() { ! alive "$@"; }

# states PID...: the distinct state letters of those processes.
states() {
	for _p in "$@"; do
		awk '{print $3}' "/proc/$_p/stat" 2>/dev/null
	done | sort -u | tr -d '\n'
}
# marked_states: the state letters of this test's marked processes.
# shellcheck disable=SC2046
marked_states() { states $(marked); }

# status_py PID EXPR: a python expression over `pooltop ctl PID status
# --json` (d, and s: the slots by 1-based number).
status_py() {
	"$POOLTOP_BIN" ctl "$1" status --json 2>/dev/null | "$PY" -c "
import json, sys
d = json.load(sys.stdin)
s = {x['slot']: x for x in d['slots']}
print($2)" 2>/dev/null
}
is_py() { [ "$(status_py "$1" "$2")" = "$3" ]; }
answers() { "$POOLTOP_BIN" ctl "$1" status >/dev/null 2>&1; }

# ms_since NS: milliseconds since a `date +%s%N` reading.
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }

# all_gone PIDS...: none of PIDS lives, nor any marked process.
all_gone() { none_alive "$@" && no_marked; }

# gone_within SECONDS PIDS...: wait until all_gone; prints the milliseconds
# it took.  1 on timeout.
gone_within() {
	_lim=$1; shift
	_t0=$(now_ns)
	wait_for "$_lim" all_gone "$@" || return 1
	ms_since "$_t0"
}

# figures KEY=N ...: this test's figures (tasks, faults, hostile, lost).
figures() { echo "# rely-figures: $*"; }

# run_session ARGS...: pooltop in the background in a session (and process
# group) of its own, as a job under job control or a daemon has; SIGINT and
# SIGQUIT at their defaults.  Its pid, which is also the session's and the
# group's id, in $pid.
run_session() {
	env --default-signal=INT,QUIT setsid "$POOLTOP_BIN" "$@" &
	pid=$!
	_bgpids="${_bgpids:-} $pid"
}

# in_session SID: the live (not zombie) processes of session SID.
in_session() {
	ps -e -o pid=,sid=,stat= | awk -v s="$1" '$2 == s && $3 !~ /^Z/ { print $1 }'
}
session_empty() { [ -z "$(in_session "$1")" ]; }

# state_gone PID: neither the segment nor the socket of pool PID is left.
state_gone() {
	no_segment "$1" && [ ! -e "$XDG_RUNTIME_DIR/pooltop/$1.sock" ]
}

# pool_gone PID: nothing of pool PID run by run_session is left: no process
# of its session, no marked task, no segment, no socket.
pool_gone() { session_empty "$1" && no_marked && state_gone "$1"; }

# need_gnu_parallel: skip unless GNU parallel is here; give it a private
# home (citation notice accepted) and /bin/sh as its shell.
need_gnu_parallel() {
	command -v parallel >/dev/null 2>&1 || skip "GNU parallel is not installed"
	parallel --version 2>/dev/null | grep -q "GNU parallel" ||
	    skip "parallel is not GNU parallel"
	export SHELL=/bin/sh PARALLEL_HOME="$T/parallel-home"
	mkdir -p "$PARALLEL_HOME"
	touch "$PARALLEL_HOME/will-cite"
}

#!/bin/sh
# One way to report: each failure of a headless pool is said once, and with
# --log-format json every line pooltop writes on stderr is one JSON object
# (the summary too).  The failures: an --init that fails, a command that
# cannot be run, a worker that dies, a control socket that cannot be made,
# a joblog and task output that cannot be written, a log that cannot be
# written, a timeout.  The same cases in text say each failure once too,
# as an event line, or as "pooltop: ..." where the log is elsewhere (-q);
# with the dashboard, the error that stopped the pool once it has closed.
. "$POOLTOP_SRCDIR/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse JSON"

# all_json FILE: every line of FILE is one JSON object (and there is one).
all_json() {
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    if not isinstance(json.loads(line), dict):
        sys.exit(1)
    n += 1
sys.exit(0 if n > 0 else 1)' "$1"
}

# once TEXT FILE: TEXT is on exactly one line of FILE.
once() { [ "$(grep -cF -- "$1" "$2")" -eq 1 ]; }

# times FILE TEXT: how many lines of FILE hold TEXT.
times() { grep -cF -- "$2" "$1"; }

# run_case NAME FORMAT ARGS...: run a headless pool, stderr to $T/NAME.FORMAT
# (its runtime directory $RUNDIR when set).
run_case() {
	_n=$1.$2; _f=$2; shift 2
	XDG_RUNTIME_DIR=${RUNDIR:-$XDG_RUNTIME_DIR} "$POOLTOP_BIN" --headless \
	    --log-format "$_f" "$@" >"$T/$_n.out" 2>"$T/$_n.$_f"
	echo $? >"$T/$_n.rc"
}

rc() { cat "$T/$1.rc"; }

for fmt in json text; do
	# --init that fails in the only worker: rounds of it, then a stop.
	run_case init $fmt -j1 --init 'echo no database >&2; exit 2' \
	    --persistent cat ::: a b
	f=$T/init.$fmt.$fmt
	check "$fmt: --init failing: exit 255" [ "$(rc init.$fmt)" -eq 255 ]
	n=$(times "$f" "worker 1: --init failed (exit 2): no database")
	if [ "$n" -ge 2 ] && [ "$n" -eq "$(grep -c 'worker.exit.*status.*3' "$f")" ]; then
		ok "$fmt: --init failing: each failure said once, with the reason"
	else
		fail "$fmt: --init failing: each failure said once, with the reason"
	fi
	check "$fmt: --init failing: the stop said once" \
	    once "--init failed 5 times in a row in every worker: stopping" "$f"

	# A command that cannot be run.
	run_case noexec $fmt -j1 "$T/no/such/command" ::: a
	f=$T/noexec.$fmt.$fmt
	check "$fmt: no such command: exit 1" [ "$(rc noexec.$fmt)" -eq 1 ]
	check "$fmt: no such command: said once" \
	    once "cannot run: No such file or directory" "$f"

	# A worker that dies during its task (the task kills it).
	# shellcheck disable=SC2016
	run_case died $fmt -j1 'kill -9 $PPID; sleep 1; : {}' ::: a
	f=$T/died.$fmt.$fmt
	check "$fmt: worker killed: the task failed (exit 1)" \
	    [ "$(rc died.$fmt)" -eq 1 ]
	check "$fmt: worker killed: said once" once "died during task 1" "$f"

	# A control socket that cannot be made: its directory is a file.
	[ -d "$T/bad" ] || mkdir -m 700 "$T/bad"
	: >"$T/bad/pooltop"
	RUNDIR=$T/bad
	run_case sock $fmt -j1 'true {}' ::: a
	f=$T/sock.$fmt.$fmt
	check "$fmt: no control socket: the run completes" \
	    [ "$(rc sock.$fmt)" -eq 0 ]
	check "$fmt: no control socket: said once" \
	    once "control socket: unsafe control directory" "$f"
	run_case sockq $fmt -q --log "$T/sockq.log" -j1 'true {}' ::: a
	check "$fmt -q: no control socket: said once on stderr" \
	    once "control socket: unsafe control directory" "$T/sockq.$fmt.$fmt"
	check "$fmt -q: ... and once in the log" \
	    once "control socket: unsafe control directory" "$T/sockq.log"
	RUNDIR=
	rm -f "$T/sockq.log"

	# A joblog that cannot be written: the pool does not start.
	run_case joblog $fmt -j1 --joblog /dev/full 'true {}' ::: a
	f=$T/joblog.$fmt.$fmt
	check "$fmt: joblog on /dev/full: exit 255" [ "$(rc joblog.$fmt)" -eq 255 ]
	check "$fmt: joblog on /dev/full: said once" \
	    once "joblog /dev/full: No space left on device" "$f"

	# Task output that cannot be written, and a log that cannot be.
	"$POOLTOP_BIN" --headless --log-format $fmt -j1 'echo {}' ::: a \
	    >/dev/full 2>"$T/full.$fmt"
	check "$fmt: output on /dev/full: exit 255" [ $? -eq 255 ]
	check "$fmt: output on /dev/full: said once" \
	    once "output: " "$T/full.$fmt"
	run_case log $fmt -j1 --log /dev/full 'true {}' ::: a
	f=$T/log.$fmt.$fmt
	check "$fmt: log on /dev/full: exit 255" [ "$(rc log.$fmt)" -eq 255 ]
	check "$fmt: log on /dev/full: said once on stderr" \
	    once "writing the log /dev/full: No space left on device" "$f"

	# A timeout.
	run_case timeout $fmt -j1 --timeout 0.2 'sleep 5; : {}' ::: a
	f=$T/timeout.$fmt.$fmt
	check "$fmt: timeout: exit 1" [ "$(rc timeout.$fmt)" -eq 1 ]
	check "$fmt: timeout: said once" once "timed out after 0.2s" "$f"
done

# With the dashboard (on a pseudo-terminal from script(1)), the error that
# stopped the pool is said once, after the dashboard has closed.
if command -v script >/dev/null 2>&1; then
	for fmt in json text; do
		TERM=xterm script -qec "'$POOLTOP_BIN' --dashboard --log-format $fmt \
		    -j1 'echo {}' ::: a >/dev/full 2>'$T/dash.$fmt'" /dev/null \
		    >/dev/null 2>&1
		check "$fmt: dashboard, output on /dev/full: exit 255" [ $? -eq 255 ]
		check "$fmt: dashboard: the error said once after it closed" \
		    once "output: writing task output: No space left" "$T/dash.$fmt"
	done
fi

# JSON: nothing but JSON objects on stderr, the summary included.
for f in "$T"/*.json; do
	check "json: only JSON lines on stderr: ${f##*/}" all_json "$f"
done
check "json: the summary is a JSON line" \
    grep -q '"event":"summary","done":0,"failed":1' "$T/noexec.json.json"
# Text: a failure said where the log is elsewhere keeps its old form.
check "text -q: said as 'pooltop: ...'" \
    grep -q '^pooltop: control socket: unsafe' "$T/sockq.text.text"
check "text: the summary as before" \
    grep -q '^pooltop: 1 task: 0 done, 1 failed' "$T/noexec.text.text"
finish

#!/bin/sh
# Admission (--delay, --load, --max-pressure, and the options' syntax): what
# holds and why, from the event log, task start times and ctl status.
# Memory (--memfree, --memsuspend) is in tests/rely/admit-memory.sh, inside
# a memory cgroup of its own.
. "$POOLTOP_SRCDIR/tests/lib.sh"

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# --- Bad arguments: exit 255, the option and the value named ---------------
bad() {	# bad DESC WANT ARGS...: exit 255 and WANT on stderr
	bad_d=$1 bad_w=$2
	shift 2
	"$POOLTOP_BIN" --headless "$@" true ::: 1 >/dev/null 2>"$T/bad"
	bad_rc=$?
	check "$bad_d: exit 255 (got $bad_rc)" [ "$bad_rc" -eq 255 ]
	check "$bad_d: says '$bad_w'" grep -qF -- "$bad_w" "$T/bad"
}
bad "--memfree 10X" "option --memfree: must be a size" --memfree 10X
bad "--memfree auto with --persistent" "--memfree auto cannot be used with --persistent" \
    --memfree auto --persistent cat
bad "--memfree auto with -S" "--memfree auto cannot be used with --sshlogin" \
    --memfree auto -S nosuchhost
bad "--memsuspend 0" "option --memsuspend: must be at least 1 byte" \
    --memsuspend 0
bad "--delay auto alone" "option --delay: 'auto' adapts a duration" \
    --delay auto
bad "--delay 1x" "option --delay: must be a duration" --delay 1x
bad "--load x" "option --load: must be a load" --load x
bad "--max-pressure disk=1" "option --max-pressure: unknown resource 'disk'" \
    --max-pressure disk=1
bad "--max-pressure cpu=0" "option --max-pressure: cpu: the pressure must be" \
    --max-pressure cpu=0

# Config keys: FILE:LINE on error; numbers and strings both taken.
printf 'workers = 1;\nmemfree = "lots";\n' >"$T/bad.conf"
"$POOLTOP_BIN" -c "$T/bad.conf" --check-config >/dev/null 2>"$T/bad"
check "config memfree: exit 255" [ $? -eq 255 ]
check "config memfree: FILE:LINE" grep -qF "$T/bad.conf:2: " "$T/bad"
printf 'load = 2.5;\ndelay = 1;\nmemfree = "1G";\nmemsuspend = "100M";\nnoswap = true;\n' \
    >"$T/good.conf"
"$POOLTOP_BIN" -c "$T/good.conf" --check-config >/dev/null 2>&1
check "config: load 2.5, delay 1, sizes, noswap accepted" [ $? -eq 0 ]

# Seconds since midnight of each task.start line of a text log, in order.
starts() {
	awk '$2 == "task.start" {
		split(substr($1, 12, 12), t, ":");
		printf "%.3f\n", t[1] * 3600 + t[2] * 60 + t[3] }' "$1"
}

# --- --delay: starts at least the delay apart, even with free workers ------
"$POOLTOP_BIN" --headless -j4 --log "$T/delay.log" --delay 0.4 \
    true ::: 1 2 3 4 >/dev/null 2>&1
check "--delay: every task ran" [ "$(grep -c task.done "$T/delay.log")" -eq 4 ]
starts "$T/delay.log" >"$T/delay.t"
check "--delay 0.4: starts 0.4s apart ($(tr '\n' ' ' <"$T/delay.t"))" \
    awk 'NR > 1 && $1 - p < 0.39 { bad = 1 } { p = $1 }
	END { exit bad || NR != 4 }' "$T/delay.t"

# --- --load: held while the load is over the bound -------------------------
# A CPU burner makes sure the 1-minute load is over 0.01 (--load 0).
burn() { sh -c 'while :; do :; done' & BURN="$BURN $!"; _bgpids="${_bgpids:-} $!"; }
BURN=
load_over() { awk -v m="$1" '{ exit !($1 > m) }' /proc/loadavg; }
burn
check "the load rises over 0.05" wait_for 30 load_over 0.05

bg "$POOLTOP_BIN" --headless -j2 --log "$T/load.log" --load 0 \
    touch "$T/ran.{}" ::: 1 2 3 >/dev/null 2>"$T/load.err"
P=$!
check "--load 0: holding said" \
    wait_for 10 grep -q "info admission holding: load [0-9.]* >= 0.01" "$T/load.log"
wait_for 10 "$POOLTOP_BIN" ctl "$P" status >"$T/st" 2>/dev/null
check "ctl status: admission holding, with the load" \
    grep -q "^admission: holding: load [0-9.]* >= 0.01 (held [0-9.]*s; load [0-9.]*)" "$T/st"
"$POOLTOP_BIN" ctl "$P" status --json >"$T/st.json" 2>/dev/null
check "ctl status --json: admission state, reason, load" "$PY" -c "
import json, sys
a = json.load(open('$T/st.json'))['admission']
assert a['state'] == 'holding', a
assert a['reason'].startswith('holding: load '), a
assert a['load'] > 0.01 and a['held'] >= 0 and a['suspended'] == 0, a
"
check "--load: no task started while holding" \
    [ "$(grep -c task.start "$T/load.log")" -eq 0 ]
check "--load: no task ran" [ -z "$(ls "$T" | grep '^ran\.')" ]
"$POOLTOP_BIN" ctl "$P" stop >/dev/null 2>&1
reap "$P" 20
check "--load: the summary says how long admission held" \
    grep -q "^pooltop: admission held [0-9.]*s" "$T/load.err"

# Without an admission option, status says nothing of it; JSON has null.
bg "$POOLTOP_BIN" --headless -j1 --log "$T/none.log" sleep 30{} ::: 1 >/dev/null 2>&1
P=$!
wait_for 10 "$POOLTOP_BIN" ctl "$P" status --json >"$T/none.json" 2>/dev/null
check "no option: admission null in JSON" "$PY" -c "
import json; assert json.load(open('$T/none.json'))['admission'] is None"
"$POOLTOP_BIN" ctl "$P" status >"$T/none.st" 2>/dev/null
no_admit_line() { [ -s "$1" ] && ! grep -q '^admission' "$1"; }
check "no option: no admission line" no_admit_line "$T/none.st"
"$POOLTOP_BIN" ctl "$P" stop >/dev/null 2>&1
reap "$P" 20

# --- --max-pressure ---------------------------------------------------------
if [ ! -r /proc/pressure/cpu ]; then
	# No PSI: refused at start, saying why.
	"$POOLTOP_BIN" --headless --max-pressure cpu=50 true ::: 1 >/dev/null \
	    2>"$T/psi.err"
	check "no PSI: --max-pressure refused, exit 255" [ $? -eq 255 ]
	check "no PSI: says the kernel has none" \
	    grep -q "this kernel gives no pressure stall information" "$T/psi.err"
	echo "# /proc/pressure/cpu missing: the refusal was checked, not the hold"
else
	# A bound of 100% is never passed: tasks run.
	"$POOLTOP_BIN" --headless -q --max-pressure cpu=100,memory=100,io=100 \
	    true ::: 1 2 >/dev/null 2>&1
	check "--max-pressure 100: tasks run" [ $? -eq 0 ]
	# Two more burners: more runnable processes than CPUs, so CPU
	# pressure rises over 1%.
	burn
	burn
	psi_over() {
		awk -v m="$1" '/^some/ { sub("avg10=", "", $2); exit !($2 > m) }' \
		    /proc/pressure/cpu
	}
	check "cpu pressure rises over 2%" wait_for 30 psi_over 2
	bg "$POOLTOP_BIN" --headless -j2 --log "$T/psi.log" \
	    --max-pressure cpu=1 touch "$T/psi.{}" ::: 1 2 >/dev/null 2>&1
	P=$!
	check "--max-pressure cpu=1: holding said" \
	    wait_for 10 grep -q "admission holding: cpu pressure [0-9.]*% > 1%" \
	    "$T/psi.log"
	wait_for 10 "$POOLTOP_BIN" ctl "$P" status --json >"$T/psi.json" 2>/dev/null
	check "--max-pressure: JSON has cpu_pressure, not the others" "$PY" -c "
import json
a = json.load(open('$T/psi.json'))['admission']
assert a['state'] == 'holding' and a['cpu_pressure'] > 0, a
assert 'io_pressure' not in a and 'load' not in a, a
"
	check "--max-pressure: no task started" \
	    [ "$(grep -c task.start "$T/psi.log")" -eq 0 ]
	"$POOLTOP_BIN" ctl "$P" stop >/dev/null 2>&1
	reap "$P" 20
fi
# shellcheck disable=SC2086
kill $BURN 2>/dev/null
finish

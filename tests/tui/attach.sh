#!/bin/sh
# `pooltop attach` to a headless pool: P pauses the pool (its tasks stop),
# P resumes it, P P leaves it running, q detaches and leaves it running; a second attach stays
# until the pool finishes all its work, then says so and exits.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="att$$"
cat >"$T/task.sh" <<'EOF'
sleep 2
echo "done-$1"
EOF

check "attach to no pool: exit 255" sh -c \
    "'$POOLTOP_BIN' attach 2147483000 >/dev/null 2>&1; [ \$? = 255 ]"

bg "$POOLTOP_BIN" --headless --name "$N" -j2 sh "$T/task.sh" ::: a b c d e f \
    >"$T/out" 2>"$T/log"
pool=$!
if ! wait_until $LIMIT field_is "$N" running 2; then
	fail "headless pool did not start"
	finish
fi

tui_start
run_in_tui "$POOLTOP_BIN attach $N"
check "attach: dashboard shows the pool" \
    wait_until $LIMIT on_screen "workers 2/2 .*$N"
check "attach: key bar offers detach" on_screen "^q Detach"

# tasks_stopped: every task of the paused pool is stopped, and there is one.
tasks_stopped() {
	_n=0
	for _slot in 1 2; do
		_t=$(slot_field "$N" $_slot task_pid)
		[ -n "$_t" ] && [ "$_t" != 0 ] || continue
		group_all_stopped "$_t" || return 1
		_n=$((_n + 1))
	done
	[ $_n -gt 0 ]
}

key P
check "P: the pool is paused" \
    wait_until $LIMIT sh -c "'$POOLTOP_BIN' ctl $N status --json | grep -q '\"paused\":true'"
check "P: the header says PAUSED" wait_until $LIMIT on_screen "^ PAUSED "
check "P: running tasks are stopped" wait_until $LIMIT tasks_stopped
key P
check "P again: the pool runs" \
    wait_until $LIMIT sh -c "'$POOLTOP_BIN' ctl $N status --json | grep -q '\"paused\":false'"
# Two presses sent back to back reach the pool as two toggles: it runs.
# (s first, so that the status line no longer says the pool resumed.)
key s
wait_until $LIMIT on_screen "^sort: " >/dev/null
key P P
check "P P: the second press resumes" \
    wait_until $LIMIT on_screen "^toggle: pool resumed"
check "P P: the pool runs" \
    sh -c "'$POOLTOP_BIN' ctl $N status --json | grep -q '\"paused\":false'"

key q
check "q: attach exits" wait_until $LIMIT exited
check "q: exit status 0" [ "$(exit_status)" = 0 ]
check "q: says it detached" wait_until $LIMIT on_screen "detached from pool"
check "q: the pool keeps running" kill -0 "$pool"
check "q: the terminal is usable again" terminal_sane

# Attach again and stay: the pool finishes and attach says so.
run_in_tui "$POOLTOP_BIN attach $N"
check "attach again" wait_until $LIMIT on_screen "workers 2/2 .*$N"
check "pool end: attach exits" wait_until $LIMIT exited
check "pool end: exit status 0" [ "$(exit_status)" = 0 ]
check "pool end: says the pool finished" \
    wait_until $LIMIT on_screen "has finished: 6 done, 0 failed"
wait "$pool"
check "the pool exits 0" [ $? = 0 ]
check "the pool did all its work" [ "$(grep -c '^done-' "$T/out")" = 6 ]
check "no segment left" [ -z "$(segments | grep "\.$pool\$")" ]

finish

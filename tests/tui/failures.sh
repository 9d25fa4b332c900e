#!/bin/sh
# The failures view: "f" opens it over the dashboard with the tasks that
# failed for good grouped by exit status and last stderr line, the most
# frequent first; Down selects the next group and r queues that group's
# tasks again (and only them): the joblog gets their new attempts.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="fails$$"
cat >"$T/t.sh" <<'E'
[ -e "$1.fixed" ] && exit 0
case $2 in
a*) echo "starting $2" >&2; echo "bad input" >&2; exit 2 ;;
b*) echo "cannot reach host" >&2; exit 3 ;;
esac
E
tui_start
run_in_tui "$POOLTOP_BIN --refresh 100 --name $N --keep-open -j2 --joblog $T/jl sh $T/t.sh $T/flag ::: a1 a2 a3 b1 b2 ok"
if ! wait_until $LIMIT on_screen "t\.sh"; then
	screen
	fail "dashboard did not show the run"
	finish
fi
ok "dashboard started"
five_failed() { [ "$(json_field $N failed)" = 5 ]; }
check "five tasks fail" wait_until $LIMIT five_failed
check "the key bar offers the view" on_screen " f Failed "
key f
check "f: the view opens" wait_until $LIMIT on_screen "failure groups, most frequent first"
check "view: the larger group first" on_screen "1  3x exit 2: bad input"
check "view: its sample" on_screen "e\.g\. task 1, item a1: sh .*t\.sh .*flag a1"
check "view: the second group" on_screen "2  2x exit 3: cannot reach host"
key Down
: >"$T/flag.fixed"
key r
check "r: the group's tasks are queued again" \
    wait_until $LIMIT on_screen "retry-failed --group 2: 2 failed tasks queued again"
three_failed() { [ "$(json_field $N failed)" = 3 ] && [ "$(json_field $N done)" = 3 ]; }
check "r: they run again and succeed" wait_until $LIMIT three_failed
check "view: the retried group is gone" wait_until $LIMIT gone_from_screen "cannot reach host"
check "view: the other group stays" on_screen "1  3x exit 2: bad input"
seqs() { awk -F'\t' 'NR > 1 { print $1 ":" $7 }' "$T/jl" | sort | tr '\n' ' '; }
check "joblog: the new attempts of tasks 4 and 5 only" \
    [ "$(seqs)" = "1:2 2:2 3:2 4:0 4:3 5:0 5:3 6:0 " ]
key Escape
check "Esc: the view closes" wait_until $LIMIT gone_from_screen "failure groups"

key Q
check "Q: pooltop exits" wait_until $LIMIT exited
finish

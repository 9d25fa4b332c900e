#!/bin/sh
# The graphs: after tasks of known durations ran, the band under the worker
# table shows the runtimes histogram with each task in its bucket (200ms
# for sleep 0.21, 1s for sleep 1.05), throughput and busy workers; v shows
# them over the table's place and back; under LC_ALL=C in ASCII; and an
# attach to a pool that ran for a while shows the history from its start;
# `pooltop report` on a terminal draws its joblog (and GNU parallel's).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="graphs$$"
U=$(locale -a 2>/dev/null | grep -iE '^(C|en_US)\.utf-?8$' | head -n 1)
BLOCK=$(printf '\342\226\210')	# U+2588 full block
WORK="0.21 0.21 0.21 0.21 0.21 0.21 1.05 1.05 1.05"

# hist_line LABEL BAR COUNT: a histogram row of the band or view.
hist_line() { LC_ALL=C on_screen " $1 ($2)+[^ ]* $3( |\$)"; }
done_n() { [ "$(json_field "$1" done)" = "$2" ]; }

tui_start
if [ -n "$U" ]; then
	run_in_tui "LC_ALL=$U $POOLTOP_BIN --refresh 100 --name $N -j3 --keep-open sleep ::: $WORK"
	if ! wait_until $LIMIT on_screen "^ +1 .*sleep"; then
		screen
		fail "dashboard did not show the run"
		finish
	fi
	ok "dashboard started"
	check "the key bar offers the graphs" on_screen " v Graphs "
	check "all 9 tasks end" wait_until $LIMIT done_n $N 9
	check "the band under the table: a rule" \
	    wait_until $LIMIT on_screen "graphs: the whole run, .*, a sample every 1\.0s"
	check "histogram: the 9 tasks" wait_until $LIMIT on_screen "durations, 9 tasks"
	check "histogram: 6 in 200ms-500ms, the longest bar" \
	    hist_line 200ms "$BLOCK" 6
	check "histogram: 3 in 1s-2s" hist_line 1s "$BLOCK" 3
	check "histogram: nothing between" on_screen " 500ms +0( |\$)"
	check "throughput: a peak above 0" on_screen "tasks/s [0-9.]+, peak [1-9]"
	check "busy workers: up to 3" on_screen "busy workers [0-9.]+, peak (1|2|3)\.[0-9]"
	check "sleeping tasks: no core busy" on_screen "busy cores 0\.0, peak 0\.[0-9]"
	check "the table is still there" on_screen "^SLOT +WPID"
	key v
	check "v: the graphs take the table's place" \
	    wait_until $LIMIT gone_from_screen "^SLOT +WPID"
	check "v: the graphs are shown" on_screen "durations, 9 tasks"
	key v
	check "v again: the table is back" wait_until $LIMIT on_screen "^SLOT +WPID"
	key '?'
	check "help lists v" wait_until $LIMIT on_screen " v +graphs view"
	key x
	check "help closes" wait_until $LIMIT gone_from_screen " v +graphs view"
	"$POOLTOP_BIN" ctl $N close >/dev/null 2>&1
	check "ctl close: pooltop exits" wait_until $LIMIT exited
fi

# ASCII: the C locale.
run_in_tui "LC_ALL=C $POOLTOP_BIN --refresh 100 --name ${N}a -j3 --keep-open sleep ::: $WORK"
check "C locale: all 9 tasks end" wait_until $LIMIT done_n ${N}a 9
# The history goes out on its own tick: wait for all 9 in the histogram.
check "C locale: the 9 tasks in the histogram" \
    wait_until $LIMIT on_screen "durations, 9 tasks"
check "C locale: the histogram in ASCII" hist_line 200ms '#' 6
check "C locale: 1s-2s in ASCII" hist_line 1s '#' 3
check "C locale: the rule in ASCII" on_screen "^-- graphs: the whole run"
screen >"$T/ascii.screen"
check "C locale: the screen was read" grep -q "durations, 9 tasks" "$T/ascii.screen"
check "C locale: nothing but ASCII on the screen" \
    sh -c "! LC_ALL=C grep -q '[^ -~]' '$T/ascii.screen'"
"$POOLTOP_BIN" ctl ${N}a close >/dev/null 2>&1
check "C locale: ctl close: pooltop exits" wait_until $LIMIT exited

# Attach late: the history comes from the segment, from the pool's start.
bg "$POOLTOP_BIN" --headless --name "${N}h" -j2 --joblog "$T/h.log" sleep ::: \
    0.21 0.21 0.21 0.21 1.05 1.05 60 60 >/dev/null 2>&1
pool=$!
check "headless: 6 tasks end, 2 long ones run" \
    wait_until $LIMIT done_n "${N}h" 6
run_in_tui "LC_ALL=C $POOLTOP_BIN attach --refresh 100 ${N}h"
check "attach: the histogram of the tasks before it attached" \
    wait_until $LIMIT on_screen "durations, 6 tasks"
check "attach: 4 in 200ms-500ms" hist_line 200ms '#' 4
check "attach: 2 in 1s-2s" hist_line 1s '#' 2
check "attach: 2 workers were busy before it came" \
    on_screen "busy workers [0-9.]+, peak (1\.[5-9]|2\.0)"
key q
check "attach: q detaches" wait_until $LIMIT exited
"$POOLTOP_BIN" ctl "${N}h" stop >/dev/null 2>&1
reap "$pool" 200
check "the pool ends on stop" [ $? -ne 124 ]

# `pooltop report` on a terminal draws without being asked: bars, charts.
run_in_tui "clear; LC_ALL=C $POOLTOP_BIN report $T/h.log"
check "report on a terminal: exits" wait_until $LIMIT exited
check "report on a terminal: 4 in 200ms-500ms, a full bar" \
    on_screen "^durations  200ms-500ms +4 #{40}\$"
check "report on a terminal: 2 in 1s-2s, half of it" \
    on_screen "^ +1s-2s +2 #{20}\$"
check "report on a terminal: the throughput chart's axis" \
    on_screen "^ +0s +[0-9.]+s\$"
if command -v parallel >/dev/null 2>&1 &&
    parallel --version 2>/dev/null | grep -q "GNU parallel"; then
	mkdir -p "$T/ph" && touch "$T/ph/will-cite"
	SHELL=/bin/sh PARALLEL_HOME="$T/ph" parallel -j2 --joblog "$T/gnu.log" \
	    sleep ::: 0.21 0.21 0.21 1.05
	run_in_tui "clear; LC_ALL=C $POOLTOP_BIN report $T/gnu.log"
	check "report of GNU parallel's joblog on a terminal: exits" \
	    wait_until $LIMIT exited
	# Its runtimes include perl's start: under load a 0.21 s task may
	# take over 0.5 s, so the counts come from the joblog itself.
	ga=$(awk -F'\t' 'NR > 1 && $4 >= 0.2 && $4 < 0.5' "$T/gnu.log" | wc -l)
	gb=$(awk -F'\t' 'NR > 1 && $4 >= 1 && $4 < 2' "$T/gnu.log" | wc -l)
	shown() { [ "$1" -eq 0 ] || on_screen "$2"; }
	check "report of GNU parallel's joblog: $ga in 200ms-500ms" \
	    shown "$ga" "^(durations)? +200ms-500ms +$ga #+\$"
	check "report of GNU parallel's joblog: $gb in 1s-2s" \
	    shown "$gb" "^ +1s-2s +$gb #+\$"
fi

finish

#!/bin/sh
# Terminal escapes and invalid UTF-8 from tasks are shown escaped, never
# interpreted.  An item and a task output holding OSC (\e]0;title\a), CSI
# (\e[2J, \e[?1049h), C1 CSI (\x9b), a bidi override and invalid UTF-8:
# the text event log has no raw control byte and writes \x1b; the JSON log
# parses with no control character in any text; `pooltop ctl status` and
# `pooltop ls` print no
# raw control byte; in the dashboard (tmux) the pane's title is unchanged,
# the screen is not cleared, and the detail view shows the output as
# visible escapes.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

# The item: title change, clear screen, alternate screen, C1, bidi, bad UTF-8.
printf 'pw\033]0;PWNEDTITLE\007\033[2J\033[?1049h\302\233\342\200\256\377\376end\0' >"$T/items"
# The task prints its item and more of the same, then waits for a go file.
cat >"$T/task.sh" <<EOF
: $MARK
printf 'out\033]0;PWNEDOUT\007\033[2J\033[31mred\377\n'
printf '%s\n' "\$1"
while [ ! -e "$T/go" ]; do sleep 0.05; done
EOF

touch "$T/go"
"$POOLTOP_BIN" -0 --headless -j1 -a "$T/items" sh "$T/task.sh" >/dev/null 2>"$T/text"
check "text log: has the events" grep -q "task.done" "$T/text"
check "text log: no raw control byte" sh -c "! LC_ALL=C grep -q \"\$(printf '[\\001-\\010\\013-\\037\\177]')\" '$T/text'"
check "text log: ESC written as \\x1b" grep -q 'pw\\x1b]0;PWNEDTITLE\\x07\\x1b\[2J' "$T/text"
check "text log: invalid UTF-8 as \\xff" grep -q '\\xff\\xfeend' "$T/text"
"$POOLTOP_BIN" -0 --headless -j1 -a "$T/items" --log "$T/json" --log-format json \
    sh "$T/task.sh" >/dev/null 2>&1
check "json log: no raw control byte" sh -c "! LC_ALL=C grep -q \"\$(printf '[\\001-\\010\\013-\\037\\177]')\" '$T/json'"
check "json log: parses; no raw C0, C1 or bidi control in the file" "$PY" -c '
import json, re, sys
seen = False
for l in open(sys.argv[1], "rb"):
    assert not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]", l), l
    seen = seen or "PWNEDTITLE" in json.loads(l).get("text", "")
assert seen' "$T/json"

# ctl status and ls while the task waits.
rm -f "$T/go"
run_pool -0 --headless -q -j1 --name "esc$$" -a "$T/items" sh "$T/task.sh" >/dev/null
check "pool answers" wait_for 20 answers "$pid"
check "task running" wait_for 20 is_py "$pid" "d['running']" 1
"$POOLTOP_BIN" ctl "$pid" status >"$T/status" 2>&1
"$POOLTOP_BIN" ls >"$T/ls" 2>&1
check "ctl status shows the task" grep -q "PWNEDTITLE" "$T/status"
check "ctl status: no raw control byte" sh -c "! LC_ALL=C grep -q \"\$(printf '[\\001-\\010\\013-\\037\\177]')\" '$T/status'"
check "ls: no raw control byte" sh -c "! LC_ALL=C grep -q \"\$(printf '[\\001-\\010\\013-\\037\\177]')\" '$T/ls'"
touch "$T/go"
wait "$pid"

# The dashboard, in tmux.
if ! command -v tmux >/dev/null 2>&1; then
	figures tasks=3 faults=0 hostile=3 lost=0
	finish
fi
. "$POOLTOP_SRCDIR/tests/tui/tuilib.sh"
rm -f "$T/go"
tui_start
tm select-pane -T "before$$"
# --results: the output goes to files, so nothing is printed at the end.
run_in_tui "$POOLTOP_BIN -0 --name esc$$ --refresh 100 -j1 --results $T/res -a $T/items sh $T/task.sh"
check "dashboard: the task runs" wait_until $LIMIT on_screen "running 1 "
check "dashboard: the worker row shows the label" wait_until $LIMIT on_screen "task.sh"
key Enter
check "detail view: output shown as escapes" wait_until $LIMIT on_screen 'out\\x1b\]0;PWNEDOUT\\x07\\x1b\[2J'
check "detail view: invalid UTF-8 shown as \\xff" on_screen 'red\\xff'
check "pane title unchanged" [ "$(tm display-message -p '#{pane_title}')" = "before$$" ]
check "screen not cleared: the detail view is still there" on_screen "^item "
touch "$T/go"
check "dashboard: pooltop exits" wait_until $LIMIT exited
check "terminal usable" terminal_sane
figures tasks=4 faults=0 hostile=4 lost=0
finish

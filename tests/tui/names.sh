#!/bin/sh
# The name of a config file's task is what the dashboard shows for it: in
# the worker table's COMMAND column and in the events; the detail view
# shows the name and the command.  A task without a name shows its command.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="names$$"
S=$((3000 + $$ % 5000))		# a sleep length no other test uses
cat >"$T/run.conf" <<EOF2
name = "$N";
workers = 2;
tasks = (
	{ name = "nightly-backup"; command = "sleep $S; echo one"; },
	{ command = "sleep $((S + 1)); echo two"; }
);
EOF2

tui_start
run_in_tui "$POOLTOP_BIN --refresh 100 -c $T/run.conf"
if ! wait_until $LIMIT on_screen "running 2 "; then
	screen
	fail "dashboard did not show the run"
	finish
fi
ok "dashboard started"

check "COMMAND column: the named task shows its name" \
    wait_until $LIMIT on_screen "^ +[12] .* nightly-backup *$"
check "COMMAND column: the command of the named task is not shown" \
    gone_from_screen "sleep $S; echo one"
check "COMMAND column: a task without a name shows its command" \
    on_screen "^ +[12] .* sleep $((S + 1)); echo two"
check "events: the named task's start shows its name" \
    on_screen "task\.start +slot [12] .*nightly-backup"

# The detail view of the named task's slot: its name, then its command.
slot=$(screen | grep -E "^ +[12] .* nightly-backup" | awk '{ print $1 }')
[ "$slot" = 2 ] && key Home j || key Home
key Enter
check "detail: name" wait_until $LIMIT on_screen "^name +nightly-backup"
check "detail: command" on_screen "^command +sleep $S; echo one"
check "detail: no item line for a named task" gone_from_screen "^item "
key Escape
check "detail: Esc returns" wait_until $LIMIT on_screen "^SLOT "

key Q
check "Q: pooltop exits" wait_until $LIMIT exited
check "Q: no task left" wait_until $LIMIT no_process_with "sleep $S"
finish

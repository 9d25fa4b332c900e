#!/bin/sh
# Config files: a bad config never starts a run; errors are FILE:LINE and 255.
. "$POOLTOP_SRCDIR/tests/lib.sh"

printf 'workers = 2;\nwrokers = 3;\n' >"$T/a.conf"
"$POOLTOP_BIN" -c "$T/a.conf" --check-config >/dev/null 2>"$T/e"
check "unknown key exits 255" [ $? -eq 255 ]
check "FILE:LINE and suggestion" grep -q "$T/a.conf:2: .*did you mean 'workers'" "$T/e"

printf 'workers = -3;\n' >"$T/b.conf"
"$POOLTOP_BIN" -c "$T/b.conf" echo ::: x >"$T/o" 2>"$T/e"
check "out of range exits 255" [ $? -eq 255 ]
check "nothing ran" [ ! -s "$T/o" ]
check "range message" grep -q "$T/b.conf:1:" "$T/e"

printf 'workers = 2;\ncommand = = "echo {}";\n' >"$T/c.conf"
"$POOLTOP_BIN" -c "$T/c.conf" --check-config >/dev/null 2>"$T/e"
check "syntax error exits 255" [ $? -eq 255 ]
check "syntax error has FILE:LINE" grep -q "$T/c.conf:[0-9]" "$T/e"

# A good config runs; the command line overrides it.
cat >"$T/d.conf" <<'CONF'
workers = 1;
command = "echo item-{}";
items = [ "x", "y" ];
keep_order = true;
headless = true;
quiet = true;
CONF
"$POOLTOP_BIN" -c "$T/d.conf" >"$T/o" 2>/dev/null
check "config-driven run" [ "$(tr '\n' ' ' <"$T/o")" = "item-x item-y " ]
"$POOLTOP_BIN" -c "$T/d.conf" -j 3 --check-config >/dev/null 2>&1
check "check-config ok exits 0" [ $? -eq 0 ]

# The demo config and the documented config load.
check "demo.conf valid" "$POOLTOP_BIN" -c "$POOLTOP_SRCDIR/conf/demo.conf" --check-config
check "pooltop.conf valid" "$POOLTOP_BIN" -c "$POOLTOP_SRCDIR/conf/pooltop.conf" --check-config

# --headless and --dashboard: the command line wins over the file; both at
# one level is refused, naming them; --dashboard with no terminal says so.
"$POOLTOP_BIN" --headless --dashboard 'echo {}' ::: a >/dev/null 2>"$T/e"
check "--headless --dashboard: exit 255, naming both" \
    [ "$?:$(cat "$T/e")" = "255:pooltop: options --headless and --dashboard cannot be used together" ]
printf 'headless = true;\nquiet = true;\ndashboard = true;\n' >"$T/hd.conf"
"$POOLTOP_BIN" -c "$T/hd.conf" 'echo {}' ::: a >/dev/null 2>"$T/e"
check "headless and dashboard in one file: FILE:LINE" \
    [ "$?:$(cat "$T/e")" = "255:pooltop: $T/hd.conf:3: 'dashboard' cannot be used with 'headless' (line 1)" ]
"$POOLTOP_BIN" -c "$T/hd.conf" --headless 'echo {}' ::: a >"$T/o" 2>"$T/e"
check "--headless over the file's dashboard: runs headless" \
    [ "$?:$(cat "$T/o")" = "0:a" ]
if command -v setsid >/dev/null 2>&1; then
	setsid -w "$POOLTOP_BIN" --dashboard 'echo {}' ::: a </dev/null >"$T/o" 2>"$T/e"
	check "--dashboard with no terminal: exit 255, nothing ran" \
	    [ "$?:$(cat "$T/o")" = "255:" ]
	check "... saying it needs a terminal" grep -q "the dashboard needs a terminal" "$T/e"
fi
# attach's -d, --delay and --refresh are the one option --refresh: the same
# bounds and message; 60000 is a period both take.
for o in -d --delay --refresh; do
	"$POOLTOP_BIN" attach $o 20 >/dev/null 2>"$T/e"
	check "attach $o 20: exit 255, --refresh's bounds" \
	    [ "$?:$(head -n 1 "$T/e")" = "255:pooltop attach: option --refresh: must be between 50 and 60000 (got 20)" ]
	"$POOLTOP_BIN" attach $o 60000 2147483000 >/dev/null 2>"$T/e"
	check "attach $o 60000: taken (no such pool)" \
	    grep -q "no live pool" "$T/e"
done
"$POOLTOP_BIN" --refresh 60000 --check-config true >/dev/null 2>&1
check "--refresh 60000: taken" [ $? -eq 0 ]

# A task's name is what its events show; one without, its command.
printf 'tasks = ( { name = "lib"; command = "echo built lib"; },\n\t"echo app" );\n' \
    >"$T/named.conf"
"$POOLTOP_BIN" --headless -j1 -c "$T/named.conf" >"$T/out" 2>"$T/err"
check "named tasks: exit 0" [ $? -eq 0 ]
check "named tasks: task.start shows the name" \
    grep -Eq "task\.start .*task=1 lib$" "$T/err"
check "named tasks: task.done shows the name" \
    grep -Eq "task\.done .*task=1 status=0 lib$" "$T/err"
check "named tasks: an unnamed task shows its command" \
    grep -Eq "task\.start .*task=2 echo app$" "$T/err"
finish

#!/bin/sh
# Dashboard themes from the command line: a broken theme stops the dashboard
# with FILE:LINE and exit 255 (no crash, nothing left behind); a missing
# one too, and huge ones, at once; an unknown key only warns; a shipped
# theme by name works.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tuilib.sh"

N="thm$$"
printf 'row = "yellow,black";\n\nspark = "purple,default";\n' >"$T/bad.theme"
printf 'row = "yellow,black"\nheader = ;\n' >"$T/syntax.theme"
printf 'row = "yellow,black";\nrwo = "red,blue";\n' >"$T/typo.theme"

# start ARGS...: run pooltop in the window, its pid recorded in $T/pids.
start() {
	run_in_tui "sh -c 'echo \$\$ >>$T/pids; exec \"\$0\" \"\$@\"' $POOLTOP_BIN $* 2>$T/err"
}
: >"$T/pids"

tui_start

start --name $N --theme $T/bad.theme -j1 true ::: 1
check "bad value: pooltop exits" wait_until $LIMIT exited
check "bad value: exit 255" [ "$(exit_status)" = 255 ]
check "bad value: FILE:LINE: key: reason" \
    grep -q "$T/bad.theme:3: spark: unknown colour \"purple\"" "$T/err"

start --name $N --theme $T/syntax.theme -j1 true ::: 1
wait_until $LIMIT exited
check "syntax error: exit 255" [ "$(exit_status)" = 255 ]
check "syntax error: FILE:LINE" grep -q "$T/syntax.theme:2: " "$T/err"

# Huge themes: a 10 MB colour string, 100,000 unknown keys (each hung
# libconfig for minutes); refused at once, FILE: reason.
awk 'BEGIN { printf "row = \"red,"; for (i = 0; i < 10 * 1024; i++) printf "%1024s", "x"; print "\";" }' >"$T/huge.theme"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "zz%d = \"red,blue\";\n", i }' >"$T/keys.theme"
for th in huge keys; do
	start --name $N --theme $T/$th.theme -j1 true ::: 1
	check "$th theme: pooltop exits" wait_until $LIMIT exited
	check "$th theme: exit 255" [ "$(exit_status)" = 255 ]
	check "$th theme: FILE: larger than 64 KiB" \
	    grep -q "$T/$th.theme: larger than 64 KiB" "$T/err"
done

start --name $N --theme no-such-theme -j1 true ::: 1
wait_until $LIMIT exited
check "missing theme: exit 255" [ "$(exit_status)" = 255 ]
check "missing theme: says so" grep -q 'theme "no-such-theme" not found' "$T/err"
left=0
for pid in $(cat "$T/pids"); do segment_exists "$pid" && left=1; done
check "no segment left by the failed starts" [ "$left" = 0 -a -s "$T/pids" ]
check "the terminal is usable after the failures" terminal_sane

# An unknown key warns on the status line; the dashboard runs.
run_in_tui "$POOLTOP_BIN --name $N --theme $T/typo.theme -j1 sleep ::: 30"
check "unknown key: the dashboard runs" wait_until $LIMIT on_screen "workers 1/1"
check "unknown key: a warning names FILE:LINE" \
    on_screen "warning: .*typo\.theme:2: unknown colour key \"rwo\""
key q k
check "unknown key: q k ends the run" wait_until $LIMIT exited

# A shipped theme by name.
run_in_tui "$POOLTOP_BIN --name $N --theme contrast -j1 sleep ::: 30"
check "contrast: the dashboard runs" wait_until $LIMIT on_screen "workers 1/1"
key t
check "t after contrast: back to default" wait_until $LIMIT on_screen "^theme: default"
key q k
check "contrast: q k ends the run" wait_until $LIMIT exited
check "the terminal is usable at the end" terminal_sane

finish

#!/bin/sh
# A full run gives every task's output, and the summary and exit status agree.
. "$POOLTOP_SRCDIR/tests/lib.sh"

"$POOLTOP_BIN" -j3 --headless -q 'echo out-{}' ::: a b c d e >"$T/out" 2>"$T/err"
check "exit 0 when all succeed" [ $? -eq 0 ]
check "every item ran once" [ "$(sort "$T/out" | tr '\n' ' ')" = "out-a out-b out-c out-d out-e " ]

# Items from stdin, template without {} gets the item appended.
seq 1 50 | "$POOLTOP_BIN" -j4 --headless -q echo >"$T/out2" 2>/dev/null
check "stdin items, 50 lines" [ "$(sort -n "$T/out2" | tr '\n' ' ')" = "$(seq 1 50 | tr '\n' ' ')" ]

# -a FILE, replacement strings, direct exec with a space in the item.
printf 'dir/a b.tar.gz\nx/y.c\n' >"$T/items"
"$POOLTOP_BIN" -j2 --headless -q -k -a "$T/items" printf '%s|%s|%s|%s|%s|%s\n' {} {.} {/} {//} {/.} {#} >"$T/out3" 2>/dev/null
check "replacement strings" [ "$(cat "$T/out3")" = "dir/a b.tar.gz|dir/a b.tar|a b.tar.gz|dir|a b.tar|1
x/y.c|x/y|y.c|x|y|2" ]

# A program without #! run directly is a shell script (as for execvp(3),
# sh, xargs and GNU parallel), its arguments data; both ways of giving it.
printf 'printf "<%%s>" "$@"; echo\n' >"$T/nosb"
chmod +x "$T/nosb"
"$POOLTOP_BIN" -j1 --headless -q -k "$T/nosb" {} x ::: a 'b c' '$(id)' >"$T/out4" 2>"$T/err4"
check "a script without #!, as words: run by sh (exit $?)" \
    [ "$(cat "$T/out4")" = '<a><x>
<b c><x>
<$(id)><x>' ]
"$POOLTOP_BIN" -j1 --headless -q -k "'$T/nosb' {} x" ::: a 'b c' >"$T/out4" 2>"$T/err4"
check "a script without #!, as one string: run by sh (exit $?)" \
    [ "$(cat "$T/out4")" = '<a><x>
<b c><x>' ]

# Failures: exit status is the number of failed tasks.
"$POOLTOP_BIN" -j2 --headless -q 'exit {}' ::: 0 1 2 0 3 >/dev/null 2>&1
check "exit status counts failures (3)" [ $? -eq 3 ]
seq 1 120 | "$POOLTOP_BIN" -j4 --headless -q false >/dev/null 2>&1
check "exit status capped at 101" [ $? -eq 101 ]

# Bad usage is 255.
"$POOLTOP_BIN" --workers 2000 true ::: a >/dev/null 2>"$T/e255"
check "usage error exits 255" [ $? -eq 255 ]
check "usage error names the option" grep -q workers "$T/e255"

# The summary compares serial and parallel time.
"$POOLTOP_BIN" -j2 --headless 'sleep 0.2' ::: 1 2 3 4 >/dev/null 2>"$T/sum"
check "summary printed" grep -q "speedup" "$T/sum"
check "headless event lines" grep -q "task.done" "$T/sum"

# JSON log lines parse.
"$POOLTOP_BIN" -j2 --headless -q --log "$T/log.json" --log-format json echo ::: a b >/dev/null 2>&1
check "json log parses" python3 -c '
import json,sys
n=0
for l in open(sys.argv[1]):
    json.loads(l); n+=1
assert n >= 4, n' "$T/log.json"

# No segment or socket left behind.
"$POOLTOP_BIN" -j2 --headless -q 'echo {}' ::: a b >/dev/null 2>&1 &
pid=$!
wait $pid
check "no segment left" no_segment $pid
check "no socket left" [ ! -e "$XDG_RUNTIME_DIR/pooltop/$pid.sock" ]
finish

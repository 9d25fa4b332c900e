#!/bin/sh
# Adding work to a running pool: `ctl add` while running, while paused and
# to a --keep-open pool at 0 queued; items of every byte 1-255 arrive as
# given; `add -a FILE` with a path relative to the client; every item runs
# once, numbered on; a closed or draining pool refuses items (exit 1); the
# bound on what waits to start; `ctl close` ends a --keep-open pool with 0.
. "$POOLTOP_SRCDIR/tests/lib.sh"

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
command -v "$PY" >/dev/null 2>&1 || skip "python3 is needed to make and compare bytes"

# A task: write item $1 to got/$2 ({#}); with a hold file, wait for go.
mkdir "$T/got"
cat >"$T/rec.sh" <<EOF
#!/bin/sh
while [ -e "$T/hold" ] && [ ! -e "$T/go" ]; do sleep 0.02; done
printf '%s' "\$1" >"$T/got/\$2"
EOF
chmod +x "$T/rec.sh"

# The hostile items, NUL-separated in want; added with ctl add --.
cat >"$T/hostile.py" <<'EOF'
import subprocess, sys
items = [bytes(range(1, 256)), b"'\"$(x)`y` \\ *", b"line1\nline2\n",
    b"-rf", b"--", b"  lead and trail  ", b"\t\r\x7f\xff\xc3\xa9", b"",
    b"%41%", b"x" * 4000]
with open(sys.argv[3], "wb") as f:
    f.write(b"\0".join(items))
sys.exit(subprocess.call([sys.argv[1], "ctl", sys.argv[2], "add", "--"]
    + items, stdout=subprocess.DEVNULL))
EOF

status_has() { "$POOLTOP_BIN" ctl "$1" status --json 2>/dev/null | grep -q "$2"; }
got() { [ -e "$T/got/$1" ]; }

# --- A --keep-open pool with no items starts empty and waits. ---
bg "$POOLTOP_BIN" --keep-open --headless -j2 --joblog "$T/jl" \
    "$T/rec.sh" {} {#} </dev/null >"$T/out" 2>"$T/err"
P=$!
check "keep-open: the empty pool answers" \
    wait_for 10 status_has $P '"state":"running"'
check "keep-open: it says it waits for items" \
    wait_for 10 grep -q "waiting for items" "$T/err"
check "keep-open: still running at 0 queued" \
    status_has $P '"queued":0,"running":0'

# --- Add while running. ---
"$POOLTOP_BIN" ctl $P add a 'b c' >"$T/r1" 2>&1
check "add: exit 0" [ $? -eq 0 ]
check "add: says how many" grep -q "^2 items added" "$T/r1"
check "add: both ran" wait_for 10 sh -c "[ -e '$T/got/1' ] && [ -e '$T/got/2' ]"

# --- Add while paused: queued, run on resume. ---
"$POOLTOP_BIN" ctl $P pause >/dev/null
"$POOLTOP_BIN" ctl $P add x y >/dev/null
check "paused add: exit 0" [ $? -eq 0 ]
check "paused add: queued 2" status_has $P '"queued":2'
check "paused add: nothing ran" sh -c "! [ -e '$T/got/3' ]"
"$POOLTOP_BIN" ctl $P resume >/dev/null
check "paused add: run after resume" \
    wait_for 10 sh -c "[ -e '$T/got/3' ] && [ -e '$T/got/4' ]"

# --- Hostile items: every byte 1-255 in one item, and quotes, spaces,
# newlines, a leading -, an empty item; each must arrive byte-exact. ---
"$PY" "$T/hostile.py" "$POOLTOP_BIN" $P "$T/want"
check "hostile add: exit 0" [ $? -eq 0 ]
check "hostile add: all ran" wait_for 10 got 14
check "hostile add: every item byte-exact, numbered 5-14" "$PY" -c '
import sys
want = open(sys.argv[1], "rb").read().split(b"\0")
got = [open("%s/%d" % (sys.argv[2], i), "rb").read() for i in range(5, 15)]
sys.exit(got != want)' "$T/want" "$T/got"

# --- An item too long for a line is refused before anything is sent. ---
"$PY" -c 'import subprocess, sys
sys.exit(subprocess.call([sys.argv[1], "ctl", sys.argv[2], "add", "ok",
    bytes(range(128, 256)) * 11], stderr=open(sys.argv[3], "w")))' \
    "$POOLTOP_BIN" $P "$T/long.err"
check "too long: exit 255" [ $? -eq 255 ]
check "too long: says which" grep -q "item 2 is too long" "$T/long.err"
check "too long: the short one was not added" \
    status_has $P '"queued":0,"running":0'

# --- add -a FILE, relative to the client's directory. ---
mkdir "$T/elsewhere"
printf 'f1\nf 2\n\nf4' >"$T/elsewhere/list"
(cd "$T/elsewhere" && "$POOLTOP_BIN" ctl $P add -a list) >"$T/r2" 2>&1
check "add -a: exit 0" [ $? -eq 0 ]
check "add -a: 4 items (an empty line is one)" grep -q "^4 items added" "$T/r2"
check "add -a: they ran as 15-18" wait_for 10 got 18
check "add -a: item 16 exact" sh -c "[ \"\$(cat '$T/got/16')\" = 'f 2' ]"
check "add -a: item 18 exact" sh -c "[ \"\$(cat '$T/got/18')\" = 'f4' ]"
"$POOLTOP_BIN" ctl $P add -a "$T/elsewhere/missing" 2>"$T/r3"
check "add -a missing file: exit 255" [ $? -eq 255 ]
"$POOLTOP_BIN" ctl $P add -x 2>"$T/r4"
check "add -x: unknown option, exit 255" [ $? -eq 255 ]
check "add -x: suggests --" grep -q -- "put --" "$T/r4"

# --- close ends the pool with 0; every item ran exactly once. ---
"$POOLTOP_BIN" ctl $P close >/dev/null
check "close: exit 0" [ $? -eq 0 ]
reap $P 20
check "close: the pool ends with status 0" [ $? -eq 0 ]
check "joblog: seqs 1-18, each exactly once" sh -c \
    "[ \"\$(awk 'NR > 1 { print \$1 }' '$T/jl' | sort -n | tr '\n' ' ')\" = \
    '$(seq 1 18 | tr '\n' ' ')' ]"
check "every item ran once" [ "$(ls "$T/got" | wc -l)" -eq 18 ]

# --- A closed pool refuses items; so does a draining one. ---
rm -rf "$T/got"
mkdir "$T/got"
touch "$T/hold"
bg "$POOLTOP_BIN" --keep-open --headless -j1 --joblog "$T/jl2" \
    "$T/rec.sh" {} {#} ::: one two >/dev/null 2>"$T/err2"
P=$!
check "closed: pool answers" wait_for 10 status_has $P '"running":1'
"$POOLTOP_BIN" ctl $P close >/dev/null
"$POOLTOP_BIN" ctl $P add late 2>"$T/r5"
check "closed: add exits 1" [ $? -eq 1 ]
check "closed: says why" grep -q "the pool is closed" "$T/r5"
check "closed: says nothing was added" grep -q "0 of 1 items added" "$T/r5"
touch "$T/go"
reap $P 20
check "closed: queued items run, exit 0" [ $? -eq 0 ]
check "closed: the refused item never ran" sh -c \
    "[ \"\$(awk 'NR > 1' '$T/jl2' | wc -l)\" -eq 2 ] && ! grep -q late '$T/jl2'"
rm -f "$T/go"
bg "$POOLTOP_BIN" --headless -j1 "$T/rec.sh" {} {#} ::: one two >/dev/null 2>&1
P=$!
check "draining: pool answers" wait_for 10 status_has $P '"running":1'
"$POOLTOP_BIN" ctl $P drain >/dev/null
"$POOLTOP_BIN" ctl $P add late 2>"$T/r6"
check "draining: add exits 1" [ $? -eq 1 ]
check "draining: says why" grep -q "the pool is draining" "$T/r6"
touch "$T/go"
reap $P 20 >/dev/null

# --- With --resume, added items are numbered after the joblog's last. ---
"$POOLTOP_BIN" -q --joblog "$T/jl3" echo {#}:{} ::: a b c >/dev/null 2>&1
bg "$POOLTOP_BIN" -q -k --keep-open --headless --joblog "$T/jl3" --resume \
    echo {#}:{} ::: a </dev/null >"$T/out3" 2>&1
P=$!
check "resume: pool answers" wait_for 10 status_has $P '"state":"running"'
"$POOLTOP_BIN" ctl $P add z >/dev/null
check "resume: the added item runs as 4" wait_for 10 grep -q "^4	" "$T/jl3"
"$POOLTOP_BIN" ctl $P close >/dev/null
reap $P 20
check "resume: exit 0" [ $? -eq 0 ]
check "resume: -k prints the added item" grep -qx "4:z" "$T/out3"

# --- An idle --keep-open pool prints its progress line once, not forever. ---
bg "$POOLTOP_BIN" --keep-open --headless -j1 --progress-interval 0.05 true \
    </dev/null >/dev/null 2>"$T/err4"
P=$!
check "idle: a first progress line" wait_for 10 grep -q "progress done=0" "$T/err4"
check "idle: a second passes" wait_for 10 sh -c \
    "'$POOLTOP_BIN' ctl $P status | grep -q '^elapsed [1-9]'"
# Counted before the add: a busy task may be in a done=0 line too.
idle_lines=$(grep -c "progress done=0" "$T/err4")
"$POOLTOP_BIN" ctl $P add a >/dev/null
check "idle: a line once a task is done" \
    wait_for 10 grep -q "progress done=1" "$T/err4"
check "idle: only one line while idle ($idle_lines)" [ "$idle_lines" -eq 1 ]
"$POOLTOP_BIN" ctl $P close >/dev/null
reap $P 20 >/dev/null

# --- The bound on added items waiting to start. ---
bg "$POOLTOP_BIN" --keep-open --headless -j1 true </dev/null >/dev/null 2>&1
P=$!
check "limit: pool answers" wait_for 10 status_has $P '"state":"running"'
"$POOLTOP_BIN" ctl $P pause >/dev/null
seq 65537 >"$T/many"
"$POOLTOP_BIN" ctl $P add -a "$T/many" 2>"$T/r7"
check "limit: exit 1" [ $? -eq 1 ]
check "limit: says what waits and the bound" \
    grep -q "too much waiting to start: .*(at most 65536 items" "$T/r7"
check "limit: says how many were added" grep -q "of 65537 items added" "$T/r7"
check "limit: the pool still answers" status_has $P '"paused":true'
"$POOLTOP_BIN" ctl $P stop >/dev/null
reap $P 20 >/dev/null
check "limit: the pool stops" [ $? -ne 124 ]

finish

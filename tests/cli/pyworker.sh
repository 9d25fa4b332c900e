#!/bin/sh
# The Python worker library (python/pooltop_worker.py) under pooltop
# --persistent: answers equal Python's own map of the same function over
# hostile items (byte for byte, with the encoding the man page gives);
# exceptions become ERROR: lines and the rest goes on; --init once per
# worker process; --json-in and --json-out; print() kept out of the
# answers; a crash, and a timeout, fail only the item they happened on;
# the watcher; usage errors.  pooltop-py, the launcher that runs the
# module without python3 -m, answers as -m does, from the source tree
# without PYTHONPATH, and as built by make.
. "$POOLTOP_SRCDIR/tests/lib.sh"

PY=$(command -v python3) || skip "no python3"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 7))' ||
    skip "python3 older than 3.7"
export PYTHONPATH="$POOLTOP_SRCDIR/python"
run() { "$POOLTOP_BIN" --headless -q "$@"; }
cd "$T" || exit 1	# fx.py is imported from the current directory

cat >fx.py <<'EOF'
import json, os, signal

INITS = 0

def init():
    global INITS
    INITS += 1
    with open("inits", "a") as f:
        f.write("%d\n" % os.getpid())

def who(item):                  # the process, and how often init ran in it
    return "%d %d" % (os.getpid(), INITS)

def same(item):                 # the item as it came
    return item

def shape(item):                # a mix of types, all from the item
    n = len(item)
    if n % 5 == 0:
        return {"len": n, "upper": item.upper(), "rev": item[::-1]}
    if n % 5 == 1:
        return [n, item, None, n % 2 == 0]
    if n % 5 == 2:
        return item.encode("utf-8", "surrogateescape")
    if n % 5 == 3:
        return item + "\n" + item
    return n * 1.5

def picky(item):                # fails on some items, in several ways
    if item.endswith("3"):
        raise ValueError("no %s\nat all" % item)
    if item.endswith("7"):
        return {1, 2}           # JSON cannot say it
    return item

def sq(item):
    return int(item) ** 2

def noisy(item):                # prints, runs a program, reads stdin
    print("print", item)
    os.system("echo from a program; cat")
    return "answer " + item

def slow(item):                 # one item hangs
    if item == "slow":
        import time
        time.sleep(300)
    return "r " + item

def crash(item):
    if item == "57":
        os.kill(os.getpid(), signal.SIGKILL)
    return "r" + item

def lone(item):                 # an exception whose message is not UTF-8
    if item == "2":
        raise ValueError("bad \ud800 " + item)
    return item

def where(item):                # where MODULE was looked for first
    import sys
    return "%s %s" % (sys.path[0] == os.getcwd(),
                      sys.argv[0].endswith("pooltop-py"))

def crashbig(item):             # answers of 40 KB: the buffer fills
    if item == "57":
        os.kill(os.getpid(), signal.SIGKILL)
    return item + " " + "x" * 40000
EOF

# What map() gives, encoded as pooltop(1) says (written here again, not
# taken from the module): a str as it is unless it holds a newline or
# starts with ERROR:, bytes as they are, the rest JSON; an exception is
# "ERROR: Type: message" with newlines escaped.
cat >ref.py <<'EOF'
import json, sys
import fx

def line(r):
    if isinstance(r, bytes):
        r = r.decode("utf-8", "surrogateescape")
    if isinstance(r, str) and "\n" not in r and not r.startswith("ERROR:"):
        return r
    return json.dumps(r, ensure_ascii=False)

def answer(func, item):
    try:
        return line(func(item))
    except Exception as e:
        msg = "%s: %s" % (type(e).__name__, e)
        return "ERROR: " + msg.replace("\\", "\\\\").replace("\n", "\\n") \
            .replace("\r", "\\r")

func = getattr(fx, sys.argv[1])
data = open(sys.argv[2], "rb").read()
items = data.decode("utf-8", "surrogateescape").split("\n")[:-1]
out = "".join(answer(func, i) + "\n" for i in items)
sys.stdout.buffer.write(out.encode("utf-8", "surrogateescape"))
EOF

# Hostile items: quotes, shell syntax, unicode, bytes that are not UTF-8,
# empty lines, a carriage return, the error marker, JSON-looking text,
# backslashes, and lines longer than a read (64 KiB) and than a pipe.
{
	printf '%s\n' "O'Brien; DROP TABLE x" '$(touch pwned) `id` "q"' \
	    'naïve café ✓ 漢字' '' 'ERROR: not an error' '{"a": 1}' \
	    'back\slash \n' '' 'tab	in' '"quoted"' 'null' 'ERROR:'
	printf 'bad \377\376 bytes\n\300\n'
	printf 'cr at end\r\nmid\rdle\n'
	head -c 100000 /dev/zero | tr '\0' x; echo
	head -c 300000 /dev/zero | tr '\0' 'é'; echo
	seq 1 500
} >hostile
HOST=$(wc -l <hostile)

for f in same shape; do
	"$PY" ref.py $f hostile >"want.$f"
	run -j3 -k -a hostile --persistent "$PY -m pooltop_worker fx:$f" \
	    >"out.$f" 2>"err.$f"
	check "fx:$f over $HOST hostile items: exit 0" [ $? -eq 0 ]
	check "... every answer as Python's map(), byte for byte, in order" \
	    cmp -s "out.$f" "want.$f"
done
check "... and nothing ran an item" [ ! -e pwned ]
check "a result starting with ERROR: is a JSON string, not a failure" \
    grep -qx '"ERROR: not an error"' out.same
check "a result holding a newline is a JSON string" \
    grep -q '\\n' out.shape

# Exceptions: ERROR: lines (to the task's stderr), the rest goes on.
seq 1 100 >i100
"$PY" ref.py picky i100 >want
run -j2 -k --joblog jl -a i100 --persistent "$PY -m pooltop_worker fx:picky" \
    >out 2>err
check "fx:picky: exit 20 (10 raise, 10 return a set)" [ $? -eq 20 ]
grep -v '^ERROR: ' want >want.ok
check "... the 80 others answered, in order" cmp -s out want.ok
grep '^ERROR: ' want >want.err
check "... the 20 ERROR: lines on stderr, as map() would raise" \
    cmp -s err want.err
check "... ValueError's message on one line" \
    grep -qx 'ERROR: ValueError: no 13\\nat all' err
check "... joblog: 20 exit 1" \
    [ "$(awk -F'\t' 'NR > 1 && $7 == 1' jl | wc -l)" -eq 20 ]

# --init: once in each worker process, before its first item.
seq 1 300 >i300
run -j3 -a i300 --persistent "$PY -m pooltop_worker fx:who --init fx:init" \
    >out 2>&1
check "--init: exit 0, 300 answers" [ "$?:$(wc -l <out)" = "0:300" ]
check "... init had run exactly once in the process of every answer" \
    [ "$(awk '{ print $2 }' out | sort -u)" = 1 ]
check "... once per process: no pid twice in the init log" \
    [ -z "$(sort inits | uniq -d)" ]
awk '{ print $1 }' out | sort -u >pids
check "... every answering process ran it" \
    [ -z "$(sort -u inits | comm -13 - pids)" ]
check "... at most 3 processes (one per worker)" [ "$(wc -l <inits)" -le 3 ]
rm -f inits
run -j2 --max-tasks-per-worker 10 -a i100 \
    --persistent "$PY -m pooltop_worker --init fx:init fx:who" >out 2>&1
check "--init with --max-tasks-per-worker 10: exit 0" [ $? -eq 0 ]
if [ "$(wc -l <inits)" -ge 10 ] && [ -z "$(sort inits | uniq -d)" ] &&
    [ "$(awk '{ print $2 }' out | sort -u)" = 1 ]; then
	ok "... at least 10 processes, init run once in each"
else
	fail "... at least 10 processes, init run once in each"
fi
check "... none answered more than 10" \
    [ "$(awk '{ print $1 }' out | sort | uniq -c | sort -n | tail -n 1 |
    awk '{ print $1 }')" -le 10 ]

# --json-in, --json-out.
printf '%s\n' 2 '"3"' '[1]' >j
run -j1 -k -a j --persistent "$PY -m pooltop_worker --json-in fx:sq" \
    >out 2>err
check "--json-in: items decoded (\"3\" is a str, [1] fails)" \
    [ "$?:$(tr '\n' ' ' <out)" = "1:4 9 " ]
check "... the list's TypeError on stderr" grep -q '^ERROR: TypeError' err
run -j1 -k --persistent "$PY -m pooltop_worker --json-out fx:same" \
    ::: a 'b"c' >out 2>&1
check "--json-out: str results as JSON strings too" \
    [ "$(tr '\n' ' ' <out)" = '"a" "b\"c" ' ]

# print() and programs func runs write to stderr, and cannot read items:
# the answers stay right.
run -j2 -k --persistent "$PY -m pooltop_worker fx:noisy" ::: a b c d \
    >out 2>err
check "print() in func: exit 0, the 4 answers, in order" \
    [ "$?:$(tr '\n' ' ' <out)" = "0:answer a answer b answer c answer d " ]
check "... the printed lines on stderr" \
    [ "$(grep -c '^print [abcd]$' err):$(grep -c '^from a program$' err)" = "4:4" ]

# A crash of the Python process in the middle of a block of 64 lines:
# only the item it died on fails; the answers it had go out first.
seq 1 200 >i200
# crash_checks WHAT RUN PROGRAM: that run, by RUN (run or lrun).
crash_checks() {
	"$2" -j2 --chunksize 64 -a i200 --joblog cjl --persistent "$3" \
	    >out 2>err
	check "$1, a crash on item 57 in a block: exit 1" [ $? -eq 1 ]
	check "... the other 199 answered, none twice" \
	    [ "$(sort -u out | wc -l):$(wc -l <out)" = "199:199" ]
	check "... the failed one is 57" \
	    [ "$(awk -F'\t' 'NR > 1 && ($7 != 0 || $8 != 0) { print $NF }' cjl)" = 57 ]
	check "... killed by signal 9, says its stderr" \
	    grep -q 'signal 9' err
}
crash_checks "python3 -m" run "$PY -m pooltop_worker fx:crash"

# The same with answers of 40 KB: the 1 MiB the answers are kept in fills
# and starts again twice before the crash.
run -j1 --chunksize 64 -a i200 --joblog cjl \
    --persistent "$PY -m pooltop_worker fx:crashbig" >out 2>err
check "answers of 40 KB, a crash on item 57: exit 1 (one item failed)" \
    [ $? -eq 1 ]
check "... 199 whole answers, none twice" [ "$(awk '
    length($0) == length($1) + 40001 && !seen[$1]++ { n++ } END { print n }
    ' out):$(wc -l <out)" = "199:199" ]
check "... the failed one is 57" \
    [ "$(awk -F'\t' 'NR > 1 && ($7 != 0 || $8 != 0) { print $NF }' cjl)" = 57 ]

# What the watcher writes for a process that died: what was stored and
# not written, the last answer left out if a NUL says it may be torn
# (bytes not copied yet are zero), nothing if it died in a write or
# after done() (a clean end: the watcher ends at once).
cat >lost.py <<'EOF'
import os
import pooltop_worker as pw

w = os.open("lost.out", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
a = pw.Answers(w)
written = lambda: open("lost.out", "rb").read()
a.mm.write(b"one\n")
a.mm.write(b"two\n")
assert a.lost() == b"one\ntwo\n", a.lost()
a.mm.write(b"thr")              # not yet whole: left out
assert a.lost() == b"one\ntwo\n", a.lost()
a.mm.write(b"\0e\n")            # torn: its start not copied
assert a.lost() == b"one\ntwo\n", a.lost()
a.flush()
assert written() == b"one\ntwo\nthr\0e\n"
assert a.lost() == b""
a.mm.write(b"four\n")
assert a.lost() == b"four\n", a.lost()
a.hv[1] = 1                     # in a write: what went out is unknown
assert a.lost() == b""
a.hv[1] = 0
big = b"y" * (a.SIZE // 3) + b"\n"
for i in range(3):              # the third does not fit: start again
    if a.mm.tell() + len(big) > a.SIZE:
        a.put(big)
    else:
        a.mm.write(big)
assert a.lost() == big, len(a.lost())
assert written()[-(5 + 2 * len(big)):] == b"four\n" + big + big
a.put(b"z" * a.SIZE + b"\n")    # too big to keep: written at once
assert a.lost() == b"", len(a.lost())
assert written().endswith(big + b"z" * a.SIZE + b"\n")
a.mm.write(b"five\n")
assert a.lost() == b"five\n", a.lost()
a.done()                        # the process wrote them all and ends
assert a.lost() == b""
print("ok")
EOF
check "the watcher's answers: stored, not torn, not written twice, none after done()" \
    [ "$("$PY" lost.py 2>&1)" = ok ]

# --timeout in a block of 4 lines: the answers made before the slow item
# go out within milliseconds, so the slow one is the task that times out,
# not the first of its block.
run -j1 -k --chunksize 8 --timeout 5 --joblog tjl \
    --persistent "$PY -m pooltop_worker fx:slow" ::: a b slow c >out 2>/dev/null
check "a hanging item under --timeout: exit 1 (one failed)" [ $? -eq 1 ]
check "... the others answered" [ "$(tr '\n' ' ' <out)" = "r a r b r c " ]
check "... the one timed out (-1 in the joblog) is the hanging one" \
    [ "$(awk -F'\t' 'NR > 1 && $7 != 0 { print $7, $NF }' tjl)" = "-1 slow" ]

# Used alone, the watcher killed by itself (kill PID) takes the Python
# process that works the items with it.
cp fx.py "w$$.py"
mkfifo fifo
exec 8<>fifo
"$PY" -m pooltop_worker "w$$:same" <fifo >/dev/null 2>&1 &
wpid=$!
_bgpids="${_bgpids:-} $wpid"
check "alone: the watcher and its worker process run" wait_for 20 \
    sh -c "[ \$(pgrep -f 'pooltop_worker w$$:same' | wc -l) -ge 2 ]"
kill -TERM "$wpid"
check "... kill -TERM of the watcher: no worker process left behind" \
    wait_for 20 no_process_with "pooltop_worker w$$:same"
exec 8>&-

# Usage errors, and a module that cannot load: the program exits, the
# task fails with the reason.
"$PY" -m pooltop_worker >/dev/null 2>err
check "no MODULE:FUNC: exit 2" [ $? -eq 2 ]
check "... saying what is missing" grep -q "MODULE:FUNC missing" err
"$PY" -m pooltop_worker fx >/dev/null 2>err </dev/null
check "fx without :FUNC: exit 2, named" \
    [ "$?:$(grep -c "'fx' is not MODULE:FUNC" err)" = "2:1" ]
"$PY" -m pooltop_worker --bogus fx:same >/dev/null 2>err </dev/null
check "an unknown option: exit 2, named" \
    [ "$?:$(grep -c "unknown option --bogus" err)" = "2:1" ]
run -j1 --persistent "$PY -m pooltop_worker fx:nosuch" ::: a >/dev/null \
    2>err
check "a function that does not exist: the task fails" [ $? -eq 1 ]
check "... saying so" grep -q "has no attribute 'nosuch'" err
# Answers are never held while the input would block: one line at a time
# has its answer before the next line is written, alone and in pooltop
# with --chunksize 1 (one line in flight), where holding it would hang.
mkfifo one
"$PY" -m pooltop_worker fx:sq <one >ans 2>/dev/null &
_bgpids="${_bgpids:-} $!"
exec 9>one
echo 3 >&9
check "alone, one line at a time: its answer comes before the next line" \
    wait_for 20 grep -qx 9 ans
echo 4 >&9
check "... and the next" wait_for 20 grep -qx 16 ans
exec 9>&-
# After a pause (the flusher thread sleeps after a tenth of a second
# without a block), a block whose second item hangs still has its first
# answer written while it runs: the block wakes the thread.
mkfifo two
"$PY" -m pooltop_worker fx:slow <two >ans2 2>/dev/null &
spid=$!
_bgpids="${_bgpids:-} $spid"
exec 9>two
echo a >&9
check "a pause, then a hanging item: the answer before the pause" \
    wait_for 20 grep -qx 'r a' ans2
sleep 1		# not a synchronisation: time for the thread to go idle
printf 'b\nslow\n' >&9
check "... and the one before the hanging item, while it hangs" \
    wait_for 20 grep -qx 'r b' ans2
kill -TERM "$spid" 2>/dev/null	# the watcher passes it on
exec 9>&-
seq 1 300 >i300
timeout 120 "$POOLTOP_BIN" --headless -q -j2 --chunksize 1 -a i300 \
    --persistent "$PY -m pooltop_worker fx:sq" >out 2>/dev/null
check "--chunksize 1: exit 0, every answer" \
    [ "$?:$(sort -n out | tr '\n' ' ')" = "0:$(seq 1 300 |
    awk '{ printf "%d ", $1 * $1 }')" ]

printf '1\n2\n3\n' | "$PY" -m pooltop_worker fx:lone >out 2>/dev/null
check "an exception with a lone surrogate: its ERROR: line, the next on" \
    [ "$(tr '\n' ' ' <out)" = '1 ERROR: ValueError: bad \ud800 2 3 ' ]
printf '3\n4' | "$PY" -m pooltop_worker fx:sq >out
check "used alone: a last line without a newline is answered too" \
    [ "$(tr '\n' ' ' <out)" = "9 16 " ]

# pooltop-py: the same module without -m's imports.  From the source tree
# it finds pooltop_worker.py next to itself, PYTHONPATH unset; its
# answers, errors and exit statuses are those of python3 -m.
L=$POOLTOP_SRCDIR/python/pooltop-py
lrun() { (unset PYTHONPATH; run "$@"); }
check "python/pooltop-py is executable" [ -x "$L" ]
lrun -j3 -k -a hostile --persistent "$PY $L fx:shape" >out 2>err
check "pooltop-py fx:shape over the hostile items, no PYTHONPATH: exit 0" \
    [ $? -eq 0 ]
check "... every answer as python3 -m's, byte for byte, in order" \
    cmp -s out want.shape
run -j2 -k --joblog jl -a i100 --persistent "$PY -m pooltop_worker fx:picky" \
    >out.m 2>err.m
echo $? >st.m
lrun -j2 -k --joblog jl -a i100 --persistent "$PY $L fx:picky" >out 2>err
check "pooltop-py fx:picky: the exit status of -m (20)" \
    [ "$?:$(cat st.m)" = "20:20" ]
check "... the same answers" cmp -s out out.m
check "... the same ERROR: lines on stderr" cmp -s err err.m
check "... joblog: 20 exit 1" \
    [ "$(awk -F'\t' 'NR > 1 && $7 == 1' jl | wc -l)" -eq 20 ]
rm -f inits
lrun -j3 -a i300 --persistent "$PY $L fx:who --init fx:init" >out 2>&1
check "pooltop-py --init: exit 0, 300 answers" \
    [ "$?:$(wc -l <out)" = "0:300" ]
check "... init had run exactly once in the process of every answer" \
    [ "$(awk '{ print $2 }' out | sort -u)" = 1 ]
check "... no process ran it twice" [ -z "$(sort inits | uniq -d)" ]
check "... at most 3 processes (one per worker)" [ "$(wc -l <inits)" -le 3 ]
crash_checks pooltop-py lrun "$PY $L fx:crash"
run -j1 --persistent "$PY -m pooltop_worker fx:where" ::: a >out.m 2>&1
lrun -j1 --persistent "$PY $L fx:where" ::: a >out 2>&1
check "MODULE looked for in the current directory first, as with -m" \
    [ "$(cat out.m):$(cat out)" = "True False:True True" ]
"$PY" -m pooltop_worker fx:nosuch </dev/null >/dev/null 2>err.m
echo $? >st.m
(unset PYTHONPATH; "$PY" "$L" fx:nosuch </dev/null >/dev/null 2>err)
check "a function that does not exist: exit 3, as -m" \
    [ "$?:$(cat st.m)" = "3:3" ]
check "... the same lines on stderr" cmp -s err err.m
(unset PYTHONPATH; "$PY" "$L" --bogus fx:same </dev/null >/dev/null 2>err)
check "an unknown option: exit 2, the error line of -m" \
    [ "$?:$(head -n 1 err)" = "2:pooltop_worker: unknown option --bogus" ]
check "... the usage line names pooltop-py" \
    grep -q '^usage: pooltop-py MODULE:FUNC' err
# As a command on PATH, through a symbolic link, run by its own first
# line: the form the man page gives.
mkdir bin
ln -s "$L" bin/pooltop-py
(PATH=$T/bin:$PATH; unset PYTHONPATH
 run -j2 -a i100 --persistent 'pooltop-py fx:sq' >out 2>err)
check "pooltop --persistent 'pooltop-py fx:sq', a link on PATH: every answer" \
    [ "$?:$(sort -n out | tr '\n' ' ')" = "0:$(seq 1 100 |
    awk '{ printf "%d ", $1 * $1 }')" ]
# The one make builds (bin_SCRIPTS): the interpreter configure found, the
# install directory filled in.
B=$(dirname "$POOLTOP_BIN")/../pooltop-py
if [ -e "$B" ]; then
	check "the built pooltop-py is executable" [ -x "$B" ]
	check "... its interpreter an absolute path" \
	    [ "$(head -c 3 "$B")" = "#!/" ]
	check "... the install directory filled in" grep -q '^_LIB = "/' "$B"
	check "... it answers" [ "$(printf '3\n' | "$B" fx:sq)" = 9 ]
fi

finish

#!/bin/sh
# Default options in $POOLTOP (as GNU parallel's $PARALLEL), -u/--ungroup,
# and --results FILE.csv/.tsv/.json, side by side with GNU parallel where
# the behaviour is the same: $POOLTOP's splitting and quoting, the command
# line winning over it and it over the config file, its errors, the
# subcommands ignoring it; -u's output as it comes, untagged (--tag and
# --tagstring off), -k ignored, the joblog's Receive, -u refused with --lb
# or --group, either winning over the config file; records byte for byte GNU parallel's but for the times
# (awkward output: commas, quotes, newlines, CR, tabs, NULs, non-UTF-8),
# -k, --header, timeouts, retries, -.csv and refusals.  --env is checked
# over real ssh in tests/remote/ssh.sh.  Skipped without GNU parallel.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

need_gnu_parallel
export PARALLEL_SHELL=/bin/sh
cd "$T" || exit 99

# run TOOL NAME OPTS ARGS...: GNU parallel with $PARALLEL=OPTS or pooltop
# (headless, quiet) with $POOLTOP=OPTS; output in NAME.TOOL.out, errors in
# .err, status in .rc.
run() {
	_t=$1 _n=$2 _o=$3; shift 3
	if [ "$_t" = pooltop ]; then
		POOLTOP=$_o "$POOLTOP_BIN" --headless -q "$@" \
		    >"$_n.$_t.out" 2>"$_n.$_t.err"
	else
		PARALLEL=$_o parallel "$@" >"$_n.$_t.out" 2>"$_n.$_t.err"
	fi
	echo $? >"$_n.$_t.rc"
}

# both NAME OPTS ARGS...: run both tools.
both() { run parallel "$@"; run pooltop "$@"; }

# same DESC SUFFIX NAME: the two tools' NAME.TOOL.SUFFIX files agree.
same() {
	if cmp -s "$3.parallel.$2" "$3.pooltop.$2"; then
		ok "$1: same $2"
	else
		fail "$1: $2 differs: GNU parallel '$(od -An -c "$3.parallel.$2" |
		    tr -s ' \n' '  ')', pooltop '$(od -An -c "$3.pooltop.$2" |
		    tr -s ' \n' '  ')'"
	fi
}
agree() { same "$1" out "$2"; same "$1" rc "$2"; }

# --- $POOLTOP ---------------------------------------------------------------
both env1 '-k --tagstring a\ b' echo ::: x y
agree "\$POOLTOP '-k --tagstring a\\ b'" env1
both env2 "-k --tagstring 'a  \"b' -j2" echo ::: x y
agree "\$POOLTOP with '...' holding a quote and two blanks" env2
both env3 '-k --tagstring "a\"b\\c\$HOME"' echo ::: x
agree "\$POOLTOP with \"...\" and backslashes, nothing expanded" env3
both env4 '--tagstring a\\b	-k' echo ::: x y
agree "\$POOLTOP: a tab separates, \\\\ is one backslash" env4
both env4b "--tagstring 'a\\'b' -k" echo ::: x
agree "\$POOLTOP: a backslash in '...' is kept and does not close it" env4b
both env5 '-k --tagstring E' --tagstring C echo ::: x
agree "the command line wins over \$POOLTOP" env5
# slot: its job slot, after half a second (so that two slots are used).
printf '#!/bin/sh\nsleep 0.5\necho "$PARALLEL_JOBSLOT"\n' >slot
chmod +x slot
both env6 '-j1' -j2 ./slot ::: 1 2
sort env6.parallel.out >env6.parallel.slots
sort env6.pooltop.out >env6.pooltop.slots
same "\$POOLTOP -j1, command line -j2: two slots" slots env6
both env7 '-j1 -k' ./slot ::: 1 2
agree "\$POOLTOP -j1 -k alone applies: one slot" env7
check "... slot 1 twice" sh -c "printf '1\n1\n' | cmp -s - env7.pooltop.out"

printf 'tagstring = "F";\nkeep_order = true;\n' >tag.conf
run pooltop env8 '--tagstring E' -c tag.conf echo ::: x
check "\$POOLTOP wins over the config file" grep -qx 'E	x' env8.pooltop.out
run pooltop env9 '--tagstring E' -c tag.conf --tagstring C echo ::: x
check "... and the command line over both" grep -qx 'C	x' env9.pooltop.out

# refusals, each naming $POOLTOP
refused() {
	_d=$1 _o=$2 _m=$3; shift 3
	run pooltop bad "$_o" "$@"
	if [ "$(cat bad.pooltop.rc)" -eq 255 ] &&
	    grep -q "^pooltop: \$POOLTOP: .*$_m" bad.pooltop.err &&
	    [ ! -s bad.pooltop.out ]; then
		ok "$_d"
	else
		fail "$_d: rc $(cat bad.pooltop.rc), '$(cat bad.pooltop.err)'"
	fi
}
refused "\$POOLTOP --bogus: 255, named" '--bogus' "unknown option '--bogus'" \
    echo ::: x
refused "\$POOLTOP with a template word: refused" '-k echo' \
    "'echo' is not an option" echo ::: x
refused "\$POOLTOP with a quote left open: refused" "-k 'a" \
    "quote is not closed" echo ::: x
refused "\$POOLTOP ending in a lone backslash: refused" '-k a\' \
    "lone backslash" echo ::: x
refused "\$POOLTOP -j with no argument: refused" '-j' "requires an argument" \
    echo ::: x
refused "\$POOLTOP -j 2000: the bad value named" '-j 2000' "workers" echo ::: x
refused "\$POOLTOP --env _: refused" '--env _' "ignored_vars" echo ::: x
refused "a bad \$POOLTOP with --check-config" '--bogus' "bogus" \
    --check-config echo ::: x
POOLTOP=' 	 ' "$POOLTOP_BIN" -q echo ::: x >blank.out 2>&1
check "a blank \$POOLTOP is no option" grep -qx x blank.out

# the subcommands do not read it
"$POOLTOP_BIN" -q --joblog jl echo ::: a >/dev/null 2>&1
sub_ok() {
	_d=$1; shift
	POOLTOP='--bogus -k' "$@" >sub.out 2>sub.err </dev/null
	_rc=$?
	if ! grep -q '\$POOLTOP' sub.err; then
		ok "$_d (exit $_rc)"
	else
		fail "$_d: $(cat sub.err)"
	fi
}
sub_ok "pooltop ls ignores a bad \$POOLTOP" "$POOLTOP_BIN" ls
check "... and lists" sh -c "POOLTOP=--bogus '$POOLTOP_BIN' ls >/dev/null"
sub_ok "pooltop report ignores it" "$POOLTOP_BIN" report jl
check "... and reports" sh -c "POOLTOP=--bogus '$POOLTOP_BIN' report jl |
    grep -q ."
sub_ok "pooltop ctl ignores it" "$POOLTOP_BIN" ctl 2147483000 status
sub_ok "pooltop attach ignores it" "$POOLTOP_BIN" attach 2147483000
sub_ok "pooltop progress ignores it" "$POOLTOP_BIN" progress 1/2
sub_ok "pooltop worker ignores it" "$POOLTOP_BIN" worker
POOLTOP='-k' "$POOLTOP_BIN" -q sh -c \
    '"$POOLTOP_BIN" progress 1/2 && echo "$1 $POOLTOP"' sh ::: a b \
    >inherit.out 2>inherit.err
check "tasks inherit \$POOLTOP; pooltop progress in them works" sh -c \
    "printf 'a -k\nb -k\n' | cmp -s - inherit.out"

# --- -u / --ungroup ---------------------------------------------------------
both u1 '' -u -j1 'printf "x\ny"; printf "z%s\n" {}' ::: 1 2
agree "-u -j1" u1
both u2 '' -u --tag -j1 'printf "x\ny"; printf "z%s\n" {}' ::: 1 2
agree "-u --tag: untagged" u2
both u3 '' -u --tagstring T{} -j1 'printf "o%s\n" {}; printf "e\n" >&2' \
    ::: 1 2
agree "-u --tagstring: untagged" u3
same "-u --tagstring: stderr" err u3
# -k has no effect with -u: task 1 ends once the tool has printed task
# 2's line (the tasks' output goes through workers, so the order in which
# two tasks write is not always the order printed).
cat >waiter <<'EOF'
#!/bin/sh
if [ "$1" = 1 ]; then
	i=0
	until grep -q two "$WOUT" 2>/dev/null || [ $i -ge 3000 ]; do
		sleep 0.01; i=$((i + 1))
	done
	echo one
else
	echo two
fi
EOF
chmod +x waiter
export WOUT=u4.parallel.out
run parallel u4 '' -u -k -j2 ./waiter ::: 1 2
export WOUT=u4.pooltop.out
run pooltop u4 '' -u -k -j2 ./waiter ::: 1 2
agree "-u -k: printed as they end, -k ignored" u4
check "... two before one" sh -c "printf 'two\none\n' | cmp -s - u4.pooltop.out"
# as it comes: a running task's first bytes are out before it ends
rm -f go
"$POOLTOP_BIN" -q -u sh -c 'printf started; i=0
    while [ ! -e go ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i + 1)); done
    echo ended' ::: x >u5.out 2>&1 &
upid=$!
check "-u: a running task's bytes (no newline yet) are printed" \
    wait_for 20 grep -q started u5.out
check "... while it still runs" kill -0 "$upid"
touch go
wait "$upid"
check "... then the rest" sh -c "printf 'startedended\n' | cmp -s - u5.out"
rm -f go
# the joblog still counts the bytes
PARALLEL='' parallel -u --joblog u6.gnu.jl sh -c 'printf "%s" "$1"' sh \
    ::: a bb ccc >/dev/null 2>&1
"$POOLTOP_BIN" -q -u --joblog u6.pt.jl sh -c 'printf "%s" "$1"' sh \
    ::: a bb ccc >/dev/null 2>&1
check "-u --joblog: Receive still counts the bytes (GNU parallel: 0)" sh -c \
    "tail -n +2 u6.pt.jl | sort -n | cut -f6 | tr '\n' ' ' |
     grep -qx '1 2 3 ' && tail -n +2 u6.gnu.jl | cut -f6 | sort -u |
     grep -qx 0"
# -u with --line-buffer or --group: refused, as by GNU parallel
both u7 '' -u --lb printf 'x%s\n' ::: 1 2
agree "-u --lb: refused" u7
check "... said" grep -q 'ungroup and --line-buffer cannot be used' \
    u7.pooltop.err
both u8 '-u' --group printf 'x%s\n' ::: 1 2
agree "\$POOLTOP -u, command line --group: refused" u8
check "... \$POOLTOP named" grep -q 'one of them in \$POOLTOP' u8.pooltop.err
printf 'ungroup = true;\n' >u.conf
"$POOLTOP_BIN" -q -c u.conf --tag -j1 printf 'x%s\n' ::: 1 >u10.out 2>&1
check "config ungroup = true: untagged" grep -qx x1 u10.out
"$POOLTOP_BIN" -q -c u.conf --lb --tag -j1 printf 'x%s\n' ::: 1 >u11.out 2>&1
check "... --lb on the command line ends it: tagged" grep -qx '1	x1' u11.out
"$POOLTOP_BIN" -q -c u.conf --group --tag -j1 printf 'x%s\n' ::: 1 >u12.out 2>&1
check "... so does --group" grep -qx '1	x1' u12.out

# --- --results FILE.csv / .tsv / .json --------------------------------------
cat >emit <<'EOF'
#!/bin/sh
printf 'a,b"c\nd\000e\tf\\ \377 %s' "$*"
printf 'err %s\r\n' "$1" >&2
exit $(( ${#1} % 3 ))
EOF
chmod +x emit
# masked FILE: Starttime and JobRuntime replaced (CSV, TSV or JSON).
masked() {
	python3 -c '
import re, sys
d = open(sys.argv[1], "rb").read()
d = re.sub(rb"^(\d+[,\t][^,\t]*[,\t])[0-9.]+([,\t])[0-9.]+([,\t])",
           rb"\1T\2R\3", d, flags=re.M)
d = re.sub(rb"\"Starttime\": [0-9.]+, \"JobRuntime\": [0-9.]+", b"T", d)
sys.stdout.buffer.write(d)' "$1"
}
# records NAME EXT ARGS...: both tools write NAME.TOOL.EXT; compare masked.
records() {
	_n=$1 _e=$2; shift 2
	cat >"$_n.in"
	PARALLEL='' parallel --results "$_n.parallel.$_e" "$@" \
	    <"$_n.in" >"$_n.parallel.out" 2>&1
	echo $? >"$_n.parallel.rc"
	"$POOLTOP_BIN" --headless -q --results "$_n.pooltop.$_e" "$@" \
	    <"$_n.in" >"$_n.pooltop.out" 2>&1
	echo $? >"$_n.pooltop.rc"
	masked "$_n.parallel.$_e" >"$_n.parallel.rec"
	masked "$_n.pooltop.$_e" >"$_n.pooltop.rec"
}
vt=$(printf 'v\vv') ff=$(printf 'f\ff') nel=$(printf 'n\205\240n')
for ext in csv tsv json CSV; do
	records r1 "$ext" -k ./emit ::: 1 22 'x y' 'a,"b' '' "$vt" "$ff" "$nel" \
	    </dev/null
	same "--results FILE.$ext, awkward output and items (VT, FF, 0x85)" rec r1
	same "... exit status" rc r1
	same "... nothing printed" out r1
done
records r2 csv -k ./emit ::: 1 22 ::: 'x y' z </dev/null
same "--results FILE.csv, two sources: V1 V2" rec r2
records r3 json -k ./emit ::: 1 22 ::: 'x y' z </dev/null
same "--results FILE.json, two sources: V [ .. , .. ]" rec r3
printf 'a,b\n1,x y\n22,"q"\n' >hdr.csv
records r4 csv -k --header : --colsep , ./emit {a} {b} <hdr.csv
same "--results FILE.csv --header :: the columns' names" rec r4
records r5 csv --timeout 0.5 sleep ::: 10 </dev/null
same "--results FILE.csv, a timeout: Exitval -1, Signal 15" rec r5
rm -f once
cat >flaky <<'EOF'
#!/bin/sh
if [ ! -e once ]; then touch once; echo first; echo oops >&2; exit 1; fi
echo second
EOF
chmod +x flaky
records r6 json --retries 2 ./flaky ::: x </dev/null
rm -f once
same "--results FILE.json --retries 2: the last attempt's record only" rec r6
records r12 csv -k --tag 'echo {}; printf "e\nf" >&2' ::: a 'b c' </dev/null
same "--results FILE.csv --tag: Stdout and Stderr lines tagged" rec r12
records r13 json -k --tagstring 'X{}' 'echo {}; printf "e\nf" >&2' ::: a \
    </dev/null
same "--results FILE.json --tagstring: likewise" rec r13
"$POOLTOP_BIN" -q -u --results r14.csv echo ::: x >r14.out 2>&1
check "-u with --results: refused (255), said" sh -c \
    "[ $? -eq 255 ] && grep -q 'ungroup cannot be used with --results' r14.out"
records r7 csv -k ./emit ::: </dev/null
same "--results FILE.csv, no task: an empty file" rec r7
PARALLEL='' parallel -k --results -.csv ./emit ::: 1 22 >r8.parallel.csv 2>&1
"$POOLTOP_BIN" -q -k --results -.csv ./emit ::: 1 22 >r8.pooltop.csv 2>&1
masked r8.parallel.csv >r8.parallel.rec
masked r8.pooltop.csv >r8.pooltop.rec
same "--results -.csv: the records on stdout, nothing else" rec r8
# without -k, in the order they end: each task once
"$POOLTOP_BIN" -q -j4 --results r9.csv sh -c 'sleep 0.0$((5 - $1)); echo $1' \
    sh ::: 1 2 3 4 >r9.out 2>&1
check "--results FILE.csv without -k: each seq once, each output right" \
    python3 -c '
import csv, sys
rows = list(csv.reader(open("r9.csv", newline="")))
assert rows[0][0] == "Seq" and rows[0][9] == "V1", rows[0]
assert sorted(r[0] for r in rows[1:]) == ["1", "2", "3", "4"], rows
assert all(r[10] == r[9] + "\n" for r in rows[1:]), rows'
check "... nothing printed" [ ! -s r9.out ]
ln -s r9.csv link.csv
"$POOLTOP_BIN" -q --results link.csv echo ::: x >r10.out 2>&1
check "--results through a symbolic link: refused (255)" [ $? -eq 255 ]
check "... named" grep -q 'link.csv is a symbolic link' r10.out
"$POOLTOP_BIN" -q --results nodir/x.json echo ::: x >r11.out 2>&1
check "--results in a missing directory: 255, the file named" sh -c \
    "[ $? -eq 255 ] && grep -q 'nodir/x.json' r11.out"
"$POOLTOP_BIN" -q --results outdir echo ::: x >/dev/null 2>&1
check "--results DIR (no .csv ending) is still a directory" \
    [ -f outdir/1/stdout ]

finish

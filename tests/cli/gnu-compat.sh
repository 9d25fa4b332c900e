#!/bin/sh
# pooltop and GNU parallel side by side: each case runs through both tools,
# and their output, exit status and joblog (times masked) must agree, on
# --retries, --halt and its exit status, the joblog (timeouts, Receive,
# "-", /dev/stderr, +FILE, the quoting of Command), --line-buffer and items
# holding a NUL byte, several input sources (:::, ::::, -a, :::+), columns
# (--colsep, --header, --csv), -N, -m, -X, -L, --xargs, -s, --dry-run,
# --tagstring, --shuf, --timeout N%, --nice and -j N% +N -N.
# The deliberate differences are those the man page
# lists under COMPATIBILITY WITH GNU PARALLEL; where a case meets one, the
# documented behaviour is checked instead.  Skipped without GNU parallel.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

need_gnu_parallel
# GNU parallel runs commands with its parent's shell: make it pooltop's.
export PARALLEL_SHELL=/bin/sh
cd "$T" || exit 99

# run TOOL NAME ARGS...: run GNU parallel or pooltop (headless, quiet) in
# $T; its output in $T/NAME.TOOL.out, errors in .err, status in .rc.
run() {
	_t=$1 _n=$2; shift 2
	if [ "$_t" = pooltop ]; then
		"$POOLTOP_BIN" --headless -q "$@" >"$_n.$_t.out" 2>"$_n.$_t.err"
	else
		parallel "$@" >"$_n.$_t.out" 2>"$_n.$_t.err"
	fi
	echo $? >"$_n.$_t.rc"
}

# both NAME ARGS...: run both tools with ARGS (standard input, if any, is
# read once and given to each).
both() {
	_n=$1; shift
	cat >"$_n.in"
	run parallel "$_n" "$@" <"$_n.in"
	run pooltop "$_n" "$@" <"$_n.in"
}

# same DESC FILE-SUFFIX NAME: the two tools' files NAME.TOOL.SUFFIX agree.
same() {
	if cmp -s "$3.parallel.$2" "$3.pooltop.$2"; then
		ok "$1: same $2"
	else
		fail "$1: $2 differs: GNU parallel '$(od -An -c "$3.parallel.$2" |
		    tr -s ' \n' '  ')', pooltop '$(od -An -c "$3.pooltop.$2" |
		    tr -s ' \n' '  ')'"
	fi
}

# agree DESC NAME: same output and exit status.
agree() { same "$1" out "$2"; same "$1" rc "$2"; }

# masked FILE: a joblog with Starttime and JobRuntime masked, by seq.
masked() {
	awk -F'\t' 'BEGIN { OFS = "\t" } NR > 1 || $1 != "Seq" { $3 = "T"; $4 = "T" } 1' \
	    "$1" | sort -s -t "$(printf '\t')" -k1,1n
}

# joblogs DESC NAME: the joblogs NAME.TOOL.jl agree, times masked.
joblogs() {
	masked "$2.parallel.jl" >"$2.parallel.mjl"
	masked "$2.pooltop.jl" >"$2.pooltop.mjl"
	same "$1" mjl "$2"
}

# attempts NAME TOOL ARGS...: how many times a task that fails until its
# third attempt ran, with ARGS.
attempts() {
	_n=$1 _t=$2; shift 2
	: >"$_n.$_t.count"
	run "$_t" "$_n" -j1 "$@" \
	    ': {}; echo x >>'"$_n.$_t"'.count; [ $(wc -l <'"$_n.$_t"'.count) -ge 3 ]' \
	    ::: x
	wc -l <"$_n.$_t.count" | tr -d ' ' >>"$_n.$_t.out"
}

# --- --retries: N attempts in all; 0 is without limit -----------------
for n in 1 2 3 4 0; do
	attempts "retries$n" parallel --retries "$n"
	attempts "retries$n" pooltop --retries "$n"
	agree "--retries $n" "retries$n"
done
attempts retries-none parallel
attempts retries-none pooltop
agree "no --retries: one attempt" retries-none

# --- --halt and the exit status ------------------------------------
halt() {
	_n=$1; shift
	both "$_n" -j1 "$@" 'echo {}; exit {}' </dev/null
	agree "--halt $*" "$_n"
}
halt h1 --halt now,fail=1 ::: 0 3 5 0 0
halt h2 --halt now,fail=2 ::: 0 3 5 0 0
halt h3 --halt soon,fail=2 ::: 0 3 5 0 7 0
halt h4 --halt now,fail=3 ::: 0 3 5 0 7 0
halt h5 --halt now,done=2 ::: 0 3 5 0 0
halt h6 --halt now,done=1 ::: 4 0
halt h7 --halt soon,done=3 ::: 3 0 0 0 0
halt h8 --halt now,success=1 ::: 3 0 5 0 0
halt h9 --halt soon,success=2 ::: 3 0 5 0 0
halt h10 --halt soon,fail=34% ::: 0 3 5 0 7 0 0 0 0
halt h11 --halt now,fail=50% ::: 0 0 1 0 0
halt h12 --halt soon,done=40% ::: 2 0 0 0 0
halt h13 --halt 1 ::: 0 6 0
halt h14 --halt 2 ::: 0 0 9 0
halt h15 --halt never ::: 0 1 2

# Items from a pipe: GNU parallel reads them all first to know the total.
printf '%s\n' 0 3 5 0 7 0 0 0 0 |
    both hp1 -j1 --halt soon,fail=20% 'echo {}; exit {}'
agree "--halt soon,fail=20% on a pipe" hp1
printf '%s\n' 0 0 1 0 0 0 |
    both hp2 -j1 --halt now,fail=50% 'echo {}; exit {}'
agree "--halt now,fail=50% on a pipe, not reached" hp2

# A task ended by a signal: 128 plus its number, with fail=1.
both hs -j1 --halt now,fail=1 'kill -9 $$; : {}' ::: x </dev/null
agree "--halt now,fail=1 on a signal" hs

# --halt now: the output of the tasks it ended is discarded, a last line
# without its newline (--line-buffer) too, and so is the output -k holds.
HK='[ {} = 1 ] && sleep 0.5; printf "x{}\nout{}"; sleep {}; exit 1'
for o in "" --lb -k "-k --lb" --tag; do
	# shellcheck disable=SC2086
	both "hk$o" -j2 $o --halt now,fail=1 "$HK" ::: 3 1 </dev/null
	agree "--halt now $o discards the output of the tasks it ends" "hk$o"
done

# --- the joblog ------------------------------------------------------
# A timed-out task: Exitval -1, its signal.
run parallel to -j1 --timeout 0.5 --joblog to.parallel.jl 'sleep 3; echo {}' ::: a
run pooltop to -j1 --timeout 0.5 --joblog to.pooltop.jl 'sleep 3; echo {}' ::: a
agree "timeout" to
joblogs "a timed-out task's joblog line" to

# Receive is the bytes of output, and Command is quoted as GNU parallel does.
TAB=$(printf '\t')
set -- abc "d'e" 'f"g' 'h$i' 'j k' 'l\m' 'n`o' 'p;q' 'r*' "s${TAB}t" '~w' \
    'x#' '' "$(printf '\303\251')" 'y!z' '(a)' '{}' 'a=b' '-x' "'" "''" \
    'a/b.c' '+1' '%' '@x' 'a:b' ',' "$(printf 'cr\rx')" '&' '|' '<' '>'
run parallel q -j1 --joblog q.parallel.jl 'printf %s {}; printf "<%s>" {}' ::: "$@"
run pooltop q -j1 --joblog q.pooltop.jl 'printf %s {}; printf "<%s>" {}' ::: "$@"
agree "hostile items" q
joblogs "hostile items: Receive and Command" q
run parallel q2 -j1 --joblog q2.parallel.jl 'echo {}.{#}; echo x{/}y >&2' ::: a/b 'c d/e'
run pooltop q2 -j1 --joblog q2.pooltop.jl 'echo {}.{#}; echo x{/}y >&2' ::: a/b 'c d/e'
agree "stderr counts in Receive" q2
joblogs "stderr counts in Receive" q2

# --joblog -: the joblog goes to standard output.
run parallel jd -j1 --joblog - 'echo {}' ::: a b
run pooltop jd -j1 --joblog - 'echo {}' ::: a b
grep -v '^[a-z]*$' jd.parallel.out >jd.parallel.jl
grep -v '^[a-z]*$' jd.pooltop.out >jd.pooltop.jl
joblogs "--joblog -" jd
check "--joblog - makes no file" [ ! -e ./- ]
grep -x '[a-z]*' jd.pooltop.out >jd.pooltop.items
check "--joblog -: the output too" [ "$(tr '\n' ' ' <jd.pooltop.items)" = "a b " ]

# --joblog /dev/stderr
run parallel je -j1 --joblog /dev/stderr 'echo {}' ::: a b
run pooltop je -j1 --joblog /dev/stderr 'echo {}' ::: a b
agree "--joblog /dev/stderr" je
grep -v '^parallel:' je.parallel.err >je.parallel.jl
cp je.pooltop.err je.pooltop.jl
joblogs "--joblog /dev/stderr" je

# --joblog +FILE appends, to a file that exists or not.
for t in parallel pooltop; do
	run "$t" ja -j1 --joblog "ja.$t.jl" 'echo {}' ::: a
	run "$t" ja -j1 --joblog "+ja.$t.jl" 'echo {}' ::: b c
	run "$t" jn -j1 --joblog "+jn.$t.jl" 'echo {}' ::: d
done
joblogs "--joblog +FILE on a joblog" ja
joblogs "--joblog +FILE on no file" jn
if [ ! -e +ja.pooltop.jl ] && [ ! -e +jn.pooltop.jl ]; then
	ok "--joblog +FILE makes no +FILE"
else
	fail "--joblog +FILE makes no +FILE"
fi

# --- --line-buffer ---------------------------------------------------
both lb -j1 --line-buffer 'printf "a{}\nb{}"' ::: 1 2 </dev/null
agree "--line-buffer, last line without a newline" lb

# --- items with a NUL byte -------------------------------------------
printf 'a\nb\0c\nd\n' | both nul -j1 'printf "[%s]" {}'
agree "an item with a NUL byte" nul
check "a NUL byte: pooltop warns" grep -q 'NUL' nul.pooltop.err
printf 'a\0b\nc\0d\n' | both nul2 -j1 'printf "[%s]" {}'
agree "items with NUL bytes" nul2

# --- --results -------------------------------------------------------
# --results-layout gnu: GNU parallel's DIR/1/ITEM/{seq,stdout,stderr}, the
# same files with the same bytes, duplicate and odd items included.
set -- a 'b c' d/e "t${TAB}b\\c" a '' .. "$(printf '\303\251')"
RES='echo o{#}; printf "e%s\n" {} >&2'
run parallel res -j1 --results res.parallel "$RES" ::: "$@"
run pooltop res -j1 --results res.pooltop --results-layout gnu "$RES" ::: "$@"
agree "--results" res
if diff -r res.parallel res.pooltop >res.diff 2>&1; then
	ok "--results-layout gnu: the same files"
else
	fail "--results-layout gnu: the same files"
	sed 's/^/# /' res.diff
fi
# The default (documented): one directory per task, DIR/SEQ/.
run pooltop rs -j1 --results rs 'echo o{#}' ::: a a
check "--results: DIR/SEQ/ by default, duplicates kept" \
    [ "$(cat rs/1/stdout rs/2/stdout rs/2/item | tr '\n' ' ')" = "o1 o2 a" ]

# --- several input sources -------------------------------------------
# bothjl NAME DESC ARGS...: both tools with ARGS and a joblog; output,
# status and joblog agree.
bothjl() {
	_n=$1 _d=$2; shift 2
	run parallel "$_n" -k -j1 --joblog "$_n.parallel.jl" "$@" </dev/null
	run pooltop "$_n" -k -j1 --joblog "$_n.pooltop.jl" "$@" </dev/null
	agree "$_d" "$_n"
	joblogs "$_d" "$_n"
}
printf 'x\ny\n' >f1
printf '1\n2\n3\n' >f2
bothjl s1 "::: ::: product, last fastest, {#}" 'echo {#} {}' ::: a b ::: 1 2 3
bothjl s2 ":::+ longer than its partner" 'echo {1}-{2}' ::: a b c :::+ 1 2
bothjl s3 ":::+ shorter than its partner" 'echo {1}-{2}' ::: a b :::+ 1 2 3
bothjl s4 "linked and crossed groups" 'echo {}' \
    ::: a b c :::+ 1 2 3 ::: X Y :::+ 11 22
bothjl s5 ":::: two files" 'echo {2} {1}' :::: f1 f2
bothjl s6 ":::: ::::+ :::" 'echo {}' :::: f1 ::::+ f2 ::: z
bothjl s7 "-a twice" -a f1 -a f2 'echo {}'
bothjl s8 "-a then :::" -a f1 'echo {}' ::: p q
bothjl s9 "::: then ::::" 'echo {}' ::: a :::: f1
: >f0
bothjl s9e "an empty source among several" 'printf "<%s>" {1} {2} {3} | cat' \
    ::: a b ::: :::: f0
bothjl s9f "an empty linked source" 'printf "<%s>" {} | cat' ::: a b :::+
bothjl s9g "::::+ links every file after it" 'echo {}' \
    ::: a b c ::::+ f1 f2
bothjl s10 "{N.} {N/} {N//} {N/.} {-N}" 'echo {2.} {1/} {1//} {2/.} {-1}' \
    ::: /x/y.z a/b ::: a/b.c d.e
bothjl s11 "{0} and {-2}" 'echo {0} {-2}' ::: a ::: b ::: c
bothjl s12 "the append rule: every argument" "printf '<%s>'" ::: a 'b c' ::: -n
bothjl s13 "{} in shell mode: each argument quoted" 'printf "<%s>" {} | cat' \
    ::: 'a b' "c'd" ::: '-n' '$x' '\t'
# Without a shell, {} spreads over words as GNU parallel's shell splits them
# (the joblog's Command quotes whole words: see COMPATIBILITY).
both s13b -k -j1 'printf "<%s>" x{}y' ::: a 'b c' ::: 1 '' </dev/null
agree "x{}y over two sources" s13b
set -- "d'e" 'f"g' 'h$i' 'j k' 'l\m' 'n`o' 'p;q' '-x' '' "$(printf 'cr\rx')"
bothjl s14 "hostile values in two sources" 'printf "<%s|%s>" {1} {2} | cat' \
    ::: "$@" ::: '-n' "'"
printf 'x\ny\n' | both s15 -k -j1 'echo {}' ::: 1 2 :::: -
agree ":::: - (stdin) as a later source" s15
bothjl s16 "--tag with two sources" --tag 'echo x' ::: a b ::: 1 2
set -- ::: a/b 'c d' ::: "t${TAB}u" ''
run parallel s17 -j1 --results s17.parallel 'echo {1}{2}' "$@" </dev/null
run pooltop s17 -j1 --results s17.pooltop --results-layout gnu \
    'echo {1}{2}' "$@" </dev/null
agree "--results with two sources" s17
if diff -r s17.parallel s17.pooltop >s17.diff 2>&1; then
	ok "--results-layout gnu with two sources: the same files"
else
	fail "--results-layout gnu with two sources: the same files"
	sed 's/^/# /' s17.diff
fi
# --results-layout gnu with grouped items and with named columns.
# rgnu NAME DESC OPTIONS... -- SOURCES...: --results in both, same files.
rgnu() {
	_n=$1 _d=$2; shift 2
	_o=
	while [ "$1" != -- ]; do _o="$_o $1"; shift; done
	shift
	# shellcheck disable=SC2086
	run parallel "$_n" -j1 --results "$_n.parallel" $_o 'echo x' "$@" \
	    </dev/null
	# shellcheck disable=SC2086
	run pooltop "$_n" -j1 --results "$_n.pooltop" --results-layout gnu \
	    $_o 'echo x' "$@" </dev/null
	if diff -r "$_n.parallel" "$_n.pooltop" >"$_n.diff" 2>&1; then
		ok "--results-layout gnu, $_d: the same files"
	else
		fail "--results-layout gnu, $_d: the same files"
		sed 's/^/# /' "$_n.diff"
	fi
}
rgnu rg1 "-N 2" -N 2 -- ::: a b c
rgnu rg2 "-N 2, two sources" -N 2 -- ::: a b c ::: 1 2
rgnu rg3 "--colsep" --colsep , -- ::: a,b c
rgnu rg4 "--header :" --header : --colsep , -- ::: h,i a,b c,d
rgnu rg5 "-m" -m -s 12 -- ::: x y z
rgnu rg6 "--header :, an empty name" --header : -- ::: h a b ::: '' c
# Failed tasks run again from the joblog: --resume-failed and --retry-failed.
RF='echo {1}{2}; [ {2} != 2 ]'
for t in parallel pooltop; do
	run "$t" s18 -k -j1 --joblog "s18.$t.jl" "$RF" \
	    ::: a 'b c' ::: 1 2 </dev/null
	run "$t" s18 -k -j1 --joblog "s18.$t.jl" --resume-failed "$RF" \
	    ::: a 'b c' ::: 1 2 </dev/null
	cp "s18.$t.jl" "s19.$t.jl"
	run "$t" s19 -k -j1 --joblog "s19.$t.jl" --retry-failed </dev/null
done
agree "--resume-failed with two sources" s18
joblogs "--resume-failed with two sources" s18
agree "--retry-failed with two sources" s19
joblogs "--retry-failed with two sources" s19

# --- columns: --colsep, --header, --csv -------------------------------
# absent FILE...: none of them exists.
absent() { for _f; do [ ! -e "$_f" ] || return 1; done; }
# not_same A B: the files differ.
not_same() { ! cmp -s "$1" "$2"; }
# refused NAME TEXT: pooltop's run NAME exited 255 saying TEXT.
refused() {
	[ "$(cat "$1.pooltop.rc")" = 255 ] && grep -q -- "$2" "$1.pooltop.err"
}
# pipe NAME DESC INPUT ARGS...: INPUT (printf format) on stdin to both.
pipe() {
	_n=$1 _d=$2 _i=$3; shift 3
	# shellcheck disable=SC2059
	printf "$_i" | both "$_n" -k -j1 "$@"
	agree "$_d" "$_n"
}
PC='printf "<%s>" {1} {2} {3} {4}; echo'
pipe c1 "--colsep: empty and trailing columns, an empty line" \
    'a,,b,\n,x\n\n' --colsep , "$PC"
pipe c2 "--colsep '\\s+'" 'a  b\tc\n \td\n' --colsep '\s+' "$PC"
pipe c3 "--colsep '\\t'" 'a\tb c\t\n' --colsep '\t' "$PC"
pipe c4 "--colsep with regex metacharacters" 'a|b.c|d\n' --colsep '[|]' "$PC"
pipe c5 "--colsep '\\.'" 'a|b.c|d\n' --colsep '\.' "$PC"
pipe c6 "--colsep matching no bytes" 'aXXbXc\nX\nabc\n' --colsep 'X*' "$PC"
pipe c7 "--colsep of several bytes, unicode" \
    'a\303\251\303\251b\303\251\n' --colsep "$(printf '\303\251')" "$PC"
pipe c8 "--colsep: hostile columns, shell template" \
    "a b,\$x;\`c\`,'q\"\\\\,-n\n" --colsep , "$PC"
pipe c9 "--colsep: hostile columns, no shell" \
    "a b,\$x;\`c\`,'q\"\\\\,-n\n" --colsep , 'printf [%s] {1} {4} x{2}y {3}'
pipe c10 "--colsep: {} is every column" 'a b,c\n' --colsep , \
    'printf "<%s>" {}; echo'
pipe c11 "--colsep: no replacement string appends the columns" \
    'a b,c\n' --colsep , 'printf "<%s>"'
pipe c12 "--colsep: a column missing stands for nothing" 'a\nb,c\n' \
    --colsep , 'printf "<%s>" {2} x{2}y "{2}"; echo'
pipe c13 "--colsep: {2.} {2/} {-1}" 'x,a/b.c\n' --colsep , \
    'echo {2.} {2/} {2//} {2/.} {-1}'
bothjl c14 "--colsep over two sources" --colsep , 'echo {1}-{2}-{3}' \
    ::: a,b c,d ::: x,y
pipe h1 "--header : with --colsep" 'n1,n2\na,b\nc,d\n' --colsep , \
    --header : 'echo {n2} {n1} {1}'
pipe h2 "--header : splits at tabs" 'n1\tn2\na\tb\n' --header : \
    'echo {n1} {} {2}'
pipe h3 "--header : names with spaces, modifiers" \
    'n 1,f\nx,a/b.c\n' --colsep , --header : \
    'echo {n 1} {f.} {f/} {f//} {f/.} {g}'
pipe h4 "--header : only a header" 'n1,n2\n' --colsep , --header : 'echo {n1}'
bothjl h5 "--header : over two sources" --header : 'echo {f} {g}' \
    ::: f a b ::: g 1 2
pipe h6 "--header : in --tagstring" 'n\na\nb\n' --header : \
    --tagstring '<{n}>' 'echo {n}'
pipe h8 "--header : with -N 2" 'n\na\nb\nc\n' --header : -N 2 \
    'echo {n} {2} | cat'
pipe h7 "--header : with hostile values" "v,w\n\$(echo x),'a'\n" \
    --colsep , --header : 'printf "<%s>" {w} {v}'
# --csv needs Perl's Text::CSV in GNU parallel.
if perl -MText::CSV -e 1 2>/dev/null; then
	pipe v1 "--csv: quoted fields with commas, quotes, newlines" \
	    'a,"b,c","d""e",\n"x\ny",z\n' --csv "$PC"
	pipe v2 "--csv with --colsep ;" 'a;"b;c"\n' --csv --colsep ';' "$PC"
	pipe v3 "--csv and --header" 'h1,h2\n"x,1",2\n' --csv --header : \
	    'echo {h2} {h1}'
	pipe v4 "--csv: hostile fields" "\"\$x;\`y\`\",\"'\",\"a\"\"b\"\n" \
	    --csv "$PC"
	pipe v5 "--csv: an empty line, spaces kept" '\n a , b \n' --csv "$PC"
	pipe v6 "--csv: a bad record" 'a"b,c\n' --csv "$PC"
else
	ok "--csv against GNU parallel # SKIP it needs Perl's Text::CSV"
fi
printf 'a,"b,c","d""e",\n"x\ny",z\n' |
    run pooltop v0 -k -j1 --csv "$PC"
check "--csv: fields as RFC 4180 says" [ "$(cat v0.pooltop.out)" = \
    "$(printf '<a><b,c><d"e><>\n<x\ny><z>')" ]
bothjl v7 "--csv on ::: items" --csv 'printf "<%s>" {1} {2}; echo' \
    ::: 'a,"b
c"' '"x""y",'

# --- -n / -N: several items a task ------------------------------------
bothjl n1 "-N 2: {} {1} {2} {#}" -N 2 'echo {} {1} {2} {#} | cat' \
    ::: a 'b c' d
bothjl n2 "-n 2 appends the items" -n 2 echo ::: a b c
bothjl n3 "-n 0: no argument" -n 0 'echo x | cat' ::: a b c
bothjl n4 "-N 2 with two sources" -N 2 'echo {1} {2} {3} {4}' \
    ::: a b c ::: 1 2
bothjl n5 "-N 2 with --colsep" -N 2 --colsep , \
    'echo {1} {2} {3} {4} | cat' ::: a,b c,d e
bothjl n6 "-N 2 --tag" -N 2 --tag echo ::: a b c
bothjl n7 "-N 2: hostile items" -N 2 'printf "<%s>" {2} {1}; echo' \
    ::: "d'e" '$x' 'a b' '-n' '`y`'
pipe n8 "-N 3 on a pipe" '1\n2\n3\n4\n5\n6\n7\n' -N 3 'echo {#}: {}'

# --- -m, --xargs, -s: as many items as fit ----------------------------
# each NAME DESC ARGS...: both tools with ARGS (no -j1: -m spreads over -j).
each() {
	_n=$1 _d=$2; shift 2
	run parallel "$_n" -k "$@" </dev/null
	run pooltop "$_n" -k "$@" </dev/null
	agree "$_d" "$_n"
}
each m1 "-m spreads over -j" -j3 -m echo ::: 1 2 3 4 5 6 7 8
each m2 "-m with -j1" -j1 -m echo ::: 1 2 3 4 5 6 7 8
each m3 "--xargs does not spread" -j3 --xargs echo ::: 1 2 3 4 5 6 7 8
each m4 "-s 12 -m" -j1 -s 12 -m echo ::: 1 2 3 4 5 6 7 8
each m5 "-s 14 -m, {} twice" -j1 -s 14 -m 'echo {} {}' ::: 1 2 3 4 5
each m6 "-s 14 --xargs, a shell template" -j1 -s 14 --xargs \
    'echo {} | cat' ::: 1 2 3 4 5
each m7 "-s 14 -m: spreading bounded by the length" -j2 -s 14 -m echo \
    ::: 1 2 3 4 5 6 7 8 9 10 11 12
each m8 "-m: hostile items" -j1 -s 30 -m 'printf "<%s>" {}; echo' \
    ::: "a'b" 'c d' '$x' '`y`' ';' 'e' '-n' 'g'
each m9 "--xargs -N 2" -j1 -s 20 --xargs -N 2 echo ::: 1 2 3 4 5
seq 20 | both m10 -k -j3 -m echo
agree "-m on a pipe spreads over -j" m10
seq 1000 | both m11 -k -j1 -s 200 --xargs 'echo {} | wc -c'
agree "--xargs -s 200 over 1000 items" m11
run parallel m12 -j1 -s 10 -m echo ::: 123456789012 a </dev/null
run pooltop m12 -j1 -s 10 -m echo ::: 123456789012 a </dev/null
same "an item too long for -s" rc m12
check "an item too long for -s: says so" \
    grep -q 'command line too long (17 >= 10)' m12.pooltop.err
bothjl m13 "-m: the joblog" -s 16 -m 'echo {} | cat' ::: a b c d e f
each x1 "-X: x{}y repeated" -j1 -X echo x{}y ::: 1 2 3
each x2 "-X -s 20, one string" -j1 -s 20 -X 'echo x{}y' ::: 1 2 3 4 5 6 7 8
each x3 "-X spreads over -j, {.}" -j3 -X echo pic{.}.png \
    ::: a.jpg b.jpg c.jpg d.jpg e.jpg
each x4 "-X: hostile items" -j1 -X 'printf "<%s>" x{}y {} z' \
    ::: 'a b' "c'd" '$x' '`y`'
each x5 "-X --dry-run" -j1 --dry-run -X echo x{}y ::: 1 2 3
pipe l1 "-L 2: a line ending in a blank goes on" 'a b\nc \nd\n\ne\nf\n' \
    -L 2 echo
pipe l2 "-L 2 implies -X" 'a b\nc \nd\n\ne\nf\n' -L 2 \
    'printf %s. x{}y'
pipe l3 "-L 1, a shell template" 'a\nb \nc\n' -L 1 'echo {} | cat'
pipe l4 "-L 0" 'a\nb\nc\n' -L 0 'echo x | cat'
pipe l5 "-L 2 -m" 'a\nb\nc\nd\ne\n' -L 2 -m echo
pipe l6 "-L 2 --xargs, x{}y" 'a\nb\nc\nd\ne\n' -L 2 --xargs 'echo x{}y'
pipe l7 "-L 2 -N 1" 'a\nb\nc\n' -L 2 -N 1 echo
pipe l8 "-L 1, the last line ending in a blank" 'a \nb ' -L 1 echo

# --- --dry-run, --tagstring, --shuf -----------------------------------
bothjl d1 "--dry-run prints the commands" --dry-run \
    'echo {}' ::: "a'b" '$x' 'c d'
both d2 -k -j1 --dry-run --tag 'echo {}; exit 3' ::: a 'b c' </dev/null
agree "--dry-run --tag, exit 0" d2
both d3 -k -j1 --dry-run -N 2 'echo {2} {1} | cat' ::: a b c </dev/null
agree "--dry-run -N 2" d3
run pooltop d4 -j1 --dry-run --joblog d4.jl 'touch d4.ran' ::: a </dev/null
check "--dry-run runs nothing, writes no joblog" absent d4.ran d4.jl
bothjl t1 "--tagstring with replacement strings" \
    --tagstring '<{}|{#}|{2}>' 'echo {}' ::: a 'b c' ::: 1
bothjl t2 "--tagstring on every line" --tagstring 'x{.}y' \
    'echo {}; echo z' ::: a.b
bothjl t3 "--tagstring: the value as it is" --tagstring "'{}'" \
    'echo {}' ::: "a'b" '$x'
both t4 -k -j1 --lb --tagstring '{1}:' 'echo {}' ::: "a'b" c </dev/null
agree "--tagstring --line-buffer" t4
# --shuf: the same tasks in some order, numbered in the order they run.
seq 1 40 >shuf.in
for t in parallel pooltop; do
	run "$t" sh1 -j1 --shuf 'echo {#} {}' <shuf.in
	sort -n sh1.$t.out | awk '{ print $2 }' | sort -n >sh1.$t.items
	awk '{ print $1 }' sh1.$t.out >sh1.$t.seqs
	run "$t" sh2 -j1 --shuf -N 3 'echo {#}' <shuf.in
done
same "--shuf: every item once" items sh1
same "--shuf: {#} in the order they run" seqs sh1
agree "--shuf -N 3: items shuffled, then grouped" sh2
awk '{ print $2 }' sh1.pooltop.out >sh1.pooltop.order
check "--shuf: not in input order" not_same sh1.pooltop.order shuf.in

# --- --timeout N%: of the median runtime of the tasks that succeeded ---
# The long task runs 50 times the others: ended with room to spare.
bothjl tp "--timeout 300%" --timeout 300% 'sleep {}; echo {}' \
    ::: 0.2 0.2 0.2 10 0.2

# --- --nice ----------------------------------------------------------
bothjl ni1 "--nice 5" --nice 5 'nice; : {}' ::: a b
both ni2 -j1 --nice 19 sh -c 'nice; : "$1"' sh ::: a </dev/null
agree "--nice 19, no shell" ni2

# --- documented differences ------------------------------------------
# A value inside quotes is quoted for its place: the item is printed.
run pooltop dq -j1 'printf "<%s>" "{}"; printf "<%s>" '"'"'{}'"'"'' ::: "d'e"
check "documented: {} inside quotes stays the item" \
    [ "$(cat dq.pooltop.out)" = "<d'e><d'e>" ]
# Several words: no shell runs, each word one argument.
run pooltop dw -j1 printf '<%s>' '{}' ::: 'a b' '$x;y'
check "documented: several words, no shell" \
    [ "$(cat dw.pooltop.out)" = '<a b><$x;y>' ]
# An item from ::: holding a newline is one item.
run pooltop dn -j1 'printf "<%s>" {}' ::: "$(printf 'u\nv')"
check "documented: a ::: item with a newline is one item" \
    [ "$(cat dn.pooltop.out)" = "$(printf '<u\nv>')" ]
run pooltop dn2 -j1 'printf "<%s>" {2}' ::: a ::: "$(printf 'u\nv')"
check "documented: in a later source too" \
    [ "$(cat dn2.pooltop.out)" = "$(printf '<u\nv>')" ]
# {N} past the last source is refused (GNU parallel makes it empty).
run pooltop dp -j1 'echo {3}' ::: a ::: b
check "documented: {3} with two sources: exit 255" \
    [ "$(cat dp.pooltop.rc)" = 255 ]
check "documented: {3} with two sources: says why" \
    grep -q '{3}: there are 2 input sources' dp.pooltop.err
# --colsep is a POSIX extended expression: Perl's (?...) is an error.
run pooltop dr -j1 --colsep '(?i)x' echo ::: a
check "documented: --colsep '(?i)x' refused, exit 255" \
    refused dr "--colsep '(?i)x'"
run pooltop dh -j1 --header 2 echo ::: a
check "documented: --header N (lines) needs --pipe" refused dh "needs --pipe"
printf 'a,b\r\nc,"d"\r\n' | run pooltop dc -k -j1 --csv 'printf "<%s>" {2}'
check "documented: --csv takes CRLF records" \
    [ "$(cat dc.pooltop.out)" = "<b><d>" ]
printf 'a,b\n"x\n' | run pooltop db -k -j1 --csv 'printf "<%s>" {2}'
check "documented: --csv: an unclosed quote, exit 255" \
    refused db 'stdin:2: not a well-formed CSV record' 
run pooltop dx -j1 -L 2 'echo {} | cat' ::: a
check "documented: -L 2 with a shell template is refused" \
    refused dx "-L without -m or --xargs needs a template without shell"
run pooltop dX -j1 -X 'echo x{}y | cat' ::: a
check "documented: -X with a shell template is refused" \
    refused dX "-X needs a template without shell syntax"
# -N: {} of several items is as with several sources (each its own word,
# the word's text before the first and after the last; one value, spaces
# between, inside quotes), where GNU parallel repeats the word for each.
run pooltop dN -k -j1 -N 2 'printf "<%s>" x{}y "{}"; echo' ::: a 'b c' d
check "documented: -N 2: x{}y and \"{}\" as with several sources" \
    [ "$(cat dN.pooltop.out)" = "$(printf '<xa><b cy><a b c>\n<xdy><d>')" ]
# In quotes, -m's items are one value: GNU parallel's quoting breaks there.
run pooltop dm -k -j1 -s 100 -m 'printf "<%s>" "{}"; echo' ::: "a'b" '`y`'
check "documented: -m: \"{}\" is the items as one value" \
    [ "$(cat dm.pooltop.out)" = "<a'b \`y\`>" ]
# A header name holding '/' is escaped as items are: one level.
run pooltop dl -j1 --results dl --results-layout gnu --header : 'echo x' \
    ::: a/b c
check "documented: --results: a header name with '/' is one level" \
    [ -f 'dl/a\_b/c/stdout' ]
run pooltop ds -j1 --shuf --joblog ds.jl --resume echo ::: a
check "documented: --shuf with --resume refused" refused ds "cannot be used"
run pooltop dt -j1 --tagstring '' echo ::: a
check "documented: --tagstring '' refused" [ "$(cat dt.pooltop.rc)" = 255 ]

# --- GNU parallel's other spellings of options pooltop has ---------------
# It takes long options without their hyphens (or with more), and a few
# other names: a script written for it runs the same.
printf 'a,1\nb,2\n' >sp.csv
sp=0
for o in "--keeporder" "--linebuffer" "--linebuffered" "--line-buffered" \
    "--maxargs=2" "--max-args 2" "--maxlines=1" "--tag-string <{}>" \
    "--norunifempty" "--argfile sp.csv" "--maxchars 100"; do
	sp=$((sp + 1))
	# shellcheck disable=SC2086
	both "sp$sp" -k -j1 $o echo ::: x y z </dev/null
	agree "spelling $o" "sp$sp"
done
both spc -k --col-sep , 'echo {2}{1}' :::: sp.csv </dev/null
agree "spelling --col-sep" spc
printf '1\n2\n3\n4\n' | both sprr --roundrobin --pipe -j1 -N1 wc -l
agree "spelling --roundrobin" sprr
rm -rf spres
printf 'a\nb\n' | both sprs --pipe --removerecsep -k -j1 -N1 cat
agree "spelling --removerecsep" sprs
# --remove-rec-sep without --pipe: taken in each spelling, items untouched,
# as GNU parallel takes it; from the environment too.  With --recend or
# --recstart (GNU parallel ignores those as well), the --recend is refused:
# it needs --pipe.
for o in --rrs --removerecsep --remove-rec-sep; do
	both "rr$o" -k -j1 "$o" 'printf "<%s>\n"' ::: 'aXb' 'c d' x </dev/null
	agree "$o without --pipe: taken, items as they are" "rr$o"
done
run pooltop rrnl -j1 --rrs 'printf "<%s>"' ::: "$(printf 'c\nd')"
check "... a newline (the default --recend) in a ::: item stays" \
    [ "$(cat rrnl.pooltop.out)" = "$(printf '<c\nd>')" ]
printf 'a\nb\n' | both rrin -k -j1 --rrs echo
agree "--rrs without --pipe: items from stdin" rrin
(
	export PARALLEL=--rrs POOLTOP=--rrs
	both rrenv -k -j1 echo ::: a b </dev/null
)
agree "--rrs without --pipe from PARALLEL/POOLTOP" rrenv
run pooltop rrre -j1 --rrs --recend X echo ::: a
check "documented: --rrs --recend X without --pipe: --recend needs --pipe" \
    refused rrre "--recend needs --pipe"
printf 'remove_rec_sep = true;\n' >rr.conf
run pooltop rrconf -k -j1 --config rr.conf echo ::: a b
check "remove_rec_sep = true in a config, a run without --pipe: taken" \
    [ "$(cat rrconf.pooltop.out rrconf.pooltop.rc)" = "$(printf 'a\nb\n0')" ]
run pooltop spr --result spres echo ::: x
check "spelling --result: the results directory" [ -f spres/1/stdout ]
for o in resumefailed retryfailed; do
	rm -f sp.jl
	run pooltop "sp$o.0" -k --joblog sp.jl 'echo {}; [ {} != y ]' ::: x y
	run pooltop "sp$o" -k --$o --joblog sp.jl 'echo {}; [ {} != y ]' ::: x y
	check "spelling --$o: taken, the failed one run again" \
	    [ "$(cat "sp$o.pooltop.out")" = y ]
done
run pooltop spg --groupby 1 echo ::: x
check "spelling --groupby: refused as --group-by is" \
    grep -q "GNU parallel's, not pooltop's: no --group-by" spg.pooltop.err

# --retry-failed before there is a joblog: an ordinary run that writes it;
# run again, nothing has failed: nothing runs.
for tool in parallel pooltop; do
	rm -f "rf.$tool.jl"
	run "$tool" rf1 -k --retry-failed --joblog "rf.$tool.jl" echo ::: a b
	run "$tool" rf2 -k --retry-failed --joblog "rf.$tool.jl" echo ::: c d
	tail -n +2 "rf.$tool.jl" | cut -f1,7,8,9 | sort >"rf.$tool.jlc"
done
agree "--retry-failed, no joblog yet" rf1
agree "--retry-failed again, none failed" rf2
same "--retry-failed: the joblog written" jlc rf

# --retry-failed with a joblog that records no task yet (an empty file,
# the header alone): nothing ran, so the run is the ordinary one GNU
# parallel makes without the file (GNU parallel runs the items as commands
# there: COMPATIBILITY).  Then nothing failed: nothing runs, as in GNU.
HDR='Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\t'
HDR="${HDR}Command\\n"
rm -f re.parallel.jl
run parallel re -k --retry-failed --joblog re.parallel.jl echo ::: a 'b c'
tail -n +2 re.parallel.jl | cut -f1,7,8,9 | sort >re.parallel.jlc
for c in empty header header-blank; do
	# shellcheck disable=SC2059	# HDR is a format: its \t and \n
	case $c in
	empty)		: >re.pooltop.jl ;;
	header)		printf "$HDR" >re.pooltop.jl ;;
	header-blank)	printf "\\n$HDR\\n" >re.pooltop.jl ;;
	esac
	run pooltop re -k --retry-failed --joblog re.pooltop.jl echo ::: a 'b c'
	agree "--retry-failed, a joblog file recording nothing ($c)" re
	tail -n +2 re.pooltop.jl | cut -f1,7,8,9 | sort >re.pooltop.jlc
	same "... ($c): the joblog written as without one" jlc re
	check "... ($c): the header first, once" \
	    [ "$(grep -c Seq re.pooltop.jl)$(head -c 3 re.pooltop.jl)" = 1Seq ]
	run pooltop re2 -k --retry-failed --joblog re.pooltop.jl echo ::: x
	check "... ($c): run again, nothing has failed: nothing runs" \
	    [ "$(cat re2.pooltop.out re2.pooltop.rc)" = 0 ]
done
# --joblog -: nothing to read back; items run, as in GNU parallel (the
# lines sorted: the two write a task's output and its joblog line in
# different orders).
both rs -k --retry-failed --joblog - echo ::: a b </dev/null
sed "s/\t[0-9.]*\t *[0-9.]*\t/\tT\tT\t/" rs.parallel.out | sort >rs.parallel.m
sed "s/\t[0-9.]*\t *[0-9.]*\t/\tT\tT\t/" rs.pooltop.out | sort >rs.pooltop.m
same "--retry-failed --joblog -: the items run" m rs
same "--retry-failed --joblog -" rc rs

# A file that is not a joblog: an error naming FILE:LINE, exit 255 as GNU
# parallel's, nothing run and the file left as it was.  Each spelling of
# "not a joblog": garbage first, after the header, after a task's line,
# and a last line without its newline that no crash could have cut.
n=0
for c in 'hello world\nfoo\n:1' "${HDR}\\nnot\\ta\\tjoblog\\n:3" \
    "${HDR}1\t:\t1.000\t0.1\t0\t0\t1\t0\techo x\\nfoo\\n:3" \
    'hello:1'; do
	n=$((n + 1))
	line=${c##*:}
	# shellcheck disable=SC2059
	printf "${c%:*}" >ng$n.jl
	cp ng$n.jl ng$n.orig
	rm -f ng.ran
	run pooltop ng$n --retry-failed --joblog ng$n.jl 'touch ng.ran; echo' \
	    ::: a
	check "--retry-failed, not a joblog ($n): FILE:LINE named, exit 255" \
	    refused ng$n "^pooltop: ng$n.jl:$line: not a joblog line"
	check "... ($n): nothing ran, the file as it was" \
	    sh -c "[ ! -e ng.ran ] && [ ! -s ng$n.pooltop.out ] &&
	    cmp -s ng$n.jl ng$n.orig"
done
printf 'hello world\nfoo\n' >ng.parallel.jl
run parallel ng --retry-failed --joblog ng.parallel.jl 'touch ng.ran; echo' \
    ::: a
check "... GNU parallel refuses it too, exit 255, nothing run" \
    sh -c "[ \"\$(cat ng.parallel.rc)\" = 255 ] && [ ! -e ng.ran ]"

# -I {} (xargs' habit, and GNU parallel's) is taken: {} is the item already.
printf 'a\nb c\n' | both spI -k -I {} echo 'x{}y'
agree "-I {}" spI
printf 'a\nb c\n' | both spI2 -k -I{} echo 'x{}y'
agree "-I{}" spI2
printf 'a\n' | both spI3 -k --replace={} echo 'x{}y'
agree "--replace={}" spI3
run pooltop spI4 -I % echo x%y ::: a
check "documented: -I % refused, saying what to write" \
    grep -q "other than {} is GNU parallel's, not pooltop's" spI4.pooltop.err
run pooltop spI5 -i echo x{}y ::: a
check "documented: -i refused" [ "$(cat spI5.pooltop.rc)" = 255 ]

# --- -j as GNU parallel reads it: N, N% of the CPUs (rounded up), +N, -N ---
# The count each form should give is worked out here; the first that many
# tasks wait (bounded) until that many have started, so exactly that many
# slots are busy at once if the tool runs that many workers: the largest
# {%} is the worker count, whatever the machine's speed.
ncpu=$(nproc)
for j in 1 3 50% 100% 150% 75% 1.5% +0 +1 -1 "-$((ncpu - 1))"; do
	case $j in
	*%) want=$(awk -v c="$ncpu" -v p="${j%\%}" 'BEGIN {
		v = c * p / 100; w = int(v); if (w < v) w++; print w }') ;;
	+*) want=$((ncpu + ${j#+})) ;;
	-*) want=$((ncpu - ${j#-})) ;;
	*) want=$j ;;
	esac
	for tool in parallel pooltop; do
		rm -rf bar && mkdir bar
		run "$tool" "j$j" -j "$j" 'touch bar/{#}; i=0; while [ $(ls bar | wc -l) -lt '"$want"' ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done; echo {%}' \
		    ::: $(seq $((want * 2 + 1)))
		sort -n "j$j.$tool.out" | tail -1 >"j$j.$tool.max"
	done
	check "-j $j ($ncpu CPUs): $want workers" [ "$(cat "j$j.pooltop.max")" = "$want" ]
	same "-j $j ($ncpu CPUs)" max "j$j"
done
# Beyond what there is to run: refused (GNU parallel: "Cannot run any jobs").
run pooltop jneg -j "-$ncpu" echo ::: a
check "-j -$ncpu ($ncpu CPUs): refused, exit 255" [ "$(cat jneg.pooltop.rc)" = 255 ]
check "... saying what the count came to" grep -q "of $ncpu CPUs is 0 workers" jneg.pooltop.err
run pooltop jbig -j +2000 echo ::: a
check "-j +2000: refused, beyond 1024" grep -q "must be from 1 to 1024" jbig.pooltop.err
# -j 0: as many as possible; pooltop starts a worker a task (ondemand.sh).
run parallel j0 -j 0 -k echo ::: a b c
run pooltop j0 -j 0 -k echo ::: a b c
agree "-j 0 (as many as possible) runs every item, as GNU parallel" j0
# The config file's key takes the same forms, as strings.
printf 'workers = "150%%";\n' >jc.conf
want=$(( (ncpu * 3 + 1) / 2 ))
rm -rf bar && mkdir bar
run pooltop jc -c jc.conf 'touch bar/{#}; i=0; while [ $(ls bar | wc -l) -lt '"$want"' ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done; echo {%}' \
    ::: $(seq $((want * 2 + 1)))
check "config workers = \"150%\" ($ncpu CPUs): $want workers" \
    [ "$(sort -n jc.pooltop.out | tail -1)" = "$want" ]
printf 'workers = "-%d";\n' "$ncpu" >jc2.conf
run pooltop jc2 -c jc2.conf echo ::: a
check "config workers = \"-$ncpu\": refused with FILE:LINE" \
    grep -q "jc2.conf:1: 'workers'.* is 0 workers: must be from 1 to 1024" jc2.pooltop.err

finish

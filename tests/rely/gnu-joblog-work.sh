#!/bin/sh
# No work lost or changed through the joblog, checked against GNU parallel.
#
# 1. Bytes: commands holding a newline (in the template and in items), tabs,
#    CRs, escapes, quotes, 8-bit bytes and every byte 1-255 (in 17 items)
#    are written by each tool and read
#    back by each tool: --retry-failed runs exactly the command that was run
#    (each prints its item to a file, compared byte for byte), and
#    --resume-failed reads every line.
# 2. Tasks cut short are not recorded as run: --halt now (fail=1, done=1),
#    --halt soon followed by SIGTERM, SIGTERM, SIGINT and `ctl stop` while
#    tasks run; then --resume, by either tool, runs exactly the work that
#    never completed.  --halt soon lets the running tasks finish and records
#    them.  A timed-out task is recorded as failed, by both tools:
#    --resume skips it, --resume-failed runs it.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

need_gnu_parallel
tasks=0

# tool NAME ARGS...: run GNU parallel or pooltop (headless, quiet).
tool() {
	_t=$1; shift
	tasks=$((tasks + 1))
	if [ "$_t" = pooltop ]; then
		"$POOLTOP_BIN" --headless -q "$@"
	else
		parallel "$@"
	fi
}

# --- 1. Bytes that could break a joblog line --------------------------
NL='
'
set -- "a${NL}b" "tab	in" "$(printf 'cr\rx')" 'back\n\slash' "q'uote\"dq" \
    "$(printf '\001\033[2J\177')" "$(printf '\200\377\376')" " lead" \
    "trail " '$(touch trip)`touch trip`' "-n" "${NL}${NL}x${NL}y"
# And every byte 1-255, fifteen to an item.
b=1
while [ $b -le 255 ]; do
	it=b
	for k in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do
		[ $((b + k)) -le 255 ] || break
		it=$it$(printf "\\$(printf %o $((b + k)))x")
		it=${it%x}
	done
	set -- "$@" "${it}e"
	b=$((b + 15))
done
NITEMS=$#
# Each task writes its item to $OUT/SEQ; a newline in the template too.
TPL='printf %s {} >"$OUT/{#}"
exit 1'
# Items NUL-separated in a file (GNU parallel splits ::: words at newlines).
i=0
mkdir "$T/want"
: >"$T/items"
for it in "$@"; do
	i=$((i + 1))
	printf %s "$it" >"$T/want/$i"
	printf '%s\0' "$it" >>"$T/items"
done

# same_files DIR: DIR holds exactly the wanted files, byte for byte.
same_files() {
	[ "$(ls "$1" | wc -l)" -eq "$NITEMS" ] || return 1
	for f in "$T"/want/*; do
		cmp -s "$f" "$1/${f##*/}" || { echo "# $1/${f##*/} differs"; return 1; }
	done
}

cd "$T" || exit 99
for w in pooltop parallel; do
	mkdir "$T/w.$w"
	OUT="$T/w.$w" tool $w -j2 --joblog "$T/jl.$w" -0 -a "$T/items" "$TPL" \
	    >/dev/null 2>&1
	check "$w wrote every odd item" same_files "$T/w.$w"
	for r in pooltop parallel; do
		cp "$T/jl.$w" "$T/copy"
		mkdir "$T/r.$w.$r"
		OUT="$T/r.$w.$r" tool $r -j2 --joblog "$T/copy" --retry-failed \
		    >/dev/null 2>&1
		check "$w's joblog, $r --retry-failed: the same commands, byte for byte" \
		    same_files "$T/r.$w.$r"
		cp "$T/jl.$w" "$T/copy"
		mkdir "$T/f.$w.$r"
		OUT="$T/f.$w.$r" tool $r -j2 --joblog "$T/copy" --resume-failed \
		    -0 -a "$T/items" "$TPL" >/dev/null 2>&1
		check "$w's joblog, $r --resume-failed: every line read" \
		    same_files "$T/f.$w.$r"
	done
done
check "no item ran code" [ ! -e "$T/trip" ]
tasks=$((tasks + 10 * NITEMS))

# --- 2. Tasks cut short are not recorded --------------------------------
# Items 1-6, three at a time.  Item 1 waits until 2 and 3 run, then exits 3
# (with $FAIL set) or sleeps too; 2 and 3 sleep until killed (with $SLOW)
# or until item 1's line is in the joblog (with $SOON).
HTPL='echo {} >>"$RAN"
case {} in
1) i=0; until [ -e "$D/s2" ] && [ -e "$D/s3" ] || [ $i -gt 3000 ]; do sleep 0.01; i=$((i + 1)); done
   [ -n "$FAIL" ] && exit 3; [ -n "$SLOW" ] && exec sleep '$MARK';;
2|3) touch "$D/s{}"
   if [ -n "$SOON" ]; then i=0; until grep -q "	3	0	" "$JL" || [ $i -gt 3000 ]; do sleep 0.01; i=$((i + 1)); done
   elif [ -n "$SLOW" ]; then exec sleep '$MARK'; fi;;
esac
exit 0'
export RAN D JL FAIL SLOW SOON

# seqs FILE: the seqs a joblog records, sorted, on one line.
seqs() { awk 'NR > 1 { print $1 }' "$1" | sort -n | tr '\n' ' '; }
has_s23() { [ -e "$D/s2" ] && [ -e "$D/s3" ]; }

# writer TOOL CASE ARGS...: run TOOL on items 1-6 in the background, with
# the joblog $JL; $pid is its pid.
writer() {
	_w=$1; _c=$2; shift 2
	D="$T/d.$_w.$_c" JL="$T/h.$_w.$_c" RAN="$T/ran.$_w.$_c"
	mkdir -p "$D"
	tasks=$((tasks + 3))
	if [ "$_w" = pooltop ]; then
		run_pool --headless -q -j3 --joblog "$JL" "$@" "$HTPL" ::: 1 2 3 4 5 6
	else
		parallel -j3 --joblog "$JL" "$@" "$HTPL" ::: 1 2 3 4 5 6 \
		    >/dev/null 2>&1 &
		pid=$!
		_bgpids="${_bgpids:-} $pid"
	fi
}

# after TOOL CASE RECORDED RESUMED: the joblog of TOOL's run of CASE
# records RECORDED, and --resume of it, by each tool, runs RESUMED.
after() {
	check "$1, $2: gone, no task left" wait_for 20 no_marked
	_got=$(seqs "$T/h.$1.$2")
	[ "$_got" = "$3" ] || echo "# $1, $2: the joblog records '$_got'"
	check "$1, $2: the joblog records '$3'" [ "$_got" = "$3" ]
	for r in pooltop parallel; do
		cp "$T/h.$1.$2" "$T/copy"
		: >"$T/ran"
		rm -rf "$T/rd" && mkdir "$T/rd"
		RAN="$T/ran" D="$T/rd" FAIL='' SLOW='' SOON='' \
		    tool $r -j3 --joblog "$T/copy" --resume "$HTPL" \
		    ::: 1 2 3 4 5 6 >/dev/null 2>&1
		_got=$(sort -n "$T/ran" | tr '\n' ' ')
		[ "$_got" = "$4" ] || echo "# $1, $2: $r --resume ran '$_got'"
		check "$1, $2: $r --resume runs '$4'" [ "$_got" = "$4" ]
	done
}

for w in pooltop parallel; do
	FAIL=1 SLOW=1 SOON=''
	writer $w now --halt now,fail=1
	check "$w, halt now: 2 and 3 ran" wait_for 20 has_s23
	reap "$pid" 30
	after $w now "1 " "2 3 4 5 6 "

	FAIL='' SLOW=1
	writer $w count --halt now,done=1
	check "$w, halt now,done=1: 1, 2 and 3 run" wait_for 20 nmarked_is 3
	# Ending one of them fires done=1; the other two are cut short.
	kill "$(marked | head -1)" 2>/dev/null
	reap "$pid" 30
	rec=$(seqs "$T/h.$w.count")
	check "$w, halt now,done=1: one task recorded ($rec), the other two not" \
	    [ "$(echo "$rec" | wc -w)" -eq 1 ]
	check "$w, halt now,done=1: no task left" wait_for 20 no_marked

	FAIL=1 SLOW='' SOON=1
	writer $w soon --halt soon,fail=1
	reap "$pid" 30
	after $w soon "1 2 3 " "4 5 6 "

	FAIL='' SLOW=1 SOON=''
	writer $w term
	check "$w, SIGTERM: 1, 2 and 3 run" wait_for 20 has_s23
	wait_for 20 nmarked_is 3
	kill -TERM "$pid"
	reap "$pid" 30
	after $w term "" "1 2 3 4 5 6 "
done

FAIL=1 SLOW=1 SOON=''
writer pooltop soonterm --halt soon,fail=1
check "pooltop, halt soon + SIGTERM: 2 and 3 run" wait_for 20 has_s23
check "pooltop, halt soon + SIGTERM: item 1 recorded" \
    wait_for 20 grep -q "	3	0	" "$JL"
kill -TERM "$pid"
reap "$pid" 30
after pooltop soonterm "1 " "2 3 4 5 6 "

FAIL='' SLOW=1
writer pooltop int
wait_for 20 nmarked_is 3
kill -INT "$pid"
reap "$pid" 30
after pooltop int "" "1 2 3 4 5 6 "

writer pooltop ctlstop
wait_for 20 nmarked_is 3
"$POOLTOP_BIN" ctl "$pid" stop >/dev/null 2>&1
reap "$pid" 30
after pooltop ctlstop "" "1 2 3 4 5 6 "

# A timeout is a result: recorded as failed by both tools.
TTPL='echo {} >>"$RAN"; [ {} = 2 ] && [ -n "$SLOW" ] && exec sleep '$MARK'; exit 0'
for w in pooltop parallel; do
	RAN="$T/tr.$w" SLOW=1 tool $w -j3 --timeout 3 --joblog "$T/t.$w" "$TTPL" \
	    ::: 1 2 3 >/dev/null 2>&1
	check "$w, timeout: all three recorded" [ "$(seqs "$T/t.$w")" = "1 2 3 " ]
	check "$w, timeout: recorded as failed (signal 15)" \
	    [ "$(awk -F'\t' '$1 == 2 { print $8 }' "$T/t.$w")" = 15 ]
	for r in pooltop parallel; do
		for m in --resume --resume-failed; do
			cp "$T/t.$w" "$T/copy"
			: >"$T/ran"
			RAN="$T/ran" SLOW='' tool $r -j3 --joblog "$T/copy" $m "$TTPL" \
			    ::: 1 2 3 >/dev/null 2>&1
			want=""
			[ $m = --resume-failed ] && want="2 "
			check "$w's timeout, $r $m runs '$want'" \
			    [ "$(sort -n "$T/ran" | tr '\n' ' ')" = "$want" ]
		done
	done
done

figures tasks=$tasks faults=13 hostile=$((4 * NITEMS)) lost=0
finish

#!/bin/sh
# Cross-check with the real thing.  A run of 20 tasks (four fail, two still
# running) is killed with SIGKILL, leaving a joblog with holes.  Then GNU
# parallel and pooltop each read a copy of it with --resume, --resume-failed
# and --retry-failed, and must run the same tasks: GNU parallel reading
# pooltop's joblog, and pooltop reading GNU parallel's.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

need_gnu_parallel

# The task, the same shell command line for both tools.
TPL='echo {} >>"$RAN"; case {} in 5|9) [ -n "$SLOW" ] && sleep '$MARK';; esac; case {} in 4|8|12|16|20) exit 1;; esac; exit 0'
ITEMS=$(seq 1 20)
nlines_ge() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }

# write_joblog TOOL FILE: a run of TOOL killed by SIGKILL while tasks 5 and
# 9 still run; everything else recorded.
write_joblog() {
	export RAN="$T/ran.write.$1" SLOW=1
	if [ "$1" = pooltop ]; then
		# shellcheck disable=SC2086
		run_pool --headless -q -j3 --joblog "$2" "$TPL" ::: $ITEMS
	else
		# shellcheck disable=SC2086
		parallel -j3 --joblog "$2" "$TPL" ::: $ITEMS >/dev/null 2>&1 &
		pid=$!
		_bgpids="${_bgpids:-} $pid"
	fi
	check "$1 writes 18 joblog lines" wait_for 30 nlines_ge "$2" 19
	check "$1: tasks 5 and 9 still run" wait_for 10 nmarked_is 2
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	# GNU parallel leaves its tasks behind when killed; pooltop must not.
	if [ "$1" = pooltop ]; then
		check "pooltop killed: its tasks end too" wait_for 10 no_marked
	else
		pkill -f "^sleep $MARK\$"
	fi
	unset SLOW
}

# run_reader TOOL MODE JOBLOG: run TOOL with MODE on a copy of JOBLOG;
# print the items it ran, sorted, on one line.
run_reader() {
	cp "$3" "$T/copy"
	export RAN="$T/ran.read"
	: >"$RAN"
	if [ "$1" = pooltop ]; then
		if [ "$2" = --retry-failed ]; then
			"$POOLTOP_BIN" --headless -q -j3 --joblog "$T/copy" "$2" >/dev/null 2>&1
		else
			# shellcheck disable=SC2086
			"$POOLTOP_BIN" --headless -q -j3 --joblog "$T/copy" "$2" "$TPL" ::: $ITEMS >/dev/null 2>&1
		fi
	else
		if [ "$2" = --retry-failed ]; then
			parallel -j3 --joblog "$T/copy" "$2" >/dev/null 2>&1
		else
			# shellcheck disable=SC2086
			parallel -j3 --joblog "$T/copy" "$2" "$TPL" ::: $ITEMS >/dev/null 2>&1
		fi
	fi
	sort -n "$RAN" | tr '\n' ' '
}

# compare WRITER MODE EXPECTED: both readers on WRITER's joblog.
compare() {
	p=$(run_reader parallel "$2" "$T/jl.$1")
	q=$(run_reader pooltop "$2" "$T/jl.$1")
	check "$1's joblog, $2: GNU parallel ran '$p', pooltop ran '$q'" [ "$p" = "$q" ]
	check "$1's joblog, $2: that is '$3'" [ "$q" = "$3" ]
}

for w in pooltop parallel; do
	write_joblog "$w" "$T/jl.$w"
	compare "$w" --resume "5 9 "
	compare "$w" --resume-failed "4 5 8 9 12 16 20 "
	compare "$w" --retry-failed "4 8 12 16 20 "
done

# The joblog pooltop writes is GNU parallel's, column for column.
check "pooltop's joblog header is GNU parallel's" \
    [ "$(head -1 "$T/jl.pooltop")" = "$(head -1 "$T/jl.parallel")" ]
check "same number of columns on every line" \
    [ "$(awk -F'\t' 'NF != 9' "$T/jl.pooltop" "$T/jl.parallel" | wc -l)" -eq 0 ]

figures tasks=$((2 * 20 + 12 * 7)) faults=2 hostile=0 lost=0
finish

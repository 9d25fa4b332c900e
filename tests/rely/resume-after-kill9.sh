#!/bin/sh
# Nothing lost across kill -9: the supervisor is killed with SIGKILL several
# times while tasks end all the time; after each kill no process of the
# pool is left, the joblog holds only whole lines (each written and flushed
# as its task ends), and each `--resume` runs exactly the tasks the joblog
# does not record (never one it records).  In the end every item is
# recorded exactly once; --resume-failed and --retry-failed then run
# exactly the failed ones.  A second pooltop on a joblog in use refuses.
#
#   RESUME_ITEMS=120  RESUME_KILLS=5
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

N=${RESUME_ITEMS:-120}
KILLS=${RESUME_KILLS:-5}
J=$T/jl
seq 1 "$N" >"$T/items"
# A task: record that it ran (in this round's file), fail when the item is
# a multiple of 10, take a few ms.  The marker finds live tasks.
TASK=": $MARK; echo \"\$1\" >>\"\$RAN\"; sleep 0.0\$((\$1 % 7)); [ \$((\$1 % 10)) -ne 0 ]"
tasks_alive() { pgrep -f "^sh -c : $MARK;" >/dev/null; }
no_tasks() { ! tasks_alive; }

# recorded: the seqs the joblog records, sorted.
recorded() { tail -n +2 "$J" | cut -f1 | sort; }
nrecorded() { tail -n +2 "$J" 2>/dev/null | wc -l; }
nrecorded_ge() { [ "$(nrecorded)" -ge "$1" ]; }
# whole_lines: the joblog ends with a newline and every line has 9 columns.
whole_lines() {
	[ "$(tail -c 1 "$J" | od -An -c | tr -d ' ')" = '\n' ] &&
	    [ "$(awk -F'\t' 'NF != 9' "$J" | wc -l)" -eq 0 ]
}

round=0
: >"$J"
bad_whole=0 bad_exact=0 kills=0
while [ $round -lt "$KILLS" ]; do
	round=$((round + 1))
	recorded >"$T/before.$round"
	export RAN="$T/ran.$round"
	: >"$RAN"
	flag=
	[ $round -gt 1 ] && flag=--resume
	run_pool --headless -q -j4 --joblog "$J" $flag -a "$T/items" sh -c "$TASK" sh
	# Let a few more tasks end, then kill -9.
	want=$(( $(wc -l <"$T/before.$round") + 8 ))
	if ! wait_for 30 nrecorded_ge "$want"; then
		fail "round $round: the run made no progress"
		break
	fi
	echo "# round $round: $(nrecorded) recorded, kill -9 $(date +%T.%N)"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	kills=$((kills + 1))
	if ! wait_for 10 no_tasks; then
		echo "# round $round: tasks left: $(pgrep -af "^sh -c : $MARK;")"
		bad_exact=$((bad_exact + 1))
	fi
	whole_lines || bad_whole=$((bad_whole + 1))
	# This round ran nothing the joblog recorded before it.
	if [ -n "$(sort "$RAN" | comm -12 - "$T/before.$round")" ]; then
		echo "# round $round ran recorded seqs"
		bad_exact=$((bad_exact + 1))
	fi
done
if [ "$bad_exact" -eq 0 ] && ! tasks_alive; then
	ok "after $kills kill -9s: no task process left"
else
	fail "after $kills kill -9s: no task process left"
fi
check "after each kill -9: the joblog holds whole lines only" [ "$bad_whole" -eq 0 ]
check "no seq recorded twice" [ -z "$(recorded | uniq -d)" ]

# The last --resume runs to the end: exactly the seqs not yet recorded.
recorded >"$T/before.last"
export RAN="$T/ran.last"
: >"$RAN"
"$POOLTOP_BIN" --headless -q -j4 --joblog "$J" --resume -a "$T/items" sh -c "$TASK" sh >/dev/null 2>&1
rc=$?
seq 1 "$N" | sort | comm -23 - "$T/before.last" >"$T/want.last"
check "final --resume ran exactly the unrecorded tasks" \
    [ "$(sort "$RAN" | tr '\n' ' ')" = "$(tr '\n' ' ' <"$T/want.last")" ]
check "every seq recorded exactly once" \
    [ "$(recorded | sort -n | tr '\n' ' ')" = "$(seq 1 "$N" | tr '\n' ' ')" ]
nfail=$(tail -n +2 "$J" | awk -F'\t' '$7 != 0' | wc -l)
check "the failed ones recorded failed ($nfail)" [ "$nfail" -eq $((N / 10)) ]
lost=$((N - $(recorded | sort -un | wc -l)))

# --resume with nothing left runs nothing.
export RAN="$T/ran.none"
: >"$RAN"
"$POOLTOP_BIN" --headless -q -j4 --joblog "$J" --resume -a "$T/items" sh -c "$TASK" sh >/dev/null 2>&1
check "--resume of a finished run runs nothing" [ ! -s "$RAN" ]

# --resume-failed runs exactly the failed ones (now made to succeed).
export RAN="$T/ran.rf"
: >"$RAN"
"$POOLTOP_BIN" --headless -q -j4 --joblog "$J" --resume-failed -a "$T/items" \
    sh -c ": $MARK; echo \"\$1\" >>\"\$RAN\"" sh >/dev/null 2>&1
rc=$?
check "--resume-failed ran exactly the failed seqs" \
    [ "$(sort -n "$RAN" | tr '\n' ' ')" = "$(seq 10 10 "$N" | tr '\n' ' ')" ]
check "--resume-failed: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "--resume-failed: now none failed (last line wins)" \
    [ "$("$POOLTOP_BIN" --headless -q --joblog "$J" --retry-failed 2>&1; echo $?)" = 0 ]

figures tasks=$N faults=$kills hostile=0 lost=$lost
finish

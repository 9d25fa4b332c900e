#!/bin/sh
# A crash-looping task backs off: with --retries 8 a task that kills itself
# with SIGSEGV is started 8 times, the delay before each retry doubles from
# 100 ms and is capped at 5 s (100 200 400 800 1600 3200 5000, announced in
# the log and seen between attempts), other tasks keep running meanwhile,
# and after its last attempt it is marked failed (joblog: Signal 11, exit
# status 1).  About 12 s.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

SLACK=${RELY_TIME_SLACK_MS:-2000}
WANT="100 200 400 800 1600 3200 5000"
export ATT="$T/attempts"
TASK='case $1 in crash) date +%s%3N >>"$ATT"; kill -SEGV $$ ;; *) sleep 0.1 ;; esac'

"$POOLTOP_BIN" --headless -j1 --retries 8 --log "$T/log" --joblog "$T/jl" \
    sh -c "$TASK" sh ::: crash a b c d e f >/dev/null 2>&1
rc=$?
check "exit status 1: one task failed for good (got $rc)" [ "$rc" -eq 1 ]
check "8 attempts" [ "$(wc -l <"$ATT")" -eq 8 ]
announced=$(sed -n 's/.*task\.retry.* retry in \([0-9]*\)ms.*/\1/p' "$T/log" | tr '\n' ' ')
check "announced delays: $announced" [ "$announced" = "$WANT " ]
gaps=$(awk 'NR > 1 { printf "%d ", $1 - p } { p = $1 }' "$ATT")
echo "# gaps between attempts (ms): $gaps"
# From the first attempt to each later one: at least the sum of the delays
# before it (less a scheduling jitter: an attempt logs its time once its
# shell runs), at most that plus SLACK.
ok_gaps=$(echo "$gaps" | awk -v want="$WANT" -v slack="$SLACK" -v jitter="${RELY_JITTER_MS:-50}" '{
	n = split(want, w, " ")
	for (i = 1; i <= n; i++) {
		sum += w[i]; cum += $i
		if (cum < sum - jitter || cum > sum + slack) { print "no"; exit }
	}
	print "yes" }')
check "the retries wait their delays, capped at 5000 ms" [ "$ok_gaps" = yes ]
last=$(echo "$gaps" | awk '{ print $NF }')
check "the last wait is capped: $last ms, under the uncapped 6400" [ "$last" -lt 6400 ]
check "marked failed: one joblog line, Signal 11" \
    [ "$(awk -F'\t' '$9 ~ / crash$/ {print $7 "/" $8}' "$T/jl")" = "0/11" ]
check "task.failed logged once" [ "$(grep -c 'task\.failed' "$T/log")" -eq 1 ]
# The other tasks did not wait for the back-off: all done long before the
# last attempt (by the 6th, 3.1 s of delays in).
third=$(sed -n 6p "$ATT")
lastok=$(awk -F'\t' '$9 !~ / crash$/ && NR > 1 { e = $3 * 1000 + $4 * 1000; if (e > m) m = e } END { printf "%.0f", m }' "$T/jl")
check "the other six finished during the back-off" [ "$lastok" -le "$third" ]
check "the other six succeeded" [ "$(awk -F'\t' '$9 !~ / crash$/ && $7 == 0' "$T/jl" | wc -l)" -eq 6 ]
figures tasks=14 faults=8 hostile=0 lost=0
finish

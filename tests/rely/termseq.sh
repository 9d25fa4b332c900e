#!/bin/sh
# The termination sequence: --termseq in GNU parallel's syntax, its default
# TERM,200,TERM,100,TERM,50,KILL,25, each signal followed by SIGCONT.  A
# task that logs every signal it gets (with the time) sees them in order,
# each step no sooner than the waits before it (less a scheduling jitter)
# and not absurdly later.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

command -v perl >/dev/null 2>&1 || skip "perl is needed"
SLACK=${RELY_TIME_SLACK_MS:-2000}	# upper bound on lateness
JITTER=${RELY_JITTER_MS:-50}		# how early a handler may seem to run

# The task: log READY, then every signal it gets, with the time in ms.
cat >"$T/sig.pl" <<'EOF'
use strict;
use Time::HiRes qw(time);
open(my $f, '>>', $ARGV[0]) or die;
$f->autoflush(1);
for my $s (qw(TERM INT HUP USR1 CONT)) {
	$SIG{$s} = sub { printf $f "%s %d\n", $s, time * 1000 };
}
printf $f "READY %d\n", time * 1000;
select(undef, undef, undef, 0.05) while 1;
EOF

# seq_of FILE: the signal names logged, in order, one line.  A signal and
# the SIGCONT sent right after it may both be pending when the task next
# runs, and perl then runs their handlers in either order: a CONT logged
# within 5 ms before another signal counts as after it.
seq_of() {
	awk '$1 != "READY" {
		printf "%.0f %d %s\n", $2 + ($1 == "CONT" ? 5 : 0), NR, $1
	}' "$1" | sort -n -k1,1 -k2,2 | awk '{ printf "%s ", $3 }'
}
# gaps_ok FILE WAIT...: the time from the first signal to each later one
# (CONT aside) is at least the sum of the waits before it, less JITTER ms
# (a handler runs when the task is next scheduled, so one delayed handler
# shortens the next gap), and at most that sum plus SLACK ms.
gaps_ok() {
	_f=$1; shift
	awk -v waits="$*" -v slack="$SLACK" -v jitter="$JITTER" '
	BEGIN { n = split(waits, w, " ") }
	$1 != "READY" && $1 != "CONT" { t[++k] = $2 }
	END {
		if (k != n + 1) exit 1
		for (i = 1; i <= n; i++) {
			want += w[i]
			d = t[i + 1] - t[1]
			if (d < want - jitter || d > want + slack) {
				printf "step %d: %d ms after the first, want %d\n", i + 1, d, want
				exit 1
			}
		}
	}' "$_f"
}
ready() { grep -q READY "$1" 2>/dev/null; }

# A custom sequence, started by --timeout (long enough for perl to be
# ready even on a loaded machine).
: >"$T/a"
"$POOLTOP_BIN" --headless -q -j1 --timeout 3 --termseq INT,300,HUP,400,USR1,200,KILL,25 \
    perl "$T/sig.pl" "$T/a" ::: x >/dev/null 2>&1
rc=$?
check "custom: the task failed (timeout), exit 1" [ "$rc" -eq 1 ]
check "custom: signals in order, each followed by CONT" \
    [ "$(seq_of "$T/a")" = "INT CONT HUP CONT USR1 CONT " ]
check "custom: waits 300, 400 between steps" gaps_ok "$T/a" 300 400
echo "# custom: $(tr '\n' ' ' <"$T/a")"

# The default sequence, started by SIGTERM to the supervisor.
: >"$T/b"
run_pool --headless -q -j1 --log "$T/blog" perl "$T/sig.pl" "$T/b" ::: x
check "default: task ready" wait_for 20 ready "$T/b"
kill -TERM "$pid"
wait "$pid"
check "default: TERM, TERM, TERM, each followed by CONT" \
    [ "$(seq_of "$T/b")" = "TERM CONT TERM CONT TERM CONT " ]
check "default: waits 200, 100 between steps" gaps_ok "$T/b" 200 100
# The KILL comes 50 ms after the last TERM, 350 ms after the first.  The
# times logged are when the handlers ran, which is late by as much as the
# task waited for a CPU (JITTER): the task ends no sooner than 350 ms less
# that after the first TERM, and after the last one.
first=$(awk '$1 == "TERM" { print $2; exit }' "$T/b")
last=$(awk '$1 == "TERM" { t = $2 } END { print t }' "$T/b")
end=$(grep -m1 'task.killed' "$T/blog" | sed 's/^\([^ ]*\) .*/\1/')
end_ms=$(( $(date -d "$end" +%s%N) / 1000000 ))
d="default: killed no sooner than 350 ms after the first TERM"
d="$d ($((end_ms - first)) ms), after the last ($((end_ms - last)) ms)"
if [ $((end_ms - first)) -ge $((350 - JITTER)) ] &&
    [ $((end_ms - last)) -ge 0 ] &&
    [ $((end_ms - first)) -le $((350 + SLACK)) ]; then
	ok "$d"
else
	fail "$d"
fi
echo "# default: $(tr '\n' ' ' <"$T/b")"

# The config key, and a bad sequence is a usage error.
printf 'termseq = "HUP,100,KILL,25";\n' >"$T/c.conf"
: >"$T/c"
run_pool -c "$T/c.conf" --headless -q -j1 perl "$T/sig.pl" "$T/c" ::: x
check "config termseq: task ready" wait_for 20 ready "$T/c"
kill -TERM "$pid"
wait "$pid"
check "config termseq: HUP then KILL" [ "$(seq_of "$T/c")" = "HUP CONT " ]
"$POOLTOP_BIN" --termseq TERM,x --headless true ::: x >/dev/null 2>"$T/e"
check "bad --termseq: exit 255" [ $? -eq 255 ]
check "bad --termseq: names the option" grep -q termseq "$T/e"

figures tasks=3 faults=3 hostile=0 lost=0
finish

#!/usr/bin/env bash
# The what-if advisor's accuracy, measured: a workload runs at -j1 until
# M tasks have finished; the advice is read, the pool is resized to the
# size under test through `ctl resize`, and the finish time the advice
# predicted for that size is compared with the actual one (from the
# resize to the pool's end).  Two workloads:
#   cpu    a shell loop (CPU-bound): predicted and actual at 2 workers,
#          within 25%; and the advice must say 4 workers gain nothing
#          over 2 (on a 2-core machine: the rate at 4 within 5% of 2)
#   sleep  `sleep S` (no CPU): predicted and actual at 4 workers, past
#          the cores, within 25%
# Prints predicted and actual figures side by side; exit 1 if a bound is
# missed.  CPU taken by other processes makes the CPU-bound case miss (the
# man page's WHAT IF says why): run it on a quiet machine.
#   tests/bench/advisor.sh [N=40] [LOOP=300000] [S=0.3]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
N=${1:-40} LOOP=${2:-300000} S=${3:-0.3} M=5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
bad=0

# field NAME EXPR: EXPR of the pool's status --json (d).
field() {
	"$POOLTOP_BIN" ctl "$1" status --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$2"
}
now() { date +%s.%N; }

# run NAME SIZE CMD...: at -j1 until M tasks are done, then resize to SIZE;
# prints "predicted actual rate@2 rate@4".
run() {
	local name=$1 size=$2 pid adv t0 t1
	shift 2
	"$POOLTOP_BIN" --headless -q -j1 --name "$name" "$@" &
	pid=$!
	until [ "$(field "$name" 'd["done"]' 2>/dev/null || echo 0)" -ge $M ]; do
		sleep 0.1
	done
	adv=$(field "$name" '" ".join(str(s["finish_in"]) for s in d["advice"]["sizes"] if s["workers"] == '"$size"') + " " + " ".join(str(s["rate"]) for s in d["advice"]["sizes"] if s["workers"] in (2, 4))')
	t0=$(now)
	"$POOLTOP_BIN" ctl "$name" resize "$size" >/dev/null
	wait "$pid" || true
	t1=$(now)
	set -- $adv
	awk -v p="$1" -v s="$t0" -v e="$t1" -v r2="$2" -v r4="$3" \
	    'BEGIN { printf "%.2f %.2f %.4f %.4f\n", p, e - s, r2, r4 }'
}

# report NAME PREDICTED ACTUAL: the error, and whether it is within 25%.
report() {
	awk -v n="$1" -v p="$2" -v a="$3" 'BEGIN {
		err = (p - a) / a * 100
		printf "%-28s predicted %7.2fs  actual %7.2fs  error %+6.1f%%  %s\n",
		    n, p, a, err, (err < 25 && err > -25) ? "ok" : "MISSED"
		exit !(err < 25 && err > -25) }'
}

cores=$(getconf _NPROCESSORS_ONLN)
echo "advisor accuracy on $cores cores, $N tasks, $M measured at -j1"
read -r p a r2 r4 < <(run cpu$$ 2 sh -c 'i=0; while [ $i -lt $1 ]; do i=$((i+1)); done' x "$LOOP" ::: $(seq "$N"))
report "cpu-bound, resized to 2" "$p" "$a" || bad=1
awk -v r2="$r2" -v r4="$r4" 'BEGIN {
	printf "%-28s rate at 2 %.3f/s, at 4 %.3f/s: %s\n", "cpu-bound, 4 vs 2",
	    r2, r4, r4 < 1.05 * r2 ? "no gain (ok)" : "a gain (MISSED)"
	exit !(r4 < 1.05 * r2) }' || bad=1
read -r p a r2 r4 < <(run sleep$$ 4 sleep ::: $(yes "$S" | head -n "$N"))
report "sleep-bound, resized to 4" "$p" "$a" || bad=1
exit $bad

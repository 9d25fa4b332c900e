#!/usr/bin/env bash
# -j auto against fixed sizes: the wall time of the same workload at -j1,
# -j2, -j4, -j8 and -j auto, printed side by side, for a CPU-bound shell
# loop and for `sleep`; -j auto should end within 15% of the best fixed
# size (exit 1 if it does not).  Short runs pay for auto's measuring (2
# seconds at least at each size it tries): give enough tasks.
#   tests/bench/auto.sh [CPU_TASKS=60] [LOOP=200000] [SLEEP_TASKS=300] [S=0.2]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
NC=${1:-60} LOOP=${2:-200000} NS=${3:-300} S=${4:-0.2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
bad=0

# wall J CMD...: seconds to run the workload at -j J.
wall() {
	local j=$1 s e
	shift
	s=$(date +%s.%N)
	"$POOLTOP_BIN" --headless -q -j "$j" "$@" </dev/null >/dev/null 2>&1 || true
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }'
}

# bench NAME CMD...: every size, then auto against the best.
bench() {
	local name=$1 j t best=0 line=""
	shift
	for j in 1 2 4 8; do
		t=$(wall "$j" "$@")
		line="$line  -j$j ${t}s"
		best=$(awk -v b="$best" -v t="$t" 'BEGIN { print (b == 0 || t < b) ? t : b }')
	done
	t=$(wall auto "$@")
	printf '%-12s%s  -j auto %ss  best %ss: %s\n' "$name" "$line" "$t" \
	    "$best" "$(awk -v t="$t" -v b="$best" 'BEGIN {
		printf "%+.0f%% %s", (t / b - 1) * 100, t <= 1.15 * b ? "ok" : "MISSED" }')"
	awk -v t="$t" -v b="$best" 'BEGIN { exit !(t <= 1.15 * b) }'
}

echo "-j auto on $(getconf _NPROCESSORS_ONLN) cores (load $(cut -d' ' -f1 /proc/loadavg))"
bench cpu-bound sh -c 'i=0; while [ $i -lt $1 ]; do i=$((i+1)); done' x "$LOOP" \
    ::: $(seq "$NC") || bad=1
bench sleep-bound sleep ::: $(yes "$S" | head -n "$NS") || bad=1
exit $bad

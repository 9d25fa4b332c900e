#!/usr/bin/env bash
# -j auto against fixed sizes: the wall time of the same workload at -j1,
# -j2, -j4, -j8 and -j auto, in paired rounds (each round runs every size
# once, in turn), for a CPU-bound shell loop and for `sleep`.  Printed: the
# median wall time of each size with its spread, and auto's time over the
# best fixed size of the same round (median of the rounds, spread); -j auto
# should end within 15% of the best (exit 1 if the median does not).
# Short runs pay for auto's measuring (a second at least at each size it
# tries): give enough tasks.
#   tests/bench/auto.sh [ROUNDS=3] [CPU_TASKS=60] [LOOP=200000]
#                       [SLEEP_TASKS=600] [S=0.1]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
R=${1:-3} NC=${2:-60} LOOP=${3:-200000} NS=${4:-600} S=${5:-0.1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
# shellcheck source=tests/bench/paired.sh
. "$top/tests/bench/paired.sh"
bad=0

# bench NAME CMD...: R rounds of every size, then auto against the best.
bench() {
	local name=$1 j line="" best
	shift
	pr_init "$tmp/$name"
	for _ in $(seq "$R"); do
		for j in 1 2 4 8 auto; do
			pr_time "j$j" /dev/null "$POOLTOP_BIN" --headless -q \
			    -j "$j" "$@"
		done
		# this round's best fixed size
		best=$(for j in 1 2 4 8; do tail -n 1 "$tmp/$name/j$j"; done |
		    sort -g | head -n 1)
		pr_add best "$best"
	done
	for j in 1 2 4 8 auto; do
		line="$line  -j$j $(printf '%.2f' "$(pr_med "j$j")")s ($(pr_range "j$j"))"
	done
	read -r ratio spread <<<"$(pr_ratio jauto best)"
	printf '%-12s%s\n%12s-j auto / best fixed size: %sx (%s) %s\n' "$name" \
	    "$line" "" "$ratio" "$spread" \
	    "$(awk -v x="$ratio" 'BEGIN { print x <= 1.15 ? "ok" : "MISSED" }')"
	awk -v x="$ratio" 'BEGIN { exit !(x <= 1.15) }'
}

echo "-j auto on $(getconf _NPROCESSORS_ONLN) cores, $R paired rounds (load $(cut -d' ' -f1 /proc/loadavg))"
# (the items split on purpose: one argument each)
# shellcheck disable=SC2046
bench cpu-bound sh -c 'i=0; while [ $i -lt $1 ]; do i=$((i+1)); done' x "$LOOP" \
    ::: $(seq "$NC") || bad=1
# shellcheck disable=SC2046
bench sleep-bound sleep ::: $(yes "$S" | head -n "$NS") || bad=1
exit $bad

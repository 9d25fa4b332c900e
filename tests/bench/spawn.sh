#!/usr/bin/env bash
# Per-task overhead: N `true` tasks at P workers with pooltop, a minimal
# posix_spawn loop, xargs -P and GNU parallel, in one run of R paired
# rounds (each round runs every runner once, in turn); prints each
# runner's median wall time with its spread (min-max over the rounds), and
# its ratio to the spawn loop (median of the per-round ratios, and their
# spread).  Every runner runs `true ITEM` (one argument each, as xargs -n1
# and GNU parallel do).
#   tests/bench/spawn.sh [N=2000] [P=2] [R=5]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/paired.sh"
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
N=${1:-2000} P=${2:-2} R=${3:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
cc -O2 -o "$tmp/spawnloop" "$top/tests/bench/spawnloop.c"
seq 1 "$N" >"$tmp/items"
pr_init "$tmp/t"
gp=false
command -v parallel >/dev/null && gp=true

for _ in $(seq 1 "$R"); do
	pr_time loop /dev/null "$tmp/spawnloop" "$P" "$N" true
	pr_time pooltop /dev/null "$POOLTOP_BIN" --headless -q -j"$P" \
	    -a "$tmp/items" true
	pr_time xargs /dev/null sh -c "xargs -P$P -n1 true <'$tmp/items'"
	$gp && pr_time parallel /dev/null parallel --will-cite -j"$P" true \
	    :::: "$tmp/items"
done

printf '%d tasks of `true`, %d at a time, %d paired rounds, %s CPUs;\n' \
    "$N" "$P" "$R" "$(nproc)"
printf 'median (min-max over the rounds)\n'
printf '%-20s %22s %10s %20s\n' runner "wall (s)" "per task" "vs spawn loop"
row() {
	local med
	med=$(pr_med "$2")
	printf '%-20s %8.3f (%11s) %7.0f us %20s\n' "$1" "$med" \
	    "$(pr_range "$2" | awk -F- '{ printf "%.2f-%.2f", $1, $2 }')" \
	    "$(echo "$med * 1000000 / $N" | bc -l)" \
	    "$(pr_ratio "$2" loop | awk '{ printf "%sx (%s)", $1, $2 }')"
}
row "posix_spawn loop" loop
row "pooltop" pooltop
row "xargs -P$P" xargs
$gp && row "GNU parallel -j$P" parallel
exit 0

#!/usr/bin/env bash
# Per-task overhead: N `true` tasks at P workers with pooltop, a minimal
# posix_spawn loop, xargs -P and GNU parallel, in one run; prints the wall
# times (best of R runs) and the ratios to the spawn loop.  Every runner
# runs `true ITEM` (one argument each, as xargs -n1 and GNU parallel do).
#   tests/bench/spawn.sh [N=2000] [P=2] [R=5]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
POOLTOP=${POOLTOP:-$top/_build/plain/src/pooltop}
N=${1:-2000} P=${2:-2} R=${3:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/spawnloop" "$top/tests/bench/spawnloop.c"
seq 1 "$N" >"$tmp/items"

best() {	# best wall time in seconds of R runs of "$@"
	local b="" s e t
	for _ in $(seq 1 "$R"); do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1 </dev/null || true
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}

base=$(best "$tmp/spawnloop" "$P" "$N" true)
pt=$(best "$POOLTOP" --headless -q -j"$P" -a "$tmp/items" true)
xa=$(best sh -c "xargs -P$P -n1 true <'$tmp/items'")
if command -v parallel >/dev/null; then
	gp=$(best parallel --will-cite -j"$P" true :::: "$tmp/items")
else
	gp=""
fi

printf '%d tasks of `true`, %d at a time, best of %d runs (%s)\n' "$N" "$P" "$R" "$(nproc) CPUs"
printf '%-22s %10s %12s %14s\n' runner "wall (s)" "per task" "vs spawnloop"
row() { printf '%-22s %10.3f %9.0f us %13.2fx\n' "$1" "$2" "$(echo "$2 * 1000000 / $N" | bc -l)" "$(echo "$2 / $base" | bc -l)"; }
row "posix_spawn loop" "$base"
row "pooltop" "$pt"
row "xargs -P$P" "$xa"
[ -n "$gp" ] && row "GNU parallel -j$P" "$gp"

#!/usr/bin/env bash
# --order longest-first against the input order, on a skewed workload:
# N sleeps of S seconds, the last L of them LS seconds long, at -j J.  In
# input order the long ones start last and the run ends on them; an
# earlier run's joblog (the first, unmeasured run, in input order) lets
# the next runs start them first.  Paired rounds (input, longest-first,
# input, ...): the median wall time of each with its spread, side by side,
# and the median of the per-round ratios.  Exit 1 if longest-first is not
# faster in the median.
#   tests/bench/longest.sh [ROUNDS=3] [N=40] [L=2] [S=0.25] [LS=3] [J=4]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
R=${1:-3} N=${2:-40} L=${3:-2} S=${4:-0.25} LS=${5:-3} J=${6:-4}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
. "$top/tests/bench/paired.sh"
pr_init "$tmp/pr"

# The items: N-L short sleeps, then L long ones, each with its index, so
# that every task has a command of its own in the joblog.
for i in $(seq 1 $((N - L))); do echo "$S $i"; done >"$tmp/items"
for i in $(seq $((N - L + 1)) "$N"); do echo "$LS $i"; done >>"$tmp/items"
run() { "$POOLTOP_BIN" --headless -q -j "$J" -a "$tmp/items" "$@" \
    'sleep $(echo {} | cut -d" " -f1); : {}'; }

run --joblog "$tmp/old" >/dev/null 2>&1
for r in $(seq 1 "$R"); do
	pr_time input "$tmp/out" run
	pr_time longest "$tmp/out" run --order longest-first \
	    --joblog-in "$tmp/old"
done
work=$(awk -v n="$N" -v l="$L" -v s="$S" -v ls="$LS" -v j="$J" \
    'BEGIN { t = (n - l) * s + l * ls; printf "%.2f", t / j }')
printf '%d sleeps at -j%d: %d x %ss, then %d x %ss (work / workers: %ss)\n' \
    "$N" "$J" $((N - L)) "$S" "$L" "$LS" "$work"
printf '%-20s %-16s %-16s\n' "" "input order" "longest-first"
printf '%-20s %-16s %-16s\n' "wall, median" "$(printf '%.2fs' "$(pr_med input)")" \
    "$(printf '%.2fs' "$(pr_med longest)")"
range() { _pr_stats "$_pr/$1" | awk '{ printf "%.2f-%.2fs", $2, $3 }'; }
printf '%-20s %-16s %-16s\n' "spread (min-max)" "$(range input)" \
    "$(range longest)"
set -- $(pr_ratio longest input)
printf 'longest-first / input order: %s (%s over %d rounds)\n' "$1" "$2" "$R"
awk -v a="$(pr_med longest)" -v b="$(pr_med input)" 'BEGIN { exit !(a < b) }'

#!/usr/bin/env bash
# pooltop's own cost per item in persistent mode, two builds side by side:
# N items (default 1,000,000) through `cat` (a program that costs nothing)
# at -jP, the CPU time (user + sys) of pooltop, its workers and the `cat`s
# together, per item, and the wall time.  The builds run in turn (A B A B
# ...) for R rounds; figures are medians with their spread (min-max), and
# the ratio is the median of the per-round ratios B/A.  Every run's output
# is checked (every item once).  The target is 0.3 us of CPU per item.
#   tests/bench/persistent-cost.sh BIN_A BIN_B [N=1000000] [P=2] [R=5]
# BIN_B defaults to this tree's build; BIN_A to BIN_B (the same build twice
# gives the noise floor).  Environment: PROG, the persistent program
# (default cat), e.g. PROG="python3 $PWD/conf/examples/worker.py", the
# plain worker: its output is checked as the squares of the items, and the
# CPU figure is then the whole tree's, the program's work included.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/paired.sh"
B=${2:-$top/_build/plain/src/pooltop}
A=${1:-$B}
N=${3:-1000000} P=${4:-2} R=${5:-5}
PROG=${PROG:-cat}
unset POOLTOP	# default options: none of the caller's
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
seq 1 "$N" >"$tmp/items"
# What the program answers: the items themselves (cat), or their squares.
case $PROG in
cat)	cp "$tmp/items" "$tmp/want" ;;
*)	awk '{ printf "%.0f\n", $1 * $1 }' "$tmp/items" | sort -n >"$tmp/want" ;;
esac

# run NAME BIN: one run; its CPU us per item and wall seconds go to NAME.
check=ok
run() {
	/usr/bin/time -f '%U %S %e' -o "$tmp/t" "$2" --headless -q -j"$P" \
	    --persistent "$PROG" <"$tmp/items" >"$tmp/out" 2>/dev/null
	pr_add "$1" "$(awk -v n="$N" '{ printf "%.4f", ($1 + $2) * 1e6 / n }' \
	    "$tmp/t")"
	pr_add "$1_wall" "$(awk '{ print $3 }' "$tmp/t")"
	sort -n "$tmp/out" | cmp -s - "$tmp/want" || check=WRONG
}
pr_init "$tmp/r"
for _ in $(seq 1 "$R"); do
	run a "$A"
	run b "$B"
done
printf '%d items through %s, -j%d, %s CPUs, %d paired rounds; every' \
    "$N" "$PROG" "$P" "$(nproc)" "$R"
printf ' output checked: %s\n' "$check"
printf '%-6s %-24s %-22s %s\n' build "CPU us/item" "wall s" binary
for k in a b; do
	bin=$A
	[ $k = b ] && bin=$B
	printf '%-6s %-24s %-22s %s\n' "$k" \
	    "$(printf '%.2f (%s)' "$(pr_med $k)" "$(pr_range $k)")" \
	    "$(printf '%.2f (%s)' "$(pr_med ${k}_wall)" "$(pr_range ${k}_wall)")" \
	    "$bin"
done
printf 'b/a CPU per item: %s (median, min-max of rounds)\n' "$(pr_ratio b a)"
[ "$PROG" = cat ] || exit 0	# the target is pooltop's cost alone
v=$(pr_med b)
printf 'target: b <= 0.3 us of CPU per item: %.2f, %s\n' "$v" \
    "$(awk -v v="$v" 'BEGIN { print (v <= 0.3 ? "met" : "MISSED") }')"

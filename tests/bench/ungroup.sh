#!/usr/bin/env bash
# Output throughput: one task writing a lot (`seq N`, 529 MB for the
# default 60000000) through pooltop -u (passed through as it comes),
# pooltop grouped (the default: held, printed whole) and GNU parallel -u,
# to /dev/null.  Paired rounds; medians with their spread, and the ratios
# to GNU parallel -u.
#   tests/bench/ungroup.sh [ROUNDS=3] [N=60000000]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
R=${1:-3} N=${2:-60000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
. "$top/tests/bench/paired.sh"
pr_init "$tmp/pr"
have_gnu=false
command -v parallel >/dev/null 2>&1 && have_gnu=true
for _ in $(seq 1 "$R"); do
	pr_time u /dev/null "$POOLTOP_BIN" --headless -q -u seq ::: "$N"
	pr_time group /dev/null "$POOLTOP_BIN" --headless -q seq ::: "$N"
	if $have_gnu; then
		pr_time gnu /dev/null parallel -u seq ::: "$N"
	fi
done
mb=$(seq "$N" | wc -c | awk '{ printf "%.0f", $1 / 1e6 }')
printf 'one task writing %s MB (seq %s) to /dev/null, %d rounds, %d cores\n' \
    "$mb" "$N" "$R" "$(nproc)"
row() {
	printf '%-24s %6.2fs (%s)' "$1" "$(pr_med "$2")" "$(pr_range "$2" |
	    awk -F- '{ printf "%.2f-%.2f", $1, $2 }')"
	if $have_gnu; then
		pr_ratio "$2" gnu | awk '{ printf "   %.2fx (%s) GNU parallel -u'"'"'s time\n", $1, $2 }'
	else
		printf '\n'
	fi
}
row "pooltop -u" u
row "pooltop (grouped)" group
$have_gnu && row "GNU parallel -u" gnu
exit 0

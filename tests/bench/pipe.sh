#!/usr/bin/env bash
# Throughput of --pipe: a file of SIZE MB of lines counted by `wc -l` in
# blocks, by
#  (a) pooltop --pipe wc -l <FILE
#  (b) GNU parallel --pipe wc -l <FILE
#  (c) GNU parallel --pipe-part -a FILE wc -l
#  (d) pooltop --pipe-part -a FILE wc -l, when pooltop has --pipe-part
#  (e) pooltop --pipe --round-robin and (f) GNU parallel's, when pooltop
#      has --round-robin (-j tasks share the blocks)
# each with the default block (1M) and -j P, in R rounds of a b c d, so
# that a change of load hits each alike.  Prints MB/s (medians over the
# rounds, with their spread min-max) and the per-round ratios.  Every run's
# line counts must add up to the file's, or the bench fails.
#   PIPE_MB=200 tests/bench/pipe.sh [R=3] [P=2]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/paired.sh"
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
MB=${PIPE_MB:-1024} R=${1:-3} P=${2:-2}
command -v parallel >/dev/null || { echo "GNU parallel is not installed"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pooltop-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export PARALLEL_HOME=$work/ph
mkdir -p "$PARALLEL_HOME" && touch "$PARALLEL_HOME/will-cite"
pr_init "$work/t"
file=$work/data
{ seq 1 999999999 || true; } | head -c $((MB * 1024 * 1024)) >"$file"
lines=$(wc -l <"$file")
bytes=$(wc -c <"$file")
has_part=false
"$POOLTOP_BIN" --help >"$work/help" 2>&1 || true
grep -q -- '--pipe-part' "$work/help" && has_part=true

# sum OUT: the line counts in OUT added up.
sum() { awk '{ s += $1 } END { print s + 0 }' "$1"; }
pt_pipe() { "$POOLTOP_BIN" --headless -q -j "$P" --pipe wc -l <"$file"; }
gnu_pipe() { parallel -j "$P" --pipe wc -l <"$file"; }
gnu_part() { parallel -j "$P" --pipe-part -a "$file" wc -l; }
pt_part() { "$POOLTOP_BIN" --headless -q -j "$P" --pipe-part -a "$file" wc -l; }
pt_rr() { "$POOLTOP_BIN" --headless -q -j "$P" --pipe --round-robin wc -l <"$file"; }
gnu_rr() { parallel -j "$P" --pipe --round-robin wc -l <"$file"; }
has_rr=false
grep -q -- '--round-robin' "$work/help" && has_rr=true

runners="pt_pipe gnu_pipe gnu_part"
$has_part && runners="$runners pt_part"
$has_rr && runners="$runners pt_rr gnu_rr"
for r in $(seq "$R"); do
	for x in $runners; do
		pr_time "$x" "$work/out" "$x"
		got=$(sum "$work/out")
		[ "$got" = "$lines" ] || {
			echo "$x, round $r: counted $got lines of $lines" >&2
			exit 1
		}
	done
done

mbs() { pr_rate "$((bytes / 1048576))" "$1"; }
echo "--pipe wc -l on $((bytes / 1048576)) MB ($lines lines), -j $P, $R rounds, $(nproc) CPUs"
printf '%-34s %8s  %s\n' runner "MB/s" "spread"
for x in $runners; do
	case $x in
	pt_pipe)  name="pooltop --pipe" ;;
	gnu_pipe) name="GNU parallel --pipe" ;;
	gnu_part) name="GNU parallel --pipe-part" ;;
	pt_part)  name="pooltop --pipe-part" ;;
	pt_rr)    name="pooltop --pipe --round-robin" ;;
	gnu_rr)   name="GNU parallel --pipe --round-robin" ;;
	esac
	read -r med spread <<<"$(mbs "$x")"
	printf '%-34s %8s  %s\n' "$name" "$med" "$spread"
done
read -r ratio spread <<<"$(pr_ratio gnu_pipe pt_pipe)"
echo "pooltop --pipe / GNU parallel --pipe: ${ratio}x (rounds $spread)"
read -r ratio spread <<<"$(pr_ratio gnu_part pt_pipe)"
echo "pooltop --pipe / GNU parallel --pipe-part: ${ratio}x (rounds $spread)"
if $has_part; then
	read -r ratio spread <<<"$(pr_ratio gnu_part pt_part)"
	echo "pooltop --pipe-part / GNU parallel --pipe-part: ${ratio}x (rounds $spread)"
else
	echo "pooltop --pipe-part: not there (refused as an unknown option)"
fi
if $has_rr; then
	read -r ratio spread <<<"$(pr_ratio gnu_rr pt_rr)"
	echo "pooltop --round-robin / GNU parallel --round-robin: ${ratio}x (rounds $spread)"
fi

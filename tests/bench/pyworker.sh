#!/usr/bin/env bash
# Pool.map against pooltop with the Python worker library, in one run.
# For each size N (default 20,000, 200,000 and 1,000,000 small items: the
# numbers 1..N, squared), P workers (default 2), every runner runs once in
# each of R rounds, in turn (A B C A B C ...); figures are medians over the
# rounds with their spread (min-max), and a ratio is the median of the
# per-round ratios of item rates.  Wall time of the whole process,
# interpreter starts included, output to a file; every answer is checked.
#
#   pm       multiprocessing.Pool(P).map(work, items), default chunksize
#   pm1000   the same with chunksize=1000, as a user might write it
#   module   pooltop --persistent 'python3 -m pooltop_worker sq:work'
#            (python/pooltop_worker.py, from the source tree)
#   plain    pooltop --persistent conf/examples/worker.py (one write per
#            answer, the worker a user writes first)
#   module4k, plain4k  the same with --chunksize 4096: does auto, the
#            default, leave speed behind?
#   cat      pooltop --persistent cat: pooltop's own ceiling, no work
#   alone    python3 -m pooltop_worker sq:work <items, one process, no
#            pooltop: what the worker itself costs
#   plain1   worker.py <items, one process, no pooltop: the same for the
#            plain worker (a write(2) per answer)
# pooltop runs with its defaults (--chunksize auto).  The targets of issue
# 12: module >= 1.5x and plain >= 1.0x the rate of Pool.map (the faster of
# pm and pm1000, round by round) at every size.
#   tests/bench/pyworker.sh [SIZES="20000 200000 1000000"] [P=2] [R=3]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/paired.sh"
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
SIZES=${1:-20000 200000 1000000} P=${2:-2} R=${3:-3}
# Debian's own python3 first: a version manager's shim costs a lot per start.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
export PYTHONPATH=$top/python
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
cd "$tmp"	# sq.py is imported from the current directory

cat >sq.py <<'EOF'
def work(item):                 # as in conf/examples/worker.py
    return int(item) ** 2
EOF
cat >poolmap.py <<'EOF'
import multiprocessing, sys
from sq import work

if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        items = f.read().splitlines()
    cs = int(sys.argv[3]) if sys.argv[3] != "default" else None
    with multiprocessing.Pool(int(sys.argv[2])) as pool:
        out = pool.map(work, items, chunksize=cs)
    sys.stdout.write("".join("%d\n" % x for x in out))
EOF

RUNNERS="pm pm1000 module module4k plain plain4k cat alone plain1"
run() {	# run NAME N: one timed run of NAME over the N items
	local n=$2 items=$tmp/items.$2 out=$tmp/out.$1
	case $1 in
	pm) pr_time "$1.$n" "$out" "$PY" poolmap.py "$items" "$P" default ;;
	pm1000) pr_time "$1.$n" "$out" "$PY" poolmap.py "$items" "$P" 1000 ;;
	module) pr_time "$1.$n" "$out" "$POOLTOP_BIN" --headless -q -j"$P" \
	    -a "$items" --persistent "$PY -m pooltop_worker sq:work" ;;
	module4k) pr_time "$1.$n" "$out" "$POOLTOP_BIN" --headless -q -j"$P" \
	    --chunksize 4096 -a "$items" \
	    --persistent "$PY -m pooltop_worker sq:work" ;;
	plain) pr_time "$1.$n" "$out" "$POOLTOP_BIN" --headless -q -j"$P" \
	    -a "$items" --persistent "$PY $top/conf/examples/worker.py" ;;
	plain4k) pr_time "$1.$n" "$out" "$POOLTOP_BIN" --headless -q -j"$P" \
	    --chunksize 4096 -a "$items" \
	    --persistent "$PY $top/conf/examples/worker.py" ;;
	cat) pr_time "$1.$n" "$out" "$POOLTOP_BIN" --headless -q -j"$P" \
	    -a "$items" --persistent cat ;;
	alone) pr_time "$1.$n" "$out" sh -c \
	    "$PY -m pooltop_worker sq:work <'$items'" ;;
	plain1) pr_time "$1.$n" "$out" sh -c \
	    "$PY $top/conf/examples/worker.py <'$items'" ;;
	esac
	want=$tmp/want.$n
	[ "$1" = cat ] && want=$items
	sort -n "$out" | cmp -s - "$want" || echo "$1 $n" >>"$tmp/wrong"
}

pr_init "$tmp/t"
for n in $SIZES; do
	seq 1 "$n" >"$tmp/items.$n"
	awk '{ printf "%.0f\n", $1 * $1 }' "$tmp/items.$n" >"$tmp/want.$n"
	for _ in $(seq 1 "$R"); do
		for r in $RUNNERS; do
			run "$r" "$n"
		done
	done
	# The faster Pool.map of each round: the one to beat.
	paste "$tmp/t/pm.$n" "$tmp/t/pm1000.$n" |
	    awk '{ print ($1 < $2 ? $1 : $2) }' >"$tmp/t/best.$n"
done

# rr A B N: the rate ratio of A to B (same N) round by round, "med min max".
rr() {
	paste "$tmp/t/$1" "$tmp/t/$2" |
	    awk '$1 > 0 { printf "%.6f\n", $2 / $1 }' >"$tmp/t/.rr"
	_pr_stats "$tmp/t/.rr"
}
fmt() { awk '{ printf "%.2fx (%.2f-%.2f)", $1, $2, $3 }'; }

printf 'squares of 1..N: %d workers, %s cores (nproc), %d paired rounds,' \
    "$P" "$(nproc)" "$R"
printf ' %s\nmedian (min-max) over the rounds; every answer checked: %s\n' \
    "$($PY -V 2>&1)" "$([ -e "$tmp/wrong" ] && echo "WRONG: $(cat "$tmp/wrong")" || echo ok)"
verdicts=""
for n in $SIZES; do
	echo
	printf '%d items\n' "$n"
	printf '  %-44s %20s %22s\n' runner "items/s" "vs best Pool.map"
	for r in $RUNNERS; do
		case $r in
		pm) d="Pool($P).map, default chunksize" ;;
		pm1000) d="Pool($P).map, chunksize=1000" ;;
		module) d="pooltop + python3 -m pooltop_worker" ;;
		module4k) d="... the same, --chunksize 4096" ;;
		plain) d="pooltop + worker.py (a write per answer)" ;;
		plain4k) d="... the same, --chunksize 4096" ;;
		cat) d="pooltop + cat (no work)" ;;
		alone) d="pooltop_worker alone, 1 process" ;;
		plain1) d="worker.py alone, 1 process" ;;
		esac
		rate=$(pr_rate "$n" "$r.$n")
		printf '  %-44s %8s (%s) %s\n' "$d" "${rate%% *}" \
		    "${rate#* }" "$(rr "$r.$n" "best.$n" | fmt)"
	done
	m=$(rr module.$n best.$n | awk '{ print $1 }')
	p=$(rr plain.$n best.$n | awk '{ print $1 }')
	verdicts="$verdicts$(awk -v n="$n" -v m="$m" -v p="$p" 'BEGIN {
	    printf "  %8d items: module %.2fx (target 1.5x: %s), plain %.2fx (target 1.0x: %s)\n",
	    n, m, (m >= 1.5 ? "met" : "MISSED"), p, (p >= 1.0 ? "met" : "MISSED") }')
"
done
echo
echo "targets (median ratio of item rates to the faster Pool.map):"
printf '%s' "$verdicts"

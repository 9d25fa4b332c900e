#!/usr/bin/env bash
# Small items, four ways, in one run: N numbers squared by
#  (a) pooltop --persistent with conf/examples/worker.py (one write per
#      answer), batch_worker.py (one write per batch of answers) and a
#      shell line worker, P workers, --chunksize C;
#  (b) pooltop in normal mode, one `expr` process per item;
#  (c) GNU parallel, one `expr` process per item;
#  (d) Python's multiprocessing.Pool(P).map over the same work() as
#      worker.py, in-process (interpreter start included, as in (a)).
# Prints items/s and ratios, and pooltop's own cost per item: the wall
# time of (a) with one worker minus the worker alone reading the items
# from a file (`worker.py <items`), divided by N, and the same for the CPU
# time of the whole run.  Wall times are the best of R runs.
#
# (b) and (c) start a process per item, so they run NS items (default
# 1000), once, and their rate is per item all the same; `expr` is about
# the cheapest program there is, which flatters them, not pooltop.
#   tests/bench/persistent.sh [N=20000] [P=2] [C=auto] [NS=1000] [R=3]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
POOLTOP=${POOLTOP:-$top/_build/plain/src/pooltop}
N=${1:-20000} P=${2:-2} C=${3:-auto} NS=${4:-1000} R=${5:-3}
# Debian's own python3 first: a version manager's shim costs a lot per start.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
WORKER="$PY $top/conf/examples/worker.py"
BATCH="$PY $top/conf/examples/batch_worker.py"
SHW='while read -r n; do echo $((n * n)); done'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
seq 1 "$N" >"$tmp/items"
seq 1 "$NS" >"$tmp/small"
awk '{ printf "%.0f\n", $1 * $1 }' "$tmp/items" >"$tmp/want"

cat >"$tmp/poolmap.py" <<'EOF'
import multiprocessing, sys

def work(item):                 # as in conf/examples/worker.py
    return int(item) ** 2

if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        items = f.read().splitlines()
    with multiprocessing.Pool(int(sys.argv[2])) as pool:
        out = pool.map(work, items)
    sys.stdout.write("".join("%d\n" % x for x in out))
EOF

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", ($1) }"; }
# best OUT CMD...: best wall time (s) of R runs, stdout kept in $tmp/OUT.
best() {
	local out=$1 b="" s e t
	shift
	for _ in $(seq 1 "${RUNS:-$R}"); do
		s=$(now)
		"$@" >"$tmp/$out" 2>/dev/null </dev/null || true
		e=$(now)
		t=$(calc "$e - $s")
		if [ -z "$b" ] || [ "$(calc "$t < $b")" = 1.000000 ]; then b=$t; fi
	done
	echo "$b"
}
# cpu CMD...: user+sys seconds of CMD and its children (one run).
cpu() {
	/usr/bin/time -f "%U %S" -o "$tmp/cpu" "$@" >/dev/null 2>&1 </dev/null
	awk '{ printf "%.3f", $1 + $2 }' "$tmp/cpu"
}
# same OUT: did the run print every square (in any order)?
same() { sort -n "$tmp/$1" | cmp -s - "$tmp/want" && echo ok || echo WRONG; }

direct=$(best direct sh -c "$WORKER <'$tmp/items'")
pers1=$(best p1 "$POOLTOP" --headless -q -j1 --chunksize "$C" \
    -a "$tmp/items" --persistent "$WORKER")
pers=$(best p "$POOLTOP" --headless -q -j"$P" --chunksize "$C" \
    -a "$tmp/items" --persistent "$WORKER")
check_p=$(same p)
persb=$(best pb "$POOLTOP" --headless -q -j"$P" --chunksize "$C" \
    -a "$tmp/items" --persistent "$BATCH")
check_b=$(same pb)
persh=$(best psh "$POOLTOP" --headless -q -j"$P" --chunksize "$C" \
    -a "$tmp/items" --persistent "$SHW")
check_sh=$(same psh)
pm=$(best pm "$PY" "$tmp/poolmap.py" "$tmp/items" "$P")
check_pm=$(same pm)
normal=$(RUNS=1 best normal "$POOLTOP" --headless -q -j"$P" -a "$tmp/small" \
    expr {} '*' {})
if command -v parallel >/dev/null 2>&1; then
	gp=$(RUNS=1 best gp parallel --will-cite -j"$P" expr {} '*' {} :::: "$tmp/small")
else
	gp=""
fi
cpu_direct=$(cpu sh -c "$WORKER <'$tmp/items'")
cpu_pers1=$(cpu "$POOLTOP" --headless -q -j1 --chunksize "$C" \
    -a "$tmp/items" --persistent "$WORKER")

rate() { calc "$1 / $2"; }
r_pers=$(rate "$N" "$pers")
r_gp=${gp:+$(rate "$NS" "$gp")}
r_pm=$(rate "$N" "$pm")

printf 'squares of 1..N, %d workers, %s CPUs, best of %d runs\n' "$P" \
    "$(nproc)" "$R"
printf '%-44s %7s %9s %11s %10s\n' runner items "wall (s)" "items/s" \
    "vs parallel"
row() {
	local r
	r=$(rate "$2" "$3")
	if [ -n "$r_gp" ]; then
		printf '%-44s %7d %9.3f %11.0f %9.1fx\n' "$1" "$2" "$3" "$r" \
		    "$(calc "$r / $r_gp")"
	else
		printf '%-44s %7d %9.3f %11.0f %10s\n' "$1" "$2" "$3" "$r" -
	fi
}
row "(a) pooltop --persistent worker.py ($check_p)" "$N" "$pers"
row "(a) pooltop --persistent batch_worker.py ($check_b)" "$N" "$persb"
row "(a) pooltop --persistent shell loop ($check_sh)" "$N" "$persh"
row "(a) ... worker.py, 1 worker" "$N" "$pers1"
row "    worker.py alone, no pooltop" "$N" "$direct"
row "(b) pooltop, expr per item" "$NS" "$normal"
[ -n "$gp" ] && row "(c) GNU parallel, expr per item" "$NS" "$gp"
row "(d) multiprocessing.Pool.map ($check_pm)" "$N" "$pm"
echo
ovh=$(calc "($pers1 - $direct) * 1000000 / $N")
ovh_cpu=$(calc "($cpu_pers1 - $cpu_direct) * 1000000 / $N")
printf 'pooltop per item, 1 worker: %.1f us of wall time, %.1f us of CPU' \
    "$ovh" "$ovh_cpu"
printf ' (supervisor and worker together)\n'
verdict() { [ "$(calc "$1")" = 1.000000 ] && echo met || echo MISSED; }
[ -n "$r_gp" ] && printf 'target: persistent >= 50x GNU parallel: %.0fx, %s\n' \
    "$(calc "$r_pers / $r_gp")" "$(verdict "$r_pers >= 50 * $r_gp")"
printf 'target: persistent no slower than Pool.map: %.2fx its rate, %s' \
    "$(calc "$r_pers / $r_pm")" "$(verdict "$r_pers >= $r_pm")"
printf ' (batch_worker.py: %.2fx)\n' "$(calc "$N / $persb / $r_pm")"
printf 'target: pooltop per-item overhead < 20 us: %.1f us, %s\n' "$ovh" \
    "$(verdict "$ovh < 20")"

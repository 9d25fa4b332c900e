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
# time of the whole run.  Every runner runs once in each of R rounds, in
# turn; figures are medians over the rounds with their spread (min-max).
#
# (b) and (c) start a process per item, so they run NS items (default
# 1000), and their rate is per item all the same; `expr` is about
# the cheapest program there is, which flatters them, not pooltop.
#   tests/bench/persistent.sh [N=20000] [P=2] [C=auto] [NS=1000] [R=3]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/paired.sh"
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
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

calc() { awk "BEGIN { printf \"%.6f\", ($1) }"; }
# cpu NAME CMD...: add the user+sys seconds of CMD and its children to NAME.
cpu() {
	local name=$1
	shift
	/usr/bin/time -f "%U %S" -o "$tmp/cpu" "$@" >/dev/null 2>&1 </dev/null
	pr_add "$name" "$(awk '{ printf "%.3f", $1 + $2 }' "$tmp/cpu")"
}
# same OUT: did the run print every square (in any order)?
same() { sort -n "$tmp/$1" | cmp -s - "$tmp/want" && echo ok || echo WRONG; }

pr_init "$tmp/t"
gpok=false
command -v parallel >/dev/null 2>&1 && gpok=true
checks=""
for _ in $(seq 1 "$R"); do
	pr_time direct "$tmp/direct" sh -c "$WORKER <'$tmp/items'"
	pr_time pers1 "$tmp/p1" "$POOLTOP_BIN" --headless -q -j1 --chunksize "$C" \
	    -a "$tmp/items" --persistent "$WORKER"
	pr_time pers "$tmp/p" "$POOLTOP_BIN" --headless -q -j"$P" --chunksize "$C" \
	    -a "$tmp/items" --persistent "$WORKER"
	pr_time persb "$tmp/pb" "$POOLTOP_BIN" --headless -q -j"$P" \
	    --chunksize "$C" -a "$tmp/items" --persistent "$BATCH"
	pr_time persh "$tmp/psh" "$POOLTOP_BIN" --headless -q -j"$P" \
	    --chunksize "$C" -a "$tmp/items" --persistent "$SHW"
	pr_time pm "$tmp/pm" "$PY" "$tmp/poolmap.py" "$tmp/items" "$P"
	checks="$checks $(same p) $(same pb) $(same psh) $(same pm)"
	pr_time normal /dev/null "$POOLTOP_BIN" --headless -q -j"$P" \
	    -a "$tmp/small" expr {} '*' {}
	$gpok && pr_time gp /dev/null parallel --will-cite -j"$P" \
	    expr {} '*' {} :::: "$tmp/small"
	cpu cpu_direct sh -c "$WORKER <'$tmp/items'"
	cpu cpu_pers1 "$POOLTOP_BIN" --headless -q -j1 --chunksize "$C" \
	    -a "$tmp/items" --persistent "$WORKER"
done
case $checks in *WRONG*) check=WRONG ;; *) check=ok ;; esac
# rr NAME N BASE NB: the rate ratio (N/NAME) / (NB/BASE), round by round:
# "median min-max".
rr() {
	paste "$tmp/t/$1" "$tmp/t/$3" | awk -v n="$2" -v nb="$4" \
	    '$1 > 0 && $2 > 0 { printf "%.6f\n", (n / $1) / (nb / $2) }' \
	    >"$tmp/t/.rr"
	_pr_stats "$tmp/t/.rr" | awk '{ printf "%.3g %.3g-%.3g\n", $1, $2, $3 }'
}
# per_item A B: (A - B) * 1e6 / N round by round, in us: "median min-max".
per_item() {
	paste "$tmp/t/$1" "$tmp/t/$2" | awk -v n="$N" \
	    '{ printf "%.6f\n", ($1 - $2) * 1000000 / n }' >"$tmp/t/.pi"
	_pr_stats "$tmp/t/.pi" | awk '{ printf "%.1f %.1f-%.1f\n", $1, $2, $3 }'
}
med() { echo "$1" | awk '{ print $1 }'; }
rng() { echo "$1" | awk '{ print $2 }'; }

printf 'squares of 1..N, %d workers, %s CPUs, %d paired rounds;\n' "$P" \
    "$(nproc)" "$R"
printf 'median (min-max over the rounds); every answer checked: %s\n' "$check"
printf '%-40s %6s %18s %22s\n' runner items "items/s" "vs Pool.map"
row() {
	local r v
	r=$(pr_rate "$2" "$3")
	v=$(rr "$3" "$2" pm "$N")
	printf '%-40s %6d %7s (%9s) %8sx (%11s)\n' "$1" "$2" "$(med "$r")" \
	    "$(rng "$r")" "$(med "$v")" "$(rng "$v")"
}
row "(a) pooltop --persistent worker.py" "$N" pers
row "(a) pooltop --persistent batch_worker.py" "$N" persb
row "(a) pooltop --persistent shell loop" "$N" persh
row "(a) ... worker.py, 1 worker" "$N" pers1
row "    worker.py alone, no pooltop" "$N" direct
row "(b) pooltop, expr per item" "$NS" normal
$gpok && row "(c) GNU parallel, expr per item" "$NS" gp
row "(d) multiprocessing.Pool.map" "$N" pm
echo
ovh=$(per_item pers1 direct)
ovh_cpu=$(per_item cpu_pers1 cpu_direct)
printf 'pooltop per item, 1 worker: %s us (%s) of wall time, %s us (%s) of' \
    "$(med "$ovh")" "$(rng "$ovh")" "$(med "$ovh_cpu")" "$(rng "$ovh_cpu")"
printf ' CPU (supervisor and worker together)\n'
verdict() { [ "$(calc "$1")" = 1.000000 ] && echo met || echo MISSED; }
if $gpok; then
	v=$(rr pers "$N" gp "$NS")
	printf 'target: persistent >= 50x GNU parallel: %sx (%s), %s\n' \
	    "$(med "$v")" "$(rng "$v")" "$(verdict "$(med "$v") >= 50")"
fi
v=$(rr pers "$N" pm "$N")
printf 'target: persistent no slower than Pool.map: %sx (%s) its rate, %s' \
    "$(med "$v")" "$(rng "$v")" "$(verdict "$(med "$v") >= 1")"
v=$(rr persb "$N" pm "$N")
printf ' (batch_worker.py: %sx, %s)\n' "$(med "$v")" "$(rng "$v")"
printf 'target: pooltop per-item overhead < 20 us: %s us, %s\n' \
    "$(med "$ovh")" "$(verdict "$(med "$ovh") < 20")"

#!/usr/bin/env bash
# --memfree auto against no admission (and GNU parallel --memfree), inside
# a memory cgroup of LIMIT MiB this benchmark creates for the whole run
# (never against the machine's own memory, which is shared): N tasks each
# taking M MiB for HOLD seconds at -j J.  Without admission the tasks
# that do not fit are OOM-killed; --memfree auto learns the footprint from
# the first task and starts only what fits.  Paired rounds; the median
# wall time of each with its spread, and the tasks OOM-killed, side by side.
# Needs root and a memory cgroup (v1, or v2 with the memory controller).
#   tests/bench/memfree.sh [ROUNDS=3] [N=8] [M=400] [LIMIT=1024] [HOLD=1] [J=8]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
R=${1:-3} N=${2:-8} M=${3:-400} LIMIT=${4:-1024} HOLD=${5:-1} J=${6:-8}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "needs root (a memory cgroup)" >&2; exit 2; }
tmp=$(mktemp -d)
. "$top/tests/cgroup.sh"
cg_memory_find "pooltop-bench.$$" || { echo "no memory cgroup controller" >&2; exit 2; }
mkdir "$CG"
gone() { cg_remove || true; rm -rf "$tmp"; }
trap gone EXIT
echo $((LIMIT << 20)) >"$CG/$CG_LIMIT"
# Swap would let the tasks fit slowly instead of being killed: none.
[ -e "$CG/memory.memsw.limit_in_bytes" ] &&
    echo $((LIMIT << 20)) >"$CG/memory.memsw.limit_in_bytes" 2>/dev/null || true
[ -e "$CG/memory.swap.max" ] && echo 0 >"$CG/memory.swap.max" || true
export XDG_RUNTIME_DIR=$tmp
. "$top/tests/bench/paired.sh"
pr_init "$tmp/pr"
cat >"$tmp/hog.py" <<'PYEOF'
import sys, time
n = int(sys.argv[1]) << 20
b = bytearray(n)
for i in range(0, n, 4096):
    b[i] = 1
time.sleep(float(sys.argv[2]))
PYEOF
cg_incg "$tmp/incg"
# killed NAME JOBLOG: count the tasks a signal 9 ended.
killed() { pr_add "$1" "$(tail -n +2 "$2" | awk -F'\t' '$8 == 9' | wc -l)"; }
pt() { "$tmp/incg" "$POOLTOP_BIN" --headless -q -j "$J" "$@" \
    "$PY" "$tmp/hog.py" "$M" "$HOLD" ::: $(seq 1 "$N"); }
gnu() { "$tmp/incg" parallel -j "$J" --memfree "$M"M "$@" \
    "$PY" "$tmp/hog.py" "$M" "$HOLD" ::: $(seq 1 "$N"); }
have_gnu=false
command -v parallel >/dev/null 2>&1 && have_gnu=true
for _ in $(seq 1 "$R"); do
	pr_time none "$tmp/out" pt --joblog "$tmp/none.jl" || true
	killed none.k "$tmp/none.jl"
	pr_time auto "$tmp/out" pt --memfree auto --joblog "$tmp/auto.jl" || true
	killed auto.k "$tmp/auto.jl"
	if $have_gnu; then
		pr_time gnu "$tmp/out" gnu --joblog "$tmp/gnu.jl" || true
		killed gnu.k "$tmp/gnu.jl"
	fi
done
printf '%d tasks of %d MiB for %ss at -j%d in a %d MiB cgroup, %d rounds, %d cores\n' \
    "$N" "$M" "$HOLD" "$J" "$LIMIT" "$R" "$(nproc)"
printf '%-34s %-20s %s\n' "" "wall, median (range)" "OOM-killed, median (range)"
row() {
	printf '%-34s %-20s %s\n' "$1" \
	    "$(printf '%.2fs (%s)' "$(pr_med "$2")" "$(pr_range "$2" |
	    awk -F- '{ printf "%.2f-%.2f", $1, $2 }')")" \
	    "$(printf '%g of %d (%s)' "$(pr_med "$2.k")" "$N" "$(pr_range "$2.k")")"
}
row "pooltop, no admission" none
row "pooltop --memfree auto" auto
$have_gnu && row "GNU parallel --memfree ${M}M" gnu
exit 0

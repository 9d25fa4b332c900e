#!/usr/bin/env bash
# What a run costs beyond its tasks: a whole run over 2 items, from exec
# to exit (the supervisor's start, its keeper and segment, the workers and
# their programs, the end), with pooltop in both modes beside the tools a
# user would run instead, in one run of R paired rounds (each round runs
# every runner once, in turn).  For scripts that call pooltop many times,
# and for small runs, where this is most of the time: a 20,000-item
# persistent run through `cat` is about this plus 9 ms.
#   tests/bench/start.sh [R=20] [P=2]
# Environment: BASE_BIN=FILE, an older pooltop run beside this tree's in
# the same rounds (before and after a change, paired).
#
#   loop        a minimal posix_spawn loop running `true` twice, P at a
#               time: two fork+exec, the floor of any tool
#   pooltop     pooltop -jP true ::: 1 2 (a process per task)
#   persistent  pooltop -jP --persistent cat over 2 items (one program
#               per worker)
#   xargs       xargs -PP -n1 true
#   parallel    GNU parallel -jP true ::: 1 2
#   pool.map    python3: multiprocessing.Pool(P).map over 2 items, the
#               interpreter's start included (persistent's rival)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/paired.sh"
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
R=${1:-20} P=${2:-2}
BASE_BIN=${BASE_BIN:-}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
cc -O2 -o "$tmp/spawnloop" "$top/tests/bench/spawnloop.c"
printf '1\n2\n' >"$tmp/items"
cat >"$tmp/pm.py" <<'EOF'
import multiprocessing, sys

def work(item):
    return int(item) ** 2

if __name__ == "__main__":
    with multiprocessing.Pool(int(sys.argv[1])) as pool:
        sys.stdout.write("".join("%d\n" % x for x in pool.map(work, [1, 2])))
EOF
pr_init "$tmp/t"
gp=false
command -v parallel >/dev/null && gp=true
: >"$tmp/wrong"

# check NAME FILE: the persistent runs answer both items.
check() {
	[ "$(sort -n "$2" | tr '\n' ' ')" = "1 2 " ] || echo "$1" >>"$tmp/wrong"
}
for _ in $(seq 1 "$R"); do
	pr_time loop /dev/null "$tmp/spawnloop" "$P" 2 true
	pr_time pooltop /dev/null "$POOLTOP_BIN" --headless -q -j"$P" \
	    -a "$tmp/items" true
	pr_time persistent "$tmp/out" "$POOLTOP_BIN" --headless -q -j"$P" \
	    -a "$tmp/items" --persistent cat
	check persistent "$tmp/out"
	if [ -n "$BASE_BIN" ]; then
		pr_time pooltop-base /dev/null "$BASE_BIN" --headless -q \
		    -j"$P" -a "$tmp/items" true
		pr_time persistent-base "$tmp/out" "$BASE_BIN" --headless -q \
		    -j"$P" -a "$tmp/items" --persistent cat
		check persistent-base "$tmp/out"
	fi
	pr_time xargs /dev/null sh -c "xargs -P$P -n1 true <'$tmp/items'"
	$gp && pr_time parallel /dev/null parallel --will-cite -j"$P" true \
	    :::: "$tmp/items"
	pr_time pool.map "$tmp/out" "$PY" "$tmp/pm.py" "$P"
	[ "$(cat "$tmp/out")" = "$(printf '1\n4')" ] || echo pool.map >>"$tmp/wrong"
done

printf 'a run over 2 items, %d at a time, %d paired rounds, %s CPUs, load %s\n' \
    "$P" "$R" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'median (min-max over the rounds); every answer checked: %s\n' \
    "$([ -s "$tmp/wrong" ] && echo "WRONG: $(tr '\n' ' ' <"$tmp/wrong")" || echo ok)"
printf '%-34s %20s %20s\n' runner "wall (ms)" "vs spawn loop"
row() {
	printf '%-34s %6.1f (%11s) %20s\n' "$1" \
	    "$(echo "$(pr_med "$2") * 1000" | bc -l)" \
	    "$(pr_range "$2" | awk -F- '{ printf "%.1f-%.1f", $1 * 1000, $2 * 1000 }')" \
	    "$(pr_ratio "$2" loop | awk '{ printf "%sx (%s)", $1, $2 }')"
}
row "posix_spawn loop (2 x true)" loop
row "pooltop -j$P true" pooltop
row "pooltop -j$P --persistent cat" persistent
if [ -n "$BASE_BIN" ]; then
	row "  the same, BASE_BIN" pooltop-base
	row "  --persistent cat, BASE_BIN" persistent-base
fi
row "xargs -P$P -n1 true" xargs
$gp && row "GNU parallel -j$P true" parallel
row "python3 Pool($P).map" pool.map
if [ -n "$BASE_BIN" ]; then
	printf '\nthis tree over BASE_BIN (%s), per round (above 1.00x this tree\nis faster):\n' "$BASE_BIN"
	printf '  pooltop -j%d true:              %s\n' "$P" \
	    "$(pr_ratio pooltop-base pooltop | awk '{ printf "%sx (%s)", $1, $2 }')"
	printf '  pooltop -j%d --persistent cat:  %s\n' "$P" \
	    "$(pr_ratio persistent-base persistent | awk '{ printf "%sx (%s)", $1, $2 }')"
fi
[ ! -s "$tmp/wrong" ]

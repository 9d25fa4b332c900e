#!/usr/bin/env bash
# What the hop through pooltop's worker costs, and what a persistent pool
# could gain by losing it: pooltop --persistent beside the least a line
# pool can do (tests/bench/hop.c), with and without a process between the
# dispatcher and each program, over the same programs, in one run of
# paired rounds.
#
#   tests/bench/hop.sh "200000 1000000" 2 5
#
# Arguments: [SIZES="200000"] [P=2] [R=3].  Environment: CHUNK=1024, the
# lines hop.c hands out at a time (pooltop runs with --chunksize auto, its
# default).
#
#   direct    hop.c direct: one process writes the lines to each program's
#             stdin and reads its stdout (one hop: program -> dispatcher)
#   relay     hop.c relay: the same with a relay process per program, as
#             pooltop's worker stands (two hops: program -> relay ->
#             dispatcher); the relay copies bytes and counts lines, no
#             more
#   pooltop   pooltop --headless -q -jP --persistent PROG (two hops, and
#             all its bookkeeping: a record, clock and status per item,
#             answers in order, a crash failing one item)
#
# for each program: cat (no work), the Python module (python3 -m
# pooltop_worker sq:work) and conf/examples/worker.py (a write(2) per
# answer).  Figures are medians over the rounds with the spread (min-max);
# "relay/direct" is the hop's own cost (the per-round ratio of item
# rates), "pooltop/relay" what pooltop does beyond the bare two hops.
# Wall time and the CPU time of the whole tree, as poolmap.sh measures
# them; every run's answers are checked.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/paired.sh"
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
SIZES=${1:-200000} P=${2:-2} R=${3:-3}
CHUNK=${CHUNK:-1024}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
unset PYTHONUNBUFFERED PYTHONDONTWRITEBYTECODE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
cd "$tmp"
cc -O2 -o hop "$top/tests/bench/hop.c"
mkdir py
cp "$top/python/pooltop_worker.py" py/
printf 'def work(item):\n    return int(item) ** 2\n' >py/sq.py
"$PY" -m py_compile py/pooltop_worker.py py/sq.py
export PYTHONPATH=$tmp/py

PROGS="cat module plain"
prog() {	# prog NAME: the program's words
	case $1 in
	cat) echo "cat" ;;
	module) echo "$PY -m pooltop_worker sq:work" ;;
	plain) echo "$PY $top/conf/examples/worker.py" ;;
	esac
}
run() {	# run RUNNER PROG N
	local words want=$tmp/want.$2.$3
	read -ra words <<<"$(prog "$2")"
	case $1 in
	direct|relay) pr_time_cpu "$1.$2.$3" out ./hop "$1" "$P" "$CHUNK" \
	    "items.$3" "${words[@]}" ;;
	pooltop) pr_time_cpu "$1.$2.$3" out "$POOLTOP_BIN" --headless -q \
	    -j"$P" -a "items.$3" --persistent "$(prog "$2")" ;;
	esac
	sort -n out | cmp -s - "$want" || echo "$1 $2 at $3" >>wrong
}

pr_init "$tmp/t"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $SIZES; do
	seq 1 "$n" >"items.$n"
	cp "items.$n" "want.cat.$n"
	awk '{ printf "%.0f\n", $1 * $1 }' "items.$n" >"want.module.$n"
	cp "want.module.$n" "want.plain.$n"
	for _ in $(seq 1 "$R"); do
		for g in $PROGS; do
			for r in direct relay pooltop; do
				run "$r" "$g" "$n"
			done
		done
	done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

commas() { awk '{ s = sprintf("%.0f", $1); o = "";
	while (length(s) > 3) { o = "," substr(s, length(s) - 2) o;
	    s = substr(s, 1, length(s) - 3) } printf "%s%s", s, o }'; }
rate() {	# rate N NAME: "median (min-max)" items/s
	local r
	r=$(pr_rate "$1" "$2")
	printf '%s (%s-%s)' "$(echo "${r%% *}" | commas)" \
	    "$(echo "${r#* }" | cut -d- -f1 | commas)" \
	    "$(echo "${r#* }" | cut -d- -f2 | commas)"
}
vs() {	# vs A B: the per-round ratio of A's item rate to B's
	pr_ratio "$2" "$1" | awk '{ printf "%.2fx (%s)", $1, $2 }'
}
cpu() {	# cpu N NAME: median CPU us per item, the whole tree
	pr_med "cpu.$2" | awk -v n="$1" '{ printf "%.2f", $1 * 1e6 / n }'
}
desc() {
	case $1 in
	cat) echo "cat (no work)" ;;
	module) echo "python3 -m pooltop_worker" ;;
	plain) echo "worker.py (a write per answer)" ;;
	esac
}

printf 'one hop or two at -j%d; %s cores (nproc); %d paired rounds;' \
    "$P" "$(nproc)" "$R"
printf ' hop.c chunks of %d lines\n' "$CHUNK"
printf 'load average %s at the start, %s at the end\n' "$load0" "$load1"
answers=ok
[ -e wrong ] && answers="WRONG: $(tr '\n' ';' <wrong)"
printf 'median (min-max) over the rounds; every answer checked: %s\n' \
    "$answers"
for n in $SIZES; do
	echo
	printf '%s items      items/s (min-max)                CPU us/item\n' \
	    "$(echo "$n" | commas)"
	for g in $PROGS; do
		printf '  %s\n' "$(desc "$g")"
		for r in direct relay pooltop; do
			printf '    %-9s %-34s %s\n' "$r" \
			    "$(rate "$n" "$r.$g.$n")" "$(cpu "$n" "$r.$g.$n")"
		done
		printf '    relay/direct %s   pooltop/relay %s   pooltop/direct %s\n' \
		    "$(vs "relay.$g.$n" "direct.$g.$n")" \
		    "$(vs "pooltop.$g.$n" "relay.$g.$n")" \
		    "$(vs "pooltop.$g.$n" "direct.$g.$n")"
	done
done

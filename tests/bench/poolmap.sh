#!/usr/bin/env bash
# pooltop --persistent against Python's multiprocessing Pool.map, in one
# run, with the targets the README states.  The full run, as it quotes it:
#
#   tests/bench/poolmap.sh "20000 200000 1000000" 2 5
#
# (a quick one, the default: tests/bench/poolmap.sh, 20,000 items, 2
# workers, 3 rounds).  Arguments: [SIZES="20000"] [P=2] [R=3].
# Environment: CHUNKS="64 1024 4096", the fixed --chunksize runs set
# beside auto (the default) for the module and the plain worker ("" for
# none); OLD_MODULE=FILE, an older pooltop_worker.py run beside this
# tree's (module-old, alone-old), to measure a change of the module in
# the same rounds; OLD_PLAIN=FILE, the same for worker.py (plain-old);
# BASE_BIN=FILE, an older pooltop binary run with the older workers
# (OLD_MODULE, OLD_PLAIN, else this tree's) in the same rounds
# (module-base, plain-base, cat-base): a whole change, before and after,
# paired;
# MEMSIZES="10000 1000000", the sizes of the memory runs; ONLY="module
# cat ...", these runners alone beside pm and pm1000 (a quick look).
#
# For each size N (the numbers 1..N, squared by the same function), every
# runner runs once in each of R rounds, in turn, every other round in the
# reverse order (A B C C B A A B C ...: a run right after a Python one
# starts colder, which would favour one side of a pair); figures
# are medians over the rounds with their spread (min-max), and a ratio is
# the median of the per-round ratios of item rates.  Wall time of the
# whole process, interpreter starts included (Pool.map's own and its
# workers', pooltop's workers' programs), output to a file; beside it the
# CPU time (user + sys of the whole process tree) per item, which a
# loaded machine disturbs less.  Both are read by tests/bench/timedrun.c
# (paired.sh): from its posix_spawn to its wait4.  Every run's
# output is checked: each item's answer present exactly once.
#
#   pm        multiprocessing.Pool(P).map(work, items), default chunksize
#   pm1000    the same with chunksize=1000, as a user might write it
#   module    pooltop --persistent 'python3 -m pooltop_worker sq:work'
#             (this tree's python/pooltop_worker.py, byte-compiled as
#             `make install` does)
#   launcher  pooltop --persistent 'pooltop-py sq:work': the same module
#             run by python/pooltop-py (its first line naming the same
#             python3, as `make install` writes it), PYTHONPATH unset
#   plain     pooltop --persistent conf/examples/worker.py (a write(2) per
#             answer, the worker a user writes first)
#   cat       pooltop --persistent cat: pooltop's own ceiling, no work
#   module@C, plain@C   the same with --chunksize C, for C in CHUNKS
#   alone     python3 -m pooltop_worker sq:work <items: one process, no
#             pooltop (what the module itself costs)
#   plain1    worker.py <items: the same for the plain worker
#   module-old, plain-old, alone-old   the older workers (OLD_MODULE,
#             OLD_PLAIN), run the same way
#   module-base, plain-base   BASE_BIN with the older workers
#   cat-base  BASE_BIN with cat
#
# The targets, at every size, at -j2: module >= 1.5x and plain >= 1.0x the
# item rate of Pool.map (the faster of pm and pm1000 in each round, which
# is stricter than the default alone); cat >= 2,000,000 items/s; auto no
# slower than the fixed chunk sizes.  And memory flat: the supervisor's
# peak RSS (VmHWM of the pooltop process itself, read by an --on-end hook
# from /proc while it is still running: /usr/bin/time's %M would be the
# maximum over the workers it forked and reaped too) at the largest of
# MEMSIZES within 10% of the smallest, with cat, in R paired rounds.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/paired.sh"
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
SIZES=${1:-20000} P=${2:-2} R=${3:-3}
CHUNKS=${CHUNKS-64 1024 4096}
MEMSIZES=${MEMSIZES:-10000 1000000}
OLD_MODULE=${OLD_MODULE:-} OLD_PLAIN=${OLD_PLAIN:-} BASE_BIN=${BASE_BIN:-}
# Debian's own python3 first: a version manager's shim costs a lot per start.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
# A user's Python: stdout buffered, byte-code cached (sq.py is cached once).
unset PYTHONUNBUFFERED PYTHONDONTWRITEBYTECODE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp
cd "$tmp"	# sq.py is imported from the current directory
mkdir py
cp "$top/python/pooltop_worker.py" py/
"$PY" -m py_compile py/pooltop_worker.py
# pooltop-py as installed: the interpreter on its first line; it finds the
# module next to itself.
sed "1s|.*|#!$PY|" "$top/python/pooltop-py" >py/pooltop-py
chmod +x py/pooltop-py
if [ -n "$OLD_MODULE" ]; then
	mkdir pyold
	cp "$OLD_MODULE" pyold/pooltop_worker.py
	"$PY" -m py_compile pyold/pooltop_worker.py
fi
PLAIN="$PY $top/conf/examples/worker.py"
OLDPY=$tmp/py BASE_PLAIN=$PLAIN
[ -n "$OLD_MODULE" ] && OLDPY=$tmp/pyold
[ -n "$OLD_PLAIN" ] && BASE_PLAIN="$PY $OLD_PLAIN"
MODULE="$PY -m pooltop_worker sq:work"
LAUNCHER="$tmp/py/pooltop-py sq:work"

cat >sq.py <<'EOF'
def work(item):                 # as in conf/examples/worker.py
    return int(item) ** 2
EOF
"$PY" -m py_compile sq.py
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

RUNNERS="pm pm1000 module launcher"
[ -n "$OLD_MODULE" ] && RUNNERS="$RUNNERS module-old"
[ -n "$BASE_BIN" ] && RUNNERS="$RUNNERS module-base"
RUNNERS="$RUNNERS plain"
[ -n "$OLD_PLAIN" ] && RUNNERS="$RUNNERS plain-old"
[ -n "$BASE_BIN" ] && RUNNERS="$RUNNERS plain-base"
RUNNERS="$RUNNERS cat"
[ -n "$BASE_BIN" ] && RUNNERS="$RUNNERS cat-base"
for c in $CHUNKS; do
	RUNNERS="$RUNNERS module@$c plain@$c"
done
RUNNERS="$RUNNERS alone"
[ -n "$OLD_MODULE" ] && RUNNERS="$RUNNERS alone-old"
RUNNERS="$RUNNERS plain1"
[ -n "${ONLY:-}" ] && RUNNERS="pm pm1000 $ONLY"

# timed NAME N CMD...: one run of CMD, its wall time to NAME.N and the
# CPU time (user + sys) of its whole tree (what it reaped: pooltop its
# workers, they their programs, Pool its processes) to cpu.NAME.N.  The
# command is started by this shell itself, with no program between (no
# env(1), no time(1), no date(1) to read the clock: each would add an exec
# to every figure); a PYTHONPATH is given as an assignment on the call.
timed() {
	local name=$1.$2
	shift 2
	pr_time_cpu "$name" "$tmp/out" "$@"
}
# pers NAME N CHUNK PYPATH PROG [BIN]: pooltop --persistent PROG over N
# items.
pers() {
	PYTHONPATH="$4" timed "$1" "$2" "${6:-$POOLTOP_BIN}" --headless -q \
	    -j"$P" --chunksize "$3" -a "$tmp/items.$2" --persistent "$5"
}
run() {	# run NAME N: one timed run of NAME over the N items, checked
	local n=$2 items=$tmp/items.$2 want=$tmp/want.$2
	case $1 in
	pm) timed "$1" "$n" "$PY" poolmap.py "$items" "$P" default ;;
	pm1000) timed "$1" "$n" "$PY" poolmap.py "$items" "$P" 1000 ;;
	module) pers "$1" "$n" auto "$tmp/py" "$MODULE" ;;
	launcher) pers "$1" "$n" auto "" "$LAUNCHER" ;;
	module-old) pers "$1" "$n" auto "$tmp/pyold" "$MODULE" ;;
	plain) pers "$1" "$n" auto "" "$PLAIN" ;;
	plain-old) pers "$1" "$n" auto "" "$PY $OLD_PLAIN" ;;
	module-base) pers "$1" "$n" auto "$OLDPY" "$MODULE" "$BASE_BIN" ;;
	plain-base) pers "$1" "$n" auto "" "$BASE_PLAIN" "$BASE_BIN" ;;
	cat) pers "$1" "$n" auto "" cat; want=$items ;;
	cat-base) pers "$1" "$n" auto "" cat "$BASE_BIN"; want=$items ;;
	module@*) pers "$1" "$n" "${1#*@}" "$tmp/py" "$MODULE" ;;
	plain@*) pers "$1" "$n" "${1#*@}" "" "$PLAIN" ;;
	alone) PYTHONPATH="$tmp/py" timed "$1" "$n" sh -c \
	    "$MODULE <'$items'" ;;
	alone-old) PYTHONPATH="$tmp/pyold" timed "$1" "$n" sh -c \
	    "$MODULE <'$items'" ;;
	plain1) timed "$1" "$n" sh -c "$PLAIN <'$items'" ;;
	esac
	sort -n "$tmp/out" | cmp -s - "$want" || echo "$1 at $n" >>"$tmp/wrong"
}

pr_init "$tmp/t"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $SIZES; do
	seq 1 "$n" >"$tmp/items.$n"
	awk '{ printf "%.0f\n", $1 * $1 }' "$tmp/items.$n" >"$tmp/want.$n"
	# Every other round runs them in the reverse order: a run right
	# after a Python one starts colder.  The same binary as cat and
	# cat-base, 20,000 items: 0.94x (0.76-1.06) over 15 rounds in one
	# order, 1.02x (0.81-1.11) over 16 alternating; re-run, 16 rounds
	# each: 0.93x (0.80-1.13) and 0.97x (0.87-1.13).
	back=$(echo "$RUNNERS" | tr ' ' '\n' | tac | tr '\n' ' ')
	for k in $(seq 1 "$R"); do
		order=$RUNNERS
		[ $((k % 2)) -eq 0 ] && order=$back
		for r in $order; do
			run "$r" "$n"
		done
	done
	# The faster Pool.map of each round: the one to beat.
	paste "$tmp/t/pm.$n" "$tmp/t/pm1000.$n" |
	    awk '{ print ($1 < $2 ? $1 : $2) }' >"$tmp/t/best.$n"
done

# Memory: the supervisor's VmHWM, read by its --on-end hook ($PPID is the
# supervisor: the hook's shell is its child), checked to be that process.
for n in $MEMSIZES; do
	[ -e "$tmp/items.$n" ] || seq 1 "$n" >"$tmp/items.$n"
done
for _ in $(seq 1 "$R"); do
	for n in $MEMSIZES; do
		rm -f "$tmp/hwm"
		"$POOLTOP_BIN" --headless -q -j"$P" -a "$tmp/items.$n" \
		    --on-end "grep -E '^(Pid|VmHWM):' /proc/\$PPID/status >'$tmp/hwm'" \
		    --persistent cat >"$tmp/out" 2>/dev/null &
		pid=$!
		wait "$pid" || true
		cmp -s "$tmp/out" "$tmp/items.$n" ||
		    sort -n "$tmp/out" | cmp -s - "$tmp/items.$n" ||
		    echo "memory run at $n" >>"$tmp/wrong"
		if [ -e "$tmp/hwm" ] &&
		    [ "$(awk '/^Pid:/ { print $2 }' "$tmp/hwm")" = "$pid" ]; then
			pr_add "hwm.$n" "$(awk '/^VmHWM:/ { print $2 }' "$tmp/hwm")"
		else
			echo "memory run at $n: no VmHWM of pid $pid" >>"$tmp/wrong"
		fi
	done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# rr A B: the rate ratio of A to B (same N) round by round, "med min max"
# (B's time over A's).
rr() {
	paste "$tmp/t/$1" "$tmp/t/$2" |
	    awk '$1 > 0 { printf "%.6f\n", $2 / $1 }' >"$tmp/t/.rr"
	_pr_stats "$tmp/t/.rr"
}
fmt() { awk '{ printf "%.2fx (%.2f-%.2f)", $1, $2, $3 }'; }
med() { awk '{ print $1 }'; }
commas() { awk '{ s = sprintf("%.0f", $1); o = "";
	while (length(s) > 3) { o = "," substr(s, length(s) - 2) o;
	    s = substr(s, 1, length(s) - 3) } printf "%s%s", s, o }'; }
rate() {	# rate N NAME: "median (min-max)" items/s with thousands marks
	local r
	r=$(pr_rate "$1" "$2")
	printf '%s (%s-%s)' "$(echo "${r%% *}" | commas)" \
	    "$(echo "${r#* }" | cut -d- -f1 | commas)" \
	    "$(echo "${r#* }" | cut -d- -f2 | commas)"
}
desc() {
	case $1 in
	pm) echo "Pool($P).map, default chunksize" ;;
	pm1000) echo "Pool($P).map, chunksize=1000" ;;
	module) echo "pooltop + python3 -m pooltop_worker" ;;
	launcher) echo "pooltop + pooltop-py" ;;
	module-old) echo "pooltop + the older pooltop_worker" ;;
	plain) echo "pooltop + worker.py (a write per answer)" ;;
	plain-old) echo "pooltop + the older worker.py" ;;
	module-base) echo "  the same, BASE_BIN, older module" ;;
	plain-base) echo "  the same, BASE_BIN, older worker.py" ;;
	cat-base) echo "  the same, BASE_BIN" ;;
	cat) echo "pooltop + cat (no work)" ;;
	module@*) echo "  module, --chunksize ${1#*@}" ;;
	plain@*) echo "  worker.py, --chunksize ${1#*@}" ;;
	alone) echo "pooltop_worker alone, 1 process" ;;
	alone-old) echo "the older pooltop_worker alone" ;;
	plain1) echo "worker.py alone, 1 process" ;;
	esac
}

printf 'squares of 1..N at -j%d; %s cores (nproc); %d paired rounds; %s\n' \
    "$P" "$(nproc)" "$R" "$($PY -V 2>&1)"
printf 'load average %s at the start, %s at the end\n' "$load0" "$load1"
answers=ok
[ -e "$tmp/wrong" ] && answers="WRONG: $(tr '\n' ';' <"$tmp/wrong")"
printf 'median (min-max) over the rounds; every answer checked: %s\n' \
    "$answers"
verdicts=""
met() {
	awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t ? "met" : "MISSED") }'
}
cpu() {	# cpu N NAME: the median CPU time per item in us, all processes
	_pr_stats "$tmp/t/cpu.$2" | awk -v n="$1" '{ printf "%.2f", $1 * 1e6 / n }'
}
has() { [ -e "$tmp/t/$1" ]; }
for n in $SIZES; do
	echo
	printf '%-44s %-31s %-24s %s\n' "$(echo "$n" | commas) items" \
	    "items/s" "vs the faster Pool.map" "CPU us/item"
	for r in $RUNNERS; do
		printf '  %-42s %-31s %-24s %s\n' "$(desc "$r")" \
		    "$(rate "$n" "$r.$n")" "$(rr "$r.$n" "best.$n" | fmt)" \
		    "$(cpu "$n" "$r.$n")"
	done
	v=""
	if has "module.$n"; then
		m=$(rr "module.$n" "best.$n" | med)
		v="$v$(printf ' module %.2fx (1.5x: %s),' "$m" "$(met "$m" 1.5)")"
	fi
	if has "launcher.$n"; then
		m=$(rr "launcher.$n" "best.$n" | med)
		v="$v$(printf ' pooltop-py %.2fx (1.5x: %s),' "$m" "$(met "$m" 1.5)")"
	fi
	if has "plain.$n"; then
		m=$(rr "plain.$n" "best.$n" | med)
		v="$v$(printf ' worker.py %.2fx (1.0x: %s),' "$m" "$(met "$m" 1.0)")"
	fi
	if has "cat.$n"; then
		m=$(pr_rate "$n" "cat.$n" | med)
		v="$v$(printf ' cat %s items/s (2,000,000: %s)' \
		    "$(echo "$m" | commas)" "$(met "$m" 2000000)")"
	fi
	verdicts="$verdicts$(printf '  %9s items:%s' "$(echo "$n" | commas)" "${v%,}")
"
done

if has "launcher.${SIZES%% *}" && has "module.${SIZES%% *}"; then
	echo
	echo "pooltop-py over python3 -m pooltop_worker, per round: the rate"
	echo "ratio, and the CPU time ratio (above 1.00x pooltop-py is faster,"
	echo "or uses less CPU); the wall time saved per round, in ms"
	printf '  %9s  %-22s %-22s %s\n' items rate CPU "ms saved"
	for n in $SIZES; do
		paste "$tmp/t/module.$n" "$tmp/t/launcher.$n" |
		    awk '{ printf "%.6f\n", ($1 - $2) * 1000 }' >"$tmp/t/.ms"
		printf '  %9s  %-22s %-22s %s\n' "$(echo "$n" | commas)" \
		    "$(rr "launcher.$n" "module.$n" | fmt)" \
		    "$(rr "cpu.launcher.$n" "cpu.module.$n" | fmt)" \
		    "$(_pr_stats "$tmp/t/.ms" |
		    awk '{ printf "%.1f (%.1f-%.1f)", $1, $2, $3 }')"
	done
fi

if [ -n "$CHUNKS" ]; then
	echo
	echo "--chunksize auto (the default) against fixed sizes: the rate of"
	echo "auto over that of C, per round (above 1.00x: auto is faster)"
	printf '  %9s %6s  %-24s %s\n' items C module worker.py
	for n in $SIZES; do
		for c in $CHUNKS; do
			has "module@$c.$n" || continue
			printf '  %9s %6s  %-24s %s\n' "$(echo "$n" | commas)" "$c" \
			    "$(rr "module.$n" "module@$c.$n" | fmt)" \
			    "$(rr "plain.$n" "plain@$c.$n" | fmt)"
		done
	done
fi

# vs_rows SUFFIX RUNNER...: a table, per size and runner, of the rate and
# CPU time ratios of RUNNER over RUNNER+SUFFIX (BASE_BIN's, the older
# workers'), per round; a row where both ran.
vs_rows() {
	_sfx=$1
	shift
	printf '  %9s  %-34s %-22s %s\n' items runner rate CPU
	for n in $SIZES; do
		for r in "$@"; do
			has "$r.$n" && has "$r$_sfx.$n" || continue
			printf '  %9s  %-34s %-22s %s\n' "$(echo "$n" | commas)" \
			    "$(desc "$r" | sed 's/ (a write per answer)//')" \
			    "$(rr "$r.$n" "$r$_sfx.$n" | fmt)" \
			    "$(rr "cpu.$r.$n" "cpu.$r$_sfx.$n" | fmt)"
		done
	done
}

if [ -n "$BASE_BIN" ]; then
	echo
	echo "this tree over BASE_BIN (with the older workers), per round: the"
	echo "rate ratio, and the CPU time ratio (above 1.00x this tree is"
	echo "faster, or uses less CPU)"
	vs_rows -base module plain cat
	echo "  (BASE_BIN: $BASE_BIN)"
fi

if [ -n "$OLD_MODULE$OLD_PLAIN" ]; then
	echo
	echo "this tree's workers over the older ones, per round: the rate"
	echo "ratio, and the CPU time ratio (older over this tree's: above 1.00x"
	echo "this tree's is faster, or uses less CPU)"
	vs_rows -old module alone plain
	[ -n "$OLD_MODULE" ] && echo "  (older pooltop_worker: $OLD_MODULE)"
	[ -n "$OLD_PLAIN" ] && echo "  (older worker.py: $OLD_PLAIN)"
fi

echo
echo "supervisor peak RSS (VmHWM at --on-end), pooltop --persistent cat -j$P:"
small=${MEMSIZES%% *} large=${MEMSIZES##* }
for n in $MEMSIZES; do
	printf '  %9s items: %s kB (%s)\n' "$(echo "$n" | commas)" \
	    "$(pr_med "hwm.$n" | commas)" "$(pr_range "hwm.$n")"
done
paste "$tmp/t/hwm.$large" "$tmp/t/hwm.$small" |
    awk '$2 > 0 { printf "%.6f\n", $1 / $2 }' >"$tmp/t/.mr"
mr=$(_pr_stats "$tmp/t/.mr")
printf '  %s over %s, per round: %s\n' "$large" "$small" \
    "$(echo "$mr" | fmt)"

echo
echo "targets (median ratio of item rates to the faster Pool.map):"
printf '%s' "$verdicts"
m=$(echo "$mr" | med)
printf '  memory: %s items %.2fx the peak RSS of %s (at most 1.10x: %s)\n' \
    "$(echo "$large" | commas)" "$m" "$(echo "$small" | commas)" \
    "$(awk -v m="$m" 'BEGIN { print (m <= 1.10 ? "met" : "MISSED") }')"
true

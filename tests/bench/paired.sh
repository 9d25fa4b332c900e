# Paired timing for the benchmarks (sourced, bash).  Each round runs every
# runner once, in the same order (A B C A B C ...), so a change of machine
# load hits every runner alike; the figures are the median over rounds with
# the spread (min-max), and a ratio is the median of the per-round ratios.
#
#   pr_init DIR              keep timings in DIR
#   pr_time NAME OUT CMD...  run CMD once (stdin and stderr /dev/null, stdout
#                            to OUT), add its wall time in seconds to NAME's
#                            list
#   pr_time_cpu NAME OUT CMD...  the same, and CMD's CPU time (user + sys
#                            of its whole tree, in seconds) to cpu.NAME
#   pr_add NAME VALUE        add a figure measured otherwise
#   pr_med NAME              the median of NAME's figures
#   pr_range NAME            "min-max" of NAME's figures
#   pr_ratio A B             median of A[i]/B[i] over rounds, and "min-max"
#   pr_rate N NAME           N / NAME's figures (items/s): the median, and
#                            "min-max"
#
# A CMD that is a program is timed by timedrun.c (built by pr_init): from
# its posix_spawn to its wait4, as hyperfine -N does.  Timed from bash, a
# run also paid for the fork of the whole shell and the redirections in
# the child: 0.2-0.4 ms a run on the 2-core machine (medians of 200 paired
# runs: `cat /dev/null` 1.12 ms from bash, 0.94 ms so; a 20,000-item
# persistent run of cat 9.11 ms and 8.74 ms).  A shell function, or a
# machine without cc, is timed from bash.

_pr_src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pr_init() {
	_pr=$1 _pr_run=
	mkdir -p "$_pr"
	if cc -O2 -o "$_pr/.timedrun" "$_pr_src/timedrun.c" 2>/dev/null; then
		_pr_run=$_pr/.timedrun
	else
		echo "# paired.sh: timedrun.c not built: runs timed from bash" >&2
	fi
}
# _pr_clock VAR: the time now into VAR, from bash's own clock (no process
# started to read it: a $(...) forks, date(1) forks and execs, and either
# adds its cost to every figure); date(1) where bash has none.
if [ -n "${EPOCHREALTIME:-}" ]; then
	_pr_clock() { printf -v "$1" '%s' "${EPOCHREALTIME/,/.}"; }
else
	_pr_clock() { printf -v "$1" '%s' "$(date +%s.%N)"; }
fi
pr_now() { local t; _pr_clock t; echo "$t"; }
# _pr_kids VAR: the user + sys seconds of every child this shell has
# reaped so far, with the children they reaped (getrusage's
# RUSAGE_CHILDREN, through the times builtin: to the millisecond, and no
# process started to read it).
_pr_kids() {
	local u s
	times >"$_pr/.times"
	{ read -r _; read -r u s; } <"$_pr/.times"
	printf -v "$1" '%s %s' "${u//,/.}" "${s//,/.}"
}
# _pr_timed CPUFILE NAME OUT CMD...: one timed run; its CPU time to CPUFILE
# ("-": not kept).
_pr_timed() {
	local cpu=$1 name=$2 out=$3 s e c0 c1
	shift 3
	if [ -n "${_pr_run:-}" ] && [ "$(type -t "$1")" = file ]; then
		"$_pr_run" "$_pr/$name" "$cpu" "$out" "$@" || true
		return 0
	fi
	[ "$cpu" = - ] || _pr_kids c0
	_pr_clock s
	"$@" >"$out" 2>/dev/null </dev/null || true
	_pr_clock e
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.6f\n", e - s }' >>"$_pr/$name"
	[ "$cpu" = - ] && return 0
	_pr_kids c1
	awk -v a="$c0" -v b="$c1" 'function sec(x,  m) {
		m = index(x, "m"); return substr(x, 1, m - 1) * 60 + substr(x, m + 1) + 0 }
	BEGIN { split(a, x, " "); split(b, y, " ")
		printf "%.3f\n", sec(y[1]) + sec(y[2]) - sec(x[1]) - sec(x[2]) }' \
	    >>"$cpu"
}
pr_time() { _pr_timed - "$@"; }
pr_time_cpu() { _pr_timed "$_pr/cpu.$1" "$@"; }
pr_add() { echo "$2" >>"$_pr/$1"; }
# _pr_stats FILE: "median min max" of the numbers in FILE.
_pr_stats() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan nan"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.6f %.6f %.6f\n", m, v[1], v[NR] }'
}
pr_med() { _pr_stats "$_pr/$1" | awk '{ print $1 }'; }
pr_range() { _pr_stats "$_pr/$1" | awk '{ printf "%g-%g\n", $2, $3 }'; }
pr_ratio() {
	paste "$_pr/$1" "$_pr/$2" | awk '$2 > 0 { printf "%.6f\n", $1 / $2 }' \
	    >"$_pr/.ratio"
	_pr_stats "$_pr/.ratio" | awk '{ printf "%.2f %.2f-%.2f\n", $1, $2, $3 }'
}
pr_rate() {
	awk -v n="$1" '$1 > 0 { printf "%.6f\n", n / $1 }' "$_pr/$2" \
	    >"$_pr/.rate"
	_pr_stats "$_pr/.rate" | awk '{ printf "%.0f %.0f-%.0f\n", $1, $2, $3 }'
}

# Paired timing for the benchmarks (sourced, bash).  Each round runs every
# runner once, in the same order (A B C A B C ...), so a change of machine
# load hits every runner alike; the figures are the median over rounds with
# the spread (min-max), and a ratio is the median of the per-round ratios.
#
#   pr_init DIR              keep timings in DIR
#   pr_time NAME OUT CMD...  run CMD once (stdin /dev/null, stdout to OUT),
#                            add its wall time in seconds to NAME's list
#   pr_add NAME VALUE        add a figure measured otherwise
#   pr_med NAME              the median of NAME's figures
#   pr_range NAME            "min-max" of NAME's figures
#   pr_ratio A B             median of A[i]/B[i] over rounds, and "min-max"
#   pr_rate N NAME           N / NAME's figures (items/s): the median, and
#                            "min-max"

pr_init() { _pr=$1; mkdir -p "$_pr"; }
pr_now() { date +%s.%N; }
pr_time() {
	local name=$1 out=$2 s e
	shift 2
	s=$(pr_now)
	"$@" >"$out" 2>/dev/null </dev/null || true
	e=$(pr_now)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.6f\n", e - s }' >>"$_pr/$name"
}
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

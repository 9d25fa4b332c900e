#!/usr/bin/env bash
# The dashboard's own cost: CPU used by the pooltop supervisor (which draws
# the dashboard) and by its workers (which sample /proc), while watching 64
# workers running `sleep`, against htop watching the same processes at the
# same refresh rate, in one run.  Both run in tmux terminals of 120x40.
#   tests/bench/dashboard.sh [SECONDS=30] [REFRESH_MS=250] [R=3]
# Each of R rounds measures pooltop for SECONDS, then htop for SECONDS;
# figures are medians over the rounds with their spread (min-max).
# htop's delay is in tenths of a second, so REFRESH_MS is rounded to the
# nearest tenth for htop (250 ms -> 300 ms: htop refreshes a little less
# often than pooltop, which favours htop).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/paired.sh"
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
SECS=${1:-30} MS=${2:-250} R=${3:-3}
sock=pt-bench-$$
tmp=$(mktemp -d)
export XDG_RUNTIME_DIR=$tmp
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
hz=$(getconf CLK_TCK)
command -v htop >/dev/null || { echo "dashboard.sh: htop is not installed"; exit 77; }

ticks() {	# utime+stime of pid, in clock ticks
	awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"
}
ticks_sum() { local t=0 p; for p in "$@"; do t=$((t + $(ticks "$p" 2>/dev/null || echo 0))); done; echo $t; }

tmux -L "$sock" new-session -d -x 120 -y 40 -s pt \
	"$POOLTOP_BIN -j64 --refresh $MS 'sleep 600; : {}' ::: \$(seq 1 64)"
# Wait for 64 running tasks.
for _ in $(seq 1 500); do
	n=$(pgrep -fc '^sleep 600' || true)
	[ "$n" -ge 64 ] && break
	sleep 0.05
done
sup=$(pgrep -f "^$POOLTOP_BIN -j64 --refresh" | head -1)
workers=$(pgrep -P "$sup" | tr '\n' ' ')
sleep 2
pids=$( (echo "$sup"; echo $workers | tr ' ' '\n'; pgrep -f '^sleep 600') | grep . | paste -sd, )
tenths=$(( (MS + 50) / 100 )); [ $tenths -lt 1 ] && tenths=1
pct() { echo "scale=4; $1 * 100 / ($hz * $SECS)" | bc -l; }
pr_init "$tmp/t"
for r in $(seq 1 "$R"); do
	s0=$(ticks "$sup"); w0=$(ticks_sum $workers)
	sleep "$SECS"
	s1=$(ticks "$sup"); w1=$(ticks_sum $workers)
	pr_add sup "$(pct $((s1 - s0)))"
	pr_add wk "$(pct $((w1 - w0)))"
	[ "$r" = 1 ] && tmux -L "$sock" capture-pane -p -t pt:0 >"$tmp/screen.txt"
	# htop on the same processes (workers and tasks), same terminal size.
	tmux -L "$sock" new-window -t pt -n htop "htop -d $tenths -p $pids"
	hpid=""
	for _ in $(seq 1 200); do
		hpid=$(pgrep -x htop | head -1 || true)
		[ -n "$hpid" ] && break
		sleep 0.05
	done
	[ -n "$hpid" ] || { echo "dashboard.sh: htop did not start"; exit 1; }
	sleep 2
	h0=$(ticks "$hpid")
	sleep "$SECS"
	h1=$(ticks "$hpid")
	pr_add htop "$(pct $((h1 - h0)))"
	tmux -L "$sock" kill-window -t pt:htop
	for _ in $(seq 1 200); do
		kill -0 "$hpid" 2>/dev/null || break
		sleep 0.05
	done
done
tmux -L "$sock" send-keys -t pt:0 Q

printf '64 workers running sleep, %d rounds of %s s each, dashboard refresh %d ms,\n' "$R" "$SECS" "$MS"
printf 'htop -d %d (%d ms); median (min-max over the rounds)\n' "$tenths" $((tenths * 100))
printf '%-34s %8s\n' process "CPU %"
row() { printf '%-34s %8.2f (%s)\n' "$1" "$(pr_med "$2")" "$(pr_range "$2" | awk -F- '{ printf "%.2f-%.2f", $1, $2 }')"; }
row "pooltop supervisor + dashboard" sup
row "pooltop 64 workers (sampling)" wk
row "htop" htop
ratio=$(pr_ratio sup htop)
printf 'supervisor / htop: %sx (%s)\n' "${ratio% *}" "${ratio#* }"
echo
echo "dashboard screen (round 1):"
cat "$tmp/screen.txt"

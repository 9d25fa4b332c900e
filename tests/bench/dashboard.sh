#!/usr/bin/env bash
# The dashboard's own cost: CPU used by the pooltop supervisor (which draws
# the dashboard) and by its workers (which sample /proc), while watching 64
# workers running `sleep`, against htop watching the same processes at the
# same refresh rate, in one run.  Both run in tmux terminals of 120x40.
#   tests/bench/dashboard.sh [SECONDS=30] [REFRESH_MS=250]
# htop's delay is in tenths of a second, so REFRESH_MS is rounded to the
# nearest tenth for htop (250 ms -> 300 ms: htop refreshes a little less
# often than pooltop, which favours htop).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
POOLTOP=${POOLTOP:-$top/_build/plain/src/pooltop}
SECS=${1:-30} MS=${2:-250}
sock=pt-bench-$$
tmp=$(mktemp -d)
export XDG_RUNTIME_DIR=$tmp
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
hz=$(getconf CLK_TCK)

ticks() {	# utime+stime of pid, in clock ticks
	awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"
}
ticks_sum() { local t=0 p; for p in "$@"; do t=$((t + $(ticks "$p" 2>/dev/null || echo 0))); done; echo $t; }

tmux -L "$sock" new-session -d -x 120 -y 40 -s pt \
	"$POOLTOP -j64 --refresh $MS 'sleep 600; : {}' ::: \$(seq 1 64)"
# Wait for 64 running tasks.
for _ in $(seq 1 500); do
	n=$(pgrep -fc '^sleep 600' || true)
	[ "$n" -ge 64 ] && break
	sleep 0.05
done
sup=$(pgrep -f "^$POOLTOP -j64 --refresh" | head -1)
workers=$(pgrep -P "$sup" | tr '\n' ' ')
sleep 2
s0=$(ticks "$sup"); w0=$(ticks_sum $workers)
sleep "$SECS"
s1=$(ticks "$sup"); w1=$(ticks_sum $workers)
tmux -L "$sock" capture-pane -p -t pt >"$tmp/screen.txt"

# htop on the same processes (workers and tasks), same terminal size.
pids=$( (echo "$sup"; echo $workers | tr ' ' '\n'; pgrep -f '^sleep 600') | grep . | paste -sd, )
tenths=$(( (MS + 50) / 100 )); [ $tenths -lt 1 ] && tenths=1
tmux -L "$sock" new-window -t pt -n htop "htop -d $tenths -p $pids"
sleep 1
hpid=$(pgrep -x htop | head -1)
sleep 2
h0=$(ticks "$hpid")
sleep "$SECS"
h1=$(ticks "$hpid")
tmux -L "$sock" send-keys -t pt:0 Q

pct() { echo "scale=2; $1 * 100 / ($hz * $SECS)" | bc -l; }
sp=$(pct $((s1 - s0))); wp=$(pct $((w1 - w0))); hp=$(pct $((h1 - h0)))
printf '64 workers running sleep, %s s, dashboard refresh %d ms, htop -d %d (%d ms)\n' "$SECS" "$MS" "$tenths" $((tenths * 100))
printf '%-34s %8s\n' process "CPU %"
printf '%-34s %8.2f\n' "pooltop supervisor + dashboard" "$sp"
printf '%-34s %8.2f\n' "pooltop 64 workers (sampling)" "$wp"
printf '%-34s %8.2f\n' "htop" "$hp"
if [ "$(echo "$hp > 0" | bc -l)" = 1 ]; then
	printf 'supervisor / htop: %.2fx\n' "$(echo "$sp / $hp" | bc -l)"
fi
echo
echo "dashboard screen:"
cat "$tmp/screen.txt"

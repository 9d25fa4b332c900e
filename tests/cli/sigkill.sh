#!/bin/sh
# SIGKILL of the supervisor leaves no worker, task, grandchild or segment.
. "$POOLTOP_SRCDIR/tests/lib.sh"

"$POOLTOP_BIN" -j3 --headless -q 'sh -c "sleep 86401 & wait"' ::: a b c >/dev/null 2>&1 &
pid=$!
_bgpids="$pid"
check "tasks started" wait_for 10 sh -c '[ "$(pgrep -f "^sleep 86401" | wc -l)" -eq 3 ]'
check "segment exists" [ -n "$(segments $pid)" ]
kill -KILL $pid
wait $pid 2>/dev/null
check "task processes gone" wait_for 10 no_process_with "^sleep 86401"
check "workers gone" wait_for 10 sh -c "! pgrep -P $pid >/dev/null"
check "segment removed" wait_for 10 no_segment $pid
check "socket removed" wait_for 10 sh -c "[ -z \"\$(ls '$XDG_RUNTIME_DIR'/pooltop 2>/dev/null)\" ]"
finish

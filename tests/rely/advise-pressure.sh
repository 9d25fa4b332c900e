#!/bin/sh
# Memory pressure in the advice and in -j auto, for real: a memory cgroup
# this test creates (40 MiB; never the machine's own memory, which is
# shared) holds a 28 MiB hog and three readers of a 60 MB file that the
# limit keeps evicting, so the tasks in it wait on reclaim and refaults:
# the cgroup's memory "some avg10" rises past 20%.  A pool of sleeping
# tasks runs in the same cgroup with -j auto:
#  - the advice says the pressure limits it (text and status --json):
#    memory, or io when the readers' waits on the disk are the higher;
#  - -j auto takes workers away, one a decision, with the reason, and not
#    under --workers-min;
#  - the thrashing ends: the pressure falls under the bound and the advice
#    no longer says it limits.
# The pool reads the PSI of its cgroup v2 (memory.pressure): on a machine
# with cgroup v1 memory (hybrid), the test makes a v2 cgroup too and runs
# the thrashing in both, the pool in the v2 one only.  Needs root, python3, a memory cgroup it can create
# and a v2 cgroup with memory.pressure; skips, saying why, elsewhere.
. "$POOLTOP_SRCDIR/tests/lib.sh"

. "$POOLTOP_SRCDIR/tests/cgroup.sh"
cg_memory_test "pooltop-psi.$$"
# The v2 cgroup whose memory.pressure the pool reads: the memory cgroup
# itself on a v2 machine, else one of the same name in the v2 hierarchy.
if [ "$CG_LIMIT" = memory.max ]; then
	PSI=$CG
else
	_v2=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	_v2mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$_v2mnt" ] || skip "no cgroup v2 hierarchy for the pressure"
	PSI=$_v2mnt${_v2%/}/pooltop-psi.$$
fi
mkdir "$CG" 2>/dev/null || skip "cannot create the memory cgroup $CG"
psi_gone() {
	: >"$T/stop"
	cg_remove
	if [ "$PSI" != "$CG" ]; then
		CG=$PSI cg_remove
	fi
	cleanup_test
}
trap psi_gone EXIT
[ "$PSI" = "$CG" ] || mkdir "$PSI" 2>/dev/null ||
    skip "cannot create the cgroup v2 $PSI"
[ -r "$PSI/memory.pressure" ] && head -n1 "$PSI/memory.pressure" >/dev/null 2>&1 ||
    skip "no memory.pressure in $PSI (a kernel without PSI, or psi=0)"
echo 40M >"$CG/$CG_LIMIT" 2>/dev/null || skip "cannot set $CG_LIMIT in $CG"
echo "# memory cgroup $CG, 40 MiB; pressure read in $PSI"

# incg CMD...: run CMD in both cgroups (as the same process: $! is CMD's).
printf '#!/bin/sh\necho $$ >"%s/cgroup.procs" && echo $$ >"%s/cgroup.procs" && exec "$@"\n' \
    "$CG" "$PSI" >"$T/incg" && chmod +x "$T/incg"
incg=$T/incg
# inpsi CMD...: run CMD in the cgroup whose pressure the pool reads, but,
# on a hybrid machine, out of the 40 MiB memory cgroup: the thrashing must
# not starve the pool itself (a pool built with the sanitizers alone takes
# more than the hog leaves).  On a v2 machine the two are one cgroup.
if [ "$PSI" = "$CG" ]; then
	inpsi=$incg
else
	printf '#!/bin/sh\necho $$ >"%s/cgroup.procs" && exec "$@"\n' "$PSI" \
	    >"$T/inpsi" && chmod +x "$T/inpsi"
	inpsi=$T/inpsi
fi

# The thrashing: a hog of 28 MiB (anonymous, no swap: it stays) and two
# readers of a 60 MB file written in the cgroup (its pages charged there),
# until $T/stop exists (120 s at most).
cat >"$T/hog.py" <<'EOF'
import mmap, os, sys, time
b = mmap.mmap(-1, int(sys.argv[1]) << 20, flags=mmap.MAP_PRIVATE |
              mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE)
end = time.time() + 120
while time.time() < end and not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
EOF
cat >"$T/thrash.sh" <<EOF
#!/bin/sh
$PY "$T/hog.py" 28 "$T/stop" &
head -c 60000000 /dev/zero >"$T/big"
i=0
while [ ! -e "$T/stop" ] && [ \$i -lt 2000 ]; do
	cat "$T/big" >/dev/null & a=\$!
	cat "$T/big" >/dev/null & b=\$!
	cat "$T/big" >/dev/null
	wait \$a \$b
	i=\$((i + 1))
done
EOF
chmod +x "$T/thrash.sh"

psi_some() { awk '/^some/ { sub("avg10=", "", $2); print $2 }' "$PSI/memory.pressure"; }
psi_over() { awk -v v="$(psi_some)" -v b="$1" 'BEGIN { exit !(v > b) }'; }

bg "$incg" "$T/thrash.sh"
THRASH=$!
# The rest of the test needs the pressure: a machine whose reclaim keeps
# the cgroup under it (seen once in a whole make -j2 check) cannot test
# it, which is a skip, not a failure of pooltop.
if ! wait_for 60 psi_over 20; then
	: >"$T/stop"
	reap $THRASH 30
	skip "the thrashing did not raise the cgroup's memory pressure" \
	    "past 20% in 60 s (memory some avg10 $(psi_some)%)"
fi
echo "# memory some avg10 $(psi_some)%"

N=psi$$
js() {
	"$POOLTOP_BIN" ctl $N status --json 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1" 2>/dev/null
}
limiting() { js 'd["advice"]["pressure"]["limiting"]'; }
limiting_is() { [ "$(limiting)" = "$1" ]; }
# The readers wait on the disk too: io pressure may be the higher one.
limited() { case $(limiting) in memory|io) ;; *) return 1 ;; esac; }
bg "$inpsi" "$POOLTOP_BIN" --headless --name $N -j auto --workers-min 1 \
    --workers-max 4 sleep ::: $(yes 0.1 | head -n 3000 | tr '\n' ' ') \
    2>"$T/err"
P=$!
check "status --json: memory (or io) pressure limits the advice" \
    wait_for 60 limited
"$POOLTOP_BIN" ctl $N advise >"$T/adv" 2>&1
check "advise: more workers stop helping, the pressure over 10%" \
    grep -Eq '^more workers stop helping: (memory|io) pressure [0-9.]+% > 10% \(some avg10\)$' "$T/adv"
check "status --json: best and knee no larger than the size now" \
    [ "$(js '[a["best"] <= a["workers"] and a["knee"] <= a["workers"] for a in [d["advice"]]][0]')" = True ]
check "-j auto: one worker fewer, with the reason" \
    wait_for 60 grep -Eq 'info auto: [0-9]+ -> [0-9]+ workers: (memory|io) pressure [0-9.]+% >= 20% \(some avg10\): one worker fewer' "$T/err"
check "-j auto: one worker at a time, never under --workers-min" \
    sh -c "! grep -E 'auto: [0-9]+ -> [0-9]+ workers: (memory|io) pressure' '$T/err' |
    awk '{ for (i = 1; i <= NF; i++) if (\$i == \"->\") { if (\$(i-1) - \$(i+1) != 1 || \$(i+1) < 1) bad = 1 } } END { exit !bad }'"
grep 'info auto:' "$T/err" | sed 's/^/# /'

: >"$T/stop"
reap $THRASH 30
check "the thrashing ends: the advice no longer limited" \
    wait_for 90 limiting_is None
"$POOLTOP_BIN" ctl $N stop >/dev/null
reap $P 30
finish

#!/bin/sh
# Another local user cannot stop your pools from starting, nor hide them
# from ls and ctl.  The test creates two users (removed at the end): a
# squatter and a victim without $XDG_RUNTIME_DIR.  The squatter creates
# first, in /dev/shm, every name the victim's next pools could have had
# under the old scheme (pooltop.UID.PID for the next POOLTOP_SQUAT_PIDS
# pids, 3000) and look-alikes of the new one (pooltop.UID.PID.RANDOM), and
# takes /tmp/pooltop-UID (mode 0777) and /tmp/pooltop-UID.* look-alikes.
# Then the victim runs POOLTOP_SQUAT_POOLS pools (10), one after another:
# each starts, says which control directory of its own it uses instead,
# is listed by `pooltop ls` and answers `pooltop ctl ID status` through that
# directory, runs its tasks, exits 0 and leaves no segment or socket; the
# squatter's files are untouched.  Needs root (useradd); SKIP otherwise.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

[ "$(id -u)" = 0 ] || skip "needs root to create users"
for c in useradd userdel setpriv; do
	command -v $c >/dev/null 2>&1 || skip "$c is not installed"
done
NPIDS=${POOLTOP_SQUAT_PIDS:-3000}
NPOOLS=${POOLTOP_SQUAT_POOLS:-10}
SQ=ptsq$$
VI=ptvi$$
users_gone() {
	shadow userdel "$SQ"
	shadow userdel "$VI"
}
trap 'cleanup_squat; users_gone; cleanup_test' EXIT
shadow useradd -M -N -s /bin/sh "$SQ" || { fail "useradd $SQ (exit $?)"; finish; }
shadow useradd -M -N -s /bin/sh "$VI" || { fail "useradd $VI (exit $?)"; finish; }
vuid=$(id -u "$VI")
cleanup_squat() {
	[ -n "${vuid:-}" ] || return 0
	find /dev/shm -maxdepth 1 -name "pooltop.$vuid.*" -delete 2>/dev/null
	rm -rf "/tmp/pooltop-$vuid" "/tmp/pooltop-$vuid".*
}
# as USER CMD...: run CMD as USER, without $XDG_RUNTIME_DIR.
as() {
	_u=$1; shift
	setpriv --reuid "$(id -u "$_u")" --regid "$(id -g "$_u")" \
	    --clear-groups -- env -u XDG_RUNTIME_DIR HOME=/ "$@"
}
# as_bg USER CMD...: the same in the background; $! is CMD's pid (exec).
as_bg() {
	_u=$1; shift
	(exec setpriv --reuid "$(id -u "$_u")" --regid "$(id -g "$_u")" \
	    --clear-groups -- env -u XDG_RUNTIME_DIR HOME=/ "$@") &
}
reach_pooltop as "$VI" || skip "$POOLTOP_BIN is not executable by $VI"
chmod 711 "$T"
V=$T/v
mkdir "$V"
chown "$VI" "$V"

# The squatter takes every name it can guess.
last=$(cat /proc/sys/kernel/ns_last_pid)
as "$SQ" sh -c "
	i=\$(($last + 1)); end=\$(($last + $NPIDS))
	while [ \$i -le \$end ]; do
		: >/dev/shm/pooltop.$vuid.\$i
		i=\$((i + 1))
	done
	: >/dev/shm/pooltop.$vuid.$((last + 1)).0123456789abcdef
	mkdir -m 777 /tmp/pooltop-$vuid /tmp/pooltop-$vuid.AAAAAA
	chmod 777 /tmp/pooltop-$vuid /tmp/pooltop-$vuid.AAAAAA"
nsquat=$(find /dev/shm -maxdepth 1 -name "pooltop.$vuid.*" -user "$SQ" | wc -l)
if [ "$nsquat" -eq $((NPIDS + 1)) ] && [ -d "/tmp/pooltop-$vuid" ]; then
	ok "the squatter holds $((NPIDS + 1)) names and the directory"
else
	fail "the squatter holds $((NPIDS + 1)) names and the directory"
fi

# listed PID NAME: the victim's `pooltop ls` shows pool PID named NAME.
listed() {
	as "$VI" "$POOLTOP_BIN" ls 2>"$V/lserr" | awk -v p="$1" '$1 == p' |
	    grep -q "$2"
}
# unanswered PID: say all we know of a pool that did not answer ctl.
unanswered() {
	echo "# pool $n (pid $1) did not answer ctl status:"
	sed 's/^/#   ctl: /' "$V/ctlerr"
	sed 's/^/#   pool: /' "$V/err"
	as "$VI" "$POOLTOP_BIN" ls 2>&1 | sed 's/^/#   ls: /'
	ls -la /tmp/pooltop-"$vuid"* 2>&1 | sed 's/^/#   dir: /'
	ls -l /proc/"$1"/fd 2>&1 | sed 's/^/#   fd: /'
	ps -o pid,ppid,pgid,stat,args --ppid "$1" 2>&1 | sed 's/^/#   child: /'
}
started=0
answered=0
finished=0
n=0
while [ $n -lt "$NPOOLS" ]; do
	rm -f "$V/go"
	as_bg "$VI" "$POOLTOP_BIN" --headless -q -j2 --name "sq$n" sh -c \
	    "while [ ! -e $V/go ]; do sleep 0.05; done; echo {}" ::: a b \
	    >"$V/out" 2>"$V/err"
	p=$!
	_bgpids="${_bgpids:-} $p"
	if wait_for 10 listed "$p" "sq$n"; then
		started=$((started + 1))
		# ls sees the segment before the socket is bound: poll.
		wait_for 10 sh -c 'exec "$@" >/dev/null 2>"$0"' "$V/ctlerr" \
		    setpriv --reuid "$(id -u "$VI")" --regid "$(id -g "$VI")" \
		    --clear-groups -- env -u XDG_RUNTIME_DIR HOME=/ \
		    "$POOLTOP_BIN" ctl "$p" status && answered=$((answered + 1)) ||
		    unanswered "$p"
	fi
	touch "$V/go"
	reap "$p" 20
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$(sort "$V/out" | tr '\n' ' ')" = "a b " ] &&
	    [ -z "$(find /dev/shm -maxdepth 1 -name "pooltop.$vuid.$p.*")" ] &&
	    [ -z "$(find /tmp -maxdepth 2 -path "/tmp/pooltop-$vuid*" -name "$p.sock")" ]; then
		finished=$((finished + 1))
	else
		echo "# pool $n (pid $p): exit $rc"
		cat "$V/err" "$V/ctlerr" >&2 2>/dev/null
	fi
	n=$((n + 1))
done
check "$started of $NPOOLS pools started and were listed by ls" [ "$started" -eq "$NPOOLS" ]
check "$answered of $NPOOLS answered ctl status" [ "$answered" -eq "$NPOOLS" ]
check "$finished of $NPOOLS ran their tasks, exit 0, left nothing" [ "$finished" -eq "$NPOOLS" ]
check "each said which directory it uses instead" \
    grep -q "control socket: /tmp/pooltop-$vuid belongs to another uid: using /tmp/pooltop-$vuid\." "$V/err"
fb=$(find /tmp -maxdepth 1 -name "pooltop-$vuid.*" -user "$VI")
if [ -n "$fb" ] && [ "$(echo "$fb" | wc -l)" -eq 1 ] &&
    [ "$(stat -c %a "$fb")" = 700 ]; then
	ok "one fallback directory of the victim's, mode 0700"
else
	fail "one fallback directory of the victim's, mode 0700"
fi
check "the squatter's names are untouched" \
    [ "$(find /dev/shm -maxdepth 1 -name "pooltop.$vuid.*" -user "$SQ" | wc -l)" -eq "$nsquat" ]
check "the squatter's directory is untouched" \
    [ "$(stat -c '%U %a' "/tmp/pooltop-$vuid")" = "$SQ 777" ]
figures tasks=$((NPOOLS * 2)) faults=0 hostile=$((nsquat + 2)) lost=0
finish

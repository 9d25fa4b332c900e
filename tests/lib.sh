# Shared helpers for the shell tests of the built binary.
# Each test sources this file, then calls `ok` / `fail` and ends with `finish`.
# Output is TAP (`ok N - ...`, the plan `1..N` last, `1..0 # SKIP why`),
# read by automake's tap-driver.sh; exit status 0 pass, 1 fail.

set -u
# tap-driver.sh leaves its log open on fd 3: close it, so that a test sees
# the descriptors a shell has (the open-file limit tests count them).
exec 3>&-
: "${POOLTOP_BIN:=$(cd "$(dirname "$0")/../.." && pwd)/src/pooltop}"
# $POOLTOP holds default options for pooltop: none of the caller's here.
unset POOLTOP
: "${POOLTOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
export POOLTOP_BIN POOLTOP_SRCDIR
export LC_ALL=C.UTF-8

T=$(mktemp -d "${TMPDIR:-/tmp}/pooltop-test.XXXXXX")
# Each test gets its own runtime dir, so sockets and pools never mix.
export XDG_RUNTIME_DIR="$T/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
_failed=0
_count=0

cleanup_test() {
	# Kill anything a failed test left behind, then remove the temp dir.
	if [ -n "${_bgpids:-}" ]; then
		# shellcheck disable=SC2086
		kill -9 $_bgpids 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup_test EXIT

ok()   { _count=$((_count + 1)); echo "ok $_count - $*"; }
fail() { _count=$((_count + 1)); _failed=$((_failed + 1)); echo "not ok $_count - $*"; }
# skip WHY: skip the rest of the script (all of it before any check).
skip() {
	if [ "$_count" -eq 0 ]; then
		echo "1..0 # SKIP $*"
	else
		_count=$((_count + 1))
		echo "ok $_count # SKIP $*"
		echo "1..$_count"
	fi
	exit 0
}

# shadow CMD...: run useradd, usermod or userdel, again while another
# test holds the lock on /etc/passwd or /etc/group (exit 1 or 10, which
# tests running at once under make -j hit); its last exit status.
shadow() {
	_si=0
	while :; do
		"$@" 2>/dev/null
		_src=$?
		case $_src in 1|10) ;; *) return $_src ;; esac
		_si=$((_si + 1))
		[ "$_si" -lt 500 ] || return $_src
		sleep 0.02
	done
}

# check DESC CMD...: run CMD, ok if it succeeds.
check() { _d=$1; shift; if "$@"; then ok "$_d"; else fail "$_d"; fi; }

# wait_for SECONDS CMD...: poll CMD every 20 ms until it succeeds; 1 on timeout.
wait_for() {
	_limit=$(( $1 * 50 )); shift
	_i=0
	while [ $_i -lt $_limit ]; do
		if "$@"; then return 0; fi
		sleep 0.02
		_i=$((_i + 1))
	done
	return 1
}

# reap PID SECONDS: wait for a background pooltop, at most SECONDS (then
# kill it); its exit status, or 124 if it had to be killed.
reap() {
	if ! wait_for "$2" sh -c "! kill -0 $1 2>/dev/null ||
	    [ \"\$(awk '{ print \$3 }' /proc/$1/stat 2>/dev/null)\" = Z ]"; then
		kill -9 "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		return 124
	fi
	wait "$1"
}

# bg CMD...: start in the background, remember its pid in $!.
bg() { "$@" & _bgpids="${_bgpids:-} $!"; }

# group_stopped PGID: process group PGID is stopped: one process at least
# in state T, every other T, a zombie (a child that ended just before the
# stop stays Z until its stopped parent reaps it), or a D whose child is T:
# a shell starts a command with vfork() and waits for its exec in D, so a
# stop between the two leaves the parent in D until the child runs again.
group_stopped() {
	ps -eo pgid=,pid=,ppid=,stat= | awk -v g="$1" '
	$1 == g { s[$2] = substr($4, 1, 1); pp[$2] = $3 }
	END {
		for (c in s)
			if (s[c] == "T")
				vfork[pp[c]] = 1
		for (q in s) {
			if (s[q] == "T")
				t++
			else if (s[q] != "Z" && !(s[q] == "D" && (q in vfork)))
				bad++
		}
		exit !(t > 0 && bad == 0)
	}'
}

# Processes whose environment or command line mention the marker.
pids_with_marker() { pgrep -f -- "$1" || true; }
no_process_with() { [ -z "$(pgrep -f -- "$1")" ]; }

# Segments of this user in /dev/shm (of pool PID when given), named
# pooltop.UID.PID.RANDOM (pooltop.UID.PID by older versions).
segments() {
	if [ $# -gt 0 ]; then
		ls /dev/shm 2>/dev/null | grep -E "^pooltop\.$(id -u)\.$1(\.[0-9a-f]+)?\$" || true
	else
		ls /dev/shm 2>/dev/null | grep "^pooltop\.$(id -u)\." || true
	fi
}
no_segment() { [ -z "$(segments "$1")" ]; }

finish() {
	[ "$_count" -gt 0 ] || fail "the script ran no check"
	echo "# $_count checks, $_failed failed"
	echo "1..$_count"
	[ "$_failed" -eq 0 ] && [ "$_count" -gt 0 ]
	exit $?
}

# workers_of PID: the workers of pool PID, that is its children but the
# keeper (a worker's title starts "pooltop: worker").
workers_of() {
	for _w in $(pgrep -P "$1"); do
		case "$(tr '\0' ' ' <"/proc/$_w/cmdline" 2>/dev/null)" in
		"pooltop: worker"*) echo "$_w" ;;
		esac
	done
}

# reach_pooltop CMD...: make $POOLTOP_BIN executable by the user that CMD (a
# prefix such as `setpriv --reuid=U ...`) runs as.  When the build tree is
# closed to that user (a clone in a private directory), use a copy in $T.
reach_pooltop() {
	"$@" test -x "$POOLTOP_BIN" && return 0
	chmod 711 "$T"
	cp "$POOLTOP_BIN" "$T/pooltop" && chmod 755 "$T/pooltop" || return 1
	POOLTOP_BIN=$T/pooltop
	"$@" test -x "$POOLTOP_BIN"
}

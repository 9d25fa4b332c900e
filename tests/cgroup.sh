# A memory cgroup of one's own, for the tests and benchmarks that drive
# --memfree and friends for real (tests/rely/admit-memory.sh,
# tests/bench/memfree.sh): never the machine's own memory, which is shared.
# POSIX sh, sourced; defines functions only, so it fits both a TAP test
# (tests/lib.sh) and a bash benchmark under set -eu.

# cg_memory_find NAME: where a memory cgroup NAME under our own would be:
# sets CG (its path; not created), CG_LIMIT and CG_USAGE (its limit and
# usage files: v1 memory.limit_in_bytes and memory.usage_in_bytes, v2
# memory.max and memory.current).  Our cgroup is v1 "N:memory:/path" in
# /proc/self/cgroup, else v2 "0::/path" where the memory controller is
# enabled.  Returns 1, CG empty, where there is no memory controller.
cg_memory_find() {
	CG= CG_LIMIT= CG_USAGE=
	_cg_v1=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/self/cgroup)
	_cg_v1mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {
		print $5; exit }' /proc/self/mountinfo)
	_cg_v2=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	_cg_v2mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	if [ -n "$_cg_v1" ] && [ -n "$_cg_v1mnt" ]; then
		CG=$_cg_v1mnt${_cg_v1%/}/$1
		CG_LIMIT=memory.limit_in_bytes CG_USAGE=memory.usage_in_bytes
	elif [ -n "$_cg_v2mnt" ] && grep -qw memory \
	    "$_cg_v2mnt${_cg_v2%/}/cgroup.controllers" 2>/dev/null; then
		CG=$_cg_v2mnt${_cg_v2%/}/$1
		CG_LIMIT=memory.max CG_USAGE=memory.current
	else
		return 1
	fi
}

# cg_memory_test NAME: for a TAP test (tests/lib.sh's skip) that thrashes
# a memory cgroup NAME of its own with a python3 hog: skips, saying why,
# without python3, root or a memory controller; else sets PY (Debian's own
# python3 first) and what cg_memory_find sets.
cg_memory_test() {
	PY=python3
	[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
	command -v "$PY" >/dev/null 2>&1 ||
	    skip "python3 is needed for the memory hog"
	[ "$(id -u)" = 0 ] || skip "needs root to create a memory cgroup"
	cg_memory_find "$1" ||
	    skip "no memory cgroup controller (cgroup v1 memory or v2 memory)"
}

# cg_incg FILE: write FILE, a script that runs its arguments inside $CG as
# the same process (so a caller's $! is the command's pid).
cg_incg() {
	printf '#!/bin/sh\necho $$ >"%s/cgroup.procs" && exec "$@"\n' \
	    "$CG" >"$1" && chmod +x "$1"
}

# cg_remove: kill what is left in $CG and remove it (the kernel frees a
# cgroup a moment after its last process is reaped: tried for 10 s).
cg_remove() {
	[ -n "$CG" ] && [ -d "$CG" ] || return 0
	for _cg_p in $(cat "$CG/cgroup.procs" 2>/dev/null); do
		kill -9 "$_cg_p" 2>/dev/null || :
	done
	_cg_i=0
	while [ "$_cg_i" -lt 50 ]; do
		rmdir "$CG" 2>/dev/null && return 0
		sleep 0.2
		_cg_i=$((_cg_i + 1))
	done
	return 1
}

# cg_psi_own NAME FILE: a cgroup v2 NAME under our own, so that a pool run
# in it reads its own pressure (cgroup memory.pressure, io.pressure), not
# the machine's, which other tests running at once raise; FILE: a script
# that runs its arguments in it (as the same process).  Sets CG_PSI (the
# cgroup, removed by cg_psi_remove).  Returns 1, FILE running its arguments
# where they are, where it cannot (not root, no cgroup v2, no PSI).
cg_psi_own() {
	CG_PSI=
	printf '#!/bin/sh\nexec "$@"\n' >"$2" && chmod +x "$2"
	_cg_v2=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	_cg_v2mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$_cg_v2mnt" ] && [ "$(id -u)" = 0 ] || return 1
	mkdir "$_cg_v2mnt${_cg_v2%/}/$1" 2>/dev/null || return 1
	CG_PSI=$_cg_v2mnt${_cg_v2%/}/$1
	if ! head -n1 "$CG_PSI/memory.pressure" >/dev/null 2>&1; then
		cg_psi_remove
		return 1
	fi
	printf '#!/bin/sh\necho $$ >"%s/cgroup.procs" && exec "$@"\n' \
	    "$CG_PSI" >"$2"
}

# cg_psi_remove: remove $CG_PSI (what cg_remove does for $CG).
cg_psi_remove() {
	[ -n "$CG_PSI" ] || return 0
	CG=$CG_PSI cg_remove
}

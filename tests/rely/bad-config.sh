#!/bin/sh
# A broken config never starts a run, and never crashes the binary: for a
# table of broken files (syntax errors, unknown keys, wrong types,
# out-of-range numbers, @include of a directory or a missing file, deep
# nesting, a 10 MB string, a NUL byte, a binary file, random bytes; and
# huge ones, each within HUGE_LIMIT seconds: HUGE_KEYS unknown keys, at the
# top and in a group, groups of 999 keys, HUGE_DEPTH levels of groups,
# HUGE_TASKS tasks) the built pooltop exits 255 with "FILE:LINE: message"
# (or "FILE: reason"), runs nothing, and leaves no segment.  The exact message of each case is
# tested in tests/unit/test_config.c; this proves the process behaviour,
# also under the sanitizers.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

mkdir "$T/dir"
n=0
# case NAME PATTERN: run the config $T/c.conf with a task that would leave
# a file; PATTERN must match stderr.
case_() {
	n=$((n + 1))
	"$POOLTOP_BIN" -c "$T/c.conf" --headless "touch $T/ran; : {}" ::: x >"$T/o" 2>"$T/e" &
	_p=$!
	wait "$_p"
	_rc=$?
	check "$1: exit 255 (got $_rc)" [ "$_rc" -eq 255 ]
	check "$1: message" grep -Eq -- "$2" "$T/e"
	check "$1: nothing ran, no segment" sh -c "[ ! -e '$T/ran' ] && [ -z \"\$(ls /dev/shm | grep '^pooltop\.$(id -u)\.$_p\.')\" ]"
}
F=$T/c.conf
printf 'workers = 2;\ncommand = = "x";\n' >"$F"
case_ "syntax error" "^pooltop: $F:2: "
printf 'workers = 2;\nwrokers = 3;\n' >"$F"
case_ "unknown key" "^pooltop: $F:2: unknown key 'wrokers' \\(did you mean 'workers'\\?\\)"
printf '\n\ntag = "yes";\n' >"$F"
case_ "wrong type" "^pooltop: $F:3: 'tag' must be true or false"
printf 'timeout = -1;\n' >"$F"
case_ "out of range" "^pooltop: $F:1: 'timeout' must be between"
printf 'workers = 99999999999999999999;\n' >"$F"
case_ "number too big" "^pooltop: $F:1: "
printf '@include "%s"\n' "$T/dir" >"$F"
case_ "@include a directory" "^pooltop: $F:1: cannot include .*Is a directory"
printf 'a = 1;\n@include "%s/missing.conf"\n' "$T" >"$F"
case_ "@include a missing file" "^pooltop: $F:2: cannot include .*No such file"
printf '@include "c.conf"\n' >"$F"
case_ "@include itself" "nesting too deep"
awk 'BEGIN { printf "x = "; for (i = 0; i < 20000; i++) printf "("; for (i = 0; i < 20000; i++) printf ")"; print ";" }' >"$F"
case_ "20000 levels of nesting" "^pooltop: $F:1: "
awk 'BEGIN { printf "\n\nhuge = \""; for (i = 0; i < 10 * 1024; i++) printf "%1024s", "x"; print "\";" }' >"$F"
case_ "a 10 MB string (unknown key)" "^pooltop: $F:3: unknown key 'huge'"
# Huge files: refused (or read) quickly.  libconfig compares each setting's
# name with every one before it in its group: 100,000 unknown keys took
# minutes before the pre-scan bounded groups, nesting and that work.
# timed_case NAME PATTERN: case_ within HUGE_LIMIT seconds.
timed_case() {
	_t0=$(date +%s%N)
	case_ "$@"
	_ms=$((($(date +%s%N) - _t0) / 1000000))
	echo "# $1: $_ms ms"
	check "$1: within ${HUGE_LIMIT}s" [ "$_ms" -le $((HUGE_LIMIT * 1000)) ]
}
: "${HUGE_KEYS:=100000}" "${HUGE_TASKS:=25000}" "${HUGE_DEPTH:=20000}" "${HUGE_LIMIT:=10}"
awk -v n="$HUGE_KEYS" 'BEGIN { for (i = 0; i < n; i++) printf "zz%d = 1;\n", i }' >"$F"
timed_case "$HUGE_KEYS unknown keys" "^pooltop: $F:1001: more than 1000 settings in one group"
awk -v n="$HUGE_KEYS" 'BEGIN { print "ui = {"; for (i = 0; i < n; i++) printf "zz%d = 1;\n", i; print "};" }' >"$F"
timed_case "$HUGE_KEYS unknown keys in a group" "^pooltop: $F:1002: more than 1000 settings in one group"
awk -v n="$HUGE_KEYS" 'BEGIN { for (g = 0; g < n / 999 + 5; g++) { printf "g%d = {", g; for (i = 0; i < 999; i++) printf " k%d = 1;", i; print " };" } }' >"$F"
timed_case "groups of 999 keys" "^pooltop: $F:5: too many settings in large groups"
awk -v n="$HUGE_DEPTH" 'BEGIN { printf "ui = "; for (i = 0; i < n; i++) printf "{ a = "; print "1;" }' >"$F"
timed_case "$HUGE_DEPTH levels of groups" "^pooltop: $F:1: nested more than 64 levels deep"
awk -v n="$HUGE_TASKS" 'BEGIN { print "tasks = ("; for (i = 0; i < n; i++) printf "{ name = \"t%d\"; command = \"true\"; },\n", i; print "\"true\" );"; print "wrokers = 1;" }' >"$F"
timed_case "$HUGE_TASKS tasks, then a typo" "^pooltop: $F:$((HUGE_TASKS + 3)): unknown key 'wrokers'"
printf 'workers = 2;\n\000x\n' >"$F"
case_ "a NUL byte" "^pooltop: $F:2: NUL byte"
cp "$POOLTOP_BIN" "$F"
case_ "a binary file" "^pooltop: $F(:[0-9]+)?: "
head -c 65536 /dev/urandom >"$F" 2>/dev/null
case_ "64 kB of random bytes" "^pooltop: $F(:[0-9]+)?: "
rm -f "$F"
case_ "a missing file" "^pooltop: $F: No such file"
rmdir "$T/dir"; mkdir "$F"
case_ "a directory" "^pooltop: $F: Is a directory"
figures tasks=0 faults=0 hostile=$n lost=0
finish

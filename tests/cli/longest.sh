#!/bin/sh
# --order longest-first --joblog-in FILE: the tasks an earlier run's joblog
# (pooltop's or GNU parallel's) says ran longest start first, those it does
# not name before all; matched by the Command column, else by the item.
# Orders are read from the new joblog's Starttime column (-j1).
. "$POOLTOP_SRCDIR/tests/lib.sh"

TAB=$(printf '\t')
# old FILE LINE...: a joblog of lines "COMMAND RUNTIME" (pooltop's format).
old() {
	_f=$1; shift
	printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n' >"$_f"
	_i=0
	for _l in "$@"; do
		_i=$((_i + 1))
		printf '%s\t:\t1700000000.%03d\t%s\t0\t0\t0\t0\t%s\n' "$_i" "$_i" \
		    "${_l##* }" "${_l% *}" >>"$_f"
	done
}
# started FILE: the Command column in Starttime order (then Seq), one line.
started() {
	tail -n +2 "$1" | sort -t "$TAB" -k3,3n -k1,1n | cut -f9 | tr '\n' '|'
}
# seqs FILE: the Seq column in Starttime order.
seqs() { tail -n +2 "$1" | sort -t "$TAB" -k3,3n -k1,1n | cut -f1 | tr '\n' ' '; }

old "$T/o1" "echo a 5.000" "echo b 1.000" "echo c 3.000" "echo gone 9.000"
"$POOLTOP_BIN" --headless -q -j1 --joblog "$T/n1" --order longest-first \
    --joblog-in "$T/o1" echo ::: b x a c y >/dev/null 2>"$T/e1"
check "longest-first: exit 0" [ $? -eq 0 ]
check "unknown first (input order), then 5s, 3s, 1s" \
    [ "$(started "$T/n1")" = "echo x|echo y|echo a|echo c|echo b|" ]
check "tasks are numbered in the order they start" \
    [ "$(seqs "$T/n1")" = "1 2 3 4 5 " ]
check "--dry-run prints that order" \
    [ "$("$POOLTOP_BIN" --dry-run --order longest-first --joblog-in "$T/o1" echo ::: b x a c y | tr '\n' '|')" = \
      "echo x|echo y|echo a|echo c|echo b|" ]
"$POOLTOP_BIN" --headless -q -j1 --joblog "$T/n1b" echo ::: b x a c y >/dev/null 2>&1
check "without it: input order" \
    [ "$(started "$T/n1b")" = "echo b|echo x|echo a|echo c|echo y|" ]

# GNU parallel's runtimes are padded; a command run twice: its last line.
printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n' >"$T/o2"
printf '1\t:\t1700000000.001\t     2.500\t0\t0\t0\t0\techo p\n' >>"$T/o2"
printf '2\t:\t1700000000.002\t     9.000\t0\t0\t1\t0\techo q\n' >>"$T/o2"
printf '3\t:\t1700000000.003\t     4.000\t0\t0\t0\t0\techo r\n' >>"$T/o2"
printf '2\t:\t1700000010.002\t     0.100\t0\t0\t0\t0\techo q\n' >>"$T/o2"
"$POOLTOP_BIN" --headless -q -j1 --joblog "$T/n2" --order longest-first \
    --joblog-in "$T/o2" echo ::: q r p >/dev/null 2>&1
check "GNU parallel's padding read; a retried command's last line counts" \
    [ "$(started "$T/n2")" = "echo r|echo p|echo q|" ]

# A real GNU parallel joblog of an earlier run.
if command -v parallel >/dev/null 2>&1; then
	parallel -j3 --joblog "$T/o3" sleep ::: 0 0.6 0.3 2>/dev/null
	"$POOLTOP_BIN" --headless -q -j1 --joblog "$T/n3" --order longest-first \
	    --joblog-in "$T/o3" sleep ::: 0 0.6 0.3 >/dev/null 2>&1
	check "GNU parallel's joblog: 0.6s, 0.3s, 0s" \
	    [ "$(started "$T/n3")" = "sleep 0.6|sleep 0.3|sleep 0|" ]
else
	ok "# SKIP GNU parallel is not installed"
fi

# Items that are commands (no template), from a pipe: matched by the
# item; the pipe is read to its end before the first task starts.
old "$T/o4" "echo one 1.000" "echo three 3.000" "echo two 2.000"
{ echo "echo one"; echo "echo two"; sleep 1; date +%s.%N >"$T/closed"; echo "echo three"; } |
    "$POOLTOP_BIN" --headless -q -j1 --joblog "$T/n4" --order longest-first \
    --joblog-in "$T/o4" >/dev/null 2>&1
check "commands from a pipe: 3s, 2s, 1s" \
    [ "$(started "$T/n4")" = "echo three|echo two|echo one|" ]
first=$(tail -n +2 "$T/n4" | sort -t "$TAB" -k3,3n | head -n 1 | cut -f3)
check "no task starts before the pipe has ended" \
    awk -v f="$first" -v c="$(cat "$T/closed")" 'BEGIN { exit !(f + 0.01 >= c) }'

# --joblog-in may be the file --joblog rewrites.
cp "$T/o1" "$T/same"
"$POOLTOP_BIN" --headless -q -j1 --joblog "$T/same" --order longest-first \
    --joblog-in "$T/same" echo ::: b a c >/dev/null 2>&1
check "the same file as --joblog: read before it is rewritten" \
    [ "$(started "$T/same")" = "echo a|echo c|echo b|" ]

# Items of several sources: a task's command is matched.
old "$T/o5" "echo 1 y 4.000" "echo 2 x 7.000"
"$POOLTOP_BIN" --headless -q -j1 --joblog "$T/n5" --order longest-first \
    --joblog-in "$T/o5" echo ::: 1 2 ::: x y >/dev/null 2>&1
check "several sources: each task's whole command" \
    [ "$(started "$T/n5")" = "echo 1 x|echo 2 y|echo 2 x|echo 1 y|" ]

# Errors: usage, exit 255, naming what was wrong.
err() { "$POOLTOP_BIN" --headless -q "$@" echo ::: a >/dev/null 2>"$T/err"; echo $? "$(cat "$T/err")"; }
check "longest-first without --joblog-in" \
    [ "$(err --order longest-first)" = "255 pooltop: --order longest-first needs --joblog-in FILE (the joblog of an earlier run)" ]
check "--joblog-in alone" \
    [ "$(err --joblog-in "$T/o1")" = "255 pooltop: --joblog-in is read by --order longest-first only" ]
check "with --shuf" \
    [ "$(err --order longest-first --joblog-in "$T/o1" --shuf)" = "255 pooltop: --order longest-first cannot be used with --shuf" ]
check "a missing joblog" \
    [ "$(err --order longest-first --joblog-in "$T/nope")" = "255 pooltop: --joblog-in: joblog $T/nope: No such file or directory" ]
old "$T/bad" "echo a 1.000"
printf 'bad line\n' >>"$T/bad"
check "a malformed joblog: says where" \
    [ "$(err --order longest-first --joblog-in "$T/bad")" = "255 pooltop: --joblog-in: $T/bad:3: not a joblog line" ]
check "an unknown order" \
    sh -c "'$POOLTOP_BIN' --order shortest echo ::: a >/dev/null 2>'$T/err'; [ \$? -eq 255 ] && grep -q 'shortest' '$T/err'"
finish

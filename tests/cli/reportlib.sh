# The joblogs the `pooltop report` tests (tests/cli/joblog-report.sh,
# tests/cli/report-graphs.sh) read, sourced after tests/lib.sh: GNU
# parallel's joblog header, a line of one, and a joblog of known figures.

H=$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand')
# line SEQ START RUNTIME EXIT SIGNAL COMMAND: one joblog line, the runtime
# padded as GNU parallel pads it.
line() { printf '%s\t:\t%s\t%10s\t0\t0\t%s\t%s\t%s\n' "$@"; }

# hand_log FILE: a joblog of five tasks in two lanes: 1+3 s and 2+2 s back
# to back from t=100, then one of 0.5 s; two fail with exit 3, one with
# signal 9.
hand_log() {
	{
		echo "$H"
		line 1 100.000 1.000 0 0 "work a"
		line 2 100.000 2.000 3 0 "work b"
		line 3 101.000 3.000 0 0 "work c"
		line 4 102.000 2.000 0 9 "work d"
		line 5 104.000 0.500 3 0 "work e"
	} >"$1"
}

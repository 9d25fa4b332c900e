# The side-by-side runner of the --pipe tests (tests/cli/pipe.sh,
# tests/cli/pipe2.sh), sourced after tests/lib.sh and tests/rely/rely.sh:
# the inputs both use, pooltop and GNU parallel run on one input, their
# output and status compared, and a table of such cases.  The test runs
# in $T, with TMPDIR inside it (block files and named pipes go there).

cd "$T" || exit 99
export TMPDIR="$T/tmp"
mkdir "$TMPDIR"

# pipe_inputs: the inputs both tests read, each a file NAME.in: lines, no
# final newline, empty, CRLF, NUL bytes, FASTA records.
pipe_inputs() {
	seq 1 5000 >lines.in
	{ seq 1 3000; printf 'no final newline'; } >nofinal.in
	: >empty.in
	awk 'BEGIN { for (i = 0; i < 300; i++) printf "row %d\r\n", i }' \
	    >crlf.in
	awk 'BEGIN { for (i = 0; i < 200; i++) printf "a%d\0b\0\n", i }' \
	    >nul.in
	awk 'BEGIN { for (i = 0; i < 300; i++)
		printf ">seq%d\nACGT%d\nTTGA\n", i, i }' >fasta.in
}

# The tasks print their block's size and checksum.  (Read whole first: a
# block is a file here, a pipe in GNU parallel, and `wc -c` reads a
# file's size without reading it.)
TASK='cat >b.$$; wc -c <b.$$; md5sum <b.$$; rm -f b.$$'

# run TOOL NAME INPUT ARGS...: GNU parallel or pooltop (headless, quiet) on
# INPUT.in; output NAME.TOOL.out, status NAME.TOOL.rc.  TOOL pooltop-pipe:
# pooltop reading INPUT.in through a pipe, a few bytes at a time.
run() {
	_t=$1 _n=$2 _i=$3; shift 3
	if [ "$_t" = pooltop-pipe ]; then
		trickle <"$_i.in" | "$POOLTOP_BIN" --headless -q "$@" \
		    >"$_n.$_t.out" 2>"$_n.$_t.err"
	elif [ "$_t" = pooltop ]; then
		"$POOLTOP_BIN" --headless -q "$@" <"$_i.in" >"$_n.$_t.out" \
		    2>"$_n.$_t.err"
	else
		parallel "$@" <"$_i.in" >"$_n.$_t.out" 2>"$_n.$_t.err"
	fi
	echo $? >"$_n.$_t.rc"
}

# trickle: stdin to stdout in pieces of 1000 bytes or less, so that a
# reader finds a pipe empty now and then.
trickle() {
	while dd bs=1000 count=1 2>/dev/null | cat >chunk && [ -s chunk ]; do
		cat chunk
	done
}

# same DESC NAME [TOOL]: GNU parallel's and pooltop's (or TOOL's) output
# and exit status agree.
same() {
	_p=${3:-pooltop}
	if cmp -s "$2.parallel.out" "$2.$_p.out" &&
	    cmp -s "$2.parallel.rc" "$2.$_p.rc"; then
		ok "$1: same output and status"
	else
		fail "$1: GNU parallel ($(cat "$2.parallel.rc")) " \
		    "'$(head -c 200 "$2.parallel.out" | od -An -c | tr -s ' \n' '  ')'," \
		    "$_p ($(cat "$2.$_p.rc")) " \
		    "'$(head -c 200 "$2.$_p.out" | od -An -c | tr -s ' \n' '  ')'"
	fi
}

# have_gnu_parallel: true if GNU parallel is here, then set up to run
# (need_gnu_parallel's private home, /bin/sh as the tasks' shell).
have_gnu_parallel() {
	command -v parallel >/dev/null 2>&1 || return 1
	parallel --version 2>/dev/null | grep -q "GNU parallel" || return 1
	need_gnu_parallel
	export PARALLEL_SHELL=/bin/sh
}

# pipe_cases [--trickle] CASES: each line "NAME INPUT ARGS" of CASES (ARGS
# split on spaces and taken literally, @ standing for a space) run by GNU
# parallel and by pooltop as `--pipe -k ARGS $TASK` on INPUT.in, and
# compared; with --trickle, by pooltop reading a pipe too.  The cases run
# in a subshell, so their results are counted here from what they print.
pipe_cases() {
	_trickle=false
	if [ "$1" = --trickle ]; then _trickle=true; shift; fi
	set -f
	printf '%s\n' "$1" | while read -r name input args; do
		[ -n "$name" ] || continue
		args=$(printf '%s' "$args" | tr ' ' '\001')
		_ifs=$IFS
		IFS=$(printf '\001')
		# shellcheck disable=SC2086
		set -- $(printf '%s' "$args" | tr '@' ' ')
		IFS=$_ifs
		run parallel "$name" "$input" --pipe -k "$@" "$TASK"
		run pooltop "$name" "$input" --pipe -k "$@" "$TASK"
		same "--pipe case $name ($*) on $input" "$name"
		$_trickle || continue
		run pooltop-pipe "$name" "$input" --pipe -k "$@" "$TASK"
		same "--pipe case $name on $input through a pipe" "$name" \
		    pooltop-pipe
	done >cases.tap
	set +f
	cat cases.tap
	_count=$((_count + $(grep -ac '^ok\|^not ok' cases.tap)))
	_failed=$((_failed + $(grep -ac '^not ok' cases.tap)))
}

#!/bin/sh
# --pipe: standard input cut into blocks, each on one task's standard input.
# Side by side with GNU parallel (output and exit status byte for byte, so
# blocks end where its blocks end) on hostile inputs: NUL bytes, no final
# newline, records longer than --block, empty input, CRLF, a --recend that
# is a regular expression metacharacter, -N, --recstart, -k; every byte
# reaches exactly one task; a failed task retried reads its block again;
# the joblog's Send is the block's size; the block files are removed; the
# options refused with --pipe; and pooltop's memory stays small on a large
# stream.  The GNU parallel cases are skipped without it.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

cd "$T" || exit 99
export TMPDIR="$T/tmp"
mkdir "$TMPDIR"

# Inputs, each a file NAME.in.
gen_inputs() {
	seq 1 5000 >lines.in
	{ seq 1 3000; printf 'no final newline'; } >nofinal.in
	: >empty.in
	awk 'BEGIN { for (i = 0; i < 300; i++) printf "row %d\r\n", i }' \
	    >crlf.in
	awk 'BEGIN { for (i = 0; i < 200; i++) printf "a%d\0b\0\n", i }' \
	    >nul.in
	awk 'BEGIN { for (i = 0; i < 40; i++) {
		printf "short %d\n", i
		if (i % 7 == 0) { for (j = 0; j < 3000; j++) printf "x"; print "" }
	} }' >long.in
	awk 'BEGIN { for (i = 0; i < 500; i++) printf "r%d.x*y.", i }' >dots.in
	awk 'BEGIN { for (i = 0; i < 300; i++) printf ">seq%d\nACGT%d\nTTGA\n", i, i }' \
	    >fasta.in
	printf '\n\n\nx\n\n' >blank.in
}
gen_inputs

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
	echo $? >/dev/null
	if cmp -s "$2.parallel.out" "$2.$_p.out" &&
	    { [ "$_p" != pooltop ] || cmp -s "$2.parallel.rc" "$2.pooltop.rc"; }; then
		ok "$1: same output and status"
	else
		fail "$1: GNU parallel ($(cat "$2.parallel.rc")) " \
		    "'$(head -c 200 "$2.parallel.out" | od -An -c | tr -s ' \n' '  ')'," \
		    "pooltop ($(cat "$2.pooltop.rc")) " \
		    "'$(head -c 200 "$2.pooltop.out" | od -An -c | tr -s ' \n' '  ')'"
	fi
}

# The tasks print their block's size and checksum.  (Read whole first: a
# block is a file here, a pipe in GNU parallel, and `wc -c` reads a
# file's size without reading it.)
TASK='cat >b.$$; wc -c <b.$$; md5sum <b.$$; rm -f b.$$'
# cases: NAME INPUT ARGS (ARGS split on spaces)
CASES='
lines		lines	--block 1k
lines-big	lines	
nofinal		nofinal	--block 500
empty		empty	--block 1k
crlf		crlf	--block 100
crlf-rec	crlf	--block 100 --recend \r\n
nul		nul	--block 64
nul-recend	nul	--block 64 --recend \0
long		long	--block 1000
dots		dots	--block 50 --recend .
star		dots	--block 40 --recend *
fasta		fasta	--block 200 --recstart >
fasta-both	fasta	--block 200 --recend \n --recstart >
n3		lines	-N 7
n-fasta		fasta	-N 5 --recstart >
n-nofinal	nofinal	-N 1000
n-blank		blank	-N 2
k1		lines	--block 10 -j3
'
if command -v parallel >/dev/null 2>&1 &&
    parallel --version 2>/dev/null | grep -q "GNU parallel"; then
	need_gnu_parallel
	export PARALLEL_SHELL=/bin/sh
	set -f
	printf '%s\n' "$CASES" | while read -r name input args; do
		[ -n "$name" ] || continue
		# shellcheck disable=SC2086
		run parallel "$name" "$input" --pipe -k $args "$TASK"
		# shellcheck disable=SC2086
		run pooltop "$name" "$input" --pipe -k $args "$TASK"
		same "--pipe case $name on $input" "$name"
		# shellcheck disable=SC2086
		run pooltop-pipe "$name" "$input" --pipe -k $args "$TASK"
		same "--pipe case $name on $input through a pipe" "$name" \
		    pooltop-pipe
	done >cases.tap
	set +f
	cat cases.tap
	_count=$((_count + $(grep -ac '^ok\|^not ok' cases.tap)))
	_failed=$((_failed + $(grep -ac '^not ok' cases.tap)))

	# --pipe-part: ranges of the file, where GNU parallel cuts them.
	for c in "lines|" "lines|-j3" "nofinal|--block 500" "crlf|--block 100" \
	    "nul|--block 64 --recend \\0" "long|--block 1000" \
	    "fasta|--block 200 --recstart >" "dots|--block 40 --recend *" \
	    "empty|"; do
		input=${c%%|*} args=${c#*|}
		set -f
		# shellcheck disable=SC2086
		run parallel part "$input" --pipe-part -a "$input.in" -k $args "$TASK"
		# shellcheck disable=SC2086
		run pooltop part "$input" --pipe-part -a "$input.in" -k $args "$TASK"
		set +f
		same "--pipe-part $args on $input" part
	done

	# --cat: {} names a file holding the block; stdin is empty.
	for i in lines nofinal nul crlf empty; do
		run parallel cat "$i" --pipe --cat -k --block 300 \
		    'wc -c <{}; md5sum <{}; wc -c'
		run pooltop cat "$i" --pipe --cat -k --block 300 \
		    'wc -c <{}; md5sum <{}; wc -c'
		same "--pipe --cat on $i" cat
	done

	# A task's exit status counts as for any task.
	run parallel fails lines --pipe -k --block 2k 'wc -l; [ $(wc -l) -lt 0 ]'
	run pooltop fails lines --pipe -k --block 2k 'wc -l; [ $(wc -l) -lt 0 ]'
	same "--pipe: failing tasks give the number failed" fails

	# The joblog: Seq per block, Send its size.
	run parallel jl lines --pipe --block 3k -j1 --joblog jl.parallel.jl wc -l
	run pooltop jl lines --pipe --block 3k -j1 --joblog jl.pooltop.jl wc -l
	for t in parallel pooltop; do
		awk -F'\t' 'NR > 1 { print $1, $5, $7, $9 }' "jl.$t.jl" |
		    sort -n >"jl.$t.cols"
	done
	check "--pipe: joblog Seq, Send, Exitval and Command as GNU parallel" \
	    cmp -s jl.parallel.cols jl.pooltop.cols
	check "--pipe: the joblog's Send adds up to the input" [ "$(awk \
	    '{ s += $2 } END { print s }' jl.pooltop.cols)" -eq "$(wc -c <lines.in)" ]

	# Retried: the same block again, as GNU parallel.
	RETRY='d=$(md5sum); if [ -e "m.$PARALLEL_SEQ" ]; then echo "$d"; else echo "$d" >"m.$PARALLEL_SEQ"; exit 1; fi'
	rm -f m.*
	run parallel retry lines --pipe --block 4k -k --retries 2 "$RETRY"
	cat m.* | sort >retry.parallel.first
	rm -f m.*
	run pooltop retry lines --pipe --block 4k -k --retries 2 "$RETRY"
	cat m.* | sort >retry.pooltop.first
	same "--pipe --retries: a failed block runs again" retry
	check "--pipe --retries: the retry read the block its first attempt read" \
	    sh -c 'sort retry.pooltop.out | cmp -s - retry.pooltop.first'
	check "--pipe --retries: every block retried ($(wc -l <retry.pooltop.first))" \
	    [ "$(wc -l <retry.pooltop.first)" -eq 6 ]
else
	ok "# SKIP GNU parallel is not installed: no side by side cases"
fi

# Every byte reaches exactly one task: with -k and cat, the output is the
# input; without -k, the blocks (saved by task number) put together are.
for i in lines nofinal crlf nul long dots fasta blank; do
	"$POOLTOP_BIN" --headless -q --pipe -k --block 100 cat <"$i.in" >"$i.cat" \
	    2>/dev/null
	check "--pipe -k cat gives $i back byte for byte" cmp -s "$i.in" "$i.cat"
done
mkdir parts
"$POOLTOP_BIN" --headless -q --pipe -j4 --block 300 \
    'cat >parts/$POOLTOP_TASK' <lines.in
n=$(ls parts | wc -l)
i=1
: >joined
while [ $i -le "$n" ]; do cat "parts/$i" >>joined; i=$((i + 1)); done
check "--pipe -j4: the $n blocks put together are the input" \
    cmp -s lines.in joined
check "--pipe: no block is empty" sh -c '! find parts -size 0 | grep -q .'

# --pipe-part: every byte in one task, none copied through pooltop.
for i in lines nofinal crlf nul long fasta blank; do
	"$POOLTOP_BIN" --headless -q --pipe-part -a "$i.in" -k --block 100 cat \
	    </dev/null >"$i.part" 2>/dev/null
	check "--pipe-part -k cat gives $i back byte for byte" \
	    cmp -s "$i.in" "$i.part"
done
# A task that reads none of its range ends all the same.
"$POOLTOP_BIN" --headless -q --pipe-part -a lines.in --block 1k true </dev/null
check "--pipe-part: tasks that do not read their range end (status $?)" \
    [ $? -eq 0 ]

# -a FILE is read instead of stdin.
"$POOLTOP_BIN" --headless -q --pipe -k --block 1k -a lines.in cat </dev/null \
    >a.out
check "--pipe -a FILE: the file's blocks" cmp -s lines.in a.out

# --cat: the file is the block, and gone after the task.
"$POOLTOP_BIN" --headless -q --pipe --cat -k --block 1k 'cat {}; echo {} >>names' \
    <lines.in >cat.out
check "--cat: {} holds the block" cmp -s lines.in cat.out
check "--cat: each block's file is removed after its task" \
    sh -c 'while read -r f; do [ ! -e "$f" ] || exit 1; done <names'

# The block files and their directory are gone afterwards, retries or not.
check "--pipe: no block file is left in TMPDIR" \
    sh -c '[ -z "$(ls -A "$TMPDIR")" ]'

# A {} in the template stands for nothing; none is appended.
printf 'a\nb\n' | "$POOLTOP_BIN" --headless -q --pipe -k echo x{}y >brace.out
check "--pipe: {} stands for nothing" [ "$(cat brace.out)" = xy ]
printf 'a\nb\n' | "$POOLTOP_BIN" --headless -q --pipe -k echo >noapp.out
if [ "$(cat noapp.out)" = "" ] && [ "$(wc -l <noapp.out)" -eq 1 ]; then
	ok "--pipe: nothing is appended to the template"
else
	fail "--pipe: nothing is appended to the template"
fi

# --results: a block's output is filed as any task's.
seq 10 | "$POOLTOP_BIN" --headless -q --pipe --results res wc -l
check "--pipe --results: the task's output in res/1/stdout" \
    [ "$(tr -d ' ' <res/1/stdout)" = 10 ]

# A record longer than --block: the block grows, with a warning.
"$POOLTOP_BIN" --headless --pipe -k --block 100 wc -c <long.in >/dev/null \
    2>grow.err
check "--pipe: a record longer than --block is warned about" \
    grep -q "longer than 100 bytes" grow.err

# Refused: options that make items of the input, and the block options
# without --pipe; exit 255 with the reason.
refused() {
	_want=$1; shift
	"$POOLTOP_BIN" --headless -q "$@" </dev/null >/dev/null 2>refused.err
	_rc=$?
	check "refused ($_rc): $* ($(cat refused.err))" \
	    sh -c "[ $_rc -eq 255 ] && grep -q -- \"$_want\" refused.err"
}
refused "cannot be used with items" --pipe echo ::: a
refused "cannot be used with --range" --pipe --range 1:3 echo
refused "cannot be used with --shuf" --pipe --shuf cat
refused "cannot be used with --order longest-first" --pipe --order longest-first --joblog-in lines.in cat
refused "recend" --pipe -0 cat
refused "needs a command" --pipe
refused "at least 1" --pipe -N 0 cat
refused "needs --pipe" --block 1M echo ::: a
refused "needs --pipe" --recend x echo ::: a
refused "must be a size" --pipe --block 1Q cat
refused "less than 2G" --pipe --block 3G cat
refused "needs -a FILE" --pipe-part cat
refused "not a regular file" --pipe-part -a /dev/null cat
refused "cannot be used with -N" --pipe-part -a lines.in -N 2 cat
refused "cannot be used with --cat" --pipe-part -a lines.in --cat cat
refused "needs --pipe" --cat echo ::: a

# Bounded memory: 200 MB through a pipe, pooltop's peak RSS stays small
# (it holds about two blocks, not the stream).
if [ -x /usr/bin/time ]; then
	seq 1 40000000 | head -c 200000000 |
	    /usr/bin/time -f %M -o rss "$POOLTOP_BIN" --headless -q --pipe -j2 \
	    wc -c >sizes
	total=$(awk '{ s += $1 } END { print s }' sizes)
	check "--pipe: 200 MB reach the tasks ($total bytes)" \
	    [ "$total" = 200000000 ]
	check "--pipe: peak RSS $(cat rss) KB for 200 MB stays under 20 MB" \
	    [ "$(tail -n 1 rss)" -lt 20480 ]
else
	ok "# SKIP /usr/bin/time is not installed: no memory check"
fi

finish

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

. "$POOLTOP_SRCDIR/tests/cli/pipelib.sh"

# Inputs, each a file NAME.in: those of pipelib.sh and more.
pipe_inputs
awk 'BEGIN { for (i = 0; i < 40; i++) {
	printf "short %d\n", i
	if (i % 7 == 0) { for (j = 0; j < 3000; j++) printf "x"; print "" }
} }' >long.in
awk 'BEGIN { for (i = 0; i < 500; i++) printf "r%d.x*y.", i }' >dots.in
printf '\n\n\nx\n\n' >blank.in

# cases: NAME INPUT ARGS (split on spaces)
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
if have_gnu_parallel; then
	pipe_cases --trickle "$CASES"

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

# The blocks' directory is made in $TMPDIR, in /tmp when TMPDIR is empty,
# and a TMPDIR that cannot take it is named.
printf 'a\n' | "$POOLTOP_BIN" --headless -q --pipe --cat echo {} >in.tmp
check "--pipe --cat: the block file is in \$TMPDIR" \
    grep -q "^$TMPDIR/pooltop-pipe\.[^/]*/1\$" in.tmp
printf 'a\n' | TMPDIR= "$POOLTOP_BIN" --headless -q --pipe --cat echo {} \
    >in.tmp
check "--pipe --cat: in /tmp when TMPDIR is empty" \
    grep -q '^/tmp/pooltop-pipe\.[^/]*/1$' in.tmp
printf 'a\n' | TMPDIR="$T/none" "$POOLTOP_BIN" --headless -q --pipe --cat \
    echo {} >/dev/null 2>none.err
check "--pipe, TMPDIR missing: 255, and says where" sh -c "[ $? -eq 255 ] &&
    grep -qF 'cannot make a directory in $T/none:' none.err"

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

#!/bin/sh
# --pipe, the rest of GNU parallel's options: --regexp, --header N,
# --remove-rec-sep, --fifo and --round-robin.  Side by side with GNU
# parallel (output and exit status byte for byte) on hostile inputs (NUL
# bytes, no final newline, CR); every byte reaches one task; the named
# pipes are removed; --round-robin starts at most -j tasks, each reading
# many blocks, and follows a resize (tasks start, or end when the pool
# shrinks); the combinations refused.  The GNU parallel cases are skipped
# without it.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

. "$POOLTOP_SRCDIR/tests/cli/pipelib.sh"

# Inputs, each a file NAME.in: those of pipelib.sh and more.
pipe_inputs
{ awk 'BEGIN { for (i = 0; i < 100; i++) printf ">s%d\r\n\0x%d\r\n", i, i }'
  printf '>last\0no newline'; } >hostile.in
printf 'a1b22c333d' >digits.in

# The same through --fifo's {}; then what is left on stdin (nothing).
FTASK='cat {} >b.$$; wc -c <b.$$; md5sum <b.$$; rm -f b.$$; wc -c'
# cases: NAME INPUT ARGS (split on spaces; @ stands for a space)
CASES='
re-lines	lines	--regexp --block 1k
re-digits	digits	--regexp --recend [0-9]+ --block 3
re-fasta	fasta	--regexp --recstart >seq\d+\n --block 200
re-anchor	fasta	--regexp --recstart ^> --block 200
re-both		fasta	--regexp --recend TTGA\n --recstart > --block 300
re-alt		fasta	--regexp --recstart (>seq1|>seq2) --block 100
re-class	crlf	--regexp --recend \r\n --recstart row@[0-9] --block 100
re-nul		nul	--regexp --recend \n --block 64
re-hostile	hostile	--regexp --recstart >s --block 100
re-n		fasta	--regexp --recstart > -N 5
re-n-lines	lines	--regexp -N 7
re-nofinal	nofinal	--regexp --recend \d\n --block 500
re-empty	empty	--regexp --block 1k
hd-2		lines	--header 2 --block 1k
hd-colon	lines	--header : -N 100
hd-nul		nul	--header 3 --block 64
hd-hostile	hostile	--header 1 --recstart > --block 100
hd-nofinal	nofinal	--header 1 --block 700
rrs-start	fasta	--rrs --recstart > -N 3
rrs-lines	fasta	--rrs --block 100
rrs-re		fasta	--rrs --regexp --recstart >s --recend A\n --block 200
rrs-header	lines	--rrs --header 1 --block 1k
rrs-crlf	crlf	--rrs --recend \r\n --block 100
rrs-hostile	hostile	--rrs --recstart > --block 100
rrs-nofinal	nofinal	--rrs --block 500
'
if have_gnu_parallel; then
	pipe_cases "$CASES"

	# --pipe-part --regexp: GNU parallel cuts at the last boundary of the
	# piece it reads after SIZE bytes.
	for c in "fasta|--recstart >" "fasta|--recend TTGA\\n" \
	    "hostile|--recstart >s" "nul|--recend \\n"; do
		input=${c%%|*} args=${c#*|}
		set -f
		# shellcheck disable=SC2086
		run parallel part "$input" --pipe-part -a "$input.in" --regexp \
		    --block 300 -k $args "$TASK"
		# shellcheck disable=SC2086
		run pooltop part "$input" --pipe-part -a "$input.in" --regexp \
		    --block 300 -k $args "$TASK"
		set +f
		same "--pipe-part --regexp $args on $input" part
	done

	# --fifo: {} is a named pipe holding the block; stdin is empty.
	for i in lines nofinal nul crlf hostile empty; do
		run parallel fifo "$i" --pipe --fifo -k --block 300 "$FTASK"
		run pooltop fifo "$i" --pipe --fifo -k --block 300 "$FTASK"
		same "--pipe --fifo on $i" fifo
	done
	run parallel fifo-n fasta --pipe --fifo -k -N 7 --recstart '>' "$FTASK"
	run pooltop fifo-n fasta --pipe --fifo -k -N 7 --recstart '>' "$FTASK"
	same "--pipe --fifo -N 7 --recstart" fifo-n

	# --round-robin: one task a block while job slots are free.
	seq 3 >three.in
	run parallel rr3 three --pipe --round-robin -j4 --block 1 -k \
	    'echo task $PARALLEL_SEQ; wc -l'
	run pooltop rr3 three --pipe --round-robin -j4 --block 1 -k \
	    'echo task $PARALLEL_SEQ; wc -l'
	same "--round-robin -j4 on 3 blocks: 3 tasks" rr3
	# Many blocks: -j tasks; the line counts add up.
	for t in parallel pooltop; do
		run "$t" rrj lines --pipe --round-robin -j3 --block 2k \
		    --joblog "rrj.$t.jl" wc -l
		awk '{ s += $1 } END { print NR, s }' "rrj.$t.out" >"rrj.$t.sum"
		awk -F'\t' 'NR > 1 { s += $5 } END { print NR - 1, s }' \
		    "rrj.$t.jl" >"rrj.$t.send"
	done
	check "--round-robin -j3: 3 tasks and every line counted, as GNU parallel ($(cat rrj.pooltop.sum))" \
	    cmp -s rrj.parallel.sum rrj.pooltop.sum
	check "--round-robin: the joblog's Send adds up to the input, as GNU parallel ($(cat rrj.pooltop.send))" \
	    cmp -s rrj.parallel.send rrj.pooltop.send
	# --header N: once at the head of each task's input.
	for t in parallel pooltop; do
		run "$t" rrh lines --pipe --round-robin -j3 --header 2 --block 2k \
		    'head -c 4 | tr "\n" ,; echo; wc -c'
		awk 'NR % 2 == 1 { h[$0]++ } NR % 2 == 0 { s += $1 }
		    END { for (k in h) print k, h[k]; print s }' "rrh.$t.out" \
		    >"rrh.$t.sum"
	done
	check "--round-robin --header 2: each task's input starts with it once, as GNU parallel ($(tr '\n' ' ' <rrh.pooltop.sum))" \
	    cmp -s rrh.parallel.sum rrh.pooltop.sum
	for t in parallel pooltop; do
		run "$t" rrr lines --pipe --round-robin --retries 2 cat
	done
	check "--round-robin --retries: refused by both (255)" \
	    [ "$(cat rrr.parallel.rc) $(cat rrr.pooltop.rc)" = "255 255" ]
else
	ok "# SKIP GNU parallel is not installed: no side by side cases"
fi

# Every byte reaches exactly one task, whatever the input holds.
for i in lines nofinal crlf nul hostile fasta; do
	"$POOLTOP_BIN" --headless -q --pipe -k --regexp --recend '\n' \
	    --block 100 cat <"$i.in" >"$i.re" 2>/dev/null
	check "--regexp -k cat gives $i back byte for byte" cmp -s "$i.in" "$i.re"
	"$POOLTOP_BIN" --headless -q --pipe -k --fifo --block 100 'cat {}' \
	    <"$i.in" >"$i.fifo" 2>/dev/null
	check "--fifo -k cat {} gives $i back byte for byte" \
	    cmp -s "$i.in" "$i.fifo"
	"$POOLTOP_BIN" --headless -q --pipe --round-robin -j1 --block 100 cat \
	    <"$i.in" >"$i.rr" 2>/dev/null
	check "--round-robin -j1 cat gives $i back byte for byte" \
	    cmp -s "$i.in" "$i.rr"
done
# -j3: each task's input is whole blocks; together they are the input.
mkdir rr
"$POOLTOP_BIN" --headless -q --pipe --round-robin -j3 --block 500 \
    'cat >rr/$POOLTOP_TASK' <lines.in
check "--round-robin -j3: 3 tasks ($(ls rr | tr '\n' ' '))" \
    [ "$(ls rr | wc -l)" -eq 3 ]
check "--round-robin -j3: each task read whole lines" \
    sh -c 'for f in rr/*; do [ "$(tail -c 1 "$f" | od -An -c | tr -d " ")" = "\\n" ] || exit 1; done'
check "--round-robin -j3: the tasks' lines are the input's" \
    sh -c 'cat rr/* | sort -n | cmp -s - lines.in'
# --header N: every block begins with the header.
"$POOLTOP_BIN" --headless -q --pipe --header 2 -N 10 'head -n 2 | tr "\n" ,; echo' \
    <lines.in >hd.out
if [ "$(sort -u hd.out)" = "1,2," ] && [ "$(wc -l <hd.out)" -eq 500 ]; then
	ok "--header 2: every block's head is the first two lines"
else
	fail "--header 2: every block's head is the first two lines"
fi
# --rrs: no newline is left with the default --recend.
"$POOLTOP_BIN" --headless -q --pipe --rrs -k cat <lines.in >rrs.out
check "--rrs: the default separator (a newline) is gone" \
    [ "$(tr -d '\n' <lines.in | cmp - rrs.out && echo same)" = same ]

# A --fifo task that never opens {} ends all the same.
"$POOLTOP_BIN" --headless -q --pipe --fifo --block 1k true <lines.in
check "--fifo: tasks that do not read {} end (status $?)" [ $? -eq 0 ]
check "--fifo, --round-robin: no pipe or block file is left in TMPDIR" \
    sh -c '[ -z "$(ls -A "$TMPDIR")" ]'

# --round-robin follows a resize: input from a pipe we hold open.
mkfifo feed
N=rr$$
"$POOLTOP_BIN" --headless -q --pipe --round-robin -j1 --block 10 --name "$N" \
    --joblog rs.jl 'cat >rs.$POOLTOP_TASK' <feed 2>rs.err &
pid=$!
_bgpids="$pid"
exec 7>feed
: >sent
# push: a line more to the pool, and a copy in sent.
push() { printf 'line %s\n' "$1" >>sent; printf 'line %s\n' "$1" >&7; }
i=0
while [ $i -lt 20 ]; do i=$((i + 1)); push $i; done
check "--round-robin -j1: one task reads the blocks" wait_for 10 \
    sh -c '[ -s rs.1 ] && [ ! -e rs.2 ]'
"$POOLTOP_BIN" ctl "$N" resize 3 >/dev/null 2>&1
# more_until COND: push lines until COND holds (at most 500 lines).
more_until() {
	_k=0
	while [ $_k -lt 500 ]; do
		eval "$1" && return 0
		i=$((i + 1)); _k=$((_k + 1)); push $i
		sleep 0.02
	done
	return 1
}
check "resize 3: two tasks more start for the next blocks" \
    more_until '[ -e rs.2 ] && [ -e rs.3 ]'
check "resize 3: no fourth task" [ ! -e rs.4 ]
"$POOLTOP_BIN" ctl "$N" resize 1 >/dev/null 2>&1
check "resize 1: two tasks' input closes, they end (joblog)" \
    more_until '[ "$(wc -l <rs.jl)" -eq 3 ]'
push end
exec 7>&-
reap "$pid" 20
wait "$pid"
check "resize: the pool ends with status 0 ($?)" [ $? -eq 0 ]
check "resize: three tasks in all" [ "$(wc -l <rs.jl)" -eq 4 ]
check "resize: every line reached one task" \
    sh -c 'cat rs.[0-9]* | sort | cmp -s - "$(sort sent >sent.s; echo sent.s)"'

# A round-robin task killed: a new one takes its place for the next
# blocks; no line reaches two tasks.
N=rk$$
"$POOLTOP_BIN" --headless -q --pipe --round-robin -j2 --block 10 --name "$N" \
    --joblog rk.jl 'cat >rk.$POOLTOP_TASK' <feed 2>rk.err &
pid=$!
_bgpids="$pid"
exec 7>feed
: >sent
i=0
check "--round-robin -j2: two tasks" more_until '[ -e rk.2 ]'
"$POOLTOP_BIN" ctl "$N" kill 1 >/dev/null 2>&1
check "kill 1: the task ends (joblog)" \
    wait_for 10 sh -c '[ "$(wc -l <rk.jl)" -eq 2 ]'
check "kill 1: a third task takes its place" more_until '[ -e rk.3 ]'
check "kill 1: no fourth task" [ ! -e rk.4 ]
exec 7>&-
reap "$pid" 20
wait "$pid"
check "kill 1: the pool's status counts the killed task (1: $?)" [ $? -eq 1 ]
check "kill 1: no line reached two tasks" \
    sh -c '[ -z "$(cat rk.[0-9]* | sort | uniq -d)" ]'

# Refused, with the reason, exit 255.
refused() {
	_want=$1; shift
	"$POOLTOP_BIN" --headless -q "$@" </dev/null >/dev/null 2>refused.err
	_rc=$?
	check "refused ($_rc): $* ($(cat refused.err))" \
	    sh -c "[ $_rc -eq 255 ] && grep -q -- \"$_want\" refused.err"
}
refused "needs --pipe" --regexp echo ::: a
# (--rrs without --pipe is taken, as GNU parallel takes it: gnu-compat.sh.)
refused "needs --pipe" --fifo echo ::: a
refused "needs --pipe" --round-robin echo ::: a
refused "needs --pipe" --header 2 echo ::: a
refused "give ':'" --pipe --header x cat
refused "regexp" --pipe --regexp --recend '(' cat
refused "regexp" --pipe --regexp --recstart 'a**' cat
refused "cannot be used with --cat" --pipe --fifo --cat cat
refused "cannot be used with --retries" --pipe --round-robin --retries 2 cat
refused "cannot be used with --cat or --fifo" --pipe --round-robin --fifo cat
refused "cannot be used with --rrs or --header" --pipe-part -a lines.in --rrs cat
refused "cannot be used with --rrs or --header" --pipe-part -a lines.in --header 1 cat
refused "cannot be used with --cat or --fifo" --pipe-part -a lines.in --fifo cat
refused "cannot be used with --round-robin" --pipe-part -a lines.in --round-robin cat

finish

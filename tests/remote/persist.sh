#!/bin/sh
# --persistent with workers on other machines (-S, --slf): two sshd
# "hosts" (tests/remote/remote.sh), each in its own mount namespace, so the
# mount namespace a program reports says where it ran.  Checks answers in
# order (-k) from programs that ran on the hosts as children of the remote
# workers, one program per worker over many lines, --init once per remote
# worker and in --workdir, --max-tasks-per-worker, -S hosts mixed with
# local workers, hosts from --slf, a program that crashes on one item
# (only that item fails, the rest are handed back and answered), --timeout
# of one line, an --init that fails on one host (the pool runs on the
# other), the refusals (--transferfile, --return, --basefile, --workdir
# ... and a directory a task), that no process of the pool is left on a
# host once the pool ends or its supervisor is SIGKILLed, and that
# `pooltop worker` names both protocols when a CONF is another's.
# Needs root; SKIP otherwise or without openssh-server.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/remote/remote.sh"
trap 'remote_stop; cleanup_test' EXIT

ssh_hosts_start 2 || { fail "two sshd hosts start"; finish; }
mkdir -p "$T/bin" "$T/w"
cp "$POOLTOP_BIN" "$T/bin/pooltop"
chmod 755 "$T" "$T/bin" "$T/bin/pooltop"
chmod 777 "$T/w"		# the remote user writes there
RP=$T/bin/pooltop
W=$T/w
S=$((3000 + $$ % 5000))		# a sleep length no other test uses
NS_h1=$(readlink "/proc/$SSHD_PID_h1/ns/mnt")
NS_h2=$(readlink "/proc/$SSHD_PID_h2/ns/mnt")
NS_here=$(readlink /proc/self/ns/mnt)

run() {
	timeout 120 "$POOLTOP_BIN" --headless --ssh "ssh -F $SSH_CONFIG" \
	    --remote-pooltop "$RP" "$@"
}

# The program: answers each line with "LINE PID PGID WORKER NS", where
# PGID is its process group, WORKER $POOLTOP_WORKER and NS the mount
# namespace it runs in, and writes PID PGID to $W/pids.  "crash" makes it
# exit 7, "sleep" sleep $S.  With a first argument N, its first line waits
# until N programs have started (each makes $W/up.PID), so that every
# worker has one.
cat >"$T/bin/prog" <<EOF
#!/bin/sh
ns=\$(readlink /proc/self/ns/mnt)
pg=\$(cut -d' ' -f5 /proc/\$\$/stat)
echo "\$\$ \$pg" >>$W/pids
first=\${1:-0}
while IFS= read -r l; do
	if [ "\$first" -gt 0 ]; then
		: >$W/up.\$\$
		while [ "\$(ls $W | grep -c '^up\.')" -lt "\$first" ]; do
			sleep 0.05
		done
		first=0
	fi
	case \$l in
	crash)	exit 7 ;;
	sleep)	sleep $S ;;
	*)	echo "\$l \$\$ \$pg \$POOLTOP_WORKER \$ns \$(pwd)" ;;
	esac
done
EOF
chmod 755 "$T/bin/prog"
P=$T/bin/prog

# fresh: an empty $W/pids the programs may write, no $W/up.*.
fresh() {
	rm -f "$W"/up.*
	: >"$W/pids"
	chmod 666 "$W/pids"
}

# no_pool_left WHAT: no process of the test user on the hosts, none of the
# programs' pids or groups ($W/pids) alive (polled, bounded).
no_pool_left() {
	check "$1: no process of the test user left on the hosts" \
	    wait_for 20 sh -c "! pgrep -u $RU >/dev/null"
	[ "$_failed" -eq 0 ] || pgrep -a -u "$RU" | sed 's/^/# ps: /'
	check "... nor any program's pid or process group" wait_for 20 sh -c "
	    [ -s '$W/pids' ] || exit 1
	    while read -r p g; do
		kill -0 \$p 2>/dev/null && exit 1
		pgrep -g \$g >/dev/null && exit 1
	    done <'$W/pids'; exit 0"
}

# --- answers in order, from programs on the host ----------------------------
seq 200 >"$W/items"
fresh
init='echo "$POOLTOP_WORKER $(readlink /proc/self/ns/mnt) $(pwd)" >>'$W/inits
# "$P 2": a program answers once both workers' have started (each after
# its --init), or one fast worker could take all 200 before the other ran
# its --init.
run -k -S 2/h1 --persistent "$P 2" --init "$init" --workdir "$W/wd" \
    --joblog "$W/jl1" -a "$W/items" >"$W/out1" 2>"$W/err1"
rc=$?
check "-S 2/h1 --persistent: exit 0" [ "$rc" -eq 0 ]
check "... each item answered, in order (-k)" sh -c \
    "cut -d' ' -f1 '$W/out1' | cmp -s - '$W/items'"
check "... every answer from a program in h1's namespace" sh -c \
    "[ \$(awk '\$5 == \"$NS_h1\"' '$W/out1' | wc -l) -eq 200 ]"
check "... in --workdir" sh -c \
    "[ \$(awk '\$6 == \"$W/wd\"' '$W/out1' | wc -l) -eq 200 ]"
check "... the joblog's Host is h1 for all 200" sh -c \
    "[ \$(tail -n +2 '$W/jl1' | cut -f2 | grep -cx h1) -eq 200 ]"
progs=$(cut -d' ' -f2 "$W/out1" | sort -u | wc -l)
check "... at most one program per worker answered them ($progs)" \
    sh -c "[ $progs -ge 1 ] && [ $progs -le 2 ]"
# Each program's parent is the remote worker it names ($POOLTOP_WORKER):
# asked while they run, below; here, the workers are h1's pooltop.
check "... --init ran once in each of the 2 remote workers" sh -c \
    "[ \$(wc -l <'$W/inits') -eq 2 ] &&
     [ \$(cut -d' ' -f1 '$W/inits' | sort -u | wc -l) -eq 2 ]"
check "... on h1, in --workdir" sh -c \
    "[ \$(awk '\$2 == \"$NS_h1\" && \$3 == \"$W/wd\"' '$W/inits' | wc -l) -eq 2 ]"
check "... and the answering programs are those workers'" sh -c \
    "cut -d' ' -f4 '$W/out1' | sort -u >'$W/ws1';
     cut -d' ' -f1 '$W/inits' | sort -u | comm -13 - '$W/ws1' | grep -q .;
     [ \$? -eq 1 ]"
no_pool_left "after the run"
rm -f "$W/inits"

# --- a running program is the remote worker's child -------------------------
fresh
"$POOLTOP_BIN" --headless --ssh "ssh -F $SSH_CONFIG" --remote-pooltop "$RP" \
    -S 1/h1 --persistent "$P 1" ::: sleep >/dev/null 2>"$W/err2" &
pid=$!
check "a line runs in a program on h1" wait_for 30 sh -c \
    "[ -s '$W/pids' ] && [ -e \"$W/up.\$(cut -d' ' -f1 '$W/pids')\" ]"
[ "$_failed" -eq 0 ] || sed 's/^/# /' "$W/pids" "$W/err2"
prog=$(cut -d' ' -f1 "$W/pids")
ppid=$(awk '{ print $4 }' "/proc/$prog/stat" 2>/dev/null)
# The shell that ran it may have execed it, or wait for it.
case $(tr '\0' ' ' <"/proc/$ppid/cmdline" 2>/dev/null) in
*worker*)	wk=$ppid ;;
*)		wk=$(awk '{ print $4 }' "/proc/$ppid/stat" 2>/dev/null) ;;
esac
check "... its parent is the pooltop worker there, of the test user" sh -c \
    "tr '\0' ' ' </proc/$wk/cmdline | grep -q worker &&
     [ \$(stat -c %u /proc/$wk) -eq $RUID ] &&
     [ \$(readlink /proc/$wk/ns/mnt) = '$NS_h1' ]"
kill -9 "$pid"
wait "$pid" 2>/dev/null
no_pool_left "supervisor SIGKILLed during a line"

# --- --max-tasks-per-worker, and --init once per worker ---------------------
fresh
seq 20 >"$W/items3"
run -k -S 1/h1 --persistent "$P" --max-tasks-per-worker 5 --init \
    "echo \"\$POOLTOP_WORKER\" >>$W/inits" -a "$W/items3" \
    >"$W/out3" 2>"$W/err3"
rc=$?
check "--max-tasks-per-worker 5 on h1: exit 0, in order" sh -c \
    "[ $rc -eq 0 ] && cut -d' ' -f1 '$W/out3' | cmp -s - '$W/items3'"
check "... 4 programs answered 5 lines each" sh -c \
    "[ \"\$(cut -d' ' -f2 '$W/out3' | uniq -c | awk '{ print \$1 }' |
       tr '\n' ' ')\" = '5 5 5 5 ' ] &&
     [ \$(cut -d' ' -f2 '$W/out3' | sort -u | wc -l) -eq 4 ]"
check "... one worker, its --init run once" \
    [ "$(wc -l <"$W/inits")" -eq 1 ]
no_pool_left "after --max-tasks-per-worker"
rm -f "$W/inits"

# --- two hosts and this machine ---------------------------------------------
fresh
seq 60 >"$W/items4"
run -k -S 1/h1,1/h2,1/: --chunksize 2 --persistent "$P 3" -a "$W/items4" \
    --joblog "$W/jl4" >"$W/out4" 2>"$W/err4"
rc=$?
check "-S 1/h1,1/h2,1/: --persistent: exit 0, in order" sh -c \
    "[ $rc -eq 0 ] && cut -d' ' -f1 '$W/out4' | cmp -s - '$W/items4'"
check "... answers from h1, h2 and here" sh -c \
    "for ns in '$NS_h1' '$NS_h2' '$NS_here'; do
	awk -v n=\"\$ns\" '\$5 == n' '$W/out4' | grep -q . || exit 1
     done"
check "... the joblog's hosts: h1, h2 and :" sh -c \
    "[ \"\$(tail -n +2 '$W/jl4' | cut -f2 | sort -u | tr '\n' ' ')\" = ': h1 h2 ' ]"
no_pool_left "after the mixed run"

# --- a program that crashes on one item -------------------------------------
fresh
printf '%s\n' 1 2 3 crash 5 6 7 8 9 >"$W/items5"
run -k -S 1/h1 --chunksize 4 --persistent "$P" --joblog "$W/jl5" \
    -a "$W/items5" >"$W/out5" 2>"$W/err5"
rc=$?
check "a remote program crashes on one item: exit 1" [ "$rc" -eq 1 ]
check "... the others answered, in order" sh -c \
    "[ \"\$(cut -d' ' -f1 '$W/out5' | tr '\n' ' ')\" = '1 2 3 5 6 7 8 9 ' ]"
check "... the joblog: exit 7 for it alone, 0 for the 8 others" sh -c \
    "[ \"\$(awk -F'\t' 'NR > 1 && \$7 != 0 { print \$1, \$7 }' '$W/jl5')\" = '4 7' ] &&
     [ \$(awk -F'\t' 'NR > 1 && \$7 == 0' '$W/jl5' | wc -l) -eq 8 ]"
check "... a new program took the lines after it" \
    [ "$(cut -d' ' -f2 "$W/out5" | sort -u | wc -l)" -eq 2 ]
no_pool_left "after the crash"

# --- --timeout of one line --------------------------------------------------
fresh
printf '%s\n' a sleep b >"$W/items6"
run -k -S 1/h1 --timeout 5 --persistent "$P" --joblog "$W/jl6" \
    -a "$W/items6" >"$W/out6" 2>"$W/err6"
rc=$?
check "--timeout 5, a remote program sleeps on one line: exit 1" [ "$rc" -eq 1 ]
check "... the others answered" sh -c \
    "[ \"\$(cut -d' ' -f1 '$W/out6' | tr '\n' ' ')\" = 'a b ' ]"
check "... its joblog Exitval is -1, the others' 0" sh -c \
    "[ \"\$(awk -F'\t' 'NR > 1 { print \$1, \$7 }' '$W/jl6' | sort |
       tr '\n' ' ')\" = '1 0 2 -1 3 0 ' ]"
check "... and no sleep $S is left on the host" \
    wait_for 10 no_process_with "sleep $S"
no_pool_left "after the timeout"

# --- an --init that fails on one host ---------------------------------------
fresh
seq 10 >"$W/items7"
# h2's program starts once the pool has said h1's failure (at most 60 s):
# the run cannot end before it.
wait7="n=0; until grep -q 'init failed' '$W/err7' || [ \$n -ge 1200 ]; do
	sleep 0.05; n=\$((n + 1)); done; exec $P"
run -k -S 1/h1,1/h2 --persistent "$wait7" --init \
    "[ \"\$(readlink /proc/self/ns/mnt)\" != '$NS_h1' ] || { echo no db; exit 1; }" \
    -a "$W/items7" >"$W/out7" 2>"$W/err7"
rc=$?
check "--init fails on h1: the pool runs on h2, exit 0, in order" sh -c \
    "[ $rc -eq 0 ] && cut -d' ' -f1 '$W/out7' | cmp -s - '$W/items7' &&
     [ \$(awk '\$5 == \"$NS_h2\"' '$W/out7' | wc -l) -eq 10 ]"
check "... h1's failure said, with its output" \
    grep -q "worker [0-9]*: --init failed (exit 1): no db" "$W/err7"
[ "$_failed" -eq 0 ] || sed 's/^/# /' "$W/err7"
check "... not as a worker that did not connect" \
    sh -c "! grep -q 'did not connect' '$W/err7'"
no_pool_left "after --init failed"

# --- hosts from --slf -------------------------------------------------------
fresh
echo 1/h2 >"$W/slf"
seq 5 >"$W/items10"
run -k --slf "$W/slf" --persistent "$P" -a "$W/items10" >"$W/out10" \
    2>"$W/err10"
rc=$?
check "--slf (1/h2) --persistent: exit 0, in order, answered on h2" sh -c \
    "[ $rc -eq 0 ] && cut -d' ' -f1 '$W/out10' | cmp -s - '$W/items10' &&
     [ \$(awk '\$5 == \"$NS_h2\"' '$W/out10' | wc -l) -eq 5 ]"
no_pool_left "after --slf"

# --- what cannot work, refused ----------------------------------------------
refused() {
	_what=$1 _msg=$2
	shift 2
	run -S h1 --persistent "$P" "$@" ::: a >/dev/null 2>"$W/err8"
	_rc=$?
	if [ "$_rc" -eq 255 ] && grep -q -- "$_msg" "$W/err8"; then
		ok "$_what: refused (255), said"
	else
		fail "$_what: refused (255), said (exit $_rc)"
		sed 's/^/# /' "$W/err8"
	fi
}
refused "--transferfile with --persistent -S" \
    "transferfile cannot be used with --persistent" --transferfile {}
refused "--return with --persistent -S" \
    "return cannot be used with --persistent" --return {}.out
refused "--basefile with --persistent -S" \
    "basefile cannot be used with --persistent" --basefile "$P"
refused "--workdir ... with --persistent -S" \
    "a --persistent program serves many" --workdir ...
refused "--workdir with {} and --persistent -S" \
    "a --persistent program serves many" --workdir "$W/d{}"
check "... and nothing was started on the host" \
    sh -c "! pgrep -u $RU >/dev/null"

# --- CONF of another protocol: `pooltop worker` names both ------------------
v=$(sed -n 's/^#define PT_PROTO_VERSION[[:space:]]*\([0-9]*\).*/\1/p' \
    "$POOLTOP_SRCDIR/src/proto.h")
o=$(printf '\\%03o' $((v - 1)))
# CONF (type 6), 4 bytes: a version alone, as an older supervisor's starts.
printf "\\006\\000\\000\\000\\004\\000\\000\\000$o\\000\\000\\000" |
    "$POOLTOP_BIN" worker >"$W/why9" 2>&1
rc=$?
check "a CONF of protocol $((v - 1)): pooltop worker exits 2, names both" \
    sh -c "[ $rc -eq 2 ] && grep -aq 'speaks protocol $v, the supervisor $((v - 1)): install the same pooltop version on both' '$W/why9'"
o=$(printf '\\%03o' "$v")
printf "\\006\\000\\000\\000\\004\\000\\000\\000$o\\000\\000\\000" |
    "$POOLTOP_BIN" worker >"$W/why9" 2>&1
rc=$?
check "... one of this protocol cut short: exit 2, bad CONF" \
    sh -c "[ $rc -eq 2 ] && grep -aq 'bad CONF' '$W/why9'"

finish

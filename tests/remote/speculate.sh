#!/bin/sh
# --speculate with workers on other machines (-S): two sshd "hosts" of one
# slot each (tests/remote/remote.sh).  The straggler's copy lands on the
# other host and wins; the joblog has one line per item, the winner's with
# its host; nothing of the slow first run is left on its host.
# Needs root; SKIP otherwise or without openssh-server.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/remote/remote.sh"
trap 'remote_stop; cleanup_test' EXIT

ssh_hosts_start 2 || { fail "two sshd hosts start"; finish; }
mkdir -p "$T/bin" "$T/mk"
cp "$POOLTOP_BIN" "$T/bin/pooltop"
chmod 755 "$T" "$T/bin" "$T/bin/pooltop"
chmod 777 "$T/mk"		# the remote user makes the marker there
S=$((3000 + $$ % 5000))		# a sleep length no other test uses

# Item "slow" sleeps on its first run only (the one that makes the marker).
"$POOLTOP_BIN" --headless --ssh "ssh -F $SSH_CONFIG" \
    --remote-pooltop "$T/bin/pooltop" -S 1/h1,1/h2 --speculate \
    --joblog "$T/jl" sh -c 'if [ "$1" = slow ] && mkdir "$2/m" 2>/dev/null
then sleep "$3"; fi; echo "out-$1"' sh {} "$T/mk" $S \
    ::: a b c d slow >"$T/out" 2>"$T/err"
rc=$?
check "exit 0, one joblog line per item" \
    sh -c "[ $rc -eq 0 ] &&
    [ \"\$(tail -n +2 '$T/jl' | cut -f1 | sort -n | tr '\n' ' ')\" = '1 2 3 4 5 ' ]"
check "the copy won" grep -q "speculate: task 5 won by its copy" "$T/err"
# The copy's slot, the straggler's, and the host of each.
copy=$(sed -n 's/.*copy of task 5 started in slot \([0-9]*\), its straggler runs in slot \([0-9]*\).*/\1 \2/p' "$T/err")
host_of() { sed -n "s/.*worker $1 started on \([^,]*\),.*/\1/p" "$T/err" | tail -1; }
ch=$(host_of "${copy% *}")
sh_=$(host_of "${copy#* }")
check "the copy ran on the other host" \
    sh -c "[ -n '$ch' ] && [ -n '$sh_' ] && [ '$ch' != '$sh_' ]"
check "the joblog's line is the winner's, with its host" \
    [ "$(awk -F'\t' '$1 == 5 { print $2 }' "$T/jl")" = "$ch" ]
check "the output once, the copy's" \
    [ "$(grep -c '^out-slow$' "$T/out")" = 1 ]
check "nothing of the slow first run is left" \
    wait_for 10 no_process_with "sleep $S"

# --workdir ...: a copy on the same host runs in a directory of its own
# (its first run may still be in DIR-SEQ), and --cleanup removes both.
# The test user's home: its runtime directory, private to each host.
shadow usermod -d "/tmp/pooltop-$RUID" "$RU"
mkdir "$T/mk2"
chmod 777 "$T/mk2"
S2=$((S + 1))
"$POOLTOP_BIN" --headless --ssh "ssh -F $SSH_CONFIG" \
    --remote-pooltop "$T/bin/pooltop" -S 2/h1 --speculate --wd ... \
    --cleanup sh -c 'if [ "$1" = slow ] && mkdir "$2/m" 2>/dev/null
then pwd >"$2/first"; sleep "$3"; else [ "$1" = slow ] && pwd >"$2/copy"; fi
echo "out-$1"' sh {} "$T/mk2" $S2 ::: a b c d slow >"$T/out2" 2>"$T/err2"
rc=$?
check "--wd ..., both runs on one host: exit 0, the copy won" \
    sh -c "[ $rc -eq 0 ] && grep -q 'speculate: task 5 won by its copy' '$T/err2'"
check "... the copy ran in another directory than its first run" \
    sh -c "[ -s '$T/mk2/first' ] && [ -s '$T/mk2/copy' ] &&
    ! cmp -s '$T/mk2/first' '$T/mk2/copy'"
gone_on_h1() {
	for d in "$(cat "$T/mk2/first")" "$(cat "$T/mk2/copy")"; do
		nsenter -t "$SSHD_PID_h1" -m test -e "$d" && return 1
	done
	return 0
}
check "... and --cleanup removed both directories" wait_for 10 gone_on_h1
check "... nothing of the slow first run is left" \
    wait_for 10 no_process_with "sleep $S2"
finish

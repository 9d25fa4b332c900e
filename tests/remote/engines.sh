#!/bin/sh
# The remote engines the remote-worker tests stand on, started as those
# tests start them (tests/remote/remote.sh): two sshd "hosts" and a Slurm
# cluster of two nodes (munged, slurmctld, two slurmd), all in a temp dir.
# Checks that each answers as the test user, that a "remote" process sees
# its own /dev/shm and runtime directory (nothing it makes there is seen
# locally, nothing local is seen there), and that stopping them leaves no
# daemon and no process of the test user.  Needs root; SKIP otherwise or
# when openssh-server, munge or slurm-wlm is not installed.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/remote/remote.sh"

ssh_hosts_start 2 || { fail "two sshd hosts start"; finish; }
ok "two sshd hosts start"
who="$(ssh_on h1 id -un) $(ssh_on h2 id -un)"
check "h1 and h2 answer as the test user" [ "$who" = "$RU $RU" ]
: >/dev/shm/pooltop-probe.$$
check "a host does not see the local /dev/shm" sh -c \
    "[ -z \"\$(ssh -F '$SSH_CONFIG' h1 ls /dev/shm)\" ]"
ssh_on h2 "touch /dev/shm/remote-probe /tmp/pooltop-$RUID/remote-probe"
check "what a host makes in its /dev/shm and runtime dir stays there" \
    sh -c "[ ! -e /dev/shm/remote-probe ] && [ ! -e /tmp/pooltop-$RUID/remote-probe ]"
rm -f /dev/shm/pooltop-probe.$$

slurm_start 2 || { fail "a two-node Slurm cluster starts"; finish; }
ok "a two-node Slurm cluster starts"
# From / : the test user may not enter the build directory (a clone in a
# private temp dir), and a step that cannot chdir says so on stderr.
out=$(cd / && setpriv --reuid "$RUID" --regid "$(id -g "$RU")" \
    --clear-groups env SLURM_CONF="$SLURM_CONF" srun -N2 -n2 sh -c \
    'echo "$SLURMD_NODENAME $(id -un) $(ls /dev/shm | wc -l)"' \
    2>"$T/srun.err" | sort)
if [ "$out" = "n1 $RU 0
n2 $RU 0" ]; then
	ok "srun -N2 runs on n1 and n2 as the test user, private /dev/shm"
else
	fail "srun -N2 runs on n1 and n2 as the test user, private /dev/shm"
	echo "$out" | sed 's/^/# srun: /'
	sed 's/^/# srun stderr: /' "$T/srun.err"
fi

remote_stop
none() { ! pgrep "$@" >/dev/null; }
check "stopped: no sshd, munged, slurmctld or slurmd of the test is left" \
    none -f "$T/"
check "stopped: no process of the test user is left" none -u "$RUID"
finish

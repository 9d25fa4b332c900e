# Real remote engines for the tests, started by the test and stopped by
# pid (sourced after tests/lib.sh; needs root).  Every "host" and every
# Slurm node runs in its own mount namespace with its own tmpfs over
# /dev/shm and over the test user's pooltop runtime directory, so only what
# pooltop's own protocol carries can cross from a "remote" task to the
# local pool: a test never passes because a remote task reached the local
# segment or socket.
#
#   remote_user                 create the test user $RU (login shell
#                               /bin/sh, unlocked for key logins, no home)
#   ssh_hosts_start N           N sshd "hosts" h1..hN on 127.0.0.2:2201 ...
#                               for $RU; $SSH_CONFIG is the client config
#                               (Host h1 ... with key and known hosts)
#   ssh_on HOST CMD...          run CMD on HOST as $RU
#   slurm_start N               munged, slurmctld and N slurmd nodes n1..nN
#                               in $T/slurm; exports SLURM_CONF
#   host_kill HOST              kill -9 every process of sshd host HOST (its
#                               sshd, sessions, and what runs there) or of
#                               Slurm node HOST (its slurmd, its steps'
#                               slurmstepd, what they run): the host is lost
#   remote_stop                 stop every daemon started, by pid (the EXIT
#                               trap calls it too)
#   in_ns PID CMD...            run CMD inside the mount namespace of PID

RU=ptr$$
_remote_pids=""
_remote_user=false

# _ns_wrap CMD...: exec CMD in a new mount namespace with private tmpfs
# over /dev/shm and /tmp/pooltop-$RUID (CMD keeps the pid, so the caller
# backgrounds it and stops it by $!).
_ns_wrap() {
	_uid=$RUID
	mkdir -p "/tmp/pooltop-$_uid"
	chown "$RU" "/tmp/pooltop-$_uid"
	chmod 700 "/tmp/pooltop-$_uid"
	exec unshare -m --propagation private sh -c '
		mount -t tmpfs -o mode=1777 tmpfs /dev/shm &&
		mount -t tmpfs -o mode=0700,uid='"$_uid"' tmpfs /tmp/pooltop-'"$_uid"' &&
		exec "$@"' sh "$@"
}

remote_user() {
	$_remote_user && return 0
	for c in useradd userdel usermod unshare; do
		command -v $c >/dev/null 2>&1 || skip "$c is not installed"
	done
	shadow useradd -M -N -d / -s /bin/sh "$RU" ||
	    { fail "useradd $RU (exit $?)"; finish; }
	# Unlocked for key logins, or sshd refuses every one of them.
	shadow usermod -p '*' "$RU"
	if [ "$(getent shadow "$RU" | cut -d: -f2)" != '*' ]; then
		fail "usermod -p '*' $RU"; finish
	fi
	RUID=$(id -u "$RU")
	_remote_user=true
}

# sshd $_sp has exited (a zombie too: the shell may not have reaped it).
_sshd_gone() {
	_st=$(awk '{ print $3 }' "/proc/$_sp/stat" 2>/dev/null)
	[ -z "$_st" ] || [ "$_st" = Z ] || [ "$_st" = X ]
}
# ... or listens: its address $_hex is in /proc/net/tcp in state 0A, on a
# socket that is sshd's own (another program may hold the port).
_sshd_settled() {
	_sshd_gone && return 0
	_ino=$(awk -v a="$_hex" '$2 == a && $4 == "0A" { print $10 }' \
	    /proc/net/tcp)
	[ -n "$_ino" ] || return 1
	for _fd in "/proc/$_sp/fd/"*; do
		[ "$(readlink "$_fd" 2>/dev/null)" = "socket:[$_ino]" ] &&
		    return 0
	done
	return 1
}

# _sshd_start I ADDR PORT: start host hI's sshd on ADDR:PORT; fails if
# sshd exits before it listens (the port was taken).
_sshd_start() {
	cat >"$_S/sshd_h$1" <<EOC
ListenAddress $2:$3
HostKey $_S/host_key
PidFile none
AuthorizedKeysFile $_S/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $RU
MaxSessions 64
MaxStartups 64:30:128
LogLevel ERROR
EOC
	_ns_wrap /usr/sbin/sshd -D -e -f "$_S/sshd_h$1" 2>"$_S/sshd_h$1.log" &
	_sp=$!
	_hex=$(echo "$2" | awk -F. -v p="$3" \
	    '{ printf "%02X%02X%02X%02X:%04X", $4, $3, $2, $1, p }')
	wait_for 20 _sshd_settled
	if ! _sshd_gone; then
		_remote_pids="$_remote_pids $_sp"
		eval "SSHD_PID_h$1=\$_sp"
		return 0
	fi
	kill "$_sp" 2>/dev/null; wait "$_sp" 2>/dev/null
	return 1
}

ssh_hosts_start() {
	_n=$1
	[ "$(id -u)" = 0 ] || skip "needs root (sshd, users, namespaces)"
	[ -x /usr/sbin/sshd ] || skip "openssh-server is not installed"
	command -v ssh >/dev/null 2>&1 || skip "ssh is not installed"
	remote_user
	_S=$T/ssh
	mkdir -p "$_S" /run/sshd
	chmod 755 "$T" "$_S"
	ssh-keygen -q -t ed25519 -N '' -f "$_S/host_key" || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$_S/id" || return 1
	cp "$_S/id.pub" "$_S/authorized_keys"
	chmod 644 "$_S/authorized_keys"
	SSH_CONFIG=$_S/ssh_config
	: >"$SSH_CONFIG"
	: >"$_S/known_hosts"
	# Each test has its own loopback network (127.A.B.0/24 from its pid),
	# so two tests running at once never ask for the same address and
	# port; a port some other program holds anyway is given up for the
	# next one (sshd exits at once when it cannot bind).
	_net=127.$(( ($$ / 250) % 250 + 1 )).$(( $$ % 250 + 1 ))
	_ri=1
	while [ "$_ri" -le "$_n" ]; do
		_addr=$_net.$((_ri + 1)) _port=$((2200 + _ri))
		_try=0
		while :; do
			_sshd_start "$_ri" "$_addr" "$_port" && break
			_try=$((_try + 1))
			[ "$_try" -lt 8 ] ||
			    { cat "$_S/sshd_h$_ri.log" >&2; return 1; }
			_port=$((_port + 100))
		done
		echo "[$_addr]:$_port $(cut -d' ' -f1-2 "$_S/host_key.pub")" \
		    >>"$_S/known_hosts"
		cat >>"$SSH_CONFIG" <<EOC
Host h$_ri
	HostName $_addr
	Port $_port
EOC
		_ri=$((_ri + 1))
	done
	cat >>"$SSH_CONFIG" <<EOC
Host *
	User $RU
	IdentityFile $_S/id
	IdentitiesOnly yes
	UserKnownHostsFile $_S/known_hosts
	StrictHostKeyChecking yes
	BatchMode yes
	ConnectTimeout 10
	LogLevel ERROR
EOC
	chmod 644 "$SSH_CONFIG" "$_S/known_hosts"
	chmod 600 "$_S/id"
	# Each host answers before the test goes on.
	_ri=1
	while [ "$_ri" -le "$_n" ]; do
		wait_for 20 ssh -F "$SSH_CONFIG" "h$_ri" true 2>/dev/null ||
		    { cat "$_S/sshd_h$_ri.log" >&2; return 1; }
		_ri=$((_ri + 1))
	done
}

ssh_on() { _h=$1; shift; ssh -F "$SSH_CONFIG" "$_h" "$@"; }

slurm_start() {
	_n=$1
	[ "$(id -u)" = 0 ] || skip "needs root (munged, slurmd)"
	for c in munged slurmctld slurmd srun; do
		command -v $c >/dev/null 2>&1 || [ -x /usr/sbin/$c ] ||
		    skip "$c is not installed (munge, slurm-wlm)"
	done
	remote_user
	_W=$T/slurm
	mkdir -p "$_W/munge" "$_W/state" "$_W/spool"
	chmod 755 "$T" "$_W" "$_W/munge"
	dd if=/dev/urandom of="$_W/munge.key" bs=1024 count=1 2>/dev/null
	chmod 400 "$_W/munge.key"
	/usr/sbin/munged --force --key-file="$_W/munge.key" \
	    --socket="$_W/munge/munge.socket" --pid-file="$_W/munged.pid" \
	    --log-file="$_W/munged.log" --seed-file="$_W/munge.seed" ||
	    return 1
	_remote_pids="$_remote_pids $(cat "$_W/munged.pid")"
	_cport=$((6800 + ($$ % 500) * 10))
	_nodes=""
	_ri=1
	while [ "$_ri" -le "$_n" ]; do
		_nodes="$_nodes
NodeName=n$_ri NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((_cport + _ri)) CPUs=$(nproc) RealMemory=1000 State=UNKNOWN"
		_ri=$((_ri + 1))
	done
	SLURM_CONF=$_W/slurm.conf
	cat >"$SLURM_CONF" <<EOC
ClusterName=pt$$
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$_cport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$_W/munge/munge.socket
StateSaveLocation=$_W/state
SlurmdSpoolDir=$_W/spool/%n
SlurmctldPidFile=$_W/slurmctld.pid
SlurmdPidFile=$_W/slurmd.%n.pid
SlurmctldLogFile=$_W/slurmctld.log
SlurmdLogFile=$_W/slurmd.%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
$_nodes
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOC
	chmod 644 "$SLURM_CONF"
	export SLURM_CONF
	/usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >"$_W/slurmctld.out" 2>&1 &
	_remote_pids="$_remote_pids $!"
	_ri=1
	while [ "$_ri" -le "$_n" ]; do
		mkdir -p "$_W/spool/n$_ri"
		_ns_wrap /usr/sbin/slurmd -D -N "n$_ri" -f "$SLURM_CONF" \
		    >"$_W/slurmd.n$_ri.out" 2>&1 &
		_remote_pids="$_remote_pids $!"
		eval "SLURMD_PID_n$_ri=\$!"
		_ri=$((_ri + 1))
	done
	wait_for 30 sh -c "[ \"\$(sinfo -h -N -o '%t' 2>/dev/null | grep -c '^idle')\" -eq $_n ]" ||
	    { sinfo -N 2>&1; cat "$_W"/*.log >&2; return 1; }
}

in_ns() { _p=$1; shift; nsenter -t "$_p" -m "$@"; }

# The processes in the mount namespace of PID (PID among them).
procs_in_ns() {
	_ns=$(readlink "/proc/$1/ns/mnt") || return 0
	for _d in /proc/[0-9]*; do
		[ "$(readlink "$_d/ns/mnt" 2>/dev/null)" = "$_ns" ] &&
		    echo "${_d#/proc/}"
	done
}

host_kill() {
	eval "_hp=\${SSHD_PID_$1:-\${SLURMD_PID_$1:-}}"
	[ -n "$_hp" ] || return 1
	# Until none is left: a session may fork while we look.
	wait_for 10 sh -c '
		p=$(for d in /proc/[0-9]*; do
			[ "$(readlink $d/ns/mnt 2>/dev/null)" = "$1" ] &&
			    echo ${d#/proc/}; done)
		[ -z "$p" ] && exit 0
		kill -9 $p 2>/dev/null; exit 1' sh "$(readlink "/proc/$_hp/ns/mnt")"
}

# check_each_once WHAT RC OUT ITEMS JOBLOG: a run that lost a host (WHAT,
# "h2 killed mid-run") completed with exit 0, printed every item of ITEMS
# (one number a line) exactly once in OUT, and its joblog has each task
# exactly once.
check_each_once() {
	check "$1: the run completes, exit 0" [ "$2" -eq 0 ]
	sort -n "$3" >"$3.sorted"
	check "... every item's output exactly once" cmp -s "$3.sorted" "$4"
	_n=$(wc -l <"$4")
	check "... the joblog has each task once" sh -c \
	    "[ \$(tail -n +2 '$5' | cut -f1 | sort -un | wc -l) -eq $_n ] &&
	     [ \$(tail -n +2 '$5' | wc -l) -eq $_n ]"
}

remote_stop() {
	if [ -n "$_remote_pids" ]; then
		# shellcheck disable=SC2086
		kill $_remote_pids 2>/dev/null
		for _p in $_remote_pids; do
			wait_for 10 sh -c "! kill -0 $_p 2>/dev/null" ||
			    kill -9 "$_p" 2>/dev/null
		done
		_remote_pids=""
	fi
	if $_remote_user; then
		pkill -9 -u "$RU" 2>/dev/null
		wait_for 10 sh -c "! pgrep -u $RU >/dev/null"
		shadow userdel "$RU"
		rm -rf "/tmp/pooltop-$RUID"
		_remote_user=false
	fi
}
trap 'remote_stop; cleanup_test' EXIT

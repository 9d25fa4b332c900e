#!/bin/sh
# Workers on other machines over ssh (-S): two sshd "hosts", each in its own
# mount namespace with its own /dev/shm and runtime directory
# (tests/remote/remote.sh), so only what pooltop's protocol carries crosses.
# Checks a 1000-task run spread over both hosts, hostile items, progress,
# pause and timeout of a remote task as seen in its /proc, the slots per
# host, errors that name the host (pooltop missing there, another version),
# a host lost mid-run (every item done exactly once on the other),
# SIGKILL of the supervisor (no process of the pool left on any host), a
# host that stops answering (lost after 10 s of silence),
# --env's variables on the host, $POOLTOP read here only.
# Needs root; SKIP otherwise or without openssh-server.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/remote/remote.sh"
. "$POOLTOP_SRCDIR/tests/tui/tuilib.sh"
trap 'tui_end; remote_stop; cleanup_test' EXIT

ssh_hosts_start 2 || { fail "two sshd hosts start"; finish; }
# The remote hosts' pooltop: a copy the test user may run.
mkdir -p "$T/bin"
cp "$POOLTOP_BIN" "$T/bin/pooltop"
chmod 755 "$T" "$T/bin" "$T/bin/pooltop"
RP=$T/bin/pooltop
SSH="ssh -F $SSH_CONFIG"

run() { "$POOLTOP_BIN" --headless --ssh "$SSH" --remote-pooltop "$RP" "$@"; }
# start ARGS...: run in the background; $pid is pooltop's.
start() {
	"$POOLTOP_BIN" --headless --ssh "$SSH" --remote-pooltop "$RP" "$@" &
	pid=$!
}

# slots_of POOL: its slots as "state host task_pid progress" lines.
cat >"$T/slots" <<EOS
#!/bin/sh
"$POOLTOP_BIN" ctl "\$1" status --json 2>/dev/null | python3 -c '
import json, sys
for s in json.load(sys.stdin)["slots"]:
    p = s["progress"]
    print(s["state"], s["host"], s["task_pid"],
          "%d/%d" % (p["done"], p["total"]) if p else "-")' 2>/dev/null
EOS
chmod 755 "$T/slots"
slots_of() { "$T/slots" "$1"; }

# --- 1000 tasks over two hosts ---------------------------------------------
seq 1000 >"$T/items"
run -S 2/h1,2/h2 --joblog "$T/jl1" -a "$T/items" echo {} \
    >"$T/out1" 2>"$T/err1"
rc=$?
check "1000 tasks on two hosts: exit 0" [ "$rc" -eq 0 ]
sort -n "$T/out1" >"$T/out1.sorted"
check "... each item's output once" cmp -s "$T/out1.sorted" "$T/items"
check "... the joblog has 1000 tasks, each once" sh -c \
    "[ \$(tail -n +2 '$T/jl1' | cut -f1 | sort -un | wc -l) -eq 1000 ] &&
     [ \$(tail -n +2 '$T/jl1' | wc -l) -eq 1000 ]"
n1=$(tail -n +2 "$T/jl1" | cut -f2 | grep -cx h1)
n2=$(tail -n +2 "$T/jl1" | cut -f2 | grep -cx h2)
if [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ $((n1 + n2)) -eq 1000 ]; then
	ok "... the Host column says h1 ($n1) and h2 ($n2), nothing else"
else
	fail "... the Host column says h1 ($n1) and h2 ($n2), nothing else"
fi
check "... workers started on both hosts" sh -c \
    "grep -q 'started on h1' '$T/err1' && grep -q 'started on h2' '$T/err1'"
check "... no process of the pool left on the hosts" \
    wait_for 10 sh -c "! pgrep -u $RU -f 'pooltop:? worker' >/dev/null"

# --- hostile items, and what a remote task sees -----------------------------
printf '%s\n' "it's" 'a "b"' '$(touch '"$T"'/pwned)' '`id`' 'a;b' \
    '  lead' 'x\y' '*' >"$T/hostile"
run -k -S h1 -a "$T/hostile" printf '%s\n' {} >"$T/out2" 2>"$T/err2"
if cmp -s "$T/out2" "$T/hostile"; then
	ok "hostile items arrive on the host verbatim"
else
	fail "hostile items arrive on the host verbatim"
	diff "$T/hostile" "$T/out2" | sed 's/^/# /'
	sed 's/^/# stderr: /' "$T/err2"
fi
check "... and nothing ran them" [ ! -e "$T/pwned" ]
run -S 1/h1 sh -c 'ls /dev/shm; echo "$POOLTOP_SLOT $PARALLEL_SEQ"' ::: x \
    >"$T/out3" 2>"$T/err3"
check "a remote task sees no segment of the local pool" \
    sh -c "! grep -q '^pooltop\.0\.' '$T/out3'"
check "... its worker's own segment there, for pooltop progress" \
    grep -q "^pooltop\.$RUID\." "$T/out3"
check "... POOLTOP_SLOT and PARALLEL_SEQ set" grep -qx "1 1" "$T/out3"

# --- --env: variables given to remote tasks; $POOLTOP not read there ------
envval='it'"'"'s $(touch '"$T"'/pwned-env) "q" `id`  two  spaces'
PT_ENV_A=$envval POOLTOP='--bogus-option' run -S 1/h1 --env PT_ENV_A \
    echo ::: x >"$T/out10" 2>"$T/err10"
rc=$?
check "a bad option in \$POOLTOP: refused (255)" [ "$rc" -eq 255 ]
check "... the error names \$POOLTOP" grep -q '^pooltop: \$POOLTOP: ' "$T/err10"
# $POOLTOP itself sent: the remote `pooltop worker` has it and ignores it.
PT_ENV_A=$envval PT_ENV_B=b PT_ENV_C=c POOLTOP='-k' run -S 1/h1 \
    --env PT_ENV_A --env PT_ENV_B,PT_ENV_UNSET,POOLTOP sh -c \
    'printf "%s|%s|%s|%s|%s\n" "$PT_ENV_A" "$PT_ENV_B" \
    "${PT_ENV_UNSET-unset}" "${PT_ENV_C-unset}" "$POOLTOP"' sh ::: x \
    >"$T/out10" 2>"$T/err10"
rc=$?
check "--env VAR over ssh, \$POOLTOP=-k sent too: exit 0" [ "$rc" -eq 0 ]
if [ "$(cat "$T/out10")" = "$envval|b|unset|unset|-k" ]; then
	ok "... the remote task has each named value verbatim, no other"
else
	fail "... the remote task has each named value verbatim, no other"
	sed 's/^/# /' "$T/out10" "$T/err10"
fi
check "... and nothing in a value ran" [ ! -e "$T/pwned-env" ]
check "... the remote worker, \$POOLTOP=-k in its environment, started" \
    grep -q 'started on h1' "$T/err10"
PT_ENV_A=here run -S 1/h1 sh -c 'echo "${PT_ENV_A-unset}"' sh ::: x \
    >"$T/out11" 2>&1
check "without --env the variable does not reach the host" \
    grep -qx unset "$T/out11"
check "--env _ is refused, naming GNU parallel's ignored_vars" sh -c \
    "$POOLTOP_BIN -S h1 --env _ echo ::: a 2>&1 >/dev/null |
     grep -q 'ignored_vars'"

# --- the seed's demos (conf/demo.conf: apply_async and map) over the hosts ---
run -k -c "$POOLTOP_SRCDIR/conf/demo.conf" -S 2/h1,2/h2 --joblog "$T/jl9" \
    >"$T/out9" 2>"$T/err9"
rc=$?
check "the demo config over two hosts: exit 0" [ "$rc" -eq 0 ]
check "... f(0)..f(9) answer in order, each with its sleep" sh -c \
    "head -n 10 '$T/out9' | sed 's/, [0-3])\$/)/' | tr -d '\n' |
     grep -qx '(0)(1)(2)(3)(4)(5)(6)(7)(8)(9)'"
check "... map's squares in order" sh -c \
    "tail -n 6 '$T/out9' | tr '\n' ' ' | grep -qx '1 4 9 16 25 36 '"
check "... its 16 tasks ran on the hosts" sh -c \
    "[ \$(tail -n +2 '$T/jl9' | cut -f2 | grep -cE '^h[12]\$') -eq 16 ]"

# --- progress, pause, resume and timeout of a remote task -------------------
start -S 1/h1 sh -c "$RP progress 3/4; while [ ! -e $T/go ]; do sleep 0.05; done" \
    ::: one >"$T/out4" 2>"$T/err4"
if wait_for 20 sh -c "'$T/slots' $pid | grep -q '^running h1 .* 3/4$'"; then
	ok "pooltop progress in a remote task shows in ctl status, host h1"
else
	fail "pooltop progress in a remote task shows in ctl status, host h1"
	slots_of "$pid" | sed 's/^/# /'
fi
tpid=$(slots_of "$pid" | awk '$1 == "running" { print $3 }')
tui_start
run_in_tui "$POOLTOP_BIN attach $pid"
if wait_until 20 on_screen '^ *SLOT +HOST ' &&
    wait_until 20 on_screen '^ +1 +h1 +[0-9]+ +'"$tpid"' +running'; then
	ok "the dashboard (attach) shows a HOST column: slot 1 on h1, its pid"
	if on_screen ' h1 1/1( |$)'; then
		ok "... and h1's totals in the header: 1 running of 1"
	else
		fail "... and h1's totals in the header: 1 running of 1"
		screen | head -3 | sed 's/^/# /'
	fi

else
	fail "the dashboard (attach) shows a HOST column: slot 1 on h1, its pid"
	screen | sed 's/^/# /'
fi
key q
tui_end
pstate() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null; }
"$POOLTOP_BIN" ctl "$pid" pause 1 >/dev/null 2>&1
check "pause: the remote task is stopped (T in its /proc)" \
    wait_for 10 sh -c "[ \"\$(awk '{ print \$3 }' /proc/$tpid/stat)\" = T ]"
"$POOLTOP_BIN" ctl "$pid" resume 1 >/dev/null 2>&1
check "resume: it runs again" \
    wait_for 10 sh -c "[ \"\$(awk '{ print \$3 }' /proc/$tpid/stat)\" != T ]"
touch "$T/go"
wait "$pid"
check "... and it ends when told, exit 0" [ $? -eq 0 ]
rm -f "$T/go"

timeout 60 "$POOLTOP_BIN" --headless --ssh "$SSH" --remote-pooltop "$RP" \
    -S h1 --timeout 1 --joblog "$T/jl5" sleep {} ::: 300 >/dev/null 2>&1
rc=$?
check "--timeout ends a remote task: exit 1" [ "$rc" -eq 1 ]
check "... its joblog Exitval is -1" sh -c \
    "tail -n 1 '$T/jl5' | cut -f7 | grep -qx -- -1"
check "... and no sleep is left on the host" \
    wait_for 10 sh -c "! pgrep -u $RU -x sleep >/dev/null"

# --- slots per host: its CPUs, or -j ----------------------------------------
ncpu=$(ssh_on h1 nproc)
start -S h1 sh -c "while [ ! -e $T/go ]; do sleep 0.05; done" \
    ::: 1 2 3 4 5 6 7 8 >/dev/null 2>&1
check "a host runs as many workers as it has CPUs ($ncpu)" wait_for 20 sh -c \
    "[ \$($POOLTOP_BIN ctl $pid status --json | grep -o '\"state\":\"running\",\"gen' | wc -l) -eq $ncpu ]"
touch "$T/go"
wait "$pid"
rm -f "$T/go"
start -j 3 -S h1,: sh -c "while [ ! -e $T/go ]; do sleep 0.05; done" \
    ::: 1 2 3 4 5 6 7 8 >/dev/null 2>&1
check "-j 3 -S h1,: 6 tasks run" wait_for 20 sh -c \
    "[ \$($POOLTOP_BIN ctl $pid status --json | grep -o '\"state\":\"running\",\"gen' | wc -l) -eq 6 ]"
# hosts_of POOL: "host workers running" per host, from status --json.
cat >"$T/hosts" <<EOS
#!/bin/sh
"$POOLTOP_BIN" ctl "\$1" status --json 2>/dev/null | python3 -c '
import json, sys
for h in json.load(sys.stdin)["hosts"]:
    print(h["host"] or ":", h["workers"], h["running"])' 2>/dev/null
EOS
chmod 755 "$T/hosts"
check "... 3 workers on h1 and 3 here (status --json hosts)" sh -c \
    "'$T/hosts' $pid | sort | tr '\n' ' ' | grep -qx ': 3 3 h1 3 3 '"
"$POOLTOP_BIN" ctl "$pid" resize 1 --kill --host h1 >"$T/rs" 2>&1
check "ctl resize 1 --kill --host h1: said" grep -q "host h1: workers 3 -> 1" "$T/rs"
check "... h1 is down to one worker, this machine keeps 3" wait_for 20 sh -c \
    "'$T/hosts' $pid | sort | tr '\n' ' ' | grep -qx ': 3 3 h1 1 1 '"
"$POOLTOP_BIN" ctl "$pid" resize +1 --host : >"$T/rs" 2>&1
check "ctl resize +1 --host : adds one here" wait_for 20 sh -c \
    "'$T/hosts' $pid | sort | tr '\n' ' ' | grep -qx ': 4 4 h1 1 1 '"
check "ctl resize --host with an unknown host: refused, named" sh -c \
    "! $POOLTOP_BIN ctl $pid resize 2 --host nosuch >'$T/rs' 2>&1 &&
     grep -q \"no host 'nosuch'\" '$T/rs'"
touch "$T/go"
wait "$pid"
rm -f "$T/go"

# --- errors that name the host ----------------------------------------------
timeout 60 "$POOLTOP_BIN" --headless --ssh "$SSH" -S h2 \
    --remote-pooltop /nonexistent/pooltop echo ::: a >/dev/null 2>"$T/err6"
rc=$?
check "pooltop missing on the host: exit 255" [ "$rc" -eq 255 ]
check "... the error names the host and what is missing" sh -c \
    "grep -q 'h2' '$T/err6' && grep -q 'not found' '$T/err6'"
# A "pooltop" that answers HELLO as another version would.
cat >"$T/bin/old-pooltop" <<'EOF'
#!/bin/sh
printf 'E\000\000\000\030\000\000\000\001\000\000\000\001\000\000\000\001\000\000\000\000\000\000\0000.0.1\000h\000'
exec cat >/dev/null
EOF
chmod 755 "$T/bin/old-pooltop"
timeout 60 "$POOLTOP_BIN" --headless --ssh "$SSH" -S h1 \
    --remote-pooltop "$T/bin/old-pooltop" echo ::: a >/dev/null 2>"$T/err7"
rc=$?
check "another pooltop version on the host: exit 255" [ "$rc" -eq 255 ]
check "... the error says which versions" grep -q "0.0.1 there" "$T/err7"
check "bad -S login: exit 255 and the login named" sh -c \
    "$POOLTOP_BIN -S 'x/h1' echo ::: a 2>&1 >/dev/null | grep -q \"'x/h1'\"; [ \$? -eq 0 ]"

# --- a host lost mid-run ----------------------------------------------------
# The tasks wait for a gate the test opens once h2 is gone, so that h2 is
# killed with tasks running however slow the machine is.
seq 60 >"$T/items8"
start -S 2/h1,2/h2 --joblog "$T/jl8" -a "$T/items8" \
    sh -c 'while [ ! -e "$2" ]; do sleep 0.05; done; echo $1' sh {} \
    "$T/gate8" >"$T/out8" 2>"$T/err8"
check "two tasks run on h2" wait_for 30 sh -c \
    "[ \$('$T/slots' $pid | grep -c '^running h2 ') -eq 2 ]"
host_kill h2
touch "$T/gate8"
wait "$pid"
rc=$?
check_each_once "h2 killed mid-run" "$rc" "$T/out8" "$T/items8" "$T/jl8"
check "... h2 is said to be down" grep -q "host h2 is down" "$T/err8"

# --- SIGKILL of the supervisor ----------------------------------------------
start -S 2/h1 sleep 1000 ::: 1 2 3 4 >/dev/null 2>"$T/err10"
wait_for 30 sh -c "[ \$(pgrep -u $RU -f '^sleep 1000 ' | wc -l) -eq 2 ]"
check "two remote tasks run" [ "$(pgrep -u "$RU" -f '^sleep 1000 ' | wc -l)" -eq 2 ]
[ "$_failed" -eq 0 ] || { pgrep -a -u "$RU" | sed 's/^/# ps: /'
	tail -n 20 "$T/err10" | sed 's/^/# err: /'; }
kill -9 "$pid"
wait "$pid" 2>/dev/null
check "supervisor SIGKILLed: no process of the test user left on the host" \
    wait_for 20 sh -c "! pgrep -u $RU >/dev/null"
check "... nor an ssh client of the pool here" \
    wait_for 10 sh -c "! pgrep -f '[s]sh -F $SSH_CONFIG' >/dev/null"
check "... nor its control socket or an ssh master socket" \
    wait_for 10 sh -c "[ -z \"\$(find '$XDG_RUNTIME_DIR' -name '$pid.*')\" ]"

# --- a host that stops answering (last: h1 is frozen, then killed) -------
# Every process of h1 stopped (SIGSTOP), its connections left open: ssh
# notices nothing, as over a dead network.  Its worker says nothing more,
# and is taken as lost after 10 s; its task runs here.
seq 10 >"$T/items9"
start -j 1 -S h1,: --joblog "$T/jl9" -a "$T/items9" \
    sh -c 'while [ ! -e "$2" ]; do sleep 0.05; done; echo $1' sh {} \
    "$T/gate9" >"$T/out9" 2>"$T/err9"
check "a task runs on h1" wait_for 30 sh -c \
    "'$T/slots' $pid | grep -q '^running h1 '"
for _q in $(procs_in_ns "$SSHD_PID_h1") $(procs_in_ns "$SSHD_PID_h1"); do
	kill -STOP "$_q" 2>/dev/null
done
touch "$T/gate9"
wait "$pid"
rc=$?
check_each_once "h1 frozen mid-run" "$rc" "$T/out9" "$T/items9" "$T/jl9"
check "... all run here" \
    [ "$(tail -n +2 "$T/jl9" | cut -f2 | grep -cx ':')" -eq 10 ]
check "... h1 is down: its worker said nothing for 10 s" \
    grep -q "host h1 is down: no word from it for 10 s" "$T/err9"
[ "$rc" -eq 0 ] || tail -20 "$T/err9" | sed 's/^/# /'
host_kill h1

finish

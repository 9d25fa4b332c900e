#!/bin/sh
# Files of remote tasks (--workdir, --transferfile, --return, --cleanup,
# --basefile, --trc) and host files (--slf: a host joins and leaves a
# running pool) against two sshd "hosts", each in its own mount
# namespace (tests/remote/remote.sh).  The work directory is under the test
# user's pooltop runtime directory, a tmpfs private to each host, so a file
# is there only if pooltop copied it, and a returned file here only if it
# came back.  Needs root; SKIP otherwise or without openssh-server.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/remote/remote.sh"
trap 'remote_stop; cleanup_test' EXIT

ssh_hosts_start 2 || { fail "two sshd hosts start"; finish; }
mkdir -p "$T/bin"
cp "$POOLTOP_BIN" "$T/bin/pooltop"
chmod 755 "$T" "$T/bin" "$T/bin/pooltop"
RP=$T/bin/pooltop
SSH="ssh -F $SSH_CONFIG"
WD=/tmp/pooltop-$RUID/wd	# private to each host

run() { "$POOLTOP_BIN" --headless --ssh "$SSH" --remote-pooltop "$RP" "$@"; }
# on HOST CMD...: CMD inside HOST's mount namespace (sees its tmpfs).
on() { _h=$1; shift; eval "_p=\$SSHD_PID_$_h"; in_ns "$_p" "$@"; }

# --- --workdir --------------------------------------------------------------
run -S h1 --workdir "$WD/a b" pwd ::: x >"$T/pwd" 2>"$T/pwd.err"
check "--workdir: the remote task runs there (made for it)" \
    [ "$(cat "$T/pwd")" = "$WD/a b" ]
run -S h1 pwd ::: x >"$T/pwd0" 2>/dev/null
check "... without it, in the login directory" [ "$(cat "$T/pwd0")" = / ]
run -S : --workdir "$T/lwd" pwd ::: x >"$T/pwd1" 2>/dev/null
check "... a local worker's task runs there too (as GNU parallel's)" \
    [ "$(cat "$T/pwd1")" = "$T/lwd" ]

(cd "$T" && HOME=$T run -S h1 --workdir . pwd ::: x) >"$T/pwd2" 2>/dev/null
check "... . beneath HOME: the same path under the login directory there" \
    [ "$(cat "$T/pwd2")" = / ]
mkdir -p "$T/here"
(cd "$T/here" && HOME=/nonexistent run -S h1 --workdir . pwd ::: x) \
    >"$T/pwd3" 2>/dev/null
check "... . elsewhere: the same absolute path" \
    [ "$(cat "$T/pwd3")" = "$T/here" ]

# --workdir with replacement strings: a directory a task, as GNU parallel.
run -S 1/h1 -k --workdir "$WD/t/{#}-{}" pwd ::: 'a b' '$(touch x)' \
    >"$T/pwdt" 2>"$T/pwdt.err"
check "--workdir DIR/{#}-{}: each task in its own, the item verbatim" \
    [ "$(cat "$T/pwdt")" = "$(printf '%s\n' "$WD/t/1-a b" "$WD/t/2-\$(touch x)")" ]
check "... nothing in the item ran" on h1 test ! -e "$WD/t/2-x"
run -S 1/h1 -k --workdir "$WD/./s/{%}/{}/" pwd ::: q >"$T/pwds" 2>/dev/null
check "... {%}, and tidied as GNU parallel: no /./, no / at the end" \
    [ "$(cat "$T/pwds")" = "$WD/s/1/q" ]
run -S 1/h1 --workdir '{}' pwd ::: '' >"$T/pwde" 2>/dev/null
check "... an empty expansion is the login directory" \
    [ "$(cat "$T/pwde")" = / ]
run -S : --workdir "$T/lwd/{}" pwd ::: x >"$T/pwdl" 2>/dev/null
check "... and a local worker's in its own" [ "$(cat "$T/pwdl")" = "$T/lwd/x" ]

# --- files with awkward names, there and back -------------------------------
S=$T/src
mkdir -p "$S/sub dir"
for f in "a b.txt" "it's.dat" "-lead.txt" 'sub dir/"q".txt' 'x$(id).txt'; do
	head -c 3000 /dev/urandom >"$S/$f"
	printf '%s\n' "$f"
done >"$T/names"
(cd "$S" && run -S 1/h1,1/h2 --workdir "$WD" --trc {}.sum \
    --joblog "$T/jl" -a "$T/names" sh -c 'cksum <"$1" >"$1.sum"' sh {}) \
    >"$T/o1" 2>"$T/e1"
rc=$?
check "--trc over two hosts: exit 0" [ "$rc" -eq 0 ]
good=0
while IFS= read -r f; do
	[ "$(cksum <"$S/$f")" = "$(cat "$S/$f.sum" 2>/dev/null)" ] &&
	    good=$((good + 1))
done <"$T/names"
check "... each file arrived whole and its result came back ($good/5)" \
    [ "$good" -eq 5 ]
h1=$(tail -n +2 "$T/jl" | cut -f2 | grep -cx h1)
h2=$(tail -n +2 "$T/jl" | cut -f2 | grep -cx h2)
if [ "$h1" -gt 0 ] && [ "$h2" -gt 0 ]; then
	ok "... on both hosts ($h1 and $h2)"
else
	fail "... on both hosts ($h1 and $h2)"
fi
check "... --cleanup left no file on h1" \
    sh -c "[ -z \"\$(nsenter -t $SSHD_PID_h1 -m find '$WD' -type f)\" ]"
check "... nor on h2" \
    sh -c "[ -z \"\$(nsenter -t $SSHD_PID_h2 -m find '$WD' -type f)\" ]"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/e1"

# Without --cleanup, the files stay where the tasks saw them.
(cd "$S" && run -S h1 --workdir "$WD" --tf {} -a "$T/names" true) \
    >/dev/null 2>"$T/e2"
good=0
while IFS= read -r f; do
	[ "$(cksum <"$S/$f")" = "$(on h1 cat "$WD/$f" | cksum)" ] &&
	    good=$((good + 1))
done <"$T/names"
check "--transferfile without --cleanup: the files stay, same bytes ($good/5)" \
    [ "$good" -eq 5 ]
mode=$(on h1 stat -c %a "$WD/a b.txt")
check "... with their mode" [ "$mode" = "$(stat -c %a "$S/a b.txt")" ]

# /./: the rest of the path is relative to the work directory.
mkdir -p "$T/deep/in"
echo deep >"$T/deep/in/f"
run -S h1 --workdir "$WD/dot" --tf "$T/deep/./in/f" cat in/f ::: x \
    >"$T/o3" 2>"$T/e3"
check "--transferfile DIR/./PATH lands at PATH in the work directory" \
    [ "$(cat "$T/o3")" = deep ]

# --- directories, there and back --------------------------------------------
# listing: each entry's type, mode, name and link target, then the files'
# sums, of the directory $1 (the same on both sides).
cat >"$T/listing" <<'EOS'
#!/bin/sh
cd "$1" && find . -mindepth 1 -printf '%y %m %p %l\n' | LC_ALL=C sort &&
    find . -type f -exec cksum {} + | LC_ALL=C sort
EOS
chmod 755 "$T/listing"
D="$S/d ir"
mkdir -p "$D/sub dir/deep" "$D/ro" "$D/-x"
head -c 300000 /dev/urandom >"$D/sub dir/deep/big"
printf 'q\n' >"$D/it's"
printf 'x\n' >"$D/-x/\$(id) \"q\""
printf '#!/bin/sh\necho run\n' >"$D/sub dir/run.sh"
chmod 755 "$D/sub dir/run.sh"
chmod 604 "$D/it's"
ln -s "../it's" "$D/sub dir/link"
echo r >"$D/ro/f"
chmod 555 "$D/ro"
chmod 750 "$D/sub dir"
"$T/listing" "$D" >"$T/dlist"
(cd "$S" && run -S 1/h1 --workdir "$WD/dt" --tf {} "$T/listing" {} \
    ::: 'd ir') >"$T/o20" 2>"$T/e20"
rc=$?
if [ "$rc" -eq 0 ] && cmp -s "$T/o20" "$T/dlist"; then
	ok "--transferfile DIR: the tree on the host, names, modes, links, bytes"
else
	fail "--transferfile DIR: the tree on the host, names, modes, links, bytes"
	diff "$T/dlist" "$T/o20" | sed 's/^/# /'
	sed 's/^/# /' "$T/e20"
fi
check "... the link inside is a link there" \
    on h1 test -L "$WD/dt/d ir/sub dir/link"
# Again, into what is there: merged, a changed file replaced.
printf 'changed\n' >"$D/it's"
chmod 604 "$D/it's"
"$T/listing" "$D" >"$T/dlist"
(cd "$S" && run -S 1/h1 --workdir "$WD/dt" --tf {} sh -c \
    'touch "$1/mine"; "$2" "$1"' sh {} "$T/listing" ::: 'd ir') \
    >"$T/o21" 2>"$T/e21"
check "... sent again: the changed file replaced, a file of the host's kept" \
    sh -c "grep -v mine '$T/o21' | cmp -s - '$T/dlist' &&
	grep -q '^f 644 ./mine' '$T/o21'"

# --return DIR: a tree the task makes, brought back whole.
(cd "$S" && run -S 1/h1 --workdir "$WD/dr" --return '{}.out' sh -c '
	mkdir -p "$1.out/a b/c" && printf "1\n" >"$1.out/a b/c/it'"'"'s" &&
	head -c 200000 /dev/urandom >"$1.out/a b/big" &&
	ln -s "a b/big" "$1.out/l" && chmod 711 "$1.out/a b" &&
	chmod 640 "$1.out/a b/big" && "$2" "$1.out"' sh {} "$T/listing" \
    ::: res) >"$T/o22" 2>"$T/e22"
rc=$?
"$T/listing" "$S/res.out" >"$T/rlist" 2>&1
if [ "$rc" -eq 0 ] && [ -s "$T/o22" ] && cmp -s "$T/o22" "$T/rlist"; then
	ok "--return DIR: the task's tree here, names, modes, links, bytes"
else
	fail "--return DIR: the task's tree here, names, modes, links, bytes"
	diff "$T/o22" "$T/rlist" | sed 's/^/# /'
	sed 's/^/# /' "$T/e22"
fi
check "... no temporary name left here" \
    sh -c "! find '$S/res.out' -name '*.pooltop.*' | grep -q ."

# --trc with directories: what was sent and returned goes, a file of the
# task's in the sent tree stays with its directories.
mkdir -p "$S/t1/in"
echo 1 >"$S/t1/in/a"
(cd "$S" && run -S 1/h1 --workdir "$WD/dc" --tf {} --return {}.o --cleanup \
    sh -c 'mkdir -p "$1.o/x" && cp "$1/in/a" "$1.o/x/b" && touch "$1/in/keep"' \
    sh {} ::: t1) >"$T/o23" 2>"$T/e23"
rc=$?
check "--trc-like with a directory: exit 0, the tree back" sh -c \
    "[ $rc -eq 0 ] && [ \"\$(cat '$S/t1.o/x/b')\" = 1 ]"
check "... on the host only the task's own file left, in its directories" \
    sh -c "[ \"\$(nsenter -t $SSHD_PID_h1 -m find '$WD/dc' -mindepth 1 |
	LC_ALL=C sort | tr '\n' ' ')\" = '$WD/dc/t1 $WD/dc/t1/in $WD/dc/t1/in/keep ' ]"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/e23"

# /./ in a directory's path, and what cannot be sent.
mkdir -p "$T/deep/in2/x"
echo two >"$T/deep/in2/x/f"
run -S h1 --workdir "$WD/dd" --tf "$T/deep/./in2" cat in2/x/f ::: x \
    >"$T/o24" 2>"$T/e24"
check "--transferfile DIR/./SUB: the tree lands at SUB" [ "$(cat "$T/o24")" = two ]
mkdir -p "$S/withfifo"
mkfifo "$S/withfifo/p"
(cd "$S" && run -S h1 --workdir "$WD/df" --tf {} true ::: withfifo) \
    >/dev/null 2>"$T/e25"
rc=$?
check "a directory holding a FIFO fails its task (exit $rc), naming it" sh -c \
    "[ $rc -eq 1 ] && grep -q \"copying 'withfifo' to h1: withfifo/p: not a regular file\" '$T/e25'"
(cd "$S" && timeout 60 "$POOLTOP_BIN" --headless --ssh "$SSH" \
    --remote-pooltop "$RP" -S h1 --workdir "$WD/df" --tf {} true \
    ::: withfifo/p) >/dev/null 2>"$T/e26"
rc=$?
check "... and a FIFO named itself, at once (exit $rc)" sh -c \
    "[ $rc -eq 1 ] && grep -q \"copying 'withfifo/p' to h1: not a regular file or directory\" '$T/e26'"

# A stream that would write outside its root is refused (a host that
# answers a --return with one cannot reach anything else here).
mkdir -p "$T/evil/outside"
for kind in link dotdot; do
	python3 - "$kind" "$T/evil/outside" <<'EOP' | "$POOLTOP_BIN" worker \
	    --unpack "$T/evil/root-$kind" 2>"$T/evil/err-$kind"
import struct, sys
out = sys.stdout.buffer
def e(t, mode, name, data=b""):
    out.write(struct.pack("=B3xIIIQ", ord(t), mode, len(name), 0, len(data)))
    out.write(name + data)
out.write(b"PTTREE1\n")
e("d", 0o755, b"")
if sys.argv[1] == "link":
    e("l", 0o777, b"a", sys.argv[2].encode())
    e("f", 0o644, b"a/x", b"pwned")
else:
    e("f", 0o644, b"../x", b"pwned")
e("e", 0, b"")
EOP
	check "--unpack: an entry through a link or .. is refused ($kind)" \
	    sh -c "grep -q 'refused an entry' '$T/evil/err-$kind' &&
		[ -z \"\$(ls '$T/evil/outside')\" ] && [ ! -e '$T/evil/x' ]"
done

# --- the local side changes between send and cleanup, or before a return ----
# --cleanup removes on the host what was sent there, as the sender wrote it
# down when it sent it, whatever the path here has become since (gone, a
# file, a directory, a link); nothing here is read at cleanup time, and no
# link is followed, here or on the host.  Each case: a task on h1 sends
# ITEM (--tf {} --cleanup), makes a file of its own OWN inside it when it
# is a directory, and waits for $T/go (at most 60 s); meanwhile the test
# changes ITEM here (CHANGE), then lets the task end.
LC=$WD/lc
mkdir -p "$T/outside"
midway() {	# midway ITEM CHANGE: rc in $mrc, stderr in $T/em
	rm -f "$T/go"
	(cd "$S" && exec "$POOLTOP_BIN" --headless --ssh "$SSH" \
	    --remote-pooltop "$RP" -S h1 --workdir "$LC" --tf {} --cleanup \
	    sh -c '[ -d "$2" ] && touch -- "$2/own"; n=0
		until [ -e "$1" ] || [ $n -ge 1200 ]; do sleep 0.05; n=$((n + 1)); done' \
	    sh "$T/go" {} ::: "$1") >/dev/null 2>"$T/em" &
	_mp=$!
	wait_for 30 on h1 test -e "$LC/$1/.sent" -o -f "$LC/$1"
	(cd "$S" && eval "$2")
	touch "$T/go"
	reap "$_mp" 60
	mrc=$?
}
# left_on_h1: what is under $LC on h1, one line, sorted.
left_on_h1() {
	on h1 find "$LC" -mindepth 1 | LC_ALL=C sort | sed "s|^$LC/||" | tr '\n' '|'
}
mkitem() {	# mkitem NAME dir|file: a directory with a marker and a tree
	rm -rf "$S/$1"
	if [ "$2" = dir ]; then
		mkdir -p "$S/$1/in" && : >"$S/$1/.sent" && echo a >"$S/$1/in/a"
	else
		echo f >"$S/$1"
	fi
}

# The directory deleted here (the known bug: taken for a file, its copy
# left and the cleanup failed): its tree goes, the task's own file stays
# with the directory holding it, exit 0, no event.
mkitem gone dir
midway gone 'rm -rf gone'
check "--cleanup of a directory deleted here: exit 0 ($mrc), no event" \
    sh -c "[ $mrc -eq 0 ] && ! grep -q cleanup '$T/em'"
check "... what was sent goes on the host, the task's own file stays" \
    [ "$(left_on_h1)" = "gone|gone/own|" ]
on h1 rm -rf "$LC"
[ "$mrc" -eq 0 ] || sed 's/^/# /' "$T/em"

# A directory replaced here by a file: the same.
mkitem d2f dir
midway d2f 'rm -rf d2f && echo now a file >d2f'
left=$(left_on_h1)
check "... replaced here by a file: exit 0 ($mrc), the tree gone, own file kept" \
    sh -c "[ $mrc -eq 0 ] && [ '$left' = 'd2f|d2f/own|' ]"
on h1 rm -rf "$LC"

# A file replaced here by a directory: the file sent goes, nothing else
# is looked for (the directory's entries were never sent).
mkitem f2d file
midway f2d 'rm f2d && mkdir -p f2d/in && echo x >f2d/in/a'
left=$(left_on_h1)
check "... a file replaced here by a directory: exit 0 ($mrc), the file gone" \
    sh -c "[ $mrc -eq 0 ] && [ -z '$left' ]"
on h1 rm -rf "$LC"

# A directory replaced here by a link to a directory elsewhere, which
# holds "own" too: the link is not followed (the old cleanup walked
# $T/outside and removed the host's "own", the task's, and left the tree).
mkitem d2l dir
echo o >"$T/outside/own"
midway d2l 'rm -rf d2l && ln -s "$T/outside" d2l'
left=$(left_on_h1)
check "... replaced here by a link to a directory: exit 0 ($mrc), the tree gone, own file kept" \
    sh -c "[ $mrc -eq 0 ] && [ '$left' = 'd2l|d2l/own|' ]"
check "... and nothing here touched through the link" \
    [ "$(cat "$T/outside/own")" = o ]
on h1 rm -rf "$LC"

# A file replaced here by a link to a file elsewhere: the file sent goes.
mkitem f2l file
midway f2l 'rm f2l && ln -s "$T/outside/own" f2l'
left=$(left_on_h1)
check "... a file replaced here by a link: exit 0 ($mrc), the file gone" \
    sh -c "[ $mrc -eq 0 ] && [ -z '$left' ] &&
	[ \"\$(cat '$T/outside/own')\" = o ]"
on h1 rm -rf "$LC"

# Awkward names: a leading dash, spaces, a newline, quotes, $( ).
nl='-d $(id) "q"
l'
mkitem "$nl" dir
midway "$nl" 'rm -rf -- "$nl"'
# Left: the directory (the task's file is in it) and that file.
left=$(on h1 find "$LC" -mindepth 1 -printf x | wc -c)
own=$(on h1 find "$LC" -mindepth 1 -name own -printf x | wc -c)
check "... a name with a dash, spaces, a newline, deleted here: exit 0 ($mrc), cleaned" \
    sh -c "[ $mrc -eq 0 ] && [ $own -eq 1 ] && [ $left -eq 2 ]"
on h1 rm -rf "$LC"
[ "$mrc" -eq 0 ] || sed 's/^/# /' "$T/em"

# On the host, the task replaces a directory sent with a link to a
# directory of the host's holding a file of the same name as one sent:
# --cleanup removes the link's neighbours sent, never what it points to.
mkitem hl dir
on h1 mkdir -p "$WD/victim/in"
on h1 sh -c "echo v >'$WD/victim/in/a'"
(cd "$S" && run -S h1 --workdir "$LC" --tf {} --cleanup sh -c \
    'rm -rf "$1/in" && ln -s "$2/victim/in" "$1/in"' sh {} "$WD" ::: hl) \
    >/dev/null 2>"$T/ehl"
rc=$?
v=$(on h1 cat "$WD/victim/in/a")
check "--cleanup: a link the task put where a directory was is not followed (exit $rc)" \
    sh -c "[ $rc -eq 0 ] && [ '$v' = v ]"
on h1 rm -rf "$LC" "$WD/victim"

# The same for a file sent into a directory the copy made ("sub/f"), and
# for a directory sent under one ("sub/t"): the task replaces "sub" on the
# host with a link to a directory holding "f" and "t/x": --cleanup removes
# nothing through the link, nor the empty directory "t" there.
mkdir -p "$S/sub/t"
echo f >"$S/sub/f"
echo x >"$S/sub/t/x"
on h1 mkdir -p "$WD/victim/t"
on h1 sh -c "echo v >'$WD/victim/f' && echo v >'$WD/victim/t/x'"
(cd "$S" && run -S h1 --workdir "$LC" --tf sub/f --tf sub/t --cleanup sh -c \
    'rm -rf sub && ln -s "$1/victim" sub' sh "$WD" ::: 1) >/dev/null 2>"$T/ehs"
rc=$?
v=$(on h1 find "$WD/victim" | LC_ALL=C sort | tr '\n' ' ')
check "--cleanup: a link the task put where the copy made a directory is not followed (exit $rc)" \
    [ "$rc.$v" = "0.$WD/victim $WD/victim/f $WD/victim/t $WD/victim/t/x " ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/ehs"
on h1 rm -rf "$LC" "$WD/victim"

# --- what a --return finds here ---------------------------------------------
# As rsync (GNU parallel's --return): a link here where a directory comes
# is replaced by the directory, never followed; a file too; an empty
# directory where a file comes is replaced, one that holds anything stays
# and the task fails naming it, and --cleanup then leaves the host's copy.
mk='mkdir -p "$1.out/sub" && echo a >"$1.out/f" && echo x >"$1.out/sub/x"'
ret() {	# ret ITEM: --return {}.out of the tree mk makes, rc in $rrc
	(cd "$S" && run -S h1 --workdir "$LC" --return {}.out --cleanup \
	    sh -c "$mk" sh {} ::: "$1") >/dev/null 2>"$T/er"
	rrc=$?
}
rm -rf "$T/outside" && mkdir -p "$T/outside"
ln -s "$T/outside" "$S/r1.out"
ret r1
check "--return DIR onto a link here to a directory: replaced by the tree (exit $rrc)" \
    sh -c "[ $rrc -eq 0 ] && [ ! -L '$S/r1.out' ] && [ -f '$S/r1.out/sub/x' ]"
check "... nothing written through the link" [ -z "$(ls -A "$T/outside")" ]
mkdir -p "$S/r2.out"
ln -s "$T/outside" "$S/r2.out/sub"
ret r2
check "... onto a link inside the tree: replaced too, not followed (exit $rrc)" \
    sh -c "[ $rrc -eq 0 ] && [ ! -L '$S/r2.out/sub' ] &&
	[ -f '$S/r2.out/sub/x' ] && [ -z \"\$(ls -A '$T/outside')\" ]"
echo file >"$S/r3.out"
ret r3
check "... onto a file: the file replaced by the tree (exit $rrc)" \
    sh -c "[ $rrc -eq 0 ] && [ -f '$S/r3.out/f' ]"
check "... and --cleanup took each returned tree off the host" \
    [ -z "$(left_on_h1)" ]
mkdir -p "$S/r4.out/f/keep"
mk='echo a >"$1.out"'
ret r4
check "a file returned onto a directory here that holds something: fails (exit $rrc), naming it" \
    sh -c "[ $rrc -eq 1 ] && grep -q 'r4.out/*: a directory that is not empty is in the way' '$T/er'"
check "... the directory here intact" [ -d "$S/r4.out/f/keep" ]
check "... and --cleanup leaves the host's file, which did not come back" \
    on h1 test -f "$LC/r4.out"
on h1 rm -rf "$LC"
rm -rf "$S/r4.out"; mkdir "$S/r4.out"
ret r4
check "... onto an empty directory: replaced by the file (exit $rrc)" \
    sh -c "[ $rrc -eq 0 ] && [ -f '$S/r4.out' ]"
on h1 rm -rf "$LC"

# A file returned onto a link here to a file elsewhere: the link is
# replaced by the file, the file it pointed to untouched.
echo keep >"$T/outside/keep"
ln -s "$T/outside/keep" "$S/r5.out"
mk='echo host >"$1.out"'
ret r5
check "a file returned onto a link here: the link replaced (exit $rrc), its target untouched" \
    sh -c "[ $rrc -eq 0 ] && [ ! -L '$S/r5.out' ] && [ \"\$(cat '$S/r5.out')\" = host ] &&
	[ \"\$(cat '$T/outside/keep')\" = keep ]"
on h1 rm -rf "$LC"

# A directory sent as a base file and deleted here during the run: it
# is removed from the host at the end all the same (by its record).
mkdir -p "$S/bdir/in" && echo b >"$S/bdir/in/b"
rm -f "$T/go"
(cd "$S" && exec "$POOLTOP_BIN" --headless --ssh "$SSH" --remote-pooltop "$RP" \
    -S 1/h1 --workdir "$LC" --bf bdir --cleanup sh -c 'n=0
	until [ -e "$1" ] || [ $n -ge 1200 ]; do sleep 0.05; n=$((n + 1)); done' \
    sh "$T/go" ::: 1) >/dev/null 2>"$T/eb" &
bp=$!
wait_for 30 on h1 test -f "$LC/bdir/in/b"
rm -rf "$S/bdir"
touch "$T/go"
reap "$bp" 60
rc=$?
left=$(left_on_h1)
check "--basefile DIR deleted here during the run: exit 0 ($rc), removed from the host at the end" \
    sh -c "[ $rc -eq 0 ] && [ -z '$left' ]"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/eb"
on h1 rm -rf "$LC"

# Modes of what comes back, under umask 027 here: a directory or file
# that is here keeps its mode and owner (the known bug: an existing
# directory took the host's mode); one that is made gets the host's mode
# masked by the umask (special bits off), as cp -r or GNU parallel's
# rsync without -p.
mk='mkdir -p "$1.out/sub" "$1.out/new" && echo a >"$1.out/f" &&
    echo x >"$1.out/sub/x" && echo n >"$1.out/new/n" && chmod 2777 "$1.out" &&
    chmod 705 "$1.out/sub" && chmod 777 "$1.out/new" && chmod 666 "$1.out/f" &&
    chmod 4755 "$1.out/sub/x" && chmod 755 "$1.out/new/n"'
mkdir -p "$S/m.out/sub"
echo old >"$S/m.out/f"
chmod 700 "$S/m.out"; chmod 751 "$S/m.out/sub"; chmod 600 "$S/m.out/f"
chown nobody "$S/m.out"
(umask 027; ret m)
modes=$(cd "$S/m.out" && find . -printf '%p %m %u\n' | LC_ALL=C sort | tr '\n' '|')
check "--return DIR into one here, umask 027: old modes and owner kept, new ones masked" \
    [ "$modes" = ". 700 nobody|./f 600 root|./new 750 root|./new/n 750 root|./sub 751 root|./sub/x 750 root|" ]
check "... the files' bytes are the host's" \
    [ "$(cat "$S/m.out/f")" = a ]
rm -rf "$S/m.out"
(umask 027; ret m)
modes=$(cd "$S/m.out" && find . -printf '%p %m\n' | LC_ALL=C sort | tr '\n' '|')
check "--return DIR made here, umask 027: the host's modes masked, no special bits" \
    [ "$modes" = ". 750|./f 640|./new 750|./new/n 750|./sub 700|./sub/x 750|" ]
[ "$modes" = ". 750|./f 640|./new 750|./new/n 750|./sub 700|./sub/x 750|" ] ||
    echo "# $modes"
on h1 rm -rf "$LC"

# --- --basefile --------------------------------------------------------------
printf '#!/bin/sh\necho "base $1"\n' >"$S/tool.sh"
chmod 755 "$S/tool.sh"
(cd "$S" && run -S 1/h1 --workdir "$WD/b" --bf tool.sh -k ./tool.sh {} \
    ::: 1 2 3) >"$T/o4" 2>"$T/e4"
check "--basefile: copied before the first task, runnable" \
    [ "$(cat "$T/o4")" = "$(printf 'base 1\nbase 2\nbase 3')" ]

check "... and left there without --cleanup" on h1 test -x "$WD/b/tool.sh"
(cd "$S" && run -S 1/h1 --workdir "$WD/c" --bf tool.sh --cleanup \
    ./tool.sh {} ::: 1) >"$T/o4c" 2>"$T/e4c"
check "--basefile --cleanup: there for the task" [ "$(cat "$T/o4c")" = "base 1" ]
check "... removed from the host at the end" on h1 test ! -e "$WD/c/tool.sh"

# Files and base files in a directory a task; --cleanup empties it.
(cd "$S" && run -S 1/h1 -k --workdir "$WD/pt/{#}" --bf tool.sh \
    --tf 'sub dir/"q".txt' sh -c './tool.sh "$(pwd)"; cksum <"$1"' sh \
    'sub dir/"q".txt' ::: 1 2) >"$T/o12" 2>"$T/e12"
sum=$(cksum <"$S/sub dir/\"q\".txt")
check "--workdir DIR/{#} --bf --tf: the files in each task's directory" \
    [ "$(cat "$T/o12")" = "$(printf 'base %s\n%s\nbase %s\n%s' "$WD/pt/1" \
    "$sum" "$WD/pt/2" "$sum")" ]
check "... and left there without --cleanup" sh -c \
    "nsenter -t $SSHD_PID_h1 -m test -x '$WD/pt/2/tool.sh' &&
     nsenter -t $SSHD_PID_h1 -m test -f '$WD/pt/1/sub dir/\"q\".txt'"
(cd "$S" && run -S 1/h1 --workdir "$WD/pc/{#}" --bf tool.sh --trc {}.sum \
    sh -c './tool.sh x >/dev/null && cksum <"$1" >"$1.sum"' sh {} \
    ::: 'a b.txt' 'sub dir/"q".txt') >"$T/o13" 2>"$T/e13"
rc=$?
check "... with --cleanup: exit 0, the results back" sh -c \
    "[ $rc -eq 0 ] && [ \"\$(cat '$S/a b.txt.sum')\" = \"\$(cksum <'$S/a b.txt')\" ]"
check "... every task's directory removed, files, base files and all" \
    sh -c "[ -z \"\$(nsenter -t $SSHD_PID_h1 -m find '$WD/pc' -mindepth 1)\" ]"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/e13"

# --- a copy that fails -------------------------------------------------------
(cd "$S" && run -S h1 --workdir "$WD" --tf {} cat {} ::: 'no such file') \
    >/dev/null 2>"$T/e5"
rc=$?
check "a file that cannot be sent fails its task (exit $rc)" [ "$rc" -eq 1 ]
check "... with an event naming the file and the host" \
    grep -q "copying 'no such file' to h1: No such file" "$T/e5"
(cd "$S" && run -S h1 --workdir /proc/nope --tf {} cat {} ::: 'a b.txt') \
    >/dev/null 2>"$T/e6"
rc=$?
check "a file the host refuses fails its task (exit $rc)" [ "$rc" -eq 1 ]
if grep -q "copying 'a b.txt' to h1: .*/proc/nope" "$T/e6"; then
	ok "... naming file, host and the host's reason"
else
	fail "... naming file, host and the host's reason"
	sed 's/^/# /' "$T/e6"
fi
(cd "$S" && run -S h1 --workdir "$WD" --return {}.none true ::: x) \
    >/dev/null 2>"$T/e7"
rc=$?
check "a --return file missing on the host fails its task (exit $rc)" \
    [ "$rc" -eq 1 ]
check "... naming it and the host" \
    grep -q -- "--return 'x.none' from h1: " "$T/e7"
check "... and leaves no half file here" \
    sh -c "! ls '$S' | grep -q 'x.none'"
(cd "$S" && run -S h1 --workdir "$WD" --return {}.none \
    --joblog "$T/jl7" sh -c 'exit 3' ::: y) >/dev/null 2>"$T/e7b"
check "... but a task that failed on its own keeps its exit status" \
    [ "$(tail -n +2 "$T/jl7" | cut -f7)" = 3 ]
(cd "$S" && run -S h1 --workdir "$WD" --retries 2 --tf {} \
    cat {} ::: 'no such file') >/dev/null 2>"$T/e8"
check "... a failed copy is an attempt: --retries 2 copies twice" \
    [ "$(grep -c "copying 'no such file'" "$T/e8")" -eq 2 ]

# A task killed while its file is copied (or, on a fast machine, once it
# runs): it ends killed, at once, and does not run afterwards.
truncate -s 200M "$S/big"
(cd "$S" && exec "$POOLTOP_BIN" --headless --ssh "$SSH" --remote-pooltop "$RP" \
    -S h1 --workdir "$WD/k" --tf {} sh -c 'sleep 60' sh {} ::: big) \
    >/dev/null 2>"$T/ek" &
kpid=$!
check "a task killed during its copy: ctl kill is taken" \
    wait_for 20 "$POOLTOP_BIN" ctl "$kpid" kill 1
check "... the pool ends at once" wait_for 20 sh -c "! kill -0 $kpid 2>/dev/null"
wait "$kpid"
rc=$?
check "... exit 1, the task killed" sh -c \
    "[ $rc -eq 1 ] && grep -q 'killed (signal 15)' '$T/ek'"
check "... and no sleep of it left on the host" \
    wait_for 10 sh -c "! pgrep -u $RU -x sleep >/dev/null"
# half_file: a temporary name left, or big but not all of it.
half_file() {
	on h1 sh -c "ls -A '$WD/k' | grep -q pooltop ||
	    { [ -e '$WD/k/big' ] && [ \$(wc -c <'$WD/k/big') -ne 209715200 ]; }"
}
whole_or_none() { ! half_file; }
check "... and no half of its file on the host, under any name" \
    wait_for 10 whole_or_none
rm -f "$S/big"

# --- --workdir ...: a directory a task, under the login's home ------------
# From here the test user's home is its runtime directory: private to
# each host, writable.
shadow usermod -d "/tmp/pooltop-$RUID" "$RU"
run -S h1 --workdir ... --cleanup -k pwd ::: a b >"$T/o10" 2>"$T/e10"
re="^/tmp/pooltop-$RUID/\.pooltop/tmp/[^/]*-[0-9]*-"
check "--workdir ...: each task in a directory of its own under ~/.pooltop/tmp" \
    sh -c "grep -q '${re}1\$' '$T/o10' && grep -q '${re}2\$' '$T/o10'"
check "... removed after the task with --cleanup" \
    sh -c "[ -z \"\$(nsenter -t $SSHD_PID_h1 -m \
	find /tmp/pooltop-$RUID/.pooltop/tmp -mindepth 1)\" ]"
run -S h1 --workdir ... pwd ::: a >"$T/o11" 2>/dev/null
check "... kept without it" \
    sh -c "nsenter -t $SSHD_PID_h1 -m test -d \"\$(cat '$T/o11')\""

run -S h1 --workdir 'rel/{}' pwd ::: x >"$T/o14" 2>/dev/null
check "--workdir rel/{}: relative to the login directory" \
    [ "$(cat "$T/o14")" = "/tmp/pooltop-$RUID/rel/x" ]

# --- --sshloginfile: hosts join and leave a running pool -------------------
printf '# the hosts\n\n  1/h1  \n' >"$T/slf"
seq 200 >"$T/items200"
"$POOLTOP_BIN" --headless --ssh "$SSH" --remote-pooltop "$RP" --slf "$T/slf" \
    --joblog "$T/jls" -a "$T/items200" sh -c 'sleep 0.1; echo $1' sh {} \
    >"$T/os" 2>"$T/es" &
spid=$!
on_host() { tail -n +2 "$T/jls" 2>/dev/null | cut -f2 | grep -cx "$1"; }
check "--slf: the file's host runs tasks" \
    wait_for 30 sh -c "[ \$(tail -n +2 '$T/jls' | cut -f2 | grep -cx h1) -gt 0 ]"
printf '1/h1\n# h2 joins\n1/h2\n' >"$T/slf"
check "... a host added to the file joins and runs tasks" \
    wait_for 30 sh -c "[ \$(tail -n +2 '$T/jls' | cut -f2 | grep -cx h2) -gt 0 ]"
check "... said as an event" grep -q "host h2 joins the pool" "$T/es"
printf '1/h2\n' >"$T/slf"
check "... a host removed from the file leaves once its task ends" \
    wait_for 30 grep -q "host h1 has left the pool" "$T/es"
n1=$(on_host h1)
# no_worker_on HOST: no process of a pooltop worker in HOST's namespace.
no_worker_on() {
	eval "_p=\$SSHD_PID_$1"
	for _q in $(procs_in_ns "$_p"); do
		tr '\0' ' ' <"/proc/$_q/cmdline" 2>/dev/null
		echo
	done | grep -Eq 'pooltop:? worker' && return 1
	return 0
}
check "... and its worker there is gone" wait_for 10 no_worker_on h1
n2=$(on_host h2)
check "... while the pool goes on on the other" \
    wait_for 30 sh -c "[ \$(tail -n +2 '$T/jls' | cut -f2 | grep -cx h2) -gt $n2 ]"
check "... and nothing more runs on the one that left" [ "$(on_host h1)" -eq "$n1" ]
wait "$spid"
rc=$?
check "... the run ends: exit 0" [ "$rc" -eq 0 ]
check "... every item done exactly once" sh -c \
    "[ \$(tail -n +2 '$T/jls' | cut -f1 | sort -un | wc -l) -eq 200 ] &&
     [ \$(tail -n +2 '$T/jls' | wc -l) -eq 200 ] &&
     [ \$(sort -n '$T/os' | uniq | wc -l) -eq 200 ]"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/es" | tail -20

printf '1/h1\nbad host!\n' >"$T/slf2"
"$POOLTOP_BIN" --headless --slf "$T/slf2" echo ::: x >/dev/null 2>"$T/es2"
check "--slf: a bad line is refused naming FILE:LINE" \
    grep -q "slf2:2: 'bad host!': not a host name" "$T/es2"

# --- refused -----------------------------------------------------------------
HOME=$T "$POOLTOP_BIN" --headless --tf {} --return {}.x --trc {}.y --bf b --cleanup \
    --workdir ... echo ::: x >"$T/o9" 2>"$T/e9"
check "locally, the file options do nothing" [ "$(cat "$T/o9")" = x ]

finish

#!/bin/sh
# --workdir (--wd) for tasks on this machine, as GNU parallel has it: where
# each task runs, what is made and what is left, items as data (a hostile
# one neither escapes nor runs), a directory that cannot be made, the
# worker's own relative paths (-a, --joblog, --results, --pipe-part's
# file) unmoved, --persistent, and the cases that must match GNU parallel
# side by side (skipped, said, without it).
# Items and snippets hold $ for later, tool() is called through eval:
# shellcheck disable=SC2016,SC2317
. "$POOLTOP_SRCDIR/tests/lib.sh"

export HOME="$T/home"
mkdir -p "$HOME" "$T/s"
cd "$T/s" || exit 99
run() { "$POOLTOP_BIN" --headless -q "$@"; }
runv() { "$POOLTOP_BIN" --headless "$@"; }	# the events on stderr

# --- where a task runs --------------------------------------------------------
run -k --wd sub 'pwd; : {}' ::: a b >o1 2>e1
check "--wd DIR: relative to where pooltop runs, made, each task there" \
    [ "$(cat o1)" = "$(printf '%s\n' "$T/s/sub" "$T/s/sub")" ]
run --wd "$T/abs/deep" 'pwd; : {}' ::: a >o2 2>e2
check "... absolute and several levels missing: made" \
    [ "$(cat o2)" = "$T/abs/deep" ]
mkdir -p have && echo kept >have/f
run --wd have 'cat f; : {}' ::: a >o3 2>e3
check "... an existing one: entered, its files as they were" \
    [ "$(cat o3)" = kept ]
run --wd . 'pwd; : {}' ::: a >o4 2>e4
check "--wd .: the directory pooltop runs in" [ "$(cat o4)" = "$T/s" ]
run --wd sub printenv PWD ::: x >o5 2>e5
check "... PWD is the task's directory, as after a shell's cd" \
    [ "$(cat o5)" = "$T/s/sub" ]

# --- --wd ...: a new directory a task, removed after it -----------------------
run -k --wd ... 'pwd; mkdir d; touch f d/g; : {}' ::: a b >o6 2>e6
re="^$T/home/\.pooltop/tmp/[^/]*-[0-9]*-"
check "--wd ...: each task in its own under ~/.pooltop/tmp (HOST-PID-N)" \
    sh -c "sed -n 1p o6 | grep -q '${re}1\$' && sed -n 2p o6 | grep -q '${re}2\$'"
check "... removed after it, whatever it made there, without --cleanup" \
    [ -z "$(find "$HOME/.pooltop/tmp" -mindepth 1)" ]
run --wd ... --timeout 2 'touch f; exit 3; : {}' ::: a >/dev/null 2>&1
rc=$?
check "... removed after a task that exits early too (exit $rc)" \
    sh -c "[ $rc -eq 1 ] && [ -z \"\$(find '$HOME/.pooltop/tmp' -mindepth 1)\" ]"

# --- a directory a task: replacement strings -----------------------------------
run -k --wd "$T/x/{#}" 'pwd; : {}' ::: a b >o7 2>e7
check "--wd DIR/{#}: a directory a task" \
    [ "$(cat o7)" = "$(printf '%s\n' "$T/x/1" "$T/x/2")" ]
run -k --wd 'out/{/.}' pwd ::: d/f.txt /e/g.c >o8 2>e8
check "--wd out/{/.}: relative, expanded with the item" \
    [ "$(cat o8)" = "$(printf '%s\n' "$T/s/out/f" "$T/s/out/g")" ]
run -k --wd './t/./{}/' 'pwd; : {#}' ::: q >o9 2>e9
check "... tidied as GNU parallel: no ./ first, no /./, no / last" \
    [ "$(cat o9)" = "$T/s/t/q" ]
run --wd '{}' 'pwd; : {#}' ::: '' >o10 2>e10
check "... an empty expansion: the directory pooltop runs in" \
    [ "$(cat o10)" = "$T/s" ]

# --- items are data --------------------------------------------------------------
printf '%s\0' '$(touch pwned)' '-x' '`touch pwned2`' 'a
b' >hostile
run -0 -k --wd 'h/{}' -a hostile 'pwd; : {#}' >o11 2>e11
check "a hostile item: its directory made verbatim, the task there" \
    [ "$(cat o11)" = "$(printf '%s\n' "$T/s/h/\$(touch pwned)" "$T/s/h/-x" \
    "$T/s/h/\`touch pwned2\`" "$T/s/h/a" b)" ]
check "... nothing in it ran" \
    [ -z "$(find "$T" -name 'pwned*' ! -path '*/h/*')" ]
run --wd '{}' 'pwd; : {#}' ::: -y >o12 2>e12
check "... a leading - is a name, not an option" [ "$(cat o12)" = "$T/s/-y" ]
mkdir -p "$T/deep/er"
(cd "$T/deep/er" && runv -k --wd 'out/{}' --joblog "$T/dd.jl" \
    'pwd; : {#}' ::: ../../esc .. ok) >o13 2>e13
rc=$?
both=n
[ "$rc" -eq 2 ] && [ "$(cat o13)" = "$T/deep/er/out/ok" ] && both=y
check "an item adding '..' is refused: its task fails (exit $rc)" \
    [ "$both" = y ]
check "... exit value 255 in the joblog" \
    [ "$(tail -n +2 "$T/dd.jl" | sort -n | cut -f7 | tr '\n' ' ')" = "255 255 0 " ]
check "... said, naming --workdir and the directory" \
    grep -q "task.failed .*status=255 --workdir 'out/{}': an item may not add '..' to it (out/../../esc)" e13
check "... nothing made outside" sh -c "[ ! -e '$T/esc' ] && [ ! -e '$T/deep/esc' ]"
check "... the two refused: one failure group, saying --workdir as given" \
    sh -c "grep -qx 'pooltop: failure groups: 1, most frequent first' e13 &&
    grep -qx \"pooltop: 1  2x exit 255: --workdir 'out/{}': an item may not add '..' to it\" e13"
run --wd '../up/{}' 'pwd; : {#}' ::: x >o14 2>e14
check "... while the template's own '..' is the user's" \
    [ "$(cat o14)" = "$T/up/x" ]

# --- a directory that cannot be made -----------------------------------------------
echo x >afile
runv -k --joblog nd.jl --wd '{}/sub' 'pwd; : {#}' ::: afile ok >o15 2>e15
rc=$?
both=n
[ "$rc" -eq 1 ] && [ "$(cat o15)" = "$T/s/ok/sub" ] && both=y
check "a file in the way fails that task, the others run (exit $rc)" \
    [ "$both" = y ]
check "... exit value 255 in the joblog" \
    [ "$(tail -n +2 nd.jl | sort -n | cut -f7 | tr '\n' ' ')" = "255 0 " ]
check "... said, naming the directory and the errno" \
    grep -q "task.failed .*status=255 --workdir '$T/s/afile/sub': Not a directory" e15
# Tasks failing for one cause, each in its own directory: one failure
# group, its line saying --workdir as given (the events name each one).
touch f1 f2 f3
runv --wd '{}/sub' 'pwd; : {#}' ::: f1 f2 f3 >/dev/null 2>e15b
check "three files in the way: one failure group" \
    grep -qx 'pooltop: failure groups: 1, most frequent first' e15b
check "... its line: --workdir as given and the errno" grep -qx \
    "pooltop: 1  3x exit 255: --workdir '{}/sub': Not a directory" e15b
check "... each task's event naming its own directory" \
    [ "$(grep -c "task.failed .*status=255 --workdir '$T/s/f[123]/sub': Not a directory" e15b)" -eq 3 ]
runv --wd /proc/self/nope 'pwd; : {}' ::: a >/dev/null 2>e16
check "... one it may not make: named, with why" \
    grep -q "status=255 --workdir '/proc/self/nope': No such file or directory" e16
if [ "$(id -u)" != 0 ]; then
	mkdir -p ro && chmod 500 ro
	runv --wd ro/in 'pwd; : {}' ::: a >/dev/null 2>e17
	check "... no permission: Permission denied" \
	    grep -q "status=255 --workdir '$T/s/ro/in': Permission denied" e17
elif command -v setpriv >/dev/null 2>&1; then
	mkdir -p "$T/np/ro" && chmod 755 "$T" "$T/np" && chmod 555 "$T/np/ro"
	(cd "$T/np" && HOME=/ setpriv --reuid=65534 --regid=65534 \
	    --clear-groups "$POOLTOP_BIN" --headless --wd ro/in \
	    'pwd; : {}' ::: a) >/dev/null 2>"$T/np.err"
	chmod 700 "$T"
	check "... no permission: Permission denied" \
	    grep -q "status=255 --workdir '$T/np/ro/in': Permission denied" "$T/np.err"
fi

# --- the worker's own paths do not move -----------------------------------------
printf '1\n2\n' >rel-items
seq 1000 >rel-data
run -j1 --wd 'w{#}' --joblog rel.jl --results rel-res.csv -a rel-items \
    'pwd; : {}' >o18 2>e18
check "-a, --joblog, --results relative to where pooltop started" \
    sh -c "[ -s rel.jl ] && [ -s rel-res.csv ] && [ ! -e w1/rel.jl ] &&
	[ -d w1 ] && [ -d w2 ] && [ ! -e w1/rel-res.csv ]"
run --pipe-part -a rel-data --block 1k --wd pp 'pwd; wc -l' >o19 2>e19
check "--pipe-part -a FILE: read where it is, the tasks in the directory" \
    sh -c "[ \"\$(awk '!/\\// { n += \$1 } END { print n }' o19)\" = 1000 ] &&
	[ -z \"\$(grep / o19 | grep -v '^$T/s/pp\$')\" ]"

# --- --persistent ---------------------------------------------------------------
run -j1 --persistent 'while read l; do echo "$(pwd) $l"; done' --wd pdir \
    ::: a >o20 2>e20
check "--persistent: the program runs in --workdir DIR (made)" \
    [ "$(cat o20)" = "$T/s/pdir a" ]
run --persistent cat --wd 'p/{}' ::: a >/dev/null 2>e21
rc=$?
check "... a directory a task is refused (exit $rc), naming why" \
    sh -c "[ $rc -eq 255 ] && grep -q \"^pooltop: --workdir 'p/{}' is a directory a task; a --persistent program\" e21"
run --persistent cat --wd ... ::: a >/dev/null 2>e22
rc=$?
check "... so is ... (exit $rc)" \
    sh -c "[ $rc -eq 255 ] && grep -q \"^pooltop: --workdir '...' is a directory a task\" e22"
env -u HOME "$POOLTOP_BIN" --headless -q --wd ... true ::: a >/dev/null 2>e23
rc=$?
check "--wd ... without HOME: refused (exit $rc)" \
    sh -c "[ $rc -eq 255 ] && grep -q 'HOME is not set' e23"

# --- side by side with GNU parallel --------------------------------------------------
if command -v parallel >/dev/null 2>&1 &&
    parallel --version 2>/dev/null | grep -q "GNU parallel"; then
	export PARALLEL_HOME="$T/parallel-home" PARALLEL_SHELL=/bin/sh
	mkdir -p "$PARALLEL_HOME" && touch "$PARALLEL_HOME/will-cite"
	# tool ARGS...: GNU parallel or pooltop, as $_tool says.
	tool() {
		if [ "$_tool" = pooltop ]; then run "$@"; else parallel "$@"; fi
	}
	# same NAME SNIPPET: SNIPPET with each tool in a fresh NAME/TOOL: the
	# same output (its directory written @, ~/.X/tmp/HOST-PID .X/tmp/P),
	# status and files left there and under HOME.
	same() {
		for _tool in parallel pooltop; do
			mkdir -p "$T/$1/$_tool/home"
			(
				cd "$T/$1/$_tool" || exit 99
				HOME=$PWD/home
				eval "$2"
				echo "status $?"
			) 2>/dev/null </dev/null |
			    sed -e "s|$T/$1/$_tool|@|g" \
			    -e 's|/\.[a-z]*/tmp/[^/]*-[0-9]*-|/.X/tmp/P-|' \
			    >"$T/$1/$_tool.out"
			(cd "$T/$1/$_tool" && find . | grep -v '^./home/.parallel/tmp/sshlogin' |
			    sed 's|^\./home/\.[a-z]*|./home/.X|' | sort) \
			    >>"$T/$1/$_tool.out"
		done
		if cmp -s "$T/$1/parallel.out" "$T/$1/pooltop.out"; then
			ok "as GNU parallel: $1"
		else
			fail "as GNU parallel: $1"
			diff "$T/$1/parallel.out" "$T/$1/pooltop.out" | sed 's/^/# /'
		fi
	}
	same rel 'tool -k --wd sub "pwd; : {}" ::: a b; ls sub'
	same abs 'tool --wd "$PWD/a/b/c" "pwd; : {}" ::: a'
	same dot 'tool --wd . "pwd; : {}" ::: a'
	same dots 'tool -j1 -k --wd ... "pwd; touch f; : {}" ::: a b'
	same seqdir 'tool -k --wd "$PWD/x/{#}" "pwd; : {}" ::: a b'
	same basename 'tool -k --wd "out/{/.}" pwd ::: d/f.txt /e/g.c'
	same tidy 'tool --wd "./t/./{}/" "pwd; : {#}" ::: q'
	same hostile 'printf "%s\0" "\$(touch pwned)" "\`touch pw2\`" "a
b" | tool -0 -k --wd "h/{}" "pwd; : {#}"'
	same spaces 'tool -k --wd "w/{}" "pwd; : {#}" ::: "a b" " c"'
	same sflocal 'tool -S : --wd / "pwd; echo {}" ::: OK'
else
	echo "# GNU parallel is not installed: the side-by-side cases are skipped"
fi

finish

#!/bin/sh
# Items are data, never code, whatever their bytes and whatever the shell.
# Every byte 1-255 as an item of its own, plus items with backticks, $(),
# ;, |, &&, quotes, newlines, a leading -, globs, ~, =, history and
# format characters, invalid UTF-8, bidi controls and a 30 kB item, given
# NUL-separated.  They run through four shell templates ({} bare, inside
# "...", inside '...', inside $(...)) under bash, dash and zsh as the
# shell, and two direct-exec templates: no tripwire file is ever created and
# every item reaches the task byte-exact.  One task per item and shell
# writes the item in all four contexts.  (tests/cli/hostile.sh covers the
# same under /bin/sh with line input.)
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

command -v "$PY" >/dev/null 2>&1 || skip "python3 is needed"
mkdir "$T/w"
cd "$T/w" || exit 99

# The items, and the output each template must give, from python.
"$PY" - <<'EOF'
items = [bytes([b]) for b in range(1, 256)]
items += [b'$(touch TRIP1)', b'`touch TRIP2`', b'; touch TRIP3',
    b"'; touch TRIP4; '", b'"; touch TRIP5; "', b'| touch TRIP6',
    b'&& touch TRIP7', b'\n touch TRIP8', b"\\'; touch TRIP9 #",
    b'$(IFS=x;touch${IFS}TRIP10)', b'"$(touch TRIP11)"', b"'`touch TRIP12`'",
    b'\\"; touch TRIP13; \\"', b'x\ntouch TRIP14\n', b'$(touch TRIP15',
    b'-n', b'-e', b'--', b'-', b'--help', b'-c touch TRIP16',
    b'$HOME', b'${HOME}', b'{}', b'{.}', b'{#}', b'\\', b'\\\\', b'*', b'?',
    b'[a]', b'~', b'~root', b'=ls', b'a b', b'\t\t', b' ', b'  lead',
    b'\x80\xff\xfe', b'\xc3\x28', b'\xe2\x80\xae', b'\xef\xbb\xbf',
    b'!!', b'!$', b'%s%n%d', b"'", b'"', b"''", b'""', b'$((1+1))',
    b'$[1+1]', b"$'\\x41'", b'\x1b]0;x\x07', b'\x1b[2J', b'x' * 30000]
def out(f, fn):
    open(f, 'wb').write(b''.join(b'\0'.join(fn(i)) + b'\0' for i in items))
out('items', lambda i: [i])
out('want.shell', lambda i: [i, b'x' + i + b'y', b'x' + i + b'y', i.rstrip(b'\n')])
out('want.exec', lambda i: [i, b'x' + i + b'y'])
open('count', 'w').write('%d' % len(items))
EOF
n=$(cat count)
tried=0 trips=0

# run NAME CONTEXTS WANT ARGS...: pooltop on the items with ARGS as options
# and template; the output must be WANT and no tripwire may exist.
run() {
	_name=$1 _ctx=$2 _want=$3; shift 3
	"$POOLTOP_BIN" -0 --headless -q -k -j2 -a items "$@" >out 2>err
	_rc=$?
	check "$_name: exit 0 (got $_rc)" [ "$_rc" -eq 0 ]
	check "$_name: every item byte-exact" cmp -s "$_want" out
	if ls | grep -q TRIP; then
		fail "$_name: tripwire created: $(ls | grep TRIP | tr '\n' ' ')"
		trips=$((trips + 1))
		rm -f TRIP*
	fi
	tried=$((tried + n * _ctx))
}

for sh in bash dash zsh; do
	shp=$(command -v "$sh") || { echo "# $sh not installed: skipped"; continue; }
	run "$sh: {} bare, in \"...\", in '...', in \$(...)" 4 want.shell \
	    --shell "$shp" "printf '%s\\0' {} \"x{}y\" 'x{}y' \"\$(printf '%s' {})\""
done
run "direct exec: {} a word, {} inside a word" 2 want.exec printf '%s\0' {} x{}y
check "no tripwire in $tried hostile runs" [ "$trips" -eq 0 ]
figures tasks=$((n * 4)) faults=0 hostile="$tried" lost=0
finish

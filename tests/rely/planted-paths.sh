#!/bin/sh
# Paths planted by someone else are refused, never followed: a symbolic
# link at the --log, --joblog or --results path stops the run before any
# task with exit 255 and leaves the link's target untouched; a control
# directory ($XDG_RUNTIME_DIR/pooltop) that is a symbolic link, is owned by
# another uid, or is open to others gets no socket (the pool says so and
# runs without one), and `pooltop ctl` refuses to talk through it.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

echo precious >"$T/target"
mkdir "$T/targetdir"
planted=0

# refused OPT NAME: OPT pointing at a symbolic link is refused.
refused() {
	rm -f "$T/link"
	ln -s "$2" "$T/link"
	"$POOLTOP_BIN" --headless -q -j1 "$1" "$T/link" "touch $T/ran; : {}" ::: x >/dev/null 2>"$T/e"
	_rc=$?
	check "$1 at a symlink: exit 255 (got $_rc)" [ "$_rc" -eq 255 ]
	check "$1 at a symlink: says so" grep -qi "symbolic link\|Too many levels of symbolic links\|not a directory" "$T/e"
	check "$1 at a symlink: no task ran" [ ! -e "$T/ran" ]
	planted=$((planted + 1))
}
refused --log "$T/target"
refused --joblog "$T/target"
check "the link's target is untouched" [ "$(cat "$T/target")" = precious ]
refused --results "$T/targetdir"
check "nothing written through the results link" [ -z "$(ls "$T/targetdir")" ]

# Control directory: each unsafe kind in turn.
D=$XDG_RUNTIME_DIR/pooltop
# bad_dir WHAT: the pool runs without a socket and says why; ctl refuses.
bad_dir() {
	"$POOLTOP_BIN" --headless -q -j1 --name "pp$$" "sleep 0.3; : {}" ::: x >/dev/null 2>"$T/e" &
	_p=$!
	wait "$_p"
	_rc=$?
	check "$1: the run still completes (exit $_rc)" [ "$_rc" -eq 0 ]
	check "$1: the control socket is refused, with the reason" \
	    grep -q "control socket: unsafe control directory" "$T/e"
	check "$1: no socket anywhere" sh -c "[ -z \"\$(find '$T' -type s)\" ]"
	planted=$((planted + 1))
}
mkdir -m 700 "$T/elsewhere"
ln -s "$T/elsewhere" "$D"
bad_dir "control directory is a symlink"
"$POOLTOP_BIN" ctl 1 status >/dev/null 2>"$T/e"
check "ctl through a symlinked directory: refused (exit 255)" [ $? -eq 255 ]
rm -f "$D"
mkdir -m 777 "$D"
chmod 777 "$D"
bad_dir "control directory mode 0777"
if [ "$(id -u)" = 0 ]; then
	chmod 700 "$D"
	chown 65534 "$D"
	bad_dir "control directory owned by another uid"
fi
figures tasks=3 faults=0 hostile=$planted lost=0
finish

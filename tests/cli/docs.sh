#!/bin/sh
# The documentation cannot drift from the code.
#
# - Every option `pooltop --help` prints has its own entry under OPTIONS in
#   src/pooltop.1, with its short letter and alias, its bounds and numeric
#   default as --help gives them, and a "Config key:" (or "No config key")
#   line; the config loader knows each key the page names and no key for
#   the others; conf/pooltop.conf documents each key; and every option the
#   page lists still exists.
# - Every key of conf/pooltop.conf is known to the loader and named in the
#   page; every subcommand, control command, event name, shipped theme and
#   task variable (read from the sources' own tables) is named in the page;
#   every --option the README mentions exists; the README's first command
#   needs no sudo as root, and its test command is .ci/run.
# - The page renders without warnings (mandoc -Tlint, groff -ww), when one
#   of them is installed.
# - The EXAMPLES marked with a "test:" comment run, in an empty directory,
#   with the exit statuses and output the page shows (see the comment at the
#   top of src/pooltop.1 for the markers).
. "$POOLTOP_SRCDIR/tests/lib.sh"

MAN=$POOLTOP_SRCDIR/src/pooltop.1
CONF=$POOLTOP_SRCDIR/conf/pooltop.conf
README=$POOLTOP_SRCDIR/README.md
SRC=$POOLTOP_SRCDIR/src

# The quoted strings of C array NAME[] in FILE, one a line.
c_array() {
	awk -v name="$1" '
	index($0, name "[] = {") { on = 1 }
	on {
		s = $0
		while (match(s, /"[^"]*"/)) {
			print substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
		if (index($0, "};")) exit
	}' "$2"
}

# The lines of section $1 of the man page.
man_section() {
	awk -v sh=".Sh $1" '$0 == sh { on = 1; next } /^\.Sh / { on = 0 } on' \
	    "$MAN"
}

# The lines of the OPTIONS item for long option $1 (its .It line first).
man_option() {
	man_section OPTIONS | awk -v opt="$1" '
	/^\.It / { on = 0; n = split($0, w, " ")
		for (i = 1; i < n; i++)
			if (w[i] == "Fl" && w[i + 1] == "-" opt) on = 1 }
	/^\.El/ { on = 0 }
	on'
}

# Run --check-config on a file setting key $1 (dotted for groups) to $2.
try_key() {
	case $1 in
	*.*)	printf '%s = { %s = %s; };\n' "${1%%.*}" "${1#*.}" "$2" ;;
	*)	printf '%s = %s;\n' "$1" "$2" ;;
	esac >"$T/key.conf"
	"$POOLTOP_BIN" -c "$T/key.conf" --check-config >/dev/null 2>"$T/key.err"
	_rc=$?
	[ $_rc -eq 0 ] || [ $_rc -eq 255 ]
}
# Does the config loader know key $1?  (Any value; only "unknown" counts.)
key_known() { try_key "$1" '()' && ! grep -q "unknown key" "$T/key.err"; }
key_unknown() { try_key "$1" '()' && grep -q "unknown key" "$T/key.err"; }

# Is key $1 (dotted for groups) documented, commented out, in pooltop.conf?
conf_has_key() {
	case $1 in
	*.*)	awk -v g="${1%%.*}" -v k="${1#*.}" '
		$0 ~ "^#" g " = [{]" { on = 1; next }
		on && /^#[}];/ { on = 0 }
		on && $0 ~ "^[ \t]*#" k " = " { found = 1 }
		END { exit !found }' "$CONF" ;;
	*)	grep -q "^#$1 = " "$CONF" ;;
	esac
}

# Every key pooltop.conf documents, dotted for those inside a group.
conf_keys() {
	awk '
	/^#[a-z_]+ = [{]$/ { g = substr($1, 2); next }
	g != "" && /^#[}];/ { g = ""; next }
	g != "" && /^[ \t]+#[a-z_]+ = / { sub(/^[ \t]+#/, ""); print g "." $1 }
	g == "" && /^#[a-z_]+ = / { print substr($1, 2) }' "$CONF"
}

"$POOLTOP_BIN" --help >"$T/help" 2>&1
check "pooltop --help exits 0" [ $? -eq 0 ]

# One line per option: long|letter|alias|lo|hi|default.
awk '
function scan(l) {
	if (match(l, /[0-9]+\.\.[0-9]+/)) {
		split(substr(l, RSTART, RLENGTH), b, ".")
		lo = b[1]; hi = b[3]
	}
	if (match(l, /default: [^)]*\)/))
		def = substr(l, RSTART + 9, RLENGTH - 10)
}
function emit() { if (name != "") print name "|" letter "|" alias "|" lo "|" hi "|" def }
/^  -[A-Za-z0-9], --|^      --/ {
	emit()
	letter = alias = lo = hi = def = ""
	if ($0 ~ /^  -[A-Za-z0-9],/)
		letter = substr($0, 4, 1)
	s = $0
	sub(/^ *(-[A-Za-z0-9], )?--/, "", s)
	name = s
	sub(/[^a-z0-9-].*/, "", name)
	s = substr(s, length(name) + 1)
	if (s ~ /^, --[a-z0-9-]/) {
		alias = substr(s, 5)
		sub(/[^a-z0-9-].*/, "", alias)
	}
	scan($0)
	next
}
name != "" && /^ / { scan($0) }
END { emit() }' "$T/help" >"$T/opts"
nopts=$(wc -l <"$T/opts")
check "--help lists options ($nopts)" [ "$nopts" -ge 20 ]

while IFS='|' read -r name letter alias lo hi def; do
	man_option "$name" >"$T/item"
	if [ ! -s "$T/item" ]; then
		fail "--$name has an entry under OPTIONS"
		continue
	fi
	head -n 1 "$T/item" >"$T/it"
	if [ -n "$letter" ]; then
		check "--$name: -$letter in its entry" \
		    grep -Eq "Fl $letter( |$)" "$T/it"
	fi
	if [ -n "$alias" ]; then
		check "--$name: alias --$alias in its entry" \
		    grep -Eq "Fl -$alias( |$)" "$T/it"
	fi
	if [ -n "$lo" ]; then
		check "--$name: bounds $lo to $hi" grep -q "$lo to $hi" "$T/item"
	fi
	case $def in
	[0-9]*)	num=${def%%[!0-9]*}
		check "--$name: Default: $num" \
		    grep -Eq "Default: $num([.,]|$)" "$T/item" ;;
	?*)	check "--$name: states its default" grep -q "Default:" "$T/item" ;;
	esac
	key=$(awk 'prev ~ /Config key:$/ && /^\.Ic / { print $2; exit }
	    { prev = $0 }' "$T/item")
	if [ -n "$key" ]; then
		check "--$name: key '$key' known to the config loader" \
		    key_known "$key"
		check "--$name: key '$key' in conf/pooltop.conf" \
		    conf_has_key "$key"
	elif grep -q "No config key" "$T/item"; then
		uname=$(echo "$name" | tr - _)
		check "--$name: really has no config key" key_unknown "$uname"
	else
		fail "--$name: entry gives 'Config key:' or 'No config key'"
	fi
done <"$T/opts"

# Every option the page lists is one --help shows.  (Read from a file: a
# loop at the end of a pipe would count its checks in a subshell.)
man_section OPTIONS | awk '/^\.It / { for (i = 1; i < NF; i++)
    if ($i == "Fl" && $(i + 1) ~ /^-/) print substr($(i + 1), 2) }' \
    >"$T/manopts"
while read -r o; do
	check "documented --$o exists" grep -Eq "^ .*--$o( |,|\[|$)" "$T/help"
done <"$T/manopts"

# A key the loader does not know is reported as such (the checks above
# depend on it).
check "an unknown key is reported as unknown" key_unknown no_such_key

# Every key pooltop.conf documents is known and in the page.
conf_keys >"$T/ckeys"
check "conf/pooltop.conf documents keys" [ "$(wc -l <"$T/ckeys")" -ge 30 ]
while read -r k; do
	check "conf key '$k' known to the config loader" key_known "$k"
	check "conf key '$k' in the man page" \
	    grep -Eq "^\.(It )?Ic $k( |$)" "$MAN"
done <"$T/ckeys"

# Subcommands, from main.c's table.
c_array subs "$SRC/main.c" >"$T/subs"
check "main.c lists subcommands" [ -s "$T/subs" ]
man_section SYNOPSIS >"$T/syn"
while read -r s; do
	check "subcommand '$s' in the SYNOPSIS" grep -Eq "^\.Cm $s( |$)" \
	    "$T/syn"
done <"$T/subs"

# Control commands, as `pooltop ctl help` lists them.
"$POOLTOP_BIN" ctl help >"$T/ctlhelp" 2>&1
check "pooltop ctl help exits 0" [ $? -eq 0 ]
awk '/^[a-z]+ / && !/^usage/ { print $1 }' "$T/ctlhelp" >"$T/cmds"
check "ctl help lists commands" [ "$(wc -l <"$T/cmds")" -ge 5 ]
man_section CONTROL >"$T/control"
while read -r c; do
	check "control command '$c' under CONTROL" \
	    grep -Eq "^\.It Ic $c( |$)" "$T/control"
done <"$T/cmds"

# Event names, task variables and themes, from their sources.
c_array event_names "$SRC/shm.c" | grep -v '^none$' >"$T/events"
check "shm.c lists events" [ "$(wc -l <"$T/events")" -ge 10 ]
while read -r e; do
	check "event '$e' in the man page" grep -Eq "^\.It Li $e$" "$MAN"
done <"$T/events"
c_array worker_env_names "$SRC/worker.c" | tr -d = >"$T/env"
check "worker.c lists task variables" [ -s "$T/env" ]
man_section ENVIRONMENT >"$T/environ"
while read -r v; do
	check "task variable $v under ENVIRONMENT" \
	    grep -Eq "Ev (.*, )?$v( |$)" "$T/environ"
done <"$T/env"
for f in "$POOLTOP_SRCDIR"/themes/*.theme; do
	t=$(basename "$f" .theme)
	check "theme '$t' in the man page" grep -Eq "^\.Cm $t$" "$MAN"
done

# Options the README mentions exist (in --help, or a subcommand's in the
# page); lines about building (configure, make, apt-get) are not pooltop's.
if [ -f "$README" ]; then
	grep -v -e configure -e 'make ' -e apt-get "$README" |
	    grep -o -- '--[a-z][a-z-]*[a-z]' | sort -u >"$T/readme"
	while read -r o; do
		check "README's $o exists" sh -c 'grep -Eq "^ .*$1( |,|$)" "$2" ||
		    grep -Eq "Fl -${1#--}( |$)" "$3"' sh "$o" "$T/help" "$MAN"
	done <"$T/readme"
fi

# The README's two commands: the first runs as root without sudo (a
# container) and as a user with sudo; the second installs what the tests
# need, then runs them.
if [ -f "$README" ]; then
	awk '/^    [^ ]/ { print substr($0, 5) }' "$README" | head -n 2 \
	    >"$T/readme-cmds"
	first=$(sed -n 1p "$T/readme-cmds")
	check "README's first command: sudo only where there is one" \
	    sh -c 'case $1 in "\$(command -v sudo) "*) ;; *) exit 1 ;; esac' \
	    sh "$first"
	check "README's test command is .ci/run" \
	    [ "$(sed -n 2p "$T/readme-cmds")" = .ci/run ]
fi

# The page renders without warnings.
rendered=
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -W warning "$MAN" >"$T/lint" 2>&1
	check "mandoc -Tlint exits 0" [ $? -eq 0 ]
	check "mandoc -Tlint: no warnings" [ ! -s "$T/lint" ]
	sed 's/^/# /' "$T/lint"
	mandoc -Tascii "$MAN" 2>/dev/null | sed 's/.\x08//g' >"$T/man.txt"
	rendered=$T/man.txt
fi
if command -v groff >/dev/null 2>&1; then
	groff -mandoc -ww -z "$MAN" >"$T/groff" 2>&1
	check "groff -ww: no warnings" [ ! -s "$T/groff" ]
	sed 's/^/# /' "$T/groff"
	if [ -z "$rendered" ]; then
		groff -mandoc -Tascii -P-c "$MAN" 2>/dev/null |
		    sed 's/.\x08//g' >"$T/man.txt"
		rendered=$T/man.txt
	fi
fi
if [ -n "$rendered" ]; then
	while read -r s; do
		check "rendered page shows 'pooltop $s'" \
		    grep -q "pooltop $s" "$rendered"
	done <"$T/subs"
else
	echo "# neither mandoc nor groff: render checks skipped"
fi

# The examples marked "test:" run as shown.  Each becomes a directory
# $T/ex/N with setup, spec, cmd.K and out.K (roff escapes undone).
mkdir -p "$T/ex" "$T/bin"
ln -s "$POOLTOP_BIN" "$T/bin/pooltop"
awk -v dir="$T/ex" '
function unroff(s) {
	gsub(/\\\(aq/, "\047", s); gsub(/\\\(dq/, "\"", s)
	gsub(/\\&/, "", s); gsub(/\\-/, "-", s); gsub(/\\e/, "\\", s)
	return s
}
/^\.\\" setup: / { setup = setup substr($0, 12) "\n"; next }
/^\.\\" test: / { spec = substr($0, 11); next }
/^\.Bd -literal/ && spec != "" {
	n++; d = dir "/" n; k = 0; cont = 0; on = 1
	system("mkdir -p \"" d "\"")
	printf "%s", setup > (d "/setup"); close(d "/setup")
	print spec > (d "/spec"); close(d "/spec")
	setup = spec = ""
	next
}
on && /^\.Ed/ { on = 0; next }
on {
	l = unroff($0)
	if (cont) {
		print l > (d "/cmd." k)
		cont = l ~ /\\$/
	} else if (l ~ /^\$ /) {
		k++
		printf "" > (d "/out." k)
		print substr(l, 3) > (d "/cmd." k)
		cont = l ~ /\\$/
	} else if (k > 0)
		print l > (d "/out." k)
	next
}
/^\.Bd/ { setup = spec = "" }' "$MAN"
nex=$(ls "$T/ex" | wc -l)
check "the page has tested examples ($nex)" [ "$nex" -ge 8 ]

for d in $(ls "$T/ex" | sort -n); do
	e=$T/ex/$d
	w=$T/work.$d
	mkdir "$w"
	spec=$(cat "$e/spec")
	want=$(echo "$spec" | sed -n 's/.*status=\([0-9,]*\).*/\1/p')
	(cd "$w" && PATH="$T/bin:$PATH" sh "$e/setup") >/dev/null 2>&1 ||
	    fail "example $d: setup"
	k=1
	while [ -f "$e/cmd.$k" ]; do
		st=$(echo "$want" | cut -s -d, -f"$k")
		[ -z "$st" ] && [ "$k" -eq 1 ] && st=${want%%,*}
		: "${st:=0}"
		what="example $d: $(head -n 1 "$e/cmd.$k" | tr -d '\\' |
		    cut -c1-50)"
		(cd "$w" && PATH="$T/bin:$PATH" timeout 60 sh "$e/cmd.$k") \
		    >"$T/res.$d.$k" 2>"$T/err.$d.$k"
		rc=$?
		check "$what: exit $st" [ $rc -eq "$st" ]
		[ $rc -eq "$st" ] || sed 's/^/# /' "$T/err.$d.$k"
		case " $spec " in
		*" output "*)
			check "$what: output as shown" \
			    [ "$(cat "$T/res.$d.$k")" = "$(cat "$e/out.$k")" ]
			;;
		esac
		k=$((k + 1))
	done
done
finish

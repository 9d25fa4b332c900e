#!/bin/sh
# The " {}" rule, checked against GNU parallel itself: a template gets the
# item appended only when it holds no replacement string at all.  Every
# replacement string ({#} and {%} included, and the positional forms), alone,
# in pairs and inside a word, as one string and as several words: both tools
# print the same.  Strings GNU parallel knows but pooltop cannot expand ({2},
# {= perl =}) are refused with exit 255 and nothing run, never run with the
# item appended; GNU parallel does not append to them either.  And the
# issue's case: `rm -f f{#}` removes f1 and f2, never the items' files.
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

need_gnu_parallel

ITEMS="d/f.x a.b/c.tar.gz .hidden plain"
TOKS='{} {.} {/} {//} {/.} {#} {%} {1} {-1} {0} {1.} {1/} {1//} {1/.} {-1/.} {0/}'
# Pairs: each string with these (all of $TOKS for the full square).
: "${APPEND_PAIRS:={#\} {%\} {\}}}"
tries=0

# same TEMPLATE...: both tools, one worker, the same items; same output.
same() {
	# shellcheck disable=SC2086
	p=$(parallel -j1 "$@" ::: $ITEMS 2>&1)
	# shellcheck disable=SC2086
	q=$("$POOLTOP_BIN" --headless -q -j1 "$@" ::: $ITEMS 2>&1)
	tries=$((tries + 1))
	[ "$p" = "$q" ] && return 0
	echo "# template [$*]: GNU parallel printed [$p], pooltop [$q]"
	return 1
}

bad=0
for a in $TOKS; do
	same "echo $a" || bad=$((bad + 1))
	same "echo x${a}y" || bad=$((bad + 1))
	same echo "$a" || bad=$((bad + 1))
	same "echo $a | cat" || bad=$((bad + 1))
	for b in $APPEND_PAIRS; do
		same "echo $a$b" || bad=$((bad + 1))
	done
done
check "every replacement string, alone, in a word, in pairs: same output ($tries templates)" [ $bad -eq 0 ]

bad=0
for tpl in "echo" "echo {foo}" "echo { }" "echo {1x}" "echo {=}" \
    "echo {#}; echo z" "printf '%s\n' {1//}" "echo {1 }" "echo {1 /.}"; do
	same "$tpl" || bad=$((bad + 1))
done
check "no replacement string, or not one: the item appended, as GNU parallel" [ $bad -eq 0 ]

# Refused by pooltop; GNU parallel does not append the item either.
bad=0
for tpl in "echo {2}" "echo {3.}" "echo {1#}" "echo {-1 %}" "echo {= s/a/Z/ =}" \
    "echo {#} {=1 s/a/Z/ =}"; do
	# shellcheck disable=SC2086
	p=$(parallel -j1 "$tpl" ::: plain 2>&1)
	"$POOLTOP_BIN" --headless -q -j1 "$tpl" ::: plain >"$T/out" 2>"$T/err"
	rc=$?
	tries=$((tries + 1))
	case $p in *plain*) echo "# GNU parallel appended to [$tpl]: $p"; bad=$((bad + 1));; esac
	if [ $rc -ne 255 ] || [ -s "$T/out" ] || ! grep -q "^pooltop: .*{" "$T/err"; then
		echo "# pooltop on [$tpl]: exit $rc, out [$(cat "$T/out")], err [$(cat "$T/err")]"
		bad=$((bad + 1))
	fi
done
check "{2}, {3.}, {1#}, {= =}: refused (exit 255, nothing ran), GNU appends nothing" [ $bad -eq 0 ]

# The issue's case, run for real by both tools.
for tool in parallel pooltop; do
	mkdir -p "$T/$tool" && cd "$T/$tool" || exit 99
	touch x y f1 f2
	if [ $tool = pooltop ]; then
		"$POOLTOP_BIN" --headless -q -j1 'rm -f f{#}' ::: x y
	else
		parallel -j1 'rm -f f{#}' ::: x y
	fi
	check "$tool: rm -f f{#} removes f1 f2 and keeps x y" \
	    [ "$(ls | tr '\n' ' ')" = "x y " ]
	cd "$T" || exit 99
done

figures tasks=$((tries * 8)) faults=0 hostile=$tries lost=0
finish

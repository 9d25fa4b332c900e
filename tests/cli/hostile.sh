#!/bin/sh
# Items are data, never code: hostile items cannot create a tripwire file,
# in direct-exec mode and in shell mode, and reach the task byte-exact.
. "$POOLTOP_SRCDIR/tests/lib.sh"

cd "$T" || exit 99
printf '%s\n' '$(touch TRIP1)' '`touch TRIP2`' '; touch TRIP3' "'; touch TRIP4; '" \
  '"; touch TRIP5; "' '| touch TRIP6' '&& touch TRIP7' '-n' '$HOME' '{}' >items
"$POOLTOP_BIN" -j2 --headless -q -k -a items printf '%s\n' >out1 2>/dev/null
check "direct mode: no tripwire" [ -z "$(ls | grep TRIP)" ]
check "direct mode: byte-exact" cmp -s items out1
"$POOLTOP_BIN" -j2 --headless -q -k -a items 'printf "%s\n" {} | cat' >out2 2>/dev/null
check "shell mode: no tripwire" [ -z "$(ls | grep TRIP)" ]
check "shell mode: byte-exact" cmp -s items out2

# A newline inside an item (NUL-separated input).
printf 'a\n$(touch TRIP8)\0b\0' | "$POOLTOP_BIN" -0 -j1 --headless -q -k 'printf "[%s]" {}; echo' >out3 2>/dev/null
check "newline item: no tripwire" [ ! -e TRIP8 ]
check "newline item: exact" [ "$(cat out3)" = "[a
\$(touch TRIP8)]
[b]" ]

# A missing argument (-N2, an odd item out) leaves nothing, but never so
# that what follows starts a word that means more: a '#' there would start
# a comment that the item's newline ends, the rest of the item run.
printf "a\0b\0x\ntouch TRIP9 #'\0" |
    "$POOLTOP_BIN" -0 -N2 -j1 --headless -q -k ': ; echo {2}#{1}' >out4 2>/dev/null
check "missing argument before #: no tripwire" [ ! -e TRIP9 ]
check "missing argument before #: the item is an argument" \
    [ "$(cat out4)" = "b#a
#x
touch TRIP9 #'" ]
printf 'a\nb\nc\n' |
    "$POOLTOP_BIN" -N2 -j1 --headless -q -k ': ; echo {2}~ {2}if' >out5 2>/dev/null
check "missing argument before ~ or a word: said as written" \
    [ "$(cat out5)" = "b~ bif
~ if" ]
finish

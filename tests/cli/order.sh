#!/bin/sh
# --keep-order prints outputs in input order; --tag prefixes the item;
# output of different tasks never mixes inside a line.
. "$POOLTOP_SRCDIR/tests/lib.sh"

"$POOLTOP_BIN" -j4 --headless -q -k 'n={}; sleep 0.$((5 - {#})); echo $n' ::: 1 2 3 4 >"$T/o" 2>/dev/null
check "keep-order" [ "$(tr '\n' ' ' <"$T/o")" = "1 2 3 4 " ]

"$POOLTOP_BIN" -j2 --headless -q --tag 'echo x; echo y; : {}' ::: a b >"$T/t" 2>/dev/null
check "tag lines" [ "$(sort "$T/t" | tr '\n' '|')" = "a	x|a	y|b	x|b	y|" ]

# Two chatty tasks writing partial lines: every line is whole.
"$POOLTOP_BIN" -j2 --headless -q --line-buffer \
  'for i in $(seq 1 300); do printf "%s-" {}; printf "%s\n" {}{}{}; done' ::: A B >"$T/l" 2>/dev/null
check "no mixed lines (line-buffer)" [ "$(grep -cvE '^(A-AAA|B-BBB)$' "$T/l")" -eq 0 ]
check "all lines there" [ "$(wc -l <"$T/l")" -eq 600 ]

"$POOLTOP_BIN" -j2 --headless -q --results "$T/res" 'echo out {}; echo err {} >&2' ::: p q >/dev/null 2>&1
check "results files" [ "$(cat "$T"/res/*/stdout | sort | tr '\n' ' ')" = "out p out q " ]
check "results stderr" [ "$(cat "$T"/res/*/stderr | sort | tr '\n' ' ')" = "err p err q " ]
finish

#!/bin/sh
# Numbers do not follow the user's locale: under one that writes 1,5
# (de_DE.UTF-8, built into the test's directory with localedef), decimal
# numbers are read with '.' from options, $POOLTOP and config files, and
# written with '.' in the joblog, --results, JSON (ctl status, ls, report),
# the summary and the log, as GNU parallel reads and writes them.  Text
# still follows the locale (UTF-8 items and their columns are unchanged).
. "$POOLTOP_SRCDIR/tests/lib.sh"

cd "$T" || exit 99
if ! command -v localedef >/dev/null 2>&1 ||
    ! localedef -i de_DE -f UTF-8 "$T/de_DE.UTF-8" >/dev/null 2>&1; then
	skip "no localedef or no de_DE source (Debian's locales package)"
fi
export LOCPATH=$T LC_ALL=de_DE.UTF-8
# The locale works, and writes 1,5: else this test proves nothing.
check "the locale is in force (its decimal point is ',')" \
    [ "$(locale -k decimal_point 2>/dev/null)" = 'decimal_point=","' ]

# json FILE: FILE is valid JSON (python3's parser, or skip the check);
# jsonl FILE: each line of FILE is (--results .json is JSON Lines).
json() {
	command -v python3 >/dev/null 2>&1 || return 0
	LC_ALL=C python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1"
}
jsonl() {
	command -v python3 >/dev/null 2>&1 || return 0
	LC_ALL=C python3 -c 'import json, sys
n = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(len(n) != int(sys.argv[2]))' "$1" "$2"
}

# Options with fractions, on the command line and in $POOLTOP.
"$POOLTOP_BIN" --headless -q -j2 --timeout 1.5 --delay 0.01 --joblog jl \
    --results res.json echo {} ::: 1 2 3 >out 2>err
check "--timeout 1.5 --delay 0.01: exit 0 (got $?)" [ $? -eq 0 ]
check "... no option refused" [ ! -s err ]
POOLTOP='--timeout 2.5' "$POOLTOP_BIN" --headless -q true ::: 1 >/dev/null 2>err
check "\$POOLTOP='--timeout 2.5': exit 0 (got $?)" [ $? -eq 0 ]

# The joblog's times, with a '.' and never a ','.
check "joblog: Starttime and JobRuntime with '.'" \
    [ "$(awk -F'\t' 'NR > 1 && $3 ~ /^[0-9]+\.[0-9]+$/ &&
        $4 ~ /^ *[0-9]+\.[0-9]+$/' jl | wc -l)" -eq 3 ]
check "joblog: no ',' anywhere" [ -z "$(grep , jl)" ]
check "--results .json: 3 valid JSON lines" jsonl res.json 3

# A config file with a fraction.
printf 'delay = 0.01;\ntimeout = 1.5;\n' >c.conf
"$POOLTOP_BIN" --headless -q --config c.conf true ::: 1 >/dev/null 2>err
check "config 'delay = 0.01; timeout = 1.5;': exit 0 (got $?)" [ $? -eq 0 ]
check "... nothing refused" [ ! -s err ]

# JSON from a live pool, and the summary and log of a run.
"$POOLTOP_BIN" --headless -j1 --name loc --log log sh -c 'sleep 30' ::: 1 \
    >/dev/null 2>sum &
pid=$!
check "the pool answers" wait_for 10 sh -c \
    '"$POOLTOP_BIN" ctl loc status --json >st.json 2>/dev/null'
check "ctl status --json: valid JSON" json st.json
"$POOLTOP_BIN" ls --json >ls.json 2>/dev/null
check "ls --json: valid JSON" json ls.json
"$POOLTOP_BIN" ctl loc stop >/dev/null 2>&1
wait $pid
check "summary: times with '.'" grep -Eq 'in [0-9]+\.[0-9]+s wall' sum
check "log: timestamps with '.'" \
    grep -Eq '^[0-9-]+T[0-9:]+\.[0-9]+Z ' log
"$POOLTOP_BIN" report --json jl >rep.json 2>/dev/null
check "report --json: valid JSON" json rep.json
"$POOLTOP_BIN" report jl >rep.txt 2>&1
check "report: no decimal ','" [ -z "$(grep -E '[0-9],[0-9]' rep.txt)" ]

# Text still follows the locale: an item in UTF-8 passes as it is.
"$POOLTOP_BIN" --headless -q -k echo ::: 'Größe' 'naïve' >out 2>/dev/null
check "UTF-8 items unchanged" [ "$(cat out)" = "Größe
naïve" ]
finish

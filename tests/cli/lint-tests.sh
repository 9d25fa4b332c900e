#!/bin/sh
# The tests themselves: no `check DESC CMD && MORE` (MORE is never counted:
# a failure there would pass silently).  tests/lint/check-chains.py says
# where; write `if CMD && MORE; then ok DESC; else fail DESC; fi`.
. "$POOLTOP_SRCDIR/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed"
LINT="$POOLTOP_SRCDIR/tests/lint/check-chains.py"
find "$POOLTOP_SRCDIR/tests" -name '*.sh' | sort >"$T/files"
n=$(wc -l <"$T/files")
# shellcheck disable=SC2046
python3 "$LINT" $(cat "$T/files") >"$T/out" 2>&1
rc=$?
sed 's/^/# /' "$T/out"
check "$n test scripts: no check chained with && or || (exit $rc)" [ "$rc" -eq 0 ]
# The lint finds what it is meant to.
printf 'check "a" [ 1 -eq 1 ] && [ 2 -eq 3 ]\ncheck "b" sh -c "x && y"\nif a && b; then ok c; fi\ncheck "d" \\\n    grep -q x f ||\n    sed s/^/#/ f\n' >"$T/bad.sh"
python3 "$LINT" "$T/bad.sh" >"$T/out2"
check "the lint finds a chained check and a continued one, and only those" \
    [ "$(cut -d: -f2 "$T/out2" | tr '\n' ' ')" = "1 4 " ]
finish

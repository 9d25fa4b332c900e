#!/bin/sh
# Add up the figures the reliability tests printed in a build directory's
# test logs (after `make check`), for RELIABILITY.md:
#
#	tests/rely/figures.sh [BUILDDIR]
#
# Each test prints "# rely-figures: tasks=N faults=N hostile=N lost=N".
dir=${1:-.}
ls "$dir"/tests/rely/*.log >/dev/null 2>&1 || {
	echo "no tests/rely/*.log under $dir: run make check there first" >&2
	exit 1
}
cat "$dir"/tests/rely/*.log | sed -n 's/^# rely-figures: //p' |
    tr ' ' '\n' | awk -F= '
	NF == 2 { sum[$1] += $2 }
	END {
		printf "tasks run: %d\nfaults injected: %d\n", sum["tasks"], sum["faults"]
		printf "hostile inputs tried: %d\nitems lost: %d\n", sum["hostile"], sum["lost"]
		printf "input lines streamed (memory test): %d\n", sum["lines"]
	}'
printf 'tests: %s passed, %s failed, %s skipped\n' \
    "$(cat "$dir"/tests/rely/*.trs | grep -c '^:test-result: PASS')" \
    "$(cat "$dir"/tests/rely/*.trs | grep -cE '^:test-result: (FAIL|ERROR)')" \
    "$(cat "$dir"/tests/rely/*.trs | grep -c '^:test-result: SKIP')"

#!/usr/bin/env bash
# Build pooltop twice (plain, and with ASan+UBSan), run the whole test suite
# in each, run the fuzz targets for a bounded time, check `make distcheck`,
# and print one closing line: "N passed, N failed, N skipped".
#
#   FUZZ_SECONDS=60   seconds per fuzz target (0 skips fuzzing)
#   SKIP_DISTCHECK=1  skip make distcheck
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${BUILD_ROOT:-$top/_build}
jobs=${JOBS:-2}
passed=0 failed=0 skipped=0
status=0
# What failed, repeated just above the closing line so that a reader who
# sees only the end of a long log still learns which checks broke.
failures=$(mktemp "${TMPDIR:-/tmp}/pooltop-failures.XXXXXX") || exit 1
trap 'rm -f "$failures"' EXIT

note() { printf '\n=== %s\n' "$*"; }

# Add up the automake .trs results of one build directory.
count_results() {
	local dir=$1 p f s
	p=$(cat "$dir"/tests/*/*.trs "$dir"/tests/*.trs 2>/dev/null | grep -c '^:test-result: PASS')
	f=$(cat "$dir"/tests/*/*.trs "$dir"/tests/*.trs 2>/dev/null | grep -cE '^:test-result: (FAIL|ERROR|XPASS)')
	s=$(cat "$dir"/tests/*/*.trs "$dir"/tests/*.trs 2>/dev/null | grep -c '^:test-result: SKIP')
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	# Show the logs of what failed.
	grep -lE '^:test-result: (FAIL|ERROR|XPASS)' "$dir"/tests/*/*.trs 2>/dev/null | while read -r t; do
		echo "--- ${t%.trs}.log"; tail -n 60 "${t%.trs}.log"
		{ echo "--- ${t#"$out"/}"
		  grep -E '^(not ok|FAIL|ERROR)' "${t%.trs}.log" | head -n 5
		  tail -n 6 "${t%.trs}.log"; } >>"$failures"
	done
}

# build NAME CONFIGURE-ARGS...: configure and build in $out/NAME, run make check.
build_and_check() {
	local name=$1; shift
	local dir=$out/$name
	note "build $name ($*)"
	rm -rf "$dir" && mkdir -p "$dir"
	( cd "$dir" && "$top"/configure -q "$@" && make -j"$jobs" >/dev/null ) || {
		echo "build $name failed"; echo "--- build $name failed" >>"$failures"
		failed=$((failed + 1)); status=1; return; }
	note "make check ($name)"
	( cd "$dir" && make -j"$jobs" check >/dev/null 2>&1 )
	[ $? -eq 0 ] || status=1
	count_results "$dir"
}

cd "$top" || exit 1
# The builds below are made apart from the sources, which configure refuses
# once the source tree itself was configured: undo that first.
if [ -f config.status ]; then
	note "the source tree was configured in place: make distclean there"
	make distclean >/dev/null 2>&1 || rm -f config.status
fi
[ -x configure ] || ./autogen.sh >/dev/null 2>&1 || { echo "autogen failed"; echo "0 passed, 1 failed"; exit 1; }

build_and_check plain --enable-werror
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	build_and_check sanitizers --enable-sanitizers

if [ "${FUZZ_SECONDS:-60}" != 0 ] && [ -x "$top/tests/fuzz/run.sh" ]; then
	note "fuzzing (${FUZZ_SECONDS:-60}s per target)"
	if "$top"/tests/fuzz/run.sh; then passed=$((passed + 1)); else
		echo "--- fuzzing (see the fuzz output above)" >>"$failures"
		failed=$((failed + 1)); status=1; fi
fi

if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
	note "make distcheck"
	# The tarball must build, install, uninstall and pass the unit tests;
	# the shell suites already ran twice above.
	unit=$(cd "$out/plain" && make -s print-unit-tests 2>/dev/null)
	if ( cd "$out/plain" && make -j"$jobs" distcheck TESTS="$unit" >"$out/distcheck.log" 2>&1 ); then
		passed=$((passed + 1))
	else
		tail -n 40 "$out/distcheck.log"; failed=$((failed + 1)); status=1
		{ echo "--- make distcheck"; tail -n 6 "$out/distcheck.log"; } >>"$failures"
	fi
fi

if [ -s "$failures" ]; then
	note "what failed (the whole logs are above)"
	cat "$failures"
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status

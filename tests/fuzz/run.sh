#!/bin/sh
# Build every tests/fuzz/fuzz_*.c as a libFuzzer target (clang, ASan, UBSan)
# in a temp dir and run each for ${FUZZ_SECONDS:-60} seconds on its seed
# corpus, tests/fuzz/corpus/NAME (NAME without "fuzz_"), with
# tests/fuzz/NAME.dict when there is one.  Exit 1 on any finding or build
# failure, 77 when clang or libFuzzer is missing.
#
# Usage: tests/fuzz/run.sh [fuzz_NAME ...]	(default: every target)
# BUILDDIR: a configured build tree (for config.h); default: configure one.
# The corpus in the source tree is only read; new inputs stay in the temp dir.

# The sources each target links besides itself: one line per target.
SOURCES='
fuzz_template	src/template.c src/text.c src/util.c
fuzz_config	src/opts.c src/pool-admit.c src/cgroup.c src/hosts-login.c src/text.c src/util.c
fuzz_text	src/text.c src/util.c
fuzz_columns	src/pool-columns.c src/util.c
'
PKGS='libbsd-overlay libconfig'

set -u
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
: "${FUZZ_SECONDS:=60}"
CC=${FUZZ_CC:-clang}

command -v "$CC" >/dev/null 2>&1 || { echo "run.sh: $CC not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pooltop-fuzzrun.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# A config.h: from BUILDDIR, or from a quiet configure here.
if [ -n "${BUILDDIR:-}" ] && [ -f "$BUILDDIR/config.h" ]; then
	inc=$BUILDDIR
else
	mkdir "$tmp/build"
	(cd "$tmp/build" && "$srcdir/configure" -q >/dev/null) ||
	    { echo "run.sh: configure failed"; exit 1; }
	inc=$tmp/build
fi
pkgflags=$(pkg-config --cflags --libs $PKGS) || exit 1

if [ $# -eq 0 ]; then
	set -- $(cd "$srcdir/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//')
fi

failed=0
for name in "$@"; do
	srcs=$(printf '%s\n' "$SOURCES" | awk -v n="$name" '$1 == n { $1 = ""; print }')
	if [ -z "$srcs" ]; then
		echo "run.sh: no source list for $name: add a line to SOURCES"
		failed=1
		continue
	fi
	files=
	for f in $srcs; do files="$files $srcdir/$f"; done
	echo "== $name: build"
	# shellcheck disable=SC2086
	if ! "$CC" -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -I"$srcdir/src" -I"$inc" \
	    -DPT_DATADIR="\"$srcdir\"" -DPT_SRCDIR="\"$srcdir\"" \
	    -o "$tmp/$name" "$srcdir/tests/fuzz/$name.c" $files $pkgflags -lm; then
		echo "run.sh: $name does not build"
		failed=1
		continue
	fi
	seed=$srcdir/tests/fuzz/corpus/${name#fuzz_}
	mkdir -p "$tmp/corpus-$name" "$tmp/art-$name"
	dict=
	[ -f "$srcdir/tests/fuzz/$name.dict" ] &&
	    dict=-dict=$srcdir/tests/fuzz/$name.dict
	[ -d "$seed" ] || seed=
	echo "== $name: fuzz for $FUZZ_SECONDS s"
	# shellcheck disable=SC2086
	if ! (cd "$tmp" && "$tmp/$name" -max_total_time="$FUZZ_SECONDS" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$tmp/art-$name/" $dict \
	    "$tmp/corpus-$name" $seed); then
		echo "run.sh: $name found a problem; inputs:"
		for a in "$tmp/art-$name"/*; do
			[ -f "$a" ] || continue
			echo "--- $(basename "$a"):"
			od -c "$a" | head -20
			cp "$a" "${TMPDIR:-/tmp}/" && echo "(kept in ${TMPDIR:-/tmp}/$(basename "$a"))"
		done
		failed=1
	fi
done
if [ "$failed" -ne 0 ]; then
	echo "run.sh: FAILED"
	exit 1
fi
echo "run.sh: every target ran clean"

#!/bin/sh
# A pooltop persistent worker: pooltop --persistent ./worker.sh ::: a.txt b.txt
# Answers "LINES WORDS NAME" per file; one line per task, always.
while IFS= read -r f; do
	if [ -f "$f" ] && [ -r "$f" ]; then
		set -- $(wc -l -w <"$f")
		printf '%s %s %s\n' "$1" "$2" "$f"
	else
		printf 'ERROR: cannot read %s\n' "$f"
	fi
done

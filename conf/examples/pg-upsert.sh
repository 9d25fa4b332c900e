#!/bin/sh
# pg-upsert.sh: the persistent worker of pg-upsert.conf.  One psql session
# (one connection per worker, opened once); each line on stdin is a CSV
# record that becomes one call of pt_upsert_company() (pg-upsert.sql) and
# one line on stdout: its result, or "ERROR: ..." when the statement
# failed.  psql connects as libpq's PG* variables say.
#
# Items are data, never code: perl sends each record to psql as hex digits
# (decoded and checked as UTF-8 by the server), so psql's lexer never sees
# a quote, a backslash or a byte that is not UTF-8 from an item.  Should
# the statement fail before the function runs, \echo prints the error:
# always exactly one line per record.
set -eu
fifo=$(mktemp -u "${TMPDIR:-/tmp}/pg-upsert.XXXXXX")
mkfifo -m 600 "$fifo"
exec 4<&0	# a background job's stdin would be /dev/null: pass ours
perl -e '
	$| = 1;
	while (my $rec = <STDIN>) {
		chomp $rec;
		printf "SELECT pt_upsert_company(convert_from(decode(\x27%s\x27,"
		    . " \x27hex\x27), \x27UTF8\x27));\n\\if :ERROR\n"
		    . "\\echo ERROR: :LAST_ERROR_MESSAGE\n\\endif\n",
		    unpack("H*", $rec);
	}' <&4 4<&- >"$fifo" &
exec 4<&- 3<"$fifo"
rm -f "$fifo"
# psql takes this process: killing psql ends the worker's program at once,
# and perl, left reading, is ended with the rest of the process group.
exec psql -X -q -A -t -v ON_ERROR_STOP=0 <&3 3<&-

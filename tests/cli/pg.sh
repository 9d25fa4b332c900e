#!/bin/sh
# The seed's scenario on a real PostgreSQL: conf/examples/pg-upsert.conf
# upserts 10,000 company records with 4 workers, one psql session each.
# The test starts its own server (initdb into a temporary directory,
# listening only on a Unix socket there), checks that every row is in the
# table exactly once with the right values, then upserts changed values
# while one psql and one worker are killed mid-run, and checks again.
# Skipped (77) when PostgreSQL's initdb is not installed.
. "$POOLTOP_SRCDIR/tests/lib.sh"

EX=$POOLTOP_SRCDIR/conf/examples
N=10000
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$BIN" ] && [ -x "$BIN/initdb" ] || skip "PostgreSQL's initdb is not installed"
command -v psql >/dev/null 2>&1 || skip "psql is not installed"
command -v perl >/dev/null 2>&1 || skip "perl is needed by pg-upsert.sh"

# initdb refuses root: as root, the server runs as postgres (or nobody).
if [ "$(id -u)" -eq 0 ]; then
	DBUSER=nobody
	id postgres >/dev/null 2>&1 && DBUSER=postgres
	as_db() {
		setpriv --reuid="$DBUSER" --regid="$(id -g "$DBUSER")" \
		    --clear-groups -- "$@"
	}
else
	as_db() { "$@"; }
fi
PGD=$(mktemp -d "${TMPDIR:-/tmp}/pooltop-pg.XXXXXX")
[ "$(id -u)" -eq 0 ] && chown "$DBUSER" "$PGD"
pg_stop() {
	as_db "$BIN/pg_ctl" -D "$PGD/data" -m immediate -w stop \
	    >/dev/null 2>&1
	rm -rf "$PGD"
}
trap 'pg_stop; cleanup_test' EXIT
trap 'exit 1' INT TERM HUP

if ! as_db "$BIN/initdb" --no-sync -A trust -U pooltop -E UTF8 \
    --locale=C -D "$PGD/data" >"$T/initdb.log" 2>&1; then
	sed 's/^/# /' "$T/initdb.log"
	fail "initdb"
	finish
fi
if ! as_db "$BIN/pg_ctl" -D "$PGD/data" -l "$PGD/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$PGD'
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null 2>&1; then
	sed 's/^/# /' "$PGD/server.log"
	fail "pg_ctl start"
	finish
fi
ok "a server of our own, on a socket in $PGD"
export PGHOST="$PGD" PGUSER=pooltop PGDATABASE=postgres
unset PGPORT PGSERVICE PGOPTIONS PGPASSWORD
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

check "the table and the function (pg-upsert.sql)" \
    sql -f "$EX/pg-upsert.sql"

# gen G: the CSV records (csv) and the rows we want (want, tab-separated),
# G changing city and revenue.  Some names try to be code.
gen() {
	awk -v g="$1" -v n="$N" -v csv="$T/csv" -v want="$T/want" '
	function q(s) {
		if (s !~ /[,"]/)
			return s
		gsub(/"/, "\"\"", s)
		return "\"" s "\""
	}
	BEGIN {
		split("Paris|Lyon|Cork|Zürich|São Paulo|Kraków, PL", city, "|")
		for (i = 1; i <= n; i++) {
			name = "Company " i
			if (i % 100 == 1)
				name = "O\047Brien; DROP TABLE companies; -- " i
			else if (i % 100 == 2)
				name = "Smith, Jones & \"Partners\" " i
			else if (i % 100 == 3)
				name = "back\\slash :name $$x$$ \\. " i
			else if (i % 100 == 4)
				name = "\047); DELETE FROM companies; --" i
			c = city[(i + g) % 6 + 1]
			rev = i * 1000 + g
			print i "," q(name) "," q(c) "," rev >csv
			print i "\t" name "\t" c "\t" rev >want
		}
	}'
}
table() {
	sql -F "$(printf '\t')" -c \
	    "SELECT id, name, city, revenue FROM companies ORDER BY id" \
	    >"$T/table"
}

# --- run 1: 10,000 inserts -----------------------------------------------------
gen 0
(cd "$EX" && "$POOLTOP_BIN" -c pg-upsert.conf --headless -q <"$T/csv") \
    >"$T/out1" 2>"$T/err1"
rc=$?
check "run 1: exit 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$T/err1" | head -n 20
check "run 1: $N result lines, all inserts" \
    [ "$(grep -c '^[0-9]*|inserted|[0-9]*$' "$T/out1")" -eq "$N" ]
table
check "run 1: every row once, with its values" cmp -s "$T/table" "$T/want"
check "run 1: the names that look like SQL arrived as data" \
    [ "$(sql -c "SELECT count(*) FROM companies WHERE name LIKE
    '%DROP TABLE companies%'")" -eq $((N / 100)) ]

# --- run 2: changed values, a psql and a worker killed mid-run ----------------
gen 1
(cd "$EX" && exec "$POOLTOP_BIN" -c pg-upsert.conf --headless --name "pg$$" \
    --retries 6 <"$T/csv") >"$T/out2" 2>"$T/log2" &
pid=$!
_bgpids="${_bgpids:-} $pid"
results() { [ "$(wc -l <"$T/out2")" -ge "$1" ]; }
check "run 2: under way" wait_for 60 results 1000
# Pause the pool so the kills land while tasks are in flight, whatever
# the speed of the machine; the kills do not wait for the pause.
"$POOLTOP_BIN" ctl "$pid" pause >/dev/null 2>&1
workers=$(workers_of "$pid")
w1=$(echo "$workers" | sed -n 1p)
w2=$(echo "$workers" | sed -n 2p)
psqls=$(for w in $workers; do pgrep -x -P "$w" psql; done)
victim=$(pgrep -x -P "$w1" psql | head -n 1)
check "run 2: a psql per worker" [ "$(echo "$psqls" | wc -l)" -eq 4 ]
check "run 2: one psql and one other worker to kill" \
    [ -n "$victim" -a -n "$w2" ]
before=$(wc -l <"$T/out2")
check "run 2: not done yet ($before of $N)" [ "$before" -lt "$N" ]
kill -9 "$victim" "$w2"
"$POOLTOP_BIN" ctl "$pid" resume >/dev/null 2>&1
reap "$pid" 120
rc=$?
check "run 2: exit 0 after the kills" [ $rc -eq 0 ]
[ $rc -eq 0 ] || grep -v 'task\.\(start\|done\)' "$T/log2" | sed 's/^/# /' |
    head -n 20
check "run 2: the killed tasks were retried" grep -q "task.retry" "$T/log2"
check "run 2: the worker's death was seen" \
    grep -q "(pid $w2) died during task" "$T/log2"
check "run 2: $N result lines, all updates" \
    [ "$(grep -c '^[0-9]*|updated|[0-9]*$' "$T/out2")" -eq "$N" ]
table
check "run 2: every row once, with the new values" cmp -s "$T/table" "$T/want"
check "run 2: $N rows, no more" [ "$(sql -c "SELECT count(*) FROM companies")" -eq "$N" ]
gone() { for p in $psqls; do [ -d "/proc/$p" ] && return 1; done; return 0; }
check "no psql left" wait_for 10 gone
finish

-- pg-upsert.sql: the table and the function pg-upsert.conf uses.  Run once:
--	psql -X -v ON_ERROR_STOP=1 -f pg-upsert.sql
--
-- pt_upsert_company(record) takes one CSV record "id,name,city,revenue"
-- (fields with a comma or a quote in "...", quotes doubled), inserts or
-- updates that company and returns one line: "id|inserted|revenue" or
-- "id|updated|revenue", or "ERROR: ..." if the record is bad.  It never
-- raises, so each record gives exactly one line.

CREATE TABLE IF NOT EXISTS companies (
	id	bigint PRIMARY KEY,
	name	text NOT NULL,
	city	text NOT NULL,
	revenue	bigint NOT NULL,
	updates	integer NOT NULL DEFAULT 0
);

-- The fields of one CSV record.
CREATE OR REPLACE FUNCTION pt_csv_fields(rec text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT array_agg(CASE WHEN m[1] LIKE '"%'
	    THEN replace(substr(m[1], 2, length(m[1]) - 2), '""', '"')
	    ELSE m[1] END ORDER BY n)
	FROM regexp_matches(rec, '(?:^|,)("(?:[^"]|"")*"|[^,"]*)', 'g')
	    WITH ORDINALITY AS t(m, n)
$$;

CREATE OR REPLACE FUNCTION pt_upsert_company(rec text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	f	text[] := pt_csv_fields(rec);
	res	text;
BEGIN
	IF coalesce(cardinality(f), 0) <> 4 THEN
		RETURN 'ERROR: want 4 fields (id,name,city,revenue), got '
		    || coalesce(cardinality(f), 0);
	END IF;
	INSERT INTO companies AS c (id, name, city, revenue)
	    VALUES (f[1]::bigint, f[2], f[3], f[4]::bigint)
	ON CONFLICT (id) DO UPDATE
	    SET name = EXCLUDED.name, city = EXCLUDED.city,
		revenue = EXCLUDED.revenue, updates = c.updates + 1
	RETURNING c.id || '|' || CASE c.updates WHEN 0 THEN 'inserted'
	    ELSE 'updated' END || '|' || c.revenue INTO res;
	RETURN res;
EXCEPTION WHEN OTHERS THEN
	RETURN 'ERROR: ' || translate(SQLERRM, E'\n\r', '  ');
END
$$;

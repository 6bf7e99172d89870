-- The text output row (issue 13.7): one d = 1024 banditmodel (one arm,
-- fitted on 64 random contexts, so its 1,048,576 A entries and 1,024 b
-- entries carry full-precision digits) and the same doubles as a float8[],
-- which PostgreSQL prints with its own float8out.  Deterministic (setseed).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS artbandit;
DROP TABLE IF EXISTS bench_text;
SELECT setseed(0.13);
CREATE TABLE bench_text AS
WITH ctx AS (
  SELECT i, ARRAY(SELECT random() - 0.5 + 0 * i FROM generate_series(1, 1024))::float8[] AS x
  FROM generate_series(1, 64) i),
fitted AS (SELECT bandit_fit(1, x, (i % 3 = 0)::int) AS model FROM ctx),
arm AS (SELECT model, (model::text)::json -> 'arms' -> 0 AS j FROM fitted)
SELECT model,
       ARRAY(SELECT v::text::float8
             FROM json_array_elements(j -> 'A') WITH ORDINALITY r(row, i),
                  json_array_elements(row) WITH ORDINALITY e(v, k)
             ORDER BY i, k)
       || ARRAY(SELECT v::text::float8 FROM json_array_elements(j -> 'b') WITH ORDINALITY e(v, k) ORDER BY k)
       || ARRAY[(j ->> 'weight')::float8, (j ->> 'sum_wr')::float8, (j ->> 'sum_wr2')::float8]
       AS doubles
FROM arm;
VACUUM ANALYZE bench_text;

-- The growth part's tables (make bench, BENCH_ONLY=growth): how cost grows
-- with rows, arms and dimension.  Deterministic for given sizes (setseed).
--   growth_fit    :fit_rows model-fitting rows, d = 8: a row number i (the
--                 arm is i % K, K chosen by the query), a reward, a context
--   growth_score  :score_rows contexts to score, d = 16, and a row number
--                 (the seed of bandit_act)
--   growth_ope    :ope_rows rows of ope_accumulate's inputs, as bench_log
--   growth_dD     for each D of :dims, the number of rows at the same
--                 position of :dim_rows: i, a reward, a context of D elements
--                 kept inline and uncompressed (STORAGE PLAIN: a d = 256
--                 context is 2 kB and would otherwise go to TOAST, timing
--                 TOAST lookups instead of the functions)
--   growth_model  LinUCB models and their candidates (all K arms, 0 .. K-1):
--                 d = 16 with each K of :arms and K = 8; K = 8 with each D of
--                 :dims; fitted on 40 rows per arm plus 4 per dimension
-- Every input column is float8 (a numeric literal would time the conversion).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS artbandit;
DROP TABLE IF EXISTS growth_fit, growth_score, growth_ope, growth_model;
SELECT format('DROP TABLE IF EXISTS growth_d%s', d) FROM unnest(:'dims'::int[]) d \gexec
SELECT setseed(0.61);

CREATE TABLE growth_fit AS
SELECT i::int8 AS i, (random() < 0.3)::int::float8 AS reward,
       ARRAY[random(), random(), random(), random(),
             random(), random(), random(), 1.0]::float8[] AS x
FROM generate_series(1, :fit_rows) i;

CREATE TABLE growth_score AS
SELECT i::int8 AS i,
       ARRAY[random(), random(), random(), random(), random(), random(), random(), random(),
             random(), random(), random(), random(), random(), random(), random(), 1.0]::float8[] AS x
FROM generate_series(1, :score_rows) i;

CREATE TABLE growth_ope AS
SELECT played::int::float8 AS r, mu, (CASE WHEN la = ta THEN 0.7 ELSE 0.3 / 7 END)::float8 AS pi,
       0.25 + 0.1 * u1 AS q, 0.25 + 0.1 * u2 AS v
FROM (SELECT floor(random() * 8)::int8 AS la, floor(random() * 8)::int8 AS ta,
             random() < 0.3 AS played, ((1 + i % 4) / 10.0)::float8 AS mu,
             random() AS u1, random() AS u2
      FROM generate_series(1, :ope_rows) i) g;

-- one table per dimension; "0 * i" makes the array subquery run per row
SELECT format('CREATE TABLE growth_d%s (i int8, reward float8, x float8[])', d),
       format('ALTER TABLE growth_d%s ALTER COLUMN x SET STORAGE PLAIN', d),
       format('INSERT INTO growth_d%1$s SELECT i, (random() < 0.3)::int::float8, '
              'ARRAY(SELECT random() + 0 * i FROM generate_series(1, %1$s)) '
              'FROM generate_series(1, %2$s) i', d, n)
FROM unnest(:'dims'::int[], :'dim_rows'::int8[]) u(d, n) \gexec

CREATE TABLE growth_model AS
SELECT kd.k, kd.d, bandit_fit((g.i % kd.k)::int8, g.x, g.r) AS model,
       (SELECT array_agg(a::int8 ORDER BY a) FROM generate_series(0, kd.k - 1) a) AS candidates
FROM (SELECT unnest(:'arms'::int[]) AS k, 16 AS d
      UNION SELECT 8, 16
      UNION SELECT 8, unnest(:'dims'::int[])) kd,
     LATERAL (SELECT i, ARRAY(SELECT random() + 0 * i FROM generate_series(1, kd.d))::float8[] AS x,
                     (random() < 0.3)::int::float8 AS r
              FROM generate_series(1, 40 * kd.k + 4 * kd.d) i) g
GROUP BY kd.k, kd.d;

VACUUM ANALYZE growth_fit, growth_score, growth_ope, growth_model;
SELECT format('VACUUM ANALYZE growth_d%s', d) FROM unnest(:'dims'::int[]) d \gexec

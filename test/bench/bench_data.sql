-- The benchmark's log, deterministic for a given :rows (setseed).
--   bench_log  one impression per row, the inputs of the OPE aggregates:
--              la/ta logged and target image (8 images), played/r reward,
--              mu logged propensity, pi target probability of the logged
--              image, q/v reward-model predictions (DR inputs)
--   bench_fit  the same impressions as model-fitting rows: logged image,
--              reward and an 8-dimensional context
--   bench_score  :score_rows contexts (d = 16) with 8 candidate images each
--   bench_vlog  a log for ope_validate_log: ids, candidates, propensities,
--              plays and the logged pmf
--   bench_log12  the first fifth of bench_log with a user id (100 rows per
--              user) and a second policy (pb, vb): the 1.2 aggregates
-- Every input column is float8 (a numeric literal would make it numeric
-- and time the conversion).  Narrow tables on purpose: a wide row would hide the aggregates' cost
-- behind I/O and flatter the ratios.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS artbandit;
DROP TABLE IF EXISTS bench_log, bench_fit, bench_score, bench_log12;
SELECT setseed(0.42);

CREATE TABLE bench_log AS
SELECT la, ta, played, played::int::float8 AS r, mu,
       (CASE WHEN la = ta THEN 0.7 ELSE 0.3 / 7 END)::float8 AS pi,
       0.25 + 0.1 * u1 AS q, 0.25 + 0.1 * u2 AS v
FROM (SELECT floor(random() * 8)::int8 AS la, floor(random() * 8)::int8 AS ta,
             random() < 0.3 AS played, ((1 + i % 4) / 10.0)::float8 AS mu,
             random() AS u1, random() AS u2
      FROM generate_series(1, :rows) i) g;

CREATE TABLE bench_fit AS
SELECT a::int8 AS action, (random() < 0.2 + 0.05 * a + 0.3 * x[1] * x[2])::int::float8 AS reward, x AS context
FROM (SELECT i % 8 AS a,
             ARRAY[random(), random(), random(), random(),
                   random(), random(), random(), 1.0]::float8[] AS x
      FROM generate_series(1, :rows) i) g;

CREATE TABLE bench_score AS
SELECT i, ARRAY(SELECT random() - 0.5 + 0 * i FROM generate_series(1, 16))::float8[] AS x,
       ARRAY(SELECT (i % 4) * 8 + j FROM generate_series(0, 7) j)::int8[] AS candidates
FROM generate_series(1, :score_rows) i;

VACUUM ANALYZE bench_log, bench_fit, bench_score;

-- Scoring: one LinUCB/Thompson model, d = 16, 32 images (8 per show).
DROP TABLE IF EXISTS bench_model, bench_ctx64, bench_big;
CREATE TABLE bench_model AS
SELECT 0 AS id, bandit_fit(candidates[1 + i % 8], x, (random() < 0.2 + 0.2 * x[1 + i % 8])::int)
       AS model
FROM bench_score WHERE i <= 200000;

-- The model cache: 257 distinct d = 64, K = 50 models (the cache of a call
-- site holds 256), and contexts to score them on.
CREATE TABLE bench_ctx64 AS
SELECT i, ARRAY(SELECT cos(i * j + 0 * i) FROM generate_series(1, 64) j)::float8[] AS x64
FROM generate_series(1, 4000) i;
CREATE TABLE bench_big AS
WITH base AS (SELECT bandit_fit(i % 50, x64, (i % 3 = 0)::int) AS model FROM bench_ctx64)
SELECT g AS id, bandit_update(base.model, g % 50, c.x64, g) AS model
FROM base, generate_series(0, 256) g JOIN bench_ctx64 c ON c.i = g + 1;
VACUUM ANALYZE bench_model, bench_ctx64, bench_big;

CREATE TABLE bench_log12 AS
SELECT r, mu, pi, q, v, (CASE WHEN la = ta THEN 0.3 ELSE 0.7 / 7 END)::float8 AS pb,
       (0.5 * q + 0.5 * v)::float8 AS vb, ((row_number() OVER () * 7919) % (:rows / 500))::int8 AS u
FROM bench_log LIMIT (:rows / 5);
VACUUM ANALYZE bench_log12;

-- ope_validate_log: a log with everything it checks (ids, candidates of 8
-- images per show, propensities, plays and the logged pmf); uniform logging.
DROP TABLE IF EXISTS bench_vlog;
CREATE TABLE bench_vlog AS
SELECT i::int8 AS id, (i % 4) * 8 + (i::int8 * 7919) % 8 AS image_id,
       ARRAY(SELECT (i % 4) * 8 + j FROM generate_series(0, 7) j)::int8[] AS candidates,
       0.125::float8 AS propensity, random() < 0.3 AS played,
       array_fill(0.125::float8, ARRAY[8]) AS pmf
FROM generate_series(1, :rows) i;
VACUUM ANALYZE bench_vlog;

-- Per-row cost of scoring against one model: small (d = 8, K = 4) and large
-- (d = 64, K = 50) models through the per-call-site cache, and the large
-- model with the cache defeated (rows cycle through 9 distinct models, one
-- more than the cache holds, so every row decodes, validates and factorises
-- again: the cold path).  Prints microseconds per row, minus a plain scan
-- of the same rows, and the cold/cached ratio.
\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS artbandit;
DROP TABLE IF EXISTS bench_ctx, bench_models, bench_timings;

CREATE TABLE bench_models AS
SELECT g AS model_id, d, k,
       (SELECT bandit_fit(1 + (i * 7 + g) % k,
                          ARRAY(SELECT sin(i * j + g) FROM generate_series(1, d) j),
                          (i % 3 = 0)::int)
        FROM generate_series(1, 40 * k) i) AS model
FROM (VALUES (8, 4, 0), (64, 50, 0), (64, 50, 1), (64, 50, 2), (64, 50, 3), (64, 50, 4),
             (64, 50, 5), (64, 50, 6), (64, 50, 7), (64, 50, 8)) v(d, k, g);
CREATE TABLE bench_ctx AS
SELECT i, ARRAY(SELECT cos(i * j) FROM generate_series(1, 8) j) AS x8,
       ARRAY(SELECT cos(i * j) FROM generate_series(1, 64) j) AS x64
FROM generate_series(1, :rows) i;
VACUUM ANALYZE bench_ctx;
CREATE TABLE bench_timings (name text, rows int, ms float8);

CREATE FUNCTION pg_temp.time_it(name text, query text, n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
BEGIN
    EXECUTE query;      -- warm up
    t0 := clock_timestamp();
    EXECUTE query;
    INSERT INTO bench_timings VALUES (name, n, extract(epoch FROM clock_timestamp() - t0) * 1000);
END $$;

\o /dev/null
SELECT FROM pg_temp.time_it('scan', $q$SELECT sum(array_length(x64, 1) + array_length(x8, 1)) FROM bench_ctx$q$, :rows);
SELECT FROM pg_temp.time_it('small cached (d=8, K=4)',
    $q$SELECT sum((bandit_scores(m.model, x8, NULL, 'linucb'))[1]) FROM bench_ctx,
       (SELECT model FROM bench_models WHERE d = 8) m$q$, :rows);
SELECT FROM pg_temp.time_it('large cached (d=64, K=50)',
    $q$SELECT sum((bandit_scores(m.model, x64, NULL, 'linucb'))[1]) FROM bench_ctx,
       (SELECT model FROM bench_models WHERE d = 64 AND model_id = 0) m$q$, :rows);
SELECT FROM pg_temp.time_it('large cached, greedy (no variance)',
    $q$SELECT sum((bandit_scores(m.model, x64, NULL, 'greedy'))[1]) FROM bench_ctx,
       (SELECT model FROM bench_models WHERE d = 64 AND model_id = 0) m$q$, :rows);
SELECT FROM pg_temp.time_it('large cold (9 models cycling)',
    $q$SELECT sum((bandit_scores(m.model, x64, NULL, 'linucb'))[1]) FROM bench_ctx
       JOIN bench_models m ON m.d = 64 AND m.model_id = i % 9 WHERE i <= 2000$q$, 2000);

\o
WITH base AS (SELECT ms / rows AS per_row FROM bench_timings WHERE name = 'scan')
SELECT name, rows, round(ms::numeric, 1) AS total_ms,
       round((1000 * (ms / rows - CASE WHEN name = 'scan' THEN 0 ELSE base.per_row END))::numeric, 2) AS us_per_row
FROM bench_timings, base ORDER BY ms / rows;

SELECT round(((cold.ms / cold.rows) / (hot.ms / hot.rows))::numeric, 1) AS cold_over_cached_ratio,
       (cold.ms / cold.rows) / (hot.ms / hot.rows) >= 10 AS target_10x_met
FROM bench_timings cold, bench_timings hot
WHERE cold.name LIKE 'large cold%' AND hot.name = 'large cached (d=64, K=50)';

DROP TABLE bench_ctx, bench_models, bench_timings;

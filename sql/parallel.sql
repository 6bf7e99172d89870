-- Parallel aggregation gives the serial answers (1e-12), including workers
-- that see no rows, empty tables, and partitionwise aggregation.
SET extra_float_digits = 0;

CREATE TABLE plog AS
SELECT i AS id, i % 5 AS day, (i * 7) % 4 + 1 AS logged, (i / 3) % 4 + 1 AS target,
       ((i * 31) % 17) / 16.0::float8 AS r,
       (1 + (i * 7919) % 10) / 10.0::float8 AS mu,
       CASE WHEN i % 3 = 0 THEN 0 ELSE ((i * 104729) % 11) / 10.0::float8 END AS pi,
       ((i * 13) % 9) / 8.0::float8 AS q,
       ((i * 17) % 5) / 4.0::float8 AS v,
       (i * 2654435761) % 1000 < 400 AS played
FROM generate_series(1::int8, 100000) i;
INSERT INTO plog (id, day, logged, target, r, mu, pi, q, v, played) VALUES (0, 0, 1, 1, NULL, .5, .5, 0, 0, true);
ANALYZE plog;

-- Whether a query's plan runs partial aggregates under a Gather.
CREATE FUNCTION plan_is_parallel(query text) RETURNS bool LANGUAGE sql AS $$
    SELECT plan_matches(query, 'Gather') AND plan_matches(query, 'Partial Aggregate')
$$;

CREATE TABLE runs (mode text, estimator text, estimate float8, std_error float8,
                   n bigint, n_skipped bigint, n_matched bigint,
                   replay float8, replay_w float8, ips float8, snips float8, dr float8, sndr float8);

CREATE FUNCTION record_run(mode text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO runs
    SELECT mode, o.estimator, o.estimate, o.std_error, d.n, d.n_skipped, d.n_matched,
           a.replay, a.replay_w, a.ips, a.snips, a.dr, a.sndr
    FROM (SELECT ope_accumulate(r, mu, pi, q, v) AS s,
                 replay_take_fraction(logged, target, played) AS replay,
                 replay_take_fraction(logged, target, played, mu) AS replay_w,
                 ips_estimate(r, mu, pi) AS ips, snips_estimate(r, mu, pi) AS snips,
                 dr_estimate(r, mu, pi, q, v) AS dr, sndr_estimate(r, mu, pi, q, v) AS sndr
          FROM plog) a,
         LATERAL ope_report(a.s) o, LATERAL ope_diagnostics(a.s) d
$$;

SET max_parallel_workers_per_gather = 0;
SELECT plan_is_parallel('SELECT ope_accumulate(r, mu, pi, q, v) FROM plog') AS serial_plan_is_parallel;
SELECT record_run('serial');

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
SELECT plan_is_parallel('SELECT ope_accumulate(r, mu, pi, q, v), replay_take_fraction(logged, target, played), ips_estimate(r, mu, pi), dr_estimate(r, mu, pi, q, v) FROM plog') AS parallel_plan_is_parallel;
SELECT record_run('parallel');

SELECT s.estimator,
       abs(p.estimate - s.estimate) <= 1e-12 * abs(s.estimate) AS estimate_same,
       abs(p.std_error - s.std_error) <= 1e-12 * abs(s.std_error) AS std_error_same,
       (p.n, p.n_skipped, p.n_matched) = (s.n, s.n_skipped, s.n_matched) AS counts_same,
       abs(p.replay - s.replay) <= 1e-12 * s.replay AND abs(p.replay_w - s.replay_w) <= 1e-12 * s.replay_w
         AND abs(p.ips - s.ips) <= 1e-12 * s.ips AND abs(p.snips - s.snips) <= 1e-12 * s.snips
         AND abs(p.dr - s.dr) <= 1e-12 * s.dr AND abs(p.sndr - s.sndr) <= 1e-12 * s.sndr AS aggregates_same
FROM runs s JOIN runs p USING (estimator)
WHERE s.mode = 'serial' AND p.mode = 'parallel' ORDER BY s.estimator;

SELECT n, n_skipped FROM runs WHERE mode = 'parallel' LIMIT 1;

-- Three live rows on the first page of a many-page table, two workers and
-- no leader: at least one worker sees no row at all.
-- (statistics from before the delete keep the plan parallel)
CREATE TABLE tiny WITH (autovacuum_enabled = off) AS SELECT * FROM plog;
ANALYZE tiny;
DELETE FROM tiny WHERE id >= 3;
SELECT plan_is_parallel('SELECT ope_accumulate(r, mu, pi) FROM tiny') AS tiny_is_parallel;
SELECT d.n, d.n_matched, ips_ok
FROM (SELECT ope_accumulate(r, mu, pi) AS s,
             ips_estimate(r, mu, pi) = (SELECT avg(pi / mu * r) FROM tiny) AS ips_ok
      FROM tiny) a, LATERAL ope_diagnostics(a.s) d;

-- An empty table in parallel: an empty state, NULL estimates.
CREATE TABLE empty_log (LIKE plog);
SELECT plan_is_parallel('SELECT ope_accumulate(r, mu, pi) FROM empty_log') AS empty_is_parallel;
SELECT (ope_diagnostics(ope_accumulate(r, mu, pi))).n, ips_estimate(r, mu, pi),
       replay_take_fraction(logged, target, played)
FROM empty_log;

-- ope_merge over stored per-day states, in parallel, equals one pass.
CREATE TABLE daily AS
SELECT day, ope_accumulate(r, mu, pi, q, v) AS s FROM plog GROUP BY day;
SELECT ope_merge(s) IS NULL AS merge_of_no_rows_is_null FROM daily WHERE false;
SELECT abs(ope_estimate(m, 'dr') - (SELECT estimate FROM runs WHERE mode = 'serial' AND estimator = 'dr')) < 1e-12 AS merged_dr_same,
       (ope_diagnostics(m)).n = 100000 AS merged_n
FROM (SELECT ope_merge(s) AS m FROM daily) x;

-- A partitioned log with partitionwise aggregation.
CREATE TABLE plog_part (LIKE plog) PARTITION BY LIST (day);
CREATE TABLE plog_p0 PARTITION OF plog_part FOR VALUES IN (0);
CREATE TABLE plog_p1 PARTITION OF plog_part FOR VALUES IN (1);
CREATE TABLE plog_p2 PARTITION OF plog_part FOR VALUES IN (2);
CREATE TABLE plog_p34 PARTITION OF plog_part FOR VALUES IN (3, 4);
INSERT INTO plog_part SELECT * FROM plog;
ANALYZE plog_part;
SET enable_partitionwise_aggregate = on;
SELECT plan_matches('SELECT ope_accumulate(r, mu, pi, q, v) FROM plog_part',
                    'Partial Aggregate[^\n]*\n[^\n]*Parallel Seq Scan on plog_p0') AS per_partition_partials,
       plan_matches('SELECT day, ips_estimate(r, mu, pi) FROM plog_part GROUP BY day',
                    'Append') AS grouped_partitionwise;
SELECT abs(ope_estimate(s, 'sndr') - (SELECT estimate FROM runs WHERE mode = 'serial' AND estimator = 'sndr')) < 1e-12 AS partitioned_same,
       (ope_diagnostics(s)).n_skipped = 1 AS skipped_counted
FROM (SELECT ope_accumulate(r, mu, pi, q, v) AS s FROM plog_part) x;
-- per-partition groups, each against the serial per-day answer
SELECT day, abs(ips_estimate(r, mu, pi) -
                (SELECT avg(pi / mu * r) FROM plog p WHERE p.day = l.day AND r IS NOT NULL)) < 1e-12 AS day_ips_ok
FROM plog_part l GROUP BY day ORDER BY day;


-- The 1.2 states: lambdas, the bootstrap (the same doubles: its replicate
-- weights follow the unit, not the plan), the paired comparison and Recap.
CREATE TABLE runs12 AS SELECT 'x'::text AS mode, 'x'::text AS what, 'x'::text AS estimator,
	0::float8 AS lambda, 0::float8 AS estimate, 0::float8 AS std_error, 0::float8 AS ci_lower LIMIT 0;
CREATE FUNCTION record_run12(mode text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO runs12
    SELECT mode, 'lambdas', o.estimator, o.lambda, o.estimate, o.std_error, o.ci_lower
    FROM (SELECT ope_accumulate(r, mu, pi, q, v, '{0.5,2,Infinity}') AS s FROM plog) a, ope_report(a.s) o
    UNION ALL
    SELECT mode, 'bootstrap', o.estimator, NULL, o.estimate, o.std_error, o.ci_lower
    FROM (SELECT ope_bootstrap(r, mu, pi, q, v, id % 1000, 30, 3) AS s FROM plog) a, ope_bootstrap_report(a.s) o
    UNION ALL
    SELECT mode, 'compare', o.estimator, NULL, o.difference, o.std_error, o.ci_lower
    FROM (SELECT ope_compare(r, mu, pi, (target = 1)::int::float8, q, v, 0.5) AS s FROM plog) a, ope_compare_report(a.s) o
    UNION ALL
    SELECT mode, 'recap', 'recap', NULL, recap_estimate(r, mu, target::int4), NULL, NULL FROM plog
$$;
SET max_parallel_workers_per_gather = 0;
SELECT record_run12('serial');
SET max_parallel_workers_per_gather = 2;
SELECT plan_is_parallel('SELECT ope_bootstrap(r, mu, pi, q, v, id % 1000, 30, 3), ope_compare(r, mu, pi, pi), recap_estimate(r, mu, target::int4), ope_accumulate(r, mu, pi, ''{1}'') FROM plog') AS parallel_12;
SELECT record_run12('parallel');
SELECT what, count(*) AS rows,
       bool_and(abs(p.estimate - s.estimate) <= 1e-12 * abs(s.estimate)
                AND (s.std_error IS NULL OR abs(p.std_error - s.std_error) <= 1e-12 * s.std_error)) AS same_to_1e12,
       bool_and(p.estimate = s.estimate AND p.std_error IS NOT DISTINCT FROM s.std_error
                AND p.ci_lower IS NOT DISTINCT FROM s.ci_lower) AS same_doubles
FROM runs12 s JOIN runs12 p USING (what, estimator)
WHERE s.mode = 'serial' AND p.mode = 'parallel' AND p.lambda IS NOT DISTINCT FROM s.lambda
GROUP BY what ORDER BY what;

DROP TABLE plog, tiny, empty_log, daily, plog_part, runs, runs12;
DROP FUNCTION plan_is_parallel(text), record_run(text), record_run12(text);

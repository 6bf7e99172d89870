-- bandit_fit's transition state (1.2): a banditmodel, which a distributed
-- planner can ship, updated in place while the aggregate runs.  The same
-- model bytes whatever the plan: sorted groups, a hash aggregate that spills
-- to disk, parallel workers, partitions, window frames.  Contexts and
-- rewards are multiples of 1/8 with few rows per arm, so every sum is exact
-- and any order of the rows gives the same bytes; plain SQL sums are the
-- reference.
SET extra_float_digits = 0;
SET max_parallel_workers_per_gather = 0;

-- The aggregates: a banditmodel state, bandit_update / bandit_fit_bool_transition /
-- bandit_merge as transition functions, bandit_merge combining, no serialize
-- functions and no final function.
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggtransfn AS transition, a.aggcombinefn AS combine,
       a.aggtranstype::regtype AS state, a.aggserialfn = 0 AND a.aggdeserialfn = 0 AS no_serialize,
       a.aggfinalfn = 0 AS no_final, p.proparallel AS parallel
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.proname IN ('bandit_fit', 'bandit_merge')
ORDER BY a.aggfnoid::regprocedure::text;

-- 2,000 groups of 20 rows, 7 actions.
CREATE TABLE glog AS
SELECT i, i % 2000 AS g, (i % 7)::int8 AS a,
       ARRAY[1, (i % 8) / 8.0, (i % 5) / 4.0]::float8[] AS x,
       ((i * 7) % 3) / 2.0::float8 AS r, i % 4 = 0 AS played
FROM generate_series(1, 40000) i;
ANALYZE glog;

-- Whether a plan has a hash aggregate that wrote batches to disk.
CREATE FUNCTION hash_agg_spills(query text) RETURNS bool LANGUAGE sql AS $$
    SELECT p ~ 'HashAggregate' AND (regexp_match(p, 'Batches: (\d+)'))[1]::int > 1
           AND p ~ 'Disk Usage: [1-9]'
    FROM plan_text(query, 'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF') p
$$;

-- Sorted groups: the reference plan.
SET enable_hashagg = off;
SELECT plan_matches('SELECT g, bandit_fit(a, x, r) FROM glog GROUP BY g', 'GroupAggregate') AS sorted_plan;
CREATE TABLE sorted_fits AS
SELECT g, bandit_fit(a, x, r) AS m, bandit_fit(a, x, played, 2.0) AS mb FROM glog GROUP BY g;
RESET enable_hashagg;

-- Each group's arms against plain SQL sums of the same rows.
SELECT count(*) AS arms,
       bool_and(s.n = q.n AND s.weight = q.n AND s.mean_reward IS NOT DISTINCT FROM q.mean_r) AS float8_arms_match_sql,
       bool_and(b.n = q.n AND b.weight = 2 * q.n AND b.mean_reward = q.played_rate) AS bool_arms_match_sql
FROM (SELECT g, a, count(*) AS n, avg(r) AS mean_r, avg(played::int) AS played_rate
      FROM glog GROUP BY g, a) q
JOIN sorted_fits f USING (g)
JOIN LATERAL bandit_arms(f.m) s ON s.action = q.a
JOIN LATERAL bandit_arms(f.mb) b ON b.action = q.a;

-- A hash aggregate with 64 kB of work_mem spills most groups to disk and
-- reads them back in batches: the same models, byte for byte.
SET enable_sort = off;
SET work_mem = '64kB';
SELECT hash_agg_spills('SELECT g, bandit_fit(a, x, r), bandit_fit(a, x, played, 2.0) FROM glog GROUP BY g') AS fit_spills;
CREATE TABLE hashed_fits AS
SELECT g, bandit_fit(a, x, r) AS m, bandit_fit(a, x, played, 2.0) AS mb FROM glog GROUP BY g;
SELECT count(*) AS groups,
       bool_and(banditmodel_send(h.m) = banditmodel_send(s.m)) AS float8_same_bytes,
       bool_and(banditmodel_send(h.mb) = banditmodel_send(s.mb)) AS bool_same_bytes
FROM sorted_fits s JOIN hashed_fits h USING (g);
-- bandit_merge of stored models, spilled too, against sorted groups
SELECT hash_agg_spills('SELECT g % 500, bandit_merge(m) FROM sorted_fits GROUP BY 1') AS merge_spills;
CREATE TABLE hashed_merged AS SELECT g % 500 AS k, bandit_merge(m) AS m FROM sorted_fits GROUP BY 1;
RESET enable_sort;
RESET work_mem;
SET enable_hashagg = off;
SELECT count(*) AS merged_groups, bool_and(banditmodel_send(h.m) = banditmodel_send(s.m)) AS merge_same_bytes
FROM hashed_merged h
JOIN (SELECT g % 500 AS k, bandit_merge(m) AS m FROM sorted_fits GROUP BY 1) s USING (k);
-- ... and equal to fitting each group of four at once
SELECT bool_and(banditmodel_send(h.m) = banditmodel_send(f.m)) AS merge_equals_fit
FROM hashed_merged h
JOIN (SELECT g % 500 AS k, bandit_fit(a, x, r) AS m FROM glog GROUP BY 1) f USING (k);
RESET enable_hashagg;

-- Parallel workers with partial states, grouped and not, and a
-- partitioned log aggregated per partition: the serial bytes.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
SELECT plan_matches('SELECT bandit_fit(a, x, r) FROM glog', 'Gather') AND
       plan_matches('SELECT bandit_fit(a, x, r) FROM glog', 'Partial Aggregate') AS fit_is_parallel,
       plan_matches('SELECT g % 10, bandit_fit(a, x, played) FROM glog GROUP BY 1', 'Partial (Hash|Group)Aggregate')
         AS grouped_fit_is_parallel,
       plan_matches('SELECT bandit_merge(m) FROM sorted_fits', 'Partial Aggregate') AS merge_is_parallel;
CREATE TABLE parallel_fits AS
SELECT (SELECT bandit_fit(a, x, r) FROM glog) AS whole,
       (SELECT bandit_merge(m) FROM sorted_fits) AS merged,
       (SELECT array_agg(m ORDER BY k) FROM (SELECT g % 10 AS k, bandit_fit(a, x, played) AS m
                                             FROM glog GROUP BY 1) s) AS grouped;
CREATE TABLE plog (LIKE glog) PARTITION BY LIST ((i % 3));
CREATE TABLE plog_0 PARTITION OF plog FOR VALUES IN (0);
CREATE TABLE plog_1 PARTITION OF plog FOR VALUES IN (1);
CREATE TABLE plog_2 PARTITION OF plog FOR VALUES IN (2);
INSERT INTO plog SELECT * FROM glog;
ANALYZE plog;
SET enable_partitionwise_aggregate = on;
SELECT plan_matches('SELECT bandit_fit(a, x, r) FROM plog',
                    'Partial Aggregate[^\n]*\n[^\n]*Parallel Seq Scan on plog_0') AS per_partition_partials;
SELECT banditmodel_send(bandit_fit(a, x, r)) = (SELECT banditmodel_send(whole) FROM parallel_fits) AS partitioned_same_bytes
FROM plog;
RESET enable_partitionwise_aggregate;
SET max_parallel_workers_per_gather = 0;
SELECT banditmodel_send(p.whole) = (SELECT banditmodel_send(bandit_fit(a, x, r)) FROM glog) AS parallel_fit_same_bytes,
       banditmodel_send(p.merged) = (SELECT banditmodel_send(bandit_merge(m)) FROM sorted_fits) AS parallel_merge_same_bytes,
       p.grouped::text = (SELECT array_agg(m ORDER BY k)::text FROM (SELECT g % 10 AS k, bandit_fit(a, x, played) AS m
                                                                  FROM glog GROUP BY 1) s) AS parallel_grouped_same
FROM parallel_fits p;
-- a worker that sees no row, and an empty table, in parallel
SET max_parallel_workers_per_gather = 2;
CREATE TABLE few WITH (autovacuum_enabled = off) AS SELECT * FROM glog;
ANALYZE few;
DELETE FROM few WHERE i > 3;
SELECT plan_matches('SELECT bandit_fit(a, x, r) FROM few', 'Partial Aggregate') AS few_is_parallel;
SELECT bandit_fit(a, x, r)::text = (SELECT bandit_fit(a, x, r ORDER BY i)::text FROM glog WHERE i <= 3) AS few_rows_fit,
       bandit_merge(bandit_update(NULL, a, x, r))::text = bandit_fit(a, x, r)::text AS few_rows_merge
FROM few;
TRUNCATE few;
SELECT bandit_fit(a, x, r) IS NULL AS empty_fit, bandit_merge(NULL::banditmodel) IS NULL AS empty_merge FROM few;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;

-- A window frame restarts the state when its head moves: every frame's
-- model equals bandit_update applied to the frame's rows in order.
SELECT count(*) AS frames,
       bool_and(w.m::text = (SELECT bandit_fit(a, x, r ORDER BY i)::text FROM glog l
                             WHERE l.i BETWEEN w.i - 4 AND w.i)) AS sliding_frames_same
FROM (SELECT i, bandit_fit(a, x, r) OVER (ORDER BY i ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS m
      FROM glog WHERE i <= 300) w;
CREATE FUNCTION updates_upto(n int) RETURNS banditmodel LANGUAGE plpgsql AS $$
DECLARE
    m banditmodel;
    r record;
BEGIN
    FOR r IN SELECT * FROM glog WHERE i <= n ORDER BY i LOOP
        m := bandit_fit_bool_transition(m, r.a, r.x, r.played);
    END LOOP;
    RETURN m;
END $$;
SELECT bool_and(w.m::text = updates_upto(w.i)::text) AS running_fit_equals_updates
FROM (SELECT i, bandit_fit(a, x, played) OVER (ORDER BY i) AS m FROM glog WHERE i <= 60) w;

-- An aggregate of the user's on bandit_update with an initial model: the
-- initial value is copied before the first row changes it.
CREATE AGGREGATE refit(int8, float8[], float8) (
    SFUNC = bandit_update, STYPE = banditmodel, INITCOND = '{"version":1,"dim":3,"arms":[]}');
SELECT refit(a, x, r)::text = bandit_fit(a, x, r)::text AS initcond_fit,
       (SELECT refit(a, x, r)::text FROM glog WHERE false) AS initcond_no_rows
FROM glog WHERE g = 7;
DROP AGGREGATE refit(int8, float8[], float8);

-- The transition and combine functions called as functions leave their
-- arguments alone and return new models; the bool form is bandit_update
-- with 1 or 0.
CREATE TABLE one AS SELECT bandit_fit(a, x, r) AS m FROM glog WHERE g = 3;
SELECT bandit_fit_bool_transition(m, 1, '{1,0.5,0.25}', true)::text =
       bandit_update(m, 1, '{1,0.5,0.25}', 1.0)::text AS bool_true_is_1,
       bandit_fit_bool_transition(m, 1, '{1,0.5,0.25}', false, 3.0)::text =
       bandit_update(m, 1, '{1,0.5,0.25}', 0.0, 3.0)::text AS bool_false_is_0,
       bandit_fit_bool_transition(NULL, 9, '{1,2}', true)::text AS new_model,
       bandit_fit_bool_transition(m, 1, NULL, true)::text = m::text AS null_context_skipped,
       bandit_fit_bool_transition(NULL, 1, '{1,2}', NULL) IS NULL AS null_reward_no_model,
       (SELECT m FROM one)::text = (SELECT bandit_fit(a, x, r)::text FROM glog WHERE g = 3) AS argument_unchanged
FROM one;
SELECT expect_error($$SELECT bandit_fit_bool_transition(m, 1, '{1,2}', true) FROM one$$) AS wrong_dimension,
       expect_error($$SELECT bandit_fit_bool_transition(NULL, 1, '{1,NaN}', true)$$) AS nan_context,
       expect_error($$SELECT bandit_fit_bool_transition(NULL, 1, '{}', true)$$) AS empty_context,
       expect_error($$SELECT bandit_fit_bool_transition(NULL, 1, '{1}', true, -1)$$) AS negative_weight,
       expect_error($$SELECT bandit_fit_bool_transition('{"version":1,"dim":0,"arms":[]}', 1, '{1}', true)$$) AS bad_model;
SELECT expect_error($$SELECT bandit_merge(m) FROM (SELECT bandit_update(NULL, 1, '{1,2}', 1.0) AS m UNION ALL SELECT m FROM one) s$$)
         AS merge_mismatch,
       expect_error($$SELECT g, bandit_fit(a, CASE WHEN i = 39999 THEN '{1,2}' ELSE x END, r) FROM glog GROUP BY g$$)
         AS fit_mismatch;

DROP TABLE glog, sorted_fits, hashed_fits, hashed_merged, parallel_fits, plog, few, one;
DROP FUNCTION hash_agg_spills(text), updates_upto(int);
RESET max_parallel_workers_per_gather;

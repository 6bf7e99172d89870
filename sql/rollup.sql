-- Scheduled jobs (1.1): daily ope_state rollups per target policy and segment,
-- ranges from stored states, nightly model refresh with versions and rollback.
-- Every stored result is compared with a direct scan written out here by hand.
SET extra_float_digits = 0;
SET client_min_messages = warning;

-- a log with calendar days: 2026-11-01 is the simulator's day 1
CREATE TABLE log AS
SELECT date '2026-10-31' + day AS day, show_id, image_id, context, candidates, propensity, played, minutes
FROM simulate_impressions(6000, 4, 3, 5, 7);
SELECT min(day), max(day), count(*) > 5000 AS enough FROM log;

CREATE TABLE models (
    name text NOT NULL, scope text NOT NULL, version int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), trained_from date, trained_to date,
    n_rows bigint, retired boolean NOT NULL DEFAULT false, model banditmodel NOT NULL,
    PRIMARY KEY (name, scope, version));
CREATE TABLE targets (name text PRIMARY KEY, policy text NOT NULL, model banditmodel NOT NULL,
                      reward_model banditmodel);
CREATE TABLE results (
    day date NOT NULL, policy text NOT NULL, segment_by text NOT NULL DEFAULT '',
    segment text NOT NULL DEFAULT '', state ope_state NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(), definition text,
    PRIMARY KEY (day, policy, segment_by, segment));

-- Model refresh: one model per show over the first 10 days = bandit_fit GROUP BY show_id
SELECT bandit_refresh_models('log', 'models', 'ctr', '2026-11-01', '2026-11-10',
                             scope_column => 'show_id') AS models_written;
SELECT scope, version, trained_from, trained_to, n_rows,
       n_rows = (SELECT count(*) FROM log l WHERE l.show_id::text = m.scope AND l.day <= '2026-11-10') AS n_ok
FROM models m ORDER BY scope;
SELECT bool_and(a.n = b.n AND close(a.weight, b.weight) AND close(a.mean_reward, b.mean_reward)) AS same_arms,
       count(*) AS arms
FROM (SELECT show_id::text AS scope, bandit_fit(image_id, context, played::int) AS model
      FROM log WHERE day <= '2026-11-10' GROUP BY show_id) direct
JOIN models m USING (scope),
     LATERAL bandit_arms(direct.model) a JOIN LATERAL bandit_arms(m.model) b USING (action);

-- Two target policies over all shows' models merged (their images are disjoint)
INSERT INTO targets
SELECT t.name, t.policy, m.model, CASE WHEN t.dr THEN m.model END
FROM (SELECT bandit_merge(model) AS model FROM bandit_current_models('models', 'ctr')) m,
     (VALUES ('greedy', 'greedy', false), ('softmax', 'softmax(temperature=0.2)', true)) t(name, policy, dr);

-- Days 11 to 20, one call per day (what the daily job does)
SELECT sum(ope_rollup_day('log', 'results', 'targets', d::date)) AS states_written
FROM generate_series(date '2026-11-11', date '2026-11-20', interval '1 day') d;

-- A stored day equals the direct computation
CREATE VIEW direct_rows AS
SELECT l.day, l.show_id, l.played::int::float8 AS r, l.propensity AS mu,
       bandit_probability(t.model, l.context, l.candidates, l.image_id, t.policy) AS pi,
       CASE WHEN t.reward_model IS NOT NULL THEN bandit_predict(t.reward_model, l.context, l.image_id) END AS q,
       CASE WHEN t.reward_model IS NOT NULL THEN bandit_value(t.model, l.context, l.candidates, t.policy, t.reward_model) END AS v,
       t.name AS policy
FROM log l CROSS JOIN targets t;
SELECT r.policy, bool_and(close(a.estimate, b.estimate) AND close(a.std_error, b.std_error)) AS same,
       count(*) AS estimators
FROM results r,
     LATERAL (SELECT CASE WHEN r.policy = 'greedy' THEN ope_accumulate(d.r, d.mu, d.pi)
                          ELSE ope_accumulate(d.r, d.mu, d.pi, d.q, d.v) END AS state
              FROM direct_rows d WHERE d.day = r.day AND d.policy = r.policy) direct,
     LATERAL ope_report(r.state) a JOIN LATERAL ope_report(direct.state) b USING (estimator)
WHERE r.day = '2026-11-15'
GROUP BY r.policy ORDER BY r.policy;

-- A range from the stored states equals a direct scan of its rows: every column
CREATE TABLE range_direct AS
SELECT d.policy, e.estimator, e.estimate, e.std_error, e.ci_lower, e.ci_upper, g.n, g.ess, g.match_rate
FROM (SELECT 'greedy' AS policy, ope_accumulate(r, mu, pi) AS state FROM direct_rows
      WHERE policy = 'greedy' AND day BETWEEN '2026-11-12' AND '2026-11-18'
      UNION ALL
      SELECT 'softmax', ope_accumulate(r, mu, pi, q, v) FROM direct_rows
      WHERE policy = 'softmax' AND day BETWEEN '2026-11-12' AND '2026-11-18') d,
     LATERAL ope_report(d.state) e, LATERAL ope_diagnostics(d.state) g;
SELECT s.policy, count(*) AS estimators, bool_and(s.segment = '' AND s.day IS NULL AND s.days = 7) AS shape,
       bool_and(close(s.estimate, d.estimate) AND close(s.std_error, d.std_error)
                AND close(s.ci_lower, d.ci_lower) AND close(s.ci_upper, d.ci_upper) AND s.n = d.n
                AND close(s.ess, d.ess) AND close(s.match_rate, d.match_rate)) AS equals_direct_scan
FROM ope_rollup_report('results', '2026-11-12', '2026-11-18') s
JOIN range_direct d USING (policy, estimator)
GROUP BY s.policy ORDER BY s.policy;
SELECT policy, estimator FROM ope_rollup_report('results', '2026-11-12', '2026-11-18', ARRAY['softmax']);
-- by day: one row per day, policy and estimator
SELECT count(*) AS rows, count(DISTINCT day) AS days, bool_and(days = 1) AS one_day_each
FROM ope_rollup_report('results', '2026-11-11', '2026-11-20', by_day => true);

-- Re-running a day replaces it (same rows, same states); late rows are picked up by re-running
CREATE TABLE before AS SELECT * FROM results WHERE day = '2026-11-12';
SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12') AS rerun;
SELECT count(*) AS rows, bool_and(ope_estimate(r.state, 'snips') = ope_estimate(b.state, 'snips')
                                  AND (ope_diagnostics(r.state)).n = (ope_diagnostics(b.state)).n) AS same
FROM results r JOIN before b USING (day, policy, segment_by, segment);
INSERT INTO log SELECT '2026-11-12', show_id, image_id, context, candidates, propensity, played, minutes
FROM log WHERE day = '2026-11-13' LIMIT 25;
SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12') AS rerun_with_late_rows;
SELECT r.policy, (ope_diagnostics(r.state)).n - (ope_diagnostics(b.state)).n AS late_rows_added
FROM results r JOIN before b USING (day, policy, segment_by, segment) ORDER BY 1;

-- Segments live beside the unsegmented states and add up to them
SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-14', segment_column => 'show_id') AS segments;
SELECT segment_by, count(*) AS states FROM results WHERE day = '2026-11-14' GROUP BY 1 ORDER BY 1;
SELECT s.policy, s.n_sum = a.n AS segments_add_up
FROM (SELECT policy, sum((ope_diagnostics(state)).n) AS n_sum FROM results
      WHERE day = '2026-11-14' AND segment_by = 'show_id' GROUP BY policy) s
JOIN (SELECT policy, (ope_diagnostics(state)).n FROM results
      WHERE day = '2026-11-14' AND segment_by = '') a USING (policy) ORDER BY 1;
SELECT policy, segment, estimator, n > 0 AS has_rows
FROM ope_rollup_report('results', '2026-11-14', '2026-11-14', ARRAY['greedy'], 'show_id')
WHERE estimator = 'snips' ORDER BY segment;

-- A range with no data: empty results; a day with no rows writes nothing
SELECT count(*) AS no_rows FROM ope_rollup_report('results', '2027-01-01', '2027-01-31');
SELECT ope_rollup_day('log', 'results', 'targets', '2027-01-01') AS nothing_written;

-- Never a partial write: the second policy (in name order) fails, so the
-- first one's new states and the day's deletions are all rolled back
INSERT INTO targets SELECT 'zz_broken', 'greedy', bandit_fit(1, '{1,2}', 1), NULL;
CREATE TABLE before_fail AS SELECT * FROM results;
SELECT expect_error($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-15',
                                            ARRAY['greedy', 'zz_broken'])$$) AS dimension_mismatch;
SELECT count(*) = (SELECT count(*) FROM before_fail) AS same_count,
       bool_and(r.computed_at = b.computed_at) AS untouched
FROM results r JOIN before_fail b USING (day, policy, segment_by, segment);
DELETE FROM targets WHERE name = 'zz_broken';

-- Bad input: clear errors
CREATE TABLE wrong_types (day int, image_id text, context float4[], candidates text, played text, propensity text);
CREATE TABLE bad_results (day date, policy text, state ope_state);
SELECT f, expect_error(f) AS result FROM (VALUES
    ($$SELECT ope_rollup_day('no_such_log', 'results', 'targets', '2026-11-12')$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12', day_column => 'no_such_column')$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12', segment_column => 'nope')$$),
    ($$SELECT ope_rollup_day('wrong_types', 'results', 'targets', '2026-11-12')$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12', action_column => 'context')$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12', reward_column => 'context')$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12', propensity_column => 'played')$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12', candidates_column => 'minutes')$$),
    ($$SELECT ope_rollup_day('log', 'bad_results', 'targets', '2026-11-12')$$),
    ($$SELECT ope_rollup_day('log', 'results', 'log', '2026-11-12')$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12', ARRAY['greedy', 'greedy'])$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12', ARRAY['greedy', NULL])$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12', '{}')$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-12', ARRAY['unknown'])$$),
    ($$SELECT ope_rollup_day('log', 'results', 'targets', NULL)$$),
    ($$SELECT ope_rollup_report('results', '2026-11-18', '2026-11-12')$$),
    ($$SELECT ope_rollup_report('results', '2026-11-12', '2026-11-18', ARRAY['greedy', 'greedy'])$$),
    ($$SELECT ope_rollup_report('bad_results', '2026-11-12', '2026-11-18')$$),
    ($$SELECT bandit_refresh_models('log', 'results', 'ctr', '2026-11-01', '2026-11-10')$$),
    ($$SELECT bandit_refresh_models('log', 'models', 'ctr', '2026-11-10', '2026-11-01')$$),
    ($$SELECT bandit_refresh_models('wrong_types', 'models', 'ctr', '2026-11-01', '2026-11-10')$$),
    ($$SELECT bandit_rollback_models('models', 'no_such_model')$$)) v(f)
ORDER BY f;
SELECT count(*) AS results_unchanged_by_errors FROM results WHERE day = '2026-11-12';

-- Caller-named tables and columns are identifiers, never SQL text; a
-- timestamptz day column takes the rows of [day, day + 1) in the session's zone
CREATE TABLE "odd ""log""; DROP TABLE results; --" AS
SELECT (day + CASE WHEN image_id % 2 = 0 THEN time '00:30' ELSE time '23:30' END)::timestamptz AS "the day",
       image_id AS "Image", context, candidates, played, propensity FROM log;
SELECT ope_rollup_day('"odd ""log""; DROP TABLE results; --"', 'results', 'targets', '2026-11-16',
                      day_column => 'the day', action_column => 'Image') AS odd_names_work;
SELECT policy, (ope_diagnostics(state)).n = (SELECT count(*) FROM log WHERE day = '2026-11-16') AS all_rows_of_the_day
FROM results WHERE day = '2026-11-16' ORDER BY 1;

-- Versions and rollback: a refresh adds version 2; rolling back retires it (kept), version 1 is current
SELECT bandit_refresh_models('log', 'models', 'ctr', '2026-11-01', '2026-11-20', scope_column => 'show_id') AS v2_models;
SELECT scope, version FROM bandit_current_models('models', 'ctr') ORDER BY scope;
SELECT bandit_rollback_models('models', 'ctr') AS retired_version;
SELECT scope, version FROM bandit_current_models('models', 'ctr') ORDER BY scope;
SELECT version, retired, count(*) FROM models GROUP BY 1, 2 ORDER BY 1;
SELECT expect_error($$SELECT bandit_rollback_models('models', 'ctr')$$) AS only_one_version_left;
-- a version that brings a new scope cannot be rolled back automatically
SELECT bandit_refresh_models('log', 'models', 'ctr', '2026-11-01', '2026-11-20', scope_column => 'show_id') AS v3_models;
INSERT INTO models (name, scope, version, n_rows, model)
SELECT 'ctr', '5', 3, 1, bandit_fit(1, '{1,2,3,4,5}', 1);
SELECT expect_error($$SELECT bandit_rollback_models('models', 'ctr')$$) AS new_scope;
DELETE FROM models WHERE version = 3;
SELECT bandit_refresh_models('log', 'models', 'ctr', '2027-01-01', '2027-01-31') AS no_data_no_version;

-- A target that gains a reward model mid-range: its basic and DR days cannot
-- be merged, and the report says which policy and why
UPDATE targets SET reward_model = model WHERE name = 'greedy';
SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-19', ARRAY['greedy']) AS now_dr;
-- (the md5 of a fitted model is masked: its last bits may follow the row order)
SELECT regexp_replace(expect_error($$SELECT * FROM ope_rollup_report('results', '2026-11-12', '2026-11-19')$$),
                      'md5:[0-9a-f]{12}', 'md5:...') AS mixed_kinds;
SELECT count(*) AS by_day_still_fine
FROM ope_rollup_report('results', '2026-11-12', '2026-11-19', ARRAY['greedy'], by_day => true);
-- A day re-run with reward_column => 'minutes' records it; a report of plays
-- over that day refuses to mix minutes in and names both definitions
SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-13', ARRAY['softmax'],
                      reward_column => 'minutes') AS minutes_day;
SELECT DISTINCT regexp_replace(definition, 'md5:[0-9a-f]{12}', 'md5:...') AS minutes_definition
FROM results WHERE day = '2026-11-13' AND policy = 'softmax';
SELECT regexp_replace(expect_error($$SELECT * FROM ope_rollup_report('results', '2026-11-12', '2026-11-14', ARRAY['softmax'])$$),
                      'md5:[0-9a-f]{12}', 'md5:...', 'g') AS minutes_among_plays;
SELECT count(*) AS minutes_alone_is_fine
FROM ope_rollup_report('results', '2026-11-13', '2026-11-13', ARRAY['softmax']) WHERE estimator = 'dr';
-- re-running the day with plays makes the range one definition again
SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-13', ARRAY['softmax']) AS plays_again;
SELECT count(*) AS one_definition_again
FROM ope_rollup_report('results', '2026-11-12', '2026-11-14', ARRAY['softmax']) WHERE estimator = 'dr';
SELECT max(version) FROM models;

-- A row whose candidates are NULL is skipped and counted (1.2), never scored
-- against every arm of the target's model (every show's images)
UPDATE log SET candidates = NULL WHERE day = '2026-11-17' AND image_id % 3 = 0;
SELECT ope_rollup_day('log', 'results', 'targets', '2026-11-17') AS states;
SELECT r.policy,
       (ope_diagnostics(r.state)).n_skipped = c.null_candidates AND c.null_candidates > 0 AS null_candidates_skipped,
       (ope_diagnostics(r.state)).n = c.all_rows - c.null_candidates AS the_others_counted
FROM results r,
     (SELECT count(*) FILTER (WHERE candidates IS NULL) AS null_candidates, count(*) AS all_rows
      FROM log WHERE day = '2026-11-17') c
WHERE r.day = '2026-11-17' AND r.segment_by = '' ORDER BY 1;

DROP VIEW direct_rows;
DROP TABLE log, models, targets, results, range_direct, before, before_fail, wrong_types, bad_results,
    "odd ""log""; DROP TABLE results; --";

--
-- ope_warnings: the alarms of ope_diagnostics.warnings and of
-- ope_rollup_report (n_matched, mean_weight, max_weight, warnings), checked
-- against values derived by hand (the mean-weight z statistic recomputed
-- here in numeric from its definition).
--

-- 2000 impressions, 4 images, a target that shows image 1; the shown image
-- cycles 1..4, so the target matches every 4th row
CREATE TABLE w_log AS
SELECT i, 1 + i % 4 AS image_id, (i % 7 = 0) AS played FROM generate_series(0, 1999) i;

-- the right propensity (0.25): mean weight exactly 1, no warning
SELECT d.n, d.n_matched, d.mean_weight, d.max_weight, d.warnings
FROM (SELECT ope_accumulate(played, 0.25, (image_id = 1)::int::float8) AS s FROM w_log) t,
     LATERAL ope_diagnostics(s) d;

-- the bug of the issue: logged 0.5 for 0.25 halves IPS; the mean weight is
-- 0.5 and z = -0.5 / sqrt(sum (w - 0.5)^2 / 1999 / 2000), computed here
WITH w AS (SELECT (image_id = 1)::int * 2.0 AS w FROM w_log),
     z AS (SELECT (avg(w) - 1) / sqrt(sum((w - avg_w) ^ 2) / 1999 / 2000) AS z
           FROM w, (SELECT avg(w) AS avg_w FROM w) a)
SELECT round(z, 1) AS z_by_hand,
       (SELECT d.warnings FROM (SELECT ope_accumulate(played, 0.5, (image_id = 1)::int::float8) AS s FROM w_log) t,
               LATERAL ope_diagnostics(s) d) AS warnings
FROM z;

-- a propensity of 0.9 among four uniform images on a quarter of the rows:
-- per 16 rows the matched weights are 1/0.9 once and 4 three times: mean
-- (1/0.9 + 12) / 16 = 0.8194, caught
SELECT (ope_diagnostics(ope_accumulate(played, CASE WHEN i % 16 < 4 THEN 0.9 ELSE 0.25 END,
                                       (image_id = 1)::int::float8))).warnings
FROM w_log;

-- propensities logged too small (0.125 for 0.25): above 1
SELECT (ope_diagnostics(ope_accumulate(played, 0.125, (image_id = 1)::int::float8))).warnings FROM w_log;

-- propensities rounded to six digits (0.333333 for 1/3): z is huge, but the
-- gap (3e-6) is below 1%: quiet
SELECT (ope_diagnostics(ope_accumulate(played, 0.333333, 1.0 / 3))).warnings AS rounded_quiet FROM w_log;

-- a softmax-like stochastic target (probabilities 0.7/0.1/0.1/0.1), right propensities: quiet
SELECT (ope_diagnostics(ope_accumulate(played, 0.25, CASE WHEN image_id = 1 THEN 0.7 ELSE 0.1 END))).warnings AS stochastic_quiet
FROM w_log;

-- few matched rows and a small effective sample size: 80 rows, 20 matched
SELECT (ope_diagnostics(ope_accumulate(played, 0.25, (image_id = 1)::int::float8))).warnings
FROM w_log WHERE i < 80;

-- one heavy weight: 1/0.01 = 100 among 400 weights of 1 (100 / 500 = 20%; ESS 500^2/10400 = 24.04)
SELECT (ope_diagnostics(ope_accumulate(played, CASE WHEN i = 0 THEN 0.01 ELSE 1 END, 1))).warnings
FROM w_log WHERE i <= 400;

-- rows skipped for a NULL input are a warning; a state of only skipped rows has "no rows"
SELECT (ope_diagnostics(ope_accumulate(CASE WHEN i % 100 = 0 THEN NULL ELSE played END, 0.25,
                                       (image_id = 1)::int::float8))).warnings
FROM w_log;
SELECT (ope_diagnostics(ope_accumulate(NULL::float8, 0.25, 1))).warnings FROM w_log WHERE i < 3;

-- ope_rollup_report: the new columns are those of the merged state
CREATE TABLE w_results (day date, policy text, segment_by text, segment text, state ope_state,
                        computed_at timestamptz, definition text);
INSERT INTO w_results
SELECT date '2026-12-01' + (i / 500), 'target', '', '', ope_accumulate(played, 0.5, (image_id = 1)::int::float8),
       now(), 'reward=played; reward_model=none'
FROM w_log GROUP BY i / 500;
SELECT estimator, n, n_matched, mean_weight, max_weight, days, warnings
FROM ope_rollup_report('w_results', '2026-12-01', '2026-12-04') WHERE estimator IN ('ips', 'snips');
-- per day: 500 rows, 125 matched, the same alarm on each day
SELECT day, n, n_matched, mean_weight, max_weight, array_length(warnings, 1) AS warnings
FROM ope_rollup_report('w_results', '2026-12-01', '2026-12-04', by_day => true) WHERE estimator = 'ips';
-- the report's columns agree with ope_diagnostics of the states merged by SQL
SELECT r.n_matched = d.n_matched AND r.mean_weight = d.mean_weight AND r.max_weight = d.max_weight
       AND r.warnings = d.warnings AS same_as_diagnostics
FROM ope_rollup_report('w_results', '2026-12-01', '2026-12-04') r,
     (SELECT (ope_diagnostics(ope_merge(state))).* FROM w_results) d
WHERE r.estimator = 'ips';

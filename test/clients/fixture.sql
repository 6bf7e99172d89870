-- The tables every client test builds (test/clients/*/): the README's
-- worked-example table, a two-day log with known numbers, its daily states
-- in a results table shaped as in README "Scheduled jobs and dashboards",
-- and that section's ope_last_7_days view.  Each client runs this file
-- itself, then the dashboard queries, and checks what arrives.
--
-- The numbers, by hand (r = played, w = pi / mu):
--   impressions: replay_take_fraction(image_id, target_image, played) = 2/4 = 0.5
--   impressions_log, 8 rows over two days, 5 plays:
--     policy 'greedy' shows image 1 (pi = 1 for image 1, else 0): matched
--     rows 1, 3, 5, 7, 8 with w = 2, 4, 2, 4, 2 and r = 1, 1, 0, 1, 1:
--       snips = (2 + 4 + 4 + 2) / 14 = 6/7, ips = 12/8 = 1.5,
--       dr (q = v = 0.5) = 0.5 + (1 + 2 - 1 + 2 + 1)/8 = 1.125,
--       n = 8, n_matched = 5, match_rate = 0.625, ess = 14^2/44
--     policy 'logging' is the logging policy (pi = mu, w = 1):
--       snips = ips = dr = 5/8 = 0.625, match_rate = 1
-- The clients recompute these from the rows they read (their own
-- arithmetic, not the extension's) and compare with the hand values too.
SET client_min_messages = warning;
DROP VIEW IF EXISTS ope_last_7_days;
DROP TABLE IF EXISTS impressions, impressions_log, ope_daily_results;
RESET client_min_messages;

-- README "A worked example"
CREATE TABLE impressions (
    impression_id bigint, show_id int, image_id bigint, propensity float8,
    played bool, minutes float8, target_image bigint);
INSERT INTO impressions VALUES
    (1, 10, 1, 0.5, true, 42, 1), (2, 10, 2, 0.5, false, 0, 1),
    (3, 10, 1, 0.5, false, 0, 1), (4, 11, 3, 0.25, true, 12, 3),
    (5, 11, 4, 0.75, true, 30, 3), (6, 11, 3, 0.25, false, 0, 3);

-- odd impression ids above 2^53: a JavaScript number cannot hold them
CREATE TABLE impressions_log (
    impression_id bigint, day date, image_id bigint, propensity float8, played bool);
INSERT INTO impressions_log
SELECT 9007199254740991 + 2 * k, current_date - d, image_id, propensity, played
FROM (VALUES (1, 2, 1, 0.5, true), (2, 2, 2, 0.5, false), (3, 2, 1, 0.25, true),
             (4, 2, 3, 0.25, false), (5, 1, 1, 0.5, false), (6, 1, 2, 0.25, true),
             (7, 1, 1, 0.25, true), (8, 1, 1, 0.5, true)) v(k, d, image_id, propensity, played);

-- README "Scheduled jobs and dashboards": the results table and the view.
-- The daily states come from ope_accumulate directly (what ope_rollup_day
-- computes from a targets table), with a constant reward model q = v = 0.5.
CREATE TABLE ope_daily_results (
    day date NOT NULL, policy text NOT NULL, segment_by text NOT NULL DEFAULT '',
    segment text NOT NULL DEFAULT '', state ope_state NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(), definition text,
    PRIMARY KEY (day, policy, segment_by, segment));
INSERT INTO ope_daily_results (day, policy, state, definition)
SELECT day, p.policy,
       ope_accumulate(played::int, propensity,
                      CASE p.policy WHEN 'greedy' THEN (image_id = 1)::int ELSE propensity END,
                      0.5, 0.5),
       'reward=played; reward_model=constant 0.5'
FROM impressions_log, (VALUES ('greedy'), ('logging')) p(policy)
GROUP BY day, p.policy;

CREATE VIEW ope_last_7_days AS
SELECT policy, estimator, estimate, ci_lower, ci_upper, n, ess, match_rate, days
FROM ope_rollup_report('ope_daily_results', current_date - 7, current_date - 1);

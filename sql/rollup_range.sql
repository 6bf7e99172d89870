-- ope_rollup_range: a backfill of many days = ope_rollup_day day by day,
-- with a NOTICE per day whose row count is checked against count(*) of the
-- day below it, and never a partial write.
SET extra_float_digits = 0;
SET client_min_messages = notice;

CREATE TABLE log AS
SELECT date '2026-10-31' + day AS day, show_id, image_id, context, candidates, propensity, played, minutes
FROM simulate_impressions(3000, 4, 3, 5, 7);
CREATE TABLE targets (name text PRIMARY KEY, policy text NOT NULL, model banditmodel NOT NULL,
                      reward_model banditmodel);
INSERT INTO targets
SELECT t.name, t.policy, m.model, CASE WHEN t.dr THEN m.model END
FROM (SELECT bandit_fit(image_id, context, played::int) AS model FROM log WHERE day <= '2026-11-10') m,
     (VALUES ('greedy', 'greedy', false), ('softmax', 'softmax(temperature=0.2)', true)) t(name, policy, dr);
CREATE TABLE results (
    day date NOT NULL, policy text NOT NULL, segment_by text NOT NULL DEFAULT '',
    segment text NOT NULL DEFAULT '', state ope_state NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(), definition text, complete_at timestamptz,
    PRIMARY KEY (day, policy, segment_by, segment));
CREATE TABLE by_day (LIKE results INCLUDING ALL);

-- the rows each NOTICE must report
SELECT day, count(*) AS rows_of_the_day FROM log
WHERE day BETWEEN '2026-11-11' AND '2026-11-14' GROUP BY day ORDER BY day;
SELECT ope_rollup_range('log', 'results', 'targets', '2026-11-11', '2026-11-14') AS states_written;
-- a day without rows: a NOTICE saying 0 rows, nothing written
SELECT ope_rollup_range('log', 'results', 'targets', '2027-01-01', '2027-01-01') AS nothing;

-- equal, state by state, to one ope_rollup_day per day
SET client_min_messages = warning;
SELECT sum(ope_rollup_day('log', 'by_day', 'targets', d::date)) AS states_by_day
FROM generate_series(date '2026-11-11', date '2026-11-14', interval '1 day') d;
SELECT count(*) AS states,
       count(*) FILTER (WHERE r.state::text = b.state::text AND r.definition = b.definition) AS equal
FROM results r FULL JOIN by_day b USING (day, policy, segment_by, segment);

-- the optional arguments reach every day: a segmentation, a policy list, a reward window
SELECT ope_rollup_range('log', 'results', 'targets', '2026-11-15', '2026-11-16', ARRAY['softmax'],
                        segment_column => 'show_id', reward_window => '2 days') AS segmented;
SELECT sum(ope_rollup_day('log', 'by_day', 'targets', d::date, ARRAY['softmax'],
                          segment_column => 'show_id', reward_window => '2 days')) AS segmented_by_day
FROM generate_series(date '2026-11-15', date '2026-11-16', interval '1 day') d;
SELECT count(*) AS states,
       count(*) FILTER (WHERE r.state::text = b.state::text AND r.complete_at = b.complete_at
                        AND r.complete_at = r.day + 1 + interval '2 days') AS equal
FROM results r FULL JOIN by_day b USING (day, policy, segment_by, segment)
WHERE segment_by = 'show_id';

-- an error on one day (a propensity of 0 on 2026-11-19) leaves every day as it was
UPDATE log SET propensity = 0 WHERE ctid = (SELECT min(ctid) FROM log WHERE day = '2026-11-19');
CREATE TABLE before_fail AS SELECT * FROM results;
SELECT expect_error($$SELECT ope_rollup_range('log', 'results', 'targets', '2026-11-11', '2026-11-20')$$) AS bad_day;
SELECT count(*) = (SELECT count(*) FROM before_fail) AS same_count,
       bool_and(r.computed_at = b.computed_at) AS untouched
FROM results r JOIN before_fail b USING (day, policy, segment_by, segment);

-- bad input
SELECT f, expect_error(f) AS result FROM (VALUES
    ($$SELECT ope_rollup_range('log', 'results', 'targets', '2026-11-14', '2026-11-11')$$),
    ($$SELECT ope_rollup_range('log', 'results', 'targets', '2026-11-14', 'infinity')$$),
    ($$SELECT ope_rollup_range('log', 'results', 'targets', '-infinity', '2026-11-11')$$),
    ($$SELECT ope_rollup_range('log', 'results', 'targets', NULL, '2026-11-11')$$),
    ($$SELECT ope_rollup_range('log', NULL, 'targets', '2026-11-11', '2026-11-11')$$),
    ($$SELECT ope_rollup_range('log', 'results', 'targets', '2026-11-11', '2026-11-12', day_column => 'nope')$$),
    ($$SELECT ope_rollup_range('log', 'results', 'targets', '2026-11-11', '2026-11-12', reward_window => '-1 day')$$)
) v(f);

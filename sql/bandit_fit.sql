-- Fitting models: ridge coefficients worked by hand, one model per show,
-- merging, online updates, parallel fits, the text form and bandit_arms.
SET extra_float_digits = 0;

-- Arm 1 sees x = (1, 0) r = 1, x = (0, 1) r = 0, x = (1, 1) r = 1:
-- A = [[2, 1], [1, 2]], b = (2, 1).  At ridge 1, M = A + I = [[3, 1], [1, 3]],
-- M^-1 = [[3, -1], [-1, 3]] / 8, theta = (5/8, 1/8); at x = (1, 2) the
-- prediction is 7/8 and x^T M^-1 x = 11/8.  At ridge 2, theta = (7, 2) / 15.
CREATE TABLE hand (action int8, ctx float8[], r float8);
INSERT INTO hand VALUES (1, '{1,0}', 1), (1, '{0,1}', 0), (1, '{1,1}', 1);
CREATE TABLE hand_model AS SELECT bandit_fit(action, ctx, r) AS m FROM hand;

SELECT m::text FROM hand_model;
SELECT abs(bandit_predict(m, '{1,0}', 1) - 5.0/8) < 1e-15 AS theta1,
       abs(bandit_predict(m, '{0,1}', 1) - 1.0/8) < 1e-15 AS theta2,
       abs(bandit_predict(m, '{1,2}', 1) - 7.0/8) < 1e-15 AS at_1_2,
       abs(bandit_predict(m, '{1,0}', 1, 2) - 7.0/15) < 1e-15 AS ridge2_theta1,
       abs(bandit_predict(m, '{0,1}', 1, 2) - 2.0/15) < 1e-15 AS ridge2_theta2,
       bandit_predict(m, '{1,2}', 99) = 0 AS unseen_action_predicts_0
FROM hand_model;
-- LinUCB's bound adds alpha * sqrt(11/8); an unseen arm's is alpha * |x| / sqrt(ridge)
SELECT abs(s[1] - (7.0/8 + 0.5 * sqrt(11.0/8))) < 1e-15 AS ucb_seen,
       abs(s[2] - 0.5 * sqrt(5.0)) < 1e-15 AS ucb_unseen
FROM (SELECT bandit_scores(m, '{1,2}', '{1,2}', 'linucb(alpha=0.5)') AS s FROM hand_model) x;

-- bandit_arms
SELECT * FROM bandit_arms((SELECT m FROM hand_model));

-- A weighted row counts like repeated rows: weight 2 on (x, r) = twice (x, r).
SELECT bandit_predict(w, '{1,2}', 1) = bandit_predict(t, '{1,2}', 1) AS same_prediction,
       (SELECT n FROM bandit_arms(t)) = 2 * (SELECT n FROM bandit_arms(w)) AS rows_counted
FROM (SELECT bandit_fit(action, ctx, r, 2.0) AS w,
             bandit_fit(action, ctx, r) FILTER (WHERE true) AS t0 FROM hand) a,
     (SELECT bandit_fit(action, ctx, r) AS t FROM (SELECT * FROM hand UNION ALL SELECT * FROM hand) u) b;

-- A log: 20 shows x 4 images, context of dimension 3.
CREATE TABLE log AS
SELECT i AS id, (i % 20) + 1 AS show_id, ((i / 20 * 7) % 4) + 1 + 10 * ((i % 20) + 1) AS image,
       ARRAY[1.0, ((i * 13) % 10) / 10.0, ((i * 17) % 7) / 7.0]::float8[] AS ctx,
       (((i * 2654435761) % 1000) < 200 + 100 * ((i / 20 * 7) % 4))::int::float8 AS played
FROM generate_series(1::int8, 20000) i;

-- One model per show: each has its 4 images as arms.
CREATE TABLE models AS
SELECT show_id, bandit_fit(image, ctx, played) AS model FROM log GROUP BY show_id;
SELECT count(*) AS shows, min(arms) AS min_arms, max(arms) AS max_arms
FROM (SELECT show_id, (SELECT count(*) FROM bandit_arms(model)) AS arms FROM models) x;

-- Merging the models of two halves equals fitting the whole (to rounding).
CREATE TABLE halves AS
SELECT show_id, (id / 20) % 2 AS half, bandit_fit(image, ctx, played) AS model
FROM log GROUP BY show_id, (id / 20) % 2;
SELECT bool_and(abs(bandit_predict(m.model, '{1,0.5,0.5}', a.action) -
                    bandit_predict(h.merged, '{1,0.5,0.5}', a.action)) < 1e-12) AS merged_equals_whole,
       bool_and(a.n = ha.n) AS counts_equal
FROM models m
JOIN (SELECT show_id, bandit_merge(model) AS merged FROM halves GROUP BY show_id) h USING (show_id),
     LATERAL bandit_arms(m.model) a, LATERAL bandit_arms(h.merged) ha
WHERE a.action = ha.action;
-- the two-argument form gives the same
SELECT bool_and(bandit_merge(a.model, b.model)::text = bandit_merge(b.model, a.model)::text) AS commutes,
       bool_and(abs(bandit_predict(bandit_merge(a.model, b.model), '{1,0.2,0.9}', a.show_id * 10 + 2) -
                    bandit_predict(m.model, '{1,0.2,0.9}', a.show_id * 10 + 2)) < 1e-12) AS pairwise_equals_whole
FROM halves a JOIN halves b ON a.show_id = b.show_id AND a.half = 0 AND b.half = 1
JOIN models m ON m.show_id = a.show_id;
SELECT bandit_merge(NULL::banditmodel, NULL) IS NULL AS both_null,
       bandit_merge(m, NULL)::text = m::text AS right_null,
       bandit_merge(NULL, m)::text = m::text AS left_null
FROM hand_model;

-- Online updates in row order equal the fit over the same rows, bit for bit.
CREATE FUNCTION refit_by_updates(s int) RETURNS banditmodel LANGUAGE plpgsql AS $$
DECLARE
    m banditmodel;
    r record;
BEGIN
    FOR r IN SELECT * FROM log WHERE show_id = s ORDER BY id LOOP
        m := bandit_update(m, r.image, r.ctx, r.played);
    END LOOP;
    RETURN m;
END $$;
SELECT refit_by_updates(3)::text =
       (SELECT bandit_fit(image, ctx, played ORDER BY id) FROM log WHERE show_id = 3)::text AS update_equals_fit;
SELECT bandit_update(m, 1, '{1,1}', 1, 3.0)::text =
       (SELECT bandit_fit(action, ctx, r, w) FROM (SELECT action, ctx, r, 1.0 AS w FROM hand
                                                  UNION ALL SELECT 1, '{1,1}', 1, 3.0) x)::text AS weighted_update
FROM hand_model;

-- The text form round-trips exactly, and so does binary (send/recv).
SELECT bool_and(model::text::banditmodel::text = model::text) AS text_round_trip FROM models;

-- Fitting in parallel gives the serial models (to rounding), also with a
-- worker that sees no rows.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
SELECT plan_text('SELECT bandit_fit(image, ctx, played) FROM log') ~ 'Partial Aggregate' AS fit_is_parallel;
CREATE TABLE parallel_model AS SELECT bandit_fit(image, ctx, played) AS model FROM log;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE serial_model AS SELECT bandit_fit(image, ctx, played) AS model FROM log;
SELECT bool_and(abs(bandit_predict(p.model, '{1,0.3,0.6}', a.action) -
                    bandit_predict(s.model, '{1,0.3,0.6}', a.action)) < 1e-12) AS parallel_equals_serial,
       sum(a.n) AS rows_fitted
FROM parallel_model p, serial_model s, LATERAL bandit_arms(s.model) a;
RESET max_parallel_workers_per_gather;

-- Context values below 1e-162 square to zero while their products with
-- other values do not; such models still pass their own validation, store
-- and read back, also through a parallel plan (partial states are validated
-- when deserialised).
CREATE TABLE tiny_log AS
SELECT (i % 3)::int8 AS a, ARRAY[1.0, exp(-500.0)]::float8[] AS x, 1.0::float8 AS r
FROM generate_series(1, 30000) i;
CREATE TABLE tiny_model AS SELECT bandit_fit(a, x, r) AS m FROM tiny_log;
SELECT m::text::banditmodel::text = m::text AS tiny_round_trip FROM tiny_model;
SELECT bandit_fit(1, ARRAY[1.0], 1e-170)::text::banditmodel IS NOT NULL AS tiny_reward_round_trip;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT plan_text('SELECT bandit_fit(a, x, r) FROM tiny_log') ~ 'Partial Aggregate' AS tiny_fit_is_parallel;
SELECT bandit_fit(a, x, r)::text = (SELECT m::text FROM tiny_model) OR
       bandit_fit(a, x, r) IS NOT NULL AS tiny_parallel_fit_ok
FROM tiny_log;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE tiny_log, tiny_model;

-- No rows, or only rows with NULLs: NULL, as SQL aggregates do.
SELECT bandit_fit(image, ctx, played) IS NULL AS no_rows FROM log WHERE false;
SELECT bandit_fit(NULL::int8, ctx, played) IS NULL AS null_rows_skipped FROM log WHERE id < 5;
SELECT bandit_merge(model) IS NULL AS merge_no_rows FROM models WHERE false;

DROP TABLE hand, hand_model, log, models, halves, parallel_model, serial_model;
DROP FUNCTION refit_by_updates(int);

-- artbandit demo: which artwork should each show display?
--
-- 1. simulate a uniform-exploration log of artwork impressions (the truth is
--    known: every row carries the true play probability of every image);
-- 2. fit one contextual bandit per show on the first 20 days;
-- 3. on the 10 held-out days, evaluate six policies by replay, IPS, SNIPS,
--    DM, DR and SNDR with 95% intervals, beside each policy's true take
--    fraction;
-- 4. log again with a non-uniform (softmax) policy and show that plain replay
--    is then biased while the propensity-weighted estimates are not;
-- 5. with 16 images per show (matches are few): clipping, switching and
--    shrinkage tuned from the data, Recap, and the paired comparison of the
--    learned policy against the logging policy;
-- 6. write the chart's numbers (CSV, drawn by demo/plot_chart.py) and check the
--    claims (an ERROR if one fails).
-- Parameters (psql -v): rows (default 2000000), chart_data (CSV path).
-- Before each step that takes more than a few seconds it says what it does,
-- and after it how long it took.
\set ON_ERROR_STOP 1
\if :{?rows}
\else
\set rows 2000000
\endif
\if :{?chart_data}
\else
\set chart_data artbandit-demo.csv
\endif
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS artbandit;
DROP SCHEMA IF EXISTS artbandit_demo CASCADE;
CREATE SCHEMA artbandit_demo;
SET search_path = artbandit_demo, public;
\timing off

\echo
\echo '=== artbandit demo: which artwork should a show display? ==='
\echo 'Simulating' :rows 'impressions: 200 shows x 4 images, 30 days, a 16-dimensional context'
\echo '(hashed genres played, country, language, day of week, time of day), uniform random images.'
SELECT clock_timestamp() AS step_started \gset
CREATE UNLOGGED TABLE log AS
SELECT * FROM simulate_impressions(:rows, 200, 4, 16, 20261129);
ANALYZE log;
SELECT round(extract(epoch FROM clock_timestamp() - :'step_started')::numeric, 1) AS step_secs \gset
\echo '    done in' :step_secs 's'

\echo
\echo 'Training on days 1-20: one contextual model per show (bandit_fit ... GROUP BY show_id),'
\echo 'and the single best image per show (the non-contextual alternative).'
SELECT clock_timestamp() AS step_started \gset
CREATE TABLE models AS
SELECT show_id, bandit_fit(image_id, context, played::int) AS model
FROM log WHERE day <= 20 GROUP BY show_id;
CREATE TABLE best_image AS
SELECT DISTINCT ON (show_id) show_id, image_id
FROM (SELECT show_id, image_id, avg(played::int) AS rate FROM log WHERE day <= 20 GROUP BY 1, 2) r
ORDER BY show_id, rate DESC, image_id;
SELECT round(extract(epoch FROM clock_timestamp() - :'step_started')::numeric, 1) AS step_secs \gset
\echo '    done in' :step_secs 's'

CREATE TABLE policies (policy text PRIMARY KEY, kind text, spec text, ord int);
INSERT INTO policies VALUES
    ('uniform random', 'fixed', 'uniform', 1),
    ('best image per show', 'best', NULL, 2),
    ('greedy', 'model', 'greedy', 3),
    ('linucb', 'model', 'linucb(alpha=0.5)', 4),
    ('softmax', 'model', 'softmax(temperature=0.02)', 5),
    ('thompson', 'model', 'thompson(scale=0.5)', 6);

ANALYZE policies;

\echo
\echo 'Scoring days 21-30: each model''s predictions per row, each policy''s probabilities, the truth.'
SELECT clock_timestamp() AS step_started \gset

-- Per held-out row: the reward model's prediction for every candidate (q).
-- Per held-out row and policy: the target probability of the logged image
-- (pi), the truth sum_a pi(a|x) p(x, a), and for DR the prediction for the
-- logged image (q_logged) and the reward model's value of the policy
-- (v_target).  OFFSET 0 keeps each policy's probabilities computed once.
CREATE UNLOGGED TABLE held_out AS
SELECT l.*, m.model, b.image_id AS best, bandit_scores(m.model, l.context, l.candidates) AS q
FROM log l JOIN models m USING (show_id) JOIN best_image b USING (show_id)
WHERE l.day > 20;
ANALYZE held_out;

CREATE UNLOGGED TABLE eval AS
SELECT p.policy, h.day, h.image_id, h.played::int AS r, h.propensity AS mu,
       x.pi_all[array_position(h.candidates, h.image_id)] AS pi,
       h.q[array_position(h.candidates, h.image_id)] AS q_logged,
       policy_value(x.pi_all, h.q) AS v_target,
       policy_value(x.pi_all, h.play_probabilities) AS truth
FROM held_out h CROSS JOIN policies p,
     LATERAL (SELECT CASE p.kind
                 WHEN 'fixed' THEN array_fill(1.0 / array_length(h.candidates, 1),
                                              ARRAY[array_length(h.candidates, 1)])::float8[]
                 WHEN 'best' THEN ARRAY(SELECT (c = h.best)::int::float8 FROM unnest(h.candidates) c)
                 ELSE bandit_probabilities(h.model, h.context, h.candidates, p.spec)
              END AS pi_all
              OFFSET 0) x;

CREATE TABLE results AS
SELECT e.policy, ope_accumulate(e.r, e.mu, e.pi, e.q_logged, e.v_target) AS state, avg(e.truth) AS truth
FROM eval e GROUP BY e.policy;
SELECT round(extract(epoch FROM clock_timestamp() - :'step_started')::numeric, 1) AS step_secs \gset
\echo '    done in' :step_secs 's'

\echo
\echo 'Held-out days 21-30: estimates with 95% intervals, beside the true take fraction.'
\echo '  replay = mean reward where the logged image is the one the policy would show (weighted by pi);'
\echo '  ips/snips weight by pi/propensity; dm uses the reward model only; dr/sndr combine both.'
SELECT r.policy, o.estimator, round(o.estimate::numeric, 4) AS estimate,
       round(o.ci_lower::numeric, 4) AS ci_lower, round(o.ci_upper::numeric, 4) AS ci_upper,
       round(r.truth::numeric, 4) AS truth, r.truth BETWEEN o.ci_lower AND o.ci_upper AS covers_truth
FROM results r JOIN policies p USING (policy), ope_report(r.state) o
ORDER BY p.ord, array_position(ARRAY['replay', 'ips', 'snips', 'dm', 'dr', 'sndr'], o.estimator);

\echo
\echo 'Diagnostics: how much of the log each policy can use.'
SELECT r.policy, d.n, round(d.match_rate::numeric, 3) AS match_rate, round(d.ess) AS ess,
       round(d.max_weight::numeric, 2) AS max_weight, round(d.mean_weight::numeric, 4) AS mean_weight
FROM results r JOIN policies p USING (policy), ope_diagnostics(r.state) d ORDER BY p.ord;

\echo
\echo 'Non-uniform logging: the same world logged again (another seed) by a softmax policy of the'
\echo 'trained models, whose propensities simulate_impressions logs.  Plain replay (no propensities)'
\echo 'is biased towards what the logging policy liked; weighting by the propensity recovers the truth.'
SELECT clock_timestamp() AS step_started \gset
CREATE UNLOGGED TABLE log2 AS
SELECT s.* FROM (SELECT bandit_merge(model) AS m FROM models) all_models,
     simulate_impressions(:rows / 4, 200, 4, 16, 4242, 'softmax(temperature=0.1)', all_models.m) s;
CREATE TABLE replay2 AS
WITH t AS (
    SELECT l.*, b.image_id AS best, 1.0 / array_length(l.candidates, 1) AS pi_uniform
    FROM log2 l JOIN best_image b USING (show_id))
SELECT 1 AS ord, 'uniform random' AS policy,
       ope_accumulate(played::int, propensity, pi_uniform) AS state,
       NULL::float8 AS replay_plain, NULL::float8 AS replay_weighted,
       avg((SELECT avg(p) FROM unnest(play_probabilities) p)) AS truth
FROM t
UNION ALL
SELECT 2, 'best image per show',
       ope_accumulate(played::int, propensity, (image_id = best)::int),
       replay_take_fraction(image_id, best, played),
       replay_take_fraction(image_id, best, played, propensity),
       avg(play_probabilities[array_position(candidates, best)])
FROM t;
SELECT round(extract(epoch FROM clock_timestamp() - :'step_started')::numeric, 1) AS step_secs \gset
\echo '    done in' :step_secs 's'
SELECT policy, round(ope_estimate(state, 'replay')::numeric, 4) AS replay_plain,
       round(replay_take_fraction_plain::numeric, 4) AS replay_take_fraction_plain,
       round(replay_take_fraction_weighted::numeric, 4) AS replay_take_fraction_weighted,
       round(ope_estimate(state, 'snips')::numeric, 4) AS snips, round(ope_estimate(state, 'ips')::numeric, 4) AS ips,
       round(truth::numeric, 4) AS truth
FROM (SELECT ord, policy, state, truth, replay_plain AS replay_take_fraction_plain,
             replay_weighted AS replay_take_fraction_weighted FROM replay2) x
ORDER BY ord;

\echo
\echo 'Many images per show: 100 shows x 16 images, uniform exploration, so the learned (greedy)'
\echo 'policy matches the logged image once in 16 rows: replay and IPS intervals are wide.  Clipping,'
\echo 'switching and shrinkage trade bias for variance as lambda falls; ope_tune picks lambda from the'
\echo 'data (SLOPE) and says why; Recap narrows the interval further at the price of a bias.'
SELECT clock_timestamp() AS step_started \gset
CREATE UNLOGGED TABLE log3 AS
SELECT * FROM simulate_impressions(:rows / 2, 100, 16, 16, 20261207);
CREATE TABLE models3 AS
SELECT show_id, bandit_fit(image_id, context, played::int) AS model
FROM log3 WHERE day <= 20 GROUP BY show_id;
-- per held-out row: greedy's probability of the logged image, the reward
-- model's q and v for greedy and for the logging policy, Recap's rank, truth
CREATE UNLOGGED TABLE eval3 AS
SELECT l.played::int AS r, l.propensity AS mu,
       x.pg[k] AS pi, x.q[k] AS q_logged, policy_value(x.pg, x.q) AS v_greedy,
       policy_value(x.pl, x.q) AS v_logging,
       bandit_rank(m.model, l.context, l.candidates, l.image_id, 'greedy') AS rank,
       policy_value(x.pg, l.play_probabilities) AS truth,
       policy_value(x.pl, l.play_probabilities) AS truth_logging
FROM log3 l JOIN models3 m USING (show_id),
     LATERAL array_position(l.candidates, l.image_id) k,
     LATERAL (SELECT bandit_probabilities(m.model, l.context, l.candidates, 'greedy') AS pg,
                     bandit_probabilities(m.model, l.context, l.candidates, 'uniform') AS pl,
                     bandit_scores(m.model, l.context, l.candidates) AS q OFFSET 0) x
WHERE l.day > 20;
CREATE TABLE results3 AS
SELECT ope_accumulate(r, mu, pi, q_logged, v_greedy, '{2,4,8,16,32,64,Infinity}') AS state,
       ope_accumulate(r, mu, 1.0 / rank) AS recap_state,
       ope_compare(r, mu, mu, pi, q_logged, v_logging, v_greedy) AS lift,
       avg(truth) AS truth, avg(truth_logging) AS truth_logging, count(*) AS n
FROM eval3;
CREATE TABLE many_images AS
SELECT o.estimator || coalesce(' (lambda ' || o.lambda || ')', '') AS estimator, o.estimate, o.ci_lower, o.ci_upper,
       o.ci_upper - o.ci_lower AS width, r.truth, CASE WHEN o.lambda IS NULL THEN 1 ELSE 4 END AS ord,
       o.lambda
FROM results3 r, ope_report(r.state) o
WHERE o.estimator IN ('replay', 'ips', 'snips', 'dr', 'switch_dr', 'dr_os')
UNION ALL
SELECT t.estimator || ' tuned by ' || m.method || ' (lambda ' || t.lambda || ')', t.estimate, t.ci_lower, t.ci_upper,
       t.ci_upper - t.ci_lower, r.truth, 2, t.lambda
FROM results3 r, (VALUES ('slope'), ('mse')) m(method), (VALUES ('switch_dr'), ('dr_os')) e(est),
     ope_tune(r.state, e.est, m.method) t
UNION ALL
SELECT 'recap (snips with target probability 1/rank)', o.estimate, o.ci_lower, o.ci_upper,
       o.ci_upper - o.ci_lower, r.truth, 3, NULL
FROM results3 r, ope_report(r.recap_state) o WHERE o.estimator = 'snips';
SELECT round(extract(epoch FROM clock_timestamp() - :'step_started')::numeric, 1) AS step_secs \gset
\echo '    done in' :step_secs 's'
SELECT estimator, round(estimate::numeric, 4) AS estimate, round(ci_lower::numeric, 4) AS ci_lower,
       round(ci_upper::numeric, 4) AS ci_upper, round(width::numeric, 4) AS width,
       round(truth::numeric, 4) AS truth, truth BETWEEN ci_lower AND ci_upper AS covers_truth
FROM many_images ORDER BY ord, split_part(estimator, ' ', 1), lambda DESC, estimator;
SELECT reason FROM results3 r, ope_tune(r.state, 'dr_os') ORDER BY 1;
\echo 'Recap estimates a rank-weighted take fraction, not greedy''s own: its narrow interval comes'
\echo 'with a bias, shown against the truth above.  The small lambdas lean on the reward model,'
\echo 'whose predictions for the image greedy picks are inflated (the winner among 16 noisy'
\echo 'scores): their narrow intervals are around a biased value, which SLOPE detects.'

\echo
\echo 'Is the learned greedy policy better than the production (logging) policy?  The paired'
\echo 'comparison on the same rows (ope_compare, target_a = the logging propensity):'
SELECT c.estimator, round(c.value_a::numeric, 4) AS logging, round(c.value_b::numeric, 4) AS greedy,
       round(c.difference::numeric, 4) AS lift, round(c.ci_lower::numeric, 4) AS ci_lower,
       round(c.ci_upper::numeric, 4) AS ci_upper, c.p_value < 0.001 AS p_below_0_001,
       round((r.truth - r.truth_logging)::numeric, 4) AS true_lift
FROM results3 r, ope_compare_report(r.lift) c ORDER BY c.estimator;

-- The chart's numbers, one row per estimate with its interval and the truth:
-- panel 1 the table of held-out estimates above, panel 2 the non-uniform
-- logging (plain replay against the weighted estimates).  demo/plot_chart.py
-- draws them as they are.
SELECT * FROM (
    SELECT 1 AS panel, p.ord, r.policy, o.estimator, o.estimate, o.ci_lower, o.ci_upper, r.truth
    FROM results r JOIN policies p USING (policy), ope_report(r.state) o
    UNION ALL
    SELECT 2, x.ord, x.policy, o.estimator, o.estimate, o.ci_lower, o.ci_upper, x.truth
    FROM replay2 x, ope_report(x.state) o WHERE o.estimator IN ('replay', 'ips', 'snips')) c
ORDER BY panel, ord, array_position(ARRAY['replay', 'ips', 'snips', 'dm', 'dr', 'sndr'], estimator)
\g (format=csv tuples_only=off) :chart_data
\echo
\echo 'Chart data written to' :chart_data

-- The claims, checked: an ERROR here fails `make demo` (and CI).
CREATE TABLE claims AS
WITH truth AS (SELECT policy, truth FROM results),
widths AS (
    SELECT r.policy, max(o.ci_upper - o.ci_lower) FILTER (WHERE o.estimator = 'dr') AS dr_width,
           max(o.ci_upper - o.ci_lower) FILTER (WHERE o.estimator = 'ips') AS ips_width
    FROM results r, ope_report(r.state) o GROUP BY r.policy),
coverage AS (
    SELECT count(*) FILTER (WHERE r.truth BETWEEN o.ci_lower AND o.ci_upper) AS covered, count(*) AS total
    FROM results r, ope_report(r.state) o WHERE o.estimator IN ('ips', 'snips', 'dr', 'sndr')),
replay_bias AS (
    SELECT x.policy, abs(ope_estimate(x.state, 'replay') - x.truth) / o.std_error AS plain_z,
           abs(o.estimate - x.truth) / o.std_error AS weighted_z
    FROM replay2 x, ope_report(x.state) o WHERE o.estimator = 'snips')
SELECT 1 AS ord, 'contextual policies beat the best single image, which beats random' AS claim,
       (SELECT min(truth) FROM truth WHERE policy IN ('greedy', 'linucb', 'thompson')) >
           (SELECT truth FROM truth WHERE policy = 'best image per show') AND
       (SELECT truth FROM truth WHERE policy = 'best image per show') >
           (SELECT truth FROM truth WHERE policy = 'uniform random') AS holds,
       format('true take fractions: contextual >= %s, best image %s, random %s',
              round((SELECT min(truth) FROM truth WHERE policy IN ('greedy', 'linucb', 'thompson'))::numeric, 4),
              round((SELECT truth FROM truth WHERE policy = 'best image per show')::numeric, 4),
              round((SELECT truth FROM truth WHERE policy = 'uniform random')::numeric, 4)) AS detail
UNION ALL
SELECT 2, 'the DR interval is narrower than the IPS interval for every learned or fixed-image policy',
       bool_and(dr_width < ips_width) FILTER (WHERE policy <> 'uniform random'),
       format('DR/IPS width ratio from %s to %s (uniform random: %s, where IPS is already a plain mean)',
              round(min(dr_width / ips_width) FILTER (WHERE policy <> 'uniform random')::numeric, 3),
              round(max(dr_width / ips_width) FILTER (WHERE policy <> 'uniform random')::numeric, 3),
              round(max(dr_width / ips_width) FILTER (WHERE policy = 'uniform random')::numeric, 3))
FROM widths
UNION ALL
SELECT 3, 'the 95% intervals of IPS, SNIPS, DR and SNDR cover the truth (at least 20 of 24)',
       covered >= 20, format('%s of %s cover', covered, total)
FROM coverage
UNION ALL
SELECT 4, 'under non-uniform logging plain replay is biased, the weighted estimate is not',
       bool_and(plain_z > 4 AND weighted_z < 3),
       string_agg(format('%s: plain off by %s SE, weighted by %s SE', policy,
                         round(plain_z::numeric, 1), round(weighted_z::numeric, 1)), '; ')
FROM replay_bias
UNION ALL
SELECT 5, 'at 16 images, Switch-DR and DR-os trade bias for variance (each smaller lambda a narrower interval), and SLOPE''s choice covers the truth',
       bool_and(monotone) AND (SELECT bool_and(truth BETWEEN ci_lower AND ci_upper) FROM many_images WHERE estimator LIKE '% slope %'),
       string_agg(format('%s: width %s at lambda Infinity, %s at lambda 2', e, round(w_inf::numeric, 4), round(w_2::numeric, 4)), '; ')
FROM (SELECT split_part(estimator, ' ', 1) AS e,
             bool_and(width <= next_width) AS monotone,
             max(width) FILTER (WHERE lambda = 'Infinity') AS w_inf, max(width) FILTER (WHERE lambda = 2) AS w_2
      FROM (SELECT estimator, lambda, width,
                   lead(width) OVER (PARTITION BY split_part(estimator, ' ', 1) ORDER BY lambda) AS next_width
            FROM many_images WHERE ord = 4) g
      GROUP BY 1) m
UNION ALL
SELECT 6, 'Recap''s interval is narrower than replay''s (under two thirds), at the price of a bias',
       rc.width < 2.0 / 3 * rp.width,
       format('Recap width %s vs replay %s (%s x); Recap %s vs greedy''s truth %s (off by %s)',
              round(rc.width::numeric, 4), round(rp.width::numeric, 4), round((rc.width / rp.width)::numeric, 2),
              round(rc.estimate::numeric, 4), round(rc.truth::numeric, 4), round((rc.estimate - rc.truth)::numeric, 4))
FROM many_images rc, many_images rp WHERE rc.ord = 3 AND rp.estimator = 'replay'
UNION ALL
SELECT 7, 'the paired interval of greedy minus logging excludes 0, covers the true lift, and is narrower than the two separate intervals combined',
       bool_and(c.ci_lower > 0 AND (r.truth - r.truth_logging) BETWEEN c.ci_lower AND c.ci_upper
                AND c.std_error < sqrt(a.std_error ^ 2 + b.std_error ^ 2)),
       string_agg(format('%s: lift %s [%s, %s], paired se %s vs separate %s', c.estimator, round(c.difference::numeric, 4),
                         round(c.ci_lower::numeric, 4), round(c.ci_upper::numeric, 4), round(c.std_error::numeric, 5),
                         round(sqrt(a.std_error ^ 2 + b.std_error ^ 2)::numeric, 5)), '; ')
FROM results3 r, ope_compare_report(r.lift) c,
     LATERAL (SELECT std_error FROM ope_report((SELECT ope_accumulate(e.r, e.mu, e.mu, e.q_logged, e.v_logging) FROM eval3 e))
              WHERE estimator = c.estimator) a,
     LATERAL (SELECT std_error FROM ope_report(r.state) WHERE estimator = c.estimator AND lambda IS NULL) b
WHERE c.estimator IN ('dr', 'ips');

\echo
\echo 'The claims of the demo, checked:'
SELECT claim, holds, detail FROM claims ORDER BY ord;

DO $$
DECLARE
    failed text := (SELECT string_agg(claim, '; ') FROM artbandit_demo.claims WHERE NOT holds);
BEGIN
    IF failed IS NOT NULL THEN
        RAISE EXCEPTION 'demo claim failed: %', failed;
    END IF;
END $$;
SET client_min_messages = notice;
\echo
\echo 'The demo''s tables are in schema artbandit_demo (log, models, held_out, eval, results, log2,'
\echo 'replay2, log3, models3, eval3, results3, many_images, claims).'

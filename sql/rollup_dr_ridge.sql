-- ope_rollup_day's DR states take q_logged and v_target from one reward model
-- at one ridge (1.2): the target's reward_ridge, 1 by default, whatever the
-- policy's own ridge.  On a uniformly logged day, a target equal to the
-- logging policy has w = 1 on every row, so DR - IPS = mean(v - q), whose
-- expectation is 0: DR must lie within its interval of IPS.  (1.1 took v at
-- the policy's ridge and q at ridge 1: for 'uniform(ridge=1e6)' DR was
-- 0.0021 where IPS was 0.1500.)
SET extra_float_digits = 0;
SET client_min_messages = warning;
\set VERBOSITY terse

CREATE TABLE dr_log AS
SELECT date '2026-12-01' AS day, image_id, context, candidates, propensity, played
FROM simulate_impressions(20000, 5, 3, 6, 42);
SELECT count(*) AS rows, round(avg(played::int), 4) AS mean_reward FROM dr_log;

CREATE TABLE dr_targets (name text PRIMARY KEY, policy text NOT NULL, model banditmodel NOT NULL,
                         reward_model banditmodel, reward_ridge float8);
INSERT INTO dr_targets
SELECT format('%s/%s', p.ridge, coalesce(q.ridge::text, 'default')), format('uniform(ridge=%s)', p.ridge), m.model,
       m.model, q.ridge
FROM (SELECT bandit_fit(image_id, context, played::int) AS model FROM dr_log) m,
     (VALUES ('1'), ('100'), ('1e6')) p(ridge),
     (VALUES (NULL::float8), (100), (1e6)) q(ridge);
CREATE TABLE dr_results (
    day date NOT NULL, policy text NOT NULL, segment_by text NOT NULL DEFAULT '',
    segment text NOT NULL DEFAULT '', state ope_state NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(), definition text,
    PRIMARY KEY (day, policy, segment_by, segment));
SELECT ope_rollup_day('dr_log', 'dr_results', 'dr_targets', '2026-12-01') AS states;

-- policy ridge / reward ridge: IPS is the mean reward, DR within its interval of it
SELECT policy, round(ope_estimate(state, 'ips')::numeric, 4) AS ips,
       round(d.estimate::numeric, 4) AS dr,
       abs(d.estimate - ope_estimate(state, 'ips')) <= d.ci_upper - d.estimate AS dr_covers_ips
FROM dr_results, LATERAL ope_report(state) d
WHERE d.estimator = 'dr' ORDER BY policy;
-- the policy's ridge does not move DR: the reward model alone gives q and v
SELECT reward_ridge, count(DISTINCT ope_estimate(r.state, 'dr')) AS distinct_dr
FROM dr_results r JOIN dr_targets t ON t.name = r.policy
GROUP BY reward_ridge ORDER BY reward_ridge NULLS FIRST;

-- DR equals a hand-built one: q for every candidate from bandit_scores of the
-- reward model under 'greedy' at the reward ridge (another code path than the
-- rollup's bandit_predict and bandit_value), v = sum pi q, and
-- DR = avg(v + pi/mu (r - q)) in numeric
SELECT t.name, abs(ope_estimate(r.state, 'dr') - h.dr) <= 1e-12 AS same_as_hand_built
FROM dr_targets t JOIN dr_results r ON r.policy = t.name,
     LATERAL (SELECT avg(s.v + s.pi / s.mu * (s.r - s.q)) AS dr
              FROM (SELECT l.played::int::numeric AS r, l.propensity::numeric AS mu,
                           p[array_position(l.candidates, l.image_id)]::numeric AS pi,
                           q[array_position(l.candidates, l.image_id)]::numeric AS q,
                           (SELECT sum(pp::numeric * qq::numeric) FROM unnest(p, q) u(pp, qq)) AS v
                    FROM dr_log l,
                         LATERAL (SELECT bandit_probabilities(t.model, l.context, l.candidates, t.policy) AS p,
                                         bandit_scores(t.reward_model, l.context, l.candidates,
                                                       format('greedy(ridge=%s)', coalesce(t.reward_ridge, 1))) AS q
                                  OFFSET 0) x) s) h
ORDER BY t.name;

-- bandit_value's reward_ridge: the same as bandit_predict at that ridge, for each candidate
SELECT bool_and(abs(bandit_value(m.model, l.context, l.candidates, 'greedy', m.model, 1e3)
                    - (SELECT sum(pp * bandit_predict(m.model, l.context, a, 1e3))
                       FROM unnest(bandit_probabilities(m.model, l.context, l.candidates, 'greedy'), l.candidates) u(pp, a)))
                <= 1e-15) AS six_argument_value_uses_reward_ridge
FROM dr_log l, (SELECT model FROM dr_targets LIMIT 1) m
WHERE l.image_id % 7 = 0;
-- and it validates its ridge like bandit_predict; NULL ridge is NULL
SELECT bandit_value(model, '{1,0,0,0,0,0}', '{1,2}', 'greedy', model, 0) FROM dr_targets LIMIT 1;
SELECT bandit_value(model, '{1,0,0,0,0,0}', '{1,2}', 'greedy', model, 'NaN') FROM dr_targets LIMIT 1;
SELECT bandit_value(model, '{1,0,0,0,0,0}', '{1,2}', 'greedy', model, NULL) IS NULL AS null_ridge FROM dr_targets LIMIT 1;

-- a reward_ridge that is not positive and finite, or not float8, is an error naming the target
UPDATE dr_targets SET reward_ridge = -1 WHERE name = '1/default';
SELECT ope_rollup_day('dr_log', 'dr_results', 'dr_targets', '2026-12-01', ARRAY['1/default']);
UPDATE dr_targets SET reward_ridge = 'Infinity' WHERE name = '1/default';
SELECT ope_rollup_day('dr_log', 'dr_results', 'dr_targets', '2026-12-01', ARRAY['1/default']);
ALTER TABLE dr_targets ALTER reward_ridge TYPE numeric;
SELECT ope_rollup_day('dr_log', 'dr_results', 'dr_targets', '2026-12-01', ARRAY['1/default']);

DROP TABLE dr_log, dr_targets, dr_results;

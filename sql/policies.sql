-- Policies: exact probabilities on a 1-D model worked by hand, candidate
-- sets, unseen arms, seeded choice, bandit_act and bandit_value.
SET extra_float_digits = 0;

-- Arm 1 saw x = 1, r = 1 (A = 1, b = 1): theta = 1/2 at ridge 1.
-- Arm 2 saw x = 1 twice, r = 1 then 0 (A = 2, b = 1): theta = 1/3.
-- At x = 2: means 1 and 2/3; variances x^2 / (1 + A) = 2 and 4/3.
-- An unseen arm: mean 0, variance x^2 / ridge = 4.
CREATE TABLE m1 AS
SELECT bandit_fit(a, '{1}', r) AS m FROM (VALUES (1, 1.0), (2, 1.0), (2, 0.0)) v(a, r);

SELECT bandit_scores(m, '{2}') AS means,
       bandit_probabilities(m, '{2}') AS greedy,
       bandit_probabilities(m, '{2}', NULL, 'epsilon_greedy(epsilon=0.1)') AS eps_greedy,
       bandit_probabilities(m, '{2}', NULL, 'uniform') AS uniform
FROM m1;
-- softmax(temperature=0.5): P(1) = 1 / (1 + exp(-(1 - 2/3) / 0.5))
SELECT abs(p[1] - 1 / (1 + exp(-2.0 / 3))) < 1e-15 AS softmax_ok, abs(p[1] + p[2] - 1) < 1e-15 AS sums_to_1
FROM (SELECT bandit_probabilities(m, '{2}', NULL, 'softmax(temperature=0.5)') AS p FROM m1) x;
-- linucb: scores 1 + alpha sqrt 2, 2/3 + alpha sqrt(4/3), and 2 alpha for unseen arm 3
SELECT abs(s[1] - (1 + sqrt(2.0))) < 1e-15 AS ucb1, abs(s[2] - (2.0/3 + sqrt(4.0/3))) < 1e-15 AS ucb2,
       s[3] = 2 AS ucb_unseen
FROM (SELECT bandit_scores(m, '{2}', '{1,2,3}', 'linucb') AS s FROM m1) x;
SELECT bandit_probabilities(m, '{2}', '{1,2,3}', 'linucb(alpha=1)') AS alpha1,
       bandit_probabilities(m, '{2}', '{1,2,3}', 'linucb(alpha=2)') AS alpha2_explores_unseen
FROM m1;
-- thompson, two arms: P(1 wins) = Phi((1 - 2/3) / (scale sqrt(2 + 4/3))).
-- Phi(z) for z = (1/3)/sqrt(10/3) = 0.18257418583505536: 0.5724303131...
-- (erfc-based value 0.5 * erfc(-z / sqrt 2), computed independently below
-- from the series Phi(z) = 1/2 + phi(z) (z + z^3/3 + z^5/15 + ...)).
WITH z AS (SELECT (1.0/3) / sqrt(10.0/3) AS z),
phi AS (SELECT 0.5 + exp(-z * z / 2) / sqrt(2 * pi()) *
               (SELECT sum(power(z, 2 * k + 1) / (SELECT exp(sum(ln(2 * j + 1))) FROM generate_series(0, k) j))
                FROM generate_series(0, 30) k) AS p
        FROM z)
SELECT abs(x.probs[1] - phi.p) < 1e-9 AS thompson_two_arms, abs(x.probs[1] + x.probs[2] - 1) < 1e-12 AS sums_to_1
FROM (SELECT bandit_probabilities(m, '{2}', '{1,2}', 'thompson') AS probs FROM m1) x, phi;
-- ties: two unseen arms split evenly, under every policy
SELECT bandit_probabilities(m, '{2}', '{7,8}') AS greedy_tie,
       bandit_probabilities(m, '{2}', '{7,8}', 'linucb') AS linucb_tie,
       (SELECT bool_and(abs(p - 0.5) < 1e-12) FROM unnest(bandit_probabilities(m, '{2}', '{7,8}', 'thompson')) p) AS thompson_tie
FROM m1;
-- ridge enters through the policy: at ridge 2, theta = 1/3 and 1/4
SELECT abs(s[1] - 2.0/3) < 1e-15 AND abs(s[2] - 0.5) < 1e-15 AS ridge2
FROM (SELECT bandit_scores(m, '{2}', NULL, 'greedy(ridge=2)') AS s FROM m1) x;

-- bandit_probability: one candidate's probability; 0 for a non-candidate
SELECT bandit_probability(m, '{2}', '{1,2}', 2, 'epsilon_greedy(epsilon=0.1)') AS p2,
       bandit_probability(m, '{2}', '{1,2}', 5) AS not_a_candidate
FROM m1;

-- Seeded choice is a pure function of the arguments...
SELECT bandit_choose(m, '{2}', '{1,2,3}', 'softmax', 12345) = bandit_choose(m, '{2}', '{1,2,3}', 'softmax', 12345) AS same,
       (bandit_act(m, '{2}', '{1,2,3}', 'softmax', 12345)).action = bandit_choose(m, '{2}', '{1,2,3}', 'softmax', 12345) AS act_agrees
FROM m1;
-- ... and over many seeds its frequencies match the probabilities (5 standard errors).
WITH p AS (SELECT bandit_probabilities(m, '{2}', '{1,2,3}', 'softmax(temperature=0.7)') AS p FROM m1),
draws AS (SELECT bandit_choose(m, '{2}', '{1,2,3}', 'softmax(temperature=0.7)', s) AS a
          FROM m1, generate_series(1, 30000) s)
SELECT a, abs(count(*) / 30000.0 - p[a]) < 5 * sqrt(p[a] * (1 - p[a]) / 30000) AS frequency_ok
FROM draws, p GROUP BY a, p ORDER BY a;
-- bandit_act logs the exact probability of what it chose
SELECT bool_and(abs((bandit_act(m, '{2}', '{1,2,3}', 'thompson', s)).probability -
                    bandit_probability(m, '{2}', '{1,2,3}', (bandit_act(m, '{2}', '{1,2,3}', 'thompson', s)).action, 'thompson')) < 1e-15) AS act_probability_ok
FROM m1, generate_series(1, 200) s;
-- Without a seed the draw comes from the session's stream: still a candidate.
SELECT bool_and(bandit_choose(m, '{2}', '{1,2,3}', 'uniform') IN (1, 2, 3)) AS unseeded_ok
FROM m1, generate_series(1, 100);

-- bandit_value: sum_a pi(a|x) q(x, a).  Under eps-greedy(0.1): 0.95 * 1 + 0.05 * 2/3.
SELECT abs(bandit_value(m, '{2}', NULL, 'epsilon_greedy(epsilon=0.1)') - (0.95 + 0.05 * 2.0/3)) < 1e-15 AS value_ok,
       bandit_value(m, '{2}', '{3}', 'greedy') AS unseen_value,
       abs(bandit_value(m, '{2}', '{1,2}', 'uniform', r) - 0.5 * (2 * 0.25 + 2 * 0.5)) < 1e-15 AS reward_model_ok
FROM m1, (SELECT bandit_fit(a, '{1}', r) AS r FROM (VALUES (1, 0.5), (2, 1.0)) v(a, r)) rm;
-- reward model: arm 1 theta = 0.5/2 = 0.25, arm 2 theta = 1/2; at x = 2: 0.5 and 1

-- NULL arguments give NULL (candidates NULL means every arm of the model)
SELECT bandit_scores(NULL, '{2}') IS NULL AS null_model, bandit_scores(m, NULL) IS NULL AS null_context,
       bandit_probabilities(m, '{2}', NULL, NULL) IS NULL AS null_policy,
       bandit_choose(m, NULL) IS NULL AS null_choice
FROM m1;

DROP TABLE m1;

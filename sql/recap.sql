--
-- recap: bandit_rank and recap_estimate (More, Baltrunas, Vlassis,
-- Basilico, REVEAL@RecSys 2019).  Ranks against the scores bandit_scores
-- gives; the estimate against its formula in numeric SQL and against
-- SNIPS with target probability 1/rank.
--
\set VERBOSITY terse

CREATE TABLE rc_log AS
SELECT impression_id, user_id, show_id, context, candidates, image_id, propensity,
	played::int::float8 AS r, minutes
FROM simulate_impressions(3000, 4, 12, 4, 11);
CREATE TABLE rc_model AS
SELECT bandit_fit(image_id, context, r) AS m FROM rc_log WHERE impression_id <= 1500;

-- The rank is 1 + the number of candidates scored strictly higher than the
-- logged image, for greedy (the model's prediction) and linucb (its upper
-- bound); ties share the better rank.
CREATE TABLE rc_ranked AS
SELECT l.*, p.policy, bandit_rank(m, context, candidates, image_id, p.policy) AS rank,
	1 + (SELECT count(*) FROM unnest(bandit_scores(m, context, candidates, p.policy), candidates) s(score, c)
		 WHERE score > (SELECT sc FROM unnest(bandit_scores(m, context, candidates, p.policy), candidates) t(sc, cc)
						WHERE cc = l.image_id)) AS reference_rank
FROM rc_log l, rc_model, (VALUES ('greedy'), ('linucb(alpha=0.5)')) p(policy)
WHERE impression_id > 1500;
SELECT policy, count(*) AS rows, bool_and(rank = reference_rank) AS ranks_ok,
	min(rank) AS best, max(rank) AS worst, round(avg(rank), 2) AS mean_rank
FROM rc_ranked GROUP BY policy ORDER BY policy;

-- Ties: arms the model has never seen score 0 alike.
SELECT a, bandit_rank(m, '{1,0,0,0}', '{1001,9001,9002,9003}', a) AS rank,
	(bandit_scores(m, '{1,0,0,0}', '{1001,9001,9002,9003}'))[1] > 0 AS seen_image_scores_above
FROM rc_model, (VALUES (9001), (9003), (1001)) v(a);
-- The default policy is greedy; an image that is not a candidate has no rank.
SELECT bandit_rank(m, context, candidates, image_id) = rank AS default_greedy
FROM rc_ranked, rc_model WHERE policy = 'greedy' LIMIT 1;
SELECT bandit_rank(m, context, candidates, -1) IS NULL AS not_a_candidate
FROM rc_ranked, rc_model WHERE policy = 'greedy' LIMIT 1;

-- recap_estimate = sum (r / mu) (1 / rank) / sum (1 / mu) (1 / rank), here in
-- numeric, for plays and for minutes; and the same number as the snips row
-- of ope_accumulate(r, mu, 1.0 / rank), which gives its interval.
SELECT policy, reward,
	abs(recap - reference) < 1e-12 * abs(reference) AS formula_ok,
	abs(recap - snips) < 1e-14 * abs(snips) AS is_snips_of_1_over_rank,
	round(recap::numeric, 4) AS recap
FROM (SELECT policy, 'played' AS reward, recap_estimate(r, propensity, rank) AS recap,
			 sum(r::numeric / propensity::numeric / rank) / sum(1 / propensity::numeric / rank) AS reference,
			 ope_estimate(ope_accumulate(r, propensity, 1.0 / rank), 'snips') AS snips
	  FROM rc_ranked GROUP BY policy
	  UNION ALL
	  SELECT policy, 'minutes', recap_estimate(minutes, propensity, rank),
			 sum(minutes::numeric / propensity::numeric / rank) / sum(1 / propensity::numeric / rank),
			 ope_estimate(ope_accumulate(minutes, propensity, 1.0 / rank), 'snips')
	  FROM rc_ranked GROUP BY policy) t
ORDER BY policy, reward;

-- Rows with a NULL in any input are skipped, as by every estimate aggregate;
-- no rows give NULL.
SELECT recap_estimate(r, p, k) AS recap
FROM (VALUES (1.0, 0.5, 1), (0.0, 0.5, NULL), (NULL, 0.5, 2), (0.0, 0.25, 2)) v(r, p, k);
SELECT recap_estimate(r, propensity, rank) IS NULL AS no_rows FROM rc_ranked WHERE false;

-- Bad input.
SELECT expect_error($$SELECT recap_estimate(1, 0.5, 0)$$);
SELECT expect_error($$SELECT recap_estimate(1, 0.5, -3)$$);
SELECT expect_error($$SELECT recap_estimate(1, 0, 1)$$);
SELECT expect_error($$SELECT recap_estimate(1, 1.5, 1)$$);
SELECT expect_error($$SELECT recap_estimate('NaN', 0.5, 1)$$);
SELECT expect_error($$SELECT bandit_rank(m, '{1,0,0}', '{1,2}', 1) FROM rc_model$$);
SELECT expect_error($$SELECT bandit_rank(m, '{1,0,0,0}', '{1,1}', 1) FROM rc_model$$);
SELECT expect_error($$SELECT bandit_rank(m, '{1,0,0,0}', '{1,2}', 1, 'best') FROM rc_model$$);

DROP TABLE rc_log, rc_model, rc_ranked;

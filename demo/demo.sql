-- artbandit demo: off-policy evaluation of artwork policies on a simulated
-- exploration log.  Run by `make demo` (psql -X -q -v ON_ERROR_STOP=1).
--
-- Everything is plain SQL: a closed-form "true" play probability, a known,
-- non-uniform logging policy, three target policies, and the extension's
-- estimators compared with the exact truth.  Randomness comes from
-- hashint8extended(row number, stream), so every run gives the same log.
--
-- The demo keeps its objects in the schema artbandit_demo, which it drops and
-- recreates, so it can be run again.

\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS artbandit;

DROP SCHEMA IF EXISTS artbandit_demo CASCADE;
CREATE SCHEMA artbandit_demo;
SET search_path = artbandit_demo, public;

\echo
\echo '=== artbandit demo: which artwork should a show display? ==='
\echo 'Simulated exploration log: 1,000,000 impressions, 200 shows x 4 images,'
\echo '3 user segments.  The logging policy was epsilon-greedy around an older model'
\echo '(epsilon 0.3 / 0.5 / 0.7 by segment), so propensities are known and NOT uniform.'
\echo

-- A uniform number in [0, 1) from a row number and a stream id (53 bits).
-- Hashed twice: one hashint8extended of consecutive integers is visibly
-- non-uniform (a chi-square test on 100 bins rejects it), which is enough to
-- push the truth out of intervals that are this narrow.
CREATE FUNCTION u01(i int8, stream int8) RETURNS float8
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN ((hashint8extended(hashint8extended(i, stream), stream) >> 11)
			& 9007199254740991)::float8 / 9007199254740992.0;

-- The true (hidden) play probability of image k (1..4) of a show for a segment:
-- a logistic score with a show effect, a segment effect, and a segment-specific
-- taste for images that each show shifts, so the best image depends on both.
-- The old model behind the logging policy got that shift wrong (phase 0.9).
CREATE FUNCTION play_score(segment int, show_id int, k int, phase float8 DEFAULT 0.0)
	RETURNS float8
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN -2.0 + 0.6 * sin(show_id * 0.7) + (ARRAY[0.4, 0.0, -0.5])[segment + 1]
		   + 0.9 * cos(pi() / 2 * (k - 1) - 0.75 * pi() * segment
						+ 1.3 * sin(show_id * 1.3 + phase));

CREATE FUNCTION p_true(segment int, show_id int, k int) RETURNS float8
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN 1.0 / (1.0 + exp(-play_score(segment, show_id, k)));

-- One row per context (segment, show): true probabilities, the logging
-- policy's propensities mu[1..4], and the oracle's best image.
CREATE TABLE context AS
WITH c AS (
	SELECT s AS segment, sh AS show_id,
		   ARRAY(SELECT p_true(s, sh, k) FROM generate_series(1, 4) k) AS p,
		   (SELECT k FROM generate_series(1, 4) k
			ORDER BY play_score(s, sh, k, 0.9) DESC, k LIMIT 1) AS logger_fav,
		   (SELECT k FROM generate_series(1, 4) k
			ORDER BY play_score(s, sh, k) DESC, k LIMIT 1) AS best,
		   (ARRAY[0.3, 0.5, 0.7])[s + 1] AS epsilon
	FROM generate_series(0, 2) s, generate_series(1, 200) sh
)
SELECT segment, show_id, p, best,
	   ARRAY(SELECT epsilon / 4 + CASE WHEN k = logger_fav THEN 1 - epsilon ELSE 0 END
			 FROM generate_series(1, 4) k) AS mu
FROM c;
ALTER TABLE context ADD PRIMARY KEY (segment, show_id);

-- The exploration log.  Segments have shares 50/30/20 %, shows are skewed
-- towards low ids (popular shows); the image is drawn from mu, played from p.
CREATE TABLE impressions AS
WITH draws AS (
	SELECT i AS impression_id,
		   CASE WHEN u01(i, 1) < 0.5 THEN 0 WHEN u01(i, 1) < 0.8 THEN 1 ELSE 2 END AS segment,
		   1 + floor(200 * u01(i, 2) ^ 2)::int AS show_id,
		   u01(i, 3) AS u_image,
		   u01(i, 4) AS u_play
	FROM generate_series(1::int8, 1000000) i
), chosen AS (
	SELECT d.impression_id, d.segment, d.show_id, c.mu, c.p, d.u_play,
		   CASE WHEN d.u_image < c.mu[1] THEN 1
				WHEN d.u_image < c.mu[1] + c.mu[2] THEN 2
				WHEN d.u_image < c.mu[1] + c.mu[2] + c.mu[3] THEN 3
				ELSE 4 END AS image
	FROM draws d JOIN context c USING (segment, show_id)
)
SELECT impression_id, segment, show_id, image,
	   show_id * 10 + image AS image_id,      -- each show has its own images
	   mu[image] AS propensity,
	   u_play < p[image] AS played
FROM chosen;
ANALYZE impressions;

\echo 'The log (first rows, then per segment):'
SELECT impression_id, segment, show_id, image_id, round(propensity::numeric, 4) AS propensity, played
FROM impressions ORDER BY impression_id LIMIT 5;

SELECT segment, count(*) AS impressions, round(avg(played::int), 4) AS take_fraction,
	   round(min(propensity)::numeric, 4) AS min_propensity,
	   round(max(propensity)::numeric, 4) AS max_propensity
FROM impressions GROUP BY segment ORDER BY segment;

-- Target policies: pi[1..4] per context; target_image for the deterministic ones.
--   always_image_1   : show image 1 everywhere (deterministic)
--   oracle           : the truly best image for each (segment, show) (deterministic)
--   mostly_image_2   : image 2 with probability 0.7, each other image 0.1 (stochastic)
CREATE TABLE target AS
SELECT pol.policy_no, pol.policy, c.segment, c.show_id, pol.pi, pol.target_image
FROM context c,
LATERAL (VALUES
	(1, 'always_image_1', ARRAY[1.0, 0, 0, 0]::float8[], 1),
	(2, 'oracle', ARRAY(SELECT (k = c.best)::int::float8 FROM generate_series(1, 4) k), c.best),
	(3, 'mostly_image_2', ARRAY[0.1, 0.7, 0.1, 0.1]::float8[], NULL::int)
) AS pol(policy_no, policy, pi, target_image);

-- Reward model for DM / DR / SNDR: the naive mean of played per (segment, image)
-- in the log.  It ignores the show, so it is deliberately a bit wrong.
CREATE TABLE reward_model AS
SELECT segment, array_agg(q ORDER BY image) AS q
FROM (SELECT segment, image, avg(played::int)::float8 AS q
	  FROM impressions GROUP BY segment, image) m
GROUP BY segment;

-- Per policy: one ope_state over the whole log, the two replay take fractions,
-- and the exact truth = avg over the log's rows of sum_a pi(a|x) p_true(x,a).
CREATE TABLE evaluation AS
SELECT t.policy_no, t.policy,
	   ope_accumulate(l.played::int, l.propensity, t.pi[l.image],
					  m.q[l.image],
					  t.pi[1] * m.q[1] + t.pi[2] * m.q[2] + t.pi[3] * m.q[3] + t.pi[4] * m.q[4])
		   AS state,
	   replay_take_fraction(l.image_id, l.show_id * 10 + t.target_image, l.played) AS replay_unweighted,
	   replay_take_fraction(l.image_id, l.show_id * 10 + t.target_image, l.played, l.propensity)
		   AS replay_weighted,
	   avg(t.pi[1] * c.p[1] + t.pi[2] * c.p[2] + t.pi[3] * c.p[3] + t.pi[4] * c.p[4]) AS truth
FROM impressions l
JOIN target t USING (segment, show_id)
JOIN context c USING (segment, show_id)
JOIN reward_model m USING (segment)
GROUP BY t.policy_no, t.policy;

\echo
\echo 'Estimates with 95% intervals, against the exact truth (computed from the formula).'
\echo '  replay = sum(pi*r)/sum(pi), no propensity correction: biased, because logging was not uniform.'
\echo '  dm     = reward model only: its interval ignores the model error, and the model ignores'
\echo '           the show, so it misses the truth for policies that depend on the show.'
\echo '  ips, snips, dr, sndr correct for the known propensities: the truth should lie'
\echo '  inside their intervals (about 19 times out of 20).'
SELECT e.policy, r.estimator,
	   round(r.estimate::numeric, 4) AS estimate,
	   round(r.ci_lower::numeric, 4) AS ci_lower,
	   round(r.ci_upper::numeric, 4) AS ci_upper,
	   round(e.truth::numeric, 4) AS truth,
	   e.truth BETWEEN r.ci_lower AND r.ci_upper AS truth_in_ci
FROM evaluation e, ope_report(e.state) WITH ORDINALITY r
ORDER BY e.policy_no, r.ordinality;

\echo 'Replay take fraction of the deterministic policies (rows where logged image = target image):'
\echo '  unweighted = avg(played); weighted = sum(played/mu)/sum(1/mu), which undoes the'
\echo '  logging policy preference and recovers the truth (it equals snips for these policies).'
SELECT policy,
	   round(replay_unweighted::numeric, 4) AS replay_unweighted,
	   round(replay_weighted::numeric, 4) AS replay_weighted,
	   round(truth::numeric, 4) AS truth,
	   round((replay_unweighted - truth)::numeric, 4) AS error_unweighted,
	   round((replay_weighted - truth)::numeric, 4) AS error_weighted
FROM evaluation
WHERE policy <> 'mostly_image_2'
ORDER BY policy_no;

\echo 'Diagnostics: how much of the log each policy can use.'
\echo '  match_rate = share of rows with pi > 0; ess = effective sample size sum(w)^2/sum(w^2);'
\echo '  mean_weight should be close to 1 when the logged propensities are right.'
SELECT e.policy, d.n, d.n_matched,
	   round(d.match_rate::numeric, 4) AS match_rate,
	   round(d.ess::numeric, 0) AS ess,
	   round(d.max_weight::numeric, 4) AS max_weight,
	   round(d.mean_weight::numeric, 4) AS mean_weight,
	   round(d.min_propensity::numeric, 4) AS min_propensity
FROM evaluation e, ope_diagnostics(e.state) d
ORDER BY e.policy_no;

\echo
\echo 'The log, the policies and the states are kept in schema artbandit_demo, e.g.'
\echo '  SELECT * FROM artbandit_demo.evaluation;'

--
-- ope_compare: two target policies on the same rows.  The values against
-- ope_accumulate of each policy; the difference's paired standard error
-- against the per-row differences of the (influence) terms in numeric SQL;
-- interval and p-value from it; lift over the logging policy; Holm.
--
\set VERBOSITY terse
\set z95 1.959963984540054

-- 4 images per show, uniform logging; policy a shows the first candidate,
-- policy b shows it with probability 0.7 and the second with 0.3; a
-- reward model (q, v_a, v_b) from the simulator's true play rates, blurred.
CREATE TABLE cmp_log AS
SELECT impression_id AS id, played::int::float8 AS r, propensity AS mu,
	(image_id = candidates[1])::int::float8 AS pa,
	CASE WHEN image_id = candidates[1] THEN 0.7 WHEN image_id = candidates[2] THEN 0.3 ELSE 0 END::float8 AS pb,
	round((0.8 * play_probabilities[array_position(candidates, image_id)] + 0.02)::numeric, 4)::float8 AS q,
	round((0.8 * play_probabilities[1] + 0.02)::numeric, 4)::float8 AS va,
	round((0.8 * (0.7 * play_probabilities[1] + 0.3 * play_probabilities[2]) + 0.02)::numeric, 4)::float8 AS vb
FROM simulate_impressions(4000, 5, 4, 4, 21);

CREATE TABLE cmp_state AS
SELECT ope_compare(r, mu, pa, pb, q, va, vb) AS s, ope_compare(r, mu, pa, pb) AS basic,
	ope_accumulate(r, mu, pa, q, va) AS sa, ope_accumulate(r, mu, pb, q, vb) AS sb
FROM cmp_log;

-- Each policy's value is its own ope_accumulate estimate.
SELECT c.estimator, c.value_a = a.estimate AS a_ok, c.value_b = b.estimate AS b_ok,
	c.difference = b.estimate - a.estimate AS difference_ok
FROM cmp_state, ope_compare_report(s) c, ope_report(sa) a, ope_report(sb) b
WHERE a.estimator = c.estimator AND b.estimator = c.estimator ORDER BY 1;
SELECT string_agg(estimator, ',') AS basic_rows FROM cmp_state, ope_compare_report(basic);

-- The paired standard error: the sample standard deviation of the per-row
-- differences t_b - t_a over sqrt(n), with for ips t = w r, for dr
-- t = v + w (r - q), and for the ratios their influence terms
-- snips: w (r - snips) / mean(w), sndr: (v - dm) + w (e - (sndr - dm)) / mean(w).
CREATE TABLE cmp_reference AS
WITH d AS (SELECT r::numeric AS r, mu::numeric AS mu, pa::numeric / mu::numeric AS wa,
				  pb::numeric / mu::numeric AS wb, r::numeric - q::numeric AS e,
				  va::numeric AS va, vb::numeric AS vb FROM cmp_log),
m AS (SELECT count(*) AS n, avg(wa) AS wa_bar, avg(wb) AS wb_bar,
			 sum(wa * r) / sum(wa) AS snips_a, sum(wb * r) / sum(wb) AS snips_b,
			 avg(va) AS dm_a, avg(vb) AS dm_b,
			 sum(wa * e) / sum(wa) AS ta, sum(wb * e) / sum(wb) AS tb FROM d)
SELECT estimator, sqrt(var_samp(t) / n) AS se
FROM d, m, LATERAL (VALUES
	('ips', wb * r - wa * r),
	('snips', wb * (r - snips_b) / wb_bar - wa * (r - snips_a) / wa_bar),
	('dr', (vb + wb * e) - (va + wa * e)),
	('sndr', ((vb - dm_b) + wb * (e - tb) / wb_bar) - ((va - dm_a) + wa * (e - ta) / wa_bar))) x(estimator, t)
GROUP BY estimator, n;
SELECT c.estimator, abs(c.std_error - f.se) < 1e-10 * f.se AS paired_se_ok,
	abs(c.ci_lower - (c.difference - :z95 * c.std_error)) < 1e-14
	AND abs(c.ci_upper - (c.difference + :z95 * c.std_error)) < 1e-14 AS interval_ok,
	abs(c.p_value - 2 * (1 - 0.5 * (1 + erf_ref))) < 1e-9 AS p_value_ok,
	round(c.difference::numeric, 4) AS difference, round(c.std_error::numeric, 5) AS paired_se,
	round(sqrt(a.std_error ^ 2 + b.std_error ^ 2)::numeric, 5) AS unpaired_se
FROM cmp_state, ope_compare_report(s) c JOIN cmp_reference f USING (estimator),
	ope_report(sa) a, ope_report(sb) b,
	-- erf(|d| / (se sqrt 2)) by its series (|d| / se is below 6 here)
	LATERAL (SELECT sum((-1) ^ k * x ^ (2 * k + 1) / (factorial(k) * (2 * k + 1))) * 2 / sqrt(pi()) AS erf_ref
			 FROM (SELECT (abs(c.difference) / (c.std_error * sqrt(2)))::numeric AS x) xx,
				  generate_series(0, 120) k) er
WHERE a.estimator = c.estimator AND b.estimator = c.estimator ORDER BY 1;

-- Lift over the logging policy: target_b = the propensity itself gives its
-- on-policy value, the mean reward (ips and snips alike).
SELECT estimator, abs(value_b - (SELECT avg(r) FROM cmp_log)) < 1e-12 AS on_policy_value,
	round(difference::numeric, 4) AS lift, p_value < 0.05 AS significant
FROM (SELECT ope_compare(r, mu, pa, mu) AS s FROM cmp_log) t, ope_compare_report(s)
ORDER BY 1;

-- The same policy twice: no difference, and no interval or test (not a
-- zero-width interval).
SELECT estimator, difference, std_error, ci_lower, p_value
FROM (SELECT ope_compare(r, mu, pa, pa, q, va, va) AS s FROM cmp_log) t, ope_compare_report(s) ORDER BY 1;

-- Merging per-group states gives the one-pass report (to rounding).
SELECT bool_and(abs(m.difference - o.difference) < 1e-12 AND abs(m.std_error - o.std_error) < 1e-12 * o.std_error)
	AS merged_ok
FROM (SELECT ope_merge(s ORDER BY g DESC) AS ms
	  FROM (SELECT id % 7 AS g, ope_compare(r, mu, pa, pb, q, va, vb) AS s FROM cmp_log GROUP BY 1) p) mm,
	cmp_state, ope_compare_report(ms) m JOIN ope_compare_report(s) o USING (estimator);
-- Text and binary round trips.
SELECT s::text::ope_pair_state::text = s::text AS same_text,
	ope_pair_state_send(s::text::ope_pair_state) = ope_pair_state_send(s) AS same_bits
FROM cmp_state;
-- NULL inputs skip the row; no rows give NULL.
SELECT (s::text::json -> 'a' ->> 'n_skipped')::int AS skipped
FROM (SELECT ope_compare(r, 0.5, a, b) AS s FROM (VALUES (1.0, 1.0, 0.0), (NULL, 1.0, 0.0), (1.0, NULL, 1.0), (0.0, 0.0, 1.0)) v(r, a, b)) t;
SELECT ope_compare(r, mu, pa, pb) IS NULL AS no_rows FROM cmp_log WHERE false;

--
-- ope_holm: Holm's step-down adjustment (Holm 1979), in the order given;
-- by hand: sorted 0.01, 0.03, 0.04 times 3, 2, 1 = 0.03, 0.06, 0.04, made
-- monotone: 0.03, 0.06, 0.06.
--
SELECT ope_holm('{0.04,0.01,0.03}') AS adjusted;
SELECT ope_holm('{0.5,0.2,0.9,0.001}') AS adjusted, ope_holm('{}') AS empty, ope_holm('{1}') AS one;
-- NULL elements are not tested: they stay NULL and do not count in k
SELECT ope_holm('{0.02,NULL,0.01}') AS with_null;
SELECT expect_error($$SELECT ope_holm('{0.1,1.5}')$$);
SELECT expect_error($$SELECT ope_holm('{-0.1}')$$);
SELECT expect_error($$SELECT ope_holm('{NaN}')$$);
SELECT expect_error($$SELECT ope_holm('{{0.1,0.2}}')$$);

-- Bad input.
SELECT expect_error($$SELECT ope_compare(1, 0, 1, 1)$$);
SELECT expect_error($$SELECT ope_compare(1, 0.5, 1.5, 1)$$);
SELECT expect_error($$SELECT ope_compare(1, 0.5, 1, 'NaN')$$);
SELECT expect_error($$SELECT ope_compare(1, 0.5, 1, 1, 0, 'Infinity', 0)$$);
SELECT expect_error($$SELECT ope_merge(s, basic) FROM cmp_state$$);
SELECT expect_error($$SELECT * FROM ope_compare_report((SELECT s FROM cmp_state), 0)$$);
SELECT expect_error($$SELECT 'garbage'::ope_pair_state$$);
SELECT expect_error($$SELECT replace(s::text, '"kind":"dr"', '"kind":"basic"')::ope_pair_state FROM cmp_state$$);

DROP TABLE cmp_log, cmp_state, cmp_reference;

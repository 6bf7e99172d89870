--
-- ope_lambda: clipping, switching and shrinkage (API.md section 4).  Every
-- estimate and standard error against the definitions written out again in
-- numeric SQL; the per-lambda counts against plain SQL; merging; the report
-- rows; bad lambdas.
--
\set VERBOSITY terse

-- a and b agree to tol relative (absolute below 1), or are both NULL;
-- never NULL itself, so that bool_and cannot skip a missing value.
CREATE FUNCTION lclose(a float8, b numeric, tol float8) RETURNS bool
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce((a IS NULL AND b IS NULL)
					OR abs(a::numeric - b) <= tol * greatest(1, abs(b)), false)
$$;

-- Weights from 0 to 40 (propensities down to 0.025), some targets 0, a
-- NULL reward and a NULL q; inputs of 4 decimals, which numeric holds
-- exactly as float8 does (to 1e-16).
CREATE TABLE lam_log AS
SELECT i,
	CASE WHEN i % 41 = 0 THEN NULL
		 ELSE round((1.5 * sin(i * 0.7) + cos(i * 1.3))::numeric, 4)::float8 END AS r,
	round((0.025 + 0.4875 * (1 + sin(i * 1.1)))::numeric, 4)::float8 AS mu,
	CASE WHEN i % 4 = 0 THEN 0
		 ELSE round((0.5 + 0.5 * cos(i * 0.37))::numeric, 4)::float8 END AS pi,
	CASE WHEN i % 53 = 0 THEN NULL
		 ELSE round((0.8 * cos(i * 0.91))::numeric, 4)::float8 END AS q,
	round((0.5 * sin(i * 0.53) + 0.25)::numeric, 4)::float8 AS v
FROM generate_series(1, 400) i;
SELECT count(*) AS rows, round(max(pi / mu)::numeric, 2) AS max_weight,
	count(*) FILTER (WHERE pi / mu > 5) AS above_5
FROM lam_log;

CREATE TABLE lam_grid AS SELECT '{0,0.5,1,2,5,20,Infinity}'::float8[] AS lambdas;

CREATE TABLE lam_states AS
SELECT 'basic' AS kind, ope_accumulate(r, mu, pi, (SELECT lambdas FROM lam_grid) ORDER BY i) AS s
FROM lam_log
UNION ALL
SELECT 'dr', ope_accumulate(r, mu, pi, q, v, (SELECT lambdas FROM lam_grid) ORDER BY i)
FROM lam_log;

-- The per-row terms of the contract, in numeric; lambda = Infinity is the
-- unclipped weight (no cap, never switched, no shrinkage).
CREATE TABLE lam_terms AS
WITH rows AS (
	SELECT 'basic' AS kind, r::numeric AS r, mu::numeric AS mu, pi::numeric AS pi,
		0::numeric AS q, 0::numeric AS v
	FROM lam_log WHERE r IS NOT NULL
	UNION ALL
	SELECT 'dr', r::numeric, mu::numeric, pi::numeric, q::numeric, v::numeric
	FROM lam_log WHERE r IS NOT NULL AND q IS NOT NULL),
w AS (SELECT *, pi / mu AS w FROM rows),
g AS (SELECT kind, r, q, v, w, l, l = 'Infinity' AS inf, l::numeric AS lam
	  FROM w, (SELECT unnest(lambdas) AS l FROM lam_grid) g0
	  WHERE l <> 'Infinity'
	  UNION ALL
	  SELECT kind, r, q, v, w, l, true, NULL FROM w, (SELECT 'Infinity'::float8 AS l) g1)
SELECT kind, l AS lambda, e, t
FROM g, LATERAL (VALUES
	('ipw_clip', CASE WHEN inf THEN w ELSE least(w, lam) END * r),
	('dr_clip', v + CASE WHEN inf THEN w ELSE least(w, lam) END * (r - q)),
	('switch_dr', v + CASE WHEN inf OR w <= lam THEN w ELSE 0 END * (r - q)),
	('dr_os', v + CASE WHEN w = 0 THEN 0 WHEN inf THEN w ELSE lam * w / (w * w + lam) END * (r - q))
) x(e, t)
WHERE kind = 'dr' OR e = 'ipw_clip';

CREATE TABLE lam_reference AS
SELECT kind, e AS estimator, lambda, avg(t) AS estimate,
	sqrt(sum((t - m) ^ 2) / (count(*) - 1) / count(*)) AS std_error
FROM lam_terms JOIN (SELECT kind, e, lambda, avg(t) AS m FROM lam_terms GROUP BY 1, 2, 3) a
	USING (kind, e, lambda)
GROUP BY kind, e, lambda;

-- Every (estimator, lambda): estimate to 1e-12, standard error to 1e-10.
SELECT kind, f.estimator, count(*) AS lambdas,
	bool_and(lclose(ope_estimate(s, f.estimator, f.lambda), f.estimate, 1e-12)) AS estimates_ok,
	bool_and(lclose(rep.std_error, f.std_error, 1e-10)) AS std_errors_ok
FROM lam_states JOIN lam_reference f USING (kind),
	LATERAL (SELECT * FROM ope_report(s) o WHERE o.estimator = f.estimator AND o.lambda = f.lambda) rep
GROUP BY kind, f.estimator ORDER BY kind, f.estimator;

-- The ends of the grid: at Infinity clipping and switching are IPS and DR
-- themselves; shrinkage with lambda 0 is the direct method.
SELECT kind,
	lclose(ope_estimate(s, 'ipw_clip', 'Infinity'), ope_estimate(s, 'ips')::numeric, 1e-15) AS clip_inf_is_ips,
	kind = 'basic' OR lclose(ope_estimate(s, 'dr_clip', 'Infinity'), ope_estimate(s, 'dr')::numeric, 1e-15) AS clip_inf_is_dr,
	kind = 'basic' OR lclose(ope_estimate(s, 'switch_dr', 'Infinity'), ope_estimate(s, 'dr')::numeric, 1e-15) AS switch_inf_is_dr,
	kind = 'basic' OR lclose(ope_estimate(s, 'dr_os', 0), ope_estimate(s, 'dm')::numeric, 1e-15) AS os_0_is_dm,
	ope_estimate(s, 'ipw_clip', 0) AS clip_0
FROM lam_states ORDER BY kind;

-- The report: the six base rows (lambda NULL), then each lambda estimator
-- for each lambda, in the state's order.
SELECT estimator, count(*) AS rows, array_agg(lambda ORDER BY ord) AS lambdas,
	min(ord) AS first_row
FROM lam_states, LATERAL ope_report(s) WITH ORDINALITY rep(estimator, estimate, std_error, ci_lower, ci_upper, lambda, ord)
WHERE kind = 'dr' GROUP BY estimator ORDER BY first_row;
SELECT estimator, count(*) AS rows
FROM lam_states, LATERAL ope_report(s) rep WHERE kind = 'basic'
GROUP BY estimator ORDER BY min(rep.lambda) NULLS FIRST, estimator;

-- Rows above each lambda (clipped, or switched to the reward model).
SELECT d.lambda, d.n_above,
	d.n_above = (SELECT count(*) FROM lam_log
				 WHERE r IS NOT NULL AND q IS NOT NULL AND pi / mu > d.lambda) AS count_ok,
	d.fraction_above = d.n_above::float8 / (ope_diagnostics(s)).n AS fraction_ok
FROM lam_states, LATERAL ope_lambda_diagnostics(s) d
WHERE kind = 'dr' ORDER BY d.lambda;
SELECT * FROM ope_lambda_diagnostics((SELECT ope_accumulate(r, mu, pi) FROM lam_log));

-- Merged states (per group, in either order, and under the aggregate)
-- carry the same lambda sums as the one pass, to rounding.
SELECT kind, bool_and(lclose(m.estimate, o.estimate::numeric, 1e-12)
					  AND lclose(m.std_error, o.std_error::numeric, 1e-12)
					  AND m.lambda IS NOT DISTINCT FROM o.lambda) AS merged_ok,
	count(*) AS report_rows
FROM (SELECT 'dr' AS kind, ope_merge(s ORDER BY g DESC) AS merged
	  FROM (SELECT i % 5 AS g, ope_accumulate(r, mu, pi, q, v, (SELECT lambdas FROM lam_grid)) AS s
			FROM lam_log GROUP BY 1) p) mm
	JOIN lam_states USING (kind),
	LATERAL ope_report(merged) WITH ORDINALITY m(estimator, estimate, std_error, ci_lower, ci_upper, lambda, ord)
	JOIN LATERAL ope_report(s) WITH ORDINALITY o(estimator, estimate, std_error, ci_lower, ci_upper, lambda, ord)
	USING (ord)
GROUP BY kind;

-- Text and binary round trips keep every lambda sum (Infinity as a string).
SELECT kind, s::text::ope_state::text = s::text AS same_text,
	ope_state_send(s::text::ope_state) = ope_state_send(s) AS same_bits,
	s::text LIKE '%"lambda":"Infinity"%' AS infinity_as_string
FROM lam_states ORDER BY kind;

-- A state with lambdas but no rows: no estimates, no counts.
SELECT ope_estimate(s, 'ipw_clip', 2) AS clip, (SELECT count(*) FROM ope_lambda_diagnostics(s)) AS lambdas
FROM (SELECT ope_accumulate(r, mu, pi, '{2}') AS s FROM lam_log WHERE false) t;
-- Fewer than two matched rows: an estimate, but no standard error (never
-- a zero-width interval).
SELECT estimator, lambda, estimate, std_error, ci_lower
FROM ope_report((SELECT ope_accumulate(r, mu, pi, '{1}')
				 FROM (VALUES (1.0, 0.5, 1.0), (0.0, 0.5, 0.0), (1.0, 0.5, 0.0)) v(r, mu, pi)))
WHERE estimator IN ('ips', 'ipw_clip');

--
-- Bad input: each an error with a class-22 SQLSTATE that names the
-- argument and the value.
--
SELECT label, expect_error(sql) AS result FROM (VALUES
	('NULL lambdas', $$SELECT ope_accumulate(1, 0.5, 1, NULL::float8[])$$),
	('no lambdas', $$SELECT ope_accumulate(1, 0.5, 1, '{}')$$),
	('two dimensions', $$SELECT ope_accumulate(1, 0.5, 1, '{{1,2}}')$$),
	('NULL element', $$SELECT ope_accumulate(1, 0.5, 1, '{1,NULL}')$$),
	('negative', $$SELECT ope_accumulate(1, 0.5, 1, '{-1}')$$),
	('-Infinity', $$SELECT ope_accumulate(1, 0.5, 1, '{-Infinity}')$$),
	('NaN', $$SELECT ope_accumulate(1, 0.5, 1, '{NaN}')$$),
	('decreasing', $$SELECT ope_accumulate(1, 0.5, 1, '{2,1}')$$),
	('duplicate', $$SELECT ope_accumulate(1, 0.5, 1, '{1,1}')$$),
	('33 lambdas', $$SELECT ope_accumulate(1, 0.5, 1, (SELECT array_agg(g::float8) FROM generate_series(1, 33) g))$$),
	('32 lambdas', $$SELECT ope_accumulate(1, 0.5, 1, (SELECT array_agg(g::float8) FROM generate_series(1, 32) g))$$),
	('5 inputs, NaN', $$SELECT ope_accumulate(1, 0.5, 1, 0, 0, '{NaN}')$$),
	('other lambdas on a row', $$SELECT ope_accumulate(r, 0.5, 1, l) FROM (VALUES (1, '{1,2}'::float8[]), (0, '{1,3}')) v(r, l)$$),
	('other lambdas in a later group row', $$SELECT g, ope_accumulate(1, 0.5, 1, l ORDER BY o) FROM (VALUES (1, 1, '{1,2}'::float8[]), (2, 2, '{1,3}'), (3, 2, '{1,2}')) v(o, g, l) GROUP BY g$$),
	('merge other lambdas', $$SELECT ope_merge(ope_accumulate(1, 0.5, 1, '{1}'), ope_accumulate(1, 0.5, 1, '{2,Infinity}'))$$),
	('merge with none', $$SELECT ope_merge(ope_accumulate(1, 0.5, 1, '{1}'), ope_accumulate(1, 0.5, 1))$$),
	('lambda not in state', $$SELECT ope_estimate(s, 'ipw_clip', 3) FROM lam_states WHERE kind = 'basic'$$),
	('NaN lambda', $$SELECT ope_estimate(s, 'ipw_clip', 'NaN') FROM lam_states WHERE kind = 'basic'$$),
	('dr estimator, basic state', $$SELECT ope_estimate(s, 'dr_clip', 2) FROM lam_states WHERE kind = 'basic'$$),
	('base estimator with lambda', $$SELECT ope_estimate(s, 'ips', 2) FROM lam_states WHERE kind = 'basic'$$),
	('lambda estimator without', $$SELECT ope_estimate(s, 'ipw_clip') FROM lam_states WHERE kind = 'basic'$$),
	('unknown estimator', $$SELECT ope_estimate(s, 'clip', 2) FROM lam_states WHERE kind = 'basic'$$),
	('state without lambdas', $$SELECT ope_estimate(ope_accumulate(1, 0.5, 1), 'ipw_clip', 2)$$),
	('text: lambdas out of order', $$SELECT '{"version":2,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":1,"pi2":1,"w":1,"w2":1},"tracked":true,"binary_reward":true,"deterministic_target":true,"ranges":{"r":[0,0]},"lambdas":[{"lambda":2,"n":1,"sums":{}},{"lambda":1,"n":0,"sums":{}}],"lambda_above":{"n":0,"sums":{}}}'::ope_state$$),
	('text: buckets above n_matched', $$SELECT '{"version":2,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":1,"pi2":1,"w":1,"w2":1},"tracked":true,"binary_reward":true,"deterministic_target":true,"ranges":{"r":[0,0]},"lambdas":[{"lambda":0.5,"n":0,"sums":{}}],"lambda_above":{"n":2,"sums":{}}}'::ope_state$$),
	('text: "Inf"', $$SELECT '{"version":2,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":1,"pi2":1,"w":1,"w2":1},"tracked":true,"binary_reward":true,"deterministic_target":true,"ranges":{"r":[0,0]},"lambdas":[{"lambda":"Inf","n":0,"sums":{}}],"lambda_above":{"n":1,"sums":{}}}'::ope_state$$),
	('text: no lambda_above', $$SELECT '{"version":2,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":1,"pi2":1,"w":1,"w2":1},"tracked":true,"binary_reward":true,"deterministic_target":true,"ranges":{"r":[0,0]},"lambdas":[{"lambda":1,"n":1,"sums":{}}]}'::ope_state$$),
	('text: dr sum in basic', $$SELECT '{"version":2,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":1,"pi2":1,"w":1,"w2":1},"tracked":true,"binary_reward":true,"deterministic_target":true,"ranges":{"r":[0,0]},"lambdas":[{"lambda":1,"n":1,"sums":{"we":1}}],"lambda_above":{"n":0,"sums":{}}}'::ope_state$$)
) t(label, sql);
-- per group, each its own lambdas (from a column): allowed
SELECT g, (SELECT array_agg(lambda) FROM ope_lambda_diagnostics(s)) AS lambdas
FROM (SELECT g, ope_accumulate(1, 0.5, 1, l) AS s
	  FROM (VALUES (1, '{1,2}'::float8[]), (2, '{1,3}'), (1, '{1,2}'), (2, '{1,3}')) v(g, l) GROUP BY g) t
ORDER BY g;
-- a NULL lambda is no answer (the function is strict)
SELECT ope_estimate(s, 'ipw_clip', NULL) IS NULL AS null_lambda FROM lam_states WHERE kind = 'basic';

DROP TABLE lam_log, lam_grid, lam_states, lam_terms, lam_reference;
DROP FUNCTION lclose(float8, numeric, float8);

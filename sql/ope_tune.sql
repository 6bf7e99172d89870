--
-- ope_tune: the lambda chosen by SLOPE++ and by OBP's estimated MSE,
-- against both rules written out again here (SLOPE in PL/pgSQL over the
-- report's estimates and standard errors, the MSE score in numeric SQL from
-- the log itself).
--
\set VERBOSITY terse

-- Heavy weights (propensities down to 1/40) and a reward model that is off
-- by a constant, so clipping trades bias for variance.
CREATE TABLE tune_log AS
SELECT i, (sin(i * 12.9898) * 43758.5453 - floor(sin(i * 12.9898) * 43758.5453) < 0.3)::int::float8 AS r,
	(ARRAY[0.025, 0.05, 0.1, 0.2, 0.5])[1 + i % 5]::float8 AS mu,
	(i % 3 = 0)::int::float8 AS pi,
	0.2::float8 AS q, 0.25::float8 AS v
FROM generate_series(1, 300) i;
CREATE TABLE tune_grid AS SELECT '{1,2,5,10,20,40,Infinity}'::float8[] AS lambdas;
CREATE TABLE tune_state AS
SELECT ope_accumulate(r, mu, pi, q, v, (SELECT lambdas FROM tune_grid)) AS s FROM tune_log;

-- SLOPE++ (Tucker and Lee 2021, as OBP's tuning_method='slope'): widths
-- t_{n-1}(0.9) se (n = 300: 1.28439; the t quantile to 6 digits is enough
-- here, no estimate is within 1e-3 of a boundary), widest first; the first
-- lambda whose estimate is farther than width_i + (sqrt(6) - 1) width_j from
-- an earlier one stops the scan at the lambda before it.
CREATE FUNCTION slope_reference(st ope_state, est text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	thetas float8[] := '{}';
	widths float8[] := '{}';
	prev float8;
	cur record;
BEGIN
	FOR cur IN SELECT lambda, estimate AS theta, 1.28439 * std_error AS width
			   FROM ope_report(st) WHERE estimator = est AND std_error IS NOT NULL
			   ORDER BY std_error DESC, lambda LOOP
		FOR k IN 1 .. coalesce(array_length(thetas, 1), 0) LOOP
			IF abs(thetas[k] - cur.theta) > cur.width + (sqrt(6) - 1) * widths[k] THEN
				RETURN prev;
			END IF;
		END LOOP;
		thetas := thetas || cur.theta;
		widths := widths || cur.width;
		prev := cur.lambda;
	END LOOP;
	RETURN prev;
END
$$;

-- OBP's estimated MSE: the terms' population variance / n plus the square
-- of |mean((w - w_hat)(r - q))| + sqrt(2 mean(w^2) log(2/delta) / n) +
-- 2 max(w) log(2/delta) / (3 n), delta = 0.1 (q = 0 for ipw_clip); the
-- smallest score wins, ties to the largest lambda.
CREATE TABLE mse_reference AS
WITH d AS (SELECT r::numeric AS r, q::numeric AS q, v::numeric AS v,
				  pi::numeric / mu::numeric AS w FROM tune_log),
n AS (SELECT count(*) AS n, avg(w * w) AS mw2, max(w) AS mw FROM d),
g AS (SELECT l, l = 'Infinity' AS inf, CASE WHEN l = 'Infinity' THEN NULL ELSE l::numeric END AS lam
	  FROM (SELECT unnest(lambdas) AS l FROM tune_grid) u),
t AS (SELECT e, l, w, r, q, v, hat
	  FROM d, g, LATERAL (VALUES
		('ipw_clip', CASE WHEN inf THEN w ELSE least(w, lam) END),
		('dr_clip', CASE WHEN inf THEN w ELSE least(w, lam) END),
		('switch_dr', CASE WHEN inf OR w <= lam THEN w ELSE 0 END),
		('dr_os', CASE WHEN inf OR w = 0 THEN w ELSE lam * w / (w * w + lam) END)) x(e, hat)),
s AS (SELECT e, l,
			 var_pop(CASE WHEN e = 'ipw_clip' THEN hat * r ELSE v + hat * (r - q) END) AS var,
			 avg((w - hat) * (r - CASE WHEN e = 'ipw_clip' THEN 0 ELSE q END)) AS gap
	  FROM t GROUP BY e, l)
SELECT e AS estimator, l AS lambda,
	var / n + (abs(gap) + sqrt(2 * mw2 * ln(20.0) / n) + 2 * mw * ln(20.0) / (3 * n)) ^ 2 AS score
FROM s, n;

SELECT e.estimator,
	(ope_tune(s, e.estimator)).lambda AS slope,
	(ope_tune(s, e.estimator)).lambda = slope_reference(s, e.estimator) AS slope_ok,
	(ope_tune(s, e.estimator, 'mse')).lambda AS mse,
	(ope_tune(s, e.estimator, 'mse')).lambda =
		(SELECT lambda FROM mse_reference m WHERE m.estimator = e.estimator
		 ORDER BY round(score, 12), lambda DESC LIMIT 1) AS mse_ok
FROM tune_state, (VALUES ('ipw_clip'), ('dr_clip'), ('switch_dr'), ('dr_os')) e(estimator)
ORDER BY 1;

-- The row is the chosen lambda's report row (normal interval at the
-- confidence given) and says why.
SELECT t.estimator, t.lambda,
	t.estimate = r.estimate AND t.std_error = r.std_error AND t.ci_lower = r.ci_lower
	AND t.ci_upper = r.ci_upper AS same_as_report,
	t.reason
FROM tune_state, (VALUES ('ipw_clip', 'slope'), ('switch_dr', 'mse')) m(e, method),
	ope_tune(s, e, method, 0.9) t, ope_report(s, 0.9) r
WHERE r.estimator = t.estimator AND r.lambda = t.lambda
ORDER BY 1;

-- The scores the MSE rule compared (for reading the reason above).
SELECT estimator, lambda, round(score, 6) AS score FROM mse_reference
WHERE estimator = 'switch_dr' ORDER BY lambda;

-- Nothing to choose from: no row has information.
SELECT lambda, estimate, reason
FROM ope_tune((SELECT ope_accumulate(1.0, 0.5, 0.0, '{1,2}') FROM generate_series(1, 3)), 'ipw_clip');
SELECT lambda, estimate, reason
FROM ope_tune((SELECT ope_accumulate(1.0, 0.5, 0.0, '{1,2}') FROM generate_series(1, 3) WHERE false), 'ipw_clip', 'mse');

-- Bad input.
SELECT expect_error($$SELECT ope_tune(s, 'ips') FROM tune_state$$);
SELECT expect_error($$SELECT ope_tune(s, 'ipw_clip', 'lepski') FROM tune_state$$);
SELECT expect_error($$SELECT ope_tune(s, 'ipw_clip', 'slope', 0) FROM tune_state$$);
SELECT expect_error($$SELECT ope_tune(ope_accumulate(1, 0.5, 1), 'ipw_clip')$$);
SELECT expect_error($$SELECT ope_tune(ope_accumulate(1, 0.5, 1, '{1}'), 'dr_os')$$);

DROP TABLE tune_log, tune_grid, tune_state, mse_reference;
DROP FUNCTION slope_reference(ope_state, text);

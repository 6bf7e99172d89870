--
-- ope_bootstrap: the one-pass clustered Poisson bootstrap.  Every
-- replicate is recomputed here in numeric SQL from ope_bootstrap_weight
-- (the weight the aggregate draws), with its standard deviation and the
-- type-7 percentiles of percentile_cont; the weights against Poisson(1);
-- the same report from any order and from merged daily states; clustering.
--
\set VERBOSITY terse

-- A log of 2400 impressions of 300 users; the target shows the first
-- candidate; a constant reward model for the DR rows.
CREATE TABLE bt_log AS
SELECT impression_id AS id, user_id, day, played::int::float8 AS r, propensity AS mu,
	(image_id = candidates[1])::int::float8 AS pi, 0.2::float8 AS q,
	0.15 + 0.01 * (show_id % 5)::float8 AS v
FROM simulate_impressions(2400, 4, 4, 4, 5);
SELECT count(*) AS rows, count(DISTINCT user_id) AS users, count(DISTINCT day) AS days,
	sum(pi) AS matched FROM bt_log;

CREATE TABLE bt_states AS
SELECT ope_bootstrap(r, mu, pi, q, v, user_id, 50, 7 ORDER BY id) AS s FROM bt_log;

-- The weights: Poisson(1) (pmf e^-1 / k!), the same for every row of a
-- unit, over 300 units x 50 replicates.
SELECT k, count(*) AS draws, round(15000 * exp(-1.0) / factorial(k), 1) AS expected
FROM (SELECT ope_bootstrap_weight(7, u, b) AS k FROM generate_series(1, 300) u, generate_series(1, 50) b) w
GROUP BY k ORDER BY k;
SELECT round(avg(k), 2) AS mean, round(var_samp(k), 2) AS variance
FROM (SELECT ope_bootstrap_weight(7, u, b) AS k FROM generate_series(1, 300) u, generate_series(1, 50) b) w;
-- chi-square over 0..5 and 6+ (6 degrees of freedom; 22.46 is its 99.9 % point)
SELECT sum((o - e) ^ 2 / e) < 22.46 AS poisson_fits
FROM (SELECT least(k, 6) AS k, count(*) AS o FROM
		(SELECT ope_bootstrap_weight(7, u, b) AS k FROM generate_series(1, 300) u, generate_series(1, 50) b) w
	  GROUP BY 1) c,
	LATERAL (SELECT 15000 * CASE WHEN c.k < 6 THEN exp(-1.0) / factorial(c.k)
							ELSE 1 - (SELECT sum(exp(-1.0) / factorial(j)) FROM generate_series(0, 5) j) END AS e) x;
-- a weight depends on (seed, unit, replicate) only
SELECT count(DISTINCT ope_bootstrap_weight(7, 42, 3)) AS one_value,
	bool_or(ope_bootstrap_weight(8, 42, b) <> ope_bootstrap_weight(7, 42, b)) AS seed_matters
FROM generate_series(1, 50) b;

-- Each replicate estimate from the weights, in numeric; its sample
-- standard deviation is std_error and its 2.5 % and 97.5 % type-7
-- percentiles the interval.
CREATE TABLE bt_replicates AS
WITH d AS (SELECT r::numeric AS r, mu::numeric AS mu, pi::numeric AS pi, q::numeric AS q,
				  v::numeric AS v, pi::numeric / mu::numeric AS w, user_id FROM bt_log),
s AS (SELECT b, sum(o) AS n, sum(o * pi) AS spi, sum(o * pi * r) AS spr, sum(o * w) AS sw,
			 sum(o * w * r) AS swr, sum(o * v) AS sv, sum(o * w * (r - q)) AS swe
	  FROM d, generate_series(1, 50) b, LATERAL (SELECT ope_bootstrap_weight(7, user_id, b)::numeric AS o) x
	  GROUP BY b)
SELECT b, e AS estimator, x
FROM s, LATERAL (VALUES ('replay', spr / spi), ('ips', swr / n), ('snips', swr / sw),
						('dm', sv / n), ('dr', (sv + swe) / n), ('sndr', sv / n + swe / sw)) v(e, x);
SELECT rep.estimator,
	abs(rep.std_error - f.sd) < 1e-10 * f.sd AS std_error_ok,
	abs(rep.ci_lower - f.lo) < 1e-10 * abs(f.lo) AS lower_ok,
	abs(rep.ci_upper - f.hi) < 1e-10 * abs(f.hi) AS upper_ok,
	rep.estimate = o.estimate AS estimate_is_one_pass
FROM bt_states, ope_bootstrap_report(s) rep,
	(SELECT estimator, stddev_samp(x)::float8 AS sd,
			percentile_cont(0.025) WITHIN GROUP (ORDER BY x::float8) AS lo,
			percentile_cont(0.975) WITHIN GROUP (ORDER BY x::float8) AS hi
	 FROM bt_replicates GROUP BY estimator) f,
	(SELECT ope_accumulate(r, mu, pi, q, v ORDER BY id) AS os FROM bt_log) one,
	ope_report(os) o
WHERE f.estimator = rep.estimator AND o.estimator = rep.estimator
ORDER BY rep.estimator;
-- the confidence moves the percentiles, not the standard error
SELECT bool_and(a.std_error = b.std_error AND b.ci_upper - b.ci_lower < a.ci_upper - a.ci_lower) AS narrower_at_80
FROM bt_states, ope_bootstrap_report(s) a JOIN ope_bootstrap_report(s, 0.8) b USING (estimator);

-- The same report from rows in the opposite order and from per-day states
-- merged in either order (the compensated sums agree to far below a
-- rounding step, so every reported number is the same double).
CREATE TABLE bt_days AS
SELECT day, ope_bootstrap(r, mu, pi, q, v, user_id, 50, 7) AS s FROM bt_log GROUP BY day;
SELECT how, bool_and(a.estimator = b.estimator AND a.estimate = b.estimate
					 AND a.std_error = b.std_error AND a.ci_lower = b.ci_lower
					 AND a.ci_upper = b.ci_upper) AS same_report, count(*) AS rows
FROM bt_states,
	(SELECT 'reversed rows' AS how, ope_bootstrap(r, mu, pi, q, v, user_id, 50, 7 ORDER BY id DESC) AS other FROM bt_log
	 UNION ALL
	 SELECT 'days merged', ope_merge(s ORDER BY day) FROM bt_days
	 UNION ALL
	 SELECT 'days merged, reversed', ope_merge(s ORDER BY day DESC) FROM bt_days) o,
	LATERAL ope_bootstrap_report(s) WITH ORDINALITY a(estimator, estimate, std_error, ci_lower, ci_upper, lambda, ord)
	JOIN LATERAL ope_bootstrap_report(other) WITH ORDINALITY b(estimator, estimate, std_error, ci_lower, ci_upper, lambda, ord)
	USING (ord)
GROUP BY how ORDER BY how;

-- Clustering: every row repeated three times within its user leaves the
-- user-clustered replicates unchanged (each user's weight multiplies all
-- three copies), while resampling rows (unit = the copy) shrinks the
-- standard error about sqrt(3)-fold, as if the copies were new users.
CREATE TABLE bt_copies AS SELECT l.*, c FROM bt_log l, generate_series(1, 3) c;
SELECT a.estimator,
	abs(b.std_error - a.std_error) < 1e-12 * a.std_error AS clustered_unchanged,
	round((a.std_error / c.std_error)::numeric, 1) AS rows_shrink_by
FROM (SELECT ope_bootstrap(r, mu, pi, user_id, 200, 1) AS s1 FROM bt_log) x,
	(SELECT ope_bootstrap(r, mu, pi, user_id, 200, 1) AS s3,
			ope_bootstrap(r, mu, pi, id * 3 + c, 200, 1) AS r3 FROM bt_copies) y,
	ope_bootstrap_report(s1) a, ope_bootstrap_report(s3) b, ope_bootstrap_report(r3) c
WHERE a.estimator = b.estimator AND a.estimator = c.estimator
ORDER BY 1;

-- Defaults: 200 replicates, seed 0; the basic form has the three basic rows.
SELECT ope_bootstrap(r, mu, pi, user_id)::text = ope_bootstrap(r, mu, pi, user_id, 200, 0)::text AS defaults,
	ope_bootstrap(r, mu, pi, user_id, 200)::text = ope_bootstrap(r, mu, pi, user_id, 200, 0)::text AS default_seed,
	ope_bootstrap(r, mu, pi, user_id, 200, 1)::text <> ope_bootstrap(r, mu, pi, user_id, 200, 0)::text AS seed_changes_it,
	(SELECT string_agg(estimator, ',') FROM ope_bootstrap_report(ope_bootstrap(r, mu, pi, user_id))) AS basic_rows
FROM bt_log;

-- Rows with a NULL (a NULL user included) are skipped and counted; no rows
-- give NULL; one matched row gives estimates without intervals.
SELECT (s::text::json -> 'base' ->> 'n_skipped')::int AS skipped
FROM (SELECT ope_bootstrap(r, mu, pi, u, 20) AS s
	  FROM (VALUES (1.0, 0.5, 1.0, 1), (0.0, 0.5, 1.0, NULL), (NULL, 0.5, 1.0, 2), (1.0, 0.5, 0.0, 3)) v(r, mu, pi, u)) t;
SELECT ope_bootstrap(r, mu, pi, user_id) IS NULL AS no_rows FROM bt_log WHERE false;
SELECT estimator, estimate, std_error, ci_lower
FROM ope_bootstrap_report((SELECT ope_bootstrap(1.0, 0.5, (i = 1)::int::float8, i, 30) FROM generate_series(1, 20) i))
ORDER BY estimator;

-- Text and binary round trips.
SELECT s::text::ope_bootstrap_state::text = s::text AS same_text,
	ope_bootstrap_state_send(s::text::ope_bootstrap_state) = ope_bootstrap_state_send(s) AS same_bits,
	length(s::text) > 50 * 7 AS every_replicate_written
FROM bt_states;

-- Bad input.
SELECT label, expect_error(sql) AS result FROM (VALUES
	('replicates 0', $$SELECT ope_bootstrap(1, 0.5, 1, 1, 0)$$),
	('replicates 10001', $$SELECT ope_bootstrap(1, 0.5, 1, 1, 10001)$$),
	('replicates NULL', $$SELECT ope_bootstrap(1, 0.5, 1, 1, NULL)$$),
	('seed NULL', $$SELECT ope_bootstrap(1, 0.5, 1, 1, 10, NULL)$$),
	('replicates change', $$SELECT ope_bootstrap(1, 0.5, 1, 1, k) FROM (VALUES (10), (20)) v(k)$$),
	('propensity 0', $$SELECT ope_bootstrap(1, 0, 1, 1)$$),
	('reward NaN', $$SELECT ope_bootstrap('NaN', 0.5, 1, 1, 10, 0, 1)$$),
	('merge other seed', $$SELECT ope_merge(ope_bootstrap(1, 0.5, 1, 1, 10, 1), ope_bootstrap(1, 0.5, 1, 1, 10, 2))$$),
	('merge other replicates', $$SELECT ope_merge(ope_bootstrap(1, 0.5, 1, 1, 10), ope_bootstrap(1, 0.5, 1, 1, 20))$$),
	('merge basic and dr', $$SELECT ope_merge(ope_bootstrap(1, 0.5, 1, 1, 10), ope_bootstrap(1, 0.5, 1, 0, 0, 1, 10))$$),
	('text garbage', $$SELECT 'nonsense'::ope_bootstrap_state$$),
	('text replicates 0', $$SELECT '{"version":1,"kind":"basic","replicates":0,"seed":0,"base":{},"sums":{}}'::ope_bootstrap_state$$),
	('text short sums', $$SELECT replace(ope_bootstrap(1, 0.5, 1, 1, 2)::text, '"n":[0,1]', '"n":[1]')::ope_bootstrap_state$$),
	('text negative n', $$SELECT replace(ope_bootstrap(1, 0.5, 1, 1, 2)::text, '"n":[0,1]', '"n":[0,-1]')::ope_bootstrap_state$$),
	('text sum without rows', $$SELECT replace(ope_bootstrap(1, 0.5, 1, 1, 2)::text, '"n":1,', '"n":0,')::ope_bootstrap_state$$),
	('weight replicate 0', $$SELECT ope_bootstrap_weight(0, 1, 0)$$),
	('confidence 1', $$SELECT * FROM ope_bootstrap_report((SELECT s FROM bt_states), 1)$$)
) t(label, sql);

DROP TABLE bt_log, bt_states, bt_replicates, bt_days, bt_copies;

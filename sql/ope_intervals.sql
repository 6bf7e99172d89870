--
-- ope_intervals: ope_report(state, confidence, method).  Each method's
-- interval against its formula written out here (Wilson, Clopper-Pearson by
-- the binomial tails it inverts, empirical Bernstein, the normal-mixture
-- confidence sequence), where each method applies, and no interval without
-- information.
--
\set VERBOSITY terse

-- Phi^-1(0.975) and Phi^-1(0.95), to 16 digits (published constants).
\set z95 1.959963984540054
\set z90 1.6448536269514722

-- A replay log with 0/1 rewards and a deterministic target: 60 rows, 11
-- matched (pi = 1), 4 of them played.  Propensities 1/2, 1/4 and 1/8.
CREATE TABLE ci_log AS
SELECT i, (i % 7 = 0 AND i <= 28)::int::float8 AS r,
	(ARRAY[0.5, 0.25, 0.125])[1 + i % 3]::float8 AS mu,
	(i % 7 = 0 OR i % 11 = 0 AND i < 40)::int::float8 AS pi
FROM generate_series(1, 60) i;
SELECT count(*) AS rows, sum(pi) AS matched, sum(pi * r) AS plays FROM ci_log;

CREATE TABLE ci_state AS SELECT ope_accumulate(r, mu, pi) AS s FROM ci_log;

-- Wilson score interval of k = 4 in m = 11 (formula from Wilson 1927).
SELECT method, round(ci_lower::numeric, 12) AS lower, round(ci_upper::numeric, 12) AS upper,
	abs(ci_lower - ((k + z * z / 2) / (m + z * z) - z / (m + z * z) * sqrt(k * (m - k) / m + z * z / 4))) < 1e-14
	AND abs(ci_upper - ((k + z * z / 2) / (m + z * z) + z / (m + z * z) * sqrt(k * (m - k) / m + z * z / 4))) < 1e-14
	AS formula_ok
FROM ci_state, ope_report(s, 0.95, 'wilson') rep,
	(SELECT 4.0::float8 AS k, 11.0::float8 AS m, :z95::float8 AS z) c,
	(SELECT 'wilson' AS method) mm
WHERE estimator = 'replay';

-- Clopper-Pearson: the bounds are where the binomial tails reach delta/2:
-- P(X >= 4 | p = lower) = 0.025 and P(X <= 4 | p = upper) = 0.025, summed
-- here in numeric.
CREATE FUNCTION binom_tail(p numeric, m int, lo int, hi int) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
	SELECT sum(exp(ln(factorial(m)) - ln(factorial(x)) - ln(factorial(m - x)))
			   * power(p, x) * power(1 - p, m - x))
	FROM generate_series(lo, hi) x
$$;
SELECT round(ci_lower::numeric, 10) AS lower, round(ci_upper::numeric, 10) AS upper,
	abs(binom_tail(ci_lower::numeric, 11, 4, 11) - 0.025) < 1e-12 AS lower_tail_ok,
	abs(binom_tail(ci_upper::numeric, 11, 0, 4) - 0.025) < 1e-12 AS upper_tail_ok
FROM ci_state, ope_report(s, 0.95, 'clopper_pearson') rep
WHERE estimator = 'replay';
-- k = 0 and k = m: the closed forms 1 - (delta/2)^(1/m) and (delta/2)^(1/m).
SELECT abs(ci_upper - (1 - 0.025 ^ (1.0 / 11))) < 1e-14 AS none_played_ok, ci_lower AS none_played_lower
FROM (SELECT ope_accumulate(0 * r, mu, pi) AS s FROM ci_log) t, ope_report(s, 0.95, 'clopper_pearson') rep
WHERE estimator = 'replay';
SELECT abs(ci_lower - 0.025 ^ (1.0 / 11)) < 1e-14 AS all_played_ok, ci_upper AS all_played_upper
FROM (SELECT ope_accumulate(1 + 0 * r, mu, pi) AS s FROM ci_log) t, ope_report(s, 0.95, 'clopper_pearson') rep
WHERE estimator = 'replay';

-- Wilson and Clopper-Pearson are for replay of 0/1 rewards under a
-- deterministic target: other rows, a minutes reward or a target
-- probability below 1 give NULL (the estimate stays).
SELECT estimator, method, estimate IS NOT NULL AS has_estimate, ci_lower IS NULL AS no_interval
FROM ci_state, (VALUES ('wilson'), ('clopper_pearson')) m(method), ope_report(s, 0.95, method)
WHERE estimator <> 'replay' ORDER BY method, estimator;
SELECT 'minutes' AS log, method, ci_lower IS NULL AS no_interval
FROM (SELECT ope_accumulate(r * 2.5, mu, pi) AS s FROM ci_log) t,
	(VALUES ('wilson'), ('clopper_pearson')) m(method), ope_report(s, 0.95, method)
WHERE estimator = 'replay'
UNION ALL
SELECT 'pi = 0.5', method, ci_lower IS NULL
FROM (SELECT ope_accumulate(r, mu, pi / 2) AS s FROM ci_log) t,
	(VALUES ('wilson'), ('clopper_pearson')) m(method), ope_report(s, 0.95, method)
WHERE estimator = 'replay';

-- normal: estimate +- z se (the standard errors are checked in ope_io).
SELECT estimator,
	abs(ci_lower - (estimate - :z95 * std_error)) < 1e-14 AND abs(ci_upper - (estimate + :z95 * std_error)) < 1e-14 AS normal_95_ok
FROM ci_state, ope_report(s, 0.95, 'normal') ORDER BY estimator;
SELECT bool_and(abs(ci_upper - (estimate + :z90 * std_error)) < 1e-14) AS normal_90_ok
FROM ci_state, ope_report(s, 0.90, 'normal');

-- A minutes-and-reward-model log for Bernstein and the confidence sequence.
CREATE TABLE ci_dr_log AS
SELECT i, round((3 + 2 * sin(i * 0.7))::numeric, 4)::float8 AS r,
	round((0.1 + 0.3 * (1 + sin(i * 1.1)))::numeric, 4)::float8 AS mu,
	(i % 3 = 0)::int::float8 AS pi,
	round((3 + cos(i * 0.9))::numeric, 4)::float8 AS q,
	round((3 + 0.5 * sin(i * 0.4))::numeric, 4)::float8 AS v
FROM generate_series(1, 300) i;
CREATE TABLE ci_dr_state AS SELECT ope_accumulate(r, mu, pi, q, v) AS s FROM ci_dr_log;

-- Empirical Bernstein (Maurer and Pontil 2009, Theorem 4, two-sided):
-- estimate +- (sqrt(2 sd^2 log(4/delta) / n) + 7 R log(4/delta) / (3 (n - 1)))
-- with sd the terms' sample standard deviation and R the width of the
-- range that holds every term: for ips w r in [0, max w * max r] (r > 0
-- here; r over the matched rows, whose rewards the state tracks), for dr v + w (r - q) in [min v + max w * min(0, min e),
-- max v + max w * max(0, max e)] over matched rows' e; computed here from
-- the log.
CREATE TABLE ci_bernstein AS
WITH d AS (SELECT r::numeric AS r, mu::numeric AS mu, pi::numeric AS pi, q::numeric AS q,
				  v::numeric AS v, pi::numeric / mu::numeric AS w FROM ci_dr_log),
b AS (SELECT count(*) AS n, stddev_samp(w * r) AS sd_ips, stddev_samp(v + w * (r - q)) AS sd_dr,
			 max(w) * max(r) FILTER (WHERE pi > 0) AS r_ips,
			 max(v) + max(w) * greatest(0, max(r - q) FILTER (WHERE pi > 0))
			 - (min(v) + max(w) * least(0, min(r - q) FILTER (WHERE pi > 0))) AS r_dr
	  FROM d)
SELECT 'ips' AS estimator, sqrt(2 * sd_ips ^ 2 * ln(4 / 0.05) / n) + 7 * r_ips * ln(4 / 0.05) / (3 * (n - 1)) AS half
FROM b
UNION ALL
SELECT 'dr', sqrt(2 * sd_dr ^ 2 * ln(4 / 0.05) / n) + 7 * r_dr * ln(4 / 0.05) / (3 * (n - 1)) FROM b;
SELECT rep.estimator, round(((ci_upper - ci_lower) / 2)::numeric, 6) AS half_width,
	abs((ci_upper - ci_lower) / 2 - half::float8) < 1e-10 * half::float8 AS formula_ok,
	abs((ci_upper + ci_lower) / 2 - estimate) < 1e-12 AS centred
FROM ci_dr_state, ope_report(s, 0.95, 'bernstein') rep JOIN ci_bernstein USING (estimator)
ORDER BY estimator;
-- wider than the normal interval for every estimator, at any n
SELECT bool_and(b.ci_upper - b.ci_lower > n.ci_upper - n.ci_lower) AS bernstein_wider
FROM ci_dr_state, ope_report(s, 0.95, 'bernstein') b JOIN ope_report(s, 0.95, 'normal') n USING (estimator);

-- The confidence sequence (Robbins' normal mixture with the sample
-- variance, Waudby-Smith et al. 2024, Theorem 2.2): estimate +- sd
-- sqrt(2 (n rho2 + 1) / (n^2 rho2) log(sqrt(n rho2 + 1) / delta)), rho2 =
-- (-2 log delta + log(1 - 2 log delta)) / 100000.
SELECT estimator,
	abs((ci_upper - ci_lower) / 2 - sd * sqrt(2 * (n * rho2 + 1) / (n * n * rho2) * ln(sqrt(n * rho2 + 1) / 0.05)))
		< 1e-12 * (ci_upper - ci_lower) AS formula_ok,
	round(((ci_upper - ci_lower) / (2 * :z95 * std_error))::numeric, 3) AS times_normal
FROM ci_dr_state, ope_report(s, 0.95, 'cs') rep,
	LATERAL (SELECT std_error * sqrt(300) AS sd, 300.0::float8 AS n,
					(-2 * ln(0.05) + ln(1 - 2 * ln(0.05))) / 100000 AS rho2) c
ORDER BY estimator;
-- cs(rows=N) tunes it for N rows instead (chosen before the data is
-- seen): at 300 rows, here, it is narrower.
SELECT estimator,
	abs((ci_upper - ci_lower) / 2 - sd * sqrt(2 * (n * rho2 + 1) / (n * n * rho2) * ln(sqrt(n * rho2 + 1) / 0.05)))
		< 1e-12 * (ci_upper - ci_lower) AS formula_ok,
	round(((ci_upper - ci_lower) / (2 * :z95 * std_error))::numeric, 3) AS times_normal
FROM ci_dr_state, ope_report(s, 0.95, 'cs(rows=300)') rep,
	LATERAL (SELECT std_error * sqrt(300) AS sd, 300.0::float8 AS n,
					(-2 * ln(0.05) + ln(1 - 2 * ln(0.05))) / 300 AS rho2) c
WHERE estimator IN ('ips', 'dr')
ORDER BY estimator;
-- At the tuned 100000 rows it is about 1.55 normal intervals wide.
SELECT round((sqrt(2 * (n * rho2 + 1) / (n * n * rho2) * ln(sqrt(n * rho2 + 1) / 0.05)) * sqrt(n) / :z95)::numeric, 3) AS ratio_at_tuned_n
FROM (SELECT 100000.0::float8 AS n, (-2 * ln(0.05) + ln(1 - 2 * ln(0.05))) / 100000 AS rho2) c;

--
-- No interval without information: one matched row among many gives the
-- ratio estimators and ips no standard error and no interval under any
-- method (1.1 gave SE 0 and [1, 1]); terms without spread (every match
-- played) give no normal, Bernstein or cs interval, while Wilson and
-- Clopper-Pearson still answer.
--
SELECT estimator, method, estimate, std_error, ci_lower, ci_upper
FROM (SELECT ope_accumulate(r, 0.5, (i = 7)::int::float8) AS s
	  FROM (SELECT i, 1.0::float8 AS r FROM generate_series(1, 1000) i) l) t,
	(VALUES ('normal'), ('bernstein'), ('wilson'), ('clopper_pearson'), ('cs')) m(method),
	ope_report(s, 0.95, method)
WHERE estimator IN ('replay', 'snips', 'ips')
ORDER BY estimator, method;
SELECT estimator, method, estimate, std_error, round(ci_lower::numeric, 6) AS ci_lower, ci_upper
FROM (SELECT ope_accumulate(1.0, 0.5, (i % 2)::float8) AS s FROM generate_series(1, 40) i) t,
	(VALUES ('normal'), ('bernstein'), ('wilson'), ('clopper_pearson'), ('cs')) m(method),
	ope_report(s, 0.95, method)
WHERE estimator = 'replay'
ORDER BY method;

-- Bernstein needs the tracked ranges: a 1.0/1.1 state has none.
SELECT estimator, ci_lower IS NULL AS no_interval
FROM ope_report('{"version":1,"kind":"basic","n":2,"n_skipped":0,"n_matched":2,"max_weight":2,"min_propensity":0.5,"sums":{"pi":2,"pi_r":1,"pi2":2,"pi2_r":1,"pi2_r2":1,"w":4,"w2":8,"w_r":2,"w2_r":4,"w2_r2":4}}'::ope_state,
				0.95, 'bernstein')
ORDER BY estimator;

-- Bad method and confidence.
SELECT expect_error($$SELECT * FROM ope_report((SELECT s FROM ci_state), 0.95, 'exact')$$);
SELECT expect_error($$SELECT * FROM ope_report((SELECT s FROM ci_state), 0.95, 'cs(rows=0)')$$);
SELECT expect_error($$SELECT * FROM ope_report((SELECT s FROM ci_state), 0.95, 'cs(rows=1e20)')$$);
SELECT expect_error($$SELECT * FROM ope_report((SELECT s FROM ci_state), 0.95, 'normal(rows=5)')$$);
SELECT expect_error($$SELECT * FROM ope_report((SELECT s FROM ci_state), 0.95, 'cs(rows=5')$$);
SELECT expect_error($$SELECT * FROM ope_report((SELECT s FROM ci_state), 0.95, 'cs(n=5)')$$);
-- names are case-insensitive, as policies are
SELECT count(*) AS rows FROM ci_state, ope_report(s, 0.95, ' Wilson ');
SELECT expect_error($$SELECT * FROM ope_report((SELECT s FROM ci_state), 1.0, 'cs')$$);
SELECT expect_error($$SELECT * FROM ope_report((SELECT s FROM ci_state), 'NaN', 'cs')$$);
SELECT count(*) AS null_method_rows FROM ci_state, ope_report(s, 0.95, NULL);

DROP TABLE ci_log, ci_state, ci_dr_log, ci_dr_state, ci_bernstein;
DROP FUNCTION binom_tail(numeric, int, int, int);

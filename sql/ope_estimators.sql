-- Estimators, standard errors and intervals: a case worked by hand, then
-- 12,000 rows against the same formulas written in SQL over numeric.
SET extra_float_digits = 0;

-- Three rows (r, mu, pi, q, v); w = pi/mu = 2, 2, 0.
--   replay = 1/1.5 = 2/3, se = sqrt(4/27)         (psi = 2/3, -2/3, 0)
--   ips    = 2/3,     se = sqrt((4/3)/3) = 2/3    (terms 2, 0, 0)
--   snips  = 2/4,     se = sqrt(1.125/6)          (psi = .75, -.75, 0)
--   dm     = 1/3                                  (terms .6, .3, .1)
--   dr     = 1.6/3                                (terms 1.6, -.1, .1)
--   sndr   = 1/3 + (2*.5 + 2*-.2)/4 = 1/3 + .15
CREATE TABLE hand (r float8, mu float8, pi float8, q float8, v float8);
INSERT INTO hand VALUES (1, .5, 1, .5, .6), (0, .25, .5, .2, .3), (1, .5, 0, .4, .1);

SELECT estimator,
       abs(estimate - CASE estimator
           WHEN 'replay' THEN 2.0/3 WHEN 'ips' THEN 2.0/3 WHEN 'snips' THEN 0.5
           WHEN 'dm' THEN 1.0/3 WHEN 'dr' THEN 1.6/3 WHEN 'sndr' THEN 1.0/3 + 0.15 END) < 1e-15 AS estimate_ok,
       CASE estimator
           WHEN 'replay' THEN abs(std_error - sqrt(4.0/27)) < 1e-15
           WHEN 'ips' THEN abs(std_error - 2.0/3) < 1e-15
           WHEN 'snips' THEN abs(std_error - sqrt(1.125/6)) < 1e-15
           -- dm: deviations from 1/3 are 4/15, -1/30, -7/30: ss = 114/900, se = sqrt(ss/2/3)
           WHEN 'dm' THEN abs(std_error - sqrt(114.0/900/6)) < 1e-15
           -- dr: deviations from 8/15: 16/15, -19/30, -13/30: ss = 1.72666..
           WHEN 'dr' THEN abs(std_error - sqrt((256.0/225 + 361.0/900 + 169.0/900)/6)) < 1e-15
           ELSE std_error > 0 END AS std_error_ok,
       -- intervals are estimate -+ z * se with z = 1.959963984540054 at 95%
       abs(ci_lower - (estimate - 1.959963984540054 * std_error)) < 1e-15 AND
       abs(ci_upper - (estimate + 1.959963984540054 * std_error)) < 1e-15 AS interval_ok
FROM ope_report((SELECT ope_accumulate(r, mu, pi, q, v) FROM hand));

-- The 90% interval of ips by hand: 2/3 -+ 1.6448536269514722 * 2/3
SELECT round(ci_lower::numeric, 12) AS lower_90, round(ci_upper::numeric, 12) AS upper_90,
       round((2.0/3 - 1.6448536269514722 * 2.0/3)::numeric, 12) AS by_hand_lower
FROM ope_report((SELECT ope_accumulate(r, mu, pi) FROM hand), 0.90) WHERE estimator = 'ips';

-- A basic state reports replay, ips, snips only; dm/dr/sndr need q and v.
SELECT estimator FROM ope_report((SELECT ope_accumulate(r, mu, pi) FROM hand));
SELECT ope_estimate(s, 'snips') = 0.5 AS snips, ope_estimate(s, 'replay') = 2.0/3 AS replay
FROM (SELECT ope_accumulate(r, mu, pi) AS s FROM hand) x;

-- The standalone aggregates agree with the state.
SELECT ips_estimate(r, mu, pi) = 2.0/3 AS ips, snips_estimate(r, mu, pi) = 0.5 AS snips,
       abs(dr_estimate(r, mu, pi, q, v) - 1.6/3) < 1e-15 AS dr,
       abs(sndr_estimate(r, mu, pi, q, v) - (1.0/3 + 0.15)) < 1e-15 AS sndr
FROM hand;

SELECT d.n, d.n_skipped, d.n_matched, round(d.match_rate::numeric, 12) AS match_rate,
       d.ess, d.max_weight, round(d.mean_weight::numeric, 12) AS mean_weight, d.min_propensity
FROM ope_diagnostics((SELECT ope_accumulate(r, mu, pi) FROM hand)) d;
-- by hand: n 3, matched 2, ess = (2+2)^2/(4+4) = 2, mean weight 4/3, min propensity .25

-- 12,000 rows; the reference converts through text (shortest exact digits)
-- so numeric sees the same values as float8.
CREATE TABLE log AS
SELECT ((i * 31) % 17) / 4.0::float8 AS r,
       (1 + (i * 7919) % 10) / 10.0::float8 AS mu,
       CASE WHEN i % 3 = 0 THEN 0 ELSE ((i * 104729) % 11) / 10.0::float8 END AS pi,
       ((i * 13) % 9) / 8.0::float8 AS q,
       ((i * 17) % 5) / 4.0::float8 AS v
FROM generate_series(1, 12000) i;

CREATE TABLE ref AS
WITH t AS (
    SELECT r::text::numeric AS r, mu::text::numeric AS mu, pi::text::numeric AS pi,
           q::text::numeric AS q, v::text::numeric AS v,
           pi::text::numeric / mu::text::numeric AS w
    FROM log),
s AS (
    SELECT count(*)::numeric AS n, sum(pi * r) / sum(pi) AS replay, avg(w * r) AS ips,
           sum(w * r) / sum(w) AS snips, avg(v) AS dm, avg(v + w * (r - q)) AS dr,
           avg(v) + sum(w * (r - q)) / sum(w) AS sndr,
           sum(pi) / count(*) AS pibar, sum(w) / count(*) AS wbar, sum(w * (r - q)) / sum(w) AS t,
           stddev_samp(w * r) / sqrt(count(*)) AS ips_se, stddev_samp(v) / sqrt(count(*)) AS dm_se,
           stddev_samp(v + w * (r - q)) / sqrt(count(*)) AS dr_se
    FROM t)
SELECT s.*,
       (SELECT sqrt(sum((t.pi * (t.r - s.replay) / s.pibar) ^ 2) / (s.n * (s.n - 1))) FROM t) AS replay_se,
       (SELECT sqrt(sum((t.w * (t.r - s.snips) / s.wbar) ^ 2) / (s.n * (s.n - 1))) FROM t) AS snips_se,
       (SELECT sqrt(sum(((t.v - s.dm) + t.w * ((t.r - t.q) - s.t) / s.wbar) ^ 2) / (s.n * (s.n - 1))) FROM t) AS sndr_se
FROM s;

SELECT o.estimator,
       abs(o.estimate::numeric / e.est - 1) < 1e-12 AS estimate_matches,
       abs(o.std_error::numeric / e.se - 1) < 1e-12 AS std_error_matches
FROM ope_report((SELECT ope_accumulate(r, mu, pi, q, v) FROM log)) o
JOIN (SELECT 'replay' AS estimator, replay AS est, replay_se AS se FROM ref UNION ALL
      SELECT 'ips', ips, ips_se FROM ref UNION ALL
      SELECT 'snips', snips, snips_se FROM ref UNION ALL
      SELECT 'dm', dm, dm_se FROM ref UNION ALL
      SELECT 'dr', dr, dr_se FROM ref UNION ALL
      SELECT 'sndr', sndr, sndr_se FROM ref) e USING (estimator);

SELECT abs(ips_estimate(r, mu, pi)::numeric / (SELECT ips FROM ref) - 1) < 1e-12 AS ips,
       abs(snips_estimate(r, mu, pi)::numeric / (SELECT snips FROM ref) - 1) < 1e-12 AS snips,
       abs(dr_estimate(r, mu, pi, q, v)::numeric / (SELECT dr FROM ref) - 1) < 1e-12 AS dr,
       abs(sndr_estimate(r, mu, pi, q, v)::numeric / (SELECT sndr FROM ref) - 1) < 1e-12 AS sndr
FROM log;

-- Diagnostics against plain SQL.
SELECT d.n = 12000 AS n, d.n_matched = (SELECT count(*) FROM log WHERE pi > 0) AS n_matched,
       abs(d.ess - (SELECT sum(pi / mu) ^ 2 / sum((pi / mu) ^ 2) FROM log)) < 1e-9 AS ess,
       d.max_weight = (SELECT max(pi / mu) FROM log) AS max_weight,
       d.min_propensity = (SELECT min(mu) FROM log) AS min_propensity,
       abs(d.mean_weight - (SELECT avg(pi / mu) FROM log)) < 1e-12 AS mean_weight
FROM ope_diagnostics((SELECT ope_accumulate(r, mu, pi) FROM log)) d;

-- Compensated summation: a huge reward first and its negative last, with
-- small ones between.  Plain float8 summation rounds every small reward to
-- the spacing of 1e15 (0.125); the compensated sums keep the exact (numeric)
-- answer to 1e-12.  (numeric sees the float8 values through their shortest
-- exact text.)
CREATE TABLE cancel AS
SELECT CASE i WHEN 1 THEN 1e15 WHEN 10000 THEN -1e15 ELSE (i % 97) / 10.0 END::float8 AS r
FROM generate_series(1, 10000) i ORDER BY i;

SELECT abs(ips_estimate(r, 1, 1)::numeric / exact - 1) < 1e-12 AS compensated_ok,
       abs(snips_estimate(r, 0.5, 0.25)::numeric / exact - 1) < 1e-12 AS snips_ok,
       abs((sum(r) / count(*))::numeric / exact - 1) > 1e-9 AS naive_is_off
FROM cancel, (SELECT avg(r::text::numeric) AS exact FROM cancel) e
GROUP BY exact;

-- Standard errors with a large common offset in the rewards: the power sums
-- agree in nearly every digit, the variances are taken in double-double.
CREATE TABLE offset_log AS SELECT (1e6 + (i % 2) + (i % 7) / 8.0)::float8 AS r FROM generate_series(1, 5000) i;
SELECT o.estimator,
       abs(o.std_error::numeric / (SELECT stddev_samp(r::numeric) / sqrt(count(*)::numeric) FROM offset_log) - 1) < 1e-9
       AS offset_se_matches
FROM ope_report((SELECT ope_accumulate(r, 1, 1) FROM offset_log)) o;

DROP TABLE hand, log, ref, cancel, offset_log;

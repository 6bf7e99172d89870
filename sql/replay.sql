-- replay_take_fraction: every overload on a table worked by hand, then
-- against plain SQL over numeric on 20,000 rows.
SET extra_float_digits = 0;

CREATE TABLE imp (logged int8, target int8, played bool, minutes float8, mu float8);
INSERT INTO imp VALUES
    (1, 1, true,  30, .5),
    (1, 1, false,  0, .25),
    (2, 1, true,  20, .5),      -- no match
    (2, 2, true,  10, .1),
    (3, 2, false,  0, .2),      -- no match
    (3, 3, false,  5, .5),
    (1, 1, NULL, NULL, .5);     -- skipped
-- matches: rows 1, 2, 4, 6
--   avg(played)                 = (1 + 0 + 1 + 0) / 4             = 0.5
--   sum(played/mu) / sum(1/mu)  = (2 + 0 + 10 + 0) / (2 + 4 + 10 + 2) = 2/3
--   avg(minutes)                = (30 + 0 + 10 + 5) / 4           = 11.25
--   sum(minutes/mu) / sum(1/mu) = (60 + 0 + 100 + 10) / 18        = 170/18
SELECT replay_take_fraction(logged, target, played) AS plays,
       abs(replay_take_fraction(logged, target, played, mu) - 2.0/3) < 1e-15 AS weighted_plays_ok,
       replay_take_fraction(logged, target, minutes) AS minutes,
       abs(replay_take_fraction(logged, target, minutes, mu) - 170.0/18) < 1e-14 AS weighted_minutes_ok
FROM imp;

-- No matching row, and no row at all: NULL, never NaN.
SELECT replay_take_fraction(logged, 99, played) IS NULL AS no_match,
       replay_take_fraction(logged, 99, played, mu) IS NULL AS no_match_weighted,
       replay_take_fraction(logged, target, minutes) FILTER (WHERE false) IS NULL AS no_rows
FROM imp;

-- Per-target breakdowns with GROUP BY (one replay per show, say).
SELECT target, replay_take_fraction(logged, target, played) AS plays
FROM imp GROUP BY target ORDER BY target;
-- by hand: target 1: rows 1, 2 match -> 0.5; target 2: row 4 -> 1; target 3: row 6 -> 0

-- 20,000 rows: logged image uniform over 4 with propensity 1/4 or skewed,
-- target a deterministic function of the row.
CREATE TABLE big AS
SELECT i AS id, (i * 7) % 4 + 1 AS logged, (i / 3) % 4 + 1 AS target,
       (i * 2654435761) % 1000 < 300 + 50 * ((i * 7) % 4) AS played,
       ((i * 40503) % 600) / 10.0::float8 AS minutes,
       CASE (i * 7) % 4 WHEN 0 THEN 0.4 WHEN 1 THEN 0.3 WHEN 2 THEN 0.2 ELSE 0.1 END::float8 AS mu
FROM generate_series(1, 20000) i;

WITH ref AS (
    SELECT avg(played::int::numeric) FILTER (WHERE logged = target) AS ref_plays,
           sum(played::int / mu::text::numeric) FILTER (WHERE logged = target) /
               sum(1 / mu::text::numeric) FILTER (WHERE logged = target) AS ref_weighted_plays,
           avg(minutes::text::numeric) FILTER (WHERE logged = target) AS ref_minutes,
           sum(minutes::text::numeric / mu::text::numeric) FILTER (WHERE logged = target) /
               sum(1 / mu::text::numeric) FILTER (WHERE logged = target) AS ref_weighted_minutes
    FROM big)
SELECT abs(replay_take_fraction(logged, target, played)::numeric / ref_plays - 1) < 1e-12 AS plays,
       abs(replay_take_fraction(logged, target, played, mu)::numeric / ref_weighted_plays - 1) < 1e-12 AS weighted_plays,
       abs(replay_take_fraction(logged, target, minutes)::numeric / ref_minutes - 1) < 1e-12 AS minutes,
       abs(replay_take_fraction(logged, target, minutes, mu)::numeric / ref_weighted_minutes - 1) < 1e-12 AS weighted_minutes
FROM big, ref GROUP BY ref_plays, ref_weighted_plays, ref_minutes, ref_weighted_minutes;

-- Replay is the "replay" estimator of ope_report with pi = 1 on matches;
-- with propensities it is snips.  Both views agree.
SELECT abs(r.estimate - (SELECT replay_take_fraction(logged, target, played) FROM big)) < 1e-15 AS replay_agrees,
       abs(s.estimate - (SELECT replay_take_fraction(logged, target, played, mu) FROM big)) < 1e-15 AS snips_agrees
FROM (SELECT ope_accumulate(played::int, mu, (logged = target)::int) AS st FROM big) x,
     LATERAL ope_report(x.st) r, LATERAL ope_report(x.st) s
WHERE r.estimator = 'replay' AND s.estimator = 'snips';

DROP TABLE imp, big;

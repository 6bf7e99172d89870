--
-- Delayed rewards (README "Trusting your log"): rewards built from a plays
-- table within an attribution window, NULL while the window is open; daily
-- states marked provisional until their rewards are all in, and refreshed.
--
CREATE TABLE d_plays (user_id int8, show_id int4, started_at timestamptz, minutes float8);
CREATE TABLE d_impressions (impression_id int8, user_id int8, show_id int4, shown_at timestamptz,
                            image_id int8, context float8[], candidates int8[], propensity float8);

-- The recipe: a play of the show by the user in [shown_at, shown_at + 24 h);
-- minutes is their total, played (a quality play) whether one lasted 5
-- minutes or more; both NULL while the window is still open.
CREATE VIEW d_rewarded AS
SELECT i.*, i.shown_at::date AS day,
       CASE WHEN i.shown_at + interval '24 hours' <= now() THEN coalesce(p.minutes, 0) END AS minutes,
       CASE WHEN i.shown_at + interval '24 hours' <= now() THEN coalesce(p.quality, false) END AS played
FROM d_impressions i
LEFT JOIN LATERAL (
    SELECT sum(pl.minutes) AS minutes, bool_or(pl.minutes >= 5) AS quality
    FROM d_plays pl
    WHERE pl.user_id = i.user_id AND pl.show_id = i.show_id
      AND pl.started_at >= i.shown_at AND pl.started_at < i.shown_at + interval '24 hours') p ON true;

-- one impression per case, each expected value derived by hand
INSERT INTO d_impressions (impression_id, user_id, show_id, shown_at, image_id, context, candidates, propensity)
SELECT id, id, 1, timestamptz '2026-11-01 12:00+00', 1, '{1,0,0,0}', '{1,2}', 0.5 FROM generate_series(1, 9) id;
UPDATE d_impressions SET shown_at = now() - interval '1 hour' WHERE impression_id = 9;
INSERT INTO d_plays VALUES
    (1, 1, '2026-11-01 13:00+00', 10),   -- 1: a quality play an hour later
    (2, 1, '2026-11-01 13:00+00', 3),    -- 2: a play, but shorter than 5 minutes
    (3, 2, '2026-11-01 13:00+00', 30),   -- 3: the user played another show
    (99, 1, '2026-11-01 13:00+00', 30),  -- 4: another user played the show
    (5, 1, '2026-11-01 11:59+00', 30),   -- 5: played before the impression
    (6, 1, '2026-11-02 12:00+00', 30),   -- 6: exactly 24 h later: outside
    (7, 1, '2026-11-02 11:59:59+00', 6), -- 7: a second before the window closes
    (8, 1, '2026-11-01 14:00+00', 2),    -- 8: two short plays, 6 minutes in all,
    (8, 1, '2026-11-01 15:00+00', 4),    --    none a quality play
    (9, 1, now(), 50);                   -- 9: window still open: no reward yet
SELECT r.impression_id, r.minutes, r.played,
       (r.minutes, r.played) IS NOT DISTINCT FROM (e.minutes, e.played) AS as_derived
FROM d_rewarded r
JOIN (VALUES (1, 10, true), (2, 3, false), (3, 0, false), (4, 0, false), (5, 0, false),
             (6, 0, false), (7, 6, true), (8, 6, false), (9, NULL, NULL)) e(id, minutes, played)
  ON e.id = r.impression_id
ORDER BY r.impression_id;

-- Provisional days.  A log over the last six days; rewards from the plays
-- (one user per impression, a quality play on every third)
TRUNCATE d_impressions, d_plays;
INSERT INTO d_impressions
SELECT s.impression_id, s.impression_id, s.show_id,
       date_trunc('day', now()) - interval '5 days' + (s.day - 1) * interval '1 day' + (s.impression_id * 997 % 86000) * interval '1 second',
       s.image_id, s.context, s.candidates, s.propensity
FROM simulate_impressions(3000, 2, 3, 4, 21) s WHERE s.day <= 6;
INSERT INTO d_plays
SELECT user_id, show_id, shown_at + interval '2 hours', 20 FROM d_impressions WHERE impression_id % 3 = 0;
CREATE TABLE d_targets AS
SELECT 'greedy'::text AS name, 'greedy'::text AS policy, bandit_fit(image_id, context, played) AS model
FROM d_rewarded WHERE played IS NOT NULL;
CREATE TABLE d_results (day date NOT NULL, policy text NOT NULL, segment_by text NOT NULL DEFAULT '',
                        segment text NOT NULL DEFAULT '', state ope_state NOT NULL,
                        computed_at timestamptz NOT NULL DEFAULT now(), definition text,
                        complete_at timestamptz, PRIMARY KEY (day, policy, segment_by, segment));
SELECT sum(ope_rollup_day('d_rewarded', 'd_results', 'd_targets', d::date, reward_window => '24 hours')) AS states
FROM generate_series(date_trunc('day', now()) - interval '5 days', date_trunc('day', now()), interval '1 day') d;
-- a day is complete once its last impression's window has closed: the end
-- of the day plus 24 hours.  Yesterday and today are provisional; today's
-- rows are all still open (skipped, NULL rewards) and yesterday's in part
-- (how many of yesterday's are still open depends on the time of day: the
-- counts are checked against the view, not printed)
SELECT day - current_date AS day, complete_at = (day + 1)::timestamptz + interval '24 hours' AS day_end_plus_window,
       computed_at < complete_at AS computed_early
FROM d_results ORDER BY day;
SELECT day - current_date AS day, provisional,
       n = (SELECT count(*) FROM d_rewarded r WHERE r.day = o.day AND r.played IS NOT NULL) AS n_closed_rows,
       (SELECT count(*) FROM d_rewarded r WHERE r.day = o.day AND r.played IS NULL) > 0 AS has_open_rows,
       array_to_string(warnings, '; ') ~ '(skipped rows|every row was skipped)' AS warns_of_skipped
FROM ope_rollup_report('d_results', current_date - 5, current_date, by_day => true) o
WHERE estimator = 'ips' AND day <> current_date - 1 ORDER BY day;
SELECT n + (SELECT count(*) FROM d_rewarded r WHERE r.day = current_date - 1 AND r.played IS NULL)
       = (SELECT count(*) FROM d_rewarded r WHERE r.day = current_date - 1) AS yesterday_counted_or_open,
       provisional
FROM ope_rollup_report('d_results', current_date - 1, current_date - 1) o WHERE estimator = 'ips';
-- over a range, provisional if any of its days is
SELECT provisional FROM ope_rollup_report('d_results', current_date - 5, current_date - 2) WHERE estimator = 'ips';
SELECT provisional FROM ope_rollup_report('d_results', current_date - 5, current_date) WHERE estimator = 'ips';

-- Refreshing.  Pretend day -3 was computed the morning after (before its
-- window closed), as a nightly job computes yesterday: it is provisional
-- until the refresh recomputes it.
UPDATE d_results SET computed_at = complete_at - interval '20 hours' WHERE day = current_date - 3;
SELECT day - current_date AS day, provisional
FROM ope_rollup_report('d_results', current_date - 5, current_date - 2, by_day => true)
WHERE estimator = 'ips' ORDER BY day;
-- the refresh (README): every day computed before its window closed whose
-- window has closed since
SELECT day - current_date AS stale_day
FROM d_results WHERE computed_at < complete_at AND complete_at <= now() GROUP BY day ORDER BY day;
SELECT sum(ope_rollup_day('d_rewarded', 'd_results', 'd_targets', s.day, reward_window => '24 hours')) AS refreshed
FROM (SELECT DISTINCT day FROM d_results WHERE computed_at < complete_at AND complete_at <= now()) s;
SELECT day - current_date AS day, provisional
FROM ope_rollup_report('d_results', current_date - 5, current_date - 2, by_day => true)
WHERE estimator = 'ips' ORDER BY day;

-- without reward_window, complete_at is NULL: never provisional; a results
-- table without complete_at works as before, and reports provisional false
SELECT ope_rollup_day('d_rewarded', 'd_results', 'd_targets', current_date - 4) AS states;
SELECT complete_at IS NULL AS no_window FROM d_results WHERE day = current_date - 4;
CREATE TABLE d_results_plain AS SELECT day, policy, segment_by, segment, state, computed_at, definition FROM d_results;
SELECT DISTINCT provisional FROM ope_rollup_report('d_results_plain', current_date - 5, current_date, by_day => true);
SELECT expect_error($$SELECT ope_rollup_day('d_rewarded', 'd_results_plain', 'd_targets', current_date - 4, reward_window => '1 day')$$) AS needs_complete_at;
SELECT expect_error($$SELECT ope_rollup_day('d_rewarded', 'd_results', 'd_targets', current_date - 4, reward_window => '-1 hour')$$) AS negative_window;
ALTER TABLE d_results_plain ADD COLUMN complete_at date;
SELECT expect_error($$SELECT * FROM ope_rollup_report('d_results_plain', current_date - 5, current_date)$$) AS wrong_type;

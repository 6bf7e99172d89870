-- simulate_impressions: schema, determinism, logging propensities that
-- match the logging policy exactly, truth consistent with the draws, and
-- bad arguments.
SET extra_float_digits = 0;

CREATE TABLE sim AS SELECT * FROM simulate_impressions(20000, 30, 4, 12, 7);

-- Schema and ranges.
SELECT count(*) AS n, min(impression_id) AS first_id, max(impression_id) AS last_id,
       count(DISTINCT impression_id) AS distinct_ids,
       min(day) AS first_day, max(day) AS last_day, min(show_id) >= 1 AND max(show_id) <= 30 AS shows_ok,
       bool_and(array_length(context, 1) = 12 AND context[1] = 1) AS context_ok,
       bool_and(array_length(candidates, 1) = 4 AND candidates[1] = show_id * 1000 + 1) AS candidates_ok,
       bool_and(image_id = ANY (candidates)) AS image_is_a_candidate,
       bool_and(propensity = 0.25) AS uniform_propensity,
       bool_and(minutes = 0) FILTER (WHERE NOT played) AS no_play_no_minutes,
       bool_and(minutes BETWEEN 1 AND 240) FILTER (WHERE played) AS minutes_range,
       bool_and((SELECT bool_and(p > 0 AND p < 1) FROM unnest(play_probabilities) p)) AS truth_in_0_1,
       min(hour) >= 0 AND max(hour) <= 23 AS hours_ok
FROM sim;
SELECT pg_typeof(impression_id), pg_typeof(user_id), pg_typeof(show_id), pg_typeof(day), pg_typeof(context),
       pg_typeof(candidates), pg_typeof(image_id), pg_typeof(propensity), pg_typeof(played),
       pg_typeof(minutes), pg_typeof(play_probabilities)
FROM sim LIMIT 1;

-- Same seed, same rows; another seed, other rows.
SELECT (SELECT md5(string_agg(s::text, '|' ORDER BY impression_id)) FROM simulate_impressions(500, 30, 4, 12, 7) s) =
       (SELECT md5(string_agg(s::text, '|' ORDER BY impression_id)) FROM simulate_impressions(500, 30, 4, 12, 7) s) AS deterministic,
       (SELECT md5(string_agg(s::text, '|' ORDER BY impression_id)) FROM simulate_impressions(500, 30, 4, 12, 7) s) <>
       (SELECT md5(string_agg(s::text, '|' ORDER BY impression_id)) FROM simulate_impressions(500, 30, 4, 12, 8) s) AS seed_matters;
-- Row i depends on n only through its day (and the day's tokens in the
-- context): the user, the show, the hour, the uniform logging choice, the
-- truth and the play are the same.
SELECT bool_and(a.user_id = b.user_id AND a.show_id = b.show_id AND a.hour = b.hour AND
                a.image_id = b.image_id AND a.play_probabilities = b.play_probabilities AND
                a.played = b.played) AS rows_independent_of_n
FROM simulate_impressions(100, 30, 4, 12, 7) a JOIN sim b USING (impression_id);

-- The draws follow the truth: plays of the shown image against the sum of
-- its true probabilities, within 4 standard errors.
SELECT abs(sum(played::int) - sum(play_probabilities[array_position(candidates, image_id)]))
       < 4 * sqrt(sum(play_probabilities[array_position(candidates, image_id)] *
                      (1 - play_probabilities[array_position(candidates, image_id)]))) AS plays_match_truth
FROM sim;
-- The context carries signal: the best image differs between users.
SELECT count(DISTINCT best) > 1 AS best_image_depends_on_user
FROM (SELECT show_id, (SELECT i FROM unnest(play_probabilities) WITH ORDINALITY t(p, i) ORDER BY p DESC LIMIT 1) AS best
      FROM sim WHERE show_id = 1) x;

-- Non-uniform logging: the logged propensity is exactly the logging policy's
-- probability of the shown image, and choices follow those probabilities.
CREATE TABLE pilot AS SELECT bandit_fit(image_id, context, played::int) AS m FROM sim;
CREATE TABLE logged AS
SELECT s.* FROM pilot, simulate_impressions(5000, 30, 4, 12, 9, 'softmax(temperature=0.05)', pilot.m) s;
SELECT bool_and(abs(l.propensity - bandit_probability(p.m, l.context, l.candidates, l.image_id, 'softmax(temperature=0.05)')) < 1e-15)
       AS propensities_exact,
       min(l.propensity) < 0.2 AND max(l.propensity) > 0.3 AS not_uniform
FROM logged l, pilot p;
-- E[1/propensity] = K under any logging policy: the sum over candidates of p * (1/p)
SELECT abs(avg(1 / propensity) - 4) < 4 * stddev(1 / propensity) / sqrt(count(*)) AS mean_inverse_propensity_is_K
FROM logged;

-- Bad arguments.
SELECT f, expect_error(f) AS result
FROM (VALUES ('SELECT count(*) FROM simulate_impressions(-1, 3, 2, 8, 1)'),
             ('SELECT count(*) FROM simulate_impressions(10, 0, 2, 8, 1)'),
             ('SELECT count(*) FROM simulate_impressions(10, 3, 0, 8, 1)'),
             ('SELECT count(*) FROM simulate_impressions(10, 3, 1000, 8, 1)'),
             ('SELECT count(*) FROM simulate_impressions(10, 3, 2, 3, 1)'),
             ('SELECT count(*) FROM simulate_impressions(10, 3, 2, 1025, 1)'),
             ('SELECT count(*) FROM simulate_impressions(10, 3, 2, 8, 1, ''bogus'')'),
             ('SELECT count(*) FROM pilot, simulate_impressions(10, 3, 2, 8, 1, ''greedy'', pilot.m)')) v(f)
ORDER BY f;
SELECT count(*) AS no_rows_for_null FROM simulate_impressions(NULL, 3, 2, 8, 1);
SELECT count(*) AS zero_rows FROM simulate_impressions(0, 3, 2, 8, 1);

DROP TABLE sim, pilot, logged;

--
-- bandit_audit_propensities: logged propensities (and, with a seed, the
-- shown image) recomputed from the model, context, candidates and policy;
-- bandit_unseen_candidates: a wrong join made visible.
--
CREATE TABLE a_train AS SELECT * FROM simulate_impressions(3000, 2, 4, 5, 11);
CREATE TABLE a_model AS SELECT bandit_fit(image_id, context, played) AS model FROM a_train;

-- a log written as production writes it: bandit_act with the impression id
-- as the seed, the propensity it returned logged beside the image
CREATE TABLE a_log AS
SELECT s.impression_id AS id, s.show_id, s.context, s.candidates, (act).action AS image_id,
       (act).probability AS propensity, s.impression_id AS seed
FROM simulate_impressions(2000, 2, 4, 5, 12) s, a_model m,
     LATERAL bandit_act(m.model, s.context, s.candidates, 'softmax(temperature=0.2)', s.impression_id) act;
-- the right model and policy: every propensity and every choice agrees
SELECT a.* FROM a_model m,
     bandit_audit_propensities('a_log', m.model, 'softmax(temperature=0.2)', seed_column => 'seed') a;
-- simulate_impressions logged by the model passes too (no seed logged)
CREATE TABLE a_sim AS
SELECT s.* FROM a_model m, simulate_impressions(2000, 2, 4, 5, 13, 'softmax(temperature=0.2)', m.model) s;
SELECT rows_compared, mismatches, max_difference, example, unseen_candidates, choices_compared
FROM a_model m, bandit_audit_propensities('a_sim', m.model, 'softmax(temperature=0.2)') a;
-- ... and fails with another policy than the one that logged it
SELECT rows_compared, mismatches = rows_compared AS every_row_differs,
       example LIKE 'ctid (%): image % logged with propensity %, recomputed 1' AS example_says_what
FROM a_model m, bandit_audit_propensities('a_sim', m.model, 'greedy') a;

-- a deliberately corrupted log: every 10th propensity logged as 0.5, every
-- 7th row showing another image than its seed chose
UPDATE a_log SET propensity = 0.5 WHERE id % 10 = 0;
UPDATE a_log SET image_id = CASE WHEN image_id = candidates[1] THEN candidates[2] ELSE candidates[1] END
WHERE id % 7 = 0;
-- counted independently: rows whose logged propensity is not what
-- bandit_probability gives now, and rows whose image is not bandit_choose's
SELECT count(*) FILTER (WHERE abs(propensity - bandit_probability(m.model, context, candidates, image_id,
                                                                  'softmax(temperature=0.2)')) > 1e-12) AS propensity_mismatches,
       count(*) FILTER (WHERE image_id <> bandit_choose(m.model, context, candidates, 'softmax(temperature=0.2)', seed)) AS choice_mismatches,
       max(abs(propensity - bandit_probability(m.model, context, candidates, image_id, 'softmax(temperature=0.2)'))) AS max_difference
FROM a_log, a_model m;
SELECT rows_compared, mismatches, max_difference, choices_compared, choice_mismatches,
       example ~ '^ctid \(\d+,\d+\): image \d+ logged with propensity [0-9.e-]+, recomputed [0-9.e-]+$' AS example_form,
       choice_example ~ '^ctid \(\d+,\d+\): seed \d+ chooses image \d+, the log shows image \d+$' AS choice_example_form
FROM a_model m, bandit_audit_propensities('a_log', m.model, 'softmax(temperature=0.2)', seed_column => 'seed') a;
-- an image that is not among the candidates: recomputed 0
UPDATE a_log SET image_id = 9999 WHERE id = 1;
CREATE VIEW a_one AS SELECT * FROM a_log WHERE id = 1;
SELECT rows_compared, mismatches, example FROM a_model m, bandit_audit_propensities('a_one', m.model, 'softmax(temperature=0.2)') a;

-- A wrong join: show 2's impressions served with a model that only knows
-- show 1.  The contract scores unseen images with the prior, so every
-- image got 1/4 and the audit, with the same wrong model, finds every
-- propensity right; only the unseen candidates give the join away
CREATE TABLE a_show1 AS SELECT bandit_fit(image_id, context, played) AS model FROM a_train WHERE show_id = 1;
CREATE TABLE a_uniform AS SELECT * FROM simulate_impressions(1000, 2, 4, 5, 14);
CREATE TABLE a_wrong AS
SELECT s.impression_id, s.context, s.candidates, (act).action AS shown, (act).probability AS p
FROM a_uniform s, a_show1 m,
     LATERAL bandit_act(m.model, s.context, s.candidates, 'softmax(temperature=0.2)', s.impression_id) act
WHERE s.show_id = 2;
SELECT min(p), max(p) FROM a_wrong;
SELECT rows_compared, mismatches, unseen_candidates, rows_all_unseen,
       rows_all_unseen = (SELECT count(*) FROM a_wrong) AS every_row
FROM a_show1 m, bandit_audit_propensities('a_wrong', m.model, 'softmax(temperature=0.2)',
                                          action_column => 'shown', propensity_column => 'p') a;
-- the helper finds the same rows in plain SQL
SELECT u.show_id, count(*) AS rows, sum(bandit_unseen_candidates(m.model, u.candidates)) AS unseen,
       count(*) FILTER (WHERE bandit_unseen_candidates(m.model, u.candidates) = cardinality(u.candidates)) AS all_unseen
FROM a_uniform u, a_show1 m GROUP BY u.show_id ORDER BY u.show_id;
SELECT bandit_unseen_candidates(m.model, '{1001,1002,5,6}') AS two_unseen,
       bandit_unseen_candidates(m.model, '{}') AS none,
       bandit_unseen_candidates(m.model, NULL) IS NULL AS strict
FROM a_show1 m;

-- rows with a NULL input are skipped and counted; a NULL seed skips only the choice
UPDATE a_log SET context = NULL WHERE id = 2;
UPDATE a_log SET seed = NULL WHERE id = 3;
SELECT rows_compared, rows_skipped, choices_compared
FROM a_model m, bandit_audit_propensities('a_log', m.model, 'softmax(temperature=0.2)', seed_column => 'seed') a;

-- bad input
CREATE TABLE a_empty AS SELECT * FROM a_log WHERE false;
CREATE TABLE a_dim3 AS SELECT bandit_fit(1, '{1,2,3}', 1) AS model;
SELECT q, expect_error(q) FROM (VALUES
    ($$SELECT * FROM bandit_audit_propensities('a_log', NULL, 'greedy')$$),
    ($$SELECT * FROM a_model m, bandit_audit_propensities('a_log', m.model, NULL)$$),
    ($$SELECT * FROM a_model m, bandit_audit_propensities(NULL, m.model, 'greedy')$$),
    ($$SELECT * FROM a_model m, bandit_audit_propensities('a_log', m.model, 'softmax(temperature=0)')$$),
    ($$SELECT * FROM a_model m, bandit_audit_propensities('a_log', m.model, 'no_such_policy')$$),
    ($$SELECT * FROM a_dim3 m, bandit_audit_propensities('a_log', m.model, 'greedy')$$),
    ($$SELECT * FROM a_model m, bandit_audit_propensities('a_empty', m.model, 'greedy')$$),
    ($$SELECT * FROM a_model m, bandit_audit_propensities('a_no_such_log', m.model, 'greedy')$$),
    ($$SELECT * FROM a_model m, bandit_audit_propensities('a_log', m.model, 'greedy', 'no_such_column')$$),
    ($$SELECT * FROM a_model m, bandit_audit_propensities('a_log', m.model, 'greedy', context_column => 'candidates')$$),
    ($$SELECT * FROM a_model m, bandit_audit_propensities('a_log', m.model, 'greedy', seed_column => 'context')$$),
    ($$SELECT * FROM a_model m, bandit_audit_propensities('a_log', m.model, 'greedy', propensity_column => NULL)$$)
) t(q);

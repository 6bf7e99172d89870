-- bandit_refresh_models (1.2): a scope with no usable row in the range (every
-- row has a NULL action, context or reward, so bandit_fit gives no model) is
-- skipped and named in a NOTICE; the other scopes get the new version, and
-- the skipped scope's last good version stays current.  n_rows counts the
-- rows that entered the fit.
SET client_min_messages = notice;
\set VERBOSITY terse

CREATE TABLE sk_log AS
SELECT date '2026-10-31' + day AS day, show_id, image_id, context, candidates, propensity, played
FROM simulate_impressions(3000, 4, 3, 4, 11);
CREATE TABLE sk_models (
    name text NOT NULL, scope text NOT NULL, version int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), trained_from date, trained_to date,
    n_rows bigint, retired boolean NOT NULL DEFAULT false, model banditmodel NOT NULL,
    PRIMARY KEY (name, scope, version));
SELECT bandit_refresh_models('sk_log', 'sk_models', 'ctr', '2026-11-01', '2026-11-10', 'show_id') AS v1;

-- on days 11 to 20, show 2 has no reward at all, show 3 no context on some rows
UPDATE sk_log SET played = NULL WHERE show_id = 2 AND day > '2026-11-10';
UPDATE sk_log SET context = NULL WHERE show_id = 3 AND day > '2026-11-10' AND image_id % 2 = 0;
SELECT bandit_refresh_models('sk_log', 'sk_models', 'ctr', '2026-11-11', '2026-11-20', 'show_id') AS v2;
SELECT m.scope, m.version, m.n_rows,
       m.n_rows = (SELECT count(*) FROM sk_log l WHERE l.show_id::text = m.scope
                   AND l.day BETWEEN '2026-11-11' AND '2026-11-20'
                   AND l.played IS NOT NULL AND l.context IS NOT NULL) AS n_rows_entered_the_fit,
       m.n_rows = (SELECT sum(a.n) FROM bandit_arms(m.model) a) AS n_rows_equals_model_count
FROM sk_models m WHERE m.version = 2 ORDER BY m.scope;
-- show 2 keeps version 1
SELECT scope, version FROM bandit_current_models('sk_models', 'ctr') ORDER BY scope;

-- without the NOT NULL constraint no NULL model is stored either
ALTER TABLE sk_models ALTER model DROP NOT NULL;
SELECT bandit_refresh_models('sk_log', 'sk_models', 'ctr', '2026-11-11', '2026-11-20', 'show_id') AS v3;
SELECT count(*) FILTER (WHERE model IS NULL) AS null_models, count(*) AS models FROM sk_models;
SELECT scope, version FROM bandit_current_models('sk_models', 'ctr') ORDER BY scope;

-- every scope without a usable row: nothing written, no new version; the
-- NOTICE names at most ten scopes
UPDATE sk_log SET played = NULL WHERE day > '2026-11-20';
INSERT INTO sk_log SELECT day, show_id + 10 * k, image_id, context, candidates, propensity, played
FROM sk_log, generate_series(1, 3) k WHERE day > '2026-11-20';
SELECT bandit_refresh_models('sk_log', 'sk_models', 'ctr', '2026-11-21', '2026-11-30', 'show_id') AS nothing;
SELECT max(version) AS still_3 FROM sk_models;

DROP TABLE sk_log, sk_models;

-- Edge cases of the scheduled jobs (C since 1.2), each found in review:
-- NULL policies and segments in a results table, several jobs in one
-- statement (each statement of a job sees what the previous one wrote),
-- an infinite day, a segment column of a user-defined type (printed by its
-- output function, never by a cast someone could create), and rows that
-- will not be scored are not checked.
SET client_min_messages = warning;
\set VERBOSITY terse

CREATE TABLE je_log AS
SELECT date '2026-10-31' + day AS day, show_id, image_id, context, candidates, propensity, played
FROM simulate_impressions(2000, 3, 3, 4, 5);
CREATE TABLE je_models (
    name text NOT NULL, scope text NOT NULL, version int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), trained_from date, trained_to date,
    n_rows bigint, retired boolean NOT NULL DEFAULT false, model banditmodel NOT NULL,
    PRIMARY KEY (name, scope, version));

-- two refreshes in one statement: versions 1 and 2, never the same twice
SELECT bandit_refresh_models('je_log', 'je_models', 'ctr', '2026-11-01', '2026-11-10', 'show_id')
FROM generate_series(1, 2);
SELECT version, count(*) FROM je_models GROUP BY version ORDER BY version;
-- two rollbacks in one statement retire 2, then refuse (only version 1 is left)
SELECT bandit_refresh_models('je_log', 'je_models', 'ctr', '2026-11-01', '2026-11-10', 'show_id') AS v3;
SELECT bandit_rollback_models('je_models', 'ctr') FROM generate_series(1, 2);
SELECT version, bool_and(retired) FROM je_models GROUP BY version ORDER BY version;
-- an infinite day: every row up to it, as date + 1 keeps infinity
SELECT bandit_refresh_models('je_log', 'je_models', 'all', '-infinity', 'infinity') AS all_rows;
SELECT n_rows = (SELECT count(*) FROM je_log) AS every_row FROM je_models WHERE name = 'all';

-- a results table whose policy and segment may be NULL
CREATE TABLE je_results (day date, policy text, segment_by text, segment text, state ope_state,
                         computed_at timestamptz, definition text);
INSERT INTO je_results VALUES
    ('2026-11-01', 'p', '', NULL, (SELECT ope_accumulate(1.0, 0.5, 0.5) FROM generate_series(1, 3))),
    ('2026-11-02', 'p', '', NULL, (SELECT ope_accumulate(0.0, 0.5, 0.5) FROM generate_series(1, 3))),
    ('2026-11-01', NULL, '', 'x', (SELECT ope_accumulate(1.0, 0.5, 1.0) FROM generate_series(1, 2)));
SELECT policy, segment, estimator, round(estimate::numeric, 4) AS estimate, n, days
FROM ope_rollup_report('je_results', '2026-11-01', '2026-11-02')
WHERE estimator = 'ips' ORDER BY policy NULLS LAST, segment NULLS LAST;

-- a segment of a user-defined type: its output function, not a cast its owner made
CREATE TYPE je_tier AS ENUM ('gold', 'silver', 'bronze');
CREATE FUNCTION je_tier_text(je_tier) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'the cast to text ran'; END $$;
CREATE CAST (je_tier AS text) WITH FUNCTION je_tier_text(je_tier);
ALTER TABLE je_log ADD COLUMN tier je_tier;
UPDATE je_log SET tier = (ARRAY['gold', 'silver', 'bronze']::je_tier[])[1 + show_id % 3];
UPDATE je_log SET tier = NULL WHERE image_id % 2 = 0 AND show_id = 1;
CREATE TABLE je_targets AS
SELECT 'greedy'::text AS name, 'greedy'::text AS policy, bandit_merge(model) AS model
FROM bandit_current_models('je_models', 'ctr');
CREATE TABLE je_states (day date, policy text, segment_by text, segment text, state ope_state,
                        computed_at timestamptz, definition text);
SELECT ope_rollup_day('je_log', 'je_states', 'je_targets', '2026-11-12', segment_column => 'tier') AS states;
SELECT segment, (ope_diagnostics(state)).n > 0 AS has_rows FROM je_states ORDER BY segment;
SELECT bandit_refresh_models('je_log', 'je_models', 'by_tier', '2026-11-01', '2026-11-10', 'tier') AS tiers;
SELECT scope FROM je_models WHERE name = 'by_tier' ORDER BY scope;

-- a row that will not be scored (NULL action) is skipped, its bad context unchecked
INSERT INTO je_log (day, image_id, context, candidates, propensity, played)
VALUES ('2026-11-12', NULL, '{1,2}', '{}', 0.5, true);
SELECT ope_rollup_day('je_log', 'je_states', 'je_targets', '2026-11-12') AS states;
SELECT (ope_diagnostics(state)).n_skipped AS skipped FROM je_states WHERE segment_by = '';

-- names that were never stored are errors, not empty answers
SELECT expect_error($$SELECT * FROM ope_rollup_report('je_results', '2026-11-01', '2026-11-02', '{p,q}')$$) AS unknown_policy;
SELECT expect_error($$SELECT * FROM ope_rollup_report('je_results', '2026-11-01', '2026-11-02', segment_by => 'country')$$) AS unknown_segmentation;
SELECT count(*) AS known_but_no_days FROM ope_rollup_report('je_results', '2026-12-01', '2026-12-02', '{p}');
-- rows written by 1.1 have no definition ("unrecorded"): never merged with recorded ones,
-- and among themselves basic and DR states still cannot be merged
INSERT INTO je_results VALUES ('2026-11-03', 'p', '', NULL, (SELECT ope_accumulate(1.0, 0.5, 0.5) FROM generate_series(1, 3)),
                               NULL, 'reward=played; reward_model=none');
SELECT expect_error($$SELECT * FROM ope_rollup_report('je_results', '2026-11-01', '2026-11-03', '{p}')$$) AS unrecorded_and_recorded;
UPDATE je_results SET definition = NULL WHERE day = '2026-11-03';
UPDATE je_results SET state = (SELECT ope_accumulate(1.0, 0.5, 0.5, 0.4, 0.6) FROM generate_series(1, 3)) WHERE day = '2026-11-03';
SELECT expect_error($$SELECT * FROM ope_rollup_report('je_results', '2026-11-01', '2026-11-03', '{p}')$$) AS unrecorded_basic_and_dr;
DELETE FROM je_results WHERE day = '2026-11-03';
SELECT expect_error($$SELECT bandit_rollback_models('je_models', 'ctr_typo')$$) AS rollback_unknown;
SELECT expect_error($$SELECT * FROM bandit_current_models('je_models', 'ctr_typo')$$) AS current_unknown;

-- an error while scoring names the day and the target policy
INSERT INTO je_log (day, image_id, context, candidates, propensity, played)
VALUES ('2026-11-13', 1001, '{1,2}', '{1001,1002}', 0.5, true);
\set VERBOSITY default
\set SHOW_CONTEXT always
SELECT ope_rollup_day('je_log', 'je_states', 'je_targets', '2026-11-13');
\set VERBOSITY terse
\set SHOW_CONTEXT errors

DROP TABLE je_log, je_models, je_results, je_targets, je_states;
DROP CAST (je_tier AS text);
DROP FUNCTION je_tier_text(je_tier);
DROP TYPE je_tier;

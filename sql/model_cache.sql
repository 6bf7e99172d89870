-- The backend's cache of prepared models (issue 19.1): kept across
-- statements, keyed so that an updated model row is never served stale,
-- bounded by artbandit.model_cache_size.  The choices are worked by hand:
-- with one row x = e1 (the first unit vector of 16) and reward r, an arm's
-- theta = (I + e1 e1')^-1 e1 r = e1 r / 2, so its greedy score at x = e1 is
-- r / 2; an arm without rows scores 0.
SET extra_float_digits = 0;
SELECT bandit_model_cache_reset();
SHOW artbandit.model_cache_size;

CREATE FUNCTION e1() RETURNS float8[] LANGUAGE sql IMMUTABLE AS
$$ SELECT ARRAY[1::float8] || array_fill(0::float8, ARRAY[15]) $$;
-- a model of two arms with the given rewards at x = e1
CREATE FUNCTION two_arms(r1 float8, r2 float8) RETURNS banditmodel LANGUAGE sql IMMUTABLE AS
$$ SELECT bandit_fit(a, e1(), r) FROM (VALUES (1, r1), (2, r2)) v(a, r) $$;
-- rows in the TOAST table of a table
CREATE FUNCTION toast_rows(r regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM %s', (SELECT reltoastrelid::regclass FROM pg_class WHERE oid = r)) INTO n;
	RETURN n;
END $$;
CREATE FUNCTION cache() RETURNS TABLE (entries int8, hits int8, misses int8) LANGUAGE sql AS
$$ SELECT entries, hits, misses FROM bandit_model_cache() $$;

-- A per-show models table whose models are stored out of line (TOAST).
CREATE TABLE serving_models (show_id int PRIMARY KEY, model banditmodel);
ALTER TABLE serving_models ALTER COLUMN model SET STORAGE EXTERNAL;
INSERT INTO serving_models VALUES (1, two_arms(1, 0)), (2, two_arms(0, 4));
SELECT toast_rows('serving_models') > 0 AS stored_out_of_line;

SELECT bandit_model_cache_reset();
-- show 1 prefers arm 1 (scores 0.5 and 0), show 2 arm 2 (0 and 2)
SELECT a.* FROM serving_models, bandit_act(model, e1(), NULL, 'greedy', 1) a WHERE show_id = 1;
SELECT * FROM cache();
-- a second statement: served from the cache
SELECT a.* FROM serving_models, bandit_act(model, e1(), NULL, 'greedy', 1) a WHERE show_id = 1;
SELECT * FROM cache();

-- The row is updated: arm 2 now scores 1.5 > 0.5.  The next statement
-- sees the new value (a new TOAST pointer), never the cached one.
UPDATE serving_models SET model = two_arms(1, 3) WHERE show_id = 1;
SELECT a.* FROM serving_models, bandit_act(model, e1(), NULL, 'greedy', 1) a WHERE show_id = 1;
SELECT * FROM cache();

-- Within one transaction, and back after a rollback.
BEGIN;
UPDATE serving_models SET model = two_arms(5, 3) WHERE show_id = 1;
SELECT bandit_choose(model, e1(), NULL, 'greedy') AS inside_transaction FROM serving_models WHERE show_id = 1;
ROLLBACK;
SELECT bandit_choose(model, e1(), NULL, 'greedy') AS after_rollback FROM serving_models WHERE show_id = 1;

-- VACUUM FULL rewrites the table and keeps the values: still right.
VACUUM FULL serving_models;
SELECT show_id, bandit_choose(model, e1(), NULL, 'greedy') FROM serving_models ORDER BY show_id;

-- A prepared serving statement: its executions share the cache.
SELECT bandit_model_cache_reset();
PREPARE serve(int) AS
	SELECT (bandit_act(model, e1(), '{1,2,3}', 'linucb(alpha=0.1)', $1)).action
	FROM serving_models WHERE show_id = $1;
EXECUTE serve(1);
EXECUTE serve(2);
EXECUTE serve(1);
EXECUTE serve(2);
SELECT * FROM cache();
UPDATE serving_models SET model = two_arms(9, 3) WHERE show_id = 1;
EXECUTE serve(1);
SELECT * FROM cache();
DEALLOCATE serve;

-- Models that are not stored out of line are keyed by their bytes: the
-- same literal twice is one entry; another value of the same size is
-- another (here: rewards swapped).
SELECT bandit_model_cache_reset();
CREATE TABLE small_models (id int, model banditmodel);
INSERT INTO small_models
SELECT 1, bandit_fit(a, '{1}', r) FROM (VALUES (1, 1.0), (2, 0.0)) v(a, r)
UNION ALL
SELECT 2, bandit_fit(a, '{1}', r) FROM (VALUES (1, 0.0), (2, 1.0)) v(a, r);
SELECT toast_rows('small_models') AS small_out_of_line;
SELECT id, bandit_choose(model, '{1}', NULL, 'greedy') FROM small_models ORDER BY id;
SELECT id, bandit_choose(model, '{1}', NULL, 'greedy') FROM small_models ORDER BY id;
SELECT * FROM cache();
-- the ridge is part of the key: 0.5 and 1 are two entries of one model
SELECT bandit_scores(model, '{1}', NULL, 'greedy(ridge=0.5)') AS ridge_half,
       bandit_scores(model, '{1}', NULL, 'greedy') AS ridge_one
FROM small_models WHERE id = 1;
SELECT * FROM cache();

-- A budget of 0 keeps only what the current call uses: answers unchanged.
-- bandit_value holds two models at once (policy and reward model):
-- greedy on show 2 plays arm 2 (score 2); the reward model (show 1, now
-- r = 9 and 3) predicts 3 / 2 for arm 2.
SET artbandit.model_cache_size = 0;
SELECT bandit_model_cache_reset();
SELECT p.show_id, bandit_value(p.model, e1(), '{1,2}', 'greedy', q.model) AS value
FROM serving_models p, serving_models q WHERE p.show_id = 2 AND q.show_id = 1;
SELECT show_id, bandit_choose(model, e1(), NULL, 'greedy') FROM serving_models ORDER BY show_id;
SELECT entries <= 2 AS at_most_two_kept, bytes <= 1024 * 1024 AS small FROM bandit_model_cache();
RESET artbandit.model_cache_size;
SHOW artbandit.model_cache_size;
SELECT expect_error('SET artbandit.model_cache_size = -1');
SELECT expect_error('SET artbandit.model_cache_size = ''lots''');
SELECT expect_error('SET artbandit.no_such_setting = 1');

-- bandit_model_cache_reset empties it
SELECT bandit_model_cache_reset();
SELECT * FROM bandit_model_cache();

-- The serving benchmark's tables (make bench, row "serving"): per-show
-- models as an application keeps them, and the contexts of requests.
--   serve_models    100 shows, K = 8 images each, d = 16, fitted from 2,400
--                   random rows per show (about 14 kB each, stored compressed
--                   and out of line, as such models are)
--   serve_contexts  10,000 requests: a show, a context and its 8 images
SET client_min_messages = warning;
DROP TABLE IF EXISTS serve_models, serve_contexts;
SELECT setseed(0.19);
CREATE TABLE serve_models (show_id int PRIMARY KEY, model banditmodel);
INSERT INTO serve_models
SELECT show_id, bandit_fit(image_id, x, r)
FROM (SELECT s AS show_id, s * 100 + 1 + (i % 8) AS image_id,
             ARRAY[1::float8] || ARRAY(SELECT random() FROM generate_series(1, 15) WHERE i > 0) AS x,
             (random() < 0.05 + 0.01 * (i % 8))::int::float8 AS r
      FROM generate_series(1, 100) s, generate_series(1, 2400) i) rows
GROUP BY show_id;
CREATE TABLE serve_contexts AS
SELECT i AS id, 1 + i % 100 AS show_id,
       ARRAY[1::float8] || ARRAY(SELECT random() FROM generate_series(1, 15) WHERE i > 0) AS context,
       ARRAY(SELECT (1 + i % 100) * 100 + k FROM generate_series(1, 8) k)::int8[] AS candidates
FROM generate_series(1, 10000) i;
ALTER TABLE serve_contexts ADD PRIMARY KEY (id);
VACUUM ANALYZE serve_models, serve_contexts;
-- out of line, as the issue's measurements had them
DO $$
BEGIN
	IF (SELECT count(*) FROM serve_models WHERE pg_column_size(model) < 2000) > 0 THEN
		RAISE EXCEPTION 'serve_models: some models are stored inline';
	END IF;
END $$;

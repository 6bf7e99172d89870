--
-- ope_validate_log: every check on clean and corrupted logs (each
-- corruption the issue found by hand is one case here), the example row,
-- the exact duplicate count, column types, and bad input.
--
CREATE TABLE v_log AS
SELECT i AS id, 1 + i % 4 AS image_id, ARRAY[1, 2, 3, 4] AS candidates, 0.25::float8 AS propensity,
       (i % 5 = 0) AS played, ARRAY[0.25, 0.25, 0.25, 0.25] AS pmf
FROM generate_series(1, 2000) i;

-- a clean log: every check ok, with what it checked
SELECT "check", status, n_rows, example, detail
FROM ope_validate_log('v_log', 'image_id', 'propensity', 'candidates', 'id', 'played', 'pmf');
-- only the two columns every log has: the checks that need no other column
SELECT "check", status FROM ope_validate_log('v_log', 'image_id', 'propensity');

-- The bugs the issue found, one at a time on a copy of the clean log;
-- each must be reported by its check, with an example row.
CREATE FUNCTION v_failures(setup text) RETURNS TABLE ("check" text, status text, n_rows bigint, example text)
LANGUAGE plpgsql AS $$
BEGIN
	DROP TABLE IF EXISTS v_bad;
	CREATE TABLE v_bad AS SELECT * FROM v_log;
	EXECUTE setup;
	RETURN QUERY SELECT v."check", v.status, v.n_rows, v.example
	FROM ope_validate_log('v_bad', 'image_id', 'propensity', 'candidates', 'id', 'played', 'pmf') v
	WHERE v.status <> 'ok';
END $$;
-- propensity logged 0.5 instead of 0.25 (every row, the pmf still right): the
-- pmf check names each row; the uniform target's mean weight is 0.5
SELECT * FROM v_failures($$UPDATE v_bad SET propensity = 0.5$$);
-- the same without a logged pmf: only the mean-weight test can see it
SELECT "check", status, n_rows, detail
FROM ope_validate_log('v_bad', 'image_id', 'propensity', 'candidates') WHERE status <> 'ok';
-- a duplicated impression
SELECT * FROM v_failures($$INSERT INTO v_bad SELECT * FROM v_bad WHERE id = 42$$);
-- an image that is not among the candidates
SELECT * FROM v_failures($$UPDATE v_bad SET image_id = 9 WHERE id = 7$$);
-- a propensity of 0.9 among four uniform images
SELECT * FROM v_failures($$UPDATE v_bad SET propensity = 0.9 WHERE id = 8$$);
-- ... on a quarter of the rows (those showing image 1): the pmf check names
-- them, and without a pmf the mean weight shows it: (1500 + 500 * 0.25 / 0.9) / 2000 = 0.8194
SELECT * FROM v_failures($$UPDATE v_bad SET propensity = 0.9 WHERE id % 4 = 0$$);
SELECT "check", status, detail
FROM ope_validate_log('v_bad', 'image_id', 'propensity', 'candidates') WHERE "check" = 'propensity_mean_weight';
-- propensities logged as percentages
SELECT * FROM v_failures($$UPDATE v_bad SET propensity = 25, pmf = '{25,25,25,25}'$$);
SELECT detail FROM ope_validate_log('v_bad', 'image_id', 'propensity') WHERE "check" = 'propensity_in_range';
-- NULLs, NaN and infinities
SELECT * FROM v_failures($$UPDATE v_bad SET image_id = NULL WHERE id = 3;
                           UPDATE v_bad SET propensity = NULL WHERE id = 4;
                           UPDATE v_bad SET played = NULL WHERE id = 5;
                           UPDATE v_bad SET candidates = NULL WHERE id = 6;
                           UPDATE v_bad SET id = NULL WHERE id = 10$$);
SELECT * FROM v_failures($$UPDATE v_bad SET propensity = 'NaN' WHERE id = 3;
                           UPDATE v_bad SET propensity = '-Infinity' WHERE id = 4;
                           UPDATE v_bad SET propensity = 0 WHERE id = 5$$);
-- malformed candidate lists: a repeated image, a NULL, two dimensions, empty
SELECT * FROM v_failures($$UPDATE v_bad SET candidates = '{1,2,2,4}' WHERE id = 1$$);
SELECT * FROM v_failures($$UPDATE v_bad SET candidates = '{1,NULL,3,4}' WHERE id = 1$$);
SELECT * FROM v_failures($$UPDATE v_bad SET candidates = '{{1,2},{3,4}}' WHERE id = 1$$);
SELECT * FROM v_failures($$UPDATE v_bad SET candidates = '{}' WHERE id = 1$$);
-- logged pmfs: NULL, one value short, a negative value, not summing to 1
SELECT * FROM v_failures($$UPDATE v_bad SET pmf = NULL WHERE id = 1;
                           UPDATE v_bad SET pmf = '{0.5,0.5,0}' WHERE id = 2;
                           UPDATE v_bad SET pmf = '{-0.25,0.5,0.5,0.25}' WHERE id = 3;
                           UPDATE v_bad SET pmf = '{0.25,0.25,0.25,0.2}' WHERE id = 5$$);
-- within the tolerance (1e-6) is fine: a pmf stored as float4
SELECT * FROM v_failures($$UPDATE v_bad SET pmf = '{0.1,0.2,0.3,0.4}'::float4[]::float8[], propensity = 0.4::float4
                           WHERE id = 3$$);
-- an image offered but never shown (image 5 offered on 3 rows, image 6 once)
SELECT * FROM v_failures($$UPDATE v_bad SET candidates = '{1,2,3,4,5}', pmf = '{0.2,0.2,0.2,0.2,0.2}', propensity = 0.2 WHERE id <= 3;
                           UPDATE v_bad SET candidates = '{1,2,3,4,6}', pmf = '{0.2,0.2,0.2,0.2,0.2}', propensity = 0.2 WHERE id = 4$$);

-- Duplicate ids are counted exactly: 1 and 4294967296 have the same int8
-- hash (its low and high halves xored), so the second pass must compare the
-- values; 2 appears three times (2 repeats); text ids too
CREATE TABLE v_ids (id int8, image_id int, propensity float8);
INSERT INTO v_ids VALUES (1, 1, 0.5), (4294967296, 1, 0.5), (2, 1, 0.5), (2, 1, 0.5), (2, 1, 0.5), (3, 1, 0.5);
SELECT hashint8extended(1, 0) = hashint8extended(4294967296, 0) AS same_hash;
SELECT n_rows, example FROM ope_validate_log('v_ids', 'image_id', 'propensity', id_column => 'id')
WHERE "check" = 'ids_unique';
DELETE FROM v_ids WHERE id = 2;
SELECT status, n_rows, example FROM ope_validate_log('v_ids', 'image_id', 'propensity', id_column => 'id')
WHERE "check" = 'ids_unique';
CREATE TABLE v_text_ids AS SELECT ('imp-' || (i % 7))::text AS id, 1 AS image_id, 0.5::numeric AS propensity
FROM generate_series(1, 10) i;
SELECT n_rows, example FROM ope_validate_log('v_text_ids', 'image_id', 'propensity', id_column => 'id')
WHERE "check" = 'ids_unique';

-- Column types read as the jobs read them: int4/int8 images, int4[]/int8[]
-- candidates, numeric/float4 propensities, bool/numeric rewards,
-- float4[]/numeric[] pmfs
CREATE TABLE v_types AS
SELECT id::int8 AS id, image_id::int8 AS image_id, candidates::int8[] AS candidates,
       propensity::numeric AS propensity, played::int::numeric AS minutes, pmf::numeric[] AS pmf
FROM v_log;
SELECT count(*) FILTER (WHERE status = 'ok') AS ok, count(*) AS checks
FROM ope_validate_log('v_types', 'image_id', 'propensity', 'candidates', 'id', 'minutes', 'pmf');

-- the example names a row by its id, else its ctid (a table), else its place
-- in the scan (a view)
UPDATE v_log SET propensity = 2 WHERE id = 1500;
SELECT example FROM ope_validate_log('v_log', 'image_id', 'propensity', id_column => 'id') WHERE "check" = 'propensity_in_range';
SELECT example ~ '^ctid \(\d+,\d+\): propensity 2$' AS by_ctid
FROM ope_validate_log('v_log', 'image_id', 'propensity') WHERE "check" = 'propensity_in_range';
CREATE VIEW v_view AS SELECT * FROM v_log ORDER BY id;
SELECT example FROM ope_validate_log('v_view', 'image_id', 'propensity') WHERE "check" = 'propensity_in_range';

-- never writes the log: works in a read-only transaction, for a role that
-- may only read it, and leaves every row as it was
SELECT md5(string_agg(t::text, ',' ORDER BY id)) AS before FROM v_log t \gset
BEGIN TRANSACTION READ ONLY;
SELECT count(*) FROM ope_validate_log('v_log', 'image_id', 'propensity', 'candidates', 'id', 'played', 'pmf');
COMMIT;
CREATE ROLE v_reader;
GRANT SELECT ON v_log TO v_reader;
SET ROLE v_reader;
SELECT count(*) FROM ope_validate_log('v_log', 'image_id', 'propensity', 'candidates', 'id', 'played', 'pmf');
RESET ROLE;
REVOKE SELECT ON v_log FROM v_reader;
SET ROLE v_reader;
SELECT expect_error($$SELECT * FROM ope_validate_log('v_log', 'image_id', 'propensity')$$) AS no_select_privilege;
RESET ROLE;
DROP ROLE v_reader;
SELECT md5(string_agg(t::text, ',' ORDER BY id)) = :'before' AS log_unchanged FROM v_log t;

-- bad input
CREATE TABLE v_empty (image_id int, propensity float8);
CREATE TABLE v_wrong (image_id text, propensity int, candidates float8[], pmf int[]);
INSERT INTO v_wrong VALUES ('1', 1, '{1}', '{1}');
CREATE TABLE v_json (image_id int, propensity float8, ids json);
INSERT INTO v_json VALUES (1, 0.5, '1');
SELECT q, expect_error(q) FROM (VALUES
    ($$SELECT * FROM ope_validate_log('v_no_such_table', 'image_id', 'propensity')$$),
    ($$SELECT * FROM ope_validate_log(NULL, 'image_id', 'propensity')$$),
    ($$SELECT * FROM ope_validate_log('v_log', 'no_such_column', 'propensity')$$),
    ($$SELECT * FROM ope_validate_log('v_log', NULL, 'propensity')$$),
    ($$SELECT * FROM ope_validate_log('v_log', 'image_id', NULL)$$),
    ($$SELECT * FROM ope_validate_log('v_log', 'image_id', 'propensity', id_column => 'no_such_id')$$),
    ($$SELECT * FROM ope_validate_log('v_log', 'image_id', 'propensity', probabilities_column => 'pmf')$$),
    ($$SELECT * FROM ope_validate_log('v_empty', 'image_id', 'propensity')$$),
    ($$SELECT * FROM ope_validate_log('v_wrong', 'image_id', 'candidates')$$),
    ($$SELECT * FROM ope_validate_log('v_empty', 'image_id', 'image_id')$$),
    ($$SELECT * FROM ope_validate_log('v_wrong', 'propensity', 'candidates')$$),
    ($$SELECT * FROM ope_validate_log('v_log', 'image_id', 'propensity', 'propensity')$$),
    ($$SELECT * FROM ope_validate_log('v_json', 'image_id', 'propensity', id_column => 'ids')$$),
    ($$SELECT * FROM ope_validate_log('v_log', 'image_id', 'propensity', 'candidates', probabilities_column => 'candidates')$$)
) t(q);

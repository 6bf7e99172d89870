--
-- feature_hash: signed feature hashing of text tokens, as scikit-learn's
-- FeatureHasher(alternate_sign=True).  Every token adds sign(h) at position
-- 1 + (|h| mod dim), where h = MurmurHash3_x86_32(token bytes, seed 0) read as
-- a signed int32.
--
-- The expected vectors were worked out by hand from these hashes, computed
-- with Perl's Digest::MurmurHash3::PurePerl (and again with scikit-learn's
-- murmurhash3_32), not copied from a run:
--
--   token          h             |h| mod 10   |h| mod 4   |h| mod 3
--   ''                       0        0           0          0
--   a               1009084850        0           2          2
--   b              -1780580861        1           1          2
--   c               -516762017        7           1          2
--   d                655955059        9           3          1
--   e               1701593959        9           3          1
--   i              -2128973781        1           1          0
--   q                 -8255000        0           0          2
--   s                -11875599        9           3          0
--   country=BR      -328463901        1           1          0
--   Country=BR     -1719305343        3           3          0
--   genre=anime    -1639092559        9           3          1
--   U+00E9 (é)       269551495        5           3          1
--   e U+0301        -1624071576        6           0          0
--   日本語         -1515949417        7           1          1
--   tok=aadz-ciD   -2147483648        8           0          2   (|h| = 2^31)
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- The tokens are hashed as UTF-8 bytes here.
SELECT pg_encoding_to_char(encoding) AS encoding
FROM pg_database WHERE datname = current_database();

-- The declared properties.
SELECT provolatile, proisstrict, proparallel, prorettype::regtype
FROM pg_proc WHERE oid = 'feature_hash(text[], int4)'::regprocedure;

--
-- One token at a time: its bucket and sign.
--
SELECT k, encode(convert_to(tok, 'UTF8'), 'hex') AS utf8_bytes,
	   feature_hash(ARRAY[tok], 10) AS dim10, feature_hash(ARRAY[tok], 4) AS dim4
FROM (VALUES (1, ''), (2, 'a'), (3, 'b'), (4, 'country=BR'), (5, 'Country=BR'),
			 (6, 'genre=anime'), (7, U&'\00E9'), (8, U&'e\0301'), (9, U&'\65E5\672C\8A9E'))
	 v(k, tok)
ORDER BY k;

-- No normalisation: case and Unicode composition change the hash.
SELECT feature_hash('{country=BR}', 10) = feature_hash('{Country=BR}', 10) AS case_folded,
	   feature_hash(ARRAY[U&'\00E9'], 10) = feature_hash(ARRAY[U&'e\0301'], 10) AS nfc_equals_nfd,
	   feature_hash('{"country=BR "}', 10) = feature_hash('{country=BR}', 10) AS trimmed;

-- h = INT32_MIN: bucket 2^31 mod dim (scikit-learn's
-- (2147483647 - (dim - 1)) % dim), sign -1.  2^31 mod 3 = 2, mod 10 = 8,
-- mod 1000 = 648, mod 2^20 = 0 (positions are 1-based).
SELECT d, array_positions(feature_hash('{tok=aadz-ciD}', d), -1) AS minus_one_at,
	   (SELECT sum(x) FROM unnest(feature_hash('{tok=aadz-ciD}', d)) x) AS total
FROM (VALUES (1), (3), (10), (1000), (1048576)) v(d)
ORDER BY d;

--
-- Sums: repeated tokens add, collisions add with their signs.
--
SELECT feature_hash('{genre=anime,genre=anime,genre=anime}', 10) AS repeated,
	   feature_hash('{d,e}', 10) AS same_sign_collision,
	   feature_hash('{a,q}', 10) AS opposite_signs_cancel,
	   feature_hash('{b,i,country=BR}', 10) AS three_in_bucket_1;

-- A small mixed vector (the API's example tokens among others).
SELECT feature_hash('{country=BR,genre=anime,a,c,e,tok=aadz-ciD,""}', 10) AS dim10,
	   feature_hash('{country=BR,genre=anime,a,c,e,tok=aadz-ciD,""}', 4) AS dim4,
	   feature_hash('{country=BR,genre=anime,a,c,e,tok=aadz-ciD,""}', 3) AS dim3;

-- dim 1: the sum of the signs (a +, b -, c -, d +, e +, s -, '' +).
SELECT feature_hash('{a,b,c,d,e,s,""}', 1) AS dim1;

-- Order does not matter.
SELECT feature_hash('{a,b,c,d,e,s}', 7) = feature_hash('{s,e,d,c,b,a}', 7) AS order_free;

-- For any dim, the elements sum to the dim-1 value (the sum of signs).
SELECT bool_and((SELECT sum(x) FROM unnest(feature_hash(toks, d)) x)
				= (feature_hash(toks, 1))[1]) AS sums_agree
FROM (SELECT array_agg('tok' || i) AS toks FROM generate_series(1, 500) i) t,
	 generate_series(1, 64) d;

--
-- Shapes: the result is always float8[dim] with lower bound 1.
--
SELECT feature_hash('{}', 3) AS empty,
	   feature_hash(ARRAY[]::text[], 1) AS empty_dim1,
	   feature_hash(array_remove('{a,a}'::text[], 'a'), 2) AS emptied,
	   array_dims(feature_hash('{}', 5)) AS empty_dims;

-- An array with another lower bound hashes the same elements.
SELECT feature_hash('[2:3]={a,b}'::text[], 4) AS lower_bound_2,
	   feature_hash('{a,b}', 4) AS lower_bound_1,
	   array_dims(feature_hash('[-5:-4]={a,b}'::text[], 4)) AS result_dims;

-- The largest dim: 1009084850 mod 2^20 = 354738, so position 354739.
SELECT array_length(f, 1) AS len, array_lower(f, 1) AS lower,
	   array_positions(f, 1) AS plus_one_at,
	   (SELECT count(*) FROM unnest(f) x WHERE x <> 0) AS nonzero
FROM (SELECT feature_hash('{a}', 1048576) AS f) s;

-- Concatenated with numeric features, as a bandit context.
SELECT ARRAY[0.5, 1]::float8[] || feature_hash('{country=BR,genre=anime}', 4) AS context;

-- varchar[] is accepted too.
SELECT feature_hash('{a,b}'::varchar[], 4) AS from_varchar;

-- Many tokens: 200000 copies of 'a' then of 'b'.
SELECT feature_hash(array_agg(CASE WHEN i <= 200000 THEN 'a' ELSE 'b' END), 4) AS many
FROM generate_series(1, 300000) i;

--
-- NULL arguments give NULL (STRICT).
--
SELECT feature_hash(NULL, 3) IS NULL AS null_tokens,
	   feature_hash('{a}', NULL) IS NULL AS null_dim,
	   feature_hash(NULL, -1) IS NULL AS null_tokens_bad_dim;

--
-- Bad input, with its SQLSTATE: 22023 invalid_parameter_value, 54000
-- program_limit_exceeded, 22004 null_value_not_allowed.
--
SELECT f, expect_error(f) AS result
FROM (VALUES (1, 'SELECT feature_hash(''{a}'', 0)'),
			 (2, 'SELECT feature_hash(''{a}'', -1)'),
			 (3, 'SELECT feature_hash(''{a}'', -2147483648)'),
			 (4, 'SELECT feature_hash(''{}'', 0)'),
			 (5, 'SELECT feature_hash(''{a}'', 1048577)'),
			 (6, 'SELECT feature_hash(''{a}'', 2147483647)'),
			 (7, 'SELECT feature_hash(''{a,NULL}'', 4)'),
			 (8, 'SELECT feature_hash(''{NULL}'', 4)'),
			 (9, 'SELECT feature_hash(''[0:2]={a,b,NULL}''::text[], 4)'),
			 (10, 'SELECT feature_hash(''{{a,b},{c,d}}'', 4)'),
			 (11, 'SELECT feature_hash(''{{{a}}}'', 4)'),
			 (12, 'SELECT feature_hash(''{{a,NULL}}'', 4)'))
	 v(k, f)
ORDER BY k;

-- The details: a NULL element is named by its subscript.
SELECT feature_hash('[0:2]={a,b,NULL}'::text[], 4);
SELECT feature_hash('{a}', 1048577);

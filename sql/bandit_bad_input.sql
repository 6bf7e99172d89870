--
-- bandit_bad_input: every bad input of the bandit surface (banditmodel text,
-- bandit_fit, bandit_update, bandit_merge and the scoring functions) raises
-- an ERROR with a pinned SQLSTATE and a message naming the argument and the
-- value; NULL arguments give NULL (or are skipped), never an error.
--
-- SQLSTATEs: 22P02 invalid_text_representation (bad banditmodel text),
-- 22023 invalid_parameter_value (bad values, policies, candidates, dim 0),
-- 22003 numeric_value_out_of_range (overflowing sums and scores),
-- 22004 null_value_not_allowed (NULL array elements), 22000 data_exception
-- (models of different dimensions), 54000 program_limit_exceeded (dim,
-- arms, context and candidate lengths beyond the limits).
--
\set VERBOSITY default
\set SHOW_CONTEXT never

--
-- Text input of banditmodel: strict JSON, "version", "dim" and "arms" once
-- each (dim before arms), every arm key once, A exactly symmetric, sizes
-- matching dim, and sums that some rows could have produced.
--
-- The reference arm (dimension 2) is the row x = (1, 0), r = 1, w = 1:
-- {"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}
--
CREATE TEMP TABLE bad_text (label text, t text);
INSERT INTO bad_text VALUES
	('valid: no arms', '{"version":1,"dim":2,"arms":[]}'),
	('valid: one arm', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('valid: version last, blanks', E' { "dim" : 2 ,\n\t"arms" : [ ] , "version" : 1 }\r\n'),
	('1e-400 underflows (as in float8in)', '{"version":1,"dim":1,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1e-400,"sum_wr2":0,"A":[[5e-324]],"b":[-1e-400]}]}'),
	('valid: arm with no rows', '{"version":1,"dim":1,"arms":[{"action":-5,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}'),
	('valid: rows of weight 0', '{"version":1,"dim":1,"arms":[{"action":5,"n":3,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}'),
	('valid: dim 1024', '{"version":1,"dim":1024,"arms":[]}'),
	('valid: extreme actions', '{"version":1,"dim":1,"arms":[{"action":-9223372036854775808,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]},{"action":9223372036854775807,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}'),
	-- syntax
	('empty string', ''),
	('blank', '   '),
	('foo', 'foo'),
	('json null', 'null'),
	('json array', '[]'),
	('empty object', '{}'),
	('truncated key', '{"version":1,"di'),
	('truncated after dim', '{"version":1,"dim":2'),
	('unterminated arms', '{"version":1,"dim":2,"arms":['),
	('unterminated arm', '{"version":1,"dim":2,"arms":[{"action":1,"n":1'),
	('unterminated A', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]'),
	('missing colon', '{"version" 1,"dim":2,"arms":[]}'),
	('missing comma', '{"version":1 "dim":2,"arms":[]}'),
	('single quotes', '{''version'':1,''dim'':2,''arms'':[]}'),
	('unquoted key', '{version:1,"dim":2,"arms":[]}'),
	('trailing comma in object', '{"version":1,"dim":2,"arms":[],}'),
	('trailing comma in arms', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]},]}'),
	('trailing comma in b', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0,]}]}'),
	('trailing garbage', '{"version":1,"dim":2,"arms":[]} x'),
	('two values', '{"version":1,"dim":2,"arms":[]}{}'),
	('comment', '{"version":1,"dim":2,"arms":[]} /* */'),
	('leading plus', '{"version":+1,"dim":2,"arms":[]}'),
	('leading zero', '{"version":1,"dim":02,"arms":[]}'),
	('hex number', '{"version":1,"dim":0x2,"arms":[]}'),
	('bare minus', '{"version":1,"dim":2,"arms":[{"action":-,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('dot without digits', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1.,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('key too long', '{"version":1,"dim":2,"arms":[],"a_very_long_key_indeed":1}'),
	('NUL escape in key', '{"version":1,"dim\u0000":2,"arms":[]}'),
	('escaped key', '{"versio\u006e":1,"dim":2,"arms":[]}'),
	-- wrong types
	('version as string', '{"version":"1","dim":2,"arms":[]}'),
	('version 1.0', '{"version":1.0,"dim":2,"arms":[]}'),
	('dim as string', '{"version":1,"dim":"2","arms":[]}'),
	('dim 2.0', '{"version":1,"dim":2.0,"arms":[]}'),
	('dim 2e0', '{"version":1,"dim":2e0,"arms":[]}'),
	('dim null', '{"version":1,"dim":null,"arms":[]}'),
	('arms as object', '{"version":1,"dim":2,"arms":{}}'),
	('arms null', '{"version":1,"dim":2,"arms":null}'),
	('arm as array', '{"version":1,"dim":2,"arms":[[]]}'),
	('arm as number', '{"version":1,"dim":2,"arms":[1]}'),
	('action as string', '{"version":1,"dim":2,"arms":[{"action":"1","n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('action 1.5', '{"version":1,"dim":2,"arms":[{"action":1.5,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('action beyond bigint', '{"version":1,"dim":2,"arms":[{"action":9223372036854775808,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('n as string', '{"version":1,"dim":2,"arms":[{"action":1,"n":"1","weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('n 1e0', '{"version":1,"dim":2,"arms":[{"action":1,"n":1e0,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('weight as string', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":"1","sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('weight true', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":true,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('sum_wr null', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":null,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('A entry as string', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,"0"],[0,0]],"b":[1,0]}]}'),
	('A as number', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":1,"b":[1,0]}]}'),
	('A flat (packed)', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[1,0,0],"b":[1,0]}]}'),
	('A nested too deep', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[[1],0],[0,0]],"b":[1,0]}]}'),
	('b as string', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":"1,0"}]}'),
	('b entry as string', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,"0"]}]}'),
	-- missing, extra and duplicate keys, top level
	('missing version', '{"dim":2,"arms":[]}'),
	('missing dim', '{"version":1,"arms":[]}'),
	('missing arms', '{"version":1,"dim":2}'),
	('unknown key', '{"version":1,"dim":2,"arms":[],"extra":1}'),
	('unknown key first', '{"extra":1,"version":1,"dim":2,"arms":[]}'),
	('key in another case', '{"Version":1,"dim":2,"arms":[]}'),
	('duplicate version', '{"version":1,"version":1,"dim":2,"arms":[]}'),
	('duplicate dim', '{"version":1,"dim":2,"dim":2,"arms":[]}'),
	('duplicate arms', '{"version":1,"dim":2,"arms":[],"arms":[]}'),
	('dim after arms', '{"version":1,"arms":[],"dim":2}'),
	-- missing, extra and duplicate keys, per arm
	('arm missing action', '{"version":1,"dim":2,"arms":[{"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('arm missing n', '{"version":1,"dim":2,"arms":[{"action":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('arm missing weight', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('arm missing sum_wr', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('arm missing sum_wr2', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('arm missing A', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"b":[1,0]}]}'),
	('arm missing b', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]]}]}'),
	('arm empty object', '{"version":1,"dim":2,"arms":[{}]}'),
	('arm unknown key', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0],"theta":[1,0]}]}'),
	('arm duplicate key', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('arm duplicate A', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	-- sizes
	('A asymmetric', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0.5],[0,1]],"b":[1,0]}]}'),
	('A asymmetric by one ulp', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0.1],[0.10000000000000002,1]],"b":[1,0]}]}'),
	('A one row', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0]],"b":[1,0]}]}'),
	('A three rows', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0],[0,0]],"b":[1,0]}]}'),
	('A empty', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[],"b":[1,0]}]}'),
	('A row too short', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0]],"b":[1,0]}]}'),
	('A row too long', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0,0],[0,0]],"b":[1,0]}]}'),
	('b too short', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1]}]}'),
	('b too long', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0,0]}]}'),
	('b empty', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[]}]}'),
	-- values
	('negative n', '{"version":1,"dim":2,"arms":[{"action":1,"n":-1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('n = 0, weight 1', '{"version":1,"dim":2,"arms":[{"action":1,"n":0,"weight":1,"sum_wr":0,"sum_wr2":0,"A":[[0,0],[0,0]],"b":[0,0]}]}'),
	('n = 0, sum_wr 1', '{"version":1,"dim":2,"arms":[{"action":1,"n":0,"weight":0,"sum_wr":1,"sum_wr2":0,"A":[[0,0],[0,0]],"b":[0,0]}]}'),
	('n = 0, sum_wr2 1', '{"version":1,"dim":2,"arms":[{"action":1,"n":0,"weight":0,"sum_wr":0,"sum_wr2":1,"A":[[0,0],[0,0]],"b":[0,0]}]}'),
	('n = 0, A non-zero', '{"version":1,"dim":2,"arms":[{"action":1,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0,0],[0,1]],"b":[0,0]}]}'),
	('n = 0, b non-zero', '{"version":1,"dim":2,"arms":[{"action":1,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0,0],[0,0]],"b":[0,-1]}]}'),
	('negative weight', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":-1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('negative sum_wr2', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":-1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('negative diagonal', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,-1e-300]],"b":[1,0]}]}'),
	('NaN', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":NaN,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('nan', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":nan,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('"NaN" as string', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":"NaN","sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('Infinity', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":Infinity,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('-Infinity in A', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,-Infinity],[-Infinity,0]],"b":[1,0]}]}'),
	('inf in b', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[inf,0]}]}'),
	('1e999', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1e999,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,0]}]}'),
	('-1e999 in b', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1,0],[0,0]],"b":[1,-1e999]}]}'),
	-- a valid JSON number of 600 digits reads as 1, as float8in reads it
	('valid: long number', '{"version":1,"dim":1,"arms":[{"action":1,"n":1,"weight":1.' || repeat('0', 600) || ',"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}'),
	('1e999 in A', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1,"sum_wr2":1,"A":[[1e999,0],[0,0]],"b":[1,0]}]}'),
	('unsorted actions', '{"version":1,"dim":1,"arms":[{"action":2,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]},{"action":1,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}'),
	('duplicate actions', '{"version":1,"dim":1,"arms":[{"action":1,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]},{"action":1,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}'),
	-- version and limits
	('version 0', '{"version":0,"dim":2,"arms":[]}'),
	('version 2', '{"version":2,"dim":2,"arms":[]}'),
	('version -1', '{"version":-1,"dim":2,"arms":[]}'),
	('dim 0', '{"version":1,"dim":0,"arms":[]}'),
	('dim -1', '{"version":1,"dim":-1,"arms":[]}'),
	('dim 1025', '{"version":1,"dim":1025,"arms":[]}'),
	('dim 2^32 + 2', '{"version":1,"dim":4294967298,"arms":[]}'),
	('dim beyond bigint', '{"version":1,"dim":99999999999999999999,"arms":[]}');

SELECT label, expect_error(format('SELECT %L::banditmodel', t)) AS result
FROM bad_text ORDER BY label COLLATE "C";

-- The valid ones print back in the canonical form.
SELECT label, t::banditmodel::text AS canonical
FROM bad_text WHERE label IN ('valid: version last, blanks', 'valid: arm with no rows', 'valid: long number', 'escaped key')
ORDER BY label COLLATE "C";

-- More arms than the limit of 100000 (dimension 1): rejected while reading,
-- before the block grows past the limit.
SELECT expect_error(format('SELECT %L::banditmodel',
	'{"version":1,"dim":1,"arms":[' ||
	string_agg(format('{"action":%s,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}', i), ',' ORDER BY i) ||
	']}')) AS too_many_arms
FROM generate_series(1, 100001) i;
-- A model at the limit still learns: updating an arm it has adds none; a
-- new arm is refused (54000).
CREATE TEMP TABLE full_model AS SELECT bandit_fit(i, '{1}', 1) AS m FROM generate_series(1, 100000) i;
SELECT (SELECT count(*) FROM bandit_arms(bandit_update(m, 7, '{1}', 0))) AS arms_after_update,
	(SELECT n FROM bandit_arms(bandit_update(m, 7, '{1}', 0)) WHERE action = 7) AS n_of_arm_7
FROM full_model;
SELECT expect_error('SELECT bandit_update(m, 100001, ''{1}'', 0) FROM full_model') AS new_arm;
DROP TABLE full_model;

--
-- A model to score and update: dimension 2, arms 1 and 2.
--
CREATE TEMP TABLE m2 AS
SELECT bandit_fit(a, x, r) AS m
FROM (VALUES (1, '{1,0}'::float8[], 1.0::float8), (2, '{0,1}', 0.5)) v(a, x, r);
SELECT m::text FROM m2;

--
-- bandit_fit and bandit_update: the context.
--
CREATE TEMP TABLE bad_context (label text, v text);
INSERT INTO bad_context VALUES
	('empty', '''{}''::float8[]'),
	('two dimensions', '''{{1,0},{0,1}}''::float8[]'),
	('NULL element', '''{1,NULL}''::float8[]'),
	('all NULL', 'ARRAY[NULL,NULL]::float8[]'),
	('NaN', '''{NaN,1}''::float8[]'),
	('Infinity', '''{1,Infinity}''::float8[]'),
	('-Infinity', '''{-Infinity,0}''::float8[]'),
	('length 1', '''{1}''::float8[]'),
	('length 3', '''{1,0,0}''::float8[]'),
	('length 1025', 'array_fill(0::float8, ARRAY[1025])'),
	('x^2 overflows', '''{1e200,1}''::float8[]'),
	('x^2 overflows, 2nd', '''{1,-2e154}''::float8[]'),
	('lower bound 0', '''[0:1]={1,0}''::float8[]');

SELECT c.label AS context, result, string_agg(fs.fn, ', ' ORDER BY fs.fn) AS functions
FROM bad_context c,
	(VALUES ('fit', 'SELECT bandit_fit(1, %s, 1)'),
			('fit weighted', 'SELECT bandit_fit(1, %s, 1, 1)'),
			('update NULL', 'SELECT bandit_update(NULL, 1, %s, 1)'),
			('update m2', 'SELECT bandit_update(m, 1, %s, 1) FROM m2'),
			('update m2 weighted', 'SELECT bandit_update(m, 3, %s, 1, 1) FROM m2')) fs(fn, f),
	LATERAL expect_error(format(fs.f, c.v)) result
GROUP BY c.label, result
ORDER BY c.label COLLATE "C", result COLLATE "C";

-- Rows of different lengths in one fit; the first row fixes the dimension.
SELECT expect_error($$
	SELECT bandit_fit(a, x, 1) FROM (VALUES (1, '{1,2}'::float8[]), (2, '{1}')) v(a, x)$$);
SELECT expect_error($$
	SELECT bandit_fit(a, x, 1) FROM (VALUES (1, '{1}'::float8[]), (1, '{1,2}')) v(a, x)$$);
-- Each row is fine, their sum of squares is not: 3.9e153^2 = 1.5e307, and
-- sums of squares are capped at DBL_MAX / 8 = 2.2e307 (see bandit_model.c).
SELECT expect_error($$
	SELECT bandit_fit(1, x, 1) FROM (VALUES ('{3.9e153}'::float8[]), ('{3.9e153}')) v(x)$$);
SELECT expect_error($$
	SELECT bandit_update(bandit_fit(1, '{0,3.9e153}', 1), 1, '{0,3.9e153}', 1)$$);
-- (the same rows in two arms are fine: each arm has its own sums)
SELECT expect_error($$
	SELECT bandit_fit(a, x, 1) FROM (VALUES (1, '{3.9e153}'::float8[]), (2, '{3.9e153}')) v(a, x)$$);

--
-- bandit_fit and bandit_update: reward and weight.
--
CREATE TEMP TABLE bad_number (label text, v text);
INSERT INTO bad_number VALUES
	('NaN', '''NaN''::float8'),
	('Infinity', '''Infinity''::float8'),
	('-Infinity', '''-Infinity''::float8'),
	('-1', '-1'),
	('-1e-300', '-1e-300'),
	('-0', '''-0''::float8'),
	('0', '0'),
	('1e200', '1e200'),
	('1e308', '1e308');

SELECT n.label AS reward, result, string_agg(fs.fn, ', ' ORDER BY fs.fn) AS functions
FROM bad_number n,
	(VALUES ('fit', 'SELECT bandit_fit(1, ''{1,0}'', %s)'),
			('fit weighted', 'SELECT bandit_fit(1, ''{1,0}'', %s, 1)'),
			('update NULL', 'SELECT bandit_update(NULL, 1, ''{1,0}'', %s)'),
			('update m2', 'SELECT bandit_update(m, 1, ''{1,0}'', %s) FROM m2'),
			('update m2 weighted', 'SELECT bandit_update(m, 3, ''{1,0}'', %s, 1) FROM m2')) fs(fn, f),
	LATERAL expect_error(format(fs.f, n.v)) result
GROUP BY n.label, result
ORDER BY n.label COLLATE "C", result COLLATE "C";

SELECT n.label AS weight, result, string_agg(fs.fn, ', ' ORDER BY fs.fn) AS functions
FROM bad_number n,
	(VALUES ('fit', 'SELECT bandit_fit(1, ''{1,0}'', 10, %s)'),
			('update NULL', 'SELECT bandit_update(NULL, 1, ''{1,0}'', 10, %s)'),
			('update m2', 'SELECT bandit_update(m, 1, ''{1,0}'', 10, %s) FROM m2'),
			('update m2 new arm', 'SELECT bandit_update(m, 3, ''{1,0}'', 10, %s) FROM m2')) fs(fn, f),
	LATERAL expect_error(format(fs.f, n.v)) result
GROUP BY n.label, result
ORDER BY n.label COLLATE "C", result COLLATE "C";

-- A row count that would pass the largest bigint.
SELECT expect_error($$
	SELECT bandit_update('{"version":1,"dim":1,"arms":[{"action":1,"n":9223372036854775807,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}',
						 1, '{1}', 1)$$);
-- Sums that would overflow through the total weight.
SELECT expect_error($$
	SELECT bandit_fit(1, '{0}', 0, w) FROM (VALUES (1e308), (1e308)) v(w)$$);

--
-- bandit_merge: models of different dimensions (22000), overflowing sums
-- and counts (22003), too many arms (54000).
--
CREATE TEMP TABLE m1 AS SELECT bandit_fit(1, '{1}', 1) AS m;
SELECT expect_error('SELECT bandit_merge(m1.m, m2.m) FROM m1, m2');
SELECT expect_error('SELECT bandit_merge(m2.m, m1.m) FROM m1, m2');
SELECT expect_error('SELECT bandit_merge(m) FROM (SELECT m FROM m1 UNION ALL SELECT m FROM m2) u');
SELECT expect_error('SELECT bandit_merge(m) FROM (SELECT m FROM m2 UNION ALL SELECT NULL UNION ALL SELECT m FROM m1) u');
-- an empty model still has a dimension
SELECT expect_error($$SELECT bandit_merge(m, '{"version":1,"dim":1,"arms":[]}') FROM m2$$);
SELECT expect_error($$SELECT bandit_merge(x) FROM (VALUES ('{"version":1,"dim":3,"arms":[]}'::banditmodel), ('{"version":1,"dim":1,"arms":[]}')) v(x)$$);
-- sums: each model is valid, the union is not
SELECT expect_error($$
	SELECT bandit_merge(x, x) FROM (SELECT bandit_fit(1, '{3.9e153}', 1) AS x) t$$);
SELECT expect_error($$
	SELECT bandit_merge(x) FROM (SELECT bandit_fit(1, '{0}', 0, 1.5e307) AS x FROM generate_series(1, 2) g GROUP BY g) t$$);
-- row counts
SELECT expect_error($$
	SELECT bandit_merge(x, x) FROM (VALUES ('{"version":1,"dim":1,"arms":[{"action":1,"n":9223372036854775807,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}'::banditmodel)) v(x)$$);
-- arms: two models of 60000 arms each, with different actions
CREATE TEMP TABLE big AS
SELECT (SELECT bandit_fit(i, '{1}', 1) FROM generate_series(1, 60000) i) AS low,
	   (SELECT bandit_fit(i, '{1}', 1) FROM generate_series(60001, 120000) i) AS high;
SELECT expect_error('SELECT bandit_merge(low, high) FROM big');
SELECT expect_error('SELECT bandit_merge(m) FROM big, LATERAL (VALUES (low), (high)) v(m)');
-- The same actions: the union has only 60000 arms, within the limit.
SELECT expect_error('SELECT bandit_merge(low, low) FROM big');
SELECT expect_error('SELECT bandit_merge(m) FROM big, LATERAL (VALUES (low), (low)) v(m)');
DROP TABLE big;

--
-- Scoring functions: bad policies, candidates and contexts, for all six
-- functions taking a policy.  Each result lists the functions that gave it.
--
CREATE TEMP TABLE scorers (fn text, f text);
-- %1$s context, %2$s candidates, %3$s policy
INSERT INTO scorers VALUES
	('scores', 'SELECT bandit_scores(m, %1$s, %2$s, %3$s) FROM m2'),
	('probabilities', 'SELECT bandit_probabilities(m, %1$s, %2$s, %3$s) FROM m2'),
	('probability', 'SELECT bandit_probability(m, %1$s, %2$s, 1, %3$s) FROM m2'),
	('choose', 'SELECT bandit_choose(m, %1$s, %2$s, %3$s, 7) FROM m2'),
	('act', 'SELECT (bandit_act(m, %1$s, %2$s, %3$s, 7)).* FROM m2'),
	('value', 'SELECT bandit_value(m, %1$s, %2$s, %3$s) FROM m2');

CREATE TEMP TABLE bad_policy (p text);
INSERT INTO bad_policy VALUES
	-- valid, for reference
	('GREEDY'), (' linucb ( alpha = 0 , RIDGE = 2 ) '), ('greedy()'), ('epsilon_greedy(epsilon=1)'),
	('uniform(ridge=1e-300)'),
	-- unknown names and keys
	('greed'), ('random'), ('epsilon-greedy'), (repeat('x', 40)),
	('epsilon_greedy(alpha=1)'), ('greedy(epsilon=0.1)'), ('uniform(temperature=1)'),
	('thompson(lambda=1)'),
	-- duplicate keys
	('epsilon_greedy(epsilon=0.1, epsilon=0.2)'), ('linucb(ridge=1, RIDGE=2)'),
	('thompson(scale=1, ridge=1, scale=1)'),
	-- out of range
	('epsilon_greedy(epsilon=1.5)'), ('epsilon_greedy(epsilon=-0.1)'),
	('softmax(temperature=0)'), ('softmax(temperature=-1)'),
	('linucb(alpha=-1)'), ('thompson(scale=0)'),
	('greedy(ridge=0)'), ('greedy(ridge=-1)'), ('greedy(ridge=1e-400)'),
	('greedy(ridge=NaN)'), ('greedy(ridge=Infinity)'), ('greedy(ridge=1e999)'),
	('softmax(temperature=inf)'),
	-- syntax
	(''), ('   '), ('('), ('greedy('), ('greedy(ridge)'), ('greedy(ridge=)'),
	('greedy(ridge=1'), ('greedy(ridge=1,)'), ('greedy(,ridge=1)'), ('greedy(ridge==1)'),
	('greedy(ridge=1 2)'), ('greedy(ridge=1.2.3)'), ('greedy(ridge=0x1)'),
	('greedy(ridge="1")'), ('greedy[ridge=1]'), ('greedy ridge=1'),
	('greedy x'), ('greedy(ridge=1) x'), ('greedy(ridge=1)('), ('greedy;'),
	('greedy, uniform'), (repeat(' ', 1100) || 'greedy');

SELECT CASE WHEN length(b.p) > 60 THEN format('%L... (%s bytes)', left(b.p, 8), length(b.p)) ELSE quote_literal(b.p) END AS policy,
	result, string_agg(s.fn, ', ' ORDER BY s.fn) AS functions
FROM bad_policy b, scorers s,
	LATERAL expect_error(format(s.f, '''{1,1}''', '''{1,2}''', quote_literal(b.p))) result
GROUP BY b.p, result
ORDER BY b.p COLLATE "C", result COLLATE "C";

-- Candidates.
CREATE TEMP TABLE bad_candidates (label text, v text);
INSERT INTO bad_candidates VALUES
	('valid: unseen arms', '''{7,8}''::int8[]'),
	('valid: one candidate', '''{2}''::int8[]'),
	('empty', '''{}''::int8[]'),
	('two dimensions', '''{{1,2},{3,4}}''::int8[]'),
	('one-by-one', '''{{1}}''::int8[]'),
	('NULL element', '''{1,NULL}''::int8[]'),
	('only NULL', 'ARRAY[NULL]::int8[]'),
	('duplicate', '''{1,1}''::int8[]'),
	('duplicate, apart', '''{2,1,3,2}''::int8[]'),
	('100001 elements', 'ARRAY(SELECT generate_series(1::int8, 100001))');

SELECT c.label AS candidates, result, string_agg(s.fn, ', ' ORDER BY s.fn) AS functions
FROM bad_candidates c, scorers s,
	LATERAL expect_error(format(s.f, '''{1,1}''', c.v, '''greedy''')) result
GROUP BY c.label, result
ORDER BY c.label COLLATE "C", result COLLATE "C";

-- Contexts (the policy matters for the overflow: linucb squares x).
SELECT c.label AS context, result, string_agg(s.fn, ', ' ORDER BY s.fn) AS functions
FROM bad_context c, scorers s,
	LATERAL expect_error(format(s.f, c.v, 'NULL', '''greedy''')) result
GROUP BY c.label, result
ORDER BY c.label COLLATE "C", result COLLATE "C";
SELECT p AS policy, result, string_agg(s.fn, ', ' ORDER BY s.fn) AS functions
FROM unnest(ARRAY['greedy', 'linucb', 'thompson', 'softmax']) p, scorers s,
	LATERAL expect_error(format(s.f, '''{1e200,1e200}''', 'NULL', quote_literal(p))) result
GROUP BY p, result
ORDER BY p COLLATE "C", result COLLATE "C";
-- A parameter so large that the upper bound or the spread overflows.
SELECT p AS policy, result, string_agg(s.fn, ', ' ORDER BY s.fn) AS functions
FROM unnest(ARRAY['linucb(alpha=1e308)', 'thompson(scale=1e308)', 'softmax(temperature=1e-308)']) p, scorers s,
	LATERAL expect_error(format(s.f, '''{1e10,1e10}''', 'NULL', quote_literal(p))) result
GROUP BY p, result
ORDER BY p COLLATE "C", result COLLATE "C";

--
-- bandit_predict: context and ridge.
--
SELECT c.label AS context, expect_error(format('SELECT bandit_predict(m, %s, 1) FROM m2', c.v)) AS result
FROM bad_context c ORDER BY c.label COLLATE "C";
SELECT r AS ridge, expect_error(format('SELECT bandit_predict(m, ''{1,1}'', 1, %s) FROM m2', r)) AS result
FROM unnest(ARRAY['0', '''-0''::float8', '-1', '''NaN''::float8', '''Infinity''::float8',
				  '''-Infinity''::float8', '1e-300', '1e300']) r;
-- A prediction that overflows at a huge context: 22003, never Infinity.
SELECT expect_error($$SELECT bandit_predict(bandit_fit(1, '{1}', 1e10), '{1e300}', 1)$$) AS predict,
	expect_error($$SELECT bandit_scores(bandit_fit(1, '{1}', 1e10), '{1e300}')$$) AS scores;

--
-- Models that pass validation but that no rows could have produced (A
-- within the Cauchy-Schwarz bounds yet indefinite): scoring raises an ERROR
-- rather than returning NaN.
--
CREATE TEMP TABLE crafted (label text, m banditmodel);
INSERT INTO crafted VALUES
	('A indefinite', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":0,"sum_wr2":0,"A":[[1,1.9],[1.9,1]],"b":[0,0]}]}'),
	('A + ridge I overflows', '{"version":1,"dim":1,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":0,"sum_wr2":0,"A":[[2e307]],"b":[0]}]}');
SELECT c.label, fs.f, expect_error(format(fs.f, quote_literal(c.m::text))) AS result
FROM crafted c JOIN
	(VALUES ('A indefinite', 'SELECT bandit_predict(%s, ''{1,1}'', 1, 0.01)'),
			('A indefinite', 'SELECT bandit_scores(%s, ''{1,1}'', NULL, ''greedy(ridge=0.01)'')'),
			('A + ridge I overflows', 'SELECT bandit_predict(%s, ''{1}'', 1, 1.7e308)'),
			('A + ridge I overflows', 'SELECT bandit_probabilities(%s, ''{1}'', NULL, ''greedy(ridge=1.7e308)'')'),
			('A + ridge I overflows', 'SELECT bandit_predict(%s, ''{1}'', 1, 1e300)')) fs(label, f) USING (label)
ORDER BY c.label COLLATE "C", fs.f COLLATE "C";
-- Crafted models beyond the Cauchy-Schwarz bounds, which an update could
-- overflow, are refused at input; within the bounds, updates stay finite.
SELECT label, expect_error(format('SELECT bandit_update(%L, 1, %L, %s, %s)::text', t, x, r, w)) AS result
FROM (VALUES
	('A off-diagonal', '{"version":1,"dim":2,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":0,"sum_wr2":0,"A":[[0,1.7e308],[1.7e308,0]],"b":[0,0]}]}', '{1e154,1e154}', '0', '1'),
	('b', '{"version":1,"dim":1,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":0,"sum_wr2":0,"A":[[1]],"b":[1.79e308]}]}', '{1e153}', '1e154', '1'),
	('sum_wr', '{"version":1,"dim":1,"arms":[{"action":1,"n":1,"weight":1,"sum_wr":1.7976931348623157e308,"sum_wr2":0,"A":[[1]],"b":[0]}]}', '{0}', '1e-8', '1e308')) v(label, t, x, r, w)
ORDER BY label COLLATE "C";

--
-- bandit_value: the reward model must have the model's dimension.
--
SELECT expect_error('SELECT bandit_value(m2.m, ''{1,1}'', NULL, ''greedy'', m1.m) FROM m1, m2');
SELECT expect_error('SELECT bandit_value(m1.m, ''{1}'', NULL, ''greedy'', m2.m) FROM m1, m2');
SELECT expect_error($$SELECT bandit_value(m, '{1,1}', NULL, 'greedy', '{"version":1,"dim":3,"arms":[]}') FROM m2$$);
-- a reward model of the right dimension but no arms predicts 0
SELECT bandit_value(m, '{1,1}', NULL, 'uniform', '{"version":1,"dim":2,"arms":[]}') AS empty_reward_model FROM m2;

--
-- A model with no arms: NULL candidates (all arms) is an error, explicit
-- candidates are new arms with the ridge prior.
--
CREATE TEMP TABLE m0 AS SELECT '{"version":1,"dim":2,"arms":[]}'::banditmodel AS m;
SELECT s.fn, expect_error(replace(format(s.f, '''{1,1}''', 'NULL', '''greedy'''), 'FROM m2', 'FROM m0')) AS result
FROM scorers s ORDER BY s.fn;
SELECT bandit_scores(m, '{1,1}', '{5,6}') AS scores,
	bandit_probabilities(m, '{1,1}', '{5,6}', 'linucb') AS probabilities,
	bandit_probability(m, '{1,1}', '{5,6}', 6, 'thompson') AS probability,
	bandit_choose(m, '{1,1}', '{5}') AS choose,
	(bandit_act(m, '{1,1}', '{5}')).probability AS act_probability,
	bandit_value(m, '{1,1}', '{5,6}', 'softmax') AS value,
	bandit_predict(m, '{1,1}', 5) AS predict,
	(SELECT count(*) FROM bandit_arms(m)) AS arms
FROM m0;

--
-- NULL arguments.  bandit_predict and bandit_arms are strict.  The policy
-- functions give NULL for a NULL model, context, policy (or, for
-- bandit_probability, action); a NULL candidates means every arm, a NULL
-- seed the session's stream, a NULL reward_model the model itself.  A NULL
-- wins over bad values in the other arguments.
--
SELECT bandit_predict(NULL, '{1,1}', 1) IS NULL AS null_model,
	bandit_predict(m, NULL, 1) IS NULL AS null_context,
	bandit_predict(m, '{1,1}', NULL) IS NULL AS null_action,
	bandit_predict(m, '{1,1}', 1, NULL) IS NULL AS null_ridge,
	bandit_predict(m, NULL, 1, -1) IS NULL AS null_context_bad_ridge,
	(SELECT count(*) FROM bandit_arms(NULL)) AS arms_of_null
FROM m2;

-- Runs one query; says whether its one row is all NULL (or its error).
CREATE FUNCTION is_null_result(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	all_null bool;
BEGIN
	EXECUTE format('SELECT bool_and(q IS NULL) FROM (%s) q', sql) INTO all_null;
	RETURN CASE WHEN all_null THEN 'NULL' ELSE 'not NULL' END;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

CREATE TEMP TABLE null_args (label text, model text, context text, candidates text, policy text);
INSERT INTO null_args VALUES
	('model', 'NULL::banditmodel', '''{1,1}''', '''{1,2}''', '''greedy'''),
	('context', 'm', 'NULL', '''{1,2}''', '''greedy'''),
	('policy', 'm', '''{1,1}''', '''{1,2}''', 'NULL'),
	('candidates (all arms)', 'm', '''{1,1}''', 'NULL', '''greedy'''),
	('context, bad policy', 'm', 'NULL', '''{1,2}''', '''bogus'''),
	('context, bad candidates', 'm', 'NULL', '''{1,1}''', '''greedy'''),
	('policy, bad context', 'm', '''{NaN}''', '''{1,2}''', 'NULL'),
	('model, empty candidates', 'NULL::banditmodel', '''{1,1}''', '''{}''', '''greedy''');

SELECT n.label AS null_argument, result, string_agg(s.fn, ', ' ORDER BY s.fn) AS functions
FROM null_args n, scorers s,
	LATERAL is_null_result(replace(format(s.f, n.context, n.candidates, n.policy), '(m, ', '(' || n.model || ', ')) result
GROUP BY n.label, result
ORDER BY n.label COLLATE "C", result COLLATE "C";

SELECT bandit_probability(m, '{1,1}', '{1,2}', NULL) IS NULL AS probability_null_action,
	bandit_choose(m, '{1,1}', '{1,2}', 'uniform', NULL) IN (1, 2) AS choose_null_seed,
	(bandit_act(m, '{1,1}', '{1,2}', 'uniform', NULL)).action IN (1, 2) AS act_null_seed,
	bandit_value(m, '{1,1}', '{1,2}', 'greedy', NULL) = bandit_value(m, '{1,1}', '{1,2}', 'greedy', m) AS value_null_reward_model,
	(bandit_act(NULL, '{1,1}')).action IS NULL AS act_null_model_action
FROM m2;

-- bandit_update: a NULL model starts a new one; a NULL action, context,
-- reward or weight returns the model unchanged, without checking the others.
SELECT bandit_update(NULL, 1, '{1,0}', 1)::text AS from_null_model;
SELECT label, bandit_update(m, a, x, r, w)::text = m::text AS unchanged
FROM m2, (VALUES ('action', NULL::int8, '{1,0}'::float8[], 1::float8, 1::float8),
				 ('context', 1, NULL, 1, 1),
				 ('reward', 1, '{1,0}', NULL, 1),
				 ('weight', 1, '{1,0}', 1, NULL),
				 ('reward, bad context', 1, '{NaN,1,2}', NULL, 1),
				 ('weight, bad reward', 1, '{1,0}', 'NaN', NULL)) v(label, a, x, r, w)
ORDER BY label COLLATE "C";
SELECT bandit_update(NULL, NULL, '{1}', 1) IS NULL AS null_model_null_action,
	bandit_update(NULL, 1, '{1}', 1, NULL) IS NULL AS null_model_null_weight;

-- bandit_fit skips rows with a NULL, without checking their other inputs;
-- only NULL rows give NULL.
SELECT bandit_fit(a, x, r, w)::text AS fitted
FROM (VALUES (1::int8, '{1,0}'::float8[], 1::float8, 1::float8),
			 (NULL, '{1,0}', 1, 1),
			 (1, NULL, 1, 1),
			 (1, '{1,0}', NULL, 1),
			 (1, '{1,0}', 1, NULL),
			 (1, '{NaN,0,0}', NULL, 1),
			 (1, '{1,0}', 'Infinity', NULL)) v(a, x, r, w);
SELECT bandit_fit(a, x, r) IS NULL AS only_null_rows
FROM (VALUES (NULL::int8, '{1}'::float8[], 1::float8), (1, NULL, 1), (1, '{1}', NULL)) v(a, x, r);
-- bandit_merge skips NULL models
SELECT bandit_merge(x)::text = (SELECT m::text FROM m2) AS merge_skips_null
FROM (SELECT m FROM m2 UNION ALL SELECT NULL) v(x);

DROP FUNCTION is_null_result(text);

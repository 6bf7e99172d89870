--
-- ope_bad_input: every bad input of the OPE surface raises an ERROR with a
-- pinned SQLSTATE and a message naming the argument and the value; NULL
-- inputs are not errors but skipped rows, counted in n_skipped.
--
-- SQLSTATEs: 22023 invalid_parameter_value (bad values, confidence,
-- estimator names), 22003 numeric_value_out_of_range (overflow), 22P02
-- invalid_text_representation (bad ope_state text), 22000 data_exception
-- (incompatible merges).
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Bad values, spelled as SQL expressions.
CREATE TEMP TABLE bad_propensity (v text);
INSERT INTO bad_propensity VALUES
	('0'), ('''-0.0''::float8'), ('-0.5'), ('1.0000001'),
	('''NaN''::float8'), ('''Infinity''::float8'), ('''-Infinity''::float8');
CREATE TEMP TABLE bad_probability (v text);
INSERT INTO bad_probability VALUES
	('-0.1'), ('1.5'), ('''NaN''::float8'), ('''Infinity''::float8');
CREATE TEMP TABLE non_finite (v text);
INSERT INTO non_finite VALUES
	('''NaN''::float8'), ('''Infinity''::float8'), ('''-Infinity''::float8');

--
-- propensity: must be in (0, 1], for every aggregate that takes one, also on
-- rows the target policy never picks (target_probability 0) and on replay
-- rows whose actions do not match: a wrong propensity is never dropped.
--
SELECT f, v AS propensity, expect_error(format(f, v)) AS result
FROM bad_propensity,
	(VALUES ('SELECT ope_accumulate(1, %s, 1)'),
			('SELECT ope_accumulate(1, %s, 0)'),
			('SELECT ope_accumulate(1, %s, 1, 0.5, 0.5)'),
			('SELECT ips_estimate(1, %s, 0.5)'),
			('SELECT snips_estimate(1, %s, 0.5)'),
			('SELECT dr_estimate(1, %s, 0.5, 0.5, 0.5)'),
			('SELECT sndr_estimate(1, %s, 0.5, 0.5, 0.5)'),
			('SELECT replay_take_fraction(1, 1, true, %s)'),
			('SELECT replay_take_fraction(1, 2, true, %s)'),
			('SELECT replay_take_fraction(1, 1, 2.5::float8, %s)'),
			('SELECT replay_take_fraction(1, 2, 2.5::float8, %s)')) fs(f)
ORDER BY f, v;

-- A bad row after good ones still fails the whole aggregate.
SELECT expect_error($$
	SELECT ope_accumulate(r, mu, 1)
	FROM (VALUES (1.0::float8, 0.5::float8), (0.0, 0.25), (1.0, 0.0)) v(r, mu)$$);
SELECT expect_error($$
	SELECT replay_take_fraction(a, 7, true, mu)
	FROM (VALUES (7, 0.5::float8), (3, 0.5), (3, 2.0)) v(a, mu)$$);

--
-- target_probability: must be in [0, 1].
--
SELECT f, v AS target_probability, expect_error(format(f, v)) AS result
FROM bad_probability,
	(VALUES ('SELECT ope_accumulate(1, 0.5, %s)'),
			('SELECT ope_accumulate(1, 0.5, %s, 0.5, 0.5)'),
			('SELECT ips_estimate(1, 0.5, %s)'),
			('SELECT snips_estimate(1, 0.5, %s)'),
			('SELECT dr_estimate(1, 0.5, %s, 0.5, 0.5)'),
			('SELECT sndr_estimate(1, 0.5, %s, 0.5, 0.5)')) fs(f)
ORDER BY f, v;

--
-- reward, q_logged, v_target: must be finite, also on unmatched rows.
--
SELECT f, v AS value, expect_error(format(f, v)) AS result
FROM non_finite,
	(VALUES ('SELECT ope_accumulate(%s, 0.5, 1)'),
			('SELECT ope_accumulate(%s, 0.5, 0)'),
			('SELECT ope_accumulate(%s, 0.5, 1, 0.5, 0.5)'),
			('SELECT ips_estimate(%s, 0.5, 1)'),
			('SELECT snips_estimate(%s, 0.5, 1)'),
			('SELECT dr_estimate(%s, 0.5, 1, 0.5, 0.5)'),
			('SELECT sndr_estimate(%s, 0.5, 1, 0.5, 0.5)'),
			('SELECT replay_take_fraction(1, 1, %s)'),
			('SELECT replay_take_fraction(1, 2, %s)'),
			('SELECT replay_take_fraction(1, 1, %s, 0.5)'),
			('SELECT replay_take_fraction(1, 2, %s, 0.5)'),
			('SELECT ope_accumulate(1, 0.5, 1, %s, 0.5)'),
			('SELECT ope_accumulate(1, 0.5, 0, %s, 0.5)'),
			('SELECT dr_estimate(1, 0.5, 1, %s, 0.5)'),
			('SELECT sndr_estimate(1, 0.5, 1, %s, 0.5)'),
			('SELECT ope_accumulate(1, 0.5, 1, 0.5, %s)'),
			('SELECT ope_accumulate(1, 0.5, 0, 0.5, %s)'),
			('SELECT dr_estimate(1, 0.5, 1, 0.5, %s)'),
			('SELECT sndr_estimate(1, 0.5, 1, 0.5, %s)')) fs(f)
ORDER BY f, v;

--
-- Overflow: a weight or weighted reward whose square is not a float8 is
-- 22003, for single rows and for running sums.
--
SELECT f, expect_error(f) AS result
FROM (VALUES ('SELECT ope_accumulate(1e300, 1e-300, 1)'),
			 ('SELECT ope_accumulate(1, 5e-324, 1)'),
			 ('SELECT ope_accumulate(1, 5e-324, 1, 0, 0)'),
			 ('SELECT ips_estimate(1e300, 1e-300, 1)'),
			 ('SELECT snips_estimate(1, 5e-324, 1)'),
			 ('SELECT dr_estimate(1e300, 1e-300, 1, 0, 0)'),
			 ('SELECT sndr_estimate(1, 5e-324, 1, 0, 0)'),
			 ('SELECT replay_take_fraction(1, 1, true, 5e-324)'),
			 ('SELECT replay_take_fraction(1, 1, 1e300::float8, 1e-300)')) fs(f)
ORDER BY f;
-- The reward-model terms too: v_target^2 and (reward - q_logged)^2, named.
SELECT f, expect_error(f) AS result
FROM (VALUES ('SELECT ope_accumulate(1, 0.5, 0.5, 0, 1e300)'),
			 ('SELECT dr_estimate(1, 0.5, 0, 0, 1e300)'),
			 ('SELECT ope_accumulate(1e300, 0.5, 0.5, -1e300, 0)'),
			 ('SELECT sndr_estimate(1e300, 0.5, 0.5, -1e300, 0)')) fs(f)
ORDER BY f;
-- each row is representable, their sum of squares is not (sums of squares
-- stay below 2^1020, about 1.1e307, so that every state prints and reads back)
SELECT expect_error($$
	SELECT ope_accumulate(2e153, 1, 1) FROM generate_series(1, 2)$$);
-- the same through merging: each state is valid, the union is not
-- (reward 3e152, weight 10: the sum of squared weighted rewards is 9e306)
SELECT expect_error($$
	SELECT ope_merge(s, s) FROM (SELECT ope_accumulate(3e152, 0.1, 1) AS s) t$$);

--
-- Reading states: confidence must be in (0, 1); estimator names must exist
-- and need the right kind of state.
--
CREATE TEMP TABLE st AS
SELECT (SELECT ope_accumulate(r, 0.5, 0.5) FROM generate_series(1, 4) r) AS basic,
	   (SELECT ope_accumulate(r, 0.5, 0.5, 1, 2) FROM generate_series(1, 4) r) AS dr;

SELECT c AS confidence,
	expect_error(format('SELECT * FROM ope_report((SELECT basic FROM st), %s)', c)) AS result
FROM unnest(ARRAY['0', '1', '-1', '''NaN''::float8', '1.5', '''-Infinity''::float8']) c;

SELECT e AS estimator,
	expect_error(format('SELECT ope_estimate(basic, %L) FROM st', e)) AS result
FROM unnest(ARRAY['foo', '', 'IPS', 'dm', 'dr', 'sndr', 'replay']) e;
SELECT expect_error($$SELECT ope_estimate(dr, 'd r') FROM st$$);

--
-- Merging a state with reward-model inputs and one without.
--
SELECT expect_error('SELECT ope_merge(basic, dr) FROM st');
SELECT expect_error('SELECT ope_merge(dr, basic) FROM st');
SELECT expect_error('SELECT ope_merge(s) FROM st, LATERAL (VALUES (basic), (dr)) v(s)');
SELECT expect_error('SELECT ope_merge(s) FROM st, LATERAL (VALUES (dr), (NULL), (basic)) v(s)');
-- the transition functions check the kind of the state they are given
SELECT expect_error('SELECT ope_accumulate_transition(basic, 1, 0.5, 0.5, 1, 1) FROM st');
SELECT expect_error('SELECT ope_accumulate_transition(dr, 1, 0.5, 0.5) FROM st');
SELECT expect_error('SELECT replay_played_transition(dr, 1, 1, true) FROM st');

-- Row counts that would overflow bigint.
SELECT expect_error($$
	SELECT ope_merge(
		'{"version":1,"kind":"basic","n":9223372036854775807,"n_skipped":0,"n_matched":0,"max_weight":0,"min_propensity":1,"sums":{}}',
		basic) FROM st$$);
SELECT expect_error($$
	SELECT ope_merge(
		'{"version":1,"kind":"basic","n":0,"n_skipped":9223372036854775807,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}'::ope_state,
		'{"version":1,"kind":"basic","n":0,"n_skipped":1,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}')$$);
SELECT expect_error($$
	SELECT ope_accumulate_transition(
		'{"version":1,"kind":"basic","n":0,"n_skipped":9223372036854775807,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
		NULL, 0.5, 0.5)$$);

--
-- Text input of ope_state: strict JSON, known keys once each, and a state
-- that some set of rows could have produced.
--
CREATE TEMP TABLE bad_text (label text, t text);
INSERT INTO bad_text VALUES
	('valid empty basic', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}'),
	('valid one row dr', '{"version":1,"kind":"dr","n":1,"n_skipped":0,"n_matched":1,"max_weight":2,"min_propensity":0.5,"sums":{"pi":1,"w":2,"w2":4,"v":[1,1e-17],"v2":1}}'),
	('empty string', ''),
	('blank', '   '),
	('foo', 'foo'),
	('json array', '[]'),
	('truncated', '{"version":1,"kind":"basic","n":0,"n_sk'),
	('truncated after value', '{"version":1,"kind":"basic"'),
	('unterminated sums', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{'),
	('wrong version', '{"version":3,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}'),
	('version as string', '{"version":"1","kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}'),
	('unknown kind', '{"version":1,"kind":"ips","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}'),
	('missing key sums', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null}'),
	('missing key version', '{"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}'),
	('unknown key', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{},"extra":1}'),
	('duplicate key', '{"version":1,"kind":"basic","n":0,"n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}'),
	('unknown sum', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":1,"x":1}}'),
	('duplicate sum', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":1,"pi":1}}'),
	('negative n', '{"version":1,"kind":"basic","n":-1,"n_skipped":0,"n_matched":0,"max_weight":1,"min_propensity":1,"sums":{}}'),
	('negative n_skipped', '{"version":1,"kind":"basic","n":0,"n_skipped":-1,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}'),
	('n_matched > n', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":2,"max_weight":1,"min_propensity":1,"sums":{"pi":2,"w":2,"w2":2}}'),
	('n beyond bigint', '{"version":1,"kind":"basic","n":9223372036854775808,"n_skipped":0,"n_matched":0,"max_weight":0,"min_propensity":1,"sums":{}}'),
	('n not an integer', '{"version":1,"kind":"basic","n":1.0,"n_skipped":0,"n_matched":0,"max_weight":0,"min_propensity":1,"sums":{}}'),
	('NaN in JSON', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":NaN,"min_propensity":1,"sums":{"pi":1}}'),
	('Infinity in JSON', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"w_r":Infinity}}'),
	('-Infinity in JSON', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"w_r":-Infinity}}'),
	('1e999', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"w_r":1e999}}'),
	('-1e999 in a pair', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"w_r":[1,-1e999]}}'),
	('leading plus', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":+1,"min_propensity":1,"sums":{}}'),
	('leading zero', '{"version":1,"kind":"basic","n":01,"n_skipped":0,"n_matched":0,"max_weight":0,"min_propensity":1,"sums":{}}'),
	('sum in empty state', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{"w":1}}'),
	('lo in empty state', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{"w_r":[0,1e-20]}}'),
	('sum with no match', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":0,"max_weight":0,"min_propensity":1,"sums":{"pi":1}}'),
	('dr sum in basic state', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":1,"v":1}}'),
	('negative sum of squares', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":1,"w2":-1}}'),
	('negative sum of weights', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"w":[1,-2]}}'),
	('max_weight with n = 0', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":1,"min_propensity":null,"sums":{}}'),
	('null max_weight with n = 1', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":1,"sums":{}}'),
	('max_weight with no match', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":0,"max_weight":1,"min_propensity":1,"sums":{}}'),
	('negative max_weight', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":0,"max_weight":-1,"min_propensity":1,"sums":{}}'),
	('min_propensity 0', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":0,"max_weight":0,"min_propensity":0,"sums":{}}'),
	('min_propensity -0.5', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":0,"max_weight":0,"min_propensity":-0.5,"sums":{}}'),
	('min_propensity 1.5', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":0,"max_weight":0,"min_propensity":1.5,"sums":{}}'),
	('trailing data', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}} x'),
	('two values', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}{}'),
	('trailing comma', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{},}'),
	('sum pair of three', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":[1,0,0]}}'),
	('sum pair of one', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":[1]}}'),
	('sum as string', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":"1"}}'),
	('sum null', '{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"pi":null}}'),
	('sums not an object', '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":[]}'),
	('NUL escape in key', '{"version":1,"kind":"basic","n\u0000":0}');

SELECT label, expect_error(format('SELECT %L::ope_state', t)) AS result
FROM bad_text ORDER BY label COLLATE "C";

--
-- NULL inputs are not errors: the row is skipped and counted in n_skipped,
-- whatever the position of the NULL.
-- Each query adds one good row (reward 1, propensity 0.5, target_probability
-- 1: weight 2) to show that it alone is counted.
--
SELECT pos, d.n, d.n_skipped, d.n_matched, ope_estimate(s, 'ips') AS ips
FROM (VALUES
		(1, (SELECT ope_accumulate(r, mu, pi) FROM (VALUES (1, 0.5, 1), (NULL, 0.5, 1)) v(r, mu, pi))),
		(2, (SELECT ope_accumulate(r, mu, pi) FROM (VALUES (1, 0.5, 1), (1, NULL, 1)) v(r, mu, pi))),
		(3, (SELECT ope_accumulate(r, mu, pi) FROM (VALUES (1, 0.5, 1), (1, 0.5, NULL)) v(r, mu, pi)))) t(pos, s),
	LATERAL ope_diagnostics(s) d
ORDER BY pos;

SELECT pos, d.n, d.n_skipped, d.n_matched, ope_estimate(s, 'dr') AS dr
FROM (VALUES
		(1, (SELECT ope_accumulate(r, mu, pi, q, v) FROM (VALUES (1, 0.5, 1, 0, 0), (NULL, 0.5, 1, 0, 0)) v(r, mu, pi, q, v))),
		(2, (SELECT ope_accumulate(r, mu, pi, q, v) FROM (VALUES (1, 0.5, 1, 0, 0), (1, NULL, 1, 0, 0)) v(r, mu, pi, q, v))),
		(3, (SELECT ope_accumulate(r, mu, pi, q, v) FROM (VALUES (1, 0.5, 1, 0, 0), (1, 0.5, NULL, 0, 0)) v(r, mu, pi, q, v))),
		(4, (SELECT ope_accumulate(r, mu, pi, q, v) FROM (VALUES (1, 0.5, 1, 0, 0), (1, 0.5, 1, NULL, 0)) v(r, mu, pi, q, v))),
		(5, (SELECT ope_accumulate(r, mu, pi, q, v) FROM (VALUES (1, 0.5, 1, 0, 0), (1, 0.5, 1, 0, NULL)) v(r, mu, pi, q, v)))) t(pos, s),
	LATERAL ope_diagnostics(s) d
ORDER BY pos;

-- The estimate aggregates: a second row (reward 0, weight 2, q_logged 3,
-- v_target 5) with one NULL input is skipped; counted, it would halve ips
-- and snips (1 and 0.5, as in rows 4 and 5, where the NULL is in an input
-- that ips and snips do not take) and move dr to 0.5 and sndr to 1.5.
SELECT pos,
	ips_estimate(r, mu, pi) AS ips, snips_estimate(r, mu, pi) AS snips,
	dr_estimate(r, mu, pi, q, v) AS dr, sndr_estimate(r, mu, pi, q, v) AS sndr
FROM (VALUES (1), (2), (3), (4), (5)) p(pos),
	LATERAL (VALUES (1, 0.5, 1, 0, 0),
				   (CASE WHEN pos = 1 THEN NULL ELSE 0 END,
					CASE WHEN pos = 2 THEN NULL ELSE 0.5 END,
					CASE WHEN pos = 3 THEN NULL ELSE 1 END,
					CASE WHEN pos = 4 THEN NULL ELSE 3 END,
					CASE WHEN pos = 5 THEN NULL ELSE 5 END)) v(r, mu, pi, q, v)
GROUP BY pos ORDER BY pos;

-- replay_take_fraction: one matched played row, then a second matched,
-- not-played row with one NULL; counted, it would bring the fraction to 0.5
-- (as in row 4 for the overloads without a propensity, which ignore it).
SELECT pos,
	replay_take_fraction(a, t, p) AS played,
	replay_take_fraction(a, t, p, mu) AS played_mu,
	replay_take_fraction(a, t, p::int::float8) AS reward,
	replay_take_fraction(a, t, p::int::float8, mu) AS reward_mu
FROM (VALUES (1), (2), (3), (4)) q(pos),
	LATERAL (VALUES (7::int8, 7::int8, true, 0.5::float8),
				   (CASE WHEN pos = 1 THEN NULL ELSE 7 END,
					CASE WHEN pos = 2 THEN NULL ELSE 7 END,
					CASE WHEN pos = 3 THEN NULL ELSE false END,
					CASE WHEN pos = 4 THEN NULL ELSE 0.5 END)) v(a, t, p, mu)
GROUP BY pos ORDER BY pos;

-- The same rows through the transition functions, to see n_skipped.
SELECT pos, d.n, d.n_skipped, d.n_matched
FROM (VALUES
		(1, replay_played_transition(NULL, NULL, 7, false)),
		(2, replay_played_transition(NULL, 7, NULL, false)),
		(3, replay_played_transition(NULL, 7, 7, NULL)),
		(4, replay_played_transition(NULL, 7, 7, false, NULL)),
		(5, replay_reward_transition(NULL, NULL, 7, 0)),
		(6, replay_reward_transition(NULL, 7, NULL, 0)),
		(7, replay_reward_transition(NULL, 7, 7, NULL)),
		(8, replay_reward_transition(NULL, 7, 7, 0, NULL))) t(pos, s),
	LATERAL ope_diagnostics(s) d
ORDER BY pos;

-- Only NULL rows: an empty state, estimates NULL, nothing raised.
SELECT d.*, ope_estimate(s, 'ips') IS NULL AS ips_is_null
FROM (SELECT ope_accumulate(NULL::float8, mu, 1) AS s
	  FROM (VALUES (0.5), (0.25)) v(mu)) t,
	LATERAL ope_diagnostics(s) d;
SELECT ips_estimate(NULL::float8, 0.5, 1) IS NULL AS ips,
	snips_estimate(1, NULL, 1) IS NULL AS snips,
	dr_estimate(1, 0.5, 1, NULL, 0) IS NULL AS dr,
	sndr_estimate(1, 0.5, 1, 0, NULL) IS NULL AS sndr,
	replay_take_fraction(NULL, 1, true) IS NULL AS replay;

-- A NULL skips the row, but the inputs it does have are still checked:
-- a wrong propensity is never silently dropped.
SELECT f, expect_error(f) AS result
FROM (VALUES ('SELECT ope_accumulate(NULL::float8, 0, 0.5)'),
			 ('SELECT ope_accumulate(1, 5, NULL)'),
			 ('SELECT ope_accumulate(NULL::float8, 0.5, 7)'),
			 ('SELECT ope_accumulate(1, NULL, 0.5, ''NaN'', 0)'),
			 ('SELECT replay_take_fraction(1, 2, NULL::bool, 5.0)'),
			 ('SELECT replay_take_fraction(NULL, 2, 1.0::float8, 0)')) fs(f)
ORDER BY f;

-- Row counts cannot wrap around.
SELECT expect_error($$
	SELECT ope_accumulate_transition('{"version":1,"kind":"basic","n":9223372036854775807,"n_skipped":0,"n_matched":0,"max_weight":0,"min_propensity":1,"sums":{}}', 1, 0.5, 0.5)$$);
SELECT expect_error($$
	SELECT ope_accumulate_transition('{"version":1,"kind":"basic","n":0,"n_skipped":9223372036854775807,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}', NULL, 0.5, 0.5)$$);

-- A sum whose two halves are finite but add up to infinity.
SELECT expect_error($$SELECT '{"version":1,"kind":"basic","n":2,"n_skipped":0,"n_matched":1,"max_weight":1,"min_propensity":1,"sums":{"w":[1.7e308,1.7e308],"w2":1,"pi":1}}'::ope_state$$);

-- Unmatched rows (pi = 0) of a DR state: the same overflow tests as any row.
-- A huge but finite residual r - q is fine (it is weighted by 0) ...
SELECT (ope_diagnostics(ope_accumulate(r, 1, 0, q, v))).n AS huge_unweighted_residual_ok
FROM (VALUES (0::float8, 0::float8, 1e153::float8), (1e308, 0, 0)) t(r, q, v);
-- ... one that overflows is an error, as are sums of squares whose total overflows.
SELECT expect_error($$SELECT ope_accumulate(r, 1, 0, q, 0) FROM (VALUES (1e308::float8, -1e308::float8)) t(r, q)$$);
SELECT expect_error($$SELECT ope_accumulate(r, 1, p, 0, v)
                      FROM (VALUES (1.5e153::float8, 1::float8, 0::float8), (0, 0, 2.5e153)) t(r, p, v)$$);


-- A number token of a million digits is refused at once (it used to be read
-- for seconds, a 900 MB one without a chance to cancel).
SELECT expect_error($$SELECT ('{"version":1,"kind":"basic","n":' || repeat('1', 1000000) || '}')::ope_state$$) AS long_integer;
SELECT expect_error($$SELECT ('{"version":1,"kind":"basic","n":1,"n_skipped":0,"n_matched":0,"max_weight":0.' || repeat('1', 1000000) || '}')::ope_state$$) AS long_double;

-- A propensity logged as a percentage gets a hint.
SELECT ope_accumulate(1, 25, 1);
SELECT ope_accumulate(1, 100.5, 1);
-- (an untyped NULL reward now matches the float8 and the bool aggregates alike: cast it)
SELECT expect_error('SELECT ips_estimate(NULL, 0.5, 1)') AS untyped_null_reward;

-- A bool reward (a play) is accepted wherever a reward is accumulated, as 1 or 0.
SELECT ope_accumulate(played, mu, pi)::text = ope_accumulate(played::int, mu, pi)::text AS same_3,
	ope_accumulate(played, mu, pi, 0.2, 0.3)::text = ope_accumulate(played::int, mu, pi, 0.2, 0.3)::text AS same_5,
	ope_accumulate(played, mu, pi, '{1,2}')::text = ope_accumulate(played::int, mu, pi, '{1,2}')::text AS same_lambdas,
	ope_accumulate(played, mu, pi, 0.2, 0.3, '{1,2}')::text = ope_accumulate(played::int, mu, pi, 0.2, 0.3, '{1,2}')::text AS same_5_lambdas,
	ips_estimate(played, mu, pi) = ips_estimate(played::int, mu, pi) AND snips_estimate(played, mu, pi) = snips_estimate(played::int, mu, pi)
	AND dr_estimate(played, mu, pi, 0.2, 0.3) = dr_estimate(played::int, mu, pi, 0.2, 0.3)
	AND sndr_estimate(played, mu, pi, 0.2, 0.3) = sndr_estimate(played::int, mu, pi, 0.2, 0.3) AS same_estimates,
	bandit_fit(a, ARRAY[1, mu], played)::text = bandit_fit(a, ARRAY[1, mu], played::int)::text
	AND bandit_fit(a, ARRAY[1, mu], played, 2)::text = bandit_fit(a, ARRAY[1, mu], played::int, 2)::text AS same_fit
FROM (VALUES (true, 0.5, 1.0, 1), (false, 0.25, 0.5, 2), (NULL, 0.5, 1.0, 1), (true, 1.0, 0.0, 2)) v(played, mu, pi, a);

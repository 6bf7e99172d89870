--
-- ope_io: ope_state as stored data.  Text and binary round trips are
-- bit-exact, stored per-group states merge into the one-pass state, NULL
-- and empty inputs behave as documented.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- A few hundred rows with non-trivial values (inputs rounded to 4 decimals
-- so that numeric sees exactly what float8 holds, to 1e-16).  Every 50th
-- reward and every 61st q_logged is NULL; one row in three has pi = 0.
CREATE TABLE ope_io_log AS
SELECT i,
	i % 7 AS grp,
	CASE WHEN i % 50 = 0 THEN NULL
		 ELSE round((2.5 * sin(i * 0.7) + cos(i * 1.3))::numeric, 4)::float8 END AS r,
	round((0.05 + 0.45 * (1 + sin(i * 1.1)))::numeric, 4)::float8 AS mu,
	CASE WHEN i % 3 = 0 THEN 0
		 ELSE round((0.5 + 0.5 * cos(i * 0.37))::numeric, 4)::float8 END AS pi,
	CASE WHEN i % 61 = 0 THEN NULL
		 ELSE round((2 * cos(i * 0.91))::numeric, 4)::float8 END AS q,
	round((sin(i * 0.53) + 0.25)::numeric, 4)::float8 AS v
FROM generate_series(1, 300) i;

CREATE TABLE ope_io_states (kind text PRIMARY KEY, s ope_state);
INSERT INTO ope_io_states
SELECT 'basic', ope_accumulate(r, mu, pi ORDER BY i) FROM ope_io_log
UNION ALL
SELECT 'dr', ope_accumulate(r, mu, pi, q, v ORDER BY i) FROM ope_io_log
UNION ALL
SELECT 'empty basic', ope_accumulate(r, mu, pi) FROM ope_io_log WHERE false
UNION ALL
SELECT 'empty dr', ope_accumulate(r, mu, pi, q, v) FROM ope_io_log WHERE false;

-- The counts, against plain SQL.
SELECT kind, d.n, d.n_skipped, d.n_matched,
	d.n = c.n AND d.n_skipped = c.skipped AND d.n_matched = c.matched AS counts_ok
FROM ope_io_states, LATERAL ope_diagnostics(s) d,
	LATERAL (SELECT count(*) FILTER (WHERE ok) AS n,
					count(*) FILTER (WHERE NOT ok) AS skipped,
					count(*) FILTER (WHERE ok AND pi > 0) AS matched
			 FROM (SELECT *, r IS NOT NULL AND (kind NOT LIKE '%dr' OR q IS NOT NULL) AS ok
				   FROM ope_io_log WHERE kind NOT LIKE 'empty%') l) c
ORDER BY kind;

--
-- Text: the output is exact (shortest round-trip digits); reading it back
-- gives the same bits, the same text and the same estimates.
--
SELECT kind,
	s::text::ope_state::text = s::text AS same_text,
	ope_state_send(s::text::ope_state) = ope_state_send(s) AS same_bits,
	s::text LIKE '%[%' AS has_compensation_terms
FROM ope_io_states ORDER BY kind;

SELECT kind, string_agg(a.estimator, ',' ORDER BY ord) AS estimators,
	bool_and(a.estimator = b.estimator
			 AND a.estimate IS NOT DISTINCT FROM b.estimate
			 AND a.std_error IS NOT DISTINCT FROM b.std_error
			 AND a.ci_lower IS NOT DISTINCT FROM b.ci_lower
			 AND a.ci_upper IS NOT DISTINCT FROM b.ci_upper
			 AND a.lambda IS NOT DISTINCT FROM b.lambda) AS same_report
FROM ope_io_states,
	LATERAL ROWS FROM (ope_report(s)) WITH ORDINALITY a(estimator, estimate, std_error, ci_lower, ci_upper, lambda, ord)
	JOIN LATERAL ROWS FROM (ope_report(s::text::ope_state)) WITH ORDINALITY b(estimator, estimate, std_error, ci_lower, ci_upper, lambda, ord)
	USING (ord)
GROUP BY kind ORDER BY kind;

-- A small state, checked by hand.  Rows (r, mu, pi): (1, 0.5, 1),
-- (0, 0.25, 0.5), (2, 1, 0): weights 2, 2, 0.
SELECT ope_accumulate(r, mu, pi)
FROM (VALUES (1, 0.5, 1), (0, 0.25, 0.5), (2, 1, 0)) v(r, mu, pi);
-- A sum that needs its compensation term: 1e16 + 1 is not a float8, so the
-- sums of r print as the pair [1e16, 1] (and r^2 as [1e32, 1]).
SELECT ope_accumulate(r, 1, 1) FROM (VALUES (1e16), (1)) v(r);
SELECT ope_accumulate(r, 1, 1)::text::ope_state::text =
	ope_accumulate(r, 1, 1)::text AS same_text
FROM (VALUES (1e16), (1)) v(r);
-- Exact digits and signed zeros survive text.
SELECT s::ope_state::text = s AS same_text
FROM (VALUES
	('{"version":1,"kind":"dr","n":2,"n_skipped":3,"n_matched":1,"max_weight":7.000000000000001,"min_propensity":5e-324,"sums":{"pi":0.1,"pi_r":[-0.30000000000000004,-5.551115123125783e-17],"w":[1.7976931348623157e+308,-9.9792015476736e+291],"w2":1e+300,"v":-0,"v2":2.2250738585072014e-308,"w_e":[-0,-0]}}')) t(s);

-- Text COPY round trip, through a file.
SELECT '/tmp/artbandit_ope_io_' || pg_backend_pid() || '.data' AS io_file \gset
CREATE TABLE ope_io_copy (LIKE ope_io_states);
COPY ope_io_states TO :'io_file';
COPY ope_io_copy FROM :'io_file';
SELECT kind, c.s::text = o.s::text AS same_text,
	ope_state_send(c.s) = ope_state_send(o.s) AS same_bits
FROM ope_io_states o JOIN ope_io_copy c USING (kind) ORDER BY kind;

--
-- Binary: COPY BINARY of the table, and the bytes of ope_state_send read
-- back by ope_state_recv (a bytea field in a binary COPY file is the raw
-- bytes, so a file written from bytea can be read into an ope_state column).
--
TRUNCATE ope_io_copy;
COPY ope_io_states TO :'io_file' (FORMAT binary);
COPY ope_io_copy FROM :'io_file' (FORMAT binary);
SELECT kind, c.s::text = o.s::text AS same_text,
	ope_state_send(c.s) = ope_state_send(o.s) AS same_bits
FROM ope_io_states o JOIN ope_io_copy c USING (kind) ORDER BY kind;

TRUNCATE ope_io_copy;
COPY (SELECT kind, ope_state_send(s) FROM ope_io_states) TO :'io_file' (FORMAT binary);
COPY ope_io_copy FROM :'io_file' (FORMAT binary);
SELECT kind, c.s::text = o.s::text AS same_text,
	ope_state_send(c.s) = ope_state_send(o.s) AS same_bits
FROM ope_io_states o JOIN ope_io_copy c USING (kind) ORDER BY kind;

-- The documented layout.  Version 2 (a state with rows, since 1.2): 368
-- bytes (version, flags, lambda count, reserved, 3 counts, 2 extremes, 6
-- range bounds, 17 [hi, lo] sums); a state without rows keeps version 1's
-- 320 bytes (no ranges), as 1.0 and 1.1 wrote it.  Counts big-endian.
SELECT kind, length(b) AS bytes, get_byte(b, 0) AS version, get_byte(b, 1) AS flags,
	('x' || encode(substring(b FROM 9 FOR 8), 'hex'))::bit(64)::int8 = d.n
	AND ('x' || encode(substring(b FROM 17 FOR 8), 'hex'))::bit(64)::int8 = d.n_skipped
	AND ('x' || encode(substring(b FROM 25 FOR 8), 'hex'))::bit(64)::int8 = d.n_matched AS counts_ok
FROM ope_io_states, LATERAL ope_state_send(s) b, LATERAL ope_diagnostics(s) d
ORDER BY kind;

-- Hostile binary input: write payload as the only field of a binary COPY
-- file, then read that file into an ope_state column; returns
-- 'SQLSTATE: message' of the error, or 'no error'.
CREATE FUNCTION recv_payload(payload bytea, file text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', payload, file);
	CREATE TEMP TABLE recv_target (s ope_state);
	EXECUTE format('COPY recv_target FROM %L (FORMAT binary)', file);
	DROP TABLE recv_target;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- Version 1 (1.0/1.1 values, still read): a stored dr state.
SELECT label, recv_payload(p, :'io_file') AS result
FROM (SELECT ope_state_send('{"version":1,"kind":"dr","n":2,"n_skipped":3,"n_matched":1,"max_weight":7.000000000000001,"min_propensity":0.125,"sums":{"pi":0.875,"pi_r":0.5,"pi2":0.765625,"pi2_r":0.4375,"pi2_r2":0.25,"w":7,"w2":49,"w_r":4,"w2_r":28,"w2_r2":16,"v":1,"v2":0.5,"w_e":2,"w2_e":5,"w2_e2":4,"v_w_e":1,"v_w":3}}'::ope_state) AS b) v,
	LATERAL (VALUES
		(1, 'valid', b),
		(2, 'empty', ''::bytea),
		(3, 'one byte', '\x01'::bytea),
		(4, 'one byte short', substring(b FROM 1 FOR 319)),
		(5, 'one byte long', b || '\x00'::bytea),
		(6, 'version 0', overlay(b PLACING '\x00'::bytea FROM 1)),
		(7, 'version 3', overlay(b PLACING '\x03'::bytea FROM 1)),
		(8, 'version 2, short', '\x02'::bytea),
		(9, 'unknown flag', overlay(b PLACING '\x11'::bytea FROM 2)),
		(10, 'reserved bits', overlay(b PLACING '\x01'::bytea FROM 8)),
		(11, 'negative n', overlay(b PLACING '\xffffffffffffffff'::bytea FROM 9)),
		(12, 'n_matched > n', overlay(b PLACING '\x7fffffffffffffff'::bytea FROM 25)),
		(13, 'NaN max_weight', overlay(b PLACING '\x7ff8000000000000'::bytea FROM 33)),
		(14, 'min_propensity 2', overlay(b PLACING '\x4000000000000000'::bytea FROM 41)),
		(15, 'Infinity hi of pi', overlay(b PLACING '\x7ff0000000000000'::bytea FROM 49)),
		(16, 'NaN lo of v_w', overlay(b PLACING '\xfff8000000000000'::bytea FROM 313)),
		(17, 'negative w2', overlay(b PLACING '\xbff0000000000000'::bytea FROM 145)),
		(18, 'tracking flag', overlay(b PLACING '\x03'::bytea FROM 2))
	) t(k, label, p)
ORDER BY k;

-- Version 2 with two lambdas (2 and Infinity): 368 + 2 * 8 + 3 * 8 + 3 *
-- 10 * 16 + 2 * 3 * 16 bytes; the sums at bytes 49-320 as in version 1, the
-- ranges (r, v, e) at 321-368, the lambdas from 369, the three buckets'
-- row counts from 385, their sums from 409, the shrinkage sums from 889.
SELECT length(ope_state_send(s)) AS bytes, get_byte(ope_state_send(s), 2) * 256
	+ get_byte(ope_state_send(s), 3) AS nlambdas
FROM (SELECT ope_accumulate(r, mu, pi, q, v, '{2,Infinity}') AS s FROM ope_io_log) t;
SELECT label, recv_payload(p, :'io_file') AS result
FROM (SELECT ope_state_send(ope_accumulate(r, mu, pi, q, v, '{2,Infinity}')) AS b FROM ope_io_log) v,
	LATERAL (VALUES
		(1, 'valid', b),
		(2, 'one byte short', substring(b FROM 1 FOR length(b) - 1)),
		(16, 'header only', substring(b FROM 1 FOR 8)),
		(3, 'lambda count 1', overlay(b PLACING '\x0001'::bytea FROM 3)),
		(4, 'lambda count 33', overlay(b PLACING '\x0021'::bytea FROM 3)),
		(5, 'version 1 with lambdas', overlay(b PLACING '\x01'::bytea FROM 1)),
		(6, 'not tracked', overlay(b PLACING '\x01'::bytea FROM 2)),
		(7, 'NaN r_min', overlay(b PLACING '\x7ff8000000000000'::bytea FROM 321)),
		(8, 'r_min above r_max', overlay(b PLACING '\x7fe0000000000000'::bytea FROM 321)),
		(9, 'claims 0/1 rewards', overlay(b PLACING '\x0b'::bytea FROM 2)),
		(10, 'NaN lambda', overlay(b PLACING '\x7ff8000000000000'::bytea FROM 369)),
		(11, 'negative lambda', overlay(b PLACING '\xbff0000000000000'::bytea FROM 369)),
		(12, 'lambdas not increasing', overlay(b PLACING '\x3ff0000000000000'::bytea FROM 377)),
		(13, 'bucket count > n_matched', overlay(b PLACING '\x7fffffffffffffff'::bytea FROM 385)),
		(14, 'negative bucket count', overlay(b PLACING '\xffffffffffffffff'::bytea FROM 385)),
		(15, 'rows above Infinity', overlay(overlay(b PLACING '\x0000000000000000'::bytea FROM 393) PLACING
			substring(b FROM 393 FOR 8) FROM 401)),
		(17, 'Infinity bucket sum', overlay(b PLACING '\x7ff0000000000000'::bytea FROM 409)),
		(18, 'NaN shrinkage sum', overlay(b PLACING '\x7ff8000000000000'::bytea FROM 889))
	) t(k, label, p)
ORDER BY k;

--
-- Merging stored states equals one pass: per-group states in a table,
-- merged by the aggregate (in any order) or the function, give the state
-- of all the rows, up to rounding (1e-12 relative) in every number of
-- ope_report and ope_diagnostics and exactly in the counts and extremes.
--
CREATE TABLE ope_io_groups AS
SELECT grp, ope_accumulate(r, mu, pi) AS basic, ope_accumulate(r, mu, pi, q, v) AS dr
FROM ope_io_log GROUP BY grp;

CREATE TABLE ope_io_merged AS
SELECT 'basic' AS kind, 'aggregate' AS how, ope_merge(basic ORDER BY grp) AS s FROM ope_io_groups
UNION ALL
SELECT 'basic', 'aggregate, reversed', ope_merge(basic ORDER BY grp DESC) FROM ope_io_groups
UNION ALL
SELECT 'dr', 'aggregate', ope_merge(dr ORDER BY grp) FROM ope_io_groups
UNION ALL
SELECT 'dr', 'aggregate, reversed', ope_merge(dr ORDER BY grp DESC) FROM ope_io_groups
UNION ALL
SELECT 'dr', 'function, tree',
	ope_merge(ope_merge(ope_merge(g[1], g[2]), ope_merge(g[3], g[4])),
			  ope_merge(ope_merge(g[5], g[6]), g[7]))
FROM (SELECT array_agg(dr ORDER BY grp) AS g FROM ope_io_groups) a;

SELECT kind, how,
	(SELECT count(*) FROM ope_io_groups) AS groups,
	(SELECT bool_and(a.estimator = b.estimator
					 AND close(a.estimate, b.estimate)
					 AND close(a.std_error, b.std_error)
					 AND close(a.ci_lower, b.ci_lower)
					 AND close(a.ci_upper, b.ci_upper)
					 AND a.lambda IS NOT DISTINCT FROM b.lambda)
	 FROM ROWS FROM (ope_report(m.s)) WITH ORDINALITY a(estimator, estimate, std_error, ci_lower, ci_upper, lambda, ord)
	 JOIN ROWS FROM (ope_report(o.s)) WITH ORDINALITY b(estimator, estimate, std_error, ci_lower, ci_upper, lambda, ord)
	 USING (ord)) AS same_report,
	dm.n = d1.n AND dm.n_skipped = d1.n_skipped AND dm.n_matched = d1.n_matched
	AS same_counts,
	dm.max_weight = d1.max_weight AND dm.min_propensity = d1.min_propensity
	AS same_extremes,
	close(dm.match_rate, d1.match_rate) AND close(dm.ess, d1.ess)
	AND close(dm.mean_weight, d1.mean_weight) AS same_ratios
FROM ope_io_merged m JOIN ope_io_states o USING (kind),
	LATERAL ope_diagnostics(m.s) dm, LATERAL ope_diagnostics(o.s) d1
ORDER BY kind, how;

-- The one-pass states against an independent computation over numeric of
-- the definitions in the contract (1e-10 relative: the references use the
-- 15-digit numeric images of the float8 inputs).
CREATE TABLE ope_io_reference AS
WITH d AS (
	SELECT 'basic' AS kind, r::numeric AS r, mu::numeric AS mu, pi::numeric AS pi,
		0::numeric AS q, 0::numeric AS v
	FROM ope_io_log WHERE r IS NOT NULL
	UNION ALL
	SELECT 'dr', r::numeric, mu::numeric, pi::numeric, q::numeric, v::numeric
	FROM ope_io_log WHERE r IS NOT NULL AND q IS NOT NULL),
dw AS (SELECT *, pi / mu AS w, r - q AS e FROM d),
s AS (SELECT kind, count(*)::numeric AS n, sum(pi) AS spi, sum(pi * r) AS spr,
			 sum(w) AS sw, sum(w * w) AS sw2, sum(w * r) AS swr, sum(v) AS sv,
			 sum(w * e) AS swe
	  FROM dw GROUP BY kind),
e AS (SELECT *, spr / spi AS replay, swr / n AS ips, swr / sw AS snips, sv / n AS dm,
			 (sv + swe) / n AS dr, sv / n + swe / sw AS sndr, spi / n AS pibar,
			 sw / n AS wbar
	  FROM s)
SELECT kind, n, sw * sw / sw2 AS ess, sw / n AS mean_weight,
	replay, ips, snips, dm, dr, sndr,
	sqrt(sum((pi * (r - replay) / pibar) ^ 2) / (n * (n - 1))) AS replay_se,
	sqrt(sum((w * r - ips) ^ 2) / (n * (n - 1))) AS ips_se,
	sqrt(sum((w * (r - snips) / wbar) ^ 2) / (n * (n - 1))) AS snips_se,
	sqrt(sum((v - dm) ^ 2) / (n * (n - 1))) AS dm_se,
	sqrt(sum((v + w * e - dr) ^ 2) / (n * (n - 1))) AS dr_se,
	sqrt(sum(((v - dm) + w * (e - (sndr - dm)) / wbar) ^ 2) / (n * (n - 1))) AS sndr_se
FROM dw JOIN e USING (kind)
GROUP BY kind, n, sw, sw2, replay, ips, snips, dm, dr, sndr;

SELECT o.kind, rep.estimator,
	abs(rep.estimate - ref.estimate) <= 1e-10 * abs(ref.estimate) AS estimate_ok,
	abs(rep.std_error - ref.se) <= 1e-10 * ref.se AS std_error_ok,
	round(rep.estimate::numeric, 6) AS estimate
FROM ope_io_states o JOIN ope_io_reference f USING (kind),
	LATERAL ope_report(o.s) rep,
	LATERAL (VALUES ('replay', f.replay, f.replay_se), ('ips', f.ips, f.ips_se),
					('snips', f.snips, f.snips_se), ('dm', f.dm, f.dm_se),
					('dr', f.dr, f.dr_se), ('sndr', f.sndr, f.sndr_se))
		ref(estimator, estimate, se)
WHERE ref.estimator = rep.estimator
ORDER BY o.kind, rep.estimator;

SELECT o.kind,
	abs(d.ess - f.ess) <= 1e-10 * f.ess AS ess_ok,
	abs(d.mean_weight - f.mean_weight) <= 1e-10 * f.mean_weight AS mean_weight_ok,
	d.max_weight = (SELECT max(pi / mu) FROM ope_io_log
					WHERE r IS NOT NULL AND (o.kind = 'basic' OR q IS NOT NULL)) AS max_weight_ok,
	d.min_propensity = (SELECT min(mu) FROM ope_io_log
						WHERE r IS NOT NULL AND (o.kind = 'basic' OR q IS NOT NULL)) AS min_propensity_ok
FROM ope_io_states o JOIN ope_io_reference f USING (kind),
	LATERAL ope_diagnostics(o.s) d
ORDER BY o.kind;

-- A running (window) ope_accumulate: every row gets its own state, equal
-- to the aggregate over the rows so far; the last one is the one-pass state.
CREATE TABLE ope_io_running AS
SELECT i, ope_accumulate(r, mu, pi, q, v) OVER (ORDER BY i) AS s FROM ope_io_log;
SELECT count(*) AS rows,
	bool_and((ope_diagnostics(s)).n + (ope_diagnostics(s)).n_skipped = i) AS counts_ok,
	bool_and(s::text = (SELECT s::text FROM ope_io_states WHERE kind = 'dr'))
		FILTER (WHERE i = 300) AS last_is_one_pass
FROM ope_io_running;

--
-- ope_merge(a, b): NULL is the empty set; the empty state is neutral.
--
SELECT kind,
	ope_merge(NULL, s)::text = s::text AS null_x,
	ope_merge(s, NULL)::text = s::text AS x_null,
	ope_merge(NULL::ope_state, NULL) IS NULL AS null_null,
	ope_merge(s, empty)::text = s::text AS x_empty,
	ope_merge(empty, s)::text = s::text AS empty_x
FROM ope_io_states o,
	LATERAL (SELECT e.s AS empty FROM ope_io_states e WHERE e.kind = 'empty ' || o.kind) e
WHERE kind IN ('basic', 'dr')
ORDER BY kind;
-- The aggregate skips NULL states; with none left it is NULL.
SELECT ope_merge(s)::text = (SELECT s::text FROM ope_io_states WHERE kind = 'basic') AS skips_nulls
FROM (VALUES (NULL::ope_state), ((SELECT s FROM ope_io_states WHERE kind = 'basic')), (NULL)) v(s);
SELECT ope_merge(s) IS NULL AS no_rows FROM ope_io_states WHERE false;
SELECT ope_merge(NULL::ope_state) IS NULL AS only_nulls FROM generate_series(1, 3);

--
-- Empty input: ope_accumulate gives an empty state (not NULL) whose
-- estimates are NULL, never NaN; the estimate aggregates give NULL.
--
SELECT kind, s FROM ope_io_states WHERE kind LIKE 'empty%' ORDER BY kind;
SELECT kind, rep.* FROM ope_io_states, LATERAL ope_report(s) rep
WHERE kind LIKE 'empty%' ORDER BY kind;
SELECT kind, d.* FROM ope_io_states, LATERAL ope_diagnostics(s) d
WHERE kind LIKE 'empty%' ORDER BY kind;
SELECT ope_estimate(s, 'ips') IS NULL AS ips, ope_estimate(s, 'sndr') IS NULL AS sndr
FROM ope_io_states WHERE kind = 'empty dr';

SELECT ips_estimate(r, mu, pi) AS ips, snips_estimate(r, mu, pi) AS snips,
	dr_estimate(r, mu, pi, q, v) AS dr, sndr_estimate(r, mu, pi, q, v) AS sndr,
	replay_take_fraction(1, 1, r > 0) AS replay_played,
	replay_take_fraction(1, 1, r > 0, mu) AS replay_played_mu,
	replay_take_fraction(1, 1, r) AS replay_reward,
	replay_take_fraction(1, 1, r, mu) AS replay_reward_mu
FROM ope_io_log WHERE false;

-- No matches (every pi = 0, every logged action differs from the target):
-- the ratio estimators have no value (NULL); ips is then sum(w r)/n = 0
-- and dr is sum(v)/n, the direct method.
SELECT ips_estimate(r, mu, pi) AS ips, snips_estimate(r, mu, pi) AS snips,
	abs(dr_estimate(r, mu, pi, q, v) - avg(v::numeric) FILTER (WHERE r IS NOT NULL AND q IS NOT NULL)) < 1e-12 AS dr_is_dm,
	sndr_estimate(r, mu, pi, q, v) AS sndr,
	replay_take_fraction(1, 2, r > 0) AS replay_played,
	replay_take_fraction(1, 2, r > 0, mu) AS replay_played_mu,
	replay_take_fraction(1, 2, r) AS replay_reward,
	replay_take_fraction(1, 2, r, mu) AS replay_reward_mu
FROM ope_io_log WHERE pi = 0;
SELECT rep.estimator, rep.estimate, rep.std_error, rep.ci_lower IS NULL AS no_interval
FROM (SELECT ope_accumulate(r, mu, pi) AS s FROM ope_io_log WHERE pi = 0) t,
	LATERAL ope_report(s) rep;

-- Cleanup (the file is the server's: remove it the way it was written).
\set rm_io_file 'rm -f ' :io_file
COPY (SELECT 1 WHERE false) TO PROGRAM :'rm_io_file';
DROP TABLE ope_io_log, ope_io_states, ope_io_copy, ope_io_groups, ope_io_merged,
	ope_io_reference, ope_io_running;
DROP FUNCTION recv_payload(bytea, text);

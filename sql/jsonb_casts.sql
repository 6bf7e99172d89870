--
-- jsonb_casts: ope_state, banditmodel, ope_bootstrap_state and
-- ope_pair_state ::jsonb (1.2).  The jsonb is the text form parsed as
-- jsonb; its fields read with -> and ->> equal plain SQL over the inputs
-- and the accessor functions; NULL gives NULL; the casts are explicit; the
-- text of the jsonb reads back as the same value where the type's parser
-- takes keys in any order.
--
\set VERBOSITY terse

-- Dyadic inputs (every w = pi/mu, w r and sum exact in float8), so each sum
-- of the state is one number and equals numeric SQL exactly.
CREATE TABLE jc_log AS
SELECT i,
	((i % 5) * 0.5)::float8 AS r,
	(CASE i % 3 WHEN 0 THEN 0.5 WHEN 1 THEN 0.25 ELSE 0.125 END)::float8 AS mu,
	(CASE i % 4 WHEN 0 THEN 0 WHEN 1 THEN 0.5 ELSE 1 END)::float8 AS pi,
	(0.25 * (i % 2))::float8 AS q,
	(0.5 + 0.25 * (i % 3))::float8 AS v
FROM generate_series(1, 40) i;

CREATE TABLE jc_states AS
SELECT 'basic' AS kind, ope_accumulate(r, mu, pi) AS s FROM jc_log
UNION ALL SELECT 'dr', ope_accumulate(r, mu, pi, q, v) FROM jc_log
UNION ALL SELECT 'lambdas', ope_accumulate(r, mu, pi, q, v, ARRAY[1, 4, 'Infinity']::float8[]) FROM jc_log
UNION ALL SELECT 'empty', ope_accumulate(r, mu, pi) FROM jc_log WHERE false
UNION ALL SELECT 'version 1', '{"version":1,"kind":"basic","n":2,"n_skipped":0,"n_matched":1,"max_weight":2,"min_propensity":0.5,"sums":{"pi":1,"pi_r":1,"pi2":1,"pi2_r":1,"pi2_r2":1,"w":2,"w2":4,"w_r":2,"w2_r":4,"w2_r2":4}}'::ope_state
UNION ALL SELECT 'compensated', ope_accumulate(sin(i), 0.3 + (i % 7) / 10.0, (i % 3) / 3.0) FROM generate_series(1, 500) i;

-- The jsonb is the text form parsed as jsonb, an object with the same keys.
SELECT kind, s::jsonb = s::text::jsonb AS same_json, jsonb_typeof(s::jsonb) AS type,
	(SELECT count(*) FROM jsonb_object_keys(s::jsonb)) AS keys
FROM jc_states ORDER BY kind;

-- The counts and extremes against plain SQL and ope_diagnostics.
SELECT k.kind,
	(j ->> 'n')::bigint = c.n AND (j ->> 'n')::bigint = d.n AS n_ok,
	(j ->> 'n_matched')::bigint = c.matched AND (j ->> 'n_matched')::bigint = d.n_matched AS matched_ok,
	(j ->> 'n_skipped')::bigint = 0 AND d.n_skipped = 0 AS skipped_ok,
	(j ->> 'max_weight')::float8 = c.max_w AND (j ->> 'max_weight')::float8 = d.max_weight AS max_weight_ok,
	(j ->> 'min_propensity')::float8 = c.min_mu AND (j ->> 'min_propensity')::float8 = d.min_propensity AS min_mu_ok,
	j ->> 'kind' AS json_kind
FROM (SELECT kind, s, s::jsonb AS j FROM jc_states WHERE kind IN ('basic', 'dr', 'lambdas')) k,
	LATERAL ope_diagnostics(k.s) d,
	(SELECT count(*) AS n, count(*) FILTER (WHERE pi > 0) AS matched,
			max(pi / mu) AS max_w, min(mu) AS min_mu FROM jc_log) c
ORDER BY k.kind;

-- The sums against numeric SQL (exact: the inputs are dyadic).
SELECT k.kind,
	(j #>> '{sums,pi}')::numeric = c.pi AS pi_ok,
	(j #>> '{sums,pi_r}')::numeric = c.pi_r AS pi_r_ok,
	(j #>> '{sums,w}')::numeric = c.w AS w_ok,
	(j #>> '{sums,w2}')::numeric = c.w2 AS w2_ok,
	(j #>> '{sums,w_r}')::numeric = c.w_r AS w_r_ok,
	CASE WHEN kind = 'basic' THEN j -> 'sums' -> 'v' IS NULL
		 ELSE (j #>> '{sums,v}')::numeric = c.v AND (j #>> '{sums,w_e}')::numeric = c.w_e END AS dr_sums_ok
FROM (SELECT kind, s::jsonb AS j FROM jc_states WHERE kind IN ('basic', 'dr', 'lambdas')) k,
	(SELECT sum(pi::numeric) AS pi, sum(pi::numeric * r::numeric) AS pi_r,
			sum(pi::numeric / mu::numeric) AS w, sum((pi::numeric / mu::numeric) ^ 2) AS w2,
			sum(pi::numeric / mu::numeric * r::numeric) AS w_r, sum(v::numeric) AS v,
			sum(pi::numeric / mu::numeric * (r::numeric - q::numeric)) AS w_e FROM jc_log) c
ORDER BY k.kind;

-- The estimators recomputed from the jsonb's sums: snips = w_r / w, ips = w_r / n.
SELECT kind,
	(j #>> '{sums,w_r}')::float8 / (j #>> '{sums,w}')::float8 = ope_estimate(s, 'snips') AS snips_ok,
	(j #>> '{sums,w_r}')::float8 / (j ->> 'n')::float8 = ope_estimate(s, 'ips') AS ips_ok
FROM (SELECT kind, s, s::jsonb AS j FROM jc_states WHERE kind IN ('basic', 'dr')) k ORDER BY kind;

-- Lambdas: one entry per lambda, the infinite one as the string "Infinity";
-- each bucket's n against the rows whose weight falls in it.
SELECT jsonb_array_length(j -> 'lambdas') AS lambdas,
	j -> 'lambdas' -> 2 ->> 'lambda' AS last_lambda,
	jsonb_typeof(j -> 'lambdas' -> 2 -> 'lambda') AS last_lambda_type,
	array_agg((e ->> 'n')::bigint ORDER BY o) = (SELECT ARRAY[
		count(*) FILTER (WHERE pi > 0 AND pi / mu <= 1),
		count(*) FILTER (WHERE pi > 0 AND pi / mu > 1 AND pi / mu <= 4),
		count(*) FILTER (WHERE pi > 0 AND pi / mu > 4)] FROM jc_log) AS buckets_ok
FROM (SELECT s::jsonb AS j FROM jc_states WHERE kind = 'lambdas') k,
	jsonb_array_elements(j -> 'lambdas') WITH ORDINALITY x(e, o)
GROUP BY j;

-- A sum with a compensation term is the pair [hi, lo]; hi + lo is the sum.
SELECT jsonb_typeof(j -> 'sums' -> 'w_r') AS w_r_type,
	abs((j #>> '{sums,w_r,0}')::numeric + (j #>> '{sums,w_r,1}')::numeric - c.w_r) <= 1e-12 * abs(c.w_r) AS w_r_ok
FROM (SELECT s::jsonb AS j FROM jc_states WHERE kind = 'compensated') k,
	(SELECT sum(((i % 3) / 3.0)::float8::numeric / (0.3 + (i % 7) / 10.0)::float8::numeric * sin(i)::numeric) AS w_r
	 FROM generate_series(1, 500) i) c;

-- banditmodel: arms, counts and sufficient statistics against bandit_arms
-- and the rows.
CREATE TABLE jc_fit AS
SELECT (i % 3)::int8 * 1000000000000 AS a, ARRAY[1, (i % 4) * 0.5]::float8[] AS x,
	((i % 5) * 0.25)::float8 AS r, (1 + i % 2)::float8 AS w
FROM generate_series(1, 30) i;
CREATE TABLE jc_model AS SELECT bandit_fit(a, x, r, w) AS m FROM jc_fit;
SELECT m::jsonb = m::text::jsonb AS same_json, (m::jsonb ->> 'dim')::int AS dim,
	jsonb_array_length(m::jsonb -> 'arms') = (SELECT count(DISTINCT a) FROM jc_fit) AS arms_ok
FROM jc_model;
SELECT (e ->> 'action')::int8 AS action,
	(e ->> 'n')::int8 = b.n AND (e ->> 'n')::int8 = c.n AS n_ok,
	(e ->> 'weight')::float8 = b.weight AND (e ->> 'weight')::numeric = c.weight AS weight_ok,
	(e ->> 'sum_wr')::numeric = c.sum_wr AS sum_wr_ok,
	(e #>> '{A,1,1}')::numeric = c.a11 AND (e #>> '{A,0,1}')::numeric = c.a01 AS a_ok,
	(e #>> '{b,1}')::numeric = c.b1 AS b_ok
FROM jc_model, jsonb_array_elements(m::jsonb -> 'arms') e,
	bandit_arms(m) b,
	LATERAL (SELECT count(*) AS n, sum(w::numeric) AS weight, sum(w::numeric * r::numeric) AS sum_wr,
					sum(w::numeric * x[2]::numeric ^ 2) AS a11, sum(w::numeric * x[2]::numeric) AS a01,
					sum(w::numeric * r::numeric * x[2]::numeric) AS b1
			 FROM jc_fit WHERE a = (e ->> 'action')::int8) c
WHERE b.action = (e ->> 'action')::int8
ORDER BY 1;

-- ope_bootstrap_state and ope_pair_state: the text form as jsonb, with
-- their inner ope_states as objects.
CREATE TABLE jc_more AS
SELECT ope_bootstrap(r, mu, pi, i::int8 % 7, 5, 42) AS boot, ope_compare(r, mu, pi, 1 - pi) AS pair
FROM jc_log;
SELECT boot::jsonb = boot::text::jsonb AS boot_same_json,
	(boot::jsonb #>> '{base,n}')::bigint = 40 AND (boot::jsonb ->> 'replicates')::int = 5 AS boot_fields_ok,
	jsonb_array_length(boot::jsonb #> '{sums,n}') AS replicate_entries,
	pair::jsonb = pair::text::jsonb AS pair_same_json,
	(pair::jsonb #>> '{a,n}')::bigint = 40 AND (pair::jsonb #>> '{b,n_matched}')::bigint =
		(SELECT count(*) FILTER (WHERE pi < 1) FROM jc_log) AS pair_fields_ok
FROM jc_more;

-- NULL in, NULL out.
SELECT NULL::ope_state::jsonb IS NULL AS state, NULL::banditmodel::jsonb IS NULL AS model,
	NULL::ope_bootstrap_state::jsonb IS NULL AS boot, NULL::ope_pair_state::jsonb IS NULL AS pair;

-- Round trips through the jsonb's text: ope_state, banditmodel and
-- ope_pair_state read any key order and give the same value, bit for bit.
-- ope_bootstrap_state's parser wants its header before "base" (to size the
-- state before reading it), which jsonb's key order does not keep: read
-- it from its own text form.
SELECT kind, ope_state_send(s::jsonb::text::ope_state) = ope_state_send(s) AS same_bits
FROM jc_states ORDER BY kind;
SELECT banditmodel_send(m::jsonb::text::banditmodel) = banditmodel_send(m) AS model_same_bits FROM jc_model;
SELECT ope_pair_state_send(pair::jsonb::text::ope_pair_state) = ope_pair_state_send(pair) AS pair_same_bits FROM jc_more;
SELECT expect_error($$SELECT boot::jsonb::text::ope_bootstrap_state FROM jc_more$$);

-- Explicit casts only; to_jsonb() does not use them (it looks for a cast
-- to json) and gives the text form as a JSON string.
SELECT castsource::regtype, casttarget::regtype, castcontext, castmethod
FROM pg_cast WHERE casttarget = 'jsonb'::regtype
	AND castsource IN ('ope_state'::regtype, 'banditmodel'::regtype,
					   'ope_bootstrap_state'::regtype, 'ope_pair_state'::regtype)
ORDER BY castsource::regtype::text;
CREATE TABLE jc_json (j jsonb);
SELECT expect_error($$INSERT INTO jc_json SELECT s FROM jc_states$$);
SELECT jsonb_typeof(to_jsonb(s)) AS to_jsonb_type, to_jsonb(s) #>> '{}' = s::text AS is_text_form,
	json_typeof(row_to_json(jc_states) -> 's') AS row_to_json_type
FROM jc_states WHERE kind = 'basic';

DROP TABLE jc_log, jc_states, jc_fit, jc_model, jc_more, jc_json;

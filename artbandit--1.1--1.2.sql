/* artbandit 1.1 -> 1.2: the scheduled jobs in C, safe against planted overloads; DR rollups from one reward model */

\echo Use "ALTER EXTENSION artbandit UPDATE TO '1.2'" to load this file. \quit

-- Why the jobs are C from 1.2
-- ===========================
-- artbandit is trusted: whoever can CREATE in a database (its owner) can
-- install it, and may plant functions, operators or aggregates in the
-- extension's schema, in public or in a schema early on a victim's path,
-- or rename the extension's schema and put a look-alike in its place,
-- hoping a superuser's scheduled job resolves a name to her code.  In 1.1
-- the jobs were PL/pgSQL with search_path = pg_catalog, <extension schema>,
-- pg_temp: an exact-match overload in the extension's schema
-- (array_length(name[], int4), =(oid, regclass)) beat the polymorphic or
-- binary-coercible built-in.  Schema-qualifying every call is not enough
-- either: a body names its schema, and the schema's owner can rename it.
--
-- So from 1.2 the job functions are C and nothing in them is looked up by
-- name on a path:
--   1. the extension's own work (scoring, accumulating states, fitting,
--      merging, reporting) is direct C calls;
--   2. the SQL they run only reads and writes the caller's tables, with
--      built-in casts and OPERATOR(pg_catalog.x) / pg_catalog.f() calls,
--      under SET search_path = pg_catalog, pg_temp (PostgreSQL looks up
--      functions and operators only in pg_catalog then, where only
--      superusers create objects);
--   3. the extension's types are found through pg_extension by OID;
--   4. caller-named tables and columns arrive as regclass and name values
--      and reach SQL only as regclass output and quoted identifiers.
-- The extension has no SQL or PL/pgSQL function left.
-- test/t/125_job_call_capture.pl records every call the jobs' SQL makes,
-- plants a capturing exact-match overload of each in the extension's
-- schema, in public and in a schema first on the caller's path (and behind
-- a renamed extension schema), runs every job as a superuser and requires
-- that none fires.
--
-- What no extension can cover, because the jobs read and write the
-- caller's own tables with the caller's rights: code attached to those
-- tables (triggers, rules, defaults, views) and user-defined types in them
-- run as the caller.  See README "Security".

-----------------------------------------------------------------------------
-- v_target and q_logged from one reward model at one ridge
-----------------------------------------------------------------------------

CREATE FUNCTION bandit_value(model banditmodel, context float8[], candidates int8[],
							 policy text, reward_model banditmodel, reward_ridge float8)
	RETURNS float8 AS 'MODULE_PATHNAME', 'bandit_value' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_value(banditmodel, float8[], int8[], text, banditmodel, float8) IS
	'sum over candidates of pi(a|x) q(x,a), q from reward_model (default: model) at ridge reward_ridge, as bandit_predict(reward_model, x, a, reward_ridge) gives it';

-----------------------------------------------------------------------------
-- the scheduled jobs, now C (same signatures, defaults and comments)
-----------------------------------------------------------------------------

-- ope_rollup_day is C too; it is re-created with its reward_window argument
-- under "trusting the log" below.
-- ope_rollup_report likewise, with its new columns.

CREATE OR REPLACE FUNCTION bandit_refresh_models(
	log regclass, models regclass, model_name text, from_day date, to_day date,
	scope_column name DEFAULT NULL,
	day_column name DEFAULT 'day',
	action_column name DEFAULT 'image_id',
	context_column name DEFAULT 'context',
	reward_column name DEFAULT 'played')
	RETURNS integer
	AS 'MODULE_PATHNAME', 'bandit_refresh_models'
	LANGUAGE C VOLATILE
	SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION bandit_current_models(models regclass, model_name text)
	RETURNS TABLE (scope text, version integer, created_at timestamptz, model banditmodel)
	AS 'MODULE_PATHNAME', 'bandit_current_models'
	LANGUAGE C STABLE
	SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION bandit_rollback_models(models regclass, model_name text)
	RETURNS integer
	AS 'MODULE_PATHNAME', 'bandit_rollback_models'
	LANGUAGE C VOLATILE
	SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION bandit_refresh_models(regclass, regclass, text, date, date, name, name, name, name, name) IS
	'fit a new version of a model (one per scope, e.g. per show) from a range of days of the log; returns the models written (scopes without a usable row are skipped and named in a NOTICE)';

-- the PL/pgSQL helpers of 1.1 (internal, not an interface)
DROP FUNCTION artbandit_column_expr(regclass, name, text, text);
DROP FUNCTION artbandit_check_table(regclass, text, name[], regtype[]);
DROP FUNCTION artbandit_check_names(text[], text);

-----------------------------------------------------------------------------
-- estimates that hold up when matches are few (API.md section 4)
-----------------------------------------------------------------------------

-- ope_report's rows of the lambda estimators say which lambda they are for
ALTER TYPE ope_result ADD ATTRIBUTE lambda float8;
COMMENT ON TYPE ope_result IS
	'one estimator of an ope_report: estimate, standard error, confidence interval and (for ipw_clip, dr_clip, switch_dr, dr_os) its lambda';

-- clipping, switching and shrinkage
CREATE FUNCTION ope_accumulate_lambdas_transition(ope_state, float8, float8, float8, float8[])
	RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_accumulate_lambdas_transition(ope_state, float8, float8, float8, float8, float8, float8[])
	RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ope_accumulate_lambdas_transition(ope_state, float8, float8, float8, float8[]) IS
	'transition function of ope_accumulate (3 inputs and lambdas)';
COMMENT ON FUNCTION ope_accumulate_lambdas_transition(ope_state, float8, float8, float8, float8, float8, float8[]) IS
	'transition function of ope_accumulate (5 inputs and lambdas)';

CREATE AGGREGATE ope_accumulate(reward float8, propensity float8, target_probability float8,
								lambdas float8[]) (
	SFUNC = ope_accumulate_lambdas_transition,
	STYPE = ope_state,
	INITCOND = '{"version":2,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{},"tracked":true,"binary_reward":true,"deterministic_target":true,"ranges":{}}',
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);
CREATE AGGREGATE ope_accumulate(reward float8, propensity float8, target_probability float8,
								q_logged float8, v_target float8, lambdas float8[]) (
	SFUNC = ope_accumulate_lambdas_transition,
	STYPE = ope_state,
	INITCOND = '{"version":2,"kind":"dr","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{},"tracked":true,"binary_reward":true,"deterministic_target":true,"ranges":{}}',
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE ope_accumulate(float8, float8, float8, float8[]) IS
	'ope_state of an exploration log with ipw_clip for each lambda (1 to 32, increasing, >= 0, Infinity allowed)';
COMMENT ON AGGREGATE ope_accumulate(float8, float8, float8, float8, float8, float8[]) IS
	'ope_state of an exploration log with reward-model inputs and ipw_clip, dr_clip, switch_dr, dr_os for each lambda';

CREATE FUNCTION ope_estimate(state ope_state, estimator text, lambda float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'ope_estimate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_estimate(ope_state, text, float8) IS
	'one estimate of a lambda estimator (ipw_clip, dr_clip, switch_dr, dr_os) by name and lambda';

CREATE FUNCTION ope_lambda_diagnostics(state ope_state)
	RETURNS TABLE (lambda float8, n_above bigint, fraction_above float8)
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_lambda_diagnostics(ope_state) IS
	'per lambda of the state, the rows whose weight w = pi/mu exceeds it (clipped, or switched to the reward model)';

-- intervals beyond the normal approximation
CREATE FUNCTION ope_report(state ope_state, confidence float8, method text)
	RETURNS SETOF ope_result
	AS 'MODULE_PATHNAME', 'ope_report' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION ope_report(ope_state, float8, text) IS
	'every estimator of a state with intervals by method: normal, bernstein, wilson, clopper_pearson or cs (an anytime-valid confidence sequence)';

-- Recap (More, Baltrunas, Vlassis, Basilico, REVEAL@RecSys 2019)
CREATE FUNCTION recap_transition(ope_state, float8, float8, int4)
	RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recap_transition(ope_state, float8, float8, int4) IS
	'transition function of recap_estimate: a row with target probability 1/rank';
CREATE AGGREGATE recap_estimate(reward float8, propensity float8, target_rank int4) (
	SFUNC = recap_transition,
	STYPE = ope_state,
	INITCOND = '{"version":2,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{},"tracked":true,"binary_reward":true,"deterministic_target":true,"ranges":{}}',
	FINALFUNC = ope_snips_final,
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE recap_estimate(float8, float8, int4) IS
	'Recap: sum (r/mu)(1/rank) / sum (1/mu)(1/rank), SNIPS with target probability 1/rank';

CREATE FUNCTION bandit_rank(model banditmodel, context float8[], candidates int8[], action int8,
							policy text DEFAULT 'greedy')
	RETURNS int4
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_rank(banditmodel, float8[], int8[], int8, text) IS
	'1 + the number of candidates the policy scores strictly higher than action (NULL when action is not a candidate): the rank Recap weighs by';

-- choosing lambda
CREATE TYPE ope_tune_result AS (
	estimator text,
	lambda float8,
	estimate float8,
	std_error float8,
	ci_lower float8,
	ci_upper float8,
	reason text
);
COMMENT ON TYPE ope_tune_result IS
	'the lambda ope_tune chose for an estimator, its estimate, standard error and normal interval, and why';
CREATE FUNCTION ope_tune(state ope_state, estimator text, method text DEFAULT 'slope',
						 confidence float8 DEFAULT 0.95)
	RETURNS ope_tune_result
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_tune(ope_state, text, text, float8) IS
	'choose lambda for ipw_clip, dr_clip, switch_dr or dr_os among the state''s lambdas: slope (SLOPE++, as OBP) or mse (OBP''s estimated MSE with the bias upper bound), delta 0.1';

-- clustered bootstrap in one pass
CREATE TYPE ope_bootstrap_state;
CREATE FUNCTION ope_bootstrap_state_in(cstring) RETURNS ope_bootstrap_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_bootstrap_state_out(ope_bootstrap_state) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_bootstrap_state_recv(internal) RETURNS ope_bootstrap_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_bootstrap_state_send(ope_bootstrap_state) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE ope_bootstrap_state (
	INPUT = ope_bootstrap_state_in,
	OUTPUT = ope_bootstrap_state_out,
	RECEIVE = ope_bootstrap_state_recv,
	SEND = ope_bootstrap_state_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON FUNCTION ope_bootstrap_state_in(cstring) IS 'text input of ope_bootstrap_state (JSON)';
COMMENT ON FUNCTION ope_bootstrap_state_out(ope_bootstrap_state) IS 'text output of ope_bootstrap_state (JSON, exact digits)';
COMMENT ON FUNCTION ope_bootstrap_state_recv(internal) IS 'binary input of ope_bootstrap_state (validated field by field)';
COMMENT ON FUNCTION ope_bootstrap_state_send(ope_bootstrap_state) IS 'binary output of ope_bootstrap_state';
COMMENT ON TYPE ope_bootstrap_state IS
	'an ope_state of all rows and, per bootstrap replicate, the sums of the rows weighted by Poisson(1) counts hashed from (seed, unit_id, replicate)';

CREATE FUNCTION ope_bootstrap_transition(ope_bootstrap_state, float8, float8, float8, int8)
	RETURNS ope_bootstrap_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_bootstrap_transition(ope_bootstrap_state, float8, float8, float8, int8, int4)
	RETURNS ope_bootstrap_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_bootstrap_transition(ope_bootstrap_state, float8, float8, float8, int8, int4, int8)
	RETURNS ope_bootstrap_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_bootstrap_dr_transition(ope_bootstrap_state, float8, float8, float8, float8, float8, int8)
	RETURNS ope_bootstrap_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_bootstrap_dr_transition(ope_bootstrap_state, float8, float8, float8, float8, float8, int8, int4)
	RETURNS ope_bootstrap_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_bootstrap_dr_transition(ope_bootstrap_state, float8, float8, float8, float8, float8, int8, int4, int8)
	RETURNS ope_bootstrap_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_merge(ope_bootstrap_state, ope_bootstrap_state) RETURNS ope_bootstrap_state
	AS 'MODULE_PATHNAME', 'ope_bootstrap_merge' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ope_bootstrap_transition(ope_bootstrap_state, float8, float8, float8, int8) IS
	'transition function of ope_bootstrap (basic inputs, 200 replicates, seed 0)';
COMMENT ON FUNCTION ope_bootstrap_transition(ope_bootstrap_state, float8, float8, float8, int8, int4) IS
	'transition function of ope_bootstrap (basic inputs, seed 0)';
COMMENT ON FUNCTION ope_bootstrap_transition(ope_bootstrap_state, float8, float8, float8, int8, int4, int8) IS
	'transition function of ope_bootstrap (basic inputs)';
COMMENT ON FUNCTION ope_bootstrap_dr_transition(ope_bootstrap_state, float8, float8, float8, float8, float8, int8) IS
	'transition function of ope_bootstrap (reward-model inputs, 200 replicates, seed 0)';
COMMENT ON FUNCTION ope_bootstrap_dr_transition(ope_bootstrap_state, float8, float8, float8, float8, float8, int8, int4) IS
	'transition function of ope_bootstrap (reward-model inputs, seed 0)';
COMMENT ON FUNCTION ope_bootstrap_dr_transition(ope_bootstrap_state, float8, float8, float8, float8, float8, int8, int4, int8) IS
	'transition function of ope_bootstrap (reward-model inputs)';
COMMENT ON FUNCTION ope_merge(ope_bootstrap_state, ope_bootstrap_state) IS
	'union of two ope_bootstrap_state values (NULL counts as empty); both must have the same inputs, replicates and seed';

-- aggregates take no defaults: the optional replicates and seed are overloads
CREATE AGGREGATE ope_bootstrap(reward float8, propensity float8, target_probability float8,
							   unit_id int8) (
	SFUNC = ope_bootstrap_transition, STYPE = ope_bootstrap_state,
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_bootstrap(reward float8, propensity float8, target_probability float8,
							   unit_id int8, replicates int4) (
	SFUNC = ope_bootstrap_transition, STYPE = ope_bootstrap_state,
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_bootstrap(reward float8, propensity float8, target_probability float8,
							   unit_id int8, replicates int4, seed int8) (
	SFUNC = ope_bootstrap_transition, STYPE = ope_bootstrap_state,
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_bootstrap(reward float8, propensity float8, target_probability float8,
							   q_logged float8, v_target float8, unit_id int8) (
	SFUNC = ope_bootstrap_dr_transition, STYPE = ope_bootstrap_state,
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_bootstrap(reward float8, propensity float8, target_probability float8,
							   q_logged float8, v_target float8, unit_id int8, replicates int4) (
	SFUNC = ope_bootstrap_dr_transition, STYPE = ope_bootstrap_state,
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_bootstrap(reward float8, propensity float8, target_probability float8,
							   q_logged float8, v_target float8, unit_id int8, replicates int4,
							   seed int8) (
	SFUNC = ope_bootstrap_dr_transition, STYPE = ope_bootstrap_state,
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_merge(ope_bootstrap_state) (
	SFUNC = ope_merge, STYPE = ope_bootstrap_state,
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
COMMENT ON AGGREGATE ope_bootstrap(float8, float8, float8, int8) IS
	'clustered Poisson bootstrap of an exploration log in one pass (200 replicates, seed 0); rows of one unit_id share their weights';
COMMENT ON AGGREGATE ope_bootstrap(float8, float8, float8, int8, int4) IS
	'clustered Poisson bootstrap of an exploration log in one pass (seed 0)';
COMMENT ON AGGREGATE ope_bootstrap(float8, float8, float8, int8, int4, int8) IS
	'clustered Poisson bootstrap of an exploration log in one pass';
COMMENT ON AGGREGATE ope_bootstrap(float8, float8, float8, float8, float8, int8) IS
	'clustered Poisson bootstrap with reward-model inputs (200 replicates, seed 0)';
COMMENT ON AGGREGATE ope_bootstrap(float8, float8, float8, float8, float8, int8, int4) IS
	'clustered Poisson bootstrap with reward-model inputs (seed 0)';
COMMENT ON AGGREGATE ope_bootstrap(float8, float8, float8, float8, float8, int8, int4, int8) IS
	'clustered Poisson bootstrap with reward-model inputs';
COMMENT ON AGGREGATE ope_merge(ope_bootstrap_state) IS
	'union of ope_bootstrap_state values, e.g. daily states merged into a date range';

CREATE FUNCTION ope_bootstrap_report(state ope_bootstrap_state, confidence float8 DEFAULT 0.95)
	RETURNS SETOF ope_result
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 6;
COMMENT ON FUNCTION ope_bootstrap_report(ope_bootstrap_state, float8) IS
	'every base estimator of a bootstrap state: the estimate of all rows, the replicates'' standard deviation and their percentile interval';

CREATE FUNCTION ope_bootstrap_weight(seed int8, unit_id int8, replicate int4) RETURNS int4
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_bootstrap_weight(int8, int8, int4) IS
	'the Poisson(1) weight of the rows of unit_id in bootstrap replicate 1..10000 under seed, as ope_bootstrap draws it';

-- comparing two policies on the same log
CREATE TYPE ope_pair_state;
CREATE FUNCTION ope_pair_state_in(cstring) RETURNS ope_pair_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_pair_state_out(ope_pair_state) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_pair_state_recv(internal) RETURNS ope_pair_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_pair_state_send(ope_pair_state) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE ope_pair_state (
	INPUT = ope_pair_state_in,
	OUTPUT = ope_pair_state_out,
	RECEIVE = ope_pair_state_recv,
	SEND = ope_pair_state_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = main
);
COMMENT ON FUNCTION ope_pair_state_in(cstring) IS 'text input of ope_pair_state (JSON)';
COMMENT ON FUNCTION ope_pair_state_out(ope_pair_state) IS 'text output of ope_pair_state (JSON, exact digits)';
COMMENT ON FUNCTION ope_pair_state_recv(internal) IS 'binary input of ope_pair_state (validated field by field)';
COMMENT ON FUNCTION ope_pair_state_send(ope_pair_state) IS 'binary output of ope_pair_state';
COMMENT ON TYPE ope_pair_state IS
	'two target policies evaluated on the same rows: an ope_state for each and the cross sums of their per-row terms';

CREATE FUNCTION ope_compare_transition(ope_pair_state, float8, float8, float8, float8)
	RETURNS ope_pair_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_compare_transition(ope_pair_state, float8, float8, float8, float8, float8, float8, float8)
	RETURNS ope_pair_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_merge(ope_pair_state, ope_pair_state) RETURNS ope_pair_state
	AS 'MODULE_PATHNAME', 'ope_pair_state_merge' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ope_compare_transition(ope_pair_state, float8, float8, float8, float8) IS
	'transition function of ope_compare (basic inputs)';
COMMENT ON FUNCTION ope_compare_transition(ope_pair_state, float8, float8, float8, float8, float8, float8, float8) IS
	'transition function of ope_compare (reward-model inputs)';
COMMENT ON FUNCTION ope_merge(ope_pair_state, ope_pair_state) IS
	'union of two ope_pair_state values (NULL counts as empty); both must have the same inputs';

CREATE AGGREGATE ope_compare(reward float8, propensity float8, target_a float8, target_b float8) (
	SFUNC = ope_compare_transition, STYPE = ope_pair_state,
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_compare(reward float8, propensity float8, target_a float8, target_b float8,
							 q_logged float8, v_a float8, v_b float8) (
	SFUNC = ope_compare_transition, STYPE = ope_pair_state,
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_merge(ope_pair_state) (
	SFUNC = ope_merge, STYPE = ope_pair_state,
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
COMMENT ON AGGREGATE ope_compare(float8, float8, float8, float8) IS
	'two target policies on the same exploration log (ips, snips): b - a with the paired standard error';
COMMENT ON AGGREGATE ope_compare(float8, float8, float8, float8, float8, float8, float8) IS
	'two target policies on the same exploration log with a reward model (ips, snips, dr, sndr)';
COMMENT ON AGGREGATE ope_merge(ope_pair_state) IS
	'union of ope_pair_state values, e.g. daily states merged into a date range';

CREATE FUNCTION ope_compare_report(state ope_pair_state, confidence float8 DEFAULT 0.95)
	RETURNS TABLE (estimator text, value_a float8, value_b float8, difference float8,
				   std_error float8, ci_lower float8, ci_upper float8, p_value float8)
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION ope_compare_report(ope_pair_state, float8) IS
	'per estimator the values of a and b, the difference b - a, its paired standard error, normal interval and two-sided p-value';

CREATE FUNCTION ope_holm(p_values float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_holm(float8[]) IS
	'Holm step-down adjusted p-values, in the order given (k candidates against one production policy)';

-----------------------------------------------------------------------------
-- trusting the log (API.md section 5)
-----------------------------------------------------------------------------

-- a bool reward (a play) wherever a reward is accumulated, as replay_take_fraction has
CREATE FUNCTION ope_accumulate_bool_transition(ope_state, bool, float8, float8)
	RETURNS ope_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_accumulate_bool_transition(ope_state, bool, float8, float8, float8, float8)
	RETURNS ope_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_accumulate_lambdas_bool_transition(ope_state, bool, float8, float8, float8[])
	RETURNS ope_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_accumulate_lambdas_bool_transition(ope_state, bool, float8, float8, float8, float8, float8[])
	RETURNS ope_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bandit_fit_bool_transition(banditmodel, int8, float8[], bool)
	RETURNS banditmodel AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bandit_fit_bool_transition(banditmodel, int8, float8[], bool, float8)
	RETURNS banditmodel AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ope_accumulate_bool_transition(ope_state, bool, float8, float8) IS 'transition function of ope_accumulate with a bool reward';
COMMENT ON FUNCTION ope_accumulate_bool_transition(ope_state, bool, float8, float8, float8, float8) IS 'transition function of ope_accumulate with a bool reward (reward-model inputs)';
COMMENT ON FUNCTION ope_accumulate_lambdas_bool_transition(ope_state, bool, float8, float8, float8[]) IS 'transition function of ope_accumulate with a bool reward and lambdas';
COMMENT ON FUNCTION ope_accumulate_lambdas_bool_transition(ope_state, bool, float8, float8, float8, float8, float8[]) IS 'transition function of ope_accumulate with a bool reward, reward-model inputs and lambdas';
COMMENT ON FUNCTION bandit_fit_bool_transition(banditmodel, int8, float8[], bool) IS 'transition function of bandit_fit with a bool reward: bandit_update with a play (true = 1) as the reward';
COMMENT ON FUNCTION bandit_fit_bool_transition(banditmodel, int8, float8[], bool, float8) IS 'transition function of bandit_fit with a bool reward and a weight: bandit_update with a play (true = 1) as the reward';

CREATE AGGREGATE ope_accumulate(reward bool, propensity float8, target_probability float8) (
	SFUNC = ope_accumulate_bool_transition, STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_accumulate(reward bool, propensity float8, target_probability float8,
								q_logged float8, v_target float8) (
	SFUNC = ope_accumulate_bool_transition, STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"dr","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_accumulate(reward bool, propensity float8, target_probability float8,
								lambdas float8[]) (
	SFUNC = ope_accumulate_lambdas_bool_transition, STYPE = ope_state,
	INITCOND = '{"version":2,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{},"tracked":true,"binary_reward":true,"deterministic_target":true,"ranges":{}}',
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ope_accumulate(reward bool, propensity float8, target_probability float8,
								q_logged float8, v_target float8, lambdas float8[]) (
	SFUNC = ope_accumulate_lambdas_bool_transition, STYPE = ope_state,
	INITCOND = '{"version":2,"kind":"dr","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{},"tracked":true,"binary_reward":true,"deterministic_target":true,"ranges":{}}',
	COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE ips_estimate(reward bool, propensity float8, target_probability float8) (
	SFUNC = ope_accumulate_bool_transition, STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_ips_final, COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE snips_estimate(reward bool, propensity float8, target_probability float8) (
	SFUNC = ope_accumulate_bool_transition, STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_snips_final, COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE dr_estimate(reward bool, propensity float8, target_probability float8,
							 q_logged float8, v_target float8) (
	SFUNC = ope_accumulate_bool_transition, STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"dr","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_dr_final, COMBINEFUNC = ope_merge, PARALLEL = SAFE);
CREATE AGGREGATE sndr_estimate(reward bool, propensity float8, target_probability float8,
							   q_logged float8, v_target float8) (
	SFUNC = ope_accumulate_bool_transition, STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"dr","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_sndr_final, COMBINEFUNC = ope_merge, PARALLEL = SAFE);
-- (a banditmodel state: see "bandit_fit and bandit_merge ship their state" below)
CREATE AGGREGATE bandit_fit(action int8, context float8[], reward bool) (
	SFUNC = bandit_fit_bool_transition, STYPE = banditmodel, SSPACE = 8192,
	COMBINEFUNC = bandit_merge, PARALLEL = SAFE);
CREATE AGGREGATE bandit_fit(action int8, context float8[], reward bool, weight float8) (
	SFUNC = bandit_fit_bool_transition, STYPE = banditmodel, SSPACE = 8192,
	COMBINEFUNC = bandit_merge, PARALLEL = SAFE);
COMMENT ON AGGREGATE ope_accumulate(bool, float8, float8) IS 'ope_accumulate with a play (true = 1) as the reward';
COMMENT ON AGGREGATE ope_accumulate(bool, float8, float8, float8, float8) IS 'ope_accumulate with a play (true = 1) as the reward, reward-model inputs';
COMMENT ON AGGREGATE ope_accumulate(bool, float8, float8, float8[]) IS 'ope_accumulate with a play (true = 1) as the reward, lambdas';
COMMENT ON AGGREGATE ope_accumulate(bool, float8, float8, float8, float8, float8[]) IS 'ope_accumulate with a play (true = 1) as the reward, reward-model inputs and lambdas';
COMMENT ON AGGREGATE ips_estimate(bool, float8, float8) IS 'ips_estimate with a play (true = 1) as the reward';
COMMENT ON AGGREGATE snips_estimate(bool, float8, float8) IS 'snips_estimate with a play (true = 1) as the reward';
COMMENT ON AGGREGATE dr_estimate(bool, float8, float8, float8, float8) IS 'dr_estimate with a play (true = 1) as the reward';
COMMENT ON AGGREGATE sndr_estimate(bool, float8, float8, float8, float8) IS 'sndr_estimate with a play (true = 1) as the reward';
COMMENT ON AGGREGATE bandit_fit(int8, float8[], bool) IS 'bandit_fit with a play (true = 1) as the reward';
COMMENT ON AGGREGATE bandit_fit(int8, float8[], bool, float8) IS 'bandit_fit with a play (true = 1) as the reward, weighted';

-- Alarms where people look: ope_diagnostics and ope_rollup_report gain
-- columns, so they are dropped and created again.  A view of the user's on
-- them makes the DROP, and so the update, fail with PostgreSQL's error naming
-- the view (README "Upgrading": drop it, update, create it again).  No DO
-- block checks first: the install scripts run no code of their own
-- (test/t/120_install_script_review.pl).
DROP FUNCTION ope_diagnostics(ope_state);
CREATE FUNCTION ope_diagnostics(state ope_state,
	OUT n bigint, OUT n_skipped bigint, OUT n_matched bigint, OUT match_rate float8,
	OUT ess float8, OUT max_weight float8, OUT mean_weight float8, OUT min_propensity float8,
	OUT warnings text[])
	RETURNS record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_diagnostics(ope_state) IS
	'row counts, match rate, effective sample size, weight extremes and warnings (mean weight off 1, few matched rows, heavy weights, small ESS) of a state';

DROP FUNCTION ope_rollup_report(regclass, date, date, text[], text, float8, boolean);
CREATE FUNCTION ope_rollup_report(
	results regclass, from_day date, to_day date,
	policies text[] DEFAULT NULL,
	segment_by text DEFAULT '',
	confidence float8 DEFAULT 0.95,
	by_day boolean DEFAULT false)
	RETURNS TABLE (day date, policy text, segment text, estimator text, estimate float8,
				   std_error float8, ci_lower float8, ci_upper float8, n bigint, ess float8,
				   match_rate float8, days integer, n_matched bigint, mean_weight float8,
				   max_weight float8, warnings text[], provisional boolean)
	AS 'MODULE_PATHNAME', 'ope_rollup_report'
	LANGUAGE C STABLE
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ope_rollup_report(regclass, date, date, text[], text, float8, boolean) IS
	'estimates over a range of days from stored daily states, as plain columns: one row per policy, segment (and day) and estimator, with the diagnostics and warnings of the merged state';

-- bandit_fit and bandit_merge ship their state: 1.0 gave them an internal
-- state with serialize/deserialize functions, which parallel query can use
-- but a distributed planner (Citus) cannot: it pushes an aggregate down to
-- the nodes holding the rows only when its state is a type it can print and
-- read back, and otherwise ships every row to one node.  From 1.2 the state
-- is a banditmodel: bandit_update is the transition function (a new model
-- per call as a function; inside an aggregate it updates a read-write
-- expanded model in place, so no row copies it) and bandit_merge the
-- combine function.  A partial state is a banditmodel whose text and binary
-- forms are those of 1.0.  SSPACE is the planner's estimate of an internal
-- state (8 kB), so grouped plans are chosen as before.  The aggregates
-- cannot change their state type in place: they are dropped and created
-- again, and, as for ope_diagnostics above, a view of the user's on one makes
-- the update fail with PostgreSQL's error naming the view (README
-- "Upgrading").  The 1.0 support functions go with them; their C functions
-- stay in the library for a 1.0 or 1.1 database not yet updated.
DROP AGGREGATE bandit_fit(int8, float8[], float8);
DROP AGGREGATE bandit_fit(int8, float8[], float8, float8);
DROP AGGREGATE bandit_merge(banditmodel);
DROP FUNCTION bandit_fit_transition(internal, int8, float8[], float8);
DROP FUNCTION bandit_fit_transition(internal, int8, float8[], float8, float8);
DROP FUNCTION bandit_merge_transition(internal, banditmodel);
DROP FUNCTION bandit_fit_combine(internal, internal);
DROP FUNCTION bandit_fit_serialize(internal);
DROP FUNCTION bandit_fit_deserialize(bytea, internal);
DROP FUNCTION bandit_fit_final(internal);
CREATE AGGREGATE bandit_fit(action int8, context float8[], reward float8) (
	SFUNC = bandit_update, STYPE = banditmodel, SSPACE = 8192,
	COMBINEFUNC = bandit_merge, PARALLEL = SAFE);
CREATE AGGREGATE bandit_fit(action int8, context float8[], reward float8, weight float8) (
	SFUNC = bandit_update, STYPE = banditmodel, SSPACE = 8192,
	COMBINEFUNC = bandit_merge, PARALLEL = SAFE);
CREATE AGGREGATE bandit_merge(banditmodel) (
	SFUNC = bandit_merge, STYPE = banditmodel, SSPACE = 8192,
	COMBINEFUNC = bandit_merge, PARALLEL = SAFE);
COMMENT ON AGGREGATE bandit_fit(int8, float8[], float8) IS
	'banditmodel of rows (action, context, reward): per-arm ridge sufficient statistics; NULL rows skipped';
COMMENT ON AGGREGATE bandit_fit(int8, float8[], float8, float8) IS
	'weighted banditmodel of rows (action, context, reward, weight >= 0)';
COMMENT ON AGGREGATE bandit_merge(banditmodel) IS
	'union of banditmodel values of one dimension';
COMMENT ON FUNCTION bandit_merge(banditmodel, banditmodel) IS
	'union of two models (NULL counts as empty); the combine function of bandit_fit and bandit_merge';
COMMENT ON FUNCTION bandit_update(banditmodel, int8, float8[], float8) IS
	'the model with one more row (a NULL model starts a new one); the transition function of bandit_fit';
COMMENT ON FUNCTION bandit_update(banditmodel, int8, float8[], float8, float8) IS
	'the model with one more weighted row (a NULL model starts a new one); the transition function of weighted bandit_fit';

-- every property OPE relies on, checked in one scan of the log
CREATE FUNCTION ope_validate_log(
	log regclass, action_column name, propensity_column name,
	candidates_column name DEFAULT NULL,
	id_column name DEFAULT NULL,
	reward_column name DEFAULT NULL,
	probabilities_column name DEFAULT NULL)
	RETURNS TABLE ("check" text, status text, n_rows bigint, example text, detail text)
	AS 'MODULE_PATHNAME', 'ope_validate_log'
	LANGUAGE C STABLE
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ope_validate_log(regclass, name, name, name, name, name, name) IS
	'checks a log table in one scan: propensities present and in (0, 1], shown images among the candidates, unique ids, logged pmfs, rewards, images never shown, the mean weight of a uniform target; one row per check with status ok/warning/error, a count and an example row';

-- each logged propensity recomputed from the model, context, candidates and policy
CREATE FUNCTION bandit_audit_propensities(
	log regclass, model banditmodel, policy text,
	action_column name DEFAULT 'image_id',
	context_column name DEFAULT 'context',
	candidates_column name DEFAULT 'candidates',
	propensity_column name DEFAULT 'propensity',
	seed_column name DEFAULT NULL)
	RETURNS TABLE (rows_compared bigint, rows_skipped bigint, mismatches bigint, max_difference float8,
				   example text, unseen_candidates bigint, rows_all_unseen bigint,
				   choices_compared bigint, choice_mismatches bigint, choice_example text)
	AS 'MODULE_PATHNAME', 'bandit_audit_propensities'
	LANGUAGE C STABLE
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION bandit_audit_propensities(regclass, banditmodel, text, name, name, name, name, name) IS
	'recomputes each logged propensity from model, context, candidates and policy (and, with a seed column, the chosen image); reports mismatches (|difference| > 1e-12), the largest difference, an example, and candidates the model has never seen';

-- a wrong join made visible: candidates a model has never seen
CREATE FUNCTION bandit_unseen_candidates(model banditmodel, candidates int8[]) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bandit_unseen_candidates(banditmodel, int8[]) IS
	'how many of the candidates the model has no arm for (scored with the prior): all of them means the wrong model, e.g. another show''s';

-- delayed rewards: a day whose rewards are not all in is provisional
DROP FUNCTION ope_rollup_day(regclass, regclass, regclass, date, text[], name, name, name, name, name, name, name);
CREATE FUNCTION ope_rollup_day(
	log regclass, results regclass, targets regclass, day date,
	policies text[] DEFAULT NULL,
	segment_column name DEFAULT NULL,
	day_column name DEFAULT 'day',
	action_column name DEFAULT 'image_id',
	context_column name DEFAULT 'context',
	candidates_column name DEFAULT 'candidates',
	reward_column name DEFAULT 'played',
	propensity_column name DEFAULT 'propensity',
	reward_window interval DEFAULT NULL)
	RETURNS integer
	AS 'MODULE_PATHNAME', 'ope_rollup_day'
	LANGUAGE C VOLATILE
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ope_rollup_day(regclass, regclass, regclass, date, text[], name, name, name, name, name, name, name, interval) IS
	'(re)compute one day''s ope_state per target policy (and segment) from the log into the results table; returns the states written (q and v from the reward model at reward_ridge); with reward_window, states computed before the day''s rewards are all in are provisional';

-- progress on long work: a backfill of many days, a NOTICE per day
CREATE FUNCTION ope_rollup_range(
	log regclass, results regclass, targets regclass, from_day date, to_day date,
	policies text[] DEFAULT NULL,
	segment_column name DEFAULT NULL,
	day_column name DEFAULT 'day',
	action_column name DEFAULT 'image_id',
	context_column name DEFAULT 'context',
	candidates_column name DEFAULT 'candidates',
	reward_column name DEFAULT 'played',
	propensity_column name DEFAULT 'propensity',
	reward_window interval DEFAULT NULL)
	RETURNS integer
	AS 'MODULE_PATHNAME', 'ope_rollup_range'
	LANGUAGE C VOLATILE
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ope_rollup_range(regclass, regclass, regclass, date, date, text[], name, name, name, name, name, name, name, interval) IS
	'ope_rollup_day for every day from from_day to to_day in order, in one transaction, with a NOTICE per day (rows read, states written); returns the states written';

-----------------------------------------------------------------------------
-- clients and BI tools: jsonb of the state types, documented composites
-----------------------------------------------------------------------------

-- The text form of each state type is JSON; the cast gives it as jsonb, so
-- clients that parse jsonb (psycopg2, node-postgres) receive an object and
-- SQL reads fields with -> and ->>.  Explicit casts only: a state never
-- turns into jsonb by itself (in an assignment or a jsonb function call).
CREATE FUNCTION ope_state_to_jsonb(ope_state) RETURNS pg_catalog.jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION banditmodel_to_jsonb(banditmodel) RETURNS pg_catalog.jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_bootstrap_state_to_jsonb(ope_bootstrap_state) RETURNS pg_catalog.jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_pair_state_to_jsonb(ope_pair_state) RETURNS pg_catalog.jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_state_to_jsonb(ope_state) IS
	'the cast ope_state::jsonb: the JSON text form as jsonb (numbers exact)';
COMMENT ON FUNCTION banditmodel_to_jsonb(banditmodel) IS
	'the cast banditmodel::jsonb: the JSON text form as jsonb (numbers exact)';
COMMENT ON FUNCTION ope_bootstrap_state_to_jsonb(ope_bootstrap_state) IS
	'the cast ope_bootstrap_state::jsonb: the JSON text form as jsonb (numbers exact)';
COMMENT ON FUNCTION ope_pair_state_to_jsonb(ope_pair_state) IS
	'the cast ope_pair_state::jsonb: the JSON text form as jsonb (numbers exact)';

CREATE CAST (ope_state AS pg_catalog.jsonb) WITH FUNCTION ope_state_to_jsonb(ope_state);
CREATE CAST (banditmodel AS pg_catalog.jsonb) WITH FUNCTION banditmodel_to_jsonb(banditmodel);
CREATE CAST (ope_bootstrap_state AS pg_catalog.jsonb)
	WITH FUNCTION ope_bootstrap_state_to_jsonb(ope_bootstrap_state);
CREATE CAST (ope_pair_state AS pg_catalog.jsonb) WITH FUNCTION ope_pair_state_to_jsonb(ope_pair_state);
COMMENT ON CAST (ope_state AS pg_catalog.jsonb) IS 'the JSON text form of the state as jsonb';
COMMENT ON CAST (banditmodel AS pg_catalog.jsonb) IS 'the JSON text form of the model as jsonb';
COMMENT ON CAST (ope_bootstrap_state AS pg_catalog.jsonb) IS 'the JSON text form of the state as jsonb';
COMMENT ON CAST (ope_pair_state AS pg_catalog.jsonb) IS 'the JSON text form of the state as jsonb';

-- BI tools show column comments beside the columns (regress jsonb_casts
-- requires one on every column of every composite type of the extension)
COMMENT ON COLUMN ope_result.estimator IS
	'estimator name: replay, ips, snips, dm, dr, sndr, or a lambda estimator (ipw_clip, dr_clip, switch_dr, dr_os)';
COMMENT ON COLUMN ope_result.estimate IS
	'estimated value of the target policy (mean reward per impression); NULL where undefined';
COMMENT ON COLUMN ope_result.std_error IS
	'standard error of the estimate (delta method for the ratio estimators; replicates'' standard deviation in ope_bootstrap_report)';
COMMENT ON COLUMN ope_result.ci_lower IS
	'lower end of the confidence interval at the report''s confidence and method; NULL when there is none';
COMMENT ON COLUMN ope_result.ci_upper IS
	'upper end of the confidence interval at the report''s confidence and method; NULL when there is none';
COMMENT ON COLUMN ope_result.lambda IS
	'the lambda of a lambda estimator row (Infinity allowed); NULL for the base estimators';
COMMENT ON COLUMN ope_tune_result.estimator IS
	'the lambda estimator tuned: ipw_clip, dr_clip, switch_dr or dr_os';
COMMENT ON COLUMN ope_tune_result.lambda IS
	'the lambda chosen among the state''s lambdas; NULL when none could be chosen';
COMMENT ON COLUMN ope_tune_result.estimate IS
	'the estimator''s value at the chosen lambda';
COMMENT ON COLUMN ope_tune_result.std_error IS
	'standard error of that estimate';
COMMENT ON COLUMN ope_tune_result.ci_lower IS
	'lower end of the normal confidence interval at the requested confidence';
COMMENT ON COLUMN ope_tune_result.ci_upper IS
	'upper end of the normal confidence interval at the requested confidence';
COMMENT ON COLUMN ope_tune_result.reason IS
	'why this lambda was chosen (or why none could be)';

-- The backend's cache of prepared models (src/model_cache.c): what it holds,
-- and emptying it.  Each backend (and parallel worker) has its own cache, so
-- both are PARALLEL RESTRICTED.
CREATE FUNCTION bandit_model_cache(
	OUT entries int8, OUT bytes int8, OUT budget int8, OUT hits int8, OUT misses int8,
	OUT evictions int8, OUT oid_wraparounds int8)
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
CREATE FUNCTION bandit_model_cache_reset() RETURNS void
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION bandit_model_cache() IS
	'this backend''s cache of prepared models: entries, bytes held, budget (artbandit.model_cache_size), hits, misses, evictions and OID wraparounds seen';
COMMENT ON FUNCTION bandit_model_cache_reset() IS
	'empty this backend''s cache of prepared models and zero its counters';

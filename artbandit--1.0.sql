/* artbandit 1.0 — contextual bandits and off-policy evaluation in SQL */

\echo Use "CREATE EXTENSION artbandit" to load this file. \quit

-----------------------------------------------------------------------------
-- ope_state: a mergeable accumulator of everything the estimators need
-----------------------------------------------------------------------------

CREATE TYPE ope_state;

CREATE FUNCTION ope_state_in(cstring) RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_state_out(ope_state) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_state_recv(internal) RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_state_send(ope_state) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE ope_state (
	INPUT = ope_state_in,
	OUTPUT = ope_state_out,
	RECEIVE = ope_state_recv,
	SEND = ope_state_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = main
);

COMMENT ON FUNCTION ope_state_in(cstring) IS 'text input of ope_state (JSON)';
COMMENT ON FUNCTION ope_state_out(ope_state) IS 'text output of ope_state (JSON, exact digits)';
COMMENT ON FUNCTION ope_state_recv(internal) IS 'binary input of ope_state (validated field by field)';
COMMENT ON FUNCTION ope_state_send(ope_state) IS 'binary output of ope_state';

COMMENT ON TYPE ope_state IS
	'mergeable off-policy evaluation accumulator: compensated sums for replay, IPS, SNIPS, DM, DR and SNDR';

CREATE TYPE ope_result AS (
	estimator text,
	estimate float8,
	std_error float8,
	ci_lower float8,
	ci_upper float8
);

COMMENT ON TYPE ope_result IS
	'one estimator of an ope_report: estimate, standard error and normal confidence interval';

-----------------------------------------------------------------------------
-- support functions of the aggregates
-----------------------------------------------------------------------------

CREATE FUNCTION ope_accumulate_transition(ope_state, float8, float8, float8)
	RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_accumulate_transition(ope_state, float8, float8, float8, float8, float8)
	RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION replay_played_transition(ope_state, int8, int8, bool)
	RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION replay_played_transition(ope_state, int8, int8, bool, float8)
	RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION replay_reward_transition(ope_state, int8, int8, float8)
	RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION replay_reward_transition(ope_state, int8, int8, float8, float8)
	RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION ope_replay_final(ope_state) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_ips_final(ope_state) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_snips_final(ope_state) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_dr_final(ope_state) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ope_sndr_final(ope_state) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION ope_accumulate_transition(ope_state, float8, float8, float8) IS
	'transition function of ope_accumulate (3 inputs) and of ips_estimate, snips_estimate';
COMMENT ON FUNCTION ope_accumulate_transition(ope_state, float8, float8, float8, float8, float8) IS
	'transition function of ope_accumulate (5 inputs) and of dr_estimate, sndr_estimate';
COMMENT ON FUNCTION replay_played_transition(ope_state, int8, int8, bool) IS
	'transition function of replay_take_fraction(logged, target, played)';
COMMENT ON FUNCTION replay_played_transition(ope_state, int8, int8, bool, float8) IS
	'transition function of replay_take_fraction(logged, target, played, propensity)';
COMMENT ON FUNCTION replay_reward_transition(ope_state, int8, int8, float8) IS
	'transition function of replay_take_fraction(logged, target, reward)';
COMMENT ON FUNCTION replay_reward_transition(ope_state, int8, int8, float8, float8) IS
	'transition function of replay_take_fraction(logged, target, reward, propensity)';
COMMENT ON FUNCTION ope_replay_final(ope_state) IS 'replay estimate sum(pi r)/sum(pi) of a state';
COMMENT ON FUNCTION ope_ips_final(ope_state) IS 'IPS estimate sum(w r)/n of a state';
COMMENT ON FUNCTION ope_snips_final(ope_state) IS 'self-normalised IPS estimate sum(w r)/sum(w) of a state';
COMMENT ON FUNCTION ope_dr_final(ope_state) IS 'doubly robust estimate of a state';
COMMENT ON FUNCTION ope_sndr_final(ope_state) IS 'self-normalised doubly robust estimate of a state';

-----------------------------------------------------------------------------
-- merging states
-----------------------------------------------------------------------------

CREATE FUNCTION ope_merge(ope_state, ope_state) RETURNS ope_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION ope_merge(ope_state, ope_state) IS
	'union of two ope_state values (NULL counts as empty); both must have the same inputs';

CREATE AGGREGATE ope_merge(ope_state) (
	SFUNC = ope_merge,
	STYPE = ope_state,
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE ope_merge(ope_state) IS
	'union of ope_state values, e.g. daily states merged into a date range';

-----------------------------------------------------------------------------
-- accumulating and estimating
-----------------------------------------------------------------------------

CREATE AGGREGATE ope_accumulate(reward float8, propensity float8, target_probability float8) (
	SFUNC = ope_accumulate_transition,
	STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

CREATE AGGREGATE ope_accumulate(reward float8, propensity float8, target_probability float8,
								q_logged float8, v_target float8) (
	SFUNC = ope_accumulate_transition,
	STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"dr","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE ope_accumulate(float8, float8, float8) IS
	'ope_state of an exploration log (replay, ips, snips)';
COMMENT ON AGGREGATE ope_accumulate(float8, float8, float8, float8, float8) IS
	'ope_state of an exploration log with reward-model inputs (replay, ips, snips, dm, dr, sndr)';

CREATE AGGREGATE ips_estimate(reward float8, propensity float8, target_probability float8) (
	SFUNC = ope_accumulate_transition,
	STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_ips_final,
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

CREATE AGGREGATE snips_estimate(reward float8, propensity float8, target_probability float8) (
	SFUNC = ope_accumulate_transition,
	STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_snips_final,
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

CREATE AGGREGATE dr_estimate(reward float8, propensity float8, target_probability float8,
							 q_logged float8, v_target float8) (
	SFUNC = ope_accumulate_transition,
	STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"dr","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_dr_final,
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

CREATE AGGREGATE sndr_estimate(reward float8, propensity float8, target_probability float8,
							   q_logged float8, v_target float8) (
	SFUNC = ope_accumulate_transition,
	STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"dr","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_sndr_final,
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE ips_estimate(float8, float8, float8) IS
	'inverse propensity scoring estimate sum(w r)/n, w = target_probability/propensity';
COMMENT ON AGGREGATE snips_estimate(float8, float8, float8) IS
	'self-normalised IPS estimate sum(w r)/sum(w)';
COMMENT ON AGGREGATE dr_estimate(float8, float8, float8, float8, float8) IS
	'doubly robust estimate sum(v + w (r - q))/n';
COMMENT ON AGGREGATE sndr_estimate(float8, float8, float8, float8, float8) IS
	'self-normalised doubly robust estimate sum(v)/n + sum(w (r - q))/sum(w)';

CREATE AGGREGATE replay_take_fraction(logged_action int8, target_action int8, played bool) (
	SFUNC = replay_played_transition,
	STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_replay_final,
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

CREATE AGGREGATE replay_take_fraction(logged_action int8, target_action int8, played bool,
									  propensity float8) (
	SFUNC = replay_played_transition,
	STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_snips_final,
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

CREATE AGGREGATE replay_take_fraction(logged_action int8, target_action int8, reward float8) (
	SFUNC = replay_reward_transition,
	STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_replay_final,
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

CREATE AGGREGATE replay_take_fraction(logged_action int8, target_action int8, reward float8,
									  propensity float8) (
	SFUNC = replay_reward_transition,
	STYPE = ope_state,
	INITCOND = '{"version":1,"kind":"basic","n":0,"n_skipped":0,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}',
	FINALFUNC = ope_snips_final,
	COMBINEFUNC = ope_merge,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE replay_take_fraction(int8, int8, bool) IS
	'replay take fraction: avg(played) over rows where logged_action = target_action';
COMMENT ON AGGREGATE replay_take_fraction(int8, int8, bool, float8) IS
	'propensity-weighted replay take fraction: sum(played/mu)/sum(1/mu) over matching rows';
COMMENT ON AGGREGATE replay_take_fraction(int8, int8, float8) IS
	'replay mean reward: avg(reward) over rows where logged_action = target_action';
COMMENT ON AGGREGATE replay_take_fraction(int8, int8, float8, float8) IS
	'propensity-weighted replay mean reward: sum(r/mu)/sum(1/mu) over matching rows';

-----------------------------------------------------------------------------
-- reading a state
-----------------------------------------------------------------------------

CREATE FUNCTION ope_report(state ope_state, confidence float8 DEFAULT 0.95)
	RETURNS SETOF ope_result
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 6;

COMMENT ON FUNCTION ope_report(ope_state, float8) IS
	'every estimator available in the state (replay, ips, snips[, dm, dr, sndr]) with standard error and normal interval';

CREATE FUNCTION ope_estimate(state ope_state, estimator text) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION ope_estimate(ope_state, text) IS
	'one estimate (replay, ips, snips, dm, dr or sndr) of a state; NULL where undefined';

CREATE FUNCTION ope_diagnostics(state ope_state,
	OUT n bigint, OUT n_skipped bigint, OUT n_matched bigint, OUT match_rate float8,
	OUT ess float8, OUT max_weight float8, OUT mean_weight float8, OUT min_propensity float8)
	RETURNS record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION ope_diagnostics(ope_state) IS
	'row counts, match rate, effective sample size and weight extremes of a state';

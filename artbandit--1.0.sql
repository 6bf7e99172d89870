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

-----------------------------------------------------------------------------
-- banditmodel: per-arm weighted ridge sufficient statistics
-----------------------------------------------------------------------------

CREATE TYPE banditmodel;

CREATE FUNCTION banditmodel_in(cstring) RETURNS banditmodel
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION banditmodel_out(banditmodel) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION banditmodel_recv(internal) RETURNS banditmodel
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION banditmodel_send(banditmodel) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE banditmodel (
	INPUT = banditmodel_in,
	OUTPUT = banditmodel_out,
	RECEIVE = banditmodel_recv,
	SEND = banditmodel_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);

COMMENT ON FUNCTION banditmodel_in(cstring) IS 'text input of banditmodel (JSON)';
COMMENT ON FUNCTION banditmodel_out(banditmodel) IS 'text output of banditmodel (JSON, exact digits)';
COMMENT ON FUNCTION banditmodel_recv(internal) IS 'binary input of banditmodel (validated field by field)';
COMMENT ON FUNCTION banditmodel_send(banditmodel) IS 'binary output of banditmodel';
COMMENT ON TYPE banditmodel IS
	'contextual bandit model: per arm, weighted ridge sufficient statistics (n, sum w, A = sum w x x^T, b = sum w r x, sum w r, sum w r^2)';

-- fitting and merging

CREATE FUNCTION bandit_fit_transition(internal, int8, float8[], float8)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bandit_fit_transition(internal, int8, float8[], float8, float8)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bandit_merge_transition(internal, banditmodel)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bandit_fit_combine(internal, internal)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bandit_fit_serialize(internal)
	RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bandit_fit_deserialize(bytea, internal)
	RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bandit_fit_final(internal)
	RETURNS banditmodel AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION bandit_fit_transition(internal, int8, float8[], float8) IS 'transition function of bandit_fit';
COMMENT ON FUNCTION bandit_fit_transition(internal, int8, float8[], float8, float8) IS 'transition function of weighted bandit_fit';
COMMENT ON FUNCTION bandit_merge_transition(internal, banditmodel) IS 'transition function of the bandit_merge aggregate';
COMMENT ON FUNCTION bandit_fit_combine(internal, internal) IS 'combine function of bandit_fit and bandit_merge';
COMMENT ON FUNCTION bandit_fit_serialize(internal) IS 'serialize function of bandit_fit and bandit_merge (binary banditmodel)';
COMMENT ON FUNCTION bandit_fit_deserialize(bytea, internal) IS 'deserialize function of bandit_fit and bandit_merge';
COMMENT ON FUNCTION bandit_fit_final(internal) IS 'final function of bandit_fit and bandit_merge';

CREATE AGGREGATE bandit_fit(action int8, context float8[], reward float8) (
	SFUNC = bandit_fit_transition,
	STYPE = internal,
	FINALFUNC = bandit_fit_final,
	COMBINEFUNC = bandit_fit_combine,
	SERIALFUNC = bandit_fit_serialize,
	DESERIALFUNC = bandit_fit_deserialize,
	PARALLEL = SAFE
);

CREATE AGGREGATE bandit_fit(action int8, context float8[], reward float8, weight float8) (
	SFUNC = bandit_fit_transition,
	STYPE = internal,
	FINALFUNC = bandit_fit_final,
	COMBINEFUNC = bandit_fit_combine,
	SERIALFUNC = bandit_fit_serialize,
	DESERIALFUNC = bandit_fit_deserialize,
	PARALLEL = SAFE
);

CREATE AGGREGATE bandit_merge(banditmodel) (
	SFUNC = bandit_merge_transition,
	STYPE = internal,
	FINALFUNC = bandit_fit_final,
	COMBINEFUNC = bandit_fit_combine,
	SERIALFUNC = bandit_fit_serialize,
	DESERIALFUNC = bandit_fit_deserialize,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE bandit_fit(int8, float8[], float8) IS
	'banditmodel of rows (action, context, reward): per-arm ridge sufficient statistics; NULL rows skipped';
COMMENT ON AGGREGATE bandit_fit(int8, float8[], float8, float8) IS
	'weighted banditmodel of rows (action, context, reward, weight >= 0)';
COMMENT ON AGGREGATE bandit_merge(banditmodel) IS
	'union of banditmodel values of one dimension';

CREATE FUNCTION bandit_merge(banditmodel, banditmodel) RETURNS banditmodel
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_merge(banditmodel, banditmodel) IS
	'union of two models (NULL counts as empty)';

CREATE FUNCTION bandit_update(model banditmodel, action int8, context float8[], reward float8)
	RETURNS banditmodel AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bandit_update(model banditmodel, action int8, context float8[], reward float8,
							  weight float8)
	RETURNS banditmodel AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_update(banditmodel, int8, float8[], float8) IS
	'the model with one more row (a NULL model starts a new one)';
COMMENT ON FUNCTION bandit_update(banditmodel, int8, float8[], float8, float8) IS
	'the model with one more weighted row (a NULL model starts a new one)';

CREATE FUNCTION bandit_arms(model banditmodel,
	OUT action int8, OUT n int8, OUT weight float8, OUT mean_reward float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bandit_arms(banditmodel) IS
	'one row per arm: action, rows, total weight and weighted mean reward';

-- scoring and acting

CREATE FUNCTION bandit_predict(model banditmodel, context float8[], action int8,
							   ridge float8 DEFAULT 1.0)
	RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bandit_predict(banditmodel, float8[], int8, float8) IS
	'ridge prediction theta_a^T x, theta_a = (ridge I + A_a)^-1 b_a (0 for an unseen action)';

CREATE FUNCTION bandit_scores(model banditmodel, context float8[],
							  candidates int8[] DEFAULT NULL, policy text DEFAULT 'greedy')
	RETURNS float8[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_scores(banditmodel, float8[], int8[], text) IS
	'what the policy maximises per candidate: predicted means, or upper confidence bounds for linucb';

CREATE FUNCTION bandit_probabilities(model banditmodel, context float8[],
									 candidates int8[] DEFAULT NULL, policy text DEFAULT 'greedy')
	RETURNS float8[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_probabilities(banditmodel, float8[], int8[], text) IS
	'exact probability of each candidate under the policy (summing to 1)';

CREATE FUNCTION bandit_probability(model banditmodel, context float8[], candidates int8[],
								   action int8, policy text DEFAULT 'greedy')
	RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_probability(banditmodel, float8[], int8[], int8, text) IS
	'exact probability that the policy picks action among the candidates (0 if it is not one)';

CREATE FUNCTION bandit_choose(model banditmodel, context float8[],
							  candidates int8[] DEFAULT NULL, policy text DEFAULT 'greedy',
							  seed int8 DEFAULT NULL)
	RETURNS int8 AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_choose(banditmodel, float8[], int8[], text, int8) IS
	'an action drawn from the policy (a pure function of the arguments when seed is given)';

CREATE FUNCTION bandit_act(model banditmodel, context float8[],
						   candidates int8[] DEFAULT NULL, policy text DEFAULT 'greedy',
						   seed int8 DEFAULT NULL,
						   OUT action int8, OUT probability float8)
	RETURNS record AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_act(banditmodel, float8[], int8[], text, int8) IS
	'an action drawn from the policy and its exact probability: what to show and the propensity to log';

CREATE FUNCTION bandit_value(model banditmodel, context float8[], candidates int8[],
							 policy text, reward_model banditmodel DEFAULT NULL)
	RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_value(banditmodel, float8[], int8[], text, banditmodel) IS
	'sum over candidates of pi(a|x) q(x,a), q from reward_model (default: model): the v_target of DR';

-----------------------------------------------------------------------------
-- features: signed feature hashing of categorical tokens
-----------------------------------------------------------------------------

CREATE FUNCTION feature_hash(tokens text[], dim int4) RETURNS float8[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION feature_hash(text[], int4) IS
	'signed feature hashing into float8[dim] as scikit-learn''s FeatureHasher(alternate_sign=True): each token adds sign(h) at |h| mod dim, h = MurmurHash3_x86_32 (seed 0) of its bytes as a signed int32';

-----------------------------------------------------------------------------
-- simulation: a synthetic artwork exploration log with ground truth
-----------------------------------------------------------------------------

CREATE FUNCTION simulate_impressions(n int8, shows int4, images_per_show int4, dim int4, seed int8,
									 logging_policy text DEFAULT 'uniform',
									 logging_model banditmodel DEFAULT NULL)
	RETURNS TABLE (impression_id int8, user_id int8, show_id int4, day int4, context float8[],
				   candidates int8[], image_id int8, propensity float8, played bool,
				   minutes float8, play_probabilities float8[], hour int4)
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 1000;

COMMENT ON FUNCTION simulate_impressions(int8, int4, int4, int4, int8, text, banditmodel) IS
	'synthetic artwork impressions (deterministic in seed): context, candidate images, the logging policy''s choice and propensity, play and minutes, and the true play probability of every candidate';

CREATE FUNCTION policy_value(probabilities float8[], "values" float8[]) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION policy_value(float8[], float8[]) IS
	'sum of probabilities[i] * values[i] for aligned arrays (probabilities summing to 1): a policy''s value, e.g. v_target from bandit_probabilities and bandit_scores, or the truth from play_probabilities';

/*
 * bandit_score_act.c — scoring and acting: bandit_predict, bandit_scores,
 * bandit_probabilities, bandit_probability, bandit_rank,
 * bandit_unseen_candidates, bandit_choose, bandit_act, bandit_value and
 * policy_value.  Models and policies come from the per-call-site cache
 * (call_site_cache.c); the mathematics is in core/policy.c.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"

#include "bandit_model_pg.h"
#include "call_site_cache.h"
#include "model_cache.h"
#include "float_text.h"
#include "pg_arrays.h"
#include "pg_glue.h"
#include "rng.h"

/* A scored context: what every function below starts from. */
typedef struct Evaluation
{
	CachedModel cm;
	const Policy *policy;
	const double *x;
	const int64 *cands;
	int			k;
	double	   *scores;
	double	   *probs;
} Evaluation;

/*
 * The context scored against model m.  No length limit is applied before the
 * dimension check: a context of the wrong length is a wrong value (22023),
 * whatever its length; the 1,024 limit (54000) belongs to building a model.
 */
static const double *
checked_context(FunctionCallInfo fcinfo, int argno, const BmHeader *m)
{
	int			len;
	const double *x = float8_array_arg(fcinfo, argno, "context", PG_INT32_MAX, &len);
	AbError		err;

	if (!bm_check_context(m, x, len, &err))
		ab_raise(&err);
	return x;
}

/* A ridge argument: positive and finite. */
static double
checked_ridge(double ridge, const char *name)
{
	if (!(ridge > 0.0) || !isfinite(ridge))
	{
		char		buf[FLOAT_TEXT_LEN];

		float_to_text(ridge, buf);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive and finite, got %s", name, buf)));
	}
	return ridge;
}

/* The candidate set: the argument, or all the model's arms when it is NULL. */
static void
candidates(FunctionCallInfo fcinfo, int argno, Evaluation *ev)
{
	if (argno < 0 || PG_ARGISNULL(argno))
	{
		ev->cands = ev->cm.scorer->actions;
		ev->k = (int) ev->cm.scorer->narms;
		if (ev->k == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the model has no arms, so candidates must be given")));
		return;
	}
	ev->cands = int8_array_arg(fcinfo, argno, "candidates", BM_MAX_ARMS, true, &ev->k);
	if (ev->k == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("candidates must not be empty")));
}

/*
 * Score the context under the policy.  Arguments: model, context,
 * candidates (may be NULL), policy; the caller has checked the others for NULL.
 */
static void
evaluate(FunctionCallInfo fcinfo, int cand_arg, int policy_arg, Evaluation *ev)
{
	double	   *work;
	AbError		err;

	ev->policy = policy_cache_get(fcinfo, policy_arg);
	ev->cm = model_cache_get(PG_GETARG_DATUM(0), ev->policy->ridge);
	ev->x = checked_context(fcinfo, 1, ev->cm.model);
	candidates(fcinfo, cand_arg, ev);
	ev->scores = palloc(sizeof(double) * ev->k);
	ev->probs = palloc(sizeof(double) * ev->k);
	work = call_work(fcinfo, policy_work_doubles(ev->k));
	if (!policy_evaluate(ev->policy, ev->cm.scorer, ev->x, ev->cands, ev->k,
						 ev->scores, ev->probs, work, &err))
		ab_raise(&err);
}

static bool
any_null(FunctionCallInfo fcinfo, int n, const int *args)
{
	int			i;

	for (i = 0; i < n; i++)
		if (PG_ARGISNULL(args[i]))
			return true;
	return false;
}

/* bandit_predict(model, context, action, ridge DEFAULT 1.0): theta_a^T x */
PG_FUNCTION_INFO_V1(bandit_predict);
Datum
bandit_predict(PG_FUNCTION_ARGS)
{
	double		ridge = checked_ridge(PG_GETARG_FLOAT8(3), "ridge");
	CachedModel cm;
	const double *x;
	double		prediction;

	cm = model_cache_get(PG_GETARG_DATUM(0), ridge);
	x = checked_context(fcinfo, 1, cm.model);
	prediction = bm_scorer_mean(cm.scorer, bm_scorer_find(cm.scorer, PG_GETARG_INT64(2)), x);
	if (!isfinite(prediction))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the prediction for action %lld is out of range", (long long) PG_GETARG_INT64(2))));
	PG_RETURN_FLOAT8(prediction);
}

/* bandit_scores(model, context, candidates DEFAULT NULL, policy DEFAULT 'greedy') */
PG_FUNCTION_INFO_V1(bandit_scores);
Datum
bandit_scores(PG_FUNCTION_ARGS)
{
	static const int required[] = {0, 1, 3};
	Evaluation	ev;

	if (any_null(fcinfo, 3, required))
		PG_RETURN_NULL();
	evaluate(fcinfo, 2, 3, &ev);
	PG_RETURN_DATUM(float8_array_datum(ev.scores, ev.k));
}

/* bandit_probabilities(model, context, candidates DEFAULT NULL, policy DEFAULT 'greedy') */
PG_FUNCTION_INFO_V1(bandit_probabilities);
Datum
bandit_probabilities(PG_FUNCTION_ARGS)
{
	static const int required[] = {0, 1, 3};
	Evaluation	ev;

	if (any_null(fcinfo, 3, required))
		PG_RETURN_NULL();
	evaluate(fcinfo, 2, 3, &ev);
	PG_RETURN_DATUM(float8_array_datum(ev.probs, ev.k));
}

/*
 * bandit_probability(model, context, candidates, action, policy DEFAULT
 * 'greedy'): the probability of action; 0 when it is not a candidate.
 */
PG_FUNCTION_INFO_V1(bandit_probability);
Datum
bandit_probability(PG_FUNCTION_ARGS)
{
	static const int required[] = {0, 1, 3, 4};
	Evaluation	ev;
	int64		action;
	int			i;

	if (any_null(fcinfo, 4, required))
		PG_RETURN_NULL();
	evaluate(fcinfo, 2, 4, &ev);
	action = PG_GETARG_INT64(3);
	for (i = 0; i < ev.k; i++)
		if (ev.cands[i] == action)
			PG_RETURN_FLOAT8(ev.probs[i]);
	PG_RETURN_FLOAT8(0.0);
}

/*
 * bandit_rank(model, context, candidates, action, policy DEFAULT 'greedy'):
 * 1 + the number of candidates the policy scores strictly higher than
 * action (what bandit_scores gives: means, or upper bounds for linucb);
 * NULL when action is not a candidate.  The rank Recap weighs rows by.
 */
PG_FUNCTION_INFO_V1(bandit_rank);
Datum
bandit_rank(PG_FUNCTION_ARGS)
{
	static const int required[] = {0, 1, 3, 4};
	Evaluation	ev;
	int64		action;
	int			i,
				self = -1,
				rank = 1;

	if (any_null(fcinfo, 4, required))
		PG_RETURN_NULL();
	evaluate(fcinfo, 2, 4, &ev);
	action = PG_GETARG_INT64(3);
	for (i = 0; i < ev.k; i++)
		if (ev.cands[i] == action)
			self = i;
	if (self < 0)
		PG_RETURN_NULL();
	for (i = 0; i < ev.k; i++)
		if (ev.scores[i] > ev.scores[self])
			rank++;
	PG_RETURN_INT32(rank);
}

/*
 * bandit_unseen_candidates(model, candidates): how many candidates the
 * model has no arm for.  Scoring treats them as new arms (the prior), which
 * is right for a new image and wrong for a wrong join: a show scored with
 * another show's model knows none of its candidates.
 */
PG_FUNCTION_INFO_V1(bandit_unseen_candidates);
Datum
bandit_unseen_candidates(PG_FUNCTION_ARGS)
{
	size_t		size;
	const BmHeader *m = PG_GETARG_BANDITMODEL(0, &size);
	int			k,
				i,
				unseen = 0;
	const int64 *cands = int8_array_arg(fcinfo, 1, "candidates", BM_MAX_ARMS, true, &k);

	for (i = 0; i < k; i++)
	{
		bool		found;

		(void) bm_find(m, cands[i], &found);
		if (!found)
			unseen++;
	}
	PG_RETURN_INT32(unseen);
}

/* The next draw of this backend's stream, seeded once from a strong source. */
static double
session_uniform(void)
{
	static uint64 state;
	static bool seeded = false;

	if (!seeded)
	{
		if (!pg_strong_random(&state, sizeof(state)))
			state = (uint64) MyProcPid * UINT64CONST(0x9E3779B97F4A7C15) ^ (uint64) time(NULL);
		seeded = true;
	}
	return rng_stream_uniform(&state);
}

/* Index of the chosen candidate: seed argument seed_arg, or the session stream. */
static int
choose_index(FunctionCallInfo fcinfo, const Evaluation *ev, int seed_arg)
{
	double		u = PG_ARGISNULL(seed_arg) ? session_uniform()
		: rng_uniform_from_seed(PG_GETARG_INT64(seed_arg));

	return (int) policy_pick(ev->probs, ev->k, u);
}

/* bandit_choose(model, context, candidates, policy, seed DEFAULT NULL) */
PG_FUNCTION_INFO_V1(bandit_choose);
Datum
bandit_choose(PG_FUNCTION_ARGS)
{
	static const int required[] = {0, 1, 3};
	Evaluation	ev;

	if (any_null(fcinfo, 3, required))
		PG_RETURN_NULL();
	evaluate(fcinfo, 2, 3, &ev);
	PG_RETURN_INT64(ev.cands[choose_index(fcinfo, &ev, 4)]);
}

/* bandit_act(...): (action, probability) — what to show and the propensity to log */
PG_FUNCTION_INFO_V1(bandit_act);
Datum
bandit_act(PG_FUNCTION_ARGS)
{
	static const int required[] = {0, 1, 3};
	Evaluation	ev;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	int			i;

	if (any_null(fcinfo, 3, required))
		PG_RETURN_NULL();
	tupdesc = call_result_desc(fcinfo);
	evaluate(fcinfo, 2, 3, &ev);
	i = choose_index(fcinfo, &ev, 4);
	values[0] = Int64GetDatum(ev.cands[i]);
	values[1] = Float8GetDatum(ev.probs[i]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * bandit_value(model, context, candidates, policy, reward_model DEFAULT
 * NULL [, reward_ridge]): sum_a pi(a|x) q(x, a), q the reward model's
 * theta_a^T x (the policy's own model when reward_model is NULL).  The
 * five-argument form (1.0) predicts at the policy's ridge; the six-argument
 * form (1.2) at reward_ridge, as bandit_predict(reward_model, x, a,
 * reward_ridge) does, so that q_logged and v_target of DR come from one
 * reward model.
 */
PG_FUNCTION_INFO_V1(bandit_value);
Datum
bandit_value(PG_FUNCTION_ARGS)
{
	static const int required[] = {0, 1, 3};
	Evaluation	ev;
	CachedModel q;
	double		value = 0.0;
	double		q_ridge;
	int			i;

	if (any_null(fcinfo, 3, required) || (PG_NARGS() > 5 && PG_ARGISNULL(5)))
		PG_RETURN_NULL();
	evaluate(fcinfo, 2, 3, &ev);
	q_ridge = PG_NARGS() > 5 ? checked_ridge(PG_GETARG_FLOAT8(5), "reward_ridge") : ev.policy->ridge;
	q = PG_ARGISNULL(4) ? (q_ridge == ev.policy->ridge ? ev.cm : model_cache_get(PG_GETARG_DATUM(0), q_ridge))
		: model_cache_get(PG_GETARG_DATUM(4), q_ridge);
	if (q.model->dim != ev.cm.model->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("reward_model has dimension %u, but the model has dimension %u",
						q.model->dim, ev.cm.model->dim)));
	for (i = 0; i < ev.k; i++)
		if (ev.probs[i] > 0.0)
			value += ev.probs[i] * bm_scorer_mean(q.scorer, bm_scorer_find(q.scorer, ev.cands[i]), ev.x);
	if (!isfinite(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("policy value is out of range")));
	PG_RETURN_FLOAT8(value);
}

/*
 * policy_value(probabilities float8[], values float8[]): sum_i p_i v_i for
 * aligned arrays, e.g. the v_target of DR from bandit_probabilities and
 * bandit_scores, or a policy's true value from simulate_impressions'
 * play_probabilities.  The probabilities must lie in [0, 1] and sum to 1.
 */
PG_FUNCTION_INFO_V1(policy_value);
Datum
policy_value(PG_FUNCTION_ARGS)
{
	int			np,
				nv,
				i;
	const double *p = float8_array_arg(fcinfo, 0, "probabilities", BM_MAX_ARMS, &np);
	const double *v = float8_array_arg(fcinfo, 1, "values", BM_MAX_ARMS, &nv);
	double		total = 0.0,
				value = 0.0;

	if (np != nv || np == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("probabilities and values must have the same, non-zero length, got %d and %d",
						np, nv)));
	for (i = 0; i < np; i++)
	{
		if (!(p[i] >= 0.0 && p[i] <= 1.0) || !isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("probabilities must be in [0, 1] and values finite, got %g and %g at position %d",
							p[i], v[i], i + 1)));
		total += p[i];
		value += p[i] * v[i];
	}
	if (fabs(total - 1.0) > 1e-9)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("probabilities must sum to 1, got %.17g", total)));
	if (!isfinite(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("policy value is out of range")));
	PG_RETURN_FLOAT8(value);
}

/*
 * ope_aggregates.c — the transition, combine and final functions behind
 * ope_accumulate, ope_merge and the *_estimate aggregates.
 *
 * The transition type is ope_state itself (a fixed set of sums), so the
 * aggregates are parallel without serialize/deserialize functions, and in
 * aggregate context the state is updated in place: no allocation per row.
 */
#include "postgres.h"

#include "fmgr.h"

#include "ope_estimators.h"
#include "ope_state_pg.h"
#include "pg_glue.h"

/* An empty state for a transition called outside an aggregate with NULL. */
static OpeStateDatum *
state_arg(FunctionCallInfo fcinfo, bool dr)
{
	OpeStateDatum *d;

	if (PG_ARGISNULL(0))
	{
		OpeState	s;

		ope_state_init(&s, dr);
		return ope_state_make_datum(&s);
	}
	d = ope_state_for_update(fcinfo, 0);
	if (ope_state_is_dr(&d->state) != dr)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("ope_state kind does not match the number of transition inputs")));
	return d;
}

/* Count the row, or skip it when an input in [first, last] is NULL. */
static void
add_row(FunctionCallInfo fcinfo, OpeState *s, int first, int last,
		double r, double mu, double pi, double q, double v)
{
	AbError		err;
	int			i;

	for (i = first; i <= last; i++)
		if (PG_ARGISNULL(i))
		{
			if (!ope_state_skip(s, &err))
				ab_raise(&err);
			return;
		}
	if (!ope_state_add(s, r, mu, pi, q, v, &err))
		ab_raise(&err);
}

/*
 * ope_accumulate_transition(state, reward, propensity, target_probability
 *                           [, q_logged, v_target])
 */
PG_FUNCTION_INFO_V1(ope_accumulate_transition);
Datum
ope_accumulate_transition(PG_FUNCTION_ARGS)
{
	bool		dr = PG_NARGS() == 6;
	OpeStateDatum *d = state_arg(fcinfo, dr);

#define ARG_F8(i) (PG_ARGISNULL(i) ? 0.0 : PG_GETARG_FLOAT8(i))
	add_row(fcinfo, &d->state, 1, PG_NARGS() - 1,
			ARG_F8(1), ARG_F8(2), ARG_F8(3),
			dr ? ARG_F8(4) : 0.0, dr ? ARG_F8(5) : 0.0);
	PG_RETURN_OPE_STATE(d);
}

/*
 * replay_played_transition(state, logged_action, target_action, played
 *                          [, propensity]) and the float8-reward twin:
 * the target probability of the logged action is 1 when the actions match
 * and 0 otherwise; without a propensity, every row weighs 1.
 */
static Datum
replay_transition(FunctionCallInfo fcinfo, double reward)
{
	OpeStateDatum *d = state_arg(fcinfo, false);
	bool		has_mu = PG_NARGS() == 5;
	double		pi = 0.0;

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
		pi = PG_GETARG_INT64(1) == PG_GETARG_INT64(2) ? 1.0 : 0.0;
	add_row(fcinfo, &d->state, 1, PG_NARGS() - 1,
			reward, has_mu ? ARG_F8(4) : 1.0, pi, 0.0, 0.0);
	PG_RETURN_OPE_STATE(d);
}

PG_FUNCTION_INFO_V1(replay_played_transition);
Datum
replay_played_transition(PG_FUNCTION_ARGS)
{
	return replay_transition(fcinfo,
							 !PG_ARGISNULL(3) && PG_GETARG_BOOL(3) ? 1.0 : 0.0);
}

PG_FUNCTION_INFO_V1(replay_reward_transition);
Datum
replay_reward_transition(PG_FUNCTION_ARGS)
{
	return replay_transition(fcinfo, ARG_F8(3));
}

/*
 * ope_merge(a, b): the union of two states; NULL is the empty set.  Also the
 * transition and combine function of the aggregates, where a is updated in
 * place.
 */
PG_FUNCTION_INFO_V1(ope_merge);
Datum
ope_merge(PG_FUNCTION_ARGS)
{
	OpeStateDatum *d;
	OpeState	other;
	AbError		err;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	ope_state_from_datum(PG_GETARG_DATUM(1), &other);
	if (PG_ARGISNULL(0))
		PG_RETURN_OPE_STATE(ope_state_make_datum(&other));
	d = ope_state_for_update(fcinfo, 0);
	if (!ope_state_merge(&d->state, &other, &err))
		ab_raise(&err);
	PG_RETURN_OPE_STATE(d);
}

/* Final functions: one estimate of the state, NULL where undefined. */
static Datum
estimate_final(FunctionCallInfo fcinfo, OpeEstimator e)
{
	OpeState	s;
	OpeEstimate est;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	ope_state_from_datum(PG_GETARG_DATUM(0), &s);
	ope_compute_estimate(&s, e, &est);
	if (!est.has_estimate)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(est.estimate);
}

#define ESTIMATE_FINAL(sqlname, estimator) \
PG_FUNCTION_INFO_V1(sqlname); \
Datum \
sqlname(PG_FUNCTION_ARGS) \
{ \
	return estimate_final(fcinfo, estimator); \
}

ESTIMATE_FINAL(ope_replay_final, OPE_EST_REPLAY)
ESTIMATE_FINAL(ope_ips_final, OPE_EST_IPS)
ESTIMATE_FINAL(ope_snips_final, OPE_EST_SNIPS)
ESTIMATE_FINAL(ope_dr_final, OPE_EST_DR)
ESTIMATE_FINAL(ope_sndr_final, OPE_EST_SNDR)

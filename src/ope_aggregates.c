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
#include "nodes/execnodes.h"

#include "ope_estimators.h"
#include "ope_lambda.h"
#include "ope_state_pg.h"
#include "pg_arrays.h"
#include "pg_glue.h"

/* An empty state for a transition called outside an aggregate with NULL. */
static pg_noinline OpeStateDatum *
state_arg_slow(FunctionCallInfo fcinfo, bool dr)
{
	OpeState	s;

	if (!PG_ARGISNULL(0))
		return ope_state_for_update(fcinfo, 0);
	ope_state_init(&s, dr);
	return ope_state_make_datum(&s);
}

static pg_noinline void
kind_mismatch(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("ope_state kind does not match the number of transition inputs")));
}

/*
 * The state argument, ready to be updated.  This runs once per row, so the
 * usual case (an aggregate's own plain, correctly sized state) is decided
 * inline and everything else goes through ope_state_for_update.
 */
static inline OpeStateDatum *
state_arg(FunctionCallInfo fcinfo, bool dr)
{
	OpeStateDatum *d;
	struct varlena *v;

	/* an AggState context is the common case, tested without a call */
	if (PG_ARGISNULL(0) ||
		!((fcinfo->context && IsA(fcinfo->context, AggState)) ||
		  AggCheckCallContext(fcinfo, NULL)))
		d = state_arg_slow(fcinfo, dr);
	else
	{
		v = (struct varlena *) PG_GETARG_POINTER(0);
		if (!VARATT_IS_EXTENDED(v) && VARSIZE(v) == sizeof(OpeStateDatum))
			d = (OpeStateDatum *) v;
		else
			d = ope_state_for_update(fcinfo, 0);
	}
	if (unlikely(ope_state_is_dr(&d->state) != dr))
		kind_mismatch();
	return d;
}

/* Count a row (skipped, but still checked, when an input is NULL). */
static inline void
add_row(OpeState *s, const OpeRow *row, unsigned present)
{
	AbError		err;

	if (unlikely(!ope_state_add(s, row, present, &err)))
		ab_raise(&err);
}

/* Argument i as a float8 into *dst, setting bit in *present unless NULL. */
static inline void
float_arg(FunctionCallInfo fcinfo, int i, double *dst, unsigned bit, unsigned *present)
{
	if (PG_ARGISNULL(i))
		return;
	*dst = PG_GETARG_FLOAT8(i);
	*present |= bit;
}

/* The reward, argument 1: a float8, or a bool read as 1 or 0 (the _bool twins). */
static inline void
reward_arg(FunctionCallInfo fcinfo, double *dst, unsigned *present, bool bool_reward)
{
	if (PG_ARGISNULL(1))
		return;
	*dst = bool_reward ? (PG_GETARG_BOOL(1) ? 1.0 : 0.0) : PG_GETARG_FLOAT8(1);
	*present |= OPE_IN_R;
}

/*
 * ope_accumulate_transition(state, reward, propensity, target_probability
 *                           [, q_logged, v_target])
 */
static inline Datum
accumulate(FunctionCallInfo fcinfo, bool bool_reward)
{
	bool		dr = PG_NARGS() == 6;
	OpeStateDatum *d = state_arg(fcinfo, dr);
	OpeRow		row = {0};
	unsigned	present = 0;

	reward_arg(fcinfo, &row.r, &present, bool_reward);
	float_arg(fcinfo, 2, &row.mu, OPE_IN_MU, &present);
	float_arg(fcinfo, 3, &row.pi, OPE_IN_PI, &present);
	if (dr)
	{
		float_arg(fcinfo, 4, &row.q, OPE_IN_Q, &present);
		float_arg(fcinfo, 5, &row.v, OPE_IN_V, &present);
	}
	add_row(&d->state, &row, present);
	PG_RETURN_OPE_STATE(d);
}

PG_FUNCTION_INFO_V1(ope_accumulate_transition);
Datum
ope_accumulate_transition(PG_FUNCTION_ARGS)
{
	return accumulate(fcinfo, false);
}

/* ope_accumulate_bool_transition: the same with a bool reward (a play). */
PG_FUNCTION_INFO_V1(ope_accumulate_bool_transition);
Datum
ope_accumulate_bool_transition(PG_FUNCTION_ARGS)
{
	return accumulate(fcinfo, true);
}

/*
 * The lambdas argument: the same array on every row.  The bytes of the
 * array last found equal, and the lambdas they were equal to, are kept per
 * call site, so the usual case (the same constant on every row) costs two
 * memcmps; an address says nothing about the contents of a column value,
 * and one call site serves every group of a GROUP BY, so both are compared.
 */
typedef struct LambdaCheck
{
	int			n;				/* lambdas they were equal to */
	double		lambdas[OPE_MAX_LAMBDAS];
	Size		len;			/* 0: nothing checked yet */
	char		bytes[FLEXIBLE_ARRAY_MEMBER];	/* the array's varlena, as given */
} LambdaCheck;

#define LAMBDA_CHECK_MAX 1024	/* larger (or toasted) arrays are checked in full */

static void
check_lambdas_arg(FunctionCallInfo fcinfo, int argno, const OpeState *s)
{
	LambdaCheck *lc = (LambdaCheck *) fcinfo->flinfo->fn_extra;
	struct varlena *raw;
	const double *l;
	int			n;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("lambdas must not be NULL")));
	raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	if (lc != NULL && !VARATT_IS_EXTENDED(raw) && VARSIZE(raw) == lc->len &&
		lc->n == s->nlambdas && memcmp(raw, lc->bytes, lc->len) == 0 &&
		memcmp(lc->lambdas, ope_lambdas(s), sizeof(double) * lc->n) == 0)
		return;
	l = float8_array_arg(fcinfo, argno, "lambdas", OPE_MAX_LAMBDAS + 1, &n);
	if (n != s->nlambdas || memcmp(l, ope_lambdas(s), sizeof(double) * n) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lambdas must be the same array on every row"),
				 errdetail("The state was started with %d lambdas; this row gives a different array.",
						   (int) s->nlambdas)));
	if (!VARATT_IS_EXTENDED(raw) && VARSIZE(raw) <= LAMBDA_CHECK_MAX)
	{
		if (lc == NULL)
			lc = fcinfo->flinfo->fn_extra =
				MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   offsetof(LambdaCheck, bytes) + LAMBDA_CHECK_MAX);
		lc->len = VARSIZE(raw);
		memcpy(lc->bytes, raw, lc->len);
		lc->n = n;
		memcpy(lc->lambdas, l, sizeof(double) * n);
	}
}

/* A new empty state of the kind with the lambdas of argument argno (checked). */
static OpeStateDatum *
new_lambda_state(FunctionCallInfo fcinfo, int argno, bool dr)
{
	const double *l;
	int			n;
	AbError		err;
	OpeStateDatum *d;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("lambdas must not be NULL")));
	l = float8_array_arg(fcinfo, argno, "lambdas", OPE_MAX_LAMBDAS + 1, &n);
	if (!ope_lambdas_check(l, n, &err))
		ab_raise(&err);
	d = palloc0(OPE_DATUM_HEADER + ope_state_bytes(n));
	SET_VARSIZE(d, OPE_DATUM_HEADER + ope_state_bytes(n));
	ope_state_init_lambdas(&d->state, dr, l, n);
	return d;
}

/*
 * ope_accumulate_lambdas_transition(state, reward, propensity,
 * target_probability [, q_logged, v_target], lambdas): ope_accumulate's, and
 * the clipped, switched and shrunk sums for each lambda.  The aggregate's
 * first row turns its blank initial state into one with those lambdas (a new
 * datum, which the executor copies into the aggregate's memory); later rows
 * update it in place.
 */
static Datum
accumulate_lambdas(FunctionCallInfo fcinfo, bool bool_reward)
{
	bool		dr = PG_NARGS() == 7;
	int			largno = PG_NARGS() - 1;
	OpeStateDatum *d;
	OpeRow		row = {0};
	unsigned	present = 0;

	if (PG_ARGISNULL(0))
		d = new_lambda_state(fcinfo, largno, dr);
	else
	{
		d = ope_state_for_update(fcinfo, 0);
		if (ope_state_is_blank(&d->state))
			d = new_lambda_state(fcinfo, largno, dr);
		else
			check_lambdas_arg(fcinfo, largno, &d->state);
	}
	if (unlikely(ope_state_is_dr(&d->state) != dr))
		kind_mismatch();
	reward_arg(fcinfo, &row.r, &present, bool_reward);
	float_arg(fcinfo, 2, &row.mu, OPE_IN_MU, &present);
	float_arg(fcinfo, 3, &row.pi, OPE_IN_PI, &present);
	if (dr)
	{
		float_arg(fcinfo, 4, &row.q, OPE_IN_Q, &present);
		float_arg(fcinfo, 5, &row.v, OPE_IN_V, &present);
	}
	add_row(&d->state, &row, present);
	PG_RETURN_OPE_STATE(d);
}

PG_FUNCTION_INFO_V1(ope_accumulate_lambdas_transition);
Datum
ope_accumulate_lambdas_transition(PG_FUNCTION_ARGS)
{
	return accumulate_lambdas(fcinfo, false);
}

PG_FUNCTION_INFO_V1(ope_accumulate_lambdas_bool_transition);
Datum
ope_accumulate_lambdas_bool_transition(PG_FUNCTION_ARGS)
{
	return accumulate_lambdas(fcinfo, true);
}

/*
 * recap_transition(state, reward, propensity, target_rank): a row with
 * target probability 1 / rank (Recap, More et al. 2019; see recap_estimate).
 *
 * The REVEAL@RecSys 2019 slides define Recap as
 *     sum_t (r_t / pi(x_t, a_t)) (1 / rank_t) / sum_t (1 / pi(x_t, a_t)) (1 / rank_t)
 * with pi the logging probability and rank_t the rank of the logged action
 * in the target policy's ordering: a self-normalised estimator whose target
 * "probability" is the reciprocal rank instead of replay's 1{rank_t = 1}.
 * Ours is that formula with mu for their pi, computed as SNIPS with
 * target probability 1 / rank (so its interval is the snips row of the
 * same state).  Where they differ: the slides rank by a strict order; we
 * give tied candidates the better rank (bandit_rank counts the candidates
 * scored strictly higher), which only matters for models with exact ties,
 * such as images the model has never seen.
 */
PG_FUNCTION_INFO_V1(recap_transition);
Datum
recap_transition(PG_FUNCTION_ARGS)
{
	OpeStateDatum *d = state_arg(fcinfo, false);
	OpeRow		row = {0};
	unsigned	present = 0;

	float_arg(fcinfo, 1, &row.r, OPE_IN_R, &present);
	float_arg(fcinfo, 2, &row.mu, OPE_IN_MU, &present);
	if (!PG_ARGISNULL(3))
	{
		int32		rank = PG_GETARG_INT32(3);

		if (rank < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("target_rank must be at least 1, got %d", rank)));
		row.pi = 1.0 / rank;
		present |= OPE_IN_PI;
	}
	add_row(&d->state, &row, present);
	PG_RETURN_OPE_STATE(d);
}

/*
 * replay_played_transition(state, logged_action, target_action, played
 *                          [, propensity]) and the float8-reward twin:
 * the target probability of the logged action is 1 when the actions match
 * and 0 otherwise; without a propensity, every row weighs 1.
 */
static inline Datum
replay_transition(FunctionCallInfo fcinfo, OpeRow *row, unsigned present)
{
	OpeStateDatum *d = state_arg(fcinfo, false);

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		row->pi = PG_GETARG_INT64(1) == PG_GETARG_INT64(2) ? 1.0 : 0.0;
		present |= OPE_IN_PI;
	}
	if (PG_NARGS() == 5)
		float_arg(fcinfo, 4, &row->mu, OPE_IN_MU, &present);
	else
	{
		row->mu = 1.0;
		present |= OPE_IN_MU;
	}
	add_row(&d->state, row, present);
	PG_RETURN_OPE_STATE(d);
}

PG_FUNCTION_INFO_V1(replay_played_transition);
Datum
replay_played_transition(PG_FUNCTION_ARGS)
{
	OpeRow		row = {0};

	if (PG_ARGISNULL(3))
		return replay_transition(fcinfo, &row, 0);
	row.r = PG_GETARG_BOOL(3) ? 1.0 : 0.0;
	return replay_transition(fcinfo, &row, OPE_IN_R);
}

PG_FUNCTION_INFO_V1(replay_reward_transition);
Datum
replay_reward_transition(PG_FUNCTION_ARGS)
{
	OpeRow		row = {0};
	unsigned	present = 0;

	float_arg(fcinfo, 3, &row.r, OPE_IN_R, &present);
	return replay_transition(fcinfo, &row, present);
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
	const OpeState *other;
	AbError		err;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	other = ope_state_get(PG_GETARG_DATUM(1));
	if (PG_ARGISNULL(0))
		PG_RETURN_OPE_STATE(ope_state_make_datum(other));
	d = ope_state_for_update(fcinfo, 0);
	/* a blank state (an aggregate's initial one) takes the other's lambdas */
	if (ope_merge_adopts(&d->state, other))
		PG_RETURN_OPE_STATE(ope_state_make_datum(other));
	if (!ope_state_merge(&d->state, other, &err))
		ab_raise(&err);
	PG_RETURN_OPE_STATE(d);
}

/* Final functions: one estimate of the state, NULL where undefined. */
static Datum
estimate_final(FunctionCallInfo fcinfo, OpeEstimator e)
{
	OpeEstimate est;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	ope_compute_estimate(ope_state_get(PG_GETARG_DATUM(0)), e, -1, &est);
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

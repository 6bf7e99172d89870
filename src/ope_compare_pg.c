/*
 * ope_compare_pg.c — the ope_pair_state type, the ope_compare aggregates,
 * their merge, ope_compare_report and ope_holm.  The mathematics is in
 * core/ope_pair.c.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "normal.h"
#include "ope_estimators.h"
#include "ope_pair_codec.h"
#include "ope_report.h"
#include "pg_arrays.h"
#include "pg_glue.h"

typedef struct PairDatum
{
	int32		vl_len_;
	int32		pad;
	OpePair		pair;
} PairDatum;

static const OpePair *
pair_get(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	AbError		err;

	if (VARSIZE(v) != sizeof(PairDatum))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid ope_pair_state value of %u bytes", (unsigned) VARSIZE(v))));
	if (!ope_pair_validate(&((PairDatum *) v)->pair, AB_ERR_BINARY, &err))
		ab_raise(&err);
	return &((PairDatum *) v)->pair;
}

static PairDatum *
pair_datum(const OpePair *p)
{
	PairDatum  *d = palloc0(sizeof(PairDatum));

	SET_VARSIZE(d, sizeof(PairDatum));
	d->pair = *p;
	return d;
}

static PairDatum *
pair_for_update(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v = (struct varlena *) PG_GETARG_POINTER(argno);

	if (AggCheckCallContext(fcinfo, NULL) && !VARATT_IS_EXTENDED(v) && VARSIZE(v) == sizeof(PairDatum))
		return (PairDatum *) v;
	return pair_datum(pair_get(PointerGetDatum(v)));
}

PG_FUNCTION_INFO_V1(ope_pair_state_in);
Datum
ope_pair_state_in(PG_FUNCTION_ARGS)
{
	const char *text = PG_GETARG_CSTRING(0);
	OpePair	   *p = palloc(sizeof(OpePair));
	AbError		err;

	if (!ope_pair_from_text(text, strlen(text), p, &err))
		ab_raise(&err);
	PG_RETURN_POINTER(pair_datum(p));
}

PG_FUNCTION_INFO_V1(ope_pair_state_out);
Datum
ope_pair_state_out(PG_FUNCTION_ARGS)
{
	const OpePair *p = pair_get(PG_GETARG_DATUM(0));
	char	   *buf = palloc(ope_pair_text_max(p));

	ope_pair_to_text(p, buf);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(ope_pair_state_recv);
Datum
ope_pair_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	in = (StringInfo) PG_GETARG_POINTER(0);
	OpePair	   *p = palloc(sizeof(OpePair));
	AbError		err;

	if (!ope_pair_from_binary((const unsigned char *) in->data + in->cursor,
							  (size_t) (in->len - in->cursor), p, &err))
		ab_raise(&err);
	in->cursor = in->len;
	PG_RETURN_POINTER(pair_datum(p));
}

PG_FUNCTION_INFO_V1(ope_pair_state_send);
Datum
ope_pair_state_send(PG_FUNCTION_ARGS)
{
	const OpePair *p = pair_get(PG_GETARG_DATUM(0));
	size_t		size = ope_pair_binary_size(p);
	unsigned char *bin = palloc(size);
	StringInfoData buf;

	ope_pair_to_binary(p, bin);
	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) bin, size);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static double
input(FunctionCallInfo fcinfo, int i, unsigned bit, unsigned *present)
{
	if (PG_ARGISNULL(i))
		return 0.0;
	*present |= bit;
	return PG_GETARG_FLOAT8(i);
}

/*
 * ope_compare_transition(state, reward, propensity, target_a, target_b
 * [, q_logged, v_a, v_b])
 */
PG_FUNCTION_INFO_V1(ope_compare_transition);
Datum
ope_compare_transition(PG_FUNCTION_ARGS)
{
	bool		dr = PG_NARGS() == 8;
	PairDatum  *d;
	OpePairRow	row = {0};
	unsigned	present = 0;
	AbError		err;

	if (PG_ARGISNULL(0))
	{
		OpePair		p;

		ope_pair_init(&p, dr);
		d = pair_datum(&p);
	}
	else
		d = pair_for_update(fcinfo, 0);
	if (ope_pair_is_dr(&d->pair) != dr)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("ope_pair_state kind does not match the number of transition inputs")));
	row.r = input(fcinfo, 1, OPE_PIN_R, &present);
	row.mu = input(fcinfo, 2, OPE_PIN_MU, &present);
	row.pi_a = input(fcinfo, 3, OPE_PIN_PA, &present);
	row.pi_b = input(fcinfo, 4, OPE_PIN_PB, &present);
	if (dr)
	{
		row.q = input(fcinfo, 5, OPE_PIN_Q, &present);
		row.v_a = input(fcinfo, 6, OPE_PIN_VA, &present);
		row.v_b = input(fcinfo, 7, OPE_PIN_VB, &present);
	}
	if (!ope_pair_add(&d->pair, &row, present, &err))
		ab_raise(&err);
	PG_RETURN_POINTER(d);
}

/* ope_merge(a, b) for ope_pair_state: the union; NULL is the empty set (also the combine function). */
PG_FUNCTION_INFO_V1(ope_pair_state_merge);
Datum
ope_pair_state_merge(PG_FUNCTION_ARGS)
{
	PairDatum  *d;
	AbError		err;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(pair_datum(pair_get(PG_GETARG_DATUM(1))));
	d = pair_for_update(fcinfo, 0);
	if (!ope_pair_merge(&d->pair, pair_get(PG_GETARG_DATUM(1)), &err))
		ab_raise(&err);
	PG_RETURN_POINTER(d);
}

/*
 * ope_compare_report(state, confidence DEFAULT 0.95): per estimator (ips,
 * snips, and with a reward model dr, sndr) the two values, b - a, its paired
 * standard error, interval and two-sided p-value.
 */
PG_FUNCTION_INFO_V1(ope_compare_report);
Datum
ope_compare_report(PG_FUNCTION_ARGS)
{
	static const int estimators[] = {OPE_EST_IPS, OPE_EST_SNIPS, OPE_EST_DR, OPE_EST_SNDR};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const OpePair *p = pair_get(PG_GETARG_DATUM(0));
	double		confidence = PG_GETARG_FLOAT8(1),
				z;
	int			i;

	ope_check_confidence(confidence);
	z = ope_interval_z(confidence);
	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < 4; i++)
	{
		int			e = estimators[i];
		OpeComparison c;
		Datum		values[8];
		bool		nulls[8] = {false, true, true, true, true, true, true, true};

		if (!ope_estimator_available(&p->a, e))
			continue;
		ope_pair_compare(p, e, &c);
		values[0] = CStringGetTextDatum(ope_estimator_names[e]);
		if (c.has_values)
		{
			values[1] = Float8GetDatum(c.value_a);
			values[2] = Float8GetDatum(c.value_b);
			values[3] = Float8GetDatum(c.difference);
			nulls[1] = nulls[2] = nulls[3] = false;
		}
		if (c.has_values && c.has_std_error)
		{
			values[4] = Float8GetDatum(c.std_error);
			nulls[4] = false;
			/* a zero standard error (identical policies) has no interval or test */
			if (c.std_error > 0.0)
			{
				values[5] = Float8GetDatum(c.difference - z * c.std_error);
				values[6] = Float8GetDatum(c.difference + z * c.std_error);
				values[7] = Float8GetDatum(2.0 * normal_cdf(-fabs(c.difference) / c.std_error));
				nulls[5] = nulls[6] = nulls[7] = false;
			}
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * ope_holm(p_values float8[]) RETURNS float8[]: Holm-adjusted p-values in
 * the same order; NULL entries are no test (left out of the count, NULL in
 * the result).
 */
PG_FUNCTION_INFO_V1(ope_holm);
Datum
ope_holm(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	double	   *p;
	int		   *order;
	int			n,
				i,
				dims[1],
				lbs[1] = {1};

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("p_values must be a one-dimensional array, got %d dimensions", ARR_NDIM(a))));
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	p = palloc(sizeof(double) * Max(n, 1));
	order = palloc(sizeof(int) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		p[i] = nulls[i] ? NAN : DatumGetFloat8(elems[i]);
		if (!nulls[i] && !(p[i] >= 0.0 && p[i] <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("p_values must be in [0, 1], got %s at position %d",
							DatumGetCString(DirectFunctionCall1(float8out, elems[i])), i + 1)));
	}
	ope_holm_adjust(p, n, order);
	for (i = 0; i < n; i++)
		if (!nulls[i])
			elems[i] = Float8GetDatum(p[i]);
	dims[0] = n;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, n ? 1 : 0, dims, lbs, FLOAT8OID,
											 sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * ope_bootstrap_pg.c — the ope_bootstrap_state type (input, output, send,
 * receive), the ope_bootstrap aggregates' transition and combine functions
 * and ope_bootstrap_report.  The mathematics is in core/ope_bootstrap.c.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "ope_boot_codec.h"
#include "ope_bootstrap.h"
#include "ope_estimators.h"
#include "ope_report.h"
#include "pg_glue.h"

typedef struct BootDatum
{
	int32		vl_len_;
	int32		pad;			/* keeps the state 8-byte aligned */
	OpeBootstrap boot;			/* followed by its replicate sums */
} BootDatum;

#define BOOT_HEADER offsetof(BootDatum, boot)

static bool
well_sized(const struct varlena *v)
{
	const OpeBootstrap *b = &((const BootDatum *) v)->boot;

	return VARSIZE(v) >= BOOT_HEADER + sizeof(OpeBootstrap) &&
		b->replicates >= 1 && b->replicates <= OPE_BOOT_MAX_REPLICATES &&
		VARSIZE(v) == BOOT_HEADER + ope_boot_bytes(b->replicates);
}

/* The validated state in d, read-only. */
static const OpeBootstrap *
boot_get(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	AbError		err;

	if (!well_sized(v))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid ope_bootstrap_state value of %u bytes", (unsigned) VARSIZE(v))));
	if (!ope_boot_validate(&((BootDatum *) v)->boot, AB_ERR_BINARY, &err))
		ab_raise(&err);
	return &((BootDatum *) v)->boot;
}

static BootDatum *
boot_datum(const OpeBootstrap *b)
{
	Size		size = BOOT_HEADER + ope_boot_bytes(b->replicates);
	BootDatum  *d = palloc0(size);

	SET_VARSIZE(d, size);
	memcpy(&d->boot, b, ope_boot_bytes(b->replicates));
	return d;
}

/* For the codecs: a BootDatum-shaped allocation, the state inside it. */
static void *
boot_alloc(void *ctx, size_t size)
{
	BootDatum  *d = palloc0(BOOT_HEADER + size);

	SET_VARSIZE(d, BOOT_HEADER + size);
	return &d->boot;
}

#define DATUM_OF(b) ((Datum) PointerGetDatum((char *) (b) - BOOT_HEADER))

PG_FUNCTION_INFO_V1(ope_bootstrap_state_in);
Datum
ope_bootstrap_state_in(PG_FUNCTION_ARGS)
{
	const char *text = PG_GETARG_CSTRING(0);
	OpeBootstrap *b;
	AbError		err;

	if (!ope_boot_from_text(text, strlen(text), boot_alloc, NULL, &b, &err))
		ab_raise(&err);
	PG_RETURN_DATUM(DATUM_OF(b));
}

PG_FUNCTION_INFO_V1(ope_bootstrap_state_out);
Datum
ope_bootstrap_state_out(PG_FUNCTION_ARGS)
{
	const OpeBootstrap *b = boot_get(PG_GETARG_DATUM(0));
	char	   *buf = palloc_extended(ope_boot_text_max(b), MCXT_ALLOC_HUGE);

	ope_boot_to_text(b, buf);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(ope_bootstrap_state_recv);
Datum
ope_bootstrap_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	in = (StringInfo) PG_GETARG_POINTER(0);
	OpeBootstrap *b;
	AbError		err;

	if (!ope_boot_from_binary((const unsigned char *) in->data + in->cursor,
							  (size_t) (in->len - in->cursor), boot_alloc, NULL, &b, &err))
		ab_raise(&err);
	in->cursor = in->len;
	PG_RETURN_DATUM(DATUM_OF(b));
}

PG_FUNCTION_INFO_V1(ope_bootstrap_state_send);
Datum
ope_bootstrap_state_send(PG_FUNCTION_ARGS)
{
	const OpeBootstrap *b = boot_get(PG_GETARG_DATUM(0));
	size_t		size = ope_boot_binary_size(b);
	unsigned char *bin = palloc(size);
	StringInfoData buf;

	ope_boot_to_binary(b, bin);
	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) bin, size);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* The state argument, to be changed: in aggregate context itself, else a copy. */
static BootDatum *
boot_for_update(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v = (struct varlena *) PG_GETARG_POINTER(argno);

	if (AggCheckCallContext(fcinfo, NULL) && !VARATT_IS_EXTENDED(v) && well_sized(v))
		return (BootDatum *) v;
	return boot_datum(boot_get(PointerGetDatum(v)));
}

static double
float_or_zero(FunctionCallInfo fcinfo, int i, unsigned bit, unsigned *present)
{
	if (PG_ARGISNULL(i))
		return 0.0;
	*present |= bit;
	return PG_GETARG_FLOAT8(i);
}

/*
 * Transition: (state, reward, propensity, target_probability [, q_logged,
 * v_target], unit_id [, replicates [, seed]]).  The first row makes the
 * state (replicates default 200, seed 0); later rows must give the same.
 */
static Datum
boot_transition(FunctionCallInfo fcinfo, bool dr)
{
	int			unit_arg = dr ? 6 : 4;
	int			nextra = PG_NARGS() - unit_arg - 1;
	int64		replicates = 200,
				seed = 0;
	BootDatum  *d;
	OpeRow		row = {0};
	unsigned	present = 0;
	AbError		err;

	if (nextra >= 1)
	{
		if (PG_ARGISNULL(unit_arg + 1))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("replicates must not be NULL")));
		replicates = PG_GETARG_INT32(unit_arg + 1);
	}
	if (nextra >= 2)
	{
		if (PG_ARGISNULL(unit_arg + 2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("seed must not be NULL")));
		seed = PG_GETARG_INT64(unit_arg + 2);
	}
	if (!ope_boot_check_replicates(replicates, &err))
		ab_raise(&err);
	if (PG_ARGISNULL(0))
	{
		Size		size = BOOT_HEADER + ope_boot_bytes((int) replicates);

		d = palloc_extended(size, MCXT_ALLOC_HUGE);
		SET_VARSIZE(d, size);
		ope_boot_init(&d->boot, dr, (int) replicates, seed);
	}
	else
	{
		d = boot_for_update(fcinfo, 0);
		if (d->boot.replicates != replicates || d->boot.seed != seed || ope_boot_is_dr(&d->boot) != dr)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("replicates and seed must be the same on every row")));
	}
	row.r = float_or_zero(fcinfo, 1, OPE_IN_R, &present);
	row.mu = float_or_zero(fcinfo, 2, OPE_IN_MU, &present);
	row.pi = float_or_zero(fcinfo, 3, OPE_IN_PI, &present);
	if (dr)
	{
		row.q = float_or_zero(fcinfo, 4, OPE_IN_Q, &present);
		row.v = float_or_zero(fcinfo, 5, OPE_IN_V, &present);
	}
	if (!ope_boot_add(&d->boot, &row, present, !PG_ARGISNULL(unit_arg),
					  PG_ARGISNULL(unit_arg) ? 0 : PG_GETARG_INT64(unit_arg), &err))
		ab_raise(&err);
	PG_RETURN_POINTER(d);
}

PG_FUNCTION_INFO_V1(ope_bootstrap_transition);
Datum
ope_bootstrap_transition(PG_FUNCTION_ARGS)
{
	return boot_transition(fcinfo, false);
}

PG_FUNCTION_INFO_V1(ope_bootstrap_dr_transition);
Datum
ope_bootstrap_dr_transition(PG_FUNCTION_ARGS)
{
	return boot_transition(fcinfo, true);
}

/* ope_bootstrap_merge(a, b): the union; NULL is the empty set (also the combine function). */
PG_FUNCTION_INFO_V1(ope_bootstrap_merge);
Datum
ope_bootstrap_merge(PG_FUNCTION_ARGS)
{
	BootDatum  *d;
	const OpeBootstrap *other;
	AbError		err;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	other = boot_get(PG_GETARG_DATUM(1));
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(boot_datum(other));
	d = boot_for_update(fcinfo, 0);
	if (!ope_boot_merge(&d->boot, other, &err))
		ab_raise(&err);
	PG_RETURN_POINTER(d);
}

/*
 * ope_bootstrap_weight(seed, unit_id, replicate) RETURNS int4: the Poisson(1)
 * weight the rows of unit_id carry in replicate 1..10000 under seed, so
 * that anyone can recompute a replicate outside the database.
 */
PG_FUNCTION_INFO_V1(ope_bootstrap_weight);
Datum
ope_bootstrap_weight(PG_FUNCTION_ARGS)
{
	int64		seed = PG_GETARG_INT64(0),
				unit = PG_GETARG_INT64(1);
	int32		replicate = PG_GETARG_INT32(2);

	if (replicate < 1 || replicate > OPE_BOOT_MAX_REPLICATES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("replicate must be in 1..%d, got %d", OPE_BOOT_MAX_REPLICATES, replicate)));
	PG_RETURN_INT32(ope_boot_weight(seed, unit, replicate - 1));
}

/*
 * ope_bootstrap_report(state, confidence DEFAULT 0.95) RETURNS SETOF
 * ope_result: per estimator the point estimate (of all rows), the
 * replicates' standard deviation as std_error, and the percentile interval.
 */
PG_FUNCTION_INFO_V1(ope_bootstrap_report);
Datum
ope_bootstrap_report(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const OpeBootstrap *b = boot_get(PG_GETARG_DATUM(0));
	double		confidence = PG_GETARG_FLOAT8(1);
	double	   *work = palloc(sizeof(double) * b->replicates);
	int			e;

	ope_check_confidence(confidence);
	InitMaterializedSRF(fcinfo, 0);
	if (rsinfo->setDesc->natts < REPORT_NATTS - 1 || rsinfo->setDesc->natts > REPORT_NATTS)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ope_bootstrap_report must be called in a context that accepts a set of ope_result")));
	for (e = 0; e < OPE_NBASE_ESTIMATORS; e++)
	{
		Datum		values[REPORT_NATTS];
		bool		nulls[REPORT_NATTS] = {false, true, true, true, true, true};
		OpeEstimate est;
		double		se,
					lo,
					hi;

		if (!ope_estimator_available(&b->base, e))
			continue;
		ope_compute_estimate(&b->base, e, -1, &est);
		values[0] = CStringGetTextDatum(ope_estimator_names[e]);
		if (est.has_estimate)
		{
			values[1] = Float8GetDatum(est.estimate);
			nulls[1] = false;
		}
		/* like every interval: none from fewer than two informative rows */
		if (est.has_std_error && ope_boot_interval(b, e, confidence, work, &se, &lo, &hi))
		{
			values[2] = Float8GetDatum(se);
			values[3] = Float8GetDatum(lo);
			values[4] = Float8GetDatum(hi);
			nulls[2] = nulls[3] = nulls[4] = false;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

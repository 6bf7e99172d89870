/*
 * bandit_model_type.c — input, output, send and receive of banditmodel, the
 * datum helpers of bandit_model_pg.h, and bandit_arms.  Decoding and
 * validation live in core/bandit_codec.c and core/bandit_model.c.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"

#include "bandit_codec.h"
#include "bandit_model_pg.h"
#include "pg_glue.h"

void *
bm_palloc(void *ctx, void *ptr, size_t size)
{
	if (ptr == NULL)
		return palloc(size);
	return repalloc(ptr, size);
}

void
bm_check_size(int64 dim, int64 narms, size_t *size)
{
	AbError		err;

	if (!bm_model_size(dim, narms, size, &err))
		ab_raise(&err);
}

const BmHeader *
bm_datum_model(Datum d, size_t *size)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	const BmHeader *h = (const BmHeader *) ((char *) v + BM_DATUM_OFFSET);
	AbError		err;

	if (VARSIZE(v) < BM_DATUM_OFFSET + sizeof(BmHeader))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid banditmodel value of %u bytes", (unsigned) VARSIZE(v))));
	*size = VARSIZE(v) - BM_DATUM_OFFSET;
	if (!bm_validate(h, *size, AB_ERR_BINARY, &err))
		ab_raise(&err);
	return h;
}

Datum
bm_make_datum(const BmHeader *h, size_t size)
{
	struct varlena *v = palloc(BM_DATUM_OFFSET + size);

	SET_VARSIZE(v, BM_DATUM_OFFSET + size);
	memset((char *) v + VARHDRSZ, 0, BM_DATUM_OFFSET - VARHDRSZ);
	memcpy((char *) v + BM_DATUM_OFFSET, h, size);
	return PointerGetDatum(v);
}

struct varlena *
bm_copy_with_room(const BmHeader *h, uint32 extra_arms, BmHeader **copy)
{
	size_t		have,
				room;
	struct varlena *v;

	bm_check_size(h->dim, h->narms, &have);
	bm_check_size(h->dim, (int64) h->narms + extra_arms, &room);
	v = palloc0(BM_DATUM_OFFSET + room);
	*copy = (BmHeader *) ((char *) v + BM_DATUM_OFFSET);
	memcpy(*copy, h, have);
	return v;
}

/*
 * Every model a function builds is checked like one read from outside, so
 * nothing can store a value that would not read back.
 */
void
bm_check_built(const BmHeader *h, size_t size)
{
	AbError		err;

	if (!bm_validate(h, size, AB_ERR_OUT_OF_RANGE, &err))
		ab_raise(&err);
}

Datum
bm_finish_datum(struct varlena *v, BmHeader *h)
{
	size_t		size;

	bm_check_size(h->dim, h->narms, &size);
	bm_check_built(h, size);
	SET_VARSIZE(v, BM_DATUM_OFFSET + size);
	return PointerGetDatum(v);
}

PG_FUNCTION_INFO_V1(banditmodel_in);
Datum
banditmodel_in(PG_FUNCTION_ARGS)
{
	const char *text = PG_GETARG_CSTRING(0);
	BmHeader   *h;
	size_t		size;
	AbError		err;

	if (!bm_from_text(text, strlen(text), bm_palloc, NULL, &h, &size, &err))
		ab_raise(&err);
	PG_RETURN_DATUM(bm_make_datum(h, size));
}

static void
emit_to_stringinfo(void *ctx, const char *text, size_t len)
{
	appendBinaryStringInfo((StringInfo) ctx, text, (int) len);
}

PG_FUNCTION_INFO_V1(banditmodel_out);
Datum
banditmodel_out(PG_FUNCTION_ARGS)
{
	size_t		size;
	const BmHeader *h = PG_GETARG_BANDITMODEL(0, &size);
	StringInfoData buf;

	initStringInfo(&buf);
	bm_to_text(h, emit_to_stringinfo, &buf);
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(banditmodel_recv);
Datum
banditmodel_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	BmHeader   *h;
	size_t		size;
	AbError		err;

	if (!bm_from_binary((const unsigned char *) buf->data + buf->cursor,
						(size_t) (buf->len - buf->cursor), bm_palloc, NULL, &h, &size, &err))
		ab_raise(&err);
	buf->cursor = buf->len;
	PG_RETURN_DATUM(bm_make_datum(h, size));
}

PG_FUNCTION_INFO_V1(banditmodel_send);
Datum
banditmodel_send(PG_FUNCTION_ARGS)
{
	size_t		size;
	const BmHeader *h = PG_GETARG_BANDITMODEL(0, &size);
	bytea	   *out = palloc(VARHDRSZ + size);

	SET_VARSIZE(out, VARHDRSZ + size);
	bm_to_binary(h, (unsigned char *) VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

/* bandit_arms(model) RETURNS TABLE (action int8, n int8, weight float8, mean_reward float8) */
PG_FUNCTION_INFO_V1(bandit_arms);
Datum
bandit_arms(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	const BmHeader *h;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	tupdesc;
		size_t		size;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		h = PG_GETARG_BANDITMODEL(0, &size);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("bandit_arms must be called in a context that accepts a set of records")));
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		funcctx->user_fctx = (void *) h;
		funcctx->max_calls = h->narms;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	h = (const BmHeader *) funcctx->user_fctx;
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		const BmArm *arm = bm_arm_const(h, (uint32) funcctx->call_cntr);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int64GetDatum(arm->action);
		values[1] = Int64GetDatum(arm->n);
		values[2] = Float8GetDatum(arm->weight);
		values[3] = Float8GetDatum(arm->weight > 0.0 ? arm->sum_wr / arm->weight : 0.0);
		nulls[3] = !(arm->weight > 0.0) || !isfinite(DatumGetFloat8(values[3]));
		SRF_RETURN_NEXT(funcctx,
						HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

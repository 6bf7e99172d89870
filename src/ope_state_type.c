/*
 * ope_state_type.c — input, output, send and receive of ope_state, and the
 * datum helpers of ope_state_pg.h.  All decoding and validation is in
 * core/ope_codec.c and core/ope_state.c.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"

#include "ope_codec.h"
#include "ope_state_pg.h"
#include "pg_glue.h"

/* The datum size a state of this many lambdas has (version 2 layout). */
static Size
datum_bytes(int nlambdas)
{
	return OPE_DATUM_HEADER + ope_state_bytes(nlambdas);
}

static pg_noinline void
corrupt(const struct varlena *v)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid ope_state value of %u bytes", (unsigned) VARSIZE(v))));
}

/* Whether v is a well-sized version 2 datum (its contents not yet checked). */
static bool
sized_v2(const struct varlena *v)
{
	const OpeState *s = &((const OpeStateDatum *) v)->state;

	return VARSIZE(v) >= datum_bytes(0) && s->nlambdas <= OPE_MAX_LAMBDAS &&
		VARSIZE(v) == datum_bytes(s->nlambdas);
}

const OpeState *
ope_state_get(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	OpeState   *s;
	AbError		err;

	if (VARSIZE(v) == OPE_DATUM_HEADER + OPE_STATE_V1_BYTES)
	{
		/* 1.0/1.1: the same fields, without the ranges */
		s = palloc0(sizeof(OpeState));
		memcpy(s, (char *) v + OPE_DATUM_HEADER, OPE_STATE_V1_BYTES);
		if (!ope_state_upgrade_v1(s, AB_ERR_BINARY, &err))
			ab_raise(&err);
	}
	else if (sized_v2(v))
		s = &((OpeStateDatum *) v)->state;
	else
		corrupt(v);
	if (!ope_state_validate(s, AB_ERR_BINARY, &err))
		ab_raise(&err);
	return s;
}

OpeStateDatum *
ope_state_make_datum(const OpeState *s)
{
	Size		size = datum_bytes(s->nlambdas);
	OpeStateDatum *d = palloc0(size);

	SET_VARSIZE(d, size);
	memcpy(&d->state, s, ope_state_bytes(s->nlambdas));
	return d;
}

OpeStateDatum *
ope_state_for_update(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v = (struct varlena *) PG_GETARG_POINTER(argno);

	if (AggCheckCallContext(fcinfo, NULL) && !VARATT_IS_EXTENDED(v) && sized_v2(v))
		return (OpeStateDatum *) v;
	return ope_state_make_datum(ope_state_get(PointerGetDatum(v)));
}

PG_FUNCTION_INFO_V1(ope_state_in);
Datum
ope_state_in(PG_FUNCTION_ARGS)
{
	const char *text = PG_GETARG_CSTRING(0);
	OpeStateBuf *buf = palloc(sizeof(OpeStateBuf));
	AbError		err;

	if (!ope_state_from_text(text, strlen(text), &buf->state, &err))
		ab_raise(&err);
	PG_RETURN_OPE_STATE(ope_state_make_datum(&buf->state));
}

PG_FUNCTION_INFO_V1(ope_state_out);
Datum
ope_state_out(PG_FUNCTION_ARGS)
{
	const OpeState *s = ope_state_get(PG_GETARG_DATUM(0));
	char	   *buf = palloc(ope_state_text_max(s));

	ope_state_to_text(s, buf);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(ope_state_recv);
Datum
ope_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	in = (StringInfo) PG_GETARG_POINTER(0);
	OpeStateBuf *buf = palloc(sizeof(OpeStateBuf));
	AbError		err;

	if (!ope_state_from_binary((const unsigned char *) in->data + in->cursor,
							   (size_t) (in->len - in->cursor), &buf->state, &err))
		ab_raise(&err);
	in->cursor = in->len;
	PG_RETURN_OPE_STATE(ope_state_make_datum(&buf->state));
}

PG_FUNCTION_INFO_V1(ope_state_send);
Datum
ope_state_send(PG_FUNCTION_ARGS)
{
	const OpeState *s = ope_state_get(PG_GETARG_DATUM(0));
	size_t		size = ope_state_binary_size(s);
	unsigned char *bin = palloc(size);
	StringInfoData buf;

	ope_state_to_binary(s, bin);
	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) bin, size);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

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

static void
check_datum_size(const struct varlena *v)
{
	if (VARSIZE(v) != sizeof(OpeStateDatum))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid ope_state value: %u bytes, expected %u",
						(unsigned) VARSIZE(v), (unsigned) sizeof(OpeStateDatum))));
}

void
ope_state_from_datum(Datum d, OpeState *out)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	AbError		err;

	check_datum_size(v);
	memcpy(out, &((OpeStateDatum *) v)->state, sizeof(OpeState));
	if (!ope_state_validate(out, AB_ERR_BINARY, &err))
		ab_raise(&err);
}

OpeStateDatum *
ope_state_make_datum(const OpeState *s)
{
	OpeStateDatum *d = palloc0(sizeof(OpeStateDatum));

	SET_VARSIZE(d, sizeof(OpeStateDatum));
	d->state = *s;
	return d;
}

OpeStateDatum *
ope_state_for_update(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v = (struct varlena *) PG_GETARG_POINTER(argno);
	OpeState	copy;

	if (AggCheckCallContext(fcinfo, NULL) && !VARATT_IS_EXTENDED(v))
	{
		check_datum_size(v);
		return (OpeStateDatum *) v;
	}
	ope_state_from_datum(PointerGetDatum(v), &copy);
	return ope_state_make_datum(&copy);
}

PG_FUNCTION_INFO_V1(ope_state_in);
Datum
ope_state_in(PG_FUNCTION_ARGS)
{
	const char *text = PG_GETARG_CSTRING(0);
	OpeState	s;
	AbError		err;

	if (!ope_state_from_text(text, strlen(text), &s, &err))
		ab_raise(&err);
	PG_RETURN_OPE_STATE(ope_state_make_datum(&s));
}

PG_FUNCTION_INFO_V1(ope_state_out);
Datum
ope_state_out(PG_FUNCTION_ARGS)
{
	OpeState	s;
	char	   *buf = palloc(OPE_TEXT_MAX);

	ope_state_from_datum(PG_GETARG_DATUM(0), &s);
	ope_state_to_text(&s, buf);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(ope_state_recv);
Datum
ope_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	OpeState	s;
	AbError		err;

	if (!ope_state_from_binary((const unsigned char *) buf->data + buf->cursor,
							   (size_t) (buf->len - buf->cursor), &s, &err))
		ab_raise(&err);
	buf->cursor = buf->len;
	PG_RETURN_OPE_STATE(ope_state_make_datum(&s));
}

PG_FUNCTION_INFO_V1(ope_state_send);
Datum
ope_state_send(PG_FUNCTION_ARGS)
{
	OpeState	s;
	unsigned char bin[OPE_BINARY_SIZE];
	StringInfoData buf;

	ope_state_from_datum(PG_GETARG_DATUM(0), &s);
	ope_state_to_binary(&s, bin);
	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) bin, OPE_BINARY_SIZE);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * jsonb_casts.c — casts of the extension's state types to jsonb.
 *
 * Each type's text form is already JSON (its codec in src/core writes it,
 * an infinite lambda as the string "Infinity"), so a cast is the type's
 * output function followed by jsonb_in: the jsonb holds the very fields and
 * digits of the text form (jsonb keeps numbers as numeric, so every double
 * arrives exactly).  Clients that parse jsonb (psycopg2, node-postgres) then
 * receive an object instead of a string.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/fmgrprotos.h"

/* the output functions, in their types' files */
extern PGDLLEXPORT Datum ope_state_out(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum banditmodel_out(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum ope_bootstrap_state_out(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum ope_pair_state_out(PG_FUNCTION_ARGS);

/* jsonb of value's text form, written by its type's output function */
static Datum
text_form_to_jsonb(PGFunction out, Datum value)
{
	return DirectFunctionCall1(jsonb_in, DirectFunctionCall1(out, value));
}

PG_FUNCTION_INFO_V1(ope_state_to_jsonb);
Datum
ope_state_to_jsonb(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(text_form_to_jsonb(ope_state_out, PG_GETARG_DATUM(0)));
}

PG_FUNCTION_INFO_V1(banditmodel_to_jsonb);
Datum
banditmodel_to_jsonb(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(text_form_to_jsonb(banditmodel_out, PG_GETARG_DATUM(0)));
}

PG_FUNCTION_INFO_V1(ope_bootstrap_state_to_jsonb);
Datum
ope_bootstrap_state_to_jsonb(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(text_form_to_jsonb(ope_bootstrap_state_out, PG_GETARG_DATUM(0)));
}

PG_FUNCTION_INFO_V1(ope_pair_state_to_jsonb);
Datum
ope_pair_state_to_jsonb(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(text_form_to_jsonb(ope_pair_state_out, PG_GETARG_DATUM(0)));
}

/*
 * features.c — feature_hash(tokens text[], dim int4) → float8[]: signed
 * feature hashing of categorical tokens (rules in core/feature_hash.h).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"

#include "feature_hash.h"
#include "pg_arrays.h"
#include "pg_glue.h"

/*
 * feature_hash(tokens text[], dim int4) RETURNS float8[]
 *
 * A float8[dim] (lower bound 1) where each token adds +1 or -1 at its
 * bucket.  Tokens are hashed as the bytes of the text in the database
 * encoding; the array's own lower bound does not matter.
 */
PG_FUNCTION_INFO_V1(feature_hash);
Datum
feature_hash(PG_FUNCTION_ARGS)
{
	int32		dim = PG_GETARG_INT32(1);
	ArrayType  *tokens;
	ArrayIterator it;
	Datum		value;
	bool		isnull;
	double	   *sums;
	int64		position = 0;
	AbError		err;

	/* the size limit comes first, before anything is allocated */
	if (!feature_hash_check_dim(dim, &err))
		ab_raise(&err);

	tokens = PG_GETARG_ARRAYTYPE_P(0);
	if (ARR_NDIM(tokens) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tokens must be a one-dimensional array, got %d dimensions",
						ARR_NDIM(tokens))));

	sums = palloc0(sizeof(double) * dim);
	it = array_create_iterator(tokens, 0, NULL);
	while (array_iterate(it, &value, &isnull))
	{
		text	   *token;

		CHECK_FOR_INTERRUPTS();
		position++;
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("tokens must not contain NULL elements"),
					 errdetail("Element tokens[%lld] is NULL.",
							   (long long) ARR_LBOUND(tokens)[0] + position - 1)));
		token = DatumGetTextPP(value);
		feature_hash_add(sums, dim, VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token));
	}
	array_free_iterator(it);

	PG_RETURN_DATUM(float8_array_datum(sums, dim));
}

/*
 * pg_arrays.c — see pg_arrays.h.
 */
#include "pg_arrays.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

/* Shared checks: one dimension (or empty), no NULL elements, size. */
static ArrayType *
checked_array(ArrayType *a, const char *name, int max_len, int *len)
{
	int			n;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array, got %d dimensions", name, ARR_NDIM(a))));
	n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	if (n > max_len)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has %d elements, more than the limit of %d", name, n, max_len)));
	if (array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not contain NULL elements", name)));
	*len = n;
	return a;
}

const double *
float8_array_values(ArrayType *a, const char *name, int max_len, int *len)
{
	return (const double *) ARR_DATA_PTR(checked_array(a, name, max_len, len));
}

const double *
float8_array_arg(FunctionCallInfo fcinfo, int argno, const char *name, int max_len, int *len)
{
	return float8_array_values(PG_GETARG_ARRAYTYPE_P(argno), name, max_len, len);
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a,
				y = *(const int64 *) b;

	return (x > y) - (x < y);
}

const int64 *
int8_array_arg(FunctionCallInfo fcinfo, int argno, const char *name, int max_len,
			   bool unique, int *len)
{
	return int8_array_values(PG_GETARG_ARRAYTYPE_P(argno), name, max_len, unique, len);
}

const int64 *
int8_array_values(ArrayType *a, const char *name, int max_len, bool unique, int *len)
{
	const int64 *values = (const int64 *) ARR_DATA_PTR(checked_array(a, name, max_len, len));

	if (unique && *len > 1)
	{
		int64	   *sorted = palloc(sizeof(int64) * *len);
		int			i;

		memcpy(sorted, values, sizeof(int64) * *len);
		qsort(sorted, *len, sizeof(int64), cmp_int64);
		for (i = 1; i < *len; i++)
			if (sorted[i] == sorted[i - 1])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s must not contain duplicates, but %lld appears twice",
								name, (long long) sorted[i])));
		pfree(sorted);
	}
	return values;
}

Datum
float8_array_datum(const double *values, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * (n > 0 ? n : 1));
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = Float8GetDatum(values[i]);
	return PointerGetDatum(construct_array(elems, n, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

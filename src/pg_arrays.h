/*
 * pg_arrays.h — reading float8[] and int8[] arguments safely (one
 * dimension, no NULL elements, size limits) and building float8[] results.
 */
#ifndef PG_ARRAYS_H
#define PG_ARRAYS_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"

/*
 * The elements of a one-dimensional float8[] argument with no NULLs and at
 * most max_len elements; name is used in error messages.  An empty array
 * gives *len = 0.
 */
const double *float8_array_arg(FunctionCallInfo fcinfo, int argno, const char *name,
							   int max_len, int *len);

/* The same for int8[]; duplicates are rejected when unique is true. */
const int64 *int8_array_arg(FunctionCallInfo fcinfo, int argno, const char *name,
							int max_len, bool unique, int *len);

/* The same checks on an array value (detoasted) rather than an argument. */
const double *float8_array_values(ArrayType *a, const char *name, int max_len, int *len);
const int64 *int8_array_values(ArrayType *a, const char *name, int max_len, bool unique,
							   int *len);

/* A new one-dimensional float8[] holding values. */
Datum		float8_array_datum(const double *values, int n);

#endif

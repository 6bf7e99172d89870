/*
 * feature_hash.h — signed feature hashing of categorical tokens, exactly as
 * scikit-learn's FeatureHasher(n_features=dim, input_type='string',
 * alternate_sign=True) computes it, so that vectors built in the database
 * can be reproduced outside it (and vice versa).
 *
 * For a vector out[0 .. dim-1] (SQL positions 1 .. dim), starting at zero,
 * and each token t in turn:
 *
 *   h     = MurmurHash3_x86_32(bytes of t, seed 0), read as a signed int32
 *           (two's complement: values >= 2^31 become value - 2^32);
 *   index = |h| mod dim, with |INT32_MIN| taken as 2^31, i.e.
 *           index = 2^31 mod dim when h = -2^31 (scikit-learn writes this
 *           case as (2147483647 - (dim - 1)) % dim, which is the same
 *           number; it is the one value whose absolute value overflows int32);
 *   sign  = +1 if h >= 0, -1 if h < 0 (so h = -2^31 counts -1);
 *   out[index] += sign.
 *
 * Equal tokens add up, and so do tokens that collide (with their signs, so
 * colliding tokens of opposite signs cancel, which is the point of the
 * alternating sign: inner products are unbiased).  The order of the tokens
 * does not matter.  Tokens are hashed as their bytes, with no case folding,
 * trimming or Unicode normalisation: in a UTF-8 database 'é' is the two
 * bytes C3 A9, as Python's str.encode('utf-8') gives in scikit-learn.
 *
 * 1 <= dim <= FEATURE_HASH_MAX_DIM.  The hash is murmur3_x86_32
 * (murmur3.h), which is platform-stable.
 */
#ifndef FEATURE_HASH_H
#define FEATURE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ab_error.h"

/* 2^20 buckets, an 8 MB float8[]: far beyond useful hashing dimensions. */
#define FEATURE_HASH_MAX_DIM 1048576

/*
 * Check a requested dimension: below 1 is AB_ERR_VALUE, above
 * FEATURE_HASH_MAX_DIM is AB_ERR_LIMIT.
 */
bool		feature_hash_check_dim(int64_t dim, AbError *err);

/* The signed 32-bit hash of a token: MurmurHash3_x86_32, seed 0. */
int32_t		feature_hash_token_hash(const void *token, size_t len);

/*
 * The bucket (0-based, < dim) and the sign (+1 or -1) of a hash h, by the
 * rules above; dim must have passed feature_hash_check_dim.
 */
void		feature_hash_bucket(int32_t h, int32_t dim, int32_t *index, int *sign);

/*
 * Add one token's signed count to out[0 .. dim-1]; dim must have passed
 * feature_hash_check_dim.
 */
void		feature_hash_add(double *out, int32_t dim, const void *token, size_t len);

#endif

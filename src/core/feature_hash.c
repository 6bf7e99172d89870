/*
 * feature_hash.c — signed feature hashing (the hashing trick), as
 * scikit-learn's FeatureHasher(alternate_sign=True) does it; see
 * feature_hash.h for the exact rules.
 *
 * References: K. Weinberger, A. Dasgupta, J. Langford, A. Smola,
 * J. Attenberg, "Feature Hashing for Large Scale Multitask Learning",
 * ICML 2009 (the signed hash keeps inner products unbiased);
 * sklearn/feature_extraction/_hashing_fast.pyx (index and sign rules).
 */
#include "feature_hash.h"

#include "murmur3.h"

bool
feature_hash_check_dim(int64_t dim, AbError *err)
{
	if (dim < 1)
		return ab_fail(err, AB_ERR_VALUE, "dim must be positive, got %lld",
					   (long long) dim);
	if (dim > FEATURE_HASH_MAX_DIM)
	{
		ab_fail(err, AB_ERR_LIMIT, "dim must be at most %d, got %lld",
				FEATURE_HASH_MAX_DIM, (long long) dim);
		ab_detail(err, "Feature hashing vectors are limited to %d elements.",
				  FEATURE_HASH_MAX_DIM);
		return false;
	}
	return true;
}

int32_t
feature_hash_token_hash(const void *token, size_t len)
{
	uint32_t	u = murmur3_x86_32(token, len, 0);

	/* two's complement reading without implementation-defined conversion */
	if (u <= (uint32_t) INT32_MAX)
		return (int32_t) u;
	return (int32_t) (u - 2147483648u) - INT32_MAX - 1;
}

void
feature_hash_bucket(int32_t h, int32_t dim, int32_t *index, int *sign)
{
	/*
	 * |h| as an unsigned 32-bit number: exact for every h, including
	 * INT32_MIN, whose |h| = 2^31 gives 2^31 mod dim, the same bucket as
	 * scikit-learn's (2147483647 - (dim - 1)) % dim.
	 */
	uint32_t	mag = h < 0 ? 0u - (uint32_t) h : (uint32_t) h;

	*index = (int32_t) (mag % (uint32_t) dim);
	*sign = h < 0 ? -1 : 1;
}

void
feature_hash_add(double *out, int32_t dim, const void *token, size_t len)
{
	int32_t		index;
	int			sign;

	feature_hash_bucket(feature_hash_token_hash(token, len), dim, &index, &sign);
	out[index] += sign;
}

/*
 * MurmurHash3_x86_32 and signed feature hashing against independent
 * references:
 *  - published vectors (SMHasher's verification value, the vectors quoted on
 *    Wikipedia and in many ports);
 *  - values computed with Perl's Digest::MurmurHash3::PurePerl and checked
 *    again with scikit-learn 1.2.1's sklearn.utils.murmurhash3_32 (which
 *    wraps Appleby's C++ reference), for every tail length 0 to 3 mod 4,
 *    UTF-8 multi-byte tokens and bytes >= 0x80;
 *  - the bucket of h = INT32_MIN as scikit-learn's FeatureHasher puts it
 *    ((2147483647 - (dim - 1)) % dim, the outputs of
 *    FeatureHasher(n_features=dim).transform([['tok=aadz-ciD']]) noted below).
 */
#include <stdint.h>
#include <string.h>

#include "feature_hash.h"
#include "murmur3.h"
#include "unit.h"

typedef struct HashVector
{
	const char *key;
	size_t		len;
	uint32_t	seed;
	uint32_t	hash;
} HashVector;

#define V(s, seed, h) {s, sizeof(s) - 1, seed, h}

static const HashVector vectors[] = {
	/* published */
	V("", 0, 0x00000000u),
	V("", 1, 0x514E28B7u),
	V("", 0xffffffffu, 0x81F16F39u),
	V("\0\0\0\0", 0, 0x2362F9DEu),
	V("aaaa", 0x9747b28cu, 0x5A97808Au),
	V("Hello, world!", 0x9747b28cu, 0x24884CBAu),
	V("The quick brown fox jumps over the lazy dog", 0x9747b28cu, 0x2FA826CDu),
	/* Perl Digest::MurmurHash3::PurePerl = sklearn murmurhash3_32 */
	V("", 0x9747b28cu, 0xebb6c228u),
	V("a", 0, 0x3c2569b2u),
	V("ab", 0, 0x9bbfd75fu),
	V("abc", 0, 0xb3dd93fau),
	V("abcd", 0, 0x43ed676au),
	V("abcde", 0, 0xe89b9af6u),
	V("abcdef", 0, 0x6181c085u),
	V("abcdefg", 0, 0x883c9b06u),
	V("abcdefgh", 0, 0x49ddccc4u),
	V("a", 0x9747b28cu, 0x7fa09ea6u),
	V("ab", 0x9747b28cu, 0x74875592u),
	V("abc", 0x9747b28cu, 0xc84a62ddu),
	V("abcd", 0x9747b28cu, 0xf0478627u),
	V("abcde", 0x9747b28cu, 0xe915b832u),
	V("abcdef", 0x9747b28cu, 0x53f930c5u),
	V("abcdefg", 0x9747b28cu, 0xbf71efb0u),
	V("abcdefgh", 0x9747b28cu, 0xcf0266e4u),
	V("country=BR", 0, 0xec6c09e3u),
	V("genre=anime", 0, 0x9e4d6eb1u),
	V("\xc3\xa9", 0, 0x10110787u),	/* é */
	V("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0, 0xa5a47297u),	/* 日本語 */
	V("\xf0\x9f\x98\x80", 0, 0xbeb42efau),	/* U+1F600 */
	/* sklearn only (bytes that are not UTF-8): catches signed-char bugs */
	V("\xff\xfe\x80", 0, 0x12cb5f1fu),
	V("\xff\xfe\x80\x01\x00", 7, 0x382455f5u),
	/* found by inverting the hash; Perl and sklearn both give 0x80000000 */
	V("tok=aadz-ciD", 0, 0x80000000u),
	V("tok=aaip9=Wn", 0, 0x80000000u),
};

/* SMHasher's VerificationTest: hash keys {}, {0}, {0,1}, ... with seed 256-i. */
static uint32_t
smhasher_verification(void)
{
	unsigned char key[256];
	unsigned char hashes[256 * 4];
	int			i;

	for (i = 0; i < 256; i++)
	{
		uint32_t	h;

		key[i] = (unsigned char) i;
		h = murmur3_x86_32(key, (size_t) i, 256u - (uint32_t) i);
		hashes[i * 4] = (unsigned char) h;
		hashes[i * 4 + 1] = (unsigned char) (h >> 8);
		hashes[i * 4 + 2] = (unsigned char) (h >> 16);
		hashes[i * 4 + 3] = (unsigned char) (h >> 24);
	}
	return murmur3_x86_32(hashes, sizeof(hashes), 0);
}

static void
check_bucket(int32_t h, int32_t dim, int32_t want_index, int want_sign)
{
	int32_t		index = -1;
	int			sign = 0;

	feature_hash_bucket(h, dim, &index, &sign);
	CHECK(index == want_index);
	CHECK(sign == want_sign);
	if (index != want_index || sign != want_sign)
		fprintf(stderr, "  h=%ld dim=%ld: got (%ld, %d), expected (%ld, %d)\n",
				(long) h, (long) dim, (long) index, sign, (long) want_index, want_sign);
}

static void
test_murmur3_vectors(void)
{
	size_t		i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
	{
		uint32_t	got = murmur3_x86_32(vectors[i].key, vectors[i].len, vectors[i].seed);

		CHECK(got == vectors[i].hash);
		if (got != vectors[i].hash)
			fprintf(stderr, "  vector %zu (len %zu): got 0x%08lx, expected 0x%08lx\n",
					i, vectors[i].len, (unsigned long) got, (unsigned long) vectors[i].hash);
	}
	CHECK(murmur3_x86_32(NULL, 0, 0) == 0);
	CHECK(smhasher_verification() == 0xB0F57EE3u);
}

/* The hash depends on the bytes only, not on where they sit in memory. */
static void
test_murmur3_alignment(void)
{
	const char *msg = "The quick brown fox jumps over the lazy dog";
	size_t		len = strlen(msg);
	unsigned char buf[64 + 8];
	int			off;

	for (off = 0; off < 8; off++)
	{
		memset(buf, 0xAA, sizeof(buf));
		memcpy(buf + off, msg, len);
		CHECK(murmur3_x86_32(buf + off, len, 0x9747b28cu) == 0x2FA826CDu);
	}
}

static void
test_signed_hash(void)
{
	/* unsigned hash read as a two's complement int32 */
	CHECK(feature_hash_token_hash("", 0) == 0);
	CHECK(feature_hash_token_hash("a", 1) == 1009084850);
	CHECK(feature_hash_token_hash("abc", 3) == -1277324294);
	CHECK(feature_hash_token_hash("country=BR", 10) == -328463901);
	CHECK(feature_hash_token_hash("genre=anime", 11) == -1639092559);
	CHECK(feature_hash_token_hash("\xc3\xa9", 2) == 269551495);
	CHECK(feature_hash_token_hash("tok=aadz-ciD", 12) == INT32_MIN);
}

static void
test_buckets(void)
{
	int32_t		dim;
	unsigned long long seed = 42;
	int			i;

	/* by hand: |h| mod dim, sign of h */
	check_bucket(0, 1, 0, 1);
	check_bucket(0, 7, 0, 1);
	check_bucket(7, 5, 2, 1);
	check_bucket(-7, 5, 2, -1);
	check_bucket(-1, 1, 0, -1);
	check_bucket(INT32_MAX, 1000, 647, 1);
	check_bucket(-INT32_MAX, 1000, 647, -1);
	check_bucket(INT32_MAX, FEATURE_HASH_MAX_DIM, 1048575, 1);

	/*
	 * h = INT32_MIN: 2^31 mod dim, sign -1.  What sklearn 1.2.1's
	 * FeatureHasher gave for the token 'tok=aadz-ciD' (h = INT32_MIN):
	 * dim 1 -> 0, 2 -> 0, 3 -> 2, 5 -> 3, 7 -> 2, 10 -> 8, 1000 -> 648,
	 * 1048576 -> 0, 2147483647 -> 1, always with value -1.
	 */
	check_bucket(INT32_MIN, 1, 0, -1);
	check_bucket(INT32_MIN, 2, 0, -1);
	check_bucket(INT32_MIN, 3, 2, -1);
	check_bucket(INT32_MIN, 5, 3, -1);
	check_bucket(INT32_MIN, 7, 2, -1);
	check_bucket(INT32_MIN, 10, 8, -1);
	check_bucket(INT32_MIN, 1000, 648, -1);
	check_bucket(INT32_MIN, FEATURE_HASH_MAX_DIM, 0, -1);
	check_bucket(INT32_MIN, INT32_MAX, 1, -1);

	/* sklearn's own spelling of that case, for every dim up to the limit */
	for (dim = 1; dim <= FEATURE_HASH_MAX_DIM; dim++)
	{
		int32_t		index;
		int			sign;

		feature_hash_bucket(INT32_MIN, dim, &index, &sign);
		if (index != (int32_t) ((2147483647LL - (dim - 1)) % dim) || sign != -1)
		{
			CHECK(!"INT32_MIN bucket differs from sklearn's formula");
			fprintf(stderr, "  dim %ld: index %ld\n", (long) dim, (long) index);
			break;
		}
	}
	CHECK(dim > FEATURE_HASH_MAX_DIM);

	/* every other h: |h| computed in 64 bits */
	for (i = 0; i < 100000; i++)
	{
		int32_t		h = (int32_t) ((int64_t) (unit_rand_u64(&seed) % 4294967296ULL) - 2147483648LL);
		int32_t		d = (int32_t) (1 + unit_rand_u64(&seed) % FEATURE_HASH_MAX_DIM);
		int64_t		mag = h < 0 ? -(int64_t) h : (int64_t) h;
		int32_t		index;
		int			sign;

		feature_hash_bucket(h, d, &index, &sign);
		if (index != (int32_t) (mag % d) || sign != (h >= 0 ? 1 : -1))
		{
			CHECK(!"bucket differs from |h| mod dim");
			fprintf(stderr, "  h %ld dim %ld: (%ld, %d)\n", (long) h, (long) d, (long) index, sign);
			break;
		}
	}
}

static void
test_add(void)
{
	double		out[10];
	double		big[1000];
	int			i;

	memset(out, 0, sizeof(out));
	/* country=BR: h = -328463901 -> bucket 1, -1; genre=anime: h = -1639092559 -> 9, -1 */
	feature_hash_add(out, 10, "country=BR", 10);
	feature_hash_add(out, 10, "genre=anime", 11);
	feature_hash_add(out, 10, "genre=anime", 11);
	/* a: h = 1009084850 -> bucket 0, +1 */
	feature_hash_add(out, 10, "a", 1);
	/* tok=aadz-ciD: h = INT32_MIN -> bucket 2^31 mod 10 = 8, -1 */
	feature_hash_add(out, 10, "tok=aadz-ciD", 12);
	for (i = 0; i < 10; i++)
		CHECK(out[i] == (i == 0 ? 1.0 : i == 1 ? -1.0 : i == 8 ? -1.0 : i == 9 ? -2.0 : 0.0));

	/* dim 1: the sum of the signs; abc (-) and a (+) cancel */
	out[0] = 0;
	feature_hash_add(out, 1, "a", 1);
	feature_hash_add(out, 1, "abc", 3);
	feature_hash_add(out, 1, "country=BR", 10);
	CHECK(out[0] == -1.0);

	/* tok=aadz-ciD at dim 1000 lands where sklearn puts it: 648, -1 */
	memset(big, 0, sizeof(big));
	feature_hash_add(big, 1000, "tok=aadz-ciD", 12);
	CHECK(big[648] == -1.0);
}

static void
test_check_dim(void)
{
	AbError		err;

	CHECK(feature_hash_check_dim(1, &err));
	CHECK(feature_hash_check_dim(FEATURE_HASH_MAX_DIM, &err));
	CHECK(!feature_hash_check_dim(0, &err) && err.kind == AB_ERR_VALUE);
	CHECK(strcmp(err.message, "dim must be positive, got 0") == 0);
	CHECK(!feature_hash_check_dim(-5, &err) && err.kind == AB_ERR_VALUE);
	CHECK(!feature_hash_check_dim(INT64_MIN, &err) && err.kind == AB_ERR_VALUE);
	CHECK(!feature_hash_check_dim(FEATURE_HASH_MAX_DIM + 1LL, &err) &&
		  err.kind == AB_ERR_LIMIT);
	CHECK(strcmp(err.message, "dim must be at most 1048576, got 1048577") == 0);
	CHECK(!feature_hash_check_dim(INT32_MAX, &err) && err.kind == AB_ERR_LIMIT);
	CHECK(!feature_hash_check_dim(0, NULL));
}

void
test_feature_hash(void)
{
	test_murmur3_vectors();
	test_murmur3_alignment();
	test_signed_hash();
	test_buckets();
	test_add();
	test_check_dim();
}

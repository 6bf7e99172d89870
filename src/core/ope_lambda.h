/*
 * ope_lambda.h — clipping, switching and shrinkage: the lambda section of
 * an OpeState (API.md section 4; the Open Bandit Pipeline's definitions).
 *
 * For each lambda of a state, with w = pi / mu, e = r - q and a modified
 * weight c(w) (0 for an unmatched row, w = 0):
 *   ipw_clip   (1/n) sum c r              c = min(w, lambda)
 *   dr_clip    (1/n) sum [v + c e]        c = min(w, lambda)
 *   switch_dr  (1/n) sum [v + c e]        c = w 1{w <= lambda}
 *   dr_os      (1/n) sum [v + c e]        c = lambda w / (w^2 + lambda)
 *                                           = w / (1 + w^2 / lambda)
 * (lambda = Infinity gives c = w: IPS and DR; lambda = 0 gives c = 0 for
 * every matched row of dr_clip and dr_os).  Each estimate and the sample
 * variance of its per-row terms come from the sums of c r and (c r)^2
 * (ipw_clip), or of c e, (c e)^2 and v c e (the DR variants), with the
 * state's own sum v and sum v^2: the "logical" sums below.
 *
 * Buckets.  Clipping and switching depend on lambda only through whether
 * w <= lambda, so a matched row is kept once, in the bucket J of the
 * smallest lambda_J >= w (J = L when w is above them all): for lambda_j it
 * is unclipped (c = w) when J <= j and clipped (c = lambda_j, or 0 for
 * switching) when J > j.  A bucket holds the row's unclipped terms (w r,
 * (w r)^2, w e, (w e)^2, v w e) and its clipped ones scaled by b_J =
 * lambda_(J-1), the largest lambda that clips it (b r, (b r)^2, b e,
 * (b e)^2, v b e): lambda_j times a clipped term is (lambda_j / b_J) times
 * the stored one, and the stored ones are bounded by the unclipped (b < w),
 * so nothing overflows that the state's own checks allow.  A row thus costs
 * ten sums whatever the number of lambdas; shrinkage, which changes every
 * w, keeps three sums per lambda.  The logical sums of lambda_j are
 * prefix and suffix sums over the buckets, formed in double-double when
 * read (ope_lambda_logical).
 *
 * Layout, after the OpeState (L = nlambdas, B = L + 1 buckets; structure
 * of arrays, so that neighbouring entries sit side by side for SIMD):
 *   double  lambda[L]               strictly increasing, >= 0, +Infinity allowed
 *   int64   count[B]                matched rows per bucket
 *   double  bhi[B][OPE_LBNSUMS],  blo[B][OPE_LBNSUMS]    bucket sums (hi + lo), a
 *                                   bucket's ten side by side
 *   double  ohi[OPE_LONSUMS][L],  olo[OPE_LONSUMS][L]    shrinkage sums, the
 *                                   lambdas side by side
 */
#ifndef OPE_LAMBDA_H
#define OPE_LAMBDA_H

#include "ddouble.h"
#include "ope_state.h"

/* Sums kept per bucket. */
typedef enum OpeLambdaBucketSum
{
	OPE_LB_WR,					/* sum w r */
	OPE_LB_WR2,					/* sum (w r)^2 */
	OPE_LB_BR,					/* sum b r, b = lambda_(J-1) (0 in bucket 0) */
	OPE_LB_BR2,					/* sum (b r)^2 */
	OPE_LB_WE,					/* dr: sum w e */
	OPE_LB_WE2,					/* dr: sum (w e)^2 */
	OPE_LB_VWE,					/* dr: sum v w e */
	OPE_LB_BE,					/* dr: sum b e */
	OPE_LB_BE2,					/* dr: sum (b e)^2 */
	OPE_LB_VBE,					/* dr: sum v b e */
	OPE_LBNSUMS
} OpeLambdaBucketSum;

#define OPE_LB_FIRST_DR_SUM OPE_LB_WE

/* Sums kept per lambda (shrinkage), c = w / (1 + w^2 / lambda). */
typedef enum OpeLambdaOsSum
{
	OPE_LO_CE,					/* dr: sum c e */
	OPE_LO_CE2,					/* dr: sum (c e)^2 */
	OPE_LO_VCE,					/* dr: sum v c e */
	OPE_LONSUMS
} OpeLambdaOsSum;

/* The logical sums of one lambda, as the estimators read them. */
typedef enum OpeLambdaSum
{
	OPE_L_IPW,					/* sum c r, c = min(w, lambda) */
	OPE_L_IPW2,					/* sum (c r)^2 */
	OPE_L_CLIP,					/* dr: sum c e, c = min(w, lambda) */
	OPE_L_CLIP2,				/* dr: sum (c e)^2 */
	OPE_L_CLIPV,				/* dr: sum v c e */
	OPE_L_SW,					/* dr: sum c e, c = w 1{w <= lambda} */
	OPE_L_SW2,
	OPE_L_SWV,
	OPE_L_OS,					/* dr: sum c e, c = w / (1 + w^2 / lambda) */
	OPE_L_OS2,
	OPE_L_OSV,
	OPE_LNSUMS
} OpeLambdaSum;

extern const char *const ope_lambda_bucket_sum_names[OPE_LBNSUMS];
extern const char *const ope_lambda_os_sum_names[OPE_LONSUMS];

/* Views of the lambda section of s (nlambdas > 0). */
static inline double *
ope_lambdas(const OpeState *s)
{
	return (double *) (uintptr_t) ((const char *) s + sizeof(OpeState));
}

static inline int64_t *
ope_lambda_counts(const OpeState *s)
{
	return (int64_t *) (void *) (ope_lambdas(s) + s->nlambdas);
}

/* The hi and lo planes of the bucket sums: bucket J's sum k at J * OPE_LBNSUMS + k. */
static inline double *
ope_lambda_bhi(const OpeState *s)
{
	return (double *) (void *) (ope_lambda_counts(s) + s->nlambdas + 1);
}

static inline double *
ope_lambda_blo(const OpeState *s)
{
	return ope_lambda_bhi(s) + (size_t) (s->nlambdas + 1) * OPE_LBNSUMS;
}

/* The hi and lo planes of shrinkage sum k: nlambdas entries. */
static inline double *
ope_lambda_ohi(const OpeState *s, int k)
{
	return ope_lambda_blo(s) + (size_t) (s->nlambdas + 1) * OPE_LBNSUMS + (size_t) k * s->nlambdas;
}

static inline double *
ope_lambda_olo(const OpeState *s, int k)
{
	return ope_lambda_ohi(s, OPE_LONSUMS + k);
}

/* Bucket J's sum k, and lambda j's shrinkage sum k, as CompSums. */
static inline CompSum
ope_lambda_bucket_sum(const OpeState *s, int J, int k)
{
	size_t		i = (size_t) J * OPE_LBNSUMS + k;
	CompSum		c = {ope_lambda_bhi(s)[i], ope_lambda_blo(s)[i]};

	return c;
}

static inline void
ope_lambda_set_bucket_sum(OpeState *s, int J, int k, CompSum c)
{
	size_t		i = (size_t) J * OPE_LBNSUMS + k;

	ope_lambda_bhi(s)[i] = c.hi;
	ope_lambda_blo(s)[i] = c.lo;
}

static inline CompSum
ope_lambda_os_sum(const OpeState *s, int j, int k)
{
	CompSum		c = {ope_lambda_ohi(s, k)[j], ope_lambda_olo(s, k)[j]};

	return c;
}

static inline void
ope_lambda_set_os_sum(OpeState *s, int j, int k, CompSum c)
{
	ope_lambda_ohi(s, k)[j] = c.hi;
	ope_lambda_olo(s, k)[j] = c.lo;
}

/* Bytes of a lambda section of n lambdas. */
static inline size_t
ope_lambda_section_bytes(int n)
{
	return n == 0 ? 0 :
		(size_t) n * sizeof(double) + (size_t) (n + 1) * sizeof(int64_t) +
		(size_t) (n + 1) * OPE_LBNSUMS * sizeof(CompSum) + (size_t) n * OPE_LONSUMS * sizeof(CompSum);
}

/*
 * A list of lambdas a state can carry: 1 to OPE_MAX_LAMBDAS values, each
 * >= 0 or +Infinity, strictly increasing (so no duplicates).
 */
bool		ope_lambdas_check(const double *lambdas, int n, AbError *err);

/*
 * An empty state of the given kind with these lambdas (already checked);
 * s points to ope_state_bytes(n) bytes.
 */
void		ope_state_init_lambdas(OpeState *s, bool dr, const double *lambdas, int n);

/* Whether the states carry the same lambdas (bit for bit). */
bool		ope_lambdas_equal(const OpeState *a, const OpeState *b);

/*
 * "{1,2,Infinity}" (or "none") into buf of size bytes, cut with "..." when
 * it does not fit; for messages.
 */
void		ope_lambdas_describe(const OpeState *s, char *buf, size_t size);

/* Index of lambda in s, or -1. */
int			ope_lambda_index(const OpeState *s, double lambda);

/* The matched rows with w > lambda_j (clipped, or switched to the model). */
int64_t		ope_lambda_n_over(const OpeState *s, int j);

/* The logical sums of lambda j, in double-double. */
void		ope_lambda_logical(const OpeState *s, int j, DD out[OPE_LNSUMS]);

/*
 * Add a matched row (w > 0) to the section; the caller has checked the row
 * and that no square can overflow (every c <= w).
 */
void		ope_lambda_add(OpeState *s, double w, double r, double e, double v);

/* dst += src over the section (same lambdas); false if a sum overflows. */
bool		ope_lambda_merge(OpeState *dst, const OpeState *src, AbError *err);

/* Invariants of the section of a state from outside. */
bool		ope_lambda_validate(const OpeState *s, AbErrorKind kind, AbError *err);

/* The modified weight of each variant (exported for tests and tuning). */
double		ope_clip_weight(double w, double lambda);
double		ope_switch_weight(double w, double lambda);
double		ope_shrink_weight(double w, double lambda);

#endif

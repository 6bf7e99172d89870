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
 * every matched row of dr_clip and dr_os).  The section keeps, per lambda,
 * the matched rows with w > lambda and compensated sums of c r and (c r)^2
 * (ipw_clip), and of c e, (c e)^2 and v c e for each DR variant; with the
 * state's sum v and sum v^2 these give each estimate and the sample
 * variance of its per-row terms, hence its standard error.
 *
 * Layout, after the OpeState (L = nlambdas, structure of arrays so that
 * neighbouring lambdas sit side by side for the paired SIMD updates):
 *   double  lambda[L]            strictly increasing, >= 0, +Infinity allowed
 *   int64   n_over[L]
 *   double  hi[OPE_LNSUMS][L]    the compensated sums, hi + lo,
 *   double  lo[OPE_LNSUMS][L]    as two planes
 */
#ifndef OPE_LAMBDA_H
#define OPE_LAMBDA_H

#include "ope_state.h"

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

#define OPE_L_FIRST_DR_SUM OPE_L_CLIP

extern const char *const ope_lambda_sum_names[OPE_LNSUMS];

/* Views of the lambda section of s (nlambdas > 0). */
static inline double *
ope_lambdas(const OpeState *s)
{
	return (double *) (uintptr_t) ((const char *) s + sizeof(OpeState));
}

static inline int64_t *
ope_lambda_n_over(const OpeState *s)
{
	return (int64_t *) (void *) (ope_lambdas(s) + s->nlambdas);
}

/* The hi and lo planes of sum k: one entry per lambda. */
static inline double *
ope_lambda_hi(const OpeState *s, int k)
{
	return (double *) (void *) (ope_lambda_n_over(s) + s->nlambdas) + (size_t) k * s->nlambdas;
}

static inline double *
ope_lambda_lo(const OpeState *s, int k)
{
	return ope_lambda_hi(s, OPE_LNSUMS + k);
}

/* Sum k of lambda j. */
static inline CompSum
ope_lambda_sum(const OpeState *s, int k, int j)
{
	CompSum		c = {ope_lambda_hi(s, k)[j], ope_lambda_lo(s, k)[j]};

	return c;
}

static inline void
ope_lambda_set_sum(OpeState *s, int k, int j, CompSum c)
{
	ope_lambda_hi(s, k)[j] = c.hi;
	ope_lambda_lo(s, k)[j] = c.lo;
}

/* Bytes of a lambda section of n entries. */
static inline size_t
ope_lambda_section_bytes(int n)
{
	return (size_t) n * (sizeof(double) + sizeof(int64_t) + OPE_LNSUMS * sizeof(CompSum));
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

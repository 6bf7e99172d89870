/*
 * ope_lambda.c — the lambda section of an OpeState (see ope_lambda.h).
 *
 * A row touches the section only when it is matched (w > 0): an unmatched
 * row's modified weight is 0 for every variant, so its per-row terms are 0
 * (ipw_clip) or v (the DR variants), which the state's own sums already
 * hold.  Matched rows update neighbouring lambdas two at a time with the
 * paired TwoSum of compsum.h (the same IEEE operations per lane).
 */
#include "ope_lambda.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "float_text.h"

const char *const ope_lambda_sum_names[OPE_LNSUMS] = {
	"ipw", "ipw2", "clip", "clip2", "clip_v", "switch", "switch2", "switch_v",
	"os", "os2", "os_v"
};

double
ope_clip_weight(double w, double lambda)
{
	return w < lambda ? w : lambda;
}

double
ope_switch_weight(double w, double lambda)
{
	return w <= lambda ? w : 0.0;
}

/*
 * lambda w / (w^2 + lambda), written so that lambda = +Infinity gives w,
 * lambda = 0 gives 0 for w > 0, and no intermediate overflows (w^2 is
 * finite for every row a state accepts).
 */
double
ope_shrink_weight(double w, double lambda)
{
	if (!(w > 0.0))
		return 0.0;
	return w / (1.0 + w * w / lambda);
}

bool
ope_lambdas_check(const double *lambdas, int n, AbError *err)
{
	int			i;
	char		buf[FLOAT_TEXT_LEN];

	if (n < 1 || n > OPE_MAX_LAMBDAS)
		return ab_fail(err, AB_ERR_VALUE, "lambdas must have 1 to %d values, got %d",
					   OPE_MAX_LAMBDAS, n);
	for (i = 0; i < n; i++)
	{
		if (!(lambdas[i] >= 0.0))
		{
			float_to_text(lambdas[i], buf);
			return ab_fail(err, AB_ERR_VALUE,
						   "lambdas must be >= 0 or Infinity, got %s at position %d", buf, i + 1);
		}
		if (i > 0 && !(lambdas[i] > lambdas[i - 1]))
		{
			char		prev[FLOAT_TEXT_LEN];

			float_to_text(lambdas[i], buf);
			float_to_text(lambdas[i - 1], prev);
			ab_fail(err, AB_ERR_VALUE,
					"lambdas must be strictly increasing, got %s at position %d after %s",
					buf, i + 1, prev);
			ab_detail(err, "List each lambda once, smallest first.");
			return false;
		}
	}
	return true;
}

void
ope_state_init_lambdas(OpeState *s, bool dr, const double *lambdas, int n)
{
	memset(s, 0, ope_state_bytes(n));
	ope_state_init(s, dr);
	s->nlambdas = (uint16_t) n;
	memcpy(ope_lambdas(s), lambdas, sizeof(double) * n);
}

void
ope_lambdas_describe(const OpeState *s, char *buf, size_t size)
{
	size_t		len = 0;
	int			j;

	if (s->nlambdas == 0)
	{
		snprintf(buf, size, "none");
		return;
	}
	for (j = 0; j < s->nlambdas; j++)
	{
		char		v[FLOAT_TEXT_LEN];

		float_to_text(ope_lambdas(s)[j], v);
		/* room for this value, its separator, "...}" and the NUL */
		if (len + strlen(v) + 6 > size)
		{
			snprintf(buf + len, size - len, "...}");
			return;
		}
		len += (size_t) snprintf(buf + len, size - len, "%c%s", j == 0 ? '{' : ',', v);
	}
	snprintf(buf + len, size - len, "}");
}

bool
ope_lambdas_equal(const OpeState *a, const OpeState *b)
{
	return a->nlambdas == b->nlambdas &&
		memcmp(ope_lambdas(a), ope_lambdas(b), sizeof(double) * a->nlambdas) == 0;
}

int
ope_lambda_index(const OpeState *s, double lambda)
{
	const double *l = ope_lambdas(s);
	int			i;

	for (i = 0; i < s->nlambdas; i++)
		if (l[i] == lambda)
			return i;
	return -1;
}

#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON))
#define OPE_LAMBDA_PAIRS 1
typedef double Pair __attribute__((vector_size(16)));
typedef long long PairMask __attribute__((vector_size(16)));

/* hp[0..1] + lp[0..1] += x: TwoSum on both lanes, as compsum_add2. */
static inline void
add_pair(double *restrict hp, double *restrict lp, Pair x)
{
	Pair		h,
				l,
				t,
				z;

	memcpy(&h, hp, sizeof(h));
	memcpy(&l, lp, sizeof(l));
	t = h + x;
	z = t - h;
	l += (h - (t - z)) + (x - z);
	memcpy(hp, &t, sizeof(t));
	memcpy(lp, &l, sizeof(l));
}

/*
 * One matched row into lambdas j and j + 1.  hi and lo point at the j-th
 * entry of sum 0's planes, L apart from one sum to the next (the addresses
 * are computed once per row: through double stores the compiler could not
 * otherwise keep nlambdas in a register).
 */
static inline void
add_two(double *restrict hi, double *restrict lo, size_t L, const double *lam2, int64_t *over,
		double w, double r, double e, double v, bool dr)
{
	Pair		lam = {lam2[0], lam2[1]};
	Pair		wv = {w, w};
	PairMask	le = wv <= lam;
	PairMask	lt = wv < lam;
	Pair		clip = (Pair) ((lt & (PairMask) wv) | (~lt & (PairMask) lam));
	Pair		sw = (Pair) ((PairMask) wv & le);
	Pair		os = wv / (1.0 + wv * wv / lam);
	Pair		x;

#define SUM(k) hi + (size_t) (k) * L, lo + (size_t) (k) * L
	over[0] += w > lam2[0];
	over[1] += w > lam2[1];
	x = clip * r;
	add_pair(SUM(OPE_L_IPW), x);
	add_pair(SUM(OPE_L_IPW2), x * x);
	if (!dr)
		return;
	x = clip * e;
	add_pair(SUM(OPE_L_CLIP), x);
	add_pair(SUM(OPE_L_CLIP2), x * x);
	add_pair(SUM(OPE_L_CLIPV), v * x);
	x = sw * e;
	add_pair(SUM(OPE_L_SW), x);
	add_pair(SUM(OPE_L_SW2), x * x);
	add_pair(SUM(OPE_L_SWV), v * x);
	x = os * e;
	add_pair(SUM(OPE_L_OS), x);
	add_pair(SUM(OPE_L_OS2), x * x);
	add_pair(SUM(OPE_L_OSV), v * x);
#undef SUM
}
#endif

/* One matched row into lambda j, one lane. */
/* Sum k of lambda j += x. */
static inline void
add_scalar(OpeState *s, int k, int j, double x)
{
	CompSum		c = ope_lambda_sum(s, k, j);

	compsum_add(&c, x);
	ope_lambda_set_sum(s, k, j, c);
}

static inline void
add_one(OpeState *s, int j, double w, double r, double e, double v, bool dr)
{
	double		lambda = ope_lambdas(s)[j];
	double		x;

	ope_lambda_n_over(s)[j] += w > lambda;
	x = ope_clip_weight(w, lambda) * r;
	add_scalar(s, OPE_L_IPW, j, x);
	add_scalar(s, OPE_L_IPW2, j, x * x);
	if (!dr)
		return;
	x = ope_clip_weight(w, lambda) * e;
	add_scalar(s, OPE_L_CLIP, j, x);
	add_scalar(s, OPE_L_CLIP2, j, x * x);
	add_scalar(s, OPE_L_CLIPV, j, v * x);
	x = ope_switch_weight(w, lambda) * e;
	add_scalar(s, OPE_L_SW, j, x);
	add_scalar(s, OPE_L_SW2, j, x * x);
	add_scalar(s, OPE_L_SWV, j, v * x);
	x = ope_shrink_weight(w, lambda) * e;
	add_scalar(s, OPE_L_OS, j, x);
	add_scalar(s, OPE_L_OS2, j, x * x);
	add_scalar(s, OPE_L_OSV, j, v * x);
}

void
ope_lambda_add(OpeState *s, double w, double r, double e, double v)
{
	bool		dr = ope_state_is_dr(s);
	int			j = 0;

#ifdef OPE_LAMBDA_PAIRS
	{
		size_t		L = s->nlambdas;
		double	   *hi = ope_lambda_hi(s, 0),
				   *lo = ope_lambda_lo(s, 0);
		const double *lam = ope_lambdas(s);
		int64_t    *over = ope_lambda_n_over(s);

		for (; j + 1 < (int) L; j += 2)
			add_two(hi + j, lo + j, L, lam + j, over + j, w, r, e, v, dr);
	}
#endif
	for (; j < s->nlambdas; j++)
		add_one(s, j, w, r, e, v, dr);
}

/*
 * Two passes, so that an overflow leaves dst as it was: the merged values
 * are computed and checked first, then stored (compsum_merge is
 * deterministic, so both passes compute the same values).
 */
bool
ope_lambda_merge(OpeState *dst, const OpeState *src, AbError *err)
{
	int			k,
				j,
				n = dst->nlambdas;

	for (k = 0; k < OPE_LNSUMS; k++)
		for (j = 0; j < n; j++)
		{
			CompSum		c = ope_lambda_sum(dst, k, j),
						o = ope_lambda_sum(src, k, j);

			compsum_merge(&c, &o);
			if (!isfinite(c.hi) || !isfinite(c.lo))
				return ab_fail(err, AB_ERR_OUT_OF_RANGE,
							   "lambda sum \"%s\" is out of range after merging ope_state values",
							   ope_lambda_sum_names[k]);
		}
	for (j = 0; j < n; j++)
		ope_lambda_n_over(dst)[j] += ope_lambda_n_over(src)[j];
	for (k = 0; k < OPE_LNSUMS; k++)
		for (j = 0; j < n; j++)
		{
			CompSum		c = ope_lambda_sum(dst, k, j),
						o = ope_lambda_sum(src, k, j);

			compsum_merge(&c, &o);
			ope_lambda_set_sum(dst, k, j, c);
		}
	return true;
}

/* Sums of squares can never be negative. */
static bool
lambda_sum_is_nonnegative(int k)
{
	return k == OPE_L_IPW2 || k == OPE_L_CLIP2 || k == OPE_L_SW2 || k == OPE_L_OS2;
}

bool
ope_lambda_validate(const OpeState *s, AbErrorKind kind, AbError *err)
{
	AbError		why;
	int			k,
				j;

	if (s->nlambdas > OPE_MAX_LAMBDAS)
		return ab_fail(err, kind, "ope_state has %d lambdas, more than %d",
					   (int) s->nlambdas, OPE_MAX_LAMBDAS);
	if (s->nlambdas == 0)
		return true;
	if (!ope_lambdas_check(ope_lambdas(s), s->nlambdas, &why))
		return ab_fail(err, kind, "ope_state: %s", why.message);
	for (j = 0; j < s->nlambdas; j++)
	{
		int64_t		over = ope_lambda_n_over(s)[j];

		if (over < 0 || over > s->n_matched)
			return ab_fail(err, kind, "ope_state lambda %d counts %lld rows above it, not in [0, n_matched]",
						   j + 1, (long long) over);
	}
	for (k = 0; k < OPE_LNSUMS; k++)
		for (j = 0; j < s->nlambdas; j++)
		{
			CompSum		sum = ope_lambda_sum(s, k, j);
			const CompSum *c = &sum;
			bool		must_be_zero = s->n_matched == 0 ||
				(k >= OPE_L_FIRST_DR_SUM && !ope_state_is_dr(s));

			if (!isfinite(c->hi) || !isfinite(c->lo) || !isfinite(c->hi + c->lo))
				return ab_fail(err, kind, "ope_state lambda sum \"%s\" is not finite",
							   ope_lambda_sum_names[k]);
			if (lambda_sum_is_nonnegative(k) && c->hi + c->lo < 0.0)
				return ab_fail(err, kind, "ope_state lambda sum \"%s\" must not be negative",
							   ope_lambda_sum_names[k]);
			if (must_be_zero && (c->hi != 0.0 || c->lo != 0.0))
				return ab_fail(err, kind, "ope_state lambda sum \"%s\" must be zero here",
							   ope_lambda_sum_names[k]);
		}
	return true;
}

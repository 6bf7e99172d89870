/*
 * ope_lambda.c — the lambda section of an OpeState (see ope_lambda.h).
 *
 * A row touches the section only when it is matched (w > 0): an unmatched
 * row's modified weight is 0 for every variant, so its per-row terms are 0
 * (ipw_clip) or v (the DR variants), which the state's own sums already
 * hold.  A matched row adds to its bucket's sums, and (dr) to every
 * lambda's shrinkage sums, two at a time with the paired TwoSum of
 * compsum.h (the same IEEE operations per lane).
 */
#include "ope_lambda.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "float_text.h"

const char *const ope_lambda_bucket_sum_names[OPE_LBNSUMS] = {
	"wr", "wr2", "br", "br2", "we", "we2", "vwe", "be", "be2", "vbe"
};

const char *const ope_lambda_os_sum_names[OPE_LONSUMS] = {
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

int64_t
ope_lambda_n_over(const OpeState *s, int j)
{
	int64_t		n = 0;
	int			J;

	for (J = j + 1; J <= s->nlambdas; J++)
		n += ope_lambda_counts(s)[J];
	return n;
}

static DD
bucket_dd(const OpeState *s, int J, int k)
{
	CompSum		c = ope_lambda_bucket_sum(s, J, k);

	return dd_from_sum(&c);
}

void
ope_lambda_logical(const OpeState *s, int j, DD out[OPE_LNSUMS])
{
	const double *lam = ope_lambdas(s);
	DD			zero = {0.0, 0.0};
	int			J,
				k;

	for (k = 0; k < OPE_LNSUMS; k++)
		out[k] = zero;
	/* unclipped: the buckets up to j (w <= lambda_j), the same for switching */
	for (J = 0; J <= j; J++)
	{
		out[OPE_L_IPW] = dd_add(out[OPE_L_IPW], bucket_dd(s, J, OPE_LB_WR));
		out[OPE_L_IPW2] = dd_add(out[OPE_L_IPW2], bucket_dd(s, J, OPE_LB_WR2));
		out[OPE_L_SW] = dd_add(out[OPE_L_SW], bucket_dd(s, J, OPE_LB_WE));
		out[OPE_L_SW2] = dd_add(out[OPE_L_SW2], bucket_dd(s, J, OPE_LB_WE2));
		out[OPE_L_SWV] = dd_add(out[OPE_L_SWV], bucket_dd(s, J, OPE_LB_VWE));
	}
	out[OPE_L_CLIP] = out[OPE_L_SW];
	out[OPE_L_CLIP2] = out[OPE_L_SW2];
	out[OPE_L_CLIPV] = out[OPE_L_SWV];
	/*
	 * clipped at lambda_j: the buckets above, whose terms were kept scaled
	 * by b_J = lambda_(J-1) >= lambda_j, rescaled by lambda_j / b_J <= 1
	 * (0 when lambda_j is; a bucket without rows adds nothing, which also
	 * keeps Infinity / Infinity out)
	 */
	for (J = j + 1; J <= s->nlambdas; J++)
	{
		double		a,
					a2;

		if (ope_lambda_counts(s)[J] == 0 || lam[j] == 0.0)
			continue;
		a = lam[j] / lam[J - 1];
		a2 = a * a;
		out[OPE_L_IPW] = dd_add(out[OPE_L_IPW], dd_mul_d(bucket_dd(s, J, OPE_LB_BR), a));
		out[OPE_L_IPW2] = dd_add(out[OPE_L_IPW2], dd_mul_d(bucket_dd(s, J, OPE_LB_BR2), a2));
		out[OPE_L_CLIP] = dd_add(out[OPE_L_CLIP], dd_mul_d(bucket_dd(s, J, OPE_LB_BE), a));
		out[OPE_L_CLIP2] = dd_add(out[OPE_L_CLIP2], dd_mul_d(bucket_dd(s, J, OPE_LB_BE2), a2));
		out[OPE_L_CLIPV] = dd_add(out[OPE_L_CLIPV], dd_mul_d(bucket_dd(s, J, OPE_LB_VBE), a));
	}
	for (k = 0; k < OPE_LONSUMS; k++)
	{
		CompSum		c = ope_lambda_os_sum(s, j, k);

		out[OPE_L_OS + k] = dd_from_sum(&c);
	}
}

#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON))
#define OPE_LAMBDA_PAIRS 1
typedef double Pair __attribute__((vector_size(16)));

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
#endif

/* hp[0] + lp[0] += x. */
static inline void
add_one(double *hp, double *lp, double x)
{
	CompSum		c = {*hp, *lp};

	compsum_add(&c, x);
	*hp = c.hi;
	*lp = c.lo;
}

/* Pairs of adjacent sums at hp, lp += x[0..n-1] (n even, or one left over). */
static inline void
add_terms(double *restrict hp, double *restrict lp, const double *x, int n)
{
	int			i = 0;

#ifdef OPE_LAMBDA_PAIRS
	for (; i + 1 < n; i += 2)
	{
		Pair		p = {x[i], x[i + 1]};

		add_pair(hp + i, lp + i, p);
	}
#endif
	for (; i < n; i++)
		add_one(hp + i, lp + i, x[i]);
}

void
ope_lambda_add(OpeState *s, double w, double r, double e, double v)
{
	bool		dr = ope_state_is_dr(s);
	int			L = s->nlambdas,
				J = 0,
				j = 0;
	const double *lam = ope_lambdas(s);
	double		b,
				x[OPE_LBNSUMS];
	size_t		at;

	/* the row's bucket: the smallest lambda_J >= w (J = L above them all) */
	while (J < L && lam[J] < w)
		J++;
	b = J > 0 ? lam[J - 1] : 0.0;
	ope_lambda_counts(s)[J]++;
	x[OPE_LB_WR] = w * r;
	x[OPE_LB_WR2] = x[OPE_LB_WR] * x[OPE_LB_WR];
	x[OPE_LB_BR] = b * r;
	x[OPE_LB_BR2] = x[OPE_LB_BR] * x[OPE_LB_BR];
	if (dr)
	{
		x[OPE_LB_WE] = w * e;
		x[OPE_LB_WE2] = x[OPE_LB_WE] * x[OPE_LB_WE];
		x[OPE_LB_VWE] = v * x[OPE_LB_WE];
		x[OPE_LB_BE] = b * e;
		x[OPE_LB_BE2] = x[OPE_LB_BE] * x[OPE_LB_BE];
		x[OPE_LB_VBE] = v * x[OPE_LB_BE];
	}
	at = (size_t) J * OPE_LBNSUMS;
	add_terms(ope_lambda_bhi(s) + at, ope_lambda_blo(s) + at, x, dr ? OPE_LBNSUMS : OPE_LB_FIRST_DR_SUM);
	if (!dr)
		return;
	/* shrinkage changes every w: every lambda, two at a time */
	{
		double	   *h0 = ope_lambda_ohi(s, OPE_LO_CE),
				   *l0 = ope_lambda_olo(s, OPE_LO_CE),
				   *h1 = ope_lambda_ohi(s, OPE_LO_CE2),
				   *l1 = ope_lambda_olo(s, OPE_LO_CE2),
				   *h2 = ope_lambda_ohi(s, OPE_LO_VCE),
				   *l2 = ope_lambda_olo(s, OPE_LO_VCE);

#ifdef OPE_LAMBDA_PAIRS
		for (; j + 1 < L; j += 2)
		{
			Pair		lp = {lam[j], lam[j + 1]};
			Pair		wv = {w, w};
			Pair		c = wv / (1.0 + wv * wv / lp);
			Pair		ce = c * e;

			add_pair(h0 + j, l0 + j, ce);
			add_pair(h1 + j, l1 + j, ce * ce);
			add_pair(h2 + j, l2 + j, v * ce);
		}
#endif
		for (; j < L; j++)
		{
			double		ce = ope_shrink_weight(w, lam[j]) * e;

			add_one(h0 + j, l0 + j, ce);
			add_one(h1 + j, l1 + j, ce * ce);
			add_one(h2 + j, l2 + j, v * ce);
		}
	}
}

/*
 * Two passes, so that an overflow leaves dst as it was: the merged values
 * are computed and checked first, then stored (compsum_merge is
 * deterministic, so both passes compute the same values).  The sums of the
 * section sit in one run of hi values then one of lo values (buckets, then
 * shrinkage), so they are walked as flat arrays.
 */
static size_t
section_nsums(const OpeState *s)
{
	return (size_t) (s->nlambdas + 1) * OPE_LBNSUMS + (size_t) s->nlambdas * OPE_LONSUMS;
}

bool
ope_lambda_merge(OpeState *dst, const OpeState *src, AbError *err)
{
	int			J;
	size_t		i,
				n = section_nsums(dst),
				nb = (size_t) (dst->nlambdas + 1) * OPE_LBNSUMS;

	for (J = 0; J <= dst->nlambdas; J++)
		if (ope_lambda_counts(src)[J] > INT64_MAX - ope_lambda_counts(dst)[J])
			return ab_fail(err, AB_ERR_OUT_OF_RANGE, "ope_state row count is out of range");
	for (i = 0; i < n; i++)
	{
		const double *dh = i < nb ? ope_lambda_bhi(dst) + i : ope_lambda_ohi(dst, 0) + (i - nb);
		const double *dl = i < nb ? ope_lambda_blo(dst) + i : ope_lambda_olo(dst, 0) + (i - nb);
		const double *sh = i < nb ? ope_lambda_bhi(src) + i : ope_lambda_ohi(src, 0) + (i - nb);
		const double *sl = i < nb ? ope_lambda_blo(src) + i : ope_lambda_olo(src, 0) + (i - nb);
		CompSum		c = {*dh, *dl},
					o = {*sh, *sl};

		compsum_merge(&c, &o);
		if (!isfinite(c.hi) || !isfinite(c.lo))
			return ab_fail(err, AB_ERR_OUT_OF_RANGE,
						   "a lambda sum is out of range after merging ope_state values");
	}
	for (J = 0; J <= dst->nlambdas; J++)
		ope_lambda_counts(dst)[J] += ope_lambda_counts(src)[J];
	for (i = 0; i < n; i++)
	{
		double	   *dh = i < nb ? ope_lambda_bhi(dst) + i : ope_lambda_ohi(dst, 0) + (i - nb);
		double	   *dl = i < nb ? ope_lambda_blo(dst) + i : ope_lambda_olo(dst, 0) + (i - nb);
		const double *sh = i < nb ? ope_lambda_bhi(src) + i : ope_lambda_ohi(src, 0) + (i - nb);
		const double *sl = i < nb ? ope_lambda_blo(src) + i : ope_lambda_olo(src, 0) + (i - nb);
		CompSum		c = {*dh, *dl},
					o = {*sh, *sl};

		compsum_merge(&c, &o);
		*dh = c.hi;
		*dl = c.lo;
	}
	return true;
}

/* A sum that is finite, not negative where it is a sum of squares, and zero where it must be. */
static bool
check_sum(CompSum c, const char *name, bool square, bool must_be_zero, AbErrorKind kind, AbError *err)
{
	if (!isfinite(c.hi) || !isfinite(c.lo) || !isfinite(c.hi + c.lo))
		return ab_fail(err, kind, "ope_state lambda sum \"%s\" is not finite", name);
	if (square && c.hi + c.lo < 0.0)
		return ab_fail(err, kind, "ope_state lambda sum \"%s\" must not be negative", name);
	if (must_be_zero && (c.hi != 0.0 || c.lo != 0.0))
		return ab_fail(err, kind, "ope_state lambda sum \"%s\" must be zero here", name);
	return true;
}

bool
ope_lambda_validate(const OpeState *s, AbErrorKind kind, AbError *err)
{
	AbError		why;
	int64_t		total = 0;
	int			L = s->nlambdas,
				J,
				k,
				j;
	bool		dr = ope_state_is_dr(s);

	if (L > OPE_MAX_LAMBDAS)
		return ab_fail(err, kind, "ope_state has %d lambdas, more than %d", L, OPE_MAX_LAMBDAS);
	if (L == 0)
		return true;
	if (!ope_lambdas_check(ope_lambdas(s), L, &why))
		return ab_fail(err, kind, "ope_state: %s", why.message);
	for (J = 0; J <= L; J++)
	{
		int64_t		c = ope_lambda_counts(s)[J];

		if (c < 0)
			return ab_fail(err, kind, "ope_state lambda bucket %d has a negative row count", J + 1);
		if (c > s->n_matched - total)
			return ab_fail(err, kind, "ope_state lambda buckets count more rows than the %lld matched ones",
						   (long long) s->n_matched);
		total += c;
		for (k = 0; k < OPE_LBNSUMS; k++)
			if (!check_sum(ope_lambda_bucket_sum(s, J, k), ope_lambda_bucket_sum_names[k],
						   k == OPE_LB_WR2 || k == OPE_LB_BR2 || k == OPE_LB_WE2 || k == OPE_LB_BE2,
						   c == 0 || (k >= OPE_LB_FIRST_DR_SUM && !dr), kind, err))
				return false;
	}
	if (total != s->n_matched)
		return ab_fail(err, kind, "ope_state lambda buckets count %lld rows, not the %lld matched ones",
					   (long long) total, (long long) s->n_matched);
	/* nothing is above an infinite lambda */
	if (isinf(ope_lambdas(s)[L - 1]) && ope_lambda_counts(s)[L] != 0)
		return ab_fail(err, kind, "ope_state counts rows above an infinite lambda");
	for (j = 0; j < L; j++)
		for (k = 0; k < OPE_LONSUMS; k++)
			if (!check_sum(ope_lambda_os_sum(s, j, k), ope_lambda_os_sum_names[k], k == OPE_LO_CE2,
						   !dr || s->n_matched == 0, kind, err))
				return false;
	return true;
}

/*
 * ope_pair.c — see ope_pair.h.
 *
 * Centred cross sums from the raw sums, in double-double like the
 * variances of ope_estimators.c:
 *   ips:  t = w r.  S_ab = sum w_a w_b r^2 - (sum w_a r)(sum w_b r) / n.
 *   snips: psi = w (r - R) / wbar, so
 *     sum psi_a psi_b = [sum w_a w_b r^2 - (R_a + R_b) sum w_a w_b r
 *                        + R_a R_b sum w_a w_b] / (wbar_a wbar_b).
 *   dr:   t = v + w e, sum t_a t_b = sum v_a v_b + sum v_a w_b e
 *                                    + sum v_b w_a e + sum w_a w_b e^2.
 *   sndr: psi = (v - V) + w (e - T) / wbar; sum psi_a psi_b expands into
 *     S_vv + [sum v_a w_b e - T_b sum v_a w_b - V_a sum w_b e + V_a T_b sum w_b] / wbar_b
 *     + (the same with a and b swapped) / wbar_a
 *     + [sum w_a w_b e^2 - (T_a + T_b) sum w_a w_b e + T_a T_b sum w_a w_b] / (wbar_a wbar_b).
 * Var(d) = (S_aa + S_bb - 2 S_ab) / (n (n - 1)), 0 when below the sums'
 * rounding (policies that agree on every row); none from
 * fewer than two informative rows (as ope_estimators.c decides per policy).
 */
#include "ope_pair.h"

#include <math.h>
#include <string.h>

#include "ddouble.h"
#include "float_text.h"
#include "ope_row.h"
#include "ope_estimators.h"

const char *const ope_pair_sum_names[OPE_XNSUMS] = {
	"ww", "ww_r", "ww_r2", "vv", "va_wb_e", "va_wb", "vb_wa_e", "vb_wa", "ww_e", "ww_e2"
};

void
ope_pair_init(OpePair *p, bool dr)
{
	memset(p, 0, sizeof(*p));
	p->version = OPE_PAIR_VERSION;
	p->flags = dr ? OPE_FLAG_DR : 0;
	ope_state_init(&p->a, dr);
	ope_state_init(&p->b, dr);
}

/* A probability in [0, 1] or a finite value; a missing one passes. */
static bool
pair_input_fail(AbError *err, const char *name, double x, bool probability);

static inline bool
pair_input_ok(AbError *err, bool present, const char *name, double x, bool probability)
{
	if (!present || (probability ? (x >= 0.0 && x <= 1.0) : isfinite(x)))
		return true;
	return pair_input_fail(err, name, x, probability);
}

static bool
pair_input_fail(AbError *err, const char *name, double x, bool probability)
{
	char		buf[FLOAT_TEXT_LEN];

	float_to_text(x, buf);
	return ab_fail(err, AB_ERR_VALUE, "%s must be %s, got %s", name,
				   probability ? "in [0, 1]" : "finite", buf);
}

bool
ope_pair_add(OpePair *p, const OpePairRow *row, unsigned present, AbError *err)
{
	bool		dr = ope_pair_is_dr(p);
	OpeRow		ra = {row->r, row->mu, row->pi_a, row->q, row->v_a},
				rb = {row->r, row->mu, row->pi_b, row->q, row->v_b};
	unsigned	shared = (present & OPE_PIN_R ? OPE_IN_R : 0) | (present & OPE_PIN_MU ? OPE_IN_MU : 0) |
		(present & OPE_PIN_Q ? OPE_IN_Q : 0),
				pa = shared | (present & OPE_PIN_PA ? OPE_IN_PI : 0) | (present & OPE_PIN_VA ? OPE_IN_V : 0),
				pb = shared | (present & OPE_PIN_PB ? OPE_IN_PI : 0) | (present & OPE_PIN_VB ? OPE_IN_V : 0);
	unsigned	needed = dr ? OPE_PIN_ALL : (OPE_PIN_R | OPE_PIN_MU | OPE_PIN_PA | OPE_PIN_PB);
	OpeRowTerms ta,
				tb;
	double		wa,
				wb,
				e;

	/* the two policies' own inputs, by their names in ope_compare */
	if (!pair_input_ok(err, present & OPE_PIN_PA, "target_a", row->pi_a, true) ||
		!pair_input_ok(err, present & OPE_PIN_PB, "target_b", row->pi_b, true) ||
		!pair_input_ok(err, dr && (present & OPE_PIN_VA), "v_a", row->v_a, false) ||
		!pair_input_ok(err, dr && (present & OPE_PIN_VB), "v_b", row->v_b, false))
		return false;
	/* a row missing any input of either policy is skipped by both */
	if ((present & needed) != needed)
	{
		pa &= ~OPE_IN_R;
		pb &= ~OPE_IN_R;
	}
	/*
	 * Check everything, then change: a failing row leaves the state as it
	 * was.  b's inputs are a's shared ones (checked with a's) and its own
	 * (checked above).
	 */
	if (dr)
	{
		if (!check_row(&p->a, &ra, pa, &ta, err, true, true) ||
			!check_row(&p->b, &rb, pb, &tb, err, true, false))
			return false;
		apply_row(&p->a, &ra, &ta, true);
		apply_row(&p->b, &rb, &tb, true);
	}
	else
	{
		if (!check_row(&p->a, &ra, pa, &ta, err, false, true) ||
			!check_row(&p->b, &rb, pb, &tb, err, false, false))
			return false;
		apply_row(&p->a, &ra, &ta, false);
		apply_row(&p->b, &rb, &tb, false);
	}
	if ((present & needed) != needed)
		return true;
	wa = ta.w;
	wb = tb.w;
	e = dr ? row->r - row->q : 0.0;
	/*
	 * |x y| <= (x^2 + y^2) / 2: each cross sum is bounded by the two
	 * policies' running sums of squares, which check_row found finite, so
	 * none can overflow.  Unmatched by both policies: nothing to add.
	 */
	if (wa == 0.0 && wb == 0.0 && !dr)
		return true;
	/* in pairs of adjacent sums (the enum's order) */
	compsum_add2(&p->cross[OPE_X_WW], wa * wb, wa * wb * row->r);
	if (!dr)
	{
		compsum_add(&p->cross[OPE_X_WW_R2], wa * wb * row->r * row->r);
		return true;
	}
	compsum_add2(&p->cross[OPE_X_WW_R2], wa * wb * row->r * row->r, row->v_a * row->v_b);
	compsum_add2(&p->cross[OPE_X_VA_WB_E], row->v_a * wb * e, row->v_a * wb);
	compsum_add2(&p->cross[OPE_X_VB_WA_E], row->v_b * wa * e, row->v_b * wa);
	compsum_add2(&p->cross[OPE_X_WW_E], wa * wb * e, wa * wb * e * e);
	return true;
}

bool
ope_pair_merge(OpePair *dst, const OpePair *src, AbError *err)
{
	OpePair		res = *dst;
	int			k;

	if (ope_pair_is_dr(dst) != ope_pair_is_dr(src))
	{
		ab_fail(err, AB_ERR_MISMATCH,
				"cannot merge an ope_pair_state with reward-model inputs and one without");
		return false;
	}
	if (!ope_state_merge(&res.a, &src->a, err) || !ope_state_merge(&res.b, &src->b, err))
		return false;
	for (k = 0; k < OPE_XNSUMS; k++)
	{
		compsum_merge(&res.cross[k], &src->cross[k]);
		if (!isfinite(res.cross[k].hi) || !isfinite(res.cross[k].lo))
			return ab_fail(err, AB_ERR_OUT_OF_RANGE, "cross sum \"%s\" is out of range after merging",
						   ope_pair_sum_names[k]);
	}
	*dst = res;
	return true;
}

bool
ope_pair_validate(const OpePair *p, AbErrorKind kind, AbError *err)
{
	int			k;

	if (p->version != OPE_PAIR_VERSION)
		return ab_fail(err, kind, "unsupported ope_pair_state version %d", (int) p->version);
	if ((p->flags & ~OPE_FLAG_DR) != 0 || p->reserved != 0 || p->reserved2 != 0)
		return ab_fail(err, kind, "ope_pair_state has unknown flags or non-zero reserved bits");
	if (!ope_state_validate(&p->a, kind, err) || !ope_state_validate(&p->b, kind, err))
		return false;
	if (ope_state_is_dr(&p->a) != ope_pair_is_dr(p) || ope_state_is_dr(&p->b) != ope_pair_is_dr(p) ||
		p->a.nlambdas != 0 || p->b.nlambdas != 0 ||
		p->a.n != p->b.n || p->a.n_skipped != p->b.n_skipped)
		return ab_fail(err, kind, "ope_pair_state's two states do not describe the same rows");
	for (k = 0; k < OPE_XNSUMS; k++)
	{
		const CompSum *c = &p->cross[k];

		if (!isfinite(c->hi) || !isfinite(c->lo) || !isfinite(c->hi + c->lo))
			return ab_fail(err, kind, "ope_pair_state cross sum \"%s\" is not finite", ope_pair_sum_names[k]);
		if (((k >= OPE_X_FIRST_DR_SUM && !ope_pair_is_dr(p)) || p->a.n == 0) && (c->hi != 0.0 || c->lo != 0.0))
			return ab_fail(err, kind, "ope_pair_state cross sum \"%s\" must be zero here", ope_pair_sum_names[k]);
	}
	return true;
}

static DD
xs(const OpePair *p, int k)
{
	return dd_from_sum(&p->cross[k]);
}

static DD
ds(const OpeState *s, OpeSum k)
{
	return dd_from_sum(&s->sums[k]);
}

static double
val(const OpeState *s, OpeSum k)
{
	return compsum_value(&s->sums[k]);
}

/* sum psi_a psi_b for estimator e (the estimates ea, eb given) */
static double
cross_influence(const OpePair *p, int e, double ea, double eb)
{
	const OpeState *a = &p->a,
			   *b = &p->b;
	double		n = (double) a->n;

	switch (e)
	{
		case OPE_EST_IPS:
			return dd_value(dd_sub(xs(p, OPE_X_WW_R2),
								   dd_div_d(dd_mul(ds(a, OPE_W_R), ds(b, OPE_W_R)), n)));
		case OPE_EST_SNIPS:
			{
				DD			t = dd_sub(xs(p, OPE_X_WW_R2), dd_mul_d(xs(p, OPE_X_WW_R), ea + eb));

				t = dd_add(t, dd_mul_d(xs(p, OPE_X_WW), ea * eb));
				return dd_value(t) / ((val(a, OPE_W) / n) * (val(b, OPE_W) / n));
			}
		case OPE_EST_DR:
			{
				DD			ta = dd_add(ds(a, OPE_V), ds(a, OPE_W_E)),
							tb = dd_add(ds(b, OPE_V), ds(b, OPE_W_E)),
							raw = dd_add(dd_add(xs(p, OPE_X_VV), xs(p, OPE_X_VA_WB_E)),
										 dd_add(xs(p, OPE_X_VB_WA_E), xs(p, OPE_X_WW_E2)));

				return dd_value(dd_sub(raw, dd_div_d(dd_mul(ta, tb), n)));
			}
		case OPE_EST_SNDR:
			{
				double		va = val(a, OPE_V) / n,
							vb = val(b, OPE_V) / n,
							tA = ea - va,
							tB = eb - vb,
							wa = val(a, OPE_W) / n,
							wb = val(b, OPE_W) / n,
							svv = dd_value(dd_sub(xs(p, OPE_X_VV), dd_div_d(dd_mul(ds(a, OPE_V), ds(b, OPE_V)), n))),
							ab = dd_value(dd_add(dd_sub(xs(p, OPE_X_VA_WB_E), dd_mul_d(xs(p, OPE_X_VA_WB), tB)),
												 dd_mul_d(dd_sub(dd_mul_d(ds(b, OPE_W), tB), ds(b, OPE_W_E)), va))),
							ba = dd_value(dd_add(dd_sub(xs(p, OPE_X_VB_WA_E), dd_mul_d(xs(p, OPE_X_VB_WA), tA)),
												 dd_mul_d(dd_sub(dd_mul_d(ds(a, OPE_W), tA), ds(a, OPE_W_E)), vb))),
							ww = dd_value(dd_add(dd_sub(xs(p, OPE_X_WW_E2), dd_mul_d(xs(p, OPE_X_WW_E), tA + tB)),
												 dd_mul_d(xs(p, OPE_X_WW), tA * tB)));

				return svv + ab / wb + ba / wa + ww / (wa * wb);
			}
	}
	return NAN;
}

void
ope_pair_compare(const OpePair *p, int e, OpeComparison *out)
{
	OpeEstimate ea,
				eb;
	double		n = (double) p->a.n,
				saa,
				sbb,
				sab,
				var;

	memset(out, 0, sizeof(*out));
	if (!ope_estimator_available(&p->a, e))
		return;
	ope_compute_estimate(&p->a, e, -1, &ea);
	ope_compute_estimate(&p->b, e, -1, &eb);
	if (!ea.has_estimate || !eb.has_estimate)
		return;
	out->has_values = true;
	out->value_a = ea.estimate;
	out->value_b = eb.estimate;
	out->difference = eb.estimate - ea.estimate;
	if (!ea.has_std_error || !eb.has_std_error)
		return;
	/* each policy's own sum of squared terms, back from its standard error */
	saa = ea.std_error * ea.std_error * n * (n - 1.0);
	sbb = eb.std_error * eb.std_error * n * (n - 1.0);
	sab = cross_influence(p, e, ea.estimate, eb.estimate);
	var = saa + sbb - 2.0 * sab;
	if (!isfinite(var))
		return;
	/*
	 * Policies that agree on every row leave only the rounding of the three
	 * sums (about 1e-16 of them): that is no difference at all, not a tiny
	 * standard error.
	 */
	if (var <= 1e-12 * (saa + sbb))
		var = 0.0;
	out->has_std_error = true;
	out->std_error = sqrt(var / (n * (n - 1.0)));
}

void
ope_holm_adjust(double *p, int n, int *order)
{
	int			m = 0,
				i,
				j;
	double		running = 0.0;

	for (i = 0; i < n; i++)
		if (!isnan(p[i]))
			order[m++] = i;
	/* ascending p-values (insertion sort: stable, m is small) */
	for (i = 1; i < m; i++)
		for (j = i; j > 0 && p[order[j]] < p[order[j - 1]]; j--)
		{
			int			t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0; i < m; i++)
	{
		double		adj = fmin(1.0, (m - i) * p[order[i]]);

		running = fmax(running, adj);
		p[order[i]] = running;
	}
}

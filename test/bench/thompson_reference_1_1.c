/*
 * thompson.c — exact action probabilities of Gaussian Thompson sampling.
 *
 * Formula.  Arm a's score X_a ~ N(m_a, s_a^2), independent; with
 * Phi_b(t) = Phi((t - m_b) / s_b) and phi_a(t) = phi((t - m_a) / s_a) / s_a,
 *
 *   P(a) = P(X_a > X_b for all b != a)
 *        = integral over t of phi_a(t) * prod_{b != a} Phi_b(t) dt.
 *
 * For k = 2 this is Phi((m_a - m_b) / sqrt(s_a^2 + s_b^2)) (the unit tests'
 * reference).  The k integrands f_a sum to the density of max_b X_b.
 *
 * Point masses.  An arm with sd 0 (or an sd so small that m +- 8.5 sd rounds
 * to the same double, or below 2^-960 times the largest |mean| or sd) is a
 * point mass at its mean: Phi_c becomes the step 1{t >= m_c}.  With M the
 * largest point mass, shared by T point arms, and C the continuous arms:
 *   P(point arm at M) = prod_{b in C} Phi_b(M) / T   (others at < M: 0),
 *   P(a in C)         = integral from M to infinity of phi_a prod_{b in C, b != a} Phi_b.
 * Only point masses: the arms at the largest mean share 1 evenly.
 *
 * Range.  Let lo = max(M, max_{b in C} (m_b - 8.5 s_b)), hi = max_{a in C}
 * (m_a + 8.5 s_a) and Q(8.5) = 1 - Phi(8.5) = 9.5e-18.
 *  - Below lo: the integrands together carry P(max_{b in C} X_b < lo) =
 *    prod_b Phi_b(lo) <= Phi_{b*}(lo) = Q(8.5) for the arm b* attaining lo.
 *    One arm's lower bound suffices: the second largest one (which would
 *    push even each single f_a's lost mass to Q(8.5)^2) only widens the range
 *    at an absolute tolerance.  lo is then raised by 20 bisection steps on
 *    the monotone prod_b Phi_b(t), keeping an end where the product is still
 *    <= Q(8.5): with many arms the maximum sits far above any one arm's lower
 *    tail (for 8 equal arms lo moves from -8.5 to about -2.4 sds).
 *  - Above hi: sum_a P(X_a > hi) <= k Q(8.5).
 *  - An arm with m_a + 8.5 s_a <= lo is pruned: P(a) <= P(X_a > lo) <= Q(8.5),
 *    reported as 0, and its Phi_a(t) rounds to exactly 1 on [lo, hi].
 * So truncation costs at most about 3 k Q(8.5) (3e-14 for k = 1000), and
 * the final renormalisation spreads even that.  Every surviving arm has
 * |m_a - lo| <= 8.5 s_a (lo only grew), so working in u = t - lo keeps each
 * narrow arm's region near u = 0, where doubles are dense: means of 1e6
 * with sds of 1e-6 lose nothing to rounding.  Inputs are first scaled by a
 * power of two (exact) so that the largest |mean| or sd is in [1/2, 1) and
 * nothing overflows.
 *
 * Method.  All surviving components are integrated at once on one adaptive
 * grid: vector-valued Gauss–Kronrod G7-K15 (Kronrod 1965; nodes and weights
 * of QUADPACK's qk15, Piessens et al. 1983), global adaptive bisection of
 * the interval with the largest error.  At each node the products
 * prod_{b != a} Phi_b are formed from prefix and suffix products (no division
 * by a Phi that may have underflowed), so a node costs O(k) Phi and phi
 * evaluations and memory stays O(k).  Initial breakpoints: m_a + c s_a for
 * c in {-4, -2, -1, 0, 1, 2, 4, 8.5} clipped to (lo, hi) (c = -8.5 is
 * always <= lo), thinned so that two kept points are at least
 * alpha * min(their arms' sds) apart, alpha = 1/2.  A dropped point has a
 * kept one within alpha of its own sd, so an arm's bump can never hide
 * inside a long interval whose 15 nodes all miss it: at worst what lies
 * beyond m_a + (8.5 - alpha) s_a does, Q(8) = 6e-16 of f_a (with alpha = 2
 * a test case lost Q(6.7) = 1e-11 that way, undetected by the estimate).
 * Every candidate lies at most 17 of its own arm's sds above lo, so kept
 * points grow geometrically from lo and stay few; should more than 400 intervals
 * remain anyway (hundreds of arms with scales spread over many decades),
 * alpha is doubled until they do, trading that guarantee for bounded work.
 *
 * Error control.  Per interval and component, QUADPACK's estimate
 *   e = resasc * min(1, (200 |K15 - G7| / resasc)^1.5), at least 50 eps |K15|;
 * the interval's error is the maximum over components, and bisection goes on
 * until the sum over intervals is <= 1e-12, so every probability is within
 * about 1e-12 absolute (the estimate is pessimistic: measured errors against
 * closed forms, 25-digit mpmath quadrature and fine Simpson rules are below
 * 3e-15, including sds spanning 12 decades and point masses).
 * Work is bounded: at most 2000 intervals (fewer beyond k = 1111, so that
 * nodes x arms stays under about 1e8), i.e. at most about 85,000 nodes of
 * O(k) each; if the tolerance is not reached the best estimate is returned
 * (ThompsonStats.converged says so).  Typical calls use 200-500 nodes.
 * Finally the probabilities are divided by their sum, which removes the
 * (tiny) integration and truncation error from the total.
 */
#include "thompson.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "normal.h"

#define TS_TAIL 8.5				/* range in sds each side of a mean */
#define TS_TOL 1e-12			/* absolute, sum over intervals of max component */
#define TS_MAX_INTERVALS 2000
#define TS_WORK_BUDGET 1e8		/* node x arm evaluations, caps intervals for large k */
#define TS_MAX_INITIAL 400
#define TS_ALPHA 0.5			/* breakpoint thinning, in sds */
#define TS_CACHE_DOUBLES 32768	/* Kronrod vectors kept per interval */
#define TS_NBREAK 8
#define TS_LO_STEPS 20			/* bisection steps refining lo */
#define TS_MIN_SD_EXP (-960)	/* relative sds below 2^-960 are point masses */

static const double ts_break[TS_NBREAK] = {-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, TS_TAIL};

/* QUADPACK qk15: Kronrod abscissae (xgk[1], [3], [5], [7] are Gauss nodes). */
static const double xgk[8] = {
	0.991455371120812639206854697526329,
	0.949107912342758524526189684047851,
	0.864864423359769072789712788640926,
	0.741531185599394439863864773280788,
	0.586087235467691130294144845693013,
	0.405845151377397166906606412076961,
	0.207784955007898467600689403773245,
	0.000000000000000000000000000000000
};
static const double wgk[8] = {
	0.022935322010529224963732008058970,
	0.063092092629978553290700663189204,
	0.104790010322250183839876322541518,
	0.140653259715525918745189590510238,
	0.169004726639267902826583426598550,
	0.190350578064785409913256402421014,
	0.204432940075298892414161999234649,
	0.209482141084727828012999174891714
};
static const double wg[4] = {
	0.129484966168869693270611432679082,
	0.279705391489276667901467771423780,
	0.381830050505118944950369775488975,
	0.417959183673469387755102040816327
};

typedef struct TsPoint
{
	double		p;				/* position (u coordinates) */
	double		s;				/* sd of the arm it came from */
} TsPoint;

typedef struct TsCtx
{
	int			kk;				/* surviving continuous arms */
	const double *mu;			/* their means, minus lo */
	const double *sg;			/* their sds */
	double	   *cdf;			/* per node: Phi_b */
	double	   *suf;			/* per node: prod_{c > b} Phi_c */
	double	   *fv;				/* 15 x kk integrand values of one interval */
	long		nodes;
} TsCtx;

/* Layout of the work space, in doubles. */
static size_t
ts_cache_doubles(size_t k)
{
	size_t		all = (size_t) TS_MAX_INTERVALS * k;

	return all < TS_CACHE_DOUBLES ? all : TS_CACHE_DOUBLES;
}

size_t
thompson_work_doubles(int k)
{
	size_t		kz;

	if (k < 1)
		return 0;
	kz = (size_t) k;
	if (kz > (SIZE_MAX / sizeof(double) - 4 * TS_MAX_INTERVALS - TS_CACHE_DOUBLES) / 40)
		return 0;
	/* mu, sg, arm, cdf, suf, vec, tot; fv (15); breakpoints (2 x 8) */
	return (7 + 15 + 2 * TS_NBREAK) * kz + 4 * TS_MAX_INTERVALS + ts_cache_doubles(kz);
}

/*
 * The integrands f_a(u) for all surviving arms at one node, into f:
 * phi_a(u) times prefix and suffix products of the Phi_b(u).
 */
static void
ts_node(TsCtx *c, double u, double *f)
{
	int			kk = c->kk;
	int			j;
	int			nzero = 0;
	double		pre;

	c->nodes++;
	for (j = 0; j < kk; j++)
	{
		double		z = (u - c->mu[j]) / c->sg[j];

		if (z < -38.5)
		{
			/* Phi and phi both underflow (Phi(-38.5) < 1e-323) */
			c->cdf[j] = 0.0;
			f[j] = 0.0;
			nzero++;
			continue;
		}
		/* Phi(z) for z > 8.3 is 1 - 5e-17 or closer: exactly 1.0 */
		c->cdf[j] = z > 8.3 ? 1.0 : normal_cdf(z);
		if (c->cdf[j] == 0.0)
			nzero++;
		f[j] = normal_pdf(z) / c->sg[j];
	}
	if (nzero >= 2)
	{
		/* every product prod_{b != a} Phi_b has a zero factor */
		for (j = 0; j < kk; j++)
			f[j] = 0.0;
		return;
	}
	c->suf[kk - 1] = 1.0;
	for (j = kk - 1; j > 0; j--)
		c->suf[j - 1] = c->suf[j] * c->cdf[j];
	pre = 1.0;
	for (j = 0; j < kk; j++)
	{
		f[j] *= pre * c->suf[j];
		pre *= c->cdf[j];
	}
}

/*
 * G7-K15 on [a, b] for every component: the Kronrod estimates into res, and
 * the largest QUADPACK error estimate over the components as the result.
 */
static double
ts_interval(TsCtx *c, double a, double b, double *res)
{
	int			kk = c->kk;
	double		half = 0.5 * (b - a);
	double		center = a + half;
	double		maxerr = 0.0;
	int			i,
				j;

	ts_node(c, center, c->fv + 7 * (size_t) kk);
	for (i = 0; i < 7; i++)
	{
		double		dx = half * xgk[i];

		ts_node(c, center - dx, c->fv + (size_t) i * kk);
		ts_node(c, center + dx, c->fv + (size_t) (14 - i) * kk);
	}
	for (j = 0; j < kk; j++)
	{
		double		fc = c->fv[7 * (size_t) kk + j];
		double		resk = wgk[7] * fc;
		double		resg = wg[3] * fc;
		double		reskh,
					resasc,
					result,
					abserr;

		for (i = 0; i < 7; i++)
		{
			double		s = c->fv[(size_t) i * kk + j] + c->fv[(size_t) (14 - i) * kk + j];

			resk += wgk[i] * s;
			if (i & 1)
				resg += wg[i / 2] * s;
		}
		reskh = 0.5 * resk;
		resasc = wgk[7] * fabs(fc - reskh);
		for (i = 0; i < 7; i++)
			resasc += wgk[i] * (fabs(c->fv[(size_t) i * kk + j] - reskh) +
								fabs(c->fv[(size_t) (14 - i) * kk + j] - reskh));
		result = resk * half;
		resasc *= half;
		abserr = fabs((resk - resg) * half);
		if (resasc != 0.0 && abserr != 0.0)
		{
			/* QUADPACK's (200 e / resasc)^1.5, without pow() */
			double		t = 200.0 * abserr / resasc;

			abserr = resasc * fmin(1.0, t * sqrt(t));
		}
		/* f >= 0, so resabs = result: QUADPACK's rounding floor */
		if (result > DBL_MIN / (50.0 * DBL_EPSILON))
			abserr = fmax(50.0 * DBL_EPSILON * result, abserr);
		res[j] = result;
		if (abserr > maxerr)
			maxerr = abserr;
	}
	return maxerr;
}

static int
ts_point_cmp(const void *x, const void *y)
{
	const TsPoint *a = x;
	const TsPoint *b = y;

	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	if (a->s != b->s)
		return a->s < b->s ? -1 : 1;
	return 0;
}

/*
 * Thin the sorted breakpoints cand[0..nc) of (0, H): keep a point when it is
 * at least alpha * min(its sd, the last kept point's sd) past the last kept
 * one.  Writes 0, the kept points and H into x (when not NULL) and returns
 * the number of intervals.
 */
static int
ts_thin(const TsPoint *cand, int nc, double H, double alpha, double *x)
{
	int			n = 0;
	int			i;
	double		lp = 0.0,
				ls = INFINITY;

	if (x)
		x[0] = 0.0;
	for (i = 0; i < nc; i++)
	{
		if (cand[i].p - lp >= alpha * fmin(ls, cand[i].s))
		{
			n++;
			if (x)
				x[n] = cand[i].p;
			lp = cand[i].p;
			ls = cand[i].s;
		}
	}
	/* H replaces a last point that is too close to it */
	if (!(n > 0 && H - lp < alpha * ls))
		n++;
	if (x)
		x[n] = H;
	return n;
}

bool
thompson_probabilities(const double *mean, const double *sd, int k,
					   double *prob, AbError *err)
{
	size_t		nw = thompson_work_doubles(k);
	double	   *work;
	bool		ok;

	if (k < 1)
		return ab_fail(err, AB_ERR_VALUE,
					   "thompson: number of arms must be at least 1, got %d", k);
	if (nw == 0 || (work = malloc(nw * sizeof(double))) == NULL)
		return ab_fail(err, AB_ERR_LIMIT,
					   "thompson: cannot allocate work space for %d arms", k);
	ok = thompson_probabilities_work(mean, sd, k, prob, work, NULL, err);
	free(work);
	return ok;
}

/*
 * The work space of one call: the caller's doubles carved into typed arrays
 * (thompson_work_doubles gives the size), and what each phase hands on.
 */
typedef struct TsWork
{
	/* the call */
	const double *mean;			/* inputs, unscaled */
	const double *sd;
	double	   *prob;			/* k results */
	int			k;
	int			scale_exp;		/* arms scaled by 2^-scale_exp */

	/*
	 * Arms, scaled: sg > 0 a continuous arm, 0 a point mass.  From
	 * ts_keep_survivors on, the first kk are the surviving continuous arms
	 * in u = t - lo, survivor j being arm arm[j].
	 */
	double	   *mu;
	double	   *sg;
	int		   *arm;
	int			ncont;			/* continuous arms */
	int			kk;				/* surviving continuous arms */
	double		point_max;		/* largest point mass, unscaled; -inf if none */
	int			nties;			/* point arms at point_max */
	double		lo;				/* the integration range, scaled t */
	double		hi;

	/* integration over [0, hi - lo] in u */
	TsCtx		ctx;			/* node scratch (cdf, suf, fv) and node count */
	double	   *vec;			/* Kronrod vector of an uncached interval */
	double	   *tot;			/* per survivor: sum over the intervals */
	TsPoint    *cand;			/* candidate breakpoints, TS_NBREAK per survivor */
	double	   *ia;				/* interval i is [ia[i], ib[i]], error ie[i] */
	double	   *ib;
	double	   *ie;
	bool	   *splittable;		/* false once at the resolution of doubles */
	double	   *cache;			/* Kronrod vectors of the first `slots` intervals */
	int			slots;
	int			n;				/* intervals */
	int			maxint;			/* interval cap */
	double		toterr;			/* sum of the intervals' error estimates */
	bool		converged;
} TsWork;

/* Validate the arguments; *maxval = the largest |mean| or sd. */
static bool
ts_check_inputs(const double *mean, const double *sd, int k, const double *prob,
				const double *work, double *maxval, AbError *err)
{
	int			a;

	*maxval = 0.0;
	if (k < 1)
		return ab_fail(err, AB_ERR_VALUE,
					   "thompson: number of arms must be at least 1, got %d", k);
	if (mean == NULL || sd == NULL || prob == NULL || work == NULL)
		return ab_fail(err, AB_ERR_VALUE, "thompson: NULL array argument");
	for (a = 0; a < k; a++)
	{
		if (!isfinite(mean[a]))
			return ab_fail(err, AB_ERR_VALUE,
						   "thompson: mean of arm %d must be finite, got %g", a, mean[a]);
		if (!(sd[a] >= 0.0) || !isfinite(sd[a]))
			return ab_fail(err, AB_ERR_VALUE,
						   "thompson: standard deviation of arm %d must be finite and non-negative, got %g",
						   a, sd[a]);
		*maxval = fmax(*maxval, fmax(fabs(mean[a]), sd[a]));
	}
	return true;
}

/* Lay the typed arrays over work, as thompson_work_doubles counts them. */
static void
ts_carve(TsWork *w, const double *mean, const double *sd, int k,
		 double *prob, double *work)
{
	size_t		kz = (size_t) k;

	w->mean = mean;
	w->sd = sd;
	w->prob = prob;
	w->k = k;
	w->mu = work;
	w->sg = w->mu + kz;
	w->arm = (int *) (w->sg + kz);	/* k doubles hold k ints */
	w->ctx.cdf = w->sg + 2 * kz;
	w->ctx.suf = w->ctx.cdf + kz;
	w->vec = w->ctx.suf + kz;
	w->tot = w->vec + kz;
	w->ctx.fv = w->tot + kz;
	w->cand = (TsPoint *) (w->ctx.fv + 15 * kz);
	w->ia = (double *) (w->cand + TS_NBREAK * kz);
	w->ib = w->ia + TS_MAX_INTERVALS;
	w->ie = w->ib + TS_MAX_INTERVALS;
	w->splittable = (bool *) (w->ie + TS_MAX_INTERVALS);	/* TS_MAX_INTERVALS doubles */
	w->cache = w->ie + 2 * TS_MAX_INTERVALS;
	w->ctx.nodes = 0;
	w->kk = 0;
	w->n = 0;
	w->toterr = 0.0;
	w->converged = true;
}

/*
 * Scale by a power of two so that the largest |mean| or sd is in [1/2, 1),
 * and classify: a continuous arm (sg > 0) widens lo to its lower tail; a
 * point mass (sg = 0) is tracked on the unscaled means, whose order and
 * ties scaling cannot change.  Every prob starts at 0.
 */
static void
ts_classify(TsWork *w, double maxval)
{
	int			a;

	if (maxval > 0.0)
		(void) frexp(maxval, &w->scale_exp);
	else
		w->scale_exp = 0;
	w->ncont = 0;
	w->nties = 0;
	w->point_max = -INFINITY;
	w->lo = -INFINITY;
	w->hi = -INFINITY;
	for (a = 0; a < w->k; a++)
	{
		double		m = ldexp(w->mean[a], -w->scale_exp);
		double		s = ldexp(w->sd[a], -w->scale_exp);

		w->prob[a] = 0.0;
		w->mu[a] = m;
		if (s >= ldexp(1.0, TS_MIN_SD_EXP) && m + TS_TAIL * s > m - TS_TAIL * s)
		{
			w->sg[a] = s;
			w->ncont++;
			w->lo = fmax(w->lo, m - TS_TAIL * s);
		}
		else
		{
			w->sg[a] = 0.0;
			if (w->mean[a] > w->point_max)
			{
				w->point_max = w->mean[a];
				w->nties = 1;
			}
			else if (w->mean[a] == w->point_max)
				w->nties++;
		}
	}
}

/* Only point masses: the arms at the largest mean share 1 evenly. */
static void
ts_point_masses_only(TsWork *w)
{
	int			a;

	for (a = 0; a < w->k; a++)
		w->prob[a] = w->mean[a] == w->point_max ? 1.0 / w->nties : 0.0;
}

/*
 * The top point masses win when every continuous draw is below them; the
 * continuous arms then only matter above, so lo rises to the top mass.
 */
static void
ts_point_mass_winners(TsWork *w)
{
	double		M = ldexp(w->point_max, -w->scale_exp);
	double		p = 1.0;
	int			a;

	for (a = 0; a < w->k; a++)
		if (w->sg[a] > 0.0)
			p *= normal_cdf((M - w->mu[a]) / w->sg[a]);
	for (a = 0; a < w->k; a++)
		if (w->sg[a] == 0.0 && w->mean[a] == w->point_max)
			w->prob[a] = p / w->nties;
	w->lo = fmax(w->lo, M);
}

/*
 * Raise lo to where P(max of the continuous draws < lo) =
 * prod_b Phi_b(lo) reaches Q(8.5): bisection, keeping an end where the
 * product is <= Q(8.5) (the first lo is one).  With many arms the max
 * concentrates far above every single arm's lower tail.
 */
static void
ts_raise_lo(TsWork *w)
{
	double		x0 = w->lo,
				x1 = -INFINITY,
				target = log(normal_cdf(-TS_TAIL));
	int			a,
				i;

	for (a = 0; a < w->k; a++)
		if (w->sg[a] > 0.0)
			x1 = fmax(x1, w->mu[a] + TS_TAIL * w->sg[a]);
	for (i = 0; i < TS_LO_STEPS && x1 > x0; i++)
	{
		double		x = x0 + 0.5 * (x1 - x0);
		double		g = 0.0;

		for (a = 0; a < w->k && g > target; a++)
			if (w->sg[a] > 0.0)
				g += log(normal_cdf((x - w->mu[a]) / w->sg[a]));
		if (g <= target)
			x0 = x;
		else
			x1 = x;
	}
	w->lo = x0;
}

/*
 * Compact the continuous arms whose upper tail reaches above lo to the
 * front of mu/sg, in u = t - lo; hi = the highest upper tail.
 */
static void
ts_keep_survivors(TsWork *w)
{
	int			a;

	w->kk = 0;
	for (a = 0; a < w->k; a++)
	{
		if (w->sg[a] > 0.0 && w->mu[a] + TS_TAIL * w->sg[a] > w->lo)
		{
			w->hi = fmax(w->hi, w->mu[a] + TS_TAIL * w->sg[a]);
			w->mu[w->kk] = w->mu[a] - w->lo;
			w->sg[w->kk] = w->sg[a];
			w->arm[w->kk] = a;
			w->kk++;
		}
	}
}

/* One surviving arm: P(X_a > M) in closed form, or 1 above nothing. */
static void
ts_single_survivor(TsWork *w)
{
	int			a = w->arm[0];

	w->prob[a] = w->nties > 0 ?
		normal_cdf((ldexp(w->mean[a], -w->scale_exp) -
					ldexp(w->point_max, -w->scale_exp)) / w->sg[0]) :
		1.0;
}

/* Where interval i's Kronrod vector goes: its cache slot, or vec. */
static double *
ts_slot(TsWork *w, int i)
{
	return i < w->slots ? w->cache + (size_t) i * w->kk : w->vec;
}

/*
 * The first intervals: the survivors' breakpoints in (0, H), H = hi - lo,
 * thinned (alpha doubled until at most TS_MAX_INITIAL remain), each
 * integrated once.  Sets the interval cap and the cache slots.
 */
static void
ts_initial_grid(TsWork *w)
{
	int			kk = w->kk;
	double		H = w->hi - w->lo;
	int			nc = 0;
	double		alpha = TS_ALPHA;
	int			maxinit,
				i,
				j;

	w->ctx.kk = kk;
	w->ctx.mu = w->mu;
	w->ctx.sg = w->sg;

	/*
	 * At most 2000 intervals, fewer for very many arms so that the worst
	 * case (45 nodes per interval counting bisection and recomputation)
	 * stays within about 1e8 Phi evaluations: 444 intervals for k = 5000.
	 */
	w->maxint = (int) fmin(TS_MAX_INTERVALS, fmax(64.0, TS_WORK_BUDGET / (45.0 * kk)));
	maxinit = w->maxint < TS_MAX_INITIAL ? w->maxint : TS_MAX_INITIAL;

	for (j = 0; j < kk; j++)
		for (i = 0; i < TS_NBREAK; i++)
		{
			double		p = w->mu[j] + ts_break[i] * w->sg[j];

			if (p > 0.0 && p < H)
			{
				w->cand[nc].p = p;
				w->cand[nc].s = w->sg[j];
				nc++;
			}
		}
	qsort(w->cand, nc, sizeof(TsPoint), ts_point_cmp);
	for (i = 0; i < 64 && ts_thin(w->cand, nc, H, alpha, NULL) > maxinit; i++)
		alpha *= 2.0;
	if (i == 64)
		nc = 0;					/* unreachable: then start from [0, H] */
	w->n = ts_thin(w->cand, nc, H, alpha, w->ia);
	for (i = 0; i < w->n; i++)
		w->ib[i] = w->ia[i + 1];

	/* Kronrod vectors of the first `slots` intervals are kept */
	w->slots = (int) (ts_cache_doubles((size_t) w->k) / (size_t) kk);
	if (w->slots > TS_MAX_INTERVALS)
		w->slots = TS_MAX_INTERVALS;
	for (i = 0; i < w->n; i++)
	{
		AB_CHECK_INTERRUPTS();
		w->ie[i] = ts_interval(&w->ctx, w->ia[i], w->ib[i], ts_slot(w, i));
		w->splittable[i] = true;
	}
}

/*
 * Global adaptive bisection of the interval with the largest error until
 * the errors sum to TS_TOL; each pass adds an interval or retires one.
 * Stops unconverged at the interval cap.
 */
static void
ts_bisect(TsWork *w)
{
	double	   *ia = w->ia,
			   *ib = w->ib,
			   *ie = w->ie;

	for (;;)
	{
		int			worst = -1;
		int			i;
		double		mid;

		AB_CHECK_INTERRUPTS();

		w->toterr = 0.0;
		for (i = 0; i < w->n; i++)
		{
			w->toterr += ie[i];
			if (w->splittable[i] && ie[i] > 0.0 && (worst < 0 || ie[i] > ie[worst]))
				worst = i;
		}
		if (w->toterr <= TS_TOL)
			break;
		if (w->n >= w->maxint || worst < 0)
		{
			w->converged = false;
			break;
		}
		mid = ia[worst] + 0.5 * (ib[worst] - ia[worst]);
		if (!(mid > ia[worst] && mid < ib[worst]))
		{
			w->splittable[worst] = false;	/* at the resolution of doubles */
			continue;
		}
		i = w->n;
		ia[i] = mid;
		ib[i] = ib[worst];
		w->splittable[i] = true;
		ie[i] = ts_interval(&w->ctx, mid, ib[worst], ts_slot(w, i));
		ib[worst] = mid;
		ie[worst] = ts_interval(&w->ctx, ia[worst], mid, ts_slot(w, worst));
		w->n++;
	}
}

/*
 * Each survivor's probability: the sum of its intervals' Kronrod estimates
 * (recomputing the uncached ones).
 */
static void
ts_sum_intervals(TsWork *w)
{
	int			kk = w->kk;
	int			i,
				j;

	for (j = 0; j < kk; j++)
		w->tot[j] = 0.0;
	for (i = 0; i < w->n; i++)
	{
		const double *v = w->cache + (size_t) i * kk;

		if (i >= w->slots)
		{
			(void) ts_interval(&w->ctx, w->ia[i], w->ib[i], w->vec);
			v = w->vec;
		}
		for (j = 0; j < kk; j++)
			w->tot[j] += v[j];
	}
	for (j = 0; j < kk; j++)
		w->prob[w->arm[j]] = w->tot[j];
}

/* Divide by the sum, removing the integration and truncation error. */
static bool
ts_renormalise(TsWork *w, AbError *err)
{
	double		sum = 0.0;
	int			a;

	for (a = 0; a < w->k; a++)
		sum += w->prob[a];
	if (!(sum > 0.5 && sum < 1.5))
		return ab_fail(err, AB_ERR_OUT_OF_RANGE,
					   "thompson: numerical integration failed (total probability %g)", sum);
	for (a = 0; a < w->k; a++)
		w->prob[a] /= sum;
	return true;
}

static void
ts_stats_reset(ThompsonStats *stats)
{
	if (stats)
	{
		stats->arms_integrated = 0;
		stats->intervals = 0;
		stats->nodes = 0;
		stats->error_estimate = 0.0;
		stats->converged = true;
	}
}

/*
 * The phases in order: check, carve the work space, classify the arms,
 * settle the point masses, narrow the range and the arms to integrate,
 * integrate them on one adaptive grid, renormalise.
 */
bool
thompson_probabilities_work(const double *mean, const double *sd, int k,
							double *prob, double *work,
							ThompsonStats *stats, AbError *err)
{
	TsWork		w;
	double		maxval;

	ts_stats_reset(stats);
	if (!ts_check_inputs(mean, sd, k, prob, work, &maxval, err))
		return false;
	ts_carve(&w, mean, sd, k, prob, work);
	ts_classify(&w, maxval);
	if (w.ncont == 0)
	{
		ts_point_masses_only(&w);
		return true;
	}
	if (w.nties > 0)
		ts_point_mass_winners(&w);
	if (w.ncont > 1)
		ts_raise_lo(&w);
	ts_keep_survivors(&w);
	if (stats)
		stats->arms_integrated = w.kk;

	if (w.kk == 1)
		ts_single_survivor(&w);
	else if (w.kk > 1)
	{
		ts_initial_grid(&w);
		ts_bisect(&w);
		ts_sum_intervals(&w);
		if (stats)
		{
			stats->intervals = w.n;
			stats->nodes = w.ctx.nodes;
			stats->error_estimate = w.toterr;
			stats->converged = w.converged;
		}
	}
	return ts_renormalise(&w, err);
}

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

bool
thompson_probabilities_work(const double *mean, const double *sd, int k,
							double *prob, double *work,
							ThompsonStats *stats, AbError *err)
{
	size_t		kz;
	double	   *mu,
			   *sg,
			   *arm,
			   *vec,
			   *tot,
			   *ia,
			   *ib,
			   *ie,
			   *iflag,
			   *cache;
	TsPoint    *cand;
	TsCtx		ctx;
	int			a,
				j,
				i,
				n,
				kk = 0,
				ncont = 0,
				nties = 0,
				slots,
				maxint,
				maxinit;
	int			scale_exp;
	double		maxval = 0.0,
				point_max = -INFINITY,
				lo = -INFINITY,
				hi = -INFINITY,
				sum,
				toterr = 0.0;
	bool		converged = true;

	if (stats)
	{
		stats->arms_integrated = 0;
		stats->intervals = 0;
		stats->nodes = 0;
		stats->error_estimate = 0.0;
		stats->converged = true;
	}
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
		maxval = fmax(maxval, fmax(fabs(mean[a]), sd[a]));
	}

	kz = (size_t) k;
	mu = work;
	sg = mu + kz;
	arm = sg + kz;
	ctx.cdf = arm + kz;
	ctx.suf = ctx.cdf + kz;
	vec = ctx.suf + kz;
	tot = vec + kz;
	ctx.fv = tot + kz;
	cand = (TsPoint *) (ctx.fv + 15 * kz);
	ia = (double *) (cand + TS_NBREAK * kz);
	ib = ia + TS_MAX_INTERVALS;
	ie = ib + TS_MAX_INTERVALS;
	iflag = ie + TS_MAX_INTERVALS;
	cache = iflag + TS_MAX_INTERVALS;

	/* scale by a power of two so that the largest |mean| or sd is in [1/2, 1) */
	if (maxval > 0.0)
		(void) frexp(maxval, &scale_exp);
	else
		scale_exp = 0;

	/*
	 * Classify: sg[a] > 0 marks a continuous arm (scaled mean in mu), 0 a
	 * point mass.  The largest point mass is tracked on the unscaled means,
	 * whose order and ties scaling cannot change.
	 */
	for (a = 0; a < k; a++)
	{
		double		m = ldexp(mean[a], -scale_exp);
		double		s = ldexp(sd[a], -scale_exp);

		prob[a] = 0.0;
		mu[a] = m;
		if (s >= ldexp(1.0, TS_MIN_SD_EXP) && m + TS_TAIL * s > m - TS_TAIL * s)
		{
			sg[a] = s;
			ncont++;
			lo = fmax(lo, m - TS_TAIL * s);
		}
		else
		{
			sg[a] = 0.0;
			if (mean[a] > point_max)
			{
				point_max = mean[a];
				nties = 1;
			}
			else if (mean[a] == point_max)
				nties++;
		}
	}

	if (ncont == 0)
	{
		for (a = 0; a < k; a++)
			prob[a] = mean[a] == point_max ? 1.0 / nties : 0.0;
		return true;
	}

	if (nties > 0)
	{
		/* point masses: the top ones win when every continuous draw is below */
		double		M = ldexp(point_max, -scale_exp);
		double		p = 1.0;

		for (a = 0; a < k; a++)
			if (sg[a] > 0.0)
				p *= normal_cdf((M - mu[a]) / sg[a]);
		for (a = 0; a < k; a++)
			if (sg[a] == 0.0 && mean[a] == point_max)
				prob[a] = p / nties;
		lo = fmax(lo, M);
	}

	/*
	 * Raise lo to where P(max of the continuous draws < lo) =
	 * prod_b Phi_b(lo) reaches Q(8.5): bisection, keeping an end where the
	 * product is <= Q(8.5) (the first lo is one).  With many arms the max
	 * concentrates far above every single arm's lower tail.
	 */
	if (ncont > 1)
	{
		double		x0 = lo,
					x1 = -INFINITY,
					target = log(normal_cdf(-TS_TAIL));

		for (a = 0; a < k; a++)
			if (sg[a] > 0.0)
				x1 = fmax(x1, mu[a] + TS_TAIL * sg[a]);
		for (i = 0; i < TS_LO_STEPS && x1 > x0; i++)
		{
			double		x = x0 + 0.5 * (x1 - x0);
			double		g = 0.0;

			for (a = 0; a < k && g > target; a++)
				if (sg[a] > 0.0)
					g += log(normal_cdf((x - mu[a]) / sg[a]));
			if (g <= target)
				x0 = x;
			else
				x1 = x;
		}
		lo = x0;
	}

	/* surviving continuous arms, compacted, in u = t - lo */
	for (a = 0; a < k; a++)
	{
		if (sg[a] > 0.0 && mu[a] + TS_TAIL * sg[a] > lo)
		{
			hi = fmax(hi, mu[a] + TS_TAIL * sg[a]);
			mu[kk] = mu[a] - lo;
			sg[kk] = sg[a];
			arm[kk] = a;
			kk++;
		}
	}
	if (stats)
		stats->arms_integrated = kk;

	if (kk == 1)
	{
		/* one arm: P(X_a > M) in closed form, or 1 above nothing */
		a = (int) arm[0];
		prob[a] = nties > 0 ?
			normal_cdf((ldexp(mean[a], -scale_exp) - ldexp(point_max, -scale_exp)) / sg[0]) :
			1.0;
	}
	else if (kk > 1)
	{
		double		H = hi - lo;
		int			nc = 0;
		double		alpha = TS_ALPHA;

		ctx.kk = kk;
		ctx.mu = mu;
		ctx.sg = sg;
		ctx.nodes = 0;

		/*
		 * At most 2000 intervals, fewer for very many arms so that the worst
		 * case (45 nodes per interval counting bisection and recomputation)
		 * stays within about 1e8 Phi evaluations: 444 intervals for k = 5000.
		 */
		maxint = (int) fmin(TS_MAX_INTERVALS, fmax(64.0, TS_WORK_BUDGET / (45.0 * kk)));
		maxinit = maxint < TS_MAX_INITIAL ? maxint : TS_MAX_INITIAL;

		/* initial grid: the arms' breakpoints, thinned */
		for (j = 0; j < kk; j++)
			for (i = 0; i < TS_NBREAK; i++)
			{
				double		p = mu[j] + ts_break[i] * sg[j];

				if (p > 0.0 && p < H)
				{
					cand[nc].p = p;
					cand[nc].s = sg[j];
					nc++;
				}
			}
		qsort(cand, nc, sizeof(TsPoint), ts_point_cmp);
		for (i = 0; i < 64 && ts_thin(cand, nc, H, alpha, NULL) > maxinit; i++)
			alpha *= 2.0;
		if (i == 64)
			nc = 0;				/* unreachable: then start from [0, H] */
		n = ts_thin(cand, nc, H, alpha, ia);
		for (i = 0; i < n; i++)
			ib[i] = ia[i + 1];

		/* Kronrod vectors of the first `slots` intervals are kept */
		slots = (int) (ts_cache_doubles(kz) / (size_t) kk);
		if (slots > TS_MAX_INTERVALS)
			slots = TS_MAX_INTERVALS;
		for (i = 0; i < n; i++)
		{
			AB_CHECK_INTERRUPTS();
			ie[i] = ts_interval(&ctx, ia[i], ib[i],
								i < slots ? cache + (size_t) i * kk : vec);
			iflag[i] = 1.0;		/* may be bisected */
		}

		/* global adaptive bisection; each pass adds an interval or retires one */
		for (;;)
		{
			int			worst = -1;
			double		mid;

			AB_CHECK_INTERRUPTS();

			toterr = 0.0;
			for (i = 0; i < n; i++)
			{
				toterr += ie[i];
				if (iflag[i] != 0.0 && ie[i] > 0.0 && (worst < 0 || ie[i] > ie[worst]))
					worst = i;
			}
			if (toterr <= TS_TOL)
				break;
			if (n >= maxint || worst < 0)
			{
				converged = false;
				break;
			}
			mid = ia[worst] + 0.5 * (ib[worst] - ia[worst]);
			if (!(mid > ia[worst] && mid < ib[worst]))
			{
				iflag[worst] = 0.0; /* at the resolution of doubles */
				continue;
			}
			ia[n] = mid;
			ib[n] = ib[worst];
			iflag[n] = 1.0;
			ie[n] = ts_interval(&ctx, mid, ib[worst],
								n < slots ? cache + (size_t) n * kk : vec);
			ib[worst] = mid;
			ie[worst] = ts_interval(&ctx, ia[worst], mid,
									worst < slots ? cache + (size_t) worst * kk : vec);
			n++;
		}

		/* sum the intervals' Kronrod estimates (recomputing uncached ones) */
		for (j = 0; j < kk; j++)
			tot[j] = 0.0;
		for (i = 0; i < n; i++)
		{
			const double *v = cache + (size_t) i * kk;

			if (i >= slots)
			{
				(void) ts_interval(&ctx, ia[i], ib[i], vec);
				v = vec;
			}
			for (j = 0; j < kk; j++)
				tot[j] += v[j];
		}
		for (j = 0; j < kk; j++)
			prob[(int) arm[j]] = tot[j];

		if (stats)
		{
			stats->intervals = n;
			stats->nodes = ctx.nodes;
			stats->error_estimate = toterr;
			stats->converged = converged;
		}
	}

	/* renormalise away the integration and truncation error */
	sum = 0.0;
	for (a = 0; a < k; a++)
		sum += prob[a];
	if (!(sum > 0.5 && sum < 1.5))
		return ab_fail(err, AB_ERR_OUT_OF_RANGE,
					   "thompson: numerical integration failed (total probability %g)", sum);
	for (a = 0; a < k; a++)
		prob[a] /= sum;
	return true;
}

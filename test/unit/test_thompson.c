/*
 * Thompson-sampling probabilities against independent references:
 *  - k = 2: P(A > B) = Phi((m_a - m_b) / sqrt(s_a^2 + s_b^2));
 *  - equal means, k = 3 and 4: the differences X_a - X_b are jointly
 *    normal with mean 0, and the orthant probabilities of 2 and 3 centred
 *    normals are 1/4 + asin(r)/(2 pi) and 1/8 + (sum of asin r_ij)/(4 pi)
 *    (Sheppard; e.g. Tong, The Multivariate Normal Distribution, 1990),
 *    with asin(r) = pi/2 - theta taken from 1 - r^2 written without
 *    cancellation (asin near r = 1 would lose 1e-10 to rounding);
 *  - composite Simpson on a fine uniform grid, written out here with no
 *    adaptivity, pruning or prefix products;
 *  - Monte Carlo with 10^6 draws (splitmix64 + Box–Muller), within 5
 *    binomial standard errors;
 *  - test_random_cases: 1,200 random configurations (K = 2 to 50: bandit
 *    posteriors with unseen arms, near ties, sds over twelve and over three
 *    hundred decades, means far apart, point masses) against ref_probabilities, a composite
 *    Gauss–Legendre rule in long double written here (its own nodes, by
 *    Newton's method; panels of half an sd of every arm over +-12 sds; Phi
 *    and phi from libm's erfc and exp, not normal.h's tables): every
 *    probability within 1e-12, and the error bound thompson.c proves
 *    checked against the actual error at loose tolerances, where it can be
 *    measured.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gauss_legendre.h"
#include "normal.h"
#include "thompson.h"
#include "unit.h"

#define PI 3.14159265358979323846

static bool
tp(const double *m, const double *s, int k, double *p)
{
	AbError		err;

	err.kind = AB_OK;
	if (!thompson_probabilities(m, s, k, p, &err))
	{
		fprintf(stderr, "thompson_probabilities failed: %s\n", err.message);
		return false;
	}
	return true;
}

/*
 * P(arm a wins) by composite Simpson, step min sd / (2 div), over +-14 sds
 * of every continuous arm, starting at `from` (a point mass below which the
 * continuous arms cannot win; the integrand does not vanish there, so that
 * needs a finer step).
 */
static double
simpson(const double *m, const double *s, int k, int a, double from, int div)
{
	double		lo = INFINITY,
				hi = -INFINITY,
				smin = INFINITY,
				h,
				acc = 0.0;
	long		n,
				i;
	int			b;

	for (b = 0; b < k; b++)
	{
		if (s[b] == 0.0)
			continue;
		lo = fmin(lo, m[b] - 14.0 * s[b]);
		hi = fmax(hi, m[b] + 14.0 * s[b]);
		smin = fmin(smin, s[b]);
	}
	lo = fmax(lo, from);
	n = 2 * ((long) ((hi - lo) / (smin / div)) + 1);
	h = (hi - lo) / n;
	for (i = 0; i <= n; i++)
	{
		double		t = lo + i * h;
		double		f = normal_pdf((t - m[a]) / s[a]) / s[a];

		for (b = 0; b < k; b++)
			if (b != a)
				f *= s[b] == 0.0 ? (t >= m[b] ? 1.0 : 0.0) : normal_cdf((t - m[b]) / s[b]);
		acc += (i == 0 || i == n) ? f : (i % 2 ? 4.0 * f : 2.0 * f);
	}
	return acc * h / 3.0;
}

static double
box_muller(unsigned long long *st, double *spare, bool *have)
{
	double		u1,
				u2,
				r;

	if (*have)
	{
		*have = false;
		return *spare;
	}
	do
		u1 = unit_rand01(st);
	while (u1 == 0.0);
	u2 = unit_rand01(st);
	r = sqrt(-2.0 * log(u1));
	*spare = r * sin(2.0 * PI * u2);
	*have = true;
	return r * cos(2.0 * PI * u2);
}

static void
test_k2_closed_form(void)
{
	static const double ms[] = {-3, -1, 0, 0.3, 1, 2.5, 6};
	static const double ss[] = {1e-3, 0.05, 0.3, 1, 2, 7, 100};
	double		worst = 0.0;
	int			i,
				j,
				p,
				q;

	for (i = 0; i < 7; i++)
		for (j = 0; j < 7; j++)
			for (p = 0; p < 7; p++)
				for (q = 0; q < 7; q++)
				{
					double		m[2] = {ms[i], ms[j]};
					double		s[2] = {ss[p], ss[q]};
					double		pr[2];
					double		d = (m[0] - m[1]) / hypot(s[0], s[1]);

					if (!tp(m, s, 2, pr))
					{
						CHECK(false);
						continue;
					}
					CHECK_NEAR(pr[0], normal_cdf(d), 1e-9);
					CHECK_NEAR(pr[1], normal_cdf(-d), 1e-9);
					worst = fmax(worst, fmax(fabs(pr[0] - normal_cdf(d)),
											 fabs(pr[1] - normal_cdf(-d))));
				}
	/* the tolerance the header promises, with room to spare */
	CHECK(worst <= 1e-12);
}

/* Extreme but legitimate scales and offsets, k = 2, against the closed form. */
static void
test_k2_extremes(void)
{
	static const double cases[][4] = {
		/* m_a, m_b, s_a, s_b */
		{1e-6, 0, 1e-6, 1e3},	/* a needle against a haystack */
		{0, 0, 1e-6, 1e3},
		{1e6, 1e6 + 1e-6, 1e-6, 1e-6},	/* a large common offset */
		{-1e6, -1e6 + 3e-9, 1e-9, 2e-9},
		{1e300, -1e300, 1e300, 1e300},	/* near overflow */
		{1e-300, 0, 1e-300, 1e-300},	/* near underflow */
		{0, 10, 1, 1},			/* one arm dominating */
		{0, 37, 1, 1},
		{5, 0, 1e-8, 1e8},
		{1e8, 0, 1, 1e8},
	};
	size_t		c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
	{
		double		m[2] = {cases[c][0], cases[c][1]};
		double		s[2] = {cases[c][2], cases[c][3]};
		double		d = (m[0] - m[1]) / hypot(s[0], s[1]);
		double		pr[2];

		if (!tp(m, s, 2, pr))
		{
			CHECK(false);
			continue;
		}
		CHECK_NEAR(pr[0], normal_cdf(d), 1e-9);
		CHECK_NEAR(pr[1], normal_cdf(-d), 1e-9);
	}

	/* far apart: the loser is exactly 0, the winner exactly 1 */
	{
		double		m[2] = {0, 100},
					s[2] = {1, 1},
					pr[2];

		CHECK(tp(m, s, 2, pr) && pr[0] == 0.0 && pr[1] == 1.0);
	}
}

/* Equal means, k = 3 and 4: orthant probabilities in closed form. */
static void
test_equal_means_orthant(void)
{
	static const double ss[] = {1e-6, 0.01, 0.5, 1, 3, 1e3};
	int			i,
				j,
				l,
				q;

	for (i = 0; i < 6; i++)
		for (j = 0; j < 6; j++)
			for (l = 0; l < 6; l++)
			{
				double		m[3] = {0.25, 0.25, 0.25};
				double		s[3] = {ss[i], ss[j], ss[l]};
				double		pr[3];
				int			a;

				if (!tp(m, s, 3, pr))
				{
					CHECK(false);
					continue;
				}
				for (a = 0; a < 3; a++)
				{
					double		sa = s[a] * s[a],
								sb = s[(a + 1) % 3] * s[(a + 1) % 3],
								sc = s[(a + 2) % 3] * s[(a + 2) % 3];
					/* asin(r) = pi/2 - theta, r = cos(theta): exact near r = 1 */
					double		theta = atan2(sqrt(sa * sb + sa * sc + sb * sc), sa);

					CHECK_NEAR(pr[a], 0.5 - theta / (2.0 * PI), 1e-10);
				}
			}

	for (q = 0; q < 20; q++)
	{
		unsigned long long st = 77 + q;
		double		m[4],
					s[4],
					pr[4];
		int			a;

		for (a = 0; a < 4; a++)
		{
			m[a] = -2.0;
			s[a] = pow(10.0, 4.0 * unit_rand01(&st) - 2.0);
		}
		if (!tp(m, s, 4, pr))
		{
			CHECK(false);
			continue;
		}
		for (a = 0; a < 4; a++)
		{
			/*
			 * D_b = X_a - X_b: Var = s_a^2 + s_b^2, Cov(D_b, D_c) = s_a^2,
			 * so r_bc = cos(theta) with theta as in the k = 3 case
			 */
			double		v[3],
						acc = 0.125,
						sa = s[a] * s[a];
			int			b,
						n = 0,
						x,
						y;

			for (b = 0; b < 4; b++)
				if (b != a)
					v[n++] = s[b] * s[b];
			for (x = 0; x < 3; x++)
				for (y = x + 1; y < 3; y++)
					acc += (PI / 2.0 - atan2(sqrt(sa * v[x] + sa * v[y] + v[x] * v[y]), sa)) /
						(4.0 * PI);
			CHECK_NEAR(pr[a], acc, 1e-10);
		}
	}
}

static void
test_equal_arms(void)
{
	static const int ks[] = {1, 2, 3, 7, 64, 1000};
	size_t		c;

	for (c = 0; c < sizeof(ks) / sizeof(ks[0]); c++)
	{
		int			k = ks[c],
					a,
					z;

		for (z = 0; z < 2; z++)
		{
			double	   *m = malloc(sizeof(double) * k);
			double	   *s = malloc(sizeof(double) * k);
			double	   *pr = malloc(sizeof(double) * k);
			double		worst = 0.0;

			for (a = 0; a < k; a++)
			{
				m[a] = 0.7;
				s[a] = z ? 1.3 : 0.0;	/* continuous, then point masses */
			}
			CHECK(tp(m, s, k, pr));
			for (a = 0; a < k; a++)
				worst = fmax(worst, fabs(pr[a] - 1.0 / k));
			CHECK(worst <= 1e-12);
			free(m);
			free(s);
			free(pr);
		}
	}
}

/* Against Simpson's rule, random 3- to 6-arm configurations. */
static void
test_simpson(void)
{
	unsigned long long st = 2024;
	int			q;

	for (q = 0; q < 12; q++)
	{
		int			k = 3 + q % 4,
					a;
		double		m[6],
					s[6],
					pr[6];

		for (a = 0; a < k; a++)
		{
			m[a] = 4.0 * unit_rand01(&st) - 2.0;
			s[a] = pow(10.0, 1.5 * unit_rand01(&st) - 1.0);
		}
		if (!tp(m, s, k, pr))
		{
			CHECK(false);
			continue;
		}
		for (a = 0; a < k; a++)
			CHECK_NEAR(pr[a], simpson(m, s, k, a, -INFINITY, 10), 1e-9);
	}
}

/* Many arms: 2999 equal ones and one apart; the reference needs only pow. */
static void
test_many_arms(void)
{
	int			k = 3000,
				a;
	double	   *m = malloc(sizeof(double) * k);
	double	   *s = malloc(sizeof(double) * k);
	double	   *pr = malloc(sizeof(double) * k);
	double		ref = 0.0,
				h = 0.01,
				worst = 0.0;
	int			i;

	for (a = 0; a < k; a++)
	{
		m[a] = 0.0;
		s[a] = 1.0;
	}
	m[1234] = 3.0;
	s[1234] = 0.5;
	CHECK(tp(m, s, k, pr));
	/* trapezoid over [-4, 12] of phi_special * Phi^(k-1) */
	for (i = 0; i <= 1600; i++)
	{
		double		t = -4.0 + i * h;
		double		f = normal_pdf((t - 3.0) / 0.5) / 0.5 * pow(normal_cdf(t), k - 1);

		ref += (i == 0 || i == 1600) ? 0.5 * f : f;
	}
	ref *= h;
	CHECK_NEAR(pr[1234], ref, 1e-9);
	for (a = 0; a < k; a++)
		if (a != 1234)
			worst = fmax(worst, fabs(pr[a] - (1.0 - ref) / (k - 1)));
	CHECK(worst <= 1e-12);
	free(m);
	free(s);
	free(pr);
}

/* Monte Carlo, 10^6 draws per configuration, within 5 standard errors. */
static void
test_monte_carlo(void)
{
	static const double m3[] = {0, 0.5, 1};
	static const double s3[] = {1, 2, 0.5};
	static const double m5[] = {0, 0.2, -0.3, 0.1, 0.4};
	static const double s5[] = {0.3, 1, 2, 0.1, 0.5};
	/* mixed scales and a point mass (arm 5, sd 0) */
	static const double m8[] = {1.05, 0.8, 0.0, 1.1, 0.9, 1.1, -3.0, 1.05};
	static const double s8[] = {0.05, 0.3, 1.0, 0.01, 0.5, 0.0, 3.0, 0.2};
	const double *ms[3] = {m3, m5, m8};
	const double *ss[3] = {s3, s5, s8};
	const int	ks[3] = {3, 5, 8};
	const long	N = 1000000;
	int			c;

	for (c = 0; c < 3; c++)
	{
		int			k = ks[c],
					a;
		long		count[8] = {0},
					i;
		double		pr[8],
					x[8],
					spare = 0.0;
		bool		have = false;
		unsigned long long st = 4242 + c;

		CHECK(tp(ms[c], ss[c], k, pr));
		for (i = 0; i < N; i++)
		{
			int			best = 0;

			for (a = 0; a < k; a++)
			{
				x[a] = ms[c][a] + ss[c][a] * box_muller(&st, &spare, &have);
				if (x[a] > x[best])
					best = a;
			}
			count[best]++;
		}
		for (a = 0; a < k; a++)
		{
			double		se = sqrt(pr[a] * (1.0 - pr[a]) / N);

			CHECK(pr[a] > 1e-3);	/* the check below has power */
			CHECK(fabs((double) count[a] / N - pr[a]) <= 5.0 * se);
		}
	}
}

static void
test_point_masses(void)
{
	double		pr[4];

	/* only point masses: the top ones split evenly, exactly */
	{
		double		m[4] = {1, 3, 3, 2},
					s[4] = {0, 0, 0, 0};

		CHECK(tp(m, s, 4, pr) && pr[0] == 0.0 && pr[1] == 0.5 && pr[2] == 0.5 && pr[3] == 0.0);
	}
	{
		double		m[1] = {-5},
					s[1] = {0};

		CHECK(tp(m, s, 1, pr) && pr[0] == 1.0);
	}
	/* two tied point masses and a continuous arm centred on them */
	{
		double		m[3] = {0, 0, 0},
					s[3] = {0, 0, 1};

		CHECK(tp(m, s, 3, pr));
		CHECK_NEAR(pr[0], 0.25, 1e-14);
		CHECK_NEAR(pr[1], 0.25, 1e-14);
		CHECK_NEAR(pr[2], 0.5, 1e-14);
	}
	/* a lower point mass never wins */
	{
		double		m[3] = {0, 1, 0},
					s[3] = {0, 0, 1};

		CHECK(tp(m, s, 3, pr));
		CHECK(pr[0] == 0.0);
		CHECK_NEAR(pr[1], normal_cdf(1.0), 1e-14);
		CHECK_NEAR(pr[2], normal_cdf(-1.0), 1e-14);
	}
	/* k = 2, a point against a normal: Phi((m - M) / s) */
	{
		static const double dm[] = {-9, -3, -0.5, 0, 0.7, 4, 12};
		static const double ss[] = {1e-4, 0.2, 1, 50};
		int			i,
					j;

		for (i = 0; i < 7; i++)
			for (j = 0; j < 4; j++)
			{
				double		m[2] = {1.5, 1.5 + dm[i] * ss[j]},
							s[2] = {0, ss[j]},
							z;

				/* m[1] - m[0] is exact, dm[i] * ss[j] was rounded */
				z = (m[1] - m[0]) / s[1];
				CHECK(tp(m, s, 2, pr));
				CHECK_NEAR(pr[1], normal_cdf(z), 1e-12);
				CHECK_NEAR(pr[0], normal_cdf(-z), 1e-12);
			}
	}
	/* a point and three normals: the normals integrate only above it */
	{
		double		m[4] = {0.3, 0, 0.5, -1},
					s[4] = {0, 1, 0.4, 2};
		int			a;

		CHECK(tp(m, s, 4, pr));
		CHECK_NEAR(pr[0], normal_cdf(0.3) * normal_cdf(-0.5) * normal_cdf(0.65), 1e-12);
		for (a = 1; a < 4; a++)
			CHECK_NEAR(pr[a], simpson(m, s, 4, a, 0.3, 400), 1e-9);
	}
	/* continuity: sd -> 0 approaches the point mass (the gap is O(sd^2)) */
	{
		double		m[3] = {0.2, 0, 0.5},
					s[3] = {0, 1, 1e3},
					p0[3],
					p1[3];
		int			a;

		CHECK(tp(m, s, 3, p0));
		s[0] = 1e-7;
		CHECK(tp(m, s, 3, p1));
		for (a = 0; a < 3; a++)
			CHECK_NEAR(p1[a], p0[a], 1e-9);
	}
	/* a point mass far above everything takes all */
	{
		double		m[3] = {50, 0, 1},
					s[3] = {0, 1, 2};

		CHECK(tp(m, s, 3, pr) && pr[0] == 1.0 && pr[1] == 0.0 && pr[2] == 0.0);
	}
}

/* Sums to 1; permuting the arms permutes the probabilities; invariances. */
static void
test_sum_symmetry_invariance(void)
{
	unsigned long long st = 99;
	int			q;

	for (q = 0; q < 30; q++)
	{
		int			k = 2 + q % 11,
					a,
					perm[12];
		double		m[12],
					s[12],
					pm[12],
					ps[12],
					pr[12],
					pp[12],
					sum = 0.0;

		for (a = 0; a < k; a++)
		{
			m[a] = 3.0 * unit_rand01(&st);
			s[a] = unit_rand01(&st) < 0.1 ? 0.0 : pow(10.0, 3.0 * unit_rand01(&st) - 2.0);
			perm[a] = a;
		}
		for (a = k - 1; a > 0; a--)
		{
			int			b = (int) (unit_rand01(&st) * (a + 1)),
						t = perm[a];

			perm[a] = perm[b];
			perm[b] = t;
		}
		if (!tp(m, s, k, pr))
		{
			CHECK(false);
			continue;
		}
		for (a = 0; a < k; a++)
		{
			CHECK(pr[a] >= 0.0 && pr[a] <= 1.0);
			sum += pr[a];
			pm[a] = m[perm[a]];
			ps[a] = s[perm[a]];
		}
		CHECK_NEAR(sum, 1.0, 1e-14);
		CHECK(tp(pm, ps, k, pp));
		for (a = 0; a < k; a++)
			CHECK_NEAR(pp[a], pr[perm[a]], 1e-13);

		/* affine invariance: scaled by 1e6 and shifted by 1e7, or scaled by 1e-200 */
		for (a = 0; a < k; a++)
		{
			pm[a] = 1e7 + 1e6 * m[a];
			ps[a] = 1e6 * s[a];
		}
		CHECK(tp(pm, ps, k, pp));
		for (a = 0; a < k; a++)
			CHECK_NEAR(pp[a], pr[a], 1e-9);
		for (a = 0; a < k; a++)
		{
			pm[a] = 1e-200 * m[a];
			ps[a] = 1e-200 * s[a];
		}
		CHECK(tp(pm, ps, k, pp));
		for (a = 0; a < k; a++)
			CHECK_NEAR(pp[a], pr[a], 1e-9);
	}
}

/* The work-space form: same answer, statistics filled, bounded cost. */
static void
test_work_and_stats(void)
{
	double		m[6] = {0, 0.3, -0.2, 0.1, 0.5, 0.2};
	double		s[6] = {1, 0.5, 2, 0.8, 0.3, 1.5};
	double		p1[6],
				p2[6];
	double	   *work = malloc(sizeof(double) * thompson_work_doubles(6));
	ThompsonStats st;
	AbError		err;
	int			a;

	CHECK(tp(m, s, 6, p1));
	CHECK(thompson_probabilities_work(m, s, 6, p2, work, &st, &err));
	for (a = 0; a < 6; a++)
		CHECK(p1[a] == p2[a]);
	CHECK(st.converged && st.arms_integrated == 6 && st.intervals > 0 &&
		  st.nodes > 0 && st.nodes < 2000 && st.error_bound <= 1e-12);
	CHECK(thompson_work_doubles(0) == 0 && thompson_work_doubles(1) > 0);
	free(work);
}

static void
test_errors(void)
{
	double		m[3] = {0, 1, 2},
				s[3] = {1, 1, 1},
				pr[3];
	AbError		err;
	int			i;
	static const double bad_means[] = {NAN, INFINITY, -INFINITY};
	static const double bad_sds[] = {-1.0, -1e-300, NAN, INFINITY};

	err.kind = AB_OK;
	CHECK(!thompson_probabilities(m, s, 0, pr, &err) && err.kind == AB_ERR_VALUE &&
		  err.message[0] != '\0');
	err.kind = AB_OK;
	CHECK(!thompson_probabilities(m, s, -4, pr, &err) && err.kind == AB_ERR_VALUE);
	err.kind = AB_OK;
	CHECK(!thompson_probabilities(NULL, s, 3, pr, &err) && err.kind == AB_ERR_VALUE);
	err.kind = AB_OK;
	CHECK(!thompson_probabilities(m, s, 3, NULL, &err) && err.kind == AB_ERR_VALUE);
	for (i = 0; i < 3; i++)
	{
		m[1] = bad_means[i];
		err.kind = AB_OK;
		CHECK(!thompson_probabilities(m, s, 3, pr, &err) && err.kind == AB_ERR_VALUE &&
			  strstr(err.message, "mean of arm 1") != NULL);
	}
	m[1] = 1.0;
	for (i = 0; i < 4; i++)
	{
		s[2] = bad_sds[i];
		err.kind = AB_OK;
		CHECK(!thompson_probabilities(m, s, 3, pr, &err) && err.kind == AB_ERR_VALUE &&
			  strstr(err.message, "arm 2") != NULL);
	}
	/* a NULL AbError is allowed */
	CHECK(!thompson_probabilities(m, s, 3, pr, NULL));
}

/* ---- an independent reference: composite Gauss–Legendre in long double ---- */

#define REF_N 20				/* nodes per panel */
#define REF_TAIL 12.0L			/* range in sds: Q(12) = 1.8e-33 */
#define REF_MAXK 64

static long double ref_x[REF_N],
			ref_w[REF_N];
static bool ref_ready = false;

/*
 * Nodes x[0..n) (roots of P_n, descending) and weights of the n-point
 * Gauss–Legendre rule in long double, by Newton's method.
 */
static void
gl_newton(int n, long double *x, long double *w)
{
	int			i,
				it,
				j;

	for (i = 0; i < n; i++)
	{
		long double t = cosl(3.14159265358979323846264338327950288L * (i + 0.75L) / (n + 0.5L)),
					dp = 1.0L;

		for (it = 0; it < 100; it++)
		{
			long double p0 = 1.0L,
						p1 = t,
						dx;

			for (j = 2; j <= n; j++)
			{
				long double p2 = ((2 * j - 1) * t * p1 - (j - 1) * p0) / j;

				p0 = p1;
				p1 = p2;
			}
			dp = n * (t * p1 - p0) / (t * t - 1.0L);
			dx = p1 / dp;
			t -= dx;
			if (fabsl(dx) < 1e-19L)
				break;
		}
		x[i] = t;
		w[i] = 2.0L / ((1.0L - t * t) * dp * dp);
	}
}

static void
ref_init(void)
{
	gl_newton(REF_N, ref_x, ref_w);
	ref_ready = true;
}

static long double
ref_Phi(long double z)
{
	return 0.5L * (long double) erfc((double) (-z / sqrtl(2.0L)));
}

static long double
ref_phi(long double z)
{
	return (long double) exp((double) (-0.5L * z * z)) /
		sqrtl(2.0L * 3.14159265358979323846264338327950288L);
}

typedef struct RefPoint
{
	long double t;				/* a breakpoint */
	long double s;				/* the sd of the arm it belongs to */
} RefPoint;

static int
ref_cmp(const void *x, const void *y)
{
	long double a = ((const RefPoint *) x)->t,
				b = ((const RefPoint *) y)->t;

	return (a > b) - (a < b);
}

/*
 * P(arm a has the largest draw) by brute force: the continuous arms'
 * integrals over [max(top point mass, max (m - 12 s)), max (m + 12 s)] on
 * panels between the points m + (j + offset) s / per_sd of every arm
 * (thinned), 20 Gauss nodes each;
 * point masses at the top M share prod Phi_c(M).  No pruning, no
 * adaptivity, no renormalisation.
 */
static void
ref_probabilities_grid(const double *m, const double *s, int k, long double *p,
					   int per_sd, long double offset)
{
	static RefPoint bp[REF_MAXK * 200 + 2];
	long double M = -INFINITY,
				lo = -INFINITY,
				hi = -INFINITY,
				Phi[REF_MAXK],
				phi[REF_MAXK],
				suf[REF_MAXK],
				cm[REF_MAXK],
				cis[REF_MAXK];
	int			cont[REF_MAXK];
	int			nc = 0,
				nties = 0,
				nb = 0,
				a,
				b,
				i,
				q;

	if (!ref_ready)
		ref_init();
	for (a = 0; a < k; a++)
	{
		p[a] = 0.0L;
		if (s[a] > 0.0)
		{
			cont[nc++] = a;
			lo = fmaxl(lo, (long double) m[a] - REF_TAIL * s[a]);
			hi = fmaxl(hi, (long double) m[a] + REF_TAIL * s[a]);
		}
		else if (m[a] > M)
		{
			M = m[a];
			nties = 1;
		}
		else if (m[a] == M)
			nties++;
	}
	if (nc == 0)
	{
		for (a = 0; a < k; a++)
			p[a] = m[a] == M ? 1.0L / nties : 0.0L;
		return;
	}
	if (nties > 0)
	{
		long double pm = 1.0L;

		for (i = 0; i < nc; i++)
			pm *= ref_Phi((M - m[cont[i]]) / (long double) s[cont[i]]);
		for (a = 0; a < k; a++)
			if (s[a] == 0.0 && m[a] == M)
				p[a] = pm / nties;
		lo = fmaxl(lo, M);
	}
	if (!(hi > lo))
		return;
	for (i = 0; i < nc; i++)
		for (q = -12 * per_sd; q <= 12 * per_sd; q++)
		{
			long double t = (long double) m[cont[i]] + (q + offset) / per_sd * s[cont[i]];

			if (t > lo && t < hi)
			{
				bp[nb].t = t;
				bp[nb++].s = s[cont[i]];
			}
		}
	qsort(bp, nb, sizeof(RefPoint), ref_cmp);

	/*
	 * Thin: keep a point at least half its own spacing past the last kept
	 * one.  Every arm then has a kept point within half a spacing before each
	 * of its points, so no panel inside its +-12 sds is wider than 1.5 of its
	 * spacings (3/4 sd with per_sd = 2).
	 */
	{
		long double last = lo;
		int			n = 0;

		for (i = 0; i < nb; i++)
			if (bp[i].t - last >= 0.5L / per_sd * bp[i].s)
				last = bp[n++].t = bp[i].t;
		bp[n++].t = hi;
		nb = n;
	}
	for (i = 0; i < nc; i++)
	{
		cm[i] = m[cont[i]];
		cis[i] = 1.0L / s[cont[i]];
	}
	for (b = 0; b < nb; b++)
	{
		long double from = b == 0 ? lo : bp[b - 1].t,
					h = 0.5L * (bp[b].t - from),
					c = from + h;

		if (!(h > 0.0L))
			continue;
		for (q = 0; q < REF_N; q++)
		{
			long double t = c + h * ref_x[q],
						pre = 1.0L;

			for (i = 0; i < nc; i++)
			{
				long double z = (t - cm[i]) * cis[i];

				/* beyond 12 sds: Phi within Q(12) = 1.8e-33 of 0 or 1, phi below 6e-32 / s */
				Phi[i] = z > REF_TAIL ? 1.0L : z < -REF_TAIL ? 0.0L : ref_Phi(z);
				phi[i] = fabsl(z) > REF_TAIL ? 0.0L : ref_phi(z) * cis[i];
			}
			suf[nc - 1] = 1.0L;
			for (i = nc - 1; i > 0; i--)
				suf[i - 1] = suf[i] * Phi[i];
			for (i = 0; i < nc; i++)
			{
				p[cont[i]] += h * ref_w[q] * phi[i] * pre * suf[i];
				pre *= Phi[i];
			}
		}
	}
}

/* Panels of half an sd (of every arm): the reference. */
static void
ref_probabilities(const double *m, const double *s, int k, long double *p)
{
	ref_probabilities_grid(m, s, k, p, 2, 0.0L);
}

/* ---- random configurations ---- */

static double
rnd_normal(unsigned long long *st)
{
	double		u1,
				u2;

	do
		u1 = unit_rand01(st);
	while (u1 == 0.0);
	u2 = unit_rand01(st);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * PI * u2);
}

/* Case q of the random suite: k arms into m, s; returns k. */
static int
random_case(int q, unsigned long long *st, double *m, double *s)
{
	int			kind = q % 9,
				k,
				a;

	switch (kind)
	{
		case 0:
		case 1:
			/* bandit posteriors: K 2-16, one to three unseen arms (0, S) */
			{
				int			unseen = 1 + (int) (3 * unit_rand01(st));
				double		S = 0.5 + 2.5 * unit_rand01(st);

				k = 2 + (int) (15 * unit_rand01(st));
				for (a = 0; a < k; a++)
				{
					if (a < unseen && a < k - 1)
					{
						m[a] = 0.0;
						s[a] = S;
					}
					else
					{
						m[a] = 0.3 + 0.1 * rnd_normal(st);
						s[a] = 0.05 + 0.25 * unit_rand01(st);
					}
				}
			}
			break;
		case 2:
			/* near ties: equal or almost equal means and sds */
			{
				double		m0 = 10.0 * rnd_normal(st),
							s0 = pow(10.0, 4.0 * unit_rand01(st) - 2.0),
							eps = pow(10.0, -9.0 * unit_rand01(st));

				k = 2 + (int) (11 * unit_rand01(st));
				for (a = 0; a < k; a++)
				{
					m[a] = m0 + (unit_rand01(st) < 0.5 ? 0.0 : eps * s0 * rnd_normal(st));
					s[a] = unit_rand01(st) < 0.5 ? s0 : s0 * (1.0 + eps * unit_rand01(st));
				}
			}
			break;
		case 3:
			/* sds over twelve decades, means within a few of the sds */
			{
				double		base = pow(10.0, 6.0 * unit_rand01(st) - 3.0);

				k = 2 + (int) (9 * unit_rand01(st));
				for (a = 0; a < k; a++)
				{
					s[a] = base * pow(10.0, 12.0 * unit_rand01(st) - 6.0);
					m[a] = base * rnd_normal(st) + (unit_rand01(st) < 0.5 ? 0.0 : s[a] * rnd_normal(st));
				}
			}
			break;
		case 4:
			/* means far apart in sds, with some pairs close */
			k = 2 + (int) (11 * unit_rand01(st));
			for (a = 0; a < k; a++)
			{
				s[a] = pow(10.0, 2.0 * unit_rand01(st) - 1.0);
				m[a] = a == 0 || unit_rand01(st) < 0.7 ? 30.0 * a + 5.0 * rnd_normal(st) : m[a - 1] + s[a] * rnd_normal(st);
			}
			break;
		case 5:
			/* point masses among continuous arms, ties between them */
			k = 2 + (int) (9 * unit_rand01(st));
			for (a = 0; a < k; a++)
			{
				m[a] = rnd_normal(st);
				s[a] = unit_rand01(st) < 0.35 ? 0.0 : pow(10.0, 2.0 * unit_rand01(st) - 1.5);
				if (s[a] == 0.0 && a > 0 && s[a - 1] == 0.0 && unit_rand01(st) < 0.5)
					m[a] = m[a - 1];
			}
			break;
		case 6:
			/* many arms: K 17-50 bandit posteriors, up to seven unseen */
			{
				int			unseen = (int) (8 * unit_rand01(st));
				double		S = 0.5 + 2.5 * unit_rand01(st);

				k = 17 + (int) (34 * unit_rand01(st));
				for (a = 0; a < k; a++)
				{
					if (a < unseen)
					{
						m[a] = 0.0;
						s[a] = S;
					}
					else
					{
						m[a] = 0.3 + 0.1 * rnd_normal(st);
						s[a] = 0.03 + 0.3 * unit_rand01(st);
					}
				}
			}
			break;
		case 8:
			/* sds over 300 decades, each mean within a few of its own sds of 0 */
			k = 2 + (int) (9 * unit_rand01(st));
			for (a = 0; a < k; a++)
			{
				s[a] = pow(10.0, 300.0 * unit_rand01(st) - 150.0);
				m[a] = s[a] * rnd_normal(st);
			}
			break;
		default:
			/* general: means N(0, 1) scaled, sds over two decades */
			{
				double		sc = pow(10.0, 8.0 * unit_rand01(st) - 4.0);

				k = 2 + (int) (20 * unit_rand01(st));
				for (a = 0; a < k; a++)
				{
					m[a] = sc * rnd_normal(st);
					s[a] = sc * pow(10.0, 2.0 * unit_rand01(st) - 1.5);
				}
			}
			break;
	}
	return k;
}

#define RANDOM_CASES 1200
#define RANDOM_TOL 1e-12

/*
 * Every probability of RANDOM_CASES random configurations within 1e-12 of
 * the reference; sums to 1; the proven bound met (converged, at most the
 * default tolerance 4e-13).  At loose tolerances (every 7th case), the
 * actual error of every arm within the bound ThompsonStats.error_bound
 * reports (plus the renormalisation's factor and rounding).
 */
static void
test_random_cases(void)
{
	unsigned long long st = 20240901;
	double		m[REF_MAXK],
				s[REF_MAXK],
				pr[REF_MAXK],
				worst = 0.0,
				worst_ratio = 0.0,
				worst_kind[9] = {0};
	long double ref[REF_MAXK];
	double	   *work = malloc(sizeof(double) * thompson_work_doubles(REF_MAXK));
	int			q,
				bad = 0,
				bad_bound = 0,
				arms = 0,
				certified = 0;
	static const double loose[] = {1e-3, 1e-6, 1e-9};

	for (q = 0; q < RANDOM_CASES; q++)
	{
		int			k = random_case(q, &st, m, s),
					a;
		ThompsonStats ts;
		AbError		err;
		double		sum = 0.0;

		ref_probabilities(m, s, k, ref);
		err.kind = AB_OK;
		if (!thompson_probabilities_work(m, s, k, pr, work, &ts, &err))
		{
			fprintf(stderr, "random case %d: %s\n", q, err.message);
			CHECK(false);
			continue;
		}
		CHECK(ts.converged && ts.error_bound <= 4e-13);
		for (a = 0; a < k; a++)
		{
			double		e = fabs(pr[a] - (double) ref[a]);

			sum += pr[a];
			arms++;
			if (e > worst)
				worst = e;
			if (e > worst_kind[q % 9])
				worst_kind[q % 9] = e;
			if (!(e <= RANDOM_TOL) && bad++ < 10)
				fprintf(stderr, "random case %d (kind %d, k = %d), arm %d: m = %.17g, s = %.17g: "
						"%.17g, reference %.17Lg\n", q, q % 9, k, a, m[a], s[a], pr[a], ref[a]);
		}
		CHECK_NEAR(sum, 1.0, 1e-14);

		if (q % 7 == 0)
		{
			int			l;

			for (l = 0; l < 3; l++)
			{
				double		allow;

				CHECK(thompson_probabilities_tol(m, s, k, pr, work, loose[l], &ts, &err));
				allow = ts.error_bound * (1.0 + 2.0 * ts.error_bound) + 1e-14;
				certified++;
				for (a = 0; a < k; a++)
				{
					double		e = fabs(pr[a] - (double) ref[a]);

					if (ts.error_bound > 0.0 && e / ts.error_bound > worst_ratio)
						worst_ratio = e / ts.error_bound;
					if (!(e <= allow) && bad_bound++ < 10)
						fprintf(stderr, "random case %d at tolerance %g, arm %d: error %.3g above the bound %.3g\n",
								q, loose[l], a, e, ts.error_bound);
				}
			}
		}
	}
	CHECK(bad == 0);
	CHECK(bad_bound == 0);
	printf("     thompson: %d random configurations (%d probabilities) within %.1e of the "
		   "reference (worst %.1e); %d runs at tolerances 1e-3..1e-9 within their "
		   "error bound (worst error / bound %.2g)\n",
		   RANDOM_CASES, arms, RANDOM_TOL, worst, certified, worst_ratio);
	printf("     thompson: worst by kind (bandit, bandit, near ties, 12 decades, far apart, "
		   "point masses, K 17-50, general, 300 decades): %.0e %.0e %.0e %.0e %.0e %.0e %.0e %.0e %.0e\n",
		   worst_kind[0], worst_kind[1], worst_kind[2], worst_kind[3], worst_kind[4],
		   worst_kind[5], worst_kind[6], worst_kind[7], worst_kind[8]);
	free(work);
}

/*
 * The reference against itself on another grid (panels of a quarter sd,
 * shifted by an eighth): they agree far below the 1e-12 the tests ask of
 * thompson_probabilities.
 */
static void
test_reference_self(void)
{
	unsigned long long st = 7;
	int			q;
	double		m[REF_MAXK],
				s[REF_MAXK];
	long double r1[REF_MAXK],
				r2[REF_MAXK],
				worst = 0.0L;

	for (q = 0; q < 24; q++)
	{
		int			k = random_case(q, &st, m, s),
					a;

		ref_probabilities(m, s, k, r1);
		ref_probabilities_grid(m, s, k, r2, 4, 0.5L);
		for (a = 0; a < k; a++)
			worst = fmaxl(worst, fabsl(r1[a] - r2[a]));
	}
	CHECK(worst <= 1e-15L);
	printf("     thompson: the reference on two grids differs by at most %.1Le\n", worst);
}

/*
 * Identical arms (merged into one of multiplicity g inside thompson.c)
 * beside others and beside point masses, against the reference, which
 * integrates every arm on its own; the tolerance argument's domain.
 */
static void
test_identical_arms(void)
{
	double		m[REF_MAXK],
				s[REF_MAXK],
				pr[REF_MAXK],
				worst = 0.0;
	long double ref[REF_MAXK];
	double	   *work = malloc(sizeof(double) * thompson_work_doubles(REF_MAXK));
	ThompsonStats ts;
	AbError		err;
	int			c,
				a;

	for (c = 0; c < 6; c++)
	{
		int			k = c < 3 ? 50 : 12,
					same = c < 3 ? 45 : 6;

		for (a = 0; a < k; a++)
		{
			/* the unseen ones at (0, 2); the others trained, or point masses */
			m[a] = a < same ? 0.0 : 0.5 + 0.3 * (a - same);
			s[a] = a < same ? 2.0 : (c % 3 == 2 && a % 2 ? 0.0 : 0.2 + 0.1 * c);
			if (c == 5 && a >= same)
				m[a] = 1.0;		/* tied point masses and a continuous arm at 1 */
		}
		ref_probabilities(m, s, k, ref);
		CHECK(thompson_probabilities_work(m, s, k, pr, work, &ts, &err));
		for (a = 0; a < k; a++)
		{
			worst = fmax(worst, fabs(pr[a] - (double) ref[a]));
			if (a > 0 && a < same)
				CHECK(pr[a] == pr[0]);
		}
	}
	CHECK(worst <= RANDOM_TOL);
	err.kind = AB_OK;
	CHECK(!thompson_probabilities_tol(m, s, 3, pr, work, 0.0, &ts, &err) && err.kind == AB_ERR_VALUE);
	CHECK(!thompson_probabilities_tol(m, s, 3, pr, work, 1.0, &ts, &err));
	CHECK(!thompson_probabilities_tol(m, s, 3, pr, work, NAN, &ts, &err));
	free(work);
}

/*
 * gauss_legendre.h's table, n = 2..64: the stored nodes descend in [0, 1)
 * and agree with Newton's method in long double to an ulp, the weights to
 * 2 ulps, the weights sum to 2, and x^(2j) integrates exactly for 2j < 2n.
 */
static void
test_gauss_legendre_table(void)
{
	int			n,
				bad = 0;
	long double x[GAUSS_LEGENDRE_MAX],
				w[GAUSS_LEGENDRE_MAX];

	for (n = 2; n <= GAUSS_LEGENDRE_MAX; n++)
	{
		const double (*rule)[2] = gauss_legendre_rule(n);
		int			i,
					j;
		long double sum = 0.0L;

		gl_newton(n, x, w);
		for (i = 0; i < (n + 1) / 2; i++)
		{
			bool		ok = rule[i][0] >= 0.0 && rule[i][0] < 1.0 && rule[i][1] > 0.0 &&
				(i == 0 || rule[i][0] < rule[i - 1][0]) &&
				fabsl(rule[i][0] - x[i]) <= 1.2e-16L &&
				fabsl(rule[i][1] - w[i]) <= 2.3e-16L * w[i];

			if (!ok && bad++ < 5)
				fprintf(stderr, "gauss_legendre n = %d, node %d: %.17g %.17g, Newton %.20Lg %.20Lg\n",
						n, i, rule[i][0], rule[i][1], x[i], w[i]);
			sum += rule[i][0] == 0.0 ? rule[i][1] : 2.0L * rule[i][1];
		}
		CHECK(n % 2 == 0 || rule[(n - 1) / 2][0] == 0.0);
		CHECK(fabsl(sum - 2.0L) <= 1e-15L);
		for (j = 0; j < n; j++)
		{
			long double m = 0.0L;

			for (i = 0; i < (n + 1) / 2; i++)
				m += (rule[i][0] == 0.0 ? 1.0L : 2.0L) * rule[i][1] * powl(rule[i][0], 2 * j);
			if (!(fabsl(m - 2.0L / (2 * j + 1)) <= 2e-15L) && bad++ < 5)
				fprintf(stderr, "gauss_legendre n = %d: x^%d integrates to %.20Lg\n", n, 2 * j, m);
		}
	}
	CHECK(bad == 0);
}

void
test_thompson(void)
{
	test_gauss_legendre_table();
	test_reference_self();
	test_random_cases();
	test_identical_arms();
	test_k2_closed_form();
	test_k2_extremes();
	test_equal_means_orthant();
	test_equal_arms();
	test_simpson();
	test_many_arms();
	test_monte_carlo();
	test_point_masses();
	test_sum_symmetry_invariance();
	test_work_and_stats();
	test_errors();
}

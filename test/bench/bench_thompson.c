/*
 * bench_thompson.c — exact Thompson-sampling probabilities, today's
 * integrator against the 1.1 one (thompson_reference_1_1.c, a verbatim copy
 * of src/core/thompson.c as of 1.1 with its functions renamed below), side
 * by side on the same inputs (`make bench-thompson`).
 *
 * (thompson_reference_1_1.h is 1.1's thompson.h.)
 *
 * Inputs are what bandit_act(..., 'thompson(scale=1)') hands the
 * integrator: K arms, d = 16, one ridge model per arm (ridge 1) fitted on
 * 100-500 rows of random contexts (a constant feature and 15 uniform ones
 * on [-1/2, 1/2]) with Bernoulli rewards; per decision a random context x,
 * mean x'theta_a and sd sqrt(x' A_a^-1 x); about one arm in eight is unseen
 * (no rows: mean 0, sd |x| / sqrt(ridge), identical for all unseen arms).
 * For K = 4, 8, 16 and 50 it prints decisions/s of both (blocks of 50
 * decisions timed 5 times alternately, the fastest of each block counted, in
 * CPU time of the process: what the code costs, not what other load on a
 * shared machine takes), the ratio, the largest
 * |old - new| over all probabilities and the mean number of integrand
 * evaluations (nodes) per decision.  Exits 1 when K = 8's ratio is below
 * 10 or any difference exceeds 1e-12.
 */
#define _POSIX_C_SOURCE 200809L

#define thompson_probabilities thompson_probabilities_1_1
#define thompson_probabilities_work thompson_probabilities_work_1_1
#define thompson_work_doubles thompson_work_doubles_1_1
#define ThompsonStats ThompsonStats_1_1
#include "thompson_reference_1_1.h"	/* 1.1's thompson.h: its guard skips today's */
#include "thompson_reference_1_1.c"
#undef thompson_probabilities
#undef thompson_probabilities_work
#undef thompson_work_doubles
#undef ThompsonStats
#undef THOMPSON_H
#include "thompson.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define DIM 16
#define NDEC 1000				/* decisions per K */
#define ROUNDS 5
#define BLOCK 50				/* decisions timed together */

static unsigned long long rng_state = 20240519;

static double
rnd01(void)
{
	unsigned long long z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return (double) (z >> 11) * (1.0 / 9007199254740992.0);
}

static void
random_context(double *x)
{
	int			i;

	x[0] = 1.0;
	for (i = 1; i < DIM; i++)
		x[i] = rnd01() - 0.5;
}

/* In-place Cholesky of the d x d matrix a (lower triangle). */
static void
cholesky(double *a, int d)
{
	int			i,
				j,
				l;

	for (j = 0; j < d; j++)
	{
		double		s = a[j * d + j];

		for (l = 0; l < j; l++)
			s -= a[j * d + l] * a[j * d + l];
		a[j * d + j] = sqrt(s);
		for (i = j + 1; i < d; i++)
		{
			double		t = a[i * d + j];

			for (l = 0; l < j; l++)
				t -= a[i * d + l] * a[j * d + l];
			a[i * d + j] = t / a[j * d + j];
		}
	}
}

/* Solve L y = x (forward substitution); returns |y|^2 = x' A^-1 x. */
static double
forward_norm2(const double *L, int d, const double *x, double *y)
{
	int			i,
				l;
	double		acc = 0.0;

	for (i = 0; i < d; i++)
	{
		double		t = x[i];

		for (l = 0; l < i; l++)
			t -= L[i * d + l] * y[l];
		y[i] = t / L[i * d + i];
		acc += y[i] * y[i];
	}
	return acc;
}

typedef struct Arm
{
	bool		unseen;
	double		L[DIM * DIM];	/* Cholesky factor of A = I + sum x x' */
	double		theta[DIM];
} Arm;

/* A ridge model fitted on 100-500 random rows with Bernoulli rewards. */
static void
fit_arm(Arm *arm)
{
	double		A[DIM * DIM],
				b[DIM],
				y[DIM],
				x[DIM],
				truth[DIM];
	int			n = 100 + (int) (400 * rnd01()),
				i,
				j,
				r;

	memset(A, 0, sizeof(A));
	memset(b, 0, sizeof(b));
	for (i = 0; i < DIM; i++)
	{
		A[i * DIM + i] = 1.0;
		truth[i] = i == 0 ? 0.15 + 0.3 * rnd01() : 0.4 * (rnd01() - 0.5);
	}
	for (r = 0; r < n; r++)
	{
		double		p = 0.0,
					rew;

		random_context(x);
		for (i = 0; i < DIM; i++)
			p += truth[i] * x[i];
		rew = rnd01() < p ? 1.0 : 0.0;
		for (i = 0; i < DIM; i++)
		{
			b[i] += rew * x[i];
			for (j = 0; j < DIM; j++)
				A[i * DIM + j] += x[i] * x[j];
		}
	}
	cholesky(A, DIM);
	memcpy(arm->L, A, sizeof(A));
	/* theta = A^-1 b: L y = b, then L' theta = y */
	for (i = 0; i < DIM; i++)
	{
		double		t = b[i];

		for (j = 0; j < i; j++)
			t -= A[i * DIM + j] * y[j];
		y[i] = t / A[i * DIM + i];
	}
	for (i = DIM - 1; i >= 0; i--)
	{
		double		t = y[i];

		for (j = i + 1; j < DIM; j++)
			t -= A[j * DIM + i] * arm->theta[j];
		arm->theta[i] = t / A[i * DIM + i];
	}
}

/* NDEC decisions of K arms: means and sds into m and s (NDEC x K). */
static void
make_decisions(int K, double *m, double *s)
{
	Arm		   *arms = malloc(sizeof(Arm) * K);
	int			nunseen = K / 8 > 0 ? K / 8 : 1;
	int			a,
				q,
				i;
	double		x[DIM],
				y[DIM];

	for (a = 0; a < K; a++)
	{
		arms[a].unseen = a >= K - nunseen;
		if (!arms[a].unseen)
			fit_arm(&arms[a]);
	}
	for (q = 0; q < NDEC; q++)
	{
		random_context(x);
		for (a = 0; a < K; a++)
		{
			double	   *mm = &m[(size_t) q * K + a],
					   *ss = &s[(size_t) q * K + a];

			if (arms[a].unseen)
			{
				double		xx = 0.0;

				for (i = 0; i < DIM; i++)
					xx += x[i] * x[i];
				*mm = 0.0;
				*ss = sqrt(xx / 1.0);
			}
			else
			{
				*mm = 0.0;
				for (i = 0; i < DIM; i++)
					*mm += x[i] * arms[a].theta[i];
				*ss = sqrt(forward_norm2(arms[a].L, DIM, x, y));
			}
		}
	}
	free(arms);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/*
 * Seconds for decisions [q0, q1) with the old (which = 0) or new integrator;
 * *nodes gets their integrand evaluations.
 */
static double
run(int which, int K, const double *m, const double *s, double *p, double *work,
	int q0, int q1, long *nodes)
{
	double		t0 = now();
	int			q;
	AbError		err;

	*nodes = 0;
	for (q = q0; q < q1; q++)
	{
		const double *mq = m + (size_t) q * K,
				   *sq = s + (size_t) q * K;
		double	   *pq = p + (size_t) q * K;
		bool		ok;

		if (which == 0)
		{
			ThompsonStats_1_1 st;

			ok = thompson_probabilities_work_1_1(mq, sq, K, pq, work, &st, &err);
			*nodes += st.nodes;
		}
		else
		{
			ThompsonStats st;

			ok = thompson_probabilities_work(mq, sq, K, pq, work, &st, &err);
			*nodes += st.nodes;
		}
		if (!ok)
		{
			fprintf(stderr, "bench_thompson: %s\n", err.message);
			exit(2);
		}
	}
	return now() - t0;
}

/* `bench_thompson profile K R`: only the new integrator, R rounds (for perf). */
static int
profile(int K, int rounds)
{
	size_t		n = (size_t) NDEC * K;
	double	   *m = malloc(n * sizeof(double)),
			   *s = malloc(n * sizeof(double)),
			   *p = malloc(n * sizeof(double)),
			   *work = malloc(thompson_work_doubles(K) * sizeof(double)),
				t = 0.0;
	long		nodes = 0;
	int			r;

	make_decisions(K, m, s);
	t = INFINITY;
	for (r = 0; r < rounds; r++)
		t = fmin(t, run(1, K, m, s, p, work, 0, NDEC, &nodes));
	printf("thompson K=%d: new %.0f/s (fastest of %d rounds), %.0f nodes per decision\n", K,
		   NDEC / t, rounds, (double) nodes / NDEC);
	return 0;
}

int
main(int argc, char **argv)
{
	static const int Ks[] = {4, 8, 16, 50};
	int			c,
				status = 0;

	if (argc == 4 && strcmp(argv[1], "profile") == 0)
		return profile(atoi(argv[2]), atoi(argv[3]));

	for (c = 0; c < 4; c++)
	{
		int			K = Ks[c],
					r;
		size_t		n = (size_t) NDEC * K;
		double	   *m = malloc(n * sizeof(double)),
				   *s = malloc(n * sizeof(double)),
				   *p_old = malloc(n * sizeof(double)),
				   *p_new = malloc(n * sizeof(double));
		size_t		nw_old = thompson_work_doubles_1_1(K),
					nw_new = thompson_work_doubles(K);
		double	   *work = malloc((nw_old > nw_new ? nw_old : nw_new) * sizeof(double));
		double		best_old,
					best_new,
					maxdiff = 0.0,
					ratio;
		long		nodes_old = 0,
					nodes_new = 0,
					nodes;
		size_t		i;
		int			q;

		make_decisions(K, m, s);

		/*
		 * Blocks of BLOCK decisions, each timed ROUNDS times alternately with
		 * the old and the new integrator; the fastest time of each block
		 * counts (the machine is shared: this keeps what the code costs and
		 * drops what other processes took).
		 */
		best_old = best_new = 0.0;
		for (q = 0; q < NDEC; q += BLOCK)
		{
			double		bo = INFINITY,
						bn = INFINITY;

			for (r = 0; r < ROUNDS; r++)
			{
				bo = fmin(bo, run(0, K, m, s, p_old, work, q, q + BLOCK, &nodes));
				nodes_old += r == 0 ? nodes : 0;
				bn = fmin(bn, run(1, K, m, s, p_new, work, q, q + BLOCK, &nodes));
				nodes_new += r == 0 ? nodes : 0;
			}
			best_old += bo;
			best_new += bn;
		}
		for (i = 0; i < n; i++)
			maxdiff = fmax(maxdiff, fabs(p_old[i] - p_new[i]));
		ratio = best_old / best_new;
		printf("thompson K=%d: old %.0f/s new %.0f/s ratio %.1fx max|diff| %.1e "
			   "(nodes per decision: old %.0f new %.0f)\n",
			   K, NDEC / best_old, NDEC / best_new, ratio, maxdiff,
			   (double) nodes_old / NDEC, (double) nodes_new / NDEC);
		if (!(maxdiff <= 1e-12) || (K == 8 && !(ratio >= 10.0)))
			status = 1;
		free(m);
		free(s);
		free(p_old);
		free(p_new);
		free(work);
	}
	return status;
}

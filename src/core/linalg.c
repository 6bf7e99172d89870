/*
 * linalg.c — packed symmetric rank-one updates and Cholesky solves.
 *
 * The ridge systems (lambda I + A) theta = b are symmetric positive definite
 * for lambda > 0 and A = sum w x x^T positive semi-definite, so the Cholesky
 * factorisation L L^T = lambda I + A exists; it is computed once per arm and
 * reused for theta and for every quadratic form x^T (lambda I + A)^-1 x
 * = |L^-1 x|^2 (LinUCB widths, Thompson variances).  Reference: Golub & Van
 * Loan, Matrix Computations, 4th ed., algorithm 4.2.2.
 */
#include "linalg.h"

#include "ab_error.h"

#include <math.h>

void
packed_rank1_update(double *a, size_t d, double w, const double *x)
{
	size_t		i,
				j;

	for (i = 0; i < d; i++)
	{
		double		wxi = w * x[i];
		double	   *row = a + packed_index(i, 0);

		for (j = 0; j <= i; j++)
			row[j] += wxi * x[j];
	}
}

void
packed_add(double *a, const double *b, size_t d)
{
	size_t		i,
				n = packed_size(d);

	for (i = 0; i < n; i++)
		a[i] += b[i];
}

bool
packed_cholesky(double *m, size_t d)
{
	size_t		i,
				j,
				k;

	for (i = 0; i < d; i++)
	{
		double	   *ri = m + packed_index(i, 0);

		/* O(d^3) in all, and much slower on subnormal numbers: stay cancellable */
		AB_CHECK_INTERRUPTS();
		for (j = 0; j <= i; j++)
		{
			double	   *rj = m + packed_index(j, 0);
			double		s = ri[j];

			for (k = 0; k < j; k++)
				s -= ri[k] * rj[k];
			if (j < i)
				ri[j] = s / rj[j];
			else
			{
				if (!(s > 0.0) || !isfinite(s))
					return false;
				ri[i] = sqrt(s);
			}
		}
	}
	return true;
}

void
cholesky_forward(const double *l, size_t d, const double *x, double *y)
{
	size_t		i,
				k;

	for (i = 0; i < d; i++)
	{
		const double *ri = l + packed_index(i, 0);
		double		s = x[i];

		for (k = 0; k < i; k++)
			s -= ri[k] * y[k];
		y[i] = s / ri[i];
	}
}

void
cholesky_backward(const double *l, size_t d, const double *y, double *z)
{
	size_t		i,
				k;

	for (i = d; i-- > 0;)
	{
		double		s = y[i];

		for (k = i + 1; k < d; k++)
			s -= l[packed_index(k, i)] * z[k];
		z[i] = s / l[packed_index(i, i)];
	}
}

void
lower_inverse(double *l, size_t d)
{
	size_t		i,
				j,
				k;

	/*
	 * T = L^-1 column by column, left to right; within column j top down:
	 *   T[j][j] = 1 / L[j][j],
	 *   T[i][j] = -(L[i][j] T[j][j] + sum_{k=j+1}^{i-1} L[i][k] T[k][j]) / L[i][i].
	 * Column j's own entries above row i are already T (wanted); L[i][k]
	 * for k > j lies in columns not yet done, so it is still L.
	 */
	for (j = 0; j < d; j++)
	{
		double		ljj = l[packed_index(j, j)];

		for (i = j + 1; i < d; i++)
		{
			double		s = -l[packed_index(i, j)] / ljj;

			for (k = j + 1; k < i; k++)
				s -= l[packed_index(i, k)] * l[packed_index(k, j)];
			l[packed_index(i, j)] = s / l[packed_index(i, i)];
		}
		l[packed_index(j, j)] = 1.0 / ljj;
	}
}

double
lower_quadratic(const double *t, size_t d, const double *x)
{
	double		total = 0.0;
	size_t		i,
				k;

	for (i = 0; i < d; i++)
	{
		const double *r = t + packed_index(i, 0);
		double		s0 = 0.0,
					s1 = 0.0,
					s2 = 0.0,
					s3 = 0.0,
					s;

		/* four partial sums: four short dependency chains instead of one long one */
		for (k = 0; k + 3 <= i; k += 4)
		{
			s0 += r[k] * x[k];
			s1 += r[k + 1] * x[k + 1];
			s2 += r[k + 2] * x[k + 2];
			s3 += r[k + 3] * x[k + 3];
		}
		for (; k <= i; k++)
			s0 += r[k] * x[k];
		s = (s0 + s1) + (s2 + s3);
		total += s * s;
	}
	return total;
}

double
dot(const double *a, const double *b, size_t d)
{
	double		s = 0.0;
	size_t		i;

	for (i = 0; i < d; i++)
		s += a[i] * b[i];
	return s;
}

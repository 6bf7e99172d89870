/*
 * linalg.h — the little dense linear algebra the bandit models need, on
 * symmetric matrices stored packed: the lower triangle, row by row, so
 * element (i, j) with j <= i is at i (i + 1) / 2 + j.
 */
#ifndef LINALG_H
#define LINALG_H

#include <stdbool.h>
#include <stddef.h>

/* Number of stored elements of a packed d x d symmetric matrix. */
static inline size_t
packed_size(size_t d)
{
	return d * (d + 1) / 2;
}

static inline size_t
packed_index(size_t i, size_t j)
{
	return i * (i + 1) / 2 + j;
}

/* a += w x x^T (packed). */
void		packed_rank1_update(double *a, size_t d, double w, const double *x);

/* a += b (packed). */
void		packed_add(double *a, const double *b, size_t d);

/*
 * Cholesky factorisation in place: on entry the packed symmetric matrix M,
 * on exit the packed lower factor L with L L^T = M.  Returns false when M is
 * not (numerically) positive definite.
 */
bool		packed_cholesky(double *m, size_t d);

/* Solves L y = x (forward substitution) into y; y may alias x. */
void		cholesky_forward(const double *l, size_t d, const double *x, double *y);

/* Solves L^T z = y (back substitution) into z; z may alias y. */
void		cholesky_backward(const double *l, size_t d, const double *y, double *z);

/* The packed lower triangular inverse of the packed lower factor l, in place. */
void		lower_inverse(double *l, size_t d);

/*
 * |T x|^2 for a packed lower triangular T, e.g. T = L^-1 from lower_inverse:
 * x^T M^-1 x with d(d + 1)/2 multiply-adds whose rows are independent
 * (forward substitution chains every row to the previous ones, with a
 * division each).
 */
double		lower_quadratic(const double *t, size_t d, const double *x);

double		dot(const double *a, const double *b, size_t d);

#endif

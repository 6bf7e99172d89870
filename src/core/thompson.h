/*
 * thompson.h — exact action probabilities of Gaussian Thompson sampling.
 *
 * Arm a's score is drawn independently from N(mean[a], sd[a]^2) and the
 * arm with the largest draw is played.  thompson_probabilities returns
 * P(arm a has the largest draw) for every arm, by deterministic numerical
 * integration (never by sampling) with a proven error bound: every
 * probability is within 4.0e-13 + 3.8e-17 k of the exact value, plus
 * rounding of about (k + 10) 2^-53 (measured errors are below 1e-14),
 * renormalised to sum to 1 up to rounding.  Tiny probabilities are accurate
 * in absolute terms only.  sd[a] == 0 is a point mass at mean[a]; exact
 * ties between point masses split evenly, and arms with the same mean and
 * sd get the same probability.
 * Caveat: an sd so small that mean +- 8.5 sd rounds to the mean is treated
 * as a point mass too, which can be off by more than 1e-12 when two such
 * means are adjacent doubles.  See thompson.c for the method.
 */
#ifndef THOMPSON_H
#define THOMPSON_H

#include <stdbool.h>
#include <stddef.h>

#include "ab_error.h"

/* Cost and convergence of one call (for tests and benchmarks). */
typedef struct ThompsonStats
{
	int			arms_integrated;	/* distinct continuous arms left after pruning */
	int			intervals;		/* intervals integrated (negligible ones not counted) */
	int			examined;		/* intervals whose error bound was evaluated */
	long		nodes;			/* integrand evaluations (each costs O(k)) */
	double		error_bound;	/* sum over intervals of the proven quadrature error bounds */
	bool		converged;		/* false: a cap was hit, the bound may exceed the tolerance */
} ThompsonStats;

/*
 * prob[a] = P(arm a wins) for a = 0..k-1 (prob must hold k doubles and may
 * not alias mean or sd).  Fails with AB_ERR_VALUE when k < 1, a pointer is
 * NULL, a mean is not finite or an sd is negative or not finite, and with
 * AB_ERR_LIMIT when the O(k) scratch cannot be allocated (malloc/free).
 * Work is bounded (at most 4000 intervals of at most 64 integrand
 * evaluations of O(k) each, and about 5e8 evaluations of Phi in all for
 * large k; typically 50-100 integrand evaluations): if the tolerance cannot
 * be met within that budget the best estimate is returned
 * (ThompsonStats.converged).  Memory is O(k).
 */
bool		thompson_probabilities(const double *mean, const double *sd, int k,
								   double *prob, AbError *err);

/*
 * Long calls honour AB_CHECK_INTERRUPTS (ab_error.h): in the backend, where
 * that may longjmp, use thompson_probabilities_work with palloc'd scratch,
 * never the malloc-based thompson_probabilities.
 */

/* Doubles of caller work space thompson_probabilities_work needs for k arms. */
size_t		thompson_work_doubles(int k);

/*
 * As thompson_probabilities, with caller-provided scratch (work must hold
 * thompson_work_doubles(k) doubles, e.g. palloc'd) and optional statistics
 * (stats may be NULL).  Never allocates.
 */
bool		thompson_probabilities_work(const double *mean, const double *sd, int k,
										double *prob, double *work,
										ThompsonStats *stats, AbError *err);

/*
 * As thompson_probabilities_work with another tolerance than the default
 * 4e-13 (the sum of the quadrature errors of all components is at most tol:
 * ThompsonStats.error_bound): for tests of the error bound, where a loose
 * tolerance makes the bound's margin measurable.  0 < tol < 1.
 */
bool		thompson_probabilities_tol(const double *mean, const double *sd, int k,
									   double *prob, double *work, double tol,
									   ThompsonStats *stats, AbError *err);

#endif

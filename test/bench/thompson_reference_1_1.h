/*
 * thompson.h — exact action probabilities of Gaussian Thompson sampling.
 *
 * Arm a's score is drawn independently from N(mean[a], sd[a]^2) and the
 * arm with the largest draw is played.  thompson_probabilities returns
 * P(arm a has the largest draw) for every arm, by deterministic numerical
 * integration (never by sampling), to about 1e-12 absolute (measured
 * errors are below 3e-15), renormalised to sum to 1 up to rounding.
 * Tiny probabilities are accurate in absolute terms only.  sd[a] == 0 is a
 * point mass at mean[a]; exact ties between point masses split evenly.
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
	int			arms_integrated;	/* continuous arms left after pruning */
	int			intervals;		/* final number of integration intervals */
	long		nodes;			/* integrand evaluations (each costs O(k)) */
	double		error_estimate; /* sum over intervals of the max-component error */
	bool		converged;		/* false: interval cap hit, best estimate returned */
} ThompsonStats;

/*
 * prob[a] = P(arm a wins) for a = 0..k-1 (prob must hold k doubles and may
 * not alias mean or sd).  Fails with AB_ERR_VALUE when k < 1, a pointer is
 * NULL, a mean is not finite or an sd is negative or not finite, and with
 * AB_ERR_LIMIT when the O(k) scratch cannot be allocated (malloc/free).
 * Work is bounded (at most about 85,000 integrand evaluations of O(k) each,
 * and about 1e8 Phi evaluations in all for large k; typically 200-500
 * evaluations): if the 1e-12 tolerance is not met within that budget the
 * best estimate is returned.  Memory is O(k).  No interrupt checks inside.
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

#endif

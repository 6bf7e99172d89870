/*
 * gauss_legendre.h — Gauss–Legendre rules on [-1, 1] with 2 to 64 nodes.
 *
 * The n-node rule integrates polynomials of degree up to 2n - 1 exactly;
 * its nodes are the roots of the Legendre polynomial P_n, symmetric about
 * 0, with positive weights summing to 2.  Only the ceil(n / 2) nodes
 * x >= 0 are stored, descending (0 last for odd n), each with its weight:
 * -x carries the same weight.  The constants are the exact values
 * correctly rounded (20 digits from a 50-digit computation,
 * src/core/gen_tables.py), so every platform integrates with the same
 * doubles.
 */
#ifndef GAUSS_LEGENDRE_H
#define GAUSS_LEGENDRE_H

#define GAUSS_LEGENDRE_MAX 64

/* {x, w} pairs of every rule, n = 2..GAUSS_LEGENDRE_MAX in turn */
extern const double gauss_legendre_table[][2];
/* gauss_legendre_offset[n]: the n-node rule's first pair (n >= 2) */
extern const short gauss_legendre_offset[GAUSS_LEGENDRE_MAX + 1];

/* The (n + 1) / 2 stored {x, w} pairs of the n-node rule, 2 <= n <= GAUSS_LEGENDRE_MAX. */
static inline const double (*gauss_legendre_rule(int n))[2]
{
	return gauss_legendre_table + gauss_legendre_offset[n];
}

#endif

/*
 * normal.h — the standard normal distribution: density, distribution
 * function and quantile, in plain C.
 */
#ifndef NORMAL_H
#define NORMAL_H

double		normal_pdf(double x);
double		normal_cdf(double x);

/* Phi^-1(p) for p in (0, 1); NaN outside. */
double		normal_quantile(double p);

#endif

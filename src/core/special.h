/*
 * special.h — the special functions behind exact and small-sample
 * intervals: the regularized incomplete beta function, its inverse (Beta
 * quantiles, for Clopper-Pearson) and Student's t quantiles (for SLOPE).
 */
#ifndef SPECIAL_H
#define SPECIAL_H

/* I_x(a, b) for a, b > 0 and x in [0, 1]; NaN outside. */
double		ibeta(double x, double a, double b);

/* The x in [0, 1] with I_x(a, b) = p, for p in [0, 1]; NaN outside. */
double		ibeta_inv(double p, double a, double b);

/* The p-quantile of Student's t with df > 0 degrees of freedom; NaN outside. */
double		t_quantile(double p, double df);

#endif

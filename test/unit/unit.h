/*
 * unit.h — a minimal test harness for the pure-C core (no server; libpgcommon.a
 * is linked for the core's number printer).
 * Each test file defines test functions and registers them in run_unit.c.
 */
#ifndef UNIT_H
#define UNIT_H

#include <math.h>
#include <stdio.h>

extern int	unit_failures;
extern int	unit_checks;

#define CHECK(cond) \
	do { \
		unit_checks++; \
		if (!(cond)) { \
			unit_failures++; \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		} \
	} while (0)

/* |a - b| <= tol * max(1, |b|): relative for large values, absolute near 0 */
#define CHECK_NEAR(a, b, tol) \
	do { \
		double _a = (a), _b = (b); \
		unit_checks++; \
		if (!(fabs(_a - _b) <= (tol) * fmax(1.0, fabs(_b)))) { \
			unit_failures++; \
			fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g (tol %g)\n", \
					__FILE__, __LINE__, #a, _a, _b, (double) (tol)); \
		} \
	} while (0)

/* Deterministic test data: splitmix64. */
static inline unsigned long long
unit_rand_u64(unsigned long long *s)
{
	unsigned long long z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static inline double
unit_rand01(unsigned long long *s)
{
	return (double) (unit_rand_u64(s) >> 11) * (1.0 / 9007199254740992.0);
}

void		test_float_text(void);
void		test_json_reader(void);
void		test_normal(void);
void		test_compsum(void);
void		test_ope_state(void);
void		test_ope_estimators(void);
void		test_ope_codec(void);
void		test_ope_lambda(void);
void		test_ope_warnings(void);
void		test_log_checks(void);
void		test_feature_hash(void);
void		test_linalg(void);
void		test_bandit_model(void);
void		test_policy(void);
void		test_thompson(void);

#endif

/*
 * ope_pair.h — two target policies on the same log rows: their estimates
 * and the paired standard error of the difference (API.md section 4,
 * ope_compare), and Holm's adjustment of p-values.
 *
 * The state is an OpeState per policy (a: pi_a, v_a; b: pi_b, v_b; the
 * same r, mu and q) and the cross sums the covariance of their per-row
 * (influence) terms needs, with w_a = pi_a / mu, w_b = pi_b / mu, e = r - q:
 *   sum w_a w_b, sum w_a w_b r, sum w_a w_b r^2          (ips, snips)
 *   dr: sum v_a v_b, sum v_a w_b e, sum v_a w_b, sum v_b w_a e, sum v_b w_a,
 *       sum w_a w_b e, sum w_a w_b e^2                    (dr, sndr)
 * For a difference d = b - a of two estimators with per-row terms t_a, t_b,
 *   Var = (S_aa + S_bb - 2 S_ab) / (n (n - 1)),  S_xy the centred cross sum
 * (for the ratios, the delta method's influence terms psi as in
 * ope_estimators.c).  Interval d +- z se, two-sided p = 2 (1 - Phi(|d| / se)).
 */
#ifndef OPE_PAIR_H
#define OPE_PAIR_H

#include "ope_state.h"

#define OPE_PAIR_VERSION 1

typedef enum OpePairSum
{
	OPE_X_WW,					/* sum w_a w_b */
	OPE_X_WW_R,					/* sum w_a w_b r */
	OPE_X_WW_R2,				/* sum w_a w_b r^2 */
	OPE_X_VV,					/* dr: sum v_a v_b */
	OPE_X_VA_WB_E,				/* dr: sum v_a w_b e */
	OPE_X_VA_WB,				/* dr: sum v_a w_b */
	OPE_X_VB_WA_E,				/* dr: sum v_b w_a e */
	OPE_X_VB_WA,				/* dr: sum v_b w_a */
	OPE_X_WW_E,					/* dr: sum w_a w_b e */
	OPE_X_WW_E2,				/* dr: sum w_a w_b e^2 */
	OPE_XNSUMS
} OpePairSum;

#define OPE_X_FIRST_DR_SUM OPE_X_VV

extern const char *const ope_pair_sum_names[OPE_XNSUMS];

typedef struct OpePair
{
	uint8_t		version;
	uint8_t		flags;			/* OPE_FLAG_DR */
	uint16_t	reserved;
	uint32_t	reserved2;
	OpeState	a,
				b;
	CompSum		cross[OPE_XNSUMS];
} OpePair;

/* One row: r, mu, q shared; each policy's probability and value. */
typedef struct OpePairRow
{
	double		r,
				mu,
				pi_a,
				pi_b,
				q,
				v_a,
				v_b;
} OpePairRow;

enum
{
	OPE_PIN_R = 1, OPE_PIN_MU = 2, OPE_PIN_PA = 4, OPE_PIN_PB = 8, OPE_PIN_Q = 16,
	OPE_PIN_VA = 32, OPE_PIN_VB = 64, OPE_PIN_ALL = 127
};

void		ope_pair_init(OpePair *p, bool dr);
bool		ope_pair_add(OpePair *p, const OpePairRow *row, unsigned present, AbError *err);
bool		ope_pair_merge(OpePair *dst, const OpePair *src, AbError *err);
bool		ope_pair_validate(const OpePair *p, AbErrorKind kind, AbError *err);

static inline bool
ope_pair_is_dr(const OpePair *p)
{
	return (p->flags & OPE_FLAG_DR) != 0;
}

typedef struct OpeComparison
{
	bool		has_values;		/* both estimates defined */
	double		value_a,
				value_b,
				difference;		/* b - a */
	bool		has_std_error;	/* and the paired standard error */
	double		std_error;
} OpeComparison;

/* Estimator e (ips, snips, dr or sndr) of both policies and their paired difference. */
void		ope_pair_compare(const OpePair *p, int e, OpeComparison *out);

/*
 * Holm's step-down adjustment (Holm 1979) of n p-values in place; NaN
 * entries (no test) are left out of the count and stay NaN.
 */
void		ope_holm_adjust(double *p, int n, int *order);

#endif

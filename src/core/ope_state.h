/*
 * ope_state.h — the off-policy evaluation accumulator.
 *
 * An OpeState holds, as compensated sums, everything the estimators of
 * ope_estimators.h need: a fixed set of power sums of the per-row
 * quantities, row counts and two extremes.  Adding rows and merging states
 * are exact up to floating-point rounding, so the state of a union of row
 * sets is the merge of their states (parallel workers, partitions, days,
 * nodes).
 *
 * Per row: r reward, mu logged propensity, pi target probability of the
 * logged action, q reward-model prediction for the logged action, v the
 * reward model's value of the target policy at this context; w = pi / mu and
 * e = r - q.  The "basic" kind has (r, mu, pi); the "dr" kind adds (q, v).
 */
#ifndef OPE_STATE_H
#define OPE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ab_error.h"
#include "compsum.h"

#define OPE_STATE_VERSION 1

/* flags */
#define OPE_FLAG_DR		0x01		/* has reward-model inputs (q, v) */
#define OPE_FLAGS_KNOWN	OPE_FLAG_DR

typedef enum OpeSum
{
	OPE_PI,						/* sum pi */
	OPE_PI_R,					/* sum pi r */
	OPE_PI2,					/* sum pi^2 */
	OPE_PI2_R,					/* sum pi^2 r */
	OPE_PI2_R2,					/* sum pi^2 r^2 */
	OPE_W,						/* sum w */
	OPE_W2,						/* sum w^2 */
	OPE_W_R,					/* sum w r */
	OPE_W2_R,					/* sum w^2 r */
	OPE_W2_R2,					/* sum w^2 r^2 */
	OPE_V,						/* dr: sum v */
	OPE_V2,						/* dr: sum v^2 */
	OPE_W_E,					/* dr: sum w e */
	OPE_W2_E,					/* dr: sum w^2 e */
	OPE_W2_E2,					/* dr: sum w^2 e^2 */
	OPE_V_W_E,					/* dr: sum v w e */
	OPE_V_W,					/* dr: sum v w */
	OPE_NSUMS
} OpeSum;

#define OPE_FIRST_DR_SUM OPE_V

typedef struct OpeState
{
	uint8_t		version;
	uint8_t		flags;
	uint16_t	reserved;		/* must be zero */
	uint32_t	reserved2;		/* must be zero; keeps the rest 8-aligned */
	int64_t		n;				/* rows counted */
	int64_t		n_skipped;		/* rows skipped for a NULL input */
	int64_t		n_matched;		/* rows with pi > 0 */
	double		max_weight;		/* max w; 0 while n = 0 */
	double		min_propensity; /* min mu; 0 while n = 0 */
	CompSum		sums[OPE_NSUMS];
} OpeState;

/* Names of the sums, as in the text form ("pi", "w2_r", ...). */
extern const char *const ope_sum_names[OPE_NSUMS];

static inline bool
ope_state_is_dr(const OpeState *s)
{
	return (s->flags & OPE_FLAG_DR) != 0;
}

/* An empty state of the given kind. */
void		ope_state_init(OpeState *s, bool dr);

/* One log row; "present" is false for an input that was NULL. */
typedef struct OpeRow
{
	double		r,
				mu,
				pi,
				q,
				v;
} OpeRow;

enum
{
	OPE_IN_R = 1, OPE_IN_MU = 2, OPE_IN_PI = 4, OPE_IN_Q = 8, OPE_IN_V = 16,
	OPE_IN_ALL = 31
};

/*
 * Count one row.  "present" is a mask of OPE_IN_* bits: a row missing any
 * input the state uses is counted in n_skipped, but the inputs it does have
 * are still checked (a wrong propensity is never dropped silently).  Checks
 * mu in (0, 1], pi in [0, 1], finiteness, and that no product or running sum
 * overflows.  On failure the state is left unchanged.  q and v are ignored by
 * a basic state.
 */
bool		ope_state_add(OpeState *s, const OpeRow *row, unsigned present, AbError *err);
/* dst := union of dst and src.  Both must be of the same kind. */
bool		ope_state_merge(OpeState *dst, const OpeState *src, AbError *err);

/*
 * Check every invariant of a state that came from outside (text, binary, a
 * table): version, flags, counts, finiteness, signs, zero sums where no row
 * could have contributed.  kind is AB_ERR_SYNTAX or AB_ERR_BINARY, used for
 * the error raised.
 */
bool		ope_state_validate(const OpeState *s, AbErrorKind kind, AbError *err);

#endif

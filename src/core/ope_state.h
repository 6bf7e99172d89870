/*
 * ope_state.h — the off-policy evaluation accumulator.
 *
 * An OpeState holds, as compensated sums, everything the estimators of
 * ope_estimators.h need: a fixed set of power sums of the per-row
 * quantities, row counts, extremes and two flags.  Adding rows and merging
 * states are exact up to floating-point rounding, so the state of a union of
 * row sets is the merge of their states (parallel workers, partitions, days,
 * nodes).
 *
 * Per row: r reward, mu logged propensity, pi target probability of the
 * logged action, q reward-model prediction for the logged action, v the
 * reward model's value of the target policy at this context; w = pi / mu and
 * e = r - q.  The "basic" kind has (r, mu, pi); the "dr" kind adds (q, v).
 *
 * Version 2 (artbandit 1.2) adds what the 1.2 intervals need -- the range of
 * r (matched rows), v (all rows) and e (matched rows), whether every matched
 * reward was 0 or 1 and every matched pi was 1 -- and, optionally, a list of
 * lambdas with the sums of the clipped, switched and shrunk estimators
 * (ope_lambda.h).  Such a state is followed in memory by its lambda section
 * (ope_state_bytes gives the whole size).  A version 1 state (1.0, 1.1)
 * still reads: it has no lambdas and, unless it is empty, unknown ranges
 * (OPE_FLAG_TRACKED clear).
 */
#ifndef OPE_STATE_H
#define OPE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ab_error.h"
#include "compsum.h"

#define OPE_STATE_VERSION 2		/* written; version 1 is still read */

/* flags */
#define OPE_FLAG_DR			0x01	/* has reward-model inputs (q, v) */
#define OPE_FLAG_TRACKED	0x02	/* ranges and the two flags below are known */
#define OPE_FLAG_NONBINARY	0x04	/* a matched row's reward was not 0 or 1 */
#define OPE_FLAG_FRACTIONAL 0x08	/* a matched row's pi was below 1 */
#define OPE_FLAGS_KNOWN		0x0F

/* At most this many lambdas per state (API.md: 1 to 32). */
#define OPE_MAX_LAMBDAS 32

/*
 * The largest a running sum of squares may grow (2^1020, a sixteenth of
 * DBL_MAX).  Every other sum is bounded by sums of squares (|x y| <= (x^2 +
 * y^2) / 2), so with this margin every compensated sum hi + lo, every merged
 * sum and every bootstrap replicate sum (at most 13 times a term) stays
 * finite: a state the aggregates build can always be printed, re-read and
 * dumped.  (A row that would pass it is refused.)
 */
#define OPE_SUM_LIMIT 0x1p1020

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
	uint16_t	nlambdas;		/* entries of the lambda section after the state */
	uint32_t	reserved;		/* must be zero; keeps the rest 8-aligned */
	int64_t		n;				/* rows counted */
	int64_t		n_skipped;		/* rows skipped for a NULL input */
	int64_t		n_matched;		/* rows with pi > 0 */
	double		max_weight;		/* max w; 0 while n = 0 */
	double		min_propensity; /* min mu; 0 while n = 0 */
	CompSum		sums[OPE_NSUMS];
	/* tracked (OPE_FLAG_TRACKED); 0 while nothing contributed */
	double		r_min,
				r_max;			/* rewards of matched rows */
	double		v_min,
				v_max;			/* dr: v of counted rows */
	double		e_min,
				e_max;			/* dr: r - q of matched rows */
} OpeState;

/* Names of the sums, as in the text form ("pi", "w2_r", ...). */
extern const char *const ope_sum_names[OPE_NSUMS];

static inline bool
ope_state_is_dr(const OpeState *s)
{
	return (s->flags & OPE_FLAG_DR) != 0;
}

static inline bool
ope_state_is_tracked(const OpeState *s)
{
	return (s->flags & OPE_FLAG_TRACKED) != 0;
}

/* No row counted or skipped and no lambdas: merges with anything. */
static inline bool
ope_state_is_blank(const OpeState *s)
{
	return s->n == 0 && s->n_skipped == 0 && s->nlambdas == 0;
}

/* Bytes of a state with nlambdas lambdas, its lambda section included. */
size_t		ope_state_bytes(int nlambdas);

/* An empty state of the given kind, without lambdas. */
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
 * a basic state.  A state with lambdas also adds the row to its lambda
 * section.
 */
bool		ope_state_add(OpeState *s, const OpeRow *row, unsigned present, AbError *err);

/*
 * ope_state_add in two steps, for callers that must check several states
 * before changing any (ope_compare): check_row changes nothing and fails as
 * ope_state_add would; apply_row then cannot fail.  t carries the row's
 * weight terms from one to the other.
 */
typedef struct OpeRowTerms
{
	double		w,
				wr,
				pr,
				we;
	bool		skip;			/* a NULL input: counted in n_skipped */
} OpeRowTerms;

bool		ope_state_check_row(const OpeState *s, const OpeRow *row, unsigned present,
								OpeRowTerms *t, AbError *err);
void		ope_state_apply_row(OpeState *s, const OpeRow *row, const OpeRowTerms *t);

/*
 * dst := union of dst and src.  Both must be of the same kind and have the
 * same lambdas (a blank state has none and merges with anything only when
 * it is the source; ope_merge_target_lambdas tells the caller to start from
 * a copy of src instead).
 */
bool		ope_state_merge(OpeState *dst, const OpeState *src, AbError *err);

/*
 * Whether merging src into dst needs dst to grow a lambda section first:
 * dst is blank and src has lambdas (then the union is a copy of src).
 */
static inline bool
ope_merge_adopts(const OpeState *dst, const OpeState *src)
{
	return ope_state_is_blank(dst) && src->nlambdas > 0 &&
		ope_state_is_dr(dst) == ope_state_is_dr(src);
}

/*
 * Check every invariant of a state that came from outside (text, binary, a
 * table): version, flags, counts, finiteness, signs, zero sums where no row
 * could have contributed, ranges, and the lambda section.  kind is
 * AB_ERR_SYNTAX or AB_ERR_BINARY, used for the error raised.
 */
bool		ope_state_validate(const OpeState *s, AbErrorKind kind, AbError *err);

#endif

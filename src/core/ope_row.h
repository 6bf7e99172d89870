/*
 * ope_row.h — the per-row hot path of every OPE aggregate: checking a row
 * against a state, then applying it (ope_state_check_row and _apply_row),
 * as inline functions specialised on the state's kind, so that ope_state.c
 * and the paired state (ope_pair.c) both get them inlined.
 */
#ifndef OPE_ROW_H
#define OPE_ROW_H

#include <math.h>

#include "ope_lambda.h"
#include "ope_state.h"

/*
 * The error paths are kept out of line: their message buffers would
 * otherwise put a stack protector and spills into the per-row hot path.
 */
#if defined(__GNUC__)
#define OPE_COLD __attribute__((noinline, cold))
#define OPE_INLINE static inline __attribute__((always_inline))
#else
#define OPE_COLD
#define OPE_INLINE static inline
#endif

/* The error paths (ope_state.c). */
OPE_COLD bool ope_row_report_bad_input(const OpeRow *row, unsigned present, bool dr, AbError *err);
OPE_COLD bool ope_row_count_overflow(AbError *err);
OPE_COLD bool ope_row_report_overflow(const OpeState *s, const OpeRow *row, bool dr, double w,
									   double wr, double pr, double we, AbError *err);

/*
 * True when every present input is in range.  The common case (all present)
 * is one branch-free test; the messages come from report_bad_input.
 */
OPE_INLINE bool
inputs_ok(const OpeRow *row, unsigned present, bool dr)
{
	bool		ok = true;

	if (present & OPE_IN_MU)
		ok &= row->mu > 0.0 && row->mu <= 1.0;
	if (present & OPE_IN_PI)
		ok &= row->pi >= 0.0 && row->pi <= 1.0;
	if (present & OPE_IN_R)
		ok &= isfinite(row->r);
	if (dr)
	{
		if (present & OPE_IN_Q)
			ok &= isfinite(row->q);
		if (present & OPE_IN_V)
			ok &= isfinite(row->v);
	}
	return ok;
}

static inline bool
unlikely_blank(const OpeState *s)
{
#if defined(__GNUC__)
	return __builtin_expect(s->n == 0 && s->n_skipped == 0, 0);
#else
	return s->n == 0 && s->n_skipped == 0;
#endif
}

/*
 * The ranges and kinds of a matched row (before n_matched counts it): its
 * reward and residual extend the ranges, a reward other than 0 or 1 or a
 * target probability below 1 clear "binary reward" and "deterministic".
 */
OPE_INLINE void
track_matched(OpeState *s, double r, double pi, double e, const bool dr)
{
	bool		first = s->n_matched == 0;

	s->r_min = first || r < s->r_min ? r : s->r_min;
	s->r_max = first || r > s->r_max ? r : s->r_max;
	if (dr)
	{
		s->e_min = first || e < s->e_min ? e : s->e_min;
		s->e_max = first || e > s->e_max ? e : s->e_max;
	}
	if (r != 0.0 && r != 1.0)
		s->flags |= OPE_FLAG_NONBINARY;
	if (pi != 1.0)
		s->flags |= OPE_FLAG_FRACTIONAL;
}

/*
 * Every term added to a sum is bounded by a sum of squares (|x y| <=
 * (x^2 + y^2) / 2), so checking the squares, and the running sums of
 * squares they will join, covers every product and every running sum.
 *
 * This is the per-row hot path of every OPE aggregate, specialised on the
 * state's kind (dr is a constant in each instance).  All checks come before
 * the first change, so a failing row leaves the state as it was.  An
 * unmatched row (pi = 0, most rows of a replay) adds zero to every pi- and
 * w-sum and skips them, and with them the division.
 */
OPE_INLINE bool
check_row(const OpeState *s, const OpeRow *row, unsigned present, OpeRowTerms *t, AbError *err,
		  const bool dr, const bool check_inputs)
{
	const unsigned needed = dr ? OPE_IN_ALL : (OPE_IN_R | OPE_IN_MU | OPE_IN_PI);
	const double r = row->r,
				mu = row->mu,
				pi = row->pi,
				q = dr ? row->q : 0.0,
				v = dr ? row->v : 0.0;
	double		after;

	t->w = t->wr = t->pr = t->we = 0.0;
	/* (check_inputs is false only for a caller that checked them itself) */
	if (check_inputs && !inputs_ok(row, present, dr))
		return ope_row_report_bad_input(row, present, dr, err);
	t->skip = (present & needed) != needed;
	if (t->skip)
		return s->n_skipped != INT64_MAX || ope_row_count_overflow(err);
	if (s->n == INT64_MAX)
		return ope_row_count_overflow(err);

	if (pi > 0.0)
	{
		t->w = pi / mu;
		t->wr = t->w * r;
		t->pr = pi * r;
	}
	/* with w = 0 this is NaN exactly when r - q overflows, as for any row */
	if (dr)
		t->we = t->w * (r - q);
	/* every square, and the running sums of squares they join */
	after = (s->sums[OPE_PI2_R2].hi + t->pr * t->pr) + (s->sums[OPE_W2_R2].hi + t->wr * t->wr) +
		(s->sums[OPE_W2].hi + t->w * t->w) + (s->sums[OPE_W2_E2].hi + t->we * t->we) +
		(s->sums[OPE_V2].hi + v * v);
	/* all terms are >= 0 or NaN, so one test covers every overflow */
	if (!(after <= OPE_SUM_LIMIT))
		return ope_row_report_overflow(s, row, dr, t->w, t->wr, t->pr, t->we, err);
	return true;
}

OPE_INLINE void
apply_row(OpeState *s, const OpeRow *row, const OpeRowTerms *t, const bool dr)
{
	const double r = row->r,
				mu = row->mu,
				pi = row->pi,
				q = dr ? row->q : 0.0,
				v = dr ? row->v : 0.0,
				w = t->w,
				wr = t->wr,
				pr = t->pr,
				we = t->we;

	/* a blank state has nothing unknown about it (a 1.0/1.1 initial state) */
	if (unlikely_blank(s))
		s->flags |= OPE_FLAG_TRACKED;
	if (t->skip)
	{
		s->n_skipped++;
		return;
	}
	/* in pairs of adjacent sums (the enum's order, checked below) */
	if (dr)
		compsum_add2(&s->sums[OPE_V], v, v * v);
	if (pi > 0.0)
	{
		if (dr)
		{
			compsum_add2(&s->sums[OPE_W_E], we, w * we);
			compsum_add2(&s->sums[OPE_W2_E2], we * we, v * we);
			compsum_add(&s->sums[OPE_V_W], v * w);
		}
		compsum_add2(&s->sums[OPE_PI], pi, pr);
		compsum_add2(&s->sums[OPE_PI2], pi * pi, pi * pr);
		compsum_add2(&s->sums[OPE_PI2_R2], pr * pr, w);
		compsum_add2(&s->sums[OPE_W2], w * w, wr);
		compsum_add2(&s->sums[OPE_W2_R], w * wr, wr * wr);
		if (s->nlambdas > 0)
			ope_lambda_add(s, w, r, r - q, v);
		if (s->flags & OPE_FLAG_TRACKED)
			track_matched(s, r, pi, r - q, dr);
		s->n_matched++;
		if (w > s->max_weight)
			s->max_weight = w;
	}
	if (dr && (s->flags & OPE_FLAG_TRACKED))
	{
		s->v_min = s->n == 0 || v < s->v_min ? v : s->v_min;
		s->v_max = s->n == 0 || v > s->v_max ? v : s->v_max;
	}
	if (s->n == 0 || mu < s->min_propensity)
		s->min_propensity = mu;
	s->n++;
}

#endif

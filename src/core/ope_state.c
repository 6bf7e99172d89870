/*
 * ope_state.c — adding rows to and merging OpeState accumulators.
 *
 * The sums are those listed in ope_state.h; ope_estimators.c turns them into
 * estimates and standard errors.  Unmatched rows (pi = 0) add zero to every
 * pi- and w-sum, so they only touch the counters and, for dr states, the v
 * sums: replay over a log where few rows match costs little per row.
 */
#include "ope_state.h"

#include <math.h>
#include <string.h>

#include "float_text.h"
#include "ope_lambda.h"
#include "ope_row.h"

/* add_row adds adjacent sums in pairs */
typedef char ope_sum_pairs_check[(OPE_PI_R == OPE_PI + 1 && OPE_PI2_R == OPE_PI2 + 1 &&
								  OPE_W == OPE_PI2_R2 + 1 && OPE_W_R == OPE_W2 + 1 &&
								  OPE_W2_R2 == OPE_W2_R + 1 && OPE_V2 == OPE_V + 1 &&
								  OPE_W2_E == OPE_W_E + 1 && OPE_V_W_E == OPE_W2_E2 + 1) ? 1 : -1];

const char *const ope_sum_names[OPE_NSUMS] = {
	"pi", "pi_r", "pi2", "pi2_r", "pi2_r2",
	"w", "w2", "w_r", "w2_r", "w2_r2",
	"v", "v2", "w_e", "w2_e", "w2_e2", "v_w_e", "v_w"
};

size_t
ope_state_bytes(int nlambdas)
{
	return sizeof(OpeState) + ope_lambda_section_bytes(nlambdas);
}

void
ope_state_init(OpeState *s, bool dr)
{
	memset(s, 0, sizeof(*s));
	s->version = OPE_STATE_VERSION;
	s->flags = (dr ? OPE_FLAG_DR : 0) | OPE_FLAG_TRACKED;
}

/* Fail with "<name> must be <range>, got <value>". */
static OPE_COLD bool
bad_input(AbError *err, const char *name, const char *range, double value)
{
	char		buf[FLOAT_TEXT_LEN];

	float_to_text(value, buf);
	return ab_fail(err, AB_ERR_VALUE, "%s must be %s, got %s", name, range, buf);
}

OPE_COLD bool
ope_row_report_bad_input(const OpeRow *row, unsigned present, bool dr, AbError *err)
{
	if ((present & OPE_IN_MU) && !(row->mu > 0.0 && row->mu <= 1.0))
	{
		bad_input(err, "propensity", "in (0, 1]", row->mu);
		if (row->mu > 1.0 && row->mu <= 100.0)
			ab_hint(err, "It looks like a percentage: log the probability (divide by 100).");
		return false;
	}
	if ((present & OPE_IN_PI) && !(row->pi >= 0.0 && row->pi <= 1.0))
		return bad_input(err, "target_probability", "in [0, 1]", row->pi);
	if ((present & OPE_IN_R) && !isfinite(row->r))
		return bad_input(err, "reward", "finite", row->r);
	if (dr && (present & OPE_IN_Q) && !isfinite(row->q))
		return bad_input(err, "q_logged", "finite", row->q);
	return bad_input(err, "v_target", "finite", row->v);
}

/* Fail with "<what> is out of range for <name> <value>, ..." (name3 may be NULL). */
static OPE_COLD bool
overflow(AbError *err, const char *what, const char *name1, double value1,
		 const char *name2, double value2, const char *name3, double value3)
{
	char		b1[FLOAT_TEXT_LEN],
				b2[FLOAT_TEXT_LEN],
				b3[FLOAT_TEXT_LEN];

	float_to_text(value1, b1);
	float_to_text(value2, b2);
	float_to_text(value3, b3);
	ab_fail(err, AB_ERR_OUT_OF_RANGE, "%s is out of range for %s %s, %s %s%s%s%s%s",
			what, name1, b1, name2, b2,
			name3 ? ", " : "", name3 ? name3 : "", name3 ? " " : "", name3 ? b3 : "");
	ab_detail(err, "The squared terms of the estimators overflow double precision.");
	return false;
}

OPE_COLD bool
ope_row_count_overflow(AbError *err)
{
	return ab_fail(err, AB_ERR_OUT_OF_RANGE, "ope_state row count is out of range");
}

static OPE_COLD bool
sum_overflow(const OpeState *s, AbError *err)
{
	return ab_fail(err, AB_ERR_OUT_OF_RANGE,
				   "sum of importance-weighted terms is out of range at row %lld",
				   (long long) s->n + 1);
}

/*
 * Which overflow add_row's single test caught, in a fixed order of
 * precedence: the row's own terms, then the running sums.
 */
OPE_COLD bool
ope_row_report_overflow(const OpeState *s, const OpeRow *row, bool dr, double w, double wr,
						double pr, double we, AbError *err)
{
	double		r = row->r,
				mu = row->mu,
				pi = row->pi,
				q = dr ? row->q : 0.0,
				v = dr ? row->v : 0.0;

	if (!(pr * pr + wr * wr + w * w <= OPE_SUM_LIMIT))
		return overflow(err, "importance-weighted reward", "reward", r, "propensity", mu,
						"target_probability", pi);
	if (dr && !(we * we <= OPE_SUM_LIMIT))
		return overflow(err, "importance-weighted residual", "reward", r, "q_logged", q,
						"propensity", mu);
	if (dr && !(v * v <= OPE_SUM_LIMIT))
		return overflow(err, "squared value", "v_target", v, "target_probability", pi, NULL, 0);
	return sum_overflow(s, err);
}

bool
ope_state_check_row(const OpeState *s, const OpeRow *row, unsigned present, OpeRowTerms *t,
					AbError *err)
{
	if (ope_state_is_dr(s))
		return check_row(s, row, present, t, err, true, true);
	return check_row(s, row, present, t, err, false, true);
}

void
ope_state_apply_row(OpeState *s, const OpeRow *row, const OpeRowTerms *t)
{
	if (ope_state_is_dr(s))
		apply_row(s, row, t, true);
	else
		apply_row(s, row, t, false);
}

bool
ope_state_add(OpeState *s, const OpeRow *row, unsigned present, AbError *err)
{
	OpeRowTerms t;

	if (ope_state_is_dr(s))
	{
		if (!check_row(s, row, present, &t, err, true, true))
			return false;
		apply_row(s, row, &t, true);
		return true;
	}
	if (!check_row(s, row, present, &t, err, false, true))
		return false;
	apply_row(s, row, &t, false);
	return true;
}

static bool
add_count(int64_t *dst, int64_t src, AbError *err)
{
	if (src > INT64_MAX - *dst)
		return ope_row_count_overflow(err);
	*dst += src;
	return true;
}

/* [lo, hi] := the union of the ranges of dst (of dst_n rows) and src (src_n rows). */
static void
merge_range(double *lo, double *hi, int64_t dst_n, double src_lo, double src_hi, int64_t src_n)
{
	if (src_n == 0)
		return;
	*lo = dst_n == 0 || src_lo < *lo ? src_lo : *lo;
	*hi = dst_n == 0 || src_hi > *hi ? src_hi : *hi;
}

/* The ranges and kinds of the union, or none when either side has none. */
static void
merge_tracking(OpeState *res, const OpeState *dst, const OpeState *src)
{
	/* a blank side knows everything about its (no) rows */
	if (ope_state_is_blank(dst))
	{
		res->flags = (res->flags & ~(OPE_FLAG_TRACKED | OPE_FLAG_NONBINARY | OPE_FLAG_FRACTIONAL)) |
			(src->flags & (OPE_FLAG_TRACKED | OPE_FLAG_NONBINARY | OPE_FLAG_FRACTIONAL));
		res->r_min = src->r_min;
		res->r_max = src->r_max;
		res->v_min = src->v_min;
		res->v_max = src->v_max;
		res->e_min = src->e_min;
		res->e_max = src->e_max;
		return;
	}
	if (!ope_state_is_tracked(dst) || !ope_state_is_tracked(src))
	{
		res->flags &= ~(OPE_FLAG_TRACKED | OPE_FLAG_NONBINARY | OPE_FLAG_FRACTIONAL);
		res->r_min = res->r_max = res->v_min = res->v_max = res->e_min = res->e_max = 0.0;
		return;
	}
	res->flags |= src->flags & (OPE_FLAG_NONBINARY | OPE_FLAG_FRACTIONAL);
	merge_range(&res->r_min, &res->r_max, dst->n_matched, src->r_min, src->r_max, src->n_matched);
	merge_range(&res->e_min, &res->e_max, dst->n_matched, src->e_min, src->e_max, src->n_matched);
	merge_range(&res->v_min, &res->v_max, dst->n, src->v_min, src->v_max, src->n);
}

static bool
lambda_mismatch(const OpeState *dst, const OpeState *src, AbError *err)
{
	char		a[96],
				b[96];

	ope_lambdas_describe(dst, a, sizeof(a));
	ope_lambdas_describe(src, b, sizeof(b));
	ab_fail(err, AB_ERR_MISMATCH,
			"cannot merge ope_state values with different lambdas (%s and %s)", a, b);
	ab_detail(err, "States merge only when ope_accumulate was given the same lambdas array.");
	return false;
}

static bool sum_is_nonnegative(int i);

bool
ope_state_merge(OpeState *dst, const OpeState *src, AbError *err)
{
	OpeState	res = *dst;
	int			i;

	if (ope_state_is_dr(dst) != ope_state_is_dr(src))
	{
		ab_fail(err, AB_ERR_MISMATCH,
				"cannot merge an ope_state with reward-model inputs and one without");
		ab_detail(err, "States from ope_accumulate with 3 and with 5 arguments measure different things.");
		return false;
	}
	if (ope_state_is_blank(src))
		return true;			/* the union is dst */
	if (!ope_lambdas_equal(dst, src))
		return lambda_mismatch(dst, src, err);
	if (!add_count(&res.n, src->n, err) ||
		!add_count(&res.n_skipped, src->n_skipped, err) ||
		!add_count(&res.n_matched, src->n_matched, err))
		return false;
	for (i = 0; i < OPE_NSUMS; i++)
	{
		compsum_merge(&res.sums[i], &src->sums[i]);
		/* the sums of squares keep the limit rows keep (OPE_SUM_LIMIT) */
		if (!isfinite(res.sums[i].hi) || !isfinite(res.sums[i].lo) ||
			(sum_is_nonnegative(i) && !(compsum_value(&res.sums[i]) <= OPE_SUM_LIMIT)))
			return ab_fail(err, AB_ERR_OUT_OF_RANGE,
						   "sum \"%s\" is out of range after merging ope_state values",
						   ope_sum_names[i]);
	}
	if (src->n > 0)
	{
		if (src->max_weight > res.max_weight)
			res.max_weight = src->max_weight;
		if (dst->n == 0 || src->min_propensity < res.min_propensity)
			res.min_propensity = src->min_propensity;
	}
	merge_tracking(&res, dst, src);
	if (dst->nlambdas > 0 && !ope_lambda_merge(dst, src, err))
		return false;
	memcpy(dst, &res, sizeof(res));
	return true;
}

/* Sums of squares and of weights can never be negative. */
static bool
sum_is_nonnegative(int i)
{
	switch (i)
	{
		case OPE_PI:
		case OPE_PI2:
		case OPE_PI2_R2:
		case OPE_W:
		case OPE_W2:
		case OPE_W2_R2:
		case OPE_V2:
		case OPE_W2_E2:
			return true;
		default:
			return false;
	}
}

/* A range: finite, ordered when rows contributed, exactly +0 otherwise. */
static bool
range_ok(double lo, double hi, bool used)
{
	if (!used)
		return lo == 0.0 && hi == 0.0 && !signbit(lo) && !signbit(hi);
	return isfinite(lo) && isfinite(hi) && lo <= hi;
}

static bool
validate_tracking(const OpeState *s, AbErrorKind kind, AbError *err)
{
	bool		tracked = ope_state_is_tracked(s),
				dr = ope_state_is_dr(s);

	if (!tracked && (s->flags & (OPE_FLAG_NONBINARY | OPE_FLAG_FRACTIONAL)))
		return ab_fail(err, kind, "ope_state without tracked ranges has reward or target flags");
	if (s->n_matched == 0 && (s->flags & (OPE_FLAG_NONBINARY | OPE_FLAG_FRACTIONAL)))
		return ab_fail(err, kind, "ope_state with no matched rows has reward or target flags");
	if (!range_ok(s->r_min, s->r_max, tracked && s->n_matched > 0) ||
		!range_ok(s->e_min, s->e_max, tracked && dr && s->n_matched > 0) ||
		!range_ok(s->v_min, s->v_max, tracked && dr && s->n > 0))
		return ab_fail(err, kind, "ope_state has an invalid reward, residual or value range");
	if (tracked && s->n_matched > 0 && !(s->flags & OPE_FLAG_NONBINARY) &&
		!((s->r_min == 0.0 || s->r_min == 1.0) && (s->r_max == 0.0 || s->r_max == 1.0)))
		return ab_fail(err, kind, "ope_state claims 0/1 rewards but its reward range is not");
	return true;
}

bool
ope_state_validate(const OpeState *s, AbErrorKind kind, AbError *err)
{
	int			i;

	if (s->version != OPE_STATE_VERSION)
		return ab_fail(err, kind, "unsupported ope_state version %d", (int) s->version);
	if ((s->flags & ~OPE_FLAGS_KNOWN) != 0 || s->reserved != 0)
		return ab_fail(err, kind, "ope_state has unknown flags or non-zero reserved bits");
	if (s->n < 0 || s->n_skipped < 0 || s->n_matched < 0)
		return ab_fail(err, kind, "ope_state has a negative row count");
	if (s->n_matched > s->n)
		return ab_fail(err, kind, "ope_state has more matched rows (%lld) than rows (%lld)",
					   (long long) s->n_matched, (long long) s->n);
	if (!isfinite(s->max_weight) || !isfinite(s->min_propensity))
		return ab_fail(err, kind, "ope_state has a non-finite max_weight or min_propensity");
	if (s->n == 0)
	{
		/* exactly +0, which the text form writes as null */
		if (s->max_weight != 0.0 || s->min_propensity != 0.0 ||
			signbit(s->max_weight) || signbit(s->min_propensity))
			return ab_fail(err, kind, "an empty ope_state must have no max_weight or min_propensity");
	}
	else
	{
		if (!(s->min_propensity > 0.0 && s->min_propensity <= 1.0))
			return ab_fail(err, kind, "ope_state min_propensity must be in (0, 1]");
		if (s->max_weight < 0.0)
			return ab_fail(err, kind, "ope_state max_weight must not be negative");
	}
	for (i = 0; i < OPE_NSUMS; i++)
	{
		const CompSum *c = &s->sums[i];
		bool		must_be_zero;

		if (!isfinite(c->hi) || !isfinite(c->lo) || !isfinite(c->hi + c->lo))
			return ab_fail(err, kind, "ope_state sum \"%s\" is not finite", ope_sum_names[i]);
		if (sum_is_nonnegative(i) && c->hi + c->lo < 0.0)
			return ab_fail(err, kind, "ope_state sum \"%s\" must not be negative", ope_sum_names[i]);
		/* sums over matched rows, or dr sums in a basic state */
		must_be_zero = (i >= OPE_FIRST_DR_SUM && !ope_state_is_dr(s)) ||
			(i != OPE_V && i != OPE_V2 && s->n_matched == 0) ||
			s->n == 0;
		if (must_be_zero && (c->hi != 0.0 || c->lo != 0.0))
			return ab_fail(err, kind, "ope_state sum \"%s\" must be zero here", ope_sum_names[i]);
	}
	if (s->n_matched == 0 && s->max_weight != 0.0)
		return ab_fail(err, kind, "ope_state with no matched rows must have max_weight 0");
	return validate_tracking(s, kind, err) && ope_lambda_validate(s, kind, err);
}

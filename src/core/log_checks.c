/*
 * log_checks.c — the checks of ope_validate_log, row by row, and their
 * verdicts (log_checks.h).
 */
#include "log_checks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ab_error.h"
#include "ope_warnings.h"

const char *const log_check_names[LC_NCHECKS] = {
	"rows",
	"action_present",
	"propensity_present",
	"propensity_in_range",
	"reward_present",
	"reward_finite",
	"candidates_present",
	"candidates_valid",
	"action_in_candidates",
	"candidates_shown",
	"propensity_mean_weight",
	"ids_present",
	"ids_unique",
	"probabilities_valid",
	"probabilities_sum_to_one",
	"probabilities_give_propensity",
};

const char *const log_status_names[3] = {"ok", "warning", "error"};

/* The column each check needs (0: the action and propensity, always there). */
static const unsigned check_needs[LC_NCHECKS] = {
	[LC_REWARD_PRESENT] = LC_HAS_REWARD,
	[LC_REWARD_FINITE] = LC_HAS_REWARD,
	[LC_CANDIDATES_PRESENT] = LC_HAS_CANDIDATES,
	[LC_CANDIDATES_VALID] = LC_HAS_CANDIDATES,
	[LC_ACTION_IN_CANDIDATES] = LC_HAS_CANDIDATES,
	[LC_CANDIDATES_SHOWN] = LC_HAS_CANDIDATES,
	[LC_MEAN_WEIGHT] = LC_HAS_CANDIDATES,
	[LC_IDS_PRESENT] = LC_HAS_ID,
	[LC_IDS_UNIQUE] = LC_HAS_ID,
	[LC_PROBABILITIES_VALID] = LC_HAS_PROBABILITIES | LC_HAS_CANDIDATES,
	[LC_PROBABILITIES_SUM] = LC_HAS_PROBABILITIES | LC_HAS_CANDIDATES,
	[LC_PROBABILITIES_PROPENSITY] = LC_HAS_PROBABILITIES | LC_HAS_CANDIDATES,
};

/* What a failure of each check means: an error, or a warning. */
static const LogStatus check_severity[LC_NCHECKS] = {
	[LC_ROWS] = LS_OK,
	[LC_ACTION_PRESENT] = LS_ERROR,
	[LC_PROPENSITY_PRESENT] = LS_ERROR,
	[LC_PROPENSITY_IN_RANGE] = LS_ERROR,
	[LC_REWARD_PRESENT] = LS_WARNING,
	[LC_REWARD_FINITE] = LS_ERROR,
	[LC_CANDIDATES_PRESENT] = LS_WARNING,
	[LC_CANDIDATES_VALID] = LS_ERROR,
	[LC_ACTION_IN_CANDIDATES] = LS_ERROR,
	[LC_CANDIDATES_SHOWN] = LS_WARNING,
	[LC_MEAN_WEIGHT] = LS_OK,	/* decided by the test */
	[LC_IDS_PRESENT] = LS_WARNING,
	[LC_IDS_UNIQUE] = LS_ERROR,
	[LC_PROBABILITIES_VALID] = LS_ERROR,
	[LC_PROBABILITIES_SUM] = LS_ERROR,
	[LC_PROBABILITIES_PROPENSITY] = LS_ERROR,
};

void
log_checks_init(LogChecks *lc, unsigned columns)
{
	memset(lc, 0, sizeof(*lc));
	lc->columns = columns;
}

bool
log_check_applies(const LogChecks *lc, LogCheck c)
{
	return (lc->columns & check_needs[c]) == check_needs[c];
}

static int
compare_i64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a,
				y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

/* Whether the k candidates hold a value twice (scratch holds k). */
static bool
has_duplicate(const int64_t *c, int k, int64_t *scratch)
{
	int			i,
				j;

	if (k <= 16)
	{
		for (i = 1; i < k; i++)
			for (j = 0; j < i; j++)
				if (c[i] == c[j])
					return true;
		return false;
	}
	memcpy(scratch, c, sizeof(int64_t) * (size_t) k);
	qsort(scratch, (size_t) k, sizeof(int64_t), compare_i64);
	for (i = 1; i < k; i++)
		if (scratch[i] == scratch[i - 1])
			return true;
	return false;
}

#define FAIL(c) (mask |= (uint32_t) 1 << (c), lc->failed[c]++)

/*
 * The pmf checks of a row whose candidates are valid; shown is the image's
 * index or -1, propensity_ok whether its propensity is in (0, 1] (an
 * out-of-range one is reported once, by propensity_in_range).
 */
static uint32_t
check_probabilities(LogChecks *lc, const LogRowView *r, int shown, bool propensity_ok)
{
	uint32_t	mask = 0;
	CompSum		sum = {0};
	double		gap;
	int			i;

	if (r->probabilities_state != LA_OK || r->nprobabilities != r->k)
	{
		FAIL(LC_PROBABILITIES_VALID);
		return mask;
	}
	for (i = 0; i < r->k; i++)
	{
		double		p = r->probabilities[i];

		if (!(p >= 0.0 && p <= 1.0))
		{
			FAIL(LC_PROBABILITIES_VALID);
			return mask;
		}
		compsum_add(&sum, p);
	}
	gap = fabs(compsum_value(&sum) - 1.0);
	if (gap > LC_PROBABILITY_TOLERANCE)
	{
		FAIL(LC_PROBABILITIES_SUM);
		lc->worst_sum_gap = fmax(lc->worst_sum_gap, gap);
	}
	if (shown >= 0 && propensity_ok)
	{
		gap = fabs(r->probabilities[shown] - r->propensity);
		if (gap > LC_PROBABILITY_TOLERANCE)
		{
			FAIL(LC_PROBABILITIES_PROPENSITY);
			lc->worst_propensity_gap = fmax(lc->worst_propensity_gap, gap);
		}
	}
	return mask;
}

uint32_t
log_check_row(LogChecks *lc, const LogRowView *r, int64_t *scratch)
{
	uint32_t	mask = 0;
	bool		propensity_ok = false;
	int			shown = -1,
				i;

	lc->rows++;
	if (!r->has_action)
		FAIL(LC_ACTION_PRESENT);
	if (!r->has_propensity)
		FAIL(LC_PROPENSITY_PRESENT);
	else if (r->propensity > 0.0 && r->propensity <= 1.0)
		propensity_ok = true;
	else
	{
		FAIL(LC_PROPENSITY_IN_RANGE);
		if (r->propensity > 1.0 && r->propensity <= 100.0)
			lc->percent_like++;
	}
	if (lc->columns & LC_HAS_REWARD)
	{
		if (!r->has_reward)
			FAIL(LC_REWARD_PRESENT);
		else if (!isfinite(r->reward))
			FAIL(LC_REWARD_FINITE);
	}
	if (lc->columns & LC_HAS_ID && !r->has_id)
		FAIL(LC_IDS_PRESENT);
	if (!(lc->columns & LC_HAS_CANDIDATES))
		return mask;

	if (r->candidates_state == LA_NULL)
	{
		FAIL(LC_CANDIDATES_PRESENT);
		return mask;
	}
	if (r->candidates_state == LA_BAD || r->k == 0 || has_duplicate(r->candidates, r->k, scratch))
	{
		FAIL(LC_CANDIDATES_VALID);
		return mask;
	}
	if (r->has_action)
	{
		for (i = 0; i < r->k; i++)
			if (r->candidates[i] == r->action)
			{
				shown = i;
				break;
			}
		if (shown < 0)
			FAIL(LC_ACTION_IN_CANDIDATES);
	}
	if (propensity_ok && shown >= 0)
	{
		/* the uniform target's weight: (1/k) / propensity */
		double		w = 1.0 / ((double) r->k * r->propensity);

		lc->weight_rows++;
		if (isfinite(w))
		{
			lc->weight_nonzero++;
			compsum_add(&lc->weight_sum, w);
			compsum_add(&lc->weight_sumsq, w * w);
		}
	}
	if (lc->columns & LC_HAS_PROBABILITIES)
		mask |= check_probabilities(lc, r, shown, propensity_ok);
	return mask;
}

void
log_checks_set_count(LogChecks *lc, LogCheck c, int64_t count)
{
	lc->failed[c] = count;
}

/* The sentence of a check that found nothing wrong. */
static const char *const ok_detail[LC_NCHECKS] = {
	[LC_ACTION_PRESENT] = "every row has an action",
	[LC_PROPENSITY_PRESENT] = "every row has a propensity",
	[LC_PROPENSITY_IN_RANGE] = "every propensity is in (0, 1]",
	[LC_REWARD_PRESENT] = "every row has a reward",
	[LC_REWARD_FINITE] = "every reward is a finite number",
	[LC_CANDIDATES_PRESENT] = "every row has its candidates",
	[LC_CANDIDATES_VALID] = "every list of candidates is one-dimensional, not empty, without NULL or repeated images",
	[LC_ACTION_IN_CANDIDATES] = "every shown image is among its row's candidates",
	[LC_CANDIDATES_SHOWN] = "every image offered as a candidate was shown at least once",
	[LC_IDS_PRESENT] = "every row has an id",
	[LC_IDS_UNIQUE] = "no id appears twice",
	[LC_PROBABILITIES_VALID] = "every logged pmf has one probability in [0, 1] per candidate",
	[LC_PROBABILITIES_SUM] = "every logged pmf sums to 1 (within 1e-6)",
	[LC_PROBABILITIES_PROPENSITY] = "every logged pmf gives the shown image its logged propensity (within 1e-6)",
};

/* "1 row has" or "2 rows have": the count and the words for one or many. */
#define N_WORDS(n, one, many) (n), ((n) == 1 ? (one) : (many))

/* The sentence of a failed check. */
static void
failed_detail(const LogChecks *lc, LogCheck c, char *buf, size_t len)
{
	long long	n = (long long) lc->failed[c];

	switch (c)
	{
		case LC_ACTION_PRESENT:
			snprintf(buf, len, "%lld %s no action (NULL): no policy can be matched with it, and the jobs skip it",
					 N_WORDS(n, "row has", "rows have"));
			break;
		case LC_PROPENSITY_PRESENT:
			snprintf(buf, len, "%lld %s no propensity (NULL): it cannot be weighted, and the jobs skip it",
					 N_WORDS(n, "row has", "rows have"));
			break;
		case LC_PROPENSITY_IN_RANGE:
			if (lc->percent_like == lc->failed[c])
				snprintf(buf, len, "%lld %s not in (0, 1], and in (1, 100]: percentages? A propensity is a probability: divide by 100",
						 N_WORDS(n, "propensity is", "propensities are"));
			else
				snprintf(buf, len, "%lld %s not in (0, 1] (0, negative, above 1, NaN or infinite)%s",
						 N_WORDS(n, "propensity is", "propensities are"),
						 lc->percent_like > 0 ? "; some are in (1, 100]: percentages?" : "");
			break;
		case LC_REWARD_PRESENT:
			snprintf(buf, len, "%lld %s no reward (NULL): the estimators skip it; a reward not known yet (a play still possible) belongs in the log only once its window has closed",
					 N_WORDS(n, "row has", "rows have"));
			break;
		case LC_REWARD_FINITE:
			snprintf(buf, len, "%lld %s NaN or infinite", N_WORDS(n, "reward is", "rewards are"));
			break;
		case LC_CANDIDATES_PRESENT:
			snprintf(buf, len, "%lld %s no candidates (NULL): it cannot be scored, and the jobs skip it",
					 N_WORDS(n, "row has", "rows have"));
			break;
		case LC_CANDIDATES_VALID:
			snprintf(buf, len, "%lld %s empty, not one-dimensional, longer than 100000, or holds a NULL or an image twice",
					 N_WORDS(n, "list of candidates is", "lists of candidates are each"));
			break;
		case LC_ACTION_IN_CANDIDATES:
			snprintf(buf, len, "%lld %s not among its row's candidates: the candidates or the action were logged wrong",
					 N_WORDS(n, "shown image is", "shown images are each"));
			break;
		case LC_CANDIDATES_SHOWN:
			snprintf(buf, len, "%lld %s as a candidate %.0f %s in all and never shown: no estimate can see a policy that shows %s (n_rows counts images)",
					 N_WORDS(n, "image was offered", "images were offered"), lc->never_shown_offers,
					 lc->never_shown_offers == 1 ? "time" : "times", n == 1 ? "it" : "them");
			break;
		case LC_IDS_PRESENT:
			snprintf(buf, len, "%lld %s no id (NULL)", N_WORDS(n, "row has", "rows have"));
			break;
		case LC_IDS_UNIQUE:
			snprintf(buf, len, "%lld %s an id of another row: a duplicated impression is counted twice",
					 N_WORDS(n, "row repeats", "rows repeat"));
			break;
		case LC_PROBABILITIES_VALID:
			snprintf(buf, len, "%lld %s NULL, not one probability per candidate, or holds a value outside [0, 1]",
					 N_WORDS(n, "logged pmf is", "logged pmfs are each"));
			break;
		case LC_PROBABILITIES_SUM:
			snprintf(buf, len, "%lld %s not sum to 1 (by up to %.3g; tolerance 1e-6)",
					 N_WORDS(n, "logged pmf does", "logged pmfs do"), lc->worst_sum_gap);
			break;
		case LC_PROBABILITIES_PROPENSITY:
			snprintf(buf, len, "%lld %s from the probability the row's pmf gives the shown image (by up to %.3g; tolerance 1e-6)",
					 N_WORDS(n, "logged propensity differs", "logged propensities differ"), lc->worst_propensity_gap);
			break;
		default:
			snprintf(buf, len, "%lld %s", N_WORDS(n, "row fails", "rows fail"));
	}
}

/* The uniform target's mean weight, tested. */
static void
mean_weight_verdict(const LogChecks *lc, LogVerdict *out)
{
	OpeWeightTest t;
	char		sentence[OPE_WARNING_LEN];

	out->n_rows = lc->weight_rows;
	ope_weight_test((double) lc->weight_rows, lc->weight_nonzero, &lc->weight_sum, &lc->weight_sumsq, &t);
	if (!t.tested)
	{
		out->status = LS_OK;
		snprintf(out->detail, sizeof(out->detail),
				 "not tested: %lld rows with a valid propensity and their image among valid candidates, fewer than %d",
				 (long long) lc->weight_rows, OPE_WEIGHT_MIN_NONZERO);
		return;
	}
	if (t.verdict == 0)
	{
		out->status = LS_OK;
		snprintf(out->detail, sizeof(out->detail),
				 "the mean of (1/candidates)/propensity is %.4g (standard error %.3g), consistent with 1",
				 t.mean, t.std_error);
		return;
	}
	/* above 1 cannot happen with right propensities; below 1 can (images the logging policy never shows) */
	out->status = t.verdict > 0 ? LS_ERROR : LS_WARNING;
	ope_weight_warning(&t, sentence, sizeof(sentence));
	snprintf(out->detail, sizeof(out->detail), "for a target choosing uniformly among the candidates, %s", sentence);
}

void
log_check_verdict(const LogChecks *lc, LogCheck c, LogVerdict *out)
{
	memset(out, 0, sizeof(*out));
	if (c == LC_ROWS)
	{
		out->status = LS_OK;
		out->n_rows = lc->rows;
		snprintf(out->detail, sizeof(out->detail), "%lld rows read", (long long) lc->rows);
		return;
	}
	if (c == LC_MEAN_WEIGHT)
	{
		mean_weight_verdict(lc, out);
		return;
	}
	out->n_rows = lc->failed[c];
	if (lc->failed[c] == 0)
	{
		out->status = LS_OK;
		snprintf(out->detail, sizeof(out->detail), "%s", ok_detail[c]);
		return;
	}
	out->status = check_severity[c];
	failed_detail(lc, c, out->detail, sizeof(out->detail));
}

void
log_sort_u64(uint64_t *a, uint64_t *tmp, size_t n)
{
	size_t		count[1 << 11];
	int			pass;

	/* six passes of 11 bits (the last of 9), least significant first; each is stable */
	for (pass = 0; pass < 6; pass++)
	{
		int			shift = 11 * pass;
		size_t		i,
					total = 0;
		uint64_t   *swap;

		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(a[i] >> shift) & 0x7FF]++;
		for (i = 0; i < (1 << 11); i++)
		{
			size_t		c = count[i];

			count[i] = total;
			total += c;
		}
		for (i = 0; i < n; i++)
		{
			if ((i & 0xFFFF) == 0)
				AB_CHECK_INTERRUPTS();
			tmp[count[(a[i] >> shift) & 0x7FF]++] = a[i];
		}
		swap = a;
		a = tmp;
		tmp = swap;
	}
	/* after an even number of passes the sorted data is back in the caller's array */
}

/*
 * The row checks of ope_validate_log and the radix sort behind its
 * duplicate ids, against hand-made rows and qsort.
 */
#include <stdlib.h>
#include <string.h>

#include "log_checks.h"
#include "unit.h"

static int
cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return (x > y) - (x < y);
}

static LogRowView
good_row(const int64_t *cands, const double *pmf)
{
	LogRowView	r = {0};

	r.has_action = true;
	r.action = cands[1];
	r.has_propensity = true;
	r.propensity = 0.25;
	r.has_reward = true;
	r.reward = 1.0;
	r.candidates_state = LA_OK;
	r.candidates = cands;
	r.k = 4;
	r.has_id = true;
	r.probabilities_state = LA_OK;
	r.probabilities = pmf;
	r.nprobabilities = 4;
	return r;
}

#define BIT(c) ((uint32_t) 1 << (c))

void
test_log_checks(void)
{
	int64_t		cands[4] = {10, 20, 30, 40},
				dup[4] = {10, 20, 20, 40},
				scratch[64],
				many[20];
	double		pmf[4] = {0.25, 0.25, 0.25, 0.25},
				bad_sum[4] = {0.25, 0.25, 0.25, 0.3};
	LogChecks	lc;
	LogRowView	r;
	LogVerdict	v;
	uint64_t	a[5000],
				b[5000],
				tmp[5000];
	unsigned long long seed = 7;
	int			i;

	log_checks_init(&lc, LC_HAS_CANDIDATES | LC_HAS_ID | LC_HAS_REWARD | LC_HAS_PROBABILITIES);
	r = good_row(cands, pmf);
	CHECK(log_check_row(&lc, &r, scratch) == 0);
	/* each failure sets its bit, and only its bit */
	r = good_row(cands, pmf);
	r.propensity = 25.0;
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_PROPENSITY_IN_RANGE));
	r.propensity = NAN;
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_PROPENSITY_IN_RANGE));
	r = good_row(cands, pmf);
	r.has_action = false;
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_ACTION_PRESENT));
	r = good_row(cands, pmf);
	r.action = 99;
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_ACTION_IN_CANDIDATES));
	r = good_row(dup, pmf);
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_CANDIDATES_VALID));
	r = good_row(cands, bad_sum);
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_PROBABILITIES_SUM));
	r = good_row(cands, pmf);
	r.propensity = 0.5;
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_PROBABILITIES_PROPENSITY));
	r = good_row(cands, pmf);
	r.nprobabilities = 3;
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_PROBABILITIES_VALID));
	r = good_row(cands, pmf);
	r.reward = INFINITY;
	r.has_id = false;
	CHECK(log_check_row(&lc, &r, scratch) == (BIT(LC_REWARD_FINITE) | BIT(LC_IDS_PRESENT)));
	r = good_row(cands, pmf);
	r.candidates_state = LA_NULL;
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_CANDIDATES_PRESENT));
	/* a repeated image among more than 16 candidates (the sorted path) */
	for (i = 0; i < 20; i++)
		many[i] = 100 - i;
	many[19] = many[3];
	r = good_row(many, pmf);
	r.k = 20;
	r.probabilities_state = LA_NULL;
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_CANDIDATES_VALID));
	many[19] = 1;
	CHECK(log_check_row(&lc, &r, scratch) == BIT(LC_PROBABILITIES_VALID));

	log_check_verdict(&lc, LC_PROPENSITY_IN_RANGE, &v);
	CHECK(v.status == LS_ERROR && v.n_rows == 2);
	CHECK(strstr(v.detail, "2 propensities are not in (0, 1]") != NULL);
	CHECK(strstr(v.detail, "some are in (1, 100]") != NULL);	/* 25 but not NaN */
	log_check_verdict(&lc, LC_CANDIDATES_PRESENT, &v);
	CHECK(v.status == LS_WARNING && v.n_rows == 1);
	log_check_verdict(&lc, LC_ROWS, &v);
	CHECK(v.status == LS_OK && v.n_rows == 13);
	CHECK(!log_check_applies(&(LogChecks) {.columns = LC_HAS_PROBABILITIES}, LC_PROBABILITIES_SUM));

	/* the radix sort agrees with qsort, duplicates and extremes included */
	for (i = 0; i < 5000; i++)
		a[i] = (i % 7 == 0) ? a[i / 2] : unit_rand_u64(&seed);
	a[1] = 0;
	a[2] = UINT64_MAX;
	memcpy(b, a, sizeof(a));
	log_sort_u64(a, tmp, 5000);
	qsort(b, 5000, sizeof(uint64_t), cmp_u64);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	log_sort_u64(a, tmp, 0);
}

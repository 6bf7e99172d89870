/* Adding rows (input checks, overflow) and merging states. */
#include <string.h>

#include "ope_estimators.h"
#include "ope_state.h"
#include "ope_test_util.h"
#include "unit.h"

static bool
add_fails(bool dr, double r, double mu, double pi, double q, double v, AbErrorKind kind,
		  const char *needle)
{
	OpeState	s,
				before;
	AbError		err;
	bool		ok;

	ope_state_init(&s, dr);
	CHECK(ope_add(&s, 1, 0.5, 0.5, 0, 0, &err));
	before = s;
	ok = !ope_add(&s, r, mu, pi, q, v, &err) && err.kind == kind &&
		strstr(err.message, needle) != NULL &&
		memcmp(&s, &before, sizeof(s)) == 0;	/* unchanged on failure */
	if (!ok)
		fprintf(stderr, "  message: %s\n", err.message);
	return ok;
}

static void
input_checks(void)
{
	CHECK(add_fails(false, 1, 0.0, 1, 0, 0, AB_ERR_VALUE, "propensity must be in (0, 1], got 0"));
	CHECK(add_fails(false, 1, -0.0, 1, 0, 0, AB_ERR_VALUE, "got -0"));
	CHECK(add_fails(false, 1, 1.0000001, 1, 0, 0, AB_ERR_VALUE, "got 1.0000001"));
	CHECK(add_fails(false, 1, NAN, 1, 0, 0, AB_ERR_VALUE, "propensity"));
	CHECK(add_fails(false, 1, 0.5, -0.1, 0, 0, AB_ERR_VALUE, "target_probability must be in [0, 1]"));
	CHECK(add_fails(false, 1, 0.5, NAN, 0, 0, AB_ERR_VALUE, "target_probability"));
	CHECK(add_fails(false, INFINITY, 0.5, 1, 0, 0, AB_ERR_VALUE, "reward must be finite, got Infinity"));
	CHECK(add_fails(true, 1, 0.5, 1, NAN, 0, AB_ERR_VALUE, "q_logged"));
	CHECK(add_fails(true, 1, 0.5, 1, 0, -INFINITY, AB_ERR_VALUE, "v_target"));
	/* weight x reward overflows */
	CHECK(add_fails(false, 1e300, 1e-300, 1, 0, 0, AB_ERR_OUT_OF_RANGE, "out of range"));
	CHECK(add_fails(false, 1, 5e-324, 1, 0, 0, AB_ERR_OUT_OF_RANGE, "out of range"));
	CHECK(add_fails(true, 1e308, 0.5, 0, -1e308, 0, AB_ERR_OUT_OF_RANGE, "q_logged -1e+308"));
	CHECK(add_fails(true, 1, 0.5, 0.5, 0, 1e300, AB_ERR_OUT_OF_RANGE, "v_target 1e+300"));
}

/* A row with a NULL is skipped, but its other inputs are still checked. */
static void
skipped_rows(void)
{
	OpeState	s;
	AbError		err;
	OpeRow		row = {1, 5.0, 0.5, 0, 0};

	ope_state_init(&s, false);
	CHECK(!ope_state_add(&s, &row, OPE_IN_MU | OPE_IN_PI, &err) && err.kind == AB_ERR_VALUE &&
		  strstr(err.message, "propensity") != NULL);
	row.mu = 0.5;
	CHECK(ope_state_add(&s, &row, OPE_IN_MU | OPE_IN_PI, &err));
	/* q and v are not inputs of a basic state */
	CHECK(ope_state_add(&s, &row, OPE_IN_R | OPE_IN_MU | OPE_IN_PI, &err));
	CHECK(s.n == 1 && s.n_skipped == 1);
	ope_state_init(&s, true);
	CHECK(ope_state_add(&s, &row, OPE_IN_R | OPE_IN_MU | OPE_IN_PI, &err));
	CHECK(s.n == 0 && s.n_skipped == 1);

	/* the row count cannot wrap */
	ope_state_init(&s, false);
	s.n = INT64_MAX;
	s.min_propensity = 1;
	CHECK(!ope_state_add(&s, &row, OPE_IN_ALL, &err) && err.kind == AB_ERR_OUT_OF_RANGE);
	CHECK(s.n == INT64_MAX);
}

static void
sum_overflow(void)
{
	OpeState	s;
	AbError		err;
	int			i;
	bool		ok = true;

	ope_state_init(&s, false);
	for (i = 0; i < 10 && ok; i++)
		ok = ope_add(&s, 2e153, 1, 1, 0, 0, &err);	/* (r^2 twice: 8e306 a row, the limit 1.1e307) */
	CHECK(!ok && err.kind == AB_ERR_OUT_OF_RANGE);
	CHECK(s.n == 1);			/* the failed row left no trace */
}

static void
merge_halves(void)
{
	OpeState	whole,
				a,
				b;
	AbError		err;
	unsigned long long seed = 3;
	int			i,
				k;

	ope_state_init(&whole, true);
	ope_state_init(&a, true);
	ope_state_init(&b, true);
	for (i = 0; i < 5000; i++)
	{
		double		r = unit_rand01(&seed),
					mu = 0.1 + 0.9 * unit_rand01(&seed),
					pi = unit_rand01(&seed) < 0.5 ? 0 : unit_rand01(&seed),
					q = unit_rand01(&seed),
					v = unit_rand01(&seed);

		CHECK(ope_add(&whole, r, mu, pi, q, v, &err));
		CHECK(ope_add(i % 3 ? &a : &b, r, mu, pi, q, v, &err));
	}
	CHECK(ope_skip(&b, &err));
	CHECK(ope_state_merge(&a, &b, &err));
	CHECK(a.n == whole.n && a.n_matched == whole.n_matched && a.n_skipped == 1);
	CHECK(a.max_weight == whole.max_weight && a.min_propensity == whole.min_propensity);
	for (k = 0; k < OPE_NESTIMATORS; k++)
	{
		OpeEstimate ea,
					ew;

		ope_compute_estimate(&a, k, -1, &ea);
		ope_compute_estimate(&whole, k, -1, &ew);
		CHECK_NEAR(ea.estimate, ew.estimate, 1e-14);
		CHECK_NEAR(ea.std_error, ew.std_error, 1e-12);
	}
	CHECK(ope_state_validate(&a, AB_ERR_BINARY, &err));

	/* empty states are the identity, whichever side */
	ope_state_init(&b, true);
	CHECK(ope_state_merge(&b, &whole, &err));
	CHECK(b.min_propensity == whole.min_propensity && b.n == whole.n);
	b = whole;
	ope_state_init(&a, true);
	CHECK(ope_state_merge(&b, &a, &err));
	CHECK(memcmp(&b, &whole, sizeof(b)) == 0);

	/* kinds must match */
	ope_state_init(&a, false);
	CHECK(!ope_state_merge(&a, &whole, &err) && err.kind == AB_ERR_MISMATCH);
}

static void
validation(void)
{
	OpeState	s;
	AbError		err;

	ope_state_init(&s, false);
	CHECK(ope_state_validate(&s, AB_ERR_SYNTAX, &err));
	s.n = -1;
	CHECK(!ope_state_validate(&s, AB_ERR_SYNTAX, &err) && err.kind == AB_ERR_SYNTAX);
	ope_state_init(&s, false);
	s.sums[OPE_W].hi = 1;		/* a sum in an empty state */
	CHECK(!ope_state_validate(&s, AB_ERR_BINARY, &err) && err.kind == AB_ERR_BINARY);
	ope_state_init(&s, false);
	s.sums[OPE_V].hi = 1;		/* a dr sum in a basic state */
	s.n = 1;
	s.min_propensity = 1;
	CHECK(!ope_state_validate(&s, AB_ERR_BINARY, &err));
	ope_state_init(&s, false);
	s.flags = 0x80;
	CHECK(!ope_state_validate(&s, AB_ERR_BINARY, &err));
	ope_state_init(&s, false);
	s.version = 3;
	CHECK(!ope_state_validate(&s, AB_ERR_BINARY, &err) && strstr(err.message, "version 3"));
	ope_state_init(&s, false);
	s.n = 2;
	s.n_matched = 1;
	s.min_propensity = 0.5;
	s.max_weight = 1;
	s.sums[OPE_W2].hi = -1;
	CHECK(!ope_state_validate(&s, AB_ERR_BINARY, &err) && strstr(err.message, "negative"));
	s.sums[OPE_W2].hi = NAN;
	CHECK(!ope_state_validate(&s, AB_ERR_BINARY, &err) && strstr(err.message, "finite"));
}

void
test_ope_state(void)
{
	input_checks();
	skipped_rows();
	sum_overflow();
	merge_halves();
	validation();
}

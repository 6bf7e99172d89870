/*
 * Policies: parsing, and exact probabilities on a 1-D model worked by hand.
 *
 * Model (dimension 1, ridge 1): arm 1 saw x = 1, r = 1 (A = 1, b = 1,
 * theta = 1/2); arm 2 saw x = 1 twice with r = 1, 0 (A = 2, b = 1,
 * theta = 1/3).  At x = 2: means 1 and 2/3, variances x^2/(1 + A) = 2 and
 * 4/3; an unseen arm has mean 0 and variance x^2 / ridge = 4.
 */
#include <stdlib.h>
#include <string.h>

#include "normal.h"
#include "policy.h"
#include "rng.h"
#include "unit.h"

static bool
parses(const char *text, Policy *p)
{
	AbError		err;
	bool		ok = policy_parse(text, strlen(text), p, &err);

	if (!ok)
		fprintf(stderr, "  %s: %s\n", text, err.message);
	return ok;
}

static bool
rejects(const char *text, const char *needle)
{
	Policy		p;
	AbError		err;
	bool		ok = !policy_parse(text, strlen(text), &p, &err) &&
		err.kind == AB_ERR_VALUE && strstr(err.message, needle) != NULL;

	if (!ok)
		fprintf(stderr, "  %s accepted or wrong message\n", text);
	return ok;
}

static void
parsing(void)
{
	Policy		p;

	CHECK(parses("greedy", &p) && p.kind == POLICY_GREEDY && p.ridge == 1.0);
	CHECK(parses("  LinUCB ( alpha = 0.5 , ridge=2 ) ", &p) && p.kind == POLICY_LINUCB &&
		  p.alpha == 0.5 && p.ridge == 2);
	CHECK(parses("epsilon_greedy", &p) && p.epsilon == 0.1);
	CHECK(parses("epsilon_greedy(epsilon=1)", &p) && p.epsilon == 1);
	CHECK(parses("softmax(temperature=1e-3)", &p) && p.temperature == 1e-3);
	CHECK(parses("thompson(scale=2,ridge=0.5)", &p) && p.scale == 2 && p.ridge == 0.5);
	CHECK(parses("uniform()", &p) && p.kind == POLICY_UNIFORM);
	CHECK(parses("linucb(alpha=0)", &p) && p.alpha == 0);
	CHECK(rejects("", "expected a policy name"));
	CHECK(rejects("greedyy", "unknown policy"));
	CHECK(rejects("greedy(alpha=1)", "has no parameter"));
	CHECK(rejects("linucb(alpha=1, alpha=2)", "twice"));
	CHECK(rejects("epsilon_greedy(epsilon=1.5)", "in [0, 1]"));
	CHECK(rejects("epsilon_greedy(epsilon=-0.1)", "in [0, 1]"));
	CHECK(rejects("softmax(temperature=0)", "positive"));
	CHECK(rejects("linucb(alpha=-1)", "non-negative"));
	CHECK(rejects("thompson(scale=0)", "positive"));
	CHECK(rejects("greedy(ridge=0)", "positive"));
	CHECK(rejects("greedy(ridge=nan)", "finite number"));
	CHECK(rejects("greedy(ridge=1e999)", "finite number"));
	CHECK(rejects("greedy(ridge=1", "',' or ')'"));
	CHECK(rejects("greedy x", "end of the policy"));
	CHECK(rejects("linucb(alpha 1)", "'='"));
}

/* The hand-worked model, prepared at ridge 1. */
static void
build(BmScorer *sc, void **block, BmHeader **model)
{
	static const double one[1] = {1};
	size_t		size;
	bool		found;
	AbError		err;
	BmHeader   *h;

	CHECK(bm_model_size(1, 2, &size, &err));
	h = calloc(1, size);
	bm_init(h, 1);
	CHECK(bm_arm_add(bm_insert_arm(h, bm_find(h, 1, &found), 1), 1, one, 1, 1, &err));
	CHECK(bm_arm_add(bm_insert_arm(h, bm_find(h, 2, &found), 2), 1, one, 1, 1, &err));
	CHECK(bm_arm_add(bm_arm(h, 1), 1, one, 0, 1, &err));
	*block = malloc(bm_scorer_block_size(h));
	CHECK(bm_scorer_build(h, 1.0, *block, sc, &err));
	*model = h;
}

static void
probs_of(const char *policy, const BmScorer *sc, const int64_t *cands, size_t k,
		 double *scores, double *probs)
{
	Policy		p;
	AbError		err;
	double		x[1] = {2};
	double	   *work = malloc(sizeof(double) * policy_work_doubles(k));

	CHECK(parses(policy, &p));
	CHECK(policy_evaluate(&p, sc, x, cands, k, scores, probs, work, &err));
	free(work);
}

static void
probabilities(void)
{
	static const int64_t c12[2] = {1, 2}, c123[3] = {1, 2, 3}, c34[2] = {3, 4};
	BmScorer	sc;
	BmHeader   *model;
	void	   *block;
	double		s[3],
				pr[3];

	build(&sc, &block, &model);
	probs_of("greedy", &sc, c12, 2, s, pr);
	CHECK_NEAR(s[0], 1.0, 1e-15);
	CHECK_NEAR(s[1], 2.0 / 3, 1e-15);
	CHECK(pr[0] == 1.0 && pr[1] == 0.0);
	probs_of("epsilon_greedy(epsilon=0.1)", &sc, c12, 2, s, pr);
	CHECK_NEAR(pr[0], 0.95, 1e-15);
	CHECK_NEAR(pr[1], 0.05, 1e-15);
	probs_of("softmax(temperature=0.5)", &sc, c12, 2, s, pr);
	CHECK_NEAR(pr[0], 1.0 / (1.0 + exp(-2.0 / 3)), 1e-15);
	CHECK_NEAR(pr[0] + pr[1], 1.0, 1e-15);
	/* linucb: 1 + sqrt 2, 2/3 + sqrt(4/3), and the unseen arm 0 + alpha * 2 */
	probs_of("linucb(alpha=1)", &sc, c123, 3, s, pr);
	CHECK_NEAR(s[0], 1 + sqrt(2.0), 1e-15);
	CHECK_NEAR(s[1], 2.0 / 3 + sqrt(4.0 / 3), 1e-15);
	CHECK_NEAR(s[2], 2.0, 1e-15);
	CHECK(pr[0] == 1.0 && pr[1] == 0.0 && pr[2] == 0.0);
	probs_of("linucb(alpha=2)", &sc, c123, 3, s, pr);
	CHECK(pr[2] == 1.0);		/* 4 > 1 + 2 sqrt 2 */
	/* thompson, two arms: P(1 wins) = Phi((1 - 2/3) / sqrt(2 + 4/3)) */
	probs_of("thompson", &sc, c12, 2, s, pr);
	CHECK_NEAR(pr[0], normal_cdf((1.0 / 3) / sqrt(10.0 / 3)), 1e-9);
	probs_of("thompson(scale=2)", &sc, c12, 2, s, pr);
	CHECK_NEAR(pr[0], normal_cdf((1.0 / 3) / (2 * sqrt(10.0 / 3))), 1e-9);
	/* two unseen arms tie */
	probs_of("greedy", &sc, c34, 2, s, pr);
	CHECK(pr[0] == 0.5 && pr[1] == 0.5);
	probs_of("thompson", &sc, c34, 2, s, pr);
	CHECK_NEAR(pr[0], 0.5, 1e-9);
	probs_of("uniform", &sc, c123, 3, s, pr);
	CHECK(pr[0] == 1.0 / 3 && pr[2] == 1.0 / 3);
	free(block);
	free(model);
}

static void
picking(void)
{
	static const double probs[4] = {0.2, 0.0, 0.5, 0.3};
	long		counts[4] = {0, 0, 0, 0};
	int64_t		seed;
	int			i;
	const long	n = 200000;

	CHECK(policy_pick(probs, 4, 0.0) == 0);
	CHECK(policy_pick(probs, 4, 0.1999) == 0);
	CHECK(policy_pick(probs, 4, 0.2) == 2);
	CHECK(policy_pick(probs, 4, 0.7) == 3);
	CHECK(policy_pick(probs, 4, 0.9999999999) == 3);
	for (seed = 1; seed <= n; seed++)
		counts[policy_pick(probs, 4, rng_uniform_from_seed(seed))]++;
	CHECK(counts[1] == 0);
	for (i = 0; i < 4; i++)
	{
		double		se = sqrt(probs[i] * (1 - probs[i]) / n);

		CHECK(fabs((double) counts[i] / n - probs[i]) <= 5 * se + 1e-12);
	}
	/* the seeded draw is a pure function of the seed, uniform in [0, 1) */
	CHECK(rng_uniform_from_seed(42) == rng_uniform_from_seed(42));
	CHECK(rng_uniform_from_seed(42) != rng_uniform_from_seed(43));
	/* a published SplitMix64 value: first output from state 0 */
	CHECK(rng_mix64(UINT64_C(0x9E3779B97F4A7C15)) == UINT64_C(0xE220A8397B1DCDAF));
}

void
test_policy(void)
{
	parsing();
	probabilities();
	picking();
}

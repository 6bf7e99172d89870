/*
 * fuzz_policy.c — policy_parse on arbitrary bytes, then policy_evaluate of
 * every accepted policy on a small fixed model.
 *
 * Rejection: AB_ERR_VALUE (SQLSTATE 22023) with a message.
 * Acceptance: the parameters are in their documented ranges; for a few
 * contexts and candidate lists (seen and unseen actions, one candidate,
 * ties) evaluation either fails cleanly (AB_ERR_VALUE / AB_ERR_OUT_OF_RANGE,
 * e.g. a ridge so small the matrices are singular) or gives finite scores
 * and probabilities in [0, 1] summing to 1, consistent with the policy's
 * definition, and policy_pick returns a candidate of positive probability.
 */
#include "fuzz_common.h"

#include <math.h>

#include "bandit_codec.h"
#include "bandit_scorer.h"
#include "policy.h"

#define DIM 2
#define MAXK 4

static BmHeader *model;

/* The fixed model: arms 1, 2 (one row: a singular matrix) and 5. */
static void
build_model(void)
{
	static const struct
	{
		int64_t		action;
		double		x[DIM],
					r,
					w;
	}			rows[] = {
		{1, {1, 0}, 1, 1}, {1, {1, 1}, 0, 1},
		{2, {0, 1}, 2, 0.5},
		{5, {1, -1}, -1, 1}, {5, {2, 0.5}, 3, 2}, {5, {-1, 0.25}, 0.5, 1},
	};
	size_t		size,
				i;
	AbError		err;

	FUZZ_CHECK(bm_model_size(DIM, 3, &size, &err), "%s", err.message);
	model = malloc(size);
	FUZZ_CHECK(model != NULL, "out of memory");
	bm_init(model, DIM);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
	{
		bool		found;
		uint32_t	idx = bm_find(model, rows[i].action, &found);
		BmArm	   *arm = found ? bm_arm(model, idx) : bm_insert_arm(model, idx, rows[i].action);

		FUZZ_CHECK(bm_arm_add(arm, DIM, rows[i].x, rows[i].r, rows[i].w, &err), "%s", err.message);
	}
	FUZZ_CHECK(bm_validate(model, size, AB_ERR_VALUE, &err), "%s", err.message);
}

static void
check_params(const Policy *p)
{
	FUZZ_CHECK(p->kind >= POLICY_GREEDY && p->kind <= POLICY_UNIFORM, "kind %d", (int) p->kind);
	FUZZ_CHECK(isfinite(p->ridge) && p->ridge > 0.0, "ridge %g", p->ridge);
	FUZZ_CHECK(p->epsilon >= 0.0 && p->epsilon <= 1.0, "epsilon %g", p->epsilon);
	FUZZ_CHECK(isfinite(p->temperature) && p->temperature > 0.0, "temperature %g", p->temperature);
	FUZZ_CHECK(isfinite(p->alpha) && p->alpha >= 0.0, "alpha %g", p->alpha);
	FUZZ_CHECK(isfinite(p->scale) && p->scale > 0.0, "scale %g", p->scale);
}

/* Probabilities a valid evaluation must give. */
static void
check_probs(const Policy *p, const double *scores, const double *probs, size_t k)
{
	double		sum = 0.0,
				best = -INFINITY;
	size_t		i,
				j,
				pick;
	static const double us[] = {0.0, 0.37, 0.999999999};

	for (i = 0; i < k; i++)
	{
		FUZZ_CHECK(isfinite(scores[i]), "score %zu is %g", i, scores[i]);
		FUZZ_CHECK(probs[i] >= 0.0 && probs[i] <= 1.0, "probability %zu is %.17g", i, probs[i]);
		sum += probs[i];
		best = fmax(best, scores[i]);
	}
	FUZZ_CHECK(fabs(sum - 1.0) <= 1e-9, "probabilities sum to %.17g", sum);
	for (i = 0; i < k; i++)
	{
		switch (p->kind)
		{
			case POLICY_GREEDY:
			case POLICY_LINUCB:
				FUZZ_CHECK((probs[i] > 0.0) == (scores[i] == best),
						   "candidate %zu: score %.17g (best %.17g), probability %.17g",
						   i, scores[i], best, probs[i]);
				break;
			case POLICY_EPSILON_GREEDY:
				FUZZ_CHECK(probs[i] >= p->epsilon / (double) k * (1.0 - 1e-12),
						   "candidate %zu: probability %.17g below epsilon / k", i, probs[i]);
				break;
			case POLICY_SOFTMAX:
				for (j = 0; j < k; j++)
					FUZZ_CHECK(!(scores[i] > scores[j]) || probs[i] >= probs[j],
							   "softmax is not monotone in the score");
				break;
			case POLICY_UNIFORM:
				FUZZ_CHECK(probs[i] == 1.0 / (double) k, "uniform probability %.17g", probs[i]);
				break;
			case POLICY_THOMPSON:
				break;
		}
	}
	for (i = 0; i < sizeof(us) / sizeof(us[0]); i++)
	{
		pick = policy_pick(probs, k, us[i]);
		FUZZ_CHECK(pick < k && probs[pick] > 0.0, "policy_pick(%g) = %zu", us[i], pick);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double contexts[][DIM] = {{1, 0.5}, {0, 0}, {-2, 3}, {1e-3, -1e3}};
	static const struct
	{
		size_t		k;
		int64_t		c[MAXK];
	}			lists[] = {
		{4, {1, 2, 3, 5}}, {1, {2}}, {2, {3, 4}}, {3, {5, -7, 1}},
	};
	Policy		p;
	AbError		err;
	BmScorer	sc;
	void	   *block;
	double	   *work,
				scores[MAXK],
				probs[MAXK];
	size_t		c,
				l;

	if (model == NULL)
		build_model();
	fuzz_error_init(&err);
	if (!policy_parse((const char *) data, size, &p, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_VALUE), "policy_parse");
		return 0;
	}
	check_params(&p);

	block = malloc(bm_scorer_block_size(model));
	work = malloc(sizeof(double) * policy_work_doubles(MAXK));
	FUZZ_CHECK(block != NULL && work != NULL, "out of memory");
	if (!bm_scorer_build(model, p.ridge, block, &sc, &err))
	{
		fuzz_check_rejection(&err, FUZZ_KIND(AB_ERR_VALUE) | FUZZ_KIND(AB_ERR_OUT_OF_RANGE),
							 "bm_scorer_build");
		FUZZ_CHECK(p.ridge < 1e-6 || p.ridge > 1e300,
				   "a model of small sums cannot be prepared at ridge %g: %s", p.ridge, err.message);
	}
	else
		for (c = 0; c < sizeof(contexts) / sizeof(contexts[0]); c++)
			for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
			{
				size_t		k = lists[l].k;

				fuzz_error_init(&err);
				if (policy_evaluate(&p, &sc, contexts[c], lists[l].c, k, scores, probs, work, &err))
					check_probs(&p, scores, probs, k);
				else
					fuzz_check_rejection(&err,
										 FUZZ_KIND(AB_ERR_VALUE) | FUZZ_KIND(AB_ERR_OUT_OF_RANGE),
										 "policy_evaluate");
			}
	free(block);
	free(work);
	return 0;
}

/*
 * policy.c — policy text, scores and exact probabilities.
 *
 * With m_a = theta_a^T x and v_a = x^T (lambda I + A_a)^-1 x:
 *   greedy          1/|G| on G = argmax m (exact ties split evenly)
 *   epsilon_greedy  (1 - eps) / |G| on G, plus eps / k on every candidate
 *   softmax         exp((m_a - max m) / temperature), normalised
 *   linucb          1/|G| on G = argmax m_a + alpha sqrt(v_a)  (Li et al. 2010)
 *   thompson        P(a has the largest draw), draws N(m_a, scale^2 v_a),
 *                   integrated numerically (thompson.c)  (Agrawal & Goyal 2013)
 *   uniform         1 / k
 */
#include "policy.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "float_text.h"
#include "param_text.h"
#include "thompson.h"

/* ---- parsing ---- */

typedef struct PolicyDef
{
	const char *name;
	PolicyKind	kind;
	const char *param;			/* its own parameter besides ridge, or NULL */
} PolicyDef;

static const PolicyDef policy_defs[] = {
	{"greedy", POLICY_GREEDY, NULL},
	{"epsilon_greedy", POLICY_EPSILON_GREEDY, "epsilon"},
	{"softmax", POLICY_SOFTMAX, "temperature"},
	{"linucb", POLICY_LINUCB, "alpha"},
	{"thompson", POLICY_THOMPSON, "scale"},
	{"uniform", POLICY_UNIFORM, NULL},
};

#define NPOLICIES (sizeof(policy_defs) / sizeof(policy_defs[0]))

static bool
check_range(const char *key, double v, bool ok, const char *range, AbError *err)
{
	char		buf[FLOAT_TEXT_LEN];

	if (ok)
		return true;
	float_to_text(v, buf);
	return ab_fail(err, AB_ERR_VALUE, "policy parameter %s must be %s, got %s", key, range, buf);
}

/* Store key = v into p, checking that the policy has the key and its range. */
static bool
set_param(const PolicyDef *def, Policy *p, const char *key, double v, AbError *err)
{
	if (strcmp(key, "ridge") == 0)
	{
		p->ridge = v;
		return check_range(key, v, v > 0.0, "positive", err);
	}
	if (def->param == NULL || strcmp(key, def->param) != 0)
	{
		ab_fail(err, AB_ERR_VALUE, "policy \"%s\" has no parameter \"%s\"", def->name, key);
		if (def->param)
			ab_detail(err, "Its parameters are %s and ridge.", def->param);
		else
			ab_detail(err, "Its only parameter is ridge.");
		return false;
	}
	switch (def->kind)
	{
		case POLICY_EPSILON_GREEDY:
			p->epsilon = v;
			return check_range(key, v, v >= 0.0 && v <= 1.0, "in [0, 1]", err);
		case POLICY_SOFTMAX:
			p->temperature = v;
			return check_range(key, v, v > 0.0, "positive", err);
		case POLICY_LINUCB:
			p->alpha = v;
			return check_range(key, v, v >= 0.0, "non-negative", err);
		case POLICY_THOMPSON:
			p->scale = v;
			return check_range(key, v, v > 0.0, "positive", err);
		default:
			return false;
	}
}

bool
policy_parse(const char *text, size_t len, Policy *p, AbError *err)
{
	ParamText	pt;
	const PolicyDef *def = NULL;
	size_t		i;
	int			k;

	if (len > POLICY_TEXT_MAX)
		return ab_fail(err, AB_ERR_VALUE, "policy text is longer than %d bytes", POLICY_TEXT_MAX);
	p->epsilon = 0.1;
	p->temperature = 1.0;
	p->alpha = 1.0;
	p->scale = 1.0;
	p->ridge = 1.0;
	if (!param_text_parse(text, len, "policy",
						  "A policy is a name with optional parameters, e.g. 'linucb(alpha=0.5, ridge=2)'.",
						  &pt, err))
		return false;
	for (i = 0; i < NPOLICIES; i++)
		if (strcmp(pt.name, policy_defs[i].name) == 0)
			def = &policy_defs[i];
	if (def == NULL)
	{
		ab_fail(err, AB_ERR_VALUE, "unknown policy \"%s\"", pt.name);
		ab_detail(err, "Known policies: greedy, epsilon_greedy, softmax, linucb, thompson, uniform.");
		return false;
	}
	p->kind = def->kind;
	for (k = 0; k < pt.nparams; k++)
		if (!set_param(def, p, pt.keys[k], pt.values[k], err))
			return false;
	return true;
}

/* ---- probabilities ---- */

size_t
policy_work_doubles(size_t k)
{
	return 2 * k + thompson_work_doubles((int) k);
}

/* 1/|G| on the arms whose score equals the maximum. */
static void
argmax_split(const double *s, size_t k, double *probs)
{
	double		best = s[0];
	size_t		i,
				ties = 0;

	for (i = 1; i < k; i++)
		if (s[i] > best)
			best = s[i];
	for (i = 0; i < k; i++)
		ties += s[i] == best;
	for (i = 0; i < k; i++)
		probs[i] = s[i] == best ? 1.0 / (double) ties : 0.0;
}

static void
softmax(const double *s, size_t k, double temperature, double *probs)
{
	double		best = s[0],
				total = 0.0;
	size_t		i;

	for (i = 1; i < k; i++)
		if (s[i] > best)
			best = s[i];
	for (i = 0; i < k; i++)
		total += probs[i] = exp((s[i] - best) / temperature);
	for (i = 0; i < k; i++)
		probs[i] /= total;
}

bool
policy_evaluate(const Policy *p, const BmScorer *sc, const double *x,
				const int64_t *cands, size_t k,
				double *scores, double *probs, double *work, AbError *err)
{
	double	   *means = work,
			   *spread = work + k,
			   *twork = work + 2 * k;
	bool		need_variance = p->kind == POLICY_LINUCB || p->kind == POLICY_THOMPSON;
	size_t		i;

	for (i = 0; i < k; i++)
	{
		int			arm = bm_scorer_find(sc, cands[i]);

		means[i] = bm_scorer_mean(sc, arm, x);
		spread[i] = need_variance ? sqrt(bm_scorer_variance(sc, arm, x)) : 0.0;
		scores[i] = p->kind == POLICY_LINUCB ? means[i] + p->alpha * spread[i] : means[i];
		if (!isfinite(scores[i]))
			return ab_fail(err, AB_ERR_OUT_OF_RANGE,
						   "the score of action %lld is out of range", (long long) cands[i]);
	}
	switch (p->kind)
	{
		case POLICY_GREEDY:
		case POLICY_LINUCB:
			argmax_split(scores, k, probs);
			break;
		case POLICY_EPSILON_GREEDY:
			argmax_split(scores, k, probs);
			for (i = 0; i < k; i++)
				probs[i] = (1.0 - p->epsilon) * probs[i] + p->epsilon / (double) k;
			break;
		case POLICY_SOFTMAX:
			softmax(scores, k, p->temperature, probs);
			break;
		case POLICY_THOMPSON:
			for (i = 0; i < k; i++)
			{
				spread[i] *= p->scale;
				if (!isfinite(spread[i]))
					return ab_fail(err, AB_ERR_OUT_OF_RANGE,
								   "the Thompson spread of action %lld is out of range",
								   (long long) cands[i]);
			}
			if (!thompson_probabilities_work(means, spread, (int) k, probs, twork, NULL, err))
				return false;
			break;
		case POLICY_UNIFORM:
			for (i = 0; i < k; i++)
				probs[i] = 1.0 / (double) k;
			break;
	}
	return true;
}

size_t
policy_pick(const double *probs, size_t k, double u)
{
	double		cum = 0.0;
	size_t		i,
				last = 0;

	for (i = 0; i < k; i++)
	{
		if (probs[i] <= 0.0)
			continue;
		last = i;
		cum += probs[i];
		if (u < cum)
			return i;
	}
	/* u beyond the rounded total: the last candidate with positive probability */
	return last;
}

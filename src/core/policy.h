/*
 * policy.h — bandit policies: parsing their text form and turning a scored
 * context into exact action probabilities.
 *
 * Text: name [ "(" key "=" number { "," key "=" number } ")" ], names and
 * keys case-insensitive, white space anywhere between tokens:
 *   greedy | epsilon_greedy(epsilon=0.1) | softmax(temperature=1)
 *   | linucb(alpha=1) | thompson(scale=1) | uniform
 * and every policy also takes ridge= (lambda, default 1).
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ab_error.h"
#include "bandit_scorer.h"

#define POLICY_TEXT_MAX 1024

typedef enum PolicyKind
{
	POLICY_GREEDY,
	POLICY_EPSILON_GREEDY,
	POLICY_SOFTMAX,
	POLICY_LINUCB,
	POLICY_THOMPSON,
	POLICY_UNIFORM
} PolicyKind;

typedef struct Policy
{
	PolicyKind	kind;
	double		epsilon;		/* epsilon_greedy, [0, 1] */
	double		temperature;	/* softmax, > 0 */
	double		alpha;			/* linucb, >= 0 */
	double		scale;			/* thompson, > 0 */
	double		ridge;			/* all, > 0 */
} Policy;

bool		policy_parse(const char *text, size_t len, Policy *p, AbError *err);

/* Doubles of work space policy_evaluate needs for k candidates. */
size_t		policy_work_doubles(size_t k);

/*
 * For context x (sc->dim values) and k candidate actions: scores[i] (the
 * mean theta^T x, or the upper confidence bound for linucb) and probs[i],
 * the exact probability the policy picks candidate i (summing to 1; exact
 * ties of the maximised score share evenly).  sc's ridge must be p->ridge.
 */
bool		policy_evaluate(const Policy *p, const BmScorer *sc, const double *x,
							const int64_t *cands, size_t k,
							double *scores, double *probs, double *work, AbError *err);

/*
 * The candidate whose cumulative-probability interval contains u in [0, 1):
 * the pick is distributed exactly as probs.
 */
size_t		policy_pick(const double *probs, size_t k, double u);

#endif

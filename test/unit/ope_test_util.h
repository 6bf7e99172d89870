/* Shorthands for feeding OpeState rows in the unit tests. */
#ifndef OPE_TEST_UTIL_H
#define OPE_TEST_UTIL_H

#include "ope_state.h"

/* A row with all five inputs present. */
static inline bool
ope_add(OpeState *s, double r, double mu, double pi, double q, double v, AbError *err)
{
	OpeRow		row = {r, mu, pi, q, v};

	return ope_state_add(s, &row, OPE_IN_ALL, err);
}

/* A row whose reward is NULL: skipped and counted. */
static inline bool
ope_skip(OpeState *s, AbError *err)
{
	OpeRow		row = {0, 0.5, 0.5, 0, 0};

	return ope_state_add(s, &row, OPE_IN_ALL & ~OPE_IN_R, err);
}

#endif

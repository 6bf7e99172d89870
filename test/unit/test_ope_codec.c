/*
 * Text and binary forms of OpeState: exact round trips (with and without
 * lambdas, tracked or read from version 1), version 1 values read and
 * written back byte for byte, and hostile input (every truncation, every
 * single-bit change) rejected or decoded to a state that passes validation
 * -- never undefined behaviour (ASan/UBSan).
 */
#include <stdlib.h>
#include <string.h>

#include "ope_codec.h"
#include "ope_test_util.h"
#include "unit.h"

static const double some_lambdas[] = {0, 0.5, 2, 10, 100, 1e6, 3e300, INFINITY};

static void
random_state(OpeState *s, bool dr, unsigned long long *seed, int rows, int nlambdas)
{
	AbError		err;
	int			i;

	if (nlambdas > 0)
		ope_state_init_lambdas(s, dr, some_lambdas + (8 - nlambdas), nlambdas);
	else
		ope_state_init(s, dr);
	for (i = 0; i < rows; i++)
		CHECK(ope_add(s, unit_rand01(seed) * 7, 0.01 + 0.99 * unit_rand01(seed),
					  unit_rand01(seed) < 0.5 ? 0 : unit_rand01(seed),
					  unit_rand01(seed), unit_rand01(seed), &err));
	CHECK(ope_skip(s, &err));
}

/* text and binary of s decode to s, bit for bit */
static void
check_round_trip(const OpeState *s)
{
	OpeStateBuf *t = malloc(sizeof(OpeStateBuf));
	AbError		err;
	size_t		max = ope_state_text_max(s),
				len,
				size = ope_state_binary_size(s);
	char	   *text = malloc(max);
	unsigned char *bin = malloc(size);

	len = ope_state_to_text(s, text);
	CHECK(len < max && strlen(text) == len);
	CHECK(ope_state_from_text(text, len, &t->state, &err));
	CHECK(memcmp(s, &t->state, ope_state_bytes(s->nlambdas)) == 0);
	ope_state_to_binary(s, bin);
	CHECK(ope_state_from_binary(bin, size, &t->state, &err));
	CHECK(memcmp(s, &t->state, ope_state_bytes(s->nlambdas)) == 0);
	free(text);
	free(bin);
	free(t);
}

static void
round_trips(void)
{
	unsigned long long seed = 11;
	OpeStateBuf *s = malloc(sizeof(OpeStateBuf));
	int			trial;

	for (trial = 0; trial < 200; trial++)
	{
		random_state(&s->state, trial % 2, &seed, trial % 50, (trial / 2) % 9);
		check_round_trip(&s->state);
	}
	/* an infinite lambda is the string "Infinity" */
	random_state(&s->state, true, &seed, 5, 2);
	{
		char	   *text = malloc(ope_state_text_max(&s->state));

		ope_state_to_text(&s->state, text);
		CHECK(strstr(text, "\"lambda\":\"Infinity\"") != NULL);
		free(text);
	}
	free(s);
}

/* A version 1 value (1.0, 1.1): read, untracked unless empty, written back unchanged. */
static void
version_1(void)
{
	static const char *const v1 =
		"{\"version\":1,\"kind\":\"basic\",\"n\":2,\"n_skipped\":0,\"n_matched\":1,"
		"\"max_weight\":2,\"min_propensity\":0.5,\"sums\":{\"pi\":1,\"pi_r\":1,\"pi2\":1,"
		"\"pi2_r\":1,\"pi2_r2\":1,\"w\":2,\"w2\":4,\"w_r\":2,\"w2_r\":4,\"w2_r2\":4}}";
	static const char *const v1_empty =
		"{\"version\":1,\"kind\":\"dr\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,"
		"\"max_weight\":null,\"min_propensity\":null,\"sums\":{}}";
	OpeStateBuf *s = malloc(sizeof(OpeStateBuf));
	AbError		err;
	char		text[4096];
	unsigned char bin[OPE_BINARY_V1_SIZE];
	OpeStateBuf *t = malloc(sizeof(OpeStateBuf));

	CHECK(ope_state_from_text(v1, strlen(v1), &s->state, &err));
	CHECK(!ope_state_is_tracked(&s->state) && s->state.version == OPE_STATE_VERSION);
	CHECK(ope_state_writes_v1(&s->state));
	ope_state_to_text(&s->state, text);
	CHECK(strcmp(text, v1) == 0);
	CHECK(ope_state_binary_size(&s->state) == OPE_BINARY_V1_SIZE);
	ope_state_to_binary(&s->state, bin);
	CHECK(bin[0] == 1);
	CHECK(ope_state_from_binary(bin, sizeof(bin), &t->state, &err));
	CHECK(memcmp(&s->state, &t->state, sizeof(OpeState)) == 0);
	/* an empty version 1 state reads and prints as it was, and tracks from its first row */
	CHECK(ope_state_from_text(v1_empty, strlen(v1_empty), &s->state, &err));
	CHECK(!ope_state_is_tracked(&s->state) && ope_state_is_dr(&s->state));
	ope_state_to_text(&s->state, text);
	CHECK(strcmp(text, v1_empty) == 0);
	CHECK(ope_add(&s->state, 1, 0.5, 1, 0.5, 0.5, &err));
	CHECK(ope_state_is_tracked(&s->state));
	ope_state_to_text(&s->state, text);
	CHECK(strstr(text, "\"version\":2") != NULL && strstr(text, "\"tracked\":true") != NULL);
	/* a version 2 form of an untracked state without lambdas is not canonical */
	{
		const char *bad = "{\"version\":2,\"kind\":\"basic\",\"n\":0,\"n_skipped\":1,\"n_matched\":0,"
			"\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"tracked\":false}";

		CHECK(!ope_state_from_text(bad, strlen(bad), &t->state, &err) && err.kind == AB_ERR_SYNTAX);
	}
	free(s);
	free(t);
}

static void
hostile_binary(int nlambdas)
{
	unsigned long long seed = 5;
	OpeStateBuf *s = malloc(sizeof(OpeStateBuf)),
			   *t = malloc(sizeof(OpeStateBuf));
	AbError		err;
	size_t		size,
				len,
				i;
	unsigned char *bin;
	int			bit;

	random_state(&s->state, true, &seed, 30, nlambdas);
	size = ope_state_binary_size(&s->state);
	bin = calloc(size + 8, 1);
	ope_state_to_binary(&s->state, bin);
	for (len = 0; len < size; len++)
		CHECK(!ope_state_from_binary(bin, len, &t->state, &err) && err.kind == AB_ERR_BINARY);
	CHECK(!ope_state_from_binary(bin, size + 1, &t->state, &err));
	for (i = 0; i < size; i++)
		for (bit = 0; bit < 8; bit++)
		{
			bin[i] ^= (unsigned char) (1 << bit);
			if (ope_state_from_binary(bin, size, &t->state, &err))
				CHECK(ope_state_validate(&t->state, AB_ERR_BINARY, &err));
			else
				CHECK(err.kind == AB_ERR_BINARY);
			bin[i] ^= (unsigned char) (1 << bit);
		}
	free(bin);
	free(s);
	free(t);
}

static void
hostile_text(void)
{
	static const char *const bad[] = {
		"", "{", "{}", "[]", "null", "{\"version\":1}",
		"{\"version\":3,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{}}",
		"{\"version\":2,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{}}",
		"{\"version\":1,\"kind\":\"ips\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{}}",
		"{\"version\":1,\"kind\":\"basic\",\"n\":-1,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{}}",
		"{\"version\":1,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":1,\"min_propensity\":null,\"sums\":{}}",
		"{\"version\":1,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{\"w\":1}}",
		"{\"version\":1,\"kind\":\"basic\",\"n\":1,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":0,\"min_propensity\":0.5,\"sums\":{\"v\":1}}",
		"{\"version\":1,\"kind\":\"basic\",\"n\":1,\"n_skipped\":0,\"n_matched\":1,\"max_weight\":2,\"min_propensity\":0.5,\"sums\":{\"w\":[1,2,3]}}",
		"{\"version\":1,\"kind\":\"basic\",\"n\":1,\"n_skipped\":0,\"n_matched\":1,\"max_weight\":2,\"min_propensity\":0.5,\"sums\":{\"zz\":1}}",
		"{\"version\":1,\"version\":1,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{}}",
		"{\"version\":1,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{}} x",
		"{\"version\":1,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"extra\":1}",
		/* version 2 keys in a version 1 text */
		"{\"version\":1,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"tracked\":true}",
		/* tracked without flags, ranges that rows did not give, bad lambdas */
		"{\"version\":2,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"tracked\":true}",
		"{\"version\":2,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"tracked\":true,\"binary_reward\":true,\"deterministic_target\":true,\"ranges\":{\"r\":[0,1]}}",
		"{\"version\":2,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"tracked\":true,\"binary_reward\":true,\"deterministic_target\":true,\"ranges\":{},\"lambdas\":[]}",
		"{\"version\":2,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"tracked\":true,\"binary_reward\":true,\"deterministic_target\":true,\"ranges\":{},\"lambdas\":[{\"lambda\":-1,\"n\":0,\"sums\":{}}],\"lambda_above\":{\"n\":0,\"sums\":{}}}",
		"{\"version\":2,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"tracked\":true,\"binary_reward\":true,\"deterministic_target\":true,\"ranges\":{},\"lambdas\":[{\"lambda\":2,\"n\":0,\"sums\":{}},{\"lambda\":1,\"n\":0,\"sums\":{}}],\"lambda_above\":{\"n\":0,\"sums\":{}}}",
		"{\"version\":2,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"tracked\":true,\"binary_reward\":true,\"deterministic_target\":true,\"ranges\":{},\"lambdas\":[{\"lambda\":\"inf\",\"n\":0,\"sums\":{}}],\"lambda_above\":{\"n\":0,\"sums\":{}}}",
		"{\"version\":2,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"tracked\":true,\"binary_reward\":true,\"deterministic_target\":true,\"ranges\":{},\"lambdas\":[{\"lambda\":1,\"n\":0,\"sums\":{}}],\"lambda_above\":{\"n\":1,\"sums\":{}}}",
		"{\"version\":2,\"kind\":\"basic\",\"n\":0,\"n_skipped\":0,\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{},\"tracked\":true,\"binary_reward\":true,\"deterministic_target\":true,\"ranges\":{},\"lambdas\":[{\"lambda\":1,\"n\":0,\"sums\":{\"we\":1}}],\"lambda_above\":{\"n\":0,\"sums\":{}}}",
	};
	unsigned long long seed = 9;
	OpeStateBuf *s = malloc(sizeof(OpeStateBuf)),
			   *t = malloc(sizeof(OpeStateBuf));
	AbError		err;
	char	   *text;
	size_t		len,
				i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		bool		ok = ope_state_from_text(bad[i], strlen(bad[i]), &t->state, &err);

		CHECK(!ok && err.kind == AB_ERR_SYNTAX);
		if (ok)
			fprintf(stderr, "  accepted: %s\n", bad[i]);
	}
	/* every proper prefix of a valid text is rejected */
	random_state(&s->state, true, &seed, 20, 3);
	text = malloc(ope_state_text_max(&s->state));
	len = ope_state_to_text(&s->state, text);
	for (i = 0; i < len; i++)
		CHECK(!ope_state_from_text(text, i, &t->state, &err));
	free(text);
	/* white space around tokens is fine */
	{
		const char *spaced = " {\"version\" : 1, \"kind\":\"dr\", \"n\":0,\"n_skipped\":3,"
			"\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{ }} ";

		CHECK(ope_state_from_text(spaced, strlen(spaced), &t->state, &err));
		CHECK(t->state.n_skipped == 3 && ope_state_is_dr(&t->state));
	}
	free(s);
	free(t);
}

void
test_ope_codec(void)
{
	round_trips();
	version_1();
	hostile_binary(0);
	hostile_binary(3);
	hostile_text();
}

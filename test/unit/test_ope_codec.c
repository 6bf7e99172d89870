/*
 * Text and binary forms of OpeState: exact round trips, and hostile input
 * (every truncation, every single-byte change) is rejected or decodes to a
 * state that passes validation — never undefined behaviour (ASan/UBSan).
 */
#include <string.h>

#include "ope_codec.h"
#include "ope_test_util.h"
#include "unit.h"

static void
random_state(OpeState *s, bool dr, unsigned long long *seed, int rows)
{
	AbError		err;
	int			i;

	ope_state_init(s, dr);
	for (i = 0; i < rows; i++)
		CHECK(ope_add(s, unit_rand01(seed) * 7, 0.01 + 0.99 * unit_rand01(seed),
							unit_rand01(seed) < 0.5 ? 0 : unit_rand01(seed),
							unit_rand01(seed), unit_rand01(seed), &err));
	CHECK(ope_skip(s, &err));
}

static void
round_trips(void)
{
	unsigned long long seed = 11;
	int			trial;

	for (trial = 0; trial < 200; trial++)
	{
		OpeState	s,
					t;
		AbError		err;
		char		text[OPE_TEXT_MAX];
		unsigned char bin[OPE_BINARY_SIZE];
		size_t		len;

		random_state(&s, trial % 2, &seed, trial % 50);
		len = ope_state_to_text(&s, text);
		CHECK(len < OPE_TEXT_MAX && strlen(text) == len);
		CHECK(ope_state_from_text(text, len, &t, &err));
		CHECK(memcmp(&s, &t, sizeof(s)) == 0);
		ope_state_to_binary(&s, bin);
		CHECK(ope_state_from_binary(bin, sizeof(bin), &t, &err));
		CHECK(memcmp(&s, &t, sizeof(s)) == 0);
	}
}

static void
hostile_binary(void)
{
	unsigned long long seed = 5;
	OpeState	s,
				t;
	AbError		err;
	unsigned char bin[OPE_BINARY_SIZE + 8];
	size_t		len,
				i;
	int			bit;

	random_state(&s, true, &seed, 30);
	ope_state_to_binary(&s, bin);
	for (len = 0; len < OPE_BINARY_SIZE; len++)
		CHECK(!ope_state_from_binary(bin, len, &t, &err) && err.kind == AB_ERR_BINARY);
	memset(bin + OPE_BINARY_SIZE, 0, 8);
	CHECK(!ope_state_from_binary(bin, OPE_BINARY_SIZE + 1, &t, &err));
	for (i = 0; i < OPE_BINARY_SIZE; i++)
		for (bit = 0; bit < 8; bit++)
		{
			bin[i] ^= (unsigned char) (1 << bit);
			if (ope_state_from_binary(bin, OPE_BINARY_SIZE, &t, &err))
				CHECK(ope_state_validate(&t, AB_ERR_BINARY, &err));
			else
				CHECK(err.kind == AB_ERR_BINARY);
			bin[i] ^= (unsigned char) (1 << bit);
		}
}

static void
hostile_text(void)
{
	static const char *const bad[] = {
		"", "{", "{}", "[]", "null", "{\"version\":1}",
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
	};
	unsigned long long seed = 9;
	OpeState	s,
				t;
	AbError		err;
	char		text[OPE_TEXT_MAX];
	size_t		len,
				i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		bool		ok = ope_state_from_text(bad[i], strlen(bad[i]), &t, &err);

		CHECK(!ok && err.kind == AB_ERR_SYNTAX);
		if (ok)
			fprintf(stderr, "  accepted: %s\n", bad[i]);
	}
	/* every proper prefix of a valid text is rejected */
	random_state(&s, true, &seed, 20);
	len = ope_state_to_text(&s, text);
	for (i = 0; i < len; i++)
		CHECK(!ope_state_from_text(text, i, &t, &err));
	/* white space around tokens is fine */
	{
		const char *spaced = " {\"version\" : 1, \"kind\":\"dr\", \"n\":0,\"n_skipped\":3,"
			"\"n_matched\":0,\"max_weight\":null,\"min_propensity\":null,\"sums\":{ }} ";

		CHECK(ope_state_from_text(spaced, strlen(spaced), &t, &err));
		CHECK(t.n_skipped == 3 && ope_state_is_dr(&t));
	}
}

void
test_ope_codec(void)
{
	round_trips();
	hostile_binary();
	hostile_text();
}

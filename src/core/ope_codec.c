/*
 * ope_codec.c — see ope_codec.h.
 */
#include "ope_codec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "byte_codec.h"
#include "float_text.h"
#include "compsum_text.h"
#include "json_reader.h"

/* ---- text output ---- */

typedef struct TextOut
{
	char	   *buf;
	size_t		len;
} TextOut;

static void
put_str(TextOut *o, const char *s)
{
	size_t		n = strlen(s);

	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
put_double(TextOut *o, double v)
{
	o->len += (size_t) float_to_text(v, o->buf + o->len);
}

static void
put_int64(TextOut *o, const char *key, int64_t v)
{
	o->len += (size_t) sprintf(o->buf + o->len, ",\"%s\":%lld", key, (long long) v);
}

/* Per sum: the name, quotes, colon and comma, and the sum. */
#define SUM_TEXT_MAX (16 + COMPSUM_TEXT_MAX + 1)

size_t
ope_state_text_max(const OpeState *s)
{
	return 512 + OPE_NSUMS * SUM_TEXT_MAX + 6 * FLOAT_TEXT_LEN +
		(size_t) (s->nlambdas + 1) * (64 + FLOAT_TEXT_LEN + (OPE_LBNSUMS + OPE_LONSUMS) * SUM_TEXT_MAX);
}

/* A sum as a number, or [hi, lo] when its compensation term is not +0. */
static void
put_sum(TextOut *o, const char *name, const CompSum *c, bool *first)
{
	/* omitted only when both halves are +0, so -0 survives the round trip */
	if (compsum_is_plus_zero(c))
		return;
	if (!*first)
		put_str(o, ",");
	*first = false;
	put_str(o, "\"");
	put_str(o, name);
	put_str(o, "\":");
	o->len += compsum_to_text(c, o->buf + o->len);
}

static void
put_range(TextOut *o, const char *name, double lo, double hi, bool used, bool *first)
{
	if (!used)
		return;
	if (!*first)
		put_str(o, ",");
	*first = false;
	put_str(o, "\"");
	put_str(o, name);
	put_str(o, "\":[");
	put_double(o, lo);
	put_str(o, ",");
	put_double(o, hi);
	put_str(o, "]");
}

static void
put_tracking(TextOut *o, const OpeState *s)
{
	bool		first = true,
				dr = ope_state_is_dr(s);

	if (!ope_state_is_tracked(s))
	{
		put_str(o, ",\"tracked\":false");
		return;
	}
	put_str(o, ",\"tracked\":true,\"binary_reward\":");
	put_str(o, (s->flags & OPE_FLAG_NONBINARY) ? "false" : "true");
	put_str(o, ",\"deterministic_target\":");
	put_str(o, (s->flags & OPE_FLAG_FRACTIONAL) ? "false" : "true");
	put_str(o, ",\"ranges\":{");
	put_range(o, "r", s->r_min, s->r_max, s->n_matched > 0, &first);
	put_range(o, "v", s->v_min, s->v_max, dr && s->n > 0, &first);
	put_range(o, "e", s->e_min, s->e_max, dr && s->n_matched > 0, &first);
	put_str(o, "}");
}

/* A bucket's sums (and a lambda's shrinkage sums, j >= 0), as "sums":{...}. */
static void
put_lambda_sums(TextOut *o, const OpeState *s, int J, int j)
{
	bool		first = true;
	int			k;

	put_str(o, ",\"sums\":{");
	for (k = 0; k < OPE_LBNSUMS; k++)
	{
		CompSum		c = ope_lambda_bucket_sum(s, J, k);

		put_sum(o, ope_lambda_bucket_sum_names[k], &c, &first);
	}
	for (k = 0; j >= 0 && k < OPE_LONSUMS; k++)
	{
		CompSum		c = ope_lambda_os_sum(s, j, k);

		put_sum(o, ope_lambda_os_sum_names[k], &c, &first);
	}
	put_str(o, "}}");
}

static void
put_lambdas(TextOut *o, const OpeState *s)
{
	int			j;

	if (s->nlambdas == 0)
		return;
	put_str(o, ",\"lambdas\":[");
	for (j = 0; j < s->nlambdas; j++)
	{
		put_str(o, j == 0 ? "{\"lambda\":" : ",{\"lambda\":");
		/* JSON has no infinite number: an infinite lambda is the string "Infinity" */
		if (isinf(ope_lambdas(s)[j]))
			put_str(o, "\"Infinity\"");
		else
			put_double(o, ope_lambdas(s)[j]);
		put_int64(o, "n", ope_lambda_counts(s)[j]);
		put_lambda_sums(o, s, j, j);
	}
	put_str(o, "],\"lambda_above\":{\"n\":");
	o->len += (size_t) sprintf(o->buf + o->len, "%lld", (long long) ope_lambda_counts(s)[s->nlambdas]);
	put_lambda_sums(o, s, s->nlambdas, -1);
}

size_t
ope_state_to_text(const OpeState *s, char *buf)
{
	TextOut		o = {buf, 0};
	int			i;
	bool		first = true,
				v1 = ope_state_writes_v1(s);

	o.len = (size_t) sprintf(buf, "{\"version\":%d,\"kind\":\"%s\"",
							 v1 ? 1 : OPE_STATE_VERSION, ope_state_is_dr(s) ? "dr" : "basic");
	put_int64(&o, "n", s->n);
	put_int64(&o, "n_skipped", s->n_skipped);
	put_int64(&o, "n_matched", s->n_matched);
	if (s->n == 0)
		put_str(&o, ",\"max_weight\":null,\"min_propensity\":null");
	else
	{
		put_str(&o, ",\"max_weight\":");
		put_double(&o, s->max_weight);
		put_str(&o, ",\"min_propensity\":");
		put_double(&o, s->min_propensity);
	}
	put_str(&o, ",\"sums\":{");
	for (i = 0; i < OPE_NSUMS; i++)
		put_sum(&o, ope_sum_names[i], &s->sums[i], &first);
	put_str(&o, "}");
	if (!v1)
	{
		put_tracking(&o, s);
		put_lambdas(&o, s);
	}
	put_str(&o, "}");
	buf[o.len] = '\0';
	return o.len;
}

/* ---- text input ---- */

enum
{
	KEY_VERSION, KEY_KIND, KEY_N, KEY_N_SKIPPED, KEY_N_MATCHED,
	KEY_MAX_WEIGHT, KEY_MIN_PROPENSITY, KEY_SUMS,
	/* version 2 */
	KEY_TRACKED, KEY_BINARY_REWARD, KEY_DETERMINISTIC, KEY_RANGES, KEY_LAMBDAS,
	KEY_LAMBDA_ABOVE,
	NKEYS
};

#define NKEYS_V1 (KEY_SUMS + 1)

static const char *const top_keys[NKEYS] = {
	"version", "kind", "n", "n_skipped", "n_matched",
	"max_weight", "min_propensity", "sums",
	"tracked", "binary_reward", "deterministic_target", "ranges", "lambdas", "lambda_above"
};

/* A double, or null (then *is_null); null is allowed only where asked. */
static bool
read_optional_double(JsonReader *r, double *out, bool *is_null)
{
	*is_null = json_next_is_null(r);
	if (*is_null)
	{
		*out = 0.0;
		return true;
	}
	return json_read_double(r, out);
}

/* A pair [a, b] of doubles. */
static bool
read_pair(JsonReader *r, double *a, double *b, const char *what)
{
	JsonIter	it;
	bool		done;

	if (!json_array_begin(r, &it) ||
		!json_array_next(r, &it, &done) || done ||
		!json_read_double(r, a) ||
		!json_array_next(r, &it, &done) || done ||
		!json_read_double(r, b) ||
		!json_array_next(r, &it, &done))
		return json_fail(r, "%s must be a pair of numbers", what);
	if (!done)
		return json_fail(r, "%s must be a pair of numbers", what);
	return true;
}

static bool
read_ranges(JsonReader *r, OpeState *s, bool seen[3])
{
	static const char *const names[3] = {"r", "v", "e"};
	double	   *dst[3][2] = {{&s->r_min, &s->r_max}, {&s->v_min, &s->v_max}, {&s->e_min, &s->e_max}};
	JsonIter	it;

	if (!json_object_begin(r, &it))
		return false;
	for (;;)
	{
		int			k;

		if (!json_object_next_known(r, &it, names, 3, seen, "range", &k))
			return false;
		if (k < 0)
			return true;
		if (!read_pair(r, dst[k][0], dst[k][1], "a range"))
			return false;
	}
}

/*
 * One lambda of the text form (or the bucket above them all), before the
 * section is laid out: its bucket's sums, then its shrinkage sums.
 */
#define LAMBDA_TEXT_SUMS (OPE_LBNSUMS + OPE_LONSUMS)

typedef struct LambdaEntry
{
	double		lambda;
	int64_t		n;
	CompSum		sums[LAMBDA_TEXT_SUMS];
} LambdaEntry;

static const char *const lambda_text_sum_names[LAMBDA_TEXT_SUMS] = {
	"wr", "wr2", "br", "br2", "we", "we2", "vwe", "be", "be2", "vbe", "os", "os2", "os_v"
};

/* {"lambda":x,"n":N,"sums":{...}}, or (above) {"n":N,"sums":{...}} without shrinkage sums. */
static bool
read_lambda_entry(JsonReader *r, LambdaEntry *e, bool above)
{
	/* the bucket above every lambda has no "lambda" */
	static const char *const keys[3] = {"n", "sums", "lambda"};
	JsonIter	it;
	bool		seen[3] = {false};

	if (!json_object_begin(r, &it))
		return false;
	for (;;)
	{
		int			k;

		if (!json_object_next_known(r, &it, keys, above ? 2 : 3, seen, "lambda key", &k))
			return false;
		if (k < 0)
			break;
		k = (k + 1) % 3;		/* back to 0 lambda, 1 n, 2 sums */
		if (k == 0 && json_peek(r) == '"')
		{
			char		word[16];

			if (!json_read_string(r, word, sizeof(word)))
				return false;
			if (strcmp(word, "Infinity") != 0)
				return json_fail(r, "a lambda is a number or \"Infinity\"");
			e->lambda = INFINITY;
		}
		else if (k == 0 && !json_read_double(r, &e->lambda))
			return false;
		if (k == 1 && !json_read_int64(r, &e->n))
			return false;
		if (k == 2 && !json_read_compsum_object(r, lambda_text_sum_names,
												above ? OPE_LBNSUMS : LAMBDA_TEXT_SUMS, e->sums))
			return false;
	}
	if ((!above && !seen[2]) || !seen[0] || !seen[1])
		return json_fail(r, above ? "\"lambda_above\" needs \"n\" and \"sums\""
						 : "a lambda needs \"lambda\", \"n\" and \"sums\"");
	return true;
}

/* The lambdas array, read into entries first (laid out by lay_out_lambdas). */
static bool
read_lambdas(JsonReader *r, LambdaEntry *entries, int *count)
{
	JsonIter	it;
	bool		done;
	int			n;

	if (!json_array_begin(r, &it))
		return false;
	for (n = 0;; n++)
	{
		if (!json_array_next(r, &it, &done))
			return false;
		if (done)
			break;
		if (n == OPE_MAX_LAMBDAS)
			return json_fail(r, "more than %d lambdas", OPE_MAX_LAMBDAS);
		if (!read_lambda_entry(r, &entries[n], false))
			return false;
	}
	if (n == 0)
		return json_fail(r, "lambdas must not be empty (leave the key out)");
	*count = n;
	return true;
}

/* entries[0..n-1] and the bucket above (entries[n]) into s's section. */
static void
lay_out_lambdas(OpeState *s, const LambdaEntry *entries, int n)
{
	int			j,
				k;

	s->nlambdas = (uint16_t) n;
	for (j = 0; j <= n; j++)
	{
		if (j < n)
			ope_lambdas(s)[j] = entries[j].lambda;
		ope_lambda_counts(s)[j] = entries[j].n;
		for (k = 0; k < OPE_LBNSUMS; k++)
			ope_lambda_set_bucket_sum(s, j, k, entries[j].sums[k]);
		for (k = 0; j < n && k < OPE_LONSUMS; k++)
			ope_lambda_set_os_sum(s, j, k, entries[j].sums[OPE_LBNSUMS + k]);
	}
}

typedef struct TextSeen
{
	bool		key[NKEYS];
	LambdaEntry *entries;		/* OPE_MAX_LAMBDAS + 1: the lambdas, then the bucket above */
	int			nlambdas;
	bool		null_extreme[2];
	bool		range[3];
	bool		binary_reward;
	bool		deterministic;
	bool		tracked;
} TextSeen;

static bool
read_member(JsonReader *r, int k, OpeState *s, TextSeen *seen)
{
	int64_t		i64;
	char		kind[16];
	bool		is_null;

	switch (k)
	{
		case KEY_VERSION:
			if (!json_read_int64(r, &i64))
				return false;
			if (i64 != 1 && i64 != OPE_STATE_VERSION)
				return json_fail(r, "unsupported version %lld", (long long) i64);
			s->version = (uint8_t) i64;
			return true;
		case KEY_KIND:
			if (!json_read_string(r, kind, sizeof(kind)))
				return false;
			if (strcmp(kind, "dr") == 0)
				s->flags |= OPE_FLAG_DR;
			else if (strcmp(kind, "basic") != 0)
				return json_fail(r, "kind must be \"basic\" or \"dr\"");
			return true;
		case KEY_N:
			return json_read_int64(r, &s->n);
		case KEY_N_SKIPPED:
			return json_read_int64(r, &s->n_skipped);
		case KEY_N_MATCHED:
			return json_read_int64(r, &s->n_matched);
		case KEY_MAX_WEIGHT:
			if (!read_optional_double(r, &s->max_weight, &is_null))
				return false;
			seen->null_extreme[0] = is_null;
			return true;
		case KEY_MIN_PROPENSITY:
			if (!read_optional_double(r, &s->min_propensity, &is_null))
				return false;
			seen->null_extreme[1] = is_null;
			return true;
		case KEY_SUMS:
			return json_read_compsum_object(r, ope_sum_names, OPE_NSUMS, s->sums);
		case KEY_TRACKED:
			return json_read_bool(r, &seen->tracked);
		case KEY_BINARY_REWARD:
			return json_read_bool(r, &seen->binary_reward);
		case KEY_DETERMINISTIC:
			return json_read_bool(r, &seen->deterministic);
		case KEY_RANGES:
			return read_ranges(r, s, seen->range);
		case KEY_LAMBDAS:
			return read_lambdas(r, seen->entries, &seen->nlambdas);
		case KEY_LAMBDA_ABOVE:
			return read_lambda_entry(r, &seen->entries[OPE_MAX_LAMBDAS], true);
	}
	return false;
}

/* The version 2 keys present are consistent; set the flags they give. */
static bool
finish_v2(JsonReader *r, OpeState *s, const TextSeen *seen)
{
	bool		dr = ope_state_is_dr(s);
	bool		has_flags = seen->key[KEY_BINARY_REWARD] || seen->key[KEY_DETERMINISTIC] ||
		seen->key[KEY_RANGES];

	if (!seen->key[KEY_TRACKED])
		return json_fail(r, "missing key \"tracked\"");
	if (seen->key[KEY_LAMBDAS] != seen->key[KEY_LAMBDA_ABOVE])
		return json_fail(r, "\"lambdas\" and \"lambda_above\" come together");
	if (seen->key[KEY_LAMBDAS])
	{
		seen->entries[seen->nlambdas] = seen->entries[OPE_MAX_LAMBDAS];
		lay_out_lambdas(s, seen->entries, seen->nlambdas);
	}
	if (!seen->tracked)
	{
		if (has_flags)
			return json_fail(r, "an untracked state has no flags or ranges");
		return true;
	}
	if (!seen->key[KEY_BINARY_REWARD] || !seen->key[KEY_DETERMINISTIC] || !seen->key[KEY_RANGES])
		return json_fail(r, "a tracked state needs \"binary_reward\", \"deterministic_target\" and \"ranges\"");
	s->flags |= OPE_FLAG_TRACKED;
	if (!seen->binary_reward)
		s->flags |= OPE_FLAG_NONBINARY;
	if (!seen->deterministic)
		s->flags |= OPE_FLAG_FRACTIONAL;
	if (seen->range[0] != (s->n_matched > 0) ||
		seen->range[1] != (dr && s->n > 0) ||
		seen->range[2] != (dr && s->n_matched > 0))
		return json_fail(r, "ranges must be given exactly for the inputs that rows contributed");
	return true;
}

bool
ope_state_from_text(const char *text, size_t len, OpeState *s, AbError *err)
{
	JsonReader	r;
	JsonIter	it;
	TextSeen	seen;
	LambdaEntry entries[OPE_MAX_LAMBDAS + 1];
	int			k;

	memset(s, 0, sizeof(*s));
	memset(&seen, 0, sizeof(seen));
	memset(entries, 0, sizeof(entries));
	seen.entries = entries;
	json_reader_init(&r, text, len, "ope_state", err);
	if (!json_object_begin(&r, &it))
		return false;
	for (;;)
	{
		if (!json_object_next_known(&r, &it, top_keys, NKEYS, seen.key, "key", &k))
			return false;
		if (k < 0)
			break;
		if (!read_member(&r, k, s, &seen))
			return false;
	}
	if (!json_finish(&r))
		return false;
	for (k = 0; k < NKEYS_V1; k++)
		if (!seen.key[k])
			return json_fail(&r, "missing key \"%s\"", top_keys[k]);
	if ((seen.null_extreme[0] || seen.null_extreme[1]) != (s->n == 0) ||
		seen.null_extreme[0] != seen.null_extreme[1])
		return json_fail(&r, "max_weight and min_propensity must be null exactly when n is 0");
	if (s->version == 1)
	{
		for (k = NKEYS_V1; k < NKEYS; k++)
			if (seen.key[k])
				return json_fail(&r, "key \"%s\" needs version 2", top_keys[k]);
		return ope_state_upgrade_v1(s, AB_ERR_SYNTAX, err) &&
			ope_state_validate(s, AB_ERR_SYNTAX, err);
	}
	if (!finish_v2(&r, s, &seen))
		return false;
	if (ope_state_writes_v1(s))
		return json_fail(&r, "an untracked state without lambdas is written as version 1");
	return ope_state_validate(s, AB_ERR_SYNTAX, err);
}

/* ---- version 1 ---- */

bool
ope_state_upgrade_v1(OpeState *s, AbErrorKind kind, AbError *err)
{
	if (s->version != 1)
		return ab_fail(err, kind, "unsupported ope_state version %d", (int) s->version);
	if ((s->flags & ~OPE_FLAG_DR) != 0 || s->nlambdas != 0 || s->reserved != 0)
		return ab_fail(err, kind, "ope_state has unknown flags or non-zero reserved bits");
	s->version = OPE_STATE_VERSION;
	s->r_min = s->r_max = s->v_min = s->v_max = s->e_min = s->e_max = 0.0;
	return true;
}

/* ---- binary ---- */

size_t
ope_state_binary_size(const OpeState *s)
{
	if (ope_state_writes_v1(s))
		return OPE_BINARY_V1_SIZE;
	return OPE_BINARY_V1_SIZE + 6 * 8 + ope_lambda_section_bytes(s->nlambdas);
}

void
ope_state_to_binary(const OpeState *s, unsigned char *buf)
{
	ByteWriter	w = {buf};
	bool		v1 = ope_state_writes_v1(s);
	int			i,
				j;

	bw_u8(&w, v1 ? 1 : OPE_STATE_VERSION);
	bw_u8(&w, s->flags);
	bw_u16(&w, s->nlambdas);
	bw_u32(&w, s->reserved);
	bw_i64(&w, s->n);
	bw_i64(&w, s->n_skipped);
	bw_i64(&w, s->n_matched);
	bw_f64(&w, s->max_weight);
	bw_f64(&w, s->min_propensity);
	for (i = 0; i < OPE_NSUMS; i++)
	{
		bw_f64(&w, s->sums[i].hi);
		bw_f64(&w, s->sums[i].lo);
	}
	if (v1)
		return;
	bw_f64(&w, s->r_min);
	bw_f64(&w, s->r_max);
	bw_f64(&w, s->v_min);
	bw_f64(&w, s->v_max);
	bw_f64(&w, s->e_min);
	bw_f64(&w, s->e_max);
	if (s->nlambdas == 0)
		return;
	for (j = 0; j < s->nlambdas; j++)
		bw_f64(&w, ope_lambdas(s)[j]);
	for (j = 0; j <= s->nlambdas; j++)
		bw_i64(&w, ope_lambda_counts(s)[j]);
	for (j = 0; j < (s->nlambdas + 1) * OPE_LBNSUMS; j++)
	{
		bw_f64(&w, ope_lambda_bhi(s)[j]);
		bw_f64(&w, ope_lambda_blo(s)[j]);
	}
	for (i = 0; i < OPE_LONSUMS; i++)
		for (j = 0; j < s->nlambdas; j++)
		{
			bw_f64(&w, ope_lambda_ohi(s, i)[j]);
			bw_f64(&w, ope_lambda_olo(s, i)[j]);
		}
}

bool
ope_state_from_binary(const unsigned char *buf, size_t len, OpeState *s, AbError *err)
{
	ByteReader	r = {buf, buf + len, false};
	size_t		expect;
	int			i,
				j;

	memset(s, 0, sizeof(*s));
	s->version = br_u8(&r);
	if (!r.truncated && s->version != 1 && s->version != OPE_STATE_VERSION)
		return ab_fail(err, AB_ERR_BINARY, "unsupported ope_state version %d", (int) s->version);
	s->flags = br_u8(&r);
	s->nlambdas = br_u16(&r);
	if (s->version == 1)
		expect = OPE_BINARY_V1_SIZE;
	else if (s->nlambdas > OPE_MAX_LAMBDAS)
		return ab_fail(err, AB_ERR_BINARY, "invalid binary ope_state: %d lambdas, more than %d",
					   (int) s->nlambdas, OPE_MAX_LAMBDAS);
	else
		expect = OPE_BINARY_V1_SIZE + 6 * 8 + ope_lambda_section_bytes(s->nlambdas);
	if (r.truncated)
		return ab_fail(err, AB_ERR_BINARY,
					   "invalid binary ope_state: expected %s%zu bytes, got %zu",
					   s->version == 1 ? "" : "at least ",
					   (size_t) OPE_BINARY_V1_SIZE + (s->version == 2 ? 6 * 8 : 0), len);
	if (len != expect)
		return ab_fail(err, AB_ERR_BINARY,
					   "invalid binary ope_state: expected %zu bytes, got %zu", expect, len);
	s->reserved = br_u32(&r);
	s->n = br_i64(&r);
	s->n_skipped = br_i64(&r);
	s->n_matched = br_i64(&r);
	s->max_weight = br_f64(&r);
	s->min_propensity = br_f64(&r);
	for (i = 0; i < OPE_NSUMS; i++)
	{
		s->sums[i].hi = br_f64(&r);
		s->sums[i].lo = br_f64(&r);
	}
	if (s->version == 1)
		return ope_state_upgrade_v1(s, AB_ERR_BINARY, err) &&
			ope_state_validate(s, AB_ERR_BINARY, err);
	s->r_min = br_f64(&r);
	s->r_max = br_f64(&r);
	s->v_min = br_f64(&r);
	s->v_max = br_f64(&r);
	s->e_min = br_f64(&r);
	s->e_max = br_f64(&r);
	if (s->nlambdas > 0)
	{
		for (j = 0; j < s->nlambdas; j++)
			ope_lambdas(s)[j] = br_f64(&r);
		for (j = 0; j <= s->nlambdas; j++)
			ope_lambda_counts(s)[j] = br_i64(&r);
		for (j = 0; j < (s->nlambdas + 1) * OPE_LBNSUMS; j++)
		{
			ope_lambda_bhi(s)[j] = br_f64(&r);
			ope_lambda_blo(s)[j] = br_f64(&r);
		}
		for (i = 0; i < OPE_LONSUMS; i++)
			for (j = 0; j < s->nlambdas; j++)
			{
				ope_lambda_ohi(s, i)[j] = br_f64(&r);
				ope_lambda_olo(s, i)[j] = br_f64(&r);
			}
	}
	if (r.truncated)
		return ab_fail(err, AB_ERR_BINARY, "invalid binary ope_state: truncated");
	/* a version 2 binary state that would be written as version 1 is not canonical */
	if (ope_state_writes_v1(s))
		return ab_fail(err, AB_ERR_BINARY, "invalid binary ope_state: an untracked state without lambdas is version 1");
	return ope_state_validate(s, AB_ERR_BINARY, err);
}

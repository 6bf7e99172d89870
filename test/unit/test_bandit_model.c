/*
 * Bandit models: Cholesky and ridge solutions against hand-worked 2-D
 * cases, fitting, merging, the text and binary forms, and hostile input.
 */
#include <stdlib.h>
#include <string.h>

#include "bandit_codec.h"
#include "bandit_scorer.h"
#include "linalg.h"
#include "unit.h"

/* A test allocator that remembers its blocks so they can all be freed. */
typedef struct Arena
{
	void	   *blocks[64];
	int			n;
} Arena;

static void *
arena_alloc(void *ctx, void *ptr, size_t size)
{
	Arena	   *a = ctx;
	int			i;

	if (ptr == NULL)
	{
		a->blocks[a->n] = malloc(size);
		return a->blocks[a->n++];
	}
	for (i = 0; i < a->n; i++)
		if (a->blocks[i] == ptr)
			return a->blocks[i] = realloc(ptr, size);
	abort();
}

static void
arena_free(Arena *a)
{
	while (a->n > 0)
		free(a->blocks[--a->n]);
}

/* A model with room for max_arms arms, from malloc. */
static BmHeader *
new_model(uint32_t dim, uint32_t max_arms)
{
	size_t		size;
	BmHeader   *h;

	CHECK(bm_model_size(dim, max_arms, &size, NULL));
	h = calloc(1, size);
	bm_init(h, dim);
	return h;
}

static void
add(BmHeader *h, int64_t action, const double *x, double r, double w)
{
	bool		found;
	uint32_t	idx = bm_find(h, action, &found);
	BmArm	   *arm = found ? bm_arm(h, idx) : bm_insert_arm(h, idx, action);
	AbError		err;

	CHECK(bm_arm_add(arm, h->dim, x, r, w, &err));
}

static size_t
model_size(const BmHeader *h)
{
	size_t		size = 0;

	CHECK(bm_model_size(h->dim, h->narms, &size, NULL));
	return size;
}

/*
 * Arm 1 sees x = (1, 0) with r = 1 and x = (0, 1) with r = 0 and x = (1, 1)
 * with r = 1: A = [[2, 1], [1, 2]], b = (2, 1).  At ridge 1, M = [[3, 1],
 * [1, 3]], det 8, M^-1 = [[3, -1], [-1, 3]] / 8, theta = (6 - 1, -2 + 3) / 8
 * = (5/8, 1/8).  For x = (1, 2): mean = 5/8 + 2/8 = 7/8 and
 * x^T M^-1 x = (3 - 4 + 12) / 8 = 11/8.
 */
static void
hand_ridge(void)
{
	static const double x1[2] = {1, 0}, x2[2] = {0, 1}, x3[2] = {1, 1}, q[2] = {1, 2};
	BmHeader   *h = new_model(2, 2);
	BmScorer	sc;
	void	   *block;
	AbError		err;
	const BmArm *arm;

	add(h, 1, x1, 1, 1);
	add(h, 1, x2, 0, 1);
	add(h, 1, x3, 1, 1);
	arm = bm_arm_const(h, 0);
	CHECK(arm->n == 3 && arm->weight == 3 && arm->sum_wr == 2 && arm->sum_wr2 == 2);
	CHECK(arm->data[0] == 2 && arm->data[1] == 1 && arm->data[2] == 2);
	CHECK(arm->data[3] == 2 && arm->data[4] == 1);
	block = malloc(bm_scorer_block_size(h));
	CHECK(bm_scorer_build(h, 1.0, block, &sc, &err));
	CHECK_NEAR(sc.theta[0], 5.0 / 8, 1e-15);
	CHECK_NEAR(sc.theta[1], 1.0 / 8, 1e-15);
	CHECK_NEAR(bm_scorer_mean(&sc, 0, q), 7.0 / 8, 1e-15);
	CHECK_NEAR(bm_scorer_variance(&sc, 0, q), 11.0 / 8, 1e-15);
	/* an unseen arm: theta 0, covariance I / ridge */
	CHECK(bm_scorer_find(&sc, 99) == -1);
	CHECK(bm_scorer_mean(&sc, -1, q) == 0.0);
	CHECK_NEAR(bm_scorer_variance(&sc, -1, q), 5.0, 1e-15);
	/* ridge 2: M = [[4, 1], [1, 4]], det 15, theta = (8 - 1, -2 + 4) / 15 */
	CHECK(bm_scorer_build(h, 2.0, block, &sc, &err));
	CHECK_NEAR(sc.theta[0], 7.0 / 15, 1e-15);
	CHECK_NEAR(sc.theta[1], 2.0 / 15, 1e-15);
	free(block);
	free(h);
}

/* Weighted rows equal repeated rows; merge of halves equals the whole. */
static void
fit_and_merge(void)
{
	unsigned long long seed = 17;
	BmHeader   *whole = new_model(3, 10),
			   *a = new_model(3, 10),
			   *b = new_model(3, 10),
			   *twice = new_model(3, 10),
			   *weighted = new_model(3, 10);
	AbError		err;
	int			i;

	for (i = 0; i < 300; i++)
	{
		double		x[3] = {unit_rand01(&seed), unit_rand01(&seed) - 0.5, 1.0};
		double		r = unit_rand01(&seed) < 0.3;
		int64_t		action = (int64_t) (unit_rand_u64(&seed) % 5) * 10 - 20;

		add(whole, action, x, r, 1.0);
		add(i % 2 ? a : b, action, x, r, 1.0);
		add(twice, action, x, r, 1.0);
		add(twice, action, x, r, 1.0);
		add(weighted, action, x, r, 2.0);
	}
	CHECK(bm_merge(a, b, &err));
	CHECK(a->narms == whole->narms && whole->narms == 5);
	for (i = 0; i < (int) whole->narms; i++)
	{
		const BmArm *p = bm_arm_const(a, i),
				   *q = bm_arm_const(whole, i);
		size_t		k;

		CHECK(p->action == q->action && p->n == q->n);
		CHECK_NEAR(p->sum_wr, q->sum_wr, 1e-12);
		for (k = 0; k < packed_size(3) + 3; k++)
			CHECK_NEAR(p->data[k], q->data[k], 1e-12);
		CHECK_NEAR(bm_arm_const(weighted, i)->data[0], bm_arm_const(twice, i)->data[0], 1e-12);
		CHECK(bm_arm_const(twice, i)->n == 2 * bm_arm_const(weighted, i)->n);
	}
	/* actions sorted ascending, negative ones first */
	CHECK(bm_arm_const(whole, 0)->action == -20 && bm_arm_const(whole, 4)->action == 20);
	CHECK(bm_validate(whole, model_size(whole), AB_ERR_BINARY, &err));
	/* the union of arms counts shared actions once */
	CHECK(bm_union_arms(a, whole) == 5 && bm_union_arms(whole, whole) == 5);
	/* dimensions must agree */
	free(b);
	b = new_model(2, 1);
	CHECK(!bm_merge(a, b, &err) && err.kind == AB_ERR_MISMATCH);
	free(a);
	free(b);
	free(whole);
	free(twice);
	free(weighted);
}

static void
text_sink(void *ctx, const char *text, size_t len)
{
	char	  **p = ctx;

	memcpy(*p, text, len);
	*p += len;
	**p = '\0';
}

static void
round_trips(void)
{
	static const double x[2] = {0.1, -3e-7}, y[2] = {1.0 / 3, 2};
	BmHeader   *h = new_model(2, 3),
			   *t;
	Arena		arena = {{0}, 0};
	char	   *text = malloc(1 << 16),
			   *end = text;
	unsigned char *bin;
	size_t		size = 0;
	AbError		err;

	add(h, 5, x, 0.7, 1.5);
	add(h, -3, y, 1e300, 1e-300);
	add(h, 5, y, 0, 0);
	bm_to_text(h, text_sink, &end);
	CHECK(strncmp(text, "{\"version\":1,\"dim\":2,\"arms\":[{\"action\":-3,\"n\":1,", 48) == 0);
	CHECK(bm_from_text(text, strlen(text), arena_alloc, &arena, &t, &size, &err));
	CHECK(size == model_size(h) && memcmp(t, h, size) == 0);
	bin = malloc(model_size(h));
	bm_to_binary(h, bin);
	CHECK(bm_from_binary(bin, model_size(h), arena_alloc, &arena, &t, &size, &err));
	CHECK(size == model_size(h) && memcmp(t, h, size) == 0);
	arena_free(&arena);
	free(bin);
	free(text);
	free(h);
}

static bool
text_fails(const char *text, const char *needle)
{
	Arena		arena = {{0}, 0};
	BmHeader   *t;
	size_t		size;
	AbError		err;
	bool		ok = !bm_from_text(text, strlen(text), arena_alloc, &arena, &t, &size, &err) &&
		strstr(err.message, needle) != NULL;

	if (!ok)
		fprintf(stderr, "  %s -> %s\n", text, err.message);
	arena_free(&arena);
	return ok;
}

#define ARM1 "{\"action\":1,\"n\":1,\"weight\":1,\"sum_wr\":1,\"sum_wr2\":1,\"A\":[[1,0],[0,0]],\"b\":[1,0]}"

static void
hostile_text(void)
{
	Arena		arena = {{0}, 0};
	BmHeader   *t;
	size_t		size;
	AbError		err;
	const char *good = "{\"version\":1,\"dim\":2,\"arms\":[" ARM1 "]}";

	CHECK(bm_from_text(good, strlen(good), arena_alloc, &arena, &t, &size, &err));
	arena_free(&arena);
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[" ARM1 "," ARM1 "]}", "ascending"));
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[{\"action\":1,\"n\":1,\"weight\":1,\"sum_wr\":1,"
					 "\"sum_wr2\":1,\"A\":[[1,2],[0,0]],\"b\":[1,0]}]}", "symmetric"));
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[{\"action\":1,\"n\":-1,\"weight\":1,\"sum_wr\":1,"
					 "\"sum_wr2\":1,\"A\":[[1,0],[0,0]],\"b\":[1,0]}]}", "negative"));
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[{\"action\":1,\"n\":1,\"weight\":1,\"sum_wr\":1,"
					 "\"sum_wr2\":1,\"A\":[[1,0],[0,0]]}]}", "missing key \"b\""));
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[{\"action\":1,\"n\":1,\"weight\":1,\"sum_wr\":1,"
					 "\"sum_wr2\":1,\"A\":[[1,0],[0,0]],\"b\":[1,0],\"c\":1}]}", "unknown arm key"));
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[{\"action\":1,\"n\":1,\"weight\":1,\"sum_wr\":1,"
					 "\"sum_wr2\":1,\"A\":[[1,0]],\"b\":[1,0]}]}", "rows"));
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[{\"action\":1,\"n\":1,\"weight\":1,\"sum_wr\":1,"
					 "\"sum_wr2\":1,\"A\":[[1,0],[0,0]],\"b\":[1,0,3]}]}", "more than"));
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[{\"action\":1,\"n\":0,\"weight\":1,\"sum_wr\":1,"
					 "\"sum_wr2\":1,\"A\":[[1,0],[0,0]],\"b\":[1,0]}]}", "no rows"));
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[{\"action\":1,\"n\":1,\"weight\":1,\"sum_wr\":1,"
					 "\"sum_wr2\":1,\"A\":[[-1,0],[0,0]],\"b\":[1,0]}]}", "outside [0"));
	CHECK(text_fails("{\"version\":1,\"dim\":100000,\"arms\":[]}", "out of range"));
	CHECK(text_fails("{\"version\":1,\"dim\":0,\"arms\":[]}", "at least 1"));
	CHECK(text_fails("{\"version\":2,\"dim\":1,\"arms\":[]}", "version"));
	CHECK(text_fails("{\"version\":1,\"arms\":[],\"dim\":1}", "before"));
	CHECK(text_fails("{\"version\":1,\"dim\":1}", "required"));
	CHECK(text_fails("{\"version\":1,\"dim\":1,\"dim\":1,\"arms\":[]}", "duplicate"));
	CHECK(text_fails("{\"version\":1,\"dim\":1,\"arms\":[]} x", "after the end"));
	CHECK(text_fails("", "expected"));
	/* an off-diagonal entry no positive semi-definite matrix can have */
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[{\"action\":1,\"n\":1,\"weight\":1,\"sum_wr\":0,"
					 "\"sum_wr2\":0,\"A\":[[0,1.7e308],[1.7e308,0]],\"b\":[0,0]}]}", "not bounded"));
	CHECK(text_fails("{\"version\":1,\"dim\":2,\"arms\":[{\"action\":1,\"n\":1,\"weight\":1,\"sum_wr\":0,"
					 "\"sum_wr2\":0,\"A\":[[1,0],[0,1]],\"b\":[5,0]}]}", "|b[1]|"));
	CHECK(text_fails("{\"version\":1,\"dim\":02,\"arms\":[]}", "invalid number"));
	CHECK(text_fails("{\"version\":1,\"dim\":1,\"arms\":[{\"action\":1,\"n\":1,\"weight\":1e-400,"
					 "\"sum_wr\":0,\"sum_wr2\":0,\"A\":[[1]],\"b\":[0]}]}", "out of range"));
}

static void
hostile_binary(void)
{
	static const double x[2] = {0.5, 2};
	BmHeader   *h = new_model(2, 2);
	size_t		size,
				len,
				i;
	unsigned char *bin;
	BmHeader   *t;
	AbError		err;
	int			bit;

	add(h, 1, x, 1, 1);
	add(h, 2, x, 0, 2);
	size = model_size(h);
	bin = malloc(size + 8);
	bm_to_binary(h, bin);
	for (len = 0; len < size; len++)
	{
		Arena		arena = {{0}, 0};

		CHECK(!bm_from_binary(bin, len, arena_alloc, &arena, &t, &size, &err));
		arena_free(&arena);
		size = model_size(h);
	}
	for (i = 0; i < size; i++)
		for (bit = 0; bit < 8; bit++)
		{
			Arena		arena = {{0}, 0};
			size_t		got;

			bin[i] ^= (unsigned char) (1 << bit);
			if (bm_from_binary(bin, size, arena_alloc, &arena, &t, &got, &err))
				CHECK(bm_validate(t, got, AB_ERR_BINARY, &err));
			bin[i] ^= (unsigned char) (1 << bit);
			arena_free(&arena);
		}
	/* a huge dimension or arm count is refused before allocating */
	bin[4] = 0x7f;
	CHECK(!bm_from_binary(bin, size, arena_alloc, NULL, &t, &len, &err) && err.kind == AB_ERR_LIMIT);
	free(bin);
	free(h);
}

static void
limits(void)
{
	size_t		size;
	AbError		err;

	CHECK(bm_model_size(BM_MAX_DIM, 1, &size, &err));
	CHECK(!bm_model_size(BM_MAX_DIM + 1, 1, &size, &err) && err.kind == AB_ERR_LIMIT);
	CHECK(!bm_model_size(0, 1, &size, &err) && err.kind == AB_ERR_VALUE);
	CHECK(!bm_model_size(1, BM_MAX_ARMS + 1, &size, &err) && err.kind == AB_ERR_LIMIT);
	CHECK(!bm_model_size(BM_MAX_DIM, 1000, &size, &err) && err.kind == AB_ERR_LIMIT);
	CHECK(!bm_model_size(-5, 1, &size, &err));
}

static void
arm_errors(void)
{
	static const double x[1] = {1e150};
	BmHeader   *h = new_model(1, 1);
	BmArm	   *arm = bm_insert_arm(h, 0, 7);
	AbError		err;

	CHECK(!bm_arm_add(arm, 1, x, 0, -1, &err) && err.kind == AB_ERR_VALUE);
	CHECK(!bm_arm_add(arm, 1, x, NAN, 1, &err) && err.kind == AB_ERR_VALUE);
	CHECK(bm_arm_add(arm, 1, x, 1, 1, &err));
	CHECK(!bm_arm_add(arm, 1, x, 1, 1e100, &err) && err.kind == AB_ERR_OUT_OF_RANGE);
	CHECK(arm->n == 1);			/* unchanged by the failed row */
	free(h);
}

void
test_bandit_model(void)
{
	hand_ridge();
	fit_and_merge();
	round_trips();
	hostile_text();
	hostile_binary();
	limits();
	arm_errors();
}

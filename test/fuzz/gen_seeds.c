/*
 * gen_seeds.c — writes the seed corpora of test/fuzz/corpus from values
 * built by the core itself (ope_state_add, bm_arm_add), so every seed is a
 * valid, canonical value; hand-written seeds (policy strings, README
 * examples) sit beside them in the corpus directories.  Not run by
 * run_fuzzers.sh: the corpus is committed.  To regenerate:
 *
 *   PG=/usr/lib/postgresql/15/bin/pg_config
 *   cc -std=gnu99 -Isrc/core -I$($PG --includedir-server) test/fuzz/gen_seeds.c \
 *      $(ls src/core/[a-z]*.c) -L$($PG --pkglibdir) -lpgcommon -lpgport -lm -o /tmp/gen_seeds
 *   /tmp/gen_seeds test/fuzz/corpus
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bandit_codec.h"
#include "ope_boot_codec.h"
#include "ope_codec.h"
#include "ope_pair_codec.h"

static const char *outdir;

static void
die(const char *what)
{
	fprintf(stderr, "gen_seeds: %s\n", what);
	exit(1);
}

static void
write_file(const char *target, const char *name, const void *buf, size_t len)
{
	char		path[1024];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		die(path);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		die(path);
}

/* ---- ope_state ---- */

static void
ope_seed_lambdas(const char *name, bool dr, const OpeRow *rows, int nrows, const unsigned *present,
				 const double *lambdas, int nlambdas)
{
	static OpeStateBuf buf;
	OpeState   *s = &buf.state;
	AbError		err;
	char	   *text;
	unsigned char *bin;
	char		fname[64];
	int			i;

	if (nlambdas > 0)
		ope_state_init_lambdas(s, dr, lambdas, nlambdas);
	else
		ope_state_init(s, dr);
	for (i = 0; i < nrows; i++)
		if (!ope_state_add(s, &rows[i], present ? present[i] : OPE_IN_ALL, &err))
			die(err.message);
	text = malloc(ope_state_text_max(s));
	bin = malloc(ope_state_binary_size(s));
	if (!text || !bin)
		die("out of memory");
	snprintf(fname, sizeof(fname), "%s.json", name);
	write_file("ope_state_text", fname, text, ope_state_to_text(s, text));
	ope_state_to_binary(s, bin);
	snprintf(fname, sizeof(fname), "%s.bin", name);
	write_file("ope_state_binary", fname, bin, ope_state_binary_size(s));
	free(text);
	free(bin);
}

static void
ope_seed(const char *name, bool dr, const OpeRow *rows, int nrows, const unsigned *present)
{
	ope_seed_lambdas(name, dr, rows, nrows, present, NULL, 0);
}

static void
ope_seeds(void)
{
	static const OpeRow basic[] = {
		{1, 0.5, 1, 0, 0}, {0, 0.25, 0, 0, 0}, {3, 1, 0.5, 0, 0}, {0.1, 0.3, 0.7, 0, 0},
	};
	static const OpeRow dr[] = {
		{1, 0.5, 1, 0.8, 0.6}, {0, 0.25, 0, 0.1, 0.4}, {2.5, 0.2, 0.9, 2, 1.9},
		{0.1, 0.3, 0.7, 0.2, 0.25}, {1e-3, 0.9, 0.1, -0.5, 3},
	};
	static const unsigned present[] = {OPE_IN_ALL, OPE_IN_R | OPE_IN_MU, OPE_IN_ALL, OPE_IN_ALL};
	static const OpeRow extreme[] = {
		{1e150, 1, 1, 0, 0}, {-1e100, 1e-100, 1e-60, 0, 0}, {1e-300, 0.5, 1e-300, 0, 0},
	};
	OpeRow		many[64];
	int			i;

	/* compensated sums: [hi, lo] pairs with lo != 0 */
	for (i = 0; i < 64; i++)
	{
		many[i].r = 1.0 / (i + 3);
		many[i].mu = 1.0 / (1 + i % 7);
		many[i].pi = (i % 5) / 4.0;
		many[i].q = 0.1 * i;
		many[i].v = 1.0 / (i + 1);
	}
	ope_seed("empty_basic", false, NULL, 0, NULL);
	ope_seed("empty_dr", true, NULL, 0, NULL);
	ope_seed("basic", false, basic, 4, NULL);
	ope_seed("basic_skipped", false, basic, 4, present);
	ope_seed("unmatched", false, basic + 1, 1, NULL);
	ope_seed("dr", true, dr, 5, NULL);
	ope_seed("dr_compensated", true, many, 64, NULL);
	ope_seed("basic_compensated", false, many, 64, NULL);
	ope_seed("extreme", false, extreme, 3, NULL);
	{
		static const double lambdas[] = {0, 1, 10, INFINITY};

		ope_seed_lambdas("dr_lambdas", true, many, 64, NULL, lambdas, 4);
		ope_seed_lambdas("basic_lambdas", false, basic, 4, NULL, lambdas + 1, 2);
	}
}

/* ---- ope_bootstrap_state and ope_pair_state ---- */

static void
boot_seed(const char *name, bool dr, int replicates, const OpeRow *rows, int nrows)
{
	OpeBootstrap *b = calloc(1, ope_boot_bytes(replicates));
	AbError		err;
	char	   *text;
	unsigned char *bin;
	char		fname[64];
	int			i;

	if (!b)
		die("out of memory");
	ope_boot_init(b, dr, replicates, 7);
	for (i = 0; i < nrows; i++)
		if (!ope_boot_add(b, &rows[i], OPE_IN_ALL, true, i / 2, &err))
			die(err.message);
	text = malloc(ope_boot_text_max(b));
	bin = malloc(ope_boot_binary_size(b));
	if (!text || !bin)
		die("out of memory");
	snprintf(fname, sizeof(fname), "%s.json", name);
	write_file("ope_boot_text", fname, text, ope_boot_to_text(b, text));
	ope_boot_to_binary(b, bin);
	snprintf(fname, sizeof(fname), "%s.bin", name);
	write_file("ope_boot_binary", fname, bin, ope_boot_binary_size(b));
	free(text);
	free(bin);
	free(b);
}

static void
pair_seed(const char *name, bool dr, const OpeRow *rows, int nrows)
{
	static OpePair p;
	AbError		err;
	char	   *text;
	unsigned char *bin;
	char		fname[64];
	int			i;

	ope_pair_init(&p, dr);
	for (i = 0; i < nrows; i++)
	{
		OpePairRow	r = {rows[i].r, rows[i].mu, rows[i].pi, 1.0 - rows[i].pi, rows[i].q, rows[i].v, 0.5};

		if (!ope_pair_add(&p, &r, OPE_PIN_ALL, &err))
			die(err.message);
	}
	text = malloc(ope_pair_text_max(&p));
	bin = malloc(ope_pair_binary_size(&p));
	if (!text || !bin)
		die("out of memory");
	snprintf(fname, sizeof(fname), "%s.json", name);
	write_file("ope_pair_text", fname, text, ope_pair_to_text(&p, text));
	ope_pair_to_binary(&p, bin);
	snprintf(fname, sizeof(fname), "%s.bin", name);
	write_file("ope_pair_binary", fname, bin, ope_pair_binary_size(&p));
	free(text);
	free(bin);
}

static void
state12_seeds(void)
{
	static const OpeRow rows[] = {
		{1, 0.5, 1, 0.8, 0.6}, {0, 0.25, 0, 0.1, 0.4}, {2.5, 0.2, 0.9, 2, 1.9},
		{0.1, 0.3, 0.7, 0.2, 0.25}, {1e-3, 0.9, 0.1, -0.5, 3}, {1e16, 1, 1, 1, 1}, {1, 1, 1, 0, 0},
	};

	boot_seed("boot_basic_empty", false, 3, NULL, 0);
	boot_seed("boot_basic", false, 5, rows, 7);
	boot_seed("boot_dr", true, 4, rows, 7);
	boot_seed("boot_one_replicate", true, 1, rows, 2);
	pair_seed("pair_basic_empty", false, NULL, 0);
	pair_seed("pair_basic", false, rows, 7);
	pair_seed("pair_dr", true, rows, 7);
}

/* ---- banditmodel ---- */

static void
emit(void *ctx, const char *text, size_t len)
{
	FILE	   *f = ctx;

	fwrite(text, 1, len, f);
}

static void
bm_seed(const char *name, uint32_t dim, const int64_t *actions, const double *x,
		const double *r, const double *w, int nrows, int64_t empty_action)
{
	size_t		size,
				tlen;
	BmHeader   *h;
	AbError		err;
	char		fname[64];
	char	   *text;
	unsigned char *bin;
	FILE	   *f;
	int			i;

	if (!bm_model_size(dim, nrows + 1, &size, &err))
		die(err.message);
	h = calloc(1, size);
	bm_init(h, dim);
	for (i = 0; i < nrows; i++)
	{
		bool		found;
		uint32_t	idx = bm_find(h, actions[i], &found);
		BmArm	   *arm = found ? bm_arm(h, idx) : bm_insert_arm(h, idx, actions[i]);

		if (!bm_arm_add(arm, dim, x + (size_t) i * dim, r[i], w[i], &err))
			die(err.message);
	}
	if (empty_action != 0)
	{
		bool		found;
		uint32_t	idx = bm_find(h, empty_action, &found);

		if (!found)
			bm_insert_arm(h, idx, empty_action);
	}
	if (!bm_model_size(dim, h->narms, &size, &err) || !bm_validate(h, size, AB_ERR_VALUE, &err))
		die(err.message);

	f = open_memstream(&text, &tlen);
	bm_to_text(h, emit, f);
	fclose(f);
	snprintf(fname, sizeof(fname), "%s.json", name);
	write_file("banditmodel_text", fname, text, tlen);
	free(text);

	bin = malloc(size);
	bm_to_binary(h, bin);
	snprintf(fname, sizeof(fname), "%s.bin", name);
	write_file("banditmodel_binary", fname, bin, size);
	free(bin);
	free(h);
}

static void
bm_seeds(void)
{
	static const int64_t a1[] = {7, 7, -3, 7, 100};
	static const double x1[] = {1, 2, 0.5, -1, 3};
	static const double r1[] = {1, 0, 2.5, 0.25, -1};
	static const double w1[] = {1, 1, 0.5, 2, 1};
	static const int64_t a3[] = {1, 2, 1, 3, 2, 1};
	static const double x3[] = {1, 0, 0.5, 0, 1, 1, 1, 1, 1, 0.1, 0.2, 0.3, -1, 2, 0, 3, 0, 1};
	static const double r3[] = {1, 0, 1, 0.5, 2, 0};
	static const double w3[] = {1, 1, 1, 0.5, 1, 3};
	static const int64_t ab[] = {INT64_MIN, INT64_MAX};
	static const double xb[] = {1e100, -1e-100, 1e-300, 1e140};
	static const double rb[] = {1e50, -1e-200};
	static const double wb[] = {1e-10, 1e10};

	bm_seed("empty", 2, NULL, NULL, NULL, NULL, 0, 0);
	bm_seed("dim1", 1, a1, x1, r1, w1, 5, 0);
	bm_seed("dim3", 3, a3, x3, r3, w3, 6, 0);
	bm_seed("dim3_unseen_arm", 3, a3, x3, r3, w3, 6, 42);
	bm_seed("extreme", 2, ab, xb, rb, wb, 2, 0);
}

int
main(int argc, char **argv)
{
	if (argc != 2)
		die("usage: gen_seeds OUTDIR");
	outdir = argv[1];
	ope_seeds();
	state12_seeds();
	bm_seeds();
	return 0;
}

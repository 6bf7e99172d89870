/*
 * simulator.c — see simulator.h for the model.
 *
 * Randomness: every draw is u(kind, id, k) = SplitMix64 output mixing of
 * (seed, kind, id, k) nested three times, so draws of consecutive ids are
 * independent (a single mix of consecutive integers is not uniform enough
 * for chi-square tests, as noticed when building the demo).
 *
 * Context (dim values): 1, hour / 24, weekend, then signed feature hashing
 * (feature_hash.c) into the remaining dim - 3 values of the tokens
 * "genre=<favourite 1>", "genre=<favourite 2>", "country=XX", "lang=xx",
 * "dow=<day>", "tod=<morning|afternoon|evening|night>".
 *
 * Play probability of image j of show s for user u:
 *   sigmoid(appeal_s + appeal_sj + 1.3 taste_u[genre_sj] + 0.25 [evening])
 * with taste 1 for the first favourite genre, 0.7 for the second and -0.4
 * for the others; appeal_s in [-2.2, -1.6], appeal_sj in [-0.2, 0.2].
 */
#include "simulator.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "feature_hash.h"
#include "rng.h"

enum
{
	KIND_USER = 1, KIND_SHOW, KIND_IMAGE, KIND_IMPRESSION
};

static const char *const genre_names[SIM_GENRES] = {
	"drama", "comedy", "anime", "documentary", "thriller", "romance", "kids", "scifi"
};
static const char *const countries[8][2] = {
	{"BR", "pt"}, {"US", "en"}, {"JP", "ja"}, {"FR", "fr"},
	{"DE", "de"}, {"IN", "hi"}, {"MX", "es"}, {"KR", "ko"}
};
static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/*
 * The world (users' tastes, shows, images) is the same for every seed; the
 * seed draws the log (who sees what, when, the choices and the plays).  So
 * logs with different seeds are independent samples of one world, and a
 * model trained on one can be evaluated on another.
 */
#define WORLD_SEED UINT64_C(0x61727462616E6469)		/* "artbandi" */

static double
draw(const SimConfig *cfg, int kind, int64_t id, int k)
{
	uint64_t	seed = kind == KIND_IMPRESSION ? (uint64_t) cfg->seed : WORLD_SEED;
	uint64_t	z = rng_mix64(seed ^ ((uint64_t) kind << 56));

	z = rng_mix64(z + (uint64_t) id * UINT64_C(0x9E3779B97F4A7C15));
	z = rng_mix64(z + (uint64_t) (k + 1) * UINT64_C(0xD1B54A32D192ED03));
	return (double) (z >> 11) * (1.0 / 9007199254740992.0);
}

static int
pick(const SimConfig *cfg, int kind, int64_t id, int k, int n)
{
	int			v = (int) (n * draw(cfg, kind, id, k));

	return v < n ? v : n - 1;
}

bool
sim_config_init(SimConfig *cfg, int64_t n, int64_t shows, int64_t images,
				int64_t dim, int64_t seed, AbError *err)
{
	if (n < 0 || n > SIM_MAX_IMPRESSIONS)
		return ab_fail(err, n < 0 ? AB_ERR_VALUE : AB_ERR_LIMIT,
					   "n must be between 0 and %lld, got %lld",
					   (long long) SIM_MAX_IMPRESSIONS, (long long) n);
	if (shows < 1 || shows > SIM_MAX_SHOWS)
		return ab_fail(err, shows < 1 ? AB_ERR_VALUE : AB_ERR_LIMIT,
					   "shows must be between 1 and %d, got %lld", SIM_MAX_SHOWS, (long long) shows);
	if (images < 1 || images > SIM_MAX_IMAGES)
		return ab_fail(err, images < 1 ? AB_ERR_VALUE : AB_ERR_LIMIT,
					   "images_per_show must be between 1 and %d, got %lld",
					   SIM_MAX_IMAGES, (long long) images);
	if (dim < SIM_MIN_DIM || dim > 1024)
		return ab_fail(err, dim < SIM_MIN_DIM ? AB_ERR_VALUE : AB_ERR_LIMIT,
					   "dim must be between %d and 1024, got %lld", SIM_MIN_DIM, (long long) dim);
	cfg->n = n;
	cfg->shows = (int32_t) shows;
	cfg->images = (int32_t) images;
	cfg->dim = (int32_t) dim;
	cfg->seed = seed;
	/* a fixed population, so a policy's true value does not depend on n */
	cfg->users = SIM_USERS;
	return true;
}

double
sim_draw(const SimConfig *cfg, int64_t i, SimStream stream)
{
	return draw(cfg, KIND_IMPRESSION, i, 10 + (int) stream);
}

static double
taste(const SimConfig *cfg, int64_t user, int genre)
{
	int			fav1 = pick(cfg, KIND_USER, user, 0, SIM_GENRES);
	int			fav2 = (fav1 + 1 + pick(cfg, KIND_USER, user, 1, SIM_GENRES - 1)) % SIM_GENRES;

	return genre == fav1 ? 1.0 : genre == fav2 ? 0.7 : -0.4;
}

static void
add_token(double *x, int32_t dim, const char *fmt, const char *value)
{
	char		token[64];
	int			len = snprintf(token, sizeof(token), fmt, value);

	feature_hash_add(x, dim, token, (size_t) len);
}

static const char *
time_of_day(int hour)
{
	if (hour < 6)
		return "night";
	if (hour < 12)
		return "morning";
	if (hour < 18)
		return "afternoon";
	return "evening";
}

static void
build_context(const SimConfig *cfg, const SimImpression *imp, double *x)
{
	int64_t		u = imp->user_id;
	int			fav1 = pick(cfg, KIND_USER, u, 0, SIM_GENRES);
	int			fav2 = (fav1 + 1 + pick(cfg, KIND_USER, u, 1, SIM_GENRES - 1)) % SIM_GENRES;
	int			country = pick(cfg, KIND_USER, u, 2, 8);
	int			dow = (imp->day - 1) % 7;

	memset(x, 0, sizeof(double) * (size_t) cfg->dim);
	x[0] = 1.0;
	x[1] = imp->hour / 24.0;
	x[2] = dow >= 5 ? 1.0 : 0.0;
	add_token(x + 3, cfg->dim - 3, "genre=%s", genre_names[fav1]);
	add_token(x + 3, cfg->dim - 3, "genre=%s", genre_names[fav2]);
	add_token(x + 3, cfg->dim - 3, "country=%s", countries[country][0]);
	add_token(x + 3, cfg->dim - 3, "lang=%s", countries[country][1]);
	add_token(x + 3, cfg->dim - 3, "dow=%s", day_names[dow]);
	add_token(x + 3, cfg->dim - 3, "tod=%s", time_of_day(imp->hour));
}

void
sim_impression(const SimConfig *cfg, int64_t i, SimImpression *out)
{
	double		v = draw(cfg, KIND_IMPRESSION, i, 1);
	int32_t		s;
	int			show_genre,
				j;
	double		show_appeal;
	bool		evening;

	out->impression_id = i;
	out->user_id = (int64_t) (cfg->users * draw(cfg, KIND_IMPRESSION, i, 0));
	if (out->user_id >= cfg->users)
		out->user_id = cfg->users - 1;
	/* popular shows (low ids) are shown more often */
	s = 1 + (int32_t) (cfg->shows * v * v);
	out->show_id = s > cfg->shows ? cfg->shows : s;
	out->day = 1 + (int32_t) ((double) (i - 1) * SIM_DAYS / (double) (cfg->n > 0 ? cfg->n : 1));
	if (out->day > SIM_DAYS)
		out->day = SIM_DAYS;
	out->hour = pick(cfg, KIND_IMPRESSION, i, 2, 24);
	build_context(cfg, out, out->context);

	show_genre = pick(cfg, KIND_SHOW, out->show_id, 0, SIM_GENRES);
	show_appeal = -2.2 + 0.6 * draw(cfg, KIND_SHOW, out->show_id, 1);
	evening = out->hour >= 18;
	for (j = 0; j < cfg->images; j++)
	{
		int64_t		image = (int64_t) out->show_id * 1000 + j + 1;
		int			genre = j == 0 ? show_genre : pick(cfg, KIND_IMAGE, image, 0, SIM_GENRES);
		double		logit = show_appeal + 0.4 * (draw(cfg, KIND_IMAGE, image, 1) - 0.5) +
			1.3 * taste(cfg, out->user_id, genre) + (evening ? 0.25 : 0.0);

		out->candidates[j] = image;
		out->play_probabilities[j] = 1.0 / (1.0 + exp(-logit));
	}
}

double
sim_minutes(const SimConfig *cfg, int32_t show_id, double u)
{
	double		typical = 20.0 + 40.0 * draw(cfg, KIND_SHOW, show_id, 2);
	double		m = -typical * log1p(-u);

	return m < 1.0 ? 1.0 : m > 240.0 ? 240.0 : m;
}

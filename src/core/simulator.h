/*
 * simulator.h — a synthetic artwork exploration log with ground truth.
 *
 * Users have latent tastes (two favourite genres out of eight, a country and
 * its language), seen only through a context vector; shows have a genre, an
 * appeal and a typical watch length; each show has `images` candidate images,
 * each highlighting one genre.  A user plays a show after seeing an image
 * with probability sigmoid(show appeal + image appeal + taste for the
 * image's genre + an evening effect), so the best image depends on the user:
 * a contextual policy can beat any single image per show.  The world (tastes,
 * shows, images) is fixed; the seed draws the log, and every row is a pure
 * function of (seed, impression number): rows can be generated in any order,
 * in constant memory, identically on every machine.
 */
#ifndef SIMULATOR_H
#define SIMULATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "ab_error.h"

#define SIM_GENRES 8
#define SIM_DAYS 30
#define SIM_USERS 100000		/* user ids 0 .. SIM_USERS - 1 */
#define SIM_MAX_IMPRESSIONS INT64_C(10000000000)
#define SIM_MAX_SHOWS 1000000
#define SIM_MAX_IMAGES 999		/* image ids are show_id * 1000 + 1 .. images */
#define SIM_MIN_DIM 4

typedef struct SimConfig
{
	int64_t		n;				/* impressions */
	int32_t		shows;
	int32_t		images;			/* candidates per show */
	int32_t		dim;			/* context length */
	int64_t		seed;
	int64_t		users;			/* SIM_USERS */
} SimConfig;

/* Draw streams of one impression (see sim_draw). */
typedef enum SimStream
{
	SIM_STREAM_LOGGING,			/* the logging policy's choice */
	SIM_STREAM_PLAYED,			/* whether the user played */
	SIM_STREAM_MINUTES			/* how long */
} SimStream;

typedef struct SimImpression
{
	int64_t		impression_id;	/* 1 .. n */
	int64_t		user_id;
	int32_t		show_id;
	int32_t		day;			/* 1 .. SIM_DAYS, in impression order */
	int32_t		hour;
	double	   *context;		/* dim values, caller's buffer */
	int64_t    *candidates;		/* images values, caller's buffer */
	double	   *play_probabilities; /* images values, caller's buffer */
} SimImpression;

/* Check the arguments against their ranges and derive the rest. */
bool		sim_config_init(SimConfig *cfg, int64_t n, int64_t shows, int64_t images,
							int64_t dim, int64_t seed, AbError *err);

/* Impression i (1 .. n): who, which show, when, context and the truth. */
void		sim_impression(const SimConfig *cfg, int64_t i, SimImpression *out);

/* A uniform number in [0, 1) of impression i's stream. */
double		sim_draw(const SimConfig *cfg, int64_t i, SimStream stream);

/*
 * Minutes watched after a play: exponential around the show's typical
 * length (20 to 60 minutes), at least one minute, at most four hours.
 */
double		sim_minutes(const SimConfig *cfg, int32_t show_id, double u);

#endif

/*
 * compsum_text.h — the text form of a compensated sum, shared by the
 * codecs of ope_state, ope_bootstrap_state and ope_pair_state: a number
 * when the compensation term is +0, else the pair [hi, lo], each double in
 * its shortest exact form (so text round-trips bit for bit, -0 included).
 */
#ifndef COMPSUM_TEXT_H
#define COMPSUM_TEXT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "compsum.h"
#include "float_text.h"
#include "json_reader.h"

/* Most characters compsum_to_text writes. */
#define COMPSUM_TEXT_MAX (2 * FLOAT_TEXT_LEN + 3)

/* True when both halves are +0: such a sum may be left out of a JSON object. */
static inline bool
compsum_is_plus_zero(const CompSum *c)
{
	return c->hi == 0.0 && c->lo == 0.0 && !signbit(c->hi) && !signbit(c->lo);
}

/* Writes c at p (not NUL-terminated); returns the characters written. */
size_t		compsum_to_text(const CompSum *c, char *p);

/* Reads a number or [hi, lo]; false (with the reader's error) on anything else. */
bool		json_read_compsum(JsonReader *r, CompSum *c);

/*
 * Reads {"name": sum, ...} into sums[k] for names[k] (nnames at most
 * COMPSUM_MAX_NAMES); names may be left out, never repeated or unknown.
 */
#define COMPSUM_MAX_NAMES 32
bool		json_read_compsum_object(JsonReader *r, const char *const *names, int nnames,
									 CompSum *sums);

#endif

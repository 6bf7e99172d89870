/*
 * float_text.h — exact text for doubles, without backend headers.
 *
 * float_to_text writes the shortest digits that read back to the same bits
 * (so every value round-trips, and 0.1 prints as 0.1), in positional
 * notation for exponents -4 to 14 and scientific otherwise: float8out's own
 * printer (libpgcommon's Ryu).  text_to_float
 * reads a whole token strictly: no leading/trailing garbage, no overflow to
 * infinity, and no "inf"/"nan" spellings.
 */
#ifndef FLOAT_TEXT_H
#define FLOAT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enough for "-d.dddddddddddddddde-308" and "-Infinity" (Ryu needs 25). */
#define FLOAT_TEXT_LEN 32

/* Writes value into buf (FLOAT_TEXT_LEN bytes); returns the length. */
int			float_to_text(double value, char *buf);

/* Parses exactly len bytes of s as a finite double. */
bool		text_to_float(const char *s, size_t len, double *out);

/* Parses exactly len bytes of s as a decimal int64 (optional '-'). */
bool		text_to_int64(const char *s, size_t len, int64_t *out);

#endif

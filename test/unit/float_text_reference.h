/*
 * float_text_reference.h — the printer src/core/float_text.c used before
 * 1.2 (a printf/strtod search for the shortest digits), kept only as the
 * reference the unit test and test/bench/bench_float_text.c compare
 * libpgcommon's Ryu against.
 */
#ifndef FLOAT_TEXT_REFERENCE_H
#define FLOAT_TEXT_REFERENCE_H

/* Writes value into buf (FLOAT_TEXT_LEN bytes) as the old printer did. */
int			reference_float_to_text(double value, char *buf);

/*
 * True when the decimal text s is exactly halfway between v and one of
 * its neighbouring doubles (so it reads back as v only by ties-to-even).
 */
int			reference_is_midpoint(double v, const char *s);

#endif

/*
 * param_text.h — the text form shared by policies and interval methods:
 *   name [ "(" key "=" number { "," key "=" number } ")" ]
 * names and keys case-insensitive (lower-cased here), white space anywhere
 * between tokens, each key at most once, numbers finite.  What a name and
 * its keys mean is the caller's business.
 */
#ifndef PARAM_TEXT_H
#define PARAM_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "ab_error.h"

#define PARAM_TEXT_MAX_PARAMS 4
#define PARAM_TEXT_WORD 32

typedef struct ParamText
{
	char		name[PARAM_TEXT_WORD];
	int			nparams;
	char		keys[PARAM_TEXT_MAX_PARAMS][PARAM_TEXT_WORD];
	double		values[PARAM_TEXT_MAX_PARAMS];
} ParamText;

/*
 * Parse text into out.  what names the thing in messages ("policy") and
 * example shows its form in the detail of a syntax error.
 */
bool		param_text_parse(const char *text, size_t len, const char *what, const char *example,
							 ParamText *out, AbError *err);

#endif

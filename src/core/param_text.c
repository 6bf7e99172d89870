/*
 * param_text.c — see param_text.h.
 */
#include "param_text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "float_text.h"

typedef struct Lexer
{
	const char *p;
	const char *end;
	const char *what;
	const char *example;
} Lexer;

static void
skip_space(Lexer *lx)
{
	while (lx->p < lx->end && isspace((unsigned char) *lx->p))
		lx->p++;
}

/* A word of letters, digits and '_' (lower-cased into buf). */
static size_t
read_word(Lexer *lx, char *buf, size_t bufsz)
{
	size_t		n = 0;

	skip_space(lx);
	while (lx->p < lx->end && (isalnum((unsigned char) *lx->p) || *lx->p == '_'))
	{
		if (n + 1 < bufsz)
			buf[n] = (char) tolower((unsigned char) *lx->p);
		n++;
		lx->p++;
	}
	buf[n < bufsz ? n : bufsz - 1] = '\0';
	return n;
}

static bool
accept_char(Lexer *lx, char c)
{
	skip_space(lx);
	if (lx->p < lx->end && *lx->p == c)
	{
		lx->p++;
		return true;
	}
	return false;
}

static bool
syntax_error(const Lexer *lx, AbError *err, const char *expected)
{
	ab_fail(err, AB_ERR_VALUE, "invalid %s: expected %s", lx->what, expected);
	ab_detail(err, "%s", lx->example);
	return false;
}

static bool
read_number(Lexer *lx, const char *key, double *out, AbError *err)
{
	const char *start;

	skip_space(lx);
	start = lx->p;
	while (lx->p < lx->end && *lx->p != ',' && *lx->p != ')' && !isspace((unsigned char) *lx->p))
		lx->p++;
	if (!text_to_float(start, (size_t) (lx->p - start), out))
		return ab_fail(err, AB_ERR_VALUE, "%s parameter %s must be a finite number, got \"%.*s\"",
					   lx->what, key, (int) (lx->p - start > 40 ? 40 : lx->p - start), start);
	return true;
}

static bool
parse_params(Lexer *lx, ParamText *out, AbError *err)
{
	if (accept_char(lx, ')'))
		return true;
	for (;;)
	{
		char		key[PARAM_TEXT_WORD];
		int			i;

		if (read_word(lx, key, sizeof(key)) == 0)
			return syntax_error(lx, err, "a parameter name");
		if (!accept_char(lx, '='))
			return syntax_error(lx, err, "'=' after a parameter name");
		for (i = 0; i < out->nparams; i++)
			if (strcmp(out->keys[i], key) == 0)
			{
				double		ignored;

				if (!read_number(lx, key, &ignored, err))
					return false;
				return ab_fail(err, AB_ERR_VALUE, "%s parameter %s is given twice", lx->what, key);
			}
		if (out->nparams == PARAM_TEXT_MAX_PARAMS)
			return ab_fail(err, AB_ERR_VALUE, "%s has more than %d parameters", lx->what,
						   PARAM_TEXT_MAX_PARAMS);
		if (!read_number(lx, key, &out->values[out->nparams], err))
			return false;
		strcpy(out->keys[out->nparams++], key);
		if (accept_char(lx, ')'))
			return true;
		if (!accept_char(lx, ','))
			return syntax_error(lx, err, "',' or ')'");
	}
}

bool
param_text_parse(const char *text, size_t len, const char *what, const char *example,
				 ParamText *out, AbError *err)
{
	Lexer		lx = {text, text + len, what, example};

	memset(out, 0, sizeof(*out));
	if (read_word(&lx, out->name, sizeof(out->name)) == 0)
	{
		char		expected[64];

		snprintf(expected, sizeof(expected), "a %s name", what);
		return syntax_error(&lx, err, expected);
	}
	if (lx.p < lx.end && *lx.p != '(' && !isspace((unsigned char) *lx.p))
	{
		const char *stop = lx.p;

		while (stop < lx.end && *stop != '(' && !isspace((unsigned char) *stop))
			stop++;
		return ab_fail(err, AB_ERR_VALUE, "unknown %s \"%.*s\"", what,
					   (int) (stop - text > 60 ? 60 : stop - text), text);
	}
	if (accept_char(&lx, '(') && !parse_params(&lx, out, err))
		return false;
	skip_space(&lx);
	if (lx.p != lx.end)
	{
		char		expected[64];

		snprintf(expected, sizeof(expected), "the end of the %s", what);
		return syntax_error(&lx, err, expected);
	}
	return true;
}

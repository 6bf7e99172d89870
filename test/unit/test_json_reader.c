/* The strict JSON pull parser. */
#include <string.h>

#include "json_reader.h"
#include "unit.h"

static bool
parse_string(const char *json, char *out, size_t outsz)
{
	JsonReader	r;
	AbError		err;

	json_reader_init(&r, json, strlen(json), "test", &err);
	return json_read_string(&r, out, outsz) && json_finish(&r);
}

static bool
parse_number_array(const char *json, double *out, int max, int *count)
{
	JsonReader	r;
	JsonIter	it;
	AbError		err;
	bool		done;

	*count = 0;
	json_reader_init(&r, json, strlen(json), "test", &err);
	if (!json_array_begin(&r, &it))
		return false;
	for (;;)
	{
		if (!json_array_next(&r, &it, &done))
			return false;
		if (done)
			break;
		if (*count >= max || !json_read_double(&r, &out[(*count)++]))
			return false;
	}
	return json_finish(&r);
}

void
test_json_reader(void)
{
	char		s[16];
	double		a[4];
	int			n;
	JsonReader	r;
	JsonIter	it;
	AbError		err;
	char		key[8];
	bool		done;

	CHECK(parse_string("\"abc\"", s, sizeof(s)) && strcmp(s, "abc") == 0);
	CHECK(parse_string(" \"a\\n\\u00e9\\ud83d\\ude00\" ", s, sizeof(s)) &&
		  strcmp(s, "a\n\xc3\xa9\xf0\x9f\x98\x80") == 0);
	CHECK(!parse_string("\"\\ud83d\"", s, sizeof(s)));	/* lone surrogate */
	CHECK(!parse_string("\"\\u0000\"", s, sizeof(s)));
	CHECK(!parse_string("\"abc", s, sizeof(s)));
	CHECK(!parse_string("\"a\tb\"", s, sizeof(s)));	/* raw control char */
	CHECK(!parse_string("\"0123456789abcdef\"", s, sizeof(s)));	/* too long */
	CHECK(!parse_string("\"\\x\"", s, sizeof(s)));

	CHECK(parse_number_array("[1, -2.5e3 ,0]", a, 4, &n) && n == 3 &&
		  a[0] == 1 && a[1] == -2500 && a[2] == 0);
	CHECK(parse_number_array("[]", a, 4, &n) && n == 0);
	CHECK(!parse_number_array("[1,]", a, 4, &n));
	CHECK(!parse_number_array("[,1]", a, 4, &n));
	CHECK(!parse_number_array("[01]", a, 4, &n));
	CHECK(!parse_number_array("[+1]", a, 4, &n));
	CHECK(!parse_number_array("[1.]", a, 4, &n));
	CHECK(!parse_number_array("[NaN]", a, 4, &n));
	CHECK(!parse_number_array("[1e999]", a, 4, &n));
	CHECK(!parse_number_array("[1] x", a, 4, &n));
	CHECK(!parse_number_array("[1", a, 4, &n));

	/* objects, and the error message carries the offset */
	json_reader_init(&r, "{\"k\": null}", 11, "thing", &err);
	CHECK(json_object_begin(&r, &it));
	CHECK(json_object_next(&r, &it, key, sizeof(key), &done) && !done && strcmp(key, "k") == 0);
	CHECK(json_next_is_null(&r));
	CHECK(json_object_next(&r, &it, key, sizeof(key), &done) && done);
	CHECK(json_finish(&r));

	json_reader_init(&r, "{\"k\" 1}", 7, "thing", &err);
	CHECK(json_object_begin(&r, &it));
	CHECK(!json_object_next(&r, &it, key, sizeof(key), &done));
	CHECK(err.kind == AB_ERR_SYNTAX);
	CHECK(strstr(err.message, "type thing") != NULL && strstr(err.message, "byte 5") != NULL);
	/* failures latch */
	CHECK(!json_finish(&r));
}

/* Shortest round-trip printing and strict number parsing. */
#include <stdint.h>
#include <string.h>

#include "float_text.h"
#include "unit.h"

static void
check_prints(double v, const char *want)
{
	char		buf[FLOAT_TEXT_LEN];

	float_to_text(v, buf);
	CHECK(strcmp(buf, want) == 0);
	if (strcmp(buf, want) != 0)
		fprintf(stderr, "  printed %s, want %s\n", buf, want);
}

void
test_float_text(void)
{
	unsigned long long seed = 42;
	char		buf[FLOAT_TEXT_LEN];
	double		d;
	int64_t		i64;
	int			i;

	check_prints(0.1, "0.1");
	check_prints(1.0 / 3.0, "0.3333333333333333");
	check_prints(5e-324, "5e-324");
	check_prints(-0.0, "-0");
	check_prints(1e300, "1e+300");
	check_prints(1.7976931348623157e308, "1.7976931348623157e+308");
	check_prints(250, "250");
	check_prints(1e14, "100000000000000");
	check_prints(1e15, "1e+15");
	check_prints(123456789012345.6, "123456789012345.6");
	check_prints(0.0001, "0.0001");
	check_prints(0.00001234, "1.234e-05");
	check_prints(-2.5e-7, "-2.5e-07");
	check_prints(1234.5, "1234.5");
	check_prints(NAN, "NaN");
	check_prints(-INFINITY, "-Infinity");

	/* random bit patterns round-trip exactly */
	for (i = 0; i < 100000; i++)
	{
		uint64_t	bits = unit_rand_u64(&seed);
		double		v,
					back = 0;

		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v))
			continue;
		float_to_text(v, buf);
		CHECK(text_to_float(buf, strlen(buf), &back));
		CHECK(memcmp(&v, &back, sizeof(v)) == 0);
	}

	CHECK(text_to_float("2.5e-3", 6, &d) && d == 2.5e-3);
	CHECK(!text_to_float("1e999", 5, &d));
	CHECK(!text_to_float("inf", 3, &d));
	CHECK(!text_to_float("nan", 3, &d));
	CHECK(!text_to_float("0x10", 4, &d));
	CHECK(!text_to_float(" 1", 2, &d));
	CHECK(!text_to_float("1 ", 2, &d));
	CHECK(!text_to_float("", 0, &d));
	CHECK(text_to_int64("-9223372036854775808", 20, &i64) && i64 == INT64_MIN);
	CHECK(text_to_int64("9223372036854775807", 19, &i64) && i64 == INT64_MAX);
	CHECK(!text_to_int64("9223372036854775808", 19, &i64));
	CHECK(!text_to_int64("-", 1, &i64));
	CHECK(!text_to_int64("1.0", 3, &i64));
}

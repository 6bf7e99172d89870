/* Compensated sums: exact where naive summation loses everything. */
#include "compsum.h"
#include "unit.h"

void
test_compsum(void)
{
	CompSum		s = {0, 0},
				a = {0, 0},
				b = {0, 0};
	double		naive = 0;
	int			i;

	/* 1e16 + 1 + 1 + ... : each 1 is lost naively (ulp(1e16) = 2) */
	compsum_add(&s, 1e16);
	naive = 1e16;
	for (i = 0; i < 1000; i++)
	{
		compsum_add(&s, 1.0);
		naive += 1.0;
	}
	compsum_add(&s, -1e16);
	naive -= 1e16;
	CHECK(compsum_value(&s) == 1000.0);
	CHECK(naive != 1000.0);

	/* merging halves keeps the compensation */
	compsum_add(&a, 1e16);
	for (i = 0; i < 500; i++)
	{
		compsum_add(&a, 1.0);
		compsum_add(&b, 1.0);
	}
	compsum_add(&b, -1e16);
	compsum_merge(&a, &b);
	CHECK(compsum_value(&a) == 1000.0);
}

/*
 * run_unit.c — runs every unit test of the pure-C core and prints the
 * "N passed, N failed" line the CI reads.
 */
#include "unit.h"

int			unit_failures = 0;
int			unit_checks = 0;

typedef struct UnitTest
{
	const char *name;
	void		(*fn) (void);
} UnitTest;

static const UnitTest tests[] = {
	{"float_text", test_float_text},
	{"json_reader", test_json_reader},
	{"normal", test_normal},
	{"compsum", test_compsum},
	{"ope_state", test_ope_state},
	{"ope_estimators", test_ope_estimators},
	{"ope_codec", test_ope_codec},
	{"ope_lambda", test_ope_lambda},
	{"ope_warnings", test_ope_warnings},
	{"log_checks", test_log_checks},
	{"feature_hash", test_feature_hash},
	{"linalg", test_linalg},
	{"bandit_model", test_bandit_model},
	{"policy", test_policy},
	{"thompson", test_thompson},
};

int
main(void)
{
	size_t		i;
	int			passed = 0,
				failed = 0;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
	{
		int			before = unit_failures;

		tests[i].fn();
		if (unit_failures == before)
		{
			passed++;
			printf("ok   %s\n", tests[i].name);
		}
		else
		{
			failed++;
			printf("FAIL %s (%d checks failed)\n", tests[i].name, unit_failures - before);
		}
	}
	printf("unit: %d checks\n", unit_checks);
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

/* Tests of the growing delays (backoff.c): doubling, linear, the ceiling. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>

#include <cmocka.h>

#include "backoff.h"

/* Doubling from first, capped at max, the way retries and --init wait. */
static void
test_double(void **state)
{
	(void)state;
	assert_int_equal(backoff_double(100, 5000, 1), 100);
	assert_int_equal(backoff_double(100, 5000, 2), 200);
	assert_int_equal(backoff_double(100, 5000, 3), 400);
	assert_int_equal(backoff_double(100, 5000, 6), 3200);
	assert_int_equal(backoff_double(100, 5000, 7), 5000);
	assert_int_equal(backoff_double(200, 5000, 5), 3200);
	assert_int_equal(backoff_double(200, 5000, 6), 5000);
	assert_int_equal(backoff_double(100, 5000, INT_MAX), 5000);
	assert_int_equal(backoff_double(100, 5000, 0), 100);
	assert_int_equal(backoff_double(100, 5000, -3), 100);
	assert_int_equal(backoff_double(9000, 5000, 1), 5000);
}

/* Linear from step, capped at max, without overflow for huge counts. */
static void
test_linear(void **state)
{
	(void)state;
	assert_int_equal(backoff_linear(200, 5000, 1), 200);
	assert_int_equal(backoff_linear(200, 5000, 2), 400);
	assert_int_equal(backoff_linear(200, 5000, 25), 5000);
	assert_int_equal(backoff_linear(200, 5000, 26), 5000);
	assert_int_equal(backoff_linear(200, 5000, INT_MAX), 5000);
	assert_int_equal(backoff_linear(200, 5000, 0), 200);
	assert_int_equal(backoff_linear(0, 5000, 7), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

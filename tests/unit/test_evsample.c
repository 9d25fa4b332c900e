/*
 * Tests of the sampling of persistent items' events (pool-evsample.c):
 * the burst, the counts, the window's end and the run's.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pool-evsample.h"

#define MS	1000000LL

/* The first EVSAMPLE_BURST go through; the others are counted by kind. */
static void
test_burst(void **state)
{
	struct evsample	s;
	uint64_t	started = 9, done = 9;
	int		i, taken = 0;

	(void)state;
	evsample_init(&s);
	assert_false(evsample_turn(&s, 1000 * MS, &started, &done));
	for (i = 0; i < EVSAMPLE_BURST + 30; i++)
		taken += evsample_take(&s, i % 2 == 0);
	assert_int_equal(taken, EVSAMPLE_BURST);
	/* Within the window: nothing said yet. */
	assert_false(evsample_turn(&s, 1000 * MS + (EVSAMPLE_MS - 1) * MS,
	    &started, &done));
	assert_true(evsample_turn(&s, 1000 * MS + EVSAMPLE_MS * MS, &started,
	    &done));
	assert_int_equal(started, 15);
	assert_int_equal(done, 15);
	/* A new window: a new burst. */
	assert_true(evsample_take(&s, true));
}

/* A window with nothing counted says nothing; the run's end says the rest. */
static void
test_quiet_and_end(void **state)
{
	struct evsample	s;
	uint64_t	started, done;
	int		i;

	(void)state;
	evsample_init(&s);
	assert_false(evsample_turn(&s, 5 * MS, &started, &done));
	assert_true(evsample_take(&s, false));
	assert_false(evsample_turn(&s, 5 * MS + EVSAMPLE_MS * MS, &started,
	    &done));
	for (i = 0; i < EVSAMPLE_BURST + 3; i++)
		(void)evsample_take(&s, true);
	assert_true(evsample_turn(&s, INT64_MAX, &started, &done));
	assert_int_equal(started, 0);
	assert_int_equal(done, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_quiet_and_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

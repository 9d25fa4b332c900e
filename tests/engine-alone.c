/*
 * Nothing but the engine: the build links every object of src/libpooltop.a
 * into this program without ncurses, so an engine file that calls curses
 * (or anything of src/ui) fails the build here, not in review.
 */
#include "config.h"

/* Do nothing: the link is the test. */
int
main(void)
{
	return 0;
}

/*
 * What the unit tests that touch files share: a scratch directory made
 * before the group runs and removed after it (cmocka's group setup and
 * teardown), paths in it, and reading a file whole.  Include it once, after
 * cmocka.h, with SCRATCH_NAME defined to name the directory.
 */
#ifndef PT_TEST_SCRATCH_H
#define PT_TEST_SCRATCH_H

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

#ifndef SCRATCH_NAME
#error define SCRATCH_NAME before including scratch.h
#endif

#define SCRATCH_UNUSED	__attribute__((__unused__))

static char	tmpdir[] = "/tmp/pooltop-test-" SCRATCH_NAME ".XXXXXX";

/* A path in the scratch directory (caller frees). */
static SCRATCH_UNUSED char *
tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* The whole content of a file, NUL-terminated (it may hold NULs). */
static SCRATCH_UNUSED char *
slurp(const char *path, size_t *lenp)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 chunk[4096];
	ssize_t		 n;
	int		 fd;

	fd = open(path, O_RDONLY);
	assert_true(fd != -1);
	buf_add(&b, "", 0);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (lenp != NULL)
		*lenp = b.len;
	return b.data;
}

/* Make the scratch directory. */
static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Remove the scratch directory. */
static int
teardown(void **state)
{
	char	*cmd = xasprintf("rm -rf '%s'", tmpdir);
	int	 rc = system(cmd);

	(void)state;
	free(cmd);
	return rc == 0 ? 0 : -1;
}

#endif

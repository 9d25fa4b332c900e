/*
 * libFuzzer target for the config loader: each input is written to a file
 * in a private temp directory and loaded with opts_load_config(); the
 * input, as a string, also goes through parse_halt() and parse_termseq().
 * Nothing may crash, leak, exit or hang, whatever the bytes (includes of
 * missing files, directories and the file itself among them).
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -I src -I BUILDDIR
 *	tests/fuzz/fuzz_config.c src/opts.c src/text.c src/util.c \
 *	    -lconfig -lbsd
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "util.h"

int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char	*__lsan_default_suppressions(void);

static char	dir[PATH_MAX];
static char	path[PATH_MAX];

/*
 * libconfig 1.5 leaks a string token when a parse fails after it (its
 * parser has no destructor for them); that is not pooltop's to fix.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

/* Remove the temp file and directory at exit. */
static void
cleanup(void)
{
	char	sub[PATH_MAX + 8];

	unlink(path);
	snprintf(sub, sizeof sub, "%s/dir", dir);
	rmdir(sub);
	rmdir(dir);
}

/* Make the temp directory once, with a subdirectory to @include. */
static void
init_dir(void)
{
	const char	*t = getenv("TMPDIR");
	char		 sub[PATH_MAX + 8];

	snprintf(dir, sizeof dir, "%s/pooltop-fuzz.XXXXXX",
	    t != NULL ? t : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof path, "%s/f.conf", dir);
	snprintf(sub, sizeof sub, "%s/dir", dir);
	if (mkdir(sub, 0700) == -1)
		abort();
	atexit(cleanup);
}

/* Write the input as the config file. */
static void
write_input(const uint8_t *data, size_t size)
{
	int	fd;

	fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
	if (fd == -1 || write_all(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opts		o;
	struct halt_policy	h;
	struct termseq		ts;
	char			err[512], *s;

	if (dir[0] == '\0')
		init_dir();
	write_input(data, size);
	opts_init(&o);
	opts_load_config(&o, path, err, sizeof err);
	opts_free(&o);

	s = xstrndup((const char *)data, size);
	parse_halt(s, &h, err, sizeof err);
	if (parse_termseq(s, &ts, err, sizeof err) == 0)
		format_termseq(&ts, err, sizeof err);
	free(s);
	return 0;
}

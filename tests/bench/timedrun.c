/*
 * The clock of tests/bench/paired.sh: one run of a command, timed from
 * just before its posix_spawn to just after its wait4, as hyperfine -N
 * times one.  timedrun WALL CPU OUT CMD [ARGS...] runs CMD with stdin and
 * stderr on /dev/null and stdout on OUT (truncated), then appends its wall
 * seconds to the file WALL and the CPU seconds (user + system) of CMD and
 * every process it reaped to the file CPU ("-": not kept).  CMD's own exit
 * status is not acted on (the benchmarks check the output); 127 when it
 * could not be started.
 *
 * Timing from bash instead (a fork of the whole shell, the redirections in
 * the child, the wait) added 0.2-0.4 ms to every figure on the 2-core
 * machine the README quotes: up to 4% of a 20,000-item persistent run.
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

extern char **environ;

static int
append(const char *path, double v)
{
	FILE	*f;

	if (strcmp(path, "-") == 0)
		return 0;
	if ((f = fopen(path, "a")) == NULL) {
		fprintf(stderr, "timedrun: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%.6f\n", v);
	return fclose(f) == 0 ? 0 : -1;
}

static double
sec(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
	posix_spawn_file_actions_t	fa;
	struct timespec			a, b;
	struct rusage			ru;
	pid_t				pid;
	int				st, error;

	if (argc < 5) {
		fprintf(stderr, "usage: timedrun WALL CPU OUT CMD [ARGS...]\n");
		return 2;
	}
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
	    0) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 1, argv[3],
	    O_WRONLY | O_CREAT | O_TRUNC, 0644) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
	    0) != 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	error = posix_spawnp(&pid, argv[4], &fa, NULL, argv + 4, environ);
	if (error != 0) {
		fprintf(stderr, "timedrun: %s: %s\n", argv[4], strerror(error));
		return 127;
	}
	while (wait4(pid, &st, 0, &ru) == -1)
		if (errno != EINTR)
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (append(argv[1], (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9) == -1 ||
	    append(argv[2], sec(ru.ru_utime) + sec(ru.ru_stime)) == -1)
		return 1;
	return 0;
}

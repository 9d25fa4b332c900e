/*
 * The baseline for tests/bench/spawn.sh: the least a runner can do.
 * spawnloop P N CMD [ARGS...] runs CMD N times, P at a time, with
 * posix_spawnp and waitpid, and nothing else.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

int
main(int argc, char **argv)
{
	long	p, n, started = 0, running = 0;
	pid_t	pid;
	int	st;

	if (argc < 4) {
		fprintf(stderr, "usage: spawnloop P N CMD [ARGS...]\n");
		return 2;
	}
	p = atol(argv[1]);
	n = atol(argv[2]);
	while (started < n || running > 0) {
		while (running < p && started < n) {
			if (posix_spawnp(&pid, argv[3], NULL, NULL, argv + 3,
			    environ) != 0)
				return 1;
			started++;
			running++;
		}
		if (wait(&st) > 0)
			running--;
	}
	return 0;
}

/*
 * The baseline for tests/bench/spawn.sh: the least a runner can do.
 * spawnloop P N CMD [ARGS...] runs CMD ARGS... I for I = 1..N, P at a
 * time, with posix_spawnp and wait, and nothing else.  The item is passed
 * as the runners pass it (`true 17`): coreutils' true sets up its locale
 * when given one argument, which costs ~20 page faults a run.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

int
main(int argc, char **argv)
{
	long	p, n, started = 0, running = 0;
	pid_t	pid;
	int	st, k, nargs = argc - 3;
	char	**args, item[32];

	if (argc < 4) {
		fprintf(stderr, "usage: spawnloop P N CMD [ARGS...]\n");
		return 2;
	}
	p = atol(argv[1]);
	n = atol(argv[2]);
	if ((args = calloc((size_t)nargs + 2, sizeof *args)) == NULL)
		return 1;
	for (k = 0; k < nargs; k++)
		args[k] = argv[3 + k];
	args[nargs] = item;
	while (started < n || running > 0) {
		while (running < p && started < n) {
			snprintf(item, sizeof item, "%ld", started + 1);
			if (posix_spawnp(&pid, argv[3], NULL, NULL, args,
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

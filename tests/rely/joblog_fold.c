/*
 * The joblog reader folds lines into runs of seqs; this checks it against
 * the plain meaning (the last line of each seq wins) on random joblogs:
 * seqs out of order, repeated, ok and failed, chunks of every size, and a
 * huge finished prefix.  Prints its figures like the shell tests.
 *
 *	joblog_fold [ROUNDS]
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool-joblog.h"
#include "util.h"

static int	failures;

/* Report one check. */
static void
check(int ok, const char *what, long round)
{
	if (!ok) {
		printf("not ok - %s (round %ld)\n", what, round);
		failures++;
	}
}

/* Write a random joblog of n lines over seqs 1..maxseq; fill the model. */
static void
write_random(FILE *f, long n, uint64_t maxseq, int *state, uint64_t *lastcmd)
{
	long		i;
	uint64_t	seq;
	int		failed;

	fprintf(f, "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval"
	    "\tSignal\tCommand\n");
	for (i = 0; i < n; i++) {
		seq = 1 + (uint64_t)random() % maxseq;
		failed = random() % 3 == 0;
		fprintf(f, "%llu\t:\t1.000\t     0.001\t0\t0\t%d\t%d\tcmd %llu"
		    " line %ld\n", (unsigned long long)seq, failed ? 1 : 0,
		    failed && random() % 2 ? 9 : 0, (unsigned long long)seq, i);
		state[seq] = failed ? 2 : 1;
		lastcmd[seq] = (uint64_t)i;
	}
}

/* One random joblog read back and compared with the model. */
static void
one_round(const char *path, long round)
{
	struct joblog_past	*jp;
	uint64_t		 maxseq = 1 + (uint64_t)random() % 3000;
	uint64_t		*seqs, *lastcmd, s, top = 0;
	long			 n = random() % 40000;
	char			**cmds, err[256], want[64];
	size_t			 nf, k = 0;
	int			*state;
	FILE			*f;

	state = xcalloc(maxseq + 2, sizeof *state);
	lastcmd = xcalloc(maxseq + 2, sizeof *lastcmd);
	if ((f = fopen(path, "w")) == NULL)
		exit(99);
	write_random(f, n, maxseq, state, lastcmd);
	fclose(f);
	if ((jp = joblog_read(path, err, sizeof err)) == NULL) {
		printf("not ok - read: %s\n", err);
		exit(1);
	}
	for (s = 1; s <= maxseq + 1; s++) {
		check(joblog_past_state(jp, s) == state[s], "state", round);
		if (state[s] != 0)
			top = s;
	}
	check(joblog_past_max_seq(jp) == top, "max seq", round);
	nf = joblog_past_failed(jp, &seqs, &cmds);
	for (s = 1; s <= maxseq; s++) {
		if (state[s] != 2)
			continue;
		snprintf(want, sizeof want, "cmd %llu line %llu",
		    (unsigned long long)s, (unsigned long long)lastcmd[s]);
		check(k < nf && seqs[k] == s && strcmp(cmds[k], want) == 0,
		    "failed list", round);
		k++;
	}
	check(k == nf, "failed count", round);
	for (k = 0; k < nf; k++)
		free(cmds[k]);
	free(cmds);
	free(seqs);
	joblog_past_free(jp);
	free(state);
	free(lastcmd);
}

/* A million finished tasks, then a few failed and some holes. */
static void
big_prefix(const char *path)
{
	struct joblog_past	*jp;
	char			 err[256];
	long			 i;
	FILE			*f;

	if ((f = fopen(path, "w")) == NULL)
		exit(99);
	for (i = 1; i <= 1000000; i++)
		if (i % 250000 != 0)
			fprintf(f, "%ld\t:\t1.000\t0.001\t0\t0\t%d\t0\tx\n", i,
			    i == 777 ? 3 : 0);
	fclose(f);
	if ((jp = joblog_read(path, err, sizeof err)) == NULL)
		exit(1);
	check(joblog_past_state(jp, 1) == 1 && joblog_past_state(jp, 776) == 1 &&
	    joblog_past_state(jp, 777) == 2 && joblog_past_state(jp, 250000) == 0 &&
	    joblog_past_state(jp, 999999) == 1 &&
	    joblog_past_state(jp, 1000000) == 0 &&
	    joblog_past_max_seq(jp) == 999999, "big prefix", 0);
	joblog_past_free(jp);
}

int
main(int argc, char **argv)
{
	char	 path[] = "/tmp/pooltop-fold.XXXXXX";
	long	 rounds = argc > 1 ? atol(argv[1]) : 60, r;
	int	 fd;

	if ((fd = mkstemp(path)) == -1)
		return 99;
	close(fd);
	srandom((unsigned)getpid());
	for (r = 0; r < rounds; r++)
		one_round(path, r);
	big_prefix(path);
	unlink(path);
	printf("# rely-figures: tasks=0 faults=0 hostile=%ld lost=0\n", rounds);
	printf("# %ld random joblogs, %d failures\n", rounds, failures);
	return failures == 0 ? 0 : 1;
}

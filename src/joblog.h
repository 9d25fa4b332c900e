/*
 * GNU parallel's joblog, written and read.  Columns, tab-separated, with a
 * header line:  Seq Host Starttime JobRuntime Send Receive Exitval Signal
 * Command.  Starttime is epoch seconds with 3 decimals, JobRuntime seconds
 * with 3 decimals, Host ":", Send and Receive 0.  Each line is written with
 * one write(2) as the task ends, so a killed supervisor leaves whole lines.
 * The file is locked (flock) while a pool uses it: a second pooltop on the
 * same joblog refuses to start.
 */
#ifndef PT_JOBLOG_H
#define PT_JOBLOG_H

#include <stdbool.h>
#include <stdint.h>

struct joblog;

struct joblog_entry {
	uint64_t	 seq;
	int64_t		 start_real_ns;
	int64_t		 runtime_ns;
	int		 exitval;
	int		 signal;
	const char	*command;
};

/* Open for append (truncate when !keep); locks; writes header if empty. */
struct joblog	*joblog_open(const char *path, bool keep, char *err, size_t);
int		 joblog_write(struct joblog *, const struct joblog_entry *);
void		 joblog_close(struct joblog *);

/*
 * What an earlier run recorded, for --resume/--resume-failed/--retry-failed:
 * per seq, whether it ran and whether it succeeded (the last line wins),
 * and its command.  Reading a missing file gives an empty set.
 */
struct joblog_past;
struct joblog_past *joblog_read(const char *path, char *err, size_t);
void		 joblog_past_free(struct joblog_past *);
/* 0 not recorded, 1 recorded ok, 2 recorded failed. */
int		 joblog_past_state(const struct joblog_past *, uint64_t seq);
/* Failed entries in seq order, for --retry-failed: seq and command. */
size_t		 joblog_past_failed(const struct joblog_past *, uint64_t **seqs,
		    char ***commands);
uint64_t	 joblog_past_max_seq(const struct joblog_past *);

#endif

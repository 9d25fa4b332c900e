/*
 * GNU parallel's joblog, written and read.  Columns, tab-separated, with a
 * header line:  Seq Host Starttime JobRuntime Send Receive Exitval Signal
 * Command.  Starttime is epoch seconds with 3 decimals, JobRuntime seconds
 * with 3 decimals, Host ":", Send the size of its --pipe block (else 0),
 * Receive the bytes the task wrote to its standard output.  "-" (or
 * /dev/stdout) and /dev/stderr name pooltop's own descriptors, and "+FILE"
 * appends to FILE with no header, as in GNU
 * parallel; a symbolic link is refused but under /dev.  Each line is
 * written with one write(2) as the task ends, so a killed supervisor leaves
 * whole lines.
 * The file is locked while a pool uses it (a POSIX fcntl lock, whose
 * holder's pid F_GETLK can name): a second pooltop on the same joblog
 * refuses to start with "joblog FILE is in use by another pooltop (pid N)".
 * Such a lock dies with the process (kill -9 too), and also as soon as the
 * process closes any descriptor of the file: never open the joblog file
 * elsewhere in pooltop (joblog_read() knows to read the held descriptor).
 * Newlines in a command are written as NUL bytes, as GNU parallel does.
 */
#ifndef PT_POOL_JOBLOG_H
#define PT_POOL_JOBLOG_H

#include <stdbool.h>
#include <stdint.h>

struct joblog;

struct joblog_entry {
	uint64_t	 seq;
	int64_t		 start_real_ns;
	int64_t		 runtime_ns;
	uint64_t	 send;		/* bytes of standard input (--pipe) */
	uint64_t	 receive;	/* bytes of standard output */
	int		 exitval;	/* -1: timed out */
	int		 signal;
	const char	*command;	/* as run, raw: expanded_cmdline() */
	const char	*host;		/* the sshlogin it ran on; NULL: ":" */
};

/*
 * Open for append (truncate when !keep, after locking); locks; writes the
 * header if empty.  With keep, a partial last line left by a crash is cut
 * off first.  Refuses a symbolic link; created with mode 0600.
 */
struct joblog	*joblog_open(const char *path, bool keep, char *err, size_t);
int		 joblog_write(struct joblog *, const struct joblog_entry *);
/* A Starttime: seconds since the epoch, rounded to 3 decimals. */
void		 joblog_format_start(char *out, size_t len, int64_t ns);
void		 joblog_close(struct joblog *);

/*
 * What an earlier run recorded, for --resume/--resume-failed/--retry-failed:
 * per seq, whether it ran and whether it succeeded (the last line wins),
 * and its command.  A missing file, or standard output or error, gives an
 * empty set.  A last line without its newline is ignored; another
 * malformed line is an error ("FILE:LINE: not a joblog line").  Exitval -1
 * (a timeout in GNU parallel) or a nonzero Signal count as failed.
 */
struct joblog_past;
/*
 * 1 if the joblog records a task, 0 if it records none (missing, empty,
 * the header only, standard output or error), -1 and err for a line that
 * is not a joblog's ("FILE:LINE: not a joblog line") or a file that cannot
 * be read.
 */
int		 joblog_records(const char *path, char *err, size_t);
struct joblog_past *joblog_read(const char *path, char *err, size_t);
void		 joblog_past_free(struct joblog_past *);
/* 0 not recorded, 1 recorded ok, 2 recorded failed. */
int		 joblog_past_state(const struct joblog_past *, uint64_t seq);
/*
 * Failed entries in seq order, for --retry-failed: seq and command (with
 * its newlines back).  Both arrays and every string are new copies: the
 * caller frees each command, then the two arrays.
 */
size_t		 joblog_past_failed(const struct joblog_past *, uint64_t **seqs,
		    char ***commands);
uint64_t	 joblog_past_max_seq(const struct joblog_past *);

/*
 * Every line of a joblog, in file order, for `pooltop report`: fn is
 * called with each entry (its command NUL-terminated with its newlines
 * back, host NULL for ":", both valid during the call only; receive is
 * Receive).  "-" reads standard input.  Times may carry up to 9 decimals
 * and leading spaces (GNU parallel pads them).  A last line without its
 * newline is ignored, as the reader above does; another malformed line
 * stops with "FILE:LINE: not a joblog line".  0, or -1 and err.
 */
int		 joblog_scan(const char *path,
		    void (*fn)(void *, const struct joblog_entry *), void *arg,
		    char *err, size_t errlen);

#endif

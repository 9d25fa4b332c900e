/*
 * Task output: what the supervisor does with the bytes workers forward.
 * Default (GNU parallel's --group): a task's stdout and stderr are each
 * printed as one block when the task ends.  --line-buffer: complete lines
 * are printed as they come, never two tasks inside one line.  --tag: each
 * line starts with the item and a tab.  --keep-order: tasks print in input
 * order (later ones wait, buffered).  --results DIR: DIR/<seq>/stdout and
 * DIR/<seq>/stderr (plus DIR/<seq>/item), nothing printed; --results
 * FILE.csv, .tsv or .json: one record a task in FILE (pool-record.h).
 * --ungroup: bytes printed as they come, untagged, in no order.
 * Output of an attempt that will be retried is dropped in group mode.
 */
#ifndef PT_POOL_OUTPUT_H
#define PT_POOL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "opts.h"
#include "pool-joblog.h"

struct output;

/*
 * out_fd/err_fd: where stdout/stderr of tasks go (a spool in dashboard
 * mode).
 */
struct output	*output_new(const struct opts *, int out_fd, int err_fd,
		    char *err, size_t errlen);
void		 output_free(struct output *);	/* flushes what it holds */
void		 output_start(struct output *, uint64_t seq, const char *item);
/*
 * The same for a task of several arguments (args NULL: one, the item):
 * --results-layout gnu names its directory DIR/1/ARG1/2/ARG2/...
 */
void		 output_start_args(struct output *, uint64_t seq,
		    const char *item, const char *const *args, size_t nargs);
/* --tagstring: the tag of a started task's lines (a tab follows it). */
void		 output_set_tag(struct output *, uint64_t seq, const char *tag);
void		 output_data(struct output *, uint64_t seq, int stream,
		    const char *, size_t);
/*
 * The whole output of an attempt that succeeded, given as it ends (a
 * persistent line's answer): printed at once when nothing orders, tags,
 * keeps or files it and nothing of it is held yet, without a record of
 * the task.  true if it was; else the caller gives it to output_data().
 */
bool		 output_whole(struct output *, uint64_t seq, int stream,
		    const char *, size_t);
/*
 * --results FILE.csv/.tsv/.json: the record of a task that ended for good,
 * its joblog entry with the output held; output_end(final) follows.
 * Nothing otherwise.
 */
void		 output_result(struct output *, const struct joblog_entry *);
/* Does output_result() write records (and so read their commands)? */
bool		 output_records(const struct output *);
/* final: no retry follows.  Prints what is due. */
void		 output_end(struct output *, uint64_t seq, bool final);
/* An attempt ended by the pool (stop, halt, shrink): drop what it holds. */
void		 output_cancel(struct output *, uint64_t seq);
/*
 * --speculate: a second copy of task seq runs beside the first.  Its bytes
 * are held apart, never printed nor written to --results files while both
 * run (--ungroup and --line-buffer are refused with --speculate).  When
 * one copy is left, either the second's output is dropped
 * (output_copy_drop) or it takes the place of the first's, which is
 * dropped (output_copy_wins: --results DIR files are emptied and rewritten);
 * from then on the task is one again: output_data(), output_end().
 */
void		 output_copy_start(struct output *, uint64_t seq);
void		 output_copy_data(struct output *, uint64_t seq, int stream,
		    const char *, size_t);
void		 output_copy_drop(struct output *, uint64_t seq);
void		 output_copy_wins(struct output *, uint64_t seq);
/* Drop every output not printed yet (--halt now). */
void		 output_drop_held(struct output *);
/* A seq that will never run (skipped by --resume): unblocks keep-order. */
void		 output_skip(struct output *, uint64_t seq);
void		 output_flush(struct output *);
/* 0, or -1 after a write error (the reason in output_error). */
const char	*output_error(const struct output *);
bool		 output_closed(const struct output *);	/* EPIPE */

#endif

/*
 * --results FILE.csv, FILE.tsv and FILE.json: one record per task, as GNU
 * parallel writes them, with the joblog's fields, the task's arguments
 * and its whole standard output and error.  This module only formats;
 * pool-output.c holds the bytes and writes the records.
 */
#ifndef PT_POOL_RECORD_H
#define PT_POOL_RECORD_H

#include <stddef.h>

#include "pool-joblog.h"
#include "util.h"

enum record_kind { RECORD_NONE = 0, RECORD_CSV, RECORD_TSV, RECORD_JSON };

/* The kind a --results name asks for by its ending (any case), or NONE. */
enum record_kind record_kind(const char *name);

/* What one record holds besides the joblog's fields. */
struct record {
	const struct joblog_entry *e;
	const char *const *args;	/* V1 ... Vn */
	size_t		 nargs;
	const struct buf *out, *err;	/* the task's stdout and stderr */
};

/*
 * The CSV or TSV header line: the joblog's columns, names[0..nargs) (or
 * V1 ... Vn where names is NULL or too short), Stdout and Stderr.
 */
void	record_header(struct buf *, enum record_kind, const char *const *names,
	    size_t nnames, size_t nargs);
/* One record, its newline included. */
void	record_format(struct buf *, enum record_kind, const struct record *);

#endif

/*
 * GNU parallel's input model on top of the item sources: columns
 * (--colsep, --csv, --header), items grouped into tasks (-N, or as many
 * as fit with -m and --xargs, measured with the template), a random
 * order (--shuf), and --dry-run, which prints the commands instead of
 * running them.  main.c calls these between building the source and
 * starting the pool.
 */
#ifndef PT_POOL_INPUT_H
#define PT_POOL_INPUT_H

#include <stddef.h>

#include "opts.h"

struct source;
struct template;

/*
 * Wrap *src as the options ask: columns, --shuf, -N groups (in that
 * order).  *src may be NULL (nothing to wrap).  0, or -1 and err (a bad
 * --colsep, or those options with the config file's tasks).
 */
int	input_wrap(const struct opts *, struct source **src, char *err,
	    size_t errlen);
/*
 * --header: wait for the header (blocking on a pipe), then write each
 * {NAME} of o's template as the {K} of its column, and name the results
 * levels after the columns (o->result_keys).  Without a header, grouped
 * items (-N, -m) get keys "1", "2" ... per source.  0, or -1 and err.
 */
int	input_header(struct opts *, struct source *, char *err,
	    size_t errlen);
/*
 * --dry-run: print each task's command (with --tag or --tagstring, its tag
 * and a tab first) on stdout, one a line, as the joblog's Command column
 * would hold it; run nothing.  The exit status: 0, or 255 when the
 * template does not compile or the input fails (said on stderr).
 */
int	input_dry_run(const struct opts *, struct source *);
/*
 * --tagstring's tag for a task: tpl (compiled from the string as one
 * word) expanded with the task's arguments (args NULL: arg is its one),
 * values substituted as they are.  Allocated.
 */
char	*input_tag(const struct template *tpl, const char *arg,
	    const char *const *args, size_t nargs, uint64_t seq, int slot);
/*
 * Make a compiled command template what the options ask (-X: repeat the
 * words holding {}); 0, or -1 and err (-X with a shell template).
 */
int	input_template_mode(struct template *, const struct opts *,
	    char *err, size_t errlen);
/* o->command compiled and checked ({N}, -X) as --check-config and --dry-run
   take it (no shell for several words or --persistent); NULL and err. */
struct template *input_compile(const struct opts *, char *err,
	    size_t errlen);
/* Compile --tagstring's template; NULL and err if it does not compile. */
struct template *input_tag_compile(const char *str, char *err,
	    size_t errlen);

#endif

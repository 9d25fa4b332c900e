/*
 * Control commands: one table, one function each.  A command is a line of
 * words ("pause 3", "resize 8", "kill 2 KILL", "status --json").  Dashboard
 * keys and the control socket run commands through cmd_run(); signals
 * (SIGUSR1: one worker more) call the same pool.h functions from pool.c, so
 * each control has one function in the engine.
 */
#ifndef PT_CMD_H
#define PT_CMD_H

#include "util.h"

struct pool;
struct pt_shm_header;

/* Run one command line; the reply (or error text) goes to out.  0 or -1. */
int	cmd_run(struct pool *, const char *line, struct buf *out);
/* One line per command: "name args  -- help". */
void	cmd_help(struct buf *);

/*
 * Replies: on success the body (maybe empty); on failure one line
 * "error: <reason>\n".  Of the helpers below, ctl.c uses cmd_known(),
 * src/gen-completion.c cmd_name() and client-ls.c cmd_json_pool();
 * cmd_split() and cmd_freev() are exported for the unit tests.
 */
int	cmd_known(const char *name);		/* is it a command name? */
const char *cmd_name(size_t i);		/* the i-th command; NULL past end */
/* Split on blanks (no quoting); argv is NULL-terminated; free: cmd_freev. */
int	cmd_split(const char *line, char ***argv);
void	cmd_freev(int argc, char **argv);
/* A pool's JSON fields, no braces: status --json and ls --json share them. */
/*
 * The "hosts" field of status --json (and ls --json), with its leading
 * comma: per machine the slots run on, its live workers and running tasks.
 */
struct pt_shm;
void	cmd_json_hosts(const struct pt_shm *, const struct pt_shm_header *,
	    struct buf *);
void	cmd_json_pool(struct buf *, const struct pt_shm_header *,
	    const char *state);

#endif

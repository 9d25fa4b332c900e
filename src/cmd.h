/*
 * Control commands: one table, one function each.  A command is a line of
 * words ("pause 3", "resize 8", "kill 2 KILL", "status --json").  Dashboard
 * keys, headless signals (SIGUSR1 = "resize +1") and the control socket all
 * run commands through cmd_run(), so each control has one path.
 */
#ifndef PT_CMD_H
#define PT_CMD_H

#include "util.h"

struct pool;
struct pt_shm_header;

/* Run one command line; the reply (or error text) goes to out.  0 or -1. */
int	cmd_run(struct pool *, const char *line, struct buf *out);
int	cmd_runv(struct pool *, int argc, char **argv, struct buf *out);
/* One line per command: "name args  -- help". */
void	cmd_help(struct buf *);

/*
 * Replies: on success the body (maybe empty); on failure one line
 * "error: <reason>\n".  The helpers below are shared with ctl.c.
 */
int	cmd_known(const char *name);		/* is it a command name? */
/* Split on blanks (no quoting); argv is NULL-terminated; free: cmd_freev. */
int	cmd_split(const char *line, char ***argv);
void	cmd_freev(int argc, char **argv);
/* A pool's JSON fields, no braces: status --json and ls --json share them. */
void	cmd_json_pool(struct buf *, const struct pt_shm_header *,
	    const char *state);

#endif

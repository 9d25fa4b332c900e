/*
 * --detach: start the pool headless in the background.
 *
 * detach_start() forks.  The parent waits, on a pipe, until the child
 * says its pool is up (segment created, control socket listening) and
 * then prints the pool's ID on stdout and its log's path on stderr, and
 * exits 0; or, when the child ends without saying so, prints what the
 * child wrote to its log since it started and exits with the child's
 * status (255 if it had none).  There is no race: `pooltop ctl ID status`
 * right after the parent returns reaches the pool.
 *
 * The child is the supervisor: a session of its own (setsid), stdin from
 * /dev/null, stdout and stderr (task output, the event log, the summary)
 * appended to the log: --log FILE, or DIR/NAME.log (DIR/PID.log for a
 * pool without a name usable as a file name), DIR being
 * $XDG_STATE_HOME/pooltop or ~/.local/state/pooltop, created mode 0700.
 */
#ifndef PT_DETACH_H
#define PT_DETACH_H

#include <stddef.h>

struct opts;

/*
 * Refuse what a detached pool cannot do: the dashboard, and items from
 * stdin (no :::, -a FILE, config items or tasks, --range, --retry-failed
 * or --keep-open).  0, or -1 and err.
 */
int	detach_check(const struct opts *, char *err, size_t errlen);
/*
 * Fork.  In the parent: never returns (exits as above).  In the child:
 * 0 once it is set up (o->log_file is then NULL: the log is stderr), or
 * -1 and err (the parent reports it).
 */
int	detach_start(struct opts *, char *err, size_t errlen);
/* The child's pool is up: tell the parent, which returns.  No-op twice. */
void	detach_ready(void);

#endif

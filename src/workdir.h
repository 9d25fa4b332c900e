/*
 * --workdir for tasks on this machine, as GNU parallel has it, and the
 * directory a worker's task runs in (here or on another host).
 *
 * The supervisor resolves --workdir once (workdir_new()): a DIR without
 * replacement strings is one directory for every task, relative to the
 * directory pooltop runs in; `.` is that directory (nothing to do); `...`
 * a new directory for each task, $HOME/.pooltop/tmp/HOST-PID-N (HOST this
 * machine's name, PID the supervisor's, N the task), removed after the
 * task whatever it left; made anew by each run of the task, so a
 * --speculate copy beside the first run gets HOST-PID-N-2
 * (workdir_make_new()); a DIR with replacement strings is a directory a
 * task, expanded with the task's arguments as they are and tidied as GNU
 * parallel does (workdir_tidy()), sent in its RUN (PT_RUN_WD): "" is the
 * directory pooltop runs in.  An item that adds a `..` the template does
 * not have (`out/{}` with ../../etc) is refused: its task fails.
 *
 * The worker makes the directory (mkdir -p, modes from the umask) before
 * it spawns the task, and the task's process enters it (posix_spawn's
 * chdir file action, worker-group.h): the worker itself never moves, so
 * its own relative paths (--pipe-part's file, a task's stdin file) stay
 * where pooltop started.  A directory it cannot make or enter fails the
 * task (PT_DONE_WORKDIR, naming the directory and the errno).
 */
#ifndef PT_WORKDIR_H
#define PT_WORKDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct opts;
struct workdir;
struct xfer_task;

/*
 * --workdir for the tasks on this machine, or NULL: with err "" when there
 * is nothing to do (none, or `.`), else why (exit 255): a template that
 * does not compile, HOME unset for `...`, a directory a task with
 * --persistent, or a build without posix_spawn_file_actions_addchdir_np.
 */
struct workdir	*workdir_new(const struct opts *, char *err, size_t errlen);
void		 workdir_free(struct workdir *);

/*
 * The directory every task runs in (absolute), with PT_CONF_WD_UNIQUE in
 * *flags for `...` (task N in "DIR-N"), or NULL when each task's RUN names
 * its own (a template).  *temp: remove each task's directory after it.
 */
const char	*workdir_fixed(const struct workdir *, uint32_t *flags,
		    bool *temp);
/* The directory the pool runs in: the base of a RUN's relative one. */
const char	*workdir_base(const struct workdir *);

/*
 * The directory of task t when --workdir has replacement strings
 * (allocated, relative to workdir_base(); "" that directory), else NULL.
 * An item that would climb out of it is refused: NULL and why.
 */
char		*workdir_task(const struct workdir *, const struct xfer_task *,
		    char *why, size_t whylen);

/* Tidy an expanded directory as GNU parallel does: no "/./", no "/" at
 * the end, no "./" at the start.  In place. */
void		 workdir_tidy(char *);

/*
 * In a worker: the directory of a task into d (len bytes): dir with "-seq"
 * after it when flags hold PT_CONF_WD_UNIQUE; a relative rel from a RUN
 * joined to base.  0 or ENAMETOOLONG.
 */
int		 workdir_seq(char *d, size_t len, const char *dir,
		    uint32_t flags, uint64_t seq);
int		 workdir_join(char *d, size_t len, const char *base,
		    const char *rel);
/* Make d (mkdir -p) unless it is a directory already: 0 or an errno. */
int		 workdir_make(const char *d);
/*
 * Make d anew for one attempt of a task (`...`): d itself if no other
 * attempt has it (the task's other copy, --speculate, or a directory left
 * by another run), else "d-2", "d-3" ... into d (len bytes), so that no
 * two attempts share one and each removes only its own.  0 with d made, or
 * an errno with nothing made.
 */
int		 workdir_make_new(char *d, size_t len);
/* Remove d and all it holds (a task's `...` directory); errors ignored. */
void		 workdir_remove(const char *d);

#endif

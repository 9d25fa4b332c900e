/*
 * The machines a pool's workers run on: this one, and the ssh logins given
 * with -S/--sshlogin (GNU parallel's `[N/][user@]host[:port]`, `:` for
 * this machine).
 *
 * A worker on another machine is `pooltop worker` started through ssh,
 * the protocol on its standard input and output (worker-remote.c).  Each
 * host has one master connection (OpenSSH ControlMaster, its socket in
 * the pool's runtime directory), opened before its first worker and shared
 * by all of them, so a worker costs a session, not a connection.  The
 * master and the workers' ssh clients are children of the supervisor, in
 * process groups of their own, killed with it (PR_SET_PDEATHSIG); on the
 * other side each worker ends its task group and exits when its stream
 * closes, so nothing of the pool outlives the supervisor on any machine.
 *
 * Slots per host: N/ of the login, else -j, else the host's CPU count,
 * which its first worker reports in HELLO (the host starts with one worker
 * until then).  A host whose master connection ends, or whose workers fail
 * to connect HOSTS_FAIL_MAX times in a row, is down: it gets no more
 * workers, and its tasks are run elsewhere.
 */
#ifndef PT_POOL_HOSTS_H
#define PT_POOL_HOSTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "opts.h"
#include "util.h"

#define HOST_LOCAL	(-1)	/* this machine, as a host index */
#define HOST_NONE	(-2)	/* no host can take a worker now */
#define HOST_ANY	(-3)	/* every host, for the caller's filters */

struct hosts;

enum host_state { HOST_NEW, HOST_CONNECTING, HOST_UP, HOST_DOWN };

/*
 * The hosts of the options (NULL and a message in err when a login is
 * malformed), or NULL and err "" when the pool runs here only.
 */
struct hosts	*hosts_new(const struct opts *, char *err, size_t errlen);
void		 hosts_free(struct hosts *);
int		 hosts_count(const struct hosts *);	/* remote ones */

/*
 * Workers wanted in all: the sum of each host's slots (down hosts count
 * none, hosts not yet measured count what they have).
 */
int		 hosts_wanted(const struct hosts *);
/*
 * The host for a new worker: the one furthest below its share, HOST_LOCAL,
 * or HOST_NONE when that one is still connecting or no host takes one.
 * A choice by shares and states alone: hosts_tick() connects the hosts
 * and moves their states on in time.
 */
int		 hosts_pick(struct hosts *);
/*
 * Connections: check masters that are connecting; true if one came up or
 * went down (the caller balances workers again).  Sets *next (mono ns) to
 * when it wants to be called again, or 0.
 */
bool		 hosts_tick(struct hosts *, int64_t now, int64_t *next);
/* Is pid a master connection of ours?  Then it was reaped: note it. */
bool		 hosts_reaped(struct hosts *, pid_t, int wstatus);
bool		 hosts_is_master(const struct hosts *, pid_t);

/*
 * The command that starts a worker on host h (NULL-terminated, the
 * hosts'), for execvp().
 */
char *const	*hosts_worker_argv(struct hosts *, int h);

/*
 * ssh to host h over its master connection, for a command line that
 * follows (NULL-terminated, the hosts'): file copies.  NULL on Slurm.
 */
char *const	*hosts_ssh_argv(struct hosts *, int h);

/* A worker started on h; its HELLO came (ncpu there); it ended. */
void		 hosts_worker_started(struct hosts *, int h);
void		 hosts_worker_hello(struct hosts *, int h, int ncpu);
/*
 * A worker on h ended; hello: whether it had connected.  Returns true when
 * this made the host down (the caller says why: hosts_why()).
 */
bool		 hosts_worker_ended(struct hosts *, int h, bool hello,
		    const char *why);

const char	*hosts_name(const struct hosts *, int h); /* "host" */
const char	*hosts_login(const struct hosts *, int h); /* as given */
enum host_state	 hosts_state(const struct hosts *, int h);
int		 hosts_live(const struct hosts *, int h);
int		 hosts_slots(const struct hosts *, int h);
const char	*hosts_why(const struct hosts *, int h);	/* "" */
/* The host named name ("host" as the slots show it; ":" this machine). */
int		 hosts_find(const struct hosts *, const char *name);
/* Host h gets n workers from now on (resize). */
void		 hosts_set_slots(struct hosts *, int h, int n);
/* Every remote host is down and there is no local one. */
bool		 hosts_all_down(const struct hosts *);
bool		 hosts_slurm(const struct hosts *);	/* srun, not ssh */
/* h is lost (why: what shows it): no more workers there. */
void		 hosts_set_down(struct hosts *, int h, const char *why);

/*
 * --sshloginfile: if the file changed since it was read, read it again:
 * a new login joins (its master connection is started by hosts_tick()),
 * one no longer there leaves (no new workers; down once its last worker
 * ends, hosts_worker_ended() saying so), a new N/ resizes.  `:` and the
 * -S logins stay as they were.  What it did, one line each, is appended
 * to out.  1 when something changed or was said, else 0.
 */
int		 hosts_reload(struct hosts *, struct buf *out);
/* Host h left the --slf file. */
bool		 hosts_gone(const struct hosts *, int h);

/*
 * Fork a helper (an ssh, a copy) in a process group of its own, stdin
 * and stdout /dev/null, stderr a pipe whose read end (non-blocking) goes
 * in *errfd.  0 in the child (which must exec or _exit); in the parent
 * its pid, or -1 and why.
 */
pid_t		 hosts_spawn(int *errfd, char *why, size_t len);
/* Append s in single quotes, for the remote POSIX shell. */
void		 hosts_quote(struct buf *, const char *s);
/*
 * The last line a helper process (an ssh) wrote on fd, non-blocking, into
 * why; why unchanged when it wrote none.
 */
void		 hosts_last_words(int fd, char *why, size_t len);

/* Parse one login into its parts (for tests); -1 and err if malformed. */
int		 hosts_parse_login(const char *, int *slots, char *user,
		    size_t, char *host, size_t, int *port, char *err, size_t);

#endif

/*
 * The control socket.  Every pool listens on a Unix stream socket
 * <dir>/<supervisor-pid>.sock, where <dir> is $XDG_RUNTIME_DIR/pooltop or
 * /tmp/pooltop-<uid> (mode 0700, owned by us, not a symlink; else refused);
 * when another uid holds /tmp/pooltop-<uid>, a directory of ours,
 * /tmp/pooltop-<uid>.XXXXXX, is used instead and clients search it too.
 * The socket is 0600 and a peer whose SO_PEERCRED uid differs is refused.
 *
 * Protocol: the client sends one command line (cmd.h syntax) ending in
 * '\n', at most CTL_LINE_MAX bytes; the server answers "ok\n" or
 * "error: <reason>\n", then the body, and closes.  Bad, oversized or slow
 * requests get an error reply; they never disturb the pool.
 *
 * Items of `add` may hold any byte but NUL, the line only printable
 * ASCII: the client writes each item as one word with text_word() (bytes
 * outside '!'..'~', and '%', as %HH; the empty item as "%") and the server
 * decodes it with text_unword().  An item must fit in one line (4091
 * bytes escaped); the client sends as many lines as its items need, each
 * added whole or refused whole, and reads `add -a FILE` itself, so a
 * relative path is the client's.  The pool bounds what waits to start
 * (pool.h: POOL_ADD_MAX_ITEMS, POOL_ADD_MAX_BYTES).
 *
 * The server end runs in the supervisor (pool-ctl.c), the client end in
 * `pooltop ctl`, `attach` and `ls` (client-ctl.c); both find the
 * directories through ctl.c.
 */
#ifndef PT_CTL_H
#define PT_CTL_H

#include <sys/types.h>

#include <stddef.h>

#include "util.h"

#define CTL_LINE_MAX	4096
#define CTL_MAX_CLIENTS	16	/* served at once; fewer under a low fd limit */

struct loop;
struct pool;

/* Server (pool-ctl.c): create the socket, serve it from the loop. */
int	ctl_listen(struct loop *, struct pool *, char *path, size_t pathlen,
	    char *err, size_t errlen);
void	ctl_close(void);		/* close and unlink the socket */

/*
 * The per-user socket directory, created if asked; NULL and err if unsafe.
 * When it is a fallback (see above), err says so (a note, not an error).
 */
const char *ctl_dir(int create, char *err, size_t errlen);

/*
 * Client: the socket of the pool whose supervisor is pid, looked for in
 * the safe per-user directories (never taken from the segment).  -1 if
 * there is none.
 */
int	ctl_socket_of(pid_t pid, char *sock, size_t len);
/*
 * Client: find a live pool by ID (supervisor pid or pool name; NULL: the
 * only live pool), fill its segment name and socket path.  -1 and err.
 */
int	ctl_find(const char *id, char *shm_name, size_t, char *sock, size_t,
	    char *err, size_t errlen);
/*
 * Server: hold the pool name for as long as the returned descriptor (and
 * its copies) stays open: an flock()ed file <ctl_dir>/name-<hex>.lock,
 * which closes the window between two pools that check a name at once.
 * -1 with errno EWOULDBLOCK when another pool holds it, other errno when
 * no lock could be taken.
 */
int	ctl_name_lock(const char *name);
/* Client: the pid of a live pool named name, or 0 if there is none. */
pid_t	ctl_name_live(const char *name);
/*
 * Send one command, read the whole reply; 0 when the reply is "ok" (reply
 * gets the body after "ok\n"), else -1: reply gets the "error: ...\n" line
 * (the server's, or the reason the exchange failed) and err its text.
 */
int	ctl_request(const char *sock, const char *line, struct buf *reply,
	    char *err, size_t errlen);

/*
 * `pooltop ctl [--json] [ID|NAME] COMMAND [ARGS]`; argv[0] is "ctl".
 * Exit 0 on an "ok" reply, 1 on an error reply, 255 on a usage error or
 * when no pool answers.
 */
int	ctl_main(int argc, char **argv);

/*
 * Remove sockets in ctl_dir() whose pool is gone (pid not among live and
 * the process dead, or nothing listening); their paths, one a line, are
 * appended to removed (may be NULL).  Returns how many were removed.
 */
int	ctl_remove_stale(const pid_t *live, size_t nlive, struct buf *removed);

#endif

/*
 * What the two ends of the control socket share (ctl.c): the directories
 * sockets live in and small helpers.  Not for other modules.
 */
#ifndef PT_CTL_INT_H
#define PT_CTL_INT_H

#include <sys/types.h>
#include <sys/un.h>

#include <stddef.h>

#define CTL_PATH_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)
#define CTL_TMP		"/tmp"
#define CTL_MAX_DIRS	8	/* directories searched for sockets */
#define CTL_CLIENT_NS	(10 * PT_NSEC)	/* a client's whole exchange */

/* Does a process listen on the socket at path? */
int	ctl_answers(const char *path);
/* The safe directories where sockets may be, up to max; how many. */
int	ctl_dirs(char dirs[][CTL_PATH_MAX], int max);
/* Is s a non-empty string of digits? */
int	ctl_all_digits(const char *s);
/* The pid a socket path is named after (<dir>/<pid>.sock), or 0. */
pid_t	ctl_sock_pid(const char *path);

#endif

/*
 * The dashboard.  It reads the pool only from the shared-memory segment
 * and steers it only through command lines (cmd.h syntax) handed to
 * host->send: in-process that is cmd_run(), attached it is ctl_request().
 * So the dashboard in `pooltop attach` is exactly the in-process one.
 */
#ifndef PT_UI_H
#define PT_UI_H

#include <stdbool.h>

#include "shm.h"
#include "util.h"

/*
 * Run a command: 0 and the reply's body (no "ok" line), or -1 and an
 * "error: ..." line in reply, as cmd_run() and ctl_request() do.
 */
typedef int (*ui_send_fn)(void *arg, const char *line, struct buf *reply);

struct ui_host {
	struct pt_shm	*shm;
	ui_send_fn	 send;		/* never NULL */
	void		*arg;
	bool		 attached;	/* q detaches and leaves the pool running */
	const char	*theme;		/* name or path, NULL: default */
};

enum ui_result { UI_CONTINUE = 0, UI_QUIT, UI_DETACH };

struct ui;

/* Take the terminal (ncursesw).  NULL and err on failure (no tty ...). */
struct ui	*ui_open(const struct ui_host *, char *err, size_t errlen);
int		 ui_fd(const struct ui *);	/* the terminal fd to poll */
enum ui_result	 ui_input(struct ui *);		/* read and handle keys */
void		 ui_tick(struct ui *);		/* sample the segment, redraw */
void		 ui_resize(struct ui *);	/* after SIGWINCH */
void		 ui_suspend(struct ui *);	/* before SIGTSTP: endwin */
void		 ui_resume(struct ui *);	/* after SIGCONT */
void		 ui_close(struct ui *);		/* give the terminal back */

/* `pooltop attach [ID]`: its own loop over the segment and the socket. */
int		 ui_attach_main(int argc, char **argv);

#endif

/*
 * The event loop of every long-lived process (the supervisor, a worker,
 * `pooltop attach`): one poll() over fd watches, interval timers and
 * one-shot deadlines, and a signalfd whose signals run per-signal hooks.
 *
 * The loop owns its arrays, the signalfd and the signal mask it changed;
 * the caller owns the descriptors it watches and closes them itself, after
 * loop_del() (a closed fd left watched makes poll() report POLLNVAL).
 *
 * Watches and timers are named by the int a loop_add()/loop_timer() call
 * returned; a name stays valid until loop_del()/loop_timer_del(), and only
 * then may be given to a new one.  A watch with fd -1 or events 0 is kept
 * in its place but not polled.
 *
 * One turn, loop_once(): run the timers that are due, earliest first, each
 * at most once; poll() until the next timer or deadline is due (never
 * earlier: the wait is rounded up), a watched fd is ready or a signal
 * arrives, or without waiting if a timer ran (the caller sees what it
 * changed before the loop sleeps); then call back, in the order the
 * watches were added (a freed place is taken again by the next
 * loop_add()), every watch that poll() found ready, with its revents.
 * The signalfd takes the place of the first loop_signal() call among the
 * watches.  A callback may add, change or remove any watch or timer, its
 * own too: a watch removed or given another fd during the turn is not
 * called for what poll() said of the old one, and a watch added during
 * the turn waits for the next.
 *
 * Signals: loop_signal() blocks sig, reads it from the signalfd and runs
 * its hooks, oldest first; loop_signal_first() puts a hook before the
 * others (a front end that must put the terminal back before a later hook
 * stops the process).  loop_free() restores the mask and closes the fd.
 * A forked child must not use its parent's loop: it makes its own.
 */
#ifndef PT_LOOP_H
#define PT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

typedef void (*loop_fd_cb)(int fd, short revents, void *);
typedef void (*loop_cb)(void *);
typedef void (*loop_sig_cb)(int sig, void *);

struct loop	*loop_new(void);
void		 loop_free(struct loop *);

/* Watch fd for events (POLLIN, POLLOUT); returns the watch's name. */
int	loop_add(struct loop *, int fd, short events, loop_fd_cb, void *);
/* Give the watch another fd or events; fd -1 or events 0: not polled. */
void	loop_set(struct loop *, int id, int fd, short events);
void	loop_del(struct loop *, int id);

/* A timer, not armed; returns its name.  cb NULL: it only ends the wait. */
int	loop_timer(struct loop *, loop_cb, void *);
/* Call it once, at mono_ns() when or soon after; when 0 disarms it. */
void	loop_timer_at(struct loop *, int id, int64_t when);
void	loop_timer_del(struct loop *, int id);
/* A timer called every ms milliseconds, the first time ms from now. */
int	loop_every(struct loop *, int ms, loop_cb, void *);

/* Run cb whenever sig arrives; 0, or -1 with errno (sigprocmask, signalfd). */
int	loop_signal(struct loop *, int sig, loop_sig_cb, void *);
int	loop_signal_first(struct loop *, int sig, loop_sig_cb, void *);
/*
 * Wait up to ms for a signal and throw away every pending one, running no
 * hook: for a process winding down that only waits for its children.
 */
void	loop_drop_signals(struct loop *, int ms);
/*
 * Wait, outside the turns, until fd is readable (1) or a signal is pending
 * (0; it stays for the next turn's hooks); -1 when poll() failed.
 */
int	loop_wait(struct loop *, int fd);

/* One turn (see above); 0, or -1 when poll() failed other than EINTR. */
int	loop_once(struct loop *);
/* Turns until done(arg) is true before one; 0, or -1 as loop_once(). */
int	loop_run(struct loop *, bool (*done)(void *), void *);

#endif

/*
 * `pooltop ls [--json]`: list this user's live pools from their segments,
 * and remove the segments and control sockets of pools that are gone.
 */
#ifndef PT_CLIENT_LS_H
#define PT_CLIENT_LS_H

/* argv[0] is "ls".  Exit 0, or 255 on a usage error. */
int	ls_main(int argc, char **argv);

#endif

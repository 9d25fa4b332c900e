/*
 * A file or a directory tree as one byte stream, for --transferfile and
 * --return of a directory (pool-xfer.h): the sending side packs it, the
 * receiving side (`pooltop worker --unpack` on the host, pooltop itself
 * here) unpacks it, so a whole tree crosses in one ssh session over the
 * host's master connection, whatever the names.
 *
 * The stream: "PTTREE1\n", then entries, each a struct header (host byte
 * order: both ends are the same pooltop version, as the workers), the
 * entry's path relative to the root ("" the root itself) and its bytes: a
 * file's contents or a symbolic link's target.  Directories come before
 * what they hold; an end entry closes the stream, so a stream cut short is
 * an error, never a smaller tree.
 *
 * What is kept: the tree's shape, each file's bytes and mode (07777, as
 * the single-file copy does), each directory's mode, symbolic links inside
 * the tree as links (their targets as they are); the root is followed if
 * it is a link.  Not kept: owners, times, hard links (copied as separate
 * files).  Another kind of file (a FIFO, a device) is an error naming it.
 *
 * The receiver merges into what is there (a file replaces the file of its
 * name, a directory is entered), writes each file under a temporary name
 * and renames it when all its bytes came, and sets the directories' modes
 * last (a read-only directory is filled first).  It refuses an absolute
 * path or a ".." in an entry: a sender cannot write outside the root.
 */
#ifndef PT_XFER_TREE_H
#define PT_XFER_TREE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Write path as a stream on fd; names_only: its entries without their
 * bytes (for tree_unpack()'s remove).  0, or -1 and why.
 */
int	tree_pack(const char *path, int fd, bool names_only, char *why,
	    size_t len);
/*
 * Read a stream from fd and make it at dest; remove: a names_only stream,
 * those files and links removed under dest, then the directories that are
 * left empty.  0, or -1 and why.
 */
int	tree_unpack(const char *dest, int fd, bool remove, char *why,
	    size_t len);

/* `pooltop worker --pack|--unpack|--remove PATH` on stdin/stdout. */
int	tree_main(const char *mode, const char *path);

#endif

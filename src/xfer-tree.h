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
 * last (a read-only directory is filled first).  It follows no link, the
 * root's neither: a file or link where a directory comes is replaced by
 * it, an empty directory where a file or link comes too, a directory that
 * holds anything is left and the entry fails (rsync's rules).  It refuses
 * an absolute path or a ".." in an entry: a sender cannot write outside
 * the root.  With TREE_LOCAL (--return, here) modes are those cp or rsync
 * without -p give: what is there keeps its mode and owner, what is made
 * gets the sender's mode masked by the umask; else the sender's mode, as
 * it is (07777: the host's copy for the task).
 *
 * A names-only stream (what was sent or received, without bytes) is what
 * --cleanup removes on the host: tree_unpack() with TREE_REMOVE removes
 * its files and links (never what a link points to), then the
 * directories left empty; below what is no longer a directory there (a
 * link now), nothing.
 */
#ifndef PT_XFER_TREE_H
#define PT_XFER_TREE_H

#include <stdbool.h>
#include <stddef.h>

#define TREE_REMOVE	0x1	/* a names-only stream: remove its entries */
#define TREE_LOCAL	0x2	/* modes as cp/rsync without -p (see above) */

/*
 * Write path as a stream on fd; names_only: its entries without their
 * bytes.  names: -1, or an fd that gets the names-only stream of the same
 * walk, closed (an end entry) even when the walk fails: what went.  0, or
 * -1 and why.
 */
int	tree_pack(const char *path, int fd, bool names_only, int names,
	    char *why, size_t len);
/*
 * Read a stream from fd and make it at dest (flags TREE_LOCAL), or remove
 * what a names-only stream names under dest (TREE_REMOVE).  names: -1, or
 * an fd that gets the names-only stream of what came.  0, or -1 and why.
 */
int	tree_unpack(const char *dest, int fd, unsigned flags, int names,
	    char *why, size_t len);

/* A names-only stream of one file, on fd: a file sent alone.  0 or -1. */
int	tree_names_file(int fd);
/* The type of a stream's root: 'd', 'f', 'l', or -1 not a stream. */
int	tree_stream_root(const void *stream, size_t n);

/* `pooltop worker --pack|--unpack|--remove PATH` on stdin/stdout. */
int	tree_main(const char *mode, const char *path);

#endif

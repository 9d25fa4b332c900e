/*
 * Item sources: args, ranges, config tasks, files and pipes, and the
 * longest-first order.  Pipes are fed
 * by a forked writer; the piecewise writer sends one piece per
 * acknowledgement, so items really are split across reads without any
 * sleep.  Every wait is a bounded poll().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pool-source.h"
#include "util.h"

#define POLL_MS		20000		/* a bound, never a delay */
#define MIB		(1024 * 1024)

static char	tmpdir[PATH_MAX];

/* Items read from a source, in order. */
struct got {
	char	**items;
	size_t	 *lens;
	size_t	  n;
};

/* Free what drain() collected. */
static void
got_free(struct got *g)
{
	size_t	i;

	for (i = 0; i < g->n; i++)
		free(g->items[i]);
	free(g->items);
	free(g->lens);
	memset(g, 0, sizeof g[0]);
}

/* Keep one item, checking that seq follows on. */
static void
got_add(struct got *g, struct item *it)
{
	assert_int_equal(it->seq, g->n + 1);
	g->items = xreallocarray(g->items, g->n + 1, sizeof *g->items);
	g->lens = xreallocarray(g->lens, g->n + 1, sizeof *g->lens);
	g->lens[g->n] = strlen(it->arg);
	g->items[g->n++] = it->arg;
	it->arg = NULL;
	item_clear(it);
}

/* Wait (bounded) until the source's fd is readable, then fill. */
static void
wait_fill(struct source *s)
{
	struct pollfd	pfd;
	int		r;

	pfd.fd = source_fd_get(s);
	pfd.events = POLLIN;
	assert_true(pfd.fd != -1);
	do
		r = poll(&pfd, 1, POLL_MS);
	while (r == -1 && errno == EINTR);
	assert_int_equal(r, 1);
	source_fill(s);
}

/* Read a source to its end; ackfd >= 0 gets a byte each time it runs dry. */
static void
drain(struct source *s, struct got *g, int ackfd)
{
	struct item	it;
	int		r;

	memset(g, 0, sizeof *g);
	while ((r = source_next(s, &it)) != -1) {
		if (r == 1) {
			got_add(g, &it);
			continue;
		}
		assert_int_equal(r, 0);
		if (ackfd != -1 && write(ackfd, "", 1) == -1)
			assert_int_equal(errno, EPIPE);	/* writer is done */
		wait_fill(s);
	}
}

/* Fork a writer that writes each piece after one byte on ack (if >= 0). */
static pid_t
writer(int fd, const char **pieces, const size_t *lens, size_t n, int ack,
    int closefd)
{
	pid_t	pid;
	size_t	i;
	char	c;

	if ((pid = fork()) != 0) {
		assert_true(pid > 0);
		close(fd);
		if (ack != -1)
			close(ack);
		return pid;
	}
	close(closefd);
	for (i = 0; i < n; i++) {
		if (ack != -1 && read(ack, &c, 1) != 1)
			_exit(1);
		if (write_all(fd, pieces[i], lens[i]) == -1)
			_exit(1);
	}
	/* Exec, so a run under valgrind does not leak-check this copy. */
	close(fd);
	execl("/bin/true", "true", (char *)NULL);
	_exit(0);
}

/* Reap a child; its exit status. */
static int
reap(pid_t pid)
{
	int	st;

	while (waitpid(pid, &st, 0) == -1)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Write a file in the temp dir and open it for reading. */
static int
file_with(const char *name, const void *data, size_t len)
{
	char	*path = xasprintf("%s/%s", tmpdir, name);
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	assert_int_equal(write_all(fd, data, len), (ssize_t)len);
	close(fd);
	fd = open(path, O_RDONLY);
	assert_true(fd != -1);
	free(path);
	return fd;
}

/* Items given as arguments, in order, copied out. */
static void
test_args(void **state)
{
	char		*items[] = { "a", "", "c d" };
	struct source	*s = source_args(items, 3);
	struct got	 g;
	uint64_t	 total;

	(void)state;
	assert_true(source_total(s, &total));
	assert_int_equal(total, 3);
	assert_int_equal(source_fd_get(s), -1);
	drain(s, &g, -1);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.items[1], "");
	assert_string_equal(g.items[2], "c d");
	assert_null(source_error(s));
	got_free(&g);
	source_free(s);
}

/* A weight for source_longest(): the item's number; "?" unknown. */
static int64_t
weight_of(void *arg, const struct item *it)
{
	uint64_t	*seen = arg;

	(*seen)++;
	if (strcmp(it->arg, "?") == 0)
		return -1;
	return strtoll(it->arg, NULL, 10);
}

/* Unknown first in input order, then the heaviest, ties in input order. */
static void
test_longest(void **state)
{
	char		*items[] = { "2", "?", "5", "2", "?", "9", "0" };
	uint64_t	 seen = 0, total;
	struct source	*s;
	struct item	 it;
	const char	*want[] = { "?", "?", "9", "5", "2", "2", "0" };
	size_t		 i;

	(void)state;
	s = source_longest(source_args(items, 7), weight_of, &seen);
	assert_true(source_total(s, &total));
	assert_int_equal(total, 7);
	for (i = 0; i < 7; i++) {
		assert_int_equal(source_next(s, &it), 1);
		assert_string_equal(it.arg, want[i]);
		assert_int_equal(it.seq, i + 1);	/* renumbered */
		item_clear(&it);
	}
	assert_int_equal(source_next(s, &it), -1);
	assert_int_equal(seen, 7);			/* once an item */
	source_free(s);
	s = source_longest(source_args(items, 0), weight_of, &seen);
	assert_int_equal(source_next(s, &it), -1);
	source_free(s);
}

/* Check a range's items and total. */
static void
check_range(long long from, long long to, long long step, const char *want)
{
	struct source	*s = source_range(from, to, step);
	struct got	 g;
	struct buf	 b = { 0 };
	uint64_t	 total;
	size_t		 i;

	assert_true(source_total(s, &total));
	drain(s, &g, -1);
	assert_int_equal(total, g.n);
	buf_add(&b, "", 0);
	for (i = 0; i < g.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", g.items[i]);
	if (strcmp(b.data, want) != 0)
		fail_msg("range %lld..%lld/%lld: got \"%s\", want \"%s\"",
		    from, to, step, b.data, want);
	buf_free(&b);
	got_free(&g);
	source_free(s);
}

/* Ranges up, down, by steps, empty, and at the ends of long long. */
static void
test_range(void **state)
{
	(void)state;
	check_range(1, 5, 1, "1 2 3 4 5");
	check_range(10, 1, -3, "10 7 4 1");
	check_range(1, 10, 4, "1 5 9");
	check_range(-2, 2, 2, "-2 0 2");
	check_range(3, 3, 1, "3");
	check_range(3, 3, -1, "3");
	check_range(5, 1, 1, "");
	check_range(1, 5, -1, "");
	check_range(LLONG_MAX - 1, LLONG_MAX, 5, "9223372036854775806");
	check_range(LLONG_MAX - 2, LLONG_MAX, 1,
	    "9223372036854775805 9223372036854775806 9223372036854775807");
	check_range(LLONG_MIN + 1, LLONG_MIN, -1,
	    "-9223372036854775807 -9223372036854775808");
	check_range(LLONG_MIN, LLONG_MAX, LLONG_MAX,
	    "-9223372036854775808 -1 9223372036854775806");
}

/* Config tasks: the label is the item, the command comes along. */
static void
test_tasks(void **state)
{
	struct conf_task tasks[] = {
		{ .command = (char *)"make all", .name = (char *)"build" },
		{ .command = (char *)"make check", .name = NULL },
	};
	struct source	*s = source_tasks(tasks, 2);
	struct item	 it;
	uint64_t	 total;

	(void)state;
	assert_true(source_total(s, &total));
	assert_int_equal(total, 2);
	assert_int_equal(source_next(s, &it), 1);
	assert_int_equal(it.seq, 1);
	assert_string_equal(it.arg, "build");
	assert_string_equal(it.command, "make all");
	assert_true(it.named);
	item_clear(&it);
	assert_null(it.arg);
	assert_int_equal(source_next(s, &it), 1);
	assert_int_equal(it.seq, 2);
	assert_string_equal(it.arg, "make check");
	assert_false(it.named);
	assert_string_equal(it.command, "make check");
	item_clear(&it);
	assert_int_equal(source_next(s, &it), -1);
	assert_int_equal(source_next(s, &it), -1);
	source_free(s);
}

/* A pipe fed piece by piece: items split across reads, then EOF. */
static void
test_pipe_pieces(void **state)
{
	char		*big = xmalloc(150001);
	const char	*pieces[] = { "al", "pha\nbe", "ta\n", "\ngam",
	    "ma\r\n", big, big + 50000, big + 100000,
	    "\nlast-no-newline" };
	size_t		 lens[nitems_of(pieces)], i;
	struct source	*s;
	struct got	 g;
	uint64_t	 total;
	int		 p[2], a[2], dupfd;
	pid_t		 pid;

	(void)state;
	memset(big, 'x', 150000);
	big[150000] = '\0';
	for (i = 0; i < nitems_of(pieces); i++)
		lens[i] = strlen(pieces[i]) < 50000 ? strlen(pieces[i]) : 50000;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(a), 0);
	pid = writer(p[1], pieces, lens, nitems_of(pieces), a[0], p[0]);
	assert_true((dupfd = dup(p[0])) != -1);
	s = source_fd(p[0], "pipe", '\n');
	assert_int_equal(source_fd_get(s), p[0]);
	assert_false(source_total(s, &total));
	drain(s, &g, a[1]);
	assert_int_equal(g.n, 6);
	assert_string_equal(g.items[0], "alpha");
	assert_string_equal(g.items[1], "beta");
	assert_string_equal(g.items[2], "");
	assert_string_equal(g.items[3], "gamma\r");
	assert_int_equal(g.lens[4], 150000);
	assert_int_equal(strspn(g.items[4], "x"), 150000);
	assert_string_equal(g.items[5], "last-no-newline");
	assert_null(source_error(s));
	assert_int_equal(source_fd_get(s), -1);	/* at EOF: stop polling */
	source_free(s);
	/* The pipe's flags are given back. */
	assert_int_equal(fcntl(dupfd, F_GETFL) & O_NONBLOCK, 0);
	close(dupfd);
	close(a[1]);
	assert_int_equal(reap(pid), 0);
	got_free(&g);
	free(big);
}

/* NUL-separated items may hold newlines; a pipe written in one go. */
static void
test_nul_sep(void **state)
{
	static const char data[] = "a\0b\nc\0\0d";
	const char	*pieces[] = { data };
	size_t		 lens[] = { sizeof data - 1 };
	struct source	*s;
	struct got	 g;
	int		 p[2];
	pid_t		 pid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = writer(p[1], pieces, lens, 1, -1, p[0]);
	s = source_fd(p[0], "-", '\0');
	drain(s, &g, -1);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.items[0], "a");
	assert_string_equal(g.items[1], "b\nc");
	assert_string_equal(g.items[2], "");
	assert_string_equal(g.items[3], "d");
	assert_int_equal(reap(pid), 0);
	source_free(s);
	got_free(&g);
}

/* Read a file source; check total and items joined by '|'. */
static void
check_file(const char *data, size_t len, char sep, uint64_t want_total,
    const char *want)
{
	struct source	*s = source_fd(file_with("f", data, len), "f", sep);
	struct got	 g;
	struct buf	 b = { 0 };
	uint64_t	 total;
	size_t		 i;

	assert_true(source_total(s, &total));
	assert_int_equal(total, want_total);
	assert_int_equal(source_fd_get(s), -1);
	source_fill(s);			/* nothing to do for a file */
	drain(s, &g, -1);
	assert_int_equal(g.n, want_total);
	buf_add(&b, "", 0);
	for (i = 0; i < g.n; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", g.items[i]);
	assert_string_equal(b.data, want);
	assert_null(source_error(s));
	buf_free(&b);
	got_free(&g);
	source_free(s);
}

/* Files: totals up front, missing final newline, empty lines, '\r'. */
static void
test_file_totals(void **state)
{
	struct source	*s;
	struct item	 it;
	uint64_t	 total;
	char		 two[2];
	int		 fd;

	(void)state;
	check_file("x\ny", 3, '\n', 2, "x|y");
	check_file("x\ny\n", 4, '\n', 2, "x|y");
	check_file("", 0, '\n', 0, "");
	check_file("\n", 1, '\n', 1, "");
	check_file("\n\n", 2, '\n', 2, "|");
	check_file("a\r\nb", 4, '\n', 2, "a\r|b");
	check_file("a\0b\0", 4, '\0', 2, "a|b");
	check_file("a\0b\nc", 5, '\0', 2, "a|b\nc");

	/* Counting starts where the fd stands and leaves it there. */
	fd = file_with("off", "a\nb\nc\n", 6);
	assert_int_equal(read(fd, two, 2), 2);
	s = source_fd(fd, "off", '\n');
	assert_true(source_total(s, &total));
	assert_int_equal(total, 2);
	assert_int_equal(source_next(s, &it), 1);
	assert_string_equal(it.arg, "b");
	assert_int_equal(it.seq, 1);
	item_clear(&it);
	source_free(s);
}

/* An item over 1 MiB ends the source with a message naming its line. */
static void
test_long_line(void **state)
{
	size_t		 len = 3 + MIB + 1 + 7;
	char		*data = xmalloc(len);
	struct source	*s;
	struct item	 it;

	(void)state;
	memcpy(data, "ok\n", 3);
	memset(data + 3, 'x', MIB + 1);
	memcpy(data + 3 + MIB + 1, "\nafter\n", 7);
	s = source_fd(file_with("long", data, len), "long.txt", '\n');
	assert_int_equal(source_next(s, &it), 1);
	assert_string_equal(it.arg, "ok");
	item_clear(&it);
	assert_int_equal(source_next(s, &it), -1);
	assert_null(it.arg);
	assert_string_equal(source_error(s), "long.txt:2: item longer than 1 MiB");
	assert_int_equal(source_next(s, &it), -1);
	source_free(s);

	/* Exactly 1 MiB is fine. */
	memset(data, 'y', MIB);
	data[MIB] = '\n';
	s = source_fd(file_with("mib", data, MIB + 1), "mib", '\n');
	assert_int_equal(source_next(s, &it), 1);
	assert_int_equal(strlen(it.arg), MIB);
	item_clear(&it);
	assert_int_equal(source_next(s, &it), -1);
	assert_null(source_error(s));
	source_free(s);

	/* Too long at EOF, without a separator. */
	memset(data, 'z', MIB + 1);
	s = source_fd(file_with("eof", data, MIB + 1), "eof", '\n');
	assert_int_equal(source_next(s, &it), -1);
	assert_string_equal(source_error(s), "eof:1: item longer than 1 MiB");
	source_free(s);
	free(data);
}

/*
 * The same limit on a pipe, and NUL bytes in '\n' items: each replaced by
 * "\0" with a warning, as GNU parallel does, and the source goes on.
 */
static void
test_pipe_limit_and_nul(void **state)
{
	size_t		 len = MIB + 100000;
	char		*data = xmalloc(len);
	const char	*pieces[] = { data };
	size_t		 lens[] = { len };
	struct source	*s;
	struct got	 g;
	struct item	 it;
	char		*w;
	int		 p[2];
	pid_t		 pid;

	(void)state;
	memcpy(data, "one\ntwo\n", 8);
	memset(data + 8, 'q', len - 8);
	assert_int_equal(pipe(p), 0);
	pid = writer(p[1], pieces, lens, 1, -1, p[0]);
	s = source_fd(p[0], "stdin", '\n');
	drain(s, &g, -1);
	assert_int_equal(g.n, 2);
	assert_string_equal(source_error(s), "stdin:3: item longer than 1 MiB");
	source_free(s);		/* closes the pipe: the writer may see EPIPE */
	reap(pid);
	got_free(&g);
	free(data);

	s = source_fd(file_with("nul", "a\nb\0c\0\nd\n", 9), "nul", '\n');
	assert_int_equal(source_next(s, &it), 1);
	assert_string_equal(it.arg, "a");
	assert_null(source_take_warning(s));
	item_clear(&it);
	assert_int_equal(source_next(s, &it), 1);
	assert_string_equal(it.arg, "b\\0c\\0");
	w = source_take_warning(s);
	assert_non_null(w);
	assert_non_null(strstr(w, "nul:2: a NUL byte in the item was replaced"));
	free(w);
	assert_null(source_take_warning(s));
	item_clear(&it);
	assert_int_equal(source_next(s, &it), 1);
	assert_string_equal(it.arg, "d");
	item_clear(&it);
	assert_int_equal(source_next(s, &it), -1);
	assert_null(source_error(s));
	source_free(s);
}

/* Bytes the allocator has handed out (heap and mmap). */
static size_t
heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	struct mallinfo2	mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#else
	return 0;
#endif
}

/* A million-line file streams through a small, bounded heap. */
static void
test_million_lines(void **state)
{
	char		*path = xasprintf("%s/million", tmpdir);
	FILE		*f = fopen(path, "w");
	struct source	*s;
	struct item	 it;
	uint64_t	 total, n = 0;
	size_t		 base, peak = 0, use;
	char		 want[16];
	int		 r;

	(void)state;
	assert_non_null(f);
	for (n = 1; n <= 1000000; n++)
		fprintf(f, "line %07llu\n", (unsigned long long)n);
	assert_int_equal(fclose(f), 0);
	base = heap_in_use();
	s = source_fd(open(path, O_RDONLY), "million", '\n');
	assert_true(source_total(s, &total));
	assert_int_equal(total, 1000000);
	n = 0;
	while ((r = source_next(s, &it)) == 1) {
		n++;
		assert_int_equal(it.seq, n);
		if (n % 1009 == 0 || n == 1000000) {
			snprintf(want, sizeof want, "line %07llu",
			    (unsigned long long)n);
			assert_string_equal(it.arg, want);
			use = heap_in_use();
			if (use > base && use - base > peak)
				peak = use - base;
		}
		item_clear(&it);
	}
	assert_int_equal(r, -1);
	assert_int_equal(n, 1000000);
	assert_null(source_error(s));
	if (peak >= MIB)
		fail_msg("source used %zu bytes of heap", peak);
	source_free(s);
	unlink(path);
	free(path);
}

/*
 * Items from an arena (a persistent pool's): each is its line, freed with
 * item_clear(); with 1000 in flight, freed in turn, few chunks are mapped
 * at once (each goes once empty) and all go at the end; a line longer than
 * a quarter chunk has its own; a source that is not a file takes no arena.
 */
static void
test_arena_items(void **state)
{
	struct arena	 a = { NULL };
	struct item	 its[1000];
	struct source	*s;
	struct buf	 b = { NULL, 0, 0 };
	char		*args[] = { "x" };
	char		 want[32];
	size_t		 base, use, peak = 0, k, chunks = 0;
	int		 n, r;

	(void)state;
	s = source_args(args, 1);
	assert_false(source_fd_arena(s, &a));
	source_free(s);

	for (n = 1; n <= 200000; n++)
		buf_printf(&b, "item %d\n", n);
	for (k = 0; k < 20000; k++)	/* > ARENA_CHUNK / 4 */
		buf_add(&b, "L", 1);
	buf_add(&b, "\n", 1);
	base = heap_in_use();
	s = source_fd(file_with("arena", b.data, b.len), "arena", '\n');
	assert_true(source_fd_arena(s, &a));
	memset(its, 0, sizeof its);
	for (n = 1; (r = source_next(s, &its[n % 1000])) == 1; n++) {
		k = (size_t)(n + 1) % 1000;	/* the oldest in flight */
		if (n == 200001)
			assert_int_equal(strlen(its[n % 1000].arg), 20000);
		else {
			snprintf(want, sizeof want, "item %d", n);
			assert_string_equal(its[n % 1000].arg, want);
		}
		assert_true(its[n % 1000].arg_arena);
		item_clear(&its[k]);
		use = heap_in_use();
		if (use > base && use - base > peak)
			peak = use - base;
		if (arena_chunks() > chunks)
			chunks = arena_chunks();
	}
	assert_int_equal(r, -1);
	assert_int_equal(n, 200002);
	for (k = 0; k < 1000; k++)
		item_clear(&its[k]);
	arena_release(&a);
	assert_int_equal(arena_chunks(), 0);
	/* 1000 strings of 24 bytes span a chunk or two, and the long one. */
	if (chunks > 4)
		fail_msg("%zu arena chunks mapped at once", chunks);
	if (peak >= MIB)
		fail_msg("arena used %zu bytes of heap", peak);
	source_free(s);
	buf_free(&b);
}

/*
 * A chunk whose strings are all freed is kept for the next (no new mapping
 * and its pages already in), a few at most: nine chunks' worth freed keeps
 * four, and carving as much again takes those four before mapping more.
 */
static void
test_arena_reuse(void **state)
{
	struct arena	 a = { NULL };
	char		*s[5000], line[100];
	size_t		 k, n = sizeof s / sizeof *s;

	(void)state;
	memset(line, 'x', sizeof line);
	for (k = 0; k < n; k++)		/* 5000 x 112 bytes: 9 chunks */
		s[k] = arena_strndup(&a, line, sizeof line);
	assert_true(arena_chunks() >= 8);
	for (k = 0; k < n; k++)
		arena_free(s[k]);
	assert_int_equal(arena_chunks(), 1);	/* the current one */
	assert_int_equal(arena_spares(), 4);	/* of 8 freed */
	for (k = 0; k < n; k++)
		s[k] = arena_strndup(&a, line, sizeof line);
	assert_int_equal(arena_spares(), 0);	/* taken before mapping */
	for (k = 0; k < n; k++) {
		assert_memory_equal(s[k], line, sizeof line);
		arena_free(s[k]);
	}
	arena_release(&a);
	assert_int_equal(arena_chunks(), 0);
	assert_int_equal(arena_spares(), 4);
}

/* Private temp dir; a dead reader must not kill the test. */
static int
setup(void **state)
{
	const char	*base = getenv("TMPDIR");

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof tmpdir, "%s/pt-source.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Remove the temp dir and what is in it. */
static int
teardown(void **state)
{
	const char	*names[] = { "f", "off", "long", "mib", "eof", "nul",
	    "million", "arena" };
	char		*p;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems_of(names); i++) {
		p = xasprintf("%s/%s", tmpdir, names[i]);
		unlink(p);
		free(p);
	}
	return rmdir(tmpdir);
}

/*
 * Drain a product of sources (each a string of space-separated words, or
 * "|" for the pipe source pipe_src; a leading '+' links it) and compare
 * the items, joined by commas, with want.
 */
static void
check_product(const char *const *srcs, size_t n, struct source *pipe_src,
    const char *want, bool known)
{
	struct source	*subs[8];
	bool		 linked[8];
	char		*words[8][8], *copy[8], *p;
	struct source	*s;
	struct got	 g;
	struct buf	 b = { 0 };
	uint64_t	 total;
	size_t		 i, k;

	for (i = 0; i < n; i++) {
		p = copy[i] = xstrdup(srcs[i] + (srcs[i][0] == '+'));
		linked[i] = srcs[i][0] == '+';
		if (strcmp(p, "|") == 0) {
			subs[i] = pipe_src;
			continue;
		}
		for (k = 0; k < 8 && (words[i][k] = strsep(&p, " ")) != NULL &&
		    *words[i][k] != '\0'; k++)
			/* nothing */;
		subs[i] = source_args(words[i], k);
	}
	s = source_product(subs, linked, n);
	assert_true(source_total(s, &total) == known);
	drain(s, &g, -1);
	if (known)
		assert_int_equal(total, g.n);
	buf_add(&b, "", 0);
	for (i = 0; i < g.n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", g.items[i]);
	if (strcmp(b.data, want) != 0)
		fail_msg("product: got \"%s\", want \"%s\"", b.data, want);
	assert_null(source_error(s));
	buf_free(&b);
	got_free(&g);
	source_free(s);
	for (i = 0; i < n; i++)
		free(copy[i]);
}

/* A pipe source that a writer feeds with text in two pieces. */
static struct source *
pipe_of(const char *text, pid_t *pid)
{
	const char	*pieces[] = { text, text + strlen(text) / 2 };
	size_t		 lens[] = { strlen(text) / 2,
	    strlen(text) - strlen(text) / 2 };
	int		 p[2];

	assert_int_equal(pipe(p), 0);
	*pid = writer(p[1], pieces, lens, 2, -1, p[0]);
	return source_fd(p[0], "pipe", '\n');
}

/*
 * Several sources: the cartesian product, the last fastest; linked
 * sources go in step as long as the shorter lasts; an empty source among
 * several is one empty value, as in GNU parallel; a pipe may stand
 * first (streamed) or later (read whole), and its total is unknown.
 */
static void
test_product(void **state)
{
	const char	*ab_123[] = { "a b", "1 2 3" };
	const char	*link_long[] = { "a b c", "+1 2" };
	const char	*link_short[] = { "a b", "+1 2 3" };
	const char	*three[] = { "x y", "+p q r", "1 2" };
	const char	*empty[] = { "a b", "" };
	const char	*empty_first[] = { "", "1 2" };
	const char	*empty_linked[] = { "a b", "+" };
	const char	*empty_alone[] = { "" };
	const char	*one[] = { "a b" };
	const char	*pipe_last[] = { "a b", "|" };
	const char	*pipe_first[] = { "|", "+p q", "1 2" };
	struct item	 it;
	struct source	*subs[2], *s;
	char		*w1[] = { "a", "b c" }, *w2[] = { "-n" };
	bool		 linked[2] = { false, false };
	pid_t		 pid;

	(void)state;
	check_product(ab_123, 2, NULL, "a 1,a 2,a 3,b 1,b 2,b 3", true);
	check_product(link_long, 2, NULL, "a 1,b 2", true);
	check_product(link_short, 2, NULL, "a 1,b 2", true);
	check_product(three, 3, NULL, "x p 1,x p 2,y q 1,y q 2", true);
	/* An empty source among several is one empty value. */
	check_product(empty, 2, NULL, "a ,b ", true);
	check_product(empty_first, 2, NULL, " 1, 2", true);
	check_product(empty_linked, 2, NULL, "a ", true);
	check_product(empty_alone, 1, NULL, "", true);
	check_product(one, 1, NULL, "a,b", true);
	check_product(pipe_last, 2, pipe_of("1\n2\n", &pid),
	    "a 1,a 2,b 1,b 2", false);
	assert_int_equal(reap(pid), 0);
	check_product(pipe_first, 3, pipe_of("x\ny\nz", &pid),
	    "x p 1,x p 2,y q 1,y q 2", false);
	assert_int_equal(reap(pid), 0);

	/* Each argument whole in args, whatever it holds. */
	subs[0] = source_args(w1, 2);
	subs[1] = source_args(w2, 1);
	s = source_product(subs, linked, 2);
	assert_int_equal(source_next(s, &it), 1);
	assert_int_equal(it.seq, 1);
	assert_int_equal(it.nargs, 2);
	assert_string_equal(it.args[0], "a");
	assert_string_equal(it.args[1], "-n");
	item_clear(&it);
	assert_int_equal(source_next(s, &it), 1);
	assert_int_equal(it.seq, 2);
	assert_string_equal(it.args[0], "b c");
	assert_string_equal(it.arg, "b c -n");
	item_clear(&it);
	assert_int_equal(source_next(s, &it), -1);
	source_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_longest),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_tasks),
		cmocka_unit_test(test_pipe_pieces),
		cmocka_unit_test(test_nul_sep),
		cmocka_unit_test(test_file_totals),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_pipe_limit_and_nul),
		cmocka_unit_test(test_million_lines),
		cmocka_unit_test(test_arena_items),
		cmocka_unit_test(test_arena_reuse),
		cmocka_unit_test(test_product),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Tests of task output: group, line-buffer, tag, keep-order, results. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define SCRATCH_NAME "output"
#include "scratch.h"

#include "pool-output.h"
#include "util.h"

/* What a test's output goes to: two scratch files. */
struct sink {
	struct opts	 o;
	int		 fd[2];
	struct output	*out;
};

/* Everything written so far to one fd of the sink (from offset 0). */
static char *
sink_read(struct sink *k, int s, size_t *lenp)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 chunk[65536];
	ssize_t		 n;
	off_t		 at = 0;

	output_flush(k->out);		/* as the pool does every turn */
	buf_add(&b, "", 0);
	while ((n = pread(k->fd[s], chunk, sizeof chunk, at)) > 0) {
		buf_add(&b, chunk, (size_t)n);
		at += n;
	}
	if (lenp != NULL)
		*lenp = b.len;
	return b.data;
}

/* Assert what stdout (0) or stderr (1) holds so far. */
static void
sink_is(struct sink *k, int s, const char *want)
{
	char	*got = sink_read(k, s, NULL);

	assert_string_equal(got, want);
	free(got);
}

/* Start a sink; options are set by the caller through o, then opened. */
static void
sink_open(struct sink *k, bool tag, bool keep_order, bool line_buffer)
{
	char	err[256], *p;
	int	s;

	memset(k, 0, sizeof *k);
	k->o.tag = tag;
	k->o.keep_order = keep_order;
	k->o.line_buffer = line_buffer;
	for (s = 0; s < 2; s++) {
		p = tpath("sinkXXXXXX");
		k->fd[s] = mkstemp(p);
		assert_true(k->fd[s] != -1);
		unlink(p);
		free(p);
	}
	k->out = output_new(&k->o, k->fd[0], k->fd[1], err, sizeof err);
	assert_non_null(k->out);
}

/* Free the output and the sink. */
static void
sink_close(struct sink *k)
{
	if (k->out != NULL)
		output_free(k->out);
	close(k->fd[0]);
	close(k->fd[1]);
}

/* Feed a string as task data. */
static void
feed(struct sink *k, uint64_t seq, int stream, const char *s)
{
	output_data(k->out, seq, stream, s, strlen(s));
}

/* Group mode: each task's output is one block, printed when it ends. */
static void
test_group(void **state)
{
	struct sink	k;

	(void)state;
	sink_open(&k, false, false, false);
	output_start(k.out, 1, "a");
	output_start(k.out, 2, "b");
	feed(&k, 1, 1, "a1\n");
	feed(&k, 2, 1, "b1\n");
	feed(&k, 1, 2, "a-err\n");
	feed(&k, 1, 1, "a2");
	feed(&k, 2, 1, "b2\n");
	sink_is(&k, 0, "");
	output_end(k.out, 2, true);
	sink_is(&k, 0, "b1\nb2\n");
	output_end(k.out, 1, true);
	sink_is(&k, 0, "b1\nb2\na1\na2");	/* printed as is */
	sink_is(&k, 1, "a-err\n");
	assert_null(output_error(k.out));
	sink_close(&k);
}

/*
 * Records are reused (the spare list) and the newest is kept out of the
 * order tree until another is looked for: many tasks whose output and end
 * come together, then tasks interleaved, a retried seq below the newest,
 * and a keep-order run ended newest first must all print as before.
 */
static void
test_reuse(void **state)
{
	struct sink	 k;
	struct buf	 want = { NULL, 0, 0 };
	char		 line[32], *got;
	uint64_t	 seq;

	(void)state;
	sink_open(&k, false, false, false);
	buf_add(&want, "", 0);
	for (seq = 1; seq <= 3000; seq++) {
		output_start(k.out, seq, "i");
		snprintf(line, sizeof line, "%llu\n", (unsigned long long)seq);
		feed(&k, seq, 1, line);
		output_end(k.out, seq, true);
		buf_addstr(&want, line);
	}
	got = sink_read(&k, 0, NULL);
	assert_string_equal(got, want.data);
	free(got);
	/* Interleaved: 3002 is made while 3001, the loose one, runs. */
	feed(&k, 3001, 1, "x1 ");
	feed(&k, 3002, 1, "y1 ");
	feed(&k, 3001, 1, "x2\n");
	output_end(k.out, 3002, false);	/* a retry follows: dropped */
	feed(&k, 3002, 1, "y2\n");		/* below the newest seq made */
	output_end(k.out, 3001, true);
	output_end(k.out, 3002, true);
	buf_addstr(&want, "x1 x2\ny2\n");
	got = sink_read(&k, 0, NULL);
	assert_string_equal(got, want.data);
	free(got);
	sink_close(&k);
	buf_free(&want);

	sink_open(&k, false, true, false);
	for (seq = 1; seq <= 50; seq++) {
		snprintf(line, sizeof line, "%llu\n", (unsigned long long)seq);
		feed(&k, seq, 1, line);
	}
	for (seq = 50; seq >= 2; seq--)
		output_end(k.out, seq, true);
	sink_is(&k, 0, "");
	output_end(k.out, 1, true);
	got = sink_read(&k, 0, NULL);
	assert_int_equal(strncmp(got, "1\n2\n3\n", 6), 0);
	assert_non_null(strstr(got, "49\n50\n"));
	free(got);
	sink_close(&k);
}

/* Check every line of s starts with one of the prefixes and is whole. */
static void
assert_lines_unmixed(const char *s)
{
	const char	*p = s, *nl;
	size_t		 i;

	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		for (i = 1; p + i < nl; i++)
			assert_int_equal(p[i], p[0]);	/* aaaa or bbbb */
	}
}

/*
 * Line-buffer mode: whole lines as they come, never two tasks in one; a
 * last line without its newline is printed as it is, as GNU parallel does.
 */
static void
test_line_buffer(void **state)
{
	struct sink	 k;
	char		*s;
	int		 i;

	(void)state;
	sink_open(&k, false, false, true);
	output_start(k.out, 1, "a");
	output_start(k.out, 2, "b");
	feed(&k, 1, 1, "a1\na");
	sink_is(&k, 0, "a1\n");
	feed(&k, 2, 1, "b1\nb");
	feed(&k, 1, 1, "2\n");
	feed(&k, 2, 1, "2");
	sink_is(&k, 0, "a1\nb1\na2\n");
	output_end(k.out, 2, true);	/* partial line: no newline added */
	output_end(k.out, 1, true);
	sink_is(&k, 0, "a1\nb1\na2\nb2");
	sink_close(&k);

	/* Many interleaved chunks, split anywhere: no mixed line. */
	sink_open(&k, false, false, true);
	output_start(k.out, 1, "x");
	output_start(k.out, 2, "y");
	for (i = 0; i < 200; i++) {
		feed(&k, 1, 1, i % 3 ? "aaa" : "aa\naaaa");
		feed(&k, 2, 1, i % 5 ? "bbbbb" : "b\nbb");
	}
	feed(&k, 1, 1, "\n");
	feed(&k, 2, 1, "\n");
	output_end(k.out, 1, true);
	output_end(k.out, 2, true);
	s = sink_read(&k, 0, NULL);
	assert_lines_unmixed(s);
	free(s);
	sink_close(&k);
}

/* --tag: the raw item and a tab before every line, in both streams. */
static void
test_tag(void **state)
{
	struct sink	k;

	(void)state;
	sink_open(&k, true, false, false);
	output_start(k.out, 1, "x y");
	feed(&k, 1, 1, "l");
	feed(&k, 1, 1, "1\nl2\n");
	feed(&k, 1, 1, "\nl4");
	feed(&k, 1, 2, "oops\n");
	output_end(k.out, 1, true);
	sink_is(&k, 0, "x y\tl1\nx y\tl2\nx y\t\nx y\tl4");
	sink_is(&k, 1, "x y\toops\n");
	sink_close(&k);

	sink_open(&k, true, false, true);
	output_start(k.out, 7, "it\x1b");
	feed(&k, 7, 1, "one\ntw");
	sink_is(&k, 0, "it\x1b\tone\n");
	feed(&k, 7, 1, "o");
	output_end(k.out, 7, true);
	sink_is(&k, 0, "it\x1b\tone\nit\x1b\ttwo");
	sink_close(&k);
}

/* --keep-order: input order whatever the end order; skips unblock. */
static void
test_keep_order(void **state)
{
	struct sink	k;
	char		line[8];
	uint64_t	seq;

	(void)state;
	sink_open(&k, false, true, false);
	for (seq = 1; seq <= 6; seq++) {
		if (seq == 3 || seq == 5)
			continue;
		output_start(k.out, seq, "i");
		snprintf(line, sizeof line, "%d\n", (int)seq);
		feed(&k, seq, 1, line);
	}
	output_end(k.out, 4, true);
	output_end(k.out, 2, true);
	output_skip(k.out, 3);
	output_end(k.out, 6, true);
	sink_is(&k, 0, "");
	output_end(k.out, 1, true);
	sink_is(&k, 0, "1\n2\n4\n");	/* 5 is neither done nor skipped */
	output_skip(k.out, 5);
	sink_is(&k, 0, "1\n2\n4\n6\n");
	sink_close(&k);

	/* Skips out of order, merged into ranges; a task without output. */
	sink_open(&k, false, true, false);
	output_skip(k.out, 4);
	output_skip(k.out, 2);
	output_skip(k.out, 3);
	output_start(k.out, 5, "e");
	feed(&k, 5, 1, "5\n");
	output_end(k.out, 5, true);
	sink_is(&k, 0, "");
	output_start(k.out, 1, "a");
	output_end(k.out, 1, true);
	sink_is(&k, 0, "5\n");
	sink_close(&k);
}

/* --keep-order --line-buffer: the head streams, the rest wait. */
static void
test_keep_order_lines(void **state)
{
	struct sink	k;

	(void)state;
	sink_open(&k, false, true, true);
	output_start(k.out, 1, "a");
	output_start(k.out, 2, "b");
	feed(&k, 2, 1, "b1\n");
	feed(&k, 1, 1, "a1\na");
	sink_is(&k, 0, "a1\n");
	feed(&k, 2, 1, "b2\nb");
	sink_is(&k, 0, "a1\n");
	output_end(k.out, 1, true);
	sink_is(&k, 0, "a1\nab1\nb2\n");
	feed(&k, 2, 1, "3\n");
	sink_is(&k, 0, "a1\nab1\nb2\nb3\n");
	output_end(k.out, 2, true);
	sink_is(&k, 0, "a1\nab1\nb2\nb3\n");
	sink_close(&k);
}

/*
 * An attempt the pool ends loses what it holds, a last line without its
 * newline too; --halt now drops what --keep-order holds, as GNU parallel.
 */
static void
test_cancel(void **state)
{
	struct sink	k;

	(void)state;
	sink_open(&k, false, false, true);
	output_start(k.out, 1, "a");
	feed(&k, 1, 1, "a1\npart");
	output_cancel(k.out, 1);
	output_start(k.out, 1, "a");
	feed(&k, 1, 1, "again\n");
	output_end(k.out, 1, true);
	sink_is(&k, 0, "a1\nagain\n");
	sink_close(&k);

	sink_open(&k, false, true, false);
	output_start(k.out, 1, "a");
	output_start(k.out, 2, "b");
	feed(&k, 1, 1, "a1\n");
	feed(&k, 2, 1, "b1\n");
	output_end(k.out, 2, true);
	output_drop_held(k.out);
	output_cancel(k.out, 1);
	output_skip(k.out, 1);
	sink_is(&k, 0, "");
	sink_close(&k);
}

/* Group mode drops the output of an attempt that will be retried. */
static void
test_retry_drop(void **state)
{
	struct sink	k;

	(void)state;
	sink_open(&k, false, false, false);
	output_start(k.out, 1, "a");
	feed(&k, 1, 1, "bad\n");
	feed(&k, 1, 2, "error\n");
	output_end(k.out, 1, false);
	output_start(k.out, 1, "a");
	feed(&k, 1, 1, "good\n");
	output_end(k.out, 1, true);
	sink_is(&k, 0, "good\n");
	sink_is(&k, 1, "");
	sink_close(&k);

	/* The same under --keep-order: seq 1 is still awaited after a retry. */
	sink_open(&k, false, true, false);
	output_start(k.out, 1, "a");
	output_start(k.out, 2, "b");
	feed(&k, 2, 1, "b\n");
	output_end(k.out, 2, true);
	feed(&k, 1, 1, "bad\n");
	output_end(k.out, 1, false);
	sink_is(&k, 0, "");
	output_start(k.out, 1, "a");
	feed(&k, 1, 1, "good\n");
	output_end(k.out, 1, true);
	sink_is(&k, 0, "good\nb\n");
	sink_close(&k);
}

/* The content of a file in the results directory. */
static char *
result(const char *dir, const char *name)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*path = xasprintf("%s/%s", dir, name), chunk[4096];
	ssize_t		 n;
	int		 fd = open(path, O_RDONLY);

	free(path);
	if (fd == -1)
		return NULL;
	buf_add(&b, "", 0);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	return b.data;
}

/* Assert a results file's content. */
static void
assert_result(const char *dir, const char *name, const char *want)
{
	char	*got = result(dir, name);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* --results DIR: DIR/<seq>/{stdout,stderr,item}, nothing printed. */
static void
test_results(void **state)
{
	struct sink	 k;
	struct stat	 st;
	char		*dir = tpath("res"), *link = tpath("reslink");
	char		 err[256];

	(void)state;
	sink_open(&k, true, false, false);
	output_free(k.out);
	k.o.results = dir;
	k.out = output_new(&k.o, k.fd[0], k.fd[1], err, sizeof err);
	assert_non_null(k.out);
	assert_int_equal(lstat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	output_start(k.out, 1, "item one");
	feed(&k, 1, 1, "out1\n");
	feed(&k, 1, 2, "err1");
	assert_result(dir, "1/stdout", "out1\n");	/* as data arrives */
	output_end(k.out, 1, false);
	output_start(k.out, 1, "item one");
	feed(&k, 1, 1, "again\n");
	output_end(k.out, 1, true);
	output_start(k.out, 2, "two");
	output_end(k.out, 2, true);
	assert_result(dir, "1/stdout", "again\n");
	assert_result(dir, "1/stderr", "");
	assert_result(dir, "1/item", "item one");
	assert_result(dir, "2/stdout", "");
	assert_result(dir, "2/item", "two");
	sink_is(&k, 0, "");
	sink_is(&k, 1, "");
	assert_null(output_error(k.out));
	output_free(k.out);
	k.out = NULL;

	/* A symbolic link as DIR is refused. */
	assert_int_equal(symlink(dir, link), 0);
	k.o.results = link;
	err[0] = '\0';
	assert_null(output_new(&k.o, k.fd[0], k.fd[1], err, sizeof err));
	assert_non_null(strstr(err, "symbolic link"));
	sink_close(&k);
	free(dir);
	free(link);
}

/*
 * --results-layout gnu: GNU parallel's DIR/1/ITEM/{seq,stdout,stderr},
 * the item's '\\', tab and '/' escaped, a long one cut into pieces.
 */
static void
test_results_gnu(void **state)
{
	struct sink	 k;
	char		*dir = tpath("resgnu"), *lng, *want;
	char		 err[256];

	(void)state;
	sink_open(&k, false, false, false);
	output_free(k.out);
	k.o.results = dir;
	k.o.results_layout = RESULTS_GNU;
	k.out = output_new(&k.o, k.fd[0], k.fd[1], err, sizeof err);
	assert_non_null(k.out);
	output_start(k.out, 1, "a/b\t\\c");
	feed(&k, 1, 1, "out1\n");
	output_end(k.out, 1, true);
	output_start(k.out, 2, "a/b\t\\c");
	feed(&k, 2, 2, "err2");
	output_end(k.out, 2, true);
	assert_result(dir, "1/a\\_b\\t\\\\c/stdout", "");	/* the last wins */
	assert_result(dir, "1/a\\_b\\t\\\\c/stderr", "err2");
	assert_result(dir, "1/a\\_b\\t\\\\c/seq", "2");
	lng = xmalloc(301);
	memset(lng, 'x', 300);
	lng[300] = '\0';
	output_start(k.out, 3, lng);
	output_end(k.out, 3, true);
	want = xasprintf("1/%.*s/%s/seq", NAME_MAX, lng, lng + NAME_MAX);
	assert_result(dir, want, "3");
	assert_null(output_error(k.out));
	free(want);
	free(lng);
	sink_close(&k);
	free(dir);
}

/* Descriptors of this process open on a file under dir (deleted too). */
static int
fds_under(const char *dir)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*de;
	char		 path[PATH_MAX], target[PATH_MAX];
	ssize_t		 n;
	int		 count = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
		if ((n = readlink(path, target, sizeof target - 1)) <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, dir, strlen(dir)) == 0 &&
		    target[strlen(dir)] == '/')
			count++;
	}
	closedir(d);
	return count;
}

/* A pattern byte for task t at offset i. */
static char
pattern(int t, size_t i)
{
	if (i % 64 == 63)
		return '\n';
	return (char)('a' + (t * 7 + i / 64) % 26);
}

/* Big held output spills to an unlinked temporary file, losslessly. */
static void
test_spill(void **state)
{
	struct sink	 k;
	char		*spill = tpath("spill"), chunk[65536], *s;
	const size_t	 big = 3 * 1024 * 1024;
	size_t		 off, i, len;
	int		 t;

	(void)state;
	assert_int_equal(mkdir(spill, 0700), 0);
	setenv("TMPDIR", spill, 1);
	sink_open(&k, false, true, false);
	output_start(k.out, 1, "slow");
	output_start(k.out, 2, "b");
	output_start(k.out, 3, "c");
	assert_int_equal(fds_under(spill), 0);
	for (off = 0; off < big; off += sizeof chunk) {
		for (t = 2; t <= 3; t++) {	/* interleaved: fragmented */
			for (i = 0; i < sizeof chunk; i++)
				chunk[i] = pattern(t, off + i);
			output_data(k.out, (uint64_t)t, 1, chunk, sizeof chunk);
		}
	}
	output_end(k.out, 3, true);
	output_end(k.out, 2, true);
	assert_int_equal(fds_under(spill), 1);	/* one shared spill file */
	feed(&k, 1, 1, "first\n");
	output_end(k.out, 1, true);

	s = sink_read(&k, 0, &len);
	assert_int_equal(len, 6 + 2 * big);
	assert_memory_equal(s, "first\n", 6);
	for (t = 2; t <= 3; t++) {
		for (i = 0; i < big; i++) {
			if (s[6 + (size_t)(t - 2) * big + i] != pattern(t, i))
				fail_msg("task %d byte %zu differs", t, i);
		}
	}
	free(s);
	sink_close(&k);
	assert_int_equal(fds_under(spill), 0);
	unsetenv("TMPDIR");
	free(spill);
}

/* A write error (disk full, closed pipe) is recorded, not fatal. */
static void
test_write_error(void **state)
{
	struct opts	 o;
	struct output	*out;
	char		 err[256];
	int		 full, fds[2];

	(void)state;
	memset(&o, 0, sizeof o);
	if ((full = open("/dev/full", O_WRONLY)) == -1)
		skip();
	out = output_new(&o, full, full, err, sizeof err);
	assert_non_null(out);
	output_start(out, 1, "a");
	output_data(out, 1, 1, "x\n", 2);
	assert_null(output_error(out));
	output_end(out, 1, true);
	assert_null(output_error(out));		/* gathered, not written */
	output_flush(out);
	assert_non_null(output_error(out));
	assert_non_null(strstr(output_error(out), strerror(ENOSPC)));
	output_free(out);
	close(full);

	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	o.line_buffer = true;
	out = output_new(&o, fds[1], fds[1], err, sizeof err);
	assert_non_null(out);
	output_start(out, 1, "a");
	output_data(out, 1, 1, "x\n", 2);
	output_flush(out);
	assert_non_null(strstr(output_error(out), strerror(EPIPE)));
	output_data(out, 1, 1, "y\n", 2);	/* no crash, no new error */
	output_end(out, 1, true);
	output_free(out);
	close(fds[1]);
	signal(SIGPIPE, SIG_DFL);
}

/* output_free prints what is still held, in seq order. */
static void
test_free_flushes(void **state)
{
	struct sink	k;

	(void)state;
	sink_open(&k, false, true, false);
	output_start(k.out, 2, "b");
	feed(&k, 2, 1, "two\n");
	output_end(k.out, 2, true);
	output_start(k.out, 3, "c");
	feed(&k, 3, 1, "three");
	output_free(k.out);
	k.out = NULL;
	sink_is(&k, 0, "two\nthree");
	sink_close(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_line_buffer),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_keep_order),
		cmocka_unit_test(test_keep_order_lines),
		cmocka_unit_test(test_retry_drop),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_results_gnu),
		cmocka_unit_test(test_spill),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_free_flushes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Tests of the joblog: GNU parallel's format, locking, reading back. */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
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

#define SCRATCH_NAME "joblog"
#include "scratch.h"

#include "pool-joblog.h"
#include "util.h"

#define HEADER "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\t" \
	"Signal\tCommand\n"

/* Write a file whole. */
static void
spit(const char *path, const char *s, size_t len)
{
	int	fd = open(path, O_WRONLY|O_CREAT|O_TRUNC, 0600);

	assert_true(fd != -1);
	assert_int_equal(write(fd, s, len), (ssize_t)len);
	close(fd);
}

/* Count occurrences of a string. */
static int
count(const char *hay, size_t len, const char *needle)
{
	size_t	 n = strlen(needle), i;
	int	 c = 0;

	for (i = 0; i + n <= len; i++) {
		if (memcmp(hay + i, needle, n) == 0)
			c++;
	}
	return c;
}

/* One entry. */
static struct joblog_entry
entry(uint64_t seq, int exitval, int sig, const char *cmd)
{
	struct joblog_entry	e;

	memset(&e, 0, sizeof e);
	e.seq = seq;
	e.start_real_ns = 1795528492350000000LL + (int64_t)seq * 1000000;
	e.runtime_ns = 18999999;	/* 0.018999: 0.018, truncated */
	e.exitval = exitval;
	e.signal = sig;
	e.command = cmd;
	return e;
}

/* Lines come out byte for byte as GNU parallel writes them. */
static void
test_format(void **state)
{
	struct joblog		*j;
	struct joblog_entry	 e;
	struct stat		 st;
	char			 err[256], *path = tpath("format.log"), *s;
	size_t			 len;
	static const char	 want[] = HEADER
	    "1\t:\t1795528492.351\t     0.018\t0\t0\t0\t0\techo a\n"
	    "2\t:\t1795528492.352\t  1234.500\t0\t0\t-1\t15\techo\0b\tc\n";

	(void)state;
	umask(0);
	j = joblog_open(path, false, err, sizeof err);
	umask(022);
	assert_non_null(j);
	e = entry(1, 0, 0, "echo a");
	assert_int_equal(joblog_write(j, &e), 0);
	e = entry(2, -1, 15, "echo\nb\tc");
	e.runtime_ns = 1234500999999LL;
	assert_int_equal(joblog_write(j, &e), 0);
	joblog_close(j);

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	s = slurp(path, &len);
	assert_int_equal(len, sizeof want - 1);
	assert_memory_equal(s, want, len);
	free(s);
	free(path);
}

/* Every byte that could break a line: newline, tab, CR, escapes, 8-bit. */
#define ODD_BYTES	"a\n\nb\tc\rd\\n\x01\x1b[2J\x7f\x80\xff'\"\t\n"

/* Written entries read back; the last line of a seq wins. */
static void
test_round_trip(void **state)
{
	struct joblog_past	*jp;
	struct joblog		*j;
	struct joblog_entry	 e;
	char			 err[256], *path = tpath("trip.log");
	char			**cmds;
	uint64_t		*seqs;
	size_t			 n, i;

	(void)state;
	j = joblog_open(path, false, err, sizeof err);
	assert_non_null(j);
	e = entry(1, 0, 0, "ok one");
	assert_int_equal(joblog_write(j, &e), 0);
	e = entry(2, 3, 0, "fails first");
	assert_int_equal(joblog_write(j, &e), 0);
	e = entry(4, 0, 9, "killed\nby nine");
	assert_int_equal(joblog_write(j, &e), 0);
	e = entry(2, 0, 0, "fails first");
	assert_int_equal(joblog_write(j, &e), 0);
	e = entry(5, 0, 0, "ok then fails");
	assert_int_equal(joblog_write(j, &e), 0);
	e = entry(5, 1, 0, "ok then\tfails");
	assert_int_equal(joblog_write(j, &e), 0);
	e = entry(6, 2, 0, ODD_BYTES);
	assert_int_equal(joblog_write(j, &e), 0);
	joblog_close(j);

	jp = joblog_read(path, err, sizeof err);
	assert_non_null(jp);
	assert_int_equal(joblog_past_state(jp, 1), 1);
	assert_int_equal(joblog_past_state(jp, 2), 1);
	assert_int_equal(joblog_past_state(jp, 3), 0);
	assert_int_equal(joblog_past_state(jp, 4), 2);
	assert_int_equal(joblog_past_state(jp, 5), 2);
	assert_int_equal(joblog_past_state(jp, 6), 2);
	assert_int_equal(joblog_past_state(jp, 7), 0);
	assert_int_equal(joblog_past_max_seq(jp), 6);
	n = joblog_past_failed(jp, &seqs, &cmds);
	assert_int_equal(n, 3);
	assert_int_equal(seqs[2], 6);
	assert_string_equal(cmds[2], ODD_BYTES);
	assert_int_equal(seqs[0], 4);
	assert_string_equal(cmds[0], "killed\nby nine");
	assert_int_equal(seqs[1], 5);
	assert_string_equal(cmds[1], "ok then\tfails");
	joblog_past_free(jp);
	for (i = 0; i < n; i++)
		free(cmds[i]);
	free(cmds);
	free(seqs);
	free(path);
}

/* keep appends without a second header; !keep starts afresh. */
static void
test_header_once(void **state)
{
	struct joblog		*j;
	struct joblog_entry	 e;
	char			 err[256], *path = tpath("header.log"), *s;
	size_t			 len;
	int			 round;

	(void)state;
	for (round = 0; round < 3; round++) {
		j = joblog_open(path, round > 0, err, sizeof err);
		assert_non_null(j);
		e = entry((uint64_t)round + 1, 0, 0, "true");
		assert_int_equal(joblog_write(j, &e), 0);
		joblog_close(j);
	}
	s = slurp(path, &len);
	assert_int_equal(count(s, len, "Seq\tHost"), 1);
	assert_int_equal(count(s, len, "\ttrue\n"), 3);
	free(s);

	j = joblog_open(path, false, err, sizeof err);
	assert_non_null(j);
	joblog_close(j);
	s = slurp(path, &len);
	assert_string_equal(s, HEADER);
	free(s);
	free(path);
}

/* Size of a file, by stat(2): opening it here would drop our lock. */
static off_t
size_of(const char *path)
{
	struct stat	st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* Run joblog_open in a child; its exit status: 0 opened, 1 refused. */
static int
open_in_child(const char *path, bool keep, const char *want)
{
	struct joblog	*j;
	char		 err[256];
	pid_t		 pid;
	int		 status;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		err[0] = '\0';
		j = joblog_open(path, keep, err, sizeof err);
		if (j == NULL && want != NULL && strcmp(err, want) != 0)
			_exit(2);
		_exit(j == NULL ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A second opener, in another process, is refused and names the pid. */
static void
test_lock(void **state)
{
	struct joblog		*j;
	struct joblog_entry	 e;
	char			 err[256], want[256], *path = tpath("lock.log");
	off_t			 size;

	(void)state;
	j = joblog_open(path, false, err, sizeof err);
	assert_non_null(j);
	e = entry(1, 0, 0, "precious");
	assert_int_equal(joblog_write(j, &e), 0);
	size = size_of(path);
	assert_true(size > 0);
	snprintf(want, sizeof want, "joblog %s is in use by another pooltop "
	    "(pid %ld)", path, (long)getpid());

	assert_int_equal(open_in_child(path, false, want), 1);
	assert_int_equal(size_of(path), size);	/* not truncated */
	assert_int_equal(open_in_child(path, true, want), 1);

	/* Reading it in this process keeps the lock. */
	joblog_past_free(joblog_read(path, err, sizeof err));
	assert_int_equal(open_in_child(path, true, want), 1);

	/* This process cannot open it twice either. */
	assert_null(joblog_open(path, true, err, sizeof err));
	assert_non_null(strstr(err, "already open"));
	assert_int_equal(open_in_child(path, true, want), 1);

	/* Once closed, another process may take it. */
	joblog_close(j);
	assert_int_equal(open_in_child(path, true, NULL), 0);
	assert_int_equal(size_of(path), size);
	free(path);
}

/* kill -9 of the holder releases the lock. */
static void
test_lock_kill9(void **state)
{
	struct joblog	*j;
	char		 err[256], want[256], c, *path = tpath("kill9.log");
	pid_t		 pid;
	int		 status, fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(fds[0]);
		if (joblog_open(path, false, err, sizeof err) == NULL)
			_exit(1);
		(void)write(fds[1], "k", 1);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);	/* it holds the lock */
	close(fds[0]);
	snprintf(want, sizeof want, "joblog %s is in use by another pooltop "
	    "(pid %ld)", path, (long)pid);
	err[0] = '\0';
	assert_null(joblog_open(path, true, err, sizeof err));
	assert_string_equal(err, want);

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	j = joblog_open(path, true, err, sizeof err);
	assert_non_null(j);
	joblog_close(j);
	free(path);
}

/* A cut last line is ignored on reading and cut off on appending. */
static void
test_truncated_line(void **state)
{
	struct joblog_past	*jp;
	struct joblog		*j;
	struct joblog_entry	 e;
	char			 err[256], *path = tpath("cut.log"), *s;
	const char		*t;
	static const char	 cut[] = HEADER
	    "1\t:\t1795528492.351\t     0.018\t0\t0\t0\t0\techo a\n"
	    "2\t:\t1795528492.352\t     0.018\t0\t0\t0\t0\tech";

	(void)state;
	spit(path, cut, sizeof cut - 1);
	jp = joblog_read(path, err, sizeof err);
	assert_non_null(jp);
	assert_int_equal(joblog_past_state(jp, 1), 1);
	assert_int_equal(joblog_past_state(jp, 2), 0);
	assert_int_equal(joblog_past_max_seq(jp), 1);
	joblog_past_free(jp);

	j = joblog_open(path, true, err, sizeof err);
	assert_non_null(j);
	e = entry(3, 0, 0, "echo c");
	assert_int_equal(joblog_write(j, &e), 0);
	joblog_close(j);
	s = slurp(path, NULL);
	assert_string_equal(s, HEADER
	    "1\t:\t1795528492.351\t     0.018\t0\t0\t0\t0\techo a\n"
	    "3\t:\t1795528492.353\t     0.018\t0\t0\t0\t0\techo c\n");
	free(s);

	/* A bad line that is not the last one is an error. */
	t = HEADER "1\t:\tgarbage\n2\t:\t1.0\t1.0\t0\t0\t0\t0\tx\n";
	spit(path, t, strlen(t));
	err[0] = '\0';
	assert_null(joblog_read(path, err, sizeof err));
	s = xasprintf("%s:2: not a joblog line", path);
	assert_string_equal(err, s);
	free(s);
	free(path);
}

/* A missing joblog reads as nothing recorded. */
static void
test_missing(void **state)
{
	struct joblog_past	*jp;
	char			 err[256], *path = tpath("nonexistent.log");
	char			**cmds;
	uint64_t		*seqs;

	(void)state;
	jp = joblog_read(path, err, sizeof err);
	assert_non_null(jp);
	assert_int_equal(joblog_past_state(jp, 1), 0);
	assert_int_equal(joblog_past_max_seq(jp), 0);
	assert_int_equal(joblog_past_failed(jp, &seqs, &cmds), 0);
	free(seqs);
	free(cmds);
	joblog_past_free(jp);
	free(path);
}

/* Count the tab-separated fields of line n (0 is the header). */
static int
fields_of_line(const char *s, size_t len, int n)
{
	const char	*p = s, *end = s + len, *nl;
	int		 tabs = 0;

	while (n-- > 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		p = nl + 1;
	}
	for (; p < end && *p != '\n'; p++)
		tabs += *p == '\t';
	return tabs + 1;
}

/* A joblog written by the real GNU parallel reads back; ours matches it. */
static void
test_gnu_parallel(void **state)
{
	struct joblog_past	*jp;
	struct joblog		*j;
	struct joblog_entry	 e;
	char			 err[256], *path = tpath("gnu.log"), *cmd, *s;
	char			*ours = tpath("ours.log"), *t;
	size_t			 len, olen;

	(void)state;
	if (access("/usr/bin/parallel", X_OK) != 0)
		skip();
	cmd = xasprintf("HOME=%s /usr/bin/parallel --will-cite --joblog %s "
	    "'exit {}' ::: 0 1 0 </dev/null >/dev/null 2>&1", tmpdir, path);
	assert_int_equal(WEXITSTATUS(system(cmd)), 1);
	free(cmd);

	jp = joblog_read(path, err, sizeof err);
	assert_non_null(jp);
	assert_int_equal(joblog_past_state(jp, 1), 1);
	assert_int_equal(joblog_past_state(jp, 2), 2);
	assert_int_equal(joblog_past_state(jp, 3), 1);
	assert_int_equal(joblog_past_max_seq(jp), 3);
	joblog_past_free(jp);

	j = joblog_open(ours, false, err, sizeof err);
	assert_non_null(j);
	e = entry(1, 1, 0, "exit 1");
	assert_int_equal(joblog_write(j, &e), 0);
	joblog_close(j);

	s = slurp(path, &len);
	t = slurp(ours, &olen);
	assert_memory_equal(s, HEADER, sizeof HEADER - 1);
	assert_int_equal(fields_of_line(s, len, 2), 9);
	assert_int_equal(fields_of_line(t, olen, 1), 9);
	/* Same widths: Seq, Host, Starttime, JobRuntime columns. */
	assert_int_equal(strcspn(strchr(s + sizeof HEADER - 1, ':') + 2, "\t"),
	    strcspn(strchr(t + sizeof HEADER - 1, ':') + 2, "\t"));
	assert_non_null(strstr(s, "\t     0.0"));
	assert_non_null(strstr(s, "\t0\t0\t1\t0\texit 1\n"));
	assert_non_null(strstr(t, "\t     0.018\t0\t0\t1\t0\texit 1\n"));
	free(s);
	free(t);
	free(path);
	free(ours);
}

/* A full disk is reported, at open (header) or on writing. */
static void
test_dev_full(void **state)
{
	struct joblog		*j;
	struct joblog_entry	 e;
	char			 err[256];

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	err[0] = '\0';
	assert_null(joblog_open("/dev/full", false, err, sizeof err));
	assert_non_null(strstr(err, strerror(ENOSPC)));

	j = joblog_open("/dev/full", true, err, sizeof err);
	assert_non_null(j);
	e = entry(1, 0, 0, "true");
	errno = 0;
	assert_int_equal(joblog_write(j, &e), -1);
	assert_int_equal(errno, ENOSPC);
	joblog_close(j);
}

/* A symbolic link is refused and its target left alone. */
static void
test_symlink(void **state)
{
	char	 err[256], *target = tpath("target"), *link = tpath("link");

	(void)state;
	assert_int_equal(symlink(target, link), 0);
	err[0] = '\0';
	assert_null(joblog_open(link, false, err, sizeof err));
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(access(target, F_OK), -1);
	free(target);
	free(link);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_header_once),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_lock_kill9),
		cmocka_unit_test(test_truncated_line),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_gnu_parallel),
		cmocka_unit_test(test_dev_full),
		cmocka_unit_test(test_symlink),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

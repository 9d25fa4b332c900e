/*
 * Tests of the control command parsing (cmd.c) and of the parts of the
 * control socket (ctl.c) that need no running pool: the directory safety
 * checks, stale socket removal and the client's reply handling.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

#define SCRATCH_NAME "cmd"
#include "scratch.h"

#include "cmd.h"
#include "ctl.h"
#include "opts.h"

/* Run a line without a pool; the reply in *out (caller frees). */
static int
run(const char *line, char **out)
{
	struct buf	b = { NULL, 0, 0 };
	int		rv;

	buf_add(&b, "", 0);
	rv = cmd_run(NULL, line, &b);
	*out = b.data;
	return rv;
}

/* Signal names and numbers: the parser kill and --termseq share. */
static void
test_signal(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("TERM"), SIGTERM);
	assert_int_equal(signal_parse("SIGTERM"), SIGTERM);
	assert_int_equal(signal_parse("kill"), SIGKILL);
	assert_int_equal(signal_parse("SigInt"), SIGINT);
	assert_int_equal(signal_parse("HUP"), SIGHUP);
	assert_int_equal(signal_parse("STOP"), SIGSTOP);
	assert_int_equal(signal_parse("CONT"), SIGCONT);
	assert_int_equal(signal_parse("USR1"), SIGUSR1);
	assert_int_equal(signal_parse("USR2"), SIGUSR2);
	assert_int_equal(signal_parse("QUIT"), SIGQUIT);
	assert_int_equal(signal_parse("WINCH"), SIGWINCH);
	assert_int_equal(signal_parse("sigchld"), SIGCHLD);
	assert_int_equal(signal_parse("ALRM"), SIGALRM);
	assert_int_equal(signal_parse("9"), 9);
	assert_int_equal(signal_parse("1"), 1);
	assert_int_equal(signal_parse("64"), 64);
	assert_int_equal(signal_parse("0"), -1);
	assert_int_equal(signal_parse("65"), -1);
	assert_int_equal(signal_parse("-9"), -1);
	assert_int_equal(signal_parse("9x"), -1);
	assert_int_equal(signal_parse("SIG"), -1);
	assert_int_equal(signal_parse("SIGSIGTERM"), -1);
	assert_int_equal(signal_parse("FOO"), -1);
	assert_int_equal(signal_parse(""), -1);
	assert_int_equal(signal_parse(NULL), -1);
}

/* ctl kill and --termseq accept and refuse the same signal words. */
static void
test_signal_callers(void **state)
{
	static const char	*words[] = { "TERM", "sigkill", "WINCH", "hup",
	    "SigUsr1", "1", "15", "64", "0", "65", "FOO", "SIG", "9x" };
	struct termseq		 ts;
	char			 line[64], seq[64], err[256], *out;
	size_t			 i;
	int			 known, by_kill, by_termseq;

	(void)state;
	for (i = 0; i < nitems_of(words); i++) {
		known = signal_parse(words[i]) != -1;
		snprintf(line, sizeof line, "kill 3 %s", words[i]);
		assert_int_equal(run(line, &out), -1);
		by_kill = strcmp(out, "error: no pool to control\n") == 0;
		free(out);
		snprintf(seq, sizeof seq, "%s,1", words[i]);
		by_termseq = parse_termseq(seq, &ts, err, sizeof err) == 0;
		assert_int_equal(by_kill, known);
		assert_int_equal(by_termseq, known);
		if (known)
			assert_int_equal(ts.sig[0], signal_parse(words[i]));
	}
}

/* Lines split on any run of blanks. */
static void
test_split(void **state)
{
	char	**argv;
	int	  argc;

	(void)state;
	argc = cmd_split("  kill\t3   KILL \r\n", &argv);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[0], "kill");
	assert_string_equal(argv[1], "3");
	assert_string_equal(argv[2], "KILL");
	assert_null(argv[3]);
	cmd_freev(argc, argv);

	argc = cmd_split("", &argv);
	assert_int_equal(argc, 0);
	assert_null(argv[0]);
	cmd_freev(argc, argv);

	argc = cmd_split(" \t ", &argv);
	assert_int_equal(argc, 0);
	cmd_freev(argc, argv);

	argc = cmd_split("status", &argv);
	assert_int_equal(argc, 1);
	assert_string_equal(argv[0], "status");
	cmd_freev(argc, argv);
}

/* The command names are known; nothing else is. */
static void
test_known(void **state)
{
	static const char	*names[] = { "pause", "resume", "toggle", "kill",
	    "resize", "drain", "stop", "retry", "status", "help" };
	size_t			 i;

	(void)state;
	for (i = 0; i < nitems_of(names); i++)
		assert_true(cmd_known(names[i]));
	assert_false(cmd_known("Pause"));
	assert_false(cmd_known(""));
	assert_false(cmd_known("12"));
}

/* A table of lines rejected before the pool is touched. */
static void
test_errors(void **state)
{
	static const struct {
		const char	*line;
		const char	*reply;
	} t[] = {
		{ "", "error: empty command (try help)\n" },
		{ "frobnicate", "error: unknown command 'frobnicate' (try help)\n" },
		{ "kill", "error: usage: kill SLOT [SIGNAL]\n" },
		{ "kill 1 2 3", "error: usage: kill SLOT [SIGNAL]\n" },
		{ "pause 1 2", "error: usage: pause [SLOT]\n" },
		{ "drain now", "error: usage: drain\n" },
		{ "stop 1", "error: usage: stop\n" },
		{ "retry x", "error: usage: retry\n" },
		{ "resize", "error: usage: resize N|+N|-N|auto [--kill] [--host HOST]\n" },
		{ "resize 1 2", "error: usage: resize N|+N|-N|auto [--kill] [--host HOST]\n" },
		{ "resize --kill", "error: usage: resize N|+N|-N|auto [--kill] [--host HOST]\n" },
		{ "resize --kill --kill", "error: usage: resize N|+N|-N|auto [--kill] [--host HOST]\n" },
		{ "kill 0", "error: bad slot '0' (slots count from 1 to 1024)\n" },
		{ "kill -1", "error: bad slot '-1' (slots count from 1 to 1024)\n" },
		{ "kill x", "error: bad slot 'x' (slots count from 1 to 1024)\n" },
		{ "pause 99999", "error: bad slot '99999' (slots count from 1 "
		  "to 1024)\n" },
		{ "kill 3 FOO", "error: unknown signal 'FOO' (a name such as TERM "
		  "or KILL, or 1-64)\n" },
		{ "kill 3 0", "error: unknown signal '0' (a name such as TERM "
		  "or KILL, or 1-64)\n" },
		{ "status --xml", "error: unknown option '--xml' (usage: status "
		  "[--json])\n" },
		{ "pause 3", "error: no pool to control\n" },
		{ "toggle 1 2", "error: usage: toggle [SLOT]\n" },
		{ "toggle 0", "error: bad slot '0' (slots count from 1 "
		  "to 1024)\n" },
		{ "toggle", "error: no pool to control\n" },
		{ "kill 3 KILL", "error: no pool to control\n" },
		{ "kill 3 WINCH", "error: no pool to control\n" },
		{ "kill 3 sigwinch", "error: no pool to control\n" },
		{ "drain", "error: no pool to control\n" },
		{ "status", "error: no pool to control\n" },
		{ "status --json", "error: no pool to control\n" },
	};
	size_t	 i;
	char	*out;

	(void)state;
	for (i = 0; i < nitems_of(t); i++) {
		assert_int_equal(run(t[i].line, &out), -1);
		assert_string_equal(out, t[i].reply);
		free(out);
	}
}

/* Words quoted in messages are escaped and shortened. */
static void
test_error_escape(void **state)
{
	char	*out, long_word[200];

	(void)state;
	assert_int_equal(run("fo\033[2Jo", &out), -1);
	assert_null(strchr(out, '\033'));
	assert_non_null(strstr(out, "\\x1b[2J"));
	free(out);

	memset(long_word, 'a', sizeof long_word - 1);
	long_word[sizeof long_word - 1] = '\0';
	assert_int_equal(run(long_word, &out), -1);
	assert_true(strlen(out) < 100);
	assert_non_null(strstr(out, "'..."));
	free(out);
}

/* help lists every command, with or without a pool. */
static void
test_help(void **state)
{
	char	*out;

	(void)state;
	assert_int_equal(run("help", &out), 0);
	assert_non_null(strstr(out, "pause [SLOT]"));
	assert_non_null(strstr(out, "kill SLOT [SIGNAL]"));
	assert_non_null(strstr(out, "resize N|+N|-N|auto [--kill]"));
	assert_non_null(strstr(out, "status [--json]"));
	assert_non_null(strstr(out, "\nretry "));
	assert_non_null(strstr(out, "\ndrain "));
	assert_non_null(strstr(out, "\nstop "));
	assert_non_null(strstr(out, "\nhelp "));
	free(out);
}

/* Point XDG_RUNTIME_DIR at a fresh directory of ours. */
static char *
fresh_xdg(const char *name)
{
	char	*x = tpath(name);

	assert_int_equal(mkdir(x, 0700), 0);
	setenv("XDG_RUNTIME_DIR", x, 1);
	return x;
}

/* ctl_dir creates a private directory under XDG_RUNTIME_DIR. */
static void
test_dir_create(void **state)
{
	struct stat	 sb;
	const char	*d;
	char		 err[256], *x, *want;
	mode_t		 old;

	(void)state;
	x = fresh_xdg("xdg-ok");
	want = xasprintf("%s/pooltop", x);
	assert_null(ctl_dir(0, err, sizeof err));
	assert_non_null(strstr(err, want));
	old = umask(0);
	d = ctl_dir(1, err, sizeof err);
	umask(old);
	assert_non_null(d);
	assert_string_equal(d, want);
	assert_int_equal(lstat(want, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0700);
	/* Again: it exists and is fine. */
	assert_non_null(ctl_dir(1, err, sizeof err));
	assert_non_null(ctl_dir(0, err, sizeof err));
	free(want);
	free(x);
}

/* ctl_dir refuses a directory others can reach, or no directory. */
static void
test_dir_unsafe(void **state)
{
	char	 err[256], *x, *d, *other;

	(void)state;
	x = fresh_xdg("xdg-bad");
	d = xasprintf("%s/pooltop", x);

	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(chmod(d, 0755), 0);
	assert_null(ctl_dir(1, err, sizeof err));
	assert_non_null(strstr(err, "mode 0755"));
	assert_int_equal(chmod(d, 0701), 0);
	assert_null(ctl_dir(0, err, sizeof err));
	assert_non_null(strstr(err, "mode 0701"));
	assert_int_equal(rmdir(d), 0);

	other = tpath("elsewhere");
	assert_int_equal(mkdir(other, 0700), 0);
	assert_int_equal(symlink(other, d), 0);
	assert_null(ctl_dir(1, err, sizeof err));
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(unlink(d), 0);

	assert_int_equal(close(open(d, O_CREAT | O_WRONLY, 0600)), 0);
	assert_null(ctl_dir(1, err, sizeof err));
	assert_non_null(strstr(err, "not a directory"));
	assert_int_equal(unlink(d), 0);

	if (geteuid() == 0) {
		assert_int_equal(mkdir(d, 0700), 0);
		assert_int_equal(chown(d, 65534, 65534), 0);
		assert_null(ctl_dir(1, err, sizeof err));
		assert_non_null(strstr(err, "owned by uid 65534"));
		assert_int_equal(rmdir(d), 0);
	}
	free(other);
	free(d);
	free(x);
}

/* An unusable XDG_RUNTIME_DIR falls back to /tmp/pooltop-<uid>. */
static void
test_dir_fallback(void **state)
{
	const char	*d;
	char		 err[256], want[64], *missing, longx[200];

	(void)state;
	snprintf(want, sizeof want, "/tmp/pooltop-%u", (unsigned)geteuid());
	missing = tpath("no-such-dir");
	memset(longx, 'x', sizeof longx - 1);
	longx[0] = '/';
	longx[sizeof longx - 1] = '\0';
	{
		const char	*vals[] = { NULL, "", "relative/dir", missing,
		    longx };
		size_t		 i;

		for (i = 0; i < nitems_of(vals); i++) {
			if (vals[i] == NULL)
				unsetenv("XDG_RUNTIME_DIR");
			else
				setenv("XDG_RUNTIME_DIR", vals[i], 1);
			err[0] = '\0';
			d = ctl_dir(0, err, sizeof err);
			if (d != NULL)
				assert_string_equal(d, want);
			else
				assert_non_null(strstr(err, want));
		}
	}
	free(missing);
}

/* Bind a Unix socket at path; listening or not; returns the fd. */
static int
make_socket(const char *path, int do_listen)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	assert_true(strlcpy(sun.sun_path, path, sizeof sun.sun_path) <
	    sizeof sun.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* A pid that no longer exists. */
static pid_t
dead_pid(void)
{
	pid_t	pid = fork();

	assert_true(pid != -1);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* Does path exist (without following a symlink)? */
static int
exists(const char *path)
{
	struct stat	sb;

	return lstat(path, &sb) == 0;
}

/* Stale sockets go; live, listed, foreign-named and non-socket files stay. */
static void
test_remove_stale(void **state)
{
	struct buf	 removed = { NULL, 0, 0 };
	const char	*d;
	char		 err[256], *x, *dead, *busy, *listed, *plain, *other;
	pid_t		 live[1];
	int		 fd1, fd2, fd3;

	(void)state;
	x = fresh_xdg("xdg-stale");
	assert_non_null(d = ctl_dir(1, err, sizeof err));
	dead = xasprintf("%s/%ld.sock", d, (long)dead_pid());
	busy = xasprintf("%s/%ld.sock", d, (long)getpid());
	listed = xasprintf("%s/%ld.sock", d, (long)getppid());
	plain = xasprintf("%s/%ld.sock", d, (long)dead_pid());
	other = xasprintf("%s/notes.sock", d);
	fd1 = make_socket(dead, 0);
	close(fd1);				/* a stale socket file */
	fd2 = make_socket(busy, 1);		/* live, not in the list */
	fd3 = make_socket(listed, 0);		/* in the live list */
	assert_int_equal(close(open(plain, O_CREAT | O_WRONLY, 0600)), 0);
	close(make_socket(other, 0));
	live[0] = getppid();

	assert_int_equal(ctl_remove_stale(live, 1, &removed), 1);
	assert_non_null(removed.data);
	assert_int_equal(strncmp(removed.data, dead, strlen(dead)), 0);
	assert_string_equal(removed.data + strlen(dead), "\n");
	assert_false(exists(dead));
	assert_true(exists(busy));
	assert_true(exists(listed));
	assert_true(exists(plain));
	assert_true(exists(other));

	/* Nothing listens on busy any more, so it is stale now. */
	close(fd2);
	buf_free(&removed);
	assert_int_equal(ctl_remove_stale(live, 1, &removed), 1);
	assert_false(exists(busy));
	assert_true(exists(listed));
	close(fd3);
	buf_free(&removed);
	free(dead);
	free(busy);
	free(listed);
	free(plain);
	free(other);
	free(x);
}

/* Fork a one-shot server on path that reads a line and sends reply. */
static pid_t
fake_server(const char *path, const char *reply, const char *expect)
{
	char	line[256];
	ssize_t	n;
	size_t	len = 0;
	pid_t	pid;
	int	lfd, cfd;

	lfd = make_socket(path, 1);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if ((cfd = accept(lfd, NULL, NULL)) == -1)
			_exit(2);
		while (len < sizeof line - 1 && memchr(line, '\n', len) == NULL &&
		    (n = read(cfd, line + len, sizeof line - 1 - len)) > 0)
			len += (size_t)n;
		line[len] = '\0';
		if (write(cfd, reply, strlen(reply)) == -1)
			_exit(2);
		close(cfd);
		_exit(strcmp(line, expect) == 0 ? 0 : 3);
	}
	close(lfd);
	return pid;
}

/* Wait for a fake server; it checked the request line. */
static void
reap_server(pid_t pid)
{
	int	status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The client sends one line and splits "ok" from "error:" replies. */
static void
test_request(void **state)
{
	struct buf	 r = { NULL, 0, 0 };
	char		 err[256], *path;
	pid_t		 pid;

	(void)state;
	path = tpath("fake.sock");

	pid = fake_server(path, "ok\nline one\nline two\n", "status\n");
	assert_int_equal(ctl_request(path, "status", &r, err, sizeof err), 0);
	assert_string_equal(r.data, "line one\nline two\n");
	reap_server(pid);
	unlink(path);
	buf_free(&r);

	pid = fake_server(path, "error: no worker in slot 9 (1-4)\n",
	    "kill 9\n");
	assert_int_equal(ctl_request(path, "kill 9", &r, err, sizeof err), -1);
	assert_string_equal(r.data, "error: no worker in slot 9 (1-4)\n");
	assert_string_equal(err, "error: no worker in slot 9 (1-4)");
	reap_server(pid);
	unlink(path);
	buf_free(&r);

	pid = fake_server(path, "HTTP/1.0 200 OK\r\n", "pause\n");
	assert_int_equal(ctl_request(path, "pause", &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "malformed reply"));
	assert_non_null(strstr(r.data, "error: "));
	reap_server(pid);
	unlink(path);
	buf_free(&r);

	/* Nobody listens. */
	assert_int_equal(ctl_request(path, "pause", &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot connect"));
	assert_true(strncmp(r.data, "error: ", 7) == 0);
	buf_free(&r);

	/* Not one line. */
	assert_int_equal(ctl_request(path, "pause\nstop", &r, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "one line"));
	buf_free(&r);
	free(path);
}

/* No pool has this name. */
static void
test_find_none(void **state)
{
	char	err[256], sock[108], name[64];

	(void)state;
	assert_int_equal(ctl_find("no-such-pool-name-for-test", name,
	    sizeof name, sock, sizeof sock, err, sizeof err), -1);
	assert_non_null(strstr(err, "no live pool"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_signal_callers),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_escape),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_dir_create),
		cmocka_unit_test(test_dir_unsafe),
		cmocka_unit_test(test_dir_fallback),
		cmocka_unit_test(test_remove_stale),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_find_none),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}

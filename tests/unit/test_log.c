/* Tests of the event log: escaping, text and JSON lines, summary. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define SCRATCH_NAME "log"
#include "scratch.h"

#include "log.h"
#include "text.h"

/* An event with text. */
static void
make_event(struct pt_shm_event *ev, uint32_t type, int slot, uint64_t task,
    int status, const char *text)
{
	memset(ev, 0, sizeof *ev);
	ev->type = type;
	ev->slot = slot;
	ev->task_seq = task;
	ev->status = status;
	ev->real_ns = 1795528492123456789LL;	/* 2026-11-24T13:54:52.123Z */
	strlcpy(ev->text, text, sizeof ev->text);
}

/* text_escaped() turns terminal controls into harmless text. */
static void
test_escape_table(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} t[] = {
		{ "plain text ~", 0, "plain text ~" },
		{ "\x1b]0;x\x07", 0, "\\x1b]0;x\\x07" },	/* set title */
		{ "\x1b[2J", 0, "\\x1b[2J" },		/* clear screen */
		{ "a\nb\tc\rd", 0, "a\\nb\\tc\\rd" },
		{ "del\x7f", 0, "del\\x7f" },
		{ "nul\0x", 5, "nul\\x00x" },
		{ "bad\xff\xfe!", 0, "bad\\xff\\xfe!" },
		{ "\xc0\xaf", 0, "\\xc0\\xaf" },		/* overlong '/' */
		{ "\xed\xa0\x80", 0, "\\xed\\xa0\\x80" },	/* surrogate */
		{ "cut\xe2\x82", 0, "cut\\xe2\\x82" },	/* truncated */
		{ "\xc2\x9b" "31m", 0, "\\xc2\\x9b31m" },	/* C1 CSI */
		{ "\xe2\x80\xae" "txt", 0, "\\xe2\\x80\\xaetxt" },	/* RLO */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0,
		  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "back\\slash", 0, "back\\slash" },
		{ "", 0, "" },
	};
	size_t	 i, len;
	char	*s;

	(void)state;
	for (i = 0; i < nitems_of(t); i++) {
		len = t[i].len ? t[i].len : strlen(t[i].in);
		s = text_escaped(t[i].in, len);
		assert_string_equal(s, t[i].out);
		free(s);
	}
}

/* Check "YYYY-MM-DDTHH:MM:SS.mmmZ" at the start of a line. */
static void
assert_iso_time(const char *s)
{
	const char	*pat = "dddd-dd-ddTdd:dd:dd.dddZ";
	size_t		 i;

	for (i = 0; pat[i] != '\0'; i++) {
		if (pat[i] == 'd')
			assert_true(s[i] >= '0' && s[i] <= '9');
		else
			assert_int_equal(s[i], pat[i]);
	}
}

/* Text lines: time, event, 1-based slot, task, status, escaped text. */
static void
test_text_lines(void **state)
{
	struct pt_shm_event	 ev;
	struct evlog		*l;
	struct stat		 st;
	char			 err[256], *path = tpath("text.log"), *s, *want;

	(void)state;
	umask(0);
	l = evlog_open(path, LOG_TEXT, err, sizeof err);
	umask(022);
	assert_non_null(l);
	make_event(&ev, PT_EV_TASK_DONE, 1, 17, 0, "ls \x1b[2J");
	assert_int_equal(evlog_event(l, &ev), 0);
	make_event(&ev, PT_EV_PAUSE, -1, 0, 5, "");
	assert_int_equal(evlog_event(l, &ev), 0);
	evlog_close(l);

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	s = slurp(path, NULL);
	assert_iso_time(s);
	assert_memory_equal(s, "2026-11-24T13:54:52.123Z", 24);
	assert_non_null(strstr(s, "Z task.done slot=2 task=17 status=0 "
	    "ls \\x1b[2J\n"));
	want = xasprintf("Z %s\n", shm_event_name(PT_EV_PAUSE));
	assert_non_null(strstr(s, want));
	free(want);
	assert_null(strstr(s, "\x1b"));
	/* The pool-wide event has no slot, task or status field. */
	assert_null(strstr(strchr(s, '\n') + 1, "slot="));
	assert_null(strstr(strchr(s, '\n') + 1, "status="));
	free(s);
	free(path);
}

/* Run a python3 validator over a JSON lines file; its stdout is returned. */
static char *
python_check(const char *path)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*cmd, chunk[1024];
	FILE		*p;
	size_t		 n;

	cmd = xasprintf("python3 -c 'import json,sys\n"
	    "for line in open(sys.argv[1], encoding=\"utf-8\"):\n"
	    "    o = json.loads(line)\n"
	    "    print(o[\"event\"], o.get(\"slot\"), o.get(\"task\"),"
	    " o.get(\"status\"), ascii(o.get(\"text\")))\n' %s 2>&1", path);
	p = popen(cmd, "r");
	free(cmd);
	assert_non_null(p);
	buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&b, chunk, n);
	if (pclose(p) != 0) {
		print_error("python3 said: %s\n", b.data);
		fail();
	}
	return b.data;
}

/* JSON lines parse with a real JSON parser and keep the text. */
static void
test_json_lines(void **state)
{
	struct pt_shm_event	 ev;
	struct evlog		*l;
	char			 err[256], *path = tpath("json.log"), *s, *want;

	(void)state;
	if (system("python3 -c 1 >/dev/null 2>&1") != 0)
		skip();
	l = evlog_open(path, LOG_JSON, err, sizeof err);
	assert_non_null(l);
	make_event(&ev, PT_EV_TASK_DONE, 1, 17, 0, "ls /tmp");
	assert_int_equal(evlog_event(l, &ev), 0);
	make_event(&ev, PT_EV_TASK_FAILED, 0, 3, 2,
	    "q\"b\\s\x1b]0;x\x07\n\t\x7f\xff\xc3\xa9\xc2\x9b\xe2\x80\xae");
	assert_int_equal(evlog_event(l, &ev), 0);
	make_event(&ev, PT_EV_RESUME, -1, 0, 0, "");
	assert_int_equal(evlog_event(l, &ev), 0);
	evlog_close(l);

	s = python_check(path);
	want = xasprintf("%s 2 17 0 'ls /tmp'\n"
	    "%s 1 3 2 "
	    "'q\"b\\\\s\\x1b]0;x\\x07\\n\\t\\x7f\\xff\\xe9\\x9b\\u202e'\n"
	    "%s None None None ''\n", shm_event_name(PT_EV_TASK_DONE),
	    shm_event_name(PT_EV_TASK_FAILED), shm_event_name(PT_EV_RESUME));
	assert_string_equal(s, want);
	free(want);
	free(s);
	s = slurp(path, NULL);
	want = xasprintf("{\"time\":\"2026-11-24T13:54:52.123Z\","
	    "\"event\":\"%s\",\"slot\":2,\"task\":17,\"status\":0,"
	    "\"text\":\"ls /tmp\"}\n", shm_event_name(PT_EV_TASK_DONE));
	assert_memory_equal(s, want, strlen(want));
	free(want);
	free(s);
	free(path);
}

/* Progress lines in both formats. */
static void
test_progress(void **state)
{
	struct run_stats	 st = { 120, 2, 1000, 0, 0, 4, 35.1, false, 0, 0, NULL, 0,
	    false, 0, 0 };
	struct evlog		*l;
	char			 err[256], *path = tpath("progress.log"), *s;

	(void)state;
	l = evlog_open(path, LOG_TEXT, err, sizeof err);
	assert_non_null(l);
	assert_int_equal(evlog_progress(l, &st), 0);
	st.total = 0;
	assert_int_equal(evlog_progress(l, &st), 0);
	evlog_close(l);
	l = evlog_open(path, LOG_JSON, err, sizeof err);
	assert_non_null(l);
	st.total = 1000;
	assert_int_equal(evlog_progress(l, &st), 0);
	evlog_close(l);

	s = slurp(path, NULL);
	assert_iso_time(s);
	/* (1000 - 122) / 35.1 = 25.01...: 26 seconds, rounded up. */
	assert_non_null(strstr(s, "Z progress done=120/1000 failed=2 "
	    "rate=35.1/s eta=26s\n"));
	assert_non_null(strstr(s, "Z progress done=120 failed=2 "
	    "rate=35.1/s\n"));
	assert_non_null(strstr(s, "\"event\":\"progress\",\"done\":120,"
	    "\"failed\":2,\"total\":1000,\"rate\":35.1,\"eta\":26}\n"));
	free(s);
	free(path);
}

/* The summary as a string, in format fmt. */
static char *
summary_in(enum log_format fmt, const struct run_stats *st)
{
	char	*s = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&s, &len);

	assert_non_null(f);
	log_summary(f, fmt, st);
	fclose(f);
	return s;
}

/* The text summary as a string. */
static char *
summary(const struct run_stats *st)
{
	return summary_in(LOG_TEXT, st);
}

/* Summary math: speedup is task time over wall, efficiency per worker. */
static void
test_summary(void **state)
{
	struct run_stats	 st = { 998, 2, 1000, 12300000000LL,
				     45600000000LL, 4, 0, false, 0, 0, NULL, 0,
	    false, 0, 0 };
	char			*s;

	(void)state;
	s = summary(&st);
	assert_string_equal(s,
	    "pooltop: 1000 tasks: 998 done, 2 failed in 12.3s wall\n"
	    "pooltop: task time 45.6s (a serial run), speedup 3.71x on 4 "
	    "workers, efficiency 93%\n");
	free(s);

	st = (struct run_stats){ 1, 0, 5, 2 * PT_NSEC, 2 * PT_NSEC, 1, 0,
	    false, 0, 0, NULL, 0,
	    false, 0, 0 };
	s = summary(&st);
	assert_string_equal(s,
	    "pooltop: 1 of 5 tasks: 1 done, 0 failed in 2.0s wall\n"
	    "pooltop: task time 2.0s (a serial run), speedup 1.00x on 1 "
	    "worker, efficiency 100%\n");
	free(s);

	st = (struct run_stats){ 1, 0, 0, 3725 * PT_NSEC, 125 * PT_NSEC, 2,
	    0, false, 0, 0, NULL, 0,
	    false, 0, 0 };
	s = summary(&st);
	assert_string_equal(s,
	    "pooltop: 1 task: 1 done, 0 failed in 1h02m05s wall\n"
	    "pooltop: task time 2m05s (a serial run), speedup 0.03x on 2 "
	    "workers, efficiency 2%\n");
	free(s);

	st = (struct run_stats){ 0, 0, 0, 0, 0, 0, 0, false, 0, 0, NULL, 0,
	    false, 0, 0 };
	s = summary(&st);
	assert_string_equal(s,
	    "pooltop: 0 tasks: 0 done, 0 failed in 0.0s wall\n"
	    "pooltop: task time 0.0s (a serial run)\n");
	free(s);

	/* --speculate: copies started and won, said even when none. */
	st = (struct run_stats){ 0, 0, 0, 0, 0, 0, 0, false, 0, 0, NULL, 0,
	    true, 3, 1 };
	s = summary(&st);
	assert_non_null(strstr(s, "pooltop: speculate: 3 copies started, "
	    "1 won\n"));
	free(s);
	s = summary_in(LOG_JSON, &st);
	assert_non_null(strstr(s, ",\"copies_started\":3,\"copies_won\":1}"));
	free(s);

	/* An admission option: how long it held. */
	st = (struct run_stats){ 0, 0, 0, 0, 0, 0, 0, true, 12300000000LL, 2, NULL,
	    0, false, 0, 0 };
	s = summary(&st);
	assert_string_equal(s,
	    "pooltop: 0 tasks: 0 done, 0 failed in 0.0s wall\n"
	    "pooltop: task time 0.0s (a serial run)\n"
	    "pooltop: admission held 12.3s\n"
	    "pooltop: 2 tasks oom-killed\n");
	free(s);
}

/* The JSON summary: one object on one line, the same figures. */
static void
test_summary_json(void **state)
{
	struct run_stats	 st = { 998, 2, 1000, 12300000000LL,
				     45600000000LL, 4, 0, false, 0, 0, NULL, 0,
	    false, 0, 0 };
	char			*s;

	(void)state;
	s = summary_in(LOG_JSON, &st);
	assert_int_equal(strncmp(s, "{\"time\":\"", 9), 0);
	assert_iso_time(s + 9);
	assert_string_equal(s + 9 + 24, "\",\"event\":\"summary\",\"done\":998,"
	    "\"failed\":2,\"total\":1000,\"wall\":12.300,\"task_time\":45.600,"
	    "\"workers\":4,\"speedup\":3.71,\"efficiency\":93}\n");
	free(s);

	st = (struct run_stats){ 0, 0, 0, 0, 0, 0, 0, false, 0, 0, NULL, 0,
	    false, 0, 0 };
	s = summary_in(LOG_JSON, &st);
	assert_non_null(strstr(s, "\"event\":\"summary\",\"done\":0,"
	    "\"failed\":0,\"wall\":0.000,\"task_time\":0.000,\"workers\":0}\n"));
	free(s);

	st = (struct run_stats){ 0, 0, 0, 0, 0, 0, 0, true, 1500000000LL, 1, NULL,
	    0, false, 0, 0 };
	s = summary_in(LOG_JSON, &st);
	assert_non_null(strstr(s, "\"workers\":0,\"admission_held\":1.500,"
	    "\"oom_killed\":1}\n"));
	free(s);
}

/* log_say(): "pooltop: TEXT" in text, the event's line in JSON; stderr. */
static void
test_say(void **state)
{
	struct pt_shm_event	 ev;
	char			*path = tpath("say"), *s;
	int			 fd, saved;

	(void)state;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	saved = dup(STDERR_FILENO);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	make_event(&ev, PT_EV_ERROR, 1, 0, 3, "cut to fit");
	assert_int_equal(log_say(LOG_TEXT, &ev, "worker 2: no\x1b[2J"), 0);
	assert_int_equal(log_say(LOG_JSON, &ev, "worker 2: \"x\""), 0);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	s = slurp(path, NULL);
	assert_string_equal(s, "pooltop: worker 2: no\\x1b[2J\n"
	    "{\"time\":\"2026-11-24T13:54:52.123Z\",\"event\":\"error\","
	    "\"slot\":2,\"text\":\"worker 2: \\\"x\\\"\"}\n");
	free(s);
	free(path);
}

/* A full disk is an error the caller sees, with errno. */
static void
test_dev_full(void **state)
{
	struct pt_shm_event	 ev;
	struct run_stats	 st = { 1, 0, 2, 0, 0, 1, 1.0, false, 0, 0, NULL, 0,
	    false, 0, 0 };
	struct evlog		*l;
	char			 err[256];

	(void)state;
	l = evlog_open("/dev/full", LOG_TEXT, err, sizeof err);
	if (l == NULL)
		skip();
	make_event(&ev, PT_EV_TASK_DONE, 0, 1, 0, "x");
	errno = 0;
	assert_int_equal(evlog_event(l, &ev), -1);
	assert_int_equal(errno, ENOSPC);
	errno = 0;
	assert_int_equal(evlog_progress(l, &st), -1);
	assert_int_equal(errno, ENOSPC);
	evlog_close(l);
}

/* A symbolic link as log file is refused. */
static void
test_symlink_refused(void **state)
{
	char	 err[256], *target = tpath("target"), *link = tpath("link");

	(void)state;
	assert_int_equal(symlink(target, link), 0);
	err[0] = '\0';
	assert_null(evlog_open(link, LOG_TEXT, err, sizeof err));
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(access(target, F_OK), -1);
	free(target);
	free(link);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_json_lines),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_json),
		cmocka_unit_test(test_say),
		cmocka_unit_test(test_dev_full),
		cmocka_unit_test(test_symlink_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

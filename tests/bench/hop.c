/*
 * What one hop costs: the least a line pool can do, with and without a
 * process between the dispatcher and each program.  tests/bench/hop.sh
 * runs it beside pooltop --persistent.
 *
 *   hop direct P CHUNK FILE CMD...
 *   hop relay  P CHUNK FILE CMD...
 *
 * Both start P copies of CMD (argv, no shell) and hand out the lines of
 * FILE in chunks of CHUNK lines, a chunk to whichever copy has fewer than
 * two chunks unanswered; every answer line is written to stdout as it
 * comes (in 64 KiB writes), and an answer is counted as a newline.  That
 * is all: no per-line records, no clocks, no events, no order kept; what
 * pooltop does on top of it (a record per item, its clock and status,
 * the joblog, answers given back in order, a crash failing one item) is
 * not here.
 *
 * direct: the dispatcher writes to and reads from each program's pipes
 * itself (one hop: program -> dispatcher).
 * relay: each program is behind a relay process, as pooltop's worker
 * stands between its supervisor and the program: the relay copies the
 * dispatcher's bytes to the program's stdin and the program's answers
 * back, counting the answer lines as it passes them on (two hops:
 * program -> relay -> dispatcher).
 *
 * Exit status 0, or 1 with a message when a program or relay fails, or
 * the answers do not match the lines.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK	(64 * 1024)
#define MAXP	64

struct kid {
	pid_t	 pid;
	int	 in;		/* we write its lines here; -1 closed */
	int	 out;		/* we read its answers here; -1 at EOF */
	const char *w;		/* the chunks given, not yet written */
	size_t	 wlen;
	uint64_t given;		/* lines given */
	uint64_t answered;
};

static size_t	chunk_lines;

static void
nonblock(int fd)
{
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		err(1, "fcntl");
}

/* Start argv with its stdin and stdout on pipes: *in to write, *out to
 * read. */
static pid_t
start(char **argv, int *in, int *out, int keep)
{
	int	a[2], b[2];
	pid_t	pid;

	if (pipe(a) == -1 || pipe(b) == -1)
		err(1, "pipe");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		if (dup2(a[0], 0) == -1 || dup2(b[1], 1) == -1)
			_exit(127);
		for (int fd = 3; fd < 256; fd++)
			if (fd != keep)
				(void)close(fd);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(a[0]);
	close(b[1]);
	*in = a[1];
	*out = b[0];
	return pid;
}

static void
write_all(int fd, const char *b, size_t n)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLOUT };
	ssize_t		w;

	while (n > 0) {
		if ((w = write(fd, b, n)) == -1) {
			if (errno == EAGAIN) {
				(void)poll(&pfd, 1, -1);
				continue;
			}
			if (errno == EINTR)
				continue;
			err(1, "write");
		}
		b += w;
		n -= (size_t)w;
	}
}

static uint64_t
count_lines(const char *b, size_t n)
{
	uint64_t	 c = 0;
	const char	*e = b + n, *q;

	while (b < e && (q = memchr(b, '\n', (size_t)(e - b))) != NULL) {
		c++;
		b = q + 1;
	}
	return c;
}

/*
 * The relay: copies fd 0 (the dispatcher's lines) to the program and the
 * program's answers to fd 1, each as it comes, reading the answers line
 * by line as pooltop's worker does.
 */
static int
relay(char **argv)
{
	static char	 ib[BLOCK], ob[BLOCK];
	size_t		 ilen = 0, ioff = 0;
	int		 pin, pout, st;
	bool		 up_eof = false;
	pid_t		 pid;
	uint64_t	 answers = 0;

	pid = start(argv, &pin, &pout, -1);
	nonblock(pin);
	nonblock(0);
	for (;;) {
		struct pollfd	pfd[3];
		int		n = 0, iu = -1, ip = -1, io;
		ssize_t		r;

		if (!up_eof && ilen == ioff) {
			iu = n;
			pfd[n++] = (struct pollfd){ .fd = 0, .events = POLLIN };
		}
		if (ilen > ioff) {
			ip = n;
			pfd[n++] = (struct pollfd){ .fd = pin,
			    .events = POLLOUT };
		}
		io = n;
		pfd[n++] = (struct pollfd){ .fd = pout, .events = POLLIN };
		if (poll(pfd, (nfds_t)n, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "relay poll");
		}
		if (iu != -1 && pfd[iu].revents != 0) {
			r = read(0, ib, sizeof ib);
			if (r == 0) {
				up_eof = true;
				close(pin);
				pin = -1;
			} else if (r > 0) {
				ilen = (size_t)r;
				ioff = 0;
			} else if (errno != EAGAIN && errno != EINTR)
				err(1, "relay read");
		}
		if (ip != -1 && pfd[ip].revents != 0) {
			r = write(pin, ib + ioff, ilen - ioff);
			if (r > 0)
				ioff += (size_t)r;
			else if (r == -1 && errno != EAGAIN && errno != EINTR)
				err(1, "relay write");
		}
		if (pfd[io].revents == 0)
			continue;
		r = read(pout, ob, sizeof ob);
		if (r == 0)
			break;
		if (r > 0) {
			answers += count_lines(ob, (size_t)r);
			write_all(1, ob, (size_t)r);
		} else if (errno != EAGAIN && errno != EINTR)
			err(1, "relay read answers");
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		errx(1, "%s failed", argv[0]);
	(void)answers;
	return 0;
}

/* Give k the next chunk of lines, if any are left. */
static void
give(struct kid *k, const char **next, const char *end)
{
	const char	*p = *next;
	size_t		 n = 0;

	while (p < end && n < chunk_lines) {
		const char *q = memchr(p, '\n', (size_t)(end - p));

		p = q == NULL ? end : q + 1;
		n++;
	}
	if (n == 0)
		return;
	if (k->wlen == 0)
		k->w = *next;
	k->wlen += (size_t)(p - *next);	/* chunks are contiguous */
	k->given += n;
	*next = p;
}

int
main(int argc, char **argv)
{
	static char	 ob[BLOCK];
	struct kid	 kid[MAXP];
	struct stat	 sb;
	const char	*data, *next, *end;
	uint64_t	 lines, answered = 0;
	int		 np, fd, alive;
	bool		 via;

	if (argc > 2 && strcmp(argv[1], "-relay-") == 0)
		return relay(argv + 2);
	if (argc < 6 || (strcmp(argv[1], "direct") != 0 &&
	    strcmp(argv[1], "relay") != 0))
		errx(2, "usage: hop direct|relay P CHUNK FILE CMD...");
	via = strcmp(argv[1], "relay") == 0;
	np = atoi(argv[2]);
	chunk_lines = (size_t)atol(argv[3]);
	if (np < 1 || np > MAXP || chunk_lines < 1)
		errx(2, "bad P or CHUNK");
	signal(SIGPIPE, SIG_IGN);
	if ((fd = open(argv[4], O_RDONLY)) == -1 || fstat(fd, &sb) == -1)
		err(1, "%s", argv[4]);
	data = sb.st_size == 0 ? "" : mmap(NULL, (size_t)sb.st_size,
	    PROT_READ, MAP_PRIVATE, fd, 0);
	if (data == MAP_FAILED)
		err(1, "mmap");
	end = data + sb.st_size;
	lines = count_lines(data, (size_t)sb.st_size);
	next = data;

	for (int i = 0; i < np; i++) {
		char	*rv[argc];
		int	 j = 0;

		memset(&kid[i], 0, sizeof kid[i]);
		if (via) {	/* this program again, as the relay */
			rv[j++] = argv[0];
			rv[j++] = "-relay-";
		}
		for (int a = 5; a < argc; a++)
			rv[j++] = argv[a];
		rv[j] = NULL;
		kid[i].pid = start(rv, &kid[i].in, &kid[i].out, -1);
		nonblock(kid[i].in);
		nonblock(kid[i].out);
	}
	alive = np;
	while (alive > 0) {
		struct pollfd	pfd[2 * MAXP];
		int		n = 0, wi[MAXP], ri[MAXP];

		for (int i = 0; i < np; i++) {
			struct kid *k = &kid[i];

			while (next < end &&
			    k->given - k->answered < 2 * chunk_lines)
				give(k, &next, end);
			if (next == end && k->wlen == 0 && k->in != -1) {
				close(k->in);
				k->in = -1;
			}
			wi[i] = ri[i] = -1;
			if (k->wlen > 0) {
				wi[i] = n;
				pfd[n++] = (struct pollfd){ .fd = k->in,
				    .events = POLLOUT };
			}
			if (k->out != -1) {
				ri[i] = n;
				pfd[n++] = (struct pollfd){ .fd = k->out,
				    .events = POLLIN };
			}
		}
		if (poll(pfd, (nfds_t)n, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		for (int i = 0; i < np; i++) {
			struct kid	*k = &kid[i];
			ssize_t		 r;

			if (wi[i] != -1 && pfd[wi[i]].revents != 0) {
				r = write(k->in, k->w, k->wlen);
				if (r > 0) {
					k->w += r;
					k->wlen -= (size_t)r;
				} else if (r == -1 && errno != EAGAIN &&
				    errno != EINTR)
					err(1, "write");
			}
			if (ri[i] == -1 || pfd[ri[i]].revents == 0)
				continue;
			r = read(k->out, ob, sizeof ob);
			if (r > 0) {
				uint64_t c = count_lines(ob, (size_t)r);

				k->answered += c;
				answered += c;
				write_all(1, ob, (size_t)r);
			} else if (r == 0) {
				close(k->out);
				k->out = -1;
				alive--;
			} else if (errno != EAGAIN && errno != EINTR)
				err(1, "read");
		}
	}
	for (int i = 0; i < np; i++) {
		int	st;

		if (waitpid(kid[i].pid, &st, 0) == -1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			errx(1, "%s %d failed", via ? "relay" : "program", i);
	}
	if (answered != lines)
		errx(1, "%llu answers to %llu lines",
		    (unsigned long long)answered, (unsigned long long)lines);
	return 0;
}

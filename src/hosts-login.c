/*
 * -S/--sshlogin's [N/][user@]host[:port], read apart from the pool's hosts
 * so that option parsing (and its fuzzer) needs nothing else of them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "pool-hosts.h"
#include "util.h"

int
hosts_parse_login(const char *s, int *slots, char *user, size_t ulen,
    char *host, size_t hlen, int *port, char *err, size_t errlen)
{
	const char	*at, *colon, *slash, *h;
	char		*end;
	long		 v;

	*slots = 0;
	*port = 0;
	user[0] = host[0] = '\0';
	if ((slash = strchr(s, '/')) != NULL) {
		v = strtol(s, &end, 10);
		if (end != slash || end == s || v < 1 || v > PT_MAX_WORKERS) {
			snprintf(err, errlen, "N/ must be a number of workers"
			    " (1-%d)", PT_MAX_WORKERS);
			return -1;
		}
		*slots = (int)v;
		s = slash + 1;
	}
	if (strcmp(s, ":") == 0) {
		strlcpy(host, ":", hlen);
		return 0;
	}
	h = s;
	if ((at = strchr(s, '@')) != NULL) {
		if (at == s || (size_t)(at - s) >= ulen) {
			snprintf(err, errlen, "bad user name");
			return -1;
		}
		memcpy(user, s, (size_t)(at - s));
		user[at - s] = '\0';
		h = at + 1;
	}
	if ((colon = strchr(h, ':')) != NULL) {
		v = strtol(colon + 1, &end, 10);
		if (*end != '\0' || end == colon + 1 || v < 1 || v > 65535) {
			snprintf(err, errlen, "bad port");
			return -1;
		}
		*port = (int)v;
	} else
		colon = h + strlen(h);
	if (colon == h || (size_t)(colon - h) >= hlen) {
		snprintf(err, errlen, "no host name");
		return -1;
	}
	memcpy(host, h, (size_t)(colon - h));
	host[colon - h] = '\0';
	/* Never an option of ssh, never a word the shell splits. */
	if (host[0] == '-' || user[0] == '-' ||
	    strpbrk(host, " \t\n'\"\\$`;&|<>(){}*?[]!#~") != NULL ||
	    strpbrk(user, " \t\n'\"\\$`;&|<>(){}*?[]!#~:") != NULL) {
		snprintf(err, errlen, "not a host name");
		return -1;
	}
	return 0;
}

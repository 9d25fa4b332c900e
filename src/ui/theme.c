/*
 * Theme files: the colour key table, the "fg,bg[,attr...]" parser and the
 * search path.  A theme always starts as a copy of the built-in default, so
 * a file only needs the keys it changes; any error leaves the caller's
 * theme untouched.
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opts.h"
#include "ui/theme.h"

#define THEME_MAX_SIZE	(64 * 1024)	/* a theme is about 2 kB */
#define THEME_WARN_MAX	5		/* unknown keys warned one by one */

#ifndef PT_DATADIR
#define PT_DATADIR "/usr/local/share/pooltop"
#endif
#ifndef PT_SRCDIR
#define PT_SRCDIR "."
#endif

struct theme_keydef {
	const char	*name;
	const char	*value;
};

#define THEME_DEF(e, k, d) { #k, d },
static const struct theme_keydef theme_keydefs[THEME_NKEYS] = {
	THEME_KEYS(THEME_DEF)
};
#undef THEME_DEF

const char *const theme_shipped[] = { "default", "light", "mono", "contrast" };
const size_t theme_nshipped = nitems_of(theme_shipped);

static const char *const theme_colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const struct {
	const char	*name;
	uint8_t		 flag;
} theme_attrs[] = {
	{ "bold", THEME_BOLD },
	{ "dim", THEME_DIM },
	{ "reverse", THEME_REVERSE },
	{ "underline", THEME_UNDERLINE },
};

/* Name of a colour key. */
const char *
theme_key_name(enum theme_key k)
{
	if ((int)k < 0 || k >= THEME_NKEYS)
		return "?";
	return theme_keydefs[k].name;
}

/* Index of a key by name, -1 if unknown. */
static int
theme_key_find(const char *name)
{
	int	i;

	for (i = 0; i < THEME_NKEYS; i++) {
		if (strcmp(theme_keydefs[i].name, name) == 0)
			return i;
	}
	return -1;
}

/* Fill t with the built-in default theme. */
void
theme_default(struct theme *t)
{
	char	err[128];
	int	i;

	memset(t, 0, sizeof *t);
	strlcpy(t->name, "default", sizeof t->name);
	for (i = 0; i < THEME_NKEYS; i++) {
		if (theme_parse_color(theme_keydefs[i].value, &t->c[i], err,
		    sizeof err) != 0)
			abort();	/* the table above is wrong */
	}
}

/* Parse one colour: name, bright<name>, "default" or 0-255. */
static int
theme_parse_one(const char *s, int16_t *out)
{
	const char	*errstr;
	size_t		 i;
	long long	 n;
	int		 bright = 0;

	if (strcasecmp(s, "default") == 0 || strcmp(s, "-1") == 0) {
		*out = THEME_DEFAULT_COLOR;
		return 0;
	}
	if (*s >= '0' && *s <= '9') {
		n = strtonum(s, 0, 255, &errstr);
		if (errstr != NULL)
			return -1;
		*out = (int16_t)n;
		return 0;
	}
	if (strncasecmp(s, "bright", 6) == 0) {
		bright = 8;
		s += 6;
	}
	for (i = 0; i < nitems_of(theme_colour_names); i++) {
		if (strcasecmp(s, theme_colour_names[i]) == 0) {
			*out = (int16_t)(i + bright);
			return 0;
		}
	}
	return -1;
}

/* Parse one attribute word into flags. */
static int
theme_parse_attr(const char *s, uint8_t *attr)
{
	size_t	i;

	for (i = 0; i < nitems_of(theme_attrs); i++) {
		if (strcasecmp(s, theme_attrs[i].name) == 0) {
			*attr |= theme_attrs[i].flag;
			return 0;
		}
	}
	return -1;
}

/* Copy the next comma-separated field of *sp into word, trimmed. */
static int
theme_next_field(const char **sp, char *word, size_t len, bool *last)
{
	const char	*s = *sp, *end;
	size_t		 n;

	while (*s == ' ' || *s == '\t')
		s++;
	end = strchr(s, ',');
	if (end == NULL)
		end = s + strlen(s);
	*last = *end != ',';
	*sp = *last ? end : end + 1;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - s);
	if (n == 0 || n >= len)
		return -1;
	memcpy(word, s, n);
	word[n] = '\0';
	return 0;
}

/* Parse "fg,bg[,attr...]". */
int
theme_parse_color(const char *s, struct theme_color *c,
    char *err, size_t errlen)
{
	struct theme_color	 out = { 0, 0, 0 };
	const char		*p = s;
	char			 word[32];
	bool			 last = false;
	int			 field;

	for (field = 0; !last; field++) {
		if (theme_next_field(&p, word, sizeof word, &last) != 0 ||
		    (last && field == 0))
			return errorf(err, errlen, "bad colour \"%.64s%s\": "
			    "expected \"fg,bg[,bold|dim|reverse|underline]\"",
			    s, strlen(s) > 64 ? "..." : "");
		if (field < 2 && theme_parse_one(word, field == 0 ? &out.fg :
		    &out.bg) != 0)
			return errorf(err, errlen, "unknown colour \"%s\" (a "
			    "name such as red or brightred, default, or "
			    "0-255)", word);
		if (field >= 2 && theme_parse_attr(word, &out.attr) != 0)
			return errorf(err, errlen, "unknown attribute \"%s\" "
			    "(bold, dim, reverse or underline)", word);
	}
	*c = out;
	return 0;
}

/* Is path an existing regular file? */
static int
theme_is_file(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Try dir/NAME.theme. */
static int
theme_try(const char *dir, const char *sub, const char *name, char *path,
    size_t len)
{
	int	n;

	n = snprintf(path, len, "%s%s/%s.theme", dir, sub, name);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return theme_is_file(path) ? 0 : -1;
}

/* Find the file for a theme name, in the documented order. */
int
theme_find(const char *name, char *path, size_t len)
{
	const char	*xdg, *home;

	if (strchr(name, '/') != NULL) {
		if (strlcpy(path, name, len) >= len)
			return -1;
		return theme_is_file(path) ? 0 : -1;
	}
	if (*name == '\0' || *name == '.')
		return -1;
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg != NULL && *xdg == '/') {
		if (theme_try(xdg, "/pooltop/themes", name, path, len) == 0)
			return 0;
	} else if (home != NULL && *home != '\0') {
		if (theme_try(home, "/.config/pooltop/themes", name, path,
		    len) == 0)
			return 0;
	}
	if (theme_try(PT_DATADIR, "/themes", name, path, len) == 0)
		return 0;
	if (theme_try(PT_SRCDIR, "/themes", name, path, len) == 0)
		return 0;
	return -1;
}

/*
 * Apply one setting of a theme file to t; the first THEME_WARN_MAX unknown
 * keys are warned about one by one (*unknown counts them all).
 */
static int
theme_apply(struct theme *t, config_setting_t *s, const char *path,
    struct buf *warn, int *unknown, char *err, size_t errlen)
{
	const char	*name = config_setting_name(s), *value;
	char		 why[160];
	int		 k, line = config_setting_source_line(s);

	if (name == NULL)
		return 0;
	k = theme_key_find(name);
	if (k == -1) {
		if (warn != NULL && ++*unknown <= THEME_WARN_MAX)
			buf_printf(warn, "%s:%d: unknown colour key \"%.64s%s\" "
			    "(ignored)\n", path, line, name,
			    strlen(name) > 64 ? "..." : "");
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return errorf(err, errlen, "%s:%d: %s: expected a string "
		    "\"fg,bg[,attr]\"", path, line, name);
	value = config_setting_get_string(s);
	if (theme_parse_color(value, &t->c[k], why, sizeof why) != 0)
		return errorf(err, errlen, "%s:%d: %s: %s", path, line, name,
		    why);
	return 0;
}

/* Theme name from a path: basename without ".theme". */
static void
theme_name_from(struct theme *t, const char *path)
{
	const char	*base = strrchr(path, '/');
	char		*dot;

	strlcpy(t->name, base != NULL ? base + 1 : path, sizeof t->name);
	dot = strstr(t->name, ".theme");
	if (dot != NULL && dot[6] == '\0' && dot != t->name)
		*dot = '\0';
}

/* Load one theme file over the default theme. */
int
theme_load_file(struct theme *t, const char *path, struct buf *warn,
    char *err, size_t errlen)
{
	struct theme		 nt;
	config_t		 cfg;
	config_setting_t	*root, *s;
	int			 i, rc = 0, unknown = 0;

	theme_default(&nt);
	config_init(&cfg);
	if (conf_parse_file(&cfg, path, THEME_MAX_SIZE, err, errlen) != 0) {
		config_destroy(&cfg);
		return -1;
	}
	root = config_root_setting(&cfg);
	for (i = 0; (s = config_setting_get_elem(root, (unsigned)i)) != NULL;
	    i++) {
		if ((rc = theme_apply(&nt, s, path, warn, &unknown, err,
		    errlen)) != 0)
			break;
	}
	if (rc == 0 && warn != NULL && unknown > THEME_WARN_MAX)
		buf_printf(warn, "%s: %d more unknown colour keys (ignored)\n",
		    path, unknown - THEME_WARN_MAX);
	config_destroy(&cfg);
	if (rc != 0)
		return -1;
	theme_name_from(&nt, path);
	strlcpy(nt.path, path, sizeof nt.path);
	*t = nt;
	return 0;
}

/* Load a theme by name or path. */
int
theme_load(struct theme *t, const char *name, struct buf *warn,
    char *err, size_t errlen)
{
	char	path[PATH_MAX];

	if (name == NULL || *name == '\0') {
		theme_default(t);
		return 0;
	}
	if (theme_find(name, path, sizeof path) == 0)
		return theme_load_file(t, path, warn, err, errlen);
	if (strchr(name, '/') != NULL)
		return errorf(err, errlen, "%s: %s", name, strerror(ENOENT));
	return errorf(err, errlen, "theme \"%s\" not found (looked in "
	    "~/.config/pooltop/themes, %s/themes)", name, PT_DATADIR);
}

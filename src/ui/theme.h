/*
 * Dashboard themes.  A theme gives every colour key below a foreground, a
 * background and attributes.  Theme files are libconfig files, one setting
 * per key:
 *
 *	header = "white,blue,bold";
 *	row_selected = "black,cyan";
 *	spark = "45,default";
 *
 * Colours are names (default black red green yellow blue magenta cyan white,
 * bright<name> for 8-15) or numbers 0-255; attributes are bold, dim,
 * reverse and underline.  Unknown keys give a warning (the first few one by
 * one, then a count), missing keys keep the built-in default theme's value,
 * and a syntax or value error is reported as "FILE:LINE: message".  A
 * theme file is read by conf_parse_file() (opts.h), with its bounds, and is
 * at most 64 KiB.  This file knows nothing of ncurses: the
 * dashboard turns a struct theme into colour pairs.
 */
#ifndef PT_UI_THEME_H
#define PT_UI_THEME_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Every colour key: enum name, key, default-theme value. */
#define THEME_KEYS(X)							\
	X(HEADER,		header,			"white,blue")		\
	X(HEADER_TITLE,		header_title,		"brightwhite,blue,bold") \
	X(HEADER_STATE_RUNNING,	header_state_running,	"black,green,bold")	\
	X(HEADER_STATE_PAUSED,	header_state_paused,	"black,yellow,bold")	\
	X(HEADER_STATE_DRAINING, header_state_draining,	"black,cyan,bold")	\
	X(HEADER_STATE_STOPPING, header_state_stopping,	"brightwhite,red,bold")	\
	X(HEADER_STATE_DONE,	header_state_done,	"black,white,bold")	\
	X(HEADER_LABEL,		header_label,		"cyan,default")		\
	X(HEADER_VALUE,		header_value,		"brightwhite,default,bold") \
	X(TABLE_HEAD,		table_head,		"black,green")		\
	X(TABLE_HEAD_SORT,	table_head_sort,	"black,cyan,bold")	\
	X(ROW,			row,			"default,default")	\
	X(ROW_SELECTED,		row_selected,		"black,cyan")		\
	X(ROW_DIM,		row_dim,		"brightblack,default")	\
	X(STATE_STARTING,	state_starting,		"cyan,default")		\
	X(STATE_RUNNING,	state_running,		"green,default,bold")	\
	X(STATE_PAUSED,		state_paused,		"yellow,default,bold")	\
	X(STATE_IDLE,		state_idle,		"brightblack,default")	\
	X(STATE_RETIRING,	state_retiring,		"magenta,default")	\
	X(STATE_EXITED,		state_exited,		"brightblack,default")	\
	X(CPU_LOW,		cpu_low,		"green,default")	\
	X(CPU_MID,		cpu_mid,		"yellow,default")	\
	X(CPU_HIGH,		cpu_high,		"red,default,bold")	\
	X(BAR_DONE,		bar_done,		"green,default")	\
	X(BAR_TODO,		bar_todo,		"brightblack,default")	\
	X(BAR_FAILED,		bar_failed,		"red,default")		\
	X(SPARK,		spark,			"cyan,default")		\
	X(EVENT_TIME,		event_time,		"brightblack,default")	\
	X(EVENT_OK,		event_ok,		"green,default")	\
	X(EVENT_FAIL,		event_fail,		"red,default,bold")	\
	X(EVENT_INFO,		event_info,		"default,default")	\
	X(EVENT_CONTROL,	event_control,		"yellow,default")	\
	X(FRAME,		frame,			"blue,default")		\
	X(KEYBAR,		keybar,			"black,cyan")		\
	X(KEYBAR_KEY,		keybar_key,		"brightwhite,default,bold") \
	X(STATUS,		status,			"default,default")	\
	X(STATUS_ERROR,		status_error,		"brightwhite,red,bold")	\
	X(PROMPT,		prompt,			"black,yellow")		\
	X(DETAIL_LABEL,		detail_label,		"cyan,default,bold")	\
	X(DETAIL_VALUE,		detail_value,		"default,default")	\
	X(HELP,			help,			"black,white")		\
	X(HELP_KEY,		help_key,		"blue,white,bold")	\
	X(GRAPH_TITLE,		graph_title,		"cyan,default,bold")	\
	X(GRAPH_AXIS,		graph_axis,		"brightblack,default")	\
	X(GRAPH_RATE,		graph_rate,		"green,default")	\
	X(GRAPH_BUSY,		graph_busy,		"yellow,default")	\
	X(GRAPH_MEMORY,		graph_memory,		"magenta,default")	\
	X(GRAPH_HISTOGRAM,	graph_histogram,	"cyan,default")

#define THEME_ENUM(e, k, d) THEME_##e,
enum theme_key {
	THEME_KEYS(THEME_ENUM)
	THEME_NKEYS
};
#undef THEME_ENUM

#define THEME_DEFAULT_COLOR	(-1)	/* the terminal's own colour */

#define THEME_BOLD	0x1
#define THEME_DIM	0x2
#define THEME_REVERSE	0x4
#define THEME_UNDERLINE	0x8

struct theme_color {
	int16_t		fg;		/* 0-255 or THEME_DEFAULT_COLOR */
	int16_t		bg;
	uint8_t		attr;		/* THEME_BOLD ... */
};

struct theme {
	char			name[64];	/* "default", or the file's */
	char			path[1024];	/* file loaded, "" for built-in */
	struct theme_color	c[THEME_NKEYS];
};

/* The themes shipped with pooltop, in the order `t` cycles them. */
extern const char *const theme_shipped[];
extern const size_t theme_nshipped;

const char	*theme_key_name(enum theme_key);

/* Fill a theme with the built-in default (equal to themes/default.theme). */
void		 theme_default(struct theme *);

/* Parse "fg,bg[,attr...]".  -1 and a message in err. */
int		 theme_parse_color(const char *, struct theme_color *,
		     char *err, size_t errlen);

/*
 * Find the file for a theme NAME: $XDG_CONFIG_HOME/pooltop/themes (or
 * ~/.config/pooltop/themes), then PT_DATADIR/themes, then PT_SRCDIR/themes.
 * A NAME containing '/' is a path and is used as it is.  -1 if not found.
 */
int		 theme_find(const char *name, char *path, size_t len);

/*
 * Load a theme by name or path over the built-in default.  Warnings (unknown
 * keys) are appended to warn, one per line, if warn is not NULL.  -1 and
 * "FILE:LINE: message" (or "theme NAME: not found ...") in err.
 */
int		 theme_load(struct theme *, const char *name, struct buf *warn,
		     char *err, size_t errlen);
/* Load from one file (no search). */
int		 theme_load_file(struct theme *, const char *path,
		     struct buf *warn, char *err, size_t errlen);

#endif

/*
 * Input lines split into columns (--colsep, --csv) and columns named by a
 * header line (--header :), as GNU parallel does.
 *
 * --colsep REGEX splits a line at every match of REGEX, a POSIX extended
 * regular expression in which the Perl escapes GNU parallel users write
 * work too: \t \n \r \f \e \a \xHH, \d \D \s \S \w \W (\D \S \W not inside
 * [...]); a repetition right after another (a++, a*{2}) is refused.  As
 * Perl's split with a negative limit: empty columns are kept,
 * trailing ones too; an empty line is one empty column; a match of no bytes
 * splits between characters but never at the start of a column.
 *
 * --csv splits a record as RFC 4180 says: fields separated by one byte (','
 * or --colsep's, which must then be one byte), a field starting with '"'
 * runs to the next '"' not doubled, "" inside it standing for ", and may
 * hold separators and newlines.  A '"' inside an unquoted field, bytes
 * after a closing quote and an unclosed quote are errors.  A record ending
 * in "\r" (CRLF lines) loses the '\r'.
 */
#ifndef PT_POOL_COLUMNS_H
#define PT_POOL_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

struct columns;

/*
 * The splitter for --colsep (may be NULL) and --csv; NULL and a message in
 * err if colsep is not a valid expression (or not one byte with csv).
 * With neither, lines split at tabs (--header's default).
 */
struct columns	*columns_new(const char *colsep, bool csv, char *err,
		    size_t errlen);
void		 columns_free(struct columns *);

/*
 * re, with the Perl escapes above, rewritten in POSIX extended syntax for
 * regcomp() (also --pipe --regexp's).  Allocated; NULL and a message in
 * err for a repetition right after another or \D \S \W inside [...].
 */
char		*columns_regex(const char *re, char *err, size_t errlen);

/*
 * Append the columns of line to (*v, *n) (*v reallocated, each column
 * allocated).  0, or -1 and a message in err (a bad CSV record): nothing
 * appended then.
 */
int		 columns_split(const struct columns *, const char *line,
		    char ***v, size_t *n, char *err, size_t errlen);

/*
 * The template src with each {NAME} (and {NAME.} {NAME/} {NAME//} {NAME/.})
 * whose NAME is one of names[0..n) written {K} etc., K its 1-based index
 * (the first of equal names wins); other braces are left as they are.
 * Empty names and names of digits only are not replaced.  Allocated.
 */
char		*columns_rename(const char *src, char *const *names, size_t n);

#endif

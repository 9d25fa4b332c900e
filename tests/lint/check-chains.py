#!/usr/bin/env python3
"""Find `check DESC CMD && MORE` in the shell tests.

`check` runs one command; what follows && or || is outside it: its result
is never counted and a failure there passes silently.  Such a line must be
`if CMD && MORE; then ok DESC; else fail DESC; fi`, or `check DESC sh -c
'CMD && MORE'`.  Prints FILE:LINE for each; exit 1 if any.
"""
import sys


def skip_token(s, i, quoted=False):
    """If a token the scanners step over whole starts at s[i], the index
    after it, else None.  Such tokens are a backslash and the character it
    escapes, $( ... ), and, out of double quotes (quoted False), a string
    in single or double quotes and a comment (a # starting a word); in
    double quotes (quoted True), a backquoted command."""
    c = s[i]
    if c == '\\':
        return i + 2
    if s.startswith('$(', i):
        return skip_paren(s, i + 1)
    if quoted:
        if c == '`':
            j = s.find('`', i + 1)
            return len(s) if j < 0 else j + 1
        return None
    if c == "'":
        j = s.find("'", i + 1)
        return len(s) if j < 0 else j + 1
    if c == '"':
        return skip_dq(s, i)
    if c == '#' and (i == 0 or s[i - 1] in ' \t\n'):
        j = s.find('\n', i)
        return len(s) if j < 0 else j
    return None


def skip_dq(s, i):
    """s[i] is a double quote: the index after its closing one."""
    i += 1
    while i < len(s):
        if s[i] == '"':
            return i + 1
        j = skip_token(s, i, quoted=True)
        i = i + 1 if j is None else j
    return i


def skip_paren(s, i):
    """s[i] is '(': the index after its matching ')'."""
    depth = 0
    while i < len(s):
        j = skip_token(s, i)
        if j is not None:
            i = j
            continue
        if s[i] == '(':
            depth += 1
        elif s[i] == ')':
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def command_end(s, i):
    """From i, the end of the simple command (and what it chains), and
    whether && or || chains it."""
    chained = False
    while i < len(s):
        j = skip_token(s, i)
        if j is not None:
            i = j
            continue
        if s.startswith('&&', i) or s.startswith('||', i):
            chained = True
            i += 2
            while i < len(s) and s[i] in ' \t\n':
                i += 1
            continue
        if s[i] in '\n;':
            return i, chained
        i += 1
    return i, chained


def scan(path):
    s = open(path, encoding='utf-8', errors='replace').read()
    bad = []
    i = 0
    while i < len(s):
        at_start = i == 0 or s[i - 1] in '\n;' or \
            s[max(0, i - 5):i].rstrip(' \t').endswith(('then', 'else', 'do'))
        line_start = s.rfind('\n', 0, i) + 1
        if s[line_start:i].strip(' \t') == '' or at_start:
            if s.startswith('check ', i) or s.startswith('check\t', i):
                end, chained = command_end(s, i + 6)
                if chained:
                    bad.append(s.count('\n', 0, i) + 1)
                i = end + 1
                continue
        j = skip_token(s, i)
        i = i + 1 if j is None else j
    return bad


def main():
    n = 0
    for path in sys.argv[1:]:
        for line in scan(path):
            print('%s:%d: check ... && / || : the rest is not checked'
                  % (path, line))
            n += 1
    return 1 if n else 0


if __name__ == '__main__':
    sys.exit(main())

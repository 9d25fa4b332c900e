#!/usr/bin/env python3
"""Find `check DESC CMD && MORE` in the shell tests.

`check` runs one command; what follows && or || is outside it: its result
is never counted and a failure there passes silently.  Such a line must be
`if CMD && MORE; then ok DESC; else fail DESC; fi`, or `check DESC sh -c
'CMD && MORE'`.  Prints FILE:LINE for each; exit 1 if any.
"""
import sys


def skip_sq(s, i):
    """s[i] is a single quote: the index after its closing one."""
    j = s.find("'", i + 1)
    return len(s) if j < 0 else j + 1


def skip_dq(s, i):
    """s[i] is a double quote: the index after its closing one."""
    i += 1
    while i < len(s):
        c = s[i]
        if c == '\\':
            i += 2
        elif c == '"':
            return i + 1
        elif s.startswith('$(', i):
            i = skip_paren(s, i + 1)
        elif c == '`':
            j = s.find('`', i + 1)
            i = len(s) if j < 0 else j + 1
        else:
            i += 1
    return i


def skip_paren(s, i):
    """s[i] is '(': the index after its matching ')'."""
    depth = 0
    while i < len(s):
        c = s[i]
        if c == '\\':
            i += 2
            continue
        if c == "'":
            i = skip_sq(s, i)
            continue
        if c == '"':
            i = skip_dq(s, i)
            continue
        if c == '#' and (i == 0 or s[i - 1] in ' \t\n'):
            j = s.find('\n', i)
            i = len(s) if j < 0 else j
            continue
        if c == '(':
            depth += 1
        elif c == ')':
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
        c = s[i]
        if c == '\\':
            i += 2
            continue
        if c == "'":
            i = skip_sq(s, i)
            continue
        if c == '"':
            i = skip_dq(s, i)
            continue
        if s.startswith('$(', i):
            i = skip_paren(s, i + 1)
            continue
        if c == '#' and s[i - 1] in ' \t':
            j = s.find('\n', i)
            i = len(s) if j < 0 else j
            continue
        if s.startswith('&&', i) or s.startswith('||', i):
            chained = True
            i += 2
            while i < len(s) and s[i] in ' \t\n':
                i += 1
            continue
        if c in '\n;':
            return i, chained
        i += 1
    return i, chained


def scan(path):
    s = open(path, encoding='utf-8', errors='replace').read()
    bad = []
    i = 0
    while i < len(s):
        c = s[i]
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
        if c == '\\':
            i += 2
        elif c == "'":
            i = skip_sq(s, i)
        elif c == '"':
            i = skip_dq(s, i)
        elif s.startswith('$(', i):
            i = skip_paren(s, i + 1)
        elif c == '#' and (i == 0 or s[i - 1] in ' \t\n'):
            j = s.find('\n', i)
            i = len(s) if j < 0 else j
        else:
            i += 1
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

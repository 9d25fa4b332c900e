"""Run a Python function as a pooltop persistent worker.

    pooltop --persistent 'python3 -m pooltop_worker mymodule:func' -a items.txt

is what ``Pool(initializer=init).map(func, items)`` becomes: each worker
imports MODULE once and calls FUNC(item) for every line pooltop hands it,
with the item as a str (the line without its newline; bytes that are not
UTF-8 arrive as surrogates, as os.fsdecode() gives them).

The line protocol (see PERSISTENT WORKERS in pooltop(1)) is done here:

* stdin is read in blocks; every whole line that arrived is worked, and
  all its answers are written at once, before the next read.  Answers are
  never held while waiting for input: pooltop may be waiting for them
  before it sends more.
* One answer line per item, in order.  A str result is written as it is,
  unless it holds a newline or starts with ``ERROR:`` (or ``--json-out``
  is given): then it is written as a JSON string.  bytes are written as
  they are, as a str would be.  Other results are JSON (``None`` is
  ``null``, a tuple a list, an int its digits); a result JSON cannot
  encode fails its item.
* An exception fails only its item: the line is ``ERROR: Type: message``
  (pooltop sends it to that task's stderr and fails it with status 1),
  and the worker goes on.  With ``--traceback`` the traceback goes to
  stderr too.
* ``--init MODULE:FUNC`` runs once per worker process before the first
  item, as Pool's initializer; an exception there ends the worker with
  status 3 and the traceback on stderr.

Options: --init MODULE:FUNC, --json-in (each line is JSON, decoded before
FUNC sees it), --json-out (every result JSON, str included), --traceback.
MODULE is imported with the current directory first on sys.path, as
``python3 -m`` does.  Only the standard library is used.
"""

import importlib
import json
import os
import signal
import sys
import traceback

__all__ = ["main", "encode", "error_line"]

USAGE = ("usage: python3 -m pooltop_worker MODULE:FUNC [--init MODULE:FUNC]"
         " [--json-in] [--json-out] [--traceback]")
ERROR_MARK = "ERROR:"
BLOCK = 1 << 16         # a pipe's capacity: what one read can bring

_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


class UsageError(Exception):
    pass


def _needs_json(s):
    """Can the str s not stand as an answer line as it is?"""
    return "\n" in s or s.startswith(ERROR_MARK)


def encode(result, json_out=False):
    """The answer line (a str without its newline) for result; raises
    TypeError or ValueError for what JSON cannot encode."""
    t = type(result)
    if t is int:        # not bool: JSON spells it true, str() True
        return str(result)
    if t is bytes:
        result = result.decode("utf-8", "surrogateescape")
        t = str
    if t is str and not json_out and not _needs_json(result):
        return result
    return _dumps(result)


def error_line(exc):
    """The ERROR: line for an exception, newlines escaped: one line."""
    msg = "%s: %s" % (type(exc).__name__, exc)
    msg = msg.replace("\\", "\\\\").replace("\n", "\\n")
    msg = msg.replace("\r", "\\r")
    return "%s %s" % (ERROR_MARK, msg)


def resolve(spec, what):
    """The callable named MODULE:FUNC (FUNC may be dotted: Class.method)."""
    mod, sep, name = spec.partition(":")
    if not sep or not mod or not name:
        raise UsageError("%s: %r is not MODULE:FUNC" % (what, spec))
    obj = importlib.import_module(mod)
    for part in name.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError("%s: %s is not callable" % (what, spec))
    return obj


def parse_args(argv):
    """Options and the function spec from argv (without the program)."""
    opts = {"init": None, "json_in": False, "json_out": False,
            "traceback": False, "func": None}
    it = iter(argv)
    for a in it:
        if a in ("-h", "--help"):
            print(USAGE)
            sys.exit(0)
        elif a == "--init" or a.startswith("--init="):
            v = a[7:] if a.startswith("--init=") else next(it, None)
            if not v:
                raise UsageError("--init needs MODULE:FUNC")
            opts["init"] = v
        elif a == "--json-in":
            opts["json_in"] = True
        elif a == "--json-out":
            opts["json_out"] = True
        elif a == "--traceback":
            opts["traceback"] = True
        elif a.startswith("-"):
            raise UsageError("unknown option %s" % a)
        elif opts["func"] is None:
            opts["func"] = a
        else:
            raise UsageError("one MODULE:FUNC only, not also %r" % a)
    if opts["func"] is None:
        raise UsageError("MODULE:FUNC missing")
    return opts


class Worker:
    """Calls func on the items of a block and encodes their answers."""

    def __init__(self, func, json_in=False, json_out=False, tb=False):
        if json_in:
            self.func = lambda item: func(json.loads(item))
        else:
            self.func = func
        self.json_out = json_out
        self.tb = tb

    def call(self, items):
        """func of every item, once each, in order; and the ERROR: lines
        of those that raised, by index (None if none did)."""
        func = self.func
        res = []
        add = res.append
        errs = None
        it = iter(items)
        while True:
            try:
                for item in it:
                    add(func(item))
                return res, errs
            except Exception as e:
                if self.tb:
                    traceback.print_exc()
                    sys.stderr.flush()
                if errs is None:
                    errs = {}
                errs[len(res)] = error_line(e)
                add(None)

    def line(self, result):
        """The answer line for a result; ERROR: if it cannot be one."""
        try:
            return encode(result, self.json_out)
        except Exception as e:
            return error_line(e)

    def block(self, items):
        """The answers to a list of items, newline-terminated, as bytes."""
        res, errs = self.call(items)
        out = None
        if errs is None and not self.json_out and \
                all(type(r) is str for r in res):
            # The common case: plain str answers, joined as they are.
            out = "\n".join(res)
            if out.count("\n") != len(res) - 1 or \
                    out.startswith(ERROR_MARK) or \
                    ("\n" + ERROR_MARK) in out:
                out = None
        if out is None:
            lines = list(map(self.line, res))
            if errs is not None:
                for i, e in errs.items():
                    lines[i] = e
            out = "\n".join(lines)
        out += "\n"
        try:
            return out.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return "".join(map(self._safe, out[:-1].split("\n"))) \
                .encode("utf-8", "surrogateescape")

    @staticmethod
    def _safe(line):
        """A line that can be written: a str with surrogates of its own
        (not bytes decoded with surrogateescape) fails its item."""
        try:
            line.encode("utf-8", "surrogateescape")
            return line + "\n"
        except UnicodeEncodeError as e:
            return error_line(e) + "\n"


def _write_all(fd, b):
    """Write all of b (a pipe may take part of it)."""
    view = memoryview(b)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def serve(worker, fdin=0, fdout=1):
    """Answer every line of fdin on fdout until end of file."""
    rest = b""
    while True:
        chunk = os.read(fdin, BLOCK)
        if not chunk:
            break
        if rest:
            chunk = rest + chunk
        end = chunk.rfind(b"\n")
        if end < 0:
            rest = chunk
            continue
        rest = chunk[end + 1:]
        items = chunk[:end].decode("utf-8", "surrogateescape").split("\n")
        _write_all(fdout, worker.block(items))
    if rest:    # a last line without its newline (not from pooltop)
        _write_all(fdout, worker.block(
            [rest.decode("utf-8", "surrogateescape")]))


def main(argv=None):
    """The command line: python3 -m pooltop_worker MODULE:FUNC ..."""
    # End quietly when pooltop ends us (SIGTERM) or goes away (SIGPIPE).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    prog = "pooltop_worker"
    try:
        opts = parse_args(sys.argv[1:] if argv is None else argv)
        if "" not in sys.path and os.getcwd() not in sys.path:
            sys.path.insert(0, "")      # as `python3 -m` has it
        func = resolve(opts["func"], "MODULE:FUNC")
        init = resolve(opts["init"], "--init") if opts["init"] else None
    except UsageError as e:
        print("%s: %s\n%s" % (prog, e, USAGE), file=sys.stderr)
        return 2
    except Exception:
        traceback.print_exc()
        print("%s: cannot load %s" % (prog, opts["func"]), file=sys.stderr)
        return 3
    if init is not None:
        try:
            init()
        except Exception:
            traceback.print_exc()
            print("%s: --init %s failed" % (prog, opts["init"]),
                  file=sys.stderr)
            return 3
    try:
        serve(Worker(func, opts["json_in"], opts["json_out"],
                     opts["traceback"]))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

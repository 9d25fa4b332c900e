"""Run a Python function as a pooltop persistent worker.

    pooltop --persistent 'python3 -m pooltop_worker mymodule:func' -a items.txt

(or ``pooltop-py mymodule:func``: python/pooltop-py, the same command
without the imports of ``-m``, 3-5 ms of each start) is what
``Pool(initializer=init).map(func, items)`` becomes: each worker
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
* print() in FUNC goes to stderr (pooltop gives it to the task), and
  FUNC's stdin is /dev/null: the protocol has stdin and stdout to itself.
* ``--init MODULE:FUNC`` runs once per worker process before the first
  item, as Pool's initializer; an exception there ends the worker with
  status 3 and the traceback on stderr.

Options: --init MODULE:FUNC, --json-in (each line is JSON, decoded before
FUNC sees it), --json-out (every result JSON, str included), --traceback.
MODULE is imported with the current directory first on sys.path, as
``python3 -m`` does.  Only the standard library is used.
"""

import gc
import importlib
import mmap
import os
import sys
try:
    import _signal as signal    # signal without its enums: 2 ms a start
except ImportError:
    import signal

# json and traceback are imported when first needed: a program's start is
# paid once per worker, and matters for a few thousand items.

__all__ = ["main", "command", "encode", "error_line"]

PROG = "python3 -m pooltop_worker"
USAGE = ("usage: %s MODULE:FUNC [--init MODULE:FUNC]"
         " [--json-in] [--json-out] [--traceback]")
ERROR_MARK = "ERROR:"
BLOCK = 1 << 16         # a pipe's capacity: what one read can bring

_dumps = None
_kept = []


def _json_dumps(value):
    """value as JSON text on one line, non-ASCII as it is."""
    global _dumps
    if _dumps is None:
        import json
        _dumps = json.JSONEncoder(ensure_ascii=False,
                                  check_circular=False).encode
    return _dumps(value)


def _print_exc():
    import traceback
    traceback.print_exc()
    sys.stderr.flush()


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
    return _json_dumps(result)


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


def parse_args(argv, prog=PROG):
    """Options and the function spec from argv (without the program);
    prog names the command in the usage line of --help."""
    opts = {"init": None, "json_in": False, "json_out": False,
            "traceback": False, "func": None}
    it = iter(argv)
    for a in it:
        if a in ("-h", "--help"):
            print(USAGE % prog)
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


class Answers:
    """Answer lines not written yet, in memory shared with the watcher
    (see watch()): each answer is stored there as soon as it is made, so
    that if the process dies in the middle of a block the watcher writes
    the answers it had, and pooltop blames the item it died on, not the
    first of the block.

    The answers are appended with the mmap's own write(), one call an
    item: its position (tell()) is the end of those stored, in this
    process only.  The watcher finds that end itself, as the last newline
    of the buffer, because every byte past it is zero: the buffer is
    zeroed before it is used again from the start.  An answer being
    copied when the process died may be torn; the bytes not copied yet
    are zero, so a last line holding a NUL is not written (a whole answer
    with a NUL in it, made just before a crash, then fails its item in
    place of the next one; NULs in answers are rare).  The header holds
    two counters: the end of the answers written, and 1 while a write is
    under way (then what went out is unknown, and the watcher writes
    nothing) or 2 once the process wrote them all and ends (done(): the
    watcher then ends at once, without looking through the buffer).

    A block that runs longer than LATE seconds has the answers it made so
    far written by a thread (see _flusher()), so that a slow item is the
    oldest unanswered one while it runs: pooltop's clock and --timeout,
    its stderr and the dashboard are then that item's.  The thread costs
    the items nothing: it looks at a block counter every LATE seconds,
    and sleeps while no block runs."""

    HDR = 16
    SIZE = 1 << 20
    LATE = 0.005

    def __init__(self, fd=1):
        self.fd = fd
        self.mm = mmap.mmap(-1, self.SIZE)      # MAP_SHARED: the watcher
        self.hv = memoryview(self.mm)[:self.HDR].cast("q")
        self.hv[0] = self.HDR
        self.mm.seek(self.HDR)
        self.zero = None        # SIZE zero bytes, once the buffer is full
        self.blocks = 0         # blocks begun
        self.in_block = False
        self.lock = None        # the flusher's, once it runs

    def start_flusher(self):
        """Run the flusher thread (in the process that works the items).
        _thread, not threading: its import is a millisecond a start."""
        import _thread
        self.lock = _thread.allocate_lock()
        self.wake = _thread.allocate_lock()     # held: no wake-up pending
        self.wake.acquire()
        self.idle = False
        _thread.start_new_thread(self._flusher, ())

    def begin(self):
        """A block begins."""
        self.blocks += 1
        self.in_block = True
        if self.lock is not None and self.idle:
            self.idle = False
            try:
                self.wake.release()
            except RuntimeError:        # a wake-up is pending already
                pass

    def end(self):
        """A block ends: write what it stored."""
        self.flush()
        self.in_block = False

    def _flusher(self):
        """Write the answers of a block still running LATE seconds after
        it was seen running; sleep after a quiet tenth of a second."""
        import time
        seen, quiet = -1, 0
        while True:
            time.sleep(self.LATE)
            if not self.in_block:
                quiet += 1
                if quiet >= 20:
                    self.idle = True
                    if not self.in_block:   # else begin() saw idle unset
                        self.wake.acquire()     # until begin() releases
                    else:               # or did, after: take it back
                        self.wake.acquire(False)
                    self.idle = False
                    quiet = 0
                continue
            quiet = 0
            if self.blocks == seen:
                with self.lock:
                    self._send_stored()
            seen = self.blocks

    def _send_stored(self):
        """Write the answers stored and not written yet (lock held).  The
        items' thread may store more meanwhile (the GIL is let go during
        the write): past stop, which this does not touch."""
        start, stop = self.hv[0], self.mm.tell()
        if stop > start:
            self._write(memoryview(self.mm)[start:stop])
            self.hv[0] = stop

    def put(self, b):
        """Store one answer (bytes, newline included) that did not fit:
        write the stored ones, start the buffer again, and store it, or
        write it at once if it is too big to keep."""
        self._locked(self._restart, b)

    def _restart(self, b):
        self._send_stored()
        mm, end = self.mm, self.mm.tell()
        if self.zero is None:
            self.zero = mmap.mmap(-1, self.SIZE)    # zero pages, not kept
        # Zeroed before the written end goes back to the start: the
        # watcher looks for the stored answers from there to the last
        # newline.
        mm[self.HDR:end] = memoryview(self.zero)[:end - self.HDR]
        self.hv[0] = self.HDR
        mm.seek(self.HDR)
        if self.HDR + len(b) > self.SIZE:
            self._write(b)
        else:
            mm.write(b)

    def flush(self):
        """Write every stored answer, in one write when the pipe takes
        it."""
        self._locked(self._send_stored)

    def _locked(self, f, *args):
        if self.lock is None:
            f(*args)
        else:
            with self.lock:
                f(*args)

    def _write(self, b):
        self.hv[1] = 1
        _write_all(self.fd, b)
        self.hv[1] = 0

    def done(self):
        """The process wrote every answer and ends: nothing is lost."""
        self.hv[1] = 2

    def lost(self):
        """What the watcher writes for a process that died: the answers
        stored and not written, the last one left out if it may be torn
        (it holds a NUL), or nothing if the process died in a write or
        ended after done()."""
        if self.hv[1] != 0:
            return b""
        start = self.hv[0]
        end = self.mm.rfind(b"\n", start) + 1
        if end <= start:
            return b""
        last = self.mm.rfind(b"\n", start, end - 1) + 1
        if last < start:
            last = start
        if self.mm.find(b"\0", last, end) >= 0:
            end = last
        return bytes(self.mm[start:end])


class Worker:
    """Calls func on every item of a block and stores the answers."""

    def __init__(self, func, json_in=False, json_out=False, tb=False):
        if json_in:
            import json
            self.func = lambda item: func(json.loads(item))
        else:
            self.func = func
        self.json_out = json_out
        self.tb = tb

    def line(self, result):
        """The answer (bytes, newline included) for a result that is not
        a plain int or str; ERROR: if it cannot be one."""
        try:
            return _line_bytes(encode(result, self.json_out))
        except Exception as e:
            return self.failed(e, False)

    def failed(self, e, tb=True):
        """The ERROR: line (bytes, newline included) for an exception of
        func (with its traceback on stderr under --traceback) or of its
        result's encoding."""
        if tb and self.tb:
            _print_exc()
        line = error_line(e)
        try:
            return _line_bytes(line)
        except UnicodeEncodeError:      # a lone surrogate in the message
            return (line + "\n").encode("utf-8", "backslashreplace")

    def block(self, items, answers):
        """Work the items in order, storing each answer as it is known
        (answers.end() writes them).  The loop is written out: it is what
        a small item costs.  An int or a plain str result is encoded here,
        anything else by line()."""
        func = self.func
        line = self.line
        store = answers.mm.write
        plain = not self.json_out
        for item in items:
            try:
                r = func(item)
                t = type(r)
                if t is int:    # not bool; huge ones raise, as str() does
                    b = b"%d\n" % r
                elif t is str and plain and "\n" not in r and \
                        not r.startswith(ERROR_MARK):
                    b = (r + "\n").encode("utf-8", "surrogateescape")
                else:
                    b = line(r)
            except Exception as e:
                b = self.failed(e)
            try:
                store(b)
            except ValueError:  # the buffer is full
                answers.put(b)


def _line_bytes(line):
    """An answer line (str, no newline) as the bytes to write."""
    return (line + "\n").encode("utf-8", "surrogateescape")


def _write_all(fd, b):
    """Write all of b (a pipe may take part of it)."""
    view = memoryview(b)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def serve(worker, answers, fdin=0):
    """Answer every line of fdin until end of file: the answers of all the
    lines one read brought are written at once, before the next read."""
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
        answers.begin()
        worker.block(chunk[:end].decode("utf-8", "surrogateescape")
                     .split("\n"), answers)
        answers.end()
    if rest:    # a last line without its newline (not from pooltop)
        answers.begin()
        worker.block([rest.decode("utf-8", "surrogateescape")], answers)
        answers.end()


def watch(answers, pid):
    """The watcher: wait for the worker process; if it died, write the
    answers it had stored, then end as it ended.  A signal that ends
    the watcher alone (kill PID) is passed on, not to leave the worker
    running; pooltop signals the whole process group anyway."""
    def forward(sig, frame):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    os.close(0)
    while True:
        try:
            _, st = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            return 1
    lost = answers.lost()
    if lost:
        try:
            _write_all(1, lost)
        except OSError:
            pass
    if os.WIFSIGNALED(st):
        sig = os.WTERMSIG(st)
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass        # SIGKILL, SIGSTOP: default already
        os.kill(os.getpid(), sig)
        return 128 + sig
    return os.waitstatus_to_exitcode(st)


def _own_fds():
    """Take stdin and stdout for the protocol, on descriptors of their
    own; fd 0 becomes /dev/null and fd 1 stderr, so that a print() in
    func, or a program it runs, cannot take items or write false answers.
    """
    fdin, fdout = os.dup(0), os.dup(1)          # not inherited
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    return fdin, fdout


def run(opts):
    """Load MODULE:FUNC, run --init, answer stdin: the worker process."""
    prog = "pooltop_worker"
    fdin, opts["answers"].fd = _own_fds()
    sys.stdout = sys.stderr     # line-buffered: with the task it is for
    try:
        if "" not in sys.path and os.getcwd() not in sys.path:
            sys.path.insert(0, "")      # as `python3 -m` has it
        func = resolve(opts["func"], "MODULE:FUNC")
        init = resolve(opts["init"], "--init") if opts["init"] else None
    except UsageError as e:
        print("%s: %s" % (prog, e), file=sys.stderr)
        return 2
    except Exception:
        _print_exc()
        print("%s: cannot load %s" % (prog, opts["func"]), file=sys.stderr)
        return 3
    if init is not None:
        try:
            init()
        except Exception:
            _print_exc()
            print("%s: --init %s failed" % (prog, opts["init"]),
                  file=sys.stderr)
            return 3
    worker = Worker(func, opts["json_in"], opts["json_out"],
                    opts["traceback"])
    opts["answers"].start_flusher()
    serve(worker, opts["answers"], fdin)
    return 0


def main(argv=None, prog=None):
    """The command line: python3 -m pooltop_worker MODULE:FUNC ...; prog
    is the command's name in the usage line.  Returns the exit status
    (the watcher's; the worker process ends in here)."""
    # End as a plain program does when pooltop ends us (SIGTERM, SIGINT)
    # or goes away (SIGPIPE): no Python traceback.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    try:
        opts = parse_args(sys.argv[1:] if argv is None else argv,
                          prog or PROG)
    except UsageError as e:
        print("pooltop_worker: %s\n%s" % (e, USAGE % (prog or PROG)),
              file=sys.stderr)
        return 2
    opts["answers"] = answers = Answers()
    sys.stdout.flush()
    sys.stderr.flush()
    # The objects made so far out of the collector's sight: a collection
    # in the worker would otherwise write to (and so copy) every page the
    # fork left shared with the watcher.  The watcher is kept alive to the
    # end too (_kept): freeing it is work while pooltop waits.
    gc.freeze()
    _kept.append(answers)
    pid = os.fork()
    if pid != 0:
        return watch(answers, pid)
    try:
        code = run(opts)
        answers.done()
    except SystemExit as e:     # func or init called sys.exit()
        code = 0 if e.code is None else \
            e.code if isinstance(e.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def command(prog=None):
    """The program: main(), then the process (the watcher) ends at once,
    without the interpreter's teardown, which costs milliseconds while
    pooltop waits for the program to end.  prog names the command in
    the usage line; python3 -m pooltop_worker and pooltop-py run this."""
    code = main(prog=prog)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    command()

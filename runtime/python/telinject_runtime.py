"""telinject runtime helper: spans for functions instrumented by telinject.

Instrumented code calls ``span(name)`` (``span(name, generator=True)`` for generators) as a
``with`` block around each function body. This module is written into the instrumented tree by
telinject; it uses the standard library only and runs on CPython 3.8 and later. What it records
and the variables that control it are specified in telinject's docs/telemetry.md.

Off: when TELINJECT_OUT is unset (and no OpenTelemetry SDK is configured), ``span`` returns one
shared object whose ``__enter__`` and ``__exit__`` are C functions: no Python frame runs besides
``span`` itself. (``with span(...) as x`` binds ``""``, not a span object.)

Recording: ``span`` decides whether the call is recorded (head sampling at the root of a trace,
per-function rate limit, size cap), and ``__exit__`` appends one tuple to an in-memory buffer.
Tuples are turned into JSON lines in bulk and written in blocks with ``os.write`` on a descriptor
opened with O_APPEND (whole lines per write, so processes sharing the file never interleave
lines): by a writer thread every 100 ms or when the buffer holds a block, at exit (atexit also
runs after an uncaught exception), before ``fork`` (the child starts empty), at the end of a
multiprocessing worker (which leaves by ``os._exit``, after multiprocessing's finalizers), and on
SIGTERM when the program had no handler of its own when recording started (the default action
then follows; a handler the program installed earlier runs after the records are written).
``os._exit`` elsewhere skips what the last 100 ms buffered. The writer thread is a raw thread
(not in ``threading.enumerate()``) that ends before each fork, so Python 3.12+ does not warn that
a multi-threaded process forks; the next record starts a new one.

Files: a span line, then when the process ends (or on ``flush()``) one dropped line per function
and reason with calls not recorded; the resource line comes before the process's first line.
When the file reaches TELINJECT_MAX_BYTES no more spans are written (one warning on stderr); the
dropped lines, which say what is missing, are still appended.

One instance per process: copies of this helper imported by one process (a package's, a tests
folder's) share the first one imported, so the process has one buffer, one resource line and one
exit summary.

Context: the current span lives in a ``contextvars.ContextVar``, so nested calls and asyncio
tasks (which copy their creator's context) get the right parent. A trace that sampling left out
holds a sentinel there, so its calls are skipped without a decision of their own. A generator's
span is recorded with its parent but is not made current, because a suspended generator runs in
its caller's context and would otherwise leak its span into it; neither is a call the rate
limit skipped (its callees take its caller as parent). Threads: when recording is on,
``threading.Thread.start`` is wrapped once so that a thread started inside a span has that span
as the parent of its first spans.

Threading: the buffer is a list that threads append to; one lock serialises flushes. Counters
of recorded and skipped calls are exact within a thread and may miss an increment when threads
race on the same function.

Safety: spans started while this module is itself at work (reading a source file, writing a
block) are no-ops, so instrumenting a library this module uses cannot recurse. Exceptions pass
through unchanged (``__exit__`` never suppresses them). Telemetry errors are swallowed.
"""

import _random
import atexit
import contextvars
import itertools
import os
import sys
import threading
import time

try:
    import _thread
except ImportError:  # pragma: no cover - CPython always has it
    _thread = None

__all__ = ["span", "configure", "flush", "enabled"]

_NOT_ERRORS = (GeneratorExit, StopIteration, StopAsyncIteration)
_FLUSH_INTERVAL = 0.1  # seconds between writer wake-ups
_BLOCK = 4096  # records that wake the writer early
_MASK64 = (1 << 64) - 1
_RATE_LIMIT_DEFAULT = (1000, 10.0)
_MAX_BYTES_DEFAULT = 100_000_000
_REASONS = ("sampling", "rate_limit", "size_cap")

_current = contextvars.ContextVar("telinject_current_span", default=None)
_current_get = _current.get
_current_set = _current.set
_current_reset = _current.reset
_perf_ns = time.perf_counter_ns
_get_ident = threading.get_ident
_new = object.__new__


# --- the disabled path ------------------------------------------------------------------------

class _NoSpan:
    """The shared do-nothing context manager. ``"".format`` accepts any arguments and returns
    "" (false, so exceptions propagate); as a C function it is not bound to the instance and
    runs without a Python frame."""

    __slots__ = ()
    __enter__ = "".format
    __exit__ = "".format


_NO_SPAN = _NoSpan()


def _span_disabled(name, generator=False):
    """Telemetry is off: the shared no-op context manager."""
    return _NO_SPAN


class _Marker:
    """A value of the context variable that is not a span."""

    __slots__ = ("what",)

    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return "<telinject %s>" % self.what


_UNSAMPLED = _Marker("trace not sampled")  # children of a sampled-out root: skipped
_BUSY = _Marker("runtime at work")  # set while this module reads or writes: spans are no-ops


# --- settings ---------------------------------------------------------------------------------

def _warn(text):
    try:
        sys.stderr.write("telinject: " + text + "\n")
    except Exception:
        pass


def _parse_sample(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError(text)
    return value


def _parse_rate_limit(text):
    if text.strip().lower() == "off":
        return None
    first, per_second = text.split(",")
    first, per_second = int(first), float(per_second)
    if first < 0 or not 0.0 <= per_second < float("inf"):
        raise ValueError(text)
    return first, per_second


def _parse_max_bytes(text):
    text = text.strip()
    if text.lower() == "off":
        return None
    scale = {"k": 1000, "M": 1000 ** 2, "G": 1000 ** 3}.get(text[-1:], 1)
    value = int(text[:-1] if scale != 1 else text)
    if value < 0:
        raise ValueError(text)
    return value * scale or None


def _parse_traceparent(text):
    """(trace id, span id, sampled) from a W3C traceparent header value."""
    parts = text.strip().split("-")
    version = parts[0]
    if len(version) != 2 or version == "ff" or len(parts) < 4 or (version == "00" and len(parts) != 4):
        raise ValueError(text)
    trace, parent, flags = parts[1], parts[2], parts[3]
    for part, width in ((version, 2), (trace, 32), (parent, 16), (flags, 2)):
        if len(part) != width or part.strip("0123456789abcdef"):
            raise ValueError(text)
    trace_id, span_id = int(trace, 16), int(parent, 16)
    if not trace_id or not span_id:
        raise ValueError(text)
    return trace_id, span_id, bool(int(flags, 16) & 1)


def _setting(name, parse, default):
    """The parsed value of environment variable `name`; unset: `default`; bad: `default` and
    one warning naming the variable."""
    text = os.environ.get(name)
    if text is None or text == "":
        return default
    try:
        return parse(text)
    except (ValueError, TypeError):
        _warn("ignoring %s=%r (not a valid value); using the default" % (name, text))
        return default


def _percent_decode(text):
    """`text` with %XX escapes decoded as UTF-8 bytes (W3C Baggage octets, as OpenTelemetry
    reads OTEL_RESOURCE_ATTRIBUTES); a `%` not followed by two hex digits stays as it is."""
    if "%" not in text:
        return text
    data = text.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(data):
        escape = data[i + 1:i + 3]
        if data[i] == 0x25 and len(escape) == 2 and not escape.strip(b"0123456789abcdefABCDEF"):
            out.append(int(escape, 16))
            i += 3
        else:
            out.append(data[i])
            i += 1
    return out.decode("utf-8", "replace")


def _resource_attributes():
    """The resource line's attributes, as OpenTelemetry SDKs read them from the environment."""
    attributes = {
        "service.name": "unknown_service:python",
        "telemetry.sdk.name": "telinject",
        "telemetry.sdk.language": "python",
        "process.pid": os.getpid(),
        "process.runtime.name": sys.implementation.name,
        "process.runtime.version": "%d.%d.%d" % sys.version_info[:3],
    }
    extra = os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "")
    bad = False
    for item in extra.split(","):
        if not item.strip():
            continue
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            bad = True
            continue
        attributes[key.strip()] = _percent_decode(value.strip())
    if bad:
        _warn("ignoring malformed entries of OTEL_RESOURCE_ATTRIBUTES (key=value,key=value)")
    service = os.environ.get("OTEL_SERVICE_NAME", "").strip()
    if service:
        attributes["service.name"] = service
    return attributes


# --- JSON -------------------------------------------------------------------------------------

def _json_string(text):
    if text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append("\\u%04x" % code)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "%d" % value
    return _json_string(str(value))


def _json_object(pairs):
    return "{" + ", ".join(_json_string(k) + ": " + _json_value(v) for k, v in pairs) + "}"


# --- functions: where they are, how many calls were recorded or skipped -----------------------

class _Function:
    """One instrumented function (by name): the fixed start of its records, its rate-limit
    state and the calls it did not record, by reason, since they were last written."""

    __slots__ = ("name", "file", "line", "head", "calls", "next_allowed", "sampling",
                 "rate_limit", "size_cap")

    def __init__(self, name, file, line, head):
        self.name = name
        self.file = file
        self.line = line
        self.head = head
        self.calls = 0
        self.next_allowed = 0
        self.sampling = self.rate_limit = self.size_cap = 0


_functions = {}  # name -> _Function
_shifts = {}  # file -> for each row (0-based), how many rows telinject inserted above it
_TELEMETRY_ROW = "with _telinject.span("


def _register(name, frame):
    """The _Function of `name`, first seen in `frame`: its file and the line of its `def` in
    the source as it was before telinject."""
    token = _current_set(_BUSY)  # reading the file may run instrumented code (linecache...)
    try:
        code = frame.f_code
        file = code.co_filename
        shift = _shifts.get(file)
        if shift is None:
            shift = _line_shifts(file)
        line = code.co_firstlineno
        line -= shift[line - 1] if line <= len(shift) else (shift[-1] if shift else 0)
    except Exception:
        file, line = "", 0
    finally:
        _current_reset(token)
    quoted = _json_string(name)
    head = '{"name": %s, "code.function.name": %s, "code.file.path": %s, "code.line.number": %d, ' % (
        quoted, quoted, _json_string(file), line)
    return _functions.setdefault(name, _Function(name, file, line, head))


def _line_shifts(file):
    """Rows telinject inserted above each row of `file` (its import, one `with` row per
    function): a record names the function's line in the source as it was before telinject,
    the line the user has in version control. Read once per file."""
    _shifts[file] = []
    shift = []
    try:
        import linecache
        inserted = 0
        for row in linecache.getlines(file):
            shift.append(inserted)
            text = row.lstrip()
            if text.startswith(_TELEMETRY_ROW) or (
                    text.startswith("import ") and " as _telinject  # " in text):
                inserted += 1
    except Exception:
        shift = []
    _shifts[file] = shift
    return shift


# --- the recording path -----------------------------------------------------------------------

_rng = _random.Random(int.from_bytes(os.urandom(16), "big"))
_getrandbits = _rng.getrandbits
# Span ids count up from a random start below 2**63: unique in the process, and two processes'
# ranges overlap with negligible probability. Trace ids stay random: sampling reads them.
_next_span_id = itertools.count(_rng.getrandbits(63) | 1).__next__

# Set by configure():
_root = None  # the context variable's value for a call with no span around it
_sampling = False  # TELINJECT_SAMPLE < 1
_sample_bound = 1 << 64  # a root is sampled when its trace id's low 64 bits are below this
_first_calls = 1 << 62  # calls of a function recorded before the rate limit applies
_interval_ns = 0.0  # then one call per this many ns ...
_burst_ns = 0.0  # ... with at most 1 s worth of them in a row

_buffer = []  # tuples: see _Span.__exit__; appended by any thread
_append = _buffer.append
_wake_at = 1  # buffer length at which a span calls _wake_writer()


class _Span:
    """One recorded call. The decisions and the context switch happen in `span()`, so
    ``__enter__`` is a C no-op."""

    __slots__ = ("function", "trace_id", "span_id", "parent_id", "start", "token")
    __enter__ = "".format

    def __exit__(self, exc_type, exc, tb):
        end = _perf_ns()
        if self.token is not None:
            try:
                _current_reset(self.token)
            except ValueError:
                # Exited in another context (e.g. a coroutine finished elsewhere): leave it.
                pass
        if exc_type is None or issubclass(exc_type, _NOT_ERRORS):
            error = None
        else:
            error = _describe(exc_type, exc)
        # Only strings, ints and None: the garbage collector stops tracking the tuple.
        _append((self.function.head, self.trace_id, self.span_id, self.parent_id, self.start,
                 end - self.start, _get_ident(), error))
        if len(_buffer) >= _wake_at:
            _wake_writer()
        return False


class _SkippedTrace:
    """The root call of a trace that sampling left out: its callees see _UNSAMPLED."""

    __slots__ = ("token",)
    __enter__ = "".format

    def __exit__(self, exc_type, exc, tb):
        try:
            _current_reset(self.token)
        except ValueError:
            pass
        return False


def _span_recording(name, generator=False):
    """The context manager that times one call of the function `name`, or the shared no-op
    when the call is not recorded (counted by reason)."""
    parent = _current_get(_root)
    function = _functions.get(name) or _register(name, sys._getframe(1))
    if parent is None:
        trace_id = None  # drawn once the call is known to be recorded
        if _sampling:
            trace_id = _getrandbits(128)
            if (trace_id & _MASK64) >= _sample_bound:
                function.sampling += 1
                if generator:
                    return _NO_SPAN
                skipped = _new(_SkippedTrace)
                skipped.token = _current_set(_UNSAMPLED)
                return skipped
        parent_id = None
    elif parent.__class__ is _Span:
        trace_id = parent.trace_id
        parent_id = parent.span_id
    else:
        if parent is _UNSAMPLED:
            function.sampling += 1
        return _NO_SPAN
    calls = function.calls + 1
    function.calls = calls
    if calls > _first_calls:
        # Token bucket kept as the time the next call may be recorded (GCRA): one call per
        # _interval_ns, up to a second's worth after a quiet spell; empty when it starts.
        now = _perf_ns()
        allowed = function.next_allowed or now + _interval_ns
        if now < allowed:
            function.next_allowed = allowed
            function.rate_limit += 1
            return _NO_SPAN
        function.next_allowed = max(allowed, now - _burst_ns) + _interval_ns
    span = _new(_Span)
    span.function = function
    span.trace_id = trace_id if trace_id is not None else _getrandbits(128)
    span.parent_id = parent_id
    span.span_id = _next_span_id()
    span.token = None if generator else _current_set(span)
    span.start = _perf_ns()
    return span


def _span_capped(name, generator=False):
    """The file reached TELINJECT_MAX_BYTES: nothing more is recorded, calls are counted."""
    parent = _current_get(_root)
    if parent is not _BUSY:
        function = _functions.get(name) or _register(name, sys._getframe(1))
        function.size_cap += 1
    return _NO_SPAN


def _describe(exc_type, exc):
    """`"exception.type": …, "exception.message": …` of an error, as JSON."""
    try:
        module = getattr(exc_type, "__module__", None)
        qualname = getattr(exc_type, "__qualname__", exc_type.__name__)
        kind = qualname if module in ("builtins", None) else module + "." + qualname
        try:
            message = "" if exc is None else str(exc)
        except Exception:
            message = ""
        return '"exception.type": %s, "exception.message": %s' % (
            _json_string(kind), _json_string(message))
    except Exception:
        return '"exception.type": "", "exception.message": ""'


# --- forwarding to an OpenTelemetry SDK --------------------------------------------------------

_otel_tracer = None


class _ForwardedSpan:
    """A call forwarded to the configured OpenTelemetry SDK (and recorded when
    TELINJECT_OUT is set)."""

    __slots__ = ("inner", "function", "otel")

    def __enter__(self):
        function = self.function
        try:
            self.otel = _otel_tracer.start_as_current_span(
                function.name, attributes={"code.function.name": function.name,
                                           "code.file.path": function.file,
                                           "code.line.number": function.line})
            self.otel.__enter__()
        except Exception:  # never let telemetry break the program
            self.otel = None
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.otel is not None:
            try:
                self.otel.__exit__(exc_type, exc, tb)
            except Exception:
                pass
        self.inner.__exit__(exc_type, exc, tb)
        return False


def _span_forwarding(name, generator=False):
    if _current_get(_root) is _BUSY:
        return _NO_SPAN
    function = _functions.get(name) or _register(name, sys._getframe(1))
    forwarded = _new(_ForwardedSpan)
    forwarded.function = function
    forwarded.otel = None
    if _fd is None:
        forwarded.inner = _NO_SPAN
    else:
        forwarded.inner = (_span_capped if _capped else _span_recording)(name, generator)
    return forwarded


def _find_otel_tracer():
    """A tracer when an OpenTelemetry SDK provider is configured, else None."""
    module = sys.modules.get("opentelemetry.trace")
    if module is None:
        try:
            import importlib.util
            if importlib.util.find_spec("opentelemetry") is None:
                return None
            import opentelemetry.trace as module  # noqa: F811
        except Exception:
            return None
    try:
        provider = module.get_tracer_provider()
        kind = type(provider).__name__
        if kind in ("ProxyTracerProvider", "NoOpTracerProvider", "_DefaultTracerProvider"):
            return None
        return provider.get_tracer("telinject")
    except Exception:
        return None


# --- writing ----------------------------------------------------------------------------------

_lock = threading.RLock()  # reentrant: a SIGTERM handler may flush inside a flush
_path = None
_fd = None
_pid = None
_max_bytes = _MAX_BYTES_DEFAULT
_wall_offset = 0  # time.time_ns() - time.perf_counter_ns()
_formats = ()  # record formats with this process's pid: root ok, child ok, error
_resource_line = ""
_resource_written = False
_spans_written = 0
_dropped_written = [0, 0, 0]  # by reason, in dropped lines already written
_capped = False
_finished = False  # the exit flush ran
_writer_pid = None  # the process whose writer thread runs
_writer_stop = False  # asks the writer thread to end
_writer_done = None  # a lock the writer thread holds while it runs
_writer_task = None  # /proc/self/task/<its native id>, on Linux
_wake = threading.Event()


def _wake_writer():
    """The buffer reached _wake_at: start the writer thread (first record of the process) or
    have it write now."""
    global _wake_at, _writer_pid, _writer_done
    if _writer_pid != _pid:
        _writer_pid = _pid
        _wake_at = _BLOCK
        try:
            done = _thread.allocate_lock()
            done.acquire()
            _writer_done = done
            _thread.start_new_thread(_writer_loop, (_pid, done))
        except Exception:
            _writer_pid = None
            _flush(dropped=False)
        return
    _wake_at = 1 << 62  # until the writer took the buffer
    _wake.set()


def _writer_loop(pid, done):
    # A raw thread: invisible to threading.enumerate(), never joined, like a daemon.
    global _writer_task
    try:
        if os.path.isdir("/proc/self/task"):
            _writer_task = "/proc/self/task/%d" % threading.get_native_id()
        while True:
            _wake.wait(_FLUSH_INTERVAL)
            _wake.clear()
            if pid != _pid or _finished or _writer_stop:
                return
            _flush(dropped=False)
    finally:
        done.release()


def _stop_writer():
    """Ends the writer thread (before fork: Python 3.12 and later warn when a process with
    threads forks); the next record starts a new one."""
    global _writer_pid, _writer_stop, _wake_at
    if _writer_pid != _pid or _writer_done is None:
        return
    _writer_stop = True
    _wake.set()
    _writer_done.acquire(timeout=1.0)
    # The thread's function returned; the OS thread ends a moment later, and the count Python
    # warns by is the OS's.
    deadline = time.monotonic() + 0.1
    while _writer_task and os.path.exists(_writer_task) and time.monotonic() < deadline:
        time.sleep(0.0001)
    _writer_stop = False
    _writer_pid = None
    _wake_at = 1


def _flush(dropped, final=False):
    """Writes the buffered spans; with `dropped`, also the dropped lines; with `final`, the
    exit summary. Never raises."""
    global _finished
    with _lock:
        if _fd is None or _finished or _pid != os.getpid():
            return
        token = _current_set(_BUSY)
        try:
            _write_block(dropped)
            if final:
                _finished = True
                _summary()
        except Exception:
            pass
        finally:
            _current_reset(token)


def _format(items):
    root_ok, child_ok, error_format = _formats
    offset = _wall_offset
    lines = []
    add = lines.append
    for head, trace_id, span_id, parent_id, start, duration, thread, error in items:
        if error is None:
            if parent_id is None:
                add(root_ok % (head, trace_id, span_id, start + offset, duration, thread))
            else:
                add(child_ok % (head, trace_id, span_id, parent_id, start + offset, duration,
                                thread))
        else:
            parent = "null" if parent_id is None else '"%016x"' % parent_id
            add(error_format % (head, trace_id, span_id, parent, start + offset, duration, error,
                                thread))
    return lines


def _write_block(dropped):
    global _wake_at, _resource_written, _spans_written, _capped
    count = len(_buffer)
    items = _buffer[:count]
    del _buffer[:count]  # appends made meanwhile stay: they are after `count`
    if _wake_at > _BLOCK:
        _wake_at = _BLOCK
    lines = _format(items) if items else []
    if lines and _max_bytes is not None:
        room = _max_bytes - os.fstat(_fd).st_size
        if not _resource_written:
            room -= len(_resource_line)
        data = "".join(lines).encode("utf-8", "replace")
        if len(data) > room:
            kept = 0
            for line in lines:
                room -= len(line.encode("utf-8", "replace"))
                if room < 0:
                    break
                kept += 1
            by_head = {function.head: function for function in list(_functions.values())}
            for item in items[kept:]:
                by_head[item[0]].size_cap += 1
            del lines[kept:]
            _reach_cap()
    _spans_written += len(lines)
    if dropped:
        lines.extend(_dropped_lines())
    if not lines:
        return
    if not _resource_written:
        lines.insert(0, _resource_line)
        _resource_written = True
    data = "".join(lines).encode("utf-8", "replace")
    while data:
        written = os.write(_fd, data)
        data = data[written:]


def _reach_cap():
    """The file reached TELINJECT_MAX_BYTES: from now on calls are only counted."""
    global _capped, span
    if _capped:
        return
    _capped = True
    if span is _span_recording:
        span = _span_capped
    _warn("%s reached TELINJECT_MAX_BYTES=%d bytes: no more spans are written "
          "(TELINJECT_MAX_BYTES=off: no cap)" % (_path, _max_bytes))


def _dropped_lines():
    """One line per function and reason with calls not recorded since the last such lines."""
    lines = []
    pid = os.getpid()
    for function in list(_functions.values()):
        for index, reason in enumerate(_REASONS):
            count = getattr(function, reason)
            if count:
                setattr(function, reason, 0)
                _dropped_written[index] += count
                lines.append('{"dropped": %d, "name": %s, "reason": "%s", "process.pid": %d}\n' % (
                    count, _json_string(function.name), reason, pid))
    return lines


def _summary():
    """The exit line on stderr when this process did not record every call."""
    sampling, rate_limit, size_cap = _dropped_written
    total = sampling + rate_limit + size_cap
    if not total:
        return
    _warn("%d spans written to %s, %d not recorded (rate limit %d, sampling %d, size cap %d); "
          "TELINJECT_RATE_LIMIT=off TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record every call"
          % (_spans_written, _path, total, rate_limit, sampling, size_cap))


# --- process events: exit, fork, SIGTERM ------------------------------------------------------

def _at_exit():
    _flush(dropped=True, final=True)


def _before_fork():
    _flush(dropped=False)
    _stop_writer()
    _hook_multiprocessing()


class _MultiprocessingHook:
    """The key of our entry in multiprocessing's after-fork registry (weakly referenced)."""


_multiprocessing_hook = None


def _hook_multiprocessing():
    """A multiprocessing worker ends with os._exit, after multiprocessing's finalizers (it
    clears the ones it inherited when it starts, then runs its after-fork hooks): a hook
    registers a finalizer, run last, that writes the worker's records."""
    global _multiprocessing_hook
    util = sys.modules.get("multiprocessing.util")
    if util is None or _multiprocessing_hook is not None or _fd is None:
        return
    try:
        _multiprocessing_hook = _MultiprocessingHook()
        util.register_after_fork(_multiprocessing_hook, _finalize_in_worker)
    except Exception:
        pass


def _finalize_in_worker(_):
    try:
        sys.modules["multiprocessing.util"].Finalize(None, _at_exit, exitpriority=-(1 << 30))
    except Exception:
        pass


def _after_fork_in_child():
    """The child starts with an empty buffer, its own ids, counters and writer."""
    global _lock, _pid, _wake, _wake_at, _next_span_id, _resource_written, _spans_written
    global _resource_line
    _lock = threading.RLock()
    _wake = threading.Event()
    del _buffer[:]
    _wake_at = 1
    _rng.seed(int.from_bytes(os.urandom(16), "big"))  # a child must not repeat its parent's ids
    _next_span_id = itertools.count(_rng.getrandbits(63) | 1).__next__
    for function in list(_functions.values()):
        function.calls = function.next_allowed = 0
        function.sampling = function.rate_limit = function.size_cap = 0
    _dropped_written[:] = [0, 0, 0]
    _spans_written = 0
    _resource_written = False
    if _pid is not None:
        _pid = os.getpid()
        _set_process_formats()


_previous_sigterm = None
_sigterm_installed = False


def _on_sigterm(signum, frame):
    previous = _previous_sigterm
    if callable(previous):
        # The program handles SIGTERM itself (installed before us): write, then its turn.
        _flush(dropped=False)
        return previous(signum, frame)
    _flush(dropped=True, final=True)
    import signal
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_sigterm_handler():
    """Writes the records on SIGTERM, when the program has no handler of its own installed
    from Python: the default action (termination) then follows."""
    global _previous_sigterm, _sigterm_installed
    if _sigterm_installed or os.name != "posix":
        return
    try:
        import signal
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if previous is signal.SIG_IGN or previous is None:
            return  # ignored, or set from C code: not ours to change
        _previous_sigterm = previous
        signal.signal(signal.SIGTERM, _on_sigterm)
        _sigterm_installed = True
    except Exception:
        pass




# --- threads ----------------------------------------------------------------------------------

_thread_patch_done = False


def _patch_threads():
    global _thread_patch_done
    if _thread_patch_done:
        return
    _thread_patch_done = True
    original_start = threading.Thread.start

    def start(self, *args, **kwargs):
        parent = _current.get()
        if parent is not None and not getattr(self, "_telinject_wrapped", False):
            run = self.run

            def run_with_parent():
                _current.set(parent)
                return run()

            self.run = run_with_parent
            self._telinject_wrapped = True
        return original_start(self, *args, **kwargs)

    start.__wrapped__ = original_start
    threading.Thread.start = start


# --- configuration ----------------------------------------------------------------------------

# `configure` rebinds `span` to one of _span_disabled, _span_recording, _span_capped or
# _span_forwarding, so each path is a single call.
span = _span_disabled


def _set_process_formats():
    global _formats, _resource_line
    tail = '"duration_ns": %%d, "status": "ok", "thread.id": %%d, "process.pid": %d}\n' % _pid
    ids = '%s"trace_id": "%032x", "span_id": "%016x", "parent_span_id": '
    _formats = (
        ids + 'null, "start_time_unix_nano": %d, ' + tail,
        ids + '"%016x", "start_time_unix_nano": %d, ' + tail,
        ids + '%s, "start_time_unix_nano": %d, "duration_ns": %d, "status": "error", %s, '
              '"thread.id": %d, "process.pid": ' + str(_pid) + '}\n',
    )
    _resource_line = '{"resource": %s}\n' % _json_object(_resource_attributes().items())


def configure(path=None, opentelemetry=None):
    """(Re)reads the settings: `path` (default: $TELINJECT_OUT) receives the records;
    `opentelemetry` True/False forces forwarding on or off (default: on when an SDK provider
    is configured); TELINJECT_SAMPLE, TELINJECT_RATE_LIMIT, TELINJECT_MAX_BYTES, TRACEPARENT,
    OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES as docs/telemetry.md says. What the buffer
    holds is written first."""
    global _path, _fd, _pid, _otel_tracer, span, _root, _sampling, _sample_bound, _first_calls
    global _interval_ns, _burst_ns, _max_bytes, _wall_offset, _capped, _finished
    global _resource_written
    if _fd is not None:
        _flush(dropped=True)
    with _lock:
        if _fd is not None and _pid == os.getpid():
            try:
                os.close(_fd)
            except OSError:
                pass
        _fd = None
        _path = path if path is not None else os.environ.get("TELINJECT_OUT") or None
        _pid = os.getpid()
        if _path:
            try:
                _fd = os.open(_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            except OSError as error:
                _warn("cannot open TELINJECT_OUT=%s: %s" % (_path, error))
        _capped = _finished = _resource_written = False  # a new file gets its resource line
        if _fd is not None:
            ratio = _setting("TELINJECT_SAMPLE", _parse_sample, 1.0)
            _sample_bound = round(ratio * (1 << 64))
            _sampling = _sample_bound < (1 << 64)
            limit = _setting("TELINJECT_RATE_LIMIT", _parse_rate_limit, _RATE_LIMIT_DEFAULT)
            if limit is None:
                _first_calls = 1 << 62
            else:
                _first_calls, per_second = limit
                _interval_ns = 1e9 / per_second if per_second > 0 else float("inf")
                _burst_ns = max(per_second - 1.0, 0.0) * _interval_ns if per_second > 0 else 0.0
            _max_bytes = _setting("TELINJECT_MAX_BYTES", _parse_max_bytes, _MAX_BYTES_DEFAULT)
            _root = None
            parent = _setting("TRACEPARENT", _parse_traceparent, None)
            if parent is not None:
                trace_id, span_id, sampled = parent
                if sampled:
                    _root = _new(_Span)
                    _root.trace_id, _root.span_id = trace_id, span_id
                else:
                    _root = _UNSAMPLED
            _wall_offset = time.time_ns() - _perf_ns()
            _set_process_formats()
    if opentelemetry is False:
        _otel_tracer = None
    elif opentelemetry or os.environ.get("TELINJECT_OTEL", "auto") != "off":
        _otel_tracer = _find_otel_tracer()
    if _otel_tracer is not None:
        span = _span_forwarding
    elif _fd is not None:
        span = _span_recording
    else:
        span = _span_disabled
    if _fd is not None or _otel_tracer is not None:
        _patch_threads()
    if _fd is not None:
        _install_sigterm_handler()


def enabled():
    """True when spans are recorded or forwarded."""
    return _fd is not None or _otel_tracer is not None


def flush():
    """Writes what the buffer holds now, and the dropped lines of calls not recorded so far."""
    _flush(dropped=True)


# --- one instance per process -----------------------------------------------------------------

# A process may import several copies of this helper (one per top-level package, one beside
# stand-alone modules such as a tests folder). The first one imported serves them all: one
# buffer, one resource line, one set of counters and one exit summary per process. An import of
# a later copy returns the first (the import system hands out what sys.modules holds once the
# module has run).
_SHARING_VERSION = 1  # copies with the same value share; bump when the module's state changes
_PROCESS_KEY = "_telinject_runtime_of_this_process"
_this = sys.modules.get(__name__)
_first = sys.modules.setdefault(_PROCESS_KEY, _this)
if _first is not _this and getattr(_first, "_SHARING_VERSION", None) == _SHARING_VERSION:
    sys.modules[__name__] = _first
else:
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
    configure()

"""telinject runtime helper: spans for functions instrumented by telinject.

Instrumented code calls ``span(name)`` (``span(name, generator=True)`` for generators) as a
``with`` block around each function body. This module is written into the instrumented tree by
telinject; it uses the standard library only.

Records: when the environment variable TELINJECT_OUT names a file, each finished span is
appended to it as one JSON object per line (written with a single ``os.write`` on a descriptor
opened with O_APPEND, so processes never interleave lines). When TELINJECT_OUT is unset and no
OpenTelemetry SDK is configured, ``span`` returns one shared no-op object: near-zero cost.

Context: the current span lives in a ``contextvars.ContextVar``, so nested calls and asyncio
tasks (which copy their creator's context) get the right parent. A generator's span is recorded
with its parent but is not made current, because a suspended generator runs in its caller's
context and would otherwise leak its span into it. Threads: when recording is on,
``threading.Thread.start`` is wrapped once so that a thread started inside a span has that span
as the parent of its first spans.

Safety: spans started while this module is itself at work (serialising or writing a record) are
no-ops, so instrumenting a library this module uses cannot recurse. Exceptions pass through
unchanged (``__exit__`` never suppresses them).
"""

import _random
import contextvars
import os
import sys
import threading
import time

__all__ = ["span", "configure", "flush", "enabled"]

_current = contextvars.ContextVar("telinject_current_span", default=None)
_guard = threading.local()
_lock = threading.Lock()
_fd = None
_path = None
_pid = None
_otel_tracer = None
_thread_patch_done = False
_NOT_ERRORS = (GeneratorExit, StopIteration, StopAsyncIteration)


class _NoSpan:
    """The shared do-nothing context manager returned while telemetry is off."""

    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        return False


_NO_SPAN = _NoSpan()


_rng = _random.Random(int.from_bytes(os.urandom(16), "big"))


def _reseed():
    _rng.seed(int.from_bytes(os.urandom(16), "big"))


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reseed)  # a child must not repeat its parent's ids


def _trace_id():
    return "%032x" % _rng.getrandbits(128)


def _span_id():
    return "%016x" % _rng.getrandbits(64)


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
        elif code < 0x20:
            out.append("\\u%04x" % code)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class _Span:
    __slots__ = ("name", "generator", "trace_id", "span_id", "parent_id", "start_ns",
                 "start_perf", "token", "file", "line", "otel_cm")

    def __init__(self, name, generator):
        self.name = name
        self.generator = generator
        self.token = None
        self.otel_cm = None

    def __enter__(self):
        code = sys._getframe(1).f_code
        self.file = file = code.co_filename
        shift = _shifts.get(file)
        if shift is None:
            shift = _line_shifts(file)
        line = code.co_firstlineno
        self.line = line - (shift[line - 1] if line <= len(shift) else (shift[-1] if shift else 0))
        parent = _current.get()
        if parent is None:
            self.trace_id = _trace_id()
            self.parent_id = None
        else:
            self.trace_id = parent.trace_id
            self.parent_id = parent.span_id
        self.span_id = _span_id()
        if not self.generator:
            self.token = _current.set(self)
        if _otel_tracer is not None:
            try:
                self.otel_cm = _otel_tracer.start_as_current_span(
                    self.name, attributes={"code.function.name": self.name,
                                           "code.file.path": self.file,
                                           "code.line.number": self.line})
                self.otel_cm.__enter__()
            except Exception:  # never let telemetry break the program
                self.otel_cm = None
        self.start_ns = time.time_ns()
        self.start_perf = time.perf_counter_ns()
        return self

    def __exit__(self, exc_type, exc, tb):
        duration = time.perf_counter_ns() - self.start_perf
        if self.token is not None:
            try:
                _current.reset(self.token)
            except ValueError:
                # Exited in another context (e.g. a coroutine finished elsewhere): leave it.
                pass
            self.token = None
        if self.otel_cm is not None:
            try:
                self.otel_cm.__exit__(exc_type, exc, tb)
            except Exception:
                pass
        error = exc_type is not None and not issubclass(exc_type, _NOT_ERRORS)
        if _fd is not None:
            _write(self, duration, exc_type if error else None)
        return False


_shifts = {}  # file -> for each row (0-based), how many rows telinject inserted above it
_TELEMETRY_ROW = "with _telinject.span("


def _line_shifts(file):
    """Rows telinject inserted above each row of `file` (its import, one `with` row per
    function): a record names the function's line in the source as it was before telinject,
    the line the user has in version control. Read once per file."""
    _shifts[file] = []  # while reading: a span inside linecache (instrumented too) must not recurse
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


def _write(span, duration, exc_type):
    if getattr(_guard, "busy", False):
        return
    _guard.busy = True
    try:
        name = _json_string(span.name)
        if exc_type is not None:
            module = getattr(exc_type, "__module__", None)
            qualname = getattr(exc_type, "__qualname__", exc_type.__name__)
            kind = qualname if module in ("builtins", None) else module + "." + qualname
            status = '"error", "exception.type": ' + _json_string(kind)
        else:
            status = '"ok"'
        line = ('{"name": %s, "code.function.name": %s, "code.file.path": %s, '
                '"code.line.number": %d, "trace_id": "%s", "span_id": "%s", '
                '"parent_span_id": %s, "start_time_unix_nano": %d, "duration_ns": %d, '
                '"status": %s, "thread.id": %d, "process.pid": %d}\n') % (
            name, name, _json_string(span.file), span.line, span.trace_id, span.span_id,
            '"' + span.parent_id + '"' if span.parent_id else "null", span.start_ns, duration,
            status, threading.get_ident(), os.getpid())
        data = line.encode("utf-8", "replace")
        with _lock:
            if _pid != os.getpid():
                _reopen()
            if _fd is not None:
                os.write(_fd, data)
    except Exception:
        pass  # telemetry must never break the program
    finally:
        _guard.busy = False


def _span_enabled(name, generator=False):
    """The context manager that times one call of the function `name`."""
    if getattr(_guard, "busy", False):
        return _NO_SPAN
    return _Span(name, generator)


def _span_disabled(name, generator=False):
    """Telemetry is off: the shared no-op context manager."""
    return _NO_SPAN


# `configure` rebinds `span` to one of the two, so the disabled path is a single call.
span = _span_disabled


def _reopen():
    global _fd, _pid
    _pid = os.getpid()
    _fd = None
    if _path:
        try:
            _fd = os.open(_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError:
            _fd = None


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


def configure(path=None, opentelemetry=None):
    """(Re)reads the settings: `path` (default: $TELINJECT_OUT) receives the records;
    `opentelemetry` True/False forces forwarding on or off (default: on when an SDK provider
    is configured)."""
    global _path, _otel_tracer
    with _lock:
        if _fd is not None and _pid == os.getpid():
            try:
                os.close(_fd)
            except OSError:
                pass
        _path = path if path is not None else os.environ.get("TELINJECT_OUT") or None
        _reopen()
    if opentelemetry is False:
        _otel_tracer = None
    elif opentelemetry or os.environ.get("TELINJECT_OTEL", "auto") != "off":
        _otel_tracer = _find_otel_tracer()
    global span
    if _fd is not None or _otel_tracer is not None:
        span = _span_enabled
        _patch_threads()
    else:
        span = _span_disabled


def enabled():
    """True when spans are recorded or forwarded."""
    return _fd is not None or _otel_tracer is not None


def flush():
    """Records are written unbuffered; kept for symmetry with other runtimes."""


configure()

"""telinject runtime helper: spans for functions instrumented by telinject.

Instrumented code calls ``span(name)`` (``span(name, generator=True)`` for generators) as a
``with`` block around each function body. This module is written into the instrumented tree by
telinject; it uses the standard library only and runs on CPython 3.8 and later. What it records
and the variables that control it are specified in telinject's docs/telemetry.md.

Off: when TELINJECT_OUT is unset, OTEL_TRACES_EXPORTER does not list ``otlp`` and no
OpenTelemetry SDK is configured, ``span`` returns one shared object whose ``__enter__`` and
``__exit__`` are C functions: no Python frame runs besides ``span`` itself. (``with span(...)
as x`` binds ``""``, not a span object.)

Recording: ``span`` decides whether the call is recorded (head sampling at the root of a trace,
per-function rate limit, size cap), and ``__exit__`` appends one tuple to an in-memory buffer.
Tuples are turned into JSON lines (formatted as bytes) in chunks of 256 and written with
``os.write`` on a descriptor opened with O_APPEND (whole lines per write, so processes sharing
the file never interleave lines): by a writer thread every 100 ms or when the buffer holds a
block, at exit (atexit also runs after an uncaught exception), before ``fork`` (the child starts
empty), at the end of a multiprocessing worker (which leaves by ``os._exit``, after
multiprocessing's finalizers), and on SIGTERM when the program had no handler of its own when
recording started (the default action then follows; a handler the program installed earlier runs
after the records are written). ``os._exit`` elsewhere skips what the last 100 ms buffered. The
writer thread is a raw thread (not in ``threading.enumerate()``) that ends before each fork, so
Python 3.12+ does not warn that a multi-threaded process forks; the next record starts a new
one.

OTLP: with OTEL_TRACES_EXPORTER=otlp the writer also queues the spans it takes (512 a request)
for a second raw thread, the sender, which encodes them (protobuf by hand, or OTLP/JSON) and POSTs
them with http.client over one kept-alive connection, retrying as the spec says; a slow
collector delays neither the calls nor the file. The sender stops before fork like the writer
(the child drops the parent's queue and connection; the parent's next record starts both
again: a thread started right after fork would still make Python 3.13 warn). At exit (and on
SIGTERM) what is left is sent from the exiting thread, waiting at most the exporter's timeout in
all. With TELINJECT_OUT_FORMAT=otlp the file gets OTLP/JSON requests instead of span lines.

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
import struct
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
_WRITE_CHUNK = 256  # span lines formatted and written at a time
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


def _parse_out_format(text):
    text = text.strip().lower()
    if text not in ("jsonl", "otlp"):
        raise ValueError(text)
    return text


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
    head = ('{"name": %s, "code.function.name": %s, "code.file.path": %s, '
            '"code.line.number": %d, ' % (quoted, quoted, _json_string(file), line)
            ).encode("utf-8", "replace")  # the span lines are formatted as bytes
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
_limited = True  # TELINJECT_RATE_LIMIT is not off: calls are counted
_first_calls = 1 << 62  # calls of a function recorded before the rate limit applies
_interval_ns = 0.0  # then one call per this many ns ...
_burst_ns = 0.0  # ... with at most 1 s worth of them in a row

_buffer = []  # tuples: see _Span.__exit__; appended by any thread
_append = _buffer.append
_wake_at = 1  # buffer length at which a span calls _wake_writer()


class _Span:
    """One recorded call. The decisions and the context switch happen in `span()`, so
    ``__enter__`` is a C no-op."""

    __slots__ = ("head", "trace_id", "span_id", "parent_id", "start", "token")
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
        # Only strings, ints, None and a tuple of strings: the garbage collector stops tracking
        # the tuple.
        start = self.start
        _append((self.head, self.trace_id, self.span_id, self.parent_id, start, end - start,
                 _get_ident(), error))
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
    if _limited:
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
    span.head = function.head
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
    """(exception.type, exception.message) of an error."""
    try:
        module = getattr(exc_type, "__module__", None)
        qualname = getattr(exc_type, "__qualname__", exc_type.__name__)
        kind = qualname if module in ("builtins", None) else module + "." + qualname
        try:
            message = "" if exc is None else str(exc)
        except Exception:
            message = ""
        return kind, message
    except Exception:
        return "", ""


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
    if not _active:
        forwarded.inner = _NO_SPAN
    else:
        capped = _capped and _exporter is None  # the cap stops only the file
        forwarded.inner = (_span_capped if capped else _span_recording)(name, generator)
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


# --- OTLP: encoding ---------------------------------------------------------------------------
# OTLP trace export requests (opentelemetry-proto's collector/trace/v1 ExportTraceServiceRequest)
# as protobuf (encoded here by hand: the messages are small) or OTLP/JSON. Field numbers, from
# trace.proto, common.proto and resource.proto: ExportTraceServiceRequest resource_spans 1;
# ResourceSpans resource 1, scope_spans 2; Resource attributes 1; ScopeSpans scope 1, spans 2;
# InstrumentationScope name 1, version 2; Span trace_id 1, span_id 2, parent_span_id 4, name 5,
# kind 6, start_time_unix_nano 7 (fixed64), end_time_unix_nano 8 (fixed64), attributes 9,
# events 11, status 15; Event time_unix_nano 1 (fixed64), name 2, attributes 3; Status
# message 2, code 3; KeyValue key 1, value 2; AnyValue string_value 1, bool_value 2,
# int_value 3.

_VERSION = "0.1.0"  # telinject's version (the scope's version in OTLP)
_OTLP_BATCH = 512  # spans per request
_SPAN_KIND_INTERNAL = 1
_STATUS_CODE_ERROR = 2
_pack_times = struct.Struct("<BQBQ").pack  # Span fields 7 and 8: tag, fixed64, tag, fixed64
_pack_fixed64 = struct.Struct("<Q").pack


def _varint(value):
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _pb_bytes(number, data):
    """A length-delimited field."""
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _pb_string(number, text):
    return _pb_bytes(number, text.encode("utf-8", "replace"))


def _pb_key_value(key, value):
    if isinstance(value, bool):
        any_value = b"\x10" + (b"\x01" if value else b"\x00")
    elif isinstance(value, int):
        any_value = b"\x18" + _varint(value & _MASK64)  # int64: two's complement
    else:
        any_value = _pb_string(1, str(value))
    return _pb_bytes(1, key.encode("utf-8", "replace")) + _pb_bytes(2, any_value)


def _json_key_value(key, value):
    if isinstance(value, bool):
        any_value = '{"boolValue": %s}' % ("true" if value else "false")
    elif isinstance(value, int):
        any_value = '{"intValue": "%d"}' % value  # int64 as a decimal string
    else:
        any_value = '{"stringValue": %s}' % _json_string(str(value))
    return '{"key": %s, "value": %s}' % (_json_string(key), any_value)


class _OtlpFunction:
    """A function's parts of every OTLP span of it, encoded once: `name` and `kind`, then its
    code.* attributes (protobuf bytes and JSON text)."""

    __slots__ = ("pb_name", "pb_attributes", "json_name", "json_attributes")

    def __init__(self, function):
        attributes = (("code.function.name", function.name), ("code.file.path", function.file),
                      ("code.line.number", function.line))
        self.pb_name = _pb_string(5, function.name) + b"\x30" + _varint(_SPAN_KIND_INTERNAL)
        self.pb_attributes = b"".join(_pb_bytes(9, _pb_key_value(k, v)) for k, v in attributes)
        self.json_name = '"name": %s, "kind": %d' % (_json_string(function.name),
                                                     _SPAN_KIND_INTERNAL)
        self.json_attributes = ", ".join(_json_key_value(k, v) for k, v in attributes)


_otlp_functions = {}  # a _Function's head -> its _OtlpFunction
_otlp_threads = {}  # thread id -> its thread.id attribute, protobuf
# ResourceSpans' resource and scope (protobuf), and the JSON request's start: set per process
_otlp_resource = (b"", b"", "")


def _set_otlp_resource(attributes):
    global _otlp_resource
    resource = b"".join(_pb_bytes(1, _pb_key_value(k, v)) for k, v in attributes.items())
    scope = _pb_string(1, "telinject") + _pb_string(2, _VERSION)
    json_resource = ", ".join(_json_key_value(k, v) for k, v in attributes.items())
    _otlp_resource = (
        _pb_bytes(1, resource), _pb_bytes(1, scope),
        '{"resourceSpans": [{"resource": {"attributes": [%s]}, "scopeSpans": [{"scope": '
        '{"name": "telinject", "version": %s}, "spans": [' % (json_resource,
                                                            _json_string(_VERSION)))


def _otlp_function(head):
    parts = _otlp_functions.get(head)
    if parts is None:
        for function in list(_functions.values()):
            if function.head == head:
                parts = _otlp_functions[head] = _OtlpFunction(function)
    return parts


def _otlp_protobuf(items):
    """One ExportTraceServiceRequest, protobuf-encoded, of the buffered spans `items`."""
    offset = _wall_offset
    threads = _otlp_threads
    spans = []
    add = spans.append
    for head, trace_id, span_id, parent_id, start, duration, thread, error in items:
        parts = _otlp_function(head)
        thread_attribute = threads.get(thread)
        if thread_attribute is None:
            if len(threads) > 4096:  # threads come and go: keep the newest
                threads.clear()
            thread_attribute = threads[thread] = _pb_bytes(9, _pb_key_value("thread.id", thread))
        start += offset
        body = [b"\x0a\x10", trace_id.to_bytes(16, "big"), b"\x12\x08", span_id.to_bytes(8, "big")]
        if parent_id is not None:
            body += (b"\x22\x08", parent_id.to_bytes(8, "big"))
        body += (parts.pb_name, _pack_times(0x39, start, 0x41, start + duration),
                 parts.pb_attributes, thread_attribute)
        if error is not None:
            event = (b"\x09" + _pack_fixed64(start + duration) + _pb_string(2, "exception") +
                     _pb_bytes(3, _pb_key_value("exception.type", error[0])) +
                     _pb_bytes(3, _pb_key_value("exception.message", error[1])))
            status = _pb_string(2, error[1]) + b"\x18" + _varint(_STATUS_CODE_ERROR)
            body += (_pb_bytes(11, event), _pb_bytes(15, status))
        body = b"".join(body)
        add(b"\x12" + _varint(len(body)) + body)
    resource, scope, _ = _otlp_resource
    scope_spans = _pb_bytes(2, scope + b"".join(spans))
    return _pb_bytes(1, resource + scope_spans)


def _otlp_json(items):
    """One ExportTraceServiceRequest in OTLP/JSON, on one line, of the buffered spans `items`."""
    offset = _wall_offset
    spans = []
    add = spans.append
    for head, trace_id, span_id, parent_id, start, duration, thread, error in items:
        parts = _otlp_function(head)
        start += offset
        end = start + duration
        parent = "" if parent_id is None else '"parentSpanId": "%016x", ' % parent_id
        text = ('{"traceId": "%032x", "spanId": "%016x", %s%s, "startTimeUnixNano": "%d", '
                '"endTimeUnixNano": "%d", "attributes": [%s, {"key": "thread.id", "value": '
                '{"intValue": "%d"}}]' % (trace_id, span_id, parent, parts.json_name, start, end,
                                          parts.json_attributes, thread))
        if error is not None:
            kind, message = _json_string(error[0]), _json_string(error[1])
            text += (', "events": [{"timeUnixNano": "%d", "name": "exception", "attributes": '
                     '[{"key": "exception.type", "value": {"stringValue": %s}}, '
                     '{"key": "exception.message", "value": {"stringValue": %s}}]}], '
                     '"status": {"code": %d, "message": %s}' % (end, kind, message,
                                                                 _STATUS_CODE_ERROR, message))
        add(text + "}")
    return _otlp_resource[2] + ", ".join(spans) + "]}]}]}\n"


def _batches(items):
    return [items[i:i + _OTLP_BATCH] for i in range(0, len(items), _OTLP_BATCH)]


# --- OTLP: settings and delivery ----------------------------------------------------------------

_OTLP_DEFAULT_ENDPOINT = "http://localhost:4318/v1/traces"
_OTLP_QUEUE_MAX = 256  # requests waiting to be sent (128 k spans); beyond, spans are dropped
_RETRY_STATUSES = (429, 502, 503, 504)
_RETRIES = 3
_BACKOFF = 0.1  # seconds before the first retry, doubled for each next one


class _Exporter:
    """Where and how spans are sent over OTLP/HTTP (read from the OTEL_* variables)."""

    __slots__ = ("shown_url", "https", "host", "port", "path", "json", "gzip",
                 "headers", "timeout")


def _otlp_setting(name, parse, default):
    """OTEL_EXPORTER_OTLP_TRACES_<name>, else OTEL_EXPORTER_OTLP_<name>, parsed as _setting."""
    for variable in ("OTEL_EXPORTER_OTLP_TRACES_" + name, "OTEL_EXPORTER_OTLP_" + name):
        if os.environ.get(variable, "") != "":
            return _setting(variable, parse, default)
    return default


def _parse_protocol(text):
    text = text.strip().lower()
    if text == "grpc":
        _warn("OTLP over grpc is not supported; using http/protobuf")
        return "http/protobuf"
    if text not in ("http/protobuf", "http/json"):
        raise ValueError(text)
    return text


def _parse_compression(text):
    text = text.strip().lower()
    if text not in ("none", "gzip"):
        raise ValueError(text)
    return text


def _parse_timeout(text):
    value = int(text.strip())
    if value < 0:
        raise ValueError(text)
    return value / 1000.0


def _parse_headers(text):
    headers = {}
    for item in text.split(","):
        if not item.strip():
            continue
        key, equals, value = item.partition("=")
        value = _percent_decode(value.strip())
        if not equals or not key.strip() or any(c in key + value for c in "\r\n\0"):
            raise ValueError("malformed")  # the message names no value: headers hold secrets
        headers[key.strip()] = value
    return headers


def _parse_endpoint(text):
    from urllib.parse import urlsplit
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(text)
    parts.port  # raises ValueError on a bad port
    return parts


def _exporter_from_environment():
    """An _Exporter when OTEL_TRACES_EXPORTER lists `otlp`, else None."""
    names = os.environ.get("OTEL_TRACES_EXPORTER", "")
    if "otlp" not in [name.strip().lower() for name in names.split(",")]:
        return None
    default = _parse_endpoint(_OTLP_DEFAULT_ENDPOINT)
    parts = None
    if os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip():
        parts = _setting("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", _parse_endpoint, None)
    elif os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip():
        base = os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"].strip()
        try:
            parts = _parse_endpoint(base.rstrip("/") + "/v1/traces")
        except ValueError:
            _warn("ignoring OTEL_EXPORTER_OTLP_ENDPOINT=%r (not a valid value); using the default"
                  % base)
    parts = parts or default
    exporter = _Exporter()
    exporter.https = parts.scheme == "https"
    exporter.host = parts.hostname
    exporter.port = parts.port
    exporter.path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    host = "[%s]" % parts.hostname if ":" in parts.hostname else parts.hostname
    exporter.shown_url = "%s://%s%s%s" % (parts.scheme, host,
                                          ":%d" % parts.port if parts.port else "", parts.path)
    exporter.json = _otlp_setting("PROTOCOL", _parse_protocol, "http/protobuf") == "http/json"
    exporter.gzip = _otlp_setting("COMPRESSION", _parse_compression, "none") == "gzip"
    exporter.timeout = _otlp_setting("TIMEOUT", _parse_timeout, 10.0)
    headers = {"User-Agent": "telinject-python/" + _VERSION,
               "Content-Type": "application/json" if exporter.json else "application/x-protobuf"}
    for variable in ("OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"):
        text = os.environ.get(variable, "")
        try:
            headers.update(_parse_headers(text))
        except ValueError:
            _warn("ignoring %s (not key=value,key=value)" % variable)
    if exporter.gzip:
        headers["Content-Encoding"] = "gzip"
    exporter.headers = headers
    import http.client  # noqa: F401  (here, not in the writer thread)
    if exporter.gzip:
        import gzip  # noqa: F401
    if exporter.https:
        import ssl  # noqa: F401
    return exporter


_exporter = None
_export_queue = []  # lists of at most _OTLP_BATCH span tuples; guarded by _lock
_export_lock = threading.Lock()  # held while sending
_export_failed = 0  # spans dropped after failed requests, or with the queue full
_export_deadline = None  # time.monotonic() by which sending must end (set at exit)
_export_warned = False
_connection = None  # the HTTP connection of this process (kept alive between requests)


def _queue_for_export(items):
    """Called with _lock held."""
    global _export_failed
    for batch in _batches(items):
        if len(_export_queue) >= _OTLP_QUEUE_MAX:
            _export_failed += len(batch)
            _warn_export_failure("%d requests already wait to be sent" % _OTLP_QUEUE_MAX)
        else:
            _export_queue.append(batch)


def _warn_export_failure(what):
    global _export_warned
    if not _export_warned:
        _export_warned = True
        _warn("cannot export spans to %s: %s; spans not exported are dropped (counted at exit)"
              % (_exporter.shown_url, what))


def _export_queued(wait=0.0):
    """Sends the queued requests, each within the exporter's timeout (and before
    _export_deadline once set). Waits at most `wait` seconds for a send in progress on another
    thread; False when it could not take its turn. Never raises."""
    global _export_failed
    exporter = _exporter
    if exporter is None or not _export_queue:
        return True
    if not (_export_lock.acquire(True, wait) if wait > 0 else _export_lock.acquire(False)):
        return False
    token = _current_set(_BUSY)
    pid = _pid
    try:
        while pid == _pid and _exporter is exporter and not (_writer_stop and not _finished):
            with _lock:
                if not _export_queue:
                    break
                batch = _export_queue.pop(0)
            end = time.monotonic() + exporter.timeout
            if _export_deadline is not None:
                end = min(end, _export_deadline)
            try:
                body = (_otlp_json(batch).encode("utf-8", "replace") if exporter.json
                        else _otlp_protobuf(batch))
                if exporter.gzip:
                    import gzip
                    body = gzip.compress(body)
                problem = _post(exporter, body, end)
            except Exception as error:  # a bug of ours must not stop the writer
                problem = "%s: %s" % (type(error).__name__, error)
            if problem is not None:
                with _lock:
                    _export_failed += len(batch)
                _warn_export_failure(problem)
    finally:
        _current_reset(token)
        _export_lock.release()
    return True


def _post(exporter, body, end):
    """POSTs one request, retrying as docs/telemetry.md says until `end`; None when the
    collector took it, else what went wrong."""
    global _connection
    import http.client
    problem = "timed out"
    backoff = _BACKOFF
    for attempt in range(_RETRIES + 1):
        remaining = end - time.monotonic()
        if remaining <= 0:
            break
        try:
            connection = _connection
            if connection is None:
                if exporter.https:
                    import ssl
                    connection = http.client.HTTPSConnection(
                        exporter.host, exporter.port, timeout=remaining,
                        context=ssl.create_default_context())
                else:
                    connection = http.client.HTTPConnection(exporter.host, exporter.port,
                                                            timeout=remaining)
                _connection = connection
            connection.timeout = remaining
            if connection.sock is not None:
                connection.sock.settimeout(remaining)
            connection.request("POST", exporter.path, body, exporter.headers)
            response = connection.getresponse()
            response.read()
            if 200 <= response.status < 300:
                return None
            problem = "HTTP %d %s" % (response.status, response.reason)
            if response.status not in _RETRY_STATUSES:
                return problem
        except (OSError, http.client.HTTPException) as error:
            _connection = None
            try:
                connection.close()
            except Exception:
                pass
            problem = type(error).__name__ + (": %s" % error if str(error) else "")
        if attempt < _RETRIES:
            pause = min(backoff, end - time.monotonic())
            if pause > 0:
                time.sleep(pause)
            backoff *= 2
    return problem


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
_sender_pid = None  # the same for the sender thread (OTLP export)
_sender_done = None
_sender_task = None
_sender_wake = threading.Event()
_active = False  # spans are recorded: TELINJECT_OUT is open or OTLP export is on
_file_format = "jsonl"  # or "otlp" (TELINJECT_OUT_FORMAT)
_spans_exported = 0  # spans handed to the exporter (sent or failed)


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
            if _export_queue:
                _wake_sender()
    finally:
        done.release()


def _wake_sender():
    """Spans wait to be exported: start the sender thread, or have it send now. The sender
    is the writer's twin, so that a slow collector never delays the file."""
    global _sender_pid, _sender_done
    if _sender_pid != _pid:
        _sender_pid = _pid
        try:
            done = _thread.allocate_lock()
            done.acquire()
            _sender_done = done
            _thread.start_new_thread(_sender_loop, (_pid, done))
        except Exception:
            _sender_pid = None
        return
    _sender_wake.set()


def _sender_loop(pid, done):
    global _sender_task
    try:
        if os.path.isdir("/proc/self/task"):
            _sender_task = "/proc/self/task/%d" % threading.get_native_id()
        while True:
            if pid != _pid or _finished or _writer_stop:
                return
            _export_queued()
            _sender_wake.wait(1.0)
            _sender_wake.clear()
    finally:
        done.release()


def _stop_writer():
    """Ends the writer and sender threads (before fork: Python 3.12 and later warn when a
    process with threads forks); the next record starts them again."""
    global _writer_pid, _writer_stop, _wake_at, _sender_pid
    running = [(done, task) for owner, done, task in ((_writer_pid, _writer_done, _writer_task),
                                                      (_sender_pid, _sender_done, _sender_task))
               if owner == _pid and done is not None]
    if not running:
        return
    _writer_stop = True
    _wake.set()
    _sender_wake.set()
    for done, task in running:
        done.acquire(timeout=1.0)  # a sender may be inside a request: not longer than this
        # The thread's function returned; the OS thread ends a moment later, and the count
        # Python warns by is the OS's.
        deadline = time.monotonic() + 0.1
        while task and os.path.exists(task) and time.monotonic() < deadline:
            time.sleep(0.0001)
    _writer_stop = False
    _writer_pid = _sender_pid = None
    _wake_at = 1


def _flush(dropped, final=False):
    """Writes the buffered spans and queues them for export; with `dropped`, also the dropped
    lines; with `final`, marks the process finished (once: then True). Never raises."""
    global _finished
    with _lock:
        if not _active or _finished or _pid != os.getpid():
            return False
        token = _current_set(_BUSY)
        try:
            _write_block(dropped)
        except Exception:
            pass
        finally:
            _current_reset(token)
            if final:
                _finished = True
        return final


def _format(items):
    """The span lines (UTF-8 bytes: formatting bytes costs ~40% less than str) of `items`."""
    root_ok, child_ok, error_format = _formats
    offset = _wall_offset
    lines = []
    add = lines.append
    trace = trace_hex = None  # a trace's spans share one id object: format it once in a row
    for head, trace_id, span_id, parent_id, start, duration, thread, error in items:
        if trace_id is not trace:
            trace = trace_id
            trace_hex = b"%032x" % trace_id
        if error is None:
            if parent_id is None:
                add(root_ok % (head, trace_hex, span_id, start + offset, duration, thread))
            else:
                add(child_ok % (head, trace_hex, span_id, parent_id, start + offset, duration,
                                thread))
        else:
            parent = b"null" if parent_id is None else b'"%016x"' % parent_id
            add(error_format % (head, trace_hex, span_id, parent, start + offset, duration,
                                _json_string(error[0]).encode("utf-8", "replace"),
                                _json_string(error[1]).encode("utf-8", "replace"), thread))
    return lines


def _write_block(dropped):
    global _wake_at, _resource_written, _spans_written, _spans_exported
    count = len(_buffer)
    items = _buffer[:count]
    del _buffer[:count]  # appends made meanwhile stay: they are after `count`
    if _wake_at > _BLOCK:
        _wake_at = _BLOCK
    if items and _exporter is not None:
        _spans_exported += len(items)
        _queue_for_export(items)
    if _fd is None:
        if dropped:
            _dropped_lines()  # counted for the summary
        return
    if _capped and items:  # the file is full, spans are still exported
        _count_size_cap(items)
        items = []
    jsonl = _file_format == "jsonl"
    first = []  # the resource line, while it is not written
    if jsonl and not _resource_written:
        first = [_resource_line.encode("utf-8", "replace")]
    room = None if _max_bytes is None else _max_bytes - os.fstat(_fd).st_size
    # In chunks of a few hundred lines: one large string (and its bytes) per block would cost
    # more in fresh memory than the formatting itself.
    step = _WRITE_CHUNK if jsonl else _OTLP_BATCH
    for start in range(0, len(items), step):
        chunk = items[start:start + step]
        lines = _format(chunk) if jsonl else [_otlp_json(chunk).encode("utf-8", "replace")]
        data = b"".join(first + lines)
        if room is not None and len(data) > room:
            room -= sum(len(line) for line in first)
            kept = 0
            for line in lines:
                room -= len(line)
                if room < 0:
                    break
                kept += 1
            written = kept if jsonl else len(chunk) * kept
            _count_size_cap(items[start + written:])
            _spans_written += written
            _write_all(b"".join(first + lines[:kept]))
            first = []
            _reach_cap()
            break
        if room is not None:
            room -= len(data)
        _spans_written += len(chunk)
        _write_all(data)
        first = []
    if first == []:
        _resource_written = True
    if dropped:
        lines = [line.encode("utf-8", "replace") for line in _dropped_lines()]
        if jsonl and lines:  # OTLP has no such record
            _write_all(b"".join(first + lines))
            _resource_written = True


def _write_all(data):
    while data:
        written = os.write(_fd, data)
        data = data[written:]


def _count_size_cap(items):
    by_head = {function.head: function for function in list(_functions.values())}
    for item in items:
        by_head[item[0]].size_cap += 1


def _reach_cap():
    """The file reached TELINJECT_MAX_BYTES: from now on calls are only counted (or only
    exported)."""
    global _capped, span
    if _capped:
        return
    _capped = True
    if span is _span_recording and _exporter is None:
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
    """The exit line on stderr when this process did not record, or could not export, every
    call."""
    sampling, rate_limit, size_cap = _dropped_written
    total = sampling + rate_limit + size_cap
    failed = _export_failed if _exporter is not None else 0
    if not total and not failed:
        return
    parts = []
    if _fd is not None:
        parts.append("%d spans written to %s" % (_spans_written, _path))
    if _exporter is not None:
        parts.append("%d spans exported to %s" % (_spans_exported - failed, _exporter.shown_url))
    if total or _exporter is None:
        parts.append("%d not recorded (rate limit %d, sampling %d, size cap %d)"
                     % (total, rate_limit, sampling, size_cap))
    if _exporter is not None:
        parts.append("export failed %d" % failed)
    text = ", ".join(parts)
    if total:
        text += ("; TELINJECT_RATE_LIMIT=off TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record "
                 "every call")
    _warn(text)


def _finish():
    """At exit and on SIGTERM: writes the rest and the dropped lines, sends the rest within
    the exporter's timeout, then the summary. Once per process."""
    global _export_deadline, _export_failed
    if not _flush(dropped=True, final=True):
        return
    exporter = _exporter
    if exporter is not None and _export_queue:
        _export_deadline = time.monotonic() + exporter.timeout
        try:
            _export_queued(wait=exporter.timeout)
        finally:
            with _lock:  # what is left could not be sent in time
                _export_failed += sum(len(batch) for batch in _export_queue)
                del _export_queue[:]
    _summary()


# --- process events: exit, fork, SIGTERM ------------------------------------------------------

def _at_exit():
    _finish()


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
    if util is None or _multiprocessing_hook is not None or not _active:
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
    global _resource_line, _sender_wake, _export_lock, _connection, _export_failed
    global _spans_exported, _export_warned
    _lock = threading.RLock()
    _wake = threading.Event()
    _sender_wake = threading.Event()
    _export_lock = threading.Lock()  # a sender of the parent may have held it
    _connection = None  # the parent's: not ours to use or close
    del _export_queue[:]
    _export_failed = _spans_exported = 0
    _export_warned = False
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
    _finish()
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
    tail = b'"duration_ns": %%d, "status": "ok", "thread.id": %%d, "process.pid": %d}\n' % _pid
    ids = b'%s"trace_id": "%s", "span_id": "%016x", "parent_span_id": '
    _formats = (
        ids + b'null, "start_time_unix_nano": %d, ' + tail,
        ids + b'"%016x", "start_time_unix_nano": %d, ' + tail,
        ids + b'%s, "start_time_unix_nano": %d, "duration_ns": %d, "status": "error", '
              b'"exception.type": %s, "exception.message": %s, ' +
        b'"thread.id": %%d, "process.pid": %d}\n' % _pid,
    )
    attributes = _resource_attributes()
    _resource_line = '{"resource": %s}\n' % _json_object(attributes.items())
    _set_otlp_resource(attributes)


def configure(path=None, opentelemetry=None):
    """(Re)reads the settings: `path` (default: $TELINJECT_OUT) receives the records;
    `opentelemetry` True/False forces forwarding on or off (default: on when an SDK provider
    is configured); TELINJECT_OUT_FORMAT, TELINJECT_SAMPLE, TELINJECT_RATE_LIMIT,
    TELINJECT_MAX_BYTES, TRACEPARENT, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and the OTLP
    exporter's OTEL_* variables as docs/telemetry.md says. What the buffer holds is written
    (and queued for export) first."""
    global _path, _fd, _pid, _otel_tracer, span, _root, _sampling, _sample_bound, _first_calls
    global _limited
    global _interval_ns, _burst_ns, _max_bytes, _wall_offset, _capped, _finished
    global _resource_written, _active, _exporter, _file_format
    if _active:
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
        _file_format = "jsonl"
        if _fd is not None:
            _file_format = _setting("TELINJECT_OUT_FORMAT", _parse_out_format, "jsonl")
        try:
            _exporter = _exporter_from_environment()
        except Exception as error:  # e.g. http.client cannot be imported
            _warn("OTLP export is off: %s" % error)
            _exporter = None
        _active = _fd is not None or _exporter is not None
        if _active:
            ratio = _setting("TELINJECT_SAMPLE", _parse_sample, 1.0)
            _sample_bound = round(ratio * (1 << 64))
            _sampling = _sample_bound < (1 << 64)
            limit = _setting("TELINJECT_RATE_LIMIT", _parse_rate_limit, _RATE_LIMIT_DEFAULT)
            _limited = limit is not None
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
    elif _active:
        span = _span_recording
    else:
        span = _span_disabled
    if _active or _otel_tracer is not None:
        _patch_threads()
    if _active:
        _install_sigterm_handler()


def enabled():
    """True when spans are recorded or forwarded."""
    return _active or _otel_tracer is not None


def flush():
    """Writes what the buffer holds now, and the dropped lines of calls not recorded so far;
    spans to export are handed to the sender thread."""
    _flush(dropped=True)
    if _export_queue:
        _wake_sender()


# --- one instance per process -----------------------------------------------------------------

# A process may import several copies of this helper (one per top-level package, one beside
# stand-alone modules such as a tests folder). The first one imported serves them all: one
# buffer, one resource line, one set of counters and one exit summary per process. An import of
# a later copy returns the first (the import system hands out what sys.modules holds once the
# module has run).
_SHARING_VERSION = 2  # copies with the same value share; bump when the module's state changes
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

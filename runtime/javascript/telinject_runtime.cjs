'use strict';
// telinject runtime helper: spans for functions instrumented by telinject.
//
// Instrumented code calls `enter(name, kind)` at the start of each function body and, from the
// try/catch/finally telinject puts around the body, `fail(error)` when it throws and `exit()`
// when it ends. This file is written into the instrumented tree by telinject (CommonJS; the
// `.mjs` beside it re-exports it for ES modules, so both share one state; copies in several
// packages share the first one loaded). Node.js built-ins only.
//
// Records (docs/telemetry.md is the contract): when TELINJECT_OUT names a file, finished spans
// are kept as raw fields in preallocated columns and turned into JSON Lines in blocks, away from
// the call: when the buffer is full, on an unref'd 100 ms timer, on `flush()` and at exit (the
// 'exit' event, which also follows an uncaught exception and `process.exit`; SIGTERM gets a
// handler of ours only while the program has none, which flushes and re-raises the signal). One
// `fs.writeSync` per block on a descriptor opened for appending, so processes sharing the file
// never interleave lines. A resource line precedes the process's first span; "dropped" lines
// and a one-line summary on stderr say what sampling (TELINJECT_SAMPLE), the per-function rate
// limit (TELINJECT_RATE_LIMIT) and the size cap (TELINJECT_MAX_BYTES) left out. TRACEPARENT
// makes root spans children of a remote span. With TELINJECT_OUT_FORMAT=otlp the file receives
// OTLP/JSON requests instead; with OTEL_TRACES_EXPORTER=otlp the blocks are also sent to an
// OpenTelemetry collector over OTLP/HTTP (see "OTLP" below). When neither TELINJECT_OUT nor the
// exporter is set, `enter` returns one shared no-op span: near-zero cost.
//
// Context: the current span is a variable, valid for the async resource executing; each async
// resource keeps the span current where it was made (an async_hooks init hook, as an
// AsyncLocalStorage does) and the last one made current in its runs. A synchronous call pays an
// identity test and a property store, where AsyncLocalStorage took two lookups more; a plain
// variable where there are no async hooks. A synchronous function makes its span current and
// restores the previous one when it ends. An async function makes its span current too, so
// spans started after an `await` have it as parent; but its caller goes on in that same context
// once the function first suspends, so a span that finds an async span current checks that it
// is really inside it: an ended span is passed over, and one entered in the same synchronous
// run is an ancestor only when the new call's stack runs through it (`Promise.all([a(), b()])`:
// b is not a's child). A generator's span is recorded with its parent but not made current: a
// suspended generator would otherwise leak its span into its caller. A call left out by the rate
// limit or the size cap gets no span and is not made current: its callees take its caller as
// parent. The calls of a trace left out by sampling get unrecorded spans, made current as usual,
// so that every later call of that trace, after an `await` too, knows to leave itself out.
//
// Worker threads each have their own copy of this state and write their own blocks; the resource
// line and the exit summary are per process, through a SharedArrayBuffer handed to workers as
// environment data.
//
// Safety: telemetry never throws into the program; `fail` records, the program's own
// `throw` rethrows the original value.

const fs = require('fs');
const crypto = require('crypto');
const childProcess = require('child_process');
const zlib = require('zlib');
const { performance } = require('perf_hooks');

let asyncHooks = null;
try {
  asyncHooks = require('async_hooks');
  if (typeof asyncHooks.executionAsyncResource !== 'function') asyncHooks = null;
} catch (_) {
  asyncHooks = null;
}
const executionAsyncId = asyncHooks ? asyncHooks.executionAsyncId : () => 0;
const executionAsyncResource = asyncHooks ? asyncHooks.executionAsyncResource : () => null;
let workerThreads = null;
try {
  workerThreads = require('worker_threads');
} catch (_) {
  workerThreads = null;
}
const threadId = (workerThreads && workerThreads.threadId) || 0;
const isMainThread = !workerThreads || workerThreads.isMainThread;

const VERSION = '0.1.0'; // telinject's version (CMakeLists.txt), the OTLP scope's
const BLOCK = 4096; // spans buffered before a block is written
const REQUEST_SPANS = 512; // spans per OTLP request at most
const FLUSH_INTERVAL_MS = 100;
const RATE_LIMIT_DEFAULT = '1000,10';
const MAX_BYTES_DEFAULT = '100M';

// The current span: `current`, valid in the run of `currentResource` (the executing async
// resource). Each async resource keeps, under RESOURCE_SPAN, the span current where it was made
// (our init hook, installed when recording starts: it costs every promise something) and the
// last one made current in its runs.
const RESOURCE_SPAN = Symbol('telinject.span');
let tracking = false;
let current = null;
let currentResource = null;
let fd = null;
let outPath = '';
let active = false; // spans are recorded: a file or an exporter receives them
let busy = false;
let timer = null;
const functions = new Map(); // span name -> FunctionRecord

// Settings, from the environment by configure().
let sampleRatio = 1;
let sampleBound = Infinity; // a new trace is recorded when the low 64 bits of its id are below
let rateFirst = 1000; // Infinity: no rate limit
let ratePerSecond = 10;
let maxBytes = 100e6; // Infinity: no cap
let remote = null; // the TRACEPARENT span: { trace, id1, id2, id3, sampled }
let capped = false; // the size cap was reached: no span is written to the file any more
let outFormat = 'jsonl'; // or 'otlp': TELINJECT_OUT_FORMAT
let exporter = null; // OTLP/HTTP settings (readExporter), null when not exporting

// Per-thread totals, for the exit summary.
const totals = { written: 0, rate_limit: 0, sampling: 0, size_cap: 0, export_failed: 0 };

const NO_SPAN = Object.freeze({ fail() {}, exit() {} });

// Wall-clock nanoseconds: performance.now() is monotonic milliseconds since this thread started;
// Date.now() read once at load anchors it. Kept as whole seconds + nanoseconds, exact past 2^53.
const anchorNs = Date.now() * 1e6 - Math.round(performance.now() * 1e6);
const anchorSeconds = Math.floor(anchorNs / 1e9);
const anchorRest = anchorNs - anchorSeconds * 1e9;

// Random ids from a pool refilled in bulk: one crypto call per few thousand ids.
const pool = new Uint32Array(2048);
let poolNext = pool.length;

function randomWord() {
  if (poolNext === pool.length) {
    crypto.randomFillSync(pool);
    poolNext = 0;
  }
  return pool[poolNext++];
}

class Trace {
  constructor(w0, w1, w2, w3) {
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
  }
}

// The state shared with worker threads: [resource line written, spans written, rate_limit,
// sampling, size_cap, export_failed] as BigInt64 counters. Workers add their totals when they end; the main
// thread prints the summary.
let shared = null;
try {
  if (workerThreads && typeof SharedArrayBuffer === 'function') {
    const KEY = 'telinject.runtime.shared';
    shared = isMainThread ? null : workerThreads.getEnvironmentData(KEY) || null;
    if (!shared) {
      shared = new BigInt64Array(new SharedArrayBuffer(6 * 8));
      if (isMainThread) workerThreads.setEnvironmentData(KEY, shared);
    }
  }
} catch (_) {
  shared = null;
}
let resourceWritten = false;

function getCurrent() {
  if (!tracking) return current;
  const resource = executionAsyncResource();
  if (resource !== currentResource) {
    currentResource = resource;
    const span = resource[RESOURCE_SPAN];
    current = span === undefined ? null : span;
  }
  return current;
}

// Called after getCurrent() in the same run.
function setCurrent(span) {
  current = span;
  if (!tracking) return;
  try {
    currentResource[RESOURCE_SPAN] = span;
  } catch (_) {
    // a frozen resource: the variable holds the span for this run
  }
}

// An async resource starts with the span current where it is made. (An exception here would end
// the process.)
function onAsyncInit(asyncId, type, triggerAsyncId, resource) {
  try {
    const span = getCurrent();
    if (span !== null) resource[RESOURCE_SPAN] = span;
  } catch (_) {
    // an object that takes no property: it starts with no span
  }
}

const FRAME_LIMIT = 24;

// The stack below `enter` as "file:line:column" strings, innermost first (the instrumented
// function's own frame at index 0).
function stackFrames() {
  const previous = Error.prepareStackTrace;
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = FRAME_LIMIT;
    Error.prepareStackTrace = (_, frames) => frames;
    const holder = {};
    Error.captureStackTrace(holder, enter);
    const frames = holder.stack || [];
    return frames.map((f) => (f.getFileName() || '') + ':' + f.getLineNumber() + ':' + f.getColumnNumber());
  } catch (_) {
    return [];
  } finally {
    Error.prepareStackTrace = previous;
    Error.stackTraceLimit = previousLimit;
  }
}

// True when the call whose stack is `inner` runs inside the synchronous part of the async
// function whose stack at entry was `outer`: some frame of `inner` past its own sits on the
// same callers as `outer`'s own frame did.
function runsInside(inner, outer) {
  const callers = outer.length - 1;
  if (callers <= 0) return false;
  for (let k = 1; k < inner.length - 1; k++) {
    const overlap = Math.min(callers, inner.length - k - 1);
    if (overlap <= 0) break;
    let same = true;
    for (let i = 0; i < overlap && same; i++) same = inner[k + 1 + i] === outer[1 + i];
    if (same) return true;
  }
  return false;
}

// The span the current one should have as parent, starting from `span` (the current store).
function liveParent(span) {
  let frames = null;
  while (span) {
    if (span.ended) {
      span = span.previous;
      continue;
    }
    if (span.frames && span.asyncId === executionAsyncId()) {
      if (frames === null) frames = stackFrames();
      if (!runsInside(frames, span.frames)) {
        span = span.previous;
        continue;
      }
    }
    break;
  }
  return span || null;
}

/** What is known of one instrumented function: where it is, its rate-limit state, its drops. */
class FunctionRecord {
  constructor(name) {
    const site = siteOf();
    this.name = name;
    this.file = site.file;
    this.line = site.line;
    this.otlp = null; // the span's OTLP fields that do not change from call to call
    this.calls = 0;
    this.tokens = 0;
    this.refilled = 0; // performance.now() of the last refill
    this.dropped = { rate_limit: 0, sampling: 0, size_cap: 0 }; // not yet in a "dropped" line
    this.lineWithParent = null; // line templates, made when first written
    this.lineWithoutParent = null;
    const quoted = JSON.stringify(name);
    // Everything a span line has before its trace id.
    this.prefix = Buffer.from(
      '{"name": ' + quoted + ', "code.function.name": ' + quoted +
      ', "code.file.path": ' + JSON.stringify(site.file) +
      ', "code.line.number": ' + site.line + ', "trace_id": "');
  }
}

// File and line of the instrumented function, from the stack of its first call: the line where
// the function starts (V8's enclosing position of the frame; the line of the call to `enter`
// where that is unknown). telinject keeps every line of an instrumented file where it was, so
// this is the line in the original source.
function siteOf() {
  let site = { file: '', line: 0 };
  const previous = Error.prepareStackTrace;
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_, frames) => frames;
    const holder = {};
    Error.captureStackTrace(holder, enter);
    const frame = holder.stack && holder.stack[0];
    if (frame) {
      let file = frame.getFileName() || '';
      if (file.startsWith('file://')) {
        try {
          file = require('url').fileURLToPath(file);
        } catch (_) {
          // keep the URL
        }
      }
      const start =
        typeof frame.getEnclosingLineNumber === 'function' ? frame.getEnclosingLineNumber() : 0;
      site = { file, line: start || frame.getLineNumber() || 0 };
    }
  } catch (_) {
    // no site
  } finally {
    Error.prepareStackTrace = previous;
    Error.stackTraceLimit = previousLimit;
  }
  return site;
}

function errorType(error) {
  if (error === null || error === undefined) return String(error);
  if (typeof error === 'object' || typeof error === 'function') {
    const ctor = error.constructor;
    if (ctor && typeof ctor.name === 'string' && ctor.name) return ctor.name;
    return 'Object';
  }
  return typeof error;
}

function errorMessage(error) {
  try {
    if (error !== null && (typeof error === 'object' || typeof error === 'function') &&
        'message' in error)
      return String(error.message);
    return String(error);
  } catch (_) {
    return '';
  }
}

class Span {
  // The span id is 64 bits in three small integers (24, 24, 16 bits): V8 keeps those in the
  // object, where 32-bit words would each be a heap number.
  constructor(fn, kind, current, parent, trace, id1, id2, id3, sampled, start) {
    this.fn = fn;
    this.parent = parent; // a Span, the TRACEPARENT span, or null
    this.trace = trace;
    this.id1 = id1;
    this.id2 = id2;
    this.id3 = id3;
    this.sampled = sampled;
    this.error = undefined;
    this.failed = false;
    this.ended = false;
    this.sync = kind === 'function';
    this.current = this.sync || kind === 'async_function';
    // What the caller had as current: where a lookup goes past this span once it is not ours.
    // Ended spans are passed over for good: leaving them out here keeps the chain as long as
    // the live nesting (an async loop would otherwise chain every span it ever awaited).
    let previous = current;
    while (previous !== null && previous.ended) previous = previous.previous;
    this.previous = this.current ? previous : null;
    this.frames = null;
    this.asyncId = 0;
    if (kind === 'async_function' && tracking) {
      this.frames = stackFrames();
      this.asyncId = executionAsyncId();
    }
    if (this.current) setCurrent(this);
    this.start = start;
  }

  fail(error) {
    this.failed = true;
    this.error = error;
  }

  exit() {
    if (this.ended) return;
    const end = performance.now();
    this.ended = true;
    // A synchronous call ends in the run it started in: whatever its callees made current (an
    // async callee that has suspended) is undone. An async one ends in a later run, where only
    // its own span is to be taken back.
    if (this.sync || (this.current && getCurrent() === this)) setCurrent(this.previous);
    this.frames = null;
    if (this.sampled) record(this, end);
  }
}

// The buffer: one row per finished span, raw fields in columns.
const rowFunction = new Array(BLOCK);
const rowTrace = new Array(BLOCK);
const rowError = new Array(BLOCK); // undefined: ok; else [type, message]
const rowIds = new Uint32Array(BLOCK * 6); // span id in three pieces, parent id in three
const rowHasParent = new Uint8Array(BLOCK);
const rowTimes = new Float64Array(BLOCK * 2); // start, end (performance.now())
let rows = 0;

function record(span, end) {
  if (busy) return;
  const row = rows;
  rowFunction[row] = span.fn;
  rowTrace[row] = span.trace;
  rowError[row] = span.failed ? failure(span.error) : undefined;
  const ids = row * 6;
  rowIds[ids] = span.id1;
  rowIds[ids + 1] = span.id2;
  rowIds[ids + 2] = span.id3;
  const parent = span.parent;
  if (parent !== null) {
    rowIds[ids + 3] = parent.id1;
    rowIds[ids + 4] = parent.id2;
    rowIds[ids + 5] = parent.id3;
    rowHasParent[row] = 1;
  } else {
    rowHasParent[row] = 0;
  }
  rowTimes[row * 2] = span.start;
  rowTimes[row * 2 + 1] = end;
  rows = row + 1;
  if (rows === BLOCK || exited) writeBlock(false);
}

function failure(error) {
  busy = true; // a getter of the thrown value may call instrumented code
  try {
    return [errorType(error), errorMessage(error)];
  } catch (_) {
    return ['', ''];
  } finally {
    busy = false;
  }
}

/** Starts the span of one call of the function `name` ("function", "generator",
 *  "async_function" or "async_generator" as `kind`). */
function enter(name, kind) {
  if (!active || busy) return NO_SPAN;
  try {
    let fn = functions.get(name);
    if (fn === undefined) {
      fn = new FunctionRecord(name);
      functions.set(name, fn);
    }
    const current = getCurrent();
    const parent = liveParent(current);
    let trace;
    let sampled = true;
    if (parent !== null) {
      trace = parent.trace;
      sampled = parent.sampled;
    } else if (remote !== null) {
      trace = remote.trace;
      sampled = remote.sampled;
    } else {
      trace = new Trace(randomWord(), randomWord(), randomWord(), randomWord());
      sampled = trace.w2 * 4294967296 + trace.w3 < sampleBound;
    }
    if (!sampled) {
      // Made current unrecorded, so that the trace's later calls (after an `await` too) leave
      // themselves out as well.
      fn.dropped.sampling++;
      return new Span(fn, kind, current, parent !== null ? parent : remote, trace, 0, 0, 0, false, 0);
    }
    if (capped && exporter === null) {
      fn.dropped.size_cap++;
      return NO_SPAN;
    }
    const start = performance.now();
    if (++fn.calls > rateFirst && !takeToken(fn, start)) {
      fn.dropped.rate_limit++;
      return NO_SPAN;
    }
    const high = randomWord();
    const low = randomWord();
    return new Span(fn, kind, current, parent !== null ? parent : remote, trace, high >>> 8,
                    low >>> 8, ((high & 255) << 8) | (low & 255), true, start);
  } catch (_) {
    return NO_SPAN;
  }
}

// Token bucket past the first calls: ratePerSecond tokens a second, at most max(1, rate) kept;
// it starts empty when the first calls are used up.
function takeToken(fn, now) {
  if (fn.calls === rateFirst + 1) fn.refilled = now;
  const capacity = ratePerSecond > 1 ? ratePerSecond : 1;
  fn.tokens = Math.min(capacity, fn.tokens + ((now - fn.refilled) * ratePerSecond) / 1000);
  fn.refilled = now;
  if (fn.tokens >= 1) {
    fn.tokens -= 1;
    return true;
  }
  return false;
}

// ---- Writing ----

function warn(message) {
  if (!isMainThread) return; // the main thread has said it already
  try {
    fs.writeSync(2, 'telinject: ' + message + '\n');
  } catch (_) {
    // no stderr
  }
}

// The process's resource attributes (docs/telemetry.md): the resource line's, and OTLP's resource.
function resourceAttributes() {
  const attributes = {
    'service.name': 'unknown_service:nodejs',
    'telemetry.sdk.name': 'telinject',
    'telemetry.sdk.language': 'nodejs',
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
  };
  const extra = parseResourceAttributes(process.env.OTEL_RESOURCE_ATTRIBUTES, false);
  for (const key of Object.keys(extra))
    if (!(key in attributes) || key === 'service.name') attributes[key] = extra[key];
  const service = process.env.OTEL_SERVICE_NAME;
  if (service) attributes['service.name'] = service;
  return attributes;
}

function resourceLine() {
  return JSON.stringify({ resource: resourceAttributes() }) + '\n';
}

// `key=value,key=value` with percent-encoded values, as OpenTelemetry SDKs read it; {} (and one
// warning when `complain`) for a bad value.
function parseResourceAttributes(text, complain) {
  const out = parseKeyValues(text || '');
  if (out !== null) return out;
  if (complain) warn('OTEL_RESOURCE_ATTRIBUTES is not key=value,... with percent-encoded values; ignored');
  return {};
}

// `key=value,key=value` (keys and values percent-decoded) as an object, or null when malformed.
function parseKeyValues(text) {
  const out = {};
  try {
    for (const pair of text.split(',')) {
      if (!pair.trim()) continue;
      const equals = pair.indexOf('=');
      if (equals <= 0) return null;
      const key = decodeURIComponent(pair.slice(0, equals).trim());
      if (!key) return null;
      out[key] = decodeURIComponent(pair.slice(equals + 1).trim());
    }
  } catch (_) {
    return null;
  }
  return out;
}

// Writes the buffered spans (and, with `withDropped`, the "dropped" lines owed) as one block, and
// queues them for the OTLP exporter.
function writeBlock(withDropped) {
  if (!active || busy) return;
  busy = true;
  const used = rows;
  at = 0;
  blockJson.length = 0;
  try {
    if (used > 0 && exporter !== null && !exportClosed) exportRows(used);
  } catch (_) {
    // telemetry must never break the program
  }
  try {
    if (used > 0 && fd !== null) {
      if (capped) countCapped(0, used);
      else if (outFormat === 'otlp') putOtlpLines(used);
      else putSpanLines(used);
    }
    const dropped = withDropped ? droppedLines() : '';
    if (fd !== null && outFormat === 'jsonl') putString(dropped);
    if (at > 0) fs.writeSync(fd, out, 0, at);
  } catch (_) {
    // telemetry must never break the program
  } finally {
    rows = 0;
    at = 0;
    blockJson.length = 0;
    if (used > 0) {
      rowFunction.fill(undefined, 0, used);
      rowTrace.fill(undefined, 0, used);
      rowError.fill(undefined, 0, used);
    }
    busy = false;
  }
}

// The JSON Lines of rows [0, used), after the resource line for the process's first, up to the
// size cap.
function putSpanLines(used) {
  if (!resourceWritten) {
    resourceWritten = true;
    if (!shared || Atomics.compareExchange(shared, 0, 0n, 1n) === 0n) putString(resourceLine());
  }
  const spansFrom = at;
  spanLines(0, used);
  let written = used;
  if (maxBytes !== Infinity) {
    const size = fs.fstatSync(fd).size;
    if (size + at > maxBytes) written = fitUnderCap(size, spansFrom, used);
  }
  totals.written += written;
}

// Span lines are written as bytes into one growing buffer: no string per span.
let out = Buffer.allocUnsafe(BLOCK * 512);
let at = 0;
const HEX_DIGITS = Buffer.from('0123456789abcdef');
const SPAN_ID = Buffer.from('", "span_id": "');
const PARENT_ID = Buffer.from('", "parent_span_id": "');
const NO_PARENT = Buffer.from('", "parent_span_id": null');
const START = Buffer.from(', "start_time_unix_nano": ');
const DURATION = Buffer.from(', "duration_ns": ');
const QUOTE = Buffer.from('"');
let tail = Buffer.alloc(0); // status ok, thread and pid, set by configure()
let errorTail = Buffer.alloc(0); // thread and pid

function put(bytes) {
  const length = bytes.length;
  if (length < 32) {
    const o = out;
    const i = at;
    for (let k = 0; k < length; k++) o[i + k] = bytes[k];
  } else {
    out.set(bytes, at);
  }
  at += length;
}

// The two hex digits of each byte value.
const HEX_HIGH = new Uint8Array(256);
const HEX_LOW = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  HEX_HIGH[b] = HEX_DIGITS[b >> 4];
  HEX_LOW[b] = HEX_DIGITS[b & 15];
}

function putWord(word) {
  const b0 = word >>> 24;
  const b1 = (word >>> 16) & 255;
  const b2 = (word >>> 8) & 255;
  const b3 = word & 255;
  const o = out;
  const i = at;
  o[i] = HEX_HIGH[b0];
  o[i + 1] = HEX_LOW[b0];
  o[i + 2] = HEX_HIGH[b1];
  o[i + 3] = HEX_LOW[b1];
  o[i + 4] = HEX_HIGH[b2];
  o[i + 5] = HEX_LOW[b2];
  o[i + 6] = HEX_HIGH[b3];
  o[i + 7] = HEX_LOW[b3];
  at = i + 8;
}

// A non-negative integer below 2^53.
function putInteger(value) {
  if (value < 2147483648) {
    putSmall(value | 0);
    return;
  }
  let digits = 1;
  for (let power = 10; power <= value; power *= 10) digits++;
  let end = at + digits;
  at = end;
  do {
    const rest = value % 10;
    out[--end] = 48 + rest;
    value = (value - rest) / 10;
  } while (value > 0);
}

// A non-negative int32.
function putSmall(value) {
  let digits = 1;
  for (let power = 10; power <= value && digits < 10; power *= 10) digits++;
  let end = at + digits;
  at = end;
  do {
    out[--end] = 48 + (value % 10);
    value = (value / 10) | 0;
  } while (value > 0);
}

// Whole seconds change rarely: their digits are kept.
let secondsValue = -1;
let secondsDigits = Buffer.alloc(0);

function putSeconds(seconds) {
  if (seconds !== secondsValue) {
    secondsValue = seconds;
    secondsDigits = Buffer.from(String(seconds));
  }
  put(secondsDigits);
}

// The nanoseconds past the second, 9 digits.
function putNanosPart(rest) {
  const o = out;
  let end = at + 9;
  at = end;
  for (let i = 0; i < 4; i++) {
    const pair = (rest % 100) * 2;
    o[--end] = DIGIT_PAIRS[pair + 1];
    o[--end] = DIGIT_PAIRS[pair];
    rest = (rest / 100) | 0;
  }
  o[--end] = 48 + rest;
}

// "00" to "99".
const DIGIT_PAIRS = new Uint8Array(200);
for (let n = 0; n < 100; n++) {
  DIGIT_PAIRS[n * 2] = 48 + ((n / 10) | 0);
  DIGIT_PAIRS[n * 2 + 1] = 48 + (n % 10);
}

function putString(text) {
  if (out.length - at < text.length * 3 + 64) grow(text.length * 3 + 64);
  at += out.write(text, at, 'utf8');
}

function grow(needed) {
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + needed));
  out.copy(bigger, 0, 0, at);
  out = bigger;
}

// Each function's line up to its duration, with room for the ids and the start time, made once
// per function: a span's line is a copy of it with those filled in, its duration, and the rest.
// (Unix seconds have 10 digits from 2001 to 2286.)
const START_DIGITS = String(anchorSeconds).length + 9;

function lineTemplate(fn, withParent) {
  const head = Buffer.concat([fn.prefix, Buffer.alloc(32), SPAN_ID, Buffer.alloc(16),
                              withParent ? Buffer.concat([PARENT_ID, Buffer.alloc(16), QUOTE]) : NO_PARENT,
                              START, Buffer.alloc(START_DIGITS), DURATION]);
  return head;
}

// A span id's three pieces (24, 24 and 16 bits) as 16 hex digits.
function putSpanId(high, middle, low) {
  const o = out;
  const i = at;
  let b = high >>> 16;
  o[i] = HEX_HIGH[b];
  o[i + 1] = HEX_LOW[b];
  b = (high >>> 8) & 255;
  o[i + 2] = HEX_HIGH[b];
  o[i + 3] = HEX_LOW[b];
  b = high & 255;
  o[i + 4] = HEX_HIGH[b];
  o[i + 5] = HEX_LOW[b];
  b = middle >>> 16;
  o[i + 6] = HEX_HIGH[b];
  o[i + 7] = HEX_LOW[b];
  b = (middle >>> 8) & 255;
  o[i + 8] = HEX_HIGH[b];
  o[i + 9] = HEX_LOW[b];
  b = middle & 255;
  o[i + 10] = HEX_HIGH[b];
  o[i + 11] = HEX_LOW[b];
  b = low >>> 8;
  o[i + 12] = HEX_HIGH[b];
  o[i + 13] = HEX_LOW[b];
  b = low & 255;
  o[i + 14] = HEX_HIGH[b];
  o[i + 15] = HEX_LOW[b];
  at = i + 16;
}

// Appends the lines of rows [from, to) to `out`. A line whose function, trace, parent and start
// second are those of the line before (siblings, the common case) is that line's head copied
// whole, with its span id and start nanoseconds rewritten: one native copy instead of ~100 bytes
// written one at a time.
function spanLines(from, to) {
  let lastFn = null;
  let lastTrace = null;
  let lastParent = -1; // the parent id's first two pieces (-1: none), with the third below
  let lastParentLow = -1;
  let lastSeconds = -1;
  let lastStart = 0; // where the line before starts in `out`
  for (let row = from; row < to; row++) {
    const fn = rowFunction[row];
    const withParent = rowHasParent[row] === 1;
    let template = withParent ? fn.lineWithParent : fn.lineWithoutParent;
    if (template === null) {
      template = lineTemplate(fn, withParent);
      if (withParent) fn.lineWithParent = template;
      else fn.lineWithoutParent = template;
    }
    if (out.length - at < template.length + 300) grow(template.length + 300);
    const trace = rowTrace[row];
    const ids = row * 6;
    const parent = withParent ? rowIds[ids + 3] * 16777216 + rowIds[ids + 4] : -1;
    const parentLow = withParent ? rowIds[ids + 5] : -1;
    const start = rowTimes[row * 2];
    let rest = anchorRest + Math.round(start * 1e6);
    const carry = Math.floor(rest / 1e9);
    rest = (rest - carry * 1e9) | 0;
    const seconds = anchorSeconds + carry;
    const lineStart = at;
    const spanIdAt = lineStart + fn.prefix.length + 32 + SPAN_ID.length;
    if (fn === lastFn && trace === lastTrace && parent === lastParent && parentLow === lastParentLow &&
        seconds === lastSeconds) {
      out.copyWithin(lineStart, lastStart, lastStart + template.length);
      at = spanIdAt;
      putSpanId(rowIds[ids], rowIds[ids + 1], rowIds[ids + 2]);
    } else {
      lastFn = fn;
      lastTrace = trace;
      lastParent = parent;
      lastParentLow = parentLow;
      lastSeconds = seconds;
      out.set(template, lineStart);
      at = lineStart + fn.prefix.length;
      putWord(trace.w0);
      putWord(trace.w1);
      putWord(trace.w2);
      putWord(trace.w3);
      at = spanIdAt;
      putSpanId(rowIds[ids], rowIds[ids + 1], rowIds[ids + 2]);
      if (withParent) {
        at += PARENT_ID.length;
        putSpanId(rowIds[ids + 3], rowIds[ids + 4], parentLow);
      }
      at = lineStart + template.length - DURATION.length - START_DIGITS;
      putSeconds(seconds);
    }
    lastStart = lineStart;
    at = lineStart + template.length - DURATION.length - 9;
    putNanosPart(rest);
    at = lineStart + template.length;
    putInteger(Math.max(0, Math.round((rowTimes[row * 2 + 1] - start) * 1e6)));
    const failed = rowError[row];
    if (failed === undefined) {
      out.set(tail, at);
      at += tail.length;
    } else {
      putString(', "status": "error", "exception.type": ' + JSON.stringify(failed[0]) +
                ', "exception.message": ' + JSON.stringify(failed[1]));
      if (out.length - at < errorTail.length) grow(errorTail.length);
      out.set(errorTail, at);
      at += errorTail.length;
    }
  }
}

// The buffered spans that fit below the cap; the others are counted as dropped, and recording
// stops with one warning.
function fitUnderCap(size, spansFrom, used) {
  // Rewritten one line at a time, up to the last that fits.
  at = spansFrom;
  let row = 0;
  for (; row < used; row++) {
    const lineStart = at;
    spanLines(row, row + 1);
    if (size + at > maxBytes) {
      at = lineStart;
      break;
    }
  }
  countCapped(row, used);
  return row;
}

// Rows [from, to) did not fit under the cap: counted as dropped; nothing more goes to the file.
function countCapped(from, to) {
  for (let row = from; row < to; row++) rowFunction[row].dropped.size_cap++;
  if (!capped) {
    capped = true;
    warn(outPath + ' reached TELINJECT_MAX_BYTES=' + (process.env.TELINJECT_MAX_BYTES || MAX_BYTES_DEFAULT) +
         ': no more spans are written to it');
  }
}

function droppedLines() {
  let text = '';
  for (const fn of functions.values()) {
    for (const reason of ['sampling', 'rate_limit', 'size_cap']) {
      const count = fn.dropped[reason];
      if (count === 0) continue;
      fn.dropped[reason] = 0;
      totals[reason] += count;
      text += '{"dropped": ' + count + ', "name": ' + JSON.stringify(fn.name) + ', "reason": "' +
              reason + '", "process.pid": ' + process.pid + '}\n';
    }
  }
  return text;
}

function onExit() {
  writeBlock(true);
  sendAtExit();
  if (shared && !isMainThread) {
    Atomics.add(shared, 1, BigInt(totals.written));
    Atomics.add(shared, 2, BigInt(totals.rate_limit));
    Atomics.add(shared, 3, BigInt(totals.sampling));
    Atomics.add(shared, 4, BigInt(totals.size_cap));
    Atomics.add(shared, 5, BigInt(totals.export_failed));
    return;
  }
  let written = totals.written;
  let rate = totals.rate_limit;
  let sampling = totals.sampling;
  let cap = totals.size_cap;
  let failed = totals.export_failed;
  if (shared) {
    written += Number(Atomics.load(shared, 1));
    rate += Number(Atomics.load(shared, 2));
    sampling += Number(Atomics.load(shared, 3));
    cap += Number(Atomics.load(shared, 4));
    failed += Number(Atomics.load(shared, 5));
  }
  const dropped = rate + sampling + cap;
  if (dropped === 0 && failed === 0) return;
  warn(written + (fd !== null ? ' spans written to ' + outPath : ' spans recorded') + ', ' + dropped +
       ' not recorded (rate limit ' + rate + ', sampling ' + sampling + ', size cap ' + cap + ')' +
       (exporter !== null ? '; export failed ' + failed : '') +
       (dropped > 0 ? '; TELINJECT_RATE_LIMIT=off TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record every call' : ''));
}

// Our SIGTERM handler stays only while it is the only one: then it writes what is buffered and
// lets the signal's default action (ending the process) follow. A program that handles SIGTERM
// itself decides; its `process.exit` runs our 'exit' handler.
function onSigterm() {
  if (process.listenerCount('SIGTERM') > 1) return;
  writeBlock(true);
  onExitSummaryOnce();
  process.removeListener('SIGTERM', onSigterm);
  process.kill(process.pid, 'SIGTERM');
}

let summarised = false;
let exited = false; // the exit flush is done: spans of later 'exit' handlers are written at once
function onExitSummaryOnce() {
  if (summarised) return;
  summarised = true;
  onExit();
  exited = true;
}

// ---- OTLP ----
//
// Spans as OpenTelemetry's OTLP (docs/telemetry.md, "Export to OpenTelemetry"): requests of at
// most REQUEST_SPANS spans, as OTLP/JSON (the file format, and OTLP/HTTP's http/json) or in the
// protobuf wire format (http/protobuf), encoded here from the buffered rows. Field numbers are
// those of opentelemetry-proto's trace.proto, common.proto and resource.proto.

// The JSON of each span of the block being written, by row, made once for the file and the
// exporter both.
const blockJson = [];

// Unix nanoseconds of the row being encoded, as whole seconds and the nanoseconds past them: the
// start as in the JSON Lines record, the end as its start + duration_ns.
let startSeconds = 0;
let startRest = 0;
let endSeconds = 0;
let endRest = 0;

function rowNanos(row) {
  const start = rowTimes[row * 2];
  let rest = anchorRest + Math.round(start * 1e6);
  const carry = Math.floor(rest / 1e9);
  startRest = rest - carry * 1e9;
  startSeconds = anchorSeconds + carry;
  rest = startRest + Math.max(0, Math.round((rowTimes[row * 2 + 1] - start) * 1e6));
  const endCarry = Math.floor(rest / 1e9);
  endRest = rest - endCarry * 1e9;
  endSeconds = startSeconds + endCarry;
}

const decimalNanos = (seconds, rest) => seconds + String(rest).padStart(9, '0');
const hex = (value, digits) => value.toString(16).padStart(digits, '0');

function traceHex(trace) {
  return hex(trace.w0, 8) + hex(trace.w1, 8) + hex(trace.w2, 8) + hex(trace.w3, 8);
}

function jsonAttribute(key, value) {
  return '{"key":' + JSON.stringify(key) + ',"value":' +
         (typeof value === 'number' ? '{"intValue":"' + value + '"}'
                                    : '{"stringValue":' + JSON.stringify(String(value)) + '}') + '}';
}

// A function's span fields that are the same in each of its spans, made once.
function otlpParts(fn) {
  if (fn.otlp !== null) return fn.otlp;
  const attributes = [['code.function.name', fn.name], ['code.file.path', fn.file],
                      ['code.line.number', fn.line], ['thread.id', threadId]];
  const head = new ProtoWriter(256);
  head.stringField(5, fn.name);
  head.varintField(6, 1); // SPAN_KIND_INTERNAL
  const tail = new ProtoWriter(256);
  for (const [key, value] of attributes) tail.attribute(9, key, value);
  fn.otlp = {
    protoHead: head.finish(),
    protoAttributes: tail.finish(),
    jsonHead: '"name":' + JSON.stringify(fn.name) + ',"kind":1,',
    jsonAttributes: '"attributes":[' + attributes.map(([key, value]) => jsonAttribute(key, value)).join(',') + ']',
  };
  return fn.otlp;
}

// The OTLP/JSON Span of one row.
function jsonSpan(row) {
  const parts = otlpParts(rowFunction[row]);
  const ids = row * 6;
  let text = '{"traceId":"' + traceHex(rowTrace[row]) + '","spanId":"' + hex(rowIds[ids], 6) +
             hex(rowIds[ids + 1], 6) + hex(rowIds[ids + 2], 4) + '"';
  if (rowHasParent[row] === 1)
    text += ',"parentSpanId":"' + hex(rowIds[ids + 3], 6) + hex(rowIds[ids + 4], 6) + hex(rowIds[ids + 5], 4) + '"';
  rowNanos(row);
  const end = decimalNanos(endSeconds, endRest);
  text += ',' + parts.jsonHead + '"startTimeUnixNano":"' + decimalNanos(startSeconds, startRest) +
          '","endTimeUnixNano":"' + end + '",' + parts.jsonAttributes;
  const failed = rowError[row];
  if (failed !== undefined) {
    text += ',"events":[{"timeUnixNano":"' + end + '","name":"exception","attributes":[' +
            jsonAttribute('exception.type', failed[0]) + ',' + jsonAttribute('exception.message', failed[1]) +
            ']}],"status":{"code":2,"message":' + JSON.stringify(failed[1]) + '}';
  }
  return text + '}';
}

// The JSON of rows [from, to), each made once per block.
function jsonSpans(from, to) {
  for (let row = from; row < to; row++) if (blockJson[row] === undefined) blockJson[row] = jsonSpan(row);
  return blockJson.slice(from, to);
}

// What an OTLP/JSON request has before its spans: the resource and the scope.
function jsonRequestHead() {
  const attributes = resourceAttributes();
  return '{"resourceSpans":[{"resource":{"attributes":[' +
         Object.keys(attributes).map((key) => jsonAttribute(key, attributes[key])).join(',') +
         ']},"scopeSpans":[{"scope":{"name":"telinject","version":"' + VERSION + '"},"spans":[';
}
const JSON_REQUEST_TAIL = ']}]}]}';

let requestHead = null; // jsonRequestHead(), made once per configure()

function jsonRequest(spans) {
  if (requestHead === null) requestHead = jsonRequestHead();
  return requestHead + spans.join(',') + JSON_REQUEST_TAIL;
}

// TELINJECT_OUT_FORMAT=otlp: the requests of rows [0, used) as lines, up to the size cap.
function putOtlpLines(used) {
  const size = maxBytes === Infinity ? 0 : fs.fstatSync(fd).size;
  for (let from = 0; from < used; from += REQUEST_SPANS) {
    const to = Math.min(used, from + REQUEST_SPANS);
    const spans = jsonSpans(from, to);
    let line = jsonRequest(spans) + '\n';
    let kept = spans.length;
    if (maxBytes !== Infinity && size + at + Buffer.byteLength(line) > maxBytes) {
      // The spans that fit, in a request of their own.
      let length = size + at + Buffer.byteLength(jsonRequest([])) + 1;
      for (kept = 0; kept < spans.length; kept++) {
        length += Buffer.byteLength(spans[kept]) + (kept > 0 ? 1 : 0);
        if (length > maxBytes) break;
      }
      line = kept > 0 ? jsonRequest(spans.slice(0, kept)) + '\n' : '';
    }
    putString(line);
    totals.written += kept;
    if (kept < to - from) {
      countCapped(from + kept, used);
      return;
    }
  }
}

// Protocol buffers' wire format, as much as OTLP's trace messages need: a growing buffer;
// a message field is written before its length is known, in 2 bytes left for the length, and
// moved when the length takes another number of bytes.
class ProtoWriter {
  constructor(size) {
    this.buffer = Buffer.allocUnsafe(size);
    this.at = 0;
  }

  reserve(count) {
    if (this.buffer.length - this.at >= count) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + count));
    this.buffer.copy(bigger, 0, 0, this.at);
    this.buffer = bigger;
  }

  // A non-negative integer below 2^53.
  varint(value) {
    this.reserve(8);
    const buffer = this.buffer;
    let i = this.at;
    while (value >= 128) {
      buffer[i++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    buffer[i++] = value;
    this.at = i;
  }

  tag(field, wireType) {
    this.varint(field * 8 + wireType);
  }

  varintField(field, value) {
    this.tag(field, 0);
    this.varint(value);
  }

  raw(bytes) {
    this.reserve(bytes.length);
    bytes.copy(this.buffer, this.at);
    this.at += bytes.length;
  }

  stringField(field, text) {
    const length = Buffer.byteLength(text);
    this.tag(field, 2);
    this.varint(length);
    this.reserve(length);
    this.at += this.buffer.write(text, this.at, 'utf8');
  }

  // Unix nanoseconds as whole seconds and the rest, in two 32-bit little-endian words: seconds *
  // 1e9 passes 2^53, so it is made from the seconds' 16-bit halves, each product exact.
  nanosField(field, seconds, rest) {
    const high = Math.floor(seconds / 65536) * 1e9; // the value is high * 65536 + low
    const low = (seconds % 65536) * 1e9 + rest;
    const mixed = (high % 65536) * 65536 + low;
    this.tag(field, 1);
    this.reserve(8);
    this.buffer.writeUInt32LE(mixed % 4294967296, this.at);
    this.buffer.writeUInt32LE(Math.floor(high / 65536) + Math.floor(mixed / 4294967296), this.at + 4);
    this.at += 8;
  }

  // Starts a message (or bytes) field; end(mark) closes it.
  begin(field) {
    this.tag(field, 2);
    this.reserve(2);
    const mark = this.at;
    this.at += 2;
    return mark;
  }

  end(mark) {
    const length = this.at - mark - 2;
    const size = length < 128 ? 1 : length < 16384 ? 2 : length < 2097152 ? 3 : length < 268435456 ? 4 : 5;
    if (size !== 2) {
      this.reserve(size - 2);
      this.buffer.copyWithin(mark + size, mark + 2, this.at);
      this.at += size - 2;
    }
    let value = length;
    let i = mark;
    while (value >= 128) {
      this.buffer[i++] = (value & 127) | 128;
      value >>>= 7;
    }
    this.buffer[i] = value;
  }

  // A KeyValue: an integer (int_value) or a string (string_value).
  attribute(field, key, value) {
    const pair = this.begin(field);
    this.stringField(1, key);
    const any = this.begin(2);
    if (typeof value === 'number') this.varintField(3, value);
    else this.stringField(1, String(value));
    this.end(any);
    this.end(pair);
  }

  finish() {
    return Buffer.from(this.buffer.subarray(0, this.at));
  }
}

// An ExportTraceServiceRequest's fields before its spans, made once per configure(): the
// ResourceSpans' resource and the ScopeSpans' scope.
let protoResource = null;
let protoScope = null;

function protoRequest(from, to) {
  if (protoResource === null) {
    const attributes = resourceAttributes();
    const resource = new ProtoWriter(512);
    const mark = resource.begin(1); // ResourceSpans.resource
    for (const key of Object.keys(attributes)) resource.attribute(1, key, attributes[key]);
    resource.end(mark);
    protoResource = resource.finish();
    const scope = new ProtoWriter(64);
    const scopeMark = scope.begin(1); // ScopeSpans.scope
    scope.stringField(1, 'telinject');
    scope.stringField(2, VERSION);
    scope.end(scopeMark);
    protoScope = scope.finish();
  }
  const w = new ProtoWriter(1024 + (to - from) * 256);
  const resourceSpans = w.begin(1);
  w.raw(protoResource);
  const scopeSpans = w.begin(2);
  w.raw(protoScope);
  for (let row = from; row < to; row++) protoSpan(w, row);
  w.end(scopeSpans);
  w.end(resourceSpans);
  return w.finish();
}

function protoSpan(w, row) {
  const parts = otlpParts(rowFunction[row]);
  const span = w.begin(2); // ScopeSpans.spans
  const trace = rowTrace[row];
  w.tag(1, 2);
  w.varint(16);
  w.reserve(16);
  w.buffer.writeUInt32BE(trace.w0, w.at);
  w.buffer.writeUInt32BE(trace.w1, w.at + 4);
  w.buffer.writeUInt32BE(trace.w2, w.at + 8);
  w.buffer.writeUInt32BE(trace.w3, w.at + 12);
  w.at += 16;
  const ids = row * 6;
  protoSpanId(w, 2, ids);
  if (rowHasParent[row] === 1) protoSpanId(w, 4, ids + 3);
  w.raw(parts.protoHead);
  rowNanos(row);
  w.nanosField(7, startSeconds, startRest);
  w.nanosField(8, endSeconds, endRest);
  w.raw(parts.protoAttributes);
  const failed = rowError[row];
  if (failed !== undefined) {
    const event = w.begin(11);
    w.nanosField(1, endSeconds, endRest);
    w.stringField(2, 'exception');
    w.attribute(3, 'exception.type', failed[0]);
    w.attribute(3, 'exception.message', failed[1]);
    w.end(event);
    const status = w.begin(15);
    w.stringField(2, failed[1]);
    w.varintField(3, 2); // STATUS_CODE_ERROR
    w.end(status);
  }
  w.end(span);
}

// A span id kept as 24, 24 and 16 bits at rowIds[at..at+2], as 8 bytes.
function protoSpanId(w, field, at) {
  w.tag(field, 2);
  w.varint(8);
  w.reserve(8);
  w.buffer.writeUIntBE(rowIds[at], w.at, 3);
  w.buffer.writeUIntBE(rowIds[at + 1], w.at + 3, 3);
  w.buffer.writeUInt16BE(rowIds[at + 2], w.at + 6);
  w.at += 8;
}

// ---- OTLP/HTTP delivery ----
//
// Requests wait in `sendQueue` and go one at a time, in order, from the event loop: never from
// an instrumented call. Their sockets and timers are unref'd, so they never keep the program
// alive; when it has nothing left to do ('beforeExit'), they are ref'd until the queue is sent
// or the timeout has passed. What is left at 'exit' (process.exit, an uncaught exception,
// SIGTERM), where nothing asynchronous runs any more, goes through a child node process run
// synchronously, bounded by the timeout: a request that was in flight is sent again then.

const EXPORT_QUEUE_SPANS = 65536; // spans waiting at most; past it a request is dropped
const sendQueue = []; // { target, body, spans }; the first is being sent
let queuedSpans = 0;
let sending = false;
let pumpScheduled = false;
let draining = false; // 'beforeExit' came: our sockets and timers keep the program alive
let exitDeadline = Infinity; // Date.now() past which a draining send gives up
let heldHandles = []; // the sockets and timers of the request being sent
let exportClosed = false; // the queue went to the exit sender: later spans are not exported
let exportWarned = false;

// Sends `body` to `target` ({ url, headers, agent? }), retrying a connection error or a 429,
// 502, 503 or 504 up to 3 times (backoff from 100 ms) until `deadline` (Date.now() ms), then
// calls done(null) when sent or done(reason). `hold` is given each socket and timer it waits on.
// Self-contained: the exit sender runs its source in a child process.
function sendRequest(target, body, deadline, hold, done) {
  const transport = require(target.url.startsWith('https:') ? 'https' : 'http');
  let tries = 0;
  const attempt = () => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return done('timed out');
    let request = null;
    let finished = false;
    const finish = (status, error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (status >= 200 && status < 300) return done(null);
      const delay = 100 * 2 ** tries;
      if ((error || [429, 502, 503, 504].includes(status)) && tries < 3 && Date.now() + delay < deadline) {
        tries++;
        hold(setTimeout(attempt, delay));
        return;
      }
      done(error || 'HTTP ' + status);
    };
    const timer = setTimeout(() => {
      if (request) request.destroy(new Error('timed out'));
      finish(0, 'timed out');
    }, remaining);
    hold(timer);
    try {
      const headers = Object.assign({}, target.headers, { 'Content-Length': body.length });
      request = transport.request(target.url, { method: 'POST', headers, agent: target.agent });
    } catch (error) {
      finish(0, String(error && error.message));
      return;
    }
    request.on('socket', hold);
    request.on('error', (error) => finish(0, error.code || error.message));
    request.on('response', (response) => {
      response.on('error', (error) => finish(0, error.code || error.message));
      response.on('end', () => finish(response.statusCode, null));
      response.resume();
    });
    request.end(body);
  };
  attempt();
}

function hold(handle) {
  heldHandles.push(handle);
  if (!draining && handle && typeof handle.unref === 'function') handle.unref();
}

// The rows [0, used) as requests in the queue; sent from the event loop.
function exportRows(used) {
  for (let from = 0; from < used; from += REQUEST_SPANS) {
    const to = Math.min(used, from + REQUEST_SPANS);
    if (fd === null) totals.written += to - from;
    if (queuedSpans + (to - from) > EXPORT_QUEUE_SPANS) {
      exportFailed(to - from, 'more than ' + EXPORT_QUEUE_SPANS + ' spans waiting to be sent', exporter);
      continue;
    }
    let body = exporter.json ? Buffer.from(jsonRequest(jsonSpans(from, to))) : protoRequest(from, to);
    if (exporter.gzip) body = zlib.gzipSync(body);
    sendQueue.push({ target: exporter, body, spans: to - from });
    queuedSpans += to - from;
  }
  if (!pumpScheduled && !sending) {
    pumpScheduled = true;
    const immediate = setImmediate(pump);
    if (!draining) immediate.unref();
  }
}

function pump() {
  pumpScheduled = false;
  if (sending || sendQueue.length === 0 || exportClosed) return;
  sending = true;
  const item = sendQueue[0];
  const deadline = Math.min(Date.now() + item.target.timeoutMs, exitDeadline);
  sendRequest(item.target, item.body, deadline, hold, (failure) => {
    if (exportClosed) return; // the exit sender has it
    sendQueue.shift();
    queuedSpans -= item.spans;
    sending = false;
    heldHandles = [];
    if (failure !== null) exportFailed(item.spans, failure, item.target);
    if (sendQueue.length === 0) {
      draining = false;
      exitDeadline = Infinity;
    }
    pump();
  });
}

function exportFailed(spans, reason, target) {
  totals.export_failed += spans;
  if (exportWarned) return;
  exportWarned = true;
  warn('cannot export spans to ' + target.shownUrl + ': ' + reason +
       '; spans not sent are dropped (counted at exit)');
}

// The program has nothing left to do: the buffered spans are queued, and the queue is sent with
// our sockets and timers keeping the program alive, within the timeout.
function onBeforeExit() {
  if (exporter === null || exportClosed) return;
  writeBlock(false);
  if (sendQueue.length === 0) return;
  if (!draining) {
    draining = true;
    exitDeadline = Date.now() + exporter.timeoutMs;
    for (const handle of heldHandles) if (handle && typeof handle.ref === 'function') handle.ref();
  }
  pump();
}

// Run by `node -e` at exit: sends the requests it reads from stdin ({ deadline, items: [{ url,
// headers, body (base64) }] }) in order, and prints one line per request: null when sent, else
// the reason.
const EXIT_SENDER = `'use strict';
const sendRequest = ${sendRequest.toString()};
const fs = require('fs');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
let next = 0;
(function sendNext() {
  if (next === input.items.length) return;
  const item = input.items[next++];
  sendRequest({ url: item.url, headers: item.headers }, Buffer.from(item.body, 'base64'), input.deadline,
              () => {}, (failure) => {
    fs.writeSync(1, JSON.stringify(failure) + '\\n');
    sendNext();
  });
})();
`;

// At exit: what is still queued goes through a child process, waited for at most the timeout.
function sendAtExit() {
  if (exportClosed) return;
  exportClosed = true;
  const items = sendQueue.splice(0);
  queuedSpans = 0;
  if (items.length === 0) return;
  const now = Date.now();
  const budget = Math.max(0, Math.min(items[0].target.timeoutMs, exitDeadline - now));
  const results = [];
  if (budget > 0) {
    try {
      const env = Object.assign({}, process.env);
      delete env.TELINJECT_OUT;
      delete env.OTEL_TRACES_EXPORTER;
      delete env.NODE_OPTIONS;
      const input = JSON.stringify({
        deadline: now + Math.max(0, budget - 100),
        items: items.map((item) => ({ url: item.target.url, headers: item.target.headers,
                                      body: item.body.toString('base64') })),
      });
      const child = childProcess.spawnSync(process.execPath, ['-e', EXIT_SENDER], {
        input, env, timeout: budget, killSignal: 'SIGKILL', encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'ignore'], windowsHide: true,
      });
      for (const line of String(child.stdout || '').split('\n')) {
        try {
          if (line) results.push(JSON.parse(line));
        } catch (_) {
          break; // cut short
        }
      }
    } catch (_) {
      // no child: nothing was sent
    }
  }
  items.forEach((item, index) => {
    const failure = index < results.length ? results[index] : 'timed out at exit';
    if (failure !== null) exportFailed(item.spans, String(failure), item.target);
  });
}

// ---- Settings ----

function readSample() {
  const text = process.env.TELINJECT_SAMPLE;
  if (text === undefined || text.trim() === '') return 1;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    warn('TELINJECT_SAMPLE=' + text + ' is not a ratio in [0, 1]; 1 applies');
    return 1;
  }
  return value;
}

function readRateLimit() {
  const text = process.env.TELINJECT_RATE_LIMIT;
  const value = text === undefined || text.trim() === '' ? RATE_LIMIT_DEFAULT : text.trim();
  if (value === 'off') return [Infinity, 0];
  const parts = value.split(',');
  const first = Number(parts[0]);
  const rate = Number(parts[1]);
  if (parts.length !== 2 || parts[0].trim() === '' || parts[1].trim() === '' ||
      !Number.isInteger(first) || first < 0 || !Number.isFinite(rate) || rate < 0) {
    warn('TELINJECT_RATE_LIMIT=' + text + ' is not N,R or off; ' + RATE_LIMIT_DEFAULT + ' applies');
    return [1000, 10];
  }
  return [first, rate];
}

function readMaxBytes() {
  const text = process.env.TELINJECT_MAX_BYTES;
  const value = text === undefined || text.trim() === '' ? MAX_BYTES_DEFAULT : text.trim();
  if (value === 'off' || value === '0') return Infinity;
  const match = /^(\d+(?:\.\d+)?)([kMG]?)$/.exec(value);
  if (!match) {
    warn('TELINJECT_MAX_BYTES=' + text + ' is not a size (suffixes k, M, G) or off; ' +
         MAX_BYTES_DEFAULT + ' applies');
    return 100e6;
  }
  const scale = { '': 1, k: 1e3, M: 1e6, G: 1e9 }[match[2]];
  return Math.floor(Number(match[1]) * scale) || Infinity;
}

// `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, or null.
function readTraceparent() {
  const text = process.env.TRACEPARENT;
  if (text === undefined || text.trim() === '') return null;
  const match = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(text.trim());
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2]) || /^0+$/.test(match[3]) ||
      (match[1] === '00' && text.trim().length !== 55)) {
    warn('TRACEPARENT=' + text + ' is not a W3C trace context; ignored');
    return null;
  }
  const word = (hex, i) => parseInt(hex.slice(i * 8, i * 8 + 8), 16) >>> 0;
  const trace = new Trace(word(match[2], 0), word(match[2], 1), word(match[2], 2), word(match[2], 3));
  const span = match[3];
  return { trace, id1: parseInt(span.slice(0, 6), 16), id2: parseInt(span.slice(6, 12), 16),
           id3: parseInt(span.slice(12), 16), sampled: (parseInt(match[4], 16) & 1) === 1,
           ended: false };
}

function readOutFormat() {
  const text = process.env.TELINJECT_OUT_FORMAT;
  const value = text === undefined ? '' : text.trim().toLowerCase();
  if (value === '' || value === 'jsonl') return 'jsonl';
  if (value === 'otlp') return 'otlp';
  warn('TELINJECT_OUT_FORMAT=' + text + ' is not jsonl or otlp; jsonl applies');
  return 'jsonl';
}

// OTEL_EXPORTER_OTLP_TRACES_<name>, else OTEL_EXPORTER_OTLP_<name>: [variable, trimmed value], or
// null when neither is set.
function otlpSetting(name) {
  for (const variable of ['OTEL_EXPORTER_OTLP_TRACES_' + name, 'OTEL_EXPORTER_OTLP_' + name]) {
    const text = process.env[variable];
    if (text !== undefined && text.trim() !== '') return [variable, text.trim()];
  }
  return null;
}

function httpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch (_) {
    return null;
  }
}

// The OTLP/HTTP exporter's settings when OTEL_TRACES_EXPORTER lists `otlp`, else null:
// { url, shownUrl (no credentials), json, gzip, timeoutMs, headers, agent }.
function readExporter() {
  const list = process.env.OTEL_TRACES_EXPORTER || '';
  if (!list.split(',').some((name) => name.trim().toLowerCase() === 'otlp')) return null;
  const DEFAULT_URL = 'http://localhost:4318/v1/traces';
  let url = httpUrl(DEFAULT_URL);
  const full = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const [variable, given] = full && full.trim() ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', full.trim()]
                          : base && base.trim() ? ['OTEL_EXPORTER_OTLP_ENDPOINT', base.trim().replace(/\/+$/, '') + '/v1/traces']
                          : [null, null];
  if (variable !== null) {
    const parsed = httpUrl(given);
    if (parsed) url = parsed;
    else warn(variable + ' is not an http or https URL; ' + DEFAULT_URL + ' applies');
  }
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  shown.search = '';

  let json = false;
  const protocol = otlpSetting('PROTOCOL');
  if (protocol !== null && protocol[1] !== 'http/protobuf') {
    if (protocol[1] === 'http/json') json = true;
    else warn(protocol[0] + '=' + protocol[1] + (protocol[1] === 'grpc' ? ' is not supported' : ' is not http/protobuf or http/json') +
              '; http/protobuf applies');
  }
  let gzip = false;
  const compression = otlpSetting('COMPRESSION');
  if (compression !== null && compression[1] !== 'none') {
    if (compression[1] === 'gzip') gzip = true;
    else warn(compression[0] + '=' + compression[1] + ' is not none or gzip; none applies');
  }
  let timeoutMs = 10000;
  const timeout = otlpSetting('TIMEOUT');
  if (timeout !== null) {
    if (/^\d+$/.test(timeout[1]) && Number(timeout[1]) > 0) timeoutMs = Number(timeout[1]);
    else warn(timeout[0] + '=' + timeout[1] + ' is not a positive number of milliseconds; 10000 applies');
  }
  const headers = {};
  const givenHeaders = otlpSetting('HEADERS');
  if (givenHeaders !== null) {
    // Values are never printed: they often hold credentials.
    const pairs = parseKeyValues(givenHeaders[1]);
    let valid = pairs !== null;
    const http = require('http');
    for (const key of valid ? Object.keys(pairs) : []) {
      try {
        http.validateHeaderName(key);
        http.validateHeaderValue(key, pairs[key]);
      } catch (_) {
        valid = false;
      }
    }
    if (valid) Object.assign(headers, pairs);
    else warn(givenHeaders[0] + ' is not key=value,... with percent-encoded values and valid header names; ignored');
  }
  headers['Content-Type'] = json ? 'application/json' : 'application/x-protobuf';
  if (gzip) headers['Content-Encoding'] = 'gzip';
  headers['User-Agent'] = 'telinject-nodejs/' + VERSION;
  const agent = new (require(url.protocol === 'https:' ? 'https' : 'http').Agent)({ keepAlive: true, maxSockets: 1 });
  return { url: url.href, shownUrl: shown.href, json, gzip, timeoutMs, headers, agent };
}

let hooked = false;

/** (Re)reads the settings from the environment: `options.path` (default: $TELINJECT_OUT)
 *  receives the records, OTEL_TRACES_EXPORTER=otlp exports them. What is buffered for the
 *  previous file is written to it first. */
function configure(options) {
  const path = options && options.path !== undefined ? options.path : process.env.TELINJECT_OUT;
  if (fd !== null) {
    writeBlock(true);
    try {
      fs.closeSync(fd);
    } catch (_) {
      // already closed
    }
    fd = null;
  }
  sampleRatio = readSample();
  sampleBound = sampleRatio >= 1 ? Infinity : sampleRatio * 2 ** 64;
  [rateFirst, ratePerSecond] = readRateLimit();
  maxBytes = readMaxBytes();
  remote = readTraceparent();
  parseResourceAttributes(process.env.OTEL_RESOURCE_ATTRIBUTES, true);
  capped = false;
  outPath = path || '';
  errorTail = Buffer.from(', "thread.id": ' + threadId + ', "process.pid": ' + process.pid + '}\n');
  tail = Buffer.concat([Buffer.from(', "status": "ok"'), errorTail]);
  totals.written = totals.rate_limit = totals.sampling = totals.size_cap = totals.export_failed = 0;
  outFormat = readOutFormat();
  exporter = readExporter();
  requestHead = null;
  protoResource = null;
  if (path) {
    try {
      fd = fs.openSync(path, 'a');
    } catch (error) {
      warn('cannot open TELINJECT_OUT=' + path + ': ' + error.message + '; nothing is recorded');
      fd = null;
    }
  }
  active = fd !== null || exporter !== null;
  if (!active) return;
  if (!tracking && asyncHooks) {
    try {
      asyncHooks.createHook({ init: onAsyncInit }).enable();
      tracking = true;
    } catch (_) {
      tracking = false;
    }
  }
  if (!timer) {
    timer = setInterval(() => writeBlock(false), FLUSH_INTERVAL_MS);
    if (typeof timer.unref === 'function') timer.unref();
  }
  if (!hooked) {
    hooked = true;
    process.on('exit', onExitSummaryOnce);
    process.on('beforeExit', onBeforeExit);
    if (isMainThread && process.listenerCount('SIGTERM') === 0) process.on('SIGTERM', onSigterm);
  }
}

/** True when spans are recorded. */
function enabled() {
  return active;
}

/** Writes what is buffered now, with "dropped" lines for the calls left out so far, and queues it
 *  for the OTLP exporter. */
function flush() {
  writeBlock(true);
}

// One state per process: each instrumented package has its own copy of this file, and the
// first one loaded serves them all, so spans in one package have parents in another.
const SHARED = Symbol.for('telinject.runtime');
if (globalThis[SHARED]) {
  module.exports = globalThis[SHARED];
} else {
  configure();
  module.exports = globalThis[SHARED] = { enter, configure, enabled, flush };
}

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
// makes root spans children of a remote span. When TELINJECT_OUT is unset, `enter` returns one
// shared no-op span: near-zero cost.
//
// Context: the current span lives in an AsyncLocalStorage (a plain variable where there is
// none). A synchronous function makes its span current and restores the previous one when it
// ends. An async function makes its span current too, so spans started after an `await` have it
// as parent; but its caller goes on in that same context once the function first suspends, so
// a span that finds an async span current checks that it is really inside it: an ended span is
// passed over, and one entered in the same synchronous run is an ancestor only when the new
// call's stack runs through it (`Promise.all([a(), b()])`: b is not a's child). A generator's
// span is recorded with its parent but not made current: a suspended generator would otherwise
// leak its span into its caller. A call left out by the rate limit or the size cap gets no span
// and is not made current: its callees take its caller as parent. The calls of a trace left out
// by sampling get unrecorded spans, made current as usual, so that every later call of that
// trace, after an `await` too, knows to leave itself out.
//
// Worker threads each have their own copy of this state and write their own blocks; the resource
// line and the exit summary are per process, through a SharedArrayBuffer handed to workers as
// environment data.
//
// Safety: telemetry never throws into the program; `fail` records, the program's own
// `throw` rethrows the original value.

const fs = require('fs');
const crypto = require('crypto');
const { performance } = require('perf_hooks');

let AsyncLocalStorage = null;
let executionAsyncId = () => 0;
try {
  ({ AsyncLocalStorage, executionAsyncId } = require('async_hooks'));
} catch (_) {
  AsyncLocalStorage = null;
}
let workerThreads = null;
try {
  workerThreads = require('worker_threads');
} catch (_) {
  workerThreads = null;
}
const threadId = (workerThreads && workerThreads.threadId) || 0;
const isMainThread = !workerThreads || workerThreads.isMainThread;

const BLOCK = 4096; // spans buffered before a block is written
const FLUSH_INTERVAL_MS = 100;
const RATE_LIMIT_DEFAULT = '1000,10';
const MAX_BYTES_DEFAULT = '100M';

let storage = null; // created when recording starts: it costs every promise something
let plainCurrent = null; // the current span where there is no AsyncLocalStorage
let fd = null;
let outPath = '';
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
let capped = false; // the size cap was reached: no span is recorded any more

// Per-thread totals, for the exit summary.
const totals = { written: 0, rate_limit: 0, sampling: 0, size_cap: 0 };

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
// sampling, size_cap] as BigInt64 counters. Workers add their totals when they end; the main
// thread prints the summary.
let shared = null;
try {
  if (workerThreads && typeof SharedArrayBuffer === 'function') {
    const KEY = 'telinject.runtime.shared';
    shared = isMainThread ? null : workerThreads.getEnvironmentData(KEY) || null;
    if (!shared) {
      shared = new BigInt64Array(new SharedArrayBuffer(5 * 8));
      if (isMainThread) workerThreads.setEnvironmentData(KEY, shared);
    }
  }
} catch (_) {
  shared = null;
}
let resourceWritten = false;

function getCurrent() {
  const store = storage ? storage.getStore() : plainCurrent;
  return store === undefined ? null : store;
}

function setCurrent(span) {
  if (storage) storage.enterWith(span);
  else plainCurrent = span;
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
    this.previous = this.current ? current : null;
    this.frames = null;
    this.asyncId = 0;
    if (kind === 'async_function' && storage) {
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
  if (fd === null || busy) return NO_SPAN;
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
    if (capped) {
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

function resourceLine() {
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
  return JSON.stringify({ resource: attributes }) + '\n';
}

// `key=value,key=value` with percent-encoded values, as OpenTelemetry SDKs read it; {} (and one
// warning when `complain`) for a bad value.
function parseResourceAttributes(text, complain) {
  const out = {};
  if (!text || !text.trim()) return out;
  try {
    for (const pair of text.split(',')) {
      if (!pair.trim()) continue;
      const equals = pair.indexOf('=');
      if (equals <= 0) throw new Error('no key');
      const key = decodeURIComponent(pair.slice(0, equals).trim());
      if (!key) throw new Error('no key');
      out[key] = decodeURIComponent(pair.slice(equals + 1).trim());
    }
  } catch (_) {
    if (complain) warn('OTEL_RESOURCE_ATTRIBUTES is not key=value,... with percent-encoded values; ignored');
    return {};
  }
  return out;
}

// Writes the buffered spans (and, with `withDropped`, the "dropped" lines owed) as one block.
function writeBlock(withDropped) {
  if (fd === null || busy) return;
  busy = true;
  const used = rows;
  at = 0;
  try {
    if (used > 0) {
      if (!resourceWritten) {
        resourceWritten = true;
        if (!shared || Atomics.compareExchange(shared, 0, 0n, 1n) === 0n) putString(resourceLine());
      }
      const spansFrom = at;
      spanLines(0, used);
      let written = used;
      if (maxBytes !== Infinity) {
        const size = fs.fstatSync(fd).size;
        if (size + at > maxBytes) written = fitUnderCap(size, spansFrom);
      }
      totals.written += written;
    }
    if (withDropped) putString(droppedLines());
    if (at > 0) fs.writeSync(fd, out, 0, at);
  } catch (_) {
    // telemetry must never break the program
  } finally {
    rows = 0;
    at = 0;
    if (used > 0) {
      rowFunction.fill(undefined, 0, used);
      rowTrace.fill(undefined, 0, used);
      rowError.fill(undefined, 0, used);
    }
    busy = false;
  }
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

function putNanos(ms) {
  let rest = anchorRest + Math.round(ms * 1e6);
  const carry = Math.floor(rest / 1e9);
  rest = (rest - carry * 1e9) | 0;
  const seconds = anchorSeconds + carry;
  if (seconds !== secondsValue) {
    secondsValue = seconds;
    secondsDigits = Buffer.from(String(seconds));
  }
  put(secondsDigits);
  let end = at + 9;
  at = end;
  for (let i = 0; i < 9; i++) {
    out[--end] = 48 + (rest % 10);
    rest = (rest / 10) | 0;
  }
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

function putHex(value, digits) {
  const o = out;
  let i = at + digits;
  at = i;
  for (let k = 0; k < digits; k++) {
    o[--i] = HEX_DIGITS[value & 15];
    value >>>= 4;
  }
}

// Appends the lines of rows [from, to) to `out`.
function spanLines(from, to) {
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
    const lineStart = at;
    out.set(template, at);
    at = lineStart + fn.prefix.length;
    const trace = rowTrace[row];
    putWord(trace.w0);
    putWord(trace.w1);
    putWord(trace.w2);
    putWord(trace.w3);
    at += SPAN_ID.length;
    const ids = row * 6;
    putHex(rowIds[ids], 6);
    putHex(rowIds[ids + 1], 6);
    putHex(rowIds[ids + 2], 4);
    if (withParent) {
      at += PARENT_ID.length;
      putHex(rowIds[ids + 3], 6);
      putHex(rowIds[ids + 4], 6);
      putHex(rowIds[ids + 5], 4);
      at += QUOTE.length;
    } else {
      at += NO_PARENT.length;
    }
    at += START.length;
    const start = rowTimes[row * 2];
    putNanos(start);
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
function fitUnderCap(size, spansFrom) {
  // Rewritten one line at a time, up to the last that fits.
  at = spansFrom;
  let row = 0;
  for (; row < rows; row++) {
    const lineStart = at;
    spanLines(row, row + 1);
    if (size + at > maxBytes) {
      at = lineStart;
      break;
    }
  }
  const written = row;
  for (; row < rows; row++) rowFunction[row].dropped.size_cap++;
  if (!capped) {
    capped = true;
    warn(outPath + ' reached TELINJECT_MAX_BYTES=' + (process.env.TELINJECT_MAX_BYTES || MAX_BYTES_DEFAULT) +
         ': no more spans are written to it');
  }
  return written;
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
  if (shared && !isMainThread) {
    Atomics.add(shared, 1, BigInt(totals.written));
    Atomics.add(shared, 2, BigInt(totals.rate_limit));
    Atomics.add(shared, 3, BigInt(totals.sampling));
    Atomics.add(shared, 4, BigInt(totals.size_cap));
    return;
  }
  let written = totals.written;
  let rate = totals.rate_limit;
  let sampling = totals.sampling;
  let cap = totals.size_cap;
  if (shared) {
    written += Number(Atomics.load(shared, 1));
    rate += Number(Atomics.load(shared, 2));
    sampling += Number(Atomics.load(shared, 3));
    cap += Number(Atomics.load(shared, 4));
  }
  const dropped = rate + sampling + cap;
  if (dropped === 0) return;
  warn(written + ' spans written to ' + outPath + ', ' + dropped + ' not recorded (rate limit ' +
       rate + ', sampling ' + sampling + ', size cap ' + cap + '); TELINJECT_RATE_LIMIT=off ' +
       'TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record every call');
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

let hooked = false;

/** (Re)reads the settings from the environment: `options.path` (default: $TELINJECT_OUT)
 *  receives the records. What is buffered for the previous file is written to it first. */
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
  totals.written = totals.rate_limit = totals.sampling = totals.size_cap = 0;
  if (path) {
    try {
      fd = fs.openSync(path, 'a');
    } catch (error) {
      warn('cannot open TELINJECT_OUT=' + path + ': ' + error.message + '; nothing is recorded');
      fd = null;
    }
  }
  if (fd === null) return;
  if (!storage && AsyncLocalStorage) {
    storage = new AsyncLocalStorage();
    if (typeof storage.enterWith !== 'function') storage = null;
  }
  if (!timer) {
    timer = setInterval(() => writeBlock(false), FLUSH_INTERVAL_MS);
    if (typeof timer.unref === 'function') timer.unref();
  }
  if (!hooked) {
    hooked = true;
    process.on('exit', onExitSummaryOnce);
    if (isMainThread && process.listenerCount('SIGTERM') === 0) process.on('SIGTERM', onSigterm);
  }
}

/** True when spans are recorded. */
function enabled() {
  return fd !== null;
}

/** Writes what is buffered now, with "dropped" lines for the calls left out so far. */
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

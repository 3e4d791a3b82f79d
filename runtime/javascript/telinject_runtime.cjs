'use strict';
// telinject runtime helper: spans for functions instrumented by telinject.
//
// Instrumented code calls `enter(name, kind)` at the start of each function body and, from the
// try/catch/finally telinject puts around the body, `fail(error)` when it throws and `exit()`
// when it ends. This file is written into the instrumented tree by telinject (CommonJS; the
// `.mjs` beside it re-exports it for ES modules, so both share one state; copies in several
// packages share the first one loaded). Node.js built-ins only.
//
// Records: when the environment variable TELINJECT_OUT names a file, each finished span is
// appended to it as one JSON object per line, the fields the Python helper writes (one
// `fs.writeSync` on a descriptor opened for appending, so processes never interleave lines).
// When TELINJECT_OUT is unset, `enter` returns one shared no-op span: near-zero cost.
//
// Context: the current span lives in an AsyncLocalStorage (a plain variable where there is
// none). A synchronous function makes its span current and restores the previous one when it
// ends. An async function makes its span current too, so spans started after an `await` have it
// as parent; but its caller goes on in that same context once the function first suspends, so
// a span that finds an async span current checks that it is really inside it: an ended span is
// passed over, and one entered in the same synchronous run is an ancestor only when the new
// call's stack runs through it (`Promise.all([a(), b()])`: b is not a's child). A generator's
// span is recorded with its parent but not made current: a suspended generator would otherwise
// leak its span into its caller.
//
// Safety: telemetry never throws into the program; `fail` records, the program's own
// `throw` rethrows the original value.

const fs = require('fs');
const crypto = require('crypto');

let AsyncLocalStorage = null;
let executionAsyncId = () => 0;
try {
  ({ AsyncLocalStorage, executionAsyncId } = require('async_hooks'));
} catch (_) {
  AsyncLocalStorage = null;
}
let threadId = 0;
try {
  threadId = require('worker_threads').threadId || 0;
} catch (_) {
  threadId = 0;
}

let storage = null; // created when recording starts: it costs every promise something
let plainCurrent = null; // the current span where there is no AsyncLocalStorage
let fd = null;
let busy = false;
const sites = new Map(); // span name -> { file, line } of its function, found once

const NO_SPAN = Object.freeze({ fail() {}, exit() {} });

function randomHex(bytes) {
  return crypto.randomBytes(bytes).toString('hex');
}

// Wall-clock nanoseconds: Date.now() is in milliseconds, so the process's monotonic clock
// adds the digits below, from one reading of both at load.
const clockBase = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();

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

function liveParent() {
  let span = getCurrent();
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

// File and line of the instrumented function, from the stack of its first call: the line where
// the function starts (V8's enclosing position of the frame; the line of the call to `enter`
// where that is unknown). telinject keeps every line of an instrumented file where it was, so
// this is the line in the original source.
function siteOf(name) {
  let site = sites.get(name);
  if (site) return site;
  site = { file: '', line: 0 };
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
  sites.set(name, site);
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

class Span {
  constructor(name, kind) {
    const parent = liveParent();
    this.name = name;
    this.kind = kind;
    this.parent = parent;
    this.traceId = parent ? parent.traceId : randomHex(16);
    this.spanId = randomHex(8);
    this.error = undefined;
    this.failed = false;
    this.ended = false;
    this.current = kind === 'function' || kind === 'async_function';
    // What the caller had as current: where a lookup goes past this span once it is not ours.
    this.previous = this.current ? getCurrent() : null;
    this.frames = null;
    this.asyncId = 0;
    if (kind === 'async_function' && storage) {
      this.frames = stackFrames();
      this.asyncId = executionAsyncId();
    }
    if (this.current) setCurrent(this);
    this.start = process.hrtime.bigint();
  }

  fail(error) {
    this.failed = true;
    this.error = error;
  }

  exit() {
    if (this.ended) return;
    const end = process.hrtime.bigint();
    this.ended = true;
    if (this.current && getCurrent() === this) setCurrent(this.previous);
    this.frames = null;
    write(this, end);
  }
}

function jsonString(text) {
  return JSON.stringify(String(text));
}

function write(span, end) {
  if (fd === null || busy) return;
  busy = true;
  try {
    const site = sites.get(span.name) || { file: '', line: 0 };
    const status = span.failed
      ? '"error", "exception.type": ' + jsonString(errorType(span.error))
      : '"ok"';
    const name = jsonString(span.name);
    const line =
      '{"name": ' + name + ', "code.function.name": ' + name +
      ', "code.file.path": ' + jsonString(site.file) +
      ', "code.line.number": ' + site.line +
      ', "trace_id": "' + span.traceId + '", "span_id": "' + span.spanId +
      '", "parent_span_id": ' + (span.parent ? '"' + span.parent.spanId + '"' : 'null') +
      ', "start_time_unix_nano": ' + (clockBase + span.start).toString() +
      ', "duration_ns": ' + (end - span.start).toString() +
      ', "status": ' + status +
      ', "thread.id": ' + threadId + ', "process.pid": ' + process.pid + '}\n';
    fs.writeSync(fd, line);
  } catch (_) {
    // telemetry must never break the program
  } finally {
    busy = false;
  }
}

/** Starts the span of one call of the function `name` ("function", "generator",
 *  "async_function" or "async_generator" as `kind`). */
function enter(name, kind) {
  if (fd === null || busy) return NO_SPAN;
  try {
    if (!sites.has(name)) siteOf(name);
    return new Span(name, kind);
  } catch (_) {
    return NO_SPAN;
  }
}

/** (Re)reads the settings: `options.path` (default: $TELINJECT_OUT) receives the records. */
function configure(options) {
  const path = options && options.path !== undefined ? options.path : process.env.TELINJECT_OUT;
  if (fd !== null) {
    try {
      fs.closeSync(fd);
    } catch (_) {
      // already closed
    }
    fd = null;
  }
  if (path) {
    try {
      fd = fs.openSync(path, 'a');
    } catch (_) {
      fd = null;
    }
  }
  if (fd !== null && !storage && AsyncLocalStorage) {
    storage = new AsyncLocalStorage();
    if (typeof storage.enterWith !== 'function') storage = null;
  }
}

/** True when spans are recorded. */
function enabled() {
  return fd !== null;
}

/** Records are written unbuffered; kept for symmetry with other runtimes. */
function flush() {}

// One state per process: each instrumented package has its own copy of this file, and the
// first one loaded serves them all, so spans in one package have parents in another.
const SHARED = Symbol.for('telinject.runtime');
if (globalThis[SHARED]) {
  module.exports = globalThis[SHARED];
} else {
  configure();
  module.exports = globalThis[SHARED] = { enter, configure, enabled, flush };
}

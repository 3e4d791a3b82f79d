// Every kind of function under the opentelemetry profile: sync and async (made active through
// context.with over a callback), generators (not made active), expression-bodied arrows, methods,
// a derived constructor, a getter, a static method, a directive, arguments.
"use strict";

const _telinject_otel = require("@opentelemetry/api"); function plain(a, b) { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.plain", { attributes: { "code.function.name": "kinds.plain", "code.file.path": "kinds.js", "code.line.number": 6 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => {
  return a + b;
}); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

async function fetchLater(url) { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.fetchLater", { attributes: { "code.function.name": "kinds.fetchLater", "code.file.path": "kinds.js", "code.line.number": 10 } }); try { return await _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), async () => {
  const response = await fetch(url);
  return response.json();
}); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

function* numbers(limit) { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.numbers", { attributes: { "code.function.name": "kinds.numbers", "code.file.path": "kinds.js", "code.line.number": 15 } }); try {
  for (let i = 0; i < limit; i++) yield i;
} catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

async function* pages(client) { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.pages", { attributes: { "code.function.name": "kinds.pages", "code.file.path": "kinds.js", "code.line.number": 19 } }); try {
  yield await client.first();
} catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

const double = (x) => {/* telinject: expression body */ const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.double", { attributes: { "code.function.name": "kinds.double", "code.file.path": "kinds.js", "code.line.number": 23 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => { return x * 2; }); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); }};

const asyncArrow = async (x) => { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.asyncArrow", { attributes: { "code.function.name": "kinds.asyncArrow", "code.file.path": "kinds.js", "code.line.number": 25 } }); try { return await _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), async () => {
  await null;
  return x;
}); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } };

class Base {
  constructor(name) { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.Base.constructor", { attributes: { "code.function.name": "kinds.Base.constructor", "code.file.path": "kinds.js", "code.line.number": 31 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => {
    this.name = name;
  }); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }
}

class Derived extends Base {
  constructor(name) {
    super(name);
    const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.Derived.constructor", { attributes: { "code.function.name": "kinds.Derived.constructor", "code.file.path": "kinds.js", "code.line.number": 37 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => { this.kind = "derived";
  }); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

  get label() { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.Derived.label", { attributes: { "code.function.name": "kinds.Derived.label", "code.file.path": "kinds.js", "code.line.number": 42 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => {
    return this.name + ":" + this.kind;
  }); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

  static create() { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.Derived.create", { attributes: { "code.function.name": "kinds.Derived.create", "code.file.path": "kinds.js", "code.line.number": 46 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => {
    return new Derived("made");
  }); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }
}

function strict() {
  "use strict";
  const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.strict", { attributes: { "code.function.name": "kinds.strict", "code.file.path": "kinds.js", "code.line.number": 51 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => { return this;
}); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

function nested() { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.nested", { attributes: { "code.function.name": "kinds.nested", "code.file.path": "kinds.js", "code.line.number": 56 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => {
  return [1, 2, 3].map((n) => {/* telinject: expression body */ const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.nested.map callback", { attributes: { "code.function.name": "kinds.nested.map callback", "code.file.path": "kinds.js", "code.line.number": 57 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => { return n + 1; }); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); }}).filter(function keep(n) { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.nested.keep", { attributes: { "code.function.name": "kinds.nested.keep", "code.file.path": "kinds.js", "code.line.number": 57 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => {
    return n > 2;
  }); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } });
}); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

function withArguments() { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("kinds.withArguments", { attributes: { "code.function.name": "kinds.withArguments", "code.file.path": "kinds.js", "code.line.number": 62 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => {
  return arguments.length;
}); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

module.exports = { plain, fetchLater, numbers, pages, double, asyncArrow, Derived, strict, nested, withArguments };

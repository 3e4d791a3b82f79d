// bench/runtime_javascript.mjs's function as telinject's opentelemetry profile instruments it
// (the template in core/languages/javascript/javascript_language.cpp); `_telinject_otel` is
// @opentelemetry/api, given by the bench.
function work(x) { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("bench.work", { attributes: { "code.function.name": "bench.work", "code.file.path": "bench.js", "code.line.number": 1 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => {
  return (x * 31 + 7) % 1000;
}); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

function outer(work, n) { const _telinject_span = _telinject_otel.trace.getTracer("telinject").startSpan("bench.outer", { attributes: { "code.function.name": "bench.outer", "code.file.path": "bench.js", "code.line.number": 7 } }); try { return _telinject_otel.context.with(_telinject_otel.trace.setSpan(_telinject_otel.context.active(), _telinject_span), () => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += work(i);
  return sum;
}); } catch (_telinject_error) { _telinject_span.recordException(_telinject_error instanceof Error ? _telinject_error : String(_telinject_error)); _telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { _telinject_span.end(); } }

module.exports = { work, outer };

const _telinject = require("./telinject_runtime.cjs"); function crlf(a) { const _telinject_span = _telinject.enter("crlf.crlf", "function"); try {
  return a;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

const arrow = (b) => {/* telinject: expression body */ const _telinject_span = _telinject.enter("crlf.arrow", "function"); try { return b; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }};

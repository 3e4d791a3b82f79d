const _telinject = require("./telinject_runtime.cjs"); function fine() { const _telinject_span = _telinject.enter("syntax_error.fine", "function"); try {
  return 1;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

function broken( {
  return 2;
}

const _telinject = require("./telinject_runtime.cjs"); function withBom() { const _telinject_span = _telinject.enter("bom_no_final_newline.withBom", "function"); try {
  return 1;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }
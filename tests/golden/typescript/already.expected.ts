import * as _telinject from "./telinject_runtime.cjs"; // telinject
export function done(): number { const _telinject_span = _telinject.enter("already.done", "function"); try {
  return 1;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

export function added(): number { const _telinject_span = _telinject.enter("already.added", "function"); try {
  return 2;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

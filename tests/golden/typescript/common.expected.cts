import * as _telinject from "./telinject_runtime.cjs"; // telinject
export function sum(values: number[]): number { const _telinject_span = _telinject.enter("common.sum", "function"); try {
  return values.reduce((a, b) => {const _telinject_span = _telinject.enter("common.sum.<anonymous>@2", "function"); try { return a + b; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }}, 0);
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

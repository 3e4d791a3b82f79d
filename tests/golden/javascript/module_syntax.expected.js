// import/export in a .js file (a source for a bundler): the import statement form is used.
import * as _telinject from "./telinject_runtime.cjs"; import helper from './helper.js';

export function useHelper() { const _telinject_span = _telinject.enter("module_syntax.useHelper", "function"); try {
  return helper();
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

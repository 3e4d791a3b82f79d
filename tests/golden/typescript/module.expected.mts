import * as _telinject from "./telinject_runtime.mjs"; export async function load(url: string): Promise<string> { const _telinject_span = _telinject.enter("module.load", "async_function"); try {
  const response = await fetch(url);
  return response.text();
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

// An ES module: the import comes from the .mjs helper.
import * as _telinject from "./telinject_runtime.mjs"; import { readFile } from 'node:fs/promises';

export default function () { const _telinject_span = _telinject.enter("esm.default", "function"); try {
  return 'default';
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

export function named(a) { const _telinject_span = _telinject.enter("esm.named", "function"); try {
  return a;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

export const loader = async (file) => { const _telinject_span = _telinject.enter("esm.loader", "async_function"); try {
  const text = await readFile(file, 'utf8');
  return text.length;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } };

export class Service {
  async *items() { const _telinject_span = _telinject.enter("esm.Service.items", "async_generator"); try {
    yield 1;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }
}

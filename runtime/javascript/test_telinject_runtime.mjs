// Tests of the telinject runtime helper: each runs a small program, instrumented the way
// telinject instruments code, in a fresh node process with TELINJECT_OUT set, and reads the
// records back. Run with `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const HEADER = (name, kind) =>
  `const _telinject_span = _telinject.enter(${JSON.stringify(name)}, "${kind}"); try {`;
const FOOTER =
  '} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } ' +
  'finally { _telinject_span.exit(); }';
// `fn(name, kind)` + body text gives the instrumented body, as telinject writes it.
const wrap = (name, kind, body) => `{ ${HEADER(name, kind)}${body}${FOOTER} }`;

// Runs `main` in a fresh node; `records` are the span lines of TELINJECT_OUT, `resources` and
// `dropped` its other lines, `lines` all of them in order.
function run(t, files, { env = {}, main = 'main.cjs', status = 0 } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'telinject-js-runtime-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  for (const helper of ['telinject_runtime.cjs', 'telinject_runtime.mjs'])
    copyFileSync(join(here, helper), join(work, helper));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
  const out = join(work, 'spans.jsonl');
  const fullEnv = { ...process.env, TELINJECT_OUT: out, ...env };
  for (const key of Object.keys(fullEnv)) if (fullEnv[key] === null) delete fullEnv[key];
  const done = spawnSync(process.execPath, [join(work, main)], { env: fullEnv, cwd: work, encoding: 'utf8' });
  if (status !== undefined) assert.equal(done.status, status, done.stderr);
  const lines = existsSync(out)
    ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
    : [];
  const records = lines.filter((r) => r.span_id !== undefined);
  const resources = lines.filter((r) => r.resource !== undefined);
  const dropped = lines.filter((r) => r.dropped !== undefined);
  return { records, resources, dropped, lines, done, work, out };
}

// {"name/reason": count} over the "dropped" lines.
function droppedCounts(dropped) {
  const out = {};
  for (const d of dropped) out[d.name + '/' + d.reason] = (out[d.name + '/' + d.reason] || 0) + d.dropped;
  return out;
}

const named = (records, name) => records.filter((r) => r.name === name);

test('sync nesting, fields and parents', (t) => {
  const { records, work } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function inner(x) ${wrap('main.inner', 'function', ' return x * 2; ')}
function outer(x) ${wrap('main.outer', 'function', ' return inner(x) + 1; ')}
if (outer(3) !== 7) throw new Error('wrong result');
`,
  });
  assert.deepEqual(records.map((r) => r.name), ['main.inner', 'main.outer']);
  const [inner, outer] = records;
  assert.equal(inner.parent_span_id, outer.span_id);
  assert.equal(inner.trace_id, outer.trace_id);
  assert.equal(outer.parent_span_id, null);
  assert.equal(outer['code.function.name'], 'main.outer');
  assert.equal(outer['code.file.path'], join(work, 'main.cjs'));
  assert.equal(outer['code.line.number'], 3);
  assert.equal(outer.status, 'ok');
  assert.equal(outer['process.pid'] > 0, true);
  assert.equal(outer['thread.id'], 0);
  assert.match(outer.trace_id, /^[0-9a-f]{32}$/);
  assert.match(outer.span_id, /^[0-9a-f]{16}$/);
  assert.equal(typeof outer.start_time_unix_nano, 'number');
  assert.ok(Math.abs(outer.start_time_unix_nano / 1e6 - Date.now()) < 60_000);
  assert.ok(outer.duration_ns >= inner.duration_ns);
  // Siblings after a finished call get the right parent again.
  assert.equal(named(records, 'main.outer').length, 1);
});

test('errors are recorded and the thrown value passes through unchanged', (t) => {
  const { records } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
class Custom extends Error {}
const thrown = new Custom('x');
function fails() ${wrap('main.fails', 'function', ' throw thrown; ')}
function throwsString() ${wrap('main.throwsString', 'function', ' throw "plain"; ')}
try { fails(); } catch (e) { if (e !== thrown) throw new Error('not the same value'); }
try { throwsString(); } catch (e) { if (e !== 'plain') throw new Error('not the same string'); }
`,
  });
  const [fails, plain] = records;
  assert.equal(fails.status, 'error');
  assert.equal(fails['exception.type'], 'Custom');
  assert.equal(plain['exception.type'], 'string');
});

test('async context survives await; siblings after an awaited call are not its children', (t) => {
  const { records } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
function leaf() ${wrap('main.leaf', 'function', ' return 1; ')}
async function child(n) ${wrap('main.child', 'async_function', ' await tick(); leaf(); await tick(); return n; ')}
async function parent() ${wrap('main.parent', 'async_function', ' await child(1); leaf(); const all = await Promise.all([child(2), child(3)]); return all; ')}
parent().then((v) => { if (v.join() !== '2,3') process.exit(3); });
`,
  });
  const parent = named(records, 'main.parent')[0];
  const children = named(records, 'main.child');
  assert.equal(children.length, 3);
  for (const c of children) assert.equal(c.parent_span_id, parent.span_id);
  const leaves = named(records, 'main.leaf');
  assert.equal(leaves.length, 4);
  const childIds = new Set(children.map((c) => c.span_id));
  assert.equal(leaves.filter((l) => childIds.has(l.parent_span_id)).length, 3);
  // The leaf called by parent after `await child(1)` is parent's child, not child's.
  assert.equal(leaves.filter((l) => l.parent_span_id === parent.span_id).length, 1);
  for (const r of records) assert.equal(r.trace_id, parent.trace_id);
});

test('a generator records its span but does not become the caller\'s context', (t) => {
  const { records } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function leaf() ${wrap('main.leaf', 'function', ' return 1; ')}
function* numbers() ${wrap('main.numbers', 'generator', ' yield 1; yield 2; ')}
function consumer() ${wrap('main.consumer', 'function', ' const it = numbers(); it.next(); leaf(); it.next(); it.next(); ')}
consumer();
`,
  });
  const consumer = named(records, 'main.consumer')[0];
  assert.equal(named(records, 'main.numbers')[0].parent_span_id, consumer.span_id);
  assert.equal(named(records, 'main.leaf')[0].parent_span_id, consumer.span_id);
});

test('an ES module and a CommonJS file share one state', (t) => {
  const { records } = run(t, {
    'lib.cjs': `const _telinject = require("./telinject_runtime.cjs");
exports.leaf = function () ${wrap('lib.leaf', 'function', ' return 1; ')};
`,
    'main.mjs': `import * as _telinject from "./telinject_runtime.mjs";
import lib from "./lib.cjs";
function top() ${wrap('main.top', 'function', ' return lib.leaf(); ')}
top();
`,
  }, { main: 'main.mjs' });
  const top = named(records, 'main.top')[0];
  assert.equal(named(records, 'lib.leaf')[0].parent_span_id, top.span_id);
  assert.ok(top['code.file.path'].endsWith('main.mjs'));
});

test('nothing is written and calls are no-ops when TELINJECT_OUT is unset', (t) => {
  const { records, work } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
if (_telinject.enabled()) process.exit(4);
function f() ${wrap('main.f', 'function', ' return 5; ')}
if (f() !== 5) process.exit(5);
`,
  }, { env: { TELINJECT_OUT: null } });
  assert.equal(records.length, 0);
  assert.equal(existsSync(join(work, 'spans.jsonl')), false);
});

test('worker threads record their thread id', (t) => {
  const { records } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
const { Worker, isMainThread } = require('worker_threads');
function work() ${wrap('main.work', 'function', ' return 1; ')}
if (isMainThread) { work(); new Worker(__filename); } else { work(); }
`,
  });
  const ids = named(records, 'main.work').map((r) => r['thread.id']).sort();
  assert.deepEqual(ids, [0, 1]);
});

test('the line is where the function starts, even when its body opens lines later', (t) => {
  const { records } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs"); function spread(
  a,
  b,
) ${wrap('main.spread', 'function', ' return a + b; ')}
spread(1, 2);
`,
  });
  assert.equal(named(records, 'main.spread')[0]['code.line.number'], 1);
});

test('copies of the helper in several packages share one state', (t) => {
  const { records } = run(t, {
    'other.cjs': `const _telinject = require("./pkg/telinject_runtime.cjs");
exports.inner = function () ${wrap('other.inner', 'function', ' return 1; ')};
`,
    'main.cjs': `const fs = require("fs");
fs.mkdirSync(__dirname + "/pkg", { recursive: true });
fs.copyFileSync(__dirname + "/telinject_runtime.cjs", __dirname + "/pkg/telinject_runtime.cjs");
const _telinject = require("./telinject_runtime.cjs");
const other = require("./other.cjs");
function outer() ${wrap('main.outer', 'function', ' return other.inner(); ')}
outer();
`,
  });
  const [inner] = named(records, 'other.inner');
  const [outer] = named(records, 'main.outer');
  assert.equal(inner.parent_span_id, outer.span_id);
});

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

// ---- docs/telemetry.md: records, volume, exit ----

test('one resource line before the first span, from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', (t) => {
  const { lines, resources, records, done } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function f() ${wrap('main.f', 'function', ' return 1; ')}
f(); _telinject.flush(); f();
`,
  }, { env: { OTEL_SERVICE_NAME: 'checkout', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=te%20st, team=a%2Cb' } });
  assert.equal(resources.length, 1);
  assert.ok(lines[0].resource);
  const resource = resources[0].resource;
  assert.equal(resource['service.name'], 'checkout');
  assert.equal(resource['telemetry.sdk.name'], 'telinject');
  assert.equal(resource['telemetry.sdk.language'], 'nodejs');
  assert.equal(resource['process.pid'], records[0]['process.pid']);
  assert.equal(resource['deployment.environment'], 'te st');
  assert.equal(resource.team, 'a,b');
  assert.equal(records.length, 2);
  assert.equal(done.stderr, '');
});

test('service.name defaults to unknown_service:nodejs; a bad variable is ignored with one warning', (t) => {
  const { resources, records, done } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function f() ${wrap('main.f', 'function', ' return 1; ')}
for (let i = 0; i < 3; i++) f();
`,
  }, { env: { TELINJECT_SAMPLE: 'most', TELINJECT_RATE_LIMIT: '5', TELINJECT_MAX_BYTES: '1X',
              OTEL_RESOURCE_ATTRIBUTES: 'novalue' } });
  assert.equal(resources[0].resource['service.name'], 'unknown_service:nodejs');
  assert.equal(records.length, 3); // the defaults apply
  const warnings = done.stderr.trim().split('\n');
  assert.equal(warnings.length, 4, done.stderr);
  for (const variable of ['TELINJECT_SAMPLE=most', 'TELINJECT_RATE_LIMIT=5', 'TELINJECT_MAX_BYTES=1X',
                          'OTEL_RESOURCE_ATTRIBUTES'])
    assert.equal(warnings.filter((w) => w.startsWith('telinject: ' + variable)).length, 1, variable);
});

test('errors carry exception.message', (t) => {
  const { records } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function fails(v) ${wrap('main.fails', 'function', ' throw v; ')}
for (const v of [new RangeError('out of "range"'), 'plain', 42]) { try { fails(v); } catch (_) {} }
`,
  });
  assert.deepEqual(records.map((r) => [r['exception.type'], r['exception.message']]),
                   [['RangeError', 'out of "range"'], ['string', 'plain'], ['number', '42']]);
  for (const r of records) assert.equal(r.status, 'error');
});

const TREES = `const _telinject = require("./telinject_runtime.cjs");
function leaf() ${wrap('main.leaf', 'function', ' return 1; ')}
async function mid() ${wrap('main.mid', 'async_function', ' await null; return leaf(); ')}
async function root() ${wrap('main.root', 'async_function', ' leaf(); return mid(); ')}
(async () => { for (let i = 0; i < 400; i++) await root(); })();
`;

test('sampling keeps or drops whole traces, decided at the root', (t) => {
  const { records, dropped, done } = run(t, { 'main.cjs': TREES },
                                         { env: { TELINJECT_SAMPLE: '0.5', TELINJECT_RATE_LIMIT: 'off' } });
  const traces = new Map();
  for (const r of records) traces.set(r.trace_id, (traces.get(r.trace_id) || []).concat([r]));
  assert.ok(traces.size > 120 && traces.size < 280, String(traces.size));
  const ids = new Set(records.map((r) => r.span_id));
  for (const spans of traces.values()) {
    assert.deepEqual(spans.map((r) => r.name).sort(), ['main.leaf', 'main.leaf', 'main.mid', 'main.root']);
    for (const r of spans) assert.ok(r.parent_span_id === null ? r.name === 'main.root' : ids.has(r.parent_span_id));
  }
  const notKept = 400 - traces.size;
  assert.deepEqual(droppedCounts(dropped),
                   { 'main.root/sampling': notKept, 'main.leaf/sampling': 2 * notKept, 'main.mid/sampling': notKept });

  assert.match(done.stderr, new RegExp(`^telinject: ${records.length} spans written to .*spans\\.jsonl, ${4 * notKept} not recorded \\(rate limit 0, sampling ${4 * notKept}, size cap 0\\); TELINJECT_RATE_LIMIT=off TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record every call\\n$`));
});

test('TELINJECT_SAMPLE=0 records nothing and counts every call', (t) => {
  const { records, dropped } = run(t, { 'main.cjs': TREES }, { env: { TELINJECT_SAMPLE: '0' } });
  assert.equal(records.length, 0);
  assert.deepEqual(droppedCounts(dropped),
                   { 'main.root/sampling': 400, 'main.leaf/sampling': 800, 'main.mid/sampling': 400 });
});

test('rate limit: first N, then none at R=0; a call left out passes its callees to its caller', (t) => {
  const { records, dropped, done, out } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function late() ${wrap('main.late', 'function', ' return 1; ')}
function mid(i) ${wrap('main.mid', 'function', ' return i === 9 ? late() : 0; ')}
function outer() ${wrap('main.outer', 'function', ' for (let i = 0; i < 10; i++) mid(i); ')}
outer();
_telinject.flush();
for (let i = 0; i < 5; i++) mid(0);
`,
  }, { env: { TELINJECT_RATE_LIMIT: '3,0' } });
  assert.equal(named(records, 'main.mid').length, 3);
  const [outer] = named(records, 'main.outer');
  assert.equal(named(records, 'main.late')[0].parent_span_id, outer.span_id);
  // flush() wrote the first 7, the exit the other 5: later lines add up.
  assert.deepEqual(dropped.map((d) => [d.name, d.reason, d.dropped]),
                   [['main.mid', 'rate_limit', 7], ['main.mid', 'rate_limit', 5]]);
  assert.equal(done.stderr,
               `telinject: 5 spans written to ${out}, 12 not recorded (rate limit 12, sampling 0, size cap 0); ` +
               'TELINJECT_RATE_LIMIT=off TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record every call\n');
});

test('rate limit: R calls a second after the first N', (t) => {
  const { records } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function f() ${wrap('main.f', 'function', ' return 1; ')}
const end = Date.now() + 600;
const tick = () => { for (let i = 0; i < 100; i++) f(); if (Date.now() < end) setTimeout(tick, 5); };
tick();
`,
  }, { env: { TELINJECT_RATE_LIMIT: '10,20' } });
  // 10, then about 20/s for 0.6 s.
  assert.ok(records.length >= 15 && records.length <= 24, String(records.length));
});

test('TELINJECT_RATE_LIMIT=off and a process that drops nothing prints nothing', (t) => {
  const { records, dropped, done } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function f() ${wrap('main.f', 'function', ' return 1; ')}
for (let i = 0; i < 5000; i++) f();
`,
  }, { env: { TELINJECT_RATE_LIMIT: 'off' } });
  assert.equal(records.length, 5000);
  assert.equal(new Set(records.map((r) => r.span_id)).size, 5000);
  assert.equal(dropped.length, 0);
  assert.equal(done.stderr, '');
});

test('the size cap holds, with one warning, and what it left out is counted', (t) => {
  const { records, dropped, done, out, lines } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function f() ${wrap('main.f', 'function', ' return 1; ')}
for (let i = 0; i < 3000; i++) f();
_telinject.flush();
for (let i = 0; i < 3000; i++) f();
`,
  }, { env: { TELINJECT_RATE_LIMIT: 'off', TELINJECT_MAX_BYTES: '50k' } });
  const spanBytes = readFileSync(out, 'utf8').split('\n').filter((l) => !l.startsWith('{"dropped"'))
    .join('\n').length;
  assert.ok(spanBytes <= 50000 && spanBytes > 49000, String(spanBytes));
  assert.ok(lines[lines.length - 1].dropped);
  const counts = droppedCounts(dropped);
  assert.equal(records.length + counts['main.f/size_cap'], 6000);
  const stderr = done.stderr.trim().split('\n');
  assert.equal(stderr.length, 2, done.stderr);
  assert.match(stderr[0], /^telinject: .*spans\.jsonl reached TELINJECT_MAX_BYTES=50k/);
  assert.match(stderr[1], new RegExp(`size cap ${counts['main.f/size_cap']}\\)`));
});

test('TRACEPARENT: root spans join the remote trace; flags 00 record nothing', (t) => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const program = {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function inner() ${wrap('main.inner', 'function', ' return 1; ')}
function outer() ${wrap('main.outer', 'function', ' return inner(); ')}
outer(); outer();
`,
  };
  const { records } = run(t, program, { env: { TRACEPARENT: `00-${traceId}-00f067aa0ba902b7-01`, TELINJECT_SAMPLE: '0' } });
  assert.equal(records.length, 4);
  for (const r of records) assert.equal(r.trace_id, traceId);
  for (const r of named(records, 'main.outer')) assert.equal(r.parent_span_id, '00f067aa0ba902b7');
  const unsampled = run(t, program, { env: { TRACEPARENT: `00-${traceId}-00f067aa0ba902b7-00` } });
  assert.equal(unsampled.records.length, 0);
  assert.deepEqual(droppedCounts(unsampled.dropped), { 'main.outer/sampling': 2, 'main.inner/sampling': 2 });
});

const SURVIVOR = `const _telinject = require("./telinject_runtime.cjs");
function work() ${wrap('main.work', 'function', ' return 1; ')}
function boom() ${wrap('main.boom', 'function', ' throw new TypeError("boom"); ')}
for (let i = 0; i < 10; i++) work();
`;

test('records survive an uncaught exception', (t) => {
  const { records } = run(t, { 'main.cjs': SURVIVOR + 'setTimeout(boom, 1);\n' }, { status: 1 });
  assert.equal(named(records, 'main.work').length, 10);
  assert.equal(named(records, 'main.boom')[0]['exception.message'], 'boom');
});

test('records survive process.exit()', (t) => {
  const { records } = run(t, { 'main.cjs': SURVIVOR + 'setTimeout(() => process.exit(3), 1);\n' }, { status: 3 });
  assert.equal(named(records, 'main.work').length, 10);
});

test('records survive SIGTERM, which still ends the process', (t) => {
  const { records, done } = run(t, {
    'main.cjs': SURVIVOR + 'setTimeout(() => process.kill(process.pid, "SIGTERM"), 1); setTimeout(() => {}, 5000);\n',
  }, { status: null });
  assert.equal(done.signal, 'SIGTERM');
  assert.equal(named(records, 'main.work').length, 10);
});

test('a program handling SIGTERM itself keeps doing so', (t) => {
  const { records, done } = run(t, {
    'main.cjs': SURVIVOR + `process.on('SIGTERM', () => { console.log('handled'); work(); setTimeout(() => process.exit(0), 20); });
setTimeout(() => process.kill(process.pid, "SIGTERM"), 1); setTimeout(() => {}, 5000);
`,
  });
  assert.equal(done.stdout, 'handled\n');
  assert.equal(named(records, 'main.work').length, 11);
});

test('a worker thread writes its own spans; one resource line and one summary for the process', (t) => {
  const { records, resources, done } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
const { Worker, isMainThread } = require('worker_threads');
function work() ${wrap('main.work', 'function', ' return 1; ')}
for (let i = 0; i < 5; i++) work();
if (isMainThread) new Worker(__filename).on('exit', () => work());
`,
  }, { env: { TELINJECT_RATE_LIMIT: '4,0' } });
  assert.deepEqual(records.map((r) => r['thread.id']).sort(), [0, 0, 0, 0, 1, 1, 1, 1]);
  assert.equal(resources.length, 1);
  assert.match(done.stderr, /^telinject: 8 spans written to .*, 3 not recorded \(rate limit 3,/);
  assert.equal(done.stderr.split('\n').length, 2);
});

test('a synchronous call that started a still-suspended async call gives its caller back its context', (t) => {
  const { records } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
async function later() ${wrap('main.later', 'async_function', ' await tick(); ')}
function starts() ${wrap('main.starts', 'function', ' later(); ')}
function next() ${wrap('main.next', 'function', ' return 1; ')}
function top() ${wrap('main.top', 'function', ' starts(); next(); ')}
top();
`,
  });
  const [top] = named(records, 'main.top');
  assert.equal(named(records, 'main.next')[0].parent_span_id, top.span_id);
  assert.equal(named(records, 'main.later')[0].parent_span_id, named(records, 'main.starts')[0].span_id);
});

test("spans of the program's own 'exit' handlers after ours are written too", (t) => {
  const { records } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
function cleanup() ${wrap('main.cleanup', 'function', ' return 1; ')}
process.on('exit', () => cleanup());
cleanup();
`,
  });
  assert.equal(named(records, 'main.cleanup').length, 2);
});

// ---- docs/telemetry.md: export to OpenTelemetry (decoded with the official definitions in
// tests/e2e/test_otlp_javascript.py) ----

// The spans of OTLP/JSON requests, flat, with their request's resource and scope.
function otlpSpans(requests) {
  const spans = [];
  for (const request of requests)
    for (const resourceSpans of request.resourceSpans)
      for (const scopeSpans of resourceSpans.scopeSpans)
        for (const span of scopeSpans.spans)
          spans.push({ ...span, resource: resourceSpans.resource, scope: scopeSpans.scope });
  return spans;
}

const TREE = `const _telinject = require("./telinject_runtime.cjs");
function leaf(v) ${wrap('main.leaf', 'function', ' if (v === 2) throw new RangeError("two"); return v; ')}
function top() ${wrap('main.top', 'function', ' for (let i = 0; i < 4; i++) { try { leaf(i); } catch (_) {} } ')}
top();
`;

test('TELINJECT_OUT_FORMAT=otlp writes OTLP/JSON requests, one per line', (t) => {
  const { lines, done } = run(t, { 'main.cjs': TREE + 'top();\n' },
                              { env: { TELINJECT_OUT_FORMAT: 'otlp', TELINJECT_RATE_LIMIT: '4,0',
                                       OTEL_SERVICE_NAME: 'checkout' } });
  assert.ok(lines.length >= 1);
  const spans = otlpSpans(lines);
  assert.equal(spans.length, 6); // the rate limit left out 4 leaves: no dropped line, a summary
  assert.match(done.stderr, /^telinject: 6 spans written to .*, 4 not recorded \(rate limit 4,/);
  const tops = spans.filter((s) => s.name === 'main.top');
  const leaves = spans.filter((s) => s.name === 'main.leaf');
  assert.equal(tops[0].parentSpanId, undefined);
  for (const leaf of leaves) {
    assert.equal(leaf.parentSpanId, tops[0].spanId);
    assert.equal(leaf.traceId, tops[0].traceId);
  }
  for (const span of spans) {
    assert.match(span.traceId, /^[0-9a-f]{32}$/);
    assert.match(span.spanId, /^[0-9a-f]{16}$/);
    assert.match(span.startTimeUnixNano, /^\d{19}$/);
    assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));
    assert.equal(span.kind, 1);
    assert.deepEqual(span.scope, { name: 'telinject', version: '0.1.0' });
    const service = span.resource.attributes.find((a) => a.key === 'service.name');
    assert.deepEqual(service.value, { stringValue: 'checkout' });
    const line = span.attributes.find((a) => a.key === 'code.line.number');
    assert.deepEqual(line.value, { intValue: span.name === 'main.leaf' ? '2' : '3' });
  }
  const failed = leaves.filter((s) => s.status);
  assert.equal(failed.length, 1);
  assert.deepEqual(failed[0].status, { code: 2, message: 'two' });
  assert.deepEqual(failed[0].events, [{
    timeUnixNano: failed[0].endTimeUnixNano, name: 'exception',
    attributes: [{ key: 'exception.type', value: { stringValue: 'RangeError' } },
                 { key: 'exception.message', value: { stringValue: 'two' } }],
  }]);
});

test('the size cap holds for the OTLP file too', (t) => {
  const { lines, out, done } = run(t, {
    'main.cjs': TREE + 'for (let i = 0; i < 300; i++) top();\n',
  }, { env: { TELINJECT_OUT_FORMAT: 'otlp', TELINJECT_RATE_LIMIT: 'off', TELINJECT_MAX_BYTES: '20k' } });
  const size = readFileSync(out).length;
  assert.ok(size <= 20000 && size > 15000, String(size));
  const written = otlpSpans(lines).length;
  assert.match(done.stderr, /reached TELINJECT_MAX_BYTES=20k/);
  assert.match(done.stderr, new RegExp(`${written} spans written to .*, ${1505 - written} not recorded ` +
                                       `\\(rate limit 0, sampling 0, size cap ${1505 - written}\\)`));
});

test('bad export settings are ignored with one warning each; header values are never printed', (t) => {
  const { records, done } = run(t, { 'main.cjs': TREE }, {
    env: { TELINJECT_OUT_FORMAT: 'xml', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x',
           OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: 'soon',
           OTEL_EXPORTER_OTLP_COMPRESSION: 'br', OTEL_EXPORTER_OTLP_HEADERS: 'bad header=s3cret',
           OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: null },
  });
  assert.equal(records.length, 5); // JSON Lines, the default format
  const warnings = done.stderr.trim().split('\n');
  for (const variable of ['TELINJECT_OUT_FORMAT=xml', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported',
                          'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=soon', 'OTEL_EXPORTER_OTLP_COMPRESSION=br',
                          'OTEL_EXPORTER_OTLP_HEADERS'])
    assert.equal(warnings.filter((w) => w.startsWith('telinject: ' + variable)).length, 1, variable + '\n' + done.stderr);
  assert.doesNotMatch(done.stderr, /s3cret/);
});

// A local OTLP/HTTP receiver in its own process (the program's exit blocks on its sender):
// answers `statuses` in turn, then 200; `requests()` reads what it got.
async function receiver(t, statuses = []) {
  const work = mkdtempSync(join(tmpdir(), 'telinject-js-receiver-'));
  const log = join(work, 'requests.jsonl');
  const code = `const http = require('http'); const fs = require('fs'); const statuses = ${JSON.stringify(statuses)};
http.createServer((req, res) => { const chunks = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => {
  fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ path: req.url, headers: req.headers,
    body: Buffer.concat(chunks).toString('base64') }) + '\\n');
  res.statusCode = statuses.length ? statuses.shift() : 200; res.end('{}'); }); })
  .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { child.kill(); rmSync(work, { recursive: true, force: true }); });
  const port = await new Promise((resolve) => child.stdout.once('data', (data) => resolve(Number(String(data)))));
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
  };
}

test('a worker thread exports its own spans; one summary for the process', async (t) => {
  const collector = await receiver(t, [404]);
  const { done } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
const { Worker, isMainThread } = require('worker_threads');
function work() ${wrap('main.work', 'function', ' return 1; ')}
for (let i = 0; i < 5; i++) work();
if (isMainThread) setTimeout(() => new Worker(__filename).on('exit', () => work()), 300);
`,
  }, { env: { TELINJECT_OUT: null, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
              OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
  const requests = collector.requests();
  assert.equal(requests[0].headers['content-type'], 'application/json');
  // The first request (the main thread's first 5 spans, sent on the timer) was answered 404: not
  // retried, counted; the others arrive.
  const body = (request) => JSON.parse(Buffer.from(request.body, 'base64').toString());
  assert.equal(otlpSpans([body(requests[0])]).length, 5);
  const spans = otlpSpans(requests.slice(1).map(body));
  assert.deepEqual(spans.map((s) => s.attributes.find((a) => a.key === 'thread.id').value.intValue).sort(),
                   ['0', '1', '1', '1', '1', '1']);
  assert.match(done.stderr, /^telinject: cannot export spans to http:\/\/127\.0\.0\.1:\d+\/v1\/traces: HTTP 404;/);
  assert.match(done.stderr, /\ntelinject: 11 spans recorded, 0 not recorded \(rate limit 0, sampling 0, size cap 0\); export failed 5\n$/);
});

test('a call after a nested async scope (AsyncResource.runInAsyncScope) keeps its parent', (t) => {
  const { records } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
const { AsyncResource } = require('async_hooks');
const scope = new AsyncResource('bench');
function inside() ${wrap('main.inside', 'function', ' return 1; ')}
function after() ${wrap('main.after', 'function', ' return 1; ')}
function top() ${wrap('main.top', 'function', ' scope.runInAsyncScope(inside); after(); ')}
top();
`,
  });
  const [top] = named(records, 'main.top');
  // Inside the scope, the context is the scope's (made before any span): a root, as with an
  // AsyncLocalStorage.
  assert.equal(named(records, 'main.inside')[0].parent_span_id, null);
  assert.equal(named(records, 'main.after')[0].parent_span_id, top.span_id);
});

test('an async loop does not keep every span it awaited reachable', (t) => {
  // While the loop runs, its context holds the span of the leaf it awaited last: that span must
  // not chain to every earlier one (the time to find a parent grew with them).
  const { records, done } = run(t, {
    'main.cjs': `const _telinject = require("./telinject_runtime.cjs");
require('v8').setFlagsFromString('--expose-gc');
const gc = require('vm').runInNewContext('gc');
let calls = 0;
let second = null;
async function leaf() { const _telinject_span = _telinject.enter("main.leaf", "async_function");
  if (++calls === 2) second = new WeakRef(_telinject_span);
  try { await null; } finally { _telinject_span.exit(); } }
function step() ${wrap('main.step', 'function', ' return 1; ')}
async function loop() ${wrap('main.loop', 'async_function', ` for (let i = 0; i < 50; i++) { await leaf(); step(); }
  await new Promise((resolve) => setTimeout(resolve, 1)); gc(); console.log(second.deref() === undefined ? 'collected' : 'kept'); `)}
loop();
`,
  });
  assert.equal(done.stdout, 'collected\n');
  const [loop] = named(records, 'main.loop');
  for (const step of named(records, 'main.step')) assert.equal(step.parent_span_id, loop.span_id);
});

// telinject's `opentelemetry` profile for JavaScript against the real OpenTelemetry JS SDK: a
// small program instrumented by the telinject binary runs under BasicTracerProvider with an
// InMemorySpanExporter and AsyncLocalStorageContextManager; its spans nest (synchronously and
// across `await`), carry code.* attributes, and a throw gives an exception event and an error
// status. `remove` gives the bytes back and a second `instrument` changes nothing.
//
//   node test_opentelemetry_profile.mjs TELINJECT_BINARY OTEL_NODE_MODULES
// (CTest: javascript_opentelemetry_profile; install.sh provides the node_modules.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [binary, modules] = process.argv.slice(2);
if (!binary || !modules) {
  console.error('usage: test_opentelemetry_profile.mjs TELINJECT_BINARY OTEL_NODE_MODULES');
  process.exit(2);
}

const APP = `'use strict';
const { trace } = require('@opentelemetry/api');

function leaf(x) {
  return x + 1;
}

function middle(x) {
  const active = trace.getActiveSpan();
  return [leaf(x) * 2, active && active.name];
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function fetchLater(x) {
  await tick();
  const value = leaf(x);
  await tick();
  return value;
}

function* numbers() {
  yield leaf(10);
  yield leaf(20);
}

const double = (x) => leaf(x) * 2;

async function top() {
  const [a, activeName] = middle(1);
  const [b, c] = await Promise.all([fetchLater(2), fetchLater(3)]);
  const more = [...numbers()];
  return { sum: a + b + c + more.length + double(0), activeName };
}

function fails() {
  throw new RangeError('bad input');
}

module.exports = { top, fails };
`;

const RUNNER = `'use strict';
const api = require('@opentelemetry/api');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const exporter = new InMemorySpanExporter();
api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
api.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
const app = require(process.argv[2]);
(async () => {
  const result = await app.top();
  try { app.fails(); } catch (error) { if (!(error instanceof RangeError)) throw error; }
  const spans = exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parent: (s.parentSpanContext || s.parentSpanId && { spanId: s.parentSpanId } || {}).spanId || null,
    attributes: s.attributes,
    status: s.status,
    events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
  }));
  console.log(JSON.stringify({ result, spans }));
})();
`;

// A `var` naming a parameter would start out undefined inside the profile's callback: such a
// function is refused, the others are instrumented.
const LEGACY = `function withDefaults(options) {
  var options = options || {};
  return options.size;
}

module.exports = { withDefaults };
`;

function telinject(args, cwd, { refused = [] } = {}) {
  const done = spawnSync(binary, args, { cwd, encoding: 'utf8' });
  if (refused.length === 0) assert.equal(done.status, 0, done.stderr);
  for (const name of refused)
    assert.match(done.stderr, new RegExp(`${name}: \`var options\` redeclares a parameter`));
  return done.stdout;
}

test('nested spans, attributes and exceptions through the real SDK', (t) => {
  const work = mkdtempSync(join(tmpdir(), 'telinject-otel-js-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{"name": "app", "private": true}\n');
  writeFileSync(join(project, 'app.js'), APP);
  writeFileSync(join(project, 'legacy.js'), LEGACY);
  writeFileSync(join(work, 'runner.cjs'), RUNNER);

  telinject(['instrument', project, '--profile', 'opentelemetry'], work, { refused: ['legacy.withDefaults'] });
  assert.equal(readFileSync(join(project, 'legacy.js'), 'utf8'), LEGACY);
  const instrumented = readFileSync(join(project, 'app.js'), 'utf8');
  assert.equal(instrumented.split('\n').length, APP.split('\n').length);
  assert.match(instrumented, /startSpan\("app\.top"/);

  const ran = spawnSync(process.execPath, [join(work, 'runner.cjs'), join(project, 'app.js')], {
    cwd: work, encoding: 'utf8', env: { ...process.env, NODE_PATH: modules },
  });
  assert.equal(ran.status, 0, ran.stderr);
  const { result, spans } = JSON.parse(ran.stdout);
  assert.deepEqual(result, { sum: 4 + 3 + 4 + 2 + 2, activeName: 'app.middle' });

  const byName = (name) => spans.filter((s) => s.name === name);
  const [top] = byName('app.top');
  const [middle] = byName('app.middle');
  assert.equal(top.parent, null);
  for (const s of spans.filter((s) => s.name !== 'app.fails')) assert.equal(s.traceId, top.traceId, s.name);
  assert.equal(middle.parent, top.spanId);
  const fetches = byName('app.fetchLater');
  assert.equal(fetches.length, 2);
  for (const f of fetches) assert.equal(f.parent, top.spanId);
  // leaf: one under middle, one after an await under each fetchLater (not under its sibling),
  // two from the generator (not made active: under top), one under the arrow.
  const leaves = byName('app.leaf');
  assert.equal(leaves.length, 6);
  const parentNames = leaves.map((l) => spans.find((s) => s.spanId === l.parent)?.name).sort();
  assert.deepEqual(parentNames, ['app.double', 'app.fetchLater', 'app.fetchLater', 'app.middle', 'app.top', 'app.top']);
  for (const f of fetches)
    assert.equal(leaves.filter((l) => l.parent === f.spanId).length, 1);
  assert.equal(byName('app.numbers')[0].parent, top.spanId);
  assert.equal(byName('app.double')[0].parent, top.spanId);

  assert.deepEqual(top.attributes, {
    'code.function.name': 'app.top', 'code.file.path': 'app.js',
    'code.line.number': APP.split('\n').findIndex((l) => l.startsWith('async function top')) + 1,
  });
  assert.equal(top.status.code, 0);
  const [fails] = byName('app.fails');
  assert.equal(fails.status.code, 2); // SpanStatusCode.ERROR
  assert.equal(fails.events.length, 1);
  assert.equal(fails.events[0].name, 'exception');
  assert.equal(fails.events[0].attributes['exception.type'], 'RangeError');
  assert.equal(fails.events[0].attributes['exception.message'], 'bad input');

  // Idempotent, and `remove` gives the bytes back.
  const again = JSON.parse(telinject(['instrument', project, '--profile', 'opentelemetry', '--format', 'json'], work,
                                     { refused: ['legacy.withDefaults'] }));
  assert.equal(again.files_changed, 0);
  assert.equal(readFileSync(join(project, 'app.js'), 'utf8'), instrumented);
  telinject(['remove', project], work);
  assert.equal(readFileSync(join(project, 'app.js'), 'utf8'), APP);
});

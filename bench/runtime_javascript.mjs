// Cost per call of the JavaScript runtime helper (runtime/javascript), next to the OpenTelemetry
// JS SDK doing the same job. One small function, called in a loop inside an instrumented outer
// function (so each call is a child span, the common case), timed as:
//   plain                  the function as written
//   instrumented, off      telinject's builtin profile, TELINJECT_OUT unset
//   recording, defaults    TELINJECT_OUT set, default volume settings (rate limit 1000,10: past
//                          the first calls, the cost of a call that is not recorded)
//   recording, every call  TELINJECT_RATE_LIMIT=off TELINJECT_MAX_BYTES=off: every span buffered,
//                          serialised and written (to /dev/null unless BENCH_OUT names a file)
//   recording, roots       the same, each call a root span (a new trace id per call)
//   otel sdk               telinject's opentelemetry profile over @opentelemetry/sdk-trace-base:
//                          BasicTracerProvider, BatchSpanProcessor with an exporter that drops
//                          the spans, AsyncLocalStorageContextManager
// The loop yields to the event loop every 1000 calls in every mode, so timers (ours, the batch
// processor's) run as they would in a program; what is timed is the CPU time of the calls
// (process.cpuUsage), which a busy machine disturbs less than the wall clock. Timers that fire
// between chunks (our 100 ms flush, the batch processor's export) are not counted; blocks written
// because the buffer filled are.
//
//   [BENCH_RUNTIME=old/telinject_runtime.cjs] [BENCH_ONLY=text] node bench/runtime_javascript.mjs [OTEL_NODE_MODULES]
// BENCH_ONLY: only the modes whose name holds `text` (and plain), e.g. "every call" to compare
// two helpers run alternately, where a whole run takes too long for a machine whose load moves.
// OTEL_NODE_MODULES: node_modules holding the SDK pinned in tests/js-otel (bench/run_runtime_js.sh
// installs it into ~/.cache/telinject-tools); without it the SDK row is left out.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const CALLS = Number(process.env.BENCH_CALLS || 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);

delete process.env.TELINJECT_OUT;
// BENCH_RUNTIME: another copy of the helper (an older one, to compare).
const runtime = require(process.env.BENCH_RUNTIME ||
                        join(here, '..', 'runtime', 'javascript', 'telinject_runtime.cjs'));
const _telinject = runtime;

// The function, as written and as telinject's profiles instrument it.
function plain(x) {
  return (x * 31 + 7) % 1000;
}
function instrumented(x) { const _telinject_span = _telinject.enter("bench.work", "function"); try {
  return (x * 31 + 7) % 1000;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

let _telinject_otel = null;
let otelWork = null;
let otelOuter = null;

async function loop(work, outer) {
  let total = 0n;
  let sum = 0;
  for (let done = 0; done < CALLS; done += 1000) {
    const start = process.cpuUsage();
    sum += outer(work, 1000);
    const used = process.cpuUsage(start);
    total += BigInt(used.user + used.system);
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (sum < 0) throw new Error('unreachable');
  return (Number(total) * 1000) / CALLS; // µs of CPU -> ns per call
}

function plainOuter(work, n) {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += work(i);
  return sum;
}
function instrumentedOuter(work, n) { const _telinject_span = _telinject.enter("bench.outer", "function"); try {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += work(i);
  return sum;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

function setUpOtel(modules) {
  const load = (name) => require(join(modules, name));
  _telinject_otel = load('@opentelemetry/api');
  const { BasicTracerProvider, BatchSpanProcessor } = load('@opentelemetry/sdk-trace-base');
  const { AsyncLocalStorageContextManager } = load('@opentelemetry/context-async-hooks');
  const exporter = { export: (spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  _telinject_otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  _telinject_otel.trace.setGlobalTracerProvider(provider);
  // What telinject's opentelemetry profile writes (core/languages/javascript).
  const source = require('node:fs').readFileSync(join(here, 'runtime_javascript_otel.cjs'), 'utf8');
  const module = { exports: {} };
  new Function('module', '_telinject_otel', source)(module, _telinject_otel);
  ({ work: otelWork, outer: otelOuter } = module.exports);
}

function configure(path, env) {
  for (const key of ['TELINJECT_RATE_LIMIT', 'TELINJECT_MAX_BYTES', 'TELINJECT_SAMPLE']) delete process.env[key];
  Object.assign(process.env, env);
  runtime.configure({ path });
}

const modes = [
  ['plain', () => loop(plain, plainOuter)],
  ['instrumented, off', () => (configure(null, {}), loop(instrumented, instrumentedOuter))],
  ['recording, defaults', () => (configure(process.env.BENCH_OUT || '/dev/null', {}),
                                 loop(instrumented, instrumentedOuter))],
  ['recording, every call', () => (configure(process.env.BENCH_OUT || '/dev/null',
                                             { TELINJECT_RATE_LIMIT: 'off', TELINJECT_MAX_BYTES: 'off' }),
                                   loop(instrumented, instrumentedOuter))],
  ['recording, every call, roots', () => (configure(process.env.BENCH_OUT || '/dev/null',
                                                    { TELINJECT_RATE_LIMIT: 'off', TELINJECT_MAX_BYTES: 'off' }),
                                          loop(instrumented, plainOuter))],
];
const otelModules = process.argv[2];
if (otelModules) {
  setUpOtel(otelModules);
  modes.push(['otel sdk (opentelemetry profile)', () => (configure(null, {}), loop(otelWork, otelOuter))]);
}

if (process.env.BENCH_ONLY) {
  const kept = modes.filter(([name]) => name === 'plain' || name.includes(process.env.BENCH_ONLY));
  modes.splice(0, modes.length, ...kept);
}
const results = new Map(modes.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round++)
  for (const [name, run] of modes) results.get(name).push(await run());
configure(null, {});

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(results.get('plain'));
const off = results.has('instrumented, off') ? median(results.get('instrumented, off')) : NaN;
const every = results.has('recording, every call') ? median(results.get('recording, every call')) : NaN;
console.log(`node ${process.versions.node}, ${CALLS} calls x ${ROUNDS} rounds, median CPU ns/call`);
for (const [name, values] of results) {
  const ns = median(values);
  let line = `${name.padEnd(36)} ${ns.toFixed(1).padStart(8)} ns   x${(ns / base).toFixed(1)} plain`;
  if (name === 'recording, every call') line += `   +${(ns - off).toFixed(1)} ns over off`;
  if (name.startsWith('otel')) line += `   x${(ns / every).toFixed(1)} recording every call`;
  console.log(line);
}

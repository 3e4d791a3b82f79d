"""Cost of the Python runtime helper per call: a plain function against the same function
instrumented, each configuration in a fresh interpreter, plain and instrumented measured in the
same run (best of several repeats). Prints ns per call and the ratio to the plain call.

  off          TELINJECT_OUT unset
  recording    TELINJECT_OUT set, default limits (a hot function is soon rate-limited)
  every call   TELINJECT_OUT set, TELINJECT_RATE_LIMIT=off: every call recorded and written
  otel sdk     the OpenTelemetry SDK's own span (start_as_current_span, BatchSpanProcessor with
               an exporter that discards), when importable (e.g. PYTHONPATH=the src folders of
               opentelemetry-api, -sdk and -semantic-conventions from a source checkout)

Each timing is the best of many short loops (2,000 calls): on a busy machine a short loop is
more likely to run undisturbed. The recording timings include writing the records (a flush at
the end of each loop).
  python3 bench/runtime_overhead.py [--runtime DIR] [--repeat N]
--runtime: the folder holding the telinject_runtime.py to measure (default: runtime/python);
e.g. an older version extracted with `git show`, to compare.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.join(HERE, "..", "runtime", "python")

PROGRAM = r"""
import sys, time
import telinject_runtime as _telinject
def plain(x):
    return x + 1
def instrumented(x):
    with _telinject.span("bench.instrumented"):
        return x + 1
def loop(f, n):
    start = time.perf_counter_ns()
    for _ in range(n):
        f(1)
    _telinject.flush()  # the records' writing is part of their cost
    return time.perf_counter_ns() - start
n, repeat = int(sys.argv[1]), int(sys.argv[2])
best = {"plain": float("inf"), "instrumented": float("inf")}
for _ in range(repeat):  # interleaved: both see the same machine load
    for f in (plain, instrumented):
        best[f.__name__] = min(best[f.__name__], loop(f, n) / n)
for name, value in best.items():
    print(name, round(value, 1))
"""

OTEL_PROGRAM = r"""
import sys, time
try:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
except ImportError:
    print("missing 0")
    sys.exit(0)
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult


class Discard(SpanExporter):
    def export(self, spans):
        return SpanExportResult.SUCCESS


# As the Node and Go rows: the batch processor, its exporter dropping what it is given.
provider = TracerProvider()
provider.add_span_processor(BatchSpanProcessor(Discard()))
trace.set_tracer_provider(provider)
tracer = trace.get_tracer(__name__)
def plain(x):
    return x + 1
def instrumented(x):
    with tracer.start_as_current_span("bench.instrumented"):
        return x + 1
def loop(f, n):
    start = time.perf_counter_ns()
    for _ in range(n):
        f(1)
    return time.perf_counter_ns() - start
n, repeat = int(sys.argv[1]), int(sys.argv[2])
best = {"plain": float("inf"), "instrumented": float("inf")}
for _ in range(repeat):
    for f in (plain, instrumented):
        best[f.__name__] = min(best[f.__name__], loop(f, n) / n)
for name, value in best.items():
    print(name, round(value, 1))
"""


def run(program, runtime, n, repeat, **env_vars):
    # The caller's PYTHONPATH stays after the runtime's folder: it may hold the OpenTelemetry SDK.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [runtime, os.environ.get("PYTHONPATH")])))
    for key in ("TELINJECT_OUT", "TELINJECT_SAMPLE", "TELINJECT_RATE_LIMIT",
                "TELINJECT_MAX_BYTES", "TRACEPARENT"):
        env.pop(key, None)
    env.update(env_vars)
    out = subprocess.run([sys.executable, "-c", program, str(n), str(repeat)], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    return dict(zip(out[0::2], map(float, out[1::2])))


def show(label, result):
    if "missing" in result:
        print(f"{label:34} SDK not installed (import opentelemetry.sdk failed)")
        return
    plain, cost = result["plain"], result["instrumented"]
    print(f"{label:34} {cost:8.1f} ns/call  {cost / plain:5.2f}x plain (+{cost - plain:.1f} ns; "
          f"plain {plain:.1f} ns in the same run)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", default=RUNTIME)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    runtime = os.path.abspath(args.runtime)
    print(f"{sys.implementation.name} {sys.version.split()[0]}, runtime {runtime}")
    show("instrumented, TELINJECT_OUT unset", run(PROGRAM, runtime, 2000, args.repeat))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "spans.jsonl")
        show("instrumented, recording (default)",
             run(PROGRAM, runtime, 2000, args.repeat, TELINJECT_OUT=out))
        os.unlink(out)
        show("instrumented, every call recorded",
             run(PROGRAM, runtime, 2000, args.repeat, TELINJECT_OUT=out,
                 TELINJECT_RATE_LIMIT="off", TELINJECT_MAX_BYTES="off"))
    # Shorter loops for the slower SDK span: each loop about as long as the others (a long loop
    # is seldom undisturbed on a busy machine, which would overstate its cost).
    show("OpenTelemetry SDK span", run(OTEL_PROGRAM, runtime, 400, args.repeat))


if __name__ == "__main__":
    main()

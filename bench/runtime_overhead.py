"""Cost of the Python runtime helper per call: a plain function against the same function
instrumented, with TELINJECT_OUT unset (disabled) and set (recording). Prints ns per call."""
import os
import subprocess
import sys
import tempfile
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.join(HERE, "..", "runtime", "python")

PROGRAM = r"""
import timeit, sys
import telinject_runtime as _telinject
def plain(x):
    return x + 1
def instrumented(x):
    with _telinject.span("bench.instrumented"):
        return x + 1
n = int(sys.argv[1])
for f in (plain, instrumented):
    best = min(timeit.repeat(lambda: f(1), number=n, repeat=5))
    print(f.__name__, round(best / n * 1e9, 1))
"""


def run(env_out, n):
    env = dict(os.environ, PYTHONPATH=RUNTIME)
    env.pop("TELINJECT_OUT", None)
    if env_out:
        env["TELINJECT_OUT"] = env_out
    out = subprocess.run([sys.executable, "-c", PROGRAM, str(n)], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return dict(zip(out[0::2], map(float, out[1::2])))


def main():
    off = run(None, 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        on = run(os.path.join(tmp, "spans.jsonl"), 100_000)
    print(f"plain call                       {off['plain']:8.1f} ns")
    print(f"instrumented, TELINJECT_OUT unset {off['instrumented']:8.1f} ns  (+{off['instrumented'] - off['plain']:.1f} ns)")
    print(f"instrumented, recording           {on['instrumented']:8.1f} ns  (+{on['instrumented'] - on['plain']:.1f} ns)")


if __name__ == "__main__":
    main()

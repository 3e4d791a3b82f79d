"""Tests of telinject_runtime: each runs a small program, instrumented the way telinject
instruments code, in a fresh interpreter with TELINJECT_OUT set, and reads the records back."""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def run_program(test, source, env=None, extra_files=None, returncode=0):
    """Runs `source` as main.py beside the runtime; returns (span records, completed process);
    the process's `lines` are all the lines of the file (spans, resource and dropped lines)."""
    work = tempfile.mkdtemp(prefix="telinject-runtime-")
    test.addCleanup(lambda: subprocess.run(["rm", "-rf", work]))
    with open(os.path.join(work, "main.py"), "w", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(source))
    for name, text in (extra_files or {}).items():
        path = os.path.join(work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text))
    out = os.path.join(work, "spans.jsonl")
    full_env = dict(os.environ, PYTHONPATH=os.pathsep.join([work, HERE]), TELINJECT_OUT=out)
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    full_env.update(env or {})
    if full_env.get("TELINJECT_OUT") is None:
        del full_env["TELINJECT_OUT"]
    done = subprocess.run([sys.executable, os.path.join(work, "main.py")], env=full_env,
                          capture_output=True, text=True, timeout=120, cwd=work)
    test.assertEqual(done.returncode, returncode, done.stderr)
    done.lines = []
    if os.path.exists(out):
        with open(out, encoding="utf-8") as handle:
            done.lines = [json.loads(line) for line in handle]
    done.out = out
    return [r for r in done.lines if "span_id" in r], done


def by_name(records, name):
    return [r for r in records if r["name"] == name]


class Recording(unittest.TestCase):
    def test_sync_nested_and_fields(self):
        records, _ = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def inner(x):
                with _telinject.span("main.inner"):
                    return x * 2
            def outer(x):
                with _telinject.span("main.outer"):
                    return inner(x) + 1
            assert outer(3) == 7
        """)
        self.assertEqual([r["name"] for r in records], ["main.inner", "main.outer"])
        inner, outer = records
        self.assertEqual(inner["parent_span_id"], outer["span_id"])
        self.assertEqual(inner["trace_id"], outer["trace_id"])
        self.assertIsNone(outer["parent_span_id"])
        self.assertEqual(len(outer["trace_id"]), 32)
        self.assertEqual(len(outer["span_id"]), 16)
        self.assertEqual(outer["status"], "ok")
        self.assertTrue(outer["code.file.path"].endswith("main.py"))
        # The def line before telinject added the import and inner's `with` row: 6 - 2 = 4.
        self.assertEqual(outer["code.line.number"], 4)
        self.assertEqual(outer["code.function.name"], "main.outer")
        self.assertGreaterEqual(outer["duration_ns"], inner["duration_ns"])
        self.assertEqual(outer["process.pid"], inner["process.pid"])

    def test_exceptions_pass_through_unchanged(self):
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            class Boom(Exception):
                pass
            error = Boom("x")
            def fails():
                with _telinject.span("main.fails"):
                    raise error
            try:
                fails()
            except Boom as caught:
                assert caught is error
                assert caught.__traceback__.tb_next.tb_frame.f_code.co_name == "fails"
                print("same object")
            def stops():
                with _telinject.span("main.stops"):
                    raise StopIteration
            try:
                stops()
            except StopIteration:
                pass
        """)
        self.assertIn("same object", done.stdout)
        self.assertEqual(by_name(records, "main.fails")[0]["status"], "error")
        self.assertEqual(by_name(records, "main.fails")[0]["exception.type"], "__main__.Boom")
        self.assertEqual(by_name(records, "main.stops")[0]["status"], "ok")

    def test_generators_do_not_leak_their_span(self):
        records, _ = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def gen():
                with _telinject.span("main.gen", generator=True):
                    yield 1
                    yield 2
            def other():
                with _telinject.span("main.other"):
                    return 0
            def caller():
                with _telinject.span("main.caller"):
                    g = gen()
                    next(g)
                    other()          # runs while gen is suspended
                    list(g)
            caller()
        """)
        caller = by_name(records, "main.caller")[0]
        self.assertEqual(by_name(records, "main.gen")[0]["parent_span_id"], caller["span_id"])
        self.assertEqual(by_name(records, "main.other")[0]["parent_span_id"], caller["span_id"])

    def test_asyncio_tasks_inherit_the_caller(self):
        records, _ = run_program(self, """
            import asyncio
            import telinject_runtime as _telinject  # telinject
            async def work(n):
                with _telinject.span("main.work"):
                    await asyncio.sleep(0.001 * n)
                    return n
            async def agen():
                with _telinject.span("main.agen", generator=True):
                    yield 1
            async def main():
                with _telinject.span("main.main"):
                    results = await asyncio.gather(*(work(n) for n in range(4)))
                    assert results == [0, 1, 2, 3]
                    assert [x async for x in agen()] == [1]
            asyncio.run(main())
        """)
        root = by_name(records, "main.main")[0]
        works = by_name(records, "main.work")
        self.assertEqual(len(works), 4)
        for work in works:
            self.assertEqual(work["parent_span_id"], root["span_id"])
            self.assertEqual(work["trace_id"], root["trace_id"])
        self.assertEqual(by_name(records, "main.agen")[0]["parent_span_id"], root["span_id"])

    def test_threads_get_the_starting_span_as_parent(self):
        records, _ = run_program(self, """
            import threading
            import telinject_runtime as _telinject  # telinject
            def child():
                with _telinject.span("main.child"):
                    return 1
            def parent():
                with _telinject.span("main.parent"):
                    t = threading.Thread(target=child)
                    t.start()
                    t.join()
            parent()
        """)
        parent = by_name(records, "main.parent")[0]
        child = by_name(records, "main.child")[0]
        self.assertEqual(child["parent_span_id"], parent["span_id"])
        self.assertNotEqual(child["thread.id"], parent["thread.id"])

    def test_stack_is_unchanged(self):
        _, done = run_program(self, """
            import sys, warnings
            import telinject_runtime as _telinject  # telinject
            def who_called():
                with _telinject.span("main.who_called"):
                    return sys._getframe(1).f_code.co_name
            def deprecated():
                with _telinject.span("main.deprecated"):
                    warnings.warn("old", DeprecationWarning, stacklevel=2)
            def caller():
                return who_called()
            assert caller() == "caller"
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                deprecated()   # line 15
            assert caught[0].lineno == 15, caught[0].lineno
            assert caught[0].filename.endswith("main.py")
            print("ok")
        """)
        self.assertIn("ok", done.stdout)

    def test_disabled_costs_nothing_and_writes_nothing(self):
        records, done = run_program(self, """
            import os
            import telinject_runtime as _telinject  # telinject
            a = _telinject.span("x")
            b = _telinject.span("y", generator=True)
            assert a is b, "one shared no-op object"
            assert not _telinject.enabled()
            with a:
                pass
            print(sorted(os.listdir(".")))
        """, env={"TELINJECT_OUT": None})
        self.assertEqual(records, [])
        self.assertNotIn("spans.jsonl", done.stdout)

    def test_no_recursion_when_the_helper_uses_instrumented_code(self):
        # os.write is replaced by an instrumented function: the record written from inside the
        # helper must not start a span of its own (else: infinite recursion).
        records, _ = run_program(self, """
            import os
            import telinject_runtime as _telinject  # telinject
            real_write = os.write
            def instrumented_write(fd, data):
                with _telinject.span("main.instrumented_write"):
                    return real_write(fd, data)
            os.write = instrumented_write
            def f():
                with _telinject.span("main.f"):
                    return 1
            f()
            os.write = real_write
        """)
        self.assertEqual([r["name"] for r in records], ["main.f"])

    def test_fork_child_and_parent_both_write_without_duplicates(self):
        records, _ = run_program(self, """
            import os, sys
            import telinject_runtime as _telinject  # telinject
            def f(who):
                with _telinject.span("main.f." + who):
                    return 1
            f("before")                # buffered: written once, before the fork
            pid = os.fork()
            if pid == 0:
                f("child")
                sys.exit(0)            # a normal exit of the child writes its records
            os.waitpid(pid, 0)
            f("parent")
        """)
        names = sorted(r["name"] for r in records)
        self.assertEqual(names, ["main.f.before", "main.f.child", "main.f.parent"])
        child = by_name(records, "main.f.child")[0]
        parent = by_name(records, "main.f.parent")[0]
        self.assertNotEqual(child["process.pid"], parent["process.pid"])
        self.assertEqual(by_name(records, "main.f.before")[0]["process.pid"], parent["process.pid"])

    def test_writer_thread_writes_without_an_exit(self):
        # os._exit skips atexit: what the writer wrote every 100 ms is all there is.
        records, _ = run_program(self, """
            import os, time
            import telinject_runtime as _telinject  # telinject
            def f():
                with _telinject.span("main.f"):
                    return 1
            f()
            time.sleep(1.0)
            os._exit(0)
        """)
        self.assertEqual([r["name"] for r in records], ["main.f"])

    def test_forwards_to_a_configured_opentelemetry_sdk(self):
        fake = {
            "opentelemetry/__init__.py": "",
            "opentelemetry/trace.py": """
                import contextlib
                started = []
                class SdkTracerProvider:
                    def get_tracer(self, name):
                        return self
                    @contextlib.contextmanager
                    def start_as_current_span(self, name, attributes=None):
                        started.append((name, dict(attributes or {})))
                        yield
                _provider = SdkTracerProvider()
                def get_tracer_provider():
                    return _provider
            """,
        }
        _, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            import opentelemetry.trace as otel
            def f():
                with _telinject.span("main.f"):
                    return 1
            f()
            print(otel.started)
        """, env={"TELINJECT_OUT": None}, extra_files=fake)
        self.assertIn("('main.f', {'code.function.name': 'main.f'", done.stdout)


if __name__ == "__main__":
    unittest.main()

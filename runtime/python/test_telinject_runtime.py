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
        records, done = run_program(self, """
            import os, sys
            import telinject_runtime as _telinject  # telinject
            def f(who):
                with _telinject.span("main.f." + who):
                    return 1
            f("before")                # buffered: written once, before the fork
            import warnings
            warnings.simplefilter("always")
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
        # The writer thread ends before a fork: Python 3.12+ warns of forking with threads.
        self.assertNotIn("multi-threaded", done.stderr)

    def test_multiprocessing_workers_write_before_their_os_exit(self):
        records, _ = run_program(self, """
            import multiprocessing
            import telinject_runtime as _telinject  # telinject
            def square(x):
                with _telinject.span("main.square"):
                    return x * x
            if __name__ == "__main__":
                with multiprocessing.get_context("fork").Pool(2) as pool:
                    assert pool.map(square, range(20)) == [x * x for x in range(20)]
                    pool.close()
                    pool.join()
        """)
        self.assertEqual(len(by_name(records, "main.square")), 20)

    def test_copies_of_the_helper_share_one_instance(self):
        # A package's helper and a tests folder's: one resource line, one summary.
        records, done = run_program(self, """
            import pkg.telinject_runtime as first
            import telinject_runtime as second
            assert first is second
            from pkg import work
            def f():
                with second.span("main.f"):
                    return work.g()
            for _ in range(3):
                f()
        """, env={"TELINJECT_RATE_LIMIT": "1,0"}, extra_files={
            "pkg/__init__.py": "",
            "pkg/telinject_runtime.py": open(os.path.join(HERE, "telinject_runtime.py")).read(),
            "pkg/work.py": """
                import pkg.telinject_runtime as _telinject  # isort: skip
                def g():
                    with _telinject.span("pkg.work.g"):
                        return 1
            """})
        self.assertEqual(sum("resource" in line for line in done.lines), 1)
        self.assertEqual(done.stderr.count("not recorded"), 1, done.stderr)
        self.assertEqual([r["name"] for r in records], ["pkg.work.g", "main.f"])
        self.assertEqual(records[0]["parent_span_id"], records[1]["span_id"])

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


def dropped(done, reason=None):
    """{function name: count} of the dropped lines (summed, as the spec says they add up)."""
    counts = {}
    for line in done.lines:
        if "dropped" in line and (reason is None or line["reason"] == reason):
            counts[line["name"]] = counts.get(line["name"], 0) + line["dropped"]
    return counts


EVERY_CALL = {"TELINJECT_RATE_LIMIT": "off", "TELINJECT_MAX_BYTES": "off"}


class Volume(unittest.TestCase):
    def test_sampling_keeps_whole_traces(self):
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def leaf():
                with _telinject.span("main.leaf"):
                    return 1
            def root():
                with _telinject.span("main.root"):
                    return leaf() + leaf()
            for _ in range(1000):
                root()
        """, env=dict(EVERY_CALL, TELINJECT_SAMPLE="0.5"))
        traces = {}
        for record in records:
            traces.setdefault(record["trace_id"], []).append(record["name"])
        for names in traces.values():
            self.assertEqual(sorted(names), ["main.leaf", "main.leaf", "main.root"])
        kept = len(traces)
        self.assertTrue(400 <= kept <= 600, kept)
        self.assertEqual(dropped(done, "sampling"), {"main.root": 1000 - kept,
                                                     "main.leaf": 2 * (1000 - kept)})
        summary = [l for l in done.stderr.splitlines() if "not recorded" in l]
        self.assertEqual(summary, [
            "telinject: %d spans written to %s, %d not recorded (rate limit 0, sampling %d, "
            "size cap 0); TELINJECT_RATE_LIMIT=off TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off "
            "record every call" % (3 * kept, done.out, 3 * (1000 - kept), 3 * (1000 - kept))])

    def test_sample_zero_and_one(self):
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def f():
                with _telinject.span("main.f"):
                    return 1
            for _ in range(50):
                f()
        """, env={"TELINJECT_SAMPLE": "0"})
        self.assertEqual(records, [])
        self.assertEqual(dropped(done), {"main.f": 50})
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def f():
                with _telinject.span("main.f"):
                    return 1
            for _ in range(50):
                f()
        """, env={"TELINJECT_SAMPLE": "1"})
        self.assertEqual(len(records), 50)
        self.assertEqual(dropped(done), {})
        self.assertEqual(done.stderr, "")  # nothing dropped: no summary

    def test_rate_limit_counts_drops_and_keeps_the_tree_connected(self):
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def g():
                with _telinject.span("main.g"):
                    return 1
            def f(i):
                with _telinject.span("main.f"):
                    return g() if i == 99 else 0
            def outer():
                with _telinject.span("main.outer"):
                    for i in range(100):
                        f(i)
            outer()
        """, env={"TELINJECT_RATE_LIMIT": "5,0"})
        self.assertEqual(len(by_name(records, "main.f")), 5)
        self.assertEqual(dropped(done, "rate_limit"), {"main.f": 95})
        # g's only call ran inside a call of f the limit skipped: its parent is f's caller.
        outer = by_name(records, "main.outer")[0]
        self.assertEqual(by_name(records, "main.g")[0]["parent_span_id"], outer["span_id"])
        self.assertIn("(rate limit 95, sampling 0, size cap 0)", done.stderr)

    def test_rate_limit_refills_at_its_rate(self):
        # A fake clock: the first 2 calls, then 10 per second with at most 10 in a row.
        _, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            clock = [10**12]
            _telinject._perf_ns = lambda: clock[0]
            recorded = []
            def f():
                with _telinject.span("main.f"):
                    return 1
            def calls(n):
                before = len(_telinject._buffer)
                for _ in range(n):
                    f()
                recorded.append(len(_telinject._buffer) - before)
                _telinject.flush()
            calls(2)                 # the first N
            calls(20)                # the bucket starts empty
            clock[0] += 100_000_000  # 0.1 s: one more
            calls(20)
            clock[0] += 50_000_000   # 0.05 s: none
            calls(20)
            clock[0] += 60 * 10**9   # a quiet minute: a second's worth
            calls(20)
            print(recorded)
        """, env={"TELINJECT_RATE_LIMIT": "2,10"})
        self.assertEqual(done.stdout.strip(), "[2, 0, 1, 0, 10]")
        self.assertEqual(dropped(done, "rate_limit"), {"main.f": 20 + 19 + 20 + 10})

    def test_size_cap_holds_and_warns_once(self):
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def f():
                with _telinject.span("main.f"):
                    return 1
            for i in range(3000):
                f()
                if i % 500 == 0:
                    _telinject.flush()
        """, env={"TELINJECT_RATE_LIMIT": "off", "TELINJECT_MAX_BYTES": "20k"})
        with open(done.out, "rb") as handle:
            data = handle.read()
        dropped_bytes = sum(len(line) + 1 for line in data.split(b"\n") if b'"dropped"' in line)
        self.assertLessEqual(len(data) - dropped_bytes, 20000)
        self.assertGreater(len(data) - dropped_bytes, 19000)
        self.assertEqual(len(records) + dropped(done, "size_cap")["main.f"], 3000)
        self.assertEqual(done.stderr.count("reached TELINJECT_MAX_BYTES"), 1, done.stderr)
        self.assertIn("size cap %d)" % (3000 - len(records)), done.stderr)

    def test_bad_values_warn_once_and_use_the_default(self):
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def f():
                with _telinject.span("main.f"):
                    return 1
            f()
        """, env={"TELINJECT_SAMPLE": "2", "TELINJECT_RATE_LIMIT": "fast",
                  "TELINJECT_MAX_BYTES": "10X", "TRACEPARENT": "00-xyz-1-01"})
        self.assertEqual(len(records), 1)
        for name in ("TELINJECT_SAMPLE", "TELINJECT_RATE_LIMIT", "TELINJECT_MAX_BYTES",
                     "TRACEPARENT"):
            self.assertEqual(done.stderr.count(name + "="), 1, done.stderr)


class Records(unittest.TestCase):
    def test_resource_line_first_with_otel_variables(self):
        _, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def f():
                with _telinject.span("main.f"):
                    return 1
            f()
        """, env={"OTEL_SERVICE_NAME": "checkout",
                  "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=prod,team=a%2Cb%20c"})
        resource = done.lines[0]["resource"]
        self.assertEqual(resource["service.name"], "checkout")
        self.assertEqual(resource["telemetry.sdk.name"], "telinject")
        self.assertEqual(resource["telemetry.sdk.language"], "python")
        self.assertEqual(resource["deployment.environment"], "prod")
        self.assertEqual(resource["team"], "a,b c")
        self.assertEqual(resource["process.pid"], done.lines[1]["process.pid"])
        self.assertEqual(sum("resource" in line for line in done.lines), 1)
        _, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            with _telinject.span("main.x"):
                pass
        """)
        self.assertEqual(done.lines[0]["resource"]["service.name"], "unknown_service:python")

    def test_exception_message(self):
        records, _ = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def f():
                with _telinject.span("main.f"):
                    raise ValueError('bad "value"\\n')
            try:
                f()
            except ValueError:
                pass
        """)
        self.assertEqual(records[0]["status"], "error")
        self.assertEqual(records[0]["exception.type"], "ValueError")
        self.assertEqual(records[0]["exception.message"], 'bad "value"\n')

    def test_traceparent_links_roots_to_the_callers_span(self):
        records, _ = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def inner():
                with _telinject.span("main.inner"):
                    return 1
            def f():
                with _telinject.span("main.f"):
                    return inner()
            f()
            f()
        """, env={"TRACEPARENT": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                  "TELINJECT_SAMPLE": "0"})  # the parent's decision wins
        roots = by_name(records, "main.f")
        self.assertEqual(len(roots), 2)
        for root in roots:
            self.assertEqual(root["trace_id"], "0af7651916cd43dd8448eb211c80319c")
            self.assertEqual(root["parent_span_id"], "b7ad6b7169203331")
        self.assertEqual({r["parent_span_id"] for r in by_name(records, "main.inner")},
                         {r["span_id"] for r in roots})
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            with _telinject.span("main.x"):
                pass
        """, env={"TRACEPARENT": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"})
        self.assertEqual(records, [])
        self.assertEqual(dropped(done, "sampling"), {"main.x": 1})


def exporter_settings(test, env):
    """(the exporter's settings as a dict or None, stderr) of a process started with `env`."""
    full_env = {key: value for key, value in os.environ.items()
                if not key.startswith(("OTEL_", "TELINJECT_"))}
    full_env.update(env, PYTHONPATH=HERE)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import json, telinject_runtime as t
        e = t._exporter
        print(json.dumps(e and {name: getattr(e, name) for name in t._Exporter.__slots__}))
        print(t.enabled())
    """)], env=full_env, capture_output=True, text=True, timeout=60)
    test.assertEqual(done.returncode, 0, done.stderr)
    settings, enabled = done.stdout.splitlines()
    settings = json.loads(settings)
    test.assertEqual(enabled, str(settings is not None))
    return settings, done.stderr


class Otlp(unittest.TestCase):
    def test_exporter_on_only_when_listed(self):
        for value, on in (("otlp", True), ("console, OTLP", True), ("none", False), ("", False),
                          ("zipkin", False)):
            settings, _ = exporter_settings(self, {"OTEL_TRACES_EXPORTER": value})
            self.assertEqual(settings is not None, on, value)

    def test_endpoints(self):
        on = {"OTEL_TRACES_EXPORTER": "otlp"}
        cases = [
            ({}, ("localhost", 4318, "/v1/traces", False)),
            ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4000/"},
             ("collector", 4000, "/v1/traces", False)),
            ({"OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector/base"},
             ("collector", None, "/base/v1/traces", True)),
            ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:1", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT":
              "http://b:2/x?y=1"}, ("b", 2, "/x?y=1", False)),
        ]
        for env, (host, port, path, https) in cases:
            settings, stderr = exporter_settings(self, dict(on, **env))
            self.assertEqual((settings["host"], settings["port"], settings["path"],
                              settings["https"]), (host, port, path, https), env)
            self.assertEqual(stderr, "")
        settings, stderr = exporter_settings(self, dict(on, OTEL_EXPORTER_OTLP_ENDPOINT="ftp://x"))
        self.assertEqual(settings["shown_url"], "http://localhost:4318/v1/traces")
        self.assertIn("OTEL_EXPORTER_OTLP_ENDPOINT", stderr)
        settings, _ = exporter_settings(self, dict(
            on, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://me:secret@host:1/v1/traces"))
        self.assertEqual(settings["shown_url"], "http://host:1/v1/traces")

    def test_protocol_compression_timeout_headers(self):
        on = {"OTEL_TRACES_EXPORTER": "otlp"}
        settings, stderr = exporter_settings(self, on)
        self.assertEqual((settings["json"], settings["gzip"], settings["timeout"]),
                         (False, False, 10.0))
        self.assertEqual(settings["headers"]["Content-Type"], "application/x-protobuf")
        settings, stderr = exporter_settings(self, dict(
            on, OTEL_EXPORTER_OTLP_PROTOCOL="http/json",
            OTEL_EXPORTER_OTLP_TRACES_COMPRESSION="gzip", OTEL_EXPORTER_OTLP_COMPRESSION="none",
            OTEL_EXPORTER_OTLP_TIMEOUT="2500",
            OTEL_EXPORTER_OTLP_HEADERS="a=1,b=x%2Cy", OTEL_EXPORTER_OTLP_TRACES_HEADERS="a=2"))
        self.assertEqual(stderr, "")
        self.assertEqual((settings["json"], settings["gzip"], settings["timeout"]),
                         (True, True, 2.5))
        self.assertEqual({k: v for k, v in settings["headers"].items() if len(k) == 1},
                         {"a": "2", "b": "x,y"})
        self.assertEqual(settings["headers"]["Content-Encoding"], "gzip")
        settings, stderr = exporter_settings(self, dict(on, OTEL_EXPORTER_OTLP_PROTOCOL="grpc"))
        self.assertFalse(settings["json"])
        self.assertEqual(stderr,
                         "telinject: OTLP over grpc is not supported; using http/protobuf\n")
        settings, stderr = exporter_settings(self, dict(
            on, OTEL_EXPORTER_OTLP_TIMEOUT="soon", OTEL_EXPORTER_OTLP_COMPRESSION="zstd",
            OTEL_EXPORTER_OTLP_HEADERS="token", OTEL_EXPORTER_OTLP_TRACES_HEADERS="a=token%0A"))
        self.assertEqual((settings["gzip"], settings["timeout"]), (False, 10.0))
        self.assertNotIn("a", settings["headers"])
        for name in ("OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_COMPRESSION",
                     "OTEL_EXPORTER_OTLP_HEADERS ", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"):
            self.assertEqual(stderr.count(name), 1, stderr)
        self.assertNotIn("token", stderr)  # header values may be secrets

    def test_protobuf_values(self):
        sys.path.insert(0, HERE)
        try:
            import telinject_runtime as runtime
        finally:
            sys.path.remove(HERE)
        self.assertEqual(runtime._varint(0), b"\x00")
        self.assertEqual(runtime._varint(300), b"\xac\x02")
        # int64 -1: ten bytes of two's complement, as protobuf writes negative int64.
        self.assertEqual(runtime._pb_key_value("k", -1),
                         b"\x0a\x01k\x12\x0b\x18" + b"\xff" * 9 + b"\x01")
        self.assertEqual(runtime._pb_key_value("k", True), b"\x0a\x01k\x12\x02\x10\x01")
        self.assertEqual(runtime._pb_key_value("k", "\u00e9"),
                         b"\x0a\x01k\x12\x04\x0a\x02\xc3\xa9")

    def test_otlp_file_has_requests_only_and_the_summary_counts(self):
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def f():
                with _telinject.span("main.f"):
                    pass
            for _ in range(700):
                f()
        """, env={"TELINJECT_OUT_FORMAT": "otlp", "TELINJECT_RATE_LIMIT": "600,0"})
        self.assertEqual(records, [])
        self.assertEqual([list(line) for line in done.lines], [["resourceSpans"]] * 2)
        spans = [span for line in done.lines
                 for span in line["resourceSpans"][0]["scopeSpans"][0]["spans"]]
        self.assertEqual(len(spans), 600)  # 512 + 88: at most 512 spans a request
        self.assertIn("600 spans written to", done.stderr)
        self.assertIn("100 not recorded (rate limit 100,", done.stderr)

    def test_bad_out_format_warns(self):
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            with _telinject.span("main.x"):
                pass
        """, env={"TELINJECT_OUT_FORMAT": "xml"})
        self.assertEqual(len(records), 1)
        self.assertIn("TELINJECT_OUT_FORMAT", done.stderr)


class Delivery(unittest.TestCase):
    PROGRAM = """
        import os, signal, sys, time
        {before}
        import telinject_runtime as _telinject  # telinject
        def f(i):
            with _telinject.span("main.f"):
                return i
        for i in range(2000):
            f(i)
        print("ready", flush=True)
        # Short sleeps: a signal that lands after the last check of pending handlers and before
        # a long sleep starts waits for the sleep to end (CPython runs Python handlers between
        # bytecodes); with the writer thread holding the GIL at times, that hung 4 runs in 40.
        for _ in range(600):
            time.sleep(0.1)
    """

    def killed(self, before="", expect=-15):
        work = tempfile.mkdtemp(prefix="telinject-runtime-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", work]))
        out = os.path.join(work, "spans.jsonl")
        env = dict(os.environ, PYTHONPATH=HERE, TELINJECT_OUT=out, TELINJECT_RATE_LIMIT="100,0")
        process = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(self.PROGRAM.format(before=before))], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(process.stdout.readline().strip(), "ready")
        process.send_signal(15)
        _, stderr = process.communicate(timeout=60)
        self.assertEqual(process.returncode, expect, stderr)
        with open(out, encoding="utf-8") as handle:
            lines = [json.loads(line) for line in handle]
        return [l for l in lines if "span_id" in l], lines, stderr

    def test_records_survive_sigterm(self):
        records, lines, stderr = self.killed()
        self.assertEqual(len(records), 100)
        self.assertIn({"dropped": 1900, "name": "main.f", "reason": "rate_limit",
                       "process.pid": records[0]["process.pid"]}, lines)
        self.assertIn("1900 not recorded", stderr)

    def test_a_programs_own_sigterm_handler_runs(self):
        records, _, _ = self.killed(
            before="signal.signal(signal.SIGTERM, lambda *a: sys.exit(3))", expect=3)
        self.assertEqual(len(records), 100)

    def test_records_survive_an_uncaught_exception(self):
        records, done = run_program(self, """
            import telinject_runtime as _telinject  # telinject
            def f():
                with _telinject.span("main.f"):
                    raise KeyError("lost")
            def g():
                with _telinject.span("main.g"):
                    return 1
            g()
            f()
        """, returncode=1)
        self.assertEqual(sorted(r["name"] for r in records), ["main.f", "main.g"])
        self.assertIn("KeyError", done.stderr)

    def test_threads_lose_nothing(self):
        records, _ = run_program(self, """
            import threading
            import telinject_runtime as _telinject  # telinject
            def leaf(i):
                with _telinject.span("main.leaf"):
                    return i
            def work():
                with _telinject.span("main.work"):
                    for i in range(3000):
                        leaf(i)
            threads = [threading.Thread(target=work) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        """, env=EVERY_CALL)
        works = by_name(records, "main.work")
        leaves = by_name(records, "main.leaf")
        self.assertEqual((len(works), len(leaves)), (6, 18000))
        self.assertEqual(len({r["span_id"] for r in records}), len(records))
        by_work = {w["span_id"]: 0 for w in works}
        for leaf in leaves:
            by_work[leaf["parent_span_id"]] += 1
        self.assertEqual(sorted(by_work.values()), [3000] * 6)


if __name__ == "__main__":
    unittest.main()

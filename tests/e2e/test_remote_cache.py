"""End-to-end tests of the shared remote script cache (issue 13 item 4) against real servers
started on loopback: Debian's redis-server and nginx with WebDAV PUT. Shards sharing Redis write
what one run writes; a second CI run with an empty local cache takes its scripts from the
remote; poisoned and truncated remote entries are refused and replaced; a server killed mid-run,
refusing or silent costs one warning and changes nothing; credentials never show."""
import json
import os
import re
import shutil
import socket
import subprocess
import time
import unittest

import remote_servers
from support import TELINJECT, digest_tree, run_cli, run_json, temp_dir

SHARDS = 4


def write_project(root, modules, functions=10):
    for m in range(modules):
        package = os.path.join(root, f"pkg{m % 7}")
        os.makedirs(package, exist_ok=True)
        with open(os.path.join(package, f"mod{m}.py"), "w", encoding="utf-8") as handle:
            for f in range(functions):
                handle.write(f"def step_{m}_{f}(value, scale={f}):\n"
                             f"    if value > scale:\n        return value - scale\n"
                             f"    return value * {m + 1}\n\n\n")


def tree(root):
    return digest_tree(root, skip_dirs=(".telemetry_cache",))


def warnings_in(stderr):
    return [line for line in stderr.splitlines() if "warning:" in line]


def remote_hits(stderr):
    """The hits in the run's remote cache summary line."""
    found = re.search(r"remote cache \S+: (\d+) hits", stderr)
    return int(found.group(1)) if found else None


def cache_stats(cache):
    _, stats = run_json("cache", "stats", "--cache-dir", cache)
    return stats


class RemoteCacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = remote_servers.missing_servers()
        if missing:
            raise unittest.SkipTest(missing)

    def setUp(self):
        self.work = temp_dir(self)
        self.source = os.path.join(self.work, "source")
        write_project(self.source, 60)
        self.copies = 0

    def copy(self, source=None):
        self.copies += 1
        target = os.path.join(self.work, f"copy{self.copies}")
        shutil.copytree(source or self.source, target)
        return target

    def cache(self):
        self.copies += 1
        return os.path.join(self.work, f"cache{self.copies}")

    def redis(self, password=None):
        server = remote_servers.RedisServer(self.work, password)
        self.addCleanup(server.stop)
        return server

    def nginx(self, user=None, password=None):
        server = remote_servers.NginxDav(self.work, user, password)
        self.addCleanup(server.stop)
        return server

    def reference(self):
        """The tree one run without any remote writes."""
        root = self.copy()
        run_cli("instrument", root, "--cache-dir", self.cache(), check=0)
        return tree(root)

    def instrument(self, remote, cache=None, env=None, source=None, check=0):
        root = self.copy(source)
        cache = cache or self.cache()
        args = ["instrument", root, "--cache-dir", cache, "--format", "json"]
        if remote:
            args += ["--remote-cache", remote]
        result = run_cli(*args, env=env, check=check)
        return root, cache, result

    def test_four_shards_sharing_redis_write_what_one_run_writes(self):
        redis = self.redis()
        expected = self.reference()
        root = self.copy()
        processes = [subprocess.Popen(
            [TELINJECT, "instrument", root, "--shard", f"{i}/{SHARDS}", "--cache-dir",
             self.cache(), "--remote-cache", redis.url()],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(1, SHARDS + 1)]
        for process in processes:
            _, err = process.communicate(timeout=600)
            self.assertEqual(process.returncode, 0, err)
            self.assertEqual(warnings_in(err), [])
        self.assertEqual(tree(root), expected)
        self.assertEqual(len(redis.keys("telinject/v2/scripts/*")), 600)

    def second_ci_run(self, url):
        expected = self.reference()
        first, _, _ = self.instrument(url)
        self.assertEqual(tree(first), expected)
        root, cache, result = self.instrument(url)
        report = json.loads(result.stdout)
        self.assertEqual(tree(root), expected)
        self.assertEqual(warnings_in(result.stderr), [])
        # Every script of the second run came from the remote (none was made again).
        self.assertEqual(report["functions_instrumented"], 600)
        self.assertGreaterEqual(report["cache_hits"], 0.95 * 600)
        stats = cache_stats(cache)
        asked = stats["remote_hits"] + stats["remote_misses"]
        self.assertGreaterEqual(stats["remote_hits"], 0.95 * asked)
        self.assertGreaterEqual(stats["remote_hits"], 600)
        self.assertEqual(stats["remote_refused"], 0)
        self.assertEqual(stats["scripts"], 600)  # kept locally too
        self.assertIn("remote cache", result.stderr)

    def test_second_ci_run_takes_its_scripts_from_redis(self):
        self.second_ci_run(self.redis().url())

    def test_second_ci_run_takes_its_scripts_from_http(self):
        self.second_ci_run(self.nginx().url())

    def spoil(self, entries, read, write):
        """Poisons the first script entry (its insertion text changed, the JSON still sound)
        and truncates the second; returns their sound values."""
        names = sorted(entries)[:2]
        sound = {name: read(name) for name in names}
        value = json.loads(sound[names[0]])
        script = json.loads(value["script"])
        script["insertions"][0]["text"] = "import os; os.system('rm -rf /')\n"
        value["script"] = json.dumps(script)
        write(names[0], json.dumps(value).encode())
        write(names[1], sound[names[1]][: len(sound[names[1]]) // 2])
        return sound

    def check_refused_and_replaced(self, url, entries, read, write):
        expected = self.reference()
        self.instrument(url)
        sound = self.spoil(entries(), read, write)
        root, cache, result = self.instrument(url)
        self.assertEqual(tree(root), expected)  # never applied
        self.assertEqual(cache_stats(cache)["remote_refused"], 2)
        self.assertIn("2 refused", result.stderr)
        for name, value in sound.items():
            self.assertEqual(read(name), value, name)  # replaced by the sound one

    def test_spoiled_redis_entries_are_refused_and_replaced(self):
        redis = self.redis()
        self.check_refused_and_replaced(
            redis.url(), lambda: redis.keys("telinject/v2/scripts/*"),
            lambda name: redis.command("GET", name), lambda name, value: redis.command("SET", name, value))

    def test_spoiled_http_entries_are_refused_and_replaced(self):
        nginx = self.nginx()

        def read(name):
            with open(nginx.entries()[name], "rb") as handle:
                return handle.read()

        def write(name, value):
            with open(nginx.entries()[name], "wb") as handle:
                handle.write(value)

        self.check_refused_and_replaced(
            nginx.url(), lambda: [n for n in nginx.entries() if "/scripts/" in n], read, write)

    def test_server_killed_mid_run_loses_nothing(self):
        big = os.path.join(self.work, "big")
        write_project(big, 500)
        expected_root = self.copy(big)
        run_cli("instrument", expected_root, "--cache-dir", self.cache(), check=0)
        redis = self.redis()
        root = self.copy(big)
        cache = self.cache()
        process = subprocess.Popen(
            [TELINJECT, "instrument", root, "--cache-dir", cache, "--remote-cache", redis.url(),
             "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while process.poll() is None and redis.command("DBSIZE") == 0:
            time.sleep(0.005)
        self.assertIsNone(process.poll(), "the run ended before the server could be killed")
        redis.stop()
        _, err = process.communicate(timeout=600)
        self.assertEqual(process.returncode, 0, err)
        self.assertEqual(tree(root), tree(expected_root))
        self.assertEqual(len(warnings_in(err)), 1, err)
        self.assertIn("not used for the rest of this run", err)
        # Nothing lost: the local cache holds every script (a run on it makes none).
        _, again = run_json("instrument", self.copy(big), "--cache-dir", cache, check=0)
        self.assertEqual(again["cache_misses"], 0)
        self.assertEqual(again["cache_hits"], 5000)

    def test_refusing_or_silent_servers_cost_one_warning_and_change_nothing(self):
        expected = self.reference()
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # accepts connections (the kernel does), never answers
        self.addCleanup(silent.close)
        silent_port = silent.getsockname()[1]
        closed_port = remote_servers.free_port()
        for url in (f"redis://127.0.0.1:{closed_port}", f"http://127.0.0.1:{closed_port}/c",
                    f"redis://127.0.0.1:{silent_port}", f"http://127.0.0.1:{silent_port}/c"):
            with self.subTest(url=url):
                started = time.monotonic()
                root, _, result = self.instrument(
                    url, env={"TELINJECT_REMOTE_CACHE_TIMEOUT": "0.5"})
                self.assertLess(time.monotonic() - started, 60)
                self.assertEqual(tree(root), expected)
                self.assertEqual(len(warnings_in(result.stderr)), 1, result.stderr)
                self.assertIn(url, result.stderr)

    def test_credentials_never_show(self):
        secret = "s3cr3t-Pa55"
        redis = self.redis(password=secret)
        env = {"TELINJECT_REMOTE_CACHE": f"redis://:{secret}@127.0.0.1:{redis.port}"}
        outputs = []
        for _ in range(2):
            root = self.copy()
            result = run_cli("instrument", root, "-v", "--cache-dir", self.cache(), env=env,
                             check=0)
            outputs.append(result.stdout + result.stderr)
            self.assertEqual(warnings_in(result.stderr), [])
        self.assertGreaterEqual(remote_hits(outputs[1]), 600)
        self.assertIn(f"redis://:***@127.0.0.1:{redis.port}", outputs[1])
        # The password alone from its variable, the URL on the command line.
        result = run_cli("instrument", self.copy(), "--cache-dir", self.cache(),
                         "--remote-cache", redis.url(),
                         env={"TELINJECT_REMOTE_CACHE_PASSWORD": secret}, check=0)
        self.assertGreaterEqual(remote_hits(result.stderr), 600)
        outputs.append(result.stdout + result.stderr)
        # A wrong password: one warning, which names no password.
        result = run_cli("instrument", self.copy(), "--cache-dir", self.cache(),
                         env={"TELINJECT_REMOTE_CACHE": f"redis://:wrong-{secret}@127.0.0.1:{redis.port}"},
                         check=0)
        self.assertEqual(len(warnings_in(result.stderr)), 1, result.stderr)
        outputs.append(result.stdout + result.stderr)
        # Never on the command line (CI logs, ps).
        result = run_cli("instrument", self.copy(), "--remote-cache",
                         f"redis://:{secret}@127.0.0.1:{redis.port}", check=2)
        self.assertIn("TELINJECT_REMOTE_CACHE_PASSWORD", result.stderr)
        outputs.append(result.stdout + result.stderr)
        # HTTP basic authentication, right and wrong.
        nginx = self.nginx(user="ci", password=secret)
        for password, warnings in ((secret, 0), ("wrong", 1)):
            result = run_cli("instrument", self.copy(), "--cache-dir", self.cache(),
                             env={"TELINJECT_REMOTE_CACHE": nginx.url(user=f"ci:{password}")},
                             check=0)
            self.assertEqual(len(warnings_in(result.stderr)), warnings, result.stderr)
            outputs.append(result.stdout + result.stderr)
        self.assertTrue(any("/scripts/" in n for n in nginx.entries()))
        for output in outputs:
            self.assertNotIn(secret, output)

    def test_bad_remote_urls_are_usage_errors(self):
        for url in ("ftp://127.0.0.1/x", "redis://127.0.0.1:0", "redis://127.0.0.1/db"):
            result = run_cli("instrument", self.copy(), "--remote-cache", url)
            self.assertEqual(result.returncode, 2, url)
            self.assertIn("remote cache", result.stderr)


if __name__ == "__main__":
    unittest.main()

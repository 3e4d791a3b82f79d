#!/usr/bin/env python3
"""The remote script cache on the bench corpus (bench/run.sh: this machine's Python standard
library), telinject's CLI instrumenting it into a mirror, in one run of this script:

  cold         empty local cache, no remote
  cold+remote  empty local cache, empty remote (what the first CI run pays to fill it)
  remote-warm  empty local cache, warm remote (Redis, then nginx WebDAV): a fresh CI runner
  local-warm   the local cache of an earlier run

Real redis-server and nginx on loopback (tests/e2e/remote_servers.py). Prints a Markdown table
of median elapsed and CPU seconds and ratios to cold; writes build/bench/remote_cache.json.
usage: bench/remote_cache.py [--corpus DIR] [--repeat N] [--jobs N]"""
import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import remote_servers  # noqa: E402

TELINJECT = os.path.join(ROOT, "build", "cli", "telinject")


def run(corpus, work, cache, jobs, remote=None):
    mirror = tempfile.mkdtemp(dir=work)
    args = [TELINJECT, "instrument", corpus, "-o", mirror, "--cache-dir", cache, "-q",
            "--jobs", str(jobs)]
    if remote:
        args += ["--remote-cache", remote]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode not in (0, 3):  # 3: a few stdlib files telinject leaves alone
        sys.exit(f"telinject exited {result.returncode}: {result.stderr[-2000:]}")
    shutil.rmtree(mirror)
    return seconds, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=os.path.join(ROOT, "build", "bench", "corpus"))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    if not os.path.isdir(options.corpus):
        sys.exit(f"no corpus at {options.corpus}: run bench/run.sh first, or give --corpus")
    missing = remote_servers.missing_servers()
    if missing:
        sys.exit(missing)
    work = tempfile.mkdtemp(prefix="telinject-bench-remote-")
    times = {name: [] for name in ("cold", "cold+remote (Redis)", "remote-warm (Redis)",
                                   "remote-warm (HTTP)", "local-warm")}
    try:
        redis = remote_servers.RedisServer(work)
        nginx = remote_servers.NginxDav(work)
        for attempt in range(options.repeat):
            fresh = lambda: tempfile.mkdtemp(dir=work)  # noqa: E731
            redis.command("FLUSHALL")
            times["cold"].append(run(options.corpus, work, fresh(), options.jobs))
            times["cold+remote (Redis)"].append(
                run(options.corpus, work, fresh(), options.jobs, redis.url()))
            times["remote-warm (Redis)"].append(
                run(options.corpus, work, fresh(), options.jobs, redis.url()))
            # Fill the HTTP cache (not timed), then a fresh runner against it.
            run(options.corpus, work, fresh(), options.jobs, nginx.url())
            times["remote-warm (HTTP)"].append(
                run(options.corpus, work, fresh(), options.jobs, nginx.url()))
            warm = fresh()
            run(options.corpus, work, warm, options.jobs)
            times["local-warm"].append(run(options.corpus, work, warm, options.jobs))
        redis.stop()
        nginx.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    files = sum(len([f for f in names if re.search(r"\.py$", f)])
                for _, _, names in os.walk(options.corpus))
    def median(name, part):
        return statistics.median(value[part] for value in times[name])

    print(f"{files} Python files, --jobs {options.jobs}, median of {options.repeat}; CPU: "
          "telinject's user + sys (the servers' not counted)\n")
    print("| run | elapsed s | vs cold | CPU s | vs cold |\n|---|---|---|---|---|")
    for name in times:
        print(f"| {name} | {median(name, 0):.2f} | {median(name, 0) / median('cold', 0):.2f} "
              f"| {median(name, 1):.2f} | {median(name, 1) / median('cold', 1):.2f} |")
    os.makedirs(os.path.join(ROOT, "build", "bench"), exist_ok=True)
    with open(os.path.join(ROOT, "build", "bench", "remote_cache.json"), "w") as handle:
        json.dump({"files": files, "jobs": options.jobs, "elapsed_and_cpu_seconds": times}, handle, indent=2)


if __name__ == "__main__":
    main()

"""Runs the `telinject` CLI as a user would on generated monorepos (bench/make_monorepo.py) of
several sizes: `telinject instrument TREE -o MIRROR --cache-dir FRESH --jobs J`, one process per
run, and records wall time, files/s and memory: the peak (the child's ru_maxrss) and the resident
size sampled every 0.2 s from /proc/PID/status over the run, to show whether it stays flat.

usage: python3 bench/monorepo.py [--copies 5,15,30,60] [--bin LABEL=PATH ...] [--work DIR]
                                  [--jobs 2] [--json OUT]

Several --bin run side by side, taking turns for each size (the same machine load for each).
Trees are made with hard links (make_monorepo.py --link): the runs write a mirror, never into
the tree. Everything a run writes is deleted after the size's runs."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_monorepo  # noqa: E402


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def run_once(binary, tree, work, jobs):
    """One cold run; returns wall seconds, files scanned, peak RSS and the RSS samples."""
    mirror, cache = os.path.join(work, "mirror"), os.path.join(work, "cache")
    command = [binary, "instrument", tree, "-o", mirror, "--cache-dir", cache, "--jobs", str(jobs)]
    samples = []
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_chunks = []
    os.set_blocking(process.stdout.fileno(), False)
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        kb = rss_kb(process.pid)
        if kb is not None:
            samples.append((time.perf_counter() - started, kb / 1024))
        try:
            chunk = process.stdout.read()
            if chunk:
                out_chunks.append(chunk)
        except BlockingIOError:
            pass
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    rest = process.stdout.read() or b""
    stdout = b"".join(out_chunks) + rest
    stderr = process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    summary = stdout.decode(errors="replace")
    found = re.search(r"(\d+) files scanned", summary)
    if process.returncode not in (0, 3) or not found:
        sys.exit(f"monorepo: {' '.join(command)} exited {process.returncode}:\n{summary}\n"
                 f"{stderr.decode(errors='replace')[-2000:]}")
    return {
        "seconds": seconds,
        "files": int(found.group(1)),
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "samples": samples,
        "exit": process.returncode,
        "summary": summary.strip().splitlines()[-1],
    }


def rss_at(samples, fraction):
    """The sampled RSS at `fraction` of the run (the last sample before it)."""
    if not samples:
        return 0.0
    end = samples[-1][0]
    before = [mb for t, mb in samples if t <= fraction * end]
    return before[-1] if before else samples[0][1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", default="5,15,30,60")
    parser.add_argument("--bin", action="append", default=[],
                        help="LABEL=PATH of a telinject binary (default: build/cli/telinject)")
    parser.add_argument("--work", default=os.path.join(HERE, "..", "build", "bench", "monorepo"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", help="write every figure (samples included) here")
    args = parser.parse_args()
    binaries = [b.split("=", 1) for b in args.bin] or [
        ["this", os.path.join(HERE, "..", "build", "cli", "telinject")]]
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    results = []
    print(f"{'binary':<8} {'copies':>6} {'files':>7} {'seconds':>8} {'files/s':>8} "
          f"{'CPU s':>8} {'peak MB':>8}  RSS MB at 25/50/75/100 % of the run")
    for copies in [int(c) for c in args.copies.split(",")]:
        tree = os.path.join(work, f"tree-{copies}")
        if not os.path.isdir(tree):
            make_monorepo.make(copies, tree, link=True)
        for label, binary in binaries:
            run_dir = os.path.join(work, f"run-{label}-{copies}")
            shutil.rmtree(run_dir, ignore_errors=True)
            os.makedirs(run_dir)
            figures = run_once(os.path.abspath(binary), tree, run_dir, args.jobs)
            figures.update(binary=label, copies=copies)
            results.append(figures)
            curve = " ".join(f"{rss_at(figures['samples'], f):.0f}" for f in (0.25, 0.5, 0.75, 1))
            print(f"{label:<8} {copies:>6} {figures['files']:>7} {figures['seconds']:>8.1f} "
                  f"{figures['files'] / figures['seconds']:>8.0f} {figures['cpu_seconds']:>8.1f} "
                  f"{figures['peak_rss_mb']:>8.1f}  {curve}", flush=True)
        for label, _ in binaries:
            shutil.rmtree(os.path.join(work, f"run-{label}-{copies}"), ignore_errors=True)
    for label, _ in binaries:
        runs = sorted((r["copies"], r) for r in results if r["binary"] == label)
        if len(runs) > 1:
            (small, first), (large, last) = runs[0], runs[-1]
            print(f"{label}: {large} copies / {small}: wall time x{last['seconds'] / first['seconds']:.2f},"
                  f" CPU x{last['cpu_seconds'] / first['cpu_seconds']:.2f} (linear: x{large / small:g})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What the Go helper costs a program that never records: binary size and start-up.

A small program (fmt, os, sync; no net) is built plain, instrumented by the CLI with this tree's
helper (default build, and with -tags telinject_otlp, the OTLP/HTTP exporter), and with the
helper of each git REF given (e.g. `main`, `otlp-go`: their runtime/go/telinject.go and
otlp_http.go when present, written over the CLI's). For each: size, size with -ldflags=-s -w,
whether it is dynamically linked (an ELF interpreter), and start-up: CPU (user + sys) and wall
time per run, TELINJECT_OUT unset, best of ROUNDS rounds of RUNS runs, with ratios to the plain
program in the same run. cgo as the toolchain defaults (on when gcc is installed).

    python3 bench/runtime_go_size.py [--runs 100] [--rounds 9] [REF...]
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CLI = os.environ.get("TELINJECT_BIN") or os.path.join(ROOT, "build", "cli", "telinject")
HELPER_FILES = ("telinject.go", "otlp_http.go")

PROGRAM = '''package main

import (
	"fmt"
	"os"
	"sync"
)

func square(n int) int { return n * n }

func total(n int) int {
	sum := 0
	for i := 0; i < n; i++ {
		sum += square(i)
	}
	return sum
}

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); total(10) }()
	wg.Wait()
	fmt.Fprintln(os.Stdout, total(3))
}
'''


def write_module(path):
    os.makedirs(path)
    with open(os.path.join(path, "go.mod"), "w") as handle:
        handle.write("module example.test/app\n\ngo 1.11\n")
    with open(os.path.join(path, "main.go"), "w") as handle:
        handle.write(PROGRAM)


def dynamic(path):
    """True when the ELF file names a program interpreter."""
    with open(path, "rb") as handle:
        header = handle.read(64)
        (phoff,) = struct.unpack_from("<Q", header, 32)
        size, count = struct.unpack_from("<HH", header, 54)
        handle.seek(phoff)
        table = handle.read(size * count)
    return any(struct.unpack_from("<I", table, i * size)[0] == 3 for i in range(count))


def start_up(binaries, runs, rounds, env):
    """(CPU ms, wall ms) per run of each binary, each the best round's mean; the binaries take
    turns within each round, so that the machine's load falls on all of them alike."""
    best = [[float("inf"), float("inf")] for _ in binaries]
    for _ in range(rounds):
        for i, binary in enumerate(binaries):
            cpu = 0.0
            begun = time.perf_counter()
            for _ in range(runs):
                child = subprocess.Popen([binary], stdout=subprocess.DEVNULL, env=env)
                _, status, usage = os.wait4(child.pid, 0)
                if os.waitstatus_to_exitcode(status):
                    sys.exit(f"{binary} exited {os.waitstatus_to_exitcode(status)}")
                cpu += usage.ru_utime + usage.ru_stime
            wall = time.perf_counter() - begun
            best[i][0] = min(best[i][0], cpu / runs * 1000)
            best[i][1] = min(best[i][1], wall / runs * 1000)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("refs", nargs="*")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="telinject-go-size-")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELINJECT_", "OTEL_"))}
        env.update(GOPATH=os.path.join(work, "gopath"), GOFLAGS="-mod=mod", GOPROXY="off",
                   GOTOOLCHAIN="local", GO111MODULE="on")
        plain = os.path.join(work, "plain")
        write_module(plain)
        instrumented = os.path.join(work, "instrumented")
        write_module(instrumented)
        subprocess.run([CLI, "instrument", instrumented], check=True, capture_output=True)
        helper = os.path.join(instrumented, "telinject")
        current = {name: open(os.path.join(helper, name), "rb").read()
                   for name in os.listdir(helper)}

        def use_helper(files):
            for name in os.listdir(helper):
                os.remove(os.path.join(helper, name))
            for name, text in files.items():
                with open(os.path.join(helper, name), "wb") as handle:
                    handle.write(text)

        variants = [("plain (not instrumented)", plain, None, "")]
        for ref in args.refs:
            files = {}
            for name in HELPER_FILES:
                shown = subprocess.run(["git", "-C", ROOT, "show", f"{ref}:runtime/go/{name}"],
                                       capture_output=True)
                if shown.returncode == 0:
                    files[name] = shown.stdout
            variants.append((f"helper of {ref}", instrumented, files, ""))
        variants.append(("this tree, default build", instrumented, current, ""))
        variants.append(("this tree, -tags telinject_otlp", instrumented, current,
                         "telinject_otlp"))

        rows = []
        for label, module, files, tags in variants:
            if files is not None:
                use_helper(files)
            binary = os.path.join(work, f"bin{len(rows)}")
            subprocess.run(["go", "build", "-tags", tags, "-o", binary, "."], cwd=module,
                           env=env, check=True)
            subprocess.run(["go", "build", "-tags", tags, "-ldflags=-s -w", "-o",
                            binary + "-stripped", "."], cwd=module, env=env, check=True)
            listed = subprocess.run(["go", "list", "-deps", "-tags", tags, "."], cwd=module,
                                    env=env, check=True, capture_output=True, text=True).stdout
            rows.append((label, os.path.getsize(binary), os.path.getsize(binary + "-stripped"),
                         dynamic(binary), "net" in listed.split(), binary))
        timed = start_up([row[5] for row in rows], args.runs, args.rounds, env)
        base_size, base_cpu = rows[0][1], timed[0][0]
        print(f"{'variant':34} {'MB':>6} {'stripped':>8} {'linking':>8} {'net':>4} "
              f"{'CPU ms':>7} {'wall ms':>8} {'CPU/plain':>9}")
        for (label, size, stripped, dyn, net, _), (cpu, wall) in zip(rows, timed):
            print(f"{label:34} {size / 1e6:6.2f} {stripped / 1e6:8.2f} "
                  f"{'dynamic' if dyn else 'static':>8} {'yes' if net else 'no':>4} "
                  f"{cpu:7.2f} {wall:8.2f} {cpu / base_cpu:9.2f}")
        print(f"(sizes: +{(rows[-2][1] - base_size) / 1e6:.2f} MB default helper, "
              f"+{(rows[-1][1] - base_size) / 1e6:.2f} MB with the tag, over the plain program)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Times the telinject binary as users run it (process start, fresh cache, mirror and in-place
writes) beside the in-process figures of bench_pipeline, and ast-grep decorating every function
(sync, async, nested, decorated) with bench/ast-grep/decorate.yml in as many passes as it needs.
Prints the issue's table as ratios to the bare parse of the same run and writes results.json.

usage: compare_ast_grep.py CORPUS WORK AST_GREP RULE TELINJECT_BIN TELINJECT_JSON RESULTS_JSON"""
import json
import warnings
import os
import shutil
import subprocess
import sys
import time

REPEAT = int(os.environ.get("REPEAT", "2"))


def uncompilable(root):
    warnings.simplefilter("ignore", SyntaxWarning)  # the stdlib's own grammar tests
    bad = set()
    for directory, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                try:
                    with open(path, "rb") as handle:
                        compile(handle.read(), path, "exec", dont_inherit=True)
                except (SyntaxError, ValueError):
                    bad.add(os.path.relpath(path, root))
    return bad


class Runs:
    """Every measured run writes into directories of its own, deleted at the end only (on ext4,
    creating files right after deleting many is slower, which would charge a run for the last)."""

    def __init__(self, work):
        self.root = os.path.join(work, "cli-runs")
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root)
        self.count = 0

    def fresh(self, name):
        self.count += 1
        path = os.path.join(self.root, f"{self.count:02d}-{name}")
        os.makedirs(path)
        return path

    def done(self):
        shutil.rmtree(self.root, ignore_errors=True)


def timed(argv, cwd=None):
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            check=False)
    seconds = time.perf_counter() - start
    # 3: some functions were left as they were (the stdlib's deliberately bad test files).
    if result.returncode not in (0, 3):
        sys.exit(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.decode()[-2000:]}")
    return seconds


def telinject_cli(binary, corpus, runs):
    figures = {}
    best = {}

    def keep(key, seconds):
        best[key] = min(best.get(key, seconds), seconds)

    for _ in range(REPEAT):
        # Mirror output, fresh cache: one worker, then two.
        for key, jobs in (("cli_cold_1_thread_s", ["--no-parallel"]), ("cli_cold_2_threads_s", ["-j", "2"])):
            run = runs.fresh(key)
            keep(key, timed([binary, "instrument", corpus, "-o", os.path.join(run, "out"),
                             "--cache-dir", os.path.join(run, "cache"), "-q", *jobs]))
        # Warm: the same mirror and cache again (every file decided by its file record).
        keep("cli_warm_2_threads_s", timed([binary, "instrument", corpus, "-o", os.path.join(run, "out"),
                                            "--cache-dir", os.path.join(run, "cache"), "-q", "-j", "2"]))
        run = runs.fresh("nocache")
        keep("cli_cold_2_threads_no_script_cache_s",
             timed([binary, "instrument", corpus, "-o", os.path.join(run, "out"), "--no-cache", "-q", "-j", "2"]))
        # In place, as `telinject src` runs in a checkout.
        run = runs.fresh("inplace")
        tree = os.path.join(run, "tree")
        shutil.copytree(corpus, tree, symlinks=True)
        keep("cli_cold_2_threads_in_place_s",
             timed([binary, "instrument", tree, "--cache-dir", os.path.join(run, "cache"), "-q", "-j", "2"]))
    figures.update(best)
    return figures


def ast_grep_all(ast_grep, rule, corpus, runs):
    best = None
    passes = 0
    broken = 0
    for _ in range(REPEAT):
        target = os.path.join(runs.fresh("ast-grep"), "tree")
        shutil.copytree(corpus, target, symlinks=True)
        start = time.perf_counter()
        passes = 0
        while True:
            passes += 1
            out = subprocess.run([ast_grep, "scan", "-r", rule, "--update-all", "-j", "2", target],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
            if b"Applied" not in out.stderr or passes > 20:  # "Applied N changes" on stderr
                break
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
        broken = len(uncompilable(target) - uncompilable(corpus))
    return best, passes, broken


def main(corpus, work, ast_grep, rule, binary, telinject_json, results_json):
    with open(telinject_json, encoding="utf-8") as handle:
        figures = json.load(handle)
    runs = Runs(work)
    try:
        figures.update(telinject_cli(binary, corpus, runs))
        seconds, passes, broken = ast_grep_all(ast_grep, rule, corpus, runs)
    finally:
        runs.done()
    figures["ast_grep_all_functions_2_threads_s"] = seconds
    figures["ast_grep_passes"] = passes
    figures["ast_grep_files_broken"] = broken
    base = figures["baseline_parse_query_s"]
    figures["cli_speedup_vs_ast_grep_2_threads"] = seconds / figures["cli_cold_2_threads_s"]
    figures["cli_warm_over_cold"] = figures["cli_warm_2_threads_s"] / figures["cli_cold_2_threads_s"]
    figures["cli_script_cache_share"] = (figures["cli_cold_2_threads_s"]
                                         / figures["cli_cold_2_threads_no_script_cache_s"]) - 1
    with open(results_json, "w", encoding="utf-8") as handle:
        json.dump(figures, handle, indent=2, sort_keys=True)

    def row(label, key, note=""):
        print(f"| {label} | {figures[key]:.2f} | {figures[key] / base:.2f}x {note}|")

    print(f"\n{figures['files']} files, {figures['functions_found']} functions, "
          f"{figures['bytes'] / 1e6:.1f} MB; best of {REPEAT}; ratios to the bare parse\n")
    print("| | seconds | ratio to bare parse |\n|---|---|---|")
    row("bare tree-sitter parse + function query, 1 thread (in process)", "baseline_parse_query_s")
    row("in process: cold, 1 thread", "cold_1_thread_s")
    row("in process: cold, 2 threads", "cold_2_threads_s")
    row("CLI: cold, 1 thread (-o mirror)", "cli_cold_1_thread_s")
    row("CLI: cold, 2 threads (-o mirror)", "cli_cold_2_threads_s")
    row("CLI: cold, 2 threads, in place", "cli_cold_2_threads_in_place_s")
    row("CLI: cold, 2 threads, --no-cache", "cli_cold_2_threads_no_script_cache_s")
    row("CLI: warm, 2 threads", "cli_warm_2_threads_s",
        f"({100 * figures['cli_warm_over_cold']:.1f} % of cold) ")
    row(f"ast-grep, every function, {passes} passes, 2 threads", "ast_grep_all_functions_2_threads_s",
        f"({broken} files broken) ")
    print(f"\nCLI cold, 2 threads: {figures['cli_speedup_vs_ast_grep_2_threads']:.2f}x ast-grep's speed; "
          f"the script cache costs {100 * figures['cli_script_cache_share']:.1f} % of a cold run")
    print(f"results: {results_json}")


if __name__ == "__main__":
    main(*sys.argv[1:])

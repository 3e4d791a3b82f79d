"""Times ast-grep decorating every function of the corpus (two passes: nested functions are not
rewritten in one), on two threads, counts the files it leaves uncompilable, and sets the figures
beside telinject's from the same bench run."""
import json
import os
import shutil
import subprocess
import sys
import time


def uncompilable(root):
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


def main(corpus, work, ast_grep, rule, telinject_json, results_json):
    target = os.path.join(work, "ast-grep-corpus")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(corpus, target, symlinks=True)
    start = time.perf_counter()
    for _ in range(2):
        subprocess.run([ast_grep, "scan", "-r", rule, "--update-all", "-j", "2", target],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    ast_grep_seconds = time.perf_counter() - start
    broken = len(uncompilable(target) - uncompilable(corpus))
    shutil.rmtree(target, ignore_errors=True)

    with open(telinject_json, encoding="utf-8") as handle:
        figures = json.load(handle)
    figures["ast_grep_two_passes_2_threads_s"] = ast_grep_seconds
    figures["ast_grep_files_broken"] = broken
    figures["speedup_vs_ast_grep_2_threads"] = ast_grep_seconds / figures["cold_2_threads_s"]
    with open(results_json, "w", encoding="utf-8") as handle:
        json.dump(figures, handle, indent=2)
    print(f"ast-grep, 2 passes, 2 threads   {ast_grep_seconds:7.3f} s   {broken} files no longer compile")
    print(f"telinject cold, 2 threads is {figures['speedup_vs_ast_grep_2_threads']:.2f}x faster than ast-grep")
    print(f"results: {results_json}")


if __name__ == "__main__":
    main(*sys.argv[1:])

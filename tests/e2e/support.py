"""Shared helpers for the end-to-end tests: where the built binaries are, running them."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

BUILD_DIR = os.environ.get("TELINJECT_BUILD_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build")
TELINJECT = os.environ.get("TELINJECT_BIN") or os.path.join(BUILD_DIR, "cli", "telinject")
# The interpreter whose standard library and test suite the proofs use.
PYTHON = os.environ.get("TELINJECT_PYTHON") or shutil.which("python3") or sys.executable


def run_cli(*args, cwd=None, env=None, check=None):
    """Runs telinject; returns CompletedProcess. `check` is the expected exit code, if any."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    result = subprocess.run([TELINJECT, *map(str, args)], cwd=cwd, env=full_env,
                            capture_output=True, text=True, timeout=900)
    if check is not None and result.returncode != check:
        raise AssertionError(f"telinject {' '.join(map(str, args))} exited {result.returncode}, "
                             f"expected {check}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def run_json(*args, **kwargs):
    result = run_cli(*args, "--format", "json", **kwargs)
    return result, json.loads(result.stdout)


def temp_dir(test_case):
    path = tempfile.mkdtemp(prefix="telinject-e2e-")
    test_case.addCleanup(shutil.rmtree, path, True)
    return path


def read_records(path):
    """Every line of a TELINJECT_OUT file: spans, resource and dropped lines (docs/telemetry.md)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_spans(path):
    """The span lines of a TELINJECT_OUT file."""
    return [record for record in read_records(path) if "span_id" in record]


def digest_tree(root, skip_files=(), skip_dirs=()):
    """SHA-256 of every file below `root` by its relative path, leaving out files and folders
    with the given names: any byte written shows up as a difference."""
    digests = {}
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip_dirs]
        for name in files:
            if name in skip_files:
                continue
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                digests[os.path.relpath(path, root)] = hashlib.sha256(handle.read()).hexdigest()
    return digests


def snapshot(root):
    """Every file and folder below `root`, with file digests: any write, a new folder included,
    shows up as a difference."""
    seen = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs:
            seen[os.path.relpath(os.path.join(directory, name), root) + "/"] = None
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                seen[os.path.relpath(path, root)] = hashlib.sha256(handle.read()).hexdigest()
    return seen

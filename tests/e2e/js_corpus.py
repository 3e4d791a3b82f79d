"""The JavaScript/TypeScript corpus of the end-to-end tests: tests/e2e/js-corpus pins real npm
packages (typescript, lodash, express and their dependencies, rxjs for its TypeScript sources,
minimist with its test suite and tape to run it). `installed()` runs `npm ci --ignore-scripts`
once per process into a temporary directory and returns its node_modules."""
import atexit
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "js-corpus")
FIXTURES = os.path.join(HERE, "js-fixtures")
NODE = shutil.which("node")
NPM = shutil.which("npm")
_installed = None


def installed():
    """Path of the installed node_modules (read-only for tests: copy before changing)."""
    global _installed
    if _installed is None:
        work = tempfile.mkdtemp(prefix="telinject-js-corpus-")
        atexit.register(shutil.rmtree, work, True)
        for name in ("package.json", "package-lock.json", ".npmrc"):
            shutil.copy(os.path.join(CORPUS, name), work)
        subprocess.run([NPM, "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                        "--loglevel=error"], cwd=work, check=True, timeout=900,
                       capture_output=True)
        _installed = os.path.join(work, "node_modules")
    return _installed


def tsc(node_modules):
    return os.path.join(node_modules, "typescript", "lib", "tsc.js")


def source_files(root):
    """Every JavaScript/TypeScript file below root, sorted."""
    out = []
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith((".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")):
                out.append(os.path.join(folder, name))
    return sorted(out)

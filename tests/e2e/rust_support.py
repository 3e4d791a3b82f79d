"""Shared by the Rust end-to-end tests: cargo, offline, with its warnings as a comparable set."""
import os
import re
import shutil
import subprocess

CARGO = shutil.which("cargo")
NO_CARGO = "no Rust toolchain (cargo; scripts/setup.sh installs it)"
# Where Debian's librust-*-dev packages put crate sources.
DEBIAN_REGISTRY = "/usr/share/cargo/registry"

# Makes cargo take crates from Debian's packages instead of the network.
DEBIAN_SOURCE = f'''[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "{DEBIAN_REGISTRY}"
'''


def cargo_env(target_dir):
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = target_dir
    env["CARGO_TERM_COLOR"] = "never"
    env.pop("TELINJECT_OUT", None)
    env.pop("RUSTFLAGS", None)
    return env


def run_cargo(args, cwd, env, check=True, timeout=900):
    result = subprocess.run([CARGO, *args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"cargo {' '.join(args)} exited {result.returncode}\n"
                             f"{result.stdout[-4000:]}\n{result.stderr[-6000:]}")
    return result


def has_clippy():
    if not CARGO:
        return False
    return subprocess.run([CARGO, "clippy", "--version"], capture_output=True).returncode == 0


def diagnostics(args, cwd, env):
    """The set of `file:line:col: warning: message` lines cargo prints for `args` (cargo build
    or cargo clippy, given --message-format short); summaries left out. Raises on failure."""
    result = run_cargo([*args, "--message-format", "short"], cwd, env)
    found = set()
    for line in result.stderr.splitlines():
        if re.match(r"^[^\s:]+:\d+:\d+: (warning|error)", line):
            found.add(line.strip())
    return found

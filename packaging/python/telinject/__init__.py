"""telinject: tracing telemetry for every function of a codebase.

The wheel carries the prebuilt binaries (installed as scripts, so `telinject` and
`telinject-lsp` are on PATH in the environment); `python -m telinject` runs the same binary.
"""
import os
import sys
import sysconfig

__all__ = ["find_binary"]


def find_binary(name: str = "telinject") -> str:
    """Returns the path of the installed binary `name` ("telinject" or "telinject-lsp").
    Raises FileNotFoundError when the wheel's scripts folder does not hold it."""
    folders = [sysconfig.get_path("scripts")]
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():
        folders.append(sysconfig.get_path("scripts", scheme=user_scheme))
    # Installed with --target or --prefix: bin/ beside the package's lib folder is not known
    # to sysconfig, so also look next to this interpreter.
    folders.append(os.path.dirname(sys.executable))
    for folder in folders:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(f"{name} is not in {', '.join(folders)}")

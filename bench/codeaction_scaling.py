#!/usr/bin/env python3
"""How textDocument/codeAction scales with the number of functions in one document (issue 14,
item 15), and whether shutdown is answered while a long request runs.

For each size, starts the real telinject-lsp, opens a generated Python file of N functions, and
times (wall clock, client side) the first textDocument/codeAction on the middle function, for a
client with codeAction/resolve support (edits computed later) and one without (edits computed
in the answer). Then sends shutdown right behind a codeAction on a fresh document and times its
answer. Figures are printed, never asserted.

  python3 bench/codeaction_scaling.py [--sizes 2000,16000,100000] [--timeout 120] [--server PATH]
"""
import argparse
import json
import os
import sys
import tempfile
import time

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
os.environ.setdefault("TELINJECT_BUILD_DIR", os.path.join(REPO, "build"))

import lsp_client  # noqa: E402


def source(n):
    return "".join(f"def function_{i}(x):\n    return x + {i}\n\n\n" for i in range(n))


def capabilities(resolve):
    code_action = {"codeActionLiteralSupport": {}}
    if resolve:
        code_action["resolveSupport"] = {"properties": ["edit"]}
    return {"general": {"positionEncodings": ["utf-16"]}, "textDocument": {"codeAction": code_action},
            "workspace": {"applyEdit": True,
                          "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create"]}}}


def code_action_params(uri, n):
    line = 4 * (n // 2)
    return {"textDocument": {"uri": uri},
            "range": {"start": {"line": line, "character": 4}, "end": {"line": line, "character": 4}},
            "context": {"diagnostics": []}}


def measure(server, n, resolve, timeout):
    with tempfile.TemporaryDirectory() as root:
        if server:
            lsp_client.SERVER = server
        client = lsp_client.LspClient(root)
        try:
            client.request("initialize", {"processId": os.getpid(), "rootUri": "file://" + root,
                                          "capabilities": capabilities(resolve),
                                          "initializationOptions": {"debounceMs": 0, "diagnostics": False,
                                                                    "cacheDirectory": os.path.join(root, ".c")}})
            client.notify("initialized")
            uri = "file://" + os.path.join(root, "big.py")
            text = source(n)
            client.open(uri, text)
            started = time.monotonic()
            try:
                response = client.request("textDocument/codeAction", code_action_params(uri, n), timeout=timeout)
                seconds = time.monotonic() - started
                ok = "result" in response
            except Exception:  # no answer in time
                seconds, ok = None, False
            # shutdown right behind a long request on another document.
            other = "file://" + os.path.join(root, "other.py")
            client.open(other, text)
            client.request_async("textDocument/codeAction", code_action_params(other, n))
            started = time.monotonic()
            try:
                client.request("shutdown", timeout=timeout)
                shutdown = time.monotonic() - started
            except Exception:
                shutdown = None
            return seconds, ok, shutdown
        finally:
            client.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000,16000,100000")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--server")
    args = parser.parse_args()
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        for resolve in (True, False):
            seconds, ok, shutdown = measure(args.server, n, resolve, args.timeout)
            row = {"functions": n, "client": "resolve" if resolve else "eager",
                   "codeAction_s": None if seconds is None else round(seconds, 3), "answered": ok,
                   "shutdown_s": None if shutdown is None else round(shutdown, 3)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

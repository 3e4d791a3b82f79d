"""A small LSP client for the end-to-end tests: starts the real telinject-lsp over pipes, frames
messages, answers the server's requests (workspace/applyEdit is applied to the client's own
copies of the documents), and applies text edits the way an editor does."""
import json
import os
import queue
import subprocess
import threading
import time

from support import BUILD_DIR

SERVER = os.environ.get("TELINJECT_LSP_BIN") or os.path.join(BUILD_DIR, "server", "telinject-lsp")


def frame(body):
    data = body.encode("utf-8") if isinstance(body, str) else body
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def offset_of(text, position):
    """Byte-free offset (in str characters) of an LSP position counted in UTF-16 units."""
    lines = text.split("\n")
    line = min(position["line"], len(lines) - 1)
    start = sum(len(l) + 1 for l in lines[:line])
    units, index = 0, 0
    content = lines[line]
    while index < len(content) and units < position["character"]:
        units += 2 if ord(content[index]) > 0xFFFF else 1
        index += 1
    return start + index


def apply_text_edits(text, edits):
    for edit in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]),
                       reverse=True):
        start = offset_of(text, edit["range"]["start"])
        end = offset_of(text, edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


class LspClient:
    def __init__(self, cwd, capabilities=None, args=()):
        self.process = subprocess.Popen([SERVER, *args], cwd=cwd, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages = queue.Queue()
        self.documents = {}  # uri -> text, as the editor holds them
        self.created = {}    # uri -> text of files created by workspace edits
        self.applied_edits = []
        self.server_requests = []  # (method, params) of every request the server sent
        self.configuration = {}    # scopeUri -> the "telinject" section workspace/configuration returns
        self.next_id = 0
        self.stderr = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.process.stderr), daemon=True).start()

    def _read(self):
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            body = stream.read(length)
            self.messages.put(json.loads(body))

    def send_raw(self, data):
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message):
        message = dict(message, jsonrpc="2.0")
        self.send_raw(frame(json.dumps(message)))

    def notify(self, method, params=None):
        self.send({"method": method, "params": params if params is not None else {}})

    def request_async(self, method, params=None):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params if params is not None else {}})
        return self.next_id

    def request(self, method, params=None, timeout=30):
        return self.wait_response(self.request_async(method, params), timeout)

    def _handle_server_request(self, message):
        method = message["method"]
        self.server_requests.append((method, message.get("params")))
        result = None
        if method == "workspace/configuration":
            result = [self.configuration.get(item.get("scopeUri")) for item in message["params"]["items"]]
        elif method == "workspace/applyEdit":
            self.applied_edits.append(message["params"])
            self.apply_workspace_edit(message["params"]["edit"])
            result = {"applied": True}
        self.send({"id": message["id"], "result": result})

    def apply_workspace_edit(self, edit):
        for change in edit.get("documentChanges", []):
            if change.get("kind") == "create":
                self.created.setdefault(change["uri"], "")
                continue
            uri = change["textDocument"]["uri"]
            if uri in self.created:
                self.created[uri] = apply_text_edits(self.created[uri], change["edits"])
            else:
                self.documents[uri] = apply_text_edits(self.documents.get(uri, ""), change["edits"])
        for uri, edits in (edit.get("changes") or {}).items():
            self.documents[uri] = apply_text_edits(self.documents.get(uri, ""), edits)

    def next_message(self, timeout):
        message = self.messages.get(timeout=timeout)
        if message is not None and "method" in message and "id" in message:
            self._handle_server_request(message)
        return message

    def wait_response(self, request_id, timeout=30):
        deadline = time.monotonic() + timeout
        pending = []
        try:
            while True:
                message = self.next_message(max(0.01, deadline - time.monotonic()))
                if message is None:
                    raise AssertionError("server closed its output")
                if message.get("id") == request_id and "method" not in message:
                    return message
                if not ("method" in message and "id" in message):  # server requests are answered
                    pending.append(message)
        finally:
            for message in pending:  # notifications stay for wait_notification
                self.messages.put(message)

    def wait_notification(self, method, predicate=lambda params: True, timeout=30):
        deadline = time.monotonic() + timeout
        skipped = []
        try:
            while True:
                message = self.next_message(max(0.01, deadline - time.monotonic()))
                if message is None:
                    raise AssertionError("server closed its output")
                if message.get("method") == method and "id" not in message and predicate(message["params"]):
                    return message["params"]
                # Everything else stays for later waits (another document's diagnostics may
                # arrive first: documents are diagnosed in parallel); server requests are answered.
                if not ("method" in message and "id" in message):
                    skipped.append(message)
        finally:
            for message in skipped:
                self.messages.put(message)

    def initialize(self, root_uri, options=None, capabilities=None, folders=None):
        caps = capabilities if capabilities is not None else {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]},
                                            "codeActionLiteralSupport": {}}},
            "workspace": {"applyEdit": True,
                          "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create"]}},
            "window": {"workDoneProgress": True},
        }
        params = {"processId": os.getpid(), "rootUri": root_uri, "capabilities": caps,
                  "initializationOptions": options or {}}
        if folders:
            params["workspaceFolders"] = [{"uri": "file://" + f, "name": os.path.basename(f)} for f in folders]
        response = self.request("initialize", params)
        self.notify("initialized")
        return response

    def open(self, uri, text, language="python", version=1):
        self.documents[uri] = text
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language,
                                                              "version": version, "text": text}})

    def change_full(self, uri, text, version):
        self.documents[uri] = text
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": text}]})

    def shutdown(self, timeout=30):
        self.request("shutdown")
        self.notify("exit")
        return self.process.wait(timeout=timeout)

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                stream.close()
            except (OSError, ValueError):
                pass

"""A local HTTP server that speaks the LLM providers' wire formats, for the end-to-end tests.

`FakeLlm(handler)` listens on 127.0.0.1 (ephemeral port) in a thread; `handler(request)` returns
(status, body dict or str, headers dict). Requests are kept in `requests`.
"""
import http.server
import json
import threading


class Request:
    def __init__(self, method, path, headers, body):
        self.method, self.path, self.headers, self.body = method, path, headers, body

    def json(self):
        try:
            return json.loads(self.body or "null")
        except ValueError:
            return None


class FakeLlm:
    def __init__(self, handler):
        self.handler = handler
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                request = Request(self.command, self.path,
                                  {k.lower(): v for k, v in self.headers.items()}, body)
                outer.requests.append(request)
                status, payload, headers = outer.handler(request)
                data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def prompt_lines(request):
    """The numbered source lines of an analysis prompt ("12: text"), by line number."""
    prompt = request.json()["messages"][-1]["content"]
    lines = {}
    for line in prompt.splitlines():
        number, sep, text = line.partition(": ")
        if sep and number.isdigit():
            lines[int(number)] = text
    return lines


def openai_answer(text, prompt_tokens=100, completion_tokens=50, model="gpt-4o-mini"):
    return 200, {"id": "chatcmpl-e2e", "object": "chat.completion", "model": model,
                 "choices": [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": text, "refusal": None}}],
                 "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                           "total_tokens": prompt_tokens + completion_tokens}}, {}


def anthropic_answer(text, input_tokens=100, output_tokens=50, model="claude-3-5-haiku-20241022"):
    return 200, {"id": "msg_e2e", "type": "message", "role": "assistant", "model": model,
                 "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                 "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens}}, {}


def ollama_answer(text, prompt_eval_count=100, eval_count=50, model="qwen2.5-coder:7b"):
    return 200, {"model": model, "message": {"role": "assistant", "content": text},
                 "done": True, "done_reason": "stop",
                 "prompt_eval_count": prompt_eval_count, "eval_count": eval_count}, {}


def model_list(provider, ids):
    if provider == "ollama":
        return 200, {"models": [{"name": i} for i in ids]}, {}
    return 200, {"object": "list", "data": [{"id": i, "type": "model"} for i in ids]}, {}

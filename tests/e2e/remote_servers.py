"""Real cache servers for the remote-cache tests and the benchmark: Debian's redis-server and
nginx (WebDAV PUT), each on loopback on a free port, with everything in a temporary folder (no
system service or file is touched). A tiny RESP client reads and changes Redis entries."""
import os
import shutil
import socket
import subprocess
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, what, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port}")


class RedisServer:
    """redis-server without persistence; `password` turns on requirepass."""

    def __init__(self, work_dir, password=None):
        self.dir = os.path.join(work_dir, "redis")
        os.makedirs(self.dir, exist_ok=True)
        self.password = password
        self.port = free_port()
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self.dir, "--daemonize", "no",
                "--logfile", os.path.join(self.dir, "redis.log")]
        if password:
            args += ["--requirepass", password]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process, "redis-server")

    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def command(self, *words):
        """Sends one command; returns the reply (bytes, int, None, or raises on an error)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
            stream = conn.makefile("rwb")
            if self.password:
                stream.write(encode("AUTH", self.password))
            stream.write(encode(*words))
            stream.flush()
            if self.password:
                read_reply(stream)
            return read_reply(stream)

    def keys(self, pattern="*"):
        return [key.decode() for key in self.command("KEYS", pattern)]

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def encode(*words):
    out = b"*%d\r\n" % len(words)
    for word in words:
        data = word if isinstance(word, bytes) else str(word).encode()
        out += b"$%d\r\n%s\r\n" % (len(data), data)
    return out


def read_reply(stream):
    line = stream.readline().rstrip(b"\r\n")
    kind, body = line[:1], line[1:]
    if kind == b"+":
        return body
    if kind == b"-":
        raise RuntimeError(body.decode())
    if kind == b":":
        return int(body)
    if kind == b"$":
        size = int(body)
        if size < 0:
            return None
        data = stream.read(size + 2)
        return data[:-2]
    if kind == b"*":
        return [read_reply(stream) for _ in range(int(body))]
    raise RuntimeError(f"unexpected reply {line!r}")


class NginxDav:
    """nginx serving and accepting PUTs (WebDAV) below `root`, in one process run as this user;
    `user`/`password` turn on basic authentication."""

    def __init__(self, work_dir, user=None, password=None):
        self.dir = os.path.join(work_dir, "nginx")
        self.root = os.path.join(self.dir, "dav")
        os.makedirs(self.root, exist_ok=True)
        self.port = free_port()
        auth = ""
        if user:
            with open(os.path.join(self.dir, "users"), "w", encoding="utf-8") as handle:
                handle.write(f"{user}:{{PLAIN}}{password}\n")
            auth = f'auth_basic "cache"; auth_basic_user_file {self.dir}/users;'
        temp = {name: os.path.join(self.dir, name) for name in
                ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        config = f"""
daemon off;
master_process off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {temp['body']};
  proxy_temp_path {temp['proxy']};
  fastcgi_temp_path {temp['fastcgi']};
  uwsgi_temp_path {temp['uwsgi']};
  scgi_temp_path {temp['scgi']};
  server {{
    listen 127.0.0.1:{self.port};
    root {self.root};
    location / {{
      {auth}
      dav_methods PUT;
      create_full_put_path on;
      client_max_body_size 64m;
    }}
  }}
}}
"""
        self.config = os.path.join(self.dir, "nginx.conf")
        with open(self.config, "w", encoding="utf-8") as handle:
            handle.write(config)
        self.process = subprocess.Popen(
            ["nginx", "-p", self.dir, "-e", os.path.join(self.dir, "error.log"), "-c", self.config],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process, "nginx")

    def url(self, user=None):
        return f"http://{user + '@' if user else ''}127.0.0.1:{self.port}/cache"

    def entries(self):
        """Stored entries: their path below the cache URL -> file path."""
        found = {}
        base = os.path.join(self.root, "cache")
        for directory, _, files in os.walk(base):
            for name in files:
                path = os.path.join(directory, name)
                found[os.path.relpath(path, base)] = path
        return found

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def missing_servers():
    """The reason the real servers cannot run here, or None."""
    for program in ("redis-server", "nginx"):
        if not shutil.which(program):
            return f"{program} is needed"
    return None

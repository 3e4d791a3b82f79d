"""The speedscope file of `telinject report --speedscope` opens in the real speedscope app: the
pinned web app (tests/e2e/speedscope/package.json) served from a local HTTP server with the
file, loaded in headless Chromium through playwright-core as `index.html#profileURL=...`. The
flame graph must be drawn (many colours in its canvas), the toolbar must name the profile and
the sandwich view (a DOM table) must list every function.

Needs npm's packages once (cached in ~/.cache/telinject-tools/speedscope) and Debian's
chromium; without them the test is reported as skipped, with the reason.
The screenshot goes to build/test-output/speedscope/speedscope.png; with
TELINJECT_UPDATE_DOC_IMAGES=1 it also replaces docs/images/speedscope.png."""
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import unittest
import urllib.parse

from support import TELINJECT, run_cli, temp_dir
from test_report import make_records

HERE = os.path.dirname(os.path.abspath(__file__))
SETUP = os.path.join(HERE, "speedscope", "setup-test-env.sh")
VIEW = os.path.join(HERE, "speedscope", "view.cjs")
OUTPUT_DIR = os.path.join(os.path.dirname(os.path.dirname(TELINJECT)), "test-output", "speedscope")
DOC_IMAGE = os.path.join(HERE, "..", "..", "docs", "images", "speedscope.png")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Speedscope(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("node"):
            raise unittest.SkipTest("speedscope not installed: node is needed")
        setup = subprocess.run(["bash", SETUP], capture_output=True, text=True, timeout=900)
        if setup.returncode != 0:
            sys.stderr.write(setup.stderr)
            raise unittest.SkipTest("speedscope not installed: setup-test-env.sh failed (its "
                                    "output is above)")
        cls.env = dict(line.split("=", 1) for line in setup.stdout.splitlines() if "=" in line)

    def serve(self, root):
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(QuietHandler, directory=root))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return f"http://127.0.0.1:{server.server_address[1]}"

    def test_flame_graph_in_the_real_app(self):
        work = temp_dir(self)
        records = make_records(self, work)
        site = os.path.join(work, "site")
        os.makedirs(site)
        os.symlink(self.env["SPEEDSCOPE_APP"], os.path.join(site, "app"))
        run_cli("report", records, "--speedscope", os.path.join(site, "spans.speedscope.json"),
                check=0)
        base = self.serve(site)
        profile_url = urllib.parse.quote(f"{base}/spans.speedscope.json", safe="")
        os.makedirs(OUTPUT_DIR, exist_ok=True)
        screenshot = os.path.join(OUTPUT_DIR, "speedscope.png")
        if os.path.exists(screenshot):
            os.remove(screenshot)
        view = subprocess.run(
            ["node", VIEW, self.env["NODE_MODULES"], self.env["CHROMIUM"],
             f"{base}/app/index.html#profileURL={profile_url}", screenshot],
            capture_output=True, text=True, timeout=180)
        self.assertEqual(view.returncode, 0, view.stderr)
        shown = json.loads(view.stdout)
        self.assertEqual(shown["errors"], [])
        # The profile's name (the records file) in the title, its thread in the toolbar.
        self.assertEqual(shown["title"], f"{records} - speedscope")
        self.assertRegex(shown["toolbar"], r"pid \d+ thread \d+")
        # A drawn flame graph: frames in several colours with text, not a blank canvas.
        self.assertGreater(shown["flameColors"], 20)
        for name in ("app.main", "app.middle", "app.leaf"):
            self.assertIn(name, shown["sandwichText"])
        self.assertGreater(os.path.getsize(screenshot), 10_000)
        print(f"\nspeedscope drew {shown['flameColors']} colours; screenshot in {screenshot}")
        if os.environ.get("TELINJECT_UPDATE_DOC_IMAGES") == "1":
            shutil.copyfile(screenshot, DOC_IMAGE)


if __name__ == "__main__":
    unittest.main()

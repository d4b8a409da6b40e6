"""The article editor in Chromium: how long the preview lags a key, and how
much the change form loads before it is ready.

A writer's draft of 5,158 words citing 40 sources (the first text of
benchmarks/edited_article.py) is opened by the writer in Debian's chromium,
driven by Playwright, against two servers of one checkout:

- debug: `manage.py runserver` with DJANGO_DEBUG=1, as `make run` serves
  (unminified admin scripts, static files found unhashed);
- hashed: gunicorn with gunicorn.conf.py and DEBUG off, as `make serve`
  does (whitenoise's hashed, compressed copies after collectstatic).

Each round opens the change form from an empty cache (a new browser context
holding only the session cookie) and counts every request until the network
is quiet, the script files among them, the bytes transferred and the
scripts' bytes as served; and the time from navigation to *ready*: the
editor's toolbar is in place, the preview shows the article and the
plain-language panel has scored it (a DOM condition, so an older checkout
is measured the same way).

The preview's lag is the time from a key going down to the preview's DOM
showing that character, for 30 keys typed in the middle of the article:

- one key at a time (each waits for the preview, then a short pause);
- typing on at about 150 ms a key (100-200 ms, seeded), where the longest
  wait between preview updates while the keys come is reported too.

Figures are medians over the rounds with the range beside them, to the
decimal place the range allows: these shared 2-core machines drift 2-3x.
The database is a throwaway PostgreSQL `health_bench_browser` at
BENCH_POSTGRES (or a SQLite file with --sqlite), dropped at the end.

    python benchmarks/desk_browser.py                    # 5 rounds, both servers
    python benchmarks/desk_browser.py --rounds 3 --servers hashed
    python benchmarks/desk_browser.py --root /tmp/h6-old  # another checkout
    python benchmarks/desk_browser.py --json             # and one JSON line
"""

import argparse
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = "health_bench_browser"
PASSWORD = "review-demo-2026"  # seed_demo's
DROPDB = ["dropdb", "--if-exists", f"--maintenance-db={PG}/postgres"]
SLUG = "long-draft-in-the-editor"
KEYS = 30
MARKER = "Zq"  # typed first; the measured keys follow it

# The writer's long draft, made with the checkout's own code.
SETUP = f"""
import django
django.setup()
from django.contrib.auth.models import User
from articles.models import Article, Topic
from benchmarks.edited_article import edited_texts, sources
from references.models import Reference

writer = User.objects.get(username="writer")
for fields in sources():
    key = fields["citation_key"]
    Reference.objects.get_or_create(citation_key=key, defaults=fields)
texts = edited_texts()
article, created = Article.objects.get_or_create(
    slug={SLUG!r},
    defaults=dict(
        title="Supplements, scans and screening in pregnancy",
        summary=texts.old_summary,
        body=texts.old,
        created_by=writer,
    ),
)
if created:
    article.authors.add(writer.contributor)
    article.topics.add(Topic.objects.order_by("pk").first())
    article.save_revision(by=writer)
print(article.pk, len(article.body.split()))
"""

# Set before any page script runs: the time the editor became ready.
READY = """
(() => {
  const ready = () =>
    document.querySelector(".editor-toolbar button") &&
    document.querySelector(".markdownx-preview .article-preview") &&
    document.querySelector(".plain-language .plain-scores");
  const observer = new MutationObserver(() => {
    if (ready()) {
      window.deskReady = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
})();
"""

# Keys going down, and each change in how much of the typed word the
# preview shows, on the page's one clock.
WATCH = """
(marker) => {
  const preview = document.querySelector(".markdownx-preview");
  const body = document.getElementById("id_body");
  const pattern = new RegExp(marker + "([a-z]*)");
  const shown = () => {
    const match = pattern.exec(preview.textContent);
    return match ? match[1].length : -1;
  };
  const state = { keys: [], updates: [] };
  let last = shown();
  body.addEventListener("keydown", (e) => state.keys.push(e.timeStamp), true);
  new MutationObserver(() => {
    const count = shown();
    if (count !== last) state.updates.push([performance.now(), count]);
    last = count;
  }).observe(preview, { childList: true, subtree: true, characterData: true });
  window.deskTyping = state;
}
"""

# The caret at the end of a paragraph half way down the text.
CARET = """
() => {
  const body = document.getElementById("id_body");
  const at = body.value.indexOf("\\n\\n", body.value.length / 2);
  body.focus();
  body.setSelectionRange(at, at);
}
"""


# The finest step each unit is shown in, however close the rounds agree.
FINEST = {"": 1, "KB": 1, "ms": 1, "s": 0.01}


def figure(values: list[float], unit: str = "") -> str:
    """The median and the range, rounded at the range's first significant
    digit: never more precision than the rounds agree on."""
    low, middle, high = min(values), statistics.median(values), max(values)
    finest = round(math.log10(FINEST[unit]))
    digit = max(finest, math.floor(math.log10(high - low)) if high > low else finest)

    def shown(value: float) -> str:
        value = round(value / 10**digit) * 10**digit
        return f"{value:,.{max(0, -digit)}f}"

    suffix = f" {unit}" if unit else ""
    if shown(low) == shown(high):
        return f"{shown(middle)}{suffix}"
    return f"{shown(middle)}{suffix} ({shown(low)}–{shown(high)})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Checkout:
    """A checkout's manage.py, settings and servers, on the bench database.

    The venv's editable install maps `siteconf` to one checkout; a folder
    holding a `siteconf` link to this one's site/ goes first on PYTHONPATH,
    so settings, templates and static files are this checkout's own."""

    def __init__(self, root: Path, database_url: str, workdir: Path):
        self.root = root
        shim = workdir / "path"
        shim.mkdir(exist_ok=True)
        (shim / "siteconf").symlink_to(root / "site")
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(shim), str(root)]),
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": "benchmark-only-secret-key-" + "x" * 30,
            "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "HEALTH_PAGE_CACHE": "0",
            "DJANGO_SETTINGS_MODULE": "siteconf.settings",
        }
        for name in ("REDIS_URL", "DJANGO_DEBUG", "DJANGO_HTTPS"):
            self.env.pop(name, None)
        self.servers: list[subprocess.Popen] = []

    def run(self, *args: str, debug: bool = False) -> str:
        env = {**self.env, "DJANGO_DEBUG": "1" if debug else "0"}
        done = subprocess.run(
            [sys.executable, *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            command = f"{args[0]} {args[1][:20]}"
            raise RuntimeError(f"{command} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def prepare(self) -> int:
        self.run("manage.py", "collectstatic", "--noinput", "-v0")
        self.run("manage.py", "migrate", "--noinput", "-v0")
        self.run("manage.py", "seed_demo")
        pk, words = self.run("-c", SETUP).split()
        print(f"The draft: {int(words):,} words (article {pk}).", flush=True)
        return int(pk)

    def serve(self, kind: str) -> str:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**self.env, "HEALTH_SITE_BASE_URL": url}
        if kind == "debug":
            env["DJANGO_DEBUG"] = "1"
            command = [sys.executable, "manage.py", "runserver", "--noreload"]
            command.append(f"127.0.0.1:{port}")
        else:
            env.update(DJANGO_DEBUG="0", GUNICORN_BIND=f"127.0.0.1:{port}")
            gunicorn = Path(sys.executable).parent / "gunicorn"
            command = [str(gunicorn), "--config", "gunicorn.conf.py"]
        server = subprocess.Popen(
            command,
            cwd=self.root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.servers.append(server)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/admin/login/", timeout=2)
                return url
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the {kind} server did not start")

    def stop(self) -> None:
        for server in self.servers:
            server.terminate()
            server.wait(timeout=30)


class Browser:
    """Chromium logged in as the writer on one server."""

    def __init__(self, chromium, url: str, article: int):
        self.chromium = chromium
        self.url = url
        self.change = f"{url}/admin/articles/article/{article}/change/"
        context = chromium.new_context()
        page = context.new_page()
        page.goto(f"{url}/admin/login/")
        page.fill("#id_username", "writer")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{url}/admin/")
        self.session = context.storage_state()
        context.close()

    def open(self):
        """A new context (so an empty cache) showing the change form."""
        context = self.chromium.new_context(
            storage_state=self.session, viewport={"width": 1280, "height": 900}
        )
        context.add_init_script(READY)
        page = context.new_page()
        page.set_default_timeout(60_000)
        # Leaving with unsaved text asks first; the benchmark leaves.
        page.on("dialog", lambda dialog: dialog.accept())
        return context, page

    def weight(self) -> dict:
        context, page = self.open()
        requests, finished = [], []
        page.on("request", lambda request: requests.append(request))
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(self.change)
        page.wait_for_function("() => window.deskReady !== undefined")
        page.wait_for_load_state("networkidle")
        ready = page.evaluate("window.deskReady") / 1000
        transferred = sum(r.sizes()["responseBodySize"] for r in finished)
        scripts = [r for r in finished if r.resource_type == "script"]
        scripts_transferred = sum(r.sizes()["responseBodySize"] for r in scripts)
        script_bytes = sum(len(r.response().body()) for r in scripts)
        context.close()
        return {
            "requests": len(requests),
            "scripts": len(scripts),
            "transferred_kb": transferred / 1000,
            "scripts_transferred_kb": scripts_transferred / 1000,
            "script_kb": script_bytes / 1000,
            "ready_s": ready,
        }

    def typing(self, rng: random.Random, one_at_a_time: bool) -> dict:
        context, page = self.open()
        page.goto(self.change)
        page.wait_for_function("() => window.deskReady !== undefined")
        page.evaluate(CARET)
        page.keyboard.type(" " + MARKER)
        preview = page.locator(".markdownx-preview")
        preview.filter(has_text=MARKER).wait_for()
        page.wait_for_timeout(800)
        page.evaluate(WATCH, MARKER)
        letters = "".join(rng.choice("bcdfghjklmnpqrstvwxyz") for _ in range(KEYS))
        for index, letter in enumerate(letters, start=1):
            page.keyboard.press(letter)
            if one_at_a_time:
                page.wait_for_function(
                    f"() => window.deskTyping.updates.some(u => u[1] >= {index})"
                )
                page.wait_for_timeout(rng.uniform(200, 400))
            else:
                page.wait_for_timeout(rng.uniform(100, 200))
        page.wait_for_function(
            f"() => window.deskTyping.updates.some(u => u[1] >= {KEYS})"
        )
        state = page.evaluate("window.deskTyping")
        context.close()
        keys, updates = state["keys"], state["updates"]
        lags = [
            next(t for t, count in updates if count >= index) - keys[index - 1]
            for index in range(1, KEYS + 1)
        ]
        # While keys kept coming: the longest time the preview stood still.
        times = [keys[0]] + [t for t, _ in updates if t <= keys[-1]] + [keys[-1]]
        still = max(b - a for a, b in zip(times, times[1:], strict=False))
        lags.sort()
        return {
            "p50_ms": statistics.median(lags),
            "p90_ms": lags[int(0.9 * (len(lags) - 1))],
            "still_ms": still,
        }


def measure(browser: Browser, rounds: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    figures: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, value in browser.weight().items():
            figures.setdefault(name, []).append(value)
        for name, value in browser.typing(rng, one_at_a_time=True).items():
            figures.setdefault("key_" + name, []).append(value)
        for name, value in browser.typing(rng, one_at_a_time=False).items():
            figures.setdefault("typing_" + name, []).append(value)
    return figures


LINES = [
    ("requests", "requests", ""),
    ("scripts", "script files", ""),
    ("transferred_kb", "bytes transferred", "KB"),
    ("scripts_transferred_kb", "scripts transferred", "KB"),
    ("script_kb", "scripts, uncompressed", "KB"),
    ("ready_s", "ready (empty cache)", "s"),
    ("key_p50_ms", "key → preview, one key at a time, median", "ms"),
    ("typing_p50_ms", "key → preview, typing on, median", "ms"),
    ("typing_p90_ms", "key → preview, typing on, 90th percentile", "ms"),
    ("typing_still_ms", "longest still preview while typing", "ms"),
]


def report(results: dict[str, dict[str, list[float]]], rounds: int) -> None:
    names = list(results)
    width = max(len(label) for _, label, _ in LINES) + 2
    print(f"\nMedian (range) over {rounds} rounds, 5,158-word draft:")
    print(" " * width + "".join(f"{name:<34}" for name in names))
    for key, label, unit in LINES:
        cells = [figure(results[name][key], unit) for name in names]
        print(f"{label:<{width}}" + "".join(f"{cell:<34}" for cell in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--servers", default="debug,hashed")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="a JSON line at the end")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium_path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium_path:
        sys.exit("chromium is not installed: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as workdir:
        if args.sqlite:
            database_url = f"sqlite:///{workdir}/bench.sqlite3"
        else:
            subprocess.run([*DROPDB, DATABASE], check=True)
            subprocess.run(["createdb", f"--maintenance-db={PG}/postgres", DATABASE])
            database_url = f"{PG}/{DATABASE}"
        checkout = Checkout(args.root.resolve(), database_url, Path(workdir))
        results = {}
        try:
            article = checkout.prepare()
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(
                    executable_path=chromium_path,
                    args=["--headless", "--no-sandbox", "--disable-gpu"],
                )
                for kind in args.servers.split(","):
                    url = checkout.serve(kind)
                    browser = Browser(chromium, url, article)
                    print(f"Measuring on the {kind} server…", flush=True)
                    results[kind] = measure(browser, args.rounds, args.seed)
                chromium.close()
        finally:
            checkout.stop()
            if not args.sqlite:
                subprocess.run([*DROPDB, DATABASE])
    report(results, args.rounds)
    if args.json:
        print(json.dumps({"root": str(args.root), "results": results}))


if __name__ == "__main__":
    main()

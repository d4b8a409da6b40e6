"""`make bench`: the site's pages against what serves the same bytes fastest.

In one sitting, on the same server settings (gunicorn with gunicorn.conf.py,
DEBUG off, PostgreSQL, Redis when it answers), it measures with wrk
(-t2 -c32 --latency, a few interleaved rounds) and prints ratios, which hold
across runs where absolute figures drift on a shared machine. Each figure is
the median over the rounds with their range (min–max) beside it, rounded to
the decimal place that range allows; a ratio is the median of the rounds'
ratios (each pair ran seconds apart), shown with its p99 latency:

- whitenoise serving a file of the long article page's bytes, and a bare view
  returning those bytes through the project's middleware (the framework floor);
- the long article page from the page cache (warm), without it (cold,
  HEALTH_PAGE_CACHE=0), and answered 304 from its ETag;
- through Varnish (deploy/varnish.vcl), against nginx serving the same file;
- home, topic, contributor and article pages with the demo content, 10,000
  and 100,000 live articles, and the p95 at concurrency 1 of searches
  (exact and misspelled) and of suggestions as a reader types;
- EXPLAIN ANALYZE of the pages' queries, saving and rendering a 5,000-word
  article with 100 citations, and the editor's article list at 10,000.

    make bench                       # all sizes (about 20 minutes)
    BENCH_SIZES=0,10000 make bench   # quicker
    python benchmarks/bench.py --rounds 3 --duration 8 --sizes 0,10000,100000

Databases health_bench_<size> are kept between runs (generation is the slow
part); --fresh drops them first.
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")
ARTICLE = "/articles/long-article/"
# Searches readers make, with the p95 each must stay within (ms): words in
# most articles, in a few, and two at once; misspellings, answered by the
# corrected query; and suggestions as a reader types (a prefix of every
# generated title, of a word in the demo's, and of none).
SEARCHES = [
    ("search", "pregnancy", 30),
    ("search", "rareword7", 30),
    ("search", "progesterone trial", 30),
    ("misspelled search", "pregnacy", 60),
    ("misspelled search", "progesteron trail", 60),
    ("suggestion", "ge", 20),
    ("suggestion", "misc", 20),
    ("suggestion", "zyx", 20),
]


def spread(values: list[float], places: int) -> str:
    """The median and the range of `values`, to the decimal place of the
    range's first significant digit (never finer than `places`): a machine
    whose rounds differ by 0.1 cannot support a second decimal."""
    low, middle, high = min(values), statistics.median(values), max(values)
    if high > low:
        places = min(places, -math.floor(math.log10(high - low)))

    def shown(value: float) -> str:
        return f"{round(value, places):,.{max(places, 0)}f}"

    if len(values) == 1:
        return shown(middle)
    return f"{shown(middle)} ({shown(low)}–{shown(high)})"


@dataclass(frozen=True)
class Rounds:
    """One figure measured once per round. Dividing two gives the ratios
    round by round: rounds interleave, so each pair ran seconds apart."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def __truediv__(self, other: "Rounds") -> "Rounds":
        pairs = zip(self.values, other.values, strict=True)
        return Rounds(tuple(a / b for a, b in pairs))

    def __ge__(self, goal: float) -> bool:
        return self.median >= goal


@dataclass(frozen=True)
class Speed:
    """wrk's requests per second and p99 latency (ms), one of each per round."""

    rate: Rounds
    p99: Rounds

    def __truediv__(self, other: "Speed") -> Rounds:
        return self.rate / other.rate


def shown(value, places: int) -> str:
    if isinstance(value, Speed):
        value = value.rate
    if isinstance(value, Rounds):
        return spread(list(value.values), places)
    return f"{value:,.{places}f}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Process:
    """A server in a process group of its own, stopped with everything it started."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        with open(log, "wb") as output:
            self.popen = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_for(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                sys.exit(f"{self.log.name} exited:\n{self.log.read_text()[-2000:]}")
            try:
                if fetch(url)[0] < 500:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        sys.exit(f"{url} never answered:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.popen.pid, signum)
            except ProcessLookupError:
                return
            try:
                self.popen.wait(15)
                return
            except subprocess.TimeoutExpired:
                continue


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="health-bench-"))
        self.processes: list[Process] = []
        self.redis = REDIS if self.redis_answers() else ""
        self.rows: list[tuple] = []

    @staticmethod
    def redis_answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", 6379), timeout=1):
                return True
        except OSError:
            return False

    def env(self, database: str, **extra) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "HEALTH_", "GUNICORN_", "DATABASE_URL"))
        }
        env.update(
            DATABASE_URL=database,
            DJANGO_SECRET_KEY="benchmark-only-" + "x" * 40,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            DJANGO_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
            HEALTH_PAGE_CACHE_DIR=str(self.work / "page-cache"),
        )
        if self.redis:
            env["REDIS_URL"] = self.redis
        env.update(extra)
        return env

    def start(self, args: list[str], env: dict, name: str, ready: str) -> Process:
        process = Process(args, env, self.work / f"{name}.log")
        self.processes.append(process)
        process.wait_for(ready)
        return process

    def app(self, database: str, name: str, **extra) -> str:
        port = free_port()
        env = self.env(database, GUNICORN_BIND=f"127.0.0.1:{port}", **extra)
        args = [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")]
        base = f"http://127.0.0.1:{port}"
        self.start(args, env, name, base + "/robots.txt")
        return base

    # Databases ------------------------------------------------------------------

    def database(self, size: int) -> str:
        name = f"health_bench_{size}"
        url = f"{PG}/{name}"
        admin = [shutil.which("psql") or "psql", f"{PG}/postgres", "-qc"]
        if self.args.fresh:
            subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])
        exists = subprocess.run(
            [*admin[:2], "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not exists:
            subprocess.run([*admin, f'CREATE DATABASE "{name}"'], check=True)
        print(f"Preparing {name} ({size:,} live articles)…", flush=True)
        result = subprocess.run(
            [PYTHON, str(ROOT / "benchmarks" / "prepare.py"), str(size)],
            cwd=ROOT,
            env=self.env(url),
            check=True,
            capture_output=True,
            text=True,
        )
        print("  ", result.stdout.strip().splitlines()[-1], flush=True)
        return url

    def probe(self, database: str, what: str) -> tuple[str, dict]:
        result = subprocess.run(
            [PYTHON, str(ROOT / "benchmarks" / "probe.py"), what],
            cwd=ROOT,
            env=self.env(database),
            check=True,
            capture_output=True,
            text=True,
        )
        *text, last = result.stdout.strip().splitlines()
        return "\n".join(text), json.loads(last)

    # Measuring ----------------------------------------------------------------

    def wrk(
        self, url: str, headers: dict | None = None, duration: int | None = None
    ) -> tuple[float, float]:
        """Requests per second and the p99 latency in ms."""
        command = [
            shutil.which("wrk") or "wrk",
            "-t2",
            "-c32",
            "--latency",
            f"-d{duration or self.args.duration}s",
            url,
        ]
        for name, value in (headers or {}).items():
            command[1:1] = ["-H", f"{name}: {value}"]
        output = subprocess.run(command, capture_output=True, text=True).stdout
        found = re.search(r"Requests/sec:\s+([\d.]+)", output)
        p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        if errors:
            print(f"   ! {url}: {errors[1]} error responses", flush=True)
        to_ms = {"us": 0.001, "ms": 1.0, "s": 1000.0}
        return (
            float(found[1]) if found else 0.0,
            float(p99[1]) * to_ms[p99[2]] if p99 else 0.0,
        )

    def rounds(
        self, targets: dict, rounds: int | None = None, duration: int | None = None
    ) -> dict[str, Speed]:
        """Each target's req/s and p99 in every round, rounds interleaved so
        drift hits all alike."""
        rounds = rounds or self.args.rounds
        results: dict = {name: [] for name in targets}
        for round_number in range(rounds):
            for name, (url, headers) in targets.items():
                results[name].append(self.wrk(url, headers, duration))
            print(f"   round {round_number + 1}/{rounds} done", flush=True)
        return {
            name: Speed(
                Rounds(tuple(rate for rate, _ in runs)),
                Rounds(tuple(p99 for _, p99 in runs)),
            )
            for name, runs in results.items()
        }

    @staticmethod
    def p95(url: str, requests: int = 200) -> float:
        """95th-percentile latency in ms, one request at a time."""
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            fetch(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        return times[int(len(times) * 0.95) - 1]

    def row(self, measure, value, unit, ratio=None, goal=None, met=None):
        """One line of the report. `value` is a figure, or a Speed measured
        over the rounds; `ratio` a figure or the rounds' ratios."""
        self.rows.append((measure, value, unit, ratio, goal, met))
        text = f"{shown(value, 0 if isinstance(value, Speed) else 1)} {unit}"
        if ratio:
            text += f"  ratio {shown(ratio, 2)}"
        if isinstance(value, Speed):
            text += f"  p99 {shown(value.p99, 1)} ms"
        print(f"   {measure}: {text}", flush=True)

    # The comparisons ----------------------------------------------------------

    def serving(self, database: str) -> None:
        print("Serving the long article page (demo database)…", flush=True)
        cold = self.app(database, "probe", HEALTH_PAGE_CACHE="0")
        status, headers, page = fetch(cold + ARTICLE)
        assert status == 200, status
        etag = headers["ETag"]
        static_dir = ROOT / "staticfiles" / "bench"
        static_dir.mkdir(parents=True, exist_ok=True)
        (static_dir / "long-article.html").write_bytes(page)
        floor_file = self.work / "floor.html"
        floor_file.write_bytes(page)
        self.stop_all()
        extra = {"HEALTH_BENCH_FLOOR_FILE": str(floor_file)}
        cold = self.app(database, "cold", HEALTH_PAGE_CACHE="0", **extra)
        warm = self.app(database, "warm", HEALTH_PAGE_CACHE="1", **extra)
        fetch(warm + ARTICLE)
        assert fetch(warm + ARTICLE)[1].get("X-Page-Cache") == "hit"
        targets = {
            "whitenoise static file": (cold + "/static/bench/long-article.html", None),
            "framework floor (bare view)": (cold + "/__bench__/floor/", None),
            "article page, warm (page cache)": (warm + ARTICLE, None),
            "article page, cold (no page cache)": (cold + ARTICLE, None),
            "article page, 304 from its ETag": (
                cold + ARTICLE,
                {"If-None-Match": etag},
            ),
        }
        proxy = nginx = None
        if shutil.which("varnishd") and shutil.which("nginx"):
            proxy, nginx = self.proxies(warm, page)
            targets["through Varnish (cached)"] = (proxy + ARTICLE, None)
            targets["nginx serving the same file"] = (
                nginx + "/long-article.html",
                None,
            )
        print(f"   page: {len(page):,} bytes; {self.args.rounds} rounds…", flush=True)
        speed = self.rounds(targets)
        static = speed["whitenoise static file"]
        floor = speed["framework floor (bare view)"]
        self.row("whitenoise static file", static, "req/s", 1.0)
        self.row("framework floor (bare view)", floor, "req/s", floor / static)
        warm_speed = speed["article page, warm (page cache)"]
        self.row(
            "article page, warm (page cache) vs static",
            warm_speed,
            "req/s",
            warm_speed / static,
            "≥ 0.80",
            warm_speed / static >= 0.80,
        )
        cold_speed = speed["article page, cold (no page cache)"]
        self.row(
            "article page, cold vs the framework floor",
            cold_speed,
            "req/s",
            cold_speed / floor,
            "≥ 0.20",
            cold_speed / floor >= 0.20,
        )
        not_modified = speed["article page, 304 from its ETag"]
        self.row(
            "article page, 304 vs static", not_modified, "req/s", not_modified / static
        )
        if proxy:
            through = speed["through Varnish (cached)"]
            direct = speed["nginx serving the same file"]
            self.row("nginx serving the same file", direct, "req/s", direct / static)
            self.row(
                "article through Varnish vs nginx",
                through,
                "req/s",
                through / direct,
                "≥ 0.50",
                through / direct >= 0.50,
            )
        self.stop_all()

    def proxies(self, backend: str, page: bytes) -> tuple[str, str]:
        varnish_port, nginx_port = free_port(), free_port()
        vcl = (ROOT / "deploy" / "varnish.vcl").read_text()
        vcl = vcl.replace('.port = "8000";', f'.port = "{backend.rsplit(":", 1)[1]}";')
        (self.work / "health.vcl").write_text(vcl)
        self.start(
            [
                shutil.which("varnishd") or "varnishd",
                "-F",
                "-j",
                "none",
                "-n",
                str(self.work / "varnish"),
                "-a",
                f"127.0.0.1:{varnish_port}",
                "-f",
                str(self.work / "health.vcl"),
                # The stores deploy/varnish.vcl names (pages, and variants
                # for what outsiders can vary).
                "-s",
                "pages=malloc,256m",
                "-s",
                "variants=malloc,32m",
            ],
            os.environ.copy(),
            "varnish",
            f"http://127.0.0.1:{varnish_port}/robots.txt",
        )
        root = self.work / "nginx-root"
        root.mkdir()
        (root / "long-article.html").write_bytes(page)
        conf = self.work / "nginx.conf"
        conf.write_text(
            "user root;\nworker_processes 2;\ndaemon off;\n"
            f"pid {self.work}/nginx.pid;\nerror_log {self.work}/nginx-error.log;\n"
            "events { worker_connections 1024; }\n"
            "http { access_log off; sendfile on; keepalive_requests 100000;\n"
            f"  server {{ listen 127.0.0.1:{nginx_port}; root {root}; }} }}\n"
        )
        self.start(
            [shutil.which("nginx") or "nginx", "-c", str(conf), "-e", "stderr"],
            os.environ.copy(),
            "nginx",
            f"http://127.0.0.1:{nginx_port}/long-article.html",
        )
        url = f"http://127.0.0.1:{varnish_port}"
        fetch(url + ARTICLE)
        return url, f"http://127.0.0.1:{nginx_port}"

    def sizes(self, databases: dict[int, str]) -> None:
        pages = {
            "home": "/",
            "topic": "/topics/fertility/",
            "contributor": "/contributors/wendy-hart/",
            "article": ARTICLE,
        }
        # Every size's app runs at once and the rounds interleave sizes and
        # pages, so drift in the machine's load hits every ratio alike.
        bases = {
            size: self.app(database, f"size-{size}", HEALTH_PAGE_CACHE="0")
            for size, database in databases.items()
        }
        print(f"Pages at {', '.join(f'{s:,}' for s in bases)} articles…", flush=True)
        # Each page at each size back to back, so the pairs compared run
        # seconds apart; more, shorter rounds than the serving comparison.
        measured = self.rounds(
            {
                (size, name): (base + url, None)
                for name, url in pages.items()
                for size, base in bases.items()
            },
            rounds=5,
            duration=5,
        )
        speeds: dict[int, dict[str, Speed]] = {size: {} for size in bases}
        for (size, name), value in measured.items():
            speeds[size][name] = value
        for size, base in bases.items():
            self.search_timings(base, size)
        self.stop_all()
        base_size = min(speeds)
        for size, measured in speeds.items():
            for name, value in measured.items():
                ratio = value / speeds[base_size][name]
                check = size != base_size
                self.row(
                    f"{name} page at {size:,} articles vs the demo",
                    value,
                    "req/s",
                    ratio,
                    "≥ 0.80" if check else None,
                    ratio >= 0.80 if check else None,
                )

    def search_timings(self, base: str, size: int) -> None:
        """p95 at concurrency 1 of searches and suggestions, beside their
        limits (the page cache off: every request runs its queries)."""
        for kind, query, limit in SEARCHES:
            path = "/search/suggest/" if kind == "suggestion" else "/search/"
            url = f"{base}{path}?q={urllib.request.quote(query)}"
            fetch(url)
            latency = self.p95(url)
            self.row(
                f"{kind} “{query}”, p95 at concurrency 1, {size:,} articles",
                latency,
                "ms",
                None,
                f"≤ {limit} ms",
                latency <= limit,
            )

    def probes(self, databases: dict[int, str]) -> None:
        for size, database in databases.items():
            plans, timings = self.probe(database, "explain")
            print(f"\nQuery plans at {size:,} articles (EXPLAIN ANALYZE):\n{plans}\n")
        largest = databases[max(databases)]
        smallest = databases[min(databases)]
        _, saved = self.probe(largest, "save")
        self.row(
            f"save a {saved['words']:,}-word article with 100 citations",
            saved["save_ms"],
            "ms",
            None,
            "< 300 ms",
            saved["save_ms"] < 300,
        )
        self.row("render it (the live preview)", saved["render_ms"], "ms")
        _, small = self.probe(smallest, "admin")
        for size, database in databases.items():
            if size == min(databases):
                continue
            _, large = self.probe(database, "admin")
            constant = large["queries"] == small["queries"]
            # The goal is set at 10,000 articles; larger libraries are shown.
            judged = size <= 10_000
            self.row(
                f"editor's article list at {large['articles']:,} articles "
                f"({large['queries']} queries; {small['queries']} on the demo)",
                large["ms"],
                "ms",
                None,
                "< 300 ms, constant queries" if judged else None,
                (large["ms"] < 300 and constant) if judged else None,
            )

    def stop_all(self) -> None:
        while self.processes:
            self.processes.pop().stop()

    def report(self, load_before, load_after) -> None:
        print("\n## make bench\n")
        print(
            f"Machine: {os.cpu_count()} cores; load average (1 min) "
            f"{load_before:.2f} before, {load_after:.2f} after. "
            f"wrk -t2 -c32 -d{self.args.duration}s, median of {self.args.rounds} "
            "interleaved rounds (pages by library size: -d5s, median of 5, each "
            "page's sizes back to back); gunicorn.conf.py; PostgreSQL"
            + (", Redis" if self.redis else "")
            + ". Figures: the median over the rounds (min–max across rounds), "
            "rounded to what that range allows; a ratio is the median of the "
            "rounds' ratios.\n"
        )
        print("| measure | value | ratio | p99 | goal | met |")
        print("|---|---:|---:|---:|---|---|")
        for measure, value, unit, ratio, goal, met in self.rows:
            speed = isinstance(value, Speed)
            shown_value = shown(value, 0 if speed else 1)
            shown_ratio = shown(ratio, 2) if ratio is not None else ""
            shown_p99 = f"{shown(value.p99, 1)} ms" if speed else ""
            shown_met = "" if met is None else ("yes" if met else "**no**")
            print(
                f"| {measure} | {shown_value} {unit} | {shown_ratio} | {shown_p99} "
                f"| {goal or ''} | {shown_met} |"
            )
        missed = [row[0] for row in self.rows if row[5] is False]
        print(
            f"\n{len([r for r in self.rows if r[5]])} goals met, {len(missed)} missed"
            + (": " + "; ".join(missed) if missed else ".")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES", "0,10000,100000"),
        help="generated library sizes; 0 is the demo content",
    )
    parser.add_argument("--fresh", action="store_true", help="recreate the databases")
    parser.add_argument(
        "--serving-only",
        action="store_true",
        help="only the long article page comparisons (quick)",
    )
    args = parser.parse_args()
    for tool in ("wrk", "psql"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install wrk postgresql-client")
    bench = Bench(args)
    load_before = os.getloadavg()[0]
    try:
        sizes = sorted({int(size) for size in args.sizes.split(",")})
        databases = {size: bench.database(size) for size in sizes}
        bench.serving(databases[min(sizes)])
        if not args.serving_only:
            bench.sizes(databases)
            bench.probes(databases)
    finally:
        bench.stop_all()
        shutil.rmtree(ROOT / "staticfiles" / "bench", ignore_errors=True)
    bench.report(load_before, os.getloadavg()[0])


if __name__ == "__main__":
    main()

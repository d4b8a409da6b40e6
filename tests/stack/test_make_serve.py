"""`make serve` (the production stack on this machine) and `make run` (the
development server), started as a person would."""

import json
import re
import shutil
import signal
import time
from pathlib import Path

import pytest

from tests.page_urls import page_urls
from tests.stack.conftest import fetch, free_port, server_environment

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None, reason="make is not installed"
)


def session_processes(session: int) -> dict[int, str]:
    """The command line of every live process in `session`, by process id
    (zombies, ended but not yet reaped, are gone)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session and fields[0] != "Z":
                command = (stat.parent / "cmdline").read_bytes()
                found[int(stat.parent.name)] = command.replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue  # ended while we looked
    return found


def test_make_serve_runs_gunicorn_the_worker_and_the_scheduler(
    servers, tmp_path, server_database
):
    """Without DJANGO_SECRET_KEY it says so and makes one up; it migrates,
    serves with gunicorn and DEBUG off, runs the worker, the scheduler and
    the heartbeat (so /healthz turns 200), and Ctrl-C stops every process."""
    port = free_port()
    env = server_environment(server_database, tmp_path)
    del env["DJANGO_SECRET_KEY"]
    # -o: never reinstall the requirements from inside a test run.
    serve = servers.start(
        ["make", "-o", ".venv/.installed", "serve", f"PORT={port}"],
        env,
        tmp_path / "serve.log",
    )
    status, _, body = serve.wait_for(f"http://127.0.0.1:{port}/healthz", timeout=120)
    assert json.loads(body)["status"] == "ok"  # the worker ran a heartbeat
    output = serve.output()
    assert "DJANGO_SECRET_KEY is not set" in output
    assert f"Serving on http://127.0.0.1:{port}/" in output

    running = session_processes(serve.process.pid)
    commands = " | ".join(running.values())
    for part in (
        "gunicorn --config gunicorn.conf.py",
        "manage.py db_worker",
        "manage.py publish_scheduled --loop 60",
        "manage.py heartbeat --loop 60",
    ):
        assert part in commands
    gunicorn = next(pid for pid, cmd in running.items() if "gunicorn --config" in cmd)
    environ = Path(f"/proc/{gunicorn}/environ").read_bytes().split(b"\0")
    assert b"DJANGO_DEBUG=0" in environ

    serve.signal(signal.SIGINT)  # Ctrl-C reaches the whole foreground group
    deadline = time.monotonic() + 40
    while session_processes(serve.process.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert session_processes(serve.process.pid) == {}


def test_make_run_is_ready_before_the_worker_and_reports_it(servers, tmp_path):
    """`make run` (DEBUG on, SQLite, the in-memory cache, no secret key):
    /healthz answers 200 as soon as the server is up, heartbeat or not; the
    status turns the worker ok once the heartbeat loop beside it has run."""
    port = free_port()
    env = server_environment(f"sqlite:///{tmp_path / 'run.sqlite3'}", tmp_path)
    del env["DJANGO_SECRET_KEY"]
    run = servers.start(
        ["make", "-o", ".venv/.installed", "run", f"PORT={port}"],
        env,
        tmp_path / "run.log",
    )
    base = f"http://127.0.0.1:{port}"
    status, _, body = run.wait_for(f"{base}/healthz", status=None, timeout=180)
    assert (status, json.loads(body)["status"]) == (200, "ok")
    assert "manage.py heartbeat --loop 60" in " | ".join(
        session_processes(run.process.pid).values()
    )
    deadline = time.monotonic() + 60
    while True:
        status, _, body = run.wait_for(f"{base}/healthz/status")
        worker = json.loads(body)["checks"]["worker"]
        if worker["level"] == "ok" or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert worker["level"] == "ok", run.output()[-3000:]


ARTICLE_LINK = re.compile(r'href="(/articles/[-\w]+/)"')


def test_make_serve_demo_links_every_page_to_the_port_served(
    servers, tmp_path, server_database
):
    """`make serve DEMO=1` loads the demo with serve's own environment (no
    exported secret key, no second shell), and every absolute URL of every
    article page names the port served; served again on another port, they
    name that one, the page cache's copies included."""
    env = server_environment(server_database, tmp_path)
    del env["DJANGO_SECRET_KEY"]
    for run, demo in enumerate([["DEMO=1"], []]):
        port = free_port()
        serve = servers.start(
            ["make", "-o", ".venv/.installed", "serve", *demo, f"PORT={port}"],
            env,
            tmp_path / f"serve-{run}.log",
        )
        base = f"http://127.0.0.1:{port}"
        _, _, home = serve.wait_for(f"{base}/", timeout=180)
        links = sorted(set(ARTICLE_LINK.findall(home.decode())))
        assert len(links) >= 3
        for link in links:
            for _ in range(2):  # rendered, then the page cache's copy
                status, _, body = fetch(base + link)
                assert status == 200
                urls = page_urls(body.decode())
                assert len(urls) > 10
                assert all(url.startswith(f"{base}/") for url in urls), urls
        if demo:
            assert f"Log in at {base}/admin/" in serve.output()
        serve.stop()

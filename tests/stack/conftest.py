"""Real server processes for the production-stack tests: each on a free
127.0.0.1 port of its own, started by a fixture and stopped after it."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, timeout: float = 10) -> tuple[int, Message, bytes]:
    """Status, headers (any case) and body of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class Server:
    """A process in a session of its own (so it and its children stop
    together), its output in a file, stopped with SIGTERM then SIGKILL."""

    def __init__(self, args: list[str], env: dict, log: Path, **popen):
        self.log = log
        with open(log, "wb") as output:
            self.process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **popen,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, url: str, status: int | None = 200, timeout: float = 60):
        """Poll `url` until it answers (with `status`, unless None)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.output()[-3000:]}")
            try:
                answer = fetch(url, timeout=5)
            except OSError:
                answer = None
            if answer and (status is None or answer[0] == status):
                return answer
            time.sleep(0.3)
        raise AssertionError(f"{url} did not answer {status}:\n{self.output()[-3000:]}")

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.process.wait(10)
        # Children the leader left behind go too.
        self.signal(signal.SIGKILL)


class Servers(list):
    """Real processes, started with `start(...)` and stopped together."""

    def start(self, args, env, log, **popen) -> Server:
        server = Server(args, env, log, **popen)
        self.append(server)
        return server

    def stop(self) -> None:
        for server in self:
            server.stop()


@pytest.fixture
def servers():
    """Start real processes with `servers.start(...)`; all are stopped after
    the test, passed or failed."""
    started = Servers()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def module_servers():
    """The same, for processes a whole test module shares."""
    started = Servers()
    yield started
    started.stop()


def server_environment(database_url: str, tmp_path: Path, **extra) -> dict:
    """The environment of an app server: production settings, the given
    database, media in a temporary folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "HEALTH_", "DATABASE_URL"))
    }
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY="stack-tests-" + "k" * 50,
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        HEALTH_PAGE_CACHE_DIR=str(tmp_path / "page-cache"),
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def server_database(tmp_path_factory, django_db_setup):
    """A migrated database of its own for app servers in other processes:
    a new PostgreSQL database beside the test database when the tests run on
    PostgreSQL, a SQLite file otherwise. Yields its DATABASE_URL."""
    folder = tmp_path_factory.mktemp("server-db")
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        name = f"{params['NAME']}_servers"
        server = psycopg.connect(
            host=params["HOST"] or "127.0.0.1",
            port=params["PORT"] or 5432,
            user=params["USER"],
            password=params["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
        auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
        url = f"postgres://{auth}@{params['HOST']}:{params['PORT'] or 5432}/{name}"
    else:
        server, url = None, f"sqlite:///{folder / 'db.sqlite3'}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=server_environment(url, folder),
        check=True,
    )
    yield url
    if server is not None:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


VARNISH_DROP_IN = ROOT / "deploy" / "systemd" / "varnish.service.d" / "health.conf"
PURGE_SECRET = "stack-tests-purge-secret-" + "p" * 32


def varnish_command(
    workdir: Path, backend_port: int, public_port: int, purge_port: int
) -> list[str]:
    """varnishd as deploy/systemd/varnish.service.d/health.conf runs it (its
    listeners, stores and VCL), on free ports, in the foreground, unprivileged,
    with deploy/varnish.vcl pointed at `backend_port`."""
    exec_start = [
        line.split("=", 1)[1]
        for line in VARNISH_DROP_IN.read_text().splitlines()
        if line.startswith("ExecStart=") and line != "ExecStart="
    ][0].split()
    vcl = (ROOT / "deploy" / "varnish.vcl").read_text()
    vcl = vcl.replace('.port = "8000";', f'.port = "{backend_port}";')
    (workdir / "health.vcl").write_text(vcl)
    args, options = [exec_start[0]], iter(exec_start[1:])
    for option in options:
        if option == "-F":  # foreground: the only option without a value
            args.append(option)
            continue
        value = next(options)
        if option == "-a":
            name, _, where = value.rpartition("=")
            port = purge_port if name == "purge" else public_port
            value = f"{where.rsplit(':', 1)[0]}:{port}"
            if name:
                value = f"{name}={value}"
        elif option == "-f":
            value = str(workdir / "health.vcl")
        elif option in {"-j", "-T", "-S"}:
            continue  # no jail, no management port: this is a test
        args += [option, value]
    return [*args, "-j", "none", "-n", str(workdir / "varnish")]

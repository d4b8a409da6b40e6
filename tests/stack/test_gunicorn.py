"""gunicorn with gunicorn.conf.py, as `make serve` and the systemd unit run
it: real processes on free ports."""

import json
import subprocess
import sys

from tests.stack.conftest import ROOT, VENV_BIN, fetch, free_port, server_environment


def start_gunicorn(servers, tmp_path, database_url: str, **env):
    port = free_port()
    environment = server_environment(
        database_url,
        tmp_path,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        **env,
    )
    server = servers.start(
        [str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py"],
        environment,
        tmp_path / "gunicorn.log",
    )
    return server, f"http://127.0.0.1:{port}"


def beat(database_url: str, tmp_path) -> None:
    """Run the worker's heartbeat task once against `database_url`."""
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from siteconf.tasks import heartbeat; heartbeat.call()",
        ],
        cwd=ROOT,
        env=server_environment(database_url, tmp_path),
        check=True,
    )


def test_serves_healthz_with_the_production_config(servers, tmp_path, server_database):
    """DEBUG off, gthread workers, /healthz 200 with every check passing."""
    beat(server_database, tmp_path)
    server, url = start_gunicorn(servers, tmp_path, server_database)
    status, headers, body = server.wait_for(f"{url}/healthz")
    assert json.loads(body)["status"] == "ok"
    assert headers["Server"] == "gunicorn"
    assert "Using worker: gthread" in server.output()
    status, _, body = fetch(f"{url}/no-such-page/")
    assert status == 404
    assert b"Traceback" not in body  # DEBUG is off


def test_access_log_is_one_json_object_per_request(servers, tmp_path, server_database):
    """Method, path, status, duration and bytes, valid JSON even for a path
    full of quotes and backslashes; no query string, no client address."""
    server, url = start_gunicorn(servers, tmp_path, server_database)
    server.wait_for(f"{url}/static/css/site.css", status=None)
    fetch(f"{url}/a%22b%5C%22c/?q=private+search")
    server.stop()
    entries = [
        json.loads(line)
        for line in server.output().splitlines()
        if line.startswith('{"time"') and '"gunicorn.access"' in line
    ]
    odd = [entry for entry in entries if entry["path"].startswith("/a")]
    assert odd == [
        {
            "time": odd[0]["time"],
            "logger": "gunicorn.access",
            "method": "GET",
            "path": '/a"b\\"c/',
            "status": 404,
            "duration_ms": odd[0]["duration_ms"],
            "bytes": odd[0]["bytes"],
        }
    ]
    assert odd[0]["duration_ms"] > 0 and odd[0]["bytes"] > 0
    assert "private" not in server.output()


def test_a_database_that_is_down_fails_healthz_with_503(servers, tmp_path):
    """PostgreSQL on a closed port: /healthz answers 503 naming the database,
    within the pool's timeout, and the workers stay up."""
    closed = f"postgres://postgres@127.0.0.1:{free_port()}/nothing"
    server, url = start_gunicorn(servers, tmp_path, closed, DJANGO_DB_POOL_TIMEOUT="1")
    status, _, body = server.wait_for(f"{url}/healthz", status=503)
    answer = json.loads(body)
    assert "database" in answer["failing"]
    assert answer["checks"]["database"]["ok"] is False
    assert answer["checks"]["storage"]["ok"] is True
    # The worker's row is not looked for: one wait for the pool, not two.
    assert answer["checks"]["worker"]["error"] == "not checked: database down"
    assert answer["checks"]["database"]["ms"] < 3000
    assert fetch(f"{url}/healthz")[0] == 503  # the next probe is answered too

"""gunicorn with gunicorn.conf.py, as `make serve` and the systemd unit run
it: real processes on free ports."""

import json
import re
import runpy
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from tests.conftest import needs_redis
from tests.stack.conftest import (
    ROOT,
    VENV_BIN,
    Server,
    fetch,
    free_port,
    server_environment,
)
from tests.stack.test_s3_media import CREDENTIALS

REDIS = "redis://127.0.0.1:6379/4"


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


def test_workers_are_replaced_seldom_and_at_staggered_times():
    """A new worker costs about 0.6 s of CPU, some 900 cached pages
    (docs/operations.md): a limit of at least 500,000 requests keeps that under
    0.2 % of the CPU, where 20,000 spent about 5 % and raised p99; a jitter
    of a tenth or more spreads the restarts of workers started together."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["max_requests"] >= 500_000
    assert config["max_requests_jitter"] >= config["max_requests"] // 10


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


def probe_concurrently(urls: list[str], concurrency: int) -> list[tuple[int, dict]]:
    """Status and JSON body of each GET, `concurrency` at a time."""

    def probe(url):
        status, _, body = fetch(url, timeout=30)
        return status, json.loads(body)

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(probe, urls))


@pytest.mark.parametrize("cache", ["locmem", pytest.param("redis", marks=needs_redis)])
def test_300_concurrent_probes_give_no_false_failure(
    servers, tmp_path, server_database, cache
):
    """Two processes of two threads each, 20 probes at a time: every
    /healthz answer is 200 "ok" and every status is "ok" (the storage read
    shared, not failed), with the in-memory cache and with Redis."""
    beat(server_database, tmp_path)
    (tmp_path / "media").mkdir()
    env = {}
    if cache == "redis":
        env = {"REDIS_URL": REDIS, "DJANGO_CACHE_PREFIX": f"t-{uuid.uuid4().hex}"}
    server, url = start_gunicorn(servers, tmp_path, server_database, **env)
    server.wait_for(f"{url}/robots.txt")
    answers = probe_concurrently(
        [f"{url}/healthz", f"{url}/healthz/status"] * 150, concurrency=20
    )
    ready = [body["status"] for status, body in answers[::2] if status == 200]
    assert ready == ["ok"] * 150
    levels = {(status, body["status"]) for status, body in answers[1::2]}
    assert levels == {(200, "ok")}, [body for _, body in answers[1::2]][:3]


@pytest.mark.parametrize("redis", ["refused", "hung"])
def test_a_dead_redis_leaves_the_server_ready_and_degraded(
    servers, tmp_path, server_database, redis
):
    """Redis on a closed port, or one that accepts and never answers:
    /healthz 200 "degraded" within about Redis's 0.5 s timeouts, and the
    status says warning for the cache."""
    hole, dead = black_hole()
    if redis == "refused":
        hole.close()
    try:
        server, url = start_gunicorn(
            servers, tmp_path, server_database, REDIS_URL=dead.replace("http", "redis")
        )
        server.wait_for(f"{url}/robots.txt", status=None)
        started = time.monotonic()
        status, _, body = fetch(f"{url}/healthz")
        assert time.monotonic() - started < 2
        answer = json.loads(body)
        assert (status, answer["status"], answer["failing"]) == (
            200,
            "degraded",
            ["cache"],
        )
        report = json.loads(fetch(f"{url}/healthz/status")[2])
        assert report["checks"]["cache"]["level"] == "warning"
    finally:
        hole.close()


def test_a_database_that_is_down_fails_healthz_with_503(servers, tmp_path):
    """PostgreSQL on a closed port: /healthz answers 503 naming the database,
    within the pool's timeout, and the workers stay up; the status says
    critical, with 200."""
    closed = f"postgres://postgres@127.0.0.1:{free_port()}/nothing"
    server, url = start_gunicorn(servers, tmp_path, closed, DJANGO_DB_POOL_TIMEOUT="1")
    status, _, body = server.wait_for(f"{url}/healthz", status=503)
    answer = json.loads(body)
    assert answer["status"] == "fail"
    assert answer["failing"] == ["database"]
    assert answer["checks"]["cache"]["ok"] is True
    assert answer["checks"]["database"]["ms"] < 3000
    assert fetch(f"{url}/healthz")[0] == 503  # the next probe is answered too
    status, _, body = fetch(f"{url}/healthz/status")
    report = json.loads(body)
    assert (status, report["status"]) == (200, "critical")
    assert report["checks"]["worker"]["error"] == "not checked: database down"


def test_100_concurrent_probes_with_the_database_down(servers, tmp_path):
    """Every probe gets its 503, and quickly: after one wait for the pool,
    each process answers from that failure for 2 s instead of queueing each
    probe behind the pool's timeout (100 x 1 s on 4 threads would be 25 s)."""
    closed = f"postgres://postgres@127.0.0.1:{free_port()}/nothing"
    server, url = start_gunicorn(servers, tmp_path, closed, DJANGO_DB_POOL_TIMEOUT="1")
    server.wait_for(f"{url}/robots.txt", status=None)
    started = time.monotonic()
    answers = probe_concurrently([f"{url}/healthz"] * 100, concurrency=100)
    assert {status for status, _ in answers} == {503}
    assert time.monotonic() - started < 12


def test_an_unopenable_sqlite_database_fails_healthz_with_503(servers, tmp_path):
    """SQLite, as `make run` uses it, in a folder that does not exist."""
    missing = f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"
    server, url = start_gunicorn(servers, tmp_path, missing)
    status, _, body = server.wait_for(f"{url}/healthz", status=503)
    assert json.loads(body)["failing"] == ["database"]


def black_hole() -> tuple[socket.socket, str]:
    """A listening socket that never answers: a storage endpoint that hangs."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(64)
    return hole, f"http://127.0.0.1:{hole.getsockname()[1]}"


def test_a_hung_object_storage_is_reported_in_bounded_time(
    servers, tmp_path, server_database
):
    """An S3 endpoint that accepts and never answers: 20 concurrent status
    requests all answer within the storage timeout (5 s) and a margin, with
    the storage critical; /healthz stays 200 and quick."""
    beat(server_database, tmp_path)
    hole, endpoint = black_hole()
    try:
        server, url = start_gunicorn(
            servers,
            tmp_path,
            server_database,
            DJANGO_S3_BUCKET="media",
            DJANGO_S3_ENDPOINT_URL=endpoint,
            **CREDENTIALS,
        )
        server.wait_for(f"{url}/robots.txt")
        started = time.monotonic()
        answers = probe_concurrently([f"{url}/healthz/status"] * 20, concurrency=20)
        assert time.monotonic() - started < 12
        storage = {body["checks"]["storage"]["level"] for _, body in answers}
        assert storage == {"critical"}
        assert {status for status, _ in answers} == {200}
        started = time.monotonic()
        assert fetch(f"{url}/healthz")[0] == 200
        assert time.monotonic() - started < 1
    finally:
        hole.close()


@pytest.fixture
def moto(servers, tmp_path):
    """moto's S3 API on a free port, logging each request it serves."""
    port = free_port()
    server = servers.start(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        server_environment("", tmp_path),
        tmp_path / "moto.log",
    )
    server.wait_for(f"http://127.0.0.1:{port}/moto-api/", timeout=30)
    return server, f"http://127.0.0.1:{port}"


def s3_requests(moto: Server, bucket: str) -> list[tuple[str, str]]:
    """Method and path of each request for `bucket` that moto's server logged."""
    return [
        (method, path)
        for method, path in re.findall(r'"([A-Z]+) (\S+) HTTP/', moto.output())
        if path.startswith(f"/{bucket}")
    ]


@needs_redis
def test_processes_sharing_redis_read_the_bucket_once_a_minute(
    servers, tmp_path, server_database, moto
):
    """300 status requests to two processes (20 at a time) make one S3
    request a minute, a listing: no PUT, no DELETE, whatever the number of
    probes."""
    moto_server, endpoint = moto
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=bucket)
    beat(server_database, tmp_path)
    server, url = start_gunicorn(
        servers,
        tmp_path,
        server_database,
        DJANGO_S3_BUCKET=bucket,
        DJANGO_S3_ENDPOINT_URL=endpoint,
        REDIS_URL=REDIS,
        DJANGO_CACHE_PREFIX=f"t-{uuid.uuid4().hex}",
        **CREDENTIALS,
    )
    server.wait_for(f"{url}/robots.txt")
    before = len(s3_requests(moto_server, bucket))
    started = time.monotonic()
    answers = probe_concurrently([f"{url}/healthz/status"] * 300, concurrency=20)
    minutes = (time.monotonic() - started) / 60
    assert {body["checks"]["storage"]["level"] for _, body in answers} == {"ok"}
    made = s3_requests(moto_server, bucket)[before:]
    assert made and {method for method, _ in made} == {"GET"}
    assert all("delimiter=" in path for _, path in made)  # listings
    assert len(made) <= 1 + int(minutes)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0

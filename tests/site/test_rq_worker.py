"""The RQ option: the same tasks, stored in Redis and run by RQ's worker
(DJANGO_TASKS_BACKEND=django_tasks_rq.RQBackend). Real Redis, real worker
processes; every process gets the option from its environment, as `make serve`
would give it."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from tests.conftest import needs_redis

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/12"


pytestmark = needs_redis


@pytest.fixture
def rq(tmp_path):
    """Run manage.py commands with the RQ backend; stop the workers afterwards."""
    redis.Redis.from_url(REDIS).flushdb()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "DJANGO_TASKS_BACKEND"))
    }
    env.update(
        DJANGO_TASKS_BACKEND="django_tasks_rq.RQBackend",
        HEALTH_RQ_URL=REDIS,
        DATABASE_URL=f"sqlite:///{tmp_path / 'rq.sqlite3'}",
        DJANGO_SECRET_KEY="insecure-key-for-tests-only",
    )
    workers = []

    class Runner:
        def enqueue(self, name: str, *args) -> str:
            code = (
                f"from tests.worker_tasks import {name}; "
                f"print({name}.enqueue(*{args!r}).id)"
            )
            result = subprocess.run(
                [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return result.stdout.strip().splitlines()[-1]

        def start_worker(self) -> subprocess.Popen:
            log = (tmp_path / f"worker-{len(workers)}.log").open("w")
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "rqworker",
                    "--with-scheduler",
                    "--job-class",
                    "django_tasks_rq.Job",
                    "default",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            workers.append(worker)
            return worker

    yield Runner()
    for worker in workers:
        worker.terminate()
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    redis.Redis.from_url(REDIS).flushdb()


def wait_for_file(path: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.1)
    return path.read_text()


def test_a_task_queued_while_no_worker_runs_waits_in_redis(rq, tmp_path):
    done = tmp_path / "done"
    task_id = rq.enqueue("touch", str(done))
    assert redis.Redis.from_url(REDIS).exists(f"rq:job:{task_id}")
    time.sleep(0.5)
    assert not done.exists()
    rq.start_worker()
    assert wait_for_file(done) == "done"


def test_a_failed_attempt_is_retried_later_by_the_worker(rq, tmp_path):
    marker, done = tmp_path / "marker", tmp_path / "done"
    rq.enqueue("fails_once", str(marker), str(done))
    rq.start_worker()
    # The first attempt fails and schedules the second, a second later.
    assert wait_for_file(done) == "2"
    assert marker.exists()

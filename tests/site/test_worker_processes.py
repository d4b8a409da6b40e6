"""Real `db_worker` processes: nothing is lost while no worker runs, and a task
whose worker is killed is put back in the queue by `requeue_stale_tasks`.

On PostgreSQL the worker shares the test database. On SQLite that database
lives in this process's memory, so the worker gets a migrated database file
of its own, and the test reads it directly.
"""

import datetime
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.worker_tasks import hold, touch

ROOT = Path(__file__).resolve().parents[2]
TABLE = DBTaskResult._meta.db_table


class WorkerDatabase:
    """The database that the test and its worker processes share."""

    def __init__(self, url: str, sqlite_path: Path | None, logs: Path):
        self.url, self.sqlite_path, self.logs = url, sqlite_path, logs
        self.workers: list[subprocess.Popen] = []

    def env(self) -> dict[str, str]:
        env = {**os.environ, "DATABASE_URL": self.url, "DJANGO_DEBUG": "0"}
        env.pop("DJANGO_TEST_DATABASE_NAME", None)
        return env

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start_worker(self, worker_id: str) -> subprocess.Popen:
        log = (self.logs / f"{worker_id}.log").open("w")
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval=0.1",
                f"--worker-id={worker_id}",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(worker)
        return worker

    def enqueue(self, task, *args) -> str:
        if self.sqlite_path is None:
            return task.enqueue(*args).id
        code = (
            f"from {task.func.__module__} import {task.name}; "
            f"print({task.name}.enqueue(*{args!r}).id)"
        )
        return self.manage("shell", "--no-imports", "-c", code).strip()

    def row(self, task_id: str) -> tuple[str, list[str]]:
        """The task's status and the workers that claimed it."""
        if self.sqlite_path is None:
            result = DBTaskResult.objects.get(id=task_id)
            return result.status, result.worker_ids
        with sqlite3.connect(self.sqlite_path, timeout=10) as db:
            status, worker_ids = db.execute(
                f"SELECT status, worker_ids FROM {TABLE} WHERE id = ?",
                [uuid.UUID(task_id).hex],
            ).fetchone()
        return status, json.loads(worker_ids)

    def wait_for(self, task_id: str, status: str, timeout: float = 30) -> list[str]:
        deadline = time.monotonic() + timeout
        while (found := self.row(task_id))[0] != status:
            assert time.monotonic() < deadline, f"still {found[0]}, not {status}"
            time.sleep(0.1)
        return found[1]

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(10)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()


@pytest.fixture
def worker_db(transactional_db, tmp_path):
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        auth = quote(db["USER"]) + (
            f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
        )
        host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        url = f"postgres://{auth}@{host}/{db['NAME']}"
        shared = WorkerDatabase(url, None, tmp_path)
    else:
        path = tmp_path / "worker.sqlite3"
        shared = WorkerDatabase(f"sqlite:///{path}", path, tmp_path)
        shared.manage("migrate", "--noinput", "--verbosity=0")
    yield shared
    shared.stop_workers()


def wait_for_file(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_a_task_queued_while_no_worker_runs_waits_for_one(worker_db, tmp_path):
    """Enqueued with the worker down: it waits, and runs once a worker starts."""
    marker = tmp_path / "ran"
    task_id = worker_db.enqueue(touch, str(marker))
    time.sleep(1)
    assert worker_db.row(task_id)[0] == TaskResultStatus.READY
    assert not marker.exists()

    worker = worker_db.start_worker("worker-a")
    assert worker_db.wait_for(task_id, TaskResultStatus.SUCCESSFUL) == ["worker-a"]
    assert marker.read_text() == "done"
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(10) == 0  # idle: a graceful stop at once


def test_a_task_whose_worker_is_killed_is_requeued_and_finished(worker_db, tmp_path):
    """SIGKILL mid-task leaves it RUNNING, and a new worker never takes it up;
    `requeue_stale_tasks` puts it back, and the new worker finishes it."""
    started, release = tmp_path / "started", tmp_path / "release"
    first = worker_db.start_worker("worker-killed")
    task_id = worker_db.enqueue(hold, str(started), str(release))
    wait_for_file(started)
    first.send_signal(signal.SIGKILL)
    assert first.wait(10) == -signal.SIGKILL
    assert worker_db.row(task_id) == (TaskResultStatus.RUNNING, ["worker-killed"])

    worker_db.start_worker("worker-new")
    time.sleep(3)  # it polls every 0.1 s: time enough to take up a READY task
    assert worker_db.row(task_id)[0] == TaskResultStatus.RUNNING

    release.write_text("go")
    assert worker_db.manage("requeue_stale_tasks", "--older-than=0").split() == [
        "requeued",
        task_id,
    ]
    workers = worker_db.wait_for(task_id, TaskResultStatus.SUCCESSFUL)
    assert workers == ["worker-killed", "worker-new"]


def test_a_task_started_too_often_is_failed_not_requeued(db):
    """A task that every worker dies on ends FAILED, saying so."""
    result = touch.enqueue("/nonexistent/never")
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(hours=1),
        worker_ids=["w1", "w2", "w3"],
    )
    call_command("requeue_stale_tasks", stdout=io.StringIO())
    failed = DBTaskResult.objects.get(id=result.id)
    assert failed.status == TaskResultStatus.FAILED
    assert "started 3 times (by workers w1, w2, w3) and never finished" in (
        failed.traceback
    )


def test_a_task_running_for_less_than_the_limit_is_left_alone(db):
    """A task still within --older-than is presumed alive."""
    result = touch.enqueue("/nonexistent/never")
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=10),
        worker_ids=["w1"],
    )
    call_command("requeue_stale_tasks", "--older-than=30", stdout=io.StringIO())
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.RUNNING

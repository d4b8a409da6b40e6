"""With the RQ option, django-rq's dashboard (empty a queue, delete or
requeue jobs, read their arguments) is for superusers only (issue 15).

The dashboard's admin pages exist only in a process whose settings chose the
RQ backend, so the checks (rq_dashboard_checks.py) run in one, against the
real Redis."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import needs_redis

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/5"


@needs_redis
def test_only_superusers_reach_the_rq_dashboard():
    """Writers, reviewers and editors get 403 from every django-rq view and
    leave the queue as it was; a superuser empties it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "DJANGO_TEST_DATABASE", "REDIS_URL"))
    }
    env.update(
        DJANGO_TASKS_BACKEND="django_tasks_rq.RQBackend",
        HEALTH_RQ_URL=REDIS,
        DJANGO_SECRET_KEY="insecure-key-for-tests-only",
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/site/rq_dashboard_checks.py",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    assert "5 passed" in run.stdout, run.stdout[-2000:]

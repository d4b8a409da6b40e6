"""deploy/systemd/ and docs/operations.md stay true to the code they run."""

import configparser
import re
import shlex

import pytest
from django.core.management import get_commands

from tests.stack.conftest import ROOT

UNITS = ROOT / "deploy" / "systemd"


def unit(name: str) -> configparser.ConfigParser:
    # Not strict: a unit may repeat a key (ExecStart); exec_lines() reads those.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((UNITS / name).read_text())
    return parser


def exec_lines(name: str) -> list[list[str]]:
    text = (UNITS / name).read_text()
    return [shlex.split(line) for line in re.findall(r"(?m)^ExecStart=(.+)$", text)]


@pytest.mark.parametrize(
    "name",
    [
        "health-web.service",
        "health-worker.service",
        "health-scheduler.service",
        "health-reminders.service",
    ],
)
def test_each_unit_runs_something_that_exists(name):
    """gunicorn with this repository's config, or a manage.py command."""
    commands = get_commands()
    for line in exec_lines(name):
        program = line[0].removeprefix("/srv/health/")
        if program.endswith("gunicorn"):
            assert line[1:] == ["--config", "gunicorn.conf.py"]
            assert (ROOT / "gunicorn.conf.py").exists()
        else:
            assert program == ".venv/bin/python" and line[1] == "manage.py"
            assert line[2] in commands, f"{name}: no command {line[2]!r}"
        service = unit(name)["Service"]
        assert service["User"] == "health"
        assert service["EnvironmentFile"] == "/etc/health/health.env"


def test_the_scheduler_runs_every_minute_and_queues_the_heartbeat():
    """The timer starts the scheduler service, whose last step is the beat
    /healthz waits for."""
    timer = unit("health-scheduler.timer")["Timer"]
    assert timer["OnCalendar"] == "*-*-* *:*:00"
    assert timer["Unit"] == "health-scheduler.service"
    steps = [line[2] for line in exec_lines("health-scheduler.service")]
    assert steps == ["publish_scheduled", "heartbeat"]


def test_the_daily_jobs_queue_evidence_checks_send_reminders_and_prune():
    """The daily unit may delete from the media folder, and nothing more."""
    steps = [line[2] for line in exec_lines("health-reminders.service")]
    assert steps == [
        "check_evidence",
        "send_review_reminders",
        "prune_uploads",
        "prune_feedback",
        "refresh_search",
    ]
    service = unit("health-reminders.service")["Service"]
    assert service["ReadWritePaths"] == "/srv/health/media"
    assert service["ProtectSystem"] == "strict"


def test_the_web_stops_after_gunicorns_graceful_timeout():
    """systemd waits longer than gunicorn gives requests in flight."""
    config = (ROOT / "gunicorn.conf.py").read_text()
    graceful = int(re.search(r"(?m)^graceful_timeout = (\d+)", config)[1])
    assert int(unit("health-web.service")["Service"]["TimeoutStopSec"]) > graceful


def test_every_variable_in_the_example_environment_is_read_somewhere():
    """No variable in health.env.example that nothing reads (a typo there
    would be silently ignored in production)."""
    example = (UNITS / "health.env.example").read_text()
    names = set(re.findall(r"(?m)^#? ?([A-Z][A-Z0-9_]+)=", example))
    code = "".join(
        path.read_text()
        for pattern in ("site/*.py", "articles/**/*.py", "gunicorn.conf.py")
        for path in ROOT.glob(pattern)
    )
    unread = {name for name in names if f'"{name}"' not in code}
    assert unread == set()


def test_the_deploy_guide_names_the_units_and_settings_it_documents():
    """docs/operations.md and the files it points to agree."""
    guide = (ROOT / "docs" / "operations.md").read_text()
    for path in UNITS.iterdir():
        assert path.name in guide
    for name in ("DJANGO_DB_PGBOUNCER", "prepare_threshold", "server_side_binding"):
        assert name in guide
    assert "deploy/varnish.vcl" in guide
    assert "check --deploy" in guide

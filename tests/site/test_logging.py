"""Server errors leave a traceback on stderr (JSON lines in production) and
mail ADMINS."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path

from siteconf.logging import JSONFormatter

ROOT = Path(__file__).resolve().parents[2]


def broken_view(request):
    raise RuntimeError("the view is broken")


urlpatterns = [path("broken/", broken_view)]


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_server_error_reaches_stderr_as_json_with_its_traceback(
    client, settings, capfd
):
    """A view that raises, DEBUG off: one JSON line with the request and the
    traceback."""
    settings.DEBUG = False
    client.raise_request_exception = False
    assert client.get("/broken/?x=1").status_code == 500
    [entry] = [
        entry
        for entry in json_lines(capfd.readouterr().err)
        if entry["logger"] == "django.request"
    ]
    assert entry["level"] == "ERROR"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/broken/", 500)
    assert "Traceback (most recent call last)" in entry["exc_info"]
    assert "RuntimeError: the view is broken" in entry["exc_info"]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_server_error_is_mailed_to_admins(client, settings, mailoutbox):
    """With ADMINS set, the error and its traceback are mailed to them."""
    settings.DEBUG = False
    settings.ADMINS = ["Ops Team <ops@example.org>"]
    client.raise_request_exception = False
    client.get("/broken/")
    [message] = mailoutbox
    assert message.to == ["Ops Team <ops@example.org>"]
    assert "Internal Server Error: /broken/" in message.subject
    assert "RuntimeError at /broken/" in message.body
    assert 'raise RuntimeError("the view is broken")' in message.body  # traceback


@pytest.mark.django_db
def test_a_bad_request_is_logged_but_not_mailed(client, settings, mailoutbox, capfd):
    """Anyone can send a malformed request: it is a warning, not an email."""
    settings.ADMINS = ["ops@example.org"]
    assert client.get("/search/?q=%00").status_code == 400
    assert mailoutbox == []
    [entry] = json_lines(capfd.readouterr().err)
    assert (entry["level"], entry["status"]) == ("WARNING", 400)


def test_json_formatter_writes_one_line_per_record():
    """Messages and tracebacks with newlines stay on one line."""
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        record = logging.LogRecord(
            "articles", logging.ERROR, __file__, 1, "two\nlines", (), sys.exc_info()
        )
    line = JSONFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "two\nlines"
    assert entry["exc_info"].endswith("ValueError: bad\nvalue")
    assert entry["time"].endswith("Z")


@pytest.mark.parametrize("debug, is_json", [("", True), ("1", False)])
def test_logs_are_json_in_production_and_text_in_development(debug, is_json):
    """DJANGO_DEBUG chooses the format of what reaches stderr."""
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('articles').warning('hello')"
    )
    env = {**os.environ, "DJANGO_DEBUG": debug, "DJANGO_SECRET_KEY": "x"}
    env["DJANGO_SETTINGS_MODULE"] = "siteconf.settings"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = [line for line in result.stderr.splitlines() if "hello" in line]
    if is_json:
        assert json.loads(line)["message"] == "hello"
    else:
        assert line.endswith("WARNING articles: hello")

"""Staff sessions end after a working day without activity, not 14 days."""

import datetime

import time_machine
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD, pass_second_factor

START = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
ADMIN = "/admin/"


def log_in(client, username):
    """The password through the log-in form, then the second factor."""
    response = client.post(
        reverse("admin:login"), {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302
    pass_second_factor(client, User.objects.get(username=username))
    return response


def is_logged_in(client) -> bool:
    return client.get(ADMIN).status_code == 200


def test_sessions_last_nine_hours_by_default(client, writer, settings):
    """The cookie and the stored session both expire after 9 hours."""
    assert settings.SESSION_COOKIE_AGE == 9 * 60 * 60
    response = log_in(client, "writer")
    assert response.cookies["sessionid"]["max-age"] == 9 * 60 * 60


def test_an_idle_session_expires_after_a_working_day(client, writer):
    with time_machine.travel(START, tick=False) as traveller:
        log_in(client, "writer")
        traveller.shift(datetime.timedelta(hours=8, minutes=59))
        assert is_logged_in(client)
    with time_machine.travel(START, tick=False) as traveller:
        client.logout()
        log_in(client, "writer")
        traveller.shift(datetime.timedelta(hours=9, minutes=1))
        assert not is_logged_in(client)


def test_activity_keeps_a_session_alive(client, writer):
    """Sliding expiry: working all day and into the evening stays logged in."""
    with time_machine.travel(START, tick=False) as traveller:
        log_in(client, "writer")
        for _ in range(12):  # a request every hour for 12 hours
            traveller.shift(datetime.timedelta(hours=1))
            assert is_logged_in(client)
        traveller.shift(datetime.timedelta(hours=9, minutes=1))
        assert not is_logged_in(client)


def test_a_request_soon_after_the_last_does_not_write_the_session(client, writer):
    """Expiry moves at most every few minutes, not with a write per request."""
    with time_machine.travel(START, tick=False) as traveller:
        log_in(client, "writer")
        traveller.shift(datetime.timedelta(minutes=2))
        with CaptureQueriesContext(connection) as queries:
            assert is_logged_in(client)
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if "django_session" in query["sql"] and "SELECT" not in query["sql"]
    ]
    assert writes == []


def test_a_made_up_session_cookie_creates_no_session(client, db):
    """Only sessions started by a log-in slide: a stale cookie stays empty."""
    client.cookies["sessionid"] = "a" * 32
    client.get(ADMIN)
    client.get("/")
    assert not Session.objects.exists()

"""Password guessing on the admin login pauses after a few failures."""

import os
import socket
from urllib.parse import urlparse

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import PASSWORD

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_is_up() -> bool:
    url = urlparse(REDIS_URL)
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """Run each test on the in-process cache and on a real Redis server
    (database 15, which the test flushes; set TEST_REDIS_URL to choose another)."""
    if request.param == "redis":
        if not redis_is_up():
            if os.environ.get("REQUIRE_REDIS") == "1":
                pytest.fail(f"Redis is not running at {REDIS_URL}")
            pytest.skip(f"Redis is not running at {REDIS_URL}")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"health-test-{os.getpid()}",
            }
        }
    cache.clear()
    yield request.param
    cache.clear()


def log_in(client, username, password):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
    )


def test_lockout_after_five_failures_even_with_the_right_password(
    client, writer, cache_backend
):
    for _ in range(5):
        response = log_in(client, "writer", "wrong")
        assert "correct username and password" in response.text
    response = log_in(client, "writer", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed log-in attempts" in response.text
    assert "_auth_user_id" not in client.session
    # The username the person typed is kept in the form.
    assert 'value="writer"' in response.text


def test_other_accounts_are_not_locked(client, writer, editor, cache_backend):
    for _ in range(5):
        log_in(client, "writer", "wrong")
    response = log_in(client, "editor", PASSWORD)
    assert response.status_code == 302


def test_success_before_the_limit_resets_the_count(client, writer, cache_backend):
    for _ in range(4):
        log_in(client, "writer", "wrong")
    assert log_in(client, "writer", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "writer", "wrong")
    assert log_in(client, "writer", PASSWORD).status_code == 302


def test_lock_lifts_after_the_window(client, writer, settings):
    # Redis expires keys on its own clock, which time-machine can't move.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.LOGIN_THROTTLE = {"USER_LIMIT": 3, "WINDOW_SECONDS": 60}
    with time_machine.travel("2026-11-25 09:00 +0000", tick=False) as traveller:
        for _ in range(3):
            log_in(client, "writer", "wrong")
        assert "Too many" in log_in(client, "writer", PASSWORD).text
        traveller.shift(61)
        assert log_in(client, "writer", PASSWORD).status_code == 302


def test_one_address_guessing_many_usernames_is_paused(client, writer, settings):
    settings.LOGIN_THROTTLE = {"ADDRESS_LIMIT": 10}
    for n in range(10):
        log_in(client, f"someone{n}", "wrong")
    assert "Too many" in log_in(client, "writer", PASSWORD).text

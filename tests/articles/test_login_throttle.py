"""Password guessing on the admin login pauses after a few failures, per
username and address, without letting a stranger lock a colleague out."""

import http.client
import os
import re
import socket
import threading
import time
import urllib.parse
from functools import partial
from urllib.parse import urlparse

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.races import all_at_once

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
HOME, ELSEWHERE, THIRD = "203.0.113.7", "198.51.100.23", "192.0.2.44"
LOGIN_PATH = "/admin/login/"


def redis_is_up() -> bool:
    url = urlparse(REDIS_URL)
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


def use_redis(settings) -> None:
    """Point the default cache at a real Redis server (database 15, which the
    tests flush; set TEST_REDIS_URL to choose another)."""
    if not redis_is_up():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not running at {REDIS_URL}")
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"health-test-{os.getpid()}",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """Run each test on the in-process cache and on a real Redis server."""
    if request.param == "redis":
        use_redis(settings)
    cache.clear()
    yield request.param
    cache.clear()


def log_in(client, username, password, address=HOME):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_lockout_after_five_failures_even_with_the_right_password(
    client, writer, cache_backend
):
    """Five failures lock the pair; the right password is then refused too."""
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
    """A lock on one username leaves the others alone."""
    for _ in range(5):
        log_in(client, "writer", "wrong")
    response = log_in(client, "editor", PASSWORD)
    assert response.status_code == 302


def test_a_lock_from_one_address_does_not_lock_another(client, writer, cache_backend):
    """A stranger's five wrong guesses leave the writer's own log-in working."""
    for _ in range(5):
        log_in(client, "writer", "wrong", address=ELSEWHERE)
    assert "Too many" in log_in(client, "writer", PASSWORD, address=ELSEWHERE).text
    assert log_in(client, "writer", PASSWORD, address=HOME).status_code == 302


def test_a_username_has_a_ceiling_across_addresses(client, writer, settings):
    """Many addresses together get no more than USER_LIMIT guesses."""
    settings.LOGIN_THROTTLE = {"PAIR_LIMIT": 5, "USER_LIMIT": 10}
    for address in (HOME, ELSEWHERE):
        for _ in range(5):
            log_in(client, "writer", "wrong", address=address)
    assert "Too many" in log_in(client, "writer", PASSWORD, address=THIRD).text


def test_hammering_a_locked_pair_does_not_use_up_the_ceiling(client, writer, settings):
    """Refused attempts stop at the pair, so they cannot lock the username."""
    settings.LOGIN_THROTTLE = {"PAIR_LIMIT": 5, "USER_LIMIT": 10}
    for _ in range(50):
        log_in(client, "writer", "wrong", address=ELSEWHERE)
    assert log_in(client, "writer", PASSWORD, address=HOME).status_code == 302


def test_success_before_the_limit_resets_the_count(client, writer, cache_backend):
    """A successful log-in clears its pair's count."""
    for _ in range(4):
        log_in(client, "writer", "wrong")
    assert log_in(client, "writer", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "writer", "wrong")
    assert log_in(client, "writer", PASSWORD).status_code == 302


def test_successful_log_ins_do_not_count(client, writer, settings):
    """Logging in and out all day never reaches a limit."""
    settings.LOGIN_THROTTLE = {"ADDRESS_LIMIT": 3, "USER_LIMIT": 3}
    for _ in range(10):
        assert log_in(client, "writer", PASSWORD).status_code == 302
        client.logout()


def test_lock_lifts_after_the_window(client, writer, settings):
    """The lock ends WINDOW_SECONDS after the first failure."""
    # Redis expires keys on its own clock, which time-machine can't move.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.LOGIN_THROTTLE = {"PAIR_LIMIT": 3, "WINDOW_SECONDS": 60}
    with time_machine.travel("2026-11-25 09:00 +0000", tick=False) as traveller:
        for _ in range(3):
            log_in(client, "writer", "wrong")
        assert "Too many" in log_in(client, "writer", PASSWORD).text
        traveller.shift(61)
        assert log_in(client, "writer", PASSWORD).status_code == 302


def test_one_address_guessing_many_usernames_is_paused(client, writer, settings):
    """Spraying many usernames from one address meets ADDRESS_LIMIT."""
    settings.LOGIN_THROTTLE = {"ADDRESS_LIMIT": 10}
    for n in range(10):
        log_in(client, f"someone{n}", "wrong")
    assert "Too many" in log_in(client, "writer", PASSWORD).text


def test_throttling_fails_safe_when_the_cache_is_down(
    client, writer, dead_redis, caplog
):
    """No error page, a warning, and throttling goes on in this process."""
    assert log_in(client, "writer", PASSWORD, address=THIRD).status_code == 302
    client.logout()
    for _ in range(5):
        assert "correct username" in log_in(client, "writer", "wrong").text
    assert "Too many" in log_in(client, "writer", PASSWORD).text
    assert any(
        record.levelname == "WARNING" and "cache is unreachable" in record.message
        for record in caplog.records
    )


# Many requests at once (PostgreSQL and Redis, as in production) ------------


class SlowCountingHasher(MD5PasswordHasher):
    """MD5, but each check takes as long as a real PBKDF2 check and is counted,
    so concurrent requests overlap while their passwords are checked."""

    checks = 0
    lock = threading.Lock()

    def verify(self, password, encoded):
        with self.lock:
            SlowCountingHasher.checks += 1
        time.sleep(0.3)
        return super().verify(password, encoded)


class LoginPage:
    """One kept-alive connection with the login form open, ready to post:
    the connection is accepted before the race, so all posts start at once."""

    def __init__(self, live_server_url: str):
        url = urllib.parse.urlsplit(live_server_url)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.connection.request("GET", LOGIN_PATH)
        response = self.connection.getresponse()
        html = response.read().decode()
        self.cookie = response.headers["Set-Cookie"].split(";")[0]
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    def post(self, username: str, password: str) -> str:
        data = {"csrfmiddlewaretoken": self.token, "username": username}
        data["password"] = password
        self.connection.request(
            "POST",
            LOGIN_PATH,
            body=urllib.parse.urlencode(data),
            headers={
                "Cookie": self.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        html = self.connection.getresponse().read().decode()
        self.connection.close()
        return html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the live server shares SQLite's in-memory test database across its "
    "threads, so requests cannot really run at once",
)
def test_concurrent_wrong_passwords_check_no_more_than_the_limit(
    live_server, writer, settings
):
    """40 wrong passwords at once: exactly PAIR_LIMIT of them are checked."""
    use_redis(settings)
    cache.clear()
    settings.PASSWORD_HASHERS = [f"{__name__}.SlowCountingHasher"]
    SlowCountingHasher.checks = 0
    pages = [LoginPage(live_server.url) for _ in range(40)]
    outcomes = all_at_once(
        [partial(page.post, "writer", f"guess-{n}") for n, page in enumerate(pages)],
        refused="Too many",
    )
    assert SlowCountingHasher.checks == 5
    assert outcomes == {"checked": 5, "throttled": 35}
    cache.clear()


# Known browsers (OWASP's device cookies) --------------------------------------

ATTACKERS = [f"198.51.100.{n}" for n in range(1, 7)]


def attack(username="writer"):
    """The ceiling's 30 wrong passwords, 5 from each of 6 addresses."""
    attacker = Client()
    for address in ATTACKERS:
        for _ in range(5):
            log_in(attacker, username, "wrong", address=address)


def known_browser(username="writer") -> Client:
    """A browser that has logged in as `username` before, now logged out: it
    keeps the device cookie only (Client.logout() would forget every cookie)."""
    response = log_in(Client(), username, PASSWORD)
    assert response.status_code == 302
    browser = Client()
    for name, cookie in response.cookies.items():
        if name.startswith("known_browser_"):
            browser.cookies[name] = cookie.value
    return browser


def test_a_successful_log_in_leaves_a_device_cookie(client, writer, settings):
    """The cookie is signed, HttpOnly, SameSite=Lax, kept a year, for the desk."""
    settings.SESSION_COOKIE_SECURE = True
    response = log_in(client, "writer", PASSWORD)
    [cookie] = [c for name, c in response.cookies.items() if "known_browser" in name]
    assert cookie["httponly"] and cookie["secure"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert cookie["path"] == "/admin/"


def test_a_known_browser_gets_in_after_the_ceilings_attack(writer, cache_backend):
    """30 wrong guesses from 6 addresses do not lock out the real user's own
    browser, while an unknown browser meets the ceiling."""
    browser = known_browser()
    attack()
    stranger = Client()
    assert "Too many" in log_in(stranger, "writer", PASSWORD, address=THIRD).text
    assert log_in(browser, "writer", PASSWORD, address=THIRD).status_code == 302


def test_a_known_browser_is_not_paused_by_its_address(writer, settings):
    """A spraying neighbour behind the same address does not pause it."""
    settings.LOGIN_THROTTLE = {"ADDRESS_LIMIT": 10}
    browser = known_browser()
    for n in range(10):
        log_in(Client(), f"someone{n}", "wrong")
    assert log_in(browser, "writer", PASSWORD).status_code == 302


def test_a_known_browser_has_its_own_limit(writer, cache_backend):
    """Five wrong passwords from the known browser pause that browser."""
    browser = known_browser()
    for _ in range(5):
        assert "correct username" in log_in(browser, "writer", "wrong").text
    assert "Too many" in log_in(browser, "writer", PASSWORD).text


def test_a_cookie_for_another_user_does_not_help(writer, editor, cache_backend):
    """The editor's browser is unknown for the writer, even with the editor's
    cookie copied under the writer's cookie name."""
    writers_cookie = next(
        name for name in known_browser("writer").cookies if "known_browser" in name
    )
    browser = known_browser("editor")
    [editors_cookie] = [c for c in browser.cookies.values() if "known_browser" in c.key]
    browser.cookies[writers_cookie] = editors_cookie.value
    attack()
    assert "Too many" in log_in(browser, "writer", PASSWORD, address=THIRD).text


def test_a_forged_cookie_counts_as_unknown(writer, cache_backend):
    """A cookie that does not carry the site's signature is ignored."""
    browser = known_browser()
    name = next(name for name in browser.cookies if "known_browser" in name)
    browser.cookies[name] = browser.cookies[name].value.rsplit(":", 1)[0] + ":forged"
    attack()
    assert "Too many" in log_in(browser, "writer", PASSWORD, address=THIRD).text

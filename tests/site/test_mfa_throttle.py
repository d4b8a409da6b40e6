"""Second-factor codes are throttled like passwords: counted before they are
checked, per user and address with a per-user ceiling, so a 6-digit code
cannot be guessed, and a known browser is never locked out by a guesser."""

import http.client
import re
import threading
import time
import urllib.parse
from functools import partial

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.admin.login import DeviceCookieMiddleware, remember_device
from siteconf.mfa import forms, throttle
from tests.articles.test_login_throttle import (
    cache_backend,  # noqa: F401
    use_redis,
)
from tests.conftest import password_only_login, test_device
from tests.races import all_at_once

HOME, THIRD = "203.0.113.7", "192.0.2.44"
ATTACKERS = ["198.51.100.1", "198.51.100.2"]


def attempt(address=HOME, cookies=None):
    request = RequestFactory().post("/admin/mfa/verify/", REMOTE_ADDR=address)
    request.COOKIES.update(cookies or {})
    return request


def cookies_from(view) -> dict[str, str]:
    """The device cookies a response to `view` sets."""
    response = DeviceCookieMiddleware(view)(attempt())
    return {name: cookie.value for name, cookie in response.cookies.items()}


def passed_second_factor(user) -> dict[str, str]:
    """A browser in which `user` passed their second factor before."""

    def view(request):
        throttle.succeeded(request, user)
        return HttpResponse()

    return cookies_from(view)


def exhaust_ceiling(user):
    """Ten wrong codes, five from each of two addresses: USER_LIMIT."""
    for address in ATTACKERS:
        for _ in range(5):
            assert throttle.reserve(attempt(address), user)


def test_a_pair_pauses_after_five_wrong_codes(writer, cache_backend):  # noqa: F811
    """The sixth check from one address is refused; another address goes on."""
    for _ in range(5):
        assert throttle.reserve(attempt(), writer)
    assert not throttle.reserve(attempt(), writer)
    assert throttle.reserve(attempt(THIRD), writer)


def test_a_user_has_a_ceiling_across_addresses(writer, cache_backend):  # noqa: F811
    """Ten wrong codes from any addresses pause every unknown client."""
    exhaust_ceiling(writer)
    assert not throttle.reserve(attempt(THIRD), writer)


def test_the_ceiling_is_per_user(writer, editor, cache_backend):  # noqa: F811
    """Guessing at one user's codes leaves the others alone."""
    exhaust_ceiling(writer)
    assert throttle.reserve(attempt(THIRD), editor)


def test_a_known_browser_gets_through_the_ceiling(writer, cache_backend):  # noqa: F811
    """A browser that passed the second factor before is not locked out."""
    browser = passed_second_factor(writer)
    exhaust_ceiling(writer)
    assert throttle.reserve(attempt(THIRD, browser), writer)


def test_a_known_browser_has_its_own_limit(writer, cache_backend):  # noqa: F811
    """Five wrong codes from the known browser pause that browser too."""
    browser = passed_second_factor(writer)
    for _ in range(5):
        assert throttle.reserve(attempt(cookies=browser), writer)
    assert not throttle.reserve(attempt(cookies=browser), writer)


def test_the_password_alone_does_not_make_a_browser_known(writer, cache_backend):  # noqa: F811
    """A cookie earned with the password only buys no extra codes: else a
    guesser with the password would log in again for fresh counts."""

    def view(request):
        remember_device(request, writer.get_username())
        return HttpResponse()

    browser = cookies_from(view)
    exhaust_ceiling(writer)
    assert not throttle.reserve(attempt(THIRD, browser), writer)


def test_another_users_browser_is_unknown(writer, editor, cache_backend):  # noqa: F811
    """The editor's known browser is an unknown client for the writer."""
    browser = passed_second_factor(editor)
    [value] = browser.values()
    name = next(iter(passed_second_factor(writer)))
    exhaust_ceiling(writer)
    assert not throttle.reserve(attempt(THIRD, {name: value}), writer)


def test_a_success_gives_its_attempt_back(writer, cache_backend):  # noqa: F811
    """Verifying a code clears the pair and does not count towards the ceiling."""
    for _ in range(4):
        throttle.reserve(attempt(), writer)
    throttle.reserve(attempt(), writer)
    throttle.succeeded(attempt(), writer)
    for _ in range(5):
        assert throttle.reserve(attempt(), writer)


def test_a_long_run_of_failures_stops_unknown_clients(writer, settings):
    """100 wrong codes in a row, however slowly, stop unknown clients until a
    success or a reset; a known browser still gets in."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    browser = passed_second_factor(writer)
    with time_machine.travel("2026-11-25 09:00 +0000", tick=False) as traveller:
        for _ in range(10):
            exhaust_ceiling(writer)
            traveller.shift(15 * 60 + 1)
        assert not throttle.reserve(attempt(THIRD), writer)
        assert throttle.reserve(attempt(THIRD, browser), writer)
        throttle.forget(writer)
        assert throttle.reserve(attempt(THIRD), writer)


def test_concurrent_wrong_codes_check_no_more_than_the_ceiling(
    writer,
    cache_backend,  # noqa: F811
    monkeypatch,
):
    """40 wrong codes at once from 8 addresses: at most USER_LIMIT (10) are
    checked, however the requests interleave."""
    checks = []
    lock = threading.Lock()

    def slow_wrong(user, code, devices=None):
        with lock:
            checks.append(code)
        time.sleep(0.05)  # checks overlap, as real ones would
        return None

    monkeypatch.setattr(forms, "verify_code", slow_wrong)
    barrier = threading.Barrier(40)
    results = []

    def guess(n):
        request = attempt(f"198.51.100.{n % 8}")
        barrier.wait()
        results.append(forms.check_code(request, writer, f"{n:06d}"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) == 10
    assert all(device is None for device, _error in results)
    assert sum(error == str(forms.THROTTLED) for _device, error in results) == 30


# Over HTTP, many requests at once (PostgreSQL and Redis, as in production) ---


class CountingTOTPDevice:
    """Counts the codes really checked, each taking a while, so concurrent
    requests overlap while their codes are checked."""

    checks = 0
    lock = threading.Lock()

    @classmethod
    def wrap(cls, verify):
        def verify_token(device, token):
            with cls.lock:
                cls.checks += 1
            time.sleep(0.2)
            return verify(device, token)

        return verify_token


class VerifyPage:
    """One kept-alive connection with the code form open, in a session that
    has passed only the password: the race starts with every post ready."""

    def __init__(self, live_server_url: str, session_cookie: str):
        url = urllib.parse.urlsplit(live_server_url)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.cookie = session_cookie
        self.connection.request("GET", VERIFY, headers={"Cookie": self.cookie})
        response = self.connection.getresponse()
        html = response.read().decode()
        self.cookie += "; " + response.headers["Set-Cookie"].split(";")[0]
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    def post(self, code: str) -> str:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.token, "code": code})
        self.connection.request(
            "POST",
            VERIFY,
            body=body,
            headers={
                "Cookie": self.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        html = self.connection.getresponse().read().decode()
        self.connection.close()
        return html


VERIFY = "/admin/mfa/verify/"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the live server shares SQLite's in-memory test database across its "
    "threads, so requests cannot really run at once",
)
def test_40_concurrent_wrong_codes_over_http_check_only_five(
    live_server, writer, settings, monkeypatch
):
    """40 wrong codes posted at once from one address, each from its own
    password-only session: exactly PAIR_LIMIT (5) codes are checked."""
    use_redis(settings)
    cache.clear()
    test_device(writer)
    monkeypatch.setattr(
        TOTPDevice, "verify_token", CountingTOTPDevice.wrap(TOTPDevice.verify_token)
    )
    CountingTOTPDevice.checks = 0
    pages = []
    for _ in range(40):
        client = Client()
        password_only_login(client, writer)
        session = f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}"
        pages.append(VerifyPage(live_server.url, session))
    outcomes = all_at_once(
        [partial(page.post, f"{n:06d}") for n, page in enumerate(pages)],
        refused="Too many wrong codes",
    )
    assert CountingTOTPDevice.checks == 5
    assert outcomes == {"checked": 5, "throttled": 35}
    cache.clear()

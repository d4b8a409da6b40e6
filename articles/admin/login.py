"""Slow down password guessing on the editorial login, across app servers.

Every log-in attempt is counted *before* its password is checked, with an
atomic increment, against three limits within a window:

- PAIR_LIMIT for one username from one address: the lock a guesser meets
  first. It pauses nobody else, so a stranger cannot lock a colleague out;
- USER_LIMIT for one username from all addresses: a ceiling on the guesses
  any number of addresses can make at one account;
- ADDRESS_LIMIT for one address, whatever the usernames: stops spraying.

An attempt that takes a count over its limit is refused without checking the
password, so however many requests arrive at once, no more passwords are
checked than the limit allows. Refused attempts stop at the narrowest count
they exceed, so hammering a locked pair does not use up the username's
ceiling. A successful log-in gives its attempt back and clears its pair.

The ceiling alone would let anyone lock a colleague out: 30 wrong passwords
from 6 addresses would pause the real user everywhere. So a browser that has
logged in before is let through, as OWASP's "device cookies" describe: a
successful log-in leaves a signed cookie naming the user, and an attempt at
that user from a browser presenting it counts only against the cookie's own
count (PAIR_LIMIT), never the ceiling or the address. Unknown clients keep
every limit. The second-factor check (siteconf/mfa/throttle.py) counts the
same way with a `Throttle` of its own.

Counts live in the default cache: Redis with `REDIS_URL`, so every app
server shares them. While the cache is unreachable, a warning is logged and
counting goes on in this process's memory: log-in keeps working, throttled
per server.
"""

import datetime
import hashlib
import math
import secrets

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core import signing
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.window_counts import client_address, increment, on_shared_cache

DEFAULTS = {
    "PAIR_LIMIT": 5,
    "USER_LIMIT": 30,
    "ADDRESS_LIMIT": 30,
    "WINDOW_SECONDS": 15 * 60,
    # A run of failures since the last success, however slow (0: no limit).
    "RUN_LIMIT": 0,
    "RUN_SECONDS": 30 * 24 * 60 * 60,
}
DEVICE_COOKIE_PREFIX = "known_browser_"
DEVICE_COOKIE_SALT = "articles.admin.login.known-browser"
DEVICE_COOKIE_AGE = datetime.timedelta(days=365)
_PENDING_COOKIES = "_known_browser_cookies"


class Throttle:
    """Attempts at one kind of secret, counted before each check.

    `namespace` keeps the counts apart from other throttles'; the limits come
    from the settings dict named `setting` (`defaults`, then DEFAULTS, for what
    it leaves out).
    `who` names the account (a username, a user id), `address` the client,
    and `device` the nonce of a known browser's cookie for that account.
    """

    def __init__(self, namespace: str, setting: str, **defaults: int):
        self.namespace = namespace
        self.setting = setting
        self.defaults = {**DEFAULTS, **defaults}

    def limit(self, name: str) -> int:
        return getattr(settings, self.setting, {}).get(name, self.defaults[name])

    def _key(self, kind: str, *values: str) -> str:
        text = "\x1f".join(value.strip().casefold() for value in values)
        digest = hashlib.sha256(text.encode()).hexdigest()[:32]
        return f"{self.namespace}:{kind}:{digest}"

    def _counts(
        self, who: str, address: str, device: str | None
    ) -> list[tuple[str, int, int]]:
        """(cache key, limit, window) from the narrowest count to the widest."""
        window = self.limit("WINDOW_SECONDS")
        if device:
            return [(self._key("device", device), self.limit("PAIR_LIMIT"), window)]
        counts = [
            (self._key("pair", who, address), self.limit("PAIR_LIMIT"), window),
            (self._key("address", address), self.limit("ADDRESS_LIMIT"), window),
            (self._key("user", who), self.limit("USER_LIMIT"), window),
        ]
        if self.limit("RUN_LIMIT"):
            run = (self.limit("RUN_LIMIT"), self.limit("RUN_SECONDS"))
            counts.append((self._key("run", who), *run))
        return counts

    def reserve(self, who: str, address: str, device: str | None = None) -> bool:
        """Count one attempt before its secret is checked. False when the
        attempt takes a count over its limit: the secret must not be checked."""

        def count(store: BaseCache) -> bool:
            # all() stops at the first count over its limit, leaving wider ones.
            return all(
                increment(store, key, window) <= limit
                for key, limit, window in self._counts(who, address, device)
            )

        return on_shared_cache(count)

    def succeeded(self, who: str, address: str, device: str | None = None) -> None:
        """A successful check: give its attempt back and clear its pair (or
        its known browser's count), and end any run of failures."""
        run = self._key("run", who)
        first, *wider = self._counts(who, address, device)

        def give_back(store: BaseCache) -> None:
            store.delete_many([first[0], run])
            for key, _limit, window in wider:
                if key == run:
                    continue
                try:
                    count = store.decr(key)
                except ValueError:  # the window ended meanwhile
                    continue
                if count <= 0:
                    # Make sure it expires even if decr() recreated it (see above).
                    store.touch(key, timeout=window)

        on_shared_cache(give_back)

    def forget(self, who: str) -> None:
        """Clear the account's ceiling and run (a superuser's reset)."""
        keys = [self._key("user", who), self._key("run", who)]
        on_shared_cache(lambda store: store.delete_many(keys))


PASSWORDS = Throttle("login-attempts", "LOGIN_THROTTLE")


def _device_cookie_name(username: str) -> str:
    # One cookie per account, so that people sharing a browser each keep theirs.
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return DEVICE_COOKIE_PREFIX + digest[:16]


def _device_cookie(request: HttpRequest | None, username: str) -> dict | None:
    """The browser's valid device cookie for `username`, decoded, or None."""
    if request is None:
        return None
    value = request.COOKIES.get(_device_cookie_name(username))
    if not value:
        return None
    try:
        data = signing.loads(value, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != username.strip().casefold():
        return None
    return data


def known_device(
    request: HttpRequest | None, username: str, *, second_factor: bool = False
) -> str | None:
    """The nonce of this browser's device cookie for `username`, or None for an
    unknown client. With `second_factor`, only a cookie left by a passed second
    factor counts: the password alone must not buy more guesses at the code."""
    data = _device_cookie(request, username)
    if data is None or (second_factor and not data.get("2f")):
        return None
    return data.get("n") or None


def remember_device(
    request: HttpRequest | None, username: str, *, second_factor: bool = False
) -> None:
    """Mark this browser as known for `username` (DeviceCookieMiddleware sets
    the cookie on the response). A cookie already there keeps its nonce."""
    if request is None:
        return
    data = _device_cookie(request, username) or {
        "u": username.strip().casefold(),
        "n": secrets.token_urlsafe(18),
    }
    if second_factor:
        data["2f"] = True
    value = signing.dumps(data, salt=DEVICE_COOKIE_SALT, compress=True)
    pending = getattr(request, _PENDING_COOKIES, {})
    pending[_device_cookie_name(username)] = value
    setattr(request, _PENDING_COOKIES, pending)


class DeviceCookieMiddleware:
    """Set the device cookies a successful log-in or second factor asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in getattr(request, _PENDING_COOKIES, {}).items():
            response.set_cookie(
                name,
                value,
                max_age=DEVICE_COOKIE_AGE,
                path=reverse("admin:index"),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


class ThrottledLoginForm(AdminAuthenticationForm):
    """The admin login form, refusing attempts over the throttling limits."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed log-in attempts. For your security, log-in is "
            "paused for up to %(minutes)s minutes. Ask an administrator to "
            "reset your password if you have forgotten it."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not (username and password):
            return super().clean()  # no password will be checked
        address = client_address(self.request)
        device = known_device(self.request, username)
        if not PASSWORDS.reserve(username, address, device):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": math.ceil(PASSWORDS.limit("WINDOW_SECONDS") / 60)},
            )
        cleaned_data = super().clean()
        PASSWORDS.succeeded(username, address, device)
        remember_device(self.request, self.get_user().get_username())
        return cleaned_data

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

Counts live in the default cache: Redis with `REDIS_URL`, so every app
server shares them. While the cache is unreachable, a warning is logged and
counting goes on in this process's memory: log-in keeps working, throttled
per server.
"""

import hashlib
import logging
import math
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DEFAULTS = {
    "PAIR_LIMIT": 5,
    "USER_LIMIT": 30,
    "ADDRESS_LIMIT": 30,
    "WINDOW_SECONDS": 15 * 60,
}
CACHE_ERRORS = (RedisError, OSError)
_in_process = LocMemCache("login-throttle", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def _setting(name: str) -> int:
    return getattr(settings, "LOGIN_THROTTLE", {}).get(name, DEFAULTS[name])


def client_address(request) -> str:
    """The address the request came from (behind a proxy, set REMOTE_ADDR there)."""
    return (request.META.get("REMOTE_ADDR") or "unknown") if request else "unknown"


def _key(kind: str, *values: str) -> str:
    text = "\x1f".join(value.strip().casefold() for value in values)
    return f"login-attempts:{kind}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def _counts(username: str, address: str) -> list[tuple[str, int]]:
    """(cache key, limit) from the narrowest count to the widest."""
    return [
        (_key("pair", username, address), _setting("PAIR_LIMIT")),
        (_key("address", address), _setting("ADDRESS_LIMIT")),
        (_key("user", username), _setting("USER_LIMIT")),
    ]


def _increment(store: BaseCache, key: str, window: int) -> int:
    """Add one to a count that expires `window` seconds after it started."""
    while True:
        if store.add(key, 1, timeout=window):
            return 1
        try:
            count = store.incr(key)
        except ValueError:  # it expired between add() and incr(): start again
            continue
        if count == 1:
            # It expired between RedisCache.incr()'s existence check and its
            # INCR, which recreated it without a timeout.
            store.touch(key, timeout=window)
        return count


def _on_shared_cache[T](operation: Callable[[BaseCache], T]) -> T:
    try:
        return operation(cache)
    except CACHE_ERRORS as error:
        logger.warning(
            "Login throttling counts in this process only: the cache is "
            "unreachable (%s: %s).",
            type(error).__name__,
            error,
        )
        return operation(_in_process)


def reserve(username: str, address: str) -> bool:
    """Count one attempt before its password is checked. False when the
    attempt takes a count over its limit: the password must not be checked."""
    window = _setting("WINDOW_SECONDS")

    def count(store: BaseCache) -> bool:
        # all() stops at the first count over its limit, leaving wider ones.
        return all(
            _increment(store, key, window) <= limit
            for key, limit in _counts(username, address)
        )

    return _on_shared_cache(count)


def succeeded(username: str, address: str) -> None:
    """A successful log-in: give its attempt back and clear its pair."""
    pair, *wider = (key for key, _limit in _counts(username, address))
    window = _setting("WINDOW_SECONDS")

    def give_back(store: BaseCache) -> None:
        store.delete(pair)
        for key in wider:
            try:
                count = store.decr(key)
            except ValueError:  # the window ended meanwhile
                continue
            if count <= 0:
                # Make sure it expires even if decr() recreated it (see above).
                store.touch(key, timeout=window)

    _on_shared_cache(give_back)


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
        if not reserve(username, address):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": math.ceil(_setting("WINDOW_SECONDS") / 60)},
            )
        cleaned_data = super().clean()
        succeeded(username, address)
        return cleaned_data

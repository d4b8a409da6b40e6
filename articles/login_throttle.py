"""Slow down password guessing on the editorial login, across app servers.

Failed logins are counted per username and per client address in the default
cache: Redis when `REDIS_URL` is set, so every app server sees the same counts.
Once a username (or an address) reaches its limit within the window, logins for
it are refused, even with the right password, until the window has passed. A
successful login clears the username's count.

The check runs in the admin's login form, on the server, before the password is
tested, so a locked account costs no password hashing either.
"""

import hashlib
import math

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

DEFAULTS = {"USER_LIMIT": 5, "ADDRESS_LIMIT": 30, "WINDOW_SECONDS": 15 * 60}


def _setting(name: str) -> int:
    return getattr(settings, "LOGIN_THROTTLE", {}).get(name, DEFAULTS[name])


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def client_address(request) -> str:
    """The address the request came from (behind a proxy, set REMOTE_ADDR there)."""
    return (request.META.get("REMOTE_ADDR") or "unknown") if request else "unknown"


def _keys(username: str, request) -> list[tuple[str, int]]:
    keys = [(_key("address", client_address(request)), _setting("ADDRESS_LIMIT"))]
    if username:
        keys.append((_key("user", username), _setting("USER_LIMIT")))
    return keys


def record_failure(username: str, request) -> None:
    window = _setting("WINDOW_SECONDS")
    for key, _limit in _keys(username, request):
        # add() starts the window; incr() is atomic in Redis and in locmem.
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)


def is_locked(username: str, request) -> bool:
    keys = _keys(username, request)
    counts = cache.get_many([key for key, _ in keys])
    return any(counts.get(key, 0) >= limit for key, limit in keys)


def clear(username: str) -> None:
    cache.delete(_key("user", username))


@receiver(user_login_failed, dispatch_uid="articles.login_throttle.failed")
def _on_failure(sender, credentials, request=None, **kwargs):
    record_failure(credentials.get("username", ""), request)


@receiver(user_logged_in, dispatch_uid="articles.login_throttle.succeeded")
def _on_success(sender, request, user, **kwargs):
    clear(user.get_username())


class ThrottledLoginForm(AdminAuthenticationForm):
    """The admin login form, refusing while the username or address is locked."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed log-in attempts. For your security, log-in is "
            "paused for this account for up to %(minutes)s minutes. Ask an "
            "administrator to reset your password if you have forgotten it."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if is_locked(username, self.request):
            # Count refused attempts too, so a guesser never gets a free try.
            record_failure(username, self.request)
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": math.ceil(_setting("WINDOW_SECONDS") / 60)},
            )
        return super().clean()

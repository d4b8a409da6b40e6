"""Slow down second-factor guessing, as the password is (articles/admin/login.py).

Each check of a code is counted before it is made, with an atomic increment
in the shared cache, per user id: PAIR_LIMIT from one address, ADDRESS_LIMIT
from one address for any user, USER_LIMIT from all addresses together, all
within WINDOW_SECONDS (SECOND_FACTOR_THROTTLE), and RUN_LIMIT failures in a
row since the last success, however slowly they come. A check that takes a
count over its limit is refused unmade, so concurrent requests cannot check
more codes than the limits allow.

Why a 6-digit code cannot be guessed: an authenticator code is valid for
its 30-second step and one step either side, so about 3 of the 10**6 codes
are right at any moment, and a code used once is refused after. With at most
USER_LIMIT = 10 checks per 15 minutes, a window's guesses succeed with a
chance of at most 10 * 3 / 10**6 = 3e-5. Left alone, that would still add up
(96 windows a day), so RUN_LIMIT = 100 failures in a row (the most NIST SP
800-63B allows) stops unknown clients until a success or a superuser's reset
(`forget`): however long it goes on, guessing succeeds with a chance of at
most 100 * 3 / 10**6 = 3e-4. Recovery codes are far longer than six digits.

A guesser who has the password could use these limits to lock the real user
out, so a browser that has passed this user's second factor before counts
only against its own device cookie's count (PAIR_LIMIT). The password alone
earns a cookie good for the password only: a guesser cannot buy fresh counts
by logging in again.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from articles.admin.login import Throttle, client_address, known_device, remember_device

# settings.SECOND_FACTOR_THROTTLE may override any of these.
SECOND_FACTORS = Throttle(
    "second-factor-attempts",
    "SECOND_FACTOR_THROTTLE",
    PAIR_LIMIT=5,
    USER_LIMIT=10,
    ADDRESS_LIMIT=30,
    WINDOW_SECONDS=15 * 60,
    RUN_LIMIT=100,
)


def _device(request: HttpRequest, user: AbstractBaseUser) -> str | None:
    return known_device(request, user.get_username(), second_factor=True)


def reserve(request: HttpRequest, user: AbstractBaseUser) -> bool:
    """Count one second-factor check before it is made. False when it takes a
    count over its limit: refuse it without checking the code."""
    return SECOND_FACTORS.reserve(
        str(user.pk), client_address(request), _device(request, user)
    )


def succeeded(request: HttpRequest, user: AbstractBaseUser) -> None:
    """A code that verified: give its attempt back, clear its pair, and let
    this browser through next time (its device cookie)."""
    SECOND_FACTORS.succeeded(
        str(user.pk), client_address(request), _device(request, user)
    )
    remember_device(request, user.get_username(), second_factor=True)


def forget(user: AbstractBaseUser) -> None:
    """Lift the user's ceiling and run of failures (a superuser's reset)."""
    SECOND_FACTORS.forget(str(user.pk))


def minutes() -> int:
    """How long a refused user may have to wait, for the message."""
    return -(-SECOND_FACTORS.limit("WINDOW_SECONDS") // 60)

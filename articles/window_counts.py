"""Counts within a time window, shared by every app server through the
default cache: the log-in and second-factor throttles (articles/admin/login.py)
and the readers' feedback form (articles/public/feedback_guard.py).

While the cache is unreachable, a warning is logged and counting goes on in
this process's memory: what is counted keeps working, limited per server.
"""

import logging
from collections.abc import Callable

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)
_in_process = LocMemCache("window-counts", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def client_address(request) -> str:
    """The address the request came from (behind a proxy, set REMOTE_ADDR there)."""
    return (request.META.get("REMOTE_ADDR") or "unknown") if request else "unknown"


def increment(store: BaseCache, key: str, window: int) -> int:
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


def on_shared_cache[T](operation: Callable[[BaseCache], T]) -> T:
    """Run `operation` on the default cache, or on this process's own store
    while the default cache is unreachable."""
    try:
        return operation(cache)
    except CACHE_ERRORS as error:
        logger.warning(
            "Counting in this process only: the cache is unreachable (%s: %s).",
            type(error).__name__,
            error,
        )
        return operation(_in_process)

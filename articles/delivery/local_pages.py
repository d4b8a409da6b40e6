"""Each app process's own copy of the pages it serves most, kept exact by the
purges every app server announces over Redis.

With Redis as the page cache, a hit costs a network round trip (about 0.1 ms
for a 50 KB page, as much as whitenoise takes to serve the whole file). So
each process also keeps the pages it served recently in memory, and trusts
them only while it listens to the purge channel: every purge is published
there after the shared cache is cleared, and evicts the same keys here. If
the subscription drops (Redis down, a restart), the copies are thrown away
and not used again until it is back.

A page read from Redis is kept only if no purge arrived while it was being
read (a generation counter), so an old page can never be kept after its purge.
"""

import json
import logging
import os
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

MAX_ENTRIES = 500
MAX_BYTES = 64 * 1024 * 1024
HEALTH_CHECK_SECONDS = 5


class LocalPages:
    """A bounded LRU of pickled responses, valid only while `listening`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: OrderedDict[str, bytes] = OrderedDict()
        self.size = 0
        self.generation = 0
        self.listening = False

    def get(self, key: str) -> bytes | None:
        with self.lock:
            if not self.listening:
                return None
            data = self.entries.get(key)
            if data is not None:
                self.entries.move_to_end(key)
            return data

    def put(self, key: str, data: bytes, generation: int) -> None:
        """Keep `data` unless a purge came in since `generation` was read."""
        with self.lock:
            if not self.listening or generation != self.generation:
                return
            self.size += len(data) - len(self.entries.get(key, b""))
            self.entries[key] = data
            self.entries.move_to_end(key)
            while len(self.entries) > MAX_ENTRIES or self.size > MAX_BYTES:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped)

    def evict(self, keys: list[str] | None) -> None:
        """Drop these keys (all of them for None); any read under way is void."""
        with self.lock:
            self.generation += 1
            if keys is None:
                self.entries.clear()
                self.size = 0
                return
            for key in keys:
                dropped = self.entries.pop(key, None)
                if dropped is not None:
                    self.size -= len(dropped)

    def set_listening(self, listening: bool) -> None:
        with self.lock:
            self.listening = listening
        self.evict(None)


_local = LocalPages()
_started_in: int | None = None
_start_lock = threading.Lock()


def channel() -> str:
    options = settings.CACHES[settings.HEALTH_PAGE_CACHE_ALIAS]
    return f"{options.get('KEY_PREFIX', '')}:page-purges"


def redis_store():
    """The page cache when it is Redis (shared between servers), else None."""
    cache = caches[settings.HEALTH_PAGE_CACHE_ALIAS]
    return cache if isinstance(cache, RedisCache) else None


def local() -> LocalPages | None:
    """This process's copies, with its listener started; None without Redis."""
    global _started_in
    cache = redis_store()
    if cache is None:
        return None
    if _started_in != os.getpid():  # first use in this (possibly forked) process
        with _start_lock:
            if _started_in != os.getpid():
                _started_in = os.getpid()
                thread = threading.Thread(
                    target=_listen, args=(cache,), name="page-purges", daemon=True
                )
                thread.start()
    return _local


def publish(keys: list[str]) -> None:
    """Tell every app process to drop `keys` (after the shared cache has);
    this one at once, the others as the message reaches them."""
    _local.evict(keys)
    cache = redis_store()
    if cache is not None:
        cache._cache.get_client(write=True).publish(channel(), json.dumps(keys))


def _listen(cache) -> None:
    """Follow the purge channel for as long as the process lives."""
    pause = 0.5
    while True:
        try:
            client = cache._cache.get_client(write=True)
            subscription = client.pubsub()
            subscription.subscribe(channel())
            _follow(subscription)
        except Exception as error:
            logger.warning("Page purges unheard (%s); local copies off.", error)
        finally:
            _local.set_listening(False)
        time.sleep(pause)
        pause = min(pause * 2, 30)


def _follow(subscription) -> None:
    last_check = time.monotonic()
    while True:
        message = subscription.get_message(timeout=1.0)
        if message is not None:
            if message["type"] == "subscribe":
                _local.set_listening(True)
            elif message["type"] == "message":
                keys = json.loads(message["data"])
                _local.evict(keys if isinstance(keys, list) else None)
        if time.monotonic() - last_check > HEALTH_CHECK_SECONDS:
            # A connection that died quietly shows here, not in get_message.
            subscription.ping()
            last_check = time.monotonic()

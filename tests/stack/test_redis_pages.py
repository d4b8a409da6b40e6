"""The page cache's own Redis, as deploy/redis/pages.conf configures it: its
memory is bounded, and when it is full the least recently used pages go,
while writes go on succeeding."""

import shutil
import time

import pytest
import redis

from siteconf.cache import RedisCache
from tests.stack.conftest import ROOT, free_port

CONFIG = ROOT / "deploy" / "redis" / "pages.conf"
pytestmark = pytest.mark.skipif(
    not shutil.which("redis-server"), reason="redis-server is not installed"
)


def settings_of(path) -> dict[str, str]:
    settings = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition(" ")
            settings[name] = value.strip()
    return settings


def test_the_page_cache_redis_has_a_memory_limit_that_evicts():
    """Before: Redis ran with maxmemory 0 and noeviction, so 100,000 articles'
    page variants would have taken some 27 GB, then refused every write."""
    settings = settings_of(CONFIG)
    assert settings["maxmemory"].endswith(("mb", "gb"))
    assert int(settings["maxmemory"][:-2]) > 0
    assert settings["maxmemory-policy"] == "allkeys-lru"
    assert settings["save"] == '""' and settings["appendonly"] == "no"


def test_a_full_page_cache_evicts_old_pages_and_keeps_storing(servers, tmp_path):
    """With the shipped config (its limit made small for the test), 20 MB of
    pages through Django's cache fit in 4 MB: every write succeeds, the
    oldest are evicted, the newest are there."""
    port = free_port()
    servers.start(
        ["redis-server", str(CONFIG), "--port", str(port), "--bind", "127.0.0.1"]
        + ["--pidfile", str(tmp_path / "redis.pid"), "--dir", str(tmp_path)]
        + ["--maxmemory", "4mb", "--daemonize", "no"],
        {},
        tmp_path / "redis.log",
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    cache = RedisCache(
        f"redis://127.0.0.1:{port}/0", {"KEY_PREFIX": "health-pages", "TIMEOUT": 3600}
    )
    page = b"x" * 50_000
    for number in range(400):
        cache.set(f"page:/articles/a-{number}/", page)
    memory = client.info("memory")
    assert memory["maxmemory_policy"] == "allkeys-lru"
    assert memory["used_memory"] <= 4 * 1024 * 1024 * 1.1
    assert client.info("stats")["evicted_keys"] > 0
    assert cache.get("page:/articles/a-399/") == page
    assert cache.get("page:/articles/a-0/") is None

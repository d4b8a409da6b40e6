"""Django's Redis cache backend, keeping one redis-py client per server.

Django's client builds a new `redis.Redis` for every cache call, and with
redis-py 8 each one fills a table of some 170 response callbacks: about
0.8 ms per call, more than the network round trip, paid on every page-cache
hit. A `redis.Redis` is thread-safe (it takes connections from its pool per
command), so one per connection pool serves every thread of a process.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._client(connection_pool=self._pools[index])
            self._clients[index] = client
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

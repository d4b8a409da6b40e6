import pytest

from tests.references.replay import ReplayServer, point_lookups_at


@pytest.fixture
def replay(settings):
    """The lookup services, replayed from recorded answers on 127.0.0.1."""
    server = ReplayServer()
    point_lookups_at(settings, server)
    yield server
    server.close()

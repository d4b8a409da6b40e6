"""The pool's connection check (siteconf.database.check_connection): no round
trip for a healthy connection, and a connection the server ended is never
handed to a request."""

import tempfile
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg_pool import ConnectionPool

from articles.models import Topic
from siteconf.database import check_connection

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the pool and its check are PostgreSQL's: run with DATABASE_URL",
    ),
]


def conninfo() -> str:
    params = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        dbname=params["NAME"],
    )


def bytes_sent_by(check, conn: psycopg.Connection) -> bytes:
    """What `check(conn)` sends to the server, from libpq's own trace."""
    with tempfile.TemporaryFile() as trace:
        conn.pgconn.trace(trace.fileno())
        try:
            check(conn)
        finally:
            conn.pgconn.untrace()
        trace.seek(0)
        return trace.read()


def terminate(pid: int) -> None:
    with psycopg.connect(conninfo(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the server's goodbye reaches the socket


def test_the_settings_use_it_instead_of_a_round_trip_per_request():
    """Django's CONN_HEALTH_CHECKS is off: with a pool it would only choose
    psycopg's own check, a round trip each time a request gets a connection."""
    database = settings.DATABASES["default"]
    assert database["OPTIONS"]["pool"]["check"] is check_connection
    assert database["CONN_HEALTH_CHECKS"] is False


def test_a_healthy_connection_is_checked_without_a_round_trip(django_db_setup):
    """Our check sends nothing; psycopg's sends a query and waits for it."""
    with psycopg.connect(conninfo(), autocommit=True) as conn:
        assert bytes_sent_by(check_connection, conn) == b""
        assert b"Query" in bytes_sent_by(ConnectionPool.check_connection, conn)


def test_a_connection_the_server_ended_fails_the_check(django_db_setup):
    """After pg_terminate_backend the socket has the server's last word, so
    the check raises instead of handing the connection out."""
    with psycopg.connect(conninfo(), autocommit=True) as conn:
        terminate(conn.info.backend_pid)
        with pytest.raises(psycopg.OperationalError):
            check_connection(conn)


def test_the_pool_replaces_an_ended_connection_before_anyone_uses_it(
    django_db_setup,
):
    """The pool discards the connection that failed and hands out a new one."""
    with ConnectionPool(
        conninfo(), min_size=1, max_size=1, check=check_connection, open=True
    ) as pool:
        with pool.connection() as conn:
            ended = conn.info.backend_pid
        terminate(ended)
        with pool.connection() as conn:
            assert conn.info.backend_pid != ended
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_request_after_a_database_restart_gets_a_working_connection(
    transactional_db,
):
    """Through Django: the pooled connection's backend is ended between two
    'requests'; the second one's query still works."""
    assert Topic.objects.count() == 0
    ended = connection.connection.info.backend_pid
    connection.close()  # end of request: back to the pool
    terminate(ended)
    assert Topic.objects.count() == 0
    assert connection.connection.info.backend_pid != ended

"""PostgreSQL connections: how the pool checks one it hands out, and what
PgBouncer in transaction mode needs."""

import select

import psycopg
from psycopg import pq
from psycopg_pool import ConnectionPool


def check_connection(connection: psycopg.Connection) -> None:
    """The pool's `check`, run on every `getconn()`, so on every request:
    raise if `connection` is unusable, without a round trip to the server
    when nothing suggests it is.

    An idle connection has nothing to read. When the server ends it (a
    restart, `pg_terminate_backend`, an idle timeout, PgBouncer going away)
    the socket turns readable with the error or the end of the stream, and
    only then does the check pay for the round trip that proves it. The pool
    discards a connection that fails and tries the next one, so requests
    never get one already known to be dead.
    """
    if connection.closed or connection.pgconn.status != pq.ConnStatus.OK:
        raise psycopg.OperationalError("the connection is closed")
    # poll(), not select(): select() fails on descriptors above 1023.
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN)
    if poller.poll(0):
        ConnectionPool.check_connection(connection)


def for_pgbouncer(database: dict) -> dict:
    """`database` (a DATABASES entry) made safe behind PgBouncer in
    transaction mode, which gives each transaction whichever server connection
    is free: nothing may outlive a transaction on one (docs/operations.md)."""
    options = database.setdefault("OPTIONS", {})
    # psycopg's prepared statements live on one server connection; PgBouncer
    # before 1.21 cannot carry them to the next one.
    options["prepare_threshold"] = None
    # Django's default, client-side binding, sends each query as plain SQL;
    # server-side binding sends parameters apart, the path psycopg's prepared
    # statements take. Pinned off, whatever DATABASE_URL's options say.
    options["server_side_binding"] = False
    # QuerySet.iterator() would hold a cursor open across transactions.
    database["DISABLE_SERVER_SIDE_CURSORS"] = True
    return database

"""The ORM, the workflow and psycopg's pool behind a real PgBouncer in
transaction mode (Debian's package), with the settings DJANGO_DB_PGBOUNCER=1
applies (siteconf.database.for_pgbouncer)."""

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from psycopg_pool import ConnectionPool

from articles.models import Article, AuditEntry, Topic
from siteconf.database import for_pgbouncer
from tests.conftest import create_article
from tests.stack.conftest import Server, free_port

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PgBouncer pools PostgreSQL connections: run with DATABASE_URL",
    ),
]

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


class PgBouncer:
    """A PgBouncer of our own on a free port, in transaction mode, trusting
    127.0.0.1 like the test server. `single` is the test database with one
    server connection, so every client must share it."""

    def __init__(self, folder: Path, database: dict):
        self.port = free_port()
        self.user = database["USER"] or "postgres"
        self.database = database["NAME"]
        host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
        (folder / "users.txt").write_text(f'"{self.user}" ""\n')
        (folder / "pgbouncer.ini").write_text(
            f"""[databases]
* = host={host} port={port}
single = host={host} port={port} dbname={self.database} pool_size=1

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
admin_users = {self.user}
pool_mode = transaction
default_pool_size = 4
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
"""
        )
        for path in folder.iterdir():
            path.chmod(0o644)
        # PgBouncer refuses to run as root; then it runs as nobody.
        as_user = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.server = Server(
            [PGBOUNCER, *as_user, str(folder / "pgbouncer.ini")],
            dict(os.environ),
            folder / "pgbouncer.log",
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.server.process.poll():
                    raise AssertionError(self.server.output()) from None
                time.sleep(0.1)

    def conninfo(self, dbname: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={dbname}"

    def transactions(self) -> int:
        """Transactions PgBouncer has passed to the test database so far."""
        with psycopg.connect(self.conninfo("pgbouncer"), autocommit=True) as admin:
            cursor = admin.cursor()
            cursor.execute("SHOW STATS", prepare=False)
            columns = [column.name for column in cursor.description]
            for row in cursor.fetchall():
                stats = dict(zip(columns, row, strict=True))
                if stats["database"] == self.database:
                    return int(stats["total_xact_count"])
        return 0


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup):
    if not os.path.exists(PGBOUNCER):
        if os.environ.get("REQUIRE_PGBOUNCER") == "1":
            pytest.fail("REQUIRE_PGBOUNCER=1 but pgbouncer is not installed")
        pytest.skip("pgbouncer is not installed (apt-get install -y pgbouncer)")
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o755)  # readable by the user PgBouncer runs as
    bouncer = PgBouncer(folder, connection.settings_dict)
    yield bouncer
    bouncer.server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def through_pgbouncer(pgbouncer, transactional_db):
    """Django's default connection (and its psycopg pool) goes through
    PgBouncer, with the settings DJANGO_DB_PGBOUNCER=1 applies."""
    settings_dict = connection.settings_dict
    original = {**settings_dict, "OPTIONS": {**settings_dict["OPTIONS"]}}
    connection.close()
    connection.close_pool()
    settings_dict.update(HOST="127.0.0.1", PORT=str(pgbouncer.port))
    for_pgbouncer(settings_dict)
    yield pgbouncer
    connection.close()
    connection.close_pool()
    settings_dict.clear()
    settings_dict.update(original)


def test_the_settings_pgbouncer_needs(through_pgbouncer):
    """No prepared statements, client-side binding, no server-side cursors,
    and the connections really go to PgBouncer."""
    assert connection.settings_dict["OPTIONS"]["prepare_threshold"] is None
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is False
    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone')")
        assert cursor.fetchone() == ("UTC",)  # PgBouncer carries it across
    assert connection.connection.info.port == through_pgbouncer.port


def test_many_queries_and_transactions(through_pgbouncer):
    """200 transactions, committed and rolled back, all through PgBouncer."""
    before = through_pgbouncer.transactions()
    for number in range(100):
        with transaction.atomic():
            Topic.objects.create(name=f"Topic {number}", slug=f"topic-{number}")
        with pytest.raises(RuntimeError), transaction.atomic():
            Topic.objects.create(name=f"Gone {number}", slug=f"gone-{number}")
            raise RuntimeError("roll back")
    assert Topic.objects.filter(slug__startswith="topic-").count() == 100
    assert not Topic.objects.filter(slug__startswith="gone-").exists()
    assert through_pgbouncer.transactions() - before >= 200


def test_queryset_iterator_works_without_server_side_cursors(through_pgbouncer):
    """iterator() reads in chunks without a cursor held across transactions."""
    Topic.objects.bulk_create(
        Topic(name=f"Topic {n}", slug=f"topic-{n}") for n in range(45)
    )
    assert len(list(Topic.objects.iterator(chunk_size=10))) == 45


def test_submit_approve_publish_through_pgbouncer(
    through_pgbouncer, writer, reviewer, editor, reference
):
    """The whole review workflow, with its row locks and audit entries."""
    article = create_article(writer)
    article.submit_for_review(by=writer)
    article.approve(by=reviewer, comment="Accurate.")
    article.publish(by=editor)
    assert Article.objects.live().get() == article
    assert AuditEntry.objects.filter(article=article).count() >= 3


def test_select_for_update_waits_for_the_other_transaction(
    through_pgbouncer, writer, reference
):
    """A row locked in one transaction stays locked for another connection
    until it commits, though PgBouncer multiplexes server connections."""
    article = create_article(writer)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                Article.objects.select_for_update().get(pk=article.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        with pytest.raises(DatabaseError), transaction.atomic():
            Article.objects.select_for_update(nowait=True).get(pk=article.pk)
    finally:
        release.set()
        holder.join(10)
    with transaction.atomic():
        assert Article.objects.select_for_update(nowait=True).get(pk=article.pk)


def test_a_psycopg_pool_shares_one_server_connection(pgbouncer):
    """Eight threads on a psycopg pool of four connections, 25 transactions
    each, through a PgBouncer pool of one server connection: all succeed,
    and all ran on that one server connection."""
    pool = ConnectionPool(
        pgbouncer.conninfo("single"),
        min_size=4,
        max_size=4,
        kwargs={"prepare_threshold": None},
        open=True,
    )
    backends, errors = set(), []

    def work():
        try:
            for number in range(25):
                with pool.connection() as conn, conn.transaction():
                    conn.execute("SET LOCAL application_name = 'stack-test'")
                    backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
                    assert conn.execute("SELECT %s::int", [number]).fetchone() == (
                        number,
                    )
                    backends.add(backend)
        except Exception as error:
            errors.append(error)

    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        pool.close()
    assert errors == []
    assert len(backends) == 1


def test_prepared_statements_break_behind_transaction_pooling(pgbouncer):
    """Why prepare_threshold must be None with PgBouncer < 1.21: a statement
    one client prepared is found, or missed, by the next client on the same
    server connection."""
    query = "SELECT count(*) FROM pg_class WHERE relkind = %s"
    first = psycopg.connect(pgbouncer.conninfo("single"), autocommit=True)
    second = psycopg.connect(pgbouncer.conninfo("single"), autocommit=True)
    try:
        first.prepare_threshold = second.prepare_threshold = 0
        first.execute(query, ["r"])
        with pytest.raises(psycopg.Error, match="prepared statement"):
            second.execute(query, ["r"])
        unprepared = psycopg.connect(
            pgbouncer.conninfo("single"), autocommit=True, prepare_threshold=None
        )
        with unprepared:
            for _ in range(5):
                unprepared.execute(query, ["r"])
    finally:
        first.close()
        second.close()

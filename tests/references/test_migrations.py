"""The check-constraint migration repairs legacy rows instead of failing on them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("references", "0001_initial")]
AFTER = [("references", "0003_pendingimport_reference_checks")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_constraints_migration_clears_values_it_would_refuse():
    """Out-of-range dates and non-http URLs are cleared; valid rows are untouched."""
    old = migrate(BEFORE).get_model("references", "Reference")
    rows = {
        "bad_year": {"year": 32767, "month": 2, "day": 3},
        "bad_month": {"year": 2020, "month": 13, "day": 3},
        "bad_day": {"year": 2020, "month": 2, "day": 40},
        "orphan_day": {"day": 4},
        "script_url": {"url": "javascript:alert(1)"},
        "good": {"year": 2020, "month": 2, "day": 29, "url": "HTTPS://example.org/"},
    }
    for key, fields in rows.items():
        old.objects.create(citation_key=key, title=key, **fields)
    try:
        new = migrate(AFTER).get_model("references", "Reference")
        found = {
            r.citation_key: (r.year, r.month, r.day, r.url) for r in new.objects.all()
        }
    finally:
        # Back to the latest schema, so later tests (and later migrations that
        # depend on references) find every column.
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert found == {
        "bad_year": (None, None, None, ""),
        "bad_month": (2020, None, None, ""),
        "bad_day": (2020, 2, None, ""),
        "orphan_day": (None, None, None, ""),
        "script_url": (None, None, None, ""),
        "good": (2020, 2, 29, "HTTPS://example.org/"),
    }

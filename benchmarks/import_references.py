"""Benchmark: import N generated PubMed MEDLINE records and print the time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/health_bench \\
        .venv/bin/python benchmarks/import_references.py --records 10000

It creates a throw-away test database (Django's test runner machinery), so it
never touches your data, and prints records per second. The target is 10,000
records in under 15 seconds on PostgreSQL.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siteconf.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

RECORD = """PMID- {pmid}
OWN - NLM
STAT- MEDLINE
DP  - {year} Mar 14
TI  - Synthetic trial {n} of progesterone and early pregnancy outcomes in a
      multicentre cohort.
PG  - {first}-{last}
LID - 10.5555/bench.{n} [doi]
AID - 10.5555/bench.{n} [doi]
FAU - Lastname{n}, Firstname A
AU  - Lastname{n} FA
FAU - Second, Author B
AU  - Second AB
PT  - Journal Article
PT  - Randomized Controlled Trial
TA  - Bench J
JT  - Journal of benchmarks
VI  - {volume}
IP  - 2
"""


def generate(count: int) -> str:
    return "\n".join(
        RECORD.format(
            pmid=10_000_000 + n,
            n=n,
            year=2000 + n % 25,
            first=100 + n % 900,
            last=1100 + n % 900,
            volume=1 + n % 60,
        )
        for n in range(count)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()

    import django
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import get_runner

    django.setup()
    from django.conf import settings

    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.nbib"
            path.write_text(generate(args.records))
            started = time.perf_counter()
            call_command(
                "import_references", path, stdout=io.StringIO(), stderr=sys.stderr
            )
            elapsed = time.perf_counter() - started
        from references.models import Reference

        imported = Reference.objects.count()
        print(
            f"{connection.vendor}: imported {imported} records in {elapsed:.2f} s "
            f"({imported / elapsed:,.0f} records/s)"
        )
    finally:
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    main()

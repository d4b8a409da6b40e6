"""`make bench`'s search quality: how well search understands readers, and
how fast it answers them.

1. Recall@5 of the quality set (benchmarks/search_queries.toml): a fresh
   PostgreSQL database, health_search_quality, gets the demo content and the
   set's articles (benchmarks/search_articles.toml), published through the
   workflow and indexed as the worker indexes them; every case runs through
   the search page; recall@5 is printed overall and per kind, with the misses.
2. The p95 at concurrency 1 of exact and misspelled searches and of
   suggestions, with the page cache off, against health_bench_<size>
   (benchmarks/bench.py's database, prepared here if missing), each beside its
   limit: 30 ms exact, 60 ms misspelled, 20 ms for a suggestion.

    python benchmarks/search_quality.py                 # both, at 100,000
    python benchmarks/search_quality.py --recall-only   # seconds
    python benchmarks/search_quality.py --size 10000
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench import PG, PYTHON, ROOT, Bench  # noqa: E402

DATABASE = "health_search_quality"


def recall() -> bool:
    """Load the set into a fresh database and print its recall; True if it
    reaches 0.9."""
    admin = [shutil.which("psql") or "psql", f"{PG}/postgres", "-qc"]
    subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'])
    subprocess.run([*admin, f'CREATE DATABASE "{DATABASE}"'], check=True)
    bench = Bench(argparse.Namespace(fresh=False, rounds=1, duration=1))
    env = bench.env(
        f"{PG}/{DATABASE}", HEALTH_PAGE_CACHE="0", DJANGO_LOG_LEVEL="WARNING"
    )
    print("Search quality set (recall@5, demo content and the set's articles)…")
    result = subprocess.run(
        [PYTHON, __file__, "--inside"], cwd=ROOT, env=env, text=True
    )
    shutil.rmtree(bench.work, ignore_errors=True)
    return result.returncode == 0


def inside() -> int:
    """In the child, with DATABASE_URL set: load, search, report."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siteconf.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("django.tasks").setLevel(logging.WARNING)  # one per page
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from benchmarks import search_set

    with open(os.devnull, "w") as quiet:
        call_command("migrate", "--noinput", verbosity=0)
        call_command("seed_demo", stdout=quiet)
    made = search_set.load_articles(
        *(User.objects.get(username=name) for name in ("writer", "reviewer", "editor"))
    )
    results = search_set.evaluate(Client())
    print(f"   {made} articles of the set published; {len(results)} cases")
    print("   " + search_set.report(results).replace("\n", "\n   "), flush=True)
    held_out = search_set.evaluate(Client(), search_set.HOLDOUT)
    print(f"   Held out (written after tuning, not tuned for): {len(held_out)} cases")
    print("   " + search_set.report(held_out).replace("\n", "\n   "), flush=True)
    return 0 if search_set.recall(results) >= 0.9 else 1


def timings(size: int) -> bool:
    """The searches' p95 against health_bench_<size>; True if all are within
    their limits."""
    bench = Bench(argparse.Namespace(fresh=False, rounds=1, duration=1))
    try:
        database = bench.database(size)
        base = bench.app(database, "search", HEALTH_PAGE_CACHE="0")
        print(f"Search p95 at concurrency 1, {size:,} articles, page cache off…")
        bench.search_timings(base, size)
    finally:
        bench.stop_all()
        shutil.rmtree(bench.work, ignore_errors=True)
    return all(row[5] for row in bench.rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--recall-only", action="store_true")
    parser.add_argument("--timings-only", action="store_true")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        sys.exit(inside())
    if not shutil.which("psql"):
        sys.exit("psql is needed: apt-get install postgresql-client")
    met = []
    if not args.timings_only:
        met.append(recall())
    if not args.recall_only:
        met.append(timings(args.size))
    print("\nSearch quality:", "all goals met." if all(met) else "**goals missed**.")


if __name__ == "__main__":
    main()

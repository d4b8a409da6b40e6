"""Prepare one benchmark database: migrate, demo content, the long article,
and generated articles up to a library size (search indexing runs as it goes,
bench.py choosing the in-process task backend). Run by benchmarks/bench.py with
DATABASE_URL set; prints one JSON line.

    DATABASE_URL=postgres://…/health_bench_10000 python benchmarks/prepare.py 10000
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siteconf.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from tqdm import tqdm  # noqa: E402

from articles.models import Article  # noqa: E402
from benchmarks.library import generate, long_article  # noqa: E402


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("migrate", "--noinput", verbosity=0)
        call_command("seed_demo", stdout=quiet)
    long_article()
    long_article("very-long-article", words=5000, references=100)
    if "DatabaseBackend" in settings.TASKS["default"]["BACKEND"]:
        # The search index and purges are tasks; run what is queued.
        call_command("db_worker", "--batch", "--interval", "0", verbosity=0)
    missing = size - Article.objects.live().count()
    if missing > 0:
        with tqdm(total=missing, unit="article", file=sys.stderr) as bar:
            generate(missing, progress=bar.update)
    print(
        json.dumps(
            {
                "live": Article.objects.live().count(),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()

"""Benchmark: the weekly Crossref check of 10,000 cited DOIs, paced.

    .venv/bin/python benchmarks/evidence.py --dois 10000 --scale 100

Every DOI's `updated-by` is asked of a local server replaying a recorded
Crossref answer, through the same client and Pacer the watcher uses. The
pace is multiplied by --scale so the run takes seconds, not the half hour a
real one takes; the measured rate, divided by the scale, is what the real
pace sends. It prints that rate against the polite pool's stated limit, and
the time a real week's run takes against the weekly window.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siteconf.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

WEEK = 7 * 24 * 3600
FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "tests/fixtures/evidence/crossref-work-zhou-2020-addendum.json"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dois", type=int, default=10_000)
    parser.add_argument(
        "--scale", type=float, default=10.0, help="Run this many times faster."
    )
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    from references.evidence.crossref import DAYS, slice_of, work_updates
    from references.lookup.client import DEFAULTS
    from references.lookup.pacing import Pacer, stated_rate
    from tests.references.replay import Answer, ReplayServer

    server = ReplayServer()
    server.fallback = Answer(200, FIXTURE.read_bytes(), "application/json")
    real_rate = float(
        {**DEFAULTS, **getattr(settings, "HEALTH_LOOKUP", {})}["CROSSREF_RATE"]
    )
    overrides = {
        "CROSSREF_URL": f"{server.url}/crossref/",
        "ALLOW_INTERNAL": [f"127.0.0.1:{server.port}"],
        "BACKOFF": 0,
    }
    dois = [f"10.5555/bench.{n}" for n in range(arguments.dois)]
    try:
        with override_settings(HEALTH_LOOKUP=overrides):
            pacer = Pacer(real_rate * arguments.scale)
            started = time.perf_counter()
            for doi in dois:
                assert work_updates(doi, pacer)
            elapsed = time.perf_counter() - started
    finally:
        server.close()

    polite = stated_rate({"X-Rate-Limit-Limit": "50", "X-Rate-Limit-Interval": "1s"})
    paced = real_rate * arguments.scale
    measured = len(dois) / elapsed
    # The pacer caps the rate; below the cap the client itself is the limit.
    if measured < paced * 0.95:
        real = min(real_rate, measured)
        why = (
            f"the client managed {measured:,.1f}/s, under the scaled pace of "
            f"{paced:g}/s, so it can keep the real pace of {real_rate:g}/s"
        )
    else:
        real = measured / arguments.scale
        why = f"{measured:,.1f}/s at the scaled pace / {arguments.scale:g}"
    per_day = max(sum(1 for d in dois if slice_of(d) == day) for day in range(DAYS))
    real_week = len(dois) / real
    print(f"Crossref weekly check of {len(dois):,} DOIs (pace x{arguments.scale:g})")
    print(
        f"  measured: {len(dois):,} requests in {elapsed:.1f} s = {measured:,.1f}/s "
        f"(pacer set to {paced:g}/s)"
    )
    print(f"  real pace: {real:.2f} requests/s ({why})")
    print(
        f"  polite pool states {polite:g}/s: {real:.2f}/s is "
        f"{100 * real / polite:.0f}% of it ({'within' if real <= polite else 'OVER'})"
    )
    print(
        f"  real run: {len(dois):,} / {real:.2f} per s = {real_week:,.0f} s "
        f"({real_week / 60:.1f} min) a week; window {WEEK:,} s: "
        f"{100 * real_week / WEEK:.2f}% of it "
        f"({'within' if real_week <= WEEK else 'OVER'})"
    )
    print(
        f"  a day's slice: at most {per_day:,} DOIs / {real:.2f} per s = "
        f"{per_day / real:,.0f} s ({per_day / real / 60:.1f} min) of 86,400 s"
    )
    return 0 if real <= polite and real_week <= WEEK else 1


if __name__ == "__main__":
    sys.exit(main())

"""The editorial desk's heaviest pages, timed: part of `make bench`.

For the long edited article of benchmarks/edited_article.py (5,158 words,
about 1,300 of them changed, its reference list renumbered) a medical
reviewer opens:

- the source diff (the review screen's "Source diff" of every field),
- compare revisions (History → compare: the last approved → the current one),
- the review screen as readers will see it (the rendered diff);

and the same three for the worst case, a body near the size limit with
every two of its 2,800 lines swapped, to show the time budget holding.

Each page is fetched once to warm up, then once a round, the rounds
interleaved so that a busy minute slows every page alike. A figure is the
median with the range over the rounds, to the decimal place of the range's
first significant digit: these shared 2-core machines drift 2-3x, so
"0.05 s (0.04–0.09 over 7 rounds)" and not "0.0512 s". A page that ran out
of its time budget says so, and the line counts the rounds where it did.

Requests go through Django's test client in this process: every
middleware, the admin, sessions and the database, DEBUG off. These pages
are slow for the CPU the view spends, not for the network or concurrency,
and a TemplateResponse is rendered whole before its first byte goes out, so
this is the time to first byte without the socket. The database is
PostgreSQL at BENCH_POSTGRES, a throwaway `health_bench_desk` created and
dropped here, or SQLite in memory with --sqlite. Each line also gives the
CPU time this process spent on the page, which a busy machine inflates far
less than the wall-clock time. As with DEBUG off anywhere, the static files
must have been collected (`make bench` runs collectstatic first).

    python benchmarks/desk.py                     # 7 rounds
    python benchmarks/desk.py --rounds 3 --only "source diff,compare revisions"
    python benchmarks/desk.py --json              # and one JSON line at the end

To add a measure, write a function that prepares what it needs from the Desk
and returns what to run each round (returning the figure in the measure's
unit), and register it with @measure("name", goal=..., unit=...).
"""

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = "health_bench_desk"
PASSWORD = "benchmark-only-password"
# What a diff page says when its time budget ran out (diff_coarse.html).
FELL_BACK = "Partly shown by whole passages"


@dataclass
class Measure:
    name: str
    prepare: Callable[["Desk"], Callable[[], float]]
    goal: float | None = None  # the figure should stay at or under it
    unit: str = "s"
    values: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # seconds of this process's CPU
    fell_back: int = 0  # rounds where the page ran out of its time budget


MEASURES: list[Measure] = []


def measure(name: str, goal: float | None = None, unit: str = "s"):
    """Register a measure: `prepare(desk)` returns what to run each round."""

    def register(prepare):
        MEASURES.append(Measure(name, prepare, goal, unit))
        return prepare

    return register


def figure(values: list[float], unit: str, rounds: bool = True) -> str:
    """The median and the range, to the decimal place of the range's first
    significant digit (three at most): 0.123 s (0.104–0.153) shows as
    "0.12 s (0.10–0.15 over 7 rounds)"."""
    low, middle, high = min(values), statistics.median(values), max(values)
    places = 3 if high == low else min(3, max(0, -math.floor(math.log10(high - low))))

    def shown(value: float) -> str:
        return f"{value:,.{places}f}"

    if len(values) == 1:
        return f"{shown(middle)} {unit}"
    over = f" over {len(values)} rounds" if rounds else ""
    return f"{shown(middle)} {unit} ({shown(low)}–{shown(high)}{over})"


class Desk:
    """The people and articles the measures share, made when first needed."""

    def __init__(self):
        from django.test import Client

        self.client = Client()
        self.measure: Measure | None = None

    def user(self, username: str, group: str, credentials: str = ""):
        from django.contrib.auth.models import Group, User

        from articles.models import Contributor

        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=group))
            Contributor.objects.create(
                user=user,
                display_name=username.title(),
                slug=username,
                credentials=credentials,
            )
        return user

    @cached_property
    def writer(self):
        return self.user("writer", "Writers")

    @cached_property
    def reviewer(self):
        return self.user("reviewer", "Medical reviewers", credentials="MD")

    @cached_property
    def long_edit(self):
        from benchmarks.edited_article import edited_article

        return edited_article(self.writer, self.reviewer)

    @cached_property
    def worst_case(self):
        from benchmarks.edited_article import edited_article, swapped_texts

        return edited_article(
            self.writer, self.reviewer, "swapped-lines", texts=swapped_texts()
        )

    def as_reviewer(self) -> "Desk":
        self.client.force_login(self.reviewer)
        return self

    def get(self, url: str) -> float:
        """Seconds to answer GET `url`. The CPU time it took is kept too, and
        a page that ran out of its time budget is counted."""
        started, cpu = time.perf_counter(), time.process_time()
        response = self.client.get(url)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if self.measure:
            self.measure.cpu.append(cpu)
            self.measure.fell_back += FELL_BACK.encode() in response.content
        return elapsed


def review_url(article, view: str) -> str:
    from django.urls import reverse

    url = reverse("admin:articles_article_review", args=[article.pk])
    return f"{url}?against=mine&view={view}"


def compare_url(article) -> str:
    from django.urls import reverse

    return reverse("admin:articles_article_compare", args=[article.pk])


# The measures -------------------------------------------------------------------


@measure("source diff", goal=0.3)
def source_diff(desk: Desk):
    url = review_url(desk.long_edit, "source")
    return lambda: desk.as_reviewer().get(url)


@measure("compare revisions", goal=0.3)
def compare_revisions(desk: Desk):
    url = compare_url(desk.long_edit)
    return lambda: desk.as_reviewer().get(url)


@measure("review view (rendered diff)", goal=0.3)
def review_view(desk: Desk):
    url = review_url(desk.long_edit, "rendered")
    return lambda: desk.as_reviewer().get(url)


@measure("source diff, worst case", goal=1.0)
def worst_source_diff(desk: Desk):
    url = review_url(desk.worst_case, "source")
    return lambda: desk.as_reviewer().get(url)


@measure("compare revisions, worst case", goal=1.0)
def worst_compare(desk: Desk):
    url = compare_url(desk.worst_case)
    return lambda: desk.as_reviewer().get(url)


@measure("review view, worst case", goal=1.0)
def worst_review_view(desk: Desk):
    url = review_url(desk.worst_case, "rendered")
    return lambda: desk.as_reviewer().get(url)


# Running ------------------------------------------------------------------------


def configure(sqlite: bool) -> None:
    """The environment siteconf.settings reads, before Django starts."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="siteconf.settings",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend",
        HEALTH_PAGE_CACHE="0",
        # The throwaway database's name, whatever a test run exported.
        DJANGO_TEST_DATABASE_NAME=DATABASE,
        DATABASE_URL=f"sqlite:///{DATABASE}.sqlite3" if sqlite else f"{PG}/{DATABASE}",
    )
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)


def run(chosen: list[Measure], rounds: int) -> None:
    desk = Desk()
    steps = []
    for item in chosen:
        desk.measure = None
        step = item.prepare(desk)
        step()  # warm up: first imports, template loading
        steps.append((item, step))
    for number in range(rounds):
        for item, step in steps:
            desk.measure = item
            item.values.append(step())
        print(f"   round {number + 1}/{rounds} done", flush=True)


def report(chosen: list[Measure], engine: str, load: tuple[float, float]) -> None:
    from benchmarks.edited_article import edited_texts

    texts = edited_texts()
    print(
        f"\nThe desk's pages for a {texts.words:,}-word article with "
        f"{texts.changed:,} words changed (inserted plus deleted), as its reviewer; "
        f"{engine}; load average (1 min) {load[0]:.2f} before, {load[1]:.2f} after."
    )
    width = max(len(item.name) for item in chosen)
    for item in chosen:
        line = f"  {item.name:<{width}}  {figure(item.values, item.unit)}"
        if item.goal is not None:
            met = statistics.median(item.values) <= item.goal
            line += f"; goal ≤ {item.goal:g} {item.unit}: {'met' if met else 'MISSED'}"
        if item.cpu:
            line += f"; CPU {figure(item.cpu, 's', rounds=False)}"
        if item.fell_back:
            line += (
                f"; fell back to whole passages in {item.fell_back} "
                f"of {len(item.values)} rounds"
            )
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", help="comma-separated measure names")
    parser.add_argument("--sqlite", action="store_true", help="SQLite in memory")
    parser.add_argument("--json", action="store_true", help="a JSON line at the end")
    args = parser.parse_args()
    configure(args.sqlite)

    import django

    django.setup()
    from django.db import connection

    wanted = {name.strip() for name in (args.only or "").split(",") if name.strip()}
    unknown = wanted - {item.name for item in MEASURES}
    if unknown:
        parser.error(f"no measure named {', '.join(sorted(unknown))}")
    chosen = [item for item in MEASURES if not wanted or item.name in wanted]
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"Preparing the {engine} database {DATABASE}…", flush=True)
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    load_before = os.getloadavg()[0]
    try:
        run(chosen, args.rounds)
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
    report(chosen, engine, (load_before, os.getloadavg()[0]))
    if args.json:
        print(
            json.dumps(
                {
                    item.name: {
                        "median": statistics.median(item.values),
                        "low": min(item.values),
                        "high": max(item.values),
                        "rounds": len(item.values),
                        "unit": item.unit,
                        "cpu_median": statistics.median(item.cpu) if item.cpu else None,
                        "goal": item.goal,
                        "fell_back": item.fell_back,
                    }
                    for item in chosen
                }
            )
        )


if __name__ == "__main__":
    main()

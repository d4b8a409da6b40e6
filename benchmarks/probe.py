"""In-process measurements on a prepared benchmark database (see bench.py):

    python benchmarks/probe.py explain   # EXPLAIN ANALYZE of the pages' queries
    python benchmarks/probe.py save      # save + render 5,000 words, 100 citations
    python benchmarks/probe.py admin     # the editor's article list

Each prints JSON on its last line (explain prints the plans before it).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siteconf.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ["HEALTH_PAGE_CACHE"] = "0"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Listing, Topic  # noqa: E402
from articles.public import search, search_postgresql  # noqa: E402
from articles.public.views import (  # noqa: E402
    ARTICLE_SQL,
    ETAG_SQL,
    RELATED_SQL,
    listed,
)
from articles.rendering import render  # noqa: E402

Kind = Listing.Kind


def explain() -> None:
    topic = Topic.objects.get(slug="fertility")
    queries = {
        "home: latest articles": listed(Kind.LATEST)[:10],
        "topic page 1": listed(Kind.TOPIC, topic.pk)[:10],
        "home: topics with live articles": Topic.objects.filter(
            Exists(Listing.objects.filter(kind=Kind.TOPIC, key=OuterRef("pk")))
        ).order_by("name"),
        "article page": (ARTICLE_SQL, ["long-article"]),
        "article page, related cards": (
            RELATED_SQL,
            [Article.objects.get(slug="long-article").pk],
        ),
        "article 304 (ETag columns only)": (ETAG_SQL, ["long-article"]),
        "search, common word (count, rank and snippets)": search_postgresql.ranked_sql(
            search.parse("pregnancy"), timezone.localdate(), 0, 10, search.CANDIDATES
        ),
        "search, rare word": search_postgresql.ranked_sql(
            search.parse("rareword7"), timezone.localdate(), 0, 10, search.CANDIDATES
        ),
    }
    timings = {}
    for name, queryset in queries.items():
        if isinstance(queryset, tuple):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + queryset[0], queryset[1])
                plan = "\n".join(row[0] for row in cursor.fetchall())
        else:
            plan = queryset.explain(analyze=True)
        print(f"--- {name}\n{plan}\n")
        timings[name] = float(plan.rsplit("Execution Time:", 1)[-1].split()[0])
    print(json.dumps(timings))


def save() -> None:
    """Save a new revision of the 5,000-word, 100-citation article; render it."""
    article = Article.objects.get(slug="very-long-article")
    writer = User.objects.get(username="writer")
    saves, renders = [], []
    for n in range(5):
        article.body += f"\n\nAnother sentence {n} [@benchverylongarticle{n}]."
        started = time.perf_counter()
        article.save()
        article.save_revision(by=writer)
        saves.append(time.perf_counter() - started)
        started = time.perf_counter()
        render(article.body)
        renders.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "save_ms": round(statistics.median(saves) * 1000, 1),
                "render_ms": round(statistics.median(renders) * 1000, 1),
                "words": len(article.body.split()),
            }
        )
    )


def admin() -> None:
    client = Client()
    client.force_login(User.objects.get(username="editor"))
    url = reverse("admin:articles_article_changelist")
    client.get(url)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(
        json.dumps(
            {
                "status": response.status_code,
                "ms": round(statistics.median(times) * 1000, 1),
                "queries": len(queries),
                "articles": Article.objects.count(),
            }
        )
    )


if __name__ == "__main__":
    {"explain": explain, "save": save, "admin": admin}[sys.argv[1]]()

"""The search quality set: its articles (benchmarks/search_articles.toml),
published through the workflow as any article is, and its cases
(benchmarks/search_queries.toml), run through the search page for recall@5.

Used by benchmarks/search_quality.py and tests/articles/test_search_quality.py,
once Django is set up.

    load_articles(writer, reviewer, editor)   # after `manage.py seed_demo`
    results = evaluate(Client())
    print(report(results))
"""

import html
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from articles import notifications
from articles.models import Article, Topic
from references.models import Reference

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "search_articles.toml"
QUERIES = HERE / "search_queries.toml"
# Written after the search was tuned, and not used to tune it.
HOLDOUT = HERE / "search_queries_holdout.toml"
TOP = 5
KINDS = ("misspelling", "lay term", "spelling variant", "plural", "phrase")
RESULTS = re.compile(r'<ol class="search-results">(.*?)</ol>', re.S)
LINK = re.compile(r'<h2><a href="([^"]+)"')
# A result links to its article, or through the search's click counter
# (/search/go/?q=…&to=<slug>).
SLUG = re.compile(r"^/articles/([-\w]+)/$|[?&]to=([-\w]+)")
NICE = {
    "kind": "guideline",
    "authors": [{"literal": "National Institute for Health and Care Excellence"}],
    "container_title": "NICE",
    "publisher": "National Institute for Health and Care Excellence",
    "publisher_place": "London",
    "evidence_level": "guideline",
}


@dataclass(frozen=True)
class Case:
    query: str
    expect: str
    kind: str


@dataclass(frozen=True)
class Result:
    case: Case
    found: tuple[str, ...]

    @property
    def hit(self) -> bool:
        return self.case.expect in self.found[:TOP]


def cases(path: Path = QUERIES) -> list[Case]:
    """Every case of the set at `path`, in file order."""
    rows = tomllib.loads(path.read_text(encoding="utf-8"))["cases"]
    return [Case(row["query"], row["expect"], row["kind"]) for row in rows]


def load_articles(writer, reviewer, editor) -> int:
    """Publish the set's articles (and their topics and references) that do
    not exist yet, by `writer`, approved by `reviewer`, published by `editor`;
    returns how many were new. Indexing runs as the task backend runs tasks."""
    data = tomllib.loads(ARTICLES.read_text(encoding="utf-8"))
    for topic in data["topics"]:
        Topic.objects.get_or_create(slug=topic["slug"], defaults=topic)
    for row in data["references"]:
        Reference.objects.get_or_create(
            citation_key=row["citation_key"], defaults={**NICE, **row}
        )
    made = 0
    with notifications.muted():
        for row in data["articles"]:
            if Article.objects.filter(slug=row["slug"]).exists():
                continue
            article = Article.objects.create(
                created_by=writer,
                slug=row["slug"],
                title=row["title"],
                summary=row["summary"],
                meta_description=row["summary"],
                body=row["body"].strip(),
            )
            article.authors.add(writer.contributor)
            article.topics.add(*Topic.objects.filter(slug__in=row["topics"]))
            article.save_revision(by=writer, note="First draft")
            article.submit_for_review(by=writer)
            article.approve(by=reviewer, comment="Accurate.")
            article.publish(by=editor)
            made += 1
    return made


def found(client, query: str) -> tuple[str, ...]:
    """The slugs of the search page's results for `query`, in order."""
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200, (query, response.status_code)
    listed = RESULTS.search(response.content.decode())
    slugs = []
    for href in LINK.findall(listed[1] if listed else ""):
        match = SLUG.search(html.unescape(href))
        if match:
            slugs.append(match[1] or match[2])
    return tuple(slugs)


def evaluate(client, path: Path = QUERIES) -> list[Result]:
    """Every case of the set at `path` run through the search page."""
    return [Result(case, found(client, case.query)) for case in cases(path)]


def recall(results: list[Result]) -> float:
    """The share of cases whose article is in the first TOP results."""
    return sum(result.hit for result in results) / len(results) if results else 0.0


def report(results: list[Result]) -> str:
    """Recall@5 overall and per kind, then each miss with what came first."""
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_kind[result.case.kind].append(result)
    hits = sum(result.hit for result in results)
    lines = [f"recall@{TOP}: {recall(results):.3f} ({hits}/{len(results)} cases)"]
    for kind in KINDS:
        group = by_kind.get(kind, [])
        lines.append(
            f"  {kind:<17} {recall(group):.3f} "
            f"({sum(r.hit for r in group)}/{len(group)})"
        )
    misses = [result for result in results if not result.hit]
    if misses:
        lines.append(f"misses ({len(misses)}):")
    for result in misses:
        first = ", ".join(result.found[:TOP]) or "no results"
        lines.append(
            f"  [{result.case.kind}] “{result.case.query}” → expected "
            f"{result.case.expect}; got {first}"
        )
    return "\n".join(lines)

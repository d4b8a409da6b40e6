"""Generate a large library of published articles, fast, for benchmarks and
the query-count tests at 10,000 articles.

Articles are written with bulk inserts in the state publishing leaves them
in (revision, approval by a reviewer who is not an author, live pointers,
listings, card, JSON-LD, ETag and search index), so the database rules and
triggers still check every row. Bodies are ~200 words drawn from a fixed
vocabulary with a long tail: "pregnancy" is in nearly every article, each
"rareword<n>" in about ten.

    generate(10_000)   # after `manage.py seed_demo`
"""

import datetime
import hashlib
import random
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from articles.absolute_urls import base_url
from articles.delivery import vocabulary
from articles.delivery.prepared import PAGE_FORMAT
from articles.models import (
    Article,
    Listing,
    Review,
    Revision,
    Topic,
)
from articles.rendering import reference_list_html, render
from references.models import Reference

COMMON = [
    "pregnancy",
    "fertility",
    "cycle",
    "ovulation",
    "clinician",
    "evidence",
    "trial",
    "cohort",
    "risk",
    "hormone",
    "progesterone",
    "miscarriage",
    "bleeding",
    "scan",
    "midwife",
    "symptom",
    "treatment",
    "guideline",
    "folic",
    "acid",
    "vitamin",
    "screening",
    "test",
    "week",
    "trimester",
]
FILLER = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "with",
    "as",
    "may",
    "be",
    "are",
    "this",
    "can",
    "your",
    "you",
    "it",
    "on",
    "or",
    "by",
    "from",
    "at",
    "an",
    "not",
    "have",
    "more",
    "some",
    "most",
    "after",
    "before",
    "during",
    "when",
]
BATCH = 1000
Kind = Listing.Kind


def _words(rng: random.Random, n: int, number: int) -> str:
    words = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.55:
            words.append(rng.choice(FILLER))
        elif roll < 0.97:
            words.append(COMMON[int(rng.paretovariate(1.2)) % len(COMMON)])
        else:
            words.append(f"rareword{rng.randrange(number // 10 + 1)}")
    words[0] = "pregnancy"
    return " ".join(words)


def _batches(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def generate(
    count: int, progress: Callable[[int], None] | None = None, seed: int = 7
) -> int:
    """Add `count` live articles; return how many exist live afterwards."""
    rng = random.Random(seed)
    writer = User.objects.get(username="writer")
    reviewer = User.objects.get(username="reviewer")
    author = writer.contributor
    reviewer_profile = reviewer.contributor
    topics = list(Topic.objects.all())
    for n in range(len(topics), 20):
        topics.append(
            Topic.objects.create(name=f"Generated topic {n}", slug=f"generated-{n}")
        )
    sample = render("Generated article [@najmabadi2021].")
    references_html = reference_list_html(sample.references)
    start = Article.objects.count()
    now = timezone.now()
    made = 0
    for numbers in _batches(list(range(start, start + count))):
        with transaction.atomic():
            _write_batch(
                numbers,
                rng,
                now,
                writer,
                reviewer,
                author,
                reviewer_profile,
                topics,
                sample,
                references_html,
            )
        made += len(numbers)
        if progress:
            progress(len(numbers))
    # Bulk-created pages skip indexing's vocabulary update; the daily
    # refresh_search would have counted their words by now.
    vocabulary.rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Article.objects.live().count()


def _write_batch(
    numbers, rng, now, writer, reviewer, author, reviewer_profile, topics, sample, refs
):
    published = {n: now - datetime.timedelta(minutes=n) for n in numbers}
    articles = Article.objects.bulk_create(
        [
            Article(
                title=f"Generated article {n} about pregnancy",
                slug=f"generated-{n}",
                summary=f"Summary {n}: " + _words(rng, 20, n),
                body="",
                meta_description="Generated for the benchmarks. " * 5,
                created_by=writer,
                first_published_at=published[n],
                last_published_at=published[n],
                last_reviewed=published[n].date(),
                next_review_due=published[n].date() + datetime.timedelta(days=1000),
            )
            for n in numbers
        ]
    )
    chosen = {
        a.pk: rng.sample(topics, 2 if rng.random() < 0.3 else 1) for a in articles
    }
    revisions = []
    texts = {}
    for article, n in zip(articles, numbers, strict=True):
        text = _words(rng, 200, len(numbers) * 10)
        texts[article.pk] = text
        content_hash = hashlib.sha256(f"generated {n}".encode()).hexdigest()
        revisions.append(
            Revision(
                article=article,
                number=1,
                title=article.title,
                summary=article.summary,
                body=text + " [@najmabadi2021]",
                meta_description=article.meta_description,
                medical_audience="patient",
                bylines=[author.as_byline()],
                topic_list=[
                    {"id": t.pk, "name": t.name, "slug": t.slug}
                    for t in chosen[article.pk]
                ],
                body_html=f"<p>{text}{sample.html[3:]}",
                cited=sample.references,
                references_html=refs,
                content_hash=content_hash,
                created_by=writer,
            )
        )
    Revision.objects.bulk_create(revisions)
    Revision.topics.through.objects.bulk_create(
        Revision.topics.through(revision_id=r.pk, topic_id=t.pk)
        for r in revisions
        for t in chosen[r.article_id]
    )
    Revision.authors.through.objects.bulk_create(
        Revision.authors.through(revision_id=r.pk, contributor_id=author.pk)
        for r in revisions
    )
    reviews = Review.objects.bulk_create(
        Review(
            revision=r,
            reviewer=reviewer,
            decision=Review.Decision.APPROVED,
            content_hash=r.content_hash,
            reviewer_name=reviewer_profile.display_name,
            reviewer_credentials=reviewer_profile.credentials,
        )
        for r in revisions
    )
    listings = []
    for article, revision, review in zip(articles, revisions, reviews, strict=True):
        article.current_revision = article.live_revision = revision
        article.status = Article.Status.PUBLISHED
        article.approval = article.live_approval = review
        article.live_card = {
            "format": PAGE_FORMAT,
            "base_url": base_url(),
            "title": revision.title,
            "summary": revision.summary,
            "topics": [
                {"name": t["name"], "slug": t["slug"]} for t in revision.topic_list
            ],
            "reviewer_url": f"/contributors/{reviewer_profile.slug}/",
            "hash": revision.content_hash,
            "head": {
                "title": revision.title,
                "description": revision.summary,
                "image": "",
                "image_alt": "",
            },
        }
        article.live_card_html, article.live_card_plain_html = (
            render_to_string(
                "articles/includes/article_card.html",
                {"article": article, "show_topics": show_topics},
            )
            for show_topics in (True, False)
        )
        article.live_etag = f"{revision.content_hash[:24]}-generated"
        article.live_head_html = ""
        article.live_html = (
            f'<article class="article"><header><h1>{revision.title}</h1>'
            f'<p class="lede">{revision.summary}</p></header>'
            f'<div class="article-body">{revision.body_html}</div>{refs}</article>'
        )
        article.search_text = texts[article.pk]
        at = article.last_published_at
        midnight = datetime.datetime.combine(
            article.last_reviewed, datetime.time(), tzinfo=datetime.UTC
        )
        listings += [
            Listing(kind=Kind.LATEST, article=article, sort_at=at),
            Listing(kind=Kind.REVIEWED, article=article, sort_at=midnight),
            Listing(kind=Kind.CONTRIBUTOR, key=author.pk, article=article, sort_at=at),
            Listing(
                kind=Kind.CONTRIBUTOR,
                key=reviewer_profile.pk,
                article=article,
                sort_at=at,
            ),
            *(
                Listing(kind=Kind.TOPIC, key=t.pk, article=article, sort_at=at)
                for t in chosen[article.pk]
            ),
            # What a contributor's page lists apart: written, and reviewed.
            Listing(kind=Kind.LATEST, key=author.pk, article=article, sort_at=at),
            Listing(
                kind=Kind.REVIEWED,
                key=reviewer_profile.pk,
                article=article,
                sort_at=review.created_at,
            ),
        ]
    Article.objects.bulk_update(
        articles,
        [
            "status",
            "current_revision",
            "live_revision",
            "approval",
            "live_approval",
            "live_card",
            "live_card_html",
            "live_card_plain_html",
            "live_etag",
            "live_head_html",
            "live_html",
            "search_text",
        ],
    )
    Listing.objects.bulk_create(listings)
    ids = [a.pk for a in articles]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE articles_article a SET search_vector =
                    setweight(to_tsvector('english', r.title), 'A')
                    || setweight(to_tsvector('english', r.summary), 'B')
                    || setweight(to_tsvector('english', a.search_text), 'C'),
                  search_rank_vector =
                    setweight(to_tsvector('english', r.title), 'A')
                    || setweight(to_tsvector('english', r.summary), 'B')
                FROM articles_revision r
                WHERE r.id = a.live_revision_id AND a.id = ANY(%s)
                """,
                [ids],
            )


def long_body(words: int, keys: list[str], rng: random.Random) -> str:
    """`words` words in sections of paragraphs, citing each key in turn."""
    paragraphs = []
    per_paragraph = 60
    for index in range(words // per_paragraph):
        if index % 5 == 0:
            paragraphs.append(f"## Section {index // 5 + 1}")
        text = _words(rng, per_paragraph, 1000)
        paragraphs.append(f"{text.capitalize()} [@{keys[index % len(keys)]}].")
    return "\n\n".join(paragraphs)


def long_article(
    slug: str = "long-article", words: int = 3000, references: int = 30, seed: int = 3
) -> Article:
    """A live article of `words` words citing `references` sources, published
    through the real workflow (the page the benchmarks measure)."""
    rng = random.Random(seed)
    writer, reviewer, editor = (
        User.objects.get(username=name) for name in ("writer", "reviewer", "editor")
    )
    keys = []
    for n in range(references):
        reference, _ = Reference.objects.get_or_create(
            citation_key=f"bench{slug.replace('-', '')}{n}",
            defaults={
                "title": f"A randomised trial of intervention {n} in early pregnancy",
                "authors": [
                    {"family": f"Author{n}", "given": "Alex"},
                    {"family": "Second", "given": "Sam"},
                ],
                "container_title": "Journal of Benchmark Obstetrics",
                "journal_abbrev": "J Bench Obstet",
                "year": 2020 + n % 5,
                "volume": str(10 + n),
                "issue": "2",
                "pages": f"{100 + n}-{110 + n}",
                "doi": f"10.5555/{slug}.{n}",
                "evidence_level": "rct",
            },
        )
        keys.append(reference.citation_key)
    article, created = Article.objects.get_or_create(
        slug=slug,
        defaults={
            "title": f"A long article of {words} words",
            "summary": "What the trials show, in depth, for readers who want it all.",
            "meta_description": "A long benchmark article. " * 5,
            "body": long_body(words, keys, rng),
            "created_by": writer,
        },
    )
    if created:
        article.authors.add(writer.contributor)
        article.topics.add(*Topic.objects.filter(slug="fertility"))
        article.save_revision(by=writer)
        article.submit_for_review(by=writer)
        article.approve(by=reviewer)
        article.publish(by=editor)
    return article

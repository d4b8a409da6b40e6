"""JSON-LD for article pages, from the live revision and its approval.

Built once, when the article goes live (articles/workflow/pages.py), and
stored with it; the page only writes it out.
"""

import json

from django.conf import settings

from articles.absolute_urls import absolute, absolute_media
from articles.models import Article

# Inside <script>, "</script>" or "<!--" in a value must not end the element.
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def structured_data(article: Article, revision, review, reviewer_url: str) -> str:
    """JSON-LD: one @graph with a MedicalWebPage and an Article, escaped for
    a <script> element."""
    url = absolute(article.get_absolute_url())
    reviewer = None
    if review is not None:
        reviewer = {"@type": "Person", "name": review.reviewer_byline}
        if reviewer_url:
            reviewer["url"] = absolute(reviewer_url)
    authors = [
        {"@type": "Person", "name": author["label"], "url": absolute(author["url"])}
        for author in revision.authors_shown
    ]
    graph = [
        {
            "@type": "MedicalWebPage",
            "@id": f"{url}#page",
            "url": url,
            "name": revision.title,
            "lastReviewed": article.last_reviewed.isoformat()
            if article.last_reviewed
            else None,
            "reviewedBy": reviewer,
            "medicalAudience": {
                "@type": "MedicalAudience",
                "audienceType": "Clinician"
                if revision.medical_audience == "clinician"
                else "Patient",
            },
            "mainEntity": {"@id": f"{url}#article"},
        },
        {
            "@type": "Article",
            "@id": f"{url}#article",
            "headline": revision.title,
            "description": revision.meta_description or revision.summary,
            "author": authors,
            "datePublished": article.first_published_at.isoformat(),
            "dateModified": article.last_published_at.isoformat(),
            "publisher": {
                "@type": "Organization",
                "name": settings.HEALTH_SITE["PUBLISHER"],
            },
            "citation": [
                {
                    "@type": "ScholarlyArticle",
                    "name": ref["title"],
                    "sameAs": f"https://doi.org/{ref['doi']}",
                }
                if ref.get("doi")
                else {"@type": "CreativeWork", "name": ref["text"]}
                for ref in revision.cited
            ],
        },
    ]
    if revision.social_image:
        graph[1]["image"] = [absolute_media(revision.social_image)]
    data = {"@context": "https://schema.org", "@graph": graph}
    return json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)

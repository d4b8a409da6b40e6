"""JSON-LD for article pages, from the live revision and its approval, and
for the home, topic and contributor pages.

An article's is built once, when it goes live (articles/delivery/prepared.py),
and stored with it; the page only writes it out.
"""

import datetime
import json

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from articles.absolute_urls import absolute, absolute_media, base_url
from articles.models import Article, ChangeClass
from references.models import EvidenceFinding

# Inside <script>, "</script>" or "<!--" in a value must not end the element.
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
SITE_IMAGE = "img/og-default.png"
LOGO = "img/logo.png"
LOGO_SIZE = 512
EVIDENCE_KIND_NAMES = dict(EvidenceFinding.Kind.choices)


def absolute_static(path: str) -> str:
    """The public URL of a static file (a CDN's STATIC_URL may already give one)."""
    url = static(path)
    return url if url.startswith(("https://", "http://")) else absolute(url)


def site_image() -> str:
    """The image shown for pages that have none of their own."""
    return absolute_static(SITE_IMAGE)


def person(name: str, credentials: str = "", url: str = "") -> dict:
    """A schema.org Person, with post-nominals as `honorificSuffix` and each
    one as a credential ("MD, FACOG" is two)."""
    node = {"@type": "Person", "name": name}
    if credentials:
        node["honorificSuffix"] = credentials
        node["hasCredential"] = [
            {"@type": "EducationalOccupationalCredential", "name": part}
            for part in (c.strip() for c in credentials.split(","))
            if part
        ]
    if url:
        node["url"] = absolute(url)
    return node


def publisher() -> dict:
    site = base_url()
    return {
        "@type": "Organization",
        "@id": f"{site}/#publisher",
        "name": settings.HEALTH_SITE["PUBLISHER"],
        "url": f"{site}/",
        "logo": {
            "@type": "ImageObject",
            "url": absolute_static(LOGO),
            "width": LOGO_SIZE,
            "height": LOGO_SIZE,
        },
    }


def website() -> dict:
    """The site, with the search box search engines may offer for it."""
    site = base_url()
    return {
        "@type": "WebSite",
        "@id": f"{site}/#website",
        "url": f"{site}/",
        "name": settings.HEALTH_SITE["NAME"],
        "publisher": {"@id": f"{site}/#publisher"},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute(reverse("articles:search"))
                + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def breadcrumb(url: str, revision) -> dict:
    """Home › the article's first topic › the article, as the page shows it."""
    trail = [("Home", absolute(reverse("articles:home")))]
    if revision.topic_list:
        topic = revision.topic_list[0]
        trail.append(
            (topic["name"], absolute(reverse("articles:topic", args=[topic["slug"]])))
        )
    trail.append((revision.title, url))
    return {
        "@type": "BreadcrumbList",
        "@id": f"{url}#breadcrumb",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": item}
            for n, (name, item) in enumerate(trail, start=1)
        ],
    }


def cited_work(ref: dict, notice: dict | None = None) -> dict:
    """A cited source as schema.org has it, with the notice about it if the
    page shows one.

    schema.org has no "retracted" property; its `correction` property of any
    CreativeWork is "a correction to a CreativeWork, either via a
    CorrectionComment, textually or in another document", and a retraction,
    withdrawal or expression of concern is exactly that: another document
    about the cited work. So the notice marks the citation it concerns, not
    the Article, whose own text (the reviewed revision) has not changed; the
    Article still says it cites that work.
    """
    if ref.get("doi"):
        node = {
            "@type": "ScholarlyArticle",
            "name": ref["title"],
            "sameAs": f"https://doi.org/{ref['doi']}",
        }
    else:
        node = {"@type": "CreativeWork", "name": ref["text"]}
    if notice is not None:
        node["correction"] = correction_comment(
            notice["date"],
            name=str(EVIDENCE_KIND_NAMES.get(notice["kind"], notice["kind"])),
            same_as=notice["link"],
        )
    return node


def correction_comment(
    day: datetime.date, text: str = "", name: str = "", same_as: str = ""
) -> dict:
    """A schema.org CorrectionComment: a correction of a cited work (named,
    with the notice's link) or of the article itself (its reviewed note)."""
    node = {"@type": "CorrectionComment", "datePublished": day.isoformat()}
    if name:
        node["name"] = name
    if text:
        node["text"] = text
    if same_as:
        node["sameAs"] = same_as
    return node


def structured_data(
    article: Article,
    revision,
    review,
    reviewer_url: str,
    image: str = "",
    notices: list[dict] = (),
) -> str:
    """JSON-LD: one @graph with a MedicalWebPage, an Article, its breadcrumb
    and the WebSite, escaped for a <script> element. `image` is the article's
    own (absolute) image, if it has one; `notices` the reader's notices about
    cited sources (delivery/evidence.py), marked on the citations."""
    by_number = {notice["number"]: notice for notice in notices}
    url = absolute(article.get_absolute_url())
    site = base_url()
    reviewer = None
    if review is not None:
        reviewer = person(
            review.reviewer_name, review.reviewer_credentials, reviewer_url
        )
    authors = [
        person(
            byline["name"],
            byline.get("credentials", ""),
            reverse("articles:contributor", args=[byline["slug"]]),
        )
        for byline in revision.bylines
    ]
    graph = [
        {
            "@type": "MedicalWebPage",
            "@id": f"{url}#page",
            "url": url,
            "name": revision.title,
            "isPartOf": {"@id": f"{site}/#website"},
            "breadcrumb": {"@id": f"{url}#breadcrumb"},
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
            "image": [image or site_image()],
            "author": authors,
            "datePublished": article.first_published_at.isoformat(),
            "dateModified": article.last_published_at.isoformat(),
            "publisher": publisher(),
            "citation": [
                cited_work(ref, by_number.get(ref["number"])) for ref in revision.cited
            ],
            **_corrections(article),
        },
        breadcrumb(url, revision),
        website(),
    ]
    data = {"@context": "https://schema.org", "@graph": graph}
    return json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)


def _corrections(article: Article) -> dict:
    """The article's corrections (reviewed notes), newest first, if any."""
    comments = [
        correction_comment(
            timezone.localdate(entry["date"]), text=entry["correction_note"]
        )
        for entry in article.update_history
        if entry["change_class"] == ChangeClass.CORRECTION
    ]
    return {"correction": comments} if comments else {}


def site_structured_data() -> str:
    """JSON-LD for the home page: the WebSite, with its SearchAction, and its
    publisher."""
    return _graph([publisher()])


def _graph(nodes: list[dict]) -> str:
    data = {"@context": "https://schema.org", "@graph": [*nodes, website()]}
    return json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)


def topic_structured_data(topic) -> str:
    """JSON-LD for a topic page: a CollectionPage about the topic."""
    url = absolute(topic.get_absolute_url())
    page = {
        "@type": "CollectionPage",
        "@id": f"{url}#page",
        "url": url,
        "name": topic.name,
        "about": {"@type": "Thing", "name": topic.name},
        "isPartOf": {"@id": f"{base_url()}/#website"},
    }
    if topic.description:
        page["description"] = topic.description
    return _graph([page])


def contributor_structured_data(contributor) -> str:
    """JSON-LD for a contributor page: a ProfilePage whose main entity is the
    Person, with the credentials, specialty and registration the page shows."""
    url = absolute(contributor.get_absolute_url())
    node = person(
        contributor.display_name,
        contributor.credentials,
        contributor.get_absolute_url(),
    )
    node["@id"] = f"{url}#person"
    if contributor.specialty:
        node["knowsAbout"] = contributor.specialty
    if contributor.registration:
        node["identifier"] = contributor.registration
    if contributor.bio:
        node["description"] = contributor.bio
    if contributor.photo:
        node["image"] = absolute_media(contributor.photo.name)
    page = {
        "@type": "ProfilePage",
        "@id": f"{url}#page",
        "url": url,
        "name": contributor.byline,
        "mainEntity": {"@id": f"{url}#person"},
        "isPartOf": {"@id": f"{base_url()}/#website"},
    }
    return _graph([page, node])

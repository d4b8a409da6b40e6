"""The dashboard's evidence parts: the reviewer's re-reviews after a notice
about a cited source, and the "Evidence alerts" box. Each is one query (the
box three, or four for editors), whatever the size of the library."""

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from articles import evidence_policy
from articles.models import Article, EvidenceAlert
from references.models import EvidenceCheck, EvidenceFinding, EvidenceSource, Reference

# As many as the dashboard's other lists show.
LIST_LIMIT = 20


def rereviews_for(user) -> list[Article]:
    """The live pages waiting for this reviewer's re-review after a notice
    about a source they cite, oldest alert first, each with its reason."""
    alerts = (
        EvidenceAlert.objects.for_reviewer(user)
        .select_related("article")
        .only("number", "kind", "created_at", "article__title", "article__status")
        .order_by("created_at", "pk")[: LIST_LIMIT + 1]
    )
    items = []
    for alert in alerts:
        article = alert.article
        article.alerted_at = alert.created_at
        article.reason = _("Reference %(number)s %(what)s.") % {
            "number": alert.number,
            "what": evidence_policy.phrase(alert.kind),
        }
        items.append(article)
    return items


def rereview_group(user) -> dict:
    """The reviewer's "Re-review now" group of the dashboard's waiting work."""
    items = rereviews_for(user)
    url = reverse("admin:articles_article_changelist")
    return {
        "key": "rereview",
        "heading": _("Re-review now: a cited source has a notice"),
        "items": items[:LIST_LIMIT],
        "more": len(items) > LIST_LIMIT,
        "url": f"{url}?sources=rereview",
        "empty": _("No live page you approved waits for a re-review."),
    }


def evidence_box(user) -> dict:
    """The "Evidence alerts" box: the findings nobody has acknowledged, with
    the live articles each affects; when each watcher last succeeded; and,
    for editors, the cited links found broken (never shown to readers)."""
    findings = list(
        EvidenceFinding.objects.new()
        .select_related("reference")
        .only(
            "kind",
            "notice_date",
            "found_at",
            "notice_doi",
            "notice_url",
            "notice_pmid",
            "reference__citation_key",
            "reference__title",
        )
        .order_by("-found_at", "-pk")[:LIST_LIMIT]
    )
    affected: dict[int, list] = {}
    for finding_id, pk, title in EvidenceAlert.objects.filter(
        finding__in=[f.pk for f in findings]
    ).values_list("finding_id", "article_id", "article__title"):
        affected.setdefault(finding_id, []).append({"pk": pk, "title": title})
    for finding in findings:
        finding.articles = affected.get(finding.pk, [])
    last_checked = dict(
        EvidenceCheck.objects.succeeded()
        .order_by()
        .values("source")
        .annotate(last=Max("finished_at"))
        .values_list("source", "last")
    )
    broken = []
    if user.has_perm("articles.publish_article"):
        broken = list(
            Reference.objects.with_broken_links()
            .only("citation_key", "url", "link_status", "link_broken_since")
            .order_by("link_broken_since")[:LIST_LIMIT]
        )
    return {
        "findings": findings,
        "sources": [
            {"label": label, "last": last_checked.get(value)}
            for value, label in EvidenceSource.choices
        ],
        "broken_links": broken,
    }

"""Shareable previews: one revision, read through a signed, expiring,
revocable link by someone without an account. Never cached, never indexed."""

from django.core import signing
from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles.models import PreviewLink


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def preview(request, token):
    """Read exactly one revision through a signed, expiring, revocable link."""
    try:
        data = signing.loads(token, salt="articles.preview")
    except signing.BadSignature:
        return _no_store(
            render(
                request,
                "articles/preview_refused.html",
                {"reason": "invalid"},
                status=403,
            )
        )
    link = (
        PreviewLink.objects.select_related("revision__article")
        .filter(pk=data.get("link") if isinstance(data, dict) else None)
        .first()
    )
    if link is None or link.revoked_at or link.is_expired:
        reason = "expired" if link and link.is_expired else "revoked"
        return _no_store(
            render(
                request,
                "articles/preview_refused.html",
                {"reason": reason, "link": link},
                status=410,
            )
        )
    revision = link.revision
    return _no_store(
        render(
            request,
            "articles/article_preview.html",
            {"revision": revision, "article": revision.article, "link": link},
        )
    )

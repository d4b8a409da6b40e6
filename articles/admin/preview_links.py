"""Shareable preview links: list, create and revoke (editors and reviewers).

Creating one lets someone without an account read a draft, so it needs a
fresh second-factor check, like a sign-off (articles/admin/sign_off.py).
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.admin import sign_off
from articles.admin.pages import article_for, page_context
from articles.models import PreviewLink
from articles.roles import sees_every_article
from articles.text import single_line


def preview_links(model_admin, request, object_id):
    """List, create and revoke shareable preview links (editors and reviewers)."""
    article = article_for(model_admin, request, object_id)
    if not sees_every_article(request.user):
        raise PermissionDenied
    refused = False
    if request.method == "POST" and "revoke" not in request.POST:
        refused = not sign_off.confirmed(request)
    if request.method == "POST" and not refused:
        if "revoke" in request.POST:
            try:
                pk = int(request.POST["revoke"])
            except ValueError:
                return HttpResponseBadRequest(_("That is not a preview link."))
            link = get_object_or_404(PreviewLink, pk=pk, revision__article=article)
            if link.revoked_at is None:
                link.revoked_at = timezone.now()
                link.revoked_by = request.user
                link.save(update_fields=["revoked_at", "revoked_by"])
            messages.success(request, _("The preview link was revoked."))
        else:
            try:
                days = int(request.POST.get("days") or PreviewLink.DEFAULT_DAYS)
            except ValueError:
                days = PreviewLink.DEFAULT_DAYS
            days = max(1, min(days, 30))
            now = timezone.now()
            if article.current_revision is None:
                messages.error(request, _("Save the article first."))
            else:
                PreviewLink.objects.create(
                    revision=article.current_revision,
                    created_by=request.user,
                    created_at=now,
                    expires_at=now + datetime.timedelta(days=days),
                    # One line, without the NUL PostgreSQL cannot store.
                    note=single_line(request.POST.get("note", ""))[:200],
                )
                messages.success(
                    request,
                    _("Preview link created; it expires in %(days)s days.")
                    % {"days": days},
                )
        return HttpResponseRedirect(request.path)
    links = PreviewLink.objects.filter(revision__article=article).select_related(
        "revision", "created_by"
    )
    return TemplateResponse(
        request,
        "admin/articles/article/preview_links.html",
        page_context(
            model_admin,
            request,
            article,
            _("Share a preview: %(title)s") % {"title": article.title},
            links=links,
            now=timezone.now(),
            default_days=PreviewLink.DEFAULT_DAYS,
            # What was typed, kept when the link waits for a check.
            note=single_line(request.POST.get("note", ""))[:200] if refused else "",
            days=request.POST.get("days", "")[:3] if refused else "",
            **sign_off.panel(request, refused),
        ),
    )

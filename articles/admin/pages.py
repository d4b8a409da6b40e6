"""What the desk's extra pages share: the admin context, and the article
a page is about, with its permission checked."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from articles.models import Article


def page_context(model_admin, request, article, title, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "original": article,
        "title": title,
        **extra,
    }


def article_for(model_admin, request, object_id) -> Article:
    article = model_admin.get_object(request, object_id)
    if article is None:
        raise Http404
    if not model_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    return article

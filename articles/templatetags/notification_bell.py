"""`{% notification_bell %}`: the bell in the admin header, in one query;
and `|ago`: "just now", "3 hours ago"."""

import datetime

from django import template
from django.db.models import Count, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from articles.models import Notification

register = template.Library()
RECENT = 8


@register.filter
def ago(when: datetime.datetime | None) -> str:
    """How long ago, to the largest unit: "just now", "3 hours ago"."""
    if when is None:
        return ""
    if timezone.now() - when < datetime.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(when, depth=1)}


@register.inclusion_tag("admin/articles/notification/bell.html", takes_context=True)
def notification_bell(context) -> dict:
    """The signed-in staff user's unread count and latest notifications."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return {"show": False}
    mine = Notification.objects.filter(recipient_id=user.pk)
    # The unread count rides along on each row: one query for both.
    unread = (
        mine.filter(read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    recent = list(
        mine.annotate(unread_total=Subquery(unread[:1])).only(
            "message", "read_at", "created_at"
        )[:RECENT]
    )
    return {
        "show": True,
        "recent": recent,
        "unread": (recent[0].unread_total or 0) if recent else 0,
        "list_url": reverse("admin:articles_notification_changelist"),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }

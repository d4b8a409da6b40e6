"""Dates and times as HTML's `<time datetime>` accepts them."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(value: datetime.date | None) -> str:
    """A valid HTML date, or date and time to the second with its offset
    (`2026-11-26T10:00:00+00:00`): HTML allows at most three digits of a
    fraction of a second, and Python's isoformat() gives six."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()

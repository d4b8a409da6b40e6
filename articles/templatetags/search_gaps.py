"""The dashboard's "What readers did not find" box
(templates/admin/articles/unmet_queries_box.html): one query, whatever the
number of searches."""

from django import template

from articles.models import DailyQuery

register = template.Library()

DAYS = 30
LIMIT = 20


@register.simple_tag
def unmet_queries() -> dict:
    """The top unmet queries of the last DAYS days: the content gaps."""
    return {"days": DAYS, "queries": list(DailyQuery.objects.unmet(DAYS)[:LIMIT])}

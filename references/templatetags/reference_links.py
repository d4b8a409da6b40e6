from django import template

from references.links import safe_http_url

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    """The URL when it is a plain http(s) link, else "" so no link is drawn."""
    return safe_http_url(value)

"""Reference URLs: plain http and https links only.

A reference URL ends up in an `href` on the public page, so anything a browser
might run or reinterpret (`javascript:`, `data:`, `vbscript:`, a scheme hidden
behind leading whitespace, control characters or line breaks) is refused when
stored and dropped when rendered.
"""

import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SCHEMES = ("http://", "https://")
# Control characters, invisible format characters (zero-width, bidi overrides)
# and every kind of space or line break.
REFUSED_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def url_problem(value: object) -> str | None:
    """Why `value` is not a plain http(s) URL, or None when it is one."""
    if not isinstance(value, str):
        return _("The URL must be text.")
    if any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in value):
        return _("The URL must not contain spaces, line breaks or control characters.")
    if not value.lower().startswith(SCHEMES):
        return _("The URL must start with http:// or https://.")
    try:
        host = urlsplit(value).hostname
    except ValueError:
        host = None
    if not host:
        return _("The URL must name a host, as in https://www.example.org/page.")
    return None


def safe_http_url(value: object) -> str:
    """`value` when it is a plain http(s) URL, otherwise ""."""
    if not value or url_problem(value) is not None:
        return ""
    return value


def validate_http_url(value: str) -> None:
    """Model field validator: refuse anything but a plain http(s) URL."""
    problem = url_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="invalid_url")

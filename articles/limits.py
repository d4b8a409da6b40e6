"""Size limits that keep every request fast, whatever a writer pastes.

markdown-it's inline parser costs a few microseconds for each bracket,
asterisk or underscore and, for runs of brackets, rescans up to its nesting
limit; plain text costs almost nothing. So a body is limited twice: in
characters, and in the markup characters that drive the parser's work. Both
sit far above real articles: 5,000 words with 100 citations come to about
35,000 characters and under 1,000 markup characters.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BODY_CHARS = 200_000
MAX_MARKUP_CHARS = 5_000
MARKUP_CHARS = "[]*_"
# markdown-it's default of 100 makes each run of brackets cost 100 rescans; 40
# still allows lists nested about 19 deep (each level is two: list and item).
MAX_NESTING = 40


def body_problem(text: str) -> str | None:
    """Why `text` is too large to render, or None if it is within the limits."""
    text = text or ""
    if len(text) > MAX_BODY_CHARS:
        return _(
            "The body is %(n)s characters long; the limit is %(limit)s. "
            "Split it into more than one article."
        ) % {"n": f"{len(text):,}", "limit": f"{MAX_BODY_CHARS:,}"}
    markup = sum(text.count(char) for char in MARKUP_CHARS)
    if markup > MAX_MARKUP_CHARS:
        return _(
            "The body has %(n)s Markdown markup characters ([, ], * and _); the "
            "limit is %(limit)s. Remove runs of brackets or asterisks."
        ) % {"n": f"{markup:,}", "limit": f"{MAX_MARKUP_CHARS:,}"}
    return None


def validate_body(text: str) -> None:
    """Model and form validator for `Article.body`."""
    problem = body_problem(text)
    if problem:
        raise ValidationError(problem, code="body_too_large")

"""Project-level views: the 400 page and uploaded media."""

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.static import serve

# Uploaded names are unique (uuid or a storage suffix), so a name always
# means the same bytes and browsers and CDNs may keep them for a year.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Whatever a file turns out to be, a browser must not run or embed anything
# from it: no scripts, no plugins, no same-origin access.
MEDIA_CSP = "default-src 'none'; sandbox"


def bad_request(
    request: HttpRequest, exception: Exception | None = None, reason: str = ""
) -> HttpResponse:
    """handler400: a readable page, which gives the limit when a request was
    too large or had too many fields."""
    if isinstance(exception, RequestDataTooBig):
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        reason = f"The request was too large: the limit is {limit_mb:g} MB."
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        reason = "The form sent too many fields or files at once."
    return render(request, "400.html", {"reason": reason}, status=400)


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """An uploaded file from MEDIA_ROOT, sandboxed. Paths that leave
    MEDIA_ROOT are refused by `serve` (safe_join)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    response["Cache-Control"] = MEDIA_CACHE_CONTROL
    return response

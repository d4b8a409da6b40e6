"""Refuse malformed requests at the edge, before any view or query sees them."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from siteconf.views import bad_request

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def malformed_part(request: HttpRequest) -> str:
    """Which part of the request's address or cookies carries a NUL byte or an
    undecodable query string ("" when none does). PostgreSQL refuses NUL in
    text, so any such value that reached a query would be a 500."""
    if "\x00" in request.path:
        return "address"
    try:
        # WSGI gives the raw query string as latin-1 (PEP 3333).
        raw = request.META.get("QUERY_STRING", "").encode("latin-1")
        query = unquote_to_bytes(raw.replace(b"+", b" ")).decode()
    except UnicodeError:
        return "query string"
    if "\x00" in query:
        return "query string"
    if any("\x00" in key + value for key, value in request.COOKIES.items()):
        return "cookies"
    return ""


def form_data_has_nul(request: HttpRequest) -> bool:
    """Whether a POSTed form's field names or text carry a NUL byte. Parsing
    here costs nothing extra: the CSRF check reads request.POST for every POST
    anyway. Uploaded files' bytes are not text and are not checked."""
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return False
    return any(
        "\x00" in text
        for key, values in request.POST.lists()
        for text in [key, *values]
    )


def from_the_desk(request: HttpRequest) -> bool:
    """A signed-in member of staff, in the admin: someone typing an article or
    a reference, whose forms refuse a NUL field by field and keep the text
    (siteconf.admin_input)."""
    user = request.user
    return (
        request.path_info.startswith(reverse("admin:index"))
        and user.is_active
        and user.is_staff
    )


class RejectMalformedRequestMiddleware:
    """Answer 400 with a readable page to a request whose address, query
    string or cookies contain a NUL byte, or whose query string is not UTF-8;
    and to form data containing NUL, unless it comes from the desk or goes to
    a view marked `refuses_nul_by_field` (the readers' feedback form, which
    names the field and keeps the reader's text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if part := malformed_part(request):
            return bad_request(
                request, reason=f"The request's {part} contained invalid characters."
            )
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs):
        # Here, once the session tells who is asking, and before the CSRF
        # check or any view reads the form.
        if (
            form_data_has_nul(request)
            and not from_the_desk(request)
            and not getattr(view, "refuses_nul_by_field", False)
        ):
            return bad_request(
                request, reason="The request's form data contained invalid characters."
            )
        return None


class ClientAddressMiddleware:
    """Behind our own reverse proxies, take the client's address from
    X-Forwarded-For, so that per-address limits (login throttling) count
    each client and not the proxy.

    HEALTH_TRUSTED_PROXIES lists the proxies' addresses (e.g. "127.0.0.1").
    Reading X-Forwarded-For from the right, the first address that is not one
    of them is the client: a client can prepend anything to the header, but
    not what our proxies append. Without the setting the header is ignored.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = set(settings.HEALTH_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted and request.META.get("REMOTE_ADDR") in self.trusted:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            for hop in reversed(hops):
                if hop not in self.trusted:
                    request.META["REMOTE_ADDR"] = hop
                    break
        return self.get_response(request)

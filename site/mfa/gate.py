"""Keep a staff session that has passed only the password out of the admin.

Until its second factor is checked, such a session reaches, under /admin/,
only the log-in and log-out pages, the admin's JavaScript catalogue and the
second factor's own pages (siteconf.mfa.urls). Everything else there, the
desk's endpoints included (preview, upload, citation search, lookups,
comments, notifications, preview links), sends a page request to the check
(or to enrolment, for a user with no device yet) and refuses anything else
with 403. Public pages are not looked at: this reads no session outside
/admin/.
"""

from functools import cache
from urllib.parse import urlencode

import django_otp
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from siteconf.mfa import state


@cache
def admin_prefix() -> str:
    return reverse("admin:index")


@cache
def open_paths() -> tuple[frozenset[str], str]:
    """The admin pages a password-only session may open, and the prefix of
    the second factor's own."""
    pages = frozenset(
        reverse(name) for name in ("admin:login", "admin:logout", "admin:jsi18n")
    )
    return pages, reverse("mfa:devices")


def wants_json(request: HttpRequest) -> bool:
    """A script's request (fetch), which a redirect to a page would not help."""
    accept = request.headers.get("Accept", "")
    return "application/json" in accept or "X-Requested-With" in request.headers


def held_back(request: HttpRequest) -> bool:
    """Whether `request` is for a staff page its session may not reach yet."""
    path = request.path_info
    if not path.startswith(admin_prefix()) or not state.enabled():
        return False
    pages, mfa_prefix = open_paths()
    if path in pages or path.startswith(mfa_prefix):
        return False
    user = request.user
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and not user.is_verified()
    )


class SecondFactorGateMiddleware:
    """Staff reach the admin only once their session has passed the second
    factor (after django_otp's OTPMiddleware, which tells)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if held_back(request):
            return self.hold_back(request)
        return self.get_response(request)

    def hold_back(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"GET", "HEAD"} and not wants_json(request):
            enrolled = django_otp.user_has_device(request.user)
            page = "mfa:verify" if enrolled else "mfa:enrol"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(page)}?{query}")
        message = _(
            "Your session has not passed its second factor yet. Sign in with "
            "your passkey or code first."
        )
        if wants_json(request):
            return JsonResponse({"detail": message}, status=403)
        return HttpResponse(message, status=403, content_type="text/plain")

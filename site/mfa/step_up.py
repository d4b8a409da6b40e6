"""Step-up: sign-off asks for a second-factor check made in the last few
minutes (HEALTH_STEP_UP_MINUTES), inline in the form that signs off.

A view that signs off includes "admin/mfa/step_up.html" in its form, with
`context(request)`, and calls `confirm(request)` before acting. The include
shows nothing while the session's check is fresh; otherwise a panel asks for
a passkey or a code, and the form is submitted again with it.
"""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from siteconf.mfa import passkeys, state
from siteconf.mfa.forms import check_code, method_of

STEP_UP_FIELD = "step_up_code"


def confirm(request: HttpRequest) -> bool:
    """Whether the sign-off in `request` may go ahead: the session's check
    is fresh, or the request carries a code that verifies now (which also
    refreshes the session). When not, `request.step_up_error` says why."""
    if state.fresh(request):
        return True
    code = request.POST.get(STEP_UP_FIELD, "").strip()[:64]  # codes are short
    if not code:
        request.step_up_error = _(
            "Confirm it's you first: use your passkey, or enter a code."
        )
        return False
    device, error = check_code(request, request.user, code)
    if device is None:
        request.step_up_error = error
        return False
    state.mark_verified(request, device, method_of(device))
    return True


def context(request: HttpRequest, refused: bool = False) -> dict:
    """What "admin/mfa/step_up.html" needs, under the name `step_up`."""
    needed = refused or not state.fresh(request)
    user = request.user
    with_passkeys = needed and user.is_authenticated and passkeys.has_passkeys(user)
    return {
        "step_up": {
            "needed": needed,
            "field": STEP_UP_FIELD,
            "minutes": settings.HEALTH_STEP_UP_MINUTES,
            "error": getattr(request, "step_up_error", "") if needed else "",
            "passkeys": with_passkeys,
            "passkeys_usable": passkeys.usable(request),
            "begin_url": reverse("mfa:passkey_authentication_begin"),
            "complete_url": reverse("mfa:passkey_authentication_complete"),
        }
    }

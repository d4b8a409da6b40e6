"""Step-up at sign-off, as the desk's views use it.

Approving, deciding, publishing, scheduling, withdrawing, restoring, creating
a preview link and changing a contributor's credentials need a second-factor
check made within HEALTH_STEP_UP_MINUTES. Each POST handler asks `confirmed()`
before acting: only the server's answer counts, whether or not the page
showed the "Confirm it's you" panel. When refused, the view shows its form
again, with what the user typed and the panel (`panel(request, refused=True)`).
"""

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from siteconf.mfa import state, step_up


def confirmed(request: HttpRequest) -> bool:
    """Whether the sign-off in `request` may go ahead (a fresh check, or a
    code in the POST that verifies now); if not, say so and do nothing."""
    if step_up.confirm(request):
        return True
    messages.error(
        request,
        _(
            "Nothing was done yet: confirm it's you with your passkey or a "
            "code, then press the button again. What you entered is kept."
        ),
    )
    return False


def fresh(request: HttpRequest) -> bool:
    """Whether the session's check is recent enough to sign off without asking."""
    return state.fresh(request)


def proof(request: HttpRequest) -> state.Proof | None:
    """The proof to record on a sign-off made now (None when too old: the
    workflow then refuses)."""
    return state.proof_of(request)


def panel(request: HttpRequest, refused: bool = False) -> dict:
    """The context of the "Confirm it's you" include."""
    return step_up.context(request, refused=refused)

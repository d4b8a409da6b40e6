"""What a staff session has proved with its second factor, and when.

django-otp marks a session verified (`django_otp.login`); this adds when and
how, so that sign-off can ask for a check made within the last few minutes
(HEALTH_STEP_UP_MINUTES) and record it on the approval as its proof.
"""

import datetime
from dataclasses import dataclass

import django_otp
from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VERIFIED_AT = "_mfa_verified_at"
METHOD = "_mfa_method"
DEVICE = "_mfa_device"


class Method(models.TextChoices):
    """How a signer proved who they were, as recorded on a sign-off."""

    PASSKEY = "passkey", _("passkey or security key")
    TOTP = "totp", _("authenticator app")
    RECOVERY = "recovery_code", _("recovery code")
    # Recorded as such, so that the history says so.
    SCRIPT = "script", _("no second factor (workflow API)")
    OFF = "off", _("no second factor (checks turned off)")


PROVED = {Method.PASSKEY, Method.TOTP, Method.RECOVERY}


@dataclass(frozen=True)
class Proof:
    """A signer's second-factor check: how, when and with which device."""

    method: str
    at: datetime.datetime | None = None
    device: str = ""

    @property
    def proved(self) -> bool:
        return self.method in PROVED


SCRIPT = Proof(Method.SCRIPT)
TURNED_OFF = Proof(Method.OFF)


def enabled() -> bool:
    """Whether staff need a second factor (off only with DEBUG on)."""
    return settings.HEALTH_STAFF_MFA


def window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.HEALTH_STEP_UP_MINUTES)


def mark_verified(request: HttpRequest, device, method: str) -> None:
    """The session's user has just proved a second factor with `device`."""
    django_otp.login(request, device)
    request.session[VERIFIED_AT] = timezone.now().isoformat()
    request.session[METHOD] = str(method)
    request.session[DEVICE] = device_label(device)


def device_label(device) -> str:
    return (getattr(device, "name", "") or str(device))[:200]


def verified(request: HttpRequest) -> bool:
    """Whether this session has passed its second factor (or needs none)."""
    user = request.user
    if not enabled() or not (user.is_authenticated and user.is_staff):
        return True
    return bool(getattr(user, "is_verified", lambda: False)())


def last_check(request: HttpRequest) -> datetime.datetime | None:
    value = request.session.get(VERIFIED_AT)
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


def fresh(request: HttpRequest) -> bool:
    """Whether a sign-off may go ahead without asking for a new check."""
    if not enabled():
        return True
    checked = last_check(request)
    return (
        verified(request)
        and checked is not None
        and timezone.now() - checked <= window()
    )


def proof_of(request: HttpRequest) -> Proof | None:
    """The proof to record on a sign-off made now in this session: None when
    the check is missing or too old (ask for one first)."""
    if not enabled():
        return TURNED_OFF
    if not fresh(request):
        return None
    return Proof(
        method=request.session.get(METHOD, ""),
        at=last_check(request),
        device=request.session.get(DEVICE, ""),
    )

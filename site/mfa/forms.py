"""Checking a typed second-factor code, throttled, and the forms that ask
for one.

A code is a 6-digit authenticator code or a recovery code. Every check is
counted by the throttle (siteconf.mfa.throttle) before the code is looked at,
and each device is locked while its code is checked, so one code cannot
pass twice, however many requests carry it at once.
"""

import django_otp
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from siteconf.mfa import recovery, state, throttle
from siteconf.mfa.passkeys import NAME_LENGTH
from siteconf.models import RecoveryCodeDevice

WRONG = _(
    "That code is not right, or it has been used already. Enter the current "
    "code from your authenticator app, or one of your recovery codes."
)
THROTTLED = _("Too many wrong codes. Wait a few minutes, then try again.")


def spoken_code(code: str) -> str:
    """The code without the spaces people type or paste into it."""
    return "".join(code.split())


def verify_code(user, code: str, devices=None):
    """The device of `user`'s that accepts `code` (and uses it up), or None;
    only among `devices` when given. Not throttled: a code a person typed
    goes through `check_code`."""
    code = spoken_code(code)
    if not code:
        return None
    if devices is not None:
        candidates = devices
    elif recovery.looks_like_code(code):
        candidates = RecoveryCodeDevice.objects.filter(user=user)
    else:
        candidates = totp_devices(user)
    for candidate in candidates:
        device = django_otp.verify_token(user, candidate.persistent_id, code)
        if device is not None:
            return device
    return None


def method_of(device) -> str:
    """How a check made with `device` is recorded (siteconf.mfa.state.Method)."""
    if isinstance(device, RecoveryCodeDevice):
        return state.Method.RECOVERY
    if isinstance(device, TOTPDevice):
        return state.Method.TOTP
    return state.Method.PASSKEY


def totp_devices(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def check_code(request: HttpRequest, user, code: str, devices=None):
    """(device, "") when `code` verifies for `user`, else (None, why not).
    The attempt is counted before the code is checked."""
    if not throttle.reserve(request, user):
        return None, str(THROTTLED)
    device = verify_code(user, code, devices)
    if device is None:
        return None, str(WRONG)
    throttle.succeeded(request, user)
    return device, ""


class CodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, request: HttpRequest, devices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.devices = devices
        self.device = None

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self.device, error = check_code(
            self.request, self.request.user, code, self.devices
        )
        if error:
            raise forms.ValidationError(error)
        return code


class AppForm(CodeForm):
    """The first code from a newly added authenticator app, which confirms it."""

    code = forms.CharField(
        label=_("6-digit code from the app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
            }
        ),
    )

    # Django's CharField refuses NUL, which PostgreSQL cannot store.
    name = forms.CharField(required=False, max_length=NAME_LENGTH, strip=True)


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_LENGTH)

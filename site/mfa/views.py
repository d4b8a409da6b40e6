"""The second factor's pages under /admin/mfa/: enrolment, the check after
the password, the new recovery codes, a user's own devices ("Sign-in
security"), and the passkey ceremonies (django-otp-webauthn's views, with
the session's proof recorded and failures throttled)."""

import base64
import json
from urllib.parse import urlencode

import django_otp
import segno
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn import views as webauthn
from django_otp_webauthn.models import WebAuthnCredential

from siteconf.mfa import passkeys, state, step_up, throttle
from siteconf.mfa.forms import THROTTLED, AppForm, CodeForm, RenameForm, method_of
from siteconf.models import RecoveryCodeDevice

# New recovery codes wait here, in plain text, only until the page that
# shows them once is opened.
NEW_CODES = "_mfa_new_recovery_codes"
APP_NAME = "Authenticator app"
STALE = _(
    "Confirm it's you first: adding or removing a way to sign in needs a "
    "second-factor check made in the last few minutes."
)


def factors(user) -> list:
    """`user`'s confirmed passkeys and authenticator apps, oldest first
    (recovery codes are a fallback, not a factor of their own)."""
    found = [
        *WebAuthnCredential.objects.filter(user=user, confirmed=True),
        *TOTPDevice.objects.filter(user=user, confirmed=True),
    ]
    return sorted(found, key=lambda device: (device.created_at, device.pk))


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The ?next= (or posted next) address when it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse("admin:index")


def with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


def render(request, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {
            **admin.site.each_context(request),
            "title": title,
            "passkeys_usable": passkeys.usable(request),
            **context,
        },
    )


def give_recovery_codes(request: HttpRequest, user) -> None:
    """New recovery codes for `user`, to be shown once by `recovery_codes`."""
    request.session[NEW_CODES] = RecoveryCodeDevice.regenerate(user)


def enrol(request: HttpRequest) -> HttpResponse:
    """Add a passkey or an authenticator app: the first factor, right after
    the password, or another one from "Sign-in security"."""
    user = request.user
    enrolled = bool(factors(user))
    if enrolled and not user.is_verified():
        return redirect(with_next("mfa:verify", safe_next(request)))
    if enrolled and not state.fresh(request):
        # Another way in is a change to how this account signs in: a session
        # left open must not be enough to add one.
        messages.warning(request, STALE)
        return redirect("mfa:devices")
    pending = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    )
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    form = AppForm(request.POST or None, request=request, devices=[pending])
    if request.method == "POST" and form.is_valid():
        pending.confirmed = True
        pending.name = form.cleaned_data["name"] or APP_NAME
        pending.save(update_fields=["confirmed", "name"])
        if not enrolled:
            state.mark_verified(request, pending, state.Method.TOTP)
            give_recovery_codes(request, user)
            return redirect(with_next("mfa:recovery_codes", safe_next(request)))
        messages.success(request, _("Your authenticator app was added."))
        return redirect(safe_next(request, reverse("mfa:devices")))
    secret = base64.b32encode(pending.bin_key).decode().rstrip("=")
    return render(
        request,
        "admin/mfa/enrol.html",
        _("Add a second factor") if not enrolled else _("Add a sign-in method"),
        form=form,
        first=not enrolled,
        qr_code=segno.make(pending.config_url, error="m").svg_inline(scale=4),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        next=safe_next(request, "" if enrolled else reverse("admin:index")),
        is_nav_sidebar_enabled=enrolled,
    )


def verify(request: HttpRequest) -> HttpResponse:
    """The second factor, after the password: a passkey, or a code."""
    user = request.user
    if user.is_verified():
        return redirect(safe_next(request))
    if not django_otp.user_has_device(user):
        return redirect(with_next("mfa:enrol", safe_next(request)))
    form = CodeForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        state.mark_verified(request, form.device, method_of(form.device))
        return redirect(safe_next(request))
    return render(
        request,
        "admin/mfa/verify.html",
        _("Confirm it's you"),
        form=form,
        passkeys=passkeys.has_passkeys(user),
        next=safe_next(request),
        is_nav_sidebar_enabled=False,
    )


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown this once."""
    return render(
        request,
        "admin/mfa/recovery_codes.html",
        _("Your recovery codes"),
        codes=request.session.pop(NEW_CODES, None),
        next=safe_next(request, reverse("mfa:devices")),
    )


def own_device(user, persistent_id: str):
    """`user`'s passkey or authenticator app named by `persistent_id`, or None."""
    device = django_otp.models.Device.from_persistent_id(persistent_id or "")
    if not isinstance(device, (TOTPDevice, WebAuthnCredential)):
        return None
    if device.user_id != user.pk or not device.confirmed:
        return None
    return device


def devices(request: HttpRequest) -> HttpResponse:
    """ "Sign-in security": a user's own passkeys and apps, to rename or
    remove, and their recovery codes, to renew."""
    user = request.user
    if not state.verified(request):
        return redirect(with_next("mfa:verify", request.get_full_path()))
    refused = False
    if request.method == "POST":
        if "confirm" in request.POST:
            if step_up.confirm(request):
                return redirect("mfa:devices")
            refused = True
        elif "rename" in request.POST:
            device = own_device(user, request.POST["rename"])
            form = RenameForm(request.POST)
            if device is not None and form.is_valid():
                device.name = form.cleaned_data["name"]
                device.save(update_fields=["name"])
                messages.success(request, _("Renamed."))
            else:
                messages.error(request, _("Give the device a name."))
            return redirect("mfa:devices")
        elif "remove" in request.POST or "regenerate" in request.POST:
            if step_up.confirm(request):
                return change_factors(request, user)
            refused = True
    codes = RecoveryCodeDevice.objects.filter(user=user).first()
    return render(
        request,
        "admin/mfa/devices.html",
        _("Sign-in security"),
        devices=[
            {"device": device, "kind": kind(device), "id": device.persistent_id}
            for device in factors(user)
        ],
        unused_codes=codes.unused() if codes else 0,
        fresh=state.fresh(request),
        **step_up.context(request, refused=refused),
    )


def change_factors(request: HttpRequest, user) -> HttpResponse:
    """Remove a device or renew the recovery codes, after a fresh check."""
    if "regenerate" in request.POST:
        give_recovery_codes(request, user)
        return redirect(with_next("mfa:recovery_codes", reverse("mfa:devices")))
    with transaction.atomic():
        device = own_device(user, request.POST["remove"])
        remaining = [other for other in factors(user) if other != device]
        if device is None:
            messages.error(request, _("That device is not one of yours."))
        elif not remaining:
            messages.error(
                request,
                _(
                    "This is your only passkey or authenticator app, so it "
                    "cannot be removed. Add another one first."
                ),
            )
        else:
            device.delete()
            messages.success(request, _("Removed “%s”.") % device.name)
    return redirect("mfa:devices")


def kind(device) -> str:
    if isinstance(device, WebAuthnCredential):
        return _("Passkey or security key")
    return _("Authenticator app")


class PasskeyRegistrationBegin(webauthn.BeginCredentialRegistrationView):
    """Options for a new passkey (the package refuses a user who has a
    factor and has not passed it in this session; we also ask that check to
    be fresh, as for every change to how an account signs in)."""

    def post(self, request, *args, **kwargs):
        if factors(request.user) and not state.fresh(request):
            return JsonResponse({"detail": str(STALE), "code": "stale"}, status=403)
        return super().post(request, *args, **kwargs)


class PasskeyRegistrationComplete(webauthn.CompleteCredentialRegistrationView):
    """Save the new passkey; a first factor also passes the session's check
    and brings the recovery codes."""

    def post(self, request, *args, **kwargs):
        user = request.user
        first = not factors(user)
        was_verified = user.is_verified()
        response = super().post(request, *args, **kwargs)
        if response.status_code != 200:
            return response  # the package's JSON error, for the page to show
        device = WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"])
        if not was_verified:
            state.mark_verified(request, device, state.Method.PASSKEY)
        if first:
            give_recovery_codes(request, user)
            target = with_next("mfa:recovery_codes", safe_next(request))
        else:
            messages.success(request, _("Your passkey was added."))
            target = safe_next(request, reverse("mfa:devices"))
        return JsonResponse({"id": device.pk, "redirect_url": target})


class PasskeyAuthenticationBegin(webauthn.BeginCredentialAuthenticationView):
    """Options for the signed-in user's passkeys, asking for user
    verification (PIN or biometrics)."""

    def post(self, request, *args, **kwargs):
        data, ceremony = self.get_helper().authenticate_begin(
            user=self.get_user(), require_user_verification=True
        )
        request.session["otp_webauthn_authentication_state"] = ceremony
        return JsonResponse(data)


class PasskeyAuthenticationComplete(webauthn.CompleteCredentialAuthenticationView):
    """Check the passkey (throttled like a code) and record the proof."""

    def post(self, request, *args, **kwargs):
        if not throttle.reserve(request, request.user):
            refusal = {"detail": str(THROTTLED), "code": "throttled"}
            return JsonResponse(refusal, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            throttle.succeeded(request, request.user)
        return response

    def complete_auth(self, device) -> None:
        state.mark_verified(self.request, device, state.Method.PASSKEY)

    def get_success_url(self) -> str:
        return self.get_redirect_url() or reverse("admin:index")

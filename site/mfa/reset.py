"""A superuser resets a user's second factors: a lost device, someone leaving.

Every device goes (authenticator apps, passkeys, recovery codes), every
session of the user ends, the audit log says who did it, and the user is
told by email. At their next log-in the gate sends them to enrolment.
Resetting is sensitive, so it asks for a fresh second factor (step-up).
"""

import logging

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user

from siteconf.mfa import step_up, throttle
from siteconf.mfa.sessions import end_sessions

logger = logging.getLogger(__name__)


def describe(device) -> str:
    """A device as the log and the page name it: its kind and its name."""
    name = getattr(device, "name", "") or str(device)
    return f"{device._meta.verbose_name} “{name}”"


@require_http_methods(["GET", "POST"])
def reset_second_factors(request: HttpRequest, user_id: int) -> HttpResponse:
    """Ask to confirm (GET), then reset the user's second factors (POST).
    Superusers only, checked here whatever the admin shows."""
    if not (request.user.is_active and request.user.is_superuser):
        raise PermissionDenied
    user = get_object_or_404(get_user_model(), pk=user_id)
    if request.method == "POST" and step_up.confirm(request):
        reset(request, user)
        messages.success(
            request,
            _(
                "The second factors of %(user)s were reset: they enrol "
                "again at their next log-in."
            )
            % {"user": user.get_username()},
        )
        return redirect("admin:auth_user_change", user.pk)
    return TemplateResponse(
        request,
        "admin/mfa/reset.html",
        {
            **admin.site.each_context(request),
            "title": _("Reset second factors"),
            "subject": user,
            "devices": [
                describe(device) for device in devices_for_user(user, confirmed=None)
            ],
            "opts": user._meta,
            **step_up.context(request, refused=request.method == "POST"),
        },
    )


def reset(request: HttpRequest, user: AbstractBaseUser) -> None:
    """Delete the user's devices, end their sessions (but the resetter's own,
    if they reset themselves), log it, lift their throttling and tell them."""
    with transaction.atomic():
        removed = [
            describe(device) for device in devices_for_user(user, confirmed=None)
        ]
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        keep = request.session.session_key if user.pk == request.user.pk else None
        ended = end_sessions(user, keep=keep)
        message = _(
            "Reset second factors: removed %(devices)s; ended %(sessions)d "
            "session(s). They enrol again at their next log-in."
        ) % {
            "devices": ", ".join(removed) or _("no devices"),
            "sessions": ended,
        }
        LogEntry.objects.log_actions(
            request.user.pk, [user], CHANGE, message, single_object=True
        )
        transaction.on_commit(lambda: tell(user, request.user))
    throttle.forget(user)


def tell(user: AbstractBaseUser, by: AbstractBaseUser) -> None:
    """Email the user that their second factors were reset, and by whom."""
    if not user.email:
        return
    body = _(
        "Hello %(name)s,\n\n"
        "%(by)s reset the second factors of your %(site)s account: your "
        "passkeys, authenticator apps and recovery codes no longer work, and "
        "you were signed out everywhere.\n\n"
        "At your next log-in you will be asked to set up a new one.\n\n"
        "If you did not ask for this, tell an administrator at once."
    ) % {
        "name": user.get_short_name() or user.get_username(),
        "by": by.get_full_name() or by.get_username(),
        "site": settings.HEALTH_SITE["NAME"],
    }
    message = EmailMessage(
        _("Your second factors were reset"),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    try:
        mailers.default.send_messages([message])
    except Exception:
        # The reset has happened; a lost email must not undo it.
        logger.exception("Could not email user %s about their reset.", user.pk)

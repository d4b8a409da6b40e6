"""Step-up: sign-off needs a second-factor check from the last few minutes."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from django_otp.middleware import OTPMiddleware

from siteconf.mfa import state, step_up
from siteconf.models import RecoveryCodeDevice
from tests.conftest import make_user, test_device
from tests.site.mfa import code_of

STALE = datetime.timedelta(minutes=11)


@pytest.fixture
def reviewer(db):
    return make_user("reviewer", "Medical reviewers")


def signed_in(user, data=None):
    """A POST from `user`, whose session passed its check just now."""
    request = RequestFactory().post("/admin/sign-off/", data or {})
    request.session = SessionStore()
    OTPMiddleware._init_user_fields(user)
    request.user = user
    state.mark_verified(request, test_device(user), state.Method.TOTP)
    return request


def later():
    return time_machine.travel(timezone.now() + STALE, tick=False)


def test_a_fresh_check_confirms(reviewer):
    assert step_up.confirm(signed_in(reviewer))


def test_a_stale_check_without_a_code_is_refused(reviewer):
    request = signed_in(reviewer)
    with later():
        assert not step_up.confirm(request)
    assert request.step_up_error


def test_a_stale_check_with_a_code_confirms_and_is_fresh_again(reviewer):
    request = signed_in(reviewer)
    with later():
        request.POST = {step_up.STEP_UP_FIELD: code_of(test_device(reviewer))}
        assert step_up.confirm(request)
        assert state.fresh(request)
        assert state.proof_of(request).method == state.Method.TOTP


def test_a_wrong_code_is_refused(reviewer):
    request = signed_in(reviewer)
    with later():
        right = code_of(test_device(reviewer))
        request.POST = {step_up.STEP_UP_FIELD: f"{(int(right) + 1) % 10**6:06d}"}
        assert not step_up.confirm(request)
    assert "not right" in request.step_up_error


def test_a_recovery_code_confirms_and_is_recorded(reviewer):
    request = signed_in(reviewer)
    code = RecoveryCodeDevice.regenerate(reviewer)[0]
    with later():
        request.POST = {step_up.STEP_UP_FIELD: code}
        assert step_up.confirm(request)
        assert state.proof_of(request).method == state.Method.RECOVERY


def test_the_window_follows_the_setting(reviewer, settings):
    settings.HEALTH_STEP_UP_MINUTES = 30
    request = signed_in(reviewer)
    with later():
        assert step_up.confirm(request)


def test_the_include_is_empty_while_fresh(reviewer):
    request = signed_in(reviewer)
    html = render_to_string(
        "admin/mfa/step_up.html", step_up.context(request), request=request
    )
    assert html.strip() == ""


def test_the_include_asks_for_a_code_when_stale(reviewer):
    request = signed_in(reviewer)
    with later():
        step_up.confirm(request)
        html = render_to_string(
            "admin/mfa/step_up.html", step_up.context(request), request=request
        )
    assert 'name="step_up_code"' in html
    assert "last 10 minutes" in html
    assert "Confirm it" in html
    assert "data-passkey-step-up" not in html  # no passkey registered


def test_a_refusal_shows_the_panel_even_when_fresh(reviewer):
    request = signed_in(reviewer)
    assert step_up.context(request, refused=True)["step_up"]["needed"]

"""A superuser resets a user's second factors; resets and password changes
end the user's sessions."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from siteconf.mfa import state, throttle
from siteconf.mfa.sessions import end_sessions
from siteconf.models import RecoveryCodeDevice
from tests.conftest import PASSWORD, make_user

NEW_PASSWORD = "a brand new passphrase 2026"


@pytest.fixture
def boss(db):
    user = make_user("boss")
    user.is_superuser = True
    user.save()
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def is_signed_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def reset_url(user) -> str:
    return reverse("admin:auth_user_reset_second_factors", args=[user.pk])


def give_devices(user):
    TOTPDevice.objects.create(user=user, name="phone")
    RecoveryCodeDevice.regenerate(user)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_end_sessions_ends_the_users_sessions_but_the_one_kept(writer, editor):
    """Every session of the user goes but `keep`; other users' stay."""
    first, second, other = signed_in(writer), signed_in(writer), signed_in(editor)
    assert end_sessions(writer, keep=first.session.session_key) == 1
    assert is_signed_in(first)
    assert not is_signed_in(second)
    assert is_signed_in(other)
    assert end_sessions(writer) == 1
    assert not is_signed_in(first)
    assert Session.objects.count() == 1


def test_changing_ones_password_ends_ones_other_sessions(writer):
    """The admin's password change keeps the session it was made in only."""
    here, elsewhere = signed_in(writer), signed_in(writer)
    assert is_signed_in(elsewhere)
    response = here.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)


def test_a_superuser_setting_a_password_ends_the_users_sessions(boss, writer):
    """Setting another user's password signs them out everywhere."""
    writers = signed_in(writer)
    superuser = signed_in(boss)
    assert is_signed_in(writers)
    response = superuser.post(
        reverse("admin:auth_user_password_change", args=[writer.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not is_signed_in(writers)
    assert is_signed_in(superuser)


def test_the_change_page_offers_the_reset_to_superusers(boss, writer):
    response = signed_in(boss).get(reverse("admin:auth_user_change", args=[writer.pk]))
    assert reset_url(writer) in response.text


def test_the_confirmation_page_lists_the_devices(boss, writer):
    """A GET asks to confirm and removes nothing."""
    give_devices(writer)
    response = signed_in(boss).get(reset_url(writer))
    assert response.status_code == 200
    assert "“phone”" in response.text
    assert 'method="post"' in response.text
    assert len(list(devices_for_user(writer, confirmed=None))) == 2


def test_a_reset_removes_devices_ends_sessions_logs_and_emails(
    boss, writer, django_capture_on_commit_callbacks
):
    """Every device and session of the user goes, logged and emailed."""
    give_devices(writer)
    writers = signed_in(writer)
    superuser = signed_in(boss)
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser.post(reset_url(writer))
    assert response.status_code == 302
    assert list(devices_for_user(writer, confirmed=None)) == []
    assert not is_signed_in(writers)
    assert is_signed_in(superuser)
    entry = LogEntry.objects.get(object_id=str(writer.pk))
    assert entry.user == boss
    assert "Reset second factors" in entry.get_change_message()
    assert "ended 1 session" in entry.get_change_message()
    [email] = mail.outbox
    assert email.to == ["writer@example.org"]
    assert "reset" in email.subject


def test_after_a_reset_the_user_must_enrol_again(boss, writer):
    """The next log-in with the password reaches enrolment only."""
    give_devices(writer)
    signed_in(boss).post(reset_url(writer))
    client = Client()
    client.post(reverse("admin:login"), {"username": "writer", "password": PASSWORD})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa:enrol"))


def test_a_reset_lifts_the_users_throttling(boss, writer, rf):
    """A user locked out by guessers can enrol again from a new browser."""
    for n in range(10):
        throttle.reserve(rf.post("/", REMOTE_ADDR=f"198.51.100.{n}"), writer)
    assert not throttle.reserve(rf.post("/", REMOTE_ADDR="192.0.2.1"), writer)
    signed_in(boss).post(reset_url(writer))
    assert throttle.reserve(rf.post("/", REMOTE_ADDR="192.0.2.1"), writer)


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_superusers_may_reset(editor, writer, method):
    """Staff who are not superusers get 403, whatever they send."""
    give_devices(writer)
    editor.user_permissions.add(*editor.groups.first().permissions.all())
    response = getattr(signed_in(editor), method)(reset_url(writer))
    assert response.status_code == 403
    assert len(list(devices_for_user(writer, confirmed=None))) == 2


def test_a_stale_check_asks_for_a_fresh_one(boss, writer):
    """With the superuser's check too old, the reset waits for a fresh code."""
    give_devices(writer)
    superuser = signed_in(boss)
    session = superuser.session
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    session[state.VERIFIED_AT] = old.isoformat()
    session.save()
    response = superuser.post(reset_url(writer))
    assert response.status_code == 200
    assert len(list(devices_for_user(writer, confirmed=None))) == 2
    device = TOTPDevice.objects.get(user=boss)
    response = superuser.post(reset_url(writer), {"step_up_code": current_code(device)})
    assert response.status_code == 302
    assert list(devices_for_user(writer, confirmed=None)) == []

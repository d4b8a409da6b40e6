"""Enrolling an authenticator app, and signing in with its codes."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from siteconf.mfa import state
from siteconf.mfa.views import APP_NAME
from siteconf.models import RecoveryCodeDevice
from tests.conftest import make_user, password_only_login, test_device
from tests.site.mfa import code_of


@pytest.fixture
def writer(db):
    return make_user("writer", "Writers")


def test_enrolment_page_shows_a_qr_code_and_the_secret(client, writer):
    password_only_login(client, writer)
    response = client.get("/admin/mfa/enrol/")
    pending = TOTPDevice.objects.get(user=writer, confirmed=False)
    page = response.content.decode()
    assert "<svg" in page
    assert "data-passkey-register" in page
    secret = response.context["secret"].replace(" ", "")
    assert pending.config_url.split("secret=")[1].startswith(secret)


def test_enrolling_an_app_confirms_it_and_shows_recovery_codes(client, writer):
    """The first code confirms the app, passes the check, and brings 10 codes."""
    password_only_login(client, writer)
    client.get("/admin/mfa/enrol/")
    pending = TOTPDevice.objects.get(user=writer, confirmed=False)
    response = client.post(
        "/admin/mfa/enrol/", {"code": code_of(pending), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/mfa/recovery-codes/?next=%2Fadmin%2F"
    pending.refresh_from_db()
    assert pending.confirmed
    codes = client.get(response["Location"]).context["codes"]
    assert len(codes) == 10
    assert RecoveryCodeDevice.objects.get(user=writer).unused() == 10
    assert client.get("/admin/").status_code == 200


def test_recovery_codes_are_shown_only_once(client, writer):
    password_only_login(client, writer)
    client.get("/admin/mfa/enrol/")
    pending = TOTPDevice.objects.get(user=writer, confirmed=False)
    client.post("/admin/mfa/enrol/", {"code": code_of(pending)})
    assert client.get("/admin/mfa/recovery-codes/").context["codes"]
    assert client.get("/admin/mfa/recovery-codes/").context["codes"] is None


def test_a_wrong_enrolment_code_confirms_nothing(client, writer):
    password_only_login(client, writer)
    client.get("/admin/mfa/enrol/")
    pending = TOTPDevice.objects.get(user=writer, confirmed=False)
    wrong = f"{(int(code_of(pending)) + 1) % 10**6:06d}"
    response = client.post("/admin/mfa/enrol/", {"code": wrong})
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=pending.pk).confirmed


def test_logging_in_with_the_apps_code(client, writer):
    """The code after the password opens the admin and records how."""
    device = test_device(writer)
    password_only_login(client, writer)
    response = client.post(
        "/admin/mfa/verify/",
        {"code": code_of(device), "next": "/admin/articles/article/"},
    )
    assert response["Location"] == "/admin/articles/article/"
    assert client.get("/admin/").status_code == 200
    assert client.session[state.METHOD] == state.Method.TOTP


def test_a_wrong_code_is_refused_with_a_clear_error(client, writer):
    device = test_device(writer)
    password_only_login(client, writer)
    wrong = f"{(int(code_of(device)) + 1) % 10**6:06d}"
    response = client.post("/admin/mfa/verify/", {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_used_code_cannot_be_used_again(client, writer):
    """A code that opened one session does not open another."""
    device = test_device(writer)
    code = code_of(device)
    password_only_login(client, writer)
    assert client.post("/admin/mfa/verify/", {"code": code}).status_code == 302
    client.logout()
    password_only_login(client, writer)
    assert client.post("/admin/mfa/verify/", {"code": code}).status_code == 200
    assert client.get("/admin/").status_code == 302


def test_the_next_address_stays_on_the_site(client, writer):
    device = test_device(writer)
    password_only_login(client, writer)
    response = client.post(
        "/admin/mfa/verify/",
        {"code": code_of(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/admin/"


def test_the_check_page_offers_passkeys_only_to_users_with_one(client, writer):
    test_device(writer)
    password_only_login(client, writer)
    page = client.get("/admin/mfa/verify/").content.decode()
    assert "data-passkey-verify" not in page
    assert 'name="code"' in page


def test_a_nul_in_the_app_name_is_refused_not_stored(client, db):
    """PostgreSQL cannot store NUL: the form says no instead of a 500."""
    user = make_user("newcomer", "Writers")
    password_only_login(client, user)
    client.get("/admin/mfa/enrol/")
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(
        "/admin/mfa/enrol/", {"code": code_of(pending), "name": "Phone\x00"}
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert not pending.confirmed and pending.name == APP_NAME

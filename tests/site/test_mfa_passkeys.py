"""The passkey ceremonies' server side: options for this host, user
verification required, and a plain word when the host is an IP address.
(The ceremonies themselves run in Chromium: tests/browser.)"""

import pytest

from tests.conftest import make_user, password_only_login, test_device

BEGIN_REGISTRATION = "/admin/mfa/passkeys/registration/begin/"
BEGIN_AUTHENTICATION = "/admin/mfa/passkeys/authentication/begin/"
JSON = {"content_type": "application/json", "headers": {"accept": "application/json"}}


@pytest.fixture
def writer(db):
    return make_user("writer", "Writers")


def test_a_first_passkey_may_be_added_after_the_password(client, writer):
    """The relying party is the page's host; the key must verify its user."""
    password_only_login(client, writer)
    options = client.post(BEGIN_REGISTRATION, **JSON).json()
    assert options["rp"]["id"] == "testserver"
    assert options["authenticatorSelection"]["userVerification"] == "required"


def test_another_passkey_needs_the_second_factor_first(client, writer):
    """Someone with only the password cannot add a passkey to an enrolled
    account (and so get past its second factor)."""
    test_device(writer)
    password_only_login(client, writer)
    assert client.post(BEGIN_REGISTRATION, **JSON).status_code == 403


def test_the_check_asks_the_key_to_verify_its_user(client, writer):
    test_device(writer)
    password_only_login(client, writer)
    options = client.post(BEGIN_AUTHENTICATION, **JSON).json()
    assert options["userVerification"] == "required"
    assert options["rpId"] == "testserver"


def test_no_passwordless_login(client, db):
    assert client.post(BEGIN_AUTHENTICATION, **JSON).status_code in {302, 403}


def test_an_ip_address_is_explained(client, writer, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    password_only_login(client, writer)
    page = client.get("/admin/mfa/enrol/", HTTP_HOST="127.0.0.1:8000").content
    assert b"Passkeys do not work on an IP address" in page
    assert b"data-passkey-register" not in page

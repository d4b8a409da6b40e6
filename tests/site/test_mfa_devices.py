"""Sign-in security: a user's own devices, renamed and removed."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from siteconf.models import RecoveryCodeDevice
from tests.conftest import make_user, test_device
from tests.site.mfa import code_of

URL = "/admin/mfa/"


@pytest.fixture
def writer(db):
    return make_user("writer", "Writers")


def second_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Spare phone")


def test_the_page_lists_own_devices_and_unused_codes(client, writer):
    client.force_login(writer)
    RecoveryCodeDevice.regenerate(writer)
    make_user("other", "Writers")
    other_device = test_device(make_user("third", "Writers"))
    page = client.get(URL).content.decode()
    assert "test device" in page
    assert other_device.persistent_id not in page
    assert "10 unused recovery codes" in page


def test_the_admin_links_to_it(client, writer):
    client.force_login(writer)
    assert f'href="{URL}"' in client.get("/admin/").content.decode()


def test_renaming_a_device(client, writer):
    client.force_login(writer)
    device = test_device(writer)
    client.post(URL, {"rename": device.persistent_id, "name": "Work phone"})
    device.refresh_from_db()
    assert device.name == "Work phone"


def test_another_users_device_cannot_be_renamed(client, writer):
    client.force_login(writer)
    theirs = test_device(make_user("other", "Writers"))
    client.post(URL, {"rename": theirs.persistent_id, "name": "Mine now"})
    theirs.refresh_from_db()
    assert theirs.name == "test device"


def test_removing_a_device_after_a_fresh_check(client, writer):
    client.force_login(writer)
    spare = second_app(writer)
    response = client.post(URL, {"remove": spare.persistent_id})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=spare.pk).exists()


def test_the_last_factor_cannot_be_removed(client, writer):
    client.force_login(writer)
    only = test_device(writer)
    response = client.post(URL, {"remove": only.persistent_id}, follow=True)
    assert TOTPDevice.objects.filter(pk=only.pk).exists()
    assert "only passkey or authenticator app" in response.content.decode()


def test_removing_needs_a_recent_check(client, writer):
    """After the step-up window the page asks for a code before removing."""
    client.force_login(writer)
    spare = second_app(writer)
    later = timezone.now() + datetime.timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        response = client.post(URL, {"remove": spare.persistent_id})
        assert response.status_code == 200
        assert 'name="step_up_code"' in response.content.decode()
        assert TOTPDevice.objects.filter(pk=spare.pk).exists()
        device = test_device(writer)
        client.post(
            URL, {"remove": spare.persistent_id, "step_up_code": code_of(device)}
        )
    assert not TOTPDevice.objects.filter(pk=spare.pk).exists()


def test_new_recovery_codes_on_demand(client, writer):
    client.force_login(writer)
    old = RecoveryCodeDevice.regenerate(writer)
    response = client.post(URL, {"regenerate": "1"})
    assert response["Location"].startswith("/admin/mfa/recovery-codes/")
    codes = client.get(response["Location"]).context["codes"]
    assert len(codes) == 10 and not set(codes) & set(old)


def test_adding_an_app_from_the_page(client, writer):
    """A signed-in user adds a second app; no new recovery codes."""
    client.force_login(writer)
    client.get("/admin/mfa/enrol/?next=/admin/mfa/")
    pending = TOTPDevice.objects.get(user=writer, confirmed=False)
    response = client.post(
        "/admin/mfa/enrol/",
        {"code": code_of(pending), "name": "Tablet", "next": URL},
    )
    assert response["Location"] == URL
    assert TOTPDevice.objects.get(pk=pending.pk).name == "Tablet"
    assert not RecoveryCodeDevice.objects.filter(user=writer).exists()


def later() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=11)


def test_adding_a_way_in_needs_a_fresh_check(client, writer):
    """A session left open is not enough to add an app or a passkey."""
    client.force_login(writer)
    with time_machine.travel(later()):
        response = client.get("/admin/mfa/enrol/")
        assert response.status_code == 302 and response["Location"] == URL
        begin = client.post(
            "/admin/mfa/passkeys/registration/begin/",
            content_type="application/json",
        )
        assert begin.status_code == 403 and begin.json()["code"] == "stale"
        page = client.get(URL).content.decode()
        assert 'id="mfa-confirm"' in page


def test_confirming_on_the_page_refreshes_the_check(client, writer):
    client.force_login(writer)
    device = test_device(writer)
    with time_machine.travel(later()):
        wrong = client.post(URL, {"confirm": "1", "step_up_code": "000000"})
        assert 'id="step-up-error"' in wrong.content.decode()
        right = client.post(URL, {"confirm": "1", "step_up_code": code_of(device)})
        assert right.status_code == 302
        assert 'id="mfa-confirm"' not in client.get(URL).content.decode()
        assert client.get("/admin/mfa/enrol/").status_code == 200

"""`manage.py demo_code` prints a demo user's current authenticator code, so
that a newcomer logs in to `make run` in seconds; never with DEBUG off."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import make_user


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())


def demo_code(username: str) -> str:
    out = io.StringIO()
    call_command("demo_code", username, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_the_printed_code_verifies(seeded, settings):
    """The code printed for a freshly seeded reviewer is accepted."""
    settings.DEBUG = True
    code = demo_code("reviewer")
    assert len(code) == 6 and code.isdigit()
    assert TOTPDevice.objects.get(user__username="reviewer").verify_token(code)


def test_every_demo_user_gets_one_demo_device_once(seeded):
    """Seeding again keeps each demo user's device and its key."""
    keys = dict(TOTPDevice.objects.values_list("user__username", "key"))
    call_command("seed_demo", stdout=io.StringIO())
    assert set(keys) == {"writer", "reviewer", "editor", "admin"}
    assert dict(TOTPDevice.objects.values_list("user__username", "key")) == keys
    assert all(device.confirmed for device in TOTPDevice.objects.all())


def test_seed_demo_says_how_to_read_the_code(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "manage.py demo_code reviewer" in out.getvalue()


def test_refused_with_debug_off(seeded, settings):
    """A code printed from the database would defeat the second factor."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        demo_code("reviewer")


def test_refused_for_a_user_without_a_demo_device(db, settings):
    settings.DEBUG = True
    make_user("stranger")
    with pytest.raises(CommandError, match="no demo authenticator"):
        demo_code("stranger")

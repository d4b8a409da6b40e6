"""Recovery codes: ten, stored hashed, each good once."""

import hashlib
import re

import pytest

from siteconf.mfa import recovery, state
from siteconf.mfa.forms import verify_code
from siteconf.models import RecoveryCode, RecoveryCodeDevice
from tests.conftest import make_user, password_only_login, test_device


@pytest.fixture
def writer(db):
    user = make_user("writer", "Writers")
    test_device(user)
    return user


def test_ten_codes_easy_to_type(writer):
    codes = RecoveryCodeDevice.regenerate(writer)
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{2}", c) for c in codes)


def test_the_database_keeps_no_readable_code(writer):
    """Only SHA-256 digests are stored, never the codes."""
    codes = RecoveryCodeDevice.regenerate(writer)
    stored = list(RecoveryCode.objects.values_list("digest", flat=True))
    for code in codes:
        assert all(recovery.normalise(code) not in digest for digest in stored)
    expected = {
        hashlib.sha256(recovery.normalise(c).encode()).hexdigest() for c in codes
    }
    assert set(stored) == expected


def test_a_code_works_once(writer):
    code = RecoveryCodeDevice.regenerate(writer)[0]
    assert isinstance(verify_code(writer, code), RecoveryCodeDevice)
    assert verify_code(writer, code) is None
    assert RecoveryCodeDevice.objects.get(user=writer).unused() == 9


def test_case_spaces_and_dashes_do_not_matter(writer):
    code = RecoveryCodeDevice.regenerate(writer)[0]
    assert verify_code(writer, f" {code.upper().replace('-', ' ')} ") is not None


def test_new_codes_void_the_old_ones(writer):
    old = RecoveryCodeDevice.regenerate(writer)
    RecoveryCodeDevice.regenerate(writer)
    assert verify_code(writer, old[0]) is None


def test_another_users_code_does_not_work(writer):
    other = make_user("other", "Writers")
    code = RecoveryCodeDevice.regenerate(other)[0]
    assert verify_code(writer, code) is None


def test_logging_in_with_a_recovery_code(client, writer):
    """A recovery code passes the check once, and the session says so."""
    code = RecoveryCodeDevice.regenerate(writer)[0]
    password_only_login(client, writer)
    assert client.post("/admin/mfa/verify/", {"code": code}).status_code == 302
    assert client.session[state.METHOD] == state.Method.RECOVERY
    client.logout()
    password_only_login(client, writer)
    assert client.post("/admin/mfa/verify/", {"code": code}).status_code == 200

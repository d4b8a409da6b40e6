"""A staff session that has passed only the password reaches no admin page
and none of the desk's endpoints, only enrolment and the check."""

import pytest

from tests.conftest import make_user, password_only_login, test_device

DESK_PAGES = [
    "/admin/",
    "/admin/articles/article/",
    "/admin/articles/article/dashboard/",
    "/admin/articles/notification/",
    "/admin/auth/user/",
    "/admin/cite/references/?q=mucus",
    "/admin/articles/contributor/users/?term=o",
]
DESK_POSTS = [
    "/admin/markdownx/markdownify/",
    "/admin/markdownx/upload/",
    "/admin/articles/article/add/",
]


@pytest.fixture
def writer(db):
    return make_user("writer", "Writers")


@pytest.mark.parametrize("url", DESK_PAGES)
def test_a_page_sends_a_user_without_a_device_to_enrolment(client, writer, url):
    """Someone who never set up a second factor is sent to set one up."""
    password_only_login(client, writer)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/mfa/enrol/?next=%2Fadmin%2F")


@pytest.mark.parametrize("url", DESK_PAGES)
def test_a_page_sends_an_enrolled_user_to_the_check(client, writer, url):
    """Someone with a device is asked for it, and sent back afterwards."""
    test_device(writer)
    password_only_login(client, writer)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/mfa/verify/?next=%2Fadmin%2F")


@pytest.mark.parametrize("url", DESK_POSTS)
def test_a_post_is_refused(client, writer, url):
    """A form or an endpoint the session may not reach answers 403."""
    test_device(writer)
    password_only_login(client, writer)
    assert client.post(url, {"content": "x"}).status_code == 403


def test_a_json_request_is_refused_not_redirected(client, writer):
    """A script's request gets a 403 it can read, not a page."""
    password_only_login(client, writer)
    response = client.get(
        "/admin/cite/references/?q=x", headers={"accept": "application/json"}
    )
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


def test_the_second_factor_pages_stay_open(client, writer):
    """Enrolment, the check's page, the catalogue and log-out answer."""
    password_only_login(client, writer)
    assert client.get("/admin/mfa/enrol/").status_code == 200
    assert client.get("/admin/jsi18n/").status_code == 200
    assert client.post("/admin/logout/").status_code == 200


def test_a_verified_session_reaches_the_admin(client, writer):
    client.force_login(writer)
    assert client.get("/admin/").status_code == 200


def test_public_pages_are_not_gated(client, writer):
    password_only_login(client, writer)
    assert client.get("/robots.txt").status_code == 200


def test_non_staff_users_are_left_to_the_admin(client, db):
    """Someone who is not staff meets the admin's own log-in page."""
    user = make_user("reader")
    user.is_staff = False
    user.save()
    password_only_login(client, user)
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/login/")


def test_the_gate_is_off_with_the_setting(client, writer, settings):
    settings.HEALTH_STAFF_MFA = False
    password_only_login(client, writer)
    assert client.get("/admin/").status_code == 200

"""With Redis down, staff can still log in, browse the admin and save."""

import time

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from articles.models import Topic
from tests.conftest import PASSWORD, test_device
from tests.site.mfa import code_of


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


def test_staff_pages_work_while_redis_is_down(client, superuser, dead_redis, caplog):
    """Log-in (password and code), an admin page and a save all succeed, and
    a warning is logged."""
    started = time.monotonic()
    response = client.post(
        reverse("admin:login"),
        {"username": "root", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    code = code_of(test_device(superuser))
    assert client.post("/admin/mfa/verify/", {"code": code}).status_code == 302
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 200
    response = client.post(
        reverse("admin:articles_topic_add"),
        {"name": "Pregnancy", "slug": "pregnancy", "review_interval_months": 24},
    )
    assert response.status_code == 302
    assert Topic.objects.filter(slug="pregnancy").exists()
    assert time.monotonic() - started < 10
    assert any(
        record.levelname == "WARNING" and "cache is unreachable" in record.message
        for record in caplog.records
    )

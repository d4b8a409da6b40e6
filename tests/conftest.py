import os
import socket

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.delivery import local_pages
from articles.models import Article, Contributor, Topic
from articles.roles import ensure_groups
from references.models import Reference
from siteconf.mfa import state
from tests.references.replay import ReplayServer, point_lookups_at

PASSWORD = "correct horse battery staple"


def redis_answers() -> bool:
    """Whether a Redis server listens at 127.0.0.1:6379."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


# For tests that run against a real Redis: skipped without one, unless
# REQUIRE_REDIS=1 (as in CI), where its absence fails them.
needs_redis = pytest.mark.skipif(
    not redis_answers() and os.environ.get("REQUIRE_REDIS") != "1",
    reason="needs Redis at 127.0.0.1:6379",
)
NO_CHROMIUM = "chromium is not installed"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """Say at the end of the run, below the short summary where nobody can
    miss it, that the browser tests did not run."""
    yield
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and NO_CHROMIUM in report.longrepr[2]
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} browser tests skipped: {NO_CHROMIUM} "
            "(apt-get install -y chromium)",
            yellow=True,
            bold=True,
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 at production strength costs most of a second per user; tests
    create many. Logins still go through Django's real hashing code."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Login-failure counts and cached pages must not leak between tests."""
    for alias in ("default", "pages"):
        caches[alias].clear()
    local_pages._local.evict(None)
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()
    local_pages._local.evict(None)


# Django's own, before `staff_pass_second_factor` wraps them.
_force_login = Client.force_login
_login = Client.login


def test_device(user: User) -> TOTPDevice:
    """`user`'s confirmed authenticator app, made if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test device")
    return device


test_device.__test__ = False  # a helper, not a test


def pass_second_factor(client: Client, user: User) -> None:
    """Mark `client`'s session as having passed the second factor just now,
    with the keys siteconf.mfa.state.mark_verified and django-otp write."""
    device = test_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[state.VERIFIED_AT] = timezone.now().isoformat()
    session[state.METHOD] = str(state.Method.TOTP)
    session[state.DEVICE] = state.device_label(device)
    session.save()


def password_only_login(client: Client, user: User) -> None:
    """Log `user` in with the password step only, as the gate sees it."""
    _force_login(client, user)


@pytest.fixture(autouse=True)
def staff_pass_second_factor(monkeypatch):
    """Tests log staff in with force_login or login and mean a full sign-in:
    those sessions pass the second factor too (password_only_login does not)."""

    def force_login(self, user, backend=None):
        _force_login(self, user, backend)
        if user.is_staff:
            pass_second_factor(self, user)

    def login(self, **credentials):
        logged_in = _login(self, **credentials)
        if logged_in:
            user = User.objects.get(pk=self.session[SESSION_KEY])
            if user.is_staff:
                pass_second_factor(self, user)
        return logged_in

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)


@pytest.fixture
def dead_redis(settings):
    """The production cache settings, pointed at a closed port: Redis is down."""
    original = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
    yield
    settings.CACHES = original  # before empty_cache clears it


NAJMABADI = {
    "citation_key": "najmabadi2021",
    "kind": "journal_article",
    "title": (
        "Cervical mucus patterns and the fertile window in women without known "
        "subfertility: a pooled analysis of three cohorts"
    ),
    "authors": [
        {"family": "Najmabadi", "given": "Shahpar"},
        {"family": "Schliep", "given": "Karen C"},
        {"family": "Simonsen", "given": "Sara E"},
        {"family": "Porucznik", "given": "Christina A"},
        {"family": "Egger", "given": "Marlene J"},
        {"family": "Stanford", "given": "Joseph B"},
    ],
    "container_title": "Human reproduction (Oxford, England)",
    "journal_abbrev": "Hum Reprod",
    "year": 2021,
    "volume": "36",
    "issue": "7",
    "pages": "1784-1795",
    "doi": "10.1093/humrep/deab049",
    "pmid": "33990841",
    "pmcid": "PMC8487651",
    "evidence_level": "cohort",
}

# What the approve step posts besides its comment: every item of the clinical
# checklist ticked, and no competing interests declared.
APPROVAL = {
    "checklist": ["sources", "dosages", "safety", "current"],
    "interests": "none",
}

SUMMARY = "What changes in cervical mucus tell you about the fertile window."
META = (
    "Cervical mucus changes through the cycle and can help identify the fertile "
    "window. Here is what a pooled analysis of three cohorts found."
)


def make_user(username: str, group: str | None = None, **contributor) -> User:
    if group and not Group.objects.filter(name=group).exists():
        ensure_groups(django_apps)  # a transactional test flushed them
    user = User.objects.create_user(
        username, f"{username}@example.org", PASSWORD, is_staff=True
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    Contributor.objects.create(
        user=user,
        display_name=contributor.pop("display_name", username.title()),
        slug=username,
        **contributor,
    )
    return user


@pytest.fixture
def writer(db):
    return make_user("writer", "Writers", display_name="Wendy Writer")


@pytest.fixture
def other_writer(db):
    return make_user("otherwriter", "Writers", display_name="Otto Other")


@pytest.fixture
def reviewer(db):
    return make_user(
        "reviewer",
        "Medical reviewers",
        display_name="Dr Rhea Reviewer",
        credentials="MD, FACOG",
    )


@pytest.fixture
def uncredentialed_reviewer(db):
    return make_user("nocreds", "Medical reviewers", display_name="No Creds")


@pytest.fixture
def editor(db):
    return make_user("editor", "Editors", display_name="Eddie Editor")


@pytest.fixture
def reference(db):
    return Reference.objects.create(**NAJMABADI)


@pytest.fixture
def topic(db):
    return Topic.objects.get_or_create(
        slug="fertility", defaults={"name": "Fertility"}
    )[0]


@pytest.fixture
def replay(settings):
    """The lookup services (Crossref, DOI, NCBI, Open Library), replayed from
    recorded answers by a server on 127.0.0.1."""
    server = ReplayServer()
    point_lookups_at(settings, server)
    yield server
    server.close()


def publish(article, writer, reviewer, editor) -> Article:
    """Take a draft through review to live, fresh from the database."""
    article.submit_for_review(by=writer)
    # An update of a live page: the reviewer confirms the writer's class.
    article.approve(by=reviewer, change_class=article.current_revision.change_class)
    article.publish(by=editor)
    article.refresh_from_db()
    return article


def create_article(author: User, body: str | None = None, **fields) -> Article:
    """A saved article by `author` with one revision, ready to submit."""
    fields.setdefault("title", "Cervical mucus and the fertile window")
    fields.setdefault("slug", "cervical-mucus")
    fields.setdefault("summary", SUMMARY)
    fields.setdefault("meta_description", META)
    article = Article.objects.create(
        body=body if body is not None else "Mucus changes [@najmabadi2021].",
        created_by=author,
        **fields,
    )
    article.authors.add(author.contributor)
    # Every article needs a topic to be submitted (a preflight check).
    article.topics.add(
        Topic.objects.get_or_create(slug="health", defaults={"name": "Health"})[0]
    )
    article.save_revision(by=author)
    return article


@pytest.fixture
def article(writer, reference):
    return create_article(writer)


@pytest.fixture
def approved_article(article, writer, reviewer):
    article.submit_for_review(by=writer)
    article.approve(by=reviewer, comment="Accurate and well sourced.")
    return article


@pytest.fixture
def live_article(approved_article, editor):
    approved_article.publish(by=editor)
    return approved_article

"""`manage.py check --deploy` passes with production settings and refuses a
base URL that points at this machine."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from siteconf.checks import check_site_base_url

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_HTTPS": "1",
    "EMAIL_HOST": "smtp.example.org",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "health.example.org",
    "HEALTH_SITE_BASE_URL": "https://health.example.org/",
}


def check_deploy(**overrides: str) -> subprocess.CompletedProcess:
    # A clean environment, as on a server: nothing from the test run.
    env = {"PATH": os.environ["PATH"], **PRODUCTION, **overrides}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_production_settings():
    """No warnings: each one left is silenced in settings with its reason."""
    result = check_deploy()
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_refuses_the_default_base_url():
    """Without HEALTH_SITE_BASE_URL, links would point at 127.0.0.1."""
    result = check_deploy(HEALTH_SITE_BASE_URL="http://127.0.0.1:8000")
    assert result.returncode != 0
    assert "siteconf.E002" in result.stderr
    assert "siteconf.E003" in result.stderr


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8000",
        "http://localhost:8201",
        "https://LOCALHOST",
        "http://[::1]:8000",
        "http://0.0.0.0:8000",
        "https://preview.localhost",
    ],
)
def test_a_local_base_url_is_an_error_with_debug_off(settings, base_url):
    """Any name for this machine is refused in production."""
    settings.DEBUG = False
    settings.HEALTH_SITE = {**settings.HEALTH_SITE, "BASE_URL": base_url}
    assert [error.id for error in check_site_base_url(None)] == ["siteconf.E002"]


def test_a_local_base_url_is_fine_in_development(settings):
    """`make run` links to 127.0.0.1, as it should."""
    settings.DEBUG = True
    settings.HEALTH_SITE = {**settings.HEALTH_SITE, "BASE_URL": "http://127.0.0.1"}
    assert check_site_base_url(None) == []


@pytest.mark.parametrize(
    "https, base_url, errors",
    [
        (True, "https://health.example.org", []),
        (True, "http://health.example.org", ["siteconf.E003"]),
        (False, "http://health.example.org", []),
        (False, "health.example.org", ["siteconf.E001"]),
    ],
)
def test_the_base_url_scheme_follows_https(settings, https, base_url, errors):
    """With DJANGO_HTTPS on, the base URL must be https."""
    settings.DEBUG = False
    settings.HEALTH_HTTPS = https
    settings.HEALTH_SITE = {**settings.HEALTH_SITE, "BASE_URL": base_url}
    assert [error.id for error in check_site_base_url(None)] == errors


def test_the_base_url_loses_its_trailing_slash():
    """Settings strip it once, so every absolute URL joins cleanly."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.HEALTH_SITE['BASE_URL'])"
    )
    env = {"PATH": os.environ["PATH"], **PRODUCTION}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "siteconf.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "https://health.example.org"


@pytest.mark.parametrize(
    "urls, secret, errors",
    [
        ([], "", []),
        (["http://127.0.0.1:6085"], "", ["siteconf.E004"]),
        (["http://127.0.0.1:6085"], "short", ["siteconf.E004"]),
        (["http://127.0.0.1:6085"], "s" * 32, []),
    ],
)
def test_purges_need_a_long_secret(settings, urls, secret, errors):
    """Varnish refuses a purge without the shared secret: the deploy check
    says so before the first publication fails to reach it."""
    from siteconf.checks import check_purge_secret

    settings.HEALTH_PURGE_URLS = urls
    settings.HEALTH_PURGE_SECRET = secret
    assert [error.id for error in check_purge_secret(None)] == errors

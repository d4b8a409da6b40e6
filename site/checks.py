"""System checks for a production deployment (`manage.py check --deploy`)."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOCAL_NAMES = {"localhost", "localhost.localdomain"}


def is_local_host(host: str) -> bool:
    """Whether `host` names this machine: localhost, a loopback or an
    unspecified address (127.0.0.1, ::1, 0.0.0.0)."""
    host = host.lower().rstrip(".")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@register(Tags.security, deploy=True)
def check_site_base_url(app_configs, **kwargs) -> list[Error]:
    """HEALTH_SITE_BASE_URL is what canonical links, feeds, sitemaps, JSON-LD
    and emails point to: it must be the public site in production."""
    if settings.DEBUG:
        return []
    base_url = settings.HEALTH_SITE["BASE_URL"]
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [
            Error(
                f"HEALTH_SITE_BASE_URL ({base_url!r}) is not an absolute http(s) URL.",
                hint="Set it to the public origin, e.g. https://health.example.org.",
                id="siteconf.E001",
            )
        ]
    errors = []
    if is_local_host(parts.hostname):
        errors.append(
            Error(
                f"HEALTH_SITE_BASE_URL ({base_url}) points to this machine, so "
                "canonical links, feeds, sitemaps and emails would too.",
                hint="Set HEALTH_SITE_BASE_URL to the public origin, "
                "e.g. https://health.example.org.",
                id="siteconf.E002",
            )
        )
    if settings.HEALTH_HTTPS and parts.scheme != "https":
        errors.append(
            Error(
                f"HEALTH_SITE_BASE_URL ({base_url}) is not https although "
                "DJANGO_HTTPS is on.",
                hint="Use the https:// origin readers reach the site at.",
                id="siteconf.E003",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_purge_secret(app_configs, **kwargs) -> list[Error]:
    """Purges name the proxy's secret, so that nobody else can empty it."""
    if settings.HEALTH_PURGE_URLS and len(settings.HEALTH_PURGE_SECRET) < 32:
        return [
            Error(
                "HEALTH_PURGE_URLS is set but HEALTH_PURGE_SECRET is missing or "
                "shorter than 32 characters, so Varnish would refuse every purge "
                "(or accept a guessable one).",
                hint="Set HEALTH_PURGE_SECRET to the same long random value in the "
                "app servers' and Varnish's environment, e.g. "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'.",
                id="siteconf.E004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_lookup_allow_internal(app_configs, **kwargs) -> list[Warning]:
    """HEALTH_LOOKUP["ALLOW_INTERNAL"] lets reference lookups reach internal
    addresses; only the tests' replay server on 127.0.0.1 needs that."""
    allowed = getattr(settings, "HEALTH_LOOKUP", {}).get("ALLOW_INTERNAL")
    if settings.DEBUG or not allowed:
        return []
    return [
        Warning(
            f"HEALTH_LOOKUP['ALLOW_INTERNAL'] ({allowed!r}) lets reference "
            "lookups reach those internal addresses.",
            hint="Leave it empty in production: only the tests need it.",
            id="siteconf.W001",
        )
    ]

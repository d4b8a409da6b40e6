"""System checks for a production deployment (`manage.py check --deploy`)."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

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

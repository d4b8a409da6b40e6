from django.conf import settings

from articles.absolute_urls import base_url


def site_settings(request) -> dict:
    """The site's name, editorial settings and public origin, for every template."""
    return {"health_site": settings.HEALTH_SITE, "base_url": base_url()}

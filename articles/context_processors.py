from django.conf import settings


def site_settings(request) -> dict:
    """The site's name and editorial settings, for every template."""
    return {"health_site": settings.HEALTH_SITE}

from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project itself: its system checks and session signal."""

    name = "siteconf"
    verbose_name = "Site configuration"

    def ready(self):
        from siteconf import checks, sessions  # noqa: F401 (they register)

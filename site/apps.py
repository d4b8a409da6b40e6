from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project itself: its system checks and session signal."""

    name = "siteconf"
    verbose_name = "Site configuration"

    def ready(self):
        from siteconf import checks, sessions  # noqa: F401 (they register)

        keep_devices_out_of_the_admin()


def keep_devices_out_of_the_admin() -> None:
    """Second-factor devices are seen and removed by their owner ("Sign-in
    security", siteconf/mfa) and reset by a superuser. The packages' own
    admins would show any superuser every authenticator secret. Runs after
    the admin's autodiscovery (django.contrib.admin comes first in
    INSTALLED_APPS)."""
    from django.contrib import admin
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp_webauthn.models import (
        WebAuthnAttestation,
        WebAuthnCredential,
        WebAuthnUserHandle,
    )

    for model in (
        TOTPDevice,
        WebAuthnCredential,
        WebAuthnAttestation,
        WebAuthnUserHandle,
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)

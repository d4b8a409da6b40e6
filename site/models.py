"""The project's own rows: the background worker's heartbeat, and staff
members' recovery codes."""

from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, TimestampMixin

from siteconf.mfa import recovery


class Heartbeat(models.Model):
    """When a background worker last ran the heartbeat task (one row per
    name), so `/healthz/status` can tell a stopped worker even after the
    cache was emptied."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    beat_at = models.DateTimeField(_("last beat"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class RecoveryCodeDevice(TimestampMixin, Device):
    """A user's one-time recovery codes, as one django-otp device. Only their
    digests are stored (siteconf.mfa.recovery); each works once."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @classmethod
    def regenerate(cls, user) -> list[str]:
        """Ten new codes for `user`, voiding any older ones; the plain codes
        are returned to be shown once and are never stored."""
        codes = [recovery.new_code() for _ in range(recovery.COUNT)]
        with transaction.atomic():
            device, _created = cls.objects.get_or_create(
                user=user, defaults={"name": gettext("Recovery codes")}
            )
            device.codes.all().delete()
            RecoveryCode.objects.bulk_create(
                RecoveryCode(device=device, digest=recovery.digest(code))
                for code in codes
            )
        return codes

    def verify_token(self, token) -> bool:
        """Use up the code `token` names. The row is locked and deleted in one
        transaction, so two requests with one code cannot both pass."""
        if not isinstance(token, str) or not recovery.looks_like_code(token):
            return False
        with transaction.atomic():
            code = (
                self.codes.select_for_update()
                .filter(digest=recovery.digest(token))
                .first()
            )
            if code is None:
                return False
            deleted, _rows = RecoveryCode.objects.filter(pk=code.pk).delete()
            if not deleted:
                return False
            self.set_last_used_timestamp(commit=True)
        return True

    def unused(self) -> int:
        return self.codes.count()


class RecoveryCode(models.Model):
    """One unused recovery code, as its SHA-256 digest."""

    device = models.ForeignKey(
        RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes"
    )
    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "digest"], name="recovery_code_once_per_device"
            )
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.device.user}"

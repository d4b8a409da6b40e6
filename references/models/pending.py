"""Reference files uploaded for import, kept between preview and confirmation."""

import datetime

from django.conf import settings
from django.core import signing
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingImportError(Exception):
    """A confirmation that cannot go ahead, with a message a person can act on."""


class PendingImportQuerySet(models.QuerySet):
    def expired(self) -> "PendingImportQuerySet":
        """Uploads older than a day: they can no longer be confirmed."""
        return self.filter(created_at__lt=timezone.now() - PendingImport.LIFETIME)


class PendingImport(models.Model):
    """An uploaded import kept between its preview and its confirmation.

    The confirm form carries only a signed token naming this row, so a large
    file never travels back through the browser.
    """

    LIFETIME = datetime.timedelta(days=1)
    TOKEN_SALT = "references.PendingImport.token"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    format = models.CharField(_("format"), max_length=20, blank=True)
    text = models.TextField(_("records"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"Import by {self.created_by} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def token(self) -> str:
        """A signed, timestamped token naming this upload, for the confirm form."""
        return signing.dumps(self.pk, salt=self.TOKEN_SALT)

    @classmethod
    def for_token(cls, token: str, user: models.Model) -> "PendingImport":
        """The upload a confirm form names; only its uploader, within a day."""
        try:
            pk = signing.loads(
                token, salt=cls.TOKEN_SALT, max_age=cls.LIFETIME.total_seconds()
            )
        except signing.SignatureExpired:
            raise PendingImportError(
                _("This preview is more than a day old; upload the file again.")
            ) from None
        except signing.BadSignature:
            raise PendingImportError(
                _("This confirmation is not valid; upload the file again.")
            ) from None
        pending = cls.objects.filter(pk=pk).first()
        if pending is None:
            raise PendingImportError(
                _(
                    "This import was already confirmed, or has expired; check the "
                    "reference list, or upload the file again."
                )
            )
        if pending.created_by_id != user.pk:
            raise PendingImportError(
                _("Only the person who uploaded this import can confirm it.")
            )
        if pending.created_at < timezone.now() - cls.LIFETIME:
            pending.delete()
            raise PendingImportError(
                _("This preview is more than a day old; upload the file again.")
            )
        return pending

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
        """Previews that can no longer be confirmed, and background imports
        that finished, more than a day ago. Queued or running ones stay."""
        cutoff = timezone.now() - PendingImport.LIFETIME
        return self.filter(
            models.Q(status=PendingImport.Status.PREVIEWED, created_at__lt=cutoff)
            | models.Q(
                status__in=[PendingImport.Status.DONE, PendingImport.Status.FAILED],
                finished_at__lt=cutoff,
            )
        )


class PendingImport(models.Model):
    """An uploaded import kept between its preview and its confirmation, and,
    for a large one, while a background task imports it.

    The confirm form carries only a signed token naming this row, so a large
    file never travels back through the browser.
    """

    LIFETIME = datetime.timedelta(days=1)
    TOKEN_SALT = "references.PendingImport.token"

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("previewed, awaiting confirmation")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    format = models.CharField(_("format"), max_length=20, blank=True)
    text = models.TextField(_("records"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PREVIEWED
    )
    total = models.PositiveIntegerField(_("records"), default=0)
    processed = models.PositiveIntegerField(_("records checked"), default=0)
    message = models.TextField(_("message"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"Import by {self.created_by} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    def claim(self) -> bool:
        """Move a preview to queued, once: False if it was already confirmed."""
        claimed = PendingImport.objects.filter(
            pk=self.pk, status=self.Status.PREVIEWED
        ).update(status=self.Status.QUEUED)
        if claimed:
            self.status = self.Status.QUEUED
        return bool(claimed)

    def record(self, **fields) -> None:
        """Write progress or an outcome at once, for the status page to read."""
        for name, value in fields.items():
            setattr(self, name, value)
        PendingImport.objects.filter(pk=self.pk).update(**fields)

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

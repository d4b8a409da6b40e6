"""The project's own rows: the background worker's heartbeat."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

"""Topics and contributors: who writes and reviews, and about what."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.images import SanitizedImageField
from articles.text import normalize_single_line

DEFAULT_REVIEW_INTERVAL_MONTHS = 36


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        default=DEFAULT_REVIEW_INTERVAL_MONTHS,
        help_text=_("How often articles in this topic need a full clinical review."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        normalize_single_line(self, ["name"])
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:topic", args=[self.slug])


class Contributor(models.Model):
    """The public profile of a writer or reviewer; bylines link to it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributor",
    )
    display_name = models.CharField(_("display name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    credentials = models.CharField(
        _("credentials"),
        max_length=150,
        blank=True,
        help_text=_('Post-nominals as readers should see them, e.g. "MD, FACOG".'),
    )
    specialty = models.CharField(_("specialty"), max_length=150, blank=True)
    registration = models.CharField(
        _("professional registration"),
        max_length=200,
        blank=True,
        help_text=_("e.g. GMC 1234567 or NPI 1234567890."),
    )
    bio = models.TextField(
        _("biography"), blank=True, validators=[MaxLengthValidator(5000)]
    )
    photo = SanitizedImageField(_("photo"), upload_to="contributors/", blank=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")

    def __str__(self) -> str:
        return self.byline

    def save(self, *args, **kwargs) -> None:
        normalize_single_line(
            self, ["display_name", "credentials", "specialty", "registration"]
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:contributor", args=[self.slug])

    def as_byline(self) -> dict:
        """The byline as a revision freezes it: what readers see of an author."""
        return {
            "id": self.pk,
            "name": self.display_name,
            "credentials": self.credentials,
            "slug": self.slug,
        }

    @property
    def byline(self) -> str:
        if self.credentials:
            return f"{self.display_name}, {self.credentials}"
        return self.display_name

    @property
    def is_credentialed(self) -> bool:
        return bool(self.credentials.strip())

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from articles import db_rules


def install_database_rules(using, **kwargs) -> None:
    db_rules.install(connections[using])


def prepare_unprepared_pages(using, **kwargs) -> None:
    """Prepare live articles published before prepared pages existed (upgrades)."""
    from articles.delivery.prepared import prepare_unprepared_pages as prepare

    prepare(using)


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Editorial")

    def ready(self) -> None:
        post_migrate.connect(
            install_database_rules,
            sender=self,
            dispatch_uid="articles.install_database_rules",
        )
        post_migrate.connect(
            prepare_unprepared_pages,
            sender=self,
            dispatch_uid="articles.prepare_unprepared_pages",
        )
        # Connect the receivers (reference changes, retraction notices,
        # evidence findings) and the policy's check, once the models are loaded.
        from articles import (  # noqa: F401
            evidence_alerts,
            evidence_policy,
            retraction_checks,
            signals,
        )

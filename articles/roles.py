"""The editorial roles: Writers, Medical reviewers and Editors.

The data migration creates them; `ensure_groups()` restores them (for demo
content and tests that start from an empty database).
"""

from django.contrib.auth.management import create_permissions

GROUPS = {
    "Writers": [
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.view_topic",
        "articles.view_contributor",
        "articles.view_revision",
        "articles.view_review",
        # Reports about the articles they author (ReaderReport.visible_to).
        "articles.view_readerreport",
        "references.add_reference",
        "references.change_reference",
        "references.view_reference",
    ],
    "Medical reviewers": [
        "articles.view_article",
        "articles.review_article",
        "articles.view_topic",
        "articles.view_contributor",
        "articles.view_revision",
        "articles.view_review",
        "articles.view_auditentry",
        "articles.view_readerreport",
        "articles.change_readerreport",
        "articles.view_pagevotes",
        "references.view_reference",
        "references.change_reference",
    ],
    "Editors": [
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.publish_article",
        "articles.add_topic",
        "articles.change_topic",
        "articles.view_topic",
        "articles.add_contributor",
        "articles.change_contributor",
        "articles.view_contributor",
        "articles.view_revision",
        "articles.view_review",
        "articles.view_auditentry",
        "articles.view_readerreport",
        "articles.change_readerreport",
        "articles.view_pagevotes",
        "references.add_reference",
        "references.change_reference",
        "references.view_reference",
        # The NLM journal abbreviations imports and lookups fill in.
        "references.add_journalabbreviation",
        "references.change_journalabbreviation",
        "references.view_journalabbreviation",
        # Background tasks that failed or wait for a retry (emails, indexing,
        # imports): editors see what ran and how in the admin and can tell
        # someone; only superusers see arguments and tracebacks (site/admin.py).
        "django_tasks_database.view_dbtaskresult",
        # Search: the synonyms readers' words expand to, and the dashboard's
        # "What readers did not find" (docs/search.md).
        "articles.add_synonym",
        "articles.change_synonym",
        "articles.delete_synonym",
        "articles.view_synonym",
        "articles.view_dailyquery",
    ],
}


def ensure_groups(apps) -> None:
    """Create the groups and give them exactly their permissions."""
    # Permissions are normally created after migrate; make sure they exist.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            # An earlier migration runs this before later ones create the
            # models some permissions are for; the migration that creates
            # them calls it again.
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


def sees_every_article(user) -> bool:
    """Reviewers and editors see every article; writers only their own."""
    return user.has_perm("articles.review_article") or user.has_perm(
        "articles.publish_article"
    )

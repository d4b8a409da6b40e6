"""Create the Writers, Medical reviewers and Editors groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Writers": [
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.view_topic",
        "articles.view_contributor",
        "articles.view_revision",
        "articles.view_review",
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
        "references.add_reference",
        "references.change_reference",
        "references.view_reference",
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so the
    # groups can be given them in the same run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("references", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

"""Clear the values the new check constraints (0003) refuse, so they can be added.

Nothing valid is touched. A year outside 1400-9999, a month outside 1-12, a day
outside 1-31, a month without a year or a day without a month cannot be printed
as a date anyway, and a URL that is not http(s) must never become a link; these
values are cleared. Editors see the blank field and can fill it in properly.
"""

from django.db import migrations
from django.db.models import Q

YEAR_MIN, DB_YEAR_MAX = 1400, 9999


def repair(apps, schema_editor):
    Reference = apps.get_model("references", "Reference")
    rows = Reference.objects.using(schema_editor.connection.alias)
    rows.filter(Q(year__lt=YEAR_MIN) | Q(year__gt=DB_YEAR_MAX)).update(
        year=None, month=None, day=None
    )
    rows.filter(Q(month__lt=1) | Q(month__gt=12) | Q(year__isnull=True)).update(
        month=None, day=None
    )
    rows.filter(Q(day__lt=1) | Q(day__gt=31) | Q(month__isnull=True)).update(day=None)
    rows.exclude(
        Q(url="") | Q(url__istartswith="http://") | Q(url__istartswith="https://")
    ).update(url="")


class Migration(migrations.Migration):
    dependencies = [("references", "0001_initial")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]

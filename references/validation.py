"""The rules a reference's fields must meet, beyond Django's field checks.

Pure functions over plain values: `Reference.clean()`, `save()` and the
importers all apply them through `Reference.rule_errors()`.
"""

import calendar
import datetime
import json
import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The earliest year a cited source can have; the latest is next year (journals
# publish issues dated ahead). The database backs a looser, fixed upper bound.
YEAR_MIN = 1400
DB_YEAR_MAX = 9999
NAME_KEYS = {"family", "given", "literal", "suffix"}
# PostgreSQL cannot store NUL in text or JSON, nor can UTF-8 hold a lone surrogate.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_message(value: str) -> str:
    if "\x00" in value:
        return _("Remove the NUL character (\\x00); it cannot be stored.")
    return _(
        "Remove the invalid character (an unpaired surrogate); it cannot be stored."
    )


def names_error(value: object, label: str) -> str | None:
    """Why a list of names is malformed, or None: [{"family": …, "given": …}, …]."""
    if not isinstance(value, list):
        return _(
            'Enter a list of names, like [{"family": "Najmabadi", "given": '
            '"Shahpar"}] or [{"literal": "World Health Organization"}].'
        )
    for number, name in enumerate(value, 1):
        where = {"label": label, "n": number}
        if not isinstance(name, dict):
            return _(
                "%(label)s %(n)s must be an object with a family or literal name, "
                "not %(value)s."
            ) % {**where, "value": json.dumps(name, default=repr)[:60]}
        unknown = sorted(set(name) - NAME_KEYS)
        if unknown:
            return _(
                "%(label)s %(n)s has unknown key(s) %(keys)s; use family, given, "
                "suffix or literal."
            ) % {**where, "keys": ", ".join(f"“{key[:30]}”" for key in unknown)}
        for key, part in name.items():
            if not isinstance(part, str):
                return _("%(label)s %(n)s: “%(key)s” must be text.") % {
                    **where,
                    "key": key,
                }
            if UNSTORABLE.search(part):
                return _("%(label)s %(n)s: %(problem)s") % {
                    **where,
                    "problem": unstorable_message(part),
                }
        if not (name.get("family", "").strip() or name.get("literal", "").strip()):
            return (
                _("%(label)s %(n)s needs a family name, or a literal name for a group.")
                % where
            )
    return None


def date_errors(year, month, day, accessed) -> dict[str, str]:
    """What is wrong with a publication date and an accessed date, by field."""
    errors = {}
    given_year, given_month = year, month
    year, month, day = (
        value if isinstance(value, int) and not isinstance(value, bool) else None
        for value in (year, month, day)
    )
    # The UTC date is close enough for limits with a year's and a day's slack,
    # and much cheaper than the local date for 10,000 imported records.
    today = timezone.now().date()
    latest = today.year + 1
    if year is not None and not YEAR_MIN <= year <= latest:
        errors["year"] = _("The year must be between %(min)s and %(max)s.") % {
            "min": YEAR_MIN,
            "max": latest,
        }
    if month is not None:
        if not 1 <= month <= 12:
            errors["month"] = _("The month must be between 1 and 12.")
        elif given_year is None:
            errors["month"] = _("A month needs a year.")
    if day is not None:
        if given_month is None:
            errors["day"] = _("A day needs a month.")
        elif not 1 <= day <= 31:
            errors["day"] = _("The day must be between 1 and 31.")
        elif year is not None and month is not None and not errors:
            last = calendar.monthrange(year, month)[1]
            if day > last:
                errors["day"] = _("%(month)s %(year)s has only %(last)s days.") % {
                    "month": calendar.month_name[month],
                    "year": year,
                    "last": last,
                }
    # A day of slack: "today" in the reader's time zone may be tomorrow here.
    tomorrow = today + datetime.timedelta(days=1)
    if isinstance(accessed, datetime.date) and accessed > tomorrow:
        errors["accessed"] = _("The accessed date cannot be in the future.")
    return errors

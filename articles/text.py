"""Clean text that must stay on one line: titles, names, credentials.

A line break in a title ends up in email subjects (where Django refuses it as
header injection), in `<title>` and in JSON-LD. U+2028 and U+2029 are line
breaks to browsers and JavaScript too, and other control characters have no
business in a name.
"""

import re

from django.db import models

# Every Unicode line or paragraph break, tab, and the other C0/C1 controls.
BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(value: str) -> str:
    """`value` with line breaks and control characters turned into single spaces."""
    return " ".join(BREAKS.sub(" ", value or "").split())


def normalize_single_line(instance: models.Model, fields) -> None:
    """Make the named text fields of `instance` single-line, in place."""
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, str):
            setattr(instance, name, single_line(value))

"""The editorial desk: the Django admin for articles and its extra pages.

Importing the package registers every ModelAdmin (Django's autodiscover
imports `articles.admin`).
"""

from articles.admin import (  # noqa: F401
    article,
    notifications,
    people,
    reader_reports,
    records,
    synonyms,
)

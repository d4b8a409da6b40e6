"""The editorial desk: the Django admin for articles and its extra pages.

Importing the package registers every ModelAdmin (Django's autodiscover
imports `articles.admin`).
"""

from articles.admin import article, notifications, people, records  # noqa: F401

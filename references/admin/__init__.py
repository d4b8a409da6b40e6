"""The reference library in the admin: references and their import.

Importing the package registers the ModelAdmins.
"""

from references.admin import evidence, journal, reference  # noqa: F401

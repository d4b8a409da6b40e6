"""How the desk names a person in messages, the history and emails: the name
on their contributor profile, else their full name, and their username only
when there is nothing else."""

from django.utils.translation import gettext as _


def person_name(user) -> str:
    """The name people know `user` by; "the system" for no one."""
    if user is None:
        return _("the system")
    contributor = getattr(user, "contributor", None)
    if contributor is not None and contributor.display_name:
        return contributor.display_name
    return user.get_full_name() or user.get_username()

"""End a user's sessions, wherever they are signed in.

Sessions are stored in the database (SESSION_ENGINE) and only staff have
them, so the table is small: each live session is decoded to find the
user's. A password change ends the others already (Django's session auth
hash); a superuser's reset of the second factors needs this.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone


def end_sessions(user, keep: str | None = None) -> int:
    """Delete every live session of `user` but `keep` (a session key).
    Returns how many were ended."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        .exclude(pk=keep or "")
        .iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)

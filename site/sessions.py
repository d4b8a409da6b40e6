"""Staff sessions end after a working day without activity (sliding expiry).

Django counts SESSION_COOKIE_AGE from the session's last save, and the admin
rarely changes its session, so a session would expire mid-task however busy
its user. Saving on every request (SESSION_SAVE_EVERY_REQUEST) would write
the session row on every staff request; this saves it at most once every
SESSION_REFRESH_SECONDS, which moves the expiry by the same few minutes.
"""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

REFRESHED_AT = "_refreshed_at"


@receiver(user_logged_in, dispatch_uid="siteconf.sessions.logged_in")
def _start_clock(sender, request, user, **kwargs):
    # Logging in saves the session anyway; the first request need not.
    if request is not None and hasattr(request, "session"):
        request.session[REFRESHED_AT] = int(time.time())


class SlidingExpiryMiddleware:
    """Push a session's expiry forward when its user is active."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        # session_key is read without loading the session, so readers, who
        # have none, cost nothing. Only sessions started by a log-in carry
        # the clock: a stale or made-up cookie never creates a session row.
        if session.session_key:
            refreshed_at = session.get(REFRESHED_AT)
            now = int(time.time())
            if (
                refreshed_at is not None
                and now - refreshed_at >= settings.SESSION_REFRESH_SECONDS
            ):
                session[REFRESHED_AT] = now
        return self.get_response(request)

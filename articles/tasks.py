"""Background work, on Django's Tasks framework (django-tasks-db in production).

Tasks are enqueued after the transaction that caused them commits, so a
worker never acts on a change that was rolled back, and a failure in a task
can never turn a committed transition into an error page. Every task retries
the same way (`siteconf.background.retrying`); the search index, image variants
and retraction re-checks have theirs beside the code they run.
"""

from django.conf import settings
from django.core.mail import send_mail

from articles.text import single_line
from siteconf.background import retrying


@retrying()
def send_notification(
    subject: str, body: str, recipients: list[str], attempt: int = 1
) -> int:
    """Send one notification email; on failure, log it and try again later."""
    return send_mail(
        single_line(subject)[:250],
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        fail_silently=False,
    )

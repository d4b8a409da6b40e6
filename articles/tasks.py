"""Background work, on Django's Tasks framework (django-tasks-db in production).

Tasks are enqueued after the transaction that caused them commits, so a
worker never acts on a change that was rolled back, and a failure in a task
can never turn a committed transition into an error page.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone

from articles.text import single_line

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY_SECONDS = 60


def retry_delay(attempt: int) -> datetime.timedelta:
    """1, 4, 16, 64 and 256 minutes after the 1st…5th failed attempt."""
    return datetime.timedelta(seconds=FIRST_RETRY_SECONDS * 4 ** (attempt - 1))


@task
def send_notification(
    subject: str, body: str, recipients: list[str], attempt: int = 1
) -> int:
    """Send one notification email; on failure, log it and try again later."""
    try:
        return send_mail(
            single_line(subject)[:250],
            body,
            settings.DEFAULT_FROM_EMAIL,
            recipients,
            fail_silently=False,
        )
    except Exception:
        retry = send_notification
        if attempt >= MAX_ATTEMPTS or not retry.get_backend().supports_defer:
            logger.exception(
                "Notification %r to %s failed after %s attempt(s); giving up.",
                subject,
                recipients,
                attempt,
            )
            raise
        delay = retry_delay(attempt)
        logger.warning(
            "Notification %r to %s failed (attempt %s); retrying in %s.",
            subject,
            recipients,
            attempt,
            delay,
            exc_info=True,
        )
        retry.using(run_after=timezone.now() + delay).enqueue(
            subject, body, recipients, attempt + 1
        )
        return 0

"""Background work, on Django's Tasks framework (django-tasks-db in production).

Tasks are enqueued after the transaction that caused them commits, so a
worker never acts on a change that was rolled back, and a failure in a task
can never turn a committed transition into an error page. Every task retries
the same way (`siteconf.background.retrying`); the search index, image variants
and retraction re-checks have theirs beside the code they run.

A task's arguments, result and traceback are kept in the task results, so
they hold ids and counts only: the notification email is written when it
runs, and its errors name no address.
"""

from django.conf import settings
from django.core.mail import EmailMessage, mailers

from articles import letters
from articles.text import single_line
from siteconf.background import retrying


class NotificationNotSent(Exception):
    """The mail server did not take a notification email. The message names
    the kind, how many recipients and the error's class: an SMTP error's own
    message can list the addresses it refused."""


@retrying()
def send_notification(
    kind: str, recipient_ids: list[int], about: dict, attempt: int = 1
) -> dict[str, int]:
    """Email the notification `about` names (ids: see `letters.letter`) to
    those of `recipient_ids` who still want `kind` by email; on failure, log
    it and try again later.

    The addresses and the letter are read now. Nothing is sent, and the task
    succeeds, when what it is about was deleted or nobody wants it any more.
    """
    addresses = letters.email_addresses(kind, recipient_ids)
    letter = letters.letter(kind, about) if addresses else None
    if letter is None:
        return {"sent": 0}
    subject = single_line(letter.subject)[:250]
    # One message each: nobody learns who else was told.
    messages = [
        EmailMessage(subject, letter.body, settings.DEFAULT_FROM_EMAIL, [address])
        for address in addresses
    ]
    try:
        mailers.default.send_messages(messages)
    except Exception as error:
        code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
        raise NotificationNotSent(
            f"The {kind} email to {len(addresses)} recipient(s) was not sent: "
            f"{type(error).__name__}" + (f" ({code})" if code else "")
        ) from None
    return {"sent": len(addresses)}

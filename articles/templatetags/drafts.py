"""Whose drafts the article form's autosave keeps
(static/editorial/editor/drafts.js)."""

from django import template
from django.utils.crypto import salted_hmac

register = template.Library()


@register.simple_tag(takes_context=True)
def draft_owner(context) -> str:
    """A value for the signed-in user's drafts in this browser's storage:
    the same for them every time, and neither their id nor anything else
    about them to a script that reads the storage."""
    user = context["request"].user
    owner = salted_hmac("articles.drafts.owner", str(user.pk), algorithm="sha256")
    return owner.hexdigest()[:20]

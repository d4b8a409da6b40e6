"""What the change form offers in each state: the workflow menu, and the
confirmation that editing an article in review asks for.

The admin offers only what is valid now; the transitions still check
everything again on the server (articles/workflow/).
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Article

Status = Article.Status
SUBMITTABLE = {Status.DRAFT, Status.CHANGES_REQUESTED, Status.WITHDRAWN}
CONFIRM_FIELD = "confirm_edit_in_review"
IN_REVIEW_REFUSAL = _(
    "This article is in review. Saving it returns it to draft and withdraws the "
    "review request, and the reviewers are told. Nothing was saved and your text "
    "is kept below: choose “Edit anyway” and save again, or leave the page."
)


@dataclass(frozen=True)
class MenuItem:
    """One button of the menu: the admin action it runs."""

    action: str
    primary: bool = False


WAITING = {
    Status.IN_REVIEW: _("Waiting for a medical reviewer's decision."),
    Status.APPROVED: _("Approved: waiting for an editor to publish it."),
}


def is_author(article: Article, user) -> bool:
    """Whether `user` writes the article (its authors are prefetched)."""
    return any(author.user_id == user.pk for author in article.authors.all())


def workflow_menu(article: Article | None, user) -> list[MenuItem]:
    """The transitions `user` may start on `article` in its current state."""
    if article is None or article.pk is None:
        return []
    items = []
    if (
        article.status in SUBMITTABLE
        and article.current_revision_id is not None
        and user.has_perm("articles.change_article")
        and article.can_edit(user)
    ):
        items.append(MenuItem("submit_for_review", primary=True))
    if (
        article.status == Status.IN_REVIEW
        and user.has_perm("articles.review_article")
        and not is_author(article, user)
    ):
        items += [MenuItem("approve", primary=True), MenuItem("request_changes")]
    if not user.has_perm("articles.publish_article"):
        return items
    if article.status == Status.APPROVED and article.publish_at is None:
        items += [MenuItem("publish", primary=True), MenuItem("schedule_publication")]
    if article.is_live:
        items.append(MenuItem("unpublish"))
        if article.unpublish_at is None:
            items.append(MenuItem("schedule_withdrawal"))
    if article.publish_at is not None or article.unpublish_at is not None:
        items.append(MenuItem("cancel_schedule"))
    return items


def confirming_form(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """`form_class`, refusing to save an article in review unless the user
    chose “Edit anyway” (the form is shown again with their text)."""

    class ConfirmingForm(form_class):
        confirm_edit_in_review = forms.BooleanField(required=False)

        @property
        def changed_data(self):
            # The confirmation is not a change to the article's history.
            return [name for name in super().changed_data if name != CONFIRM_FIELD]

        def clean(self):
            cleaned = super().clean()
            if (
                self.instance.pk is not None
                and self.instance.status == Status.IN_REVIEW
                and not cleaned.get(CONFIRM_FIELD)
            ):
                raise forms.ValidationError(IN_REVIEW_REFUSAL, code="in_review")
            return cleaned

    ConfirmingForm.__name__ = form_class.__name__
    return ConfirmingForm

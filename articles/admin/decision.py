"""The reviewer's decision on the review screen: approve or request changes.

Approving asks for the clinical checklist (every item ticked; the items come
from HEALTH_REVIEW_CHECKLIST) and a declaration of competing interests (none,
or what they are). Requesting changes needs a comment unless comments on the
text are open: the decision lists those either way. The transitions are the
workflow's, which check the state, the permission and separation of duty again.
Either decision needs a fresh second-factor check (articles/admin/sign_off.py):
without one the form comes back as typed, with the "Confirm it's you" panel.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from articles.admin import sign_off
from articles.models import Article, ChangeClass
from articles.workflow import WorkflowError, approve, request_changes
from articles.workflow.review import MAX_INTERESTS, open_comments, review_checklist
from siteconf.admin_input import RefusesNul

APPROVE, REQUEST_CHANGES = "approve", "request_changes"


def can_decide(user, article: Article) -> bool:
    """Offer the decision: a reviewer, on an article in review (the workflow
    refuses an author or a reviewer who edited it, with its reason)."""
    return (
        user.has_perm("articles.review_article")
        and article.status == Article.Status.IN_REVIEW
    )


class DecisionForm(RefusesNul, forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (APPROVE, gettext_lazy("Approve")),
            (REQUEST_CHANGES, gettext_lazy("Request changes")),
        ],
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment to the authors"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10_000,
    )
    full_review = forms.BooleanField(
        label=gettext_lazy("Full clinical review of the whole page"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "Untick if you reviewed only the change; “last reviewed” stays."
        ),
    )
    checklist = forms.MultipleChoiceField(
        label=gettext_lazy("Clinical checklist"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    interests = forms.ChoiceField(
        label=gettext_lazy("Competing interests"),
        widget=forms.RadioSelect,
        required=False,
        choices=[
            ("none", gettext_lazy("I have no competing interests to declare")),
            ("declare", gettext_lazy("I declare these competing interests:")),
        ],
    )
    competing_interests = forms.CharField(
        label=gettext_lazy("Your competing interests"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=MAX_INTERESTS,
        help_text=gettext_lazy(
            "Shown to readers next to your name, e.g. “Speaker fees from a "
            "maker of progesterone, 2025”."
        ),
    )

    change_class = forms.ChoiceField(
        label=gettext_lazy("Kind of change"),
        choices=ChangeClass.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=gettext_lazy(
            "Confirm the writer's kind of change to approve. If it is wrong, "
            "request changes: it is part of the reviewed text."
        ),
    )

    def __init__(self, *args, open_count: int = 0, revision=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_count = open_count
        self.given_class = revision.change_class if revision is not None else ""
        self.fields["checklist"].choices = review_checklist()

    def clean(self):
        data = super().clean()
        if data.get("decision") == APPROVE:
            ticked = set(data.get("checklist") or [])
            unticked = [label for key, label in review_checklist() if key not in ticked]
            if unticked:
                self.add_error(
                    "checklist",
                    _("Tick every item to approve. Not ticked: %(items)s.")
                    % {"items": "; ".join(unticked)},
                )
            self._check_class(data.get("change_class"))
            if not data.get("interests"):
                self.add_error(
                    "interests",
                    _("Declare your competing interests, or that you have none."),
                )
            elif (
                data["interests"] == "declare"
                and not data.get("competing_interests", "").strip()
            ):
                self.add_error(
                    "competing_interests",
                    _("Say what your competing interests are, or choose “none”."),
                )
        elif (
            data.get("decision") == REQUEST_CHANGES
            and not data.get("comment", "").strip()
            and not self.open_count
        ):
            self.add_error(
                "comment",
                _(
                    "Say what needs to change: write a comment, or comment "
                    "on the text first."
                ),
            )
        return data

    def _check_class(self, confirmed: str | None) -> None:
        """The reviewer's kind of change must be the writer's (the workflow
        checks again, and the action form leaves it to the workflow)."""
        if not self.given_class:
            return
        names = dict(ChangeClass.choices)
        if not confirmed:
            self.add_error(
                "change_class",
                _("Confirm the kind of change: the writer says “%(given)s”.")
                % {"given": names[self.given_class]},
            )
        elif confirmed != self.given_class:
            self.add_error(
                "change_class",
                _(
                    "The writer classified this update as “%(given)s”, not "
                    "“%(confirmed)s”. The kind of change is part of the reviewed "
                    "text, so you cannot approve it as another kind: request "
                    "changes and say which kind it should be."
                )
                % {"given": names[self.given_class], "confirmed": names[confirmed]},
            )

    def declaration(self) -> str | None:
        """None when nothing was declared, "" for none, else the interests."""
        choice = self.cleaned_data.get("interests")
        if choice == "none":
            return ""
        if choice == "declare":
            return self.cleaned_data["competing_interests"].strip()
        return None

    def ticked(self) -> dict:
        chosen = set(self.cleaned_data.get("checklist") or [])
        return {key: key in chosen for key, _label in review_checklist()}


def decide(
    request, article: Article
) -> tuple[HttpResponseRedirect | None, DecisionForm]:
    """Handle the decision POST: a redirect when done, else the form with errors."""
    comments = open_comments(article)
    form = DecisionForm(
        request.POST, open_count=len(comments), revision=article.current_revision
    )
    if not can_decide(request.user, article):
        messages.error(
            request,
            _("“%(title)s” is %(status)s: there is no review to decide.")
            % {"title": article.title, "status": article.get_status_display().lower()},
        )
        return HttpResponseRedirect(request.get_full_path()), form
    signed = sign_off.confirmed(request)
    if not form.is_valid():
        return None, form
    if not signed:
        form.step_up_refused = True
        return None, form
    data = form.cleaned_data
    proof = sign_off.proof(request)
    try:
        if data["decision"] == APPROVE:
            review = approve(
                article,
                by=request.user,
                comment=data["comment"],
                full_review=data["full_review"],
                checklist=form.ticked(),
                competing_interests=form.declaration(),
                proof=proof,
                change_class=data.get("change_class") or None,
            )
        else:
            review = request_changes(
                article,
                by=request.user,
                comment=data["comment"],
                checklist=form.ticked(),
                competing_interests=form.declaration(),
                proof=proof,
            )
    except WorkflowError as error:
        form.add_error(None, str(error))
        return None, form
    messages.success(request, _success_message(article, review, len(comments)))
    return HttpResponseRedirect(reverse("admin:articles_article_dashboard")), form


def _success_message(article: Article, review, open_count: int) -> str:
    values = {
        "title": article.title,
        "number": review.revision.number,
        "count": open_count,
    }
    if review.decision == review.Decision.APPROVED:
        message = (
            _(
                "You approved “%(title)s” (revision %(number)s). An editor can now "
                "publish it."
            )
            % values
        )
    else:
        message = (
            _("You sent “%(title)s” (revision %(number)s) back to its authors.")
            % values
        )
    if open_count:
        message += (
            " "
            + ngettext(
                "Your decision lists the %(count)d open comment on the text.",
                "Your decision lists the %(count)d open comments on the text.",
                open_count,
            )
            % values
        )
    return message

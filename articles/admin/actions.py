"""The workflow as admin actions, on the change list and the change form.

Each action is gated by its permission (`has_<name>_permission`), so the
change list offers only what the user may do, and the change form's menu
(`workflow_context`) offers only what is valid in the article's state. The
model's transition checks again and refuses with a WorkflowError the admin
shows as a message. Approve, request changes, withdraw and the schedules ask
for a comment, reason or time on an intermediate page.

Those and publishing are sign-offs: they need a fresh second-factor check
(articles/admin/sign_off.py), asked for on the intermediate page; publishing,
one click otherwise, gets a page of its own when the check is too old.
"""

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from articles.admin import sign_off
from articles.admin.action_forms import (
    ChangesForm,
    ConfirmForm,
    DecisionForm,
    ScheduleForm,
    ScheduleWithdrawalForm,
    WithdrawForm,
)
from articles.admin.states import (
    CONFIRM_FIELD,
    WAITING,
    confirming_form,
    workflow_menu,
)
from articles.models import Article
from articles.names import person_name
from articles.workflow import (
    WorkflowError,
    approve,
    cancel_schedule,
    schedule_unpublish,
    unpublish,
)

BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]

# What each action reports, with real plurals ("1 article", "3 articles").
DONE = {
    "submit_for_review": ngettext_lazy(
        "%(count)d article submitted for review; the medical reviewers are told.",
        "%(count)d articles submitted for review; the medical reviewers are told.",
        "count",
    ),
    "approve": ngettext_lazy(
        "%(count)d article approved; its authors are told.",
        "%(count)d articles approved; their authors are told.",
        "count",
    ),
    "request_changes": ngettext_lazy(
        "%(count)d article sent back to its authors.",
        "%(count)d articles sent back to their authors.",
        "count",
    ),
    "publish": ngettext_lazy(
        "%(count)d article published.", "%(count)d articles published.", "count"
    ),
    "unpublish": ngettext_lazy(
        "%(count)d article withdrawn.", "%(count)d articles withdrawn.", "count"
    ),
    "schedule_publication": ngettext_lazy(
        "%(count)d article scheduled to go live.",
        "%(count)d articles scheduled to go live.",
        "count",
    ),
    "schedule_withdrawal": ngettext_lazy(
        "%(count)d article scheduled for withdrawal.",
        "%(count)d articles scheduled for withdrawal.",
        "count",
    ),
    "cancel_schedule": ngettext_lazy(
        "%(count)d schedule cancelled.", "%(count)d schedules cancelled.", "count"
    ),
}


class WorkflowActions:
    """Mixed into ArticleAdmin: the transitions as actions."""

    actions = [
        "submit_for_review",
        "approve",
        "request_changes",
        "publish",
        "schedule_publication",
        "unpublish",
        "schedule_withdrawal",
        "cancel_schedule",
    ]

    def has_submit_permission(self, request):
        return request.user.has_perm("articles.change_article")

    def has_review_permission(self, request):
        return request.user.has_perm("articles.review_article")

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    # The change form ------------------------------------------------------

    def workflow_context(self, request, obj) -> dict:
        """The change form's workflow menu, and whether editing must be confirmed."""
        if obj is None or obj.pk is None:
            return {}
        menu = [
            {
                "name": item.action,
                "label": getattr(type(self), item.action).short_description,
                "primary": item.primary,
            }
            for item in workflow_menu(obj, request.user)
        ]
        return {
            "workflow_menu": menu,
            "workflow_waiting": WAITING.get(
                obj.status, _("Nothing for you to do now.")
            ),
            "review_lock": obj.status == Article.Status.IN_REVIEW
            and self.has_change_permission(request, obj),
            "review_lock_confirmed": bool(request.POST.get(CONFIRM_FIELD)),
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The article form, which refuses an unconfirmed save while in review."""
        form = super().get_form(request, obj, change=change, **kwargs)
        return confirming_form(form) if obj is not None else form

    # Running actions --------------------------------------------------------

    def _run(self, request, queryset, name, transition) -> None:
        done = 0
        for article in queryset:
            try:
                transition(article)
            except WorkflowError as error:
                self.message_user(
                    request,
                    _("“%(title)s”: %(error)s")
                    % {"title": article.title, "error": error},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, DONE[name] % {"count": done}, messages.SUCCESS)

    def _ask(self, request, queryset, form_class, title, button, **form_kwargs):
        """Show an intermediate form, or return its cleaned data once confirmed
        and signed off with a fresh second-factor check (asked for inline)."""
        refused = False
        if "confirm" in request.POST:
            form = form_class(request.POST, **form_kwargs)
            signed = sign_off.confirmed(request)
            if form.is_valid() and signed:
                return form.cleaned_data
            refused = not signed
        else:
            form = form_class(**form_kwargs)
        on_change_form = f"{ActionLocation.CHANGE_FORM.value}-action" in request.POST
        action_field = (
            f"{ActionLocation.CHANGE_FORM.value}-action" if on_change_form else "action"
        )
        articles = list(queryset.prefetch_related("authors"))
        return TemplateResponse(
            request,
            "admin/articles/article/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "button": button,
                "form": form,
                "articles": [
                    (article, ", ".join(a.display_name for a in article.authors.all()))
                    for article in articles
                ],
                "opts": self.model._meta,
                "original": articles[0] if on_change_form and articles else None,
                "action_field": action_field,
                "action_name": request.POST.get(action_field, ""),
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "checkbox_name": ACTION_CHECKBOX_NAME,
                "post_url": request.get_full_path(),
                "actor": person_name(request.user),
                **sign_off.panel(request, refused),
            },
        )

    @admin.action(
        description=_("Submit for medical review"),
        permissions=["submit"],
        location=BOTH,
    )
    def submit_for_review(self, request, queryset):
        self._run(
            request,
            queryset,
            "submit_for_review",
            lambda article: article.submit_for_review(by=request.user),
        )

    @admin.action(
        description=_("Approve (medical review)"),
        permissions=["review"],
        location=BOTH,
    )
    def approve(self, request, queryset):
        answer = self._ask(
            request, queryset, DecisionForm, _("Approve for publication"), _("Approve")
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            "approve",
            lambda article: approve(
                article,
                by=request.user,
                comment=answer["comment"],
                full_review=answer["full_review"],
                checklist=answer["ticked"],
                competing_interests=answer["declaration"],
                proof=sign_off.proof(request),
                change_class=answer["change_class"],
            ),
        )

    @admin.action(
        description=_("Request changes (medical review)"),
        permissions=["review"],
        location=BOTH,
    )
    def request_changes(self, request, queryset):
        answer = self._ask(
            request,
            queryset,
            ChangesForm,
            _("Send back to the authors"),
            _("Request changes"),
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            "request_changes",
            lambda article: article.request_changes(
                by=request.user,
                comment=answer["comment"],
                proof=sign_off.proof(request),
            ),
        )

    @admin.action(
        description=_("Publish the approved revision"),
        permissions=["publish"],
        location=BOTH,
    )
    def publish(self, request, queryset):
        # One click while the check is fresh; else a page that asks for one.
        if "confirm" in request.POST or not sign_off.fresh(request):
            answer = self._ask(
                request,
                queryset,
                ConfirmForm,
                _("Publish the approved revision"),
                _("Publish"),
            )
            if not isinstance(answer, dict):
                return answer
        self._run(
            request,
            queryset,
            "publish",
            lambda article: article.publish(
                by=request.user, proof=sign_off.proof(request)
            ),
        )

    @admin.action(
        description=_("Withdraw from the site"),
        permissions=["publish"],
        location=BOTH,
    )
    def unpublish(self, request, queryset):
        answer = self._ask(
            request,
            queryset,
            WithdrawForm,
            _("Withdraw from the site"),
            _("Withdraw"),
            withdrawing=[article.pk for article in queryset],
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            "unpublish",
            lambda article: unpublish(
                article,
                by=request.user,
                reason=answer["reason"],
                replaced_by=answer["replaced_by"],
                proof=sign_off.proof(request),
            ),
        )

    @admin.action(
        description=_("Schedule publication of the approved revision"),
        permissions=["publish"],
        location=BOTH,
    )
    def schedule_publication(self, request, queryset):
        answer = self._ask(
            request, queryset, ScheduleForm, _("Schedule publication"), _("Schedule")
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            "schedule_publication",
            lambda article: article.publish(
                by=request.user, at=answer["at"], proof=sign_off.proof(request)
            ),
        )

    @admin.action(
        description=_("Schedule withdrawal"),
        permissions=["publish"],
        location=BOTH,
    )
    def schedule_withdrawal(self, request, queryset):
        answer = self._ask(
            request,
            queryset,
            ScheduleWithdrawalForm,
            _("Schedule withdrawal"),
            _("Schedule"),
            withdrawing=[article.pk for article in queryset],
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            "schedule_withdrawal",
            lambda article: schedule_unpublish(
                article,
                by=request.user,
                at=answer["at"],
                reason=answer["reason"],
                replaced_by=answer["replaced_by"],
                proof=sign_off.proof(request),
            ),
        )

    @admin.action(
        description=_("Cancel the schedule"),
        permissions=["publish"],
        location=BOTH,
    )
    def cancel_schedule(self, request, queryset):
        self._run(
            request,
            queryset,
            "cancel_schedule",
            lambda article: cancel_schedule(article, by=request.user),
        )

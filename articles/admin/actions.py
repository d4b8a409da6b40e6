"""The workflow as admin actions, on the change list and the change form.

Each action is gated by its permission (`has_<name>_permission`) and calls
the model's transition, which checks again and refuses with a WorkflowError
the admin shows as a message. Approve, request changes, withdraw and the
schedules ask for a comment, reason or time on an intermediate page.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.workflow import WorkflowError, cancel_schedule, schedule_unpublish

BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the authors"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        required=False,
        max_length=10_000,
    )
    full_review = forms.BooleanField(
        label=_("Full clinical review of the whole page"),
        required=False,
        initial=True,
        help_text=_("Untick if you reviewed only the change; “last reviewed” stays."),
    )


class ChangesForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs to change"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        max_length=10_000,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to readers"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
    )


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["at"].help_text = _("In %(zone)s time.") % {"zone": zone}

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return at


class ScheduleWithdrawalForm(ScheduleForm):
    reason = forms.CharField(
        label=_("Reason, shown to readers"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
    )


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

    def _run(self, request, queryset, verb, transition) -> None:
        done = 0
        for article in queryset:
            try:
                transition(article)
            except WorkflowError as error:
                self.message_user(
                    request,
                    _("“%(title)s” was not %(verb)s: %(error)s")
                    % {"title": article.title, "verb": verb, "error": error},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("%(count)s article(s) %(verb)s.") % {"count": done, "verb": verb},
                messages.SUCCESS,
            )

    def _ask(self, request, queryset, form_class, title, button):
        """Show an intermediate form, or return its cleaned data once confirmed."""
        if "confirm" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                return form.cleaned_data
        else:
            form = form_class()
        on_change_form = f"{ActionLocation.CHANGE_FORM.value}-action" in request.POST
        action_field = (
            f"{ActionLocation.CHANGE_FORM.value}-action" if on_change_form else "action"
        )
        return TemplateResponse(
            request,
            "admin/articles/article/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "button": button,
                "form": form,
                "articles": queryset,
                "opts": self.model._meta,
                "action_field": action_field,
                "action_name": request.POST.get(action_field, ""),
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "checkbox_name": ACTION_CHECKBOX_NAME,
                "post_url": request.get_full_path(),
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
            _("submitted"),
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
            _("approved"),
            lambda article: article.approve(
                by=request.user,
                comment=answer["comment"],
                full_review=answer["full_review"],
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
            _("sent back"),
            lambda article: article.request_changes(
                by=request.user, comment=answer["comment"]
            ),
        )

    @admin.action(
        description=_("Publish the approved revision"),
        permissions=["publish"],
        location=BOTH,
    )
    def publish(self, request, queryset):
        self._run(
            request,
            queryset,
            _("published"),
            lambda article: article.publish(by=request.user),
        )

    @admin.action(
        description=_("Withdraw from the site"),
        permissions=["publish"],
        location=BOTH,
    )
    def unpublish(self, request, queryset):
        answer = self._ask(
            request, queryset, WithdrawForm, _("Withdraw from the site"), _("Withdraw")
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            _("withdrawn"),
            lambda article: article.unpublish(by=request.user, reason=answer["reason"]),
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
            _("scheduled"),
            lambda article: article.publish(by=request.user, at=answer["at"]),
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
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            _("scheduled for withdrawal"),
            lambda article: schedule_unpublish(
                article, by=request.user, at=answer["at"], reason=answer["reason"]
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
            _("unscheduled"),
            lambda article: cancel_schedule(article, by=request.user),
        )

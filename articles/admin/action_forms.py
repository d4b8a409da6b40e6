"""The intermediate pages' forms: a reviewer's decision, a withdrawal (with
its optional replacement) and the schedules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.admin.decision import APPROVE
from articles.admin.decision import DecisionForm as ReviewDecisionForm
from articles.models import Article, ChangeClass
from siteconf.admin_input import RefusesNul


class DecisionForm(ReviewDecisionForm):
    """Approve from the list or the workflow bar: the same clinical checklist
    and declaration of competing interests as on the review screen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].initial = APPROVE
        self.fields["decision"].disabled = True
        # Each article's own kind of change is checked by the workflow.
        self.fields["change_class"].widget = forms.Select()
        self.fields["change_class"].choices = [
            ("", _("None: a first publication")),
            *ChangeClass.choices,
        ]

    def clean(self):
        data = super().clean()
        if not self.errors:
            data["ticked"] = self.ticked()
            data["declaration"] = self.declaration()
            data["change_class"] = data.get("change_class") or None
        return data


class ConfirmForm(forms.Form):
    """Nothing to ask but "confirm it's you": a one-click sign-off (publish)
    when the session's second-factor check is too old."""


class ChangesForm(RefusesNul, forms.Form):
    comment = forms.CharField(
        label=_("What needs to change"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        max_length=10_000,
    )


class ReplacementField(forms.ModelChoiceField):
    def label_from_instance(self, article):
        return f"{article.title} (/articles/{article.slug}/)"


class WithdrawForm(RefusesNul, forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to readers"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
    )
    replaced_by = ReplacementField(
        queryset=Article.objects.none(),
        required=False,
        label=_("Replaced by"),
        empty_label=_("No replacement: the page answers 410 Gone"),
        help_text=_(
            "A live article that replaces this one: its address then redirects "
            "there for good (301). Without one, readers get a short notice "
            "(410 Gone)."
        ),
    )

    def __init__(self, *args, withdrawing=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaced_by"].queryset = (
            Article.objects.live()
            .exclude(pk__in=withdrawing)
            .only("pk", "title", "slug")
            .order_by("title")
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


class ScheduleWithdrawalForm(ScheduleForm, WithdrawForm):
    field_order = ["at", "reason", "replaced_by"]

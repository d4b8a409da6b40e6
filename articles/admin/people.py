"""Topics and contributor profiles.

A contributor's credentials make its account a medical reviewer's: changing
them (or which account the profile belongs to) needs a fresh second-factor
check, like a sign-off (articles/admin/sign_off.py).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from articles.admin import sign_off
from articles.models import Contributor, Listing, Topic
from siteconf.admin_input import (
    CheckedAutocompleteSelect,
    ModelForm,
    RefusesBadInput,
    RefusesNul,
)

USERS_PER_PAGE = 20
# The fields that decide who may approve as a credentialed reviewer.
CREDENTIAL_FIELDS = {"user", "credentials", "registration"}
STEP_UP_REFUSED = "_step_up_refused"


def staff_accounts():
    """The accounts a profile may belong to: active staff."""
    return get_user_model().objects.filter(is_staff=True, is_active=True)


def account_label(user) -> str:
    """How the user field names an account: full name and username, no email."""
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


class StaffUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return account_label(user)


class StaffUserSearch(CheckedAutocompleteSelect):
    """The admin's autocomplete, asking the contributor admin's own search of
    staff accounts: the user admin's would need the right to browse every
    account, email addresses included."""

    def get_url(self):
        return reverse("admin:articles_contributor_users")


class ContributorForm(RefusesNul, forms.ModelForm):
    user = StaffUserChoiceField(
        queryset=staff_accounts(),
        required=False,
        label=_("user account"),
        help_text=_("The staff account this profile belongs to, if any."),
        widget=StaffUserSearch(Contributor._meta.get_field("user"), admin.site),
    )

    class Meta:
        model = Contributor
        fields = [
            "user",
            "display_name",
            "slug",
            "credentials",
            "specialty",
            "registration",
            "bio",
            "photo",
        ]

    #: The request, set by ContributorAdmin.get_form, for the step-up check.
    request = None

    def clean(self):
        data = super().clean()
        changing = CREDENTIAL_FIELDS & set(self.changed_data)
        if changing and self.request is not None and not self._signed_off():
            raise forms.ValidationError(
                _(
                    "Changing credentials needs a fresh check that it's you: "
                    "nothing was saved, and what you entered is kept below."
                ),
                code="step_up",
            )
        return data

    def _signed_off(self) -> bool:
        if sign_off.confirmed(self.request):
            return True
        setattr(self.request, STEP_UP_REFUSED, True)
        return False


class FixedSlugOnceListed:
    """A topic's or contributor's address is fixed once a live page links to it:
    live revisions and cards keep the slug they were published with."""

    listing_kind: str

    def is_listed(self, obj) -> bool:
        return (
            obj is not None
            and Listing.objects.filter(kind=self.listing_kind, key=obj.pk).exists()
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "slug"] if self.is_listed(obj) else readonly

    def get_prepopulated_fields(self, request, obj=None):
        if self.is_listed(obj):
            return {}
        return super().get_prepopulated_fields(request, obj)


@admin.register(Topic)
class TopicAdmin(FixedSlugOnceListed, RefusesBadInput, admin.ModelAdmin):
    form = ModelForm
    listing_kind = Listing.Kind.TOPIC
    list_display = ["name", "slug", "review_interval_months"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Contributor)
class ContributorAdmin(FixedSlugOnceListed, RefusesBadInput, admin.ModelAdmin):
    listing_kind = Listing.Kind.CONTRIBUTOR
    form = ContributorForm
    list_display = ["display_name", "credentials", "specialty", "user"]
    list_select_related = ["user"]
    prepopulated_fields = {"slug": ["display_name"]}
    search_fields = ["display_name", "credentials", "specialty"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The profile form, which asks for a step-up when credentials change."""
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def render_change_form(self, request, context, *args, **kwargs):
        refused = getattr(request, STEP_UP_REFUSED, False)
        context = {
            **context,
            "step_up_refused": refused,
            **(sign_off.panel(request, refused=True) if refused else {}),
        }
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self):
        search = path(
            "users/",
            self.admin_site.admin_view(self.user_search_view),
            name="articles_contributor_users",
        )
        return [search, *super().get_urls()]

    def user_search_view(self, request):
        """The user field's autocomplete (select2's JSON): staff accounts with
        no profile yet whose username or name has every word of `term`, by
        name and username only, to those who may add or change profiles."""
        if not (
            self.has_add_permission(request) or self.has_change_permission(request)
        ):
            raise PermissionDenied
        accounts = staff_accounts().filter(contributor__isnull=True)
        for word in request.GET.get("term", "")[:100].split():
            accounts = accounts.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
            )
        pages = Paginator(accounts.order_by("username", "pk"), USERS_PER_PAGE)
        page = pages.get_page(request.GET.get("page"))
        return JsonResponse(
            {
                "results": [
                    {"id": str(user.pk), "text": account_label(user)} for user in page
                ],
                "pagination": {"more": page.has_next()},
            }
        )

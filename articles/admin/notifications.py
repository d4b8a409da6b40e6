"""The bell's pages: my notifications, opening one, marking all read, and
which kinds also come by email.

Every staff user has notifications, whatever their model permissions, and
sees only their own: each view and query is limited to the signed-in user.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from articles.admin.records import NoEditingAdmin
from articles.models import Notification, NotificationPreference
from articles.notifications import EMAIL_KINDS

Kind = Notification.Kind


def local_url(url: str) -> bool:
    """A path on this site (never another host, scheme or `//host`)."""
    return (
        bool(url)
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set())
    )


class UnreadFilter(admin.SimpleListFilter):
    title = gettext_lazy("read")
    parameter_name = "unread"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Unread")), ("no", gettext_lazy("Read"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(read_at__isnull=False)
        return queryset


class EmailPreferenceForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Also send me an email when"),
        choices=[(kind.value, kind.label) for kind in EMAIL_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "Everything always appears under the bell. Comments on the text "
            "come only there; the reviewer's decision sums them up by email."
        ),
    )


@admin.register(Notification)
class NotificationAdmin(NoEditingAdmin):
    list_display = ["message_link", "kind", "created_at", "is_read"]
    list_display_links = None
    list_filter = [UnreadFilter, "kind"]
    list_per_page = 50
    actions = ["mark_read"]
    change_list_template = "admin/articles/notification/change_list.html"

    # Everyone on the desk has a bell; nobody sees another's.

    def _staff(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request) and (
            obj is None or obj.recipient_id == request.user.pk
        )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(recipient=request.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": _("My notifications"), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("notification"))
    def message_link(self, obj):
        return format_html(
            '<a href="{}" class="{}">{}</a>',
            reverse("admin:articles_notification_open", args=[obj.pk]),
            "notification-read" if obj.read_at else "notification-unread",
            obj.message,
        )

    @admin.display(description=gettext_lazy("read"), boolean=True)
    def is_read(self, obj):
        return obj.read_at is not None

    def _say_marked(self, request, count: int) -> None:
        self.message_user(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Mark as read"), permissions=["view"])
    def mark_read(self, request, queryset):
        count = queryset.filter(read_at__isnull=True).update(read_at=timezone.now())
        self._say_marked(request, count)

    # The bell's own pages ---------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/open/",
                view(self.open_view),
                name="articles_notification_open",
            ),
            path(
                "read-all/",
                view(require_POST(self.read_all_view)),
                name="articles_notification_read_all",
            ),
            path(
                "email/",
                view(self.preferences_view),
                name="articles_notification_preferences",
            ),
            *super().get_urls(),
        ]

    def open_view(self, request, pk):
        """Mark one of my notifications read and go where it points."""
        notification = get_object_or_404(
            Notification, pk=pk, recipient_id=request.user.pk
        )
        if notification.read_at is None:
            Notification.objects.filter(pk=pk).update(read_at=timezone.now())
        if local_url(notification.url):
            return HttpResponseRedirect(notification.url)
        return HttpResponseRedirect(reverse("admin:articles_notification_changelist"))

    def read_all_view(self, request):
        """Mark all my notifications read, then go back to the page I was on."""
        count = Notification.objects.filter(
            recipient_id=request.user.pk, read_at__isnull=True
        ).update(read_at=timezone.now())
        self._say_marked(request, count)
        back = request.POST.get("next", "")
        if not local_url(back):
            back = reverse("admin:articles_notification_changelist")
        return HttpResponseRedirect(back)

    def preferences_view(self, request):
        """Tick the kinds of notification that also come by email."""
        preference = NotificationPreference.objects.filter(
            user_id=request.user.pk
        ).first() or NotificationPreference(user=request.user)
        wanted = [k.value for k in EMAIL_KINDS if preference.wants_email(k.value)]
        form = EmailPreferenceForm(request.POST or None, initial={"kinds": wanted})
        if request.method == "POST" and form.is_valid():
            chosen = set(form.cleaned_data["kinds"])
            preference.muted_email_kinds = [
                k.value for k in EMAIL_KINDS if k.value not in chosen
            ]
            preference.save()
            self.message_user(request, _("Your email settings are saved."))
            return HttpResponseRedirect(request.path)
        return TemplateResponse(
            request,
            "admin/articles/notification/preferences.html",
            {
                **self.admin_site.each_context(request),
                "opts": Notification._meta,
                "title": _("Email settings"),
                "form": form,
            },
        )

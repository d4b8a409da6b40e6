"""Who sees the background work in the admin.

Task results: editors see what ran and how it went (the task, its status and
times, the attempt and the error's class), never its arguments, return value
or traceback; superusers see everything. The arguments are ids by design
(articles/tasks.py), but a result is no place to find out otherwise.

With the RQ option (DJANGO_TASKS_BACKEND=django_tasks_rq.RQBackend), the
django-rq dashboard empties queues, deletes and requeues jobs and shows their
arguments: superusers only, every one of its views.
"""

import functools
import inspect

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from siteconf.admin_input import ModelForm, RefusesBadInput, RefusesNul
from siteconf.mfa import reset

# What anyone allowed to view the results sees of one.
SUMMARY_FIELDS = [
    "id",
    "task_name",
    "status",
    "attempt",
    "error",
    "enqueued_at",
    "started_at",
    "finished_at",
    "display_run_after",
    "queue_name",
    "priority",
]
SUMMARY_FILTERS = {"status", "priority", "queue_name"}


class TaskResultAdmin(RefusesBadInput, DBTaskResultAdmin):
    list_display = [
        "id",
        "task_name",
        "status",
        "attempt",
        "error",
        "enqueued_at",
        "finished_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return [*super().get_readonly_fields(request, obj), "attempt", "error"]
        return SUMMARY_FIELDS

    def lookup_allowed(self, lookup, value, request):
        """Only the list's own filters: a query on the arguments, the result or
        the traceback (`?args_kwargs__icontains=…`) would reveal them."""
        if request.user.is_superuser:
            return super().lookup_allowed(lookup, value, request)
        return lookup.split("__", 1)[0] in SUMMARY_FILTERS

    @admin.display(description=_("attempt"))
    def attempt(self, obj: DBTaskResult) -> int | str:
        """The attempt number a retrying task carries (siteconf.background)."""
        try:
            signature = inspect.signature(obj.task.func)
            arguments = obj.args_kwargs
            bound = signature.bind(*arguments["args"], **arguments["kwargs"])
        except Exception:
            return self.get_empty_value_display()
        if "attempt" not in signature.parameters:
            return self.get_empty_value_display()
        return bound.arguments.get("attempt", signature.parameters["attempt"].default)

    @admin.display(description=_("error"))
    def error(self, obj: DBTaskResult) -> str:
        """The error's class: of the failure, or of an attempt to be retried."""
        if obj.exception_class_path:
            return obj.exception_class_path
        result = obj.return_value
        if isinstance(result, dict) and "retry" in result and "error" in result:
            # Results from before it held the class alone kept the message too.
            return str(result["error"]).split(":", 1)[0]
        return self.get_empty_value_display()


# Importing django_tasks_db.admin registered its own; this one takes its place.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)


# Django's user and group admins, with every list's and form's input checks
# (siteconf.admin_input).
class UserChangeForm(RefusesNul, auth_forms.UserChangeForm):
    pass


class UserCreationForm(RefusesNul, auth_forms.AdminUserCreationForm):
    pass


class UserAdmin(RefusesBadInput, auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm

    def get_urls(self):
        """The superuser's reset of a user's second factors (the change page
        links to it: templates/admin/auth/user/change_form.html)."""
        return [
            path(
                "<int:user_id>/reset-second-factors/",
                self.admin_site.admin_view(reset.reset_second_factors),
                name="auth_user_reset_second_factors",
            ),
            *super().get_urls(),
        ]


class GroupAdmin(RefusesBadInput, auth_admin.GroupAdmin):
    form = ModelForm


for model, model_admin in [(User, UserAdmin), (Group, GroupAdmin)]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


def superusers_only(view):
    """Refuse a signed-in user who is not a superuser (403). Anonymous requests
    go on to the view's own check: the admin's login page, or django-rq's
    API token for its statistics."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (user.is_active and user.is_superuser):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


if apps.is_installed("django_rq"):
    from django_rq import settings as rq_settings
    from django_rq.admin import QueueAdmin
    from django_rq.models import Dashboard

    class SuperuserQueueAdmin(QueueAdmin):
        """The django-rq dashboard, for superusers only."""

        def has_module_permission(self, request):
            return request.user.is_active and request.user.is_superuser

        def has_view_permission(self, request, obj=None):
            return self.has_module_permission(request)

        def has_change_permission(self, request, obj=None):
            return self.has_module_permission(request)

        def get_urls(self):
            return [
                URLPattern(
                    pattern.pattern,
                    superusers_only(pattern.callback),
                    pattern.default_args,
                    pattern.name,
                )
                for pattern in super().get_urls()
            ]

    # Importing django_rq.admin registered its own; this one takes its place.
    if admin.site.is_registered(Dashboard):
        admin.site.unregister(Dashboard)
    if rq_settings.SHOW_ADMIN_LINK:
        admin.site.register(Dashboard, SuperuserQueueAdmin)

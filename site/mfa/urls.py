"""The second factor's pages and passkey ceremonies, under /admin/mfa/.

Each goes through `admin_view`: staff only, CSRF-checked, never cached. The
gate (siteconf.mfa.gate) lets a session that has passed only the password
reach these and nothing else of the admin.
"""

from django.contrib import admin
from django.urls import path

from siteconf.mfa import views

app_name = "mfa"

# (step, view): at passkeys/<step>/, named passkey_<step with _>.
ceremonies = [
    ("registration/begin", views.PasskeyRegistrationBegin),
    ("registration/complete", views.PasskeyRegistrationComplete),
    ("authentication/begin", views.PasskeyAuthenticationBegin),
    ("authentication/complete", views.PasskeyAuthenticationComplete),
]

urlpatterns = [
    path("", admin.site.admin_view(views.devices), name="devices"),
    path("enrol/", admin.site.admin_view(views.enrol), name="enrol"),
    path("verify/", admin.site.admin_view(views.verify), name="verify"),
    path(
        "recovery-codes/",
        admin.site.admin_view(views.recovery_codes),
        name="recovery_codes",
    ),
    *[
        path(
            f"passkeys/{step}/",
            admin.site.admin_view(view.as_view()),
            name=f"passkey_{step.replace('/', '_')}",
        )
        for step, view in ceremonies
    ],
]

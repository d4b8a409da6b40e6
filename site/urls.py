import re
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import include, path, re_path

from articles.admin import access, citing, editor
from articles.admin.login import ThrottledLoginForm
from articles.public import views
from articles.public.sitemaps import SITEMAPS
from siteconf import health
from siteconf import views as site_views

admin.site.site_header = f"{settings.HEALTH_SITE['NAME']}: editorial"
admin.site.site_title = f"{settings.HEALTH_SITE['NAME']} editorial"
admin.site.index_title = "Write, review and publish"
admin.site.login_form = ThrottledLoginForm
admin.site.logout_template = access.LOGGED_OUT_TEMPLATE

handler400 = "siteconf.views.bad_request"
handler404 = "articles.public.views.page_not_found"
handler500 = "articles.public.views.server_error"

urlpatterns = [
    # markdownx's own URLs accept anonymous requests, so its two views are
    # mounted here behind staff-only checks instead of include("markdownx.urls").
    path(
        "admin/markdownx/markdownify/",
        editor.markdownify,
        name="markdownx_markdownify",
    ),
    path("admin/markdownx/upload/", editor.upload, name="markdownx_upload"),
    path("admin/cite/references/", citing.search, name="cite_search"),
    # Before the admin's own: log-out clears the browser's storage, and "view
    # on site" answers only for objects the user may see (articles/admin/access.py).
    path("admin/logout/", access.logout),
    path(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(access.view_on_site),
    ),
    # The second factor's pages, which the gate (siteconf/mfa/gate.py) lets
    # a session that has passed only the password reach.
    path("admin/mfa/", include("siteconf.mfa.urls")),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        views.tagged(sitemap, ["sitemap"]),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Readiness for load balancers; the status for monitoring (docs/operations.md).
    path("healthz", health.healthz, name="healthz"),
    path("healthz/status", health.status, name="healthz_status"),
    path("", include("articles.public.urls")),
]

if settings.HEALTH_SERVE_MEDIA:
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns.append(
        re_path(rf"^{media_prefix}(?P<path>.*)$", site_views.serve_media, name="media")
    )

if settings.HEALTH_BENCH_FLOOR_FILE:
    # `make bench` only: the framework floor, a view returning fixed bytes
    # through the whole middleware stack, to compare real pages with.
    floor_bytes = Path(settings.HEALTH_BENCH_FLOOR_FILE).read_bytes()
    urlpatterns.append(
        path("__bench__/floor/", lambda request: HttpResponse(floor_bytes))
    )

import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from articles.admin import editor
from articles.admin.login import ThrottledLoginForm
from articles.public import views
from articles.public.sitemaps import SITEMAPS
from siteconf import views as site_views

admin.site.site_header = f"{settings.HEALTH_SITE['NAME']}: editorial"
admin.site.site_title = f"{settings.HEALTH_SITE['NAME']} editorial"
admin.site.index_title = "Write, review and publish"
admin.site.login_form = ThrottledLoginForm

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
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("", include("articles.public.urls")),
]

if settings.HEALTH_SERVE_MEDIA:
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns.append(
        re_path(rf"^{media_prefix}(?P<path>.*)$", site_views.serve_media, name="media")
    )

"""The article editor's server side: its widget, the scripts its page loads,
and staff-only replacements for django-markdownx's preview and upload views.

markdownx's own views accept anonymous requests and trust the client's
content type, so they are never mounted. These use our render function and
re-encode uploads with Pillow (smaller copies for `srcset` follow in a task).
markdownx's script is not loaded either: the editor's own preview
(static/editorial/editor/editor.js) keeps up with typing.
"""

import json

from django import forms
from django.contrib.auth.decorators import user_passes_test
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.forms import Script
from django.forms.widgets import MediaAsset
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST
from markdownx.widgets import AdminMarkdownxWidget

from articles import images
from articles.rendering import render_preview


class ModulePreload(MediaAsset):
    """A module the page's scripts import, fetched with them rather than after."""

    element_template = '<link href="{path}" rel="modulepreload"{attributes}>'


# The article form's ES modules (static/editorial/editor/): editor.js and
# the modules it imports, preloaded so that they all arrive at once. The
# citation picker and the image dialog load when the writer first needs them.
EDITOR_SCRIPTS = [
    ModulePreload("editorial/editor/drafts.js"),
    ModulePreload("editorial/editor/prose.js"),
    Script("editorial/editor/editor.js", type="module"),
]

# What the admin puts on every change form that the article form has no
# use for: the change list's action checkboxes (its actions are the
# workflow menu), the slug script and XRegExp behind it (editor.js fills
# the slug in), and select2's English, which select2 has built in.
UNUSED_SCRIPTS = {
    f"admin/js/{name}{suffix}"
    for name in [
        "actions",
        "urlify",
        "prepopulate",
        "vendor/xregexp/xregexp",
        "vendor/select2/i18n/en",
    ]
    for suffix in (".js", ".min.js")
}


def change_form_page(media: forms.Media) -> dict:
    """The article form's page: the admin's scripts less those it does not
    use, and no navigation sidebar (the text and its preview take the width)."""
    # A Script equals the path it was made from.
    scripts = [script for script in media._js if script not in UNUSED_SCRIPTS]
    return {
        "media": forms.Media(js=scripts, css=media._css),
        "is_nav_sidebar_enabled": False,
    }


def jargon() -> dict:
    """The medical terms the plain-language panel flags, with their plain
    alternatives: static/editorial/jargon.json, read as it stands now."""
    with open(finders.find("editorial/jargon.json"), encoding="utf-8") as file:
        return json.load(file)


class MarkdownEditor(AdminMarkdownxWidget):
    """markdownx's admin widget, its preview rendered here for the text it
    comes with, and the jargon list beside it: the editor (editor.js) starts
    without a request of its own, and keeps the preview up to date without
    markdownx's script."""

    class Media:
        extend = False

    template_name = "django/forms/widgets/textarea.html"

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        return format_html(
            '<div class="markdownx">{}<div class="markdownx-preview">{}</div></div>{}',
            textarea,
            render_preview(self.format_value(value) or ""),
            json_script(jargon(), "editor-jargon"),
        )


def _may_edit(user) -> bool:
    return user.is_active and user.is_staff


def _require_editing_permission(request) -> None:
    user = request.user
    if not (
        user.has_perm("articles.change_article")
        or user.has_perm("articles.add_article")
    ):
        raise PermissionDenied


staff_only = user_passes_test(_may_edit, login_url="admin:login")


@require_POST
@staff_only
# The preview of a long article is about 70 KB of HTML, asked for as the
# writer types; compressed, a sixth of it. It holds nothing secret for a
# compression attack to find (BREACH): only what the writer sent, rendered.
@gzip_page
def markdownify(request):
    """Render the posted Markdown exactly as readers would get it."""
    _require_editing_permission(request)
    if "content" not in request.POST:
        return HttpResponseBadRequest("Missing 'content'.")
    response = HttpResponse(render_preview(request.POST["content"]))
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _error(message: str) -> JsonResponse:
    return JsonResponse({"image": [message]}, status=400)


@require_POST
@staff_only
def upload(request):
    """Store a JPEG, PNG or WebP image, re-encoded, and return its Markdown;
    its smaller copies are made by a task."""
    _require_editing_permission(request)
    upload = request.FILES.get("image")
    if upload is None:
        return _error(_("Choose an image to upload."))
    try:
        url = images.store_body_image(upload)
    except images.ImageRefused as error:
        return _error(str(error))
    # On its own line, so it never runs into a heading or paragraph around it.
    # The editor's image dialog (static/editorial/images/) writes its own
    # Markdown, with alt text and caption, from the URL.
    return JsonResponse({"image_code": f"\n![]({url})\n", "url": url})

"""Staff-only replacements for django-markdownx's preview and upload views.

markdownx's own views accept anonymous requests and trust the client's
content type, so they are never mounted. These use our render function and
re-encode uploads with Pillow (smaller copies for `srcset` follow in a task).
"""

from django.contrib.auth.decorators import user_passes_test
from django.core.exceptions import PermissionDenied
from django.forms import Script
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from articles import images
from articles.rendering import render_preview

# The article form's ES modules under static/editorial/, in load order: the
# toolbar's buttons come before the layout's full-screen button.
EDITOR_SCRIPTS = [
    Script(f"editorial/{name}.js", type="module")
    for name in [
        "editor/toolbar",
        "editor/layout",
        "editor/counts",
        "editor/autosave",
        "editor/unsaved",
        "editor/plain-language",
        "editor/labels",
        "cite/picker",
        "images/insert",
        "seo-counter",
    ]
]


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

"""Staff-only replacements for django-markdownx's preview and upload views.

markdownx's own views accept anonymous requests and trust the client's
content type, so they are never mounted. These use our render function and
re-encode uploads with Pillow.
"""

import io
import uuid

from django.conf import settings
from django.contrib.auth.decorators import user_passes_test
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST
from PIL import Image, UnidentifiedImageError

from articles.rendering import render_preview

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


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
    """Store a JPEG, PNG or WebP image, re-encoded, and return its Markdown."""
    _require_editing_permission(request)
    upload = request.FILES.get("image")
    if upload is None:
        return _error("Choose an image to upload.")
    if upload.size > settings.MARKDOWNX_UPLOAD_MAX_SIZE:
        limit = settings.MARKDOWNX_UPLOAD_MAX_SIZE // (1024 * 1024)
        return _error(f"The image is larger than {limit} MB.")
    try:
        with Image.open(upload) as image:
            image_format = image.format
            if image_format not in FORMATS:
                return _error("Only JPEG, PNG and WebP images are accepted.")
            image.load()
            width, height = settings.MARKDOWNX_IMAGE_MAX_SIZE["size"]
            image.thumbnail((width, height))
            if image_format == "JPEG" and image.mode not in {"RGB", "L"}:
                image = image.convert("RGB")
            buffer = io.BytesIO()
            image.save(
                buffer,
                format=image_format,
                quality=settings.MARKDOWNX_IMAGE_MAX_SIZE["quality"],
            )
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return _error("That file is not a readable JPEG, PNG or WebP image.")
    name = f"{settings.MARKDOWNX_MEDIA_PATH}{uuid.uuid4().hex}.{FORMATS[image_format]}"
    stored = default_storage.save(name, ContentFile(buffer.getvalue()))
    return JsonResponse({"image_code": f"![]({default_storage.url(stored)})"})

"""One way in for every image: checked from its header, then re-encoded.

Body images (the editor's upload), social images and contributor photos all
pass through `reencode()`. The size in pixels is read from the file header
before anything is decoded, so a small file that would decode to gigabytes (a
decompression bomb) is refused cheaply. Re-encoding with Pillow keeps only the
pixels: EXIF (GPS position included), comments, extra chunks and anything
appended to the file (a GIF/JavaScript polyglot, say) are dropped.

A body image is stored under a name that carries its size
(`uploads/<hex>-1600x900.jpg`), and a task then stores smaller WebP copies
beside it (`uploads/<hex>-800w.webp`), once, through the same storage. The
render pipeline reads the size from the name and lists the copies that exist
in `srcset`, so no image is opened or resized on a request.
"""

import io
import re
import uuid
import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from siteconf.background import enqueue_after_commit, retrying

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 12_000
LONGEST_SIDE = 1600
QUALITY = 85
VARIANT_WIDTHS = (480, 800, 1200)
VARIANT_QUALITY = 80
BODY_IMAGE = re.compile(
    r"(?P<stem>[0-9a-f]{32})-(?P<width>[1-9][0-9]{0,4})x(?P<height>[1-9][0-9]{0,4})"
    r"\.(?:jpg|png|webp)"
)
# The article column is 46rem wide less 1rem padding a side (static/css/site.css).
SIZES = "(max-width: 46rem) calc(100vw - 2rem), 44rem"


class ImageRefused(ValueError):
    """An image we will not store, with a message for the person uploading it."""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def inspect(file) -> tuple[str, int, int]:
    """The format, width and height from the header; refuse what we won't decode."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ImageRefused(
            _("The image is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(MAX_BYTES)}
        )
    file.seek(0)
    try:
        # open() reads the header only; no pixel is decoded here. Pillow warns
        # about a would-be bomb already; it is refused below with a message.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ImageRefused(
            _("That file is not a readable JPEG, PNG or WebP image.")
        ) from None
    finally:
        file.seek(0)
    if image_format not in FORMATS:
        raise ImageRefused(_("Only JPEG, PNG and WebP images are accepted."))
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageRefused(
            _(
                "The image is %(width)s × %(height)s pixels; the limit is "
                "%(side)s pixels a side and %(mp)s megapixels. Resize it first."
            )
            % {
                "width": f"{width:,}",
                "height": f"{height:,}",
                "side": f"{MAX_SIDE:,}",
                "mp": MAX_PIXELS // 1_000_000,
            }
        )
    return image_format, width, height


def reencode(file, longest_side: int = LONGEST_SIDE) -> tuple[bytes, str]:
    """The image re-encoded from its pixels alone, and its file extension."""
    image_format, _width, _height = inspect(file)
    try:
        with Image.open(file) as image:
            if image_format == "JPEG":
                # Decode a large JPEG at a reduced scale straight away.
                image.draft("RGB", (longest_side, longest_side))
            image.load()
            # Apply the EXIF orientation to the pixels, then drop the EXIF.
            image = ImageOps.exif_transpose(image)
            image.thumbnail((longest_side, longest_side))
            if image_format == "JPEG" and image.mode not in {"RGB", "L"}:
                image = image.convert("RGB")
            elif image.mode not in {"RGB", "RGBA", "L", "LA"}:
                image = image.convert("RGBA")
            buffer = io.BytesIO()
            image.save(buffer, format=image_format, quality=QUALITY)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ImageRefused(
            _("That file is not a readable JPEG, PNG or WebP image.")
        ) from None
    finally:
        file.seek(0)
    return buffer.getvalue(), FORMATS[image_format]


def validate_image(file) -> None:
    """Model validator: the checks `reencode()` would refuse, as a form error."""
    if not file or getattr(file, "_committed", True):
        return  # an image already stored has been through reencode()
    try:
        inspect(file)
    except ImageRefused as error:
        raise ValidationError(str(error), code="image_refused") from None


class SanitizedImageFormField(forms.ImageField):
    """Refuses from the header, with our message, before Django's own check
    decodes anything."""

    def to_python(self, data):
        if data and hasattr(data, "seek"):
            try:
                inspect(data)
            except ImageRefused as error:
                raise ValidationError(str(error), code="image_refused") from None
        return super().to_python(data)


class SanitizedImageField(models.ImageField):
    """An ImageField whose new files are stored re-encoded under a random name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_image])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("validators") == [validate_image]:
            del kwargs["validators"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SanitizedImageFormField, **kwargs})

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            try:
                data, extension = reencode(file.file)
            except ImageRefused as error:
                raise ValidationError({self.name: str(error)}) from None
            file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
        return super().pre_save(model_instance, add)


def store_body_image(upload) -> str:
    """Store an editor's upload re-encoded, under a name that carries its size,
    queue its smaller copies, and return its URL."""
    data, extension = reencode(upload)
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    name = f"{settings.MARKDOWNX_MEDIA_PATH}{uuid.uuid4().hex}-{width}x{height}"
    stored = default_storage.save(f"{name}.{extension}", ContentFile(data))
    enqueue_after_commit(make_variants, stored)
    return default_storage.url(stored)


def _body_image(name: str) -> tuple[str, int, int] | None:
    """The stem, width and height of a stored body image's name, if it is one."""
    folder, _slash, filename = name.rpartition("/")
    match = BODY_IMAGE.fullmatch(filename)
    if folder + "/" != settings.MARKDOWNX_MEDIA_PATH or match is None:
        return None
    return f"{folder}/{match['stem']}", int(match["width"]), int(match["height"])


def variant_names(name: str) -> dict[int, str]:
    """The smaller copies a body image gets, by width: only those narrower
    than the original."""
    image = _body_image(name)
    if image is None:
        return {}
    stem, width, _height = image
    return {w: f"{stem}-{w}w.webp" for w in VARIANT_WIDTHS if w < width}


@retrying(max_attempts=4)
def make_variants(name: str, attempt: int = 1) -> list[str]:
    """Store the missing smaller WebP copies of a body image; return their names.

    Safe to repeat: copies that exist are left alone.
    """
    missing = {
        width: variant
        for width, variant in variant_names(name).items()
        if not default_storage.exists(variant)
    }
    if not missing:
        return []
    made = []
    with default_storage.open(name, "rb") as file, Image.open(file) as image:
        image.load()
        mode = "RGBA" if image.has_transparency_data else "RGB"
        source = image.convert(mode) if image.mode != mode else image
        for width, variant in sorted(missing.items()):
            height = max(1, round(source.height * width / source.width))
            smaller = source.resize((width, height), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            smaller.save(buffer, format="WEBP", quality=VARIANT_QUALITY)
            made.append(default_storage.save(variant, ContentFile(buffer.getvalue())))
    return made


def display_attributes(src: str) -> dict[str, str]:
    """The `img` attributes for an image at `src`, from its URL alone.

    Our own media loads lazily; a body image (under the storage's URL, so on
    object storage too) also gets its width and height (no layout shift) and
    a `srcset` of the smaller copies stored so far.
    """
    uploads = default_storage.url(settings.MARKDOWNX_MEDIA_PATH)
    if src.startswith(uploads):
        name = settings.MARKDOWNX_MEDIA_PATH + src[len(uploads) :]
    elif src.startswith(settings.MEDIA_URL):
        name = ""
    else:
        return {}
    attributes = {"loading": "lazy", "decoding": "async"}
    image = _body_image(name)
    if image is None:
        return attributes
    _stem, width, height = image
    attributes.update(width=str(width), height=str(height))
    base = src[: -len(name)]
    candidates = [
        f"{base}{variant} {w}w"
        for w, variant in variant_names(name).items()
        if default_storage.exists(variant)
    ]
    if candidates:
        attributes["srcset"] = ", ".join([*candidates, f"{src} {width}w"])
        attributes["sizes"] = SIZES
    return attributes

"""Body images that no text uses any more, and their removal.

An editor's upload is stored the moment it is dropped into the editor
(`articles.images.store_body_image`), before the article is saved: a writer
who cancels the image dialog, deletes the image line again or abandons the
draft leaves the file behind. `prune_uploads` removes such
files, with their smaller copies, once they are older than a grace period
(30 days by default) and no article, revision, contributor bio or topic
description names them. Revisions are never deleted, so an image any
revision ever showed, live or past, stays; the grace period covers text that
is still only in a browser (the editor's autosave) or in a form being typed.
"""

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

GRACE = datetime.timedelta(days=30)
# What `store_body_image` and `make_variants` write: the original, whose name
# carries its size, and the WebP copies, whose names carry their width.
UPLOAD_FILE = re.compile(
    r"(?P<stem>[0-9a-f]{32})-(?:[1-9][0-9]{0,4}x[1-9][0-9]{0,4}\.(?:jpg|png|webp)"
    r"|[1-9][0-9]{0,4}w\.webp)"
)


@dataclass
class Upload:
    """One uploaded image: its original and its copies, as stored."""

    stem: str
    names: list[str] = field(default_factory=list)

    @property
    def original(self) -> str:
        """The file the age is read from: the original if it is still there."""
        return min(self.names, key=lambda name: ("x" not in name, name))


def stored_uploads(storage=default_storage) -> dict[str, Upload]:
    """Every body image in the uploads folder, by stem; other files are not
    ours to judge and are left out."""
    folder = settings.MARKDOWNX_MEDIA_PATH.rstrip("/")
    try:
        _folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return {}
    uploads: dict[str, Upload] = {}
    for filename in files:
        match = UPLOAD_FILE.fullmatch(filename)
        if match is not None:
            upload = uploads.setdefault(match["stem"], Upload(match["stem"]))
            upload.names.append(f"{folder}/{filename}")
    return uploads


def _texts() -> Iterable[str]:
    """Every stored text that may show a body image. Only rows that mention
    the uploads folder are read, a chunk at a time."""
    from articles.models import Article, Contributor, Revision, Topic

    mention = settings.MARKDOWNX_MEDIA_PATH
    for model, name in (
        (Article, "body"),
        (Revision, "body"),
        (Contributor, "bio"),
        (Topic, "description"),
    ):
        rows = model._base_manager.filter(**{f"{name}__contains": mention})
        yield from rows.values_list(name, flat=True).iterator(chunk_size=500)


def used_stems() -> set[str]:
    """The stems of the body images some text names, as an image or a link."""
    pattern = re.compile(re.escape(settings.MARKDOWNX_MEDIA_PATH) + r"([0-9a-f]{32})-")
    used: set[str] = set()
    for text in _texts():
        used.update(pattern.findall(text))
    return used


@dataclass
class Pruned:
    images: int = 0
    bytes: int = 0
    kept_recent: int = 0
    in_use: int = 0
    removed: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.removed)


def prune_uploads(
    older_than: datetime.timedelta = GRACE,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    storage=default_storage,
    uploads: dict[str, Upload] | None = None,
) -> Pruned:
    """Remove the body images no text names and that are older than
    `older_than`, originals and copies together; what was (or, with
    `dry_run`, would be) removed. `uploads` is the listing, if already made."""
    # The listing comes first: an image uploaded after it is not looked at,
    # and one inserted into a text after the texts are read is too recent.
    if uploads is None:
        uploads = stored_uploads(storage)
    used = used_stems()
    cutoff = timezone.now() - older_than
    result = Pruned(in_use=len(used.intersection(uploads)))
    for stem, upload in sorted(uploads.items()):
        unused = stem not in used
        if unused and storage.get_modified_time(upload.original) > cutoff:
            result.kept_recent += 1
        elif unused:
            result.images += 1
            for name in sorted(upload.names):
                result.bytes += storage.size(name)
                if not dry_run:
                    storage.delete(name)
                result.removed.append(name)
        if progress:
            progress(1)
    return result

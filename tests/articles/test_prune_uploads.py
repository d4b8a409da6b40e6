"""Uploads nobody uses are removed after a grace period, with their smaller
copies; anything a text names, now or in any revision, stays."""

import datetime
import io
import os
import re
import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from articles.models import Topic
from articles.uploads import prune_uploads, stored_uploads
from tests.tasks import run_tasks

UPLOAD = "/admin/markdownx/upload/"
LONG_AGO = time.time() - 40 * 24 * 3600


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, writer, width=1000, old=True) -> str:
    """An image uploaded through the editor, with its copies made; its URL.
    `old` dates its files 40 days back."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, 600), (30, 90, 160)).save(buffer, format="JPEG")
    client.force_login(writer)
    response = client.post(
        UPLOAD, {"image": SimpleUploadedFile("a.jpg", buffer.getvalue())}
    )
    assert response.status_code == 200
    run_tasks(commit_first=True)
    url = re.fullmatch(r"\n!\[\]\((.+)\)\n", response.json()["image_code"])[1]
    if old:
        for name in files_of(url):
            os.utime(default_storage.path(name), (LONG_AGO, LONG_AGO))
    return url


def stem(url: str) -> str:
    return url.rsplit("/", 1)[1][:32]


def files_of(url: str) -> list[str]:
    return sorted(stored_uploads().get(stem(url)).names)


def exists(url: str) -> bool:
    return stem(url) in stored_uploads()


def test_an_unused_old_upload_goes_with_its_copies(client, writer, article):
    unused = upload(client, writer)
    names = files_of(unused)
    assert len(names) == 3  # the original and its 480w and 800w copies
    result = prune_uploads()
    assert not exists(unused)
    assert sorted(result.removed) == names
    assert (result.images, result.files) == (1, 3)
    assert result.bytes > 0
    assert not any(default_storage.exists(name) for name in names)


def test_what_the_draft_shows_stays(client, writer, article):
    shown = upload(client, writer)
    article.body += f"\n\n![A chart of the trial's results]({shown})\n"
    article.save()
    result = prune_uploads()
    assert exists(shown)
    assert (result.images, result.in_use) == (0, 1)


def test_what_only_an_earlier_revision_showed_stays(client, writer, article):
    """Revisions are kept for ever; so are the images they show."""
    earlier = upload(client, writer)
    body = article.body
    article.body = f'{body}\n\n![Scan]({earlier} "An ultrasound scan")\n'
    article.save_revision(by=writer, note="With the scan")
    article.body = body
    article.save_revision(by=writer, note="Without it")
    prune_uploads()
    assert exists(earlier)


def test_a_link_a_bio_or_a_topic_counts_as_use(client, writer, article):
    linked, in_bio, in_topic = (upload(client, writer) for _ in range(3))
    article.body += f"\n\n[The full-size scan]({linked})\n"
    article.save()
    writer.contributor.bio = f"![Portrait]({in_bio})"
    writer.contributor.save()
    Topic.objects.create(name="Scans", slug="scans", description=in_topic)
    prune_uploads()
    assert exists(linked) and exists(in_bio) and exists(in_topic)


def test_a_recent_unused_upload_stays(client, writer, article):
    """It may be in a text still being written, or only in the editor's
    autosave in someone's browser."""
    recent = upload(client, writer, old=False)
    result = prune_uploads()
    assert exists(recent)
    assert result.kept_recent == 1
    prune_uploads(datetime.timedelta(0))
    assert not exists(recent)


def test_files_that_are_not_uploads_are_left_alone(client, writer, article):
    upload(client, writer)
    default_storage.save("uploads/README.txt", io.BytesIO(b"notes"))
    default_storage.save(f"uploads/{'a' * 32}.exe", io.BytesIO(b"MZ"))
    default_storage.save(f"social/{'b' * 32}-10x10.jpg", io.BytesIO(b"x"))
    prune_uploads()
    _folders, left = default_storage.listdir("uploads")
    assert sorted(left) == ["README.txt", f"{'a' * 32}.exe"]
    assert default_storage.exists(f"social/{'b' * 32}-10x10.jpg")


def test_no_uploads_folder_is_nothing_to_do(db):
    assert stored_uploads() == {}
    assert prune_uploads().images == 0


def test_the_command_reports_and_a_dry_run_removes_nothing(client, writer, article):
    unused = upload(client, writer)
    out, err = io.StringIO(), io.StringIO()
    call_command("prune_uploads", "--dry-run", stdout=out, stderr=err)
    assert exists(unused)
    assert f"uploads/{stem(unused)}-1000x600.jpg" in out.getvalue()
    assert "Would remove 1 unused image (3 files," in out.getvalue()
    assert "Checking uploads" in err.getvalue()  # the progress bar

    out = io.StringIO()
    call_command("prune_uploads", stdout=out, stderr=io.StringIO())
    assert not exists(unused)
    assert "Removed 1 unused image (3 files," in out.getvalue()
    assert "newer than 30 days kept" in out.getvalue()


def test_the_command_refuses_no_grace_period(db):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_uploads", "--days", "0")


def test_the_command_refuses_a_period_no_date_can_hold(db):
    """Not an OverflowError from the date arithmetic."""
    with pytest.raises(CommandError, match="at most 36500"):
        call_command("prune_uploads", "--days", "999999999999")

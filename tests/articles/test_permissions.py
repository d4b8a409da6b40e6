"""Who may do what in the admin, checked through real requests on the demo data.

The matrix names, for each role, the answer every admin page and action
gives. A hidden button is not a permission check: these requests are made
whether or not the page offered them. One more role, "password only", is a
superuser whose session has passed the password and not the second factor:
it reaches no admin page and none of the desk's endpoints.
"""

import datetime
import io
import os

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from articles.models import (
    Article,
    AuditEntry,
    Notification,
    PreviewLink,
    Review,
    Revision,
    Topic,
)
from references.models import Reference
from tests.conftest import APPROVAL, make_user, password_only_login, test_device

ROLES = ["anonymous", "writer", "otherwriter", "reviewer", "editor", "admin"]
LOGIN = 302  # anonymous requests are sent to the login page
GONE = 302  # the admin redirects a missing (or out-of-scope) object to the index
# The superuser, past the password only: every page sends it to the check.
PASSWORD_ONLY = "password only"
CHECK = "to the second-factor check"


@pytest.fixture
def demo(db):
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    make_user("otherwriter", "Writers", display_name="Otto Other")


def client_for(client, role):
    client.logout()
    if role == PASSWORD_ONLY:
        user = User.objects.get(username="admin")
        test_device(user)
        password_only_login(client, user)
    elif role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


def answer(client, role, url):
    """The status `role` gets for `url` (CHECK for a redirect to the check)."""
    response = client_for(client, role).get(url)
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith("/admin/mfa/verify/"):
        return CHECK
    return response.status_code


def live_article():
    return Article.objects.get(slug="cervical-mucus-fertile-window")


def writers_draft():
    return Article.objects.get(slug="folic-acid-before-pregnancy")


def view_on_site(obj) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return f"/admin/r/{content_type.pk}/{obj.pk}/"


def preview_link() -> PreviewLink:
    return PreviewLink.objects.create(
        revision=writers_draft().current_revision,
        created_by=User.objects.get(username="editor"),
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )


def task_result() -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path="articles.tasks.send_notification",
        backend_name="default",
        args_kwargs={"args": ["submitted", [1], {"article": 1}], "kwargs": {}},
        run_after=timezone.now(),
    )


# Each row: URL (built from the demo data), then the status for each of ROLES.
PAGES = [
    (lambda: "/admin/", [LOGIN, 200, 200, 200, 200, 200]),
    (lambda: "/admin/articles/article/", [LOGIN, 200, 200, 200, 200, 200]),
    (lambda: "/admin/articles/article/add/", [LOGIN, 200, 200, 403, 200, 200]),
    (
        lambda: f"/admin/articles/article/{live_article().pk}/change/",
        [LOGIN, 200, GONE, 200, 200, 200],
    ),
    (
        lambda: f"/admin/articles/article/{live_article().pk}/history/",
        [LOGIN, 200, 404, 200, 200, 200],
    ),
    # Published articles are withdrawn, never deleted, not even by a superuser.
    (
        lambda: f"/admin/articles/article/{live_article().pk}/delete/",
        [LOGIN, 403, 403, 403, 403, 403],
    ),
    (lambda: "/admin/articles/article/dashboard/", [LOGIN, 200, 200, 200, 200, 200]),
    (
        lambda: f"/admin/articles/article/{live_article().pk}/compare/",
        [LOGIN, 200, 404, 200, 200, 200],
    ),
    (
        lambda: f"/admin/articles/article/{live_article().pk}/preview-links/",
        [LOGIN, 403, 404, 200, 200, 200],
    ),
    (lambda: "/admin/articles/revision/", [LOGIN, 200, 200, 200, 200, 200]),
    (
        lambda: f"/admin/articles/revision/{live_article().live_revision_id}/change/",
        [LOGIN, 200, GONE, 200, 200, 200],
    ),
    (lambda: "/admin/articles/review/", [LOGIN, 200, 200, 200, 200, 200]),
    (
        lambda: f"/admin/articles/review/{live_article().live_approval_id}/change/",
        [LOGIN, 200, GONE, 200, 200, 200],
    ),
    (lambda: "/admin/articles/auditentry/", [LOGIN, 403, 403, 200, 200, 200]),
    (lambda: "/admin/articles/topic/", [LOGIN, 200, 200, 200, 200, 200]),
    (lambda: "/admin/articles/topic/add/", [LOGIN, 403, 403, 403, 200, 200]),
    (lambda: "/admin/articles/contributor/add/", [LOGIN, 403, 403, 403, 200, 200]),
    (lambda: "/admin/references/reference/add/", [LOGIN, 200, 200, 403, 200, 200]),
    (
        lambda: "/admin/references/reference/import/",
        [LOGIN, 200, 200, 403, 200, 200],
    ),
    (
        lambda: (
            "/admin/references/reference/"
            f"{Reference.objects.get(citation_key='najmabadi2021').pk}/change/"
        ),
        [LOGIN, 200, 200, 200, 200, 200],
    ),
    (
        lambda: (
            "/admin/articles/contributor/"
            f"{User.objects.get(username='writer').contributor.pk}/change/"
        ),
        [LOGIN, 200, 200, 200, 200, 200],
    ),
    # The contributor form's account search: names, never addresses.
    (
        lambda: "/admin/articles/contributor/users/?term=o",
        [LOGIN, 403, 403, 403, 200, 200],
    ),
    (lambda: "/admin/articles/notification/", [LOGIN, 200, 200, 200, 200, 200]),
    # Reader reports: writers see those on their own articles; nobody adds one.
    (lambda: "/admin/articles/readerreport/", [LOGIN, 200, 200, 200, 200, 200]),
    (lambda: "/admin/articles/readerreport/add/", [LOGIN, 403, 403, 403, 403, 403]),
    # Synonyms are the editors' to keep.
    (lambda: "/admin/articles/synonym/", [LOGIN, 403, 403, 403, 200, 200]),
    (lambda: "/admin/articles/synonym/add/", [LOGIN, 403, 403, 403, 200, 200]),
    (
        lambda: "/admin/django_tasks_database/dbtaskresult/",
        [LOGIN] + [403] * 3 + [200] * 2,
    ),
    (
        lambda: f"/admin/django_tasks_database/dbtaskresult/{task_result().pk}/change/",
        [LOGIN, 403, 403, 403, 200, 200],
    ),
    (
        lambda: "/admin/django_tasks_database/dbtaskresult/?traceback__icontains=a",
        [LOGIN, 403, 403, 403, 400, 200],
    ),
    # Log-out is a POST; "view on site" only for what the user may see.
    (lambda: "/admin/logout/", [LOGIN, 405, 405, 405, 405, 405]),
    (lambda: view_on_site(writers_draft()), [LOGIN, 302, 404, 302, 302, 302]),
    (lambda: view_on_site(preview_link()), [LOGIN, 404, 404, 404, 404, 404]),
    (lambda: "/admin/auth/user/", [LOGIN, 403, 403, 403, 403, 200]),
    (lambda: "/admin/auth/group/", [LOGIN, 403, 403, 403, 403, 200]),
]


@pytest.mark.parametrize(
    "url, expected", PAGES, ids=[str(i) for i in range(len(PAGES))]
)
def test_admin_page_matrix(client, demo, url, expected):
    """Every role gets the expected answer from every admin page; a session
    past the password only is sent to the check from each (log-out, a POST,
    answers a GET with 405 as for everyone)."""
    url = url()
    roles = [*ROLES, PASSWORD_ONLY]
    expected = [*expected, 405 if url == "/admin/logout/" else CHECK]
    answers = [answer(client, role, url) for role in roles]
    assert dict(zip(roles, answers, strict=True)) == dict(
        zip(roles, expected, strict=True)
    ), url


def test_writers_see_only_their_own_revisions_and_reviews(client, demo):
    """Another writer's drafts and the reviewer's comments stay out of a
    writer's revision and review lists."""
    client_for(client, "otherwriter")
    revisions = client.get("/admin/articles/revision/").context["cl"].result_count
    reviews = client.get("/admin/articles/review/").context["cl"].result_count
    assert (revisions, reviews) == (0, 0)
    client_for(client, "writer")
    assert client.get("/admin/articles/revision/").context["cl"].result_count > 0
    assert client.get("/admin/articles/review/").context["cl"].result_count > 0


def visible_rows(client, model) -> set[int] | None:
    """The ids a changelist shows its user (None when it refuses them)."""
    opts = model._meta
    response = client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    if response.status_code == 403:
        return None
    return {obj.pk for obj in response.context["cl"].queryset}


def own_article_ids(role) -> set[int]:
    return set(
        Article.objects.filter(authors__user__username=role).values_list(
            "pk", flat=True
        )
    )


@pytest.mark.parametrize("role", ROLES[1:])
def test_record_lists_show_only_the_rows_of_articles_the_user_may_see(
    client, demo, role
):
    """Revisions, reviews and audit entries follow the article list's rule
    (writers: their own articles; reviewers and editors: all), and the
    notifications list is each person's own."""
    client_for(client, role)
    sees_all = role in {"reviewer", "editor", "admin"}
    articles = own_article_ids(role) if not sees_all else None
    for model, lookup in [
        (Revision, "article"),
        (Review, "revision__article"),
        (AuditEntry, "article"),
    ]:
        rows = model.objects.all()
        if articles is not None:
            rows = rows.filter(**{f"{lookup}__in": articles})
        expected = set(rows.values_list("pk", flat=True))
        if model is AuditEntry and not sees_all:
            expected = None  # writers have no audit log at all
        assert visible_rows(client, model) == expected, (role, model.__name__)
    mine = Notification.objects.filter(recipient__username=role)
    assert visible_rows(client, Notification) == set(mine.values_list("pk", flat=True))


def test_a_writer_cannot_open_another_writers_records(client, demo):
    """Change pages of another writer's revision and review redirect to the
    index as missing; the review screen and comments answer 404."""
    article = in_review()
    revision = article.current_revision
    review = Review.objects.filter(revision__article=sent_back()).first()
    client_for(client, "otherwriter")
    for url in [
        reverse("admin:articles_revision_change", args=[revision.pk]),
        reverse("admin:articles_review_change", args=[review.pk]),
    ]:
        assert client.get(url).status_code == GONE, url
    review_screen = reverse("admin:articles_article_review", args=[article.pk])
    assert client.get(review_screen).status_code == 404


def test_every_admin_page_loads_for_every_role(client, demo):
    """Changelist, add, change, history and delete pages of every registered
    model answer without a server error for every demo role."""
    for role in ROLES[1:]:
        client_for(client, role)
        for model in admin.site._registry:
            opts = model._meta
            prefix = f"admin:{opts.app_label}_{opts.model_name}"
            urls = [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
            for obj in model._default_manager.all()[:3]:
                for view in ("change", "history", "delete"):
                    urls.append(reverse(f"{prefix}_{view}", args=[obj.pk]))
            for url in urls:
                status = client.get(url).status_code
                assert status in {200, 302, 403, 404}, (role, url, status)


def test_editor_can_pick_a_user_for_a_contributor_profile(client, demo):
    """Editors find a staff account by name in the user field's autocomplete and
    link a profile to it, without any user-admin rights."""
    client_for(client, "editor")
    otto = User.objects.get(username="otherwriter")
    otto.contributor.delete()
    page = client.get("/admin/articles/contributor/add/").content.decode()
    assert 'data-ajax--url="/admin/articles/contributor/users/"' in page
    found = client.get("/admin/articles/contributor/users/", {"term": "otherw"})
    assert found.json()["results"] == [{"id": str(otto.pk), "text": "otherwriter"}]
    response = client.post(
        "/admin/articles/contributor/add/",
        {
            "user": otto.pk,
            "display_name": "Otto Other",
            "slug": "otto-other",
        },
    )
    assert response.status_code == 302
    otto.refresh_from_db()
    assert otto.contributor.slug == "otto-other"


# Workflow actions: who may run each one, and what it does to the article.


def run_action(client, article, action, **data):
    payload = {"CHANGE_FORM-action": action, "_selected_action": article.pk}
    payload.update(data)
    client.post(reverse("admin:articles_article_change", args=[article.pk]), payload)
    article.refresh_from_db()
    return article


def in_review():
    return Article.objects.get(slug="bleeding-in-early-pregnancy")


def sent_back():
    return Article.objects.get(slug="cervical-mucus-and-miscarriage")


ACTIONS = [
    # action, article, extra form data, the status it leads to, roles allowed
    (
        "submit_for_review",
        sent_back,
        {},
        Article.Status.IN_REVIEW,
        {"writer", "editor", "admin"},
    ),
    (
        "approve",
        in_review,
        {"confirm": "1", "comment": "OK", "full_review": "on", **APPROVAL},
        Article.Status.APPROVED,
        {"reviewer", "admin"},
    ),
    (
        "request_changes",
        in_review,
        {"confirm": "1", "comment": "Cite the trial."},
        Article.Status.CHANGES_REQUESTED,
        {"reviewer", "admin"},
    ),
    (
        "unpublish",
        live_article,
        {"confirm": "1", "reason": "Superseded."},
        Article.Status.WITHDRAWN,
        {"editor", "admin"},
    ),
]


@pytest.mark.parametrize("action, target, data, result, allowed", ACTIONS)
@pytest.mark.parametrize("role", ROLES[1:])
def test_workflow_action_matrix(
    client, demo, role, action, target, data, result, allowed
):
    """A workflow action changes the article only for the roles allowed it."""
    if role == "admin":
        # The superuser has no credentialed profile, so may not review.
        allowed = (
            allowed - {"admin"} if action in {"approve", "request_changes"} else allowed
        )
    article = target()
    before = article.status
    after = run_action(client_for(client, role), article, action, **data).status
    if role in allowed:
        assert after == result, (role, action)
    else:
        assert after == before, (role, action)


def test_publish_needs_the_publish_permission(client, demo):
    """Only editors publish an approved revision, even by a forged request."""
    article = in_review()
    article.approve(by=User.objects.get(username="reviewer"))
    for role in ["writer", "otherwriter", "reviewer"]:
        assert run_action(client_for(client, role), article, "publish").status == (
            Article.Status.APPROVED
        )
    assert run_action(client_for(client, "editor"), article, "publish").is_live


def test_restore_needs_edit_rights(client, demo):
    """Restoring an old revision is refused to those who may not edit."""
    article = Article.objects.get(slug="progesterone-and-miscarriage")
    url = reverse("admin:articles_article_restore", args=[article.pk, 1])
    for role in ["otherwriter", "reviewer"]:
        response = client_for(client, role).post(url)
        assert response.status_code in {403, 404}, role
    count = article.revisions.count()
    client_for(client, "writer").post(url, {"note": "Back to the reviewed text."})
    assert article.revisions.count() == count + 1


def test_preview_links_for_reviewers_and_editors_only(client, demo):
    """Writers cannot mint share links; a malformed revoke is a 400, not a 500."""
    article = live_article()
    url = reverse("admin:articles_article_preview_links", args=[article.pk])
    assert client_for(client, "writer").post(url, {"days": 3}).status_code == 403
    assert client_for(client, "editor").post(url, {"days": 3}).status_code == 302
    assert PreviewLink.objects.filter(revision__article=article).count() == 1
    assert client.post(url, {"revoke": "abc"}).status_code == 400
    assert client.post(url, {"revoke": "99999"}).status_code == 404


def png_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="PNG")
    return SimpleUploadedFile("x.png", buffer.getvalue(), "image/png")


def test_editor_tools_refuse_readers_and_reviewers(client, demo):
    """The preview and upload endpoints answer only staff who may edit."""
    markdownify, upload = "/admin/markdownx/markdownify/", "/admin/markdownx/upload/"
    client_for(client, "anonymous")
    assert client.post(markdownify, {"content": "x"}).status_code == 302
    assert client.post(upload, {"image": png_upload()}).status_code == 302
    client_for(client, "reviewer")
    assert client.post(markdownify, {"content": "x"}).status_code == 403
    assert client.post(upload, {"image": png_upload()}).status_code == 403
    client_for(client, "writer")
    assert client.post(markdownify, {"content": "x"}).status_code == 200
    assert client.post(upload, {"image": png_upload()}).status_code == 200


def test_a_password_only_session_reaches_no_desk_endpoint(client, demo):
    """The desk's endpoints and workflow actions refuse a superuser whose
    session has not passed the second factor."""
    article = in_review()
    client_for(client, PASSWORD_ONLY)
    for url, data in [
        ("/admin/markdownx/markdownify/", {"content": "x"}),
        ("/admin/markdownx/upload/", {"image": png_upload()}),
        (f"/admin/articles/article/{article.pk}/preview-links/", {"days": 3}),
        ("/admin/articles/article/add/", {"title": "x"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    lookup = client.get(
        "/admin/cite/references/?q=mucus", headers={"accept": "application/json"}
    )
    assert lookup.status_code == 403
    approve = {"confirm": "1", "comment": "OK", "full_review": "on", **APPROVAL}
    assert run_action(client, article, "approve", **approve).status == (
        Article.Status.IN_REVIEW
    )
    assert not PreviewLink.objects.filter(revision__article=article).exists()


def test_writers_cannot_change_topics_or_reviews(client, demo):
    """View-only models stay view-only for writers, whatever they post."""
    topic = Topic.objects.first()
    client_for(client, "writer")
    client.post(
        reverse("admin:articles_topic_change", args=[topic.pk]),
        {"name": "Hijacked", "slug": topic.slug, "review_interval_months": 1},
    )
    topic.refresh_from_db()
    assert topic.name != "Hijacked"
    review = Review.objects.first()
    response = client.post(
        reverse("admin:articles_review_change", args=[review.pk]), {"comment": "x"}
    )
    assert response.status_code == 403


def test_custom_admin_pages_share_the_admin_layout(client, demo):
    """Dashboard, history, compare, preview links, action forms and the import
    page all extend one base template with the admin's breadcrumbs."""
    article = live_article()
    client_for(client, "editor")
    urls = [
        "/admin/articles/article/dashboard/",
        f"/admin/articles/article/{article.pk}/history/",
        f"/admin/articles/article/{article.pk}/compare/",
        f"/admin/articles/article/{article.pk}/preview-links/",
        "/admin/references/reference/import/",
    ]
    responses = [client.get(url) for url in urls]
    responses.append(
        client.post(
            reverse("admin:articles_article_change", args=[article.pk]),
            {"CHANGE_FORM-action": "unpublish", "_selected_action": article.pk},
        )
    )
    for response in responses:
        names = [t.name for t in response.templates]
        assert "admin/editorial_page.html" in names, names[0]
        assert '<ol class="breadcrumbs">' in response.content.decode()

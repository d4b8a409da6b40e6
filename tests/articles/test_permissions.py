"""Who may do what in the admin, checked through real requests on the demo data.

The matrix names, for each role, the answer every admin page and action
gives. A hidden button is not a permission check: these requests are made
whether or not the page offered them.
"""

import io
import os

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from articles.models import Article, PreviewLink, Review, Topic
from references.models import Reference
from tests.conftest import APPROVAL, make_user

ROLES = ["anonymous", "writer", "otherwriter", "reviewer", "editor", "admin"]
LOGIN = 302  # anonymous requests are sent to the login page
GONE = 302  # the admin redirects a missing (or out-of-scope) object to the index


@pytest.fixture
def demo(db):
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    make_user("otherwriter", "Writers", display_name="Otto Other")


def client_for(client, role):
    client.logout()
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


def live_article():
    return Article.objects.get(slug="cervical-mucus-fertile-window")


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
    (lambda: "/admin/auth/user/", [LOGIN, 403, 403, 403, 403, 200]),
    (lambda: "/admin/auth/group/", [LOGIN, 403, 403, 403, 403, 200]),
]


@pytest.mark.parametrize(
    "url, expected", PAGES, ids=[str(i) for i in range(len(PAGES))]
)
def test_admin_page_matrix(client, demo, url, expected):
    """Every role gets the expected answer from every admin page."""
    url = url()
    answers = [client_for(client, role).get(url).status_code for role in ROLES]
    assert dict(zip(ROLES, answers, strict=True)) == dict(
        zip(ROLES, expected, strict=True)
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
    """Editors link a profile to a staff account without any user-admin rights."""
    client_for(client, "editor")
    otto = User.objects.get(username="otherwriter")
    otto.contributor.delete()
    page = client.get("/admin/articles/contributor/add/")
    assert f'value="{otto.pk}"' in page.content.decode()
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

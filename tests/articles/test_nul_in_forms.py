"""A NUL character typed or pasted on the desk: the form again, with the text
(NUL taken out) and a field error, never a bare 400 that loses the text, and
never a 500 (PostgreSQL refuses NUL in text at the driver)."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from articles.models import Article, ReviewComment
from references.models import Reference
from siteconf.admin_input import NUL_MESSAGE
from tests.conftest import APPROVAL, publish

BODY = (
    "Mucus changes through the cycle.\x00 It thins before ovulation [@najmabadi2021]."
)
KEPT = BODY.replace("\x00", "")


def form_data(client, url) -> dict:
    """What the admin form at `url` would post unchanged."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None and not isinstance(value, FieldFile):
            data[name] = value
    return data


def errors_of(response) -> dict:
    return response.context["adminform"].form.errors


def test_the_article_form_keeps_the_text_and_names_the_nul(client, writer, article):
    """A NUL in the body and the title: the form again, each field saying
    why, the text kept without the NUL, nothing saved."""
    client.force_login(writer)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client, url)
    data.update(title="Cervical\x00 mucus", body=BODY)
    response = client.post(url, data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert errors["body"] == [NUL_MESSAGE] and errors["title"] == [NUL_MESSAGE]
    assert "which cannot be stored" in response.text
    form = response.context["adminform"].form
    assert form["body"].value() == KEPT
    assert form["title"].value() == "Cervical mucus"
    article.refresh_from_db()
    assert "\x00" not in article.body and article.body != KEPT


def test_saving_the_form_again_stores_the_text(client, writer, article):
    """The text shown after the refusal saves as it stands."""
    client.force_login(writer)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client, url)
    data["body"] = BODY
    form = client.post(url, data).context["adminform"].form
    again = {**data, "body": form["body"].value()}
    assert client.post(url, again).status_code == 302
    article.refresh_from_db()
    assert article.body == KEPT


def test_a_new_article_with_a_nul_is_not_lost(client, writer, reference):
    """The add form too: the form again with the text, no article created."""
    client.force_login(writer)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Cervical mucus",
            "slug": "cervical-mucus",
            "summary": "What changes\x00 in mucus tell you.",
            "body": BODY,
            "medical_audience": "patient",
        },
    )
    assert response.status_code == 200
    assert set(errors_of(response)) == {"summary", "body"}
    assert response.context["adminform"].form["body"].value() == KEPT
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "url, field",
    [
        ("admin:references_reference_add", "title"),
        ("admin:articles_topic_add", "name"),
        ("admin:articles_contributor_add", "bio"),
        ("admin:references_journalabbreviation_add", "title"),
    ],
)
def test_other_desk_forms_refuse_a_nul_in_place(client, editor, url, field, db):
    """References, topics, contributors, journal abbreviations."""
    client.force_login(
        type(editor).objects.create_superuser("root", "root@example.org", "x")
    )
    url = reverse(url)
    response = client.post(url, {**form_data(client, url), field: "Some\x00 text"})
    assert response.status_code == 200
    assert errors_of(response)[field] == [NUL_MESSAGE]
    assert response.context["adminform"].form[field].value() == "Some text"


def test_a_review_comment_with_a_nul_is_refused_with_the_reason(
    client, article, writer, reviewer
):
    """The review screen's comment endpoint answers the field error."""
    article.submit_for_review(by=writer)
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:articles_article_comment_add", args=[article.pk]),
        {
            "quote": "Mucus changes",
            "body": "Which\x00 study?",
            "revision": article.current_revision.number,
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.text
    assert not ReviewComment.objects.exists()


def test_the_review_decision_keeps_the_comment(client, article, writer, reviewer):
    """Requesting changes with a NUL in the comment: the screen again, the
    comment kept, no decision taken."""
    article.submit_for_review(by=writer)
    client.force_login(reviewer)
    url = reverse("admin:articles_article_review", args=[article.pk])
    response = client.post(
        url,
        {
            "decision": "request_changes",
            "comment": "Cite the\x00 trial.",
            **APPROVAL,
        },
    )
    assert response.status_code == 200
    assert "cannot be stored" in response.text
    assert "Cite the trial." in response.text
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW


def test_the_withdrawal_reason_keeps_its_text(
    client, article, writer, reviewer, editor
):
    """The withdraw action's reason: the confirmation page again, with it."""
    live = publish(article, writer, reviewer, editor)
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {
            "action": "unpublish",
            "_selected_action": live.pk,
            "index": 0,
            "confirm": "1",
            "reason": "Superseded\x00 by new guidance.",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [NUL_MESSAGE]
    assert "Superseded by new guidance." in response.text
    live.refresh_from_db()
    assert live.is_live


def test_a_nul_from_outside_the_desk_is_still_refused_at_the_edge(client, writer):
    """Someone not signed in (the log-in form) still gets the 400 page."""
    response = client.post(reverse("admin:login"), {"username": "wri\x00ter"})
    assert response.status_code == 400


def posts_with_nul(article, reference) -> list[tuple[str, dict]]:
    """Every kind of POST the desk takes, each value carrying a NUL."""
    nul = "x\x00y"
    pk = article.pk
    posts = [
        (reverse("admin:articles_article_preview_links", args=[pk]), {"note": nul}),
        (reverse("admin:articles_article_preview_links", args=[pk]), {"revoke": nul}),
        (reverse("admin:articles_article_restore", args=[pk, 1]), {"note": nul}),
        (reverse("admin:articles_article_review", args=[pk]), {"decision": nul}),
        (
            reverse("admin:articles_article_comment_add", args=[pk]),
            {"quote": nul, "body": nul, "prefix": nul, "revision": nul},
        ),
        (reverse("admin:articles_notification_read_all"), {"next": nul}),
        (reverse("admin:articles_notification_preferences"), {"kinds": nul}),
        (reverse("admin:references_reference_lookup"), {"identifier": nul}),
        (reverse("admin:references_reference_import"), {"text": nul}),
        (reverse("admin:references_reference_import"), {"token": nul}),
        (reverse("markdownx_markdownify"), {"content": nul}),
        (reverse("admin:password_change"), {"old_password": nul}),
        (reverse("admin:articles_article_delete", args=[pk]), {"post": nul}),
        (
            reverse("admin:references_reference_delete", args=[reference.pk]),
            {"post": nul},
        ),
        (
            reverse("admin:articles_article_changelist"),
            {"action": nul, "_selected_action": nul, "index": nul},
        ),
        (
            reverse("admin:articles_article_change", args=[pk]),
            {"CHANGE_FORM-action": nul, "_selected_action": pk},
        ),
        (
            reverse("admin:articles_article_change", args=[pk]),
            {"_changelist_filters": nul, "_continue": nul, "title": nul},
        ),
    ]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        form = model_admin.form
        fields = getattr(form, "base_fields", {}) or {
            f.name: f for f in model._meta.fields
        }
        posts.append(
            (reverse("admin:{}_{}_add".format(*info)), dict.fromkeys(fields, nul))
        )
    return posts


def test_no_desk_post_with_a_nul_is_a_server_error(
    client, article, reference, writer, reviewer, editor, admin_user
):
    """Every form and endpoint of the desk, as a superuser: NUL everywhere
    is a page, a refusal or a redirect, and nothing with a NUL is stored."""
    article.submit_for_review(by=writer)
    client.force_login(admin_user)
    image = SimpleUploadedFile("a.png", b"\x89PNG\x00", "image/png")
    posts = [*posts_with_nul(article, reference)]
    posts.append((reverse("markdownx_upload"), {"image": image, "alt": "x\x00y"}))
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)
    assert not Reference.objects.filter(title__contains="y").exists()
    assert not Article.objects.exclude(pk=article.pk).exists()

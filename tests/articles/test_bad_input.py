"""Absurd parameters on admin lists and public pages: a page, or Django's
`?e=1` redirect for a filter it cannot run, never a 500 (on SQLite and
PostgreSQL)."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from articles.models import Article
from siteconf.admin_input import CheckedChangeList
from tests.conftest import publish

BIG = "99999999999999999999"
DATE_LOOKUPS = [
    ("year", "99999"),
    ("year", "0"),
    ("year", "-1"),
    ("year", BIG),
    ("iso_year", "99999"),
    ("month", BIG),
    ("day", "32"),
    ("week_day", BIG),
    ("gte", "99999-01-01"),
    ("lt", "0000-00-00"),
    ("date", "10000-01-01"),
    ("range", "0001-01-01,99999-12-31"),
]
OTHER_PARAMS = [
    {"p": "abc"},
    {"p": BIG},
    {"o": "999"},
    {"o": "1.-x.abc"},
    {"all": ""},
    {"all": "1", "p": "2"},
    {"topics__id__exact": "abc"},
    {"topic__id__exact": "abc"},
    {"id__in": "1,abc"},
    {"id__exact": BIG},
    {"_facets": "1", "id__gt": BIG},
    {"title__regex": "("},
    {"title__iregex": "[a-"},
    {"title__startswith": "("},
]


def listed_models() -> list:
    """The models with an admin list (django-rq's dashboard, when installed,
    is a page of its own)."""
    return sorted(
        (model for model in admin.site._registry if model._meta.managed),
        key=lambda model: model._meta.label,
    )


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def date_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.DateField) and not field.is_relation
    ]


def assert_answered(response) -> None:
    """A page, or the list without its filter (?e=1); never a server error."""
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")
    else:
        assert response.status_code == 200


@pytest.fixture
def live(article, writer, reviewer, editor):
    return publish(article, writer, reviewer, editor)


def test_the_reported_year_is_the_list_without_the_filter(admin_client, live):
    """`?updated_at__year=99999` on the article list, a 500 before, is ?e=1."""
    url = reverse("admin:articles_article_changelist")
    response = admin_client.get(url, {"updated_at__year": "99999"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?e=1"
    assert admin_client.get(response["Location"]).status_code == 200


def test_a_sensible_year_still_filters(admin_client, live):
    """The check refuses only what the database cannot run."""
    url = reverse("admin:articles_article_changelist")
    year = live.updated_at.year
    response = admin_client.get(url, {"updated_at__year": year})
    assert list(response.context["cl"].result_list) == [live]
    response = admin_client.get(url, {"updated_at__year": year + 1})
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("model", listed_models(), ids=lambda m: m._meta.label)
def test_absurd_dates_on_every_list(admin_client, live, model):
    """Every date field of every list, with years, months and days no
    calendar has, and dates past 9999."""
    for name in date_fields(model):
        for lookup, value in DATE_LOOKUPS:
            params = {f"{name}__{lookup}": value}
            assert_answered(admin_client.get(changelist(model), params))


@pytest.mark.parametrize("model", listed_models(), ids=lambda m: m._meta.label)
def test_other_absurd_parameters_on_every_list(admin_client, live, model):
    """Pages that are not numbers, orderings past the columns, ids past 64
    bits, regular expressions, filters on fields the model lacks."""
    for params in OTHER_PARAMS:
        assert_answered(admin_client.get(changelist(model), params))


def test_every_admin_uses_the_checked_change_list(rf, admin_user):
    """A list added later gets the same checks (mix in RefusesBadInput)."""
    request = rf.get("/")
    request.user = admin_user
    for model in listed_models():
        model_admin = admin.site.get_model_admin(model)
        assert issubclass(model_admin.get_changelist(request), CheckedChangeList), type(
            model_admin
        ).__name__


def test_a_huge_search_is_ignored_with_a_message(admin_client, live):
    """100,000 characters, or 50,000 words, in the list's search box: the
    list, unsearched, saying why (SQLite refused the first, and PostgreSQL
    spent minutes on the second)."""
    url = reverse("admin:articles_article_changelist")
    for q in ("x" * 100_000, "a " * 50_000):
        response = admin_client.get(url, {"q": q})
        assert response.status_code == 200
        assert "Search for at most 20 words and 300 characters." in response.text
        assert list(response.context["cl"].result_list) == [live]


def test_an_ordinary_search_still_finds(admin_client, live):
    url = reverse("admin:articles_article_changelist")
    response = admin_client.get(url, {"q": "cervical mucus"})
    assert list(response.context["cl"].result_list) == [live]
    response = admin_client.get(url, {"q": "no such words"})
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("field_name", ["references", "topics", "authors"])
def test_a_huge_autocomplete_search_answers(admin_client, live, field_name):
    """The autocomplete widgets' searches are cut to the same limit."""
    for term in ("x" * 100_000, "a " * 50_000):
        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "app_label": "articles",
                "model_name": "article",
                "field_name": field_name,
                "term": term,
            },
        )
        assert response.status_code == 200


@pytest.mark.parametrize("selected", ["abc", BIG, "1.5"])
@pytest.mark.parametrize(
    "url",
    [
        "/admin/articles/article/",
        "/admin/references/reference/",
        "/admin/auth/user/",
    ],
)
def test_an_unreadable_selection_is_refused_with_a_message(
    admin_client, live, url, selected
):
    """An action on ids no database holds: the list again, saying so."""
    response = admin_client.post(
        url,
        {"action": "delete_selected", "_selected_action": selected, "index": "0"},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert "The selection could not be read; select the items again." in messages
    assert Article.objects.filter(pk=live.pk).exists()


def test_an_empty_to_field_opens_the_change_form(admin_client, live):
    """`?_to_field=` (empty) is no field name: the form, not a 500."""
    url = reverse("admin:articles_article_change", args=[live.pk])
    assert admin_client.get(url, {"_to_field": ""}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": BIG},
        {"page": "-1"},
        {"q": "x" * 100_000},
        {"q": "a " * 50_000},
        {"q": "(", "page": "2"},
        {"all": ""},
        {"o": "999"},
        {"topic__id__exact": "abc"},
    ],
)
def test_public_pages_answer_absurd_parameters(client, live, params):
    """The reader's site: every page answers, whatever the query string."""
    topic = live.topics.first()
    for url in [
        "/",
        live.get_absolute_url(),
        f"/topics/{topic.slug}/",
        f"/contributors/{live.authors.first().slug}/",
        "/search/",
        "/feed/",
        "/sitemap.xml",
    ]:
        assert client.get(url, params).status_code in {200, 301, 302, 404}, url

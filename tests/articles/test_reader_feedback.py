"""Readers' feedback on the public side: "Is this page useful?", problem
reports, and the guards of a form that has no session (origin, size,
honeypot, rate per hashed address), without costing the page cache anything."""

import datetime
import io
import re

import pytest
from django.core import serializers
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import reader_reports
from articles.letters import report_letter
from articles.models import Article, Notification, PageVotes, ReaderReport
from articles.public import feedback_guard

SITE = "http://testserver"
ADDRESS = "203.0.113.9"
QUOTE = "Mucus changes"


@pytest.fixture
def live(live_in_topic):
    return live_in_topic


def feedback_url(article) -> str:
    return reverse("articles:feedback", args=[article.slug])


def post(client, article, data, json=False, origin=SITE, address=ADDRESS, **extra):
    headers = {"REMOTE_ADDR": address, **extra}
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    if json:
        headers["HTTP_ACCEPT"] = "application/json"
    return client.post(feedback_url(article), data, **headers)


def cache_keys() -> list[str]:
    """Every key in the default cache: local memory's, or Redis's."""
    store = cache._cache
    if isinstance(store, dict):
        return [str(key) for key in store]
    return [key.decode() for key in store.get_client(write=False).keys("*")]


def report(**fields) -> dict:
    return {"category": "out_of_date", "quote": QUOTE, "text": "", **fields}


# The page and its cache --------------------------------------------------------


def test_the_form_keeps_the_article_a_zero_query_cached_page(
    client, live, django_assert_num_queries
):
    """The form is on the page, with the live revision's hash and no token or
    cookie, and a repeat visit is still a cache hit that runs no SQL."""
    first = client.get(live.get_absolute_url())
    html = first.content.decode()
    assert "Is this page useful?" in html
    assert f'action="{feedback_url(live)}"' in html
    assert f'value="{live.live_revision.content_hash}"' in html
    assert "csrfmiddlewaretoken" not in html
    assert 'type="module"' in html and "feedback" in html
    assert not first.cookies
    with django_assert_num_queries(0):
        second = client.get(live.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert not second.cookies


def test_a_post_is_never_cached_and_sets_no_cookie(client, live):
    response = post(client, live, {"useful": "yes"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert not response.cookies
    assert "X-Page-Cache" not in response


def test_a_get_of_the_endpoint_goes_back_to_the_article(client, live):
    response = client.get(feedback_url(live))
    assert response.status_code == 302
    assert response["Location"] == live.get_absolute_url() + "#feedback"
    assert "no-store" in response["Cache-Control"]


# Answers and reports -------------------------------------------------------------


def test_yes_and_no_are_counted_per_day(client, live):
    assert "Thank you for your feedback" in post(client, live, {"useful": "yes"}).text
    answer = post(client, live, {"useful": "no"})
    assert "What was wrong?" in answer.text  # the no-JavaScript next step
    assert 'name="category"' in answer.text
    post(client, live, {"useful": "no"})
    votes = PageVotes.objects.get(article=live, day=timezone.localdate())
    assert (votes.yes, votes.no) == (1, 2)
    assert ReaderReport.objects.count() == 0


def test_a_report_is_tied_to_the_revision_read(client, live):
    revision = live.live_revision
    response = post(
        client,
        live,
        report(text="The guidance changed in 2024.", revision=revision.content_hash),
    )
    assert response.status_code == 200
    assert "Thank you for your feedback" in response.text
    saved = ReaderReport.objects.get()
    assert saved.revision == revision
    assert saved.quote == QUOTE
    assert saved.state == ReaderReport.State.NEW
    assert saved.email == ""


def test_an_unknown_or_bad_hash_falls_back_to_the_live_revision(client, live):
    for value in ["f" * 64, "not a hash", "\x00" * 64, "A" * 64]:
        assert post(client, live, report(revision=value)).status_code == 200
    assert set(ReaderReport.objects.values_list("revision", flat=True)) == {
        live.live_revision_id
    }


def test_the_module_gets_json(client, live):
    answer = post(client, live, {"useful": "no"}, json=True).json()
    assert answer == {"ok": True, "step": "report", "message": "", "errors": {}}
    answer = post(client, live, report(), json=True).json()
    assert answer["ok"] and answer["step"] == "thanks"
    refused = post(client, live, {"category": "nonsense"}, json=True)
    assert refused.status_code == 400
    assert "category" in refused.json()["errors"]


def test_a_report_needs_a_category_and_keeps_what_was_typed(client, live):
    typed = "Page says 2019 <but> it is 2025 & more"
    response = post(client, live, {"text": typed, "email": "r@example.org"})
    assert response.status_code == 400
    assert "Choose what was wrong." in response.text
    assert "Page says 2019 &lt;but&gt; it is 2025 &amp; more" in response.text
    assert 'value="r@example.org"' in response.text
    assert not ReaderReport.objects.exists()


def test_a_refused_report_keeps_the_category_chosen(client, live):
    """The no-JavaScript page shows the reader's choice checked, and only it."""
    response = post(client, live, report(text="y" * 2001))
    checked = re.findall(
        r'<input type="radio" name="category" value="(\w+)"[^>]* checked>',
        response.text,
    )
    assert checked == ["out_of_date"]
    assert 'name="revision"' in response.text


def test_every_article_shows_the_same_empty_report_form(client, live):
    """The report's fields are rendered once per process: on the page they
    are empty, none checked, with the page's own action and revision."""
    html = client.get(live.get_absolute_url()).text
    live.refresh_from_db()
    form = html[html.index('class="feedback-report-form"') :]
    form = form[: form.index("</form>")]
    assert f'action="{feedback_url(live)}"' in form
    assert f'name="revision" value="{live.live_card["hash"]}"' in form
    assert form.count('name="category"') == len(ReaderReport.Category.choices)
    assert " checked" not in form and 'id="feedback-quote"' in form


# Hostile input -------------------------------------------------------------------


def test_a_100_kb_text_is_refused_before_it_is_read(client, live):
    response = post(client, live, report(text="x" * 100_000))
    assert response.status_code == 413
    assert "too long" in response.text
    json = post(client, live, report(text="x" * 100_000), json=True)
    assert json.status_code == 413 and "too long" in json.json()["message"]
    assert not ReaderReport.objects.exists()


def test_a_text_over_the_limit_is_refused_and_kept(client, live):
    response = post(client, live, report(text="y" * 2001))
    assert response.status_code == 400
    assert "y" * 2001 in response.text
    assert "at most 2000 characters" in response.text
    assert not ReaderReport.objects.exists()


@pytest.mark.parametrize("field", ["quote", "text", "email", "category"])
def test_a_nul_byte_in_any_field_is_refused_clearly(client, live, field):
    data = report(**{field: "bad\x00value"})
    response = post(client, live, data, json=True)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ReaderReport.objects.exists()


def test_script_is_kept_as_text_and_shown_escaped_in_the_desk(client, live, editor):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post(client, live, report(quote=script, text=script, category="other"))
    saved = ReaderReport.objects.get()
    assert saved.text == script
    client.force_login(editor)
    for url in (
        reverse("admin:articles_readerreport_change", args=[saved.pk]),
        reverse("admin:articles_readerreport_changelist"),
    ):
        html = client.get(url).text
        assert "<script>alert" not in html
        assert "onerror=alert" not in html or "&lt;img" in html
        assert "&lt;script&gt;alert" in html


def test_the_honeypot_is_thanked_and_forgotten(client, live):
    response = post(client, live, report(website="http://spam.example"))
    assert response.status_code == 200
    assert "Thank you" in response.text
    post(client, live, {"useful": "yes", "website": "x"})
    assert not ReaderReport.objects.exists()
    assert not PageVotes.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"origin": None},
        {"origin": None, "HTTP_REFERER": "https://evil.example/articles/x/"},
        {"origin": None, "HTTP_REFERER": "not a url"},
    ],
)
def test_posts_from_elsewhere_are_refused(client, live, headers):
    response = post(client, live, report(), **headers)
    assert response.status_code == 403
    assert "could not tell that this came from our page" in response.text
    assert not ReaderReport.objects.exists()


def test_a_referer_from_our_page_will_do(client, live):
    response = post(
        client,
        live,
        report(),
        origin=None,
        HTTP_REFERER=f"{SITE}{live.get_absolute_url()}",
    )
    assert response.status_code == 200


def test_a_burst_of_1000_posts_from_one_address_is_slowed(client, live):
    """The first ten count; the rest get a clear 429 with Retry-After, and
    another address is not held up. No key holds the address."""
    statuses = [post(client, live, {"useful": "yes"}).status_code for _ in range(1000)]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 990
    refused = post(client, live, {"useful": "yes"})
    assert "a lot of feedback from your connection" in refused.text
    assert refused["Retry-After"] == "600"
    assert PageVotes.objects.get(article=live).yes == 10
    assert (
        post(client, live, {"useful": "yes"}, address="198.51.100.7").status_code == 200
    )
    keys = " ".join(cache_keys())
    assert ADDRESS not in keys and "198.51.100.7" not in keys


def test_the_address_key_changes_every_day(rf):
    request = rf.post("/", REMOTE_ADDR=ADDRESS)
    today = datetime.date(2026, 12, 7)
    tomorrow = today + datetime.timedelta(days=1)
    key = feedback_guard.address_key(request, today)
    assert key == feedback_guard.address_key(request, today)
    assert key != feedback_guard.address_key(request, tomorrow)
    assert ADDRESS not in key


def test_feedback_works_while_redis_is_down(client, live, dead_redis):
    assert post(client, live, {"useful": "yes"}).status_code == 200
    assert PageVotes.objects.get(article=live).yes == 1


def test_a_withdrawn_page_takes_no_feedback(client, live, editor):
    live.unpublish(by=editor, reason="Out of date.")
    response = post(client, live, report())
    assert response.status_code == 404
    assert "no longer published" in response.text


def test_nothing_about_the_reader_is_stored(client, live):
    post(
        client,
        live,
        report(email="reader@example.org"),
        HTTP_USER_AGENT="Agent/7.7 (very identifying)",
    )
    stored = serializers.serialize("json", ReaderReport.objects.all())
    stored += serializers.serialize("json", PageVotes.objects.all())
    assert ADDRESS not in stored
    assert "identifying" not in stored
    names = {field.name for field in ReaderReport._meta.get_fields()}
    assert not names & {"ip", "address", "user_agent", "cookie", "session"}


# Who hears about it --------------------------------------------------------------


def test_medical_reports_tell_the_reviewer_and_editors_once_an_hour(
    client, live, reviewer, editor
):
    post(client, live, report(category="hard_to_understand"))
    assert not Notification.objects.filter(kind="reader_report").exists()
    post(client, live, report(category="inaccurate", text="The dose is wrong."))
    told = set(
        Notification.objects.filter(kind="reader_report").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"reviewer", "editor"} <= told
    post(client, live, report(category="out_of_date"))
    assert (
        Notification.objects.filter(kind="reader_report", recipient=reviewer).count()
        == 1
    )


def test_the_letter_quotes_the_passage_on_one_subject_line(client, live):
    post(client, live, report(quote="Mucus\nchanges", text="Line one\nline two"))
    letter = report_letter(ReaderReport.objects.get())
    assert "\n" not in letter.subject
    assert "> Mucus changes" in letter.body
    assert "Line one\nline two" in letter.body
    assert letter.subject.startswith("[Reader report]")


def test_counts_and_reports_go_after_the_retention_period(live, settings):
    old = timezone.now() - datetime.timedelta(days=549)
    ReaderReport.objects.create(
        article=live, revision=live.live_revision, category="other", created_at=old
    )
    ReaderReport.objects.create(
        article=live, revision=live.live_revision, category="other"
    )
    PageVotes.objects.create(article=live, day=old.date(), yes=3)
    PageVotes.objects.create(article=live, day=timezone.localdate(), yes=1)
    assert reader_reports.prune() == {"reports": 1, "counts": 1}
    assert ReaderReport.objects.count() == 1 and PageVotes.objects.count() == 1
    settings.HEALTH_FEEDBACK = {"RETENTION_DAYS": 0}
    out = io.StringIO()
    call_command("prune_feedback", stdout=out)
    assert "Deleted 1 reader report(s)" in out.getvalue()
    assert Article.objects.filter(pk=live.pk).exists()

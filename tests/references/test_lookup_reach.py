"""A lookup never reaches inside the network (issue 15): redirects stay on each
service's allow-list, answers are capped, and one deadline ends the lookup."""

import logging
import time

import pytest
from django.contrib.messages import get_messages

from references.identifiers import IdentifierError
from references.lookup import ServiceError, look_up
from siteconf.checks import check_lookup_allow_internal
from tests.references.replay import FIXTURES, JSON, Answer, ReplayServer

LOOKUP_URL = "/admin/references/reference/lookup/"
ADD_URL = "/admin/references/reference/add/"
PLOS_DOI = "10.1371/journal.pone.0033693"
CROSSREF_PLOS = f"/crossref/works/{PLOS_DOI}"
# Crossref has no record of this DOI, so doi.org is asked next.
ELSEWHERE_DOI = "10.5555/elsewhere"
DOI_ELSEWHERE = f"/doi/{ELSEWHERE_DOI}"
SECRET = b'{"AccessKeyId": "INTERNAL-SECRET", "title": ["INTERNAL-SECRET"]}'
METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
BIG = 6 * 1024 * 1024


@pytest.fixture
def canary():
    """An internal service on another port of 127.0.0.1, with a secret to leak."""
    server = ReplayServer()
    server.script("/internal", *[Answer(200, SECRET, JSON)] * 5)
    yield server
    server.close()


def redirect(location: str) -> Answer:
    return Answer(302, b"", headers={"Location": location})


def look_up_in_admin(client, user, identifier: str):
    """Post the identifier to the lookup page as `user`; the page it ends on
    and the messages shown there."""
    client.force_login(user)
    response = client.post(LOOKUP_URL, {"identifier": identifier}, follow=True)
    return response, [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "location",
    [
        "{canary}/internal",
        METADATA,
        "https://evil.example.net/works/10.5555/elsewhere",
    ],
    ids=["loopback-canary", "cloud-metadata", "unlisted-host"],
)
def test_a_redirect_off_the_list_opens_the_manual_form(
    client, editor, replay, canary, location
):
    """doi.org sending us to 127.0.0.1, the metadata address or any other host
    is refused: a message, the form with the DOI, nothing reached or shown."""
    replay.script(DOI_ELSEWHERE, redirect(location.format(canary=canary.url)))
    response, messages = look_up_in_admin(client, editor, ELSEWHERE_DOI)
    assert response.context["adminform"].form.initial["doi"] == ELSEWHERE_DOI
    assert any(
        "could not be looked up: doi.org sent us to an address we do not follow"
        in message
        for message in messages
    )
    assert canary.hits() == 0
    assert "INTERNAL-SECRET" not in response.text
    assert replay.hits(DOI_ELSEWHERE) == 1  # a refusal is not retried


def test_a_huge_answer_opens_the_manual_form(client, editor, replay):
    replay.script(CROSSREF_PLOS, Answer(200, b"[" + b" " * BIG + b"]", JSON))
    response, messages = look_up_in_admin(client, editor, PLOS_DOI)
    assert response.context["adminform"].form.initial["doi"] == PLOS_DOI
    assert any(
        "could not be looked up: Crossref sent an answer too large" in message
        for message in messages
    )


def test_a_slow_crossref_and_a_slow_doi_org_share_one_deadline(
    client, editor, replay, settings
):
    """A slow 404 and a slow fallback, each within the per-read timeout, still
    end when the lookup's deadline does (it held a worker for 33 s)."""
    settings.HEALTH_LOOKUP = {**settings.HEALTH_LOOKUP, "DEADLINE": 1.0}
    replay.script(f"/crossref/works/{ELSEWHERE_DOI}", Answer(404, b"", delay=0.6))
    replay.script(DOI_ELSEWHERE, Answer(200, b"{}", JSON, delay=1.5))
    client.force_login(editor)
    client.get(LOOKUP_URL)  # the first admin page of a process costs more
    started = time.monotonic()
    response = client.post(LOOKUP_URL, {"identifier": ELSEWHERE_DOI}, follow=True)
    assert time.monotonic() - started < 1.9
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(
        "could not be looked up: doi.org did not answer in time" in message
        for message in messages
    )


@pytest.mark.django_db
def test_a_body_dripped_a_byte_at_a_time_ends_at_the_deadline(replay, settings):
    """Each byte comes well within TIMEOUT; the deadline still holds."""
    settings.HEALTH_LOOKUP = {**settings.HEALTH_LOOKUP, "DEADLINE": 1.0}
    replay.script(CROSSREF_PLOS, Answer(200, b"{" + b" " * 200 + b"}", drip=0.05))
    started = time.monotonic()
    with pytest.raises(ServiceError, match="did not answer in time"):
        look_up("doi", PLOS_DOI)
    assert time.monotonic() - started < 2.0


@pytest.mark.django_db
def test_headers_dripped_a_byte_at_a_time_end_at_the_deadline(replay, settings):
    settings.HEALTH_LOOKUP = {**settings.HEALTH_LOOKUP, "DEADLINE": 1.0}
    raw = b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n{}"
    replay.script(CROSSREF_PLOS, Answer(raw=raw, drip=0.05))
    started = time.monotonic()
    with pytest.raises(ServiceError, match="did not answer in time"):
        look_up("doi", PLOS_DOI)
    assert time.monotonic() - started < 2.0


@pytest.mark.django_db
def test_retry_after_never_outlasts_the_deadline(replay, settings):
    """Three 503s asking for 5 s each: the lookup gives up when it must."""
    settings.HEALTH_LOOKUP = {**settings.HEALTH_LOOKUP, "DEADLINE": 1.0}
    busy = Answer(503, b"", headers={"Retry-After": "5"})
    replay.script(CROSSREF_PLOS, busy, busy, busy)
    started = time.monotonic()
    with pytest.raises(ServiceError, match=r"answered with an error \(503\)"):
        look_up("doi", PLOS_DOI)
    assert time.monotonic() - started < 1.5
    assert replay.hits(CROSSREF_PLOS) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer",
    [
        Answer(raw=b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b" " * BIG),
        Answer(raw=b"HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n{}"),
    ],
    ids=["no-length", "huge-declared-length"],
)
def test_an_answer_over_the_cap_is_refused(replay, answer):
    replay.script(CROSSREF_PLOS, answer)
    with pytest.raises(ServiceError, match="too large"):
        look_up("doi", PLOS_DOI)


@pytest.mark.django_db
def test_a_compressed_answer_is_refused_unread(replay):
    """We never ask for gzip, so we never inflate one (no gzip bomb)."""
    replay.script(
        CROSSREF_PLOS,
        Answer(200, b"\x1f\x8b" + b"\0" * 100, headers={"Content-Encoding": "gzip"}),
    )
    with pytest.raises(ServiceError, match="encoding we did not ask for"):
        look_up("doi", PLOS_DOI)


@pytest.mark.django_db
def test_conflicting_lengths_are_an_error(replay):
    """Two Content-Lengths: which one frames the body is anyone's guess."""
    replay.script(CROSSREF_PLOS, Answer(200, b"{}", headers={"Content-Length": "9"}))
    with pytest.raises(ServiceError, match="could not read"):
        look_up("doi", PLOS_DOI)


@pytest.mark.django_db
def test_a_body_longer_than_its_length_is_cut_at_the_length(replay):
    """A small Content-Length in front of a huge body: only the declared
    bytes are read, so the body cannot grow past what was announced."""
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}" + b" " * BIG
    replay.script(CROSSREF_PLOS, Answer(raw=raw))
    with pytest.raises(ServiceError, match="unexpected shape"):
        look_up("doi", PLOS_DOI)


@pytest.mark.django_db
def test_an_answer_cut_short_is_an_error(replay):
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + b'{"message": '
    replay.script(CROSSREF_PLOS, Answer(raw=raw))
    with pytest.raises(ServiceError, match="could not read"):
        look_up("doi", PLOS_DOI)


@pytest.mark.django_db
def test_a_redirect_on_the_list_is_followed(replay):
    """doi.org handing a DOI to its agency's service on a listed origin."""
    body = (FIXTURES / "doi-csl-10.1093-humrep-deab049.json").read_bytes()
    replay.script(DOI_ELSEWHERE, Answer(303, b"", headers={"Location": "/cn/x"}))
    replay.script("/cn/x", Answer(200, body, JSON))
    record = look_up("doi", ELSEWHERE_DOI)
    assert record.journal_abbrev == "Hum Reprod"
    assert replay.requests[-1].headers["Host"] == replay.url.removeprefix("http://")


@pytest.mark.django_db
def test_a_redirect_loop_ends(replay):
    replay.script(DOI_ELSEWHERE, *[redirect(DOI_ELSEWHERE)] * 20)
    with pytest.raises(ServiceError, match="redirected too many times"):
        look_up("doi", ELSEWHERE_DOI)
    assert replay.hits(DOI_ELSEWHERE) == 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    "location",
    [
        "http://doi.org@{netloc}/internal",
        "http://2130706433:{port}/internal",
        "http://0177.0.0.1:{port}/internal",
        "http://[::1]:{port}/internal",
        "http://[::ffff:127.0.0.1]:{port}/internal",
        "https://{own}/doi/10.5555/elsewhere",
        "ftp://{own}/doi/10.5555/elsewhere",
        "//{netloc}/internal",
        "http://localhost:{port}/internal",
        "http://127.0.0.1:{port}\\@evil.example.net/",
        "/doi/" + "x" * 5000,
    ],
)
def test_hostile_locations_are_refused(replay, canary, caplog, location):
    """Userinfo, decimal and octal IPs, IPv6 loopback, another scheme (even to
    the same host and port), a scheme-relative URL: refused with a logged
    warning, the canary untouched."""
    names = {
        "port": canary.port,
        "netloc": canary.url.removeprefix("http://"),
        "own": replay.url.removeprefix("http://"),
    }
    replay.script(DOI_ELSEWHERE, redirect(location.format(**names)))
    refused = pytest.raises(ServiceError, match="address we do not follow")
    with caplog.at_level(logging.WARNING, "references.lookup"), refused:
        look_up("doi", ELSEWHERE_DOI)
    assert canary.hits() == 0
    assert any("refused" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_a_location_folded_over_two_lines_is_refused(replay, canary):
    """A header continuation line cannot smuggle a second URL in."""
    raw = (
        b"HTTP/1.1 302 Found\r\nLocation: /doi/ok\r\n "
        + canary.url.encode()
        + b"/internal\r\nContent-Length: 0\r\n\r\n"
    )
    replay.script(DOI_ELSEWHERE, Answer(raw=raw))
    with pytest.raises(ServiceError, match="address we do not follow"):
        look_up("doi", ELSEWHERE_DOI)
    assert canary.hits() == 0


@pytest.mark.django_db
def test_a_100000_character_location_is_an_error(replay, canary):
    replay.script(DOI_ELSEWHERE, redirect(f"{canary.url}/" + "x" * 100_000))
    with pytest.raises(ServiceError, match="could not read"):
        look_up("doi", ELSEWHERE_DOI)
    assert canary.hits() == 0


def test_a_refusal_is_logged_with_the_host_and_never_the_body(
    client, editor, replay, canary, caplog
):
    replay.script(DOI_ELSEWHERE, redirect(METADATA))
    with caplog.at_level(logging.WARNING, "references.lookup"):
        look_up_in_admin(client, editor, ELSEWHERE_DOI)
    [record] = [r for r in caplog.records if r.name == "references.lookup"]
    assert record.levelno == logging.WARNING
    assert "169.254.169.254" in record.getMessage()
    assert "INTERNAL-SECRET" not in caplog.text


def test_a_100000_character_identifier_is_refused_unasked(client, editor, replay):
    """Pasted, or in a crafted ?lookup= link: a message, no request, no 500."""
    client.force_login(editor)
    response = client.post(LOOKUP_URL, {"identifier": "10.1002/" + "x" * 100_000})
    assert response.status_code == 200
    response = client.get(ADD_URL, {"lookup": "doi:10.1002/" + "x" * 100_000})
    assert response.status_code == 200
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("too long" in message for message in messages)
    assert replay.hits() == 0


def test_look_up_refuses_an_overlong_value():
    with pytest.raises(IdentifierError, match="too long"):
        look_up("doi", "10.1002/" + "x" * 100_000)


def test_check_deploy_warns_about_allowed_internal_addresses(settings):
    settings.DEBUG = False
    settings.HEALTH_LOOKUP = {"ALLOW_INTERNAL": ["127.0.0.1:8000"]}
    assert [w.id for w in check_lookup_allow_internal(None)] == ["siteconf.W001"]


@pytest.mark.parametrize("debug, allowed", [(False, []), (True, ["127.0.0.1:80"])])
def test_check_deploy_is_quiet_without_them_or_in_development(settings, debug, allowed):
    settings.DEBUG = debug
    settings.HEALTH_LOOKUP = {"ALLOW_INTERNAL": allowed}
    assert check_lookup_allow_internal(None) == []

"""Varnish in front of gunicorn, with deploy/varnish.vcl run as the systemd
drop-in runs it: pages are cached once each, purges reach every address of
a page, only the app servers can purge, and staff never get a shared page.

The tests share one database (module scope) and run in file order."""

import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email.message import Message
from pathlib import Path

import pytest

from tests.stack.conftest import (
    PURGE_SECRET,
    ROOT,
    VENV_BIN,
    fetch,
    free_port,
    server_environment,
    varnish_command,
)

REQUIRED = os.environ.get("REQUIRE_PROXY") == "1"
if not shutil.which("varnishd") and not REQUIRED:
    pytest.skip(
        "varnish is not installed (apt-get install varnish)", allow_module_level=True
    )

SLUG = "cervical-mucus-fertile-window"


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def publish_update(env: dict, title: str) -> None:
    """An editor's update to the live demo article, through the model methods,
    in a process of its own (as an app server or a worker would)."""
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User\n"
        "from articles.models import Article\n"
        f"a = Article.objects.get(slug={SLUG!r})\n"
        "u = {n: User.objects.get(username=n)\n"
        "     for n in ('writer', 'reviewer', 'editor')}\n"
        f"a.title = {title!r}\n"
        "a.save()\n"
        "a.save_revision(by=u['writer'], change_class='update')\n"
        "a.submit_for_review(by=u['writer'])\n"
        "a.approve(by=u['reviewer'], change_class='update')\n"
        "a.publish(by=u['editor'])\n",
    )


def withdraw(env: dict) -> None:
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User\n"
        "from articles.models import Article\n"
        f"Article.objects.get(slug={SLUG!r}).unpublish("
        "by=User.objects.get(username='editor'), reason='Superseded.')\n",
    )


# Every address of an article a reader, crawler or stranger may use.
VARIANTS = [
    "",
    "?page=2",
    "?page=20",
    "?utm_source=newsletter",
    "?fbclid=abc&page=2",
    "?page=2&gclid=1",
    "?x=1",
]


class Proxy(str):
    """Varnish's public address, with its purge listener and counters."""

    purge: str
    workdir: str

    def counters(self) -> dict[str, int]:
        output = subprocess.run(
            ["varnishstat", "-n", self.workdir, "-1", "-j"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        counters = json.loads(output)
        counters = counters.get("counters", counters)
        return {
            name: entry["value"]
            for name, entry in counters.items()
            if isinstance(entry, dict) and "value" in entry
        }


def send(url: str, method: str, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def start_proxy(servers, tmp_path, app_port: int, env: dict) -> Proxy:
    public_port, purge_port = free_port(), free_port()
    workdir = tmp_path / "varnish-files"
    workdir.mkdir()
    varnish = servers.start(
        varnish_command(workdir, app_port, public_port, purge_port),
        {**env, "HEALTH_PURGE_SECRET": PURGE_SECRET},
        tmp_path / "varnish.log",
    )
    proxy = Proxy(f"http://127.0.0.1:{public_port}")
    proxy.purge = f"http://127.0.0.1:{purge_port}"
    proxy.workdir = str(workdir / "varnish")
    varnish.wait_for(f"{proxy}/robots.txt", status=None)
    return proxy


@pytest.fixture(scope="module")
def proxied(module_servers, server_database, tmp_path_factory):
    """gunicorn with the demo content, and Varnish in front of it, shared by
    the module's tests (in file order: the last one withdraws the article)."""
    servers, tmp_path = module_servers, tmp_path_factory.mktemp("proxied")
    app_port = free_port()
    env = server_environment(
        server_database,
        tmp_path,
        HEALTH_SITE_BASE_URL="http://health.example.org",
        HEALTH_PURGE_SECRET=PURGE_SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,health.example.org",
    )
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    manage(env, "seed_demo")
    # The app servers read HEALTH_PURGE_URLS as they start: Varnish first.
    proxy = start_proxy(servers, tmp_path, app_port, env)
    env["HEALTH_PURGE_URLS"] = proxy.purge
    app = servers.start(
        [
            str(VENV_BIN / "gunicorn"),
            "siteconf.wsgi",
            "--bind",
            f"127.0.0.1:{app_port}",
            "--workers",
            "2",
        ],
        env,
        tmp_path / "gunicorn.log",
    )
    app.wait_for(f"http://127.0.0.1:{app_port}/robots.txt")
    deadline = time.monotonic() + 20
    while fetch(f"{proxy}/robots.txt")[0] != 200:  # Varnish's probe sees it
        assert time.monotonic() < deadline, "Varnish never reached the app"
        time.sleep(0.3)
    return proxy, env


@pytest.fixture(scope="module")
def edge(proxied, module_servers):
    """nginx with the configuration docs/operations.md gives, in front of Varnish:
    the whole public stack. Yields a function that requests a path through
    it (following one redirect to a page's address)."""
    from tests.stack.test_nginx import start_nginx

    proxy, _ = proxied
    folder = Path(tempfile.mkdtemp(prefix="nginx-"))
    folder.chmod(0o755)
    nginx, _, https = start_nginx(folder, int(proxy.rsplit(":", 1)[1]))
    module_servers.append(nginx)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    def request(path: str, method: str = "GET", headers: dict | None = None):
        headers = {"Host": "health.example.org", **(headers or {})}
        url = f"https://127.0.0.1:{https}{path}"
        answer = urllib.request.Request(url, method=method, headers=headers)
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context)
        )
        try:
            with opener.open(answer, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    deadline = time.monotonic() + 15
    while True:
        try:
            request("/robots.txt")
            break
        except OSError:
            assert time.monotonic() < deadline, nginx.output()
            time.sleep(0.2)
    yield request
    shutil.rmtree(folder, ignore_errors=True)


def test_pages_are_cached_by_the_proxy(proxied):
    """The second request for an article is a proxy hit."""
    proxy, _ = proxied
    url = f"{proxy}/articles/{SLUG}/"
    assert fetch(url)[1]["X-Cache"] == "MISS"
    status, headers, _ = fetch(url)
    assert status == 200 and headers["X-Cache"] == "HIT"


def test_a_published_update_is_visible_through_the_proxy_at_once(proxied):
    """Publishing bans the article's surrogate keys in Varnish."""
    proxy, env = proxied
    for url in [f"/articles/{SLUG}/", "/", "/topics/fertility/", "/feed/"]:
        fetch(proxy + url)
        assert fetch(proxy + url)[1]["X-Cache"] == "HIT", url
    publish_update(env, "Cervical mucus: an update through the proxy")
    for url in [f"/articles/{SLUG}/", "/", "/topics/fertility/", "/feed/"]:
        status, headers, body = fetch(proxy + url)
        assert status == 200, url
        assert headers["X-Cache"] == "MISS", url
        assert b"an update through the proxy" in body, url


def test_a_session_is_never_served_a_shared_page(proxied):
    """With a session cookie, requests pass to the app every time."""
    proxy, _ = proxied
    url = f"{proxy}/"
    fetch(url)
    assert fetch(url)[1]["X-Cache"] == "HIT"
    request = urllib.request.Request(url, headers={"Cookie": "sessionid=abc"})
    for _ in range(2):
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["X-Cache"] == "MISS"


def test_every_address_shows_an_update_through_the_proxy(proxied):
    """Before: ?page=2 came from the app's cache behind Varnish and kept the
    old version. Now every address of the article shows the update at once."""
    proxy, env = proxied
    url = f"{proxy}/articles/{SLUG}/"
    for variant in VARIANTS:
        for _ in range(2):
            assert fetch(url + variant)[0] == 200, variant
    publish_update(env, "Cervical mucus: every address updated")
    for variant in VARIANTS:
        status, _, body = fetch(url + variant)
        assert status == 200, variant
        assert b"every address updated" in body, variant


def test_made_up_query_strings_add_nothing_to_the_proxy(proxied):
    """Before: 400 random query strings made 400 objects living a day and
    more, evicting real pages. Now they pass to the app (a redirect) and
    search results go to their own small store."""
    proxy, _ = proxied
    url = f"{proxy}/articles/{SLUG}/"
    fetch(url)
    before = proxy.counters()
    for _ in range(100):
        assert fetch(f"{url}?{uuid.uuid4().hex}=1")[0] == 200
        assert fetch(f"{url}?page={uuid.uuid4().int % 90 + 2}")[0] == 200
        fetch(f"{proxy}/articles/{uuid.uuid4().hex}/")  # 404s
        fetch(f"{proxy}/search/?q={uuid.uuid4().hex}")
    after = proxy.counters()
    assert after["SMA.pages.g_bytes"] == before["SMA.pages.g_bytes"]
    assert after["SMA.variants.g_bytes"] > before["SMA.variants.g_bytes"]
    assert fetch(url)[1]["X-Cache"] == "HIT"


def test_tracking_parameters_share_the_page_in_the_proxy(proxied):
    """?utm_source=… is the page's own object: a hit."""
    proxy, _ = proxied
    url = f"{proxy}/topics/fertility/"
    fetch(url)
    assert fetch(url + "?utm_source=x&fbclid=y")[1]["X-Cache"] == "HIT"
    assert fetch(url + "?page=1")[1]["X-Cache"] == "HIT"


def test_only_the_app_servers_may_purge(proxied):
    """Before: any client behind the same nginx could BAN everything. Now the
    public listener refuses BAN and PURGE; the purge listener wants the
    secret and well-formed tags; the cache stays full."""
    proxy, _ = proxied
    url = f"{proxy}/articles/{SLUG}/"
    fetch(url)
    assert fetch(url)[1]["X-Cache"] == "HIT"
    everything = {"X-Ban-Tags": "home feeds sitemap search article-1 article-2"}
    attempts = [
        (proxy, "BAN", everything, 405),
        (proxy, "BAN", {**everything, "X-Purge-Secret": PURGE_SECRET}, 405),
        (proxy, "PURGE", {}, 405),
        (proxy.purge, "BAN", everything, 403),
        (proxy.purge, "BAN", {**everything, "X-Purge-Secret": "guess"}, 403),
        (proxy.purge, "BAN", {**everything, "X-Purge-Secret": ""}, 403),
        (proxy.purge, "PURGE", {"X-Purge-Secret": PURGE_SECRET}, 405),
        (proxy.purge, "BAN", {"X-Purge-Secret": PURGE_SECRET, "X-Ban-Tags": ".*"}, 400),
        (proxy.purge, "GET", {}, 404),
    ]
    for base, method, headers, status in attempts:
        assert send(base + f"/articles/{SLUG}/", method, headers) == status, (
            base,
            method,
            headers,
        )
    assert fetch(url)[1]["X-Cache"] == "HIT"
    allowed = {"X-Purge-Secret": PURGE_SECRET, "X-Ban-Tags": "home"}
    assert send(proxy.purge + "/", "BAN", allowed) == 200


def test_nobody_purges_through_nginx(proxied, edge):
    """nginx refuses BAN and PURGE (and every method the site does not use),
    so the cache stays full, as it does when they go to Varnish directly."""
    proxy, _ = proxied
    path = f"/articles/{SLUG}/"
    edge(path)
    assert edge(path)[1]["X-Cache"] == "HIT"
    everything = {"X-Ban-Tags": "home feeds sitemap search", "X-Purge-Secret": "x"}
    for method in ["BAN", "PURGE", "PUT", "DELETE", "OPTIONS"]:
        assert edge(path, method, everything)[0] == 405, method
        assert send(proxy + path, method, everything) in {405, 403}, method
    assert edge(path)[1]["X-Cache"] == "HIT"
    assert fetch(proxy + path)[1]["X-Cache"] == "HIT"


def test_every_address_through_nginx_shows_an_update(proxied, edge):
    """The whole stack: each address answers with the new version at once."""
    _, env = proxied
    path = f"/articles/{SLUG}/"
    for variant in VARIANTS:
        edge(path + variant)
        edge(path + variant)
    publish_update(env, "Cervical mucus: updated through nginx")
    for variant in VARIANTS:
        status, _, body = edge(path + variant)
        assert status == 200, variant
        assert b"updated through nginx" in body, variant


def yes_votes(env: dict) -> int:
    """Every "yes" the demo article has had, read by a process of its own."""
    return int(
        manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from django.db.models import Sum\n"
            "from articles.models import PageVotes\n"
            f"print(PageVotes.objects.filter(article__slug={SLUG!r})"
            ".aggregate(n=Sum('yes'))['n'] or 0)\n",
        ).strip()
    )


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Answers a redirect with its own response, not the page it names."""

    def redirect_request(self, *args, **kwargs):
        return None


def post_feedback(proxy: str, fields: dict) -> tuple[int, Message, bytes]:
    """The feedback form's post, as the page's module sends it."""
    request = urllib.request.Request(
        f"{proxy}/articles/{SLUG}/feedback/",
        data=urllib.parse.urlencode(fields).encode(),
        method="POST",
        headers={
            "Accept": "application/json",
            "Origin": "http://health.example.org",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_every_feedback_post_reaches_the_app(proxied):
    """Two identical "Yes" posts through Varnish are both counted."""
    proxy, env = proxied
    before = yes_votes(env)
    for _ in range(2):
        status, headers, body = post_feedback(proxy, {"useful": "yes"})
        assert status == 200, body
        assert json.loads(body)["step"] == "thanks"
        assert headers["X-Cache"] == "MISS"
        assert "no-store" in headers["Cache-Control"]
    assert yes_votes(env) == before + 2


def test_the_feedback_address_is_never_cached(proxied):
    """A GET of the feedback URL (a redirect to the form) passes to the app
    every time, without a cache lookup."""
    proxy, _ = proxied
    opener = urllib.request.build_opener(NoRedirects)
    passed = proxy.counters()["MAIN.s_pass"]
    for _ in range(2):
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(f"{proxy}/articles/{SLUG}/feedback/", timeout=10)
        assert answer.value.code == 302
        assert answer.value.headers["Location"] == f"/articles/{SLUG}/#feedback"
        assert answer.value.headers["X-Cache"] == "MISS"
    assert proxy.counters()["MAIN.s_pass"] == passed + 2


def test_the_article_stays_cached_after_feedback(proxied):
    """A report leaves the article page a proxy hit, and sets no cookie."""
    proxy, _ = proxied
    url = f"{proxy}/articles/{SLUG}/"
    fetch(url)
    assert fetch(url)[1]["X-Cache"] == "HIT"
    status, headers, body = post_feedback(
        proxy, {"category": "broken_link", "text": "Reference 1 is a 404."}
    )
    assert status == 200, body
    assert headers.get_all("Set-Cookie") is None
    status, headers, _ = fetch(url)
    assert status == 200
    assert headers["X-Cache"] == "HIT"
    assert headers.get_all("Set-Cookie") is None


# Last: it withdraws the demo article the other tests read.
def test_a_withdrawal_is_visible_at_every_address_through_the_proxy(proxied, edge):
    """A withdrawn article is 410 at every address as soon as it is withdrawn,
    through Varnish and through nginx in front of it."""
    proxy, env = proxied
    path = f"/articles/{SLUG}/"
    for variant in VARIANTS:
        for _ in range(2):
            fetch(proxy + path + variant)
            edge(path + variant)
    assert fetch(proxy + path)[1]["X-Cache"] == "HIT"
    withdraw(env)
    for variant in VARIANTS:
        for status, _, body in [fetch(proxy + path + variant), edge(path + variant)]:
            assert status == 410, variant
            assert b"What cervical mucus does" not in body, variant

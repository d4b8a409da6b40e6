"""Varnish in front of gunicorn, with deploy/varnish.vcl: pages are cached,
purges reach the proxy, and staff never get a shared page.

The tests share one database (module scope) and run in file order."""

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.stack.conftest import ROOT, VENV_BIN, fetch, free_port, server_environment

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
        "a.save_revision(by=u['writer'])\n"
        "a.submit_for_review(by=u['writer'])\n"
        "a.approve(by=u['reviewer'])\n"
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


def varnish_config(tmp_path: Path, backend_port: int) -> Path:
    vcl = (ROOT / "deploy" / "varnish.vcl").read_text()
    vcl = vcl.replace('.port = "8000";', f'.port = "{backend_port}";')
    path = tmp_path / "health.vcl"
    path.write_text(vcl)
    return path


@pytest.fixture
def proxied(servers, server_database, tmp_path):
    """gunicorn with the demo content, and Varnish in front of it."""
    app_port, proxy_port = free_port(), free_port()
    proxy = f"http://127.0.0.1:{proxy_port}"
    env = server_environment(
        server_database,
        tmp_path,
        HEALTH_PURGE_URLS=proxy,
        HEALTH_SITE_BASE_URL=proxy,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    manage(env, "seed_demo")
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
    varnish = servers.start(
        [
            shutil.which("varnishd") or "varnishd",
            "-F",
            "-j",
            "none",
            "-n",
            str(tmp_path / "varnish"),
            "-a",
            f"127.0.0.1:{proxy_port}",
            "-f",
            str(varnish_config(tmp_path, app_port)),
            "-s",
            "malloc,64m",
        ],
        env,
        tmp_path / "varnish.log",
    )
    varnish.wait_for(f"{proxy}/robots.txt")
    return proxy, env


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


def test_only_the_app_servers_may_ban(proxied):
    """A BAN with a malformed tag list is refused."""
    proxy, _ = proxied
    request = urllib.request.Request(
        proxy + "/", method="BAN", headers={"X-Ban-Tags": ".*"}
    )
    try:
        urllib.request.urlopen(request, timeout=5)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 400


# Last: it withdraws the demo article the other tests read.
def test_a_withdrawal_is_visible_through_the_proxy_at_once(proxied):
    """A withdrawn article is 410 at the proxy as soon as it is withdrawn."""
    proxy, env = proxied
    url = f"{proxy}/articles/{SLUG}/"
    fetch(url)
    assert fetch(url)[1]["X-Cache"] == "HIT"
    withdraw(env)
    assert fetch(url)[0] == 410

"""Two app servers sharing the database and the page cache (Redis when
REDIS_URL is set, else a folder on this machine): a publication through one
is read at once from the other."""

import http.cookiejar
import os
import re
import urllib.parse
import urllib.request

from tests.stack.conftest import VENV_BIN, fetch, free_port, server_environment
from tests.stack.test_proxy import SLUG, manage

PASSWORD = "review-demo-2026"


def start_app(servers, env, tmp_path, name):
    port = free_port()
    app = servers.start(
        [str(VENV_BIN / "gunicorn"), "siteconf.wsgi", "--bind", f"127.0.0.1:{port}"],
        env,
        tmp_path / f"{name}.log",
    )
    app.wait_for(f"http://127.0.0.1:{port}/robots.txt")
    return f"http://127.0.0.1:{port}"


class Browser:
    """A logged-in admin session over plain HTTP, CSRF token included."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )

    def csrf(self, path: str) -> str:
        html = self.opener.open(self.base + path, timeout=10).read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    def post(self, path: str, data: dict, token_from: str) -> str:
        data = {**data, "csrfmiddlewaretoken": self.csrf(token_from)}
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data, doseq=True).encode(),
            headers={"Referer": self.base + token_from},
        )
        return self.opener.open(request, timeout=30).read().decode()

    def log_in(self, username: str, env: dict) -> None:
        """The password, then the demo authenticator's code (`demo_code`)."""
        self.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": PASSWORD, "next": "/admin/"},
            "/admin/login/",
        )
        code = manage({**env, "DJANGO_DEBUG": "1"}, "demo_code", username).strip()
        verify = "/admin/mfa/verify/?next=/admin/"
        self.post(verify, {"code": code, "next": "/admin/"}, verify)


def test_a_publication_on_one_server_is_read_at_once_on_the_other(
    servers, server_database, tmp_path
):
    """Server A publishes; server B, which had the old page cached, serves the
    new one on the very next request."""
    env = server_environment(
        server_database, tmp_path, DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"
    )
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    manage(env, "seed_demo")
    server_a = start_app(servers, env, tmp_path, "a")
    server_b = start_app(servers, env, tmp_path, "b")
    page = f"{server_b}/articles/{SLUG}/"
    fetch(page)
    assert fetch(page)[1]["X-Page-Cache"] == "hit"

    # An approved update, not yet published: B keeps serving the live page.
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User\n"
        "from articles.models import Article\n"
        f"a = Article.objects.get(slug={SLUG!r})\n"
        "w = User.objects.get(username='writer')\n"
        "a.title = 'Published through server A'\n"
        "a.save()\n"
        "a.save_revision(by=w, change_class='update')\n"
        "a.submit_for_review(by=w)\n"
        "a.approve(by=User.objects.get(username='reviewer'), change_class='update')\n",
    )
    assert b"Published through server A" not in fetch(page)[2]

    editor = Browser(server_a)
    editor.log_in("editor", env)
    article_id = manage(
        env,
        "shell",
        "-c",
        "from articles.models import Article\n"
        f"print(Article.objects.get(slug={SLUG!r}).pk)\n",
    ).split()[-1]
    change = f"/admin/articles/article/{article_id}/change/"
    editor.post(
        change,
        {"CHANGE_FORM-action": "publish", "_selected_action": article_id},
        change,
    )
    status, headers, body = fetch(page)
    assert status == 200
    assert headers["X-Page-Cache"] == "miss"
    assert b"Published through server A" in body

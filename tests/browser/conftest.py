"""Playwright (sync API) driving Debian's chromium against pytest-django's live server.

Browser tests are skipped when chromium is missing, unless REQUIRE_BROWSER=1
(set by .ci/run), where a missing browser is a failure.

Screenshots go to the ignored test-results/screenshots/, so a test run leaves
the work tree clean; `make screenshots` (UPDATE_SCREENSHOTS=1) refreshes the
README's in docs/screenshots/.
"""

import importlib
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from tests.tasks import run_tasks

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "review-demo-2026"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed: apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site_server):
    # Depends on site_server so the browser hangs up before the server stops.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


class LiveServer:
    def __init__(self, url: str):
        self.url = url


@pytest.fixture
def site_server(transactional_db):
    """A live server whose /static/ comes from STATIC_ROOT, hashed names included.

    pytest-django's own serves /static/ through the staticfiles finders, which
    do not know the hashed names that whitenoise's manifest storage produces.
    """
    shared = {}
    for connection in connections.all():
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            connection.inc_thread_sharing()
            shared[connection.alias] = connection
    thread = LiveServerThread("localhost", _StaticFilesHandler, shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield LiveServer(f"http://localhost:{thread.port}")
    thread.terminate()
    # Request threads are daemons the server does not wait for; let them close
    # their (shared) connections before the sharing ends.
    for worker in threading.enumerate():
        if "process_request_thread" in worker.name:
            worker.join(timeout=5)
    for connection in shared.values():
        connection.dec_thread_sharing()


@pytest.fixture
def demo(transactional_db, settings):
    """The demo content, as `make run` shows it."""
    settings.DEBUG = False
    # Data that migrations ship, which transactional tests' flushes empty.
    journals = importlib.import_module("references.migrations.0005_journalabbreviation")
    journals.add_journals(django_apps, None)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    run_tasks()  # the search index, as `make run`'s worker writes it


def current_code(username: str) -> str:
    """The code `username`'s authenticator app shows now (a confirmed device
    is made if they have none). The device's memory of its last used code is
    cleared, so a test may sign the same user in twice within 30 seconds."""
    from django.contrib.auth.models import User
    from django_otp.oath import TOTP

    from tests.conftest import test_device

    device = test_device(User.objects.get(username=username))
    device.last_t = -1
    device.save(update_fields=["last_t"])
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def login(page, site_server, username, password=DEMO_PASSWORD):
    """Sign in as `username`: the password, then the authenticator code."""
    code = current_code(username)
    page.goto(f"{site_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/(mfa/verify/.*)?$"))
    if "/admin/mfa/verify/" in page.url:
        page.fill("#id_code", code)
        page.click("#mfa-verify-submit")
        page.wait_for_url(f"{site_server.url}/admin/")


def logout(page, site_server):
    page.context.clear_cookies()


def documented_screenshots() -> set[str]:
    """The screenshots the README and docs/ show."""
    pages = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    text = "\n".join(page.read_text(encoding="utf-8") for page in pages)
    return set(re.findall(r"screenshots/([\w.-]+\.png)", text))


def screenshot_folder(name: str = "") -> Path:
    """docs/screenshots/ for a screenshot the docs show, under `make
    screenshots` (UPDATE_SCREENSHOTS=1); the ignored test-results/ otherwise."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" and (
        not name or name in documented_screenshots()
    ):
        return ROOT / "docs" / "screenshots"
    return ROOT / "test-results" / "screenshots"


def screenshot(page, name: str) -> None:
    folder = screenshot_folder(name)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


# Select the first occurrence of `text` inside `element`, as a reader dragging
# the mouse over it would (page.locator(...).evaluate(SELECT_TEXT, text)).
SELECT_TEXT = """(element, text) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at === -1) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return;
  }
  throw new Error("not found: " + text);
}"""

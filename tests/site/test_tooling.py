"""`make test` leaves the work tree clean and says what it skipped;
`make run` follows its port."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot_folder

ROOT = Path(__file__).resolve().parents[2]


def test_screenshots_go_to_an_ignored_folder(monkeypatch):
    """Test runs never rewrite the README's tracked screenshots."""
    monkeypatch.delenv("UPDATE_SCREENSHOTS", raising=False)
    folder = screenshot_folder()
    assert folder == ROOT / "test-results" / "screenshots"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(folder / "article-desktop.png")], cwd=ROOT
    )
    assert ignored.returncode == 0


def test_make_screenshots_refreshes_the_readme_images(monkeypatch):
    """UPDATE_SCREENSHOTS=1 (`make screenshots`) writes to docs/screenshots/."""
    monkeypatch.setenv("UPDATE_SCREENSHOTS", "1")
    assert screenshot_folder() == ROOT / "docs" / "screenshots"


def test_skipped_browser_tests_are_announced_at_the_end():
    """Without chromium, the run ends with a line saying so."""
    venv_bin = Path(sys.executable).parent
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REQUIRE_BROWSER", "CHROMIUM_PATH", "DATABASE_URL"}
    }
    # Only the virtualenv on PATH: chromium can't be found; SQLite in memory.
    env.update(PATH=str(venv_bin), DJANGO_SECRET_KEY="x")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/browser"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    notice = result.stdout.strip().splitlines()[-2]  # above the final tally
    assert notice.endswith(
        "browser tests skipped: chromium is not installed (apt-get install -y chromium)"
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_and_links_the_chosen_port():
    """`make run PORT=8201` sets the base URL, prints it and starts the worker."""
    env = {k: v for k, v in os.environ.items() if k != "HEALTH_SITE_BASE_URL"}
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8201"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Serving on http://127.0.0.1:8201/" in result.stdout
    assert "manage.py runserver 127.0.0.1:8201" in result.stdout
    assert "manage.py db_worker &" in result.stdout
    assert "kill $scheduler $worker" in result.stdout

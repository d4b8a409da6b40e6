"""The README and docs/ stay a front door: short, linked, and true to the code."""

import re
from pathlib import Path

import pytest

from references.lookup.client import DEFAULTS as LOOKUP_DEFAULTS
from siteconf.object_storage import ENVIRONMENT as S3_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]
CONFIGURATION = ROOT / "docs" / "configuration.md"

FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target), with an optional "title" after the target.
LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
# Where the code reads an environment variable by name.
ENV_READS = [
    re.compile(r"environ(?:\.get)?\(\s*\"([A-Z][A-Z0-9_]+)\""),
    re.compile(r"environ\[\s*\"([A-Z][A-Z0-9_]+)\"\s*\]"),
    re.compile(r"getenv\(\s*\"([A-Z][A-Z0-9_]+)\""),
    re.compile(r"env_bool\(\s*\"([A-Z][A-Z0-9_]+)\""),
]


def prose(text: str) -> str:
    """The Markdown without code blocks and inline code, where a link is text."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text, lower case, punctuation
    dropped (hyphens and underscores stay), spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links: their text
    text = text.replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor, repeats numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(path: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(prose(path.read_text()))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target)  # https:, mailto:
    ]


def test_slugs_follow_github():
    """The anchors GitHub gives headings like the guides' own."""
    assert slug("3. gunicorn (`gunicorn.conf.py`)") == "3-gunicorn-gunicornconfpy"
    assert slug("Health: `/healthz` and `/healthz/status`") == (
        "health-healthz-and-healthzstatus"
    )
    assert slug("Why `siteconf`?") == "why-siteconf"


@pytest.mark.parametrize("page", PAGES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    """Each link and image in the README and docs/ names a file that exists,
    and a heading in it when it names an anchor."""
    broken = []
    for target in relative_links(page):
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor}")
    assert broken == []


def test_the_readme_links_every_page_of_the_docs():
    """Nothing in docs/ is left for newcomers to stumble on."""
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for target in relative_links(README)
    }
    unlinked = [path.name for path in PAGES[1:] if path.resolve() not in linked]
    assert unlinked == []


def test_the_readme_is_a_front_door():
    """The README stays short; the detail lives in docs/."""
    lines = len(README.read_text().splitlines())
    assert lines <= 250, f"README.md has {lines} lines"


def environment_variables_read() -> set[str]:
    sources = [ROOT / "gunicorn.conf.py"]
    for folder in ("site", "articles", "references"):
        sources += (ROOT / folder).rglob("*.py")
    names = set(S3_ENVIRONMENT.values())
    for path in sources:
        text = path.read_text()
        for pattern in ENV_READS:
            names.update(pattern.findall(text))
    return names


def test_the_scan_finds_what_the_code_reads():
    """The search for environment variables sees every way the code reads one."""
    assert {
        "DATABASE_URL",  # os.environ.get
        "REDIS_URL",  # os.environ[...]
        "DJANGO_HTTPS",  # env_bool
        "GUNICORN_BIND",  # gunicorn.conf.py
        "DEMO_PASSWORD",  # articles/
        "DJANGO_ALLOWED_HOSTS",  # a call spread over lines
        "DJANGO_S3_BUCKET",
        "DJANGO_S3_REGION",
    } <= environment_variables_read()


def test_every_environment_variable_is_documented():
    """docs/configuration.md names every variable the code reads."""
    documented = CONFIGURATION.read_text()
    missing = sorted(
        name for name in environment_variables_read() if f"`{name}`" not in documented
    )
    assert missing == []


def test_every_lookup_setting_is_documented():
    """Each key of HEALTH_LOOKUP has its row in docs/configuration.md."""
    documented = CONFIGURATION.read_text()
    missing = sorted(key for key in LOOKUP_DEFAULTS if f"`{key}`" not in documented)
    assert missing == []

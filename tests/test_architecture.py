"""The layout the README's map describes: imports go one way, modules stay small."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = [
    path
    for path in (ROOT / "articles").rglob("*.py")
    if not {"admin", "public", "migrations", "management"} & set(path.parts)
]


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_the_core_never_imports_the_desk_or_the_readers_site():
    """articles/admin and articles/public import the core, never the reverse."""
    for path in CORE:
        for module in imported_modules(path):
            assert not module.startswith(("articles.admin", "articles.public")), (
                f"{path.relative_to(ROOT)} imports {module}"
            )


def test_references_does_not_import_articles():
    """The reference library stands alone (one command re-checks articles)."""
    for path in (ROOT / "references").rglob("*.py"):
        if "import_retractions.py" in path.name or "migrations" in path.parts:
            continue
        for module in imported_modules(path):
            assert not module.startswith("articles"), path.relative_to(ROOT)


def test_no_module_is_over_about_400_lines():
    """Code modules stay small enough to read (migrations excepted)."""
    for folder in ("articles", "references", "site"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            assert lines <= 420, f"{path.relative_to(ROOT)} has {lines} lines"

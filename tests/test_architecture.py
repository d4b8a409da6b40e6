"""The layout docs/architecture.md describes: imports go one way, modules stay small."""

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
    """The reference library stands alone: it announces notice changes with a
    signal (references/signals.py) that articles answer."""
    for path in (ROOT / "references").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for module in imported_modules(path):
            assert not module.startswith("articles"), path.relative_to(ROOT)


def test_delivery_never_imports_the_workflow_the_desk_or_the_readers_site():
    """articles/delivery reads the models and writes what pages read; the
    workflow calls it, never the other way round."""
    for path in (ROOT / "articles" / "delivery").rglob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith(
                ("articles.workflow", "articles.admin", "articles.public")
            ), f"{path.relative_to(ROOT)} imports {module}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# The one import that goes back up, on purpose: the models' transition methods
# (the stable API) reach the workflow through one lazy import.
ALLOWED_CYCLE_EDGES = {("articles.models.article", "articles.workflow")}


def test_the_core_has_no_import_circle():
    """Counting imports inside functions too, no two core modules import each
    other through any chain, but for the models' one lazy workflow import.
    (The app config, which connects everything once loaded, is left out.)"""
    modules = {module_name(path): path for path in CORE}
    modules.pop("articles.apps")
    graph = {}
    for name, path in modules.items():
        targets = set()
        for module in imported_modules(path):
            parts = module.split(".")
            # Importing a.b.c imports the packages a.b and a.b.c first.
            for end in range(2, len(parts) + 1):
                target = ".".join(parts[:end])
                if target in modules and not name.startswith(target):
                    targets.add(target)
        graph[name] = {t for t in targets if (name, t) not in ALLOWED_CYCLE_EDGES}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for target in graph[todo.pop()] - seen:
                if target == goal:
                    return True
                seen.add(target)
                todo.append(target)
        return False

    circles = sorted(
        name
        for name in graph
        if any(reaches(target, name) for target in graph[name])
        and not name.endswith("__init__")
    )
    assert circles == [], f"modules on an import circle: {circles}"


def test_no_module_is_over_about_400_lines():
    """Code modules stay small enough to read (migrations excepted)."""
    for folder in ("articles", "references", "site"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            assert lines <= 420, f"{path.relative_to(ROOT)} has {lines} lines"

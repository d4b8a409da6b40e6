"""axe-core (bundled by axe-playwright-python) run on the page as it stands."""

from axe_playwright_python.sync_playwright import Axe


def serious_violations(page) -> list[str]:
    """The serious and critical violations axe finds, one line each."""
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
        f"{', '.join(str(n['target']) for n in v['nodes'][:3])})"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]

"""The editor's ES modules import each other by their hashed names, so a page
never pairs a new module with a cached old one."""

import json
import re

from django.core.management import call_command
from django.test import override_settings

from siteconf.static_storage import StaticFilesStorage

IMPORT = re.compile(r"""\b(?:import|from)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")
HASHED = re.compile(r"\.[0-9a-f]{12}\.js$")


def test_the_site_uses_the_storage_that_rewrites_imports(settings):
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    assert backend == "siteconf.static_storage.StaticFilesStorage"
    assert StaticFilesStorage.support_js_module_import_aggregation


def test_every_relative_import_in_our_modules_names_a_hashed_file(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    modules = [name for name in paths if name.startswith("editorial/")]
    modules = [name for name in modules if name.endswith(".js")]
    assert len(modules) >= 15
    imports = 0
    for name in modules:
        hashed = tmp_path / paths[name]
        for target in IMPORT.findall(hashed.read_text()):
            imports += 1
            assert HASHED.search(target), f"{name} imports {target} unhashed"
            assert (hashed.parent / target).resolve().is_file(), target
    # Static imports and the editor's dynamic import() of what it loads later.
    assert imports >= 15

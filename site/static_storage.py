"""Static files: whitenoise's compressed copies under hashed names, with the
editor's ES modules importing each other by those hashed names too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files whose `import … from "./x.js"` lines
    name the hashed file.

    Without this a page loads `toolbar.3f2a….js` (cached for a year) which
    imports plain `shell.js` (cached briefly, revalidated): a deploy could
    pair a new module with an old one for a while, and every page view asks
    again. Django rewrites relative imports and exports in `*.js` when this
    switch is on; it is off by default because a regular expression, not a
    parser, finds them, so `tests/site/test_static_files.py` checks every
    import in our modules was rewritten.
    """

    support_js_module_import_aggregation = True
